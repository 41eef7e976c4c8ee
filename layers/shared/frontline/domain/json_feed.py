"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → entries shaped as feedparser's.

The entries then go through the same normalisation as RSS and Atom entries: the same caps,
the same sanitiser, the same identity rules. Nothing here trusts a field's type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from frontline.domain.ports import FeedUnparseable

# The spec's version URL; a few early feeds wrote it with http.
_VERSION_PREFIXES: Final = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_MAX_ITEMS: Final = 1_000
VERSIONS: Final = {"1": "json1", "1.1": "json11"}


@dataclass(frozen=True, slots=True)
class JsonFeedDocument:
    version: str  # "json1" or "json11", like feedparser's "rss20"
    title: str
    base_url: str | None  # what relative URLs resolve against: home page, else the feed
    entries: list[dict[str, Any]]


def is_json_feed(body: bytes, content_type: str | None) -> bool:
    """A JSON document: a body that opens with `{` in UTF-8, UTF-16 or UTF-32, as JSON's
    decoder reads them (servers label feeds loosely)."""
    del content_type  # application/feed+json, application/json, text/plain … all seen
    try:
        start = body[:64].decode(json.detect_encoding(body[:64]), errors="ignore")
    except LookupError:
        return False
    return start.lstrip("\ufeff \t\r\n")[:1] == "{"


def json_feed_entries(body: bytes) -> JsonFeedDocument:
    try:
        text = body.decode(json.detect_encoding(body), errors="replace").lstrip("\ufeff")
        document = json.loads(text)
    except (ValueError, LookupError) as exc:
        raise FeedUnparseable(f"not a feed (invalid JSON: {exc})"[:300]) from None
    except RecursionError:  # nesting deeper than the decoder goes: no feed is shaped so
        raise FeedUnparseable("not a feed (JSON nested too deeply)") from None
    if not isinstance(document, dict):
        raise FeedUnparseable("not a feed (JSON, but not a JSON Feed object)")
    version = _text(document.get("version"))
    if not version.startswith(_VERSION_PREFIXES):
        raise FeedUnparseable("not a feed (JSON without a jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedUnparseable("not a feed (JSON Feed without items)")
    return JsonFeedDocument(
        version=VERSIONS.get(version.rsplit("/", 1)[-1], "json"),
        title=_text(document.get("title")),
        base_url=_text(document.get("home_page_url")) or _text(document.get("feed_url")) or None,
        entries=[_entry(item) for item in items[:_MAX_ITEMS] if isinstance(item, dict)],
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _entry(item: Mapping[str, Any]) -> dict[str, Any]:
    content_html, content_text = _text(item.get("content_html")), _text(item.get("content_text"))
    summary = _text(item.get("summary"))
    if summary:
        summary_type = "text/plain"
    elif content_text:
        summary, summary_type = content_text, "text/plain"
    else:
        summary, summary_type = content_html, "text/html"
    content = (
        [{"value": content_html, "type": "text/html"}]
        if content_html
        else [{"value": content_text, "type": "text/plain"}]
    )
    identifier = item.get("id")
    images = [_text(item.get(key)) for key in ("image", "banner_image")]
    attachments = [
        {"rel": "enclosure", "href": _text(a.get("url")), "type": _text(a.get("mime_type"))}
        for a in item.get("attachments") or []
        if isinstance(a, dict)
    ]
    return {
        # An id may be a number in 1.0 feeds; the spec says to treat it as a string.
        "id": str(identifier) if isinstance(identifier, str | int) else "",
        "link": _text(item.get("url")) or _text(item.get("external_url")),
        "title": _text(item.get("title")),
        "title_detail": {"type": "text/plain"},
        "summary": summary,
        "summary_detail": {"type": summary_type},
        "content": content,
        "published": _text(item.get("date_published")),
        "updated": _text(item.get("date_modified")),
        "author": ", ".join(_authors(item)),
        "tags": [{"term": tag} for tag in item.get("tags") or [] if isinstance(tag, str)],
        "media_content": [{"url": url, "medium": "image"} for url in images if url],
        "links": attachments,
    }


def _authors(item: Mapping[str, Any]) -> list[str]:
    authors = item.get("authors")  # 1.1
    if not isinstance(authors, list):
        authors = [item.get("author")]  # 1.0
    names = (_text(a.get("name")) if isinstance(a, dict) else _text(a) for a in authors)
    return [name for name in names if name]  # a bare string: a name, as some 1.0 feeds write
