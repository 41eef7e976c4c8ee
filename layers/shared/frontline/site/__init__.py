"""The reader's site: static HTML, feeds and a JSON API rendered from the public articles.

`render_site` turns articles into S3 objects; the helpers below are shared with other modules
(and tests) that need the same paths and Japanese formatting.
"""

from frontline.site.formatting import format_jst, jst, read_minutes, stars
from frontline.site.paths import company_path, source_path, tag_path
from frontline.site.render import render_site
from frontline.site.sanitise import safe_href
from frontline.site.site_config import SiteConfig

__all__ = [
    "SiteConfig",
    "company_path",
    "format_jst",
    "jst",
    "read_minutes",
    "render_site",
    "safe_href",
    "source_path",
    "stars",
    "tag_path",
]
