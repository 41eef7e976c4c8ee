"""Where every page lives: URL paths, S3 keys and the hrefs that point at them.

A path is what a reader's browser asks for (`/tags/生成ai/`); its S3 key is the raw UTF-8
path without the leading slash, with `index.html` for directories (`tags/生成ai/index.html`);
an href in HTML is the path percent-encoded (`/tags/%E7%94%9F%E6%88%90ai/`) so the link works
in every client. Segments built from data hold only Unicode letters and digits, `-` and `_`:
never `/`, `\\`, `.`, `%`, `?`, `#`, spaces or control characters.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from urllib.parse import quote

_MAX_SEGMENT = 80
_WORD_SYMBOLS = {"+": "-plus-", "#": "-sharp-", "&": "-and-"}
_HYPHENS = re.compile(r"-{2,}")
_NOT_ASCII_SLUG = re.compile(r"[^a-z0-9]+")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _fallback(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


@cache  # pure, and called for every tag of every article on every render
def path_segment(text: str, *, fallback_prefix: str = "x") -> str:
    """One safe path segment from free text: Unicode letters and digits kept, rest hyphens.

    'Claude Code' -> 'claude-code', '生成AI' -> '生成ai', 'C++' -> 'c-plus-plus', 'GPT-4.5' ->
    'gpt-4-5'. No dots, so a segment never looks like a file ('rss.xml', 'index.html'); text
    with nothing usable falls back to a short hash so that no segment is ever empty.
    """
    normalised = unicodedata.normalize("NFKC", text).strip().lower()
    for symbol, word in _WORD_SYMBOLS.items():
        normalised = normalised.replace(symbol, word)
    kept = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in normalised)
    segment = _HYPHENS.sub("-", kept).strip("-_")
    segment = segment[:_MAX_SEGMENT].strip("-_")
    return segment or _fallback(fallback_prefix, text)


@cache
def tag_segment(tag: str) -> str:
    return path_segment(tag.strip().lstrip("#"), fallback_prefix="tag")


@cache
def company_slug(name: str) -> str:
    """ASCII lowercase slug: 'Google DeepMind' -> 'google-deepmind'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ASCII_SLUG.sub("-", ascii_name.lower().replace("&", " and ")).strip("-")
    return slug[:63].strip("-") or _fallback("company", name)


def tag_path(tag: str) -> str:
    return f"/tags/{tag_segment(tag)}/"


def company_path(name: str) -> str:
    return f"/companies/{company_slug(name)}/"


def source_path(feed_id: str) -> str:
    return f"/sources/{path_segment(feed_id, fallback_prefix='source')}/"


def article_json_path(article_id: str) -> str:
    segment = article_id if _PLAIN_ID.match(article_id) else path_segment(article_id)
    return f"/api/v1/articles/{segment}.json"


def news_archive_path(page: int) -> str:
    return f"/news/page/{page}/"


def key_for(path: str) -> str:
    """The S3 key of a site path: '/x/' -> 'x/index.html', '/rss.xml' -> 'rss.xml'."""
    if not path.startswith("/") or path.startswith("//") or ".." in path.split("/"):
        raise ValueError(f"not a site path: {path!r}")
    key = path.lstrip("/")
    return f"{key}index.html" if key == "" or key.endswith("/") else key


def path_for(key: str) -> str:
    """The site path of an S3 key: the inverse of key_for."""
    if key == "index.html":
        return "/"
    if key.endswith("/index.html"):
        return "/" + key.removesuffix("index.html")
    return "/" + key


def href_for(path: str) -> str:
    """A site path as a link target: percent-encoded, root-relative."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a site path: {path!r}")
    return quote(path, safe="/")


def absolute_url(base_url: str, path: str) -> str:
    return base_url + href_for(path)
