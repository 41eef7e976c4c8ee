"""Defence in depth for the three places where data meets markup.

- `safe_href`: a URL from data becomes a link target only if it is absolute http(s).
- `clean_original_html`: the source's own HTML, sanitised again with a strict allow-list.
- `script_json`: JSON for a <script type="application/ld+json"> block that no string can
  break out of.

Everything else from feeds and models is plain text and escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nh3
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "em",
    "strong",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "br",
    "figure",
    "figcaption",
    "img",
}
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}}
_URL_SCHEMES = {"http", "https"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def is_http_url(value: object) -> bool:
    if not isinstance(value, str) or _CONTROL.search(value):
        return False
    lowered = value.lower()
    return (lowered.startswith("http://") or lowered.startswith("https://")) and len(value) > 8


def safe_href(value: object) -> str:
    """The URL if it is absolute http(s) without spaces or control characters, else '#'."""
    return value if is_http_url(value) else "#"  # type: ignore[return-value]


def clean_original_html(html: str, base_url: str) -> Markup:
    """The feed's HTML content through a strict allow-list; relative links resolve to the source.

    The content was sanitised upstream already; this second pass is the renderer's own
    guarantee and the only place where feed markup is output unescaped.
    """
    base = base_url if is_http_url(base_url) else None
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        link_rel="noopener noreferrer nofollow",
        url_schemes=_URL_SCHEMES,
        url_relative=("rewrite_with_base", base) if base else "deny",
        set_tag_attribute_values={"img": {"loading": "lazy", "referrerpolicy": "no-referrer"}},
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - the output of the nh3 allow-list above


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script> element: `<`, `>`, `&`, U+2028/9 become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in _SCRIPT_UNSAFE.items():
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 - every character that could end the element is escaped
