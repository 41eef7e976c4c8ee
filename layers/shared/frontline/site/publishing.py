"""Render the site from the store and publish only the objects whose bytes changed.

A full publish renders everything; an incremental one (a batch of stream records) renders
what the page families say the changes touch, and any page not published yet (a new bucket,
a lost object, a page that failed before): never the whole site because one page is missing.
Both upload only objects whose bytes differ from what is published, delete what is no longer
part of the site, and ask the CDN to drop the changed pages in one invalidation. A page that
fails to render keeps its published object and is reported; the rest is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import ArticleRepository, CdnInvalidator, DigestRepository, SiteStore
from frontline.site import SiteConfig
from frontline.site.render import RenderFailure, render

# One CreateInvalidation call per publish, at most this many paths (the first 1,000 paths
# a month are free, then $0.005 each). Past the cap, the most-read pages are invalidated and
# the rest expire on their own: HTML and feeds are cached for 5 minutes (max-age=300).
INVALIDATION_CAP: Final = 15
_FIRST: Final = ("/", "/news/", "/rss.xml", "/atom.xml", "/feed.json")


@dataclass(frozen=True, slots=True)
class PublishReport:
    rendered: int
    uploaded: list[str]
    deleted: list[str]
    invalidated: list[str]
    failed: tuple[RenderFailure, ...] = ()

    def summary(self) -> dict[str, int]:
        return {
            "rendered": self.rendered,
            "uploaded": len(self.uploaded),
            "deleted": len(self.deleted),
            "invalidated": len(self.invalidated),
            "failed": len(self.failed),
        }


def viewer_path(key: str) -> str | None:
    """The URL path readers use for an object key; None for hashed (immutable) assets."""
    if key.startswith("assets/"):
        return None
    if key == "index.html":
        return "/"
    if key.endswith("/index.html"):
        return "/" + key.removesuffix("index.html")
    return "/" + key


def invalidation_paths(changed_keys: Sequence[str], cap: int = INVALIDATION_CAP) -> list[str]:
    paths = {path for key in changed_keys if (path := viewer_path(key)) is not None}
    first = [path for path in _FIRST if path in paths]
    rest = sorted(paths - set(first), key=lambda path: (path.count("/"), path))
    return (first + rest)[:cap]


def publish_site(
    articles: ArticleRepository,
    store: SiteStore,
    site: SiteConfig,
    *,
    now: datetime,
    digests: DigestRepository | None = None,
    changes: Sequence[ArticleChange] | None = None,
    cdn: CdnInvalidator | None = None,
) -> PublishReport:
    """Publish the site: in full, or only what `changes` (stream records) can touch."""
    stored = digests.list_all() if digests is not None else []
    listed = articles.list_public()
    existing = store.existing_hashes()
    result = render(
        listed, site, now=now, digests=stored, changes=changes, published=existing.keys()
    )
    uploaded: list[str] = []
    for obj in result.objects:
        if existing.get(obj.key) != store.hash_of(obj.body):
            store.put(obj)
            uploaded.append(obj.key)
    stale = sorted(key for key in existing if key not in result.keys)
    if stale:
        store.delete(stale)
    invalidated = invalidation_paths(uploaded + stale) if cdn is not None else []
    if invalidated and cdn is not None:
        cdn.invalidate(invalidated, reference=now.strftime("%Y%m%dT%H%M%S%f"))
    return PublishReport(
        rendered=len(result.objects),
        uploaded=uploaded,
        deleted=stale,
        invalidated=invalidated,
        failed=result.failures,
    )
