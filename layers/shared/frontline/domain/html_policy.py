"""The one HTML allow-list: feed content is sanitised with it on the way in and again on output."""

from __future__ import annotations

from typing import Final

import nh3

from frontline.domain.hidden_markup import reveal_hidden_markup

ALLOWED_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dl", "dt", "em",
        "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
        "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES: Final = frozenset({"http", "https"})


def sanitise_html(html: str, *, base_url: str | None = None) -> str:
    """Allow-listed HTML: no scripts, styles, event handlers, iframes or non-http(s) URLs.

    Noscript fallbacks and lazy-loaded images are revealed first, so neither turns into
    visible tag text nor loses its real image URL. Relative URLs resolve against `base_url`
    (the document's own address); without one they are removed, since on another site they
    would point somewhere else.
    """
    return nh3.clean(
        reveal_hidden_markup(html),
        url_relative=("rewrite_with_base", base_url) if base_url else "deny",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
