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

from frontline.domain.image_sources import without_foreign_images

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


def clean_original_html(html: str, base_url: str, *, image_hosts: frozenset[str]) -> Markup:
    """The feed's HTML content through a strict allow-list; relative links resolve to the source;
    images load only from `image_hosts` (see domain/image_sources).

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
        # one attribute only: nh3 adds these in hash-map order, so two would make the output
        # bytes differ from run to run
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )
    shown = without_foreign_images(cleaned, image_hosts)  # removes whole <img> tags only
    return Markup(shown)  # noqa: S704 - the output of the nh3 allow-list above


def json_text(data: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON with `<`, `>`, `&` and U+2028/9 as \\u escapes: the same data when decoded, but
    inert even if a client sniffs it as HTML or pastes it into a <script>."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        data, ensure_ascii=False, indent=indent, sort_keys=sort_keys, separators=separators
    )
    for char, escape in _SCRIPT_UNSAFE.items():
        text = text.replace(char, escape)
    return text


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script> element."""
    return Markup(json_text(data, sort_keys=True))  # noqa: S704 - nothing can end the element
