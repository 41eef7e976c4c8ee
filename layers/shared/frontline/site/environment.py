"""The one Jinja2 environment: autoescape on, strict undefined, templates from the package."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

from frontline.site.paths import href_for
from frontline.site.sanitise import safe_href, script_json


@functools.cache
def environment() -> Environment:
    """Built on first use, not at import; warm Lambdas reuse it."""
    env = Environment(
        loader=PackageLoader("frontline.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["local_href"] = href_for
    env.filters["script_json"] = script_json
    return env
