"""Markup that pages hide from the sanitiser, brought out before it runs.

- `<noscript>` fallbacks: an allow-list sanitiser treats their content as text, so the
  `<img …>` inside would be shown as the literal string `<img …>`. Their images are unwrapped
  and read as markup; their text ("Please enable JavaScript") is what a reader with scripts
  never sees, so it is dropped.
- Lazy-loaded images keep the real URL in `data-src`, `data-lazy-src`, `data-original`,
  `data-srcset` or a `<picture><source srcset>`, with a placeholder in `src`. The real URL
  becomes `src` (the allow-list, the http(s)-only rule and the resolution of relative URLs
  still apply afterwards); an image repeated by its `<noscript>` fallback is kept once.
  A `srcset` is split as HTML does it: a URL may itself contain commas (image CDNs write
  `w_480,c_fill`), only a comma after whitespace or a descriptor separates candidates.
- Tags that reach a text field escaped (written as text), or cut off at its end by a feed
  that truncates excerpts mid-markup, are removed from plain text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urlsplit

from frontline.domain.urls import is_http_url

_LAZY_SOURCES: Final = ("data-src", "data-lazy-src", "data-original", "data-url")
_LAZY_SRCSETS: Final = ("data-srcset", "data-lazy-srcset", "srcset")
_UNWRAPPED: Final = frozenset({"noscript", "picture"})
_VOID: Final = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "wbr"})
_HTML_ELEMENTS: Final = (
    "a|abbr|article|aside|audio|b|blockquote|body|br|button|canvas|caption|center|cite|code|div|"
    "dl|dd|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|"
    "img|input|label|li|link|main|meta|nav|noscript|object|ol|p|picture|pre|q|s|script|section|"
    "small|source|span|strong|style|sub|sup|svg|table|tbody|td|th|thead|tr|u|ul|video"
)
# A whole tag written as text: `<img alt="x">`, `</p>`, `<br/>`. Only HTML's own elements, so
# prose such as "a <T> parameter" keeps its angle brackets.
# Attributes may be quoted (and hold `>`), and `/` may stand for the space (`<img/src=x>`).
_LITERAL_TAG: Final = re.compile(
    rf"</?(?:{_HTML_ELEMENTS})(?:[\s/](?:\"[^\"]*\"|'[^']*'|[^<>\"'])*)?>", re.IGNORECASE
)
# A tag cut off by a feed that truncates its excerpts mid-markup: `… and <a href="https://x`.
_TRUNCATED_TAG: Final = re.compile(rf"</?(?:{_HTML_ELEMENTS})(?:[\s/][^<>]*)?\Z", re.IGNORECASE)
_LITERAL_SCRIPT: Final = re.compile(
    r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
# One srcset candidate: a URL (any run without whitespace; commas only at its end separate),
# then descriptors up to the next comma.
_SRCSET_CANDIDATE: Final = re.compile(r"[\s,]*([^\s]+?)(,+(?=\s|$)|,*(?=\s|$))([^,]*)")
_DESCRIPTOR: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)[wx]\s*$")
# Image URLs that can only be placeholders: inline data, script, nothing.
_PLACEHOLDER_SCHEMES: Final = re.compile(r"^\s*(?:data|javascript|about|blob):", re.IGNORECASE)


def strip_literal_tags(text: str) -> str:
    """Text without any HTML tag written into it literally (each becomes a space), nor a
    tag cut off at its end; a script or style written out is removed with its content, as a
    browser never shows it."""
    if "<" not in text:
        return text
    return _TRUNCATED_TAG.sub("", _LITERAL_TAG.sub(" ", _LITERAL_SCRIPT.sub(" ", text)))


def reveal_hidden_markup(markup: str) -> str:
    """`markup` with noscript fallbacks unwrapped and lazy images given their real `src`."""
    lowered = markup.lower()
    if "<noscript" not in lowered and "data-" not in lowered and "srcset" not in lowered:
        return markup
    writer = _Rewriter()
    writer.feed(markup)
    writer.close()
    return "".join(writer.pieces)


def best_from_srcset(srcset: str) -> str | None:
    """The widest (or densest) usable candidate of a `srcset`: http(s) or relative."""
    best: tuple[float, str] | None = None
    for match in _SRCSET_CANDIDATE.finditer(srcset):
        url, descriptors = match.group(1), "" if match.group(2) else match.group(3)
        size_match = _DESCRIPTOR.match(descriptors)
        size = float(size_match.group(1)) if size_match else 1.0
        if is_image_url(url) and (best is None or size > best[0]):
            best = (size, url)
    return best[1] if best else None


def is_image_url(url: str) -> bool:
    """An http(s) URL or a relative one (resolved, or dropped, by the sanitiser): not a
    placeholder written inline (`data:`) and nothing a browser would run."""
    url = url.strip()
    if not url or _PLACEHOLDER_SCHEMES.match(url):
        return False
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return False
    return is_http_url(url) if scheme else True


class _Rewriter(HTMLParser):
    """Re-serialises the markup (the sanitiser parses it again), changing only images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._picture_sources: list[str] = []
        self._in_picture = 0
        self._in_noscript = 0
        self._image_urls: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._in_picture = max(0, self._in_picture - 1)
            self._picture_sources = []
        if tag == "noscript":
            self._in_noscript = max(0, self._in_noscript - 1)
        if tag not in _UNWRAPPED and tag not in _VOID:
            self.pieces.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_noscript:
            return
        self.pieces.append(html.escape(data, quote=False))

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "picture":
            self._in_picture += 1
            return
        if tag == "noscript":
            self._in_noscript += 0 if closed else 1
            return
        if tag == "source":
            if self._in_picture and (url := _lazy_image_url(values)):
                self._picture_sources.append(url)
            return
        if tag == "img":
            url = _lazy_image_url(values) or next(iter(self._picture_sources), None)
            url = url or (src if is_image_url(src := values.get("src", "").strip()) else None)
            if url is None or url in self._image_urls:
                return  # no usable image, or the noscript copy of one already kept
            self._image_urls.add(url)
            values = {
                name: value
                for name, value in values.items()
                if name in ("alt", "width", "height", "title")
            } | {"src": url}
        attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in values.items())
        self.pieces.append(f"<{tag}{attributes}{' /' if closed else ''}>")


def _lazy_image_url(attributes: dict[str, str]) -> str | None:
    """The URL a lazy loader would put in `src`, or the best of a `srcset`."""
    for name in _LAZY_SOURCES:
        if is_image_url(value := attributes.get(name, "").strip()):
            return value
    for name in _LAZY_SRCSETS:
        if url := best_from_srcset(attributes.get(name, "")):
            return url
    return None
