"""Feed bytes → normalised FeedItems. Pure: no network, no clock (the caller passes `now`)."""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from typing import Any, Final

from pydantic import ValidationError

from frontline.domain.article_text import html_to_text
from frontline.domain.html_policy import sanitise_html
from frontline.domain.image_sources import admits_image, image_hosts, without_foreign_images
from frontline.domain.models import FeedItem, FeedSource, Media, MediaKind
from frontline.domain.ports import FeedUnparseable
from frontline.domain.urls import canonical_url

# A DOCTYPE (with any internal subset) is where entity-expansion and XXE attacks live; no
# legitimate feed needs one, so it is removed before the parser sees the document.
_DOCTYPE: Final = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>", re.IGNORECASE)
_ENTITY_DECL: Final = re.compile(rb"<!ENTITY[^>]*>", re.IGNORECASE)
_LEADING_JUNK: Final = re.compile(rb"^(?:\xef\xbb\xbf)?\s+(?=<)")
_WHITESPACE: Final = re.compile(r"\s+")
# C0/C1 controls other than whitespace: illegal in XML 1.0, meaningless in a title or summary.
_CONTROL_CHARS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_CONTENT_CHARS: Final = 150_000
_MAX_SUMMARY_CHARS: Final = 5_000
_MAX_TITLE_CHARS: Final = 500
_YOUTUBE_ID: Final = re.compile(r"^[A-Za-z0-9_-]{11}$")
# hnrss.org appends the links and counts to each description; they become fields instead.
_HNRSS_FOOTER: Final = re.compile(
    r"(?:<hr\s*/?>\s*)?(?:<p>\s*)?Article URL:.*\Z", re.IGNORECASE | re.DOTALL
)
_POINTS: Final = re.compile(r"Points:\s*(\d+)")
_COMMENTS: Final = re.compile(r"#\s*Comments:\s*(\d+)")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: str  # feedparser's version, e.g. "rss20", "atom10"
    title: str
    items: list[FeedItem]
    skipped: int  # entries without a usable link, title or date
    warning: str | None  # why the document is ill-formed, when entries were recovered


def defuse(body: bytes) -> bytes:
    """Remove DOCTYPE and ENTITY declarations, and blank lines before `<?xml`."""
    body = _LEADING_JUNK.sub(b"", body, count=1)
    if b"<!" not in body:
        return body
    return _ENTITY_DECL.sub(b"", _DOCTYPE.sub(b"", body))


def parse_feed(
    body: bytes, *, content_type: str | None, source: FeedSource, now: datetime
) -> ParsedFeed:
    """Parse and normalise a feed document; raise FeedUnparseable when it is not a feed."""
    import feedparser  # lazy: it loads chardet (~200 ms) and only fetch_feeds parses feeds

    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(
        io.BytesIO(defuse(body)),
        response_headers=headers,
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        raise FeedUnparseable(f"not a feed ({type(reason).__name__ if reason else 'no entries'})")
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}"[:300] if exc else "ill-formed document"
    items = normalise_entries(entries, source=source, now=now, warning=warning)
    title = plain_text(parsed.get("feed", {}).get("title", ""), "text/html")
    return ParsedFeed(
        format=version or "unknown",
        title=title,
        items=items,
        skipped=len(entries) - len(items),
        warning=warning,
    )


def normalise_entries(
    entries: Iterable[Mapping[str, Any]],
    *,
    source: FeedSource,
    now: datetime,
    warning: str | None = None,
) -> list[FeedItem]:
    entries = list(entries)
    guid_counts = Counter(str(entry["id"]) for entry in entries if entry.get("id"))
    items: list[FeedItem] = []
    seen_ids: set[str] = set()
    for entry in entries:
        item = normalise_entry(
            entry, source=source, now=now, guid_is_unique=guid_counts, warning=warning
        )
        if item is not None and item.id not in seen_ids:
            seen_ids.add(item.id)
            items.append(item)
    return items


def normalise_entry(
    entry: Mapping[str, Any],
    *,
    source: FeedSource,
    now: datetime,
    guid_is_unique: Mapping[str, int],
    warning: str | None = None,
) -> FeedItem | None:
    """One entry → FeedItem, or None when it has no usable link or title."""
    link = _entry_link(entry)
    title_detail = entry.get("title_detail") or {}
    title = plain_text(entry.get("title", ""), title_detail.get("type", "text/plain"))
    title = title[:_MAX_TITLE_CHARS]
    if link is None or not title:
        return None
    summary_detail = entry.get("summary_detail") or {}
    raw_summary = entry.get("summary", "") if isinstance(entry.get("summary"), str) else ""
    discussion = _discussion(entry, raw_summary)
    summary = plain_text(
        _HNRSS_FOOTER.sub("", raw_summary), summary_detail.get("type", "text/html")
    )
    source_html = _entry_content(entry)  # what the source published: the content hash's input
    hosts = image_hosts(source.site_url, source.image_hosts)
    content_html = without_foreign_images(source_html, hosts)
    published = _entry_date(entry, now)
    guid = entry.get("id") or ""
    if guid and guid_is_unique.get(guid, 0) == 1:
        key = f"guid:{guid}"
    else:
        key = f"link:{link}"  # repeated or missing guids: the canonical link identifies it
    item_id = hashlib.sha256(f"{source.id}\n{key}".encode()).hexdigest()[:32]
    content_hash = hashlib.sha256(
        "\x1f".join((title, summary, source_html, link)).encode()
    ).hexdigest()
    try:
        return FeedItem(
            id=item_id,
            feed_id=source.id,
            source_name=source.name,
            kind=source.kind,
            content_policy=source.content_policy,
            url=link,
            title=title,
            summary=summary[:_MAX_SUMMARY_CHARS],
            content_html=content_html,
            author=plain_text(entry.get("author", ""), "text/plain")[:200],
            categories=_entry_categories(entry),
            media=_entry_media(entry, hosts),
            published=published,
            first_seen=now,
            content_hash=content_hash,
            ai_focused=source.ai_focused,
            **discussion,
            parse_warning=warning,
        )
    except ValidationError:
        return None


def plain_text(value: str, content_type: str) -> str:
    """Text from a feed field: markup stripped only when the feed says the field is HTML."""
    if not isinstance(value, str):
        return ""
    if "html" in content_type:
        value = html_to_text(value)  # block elements become breaks, then fold to one line
    return _WHITESPACE.sub(" ", _CONTROL_CHARS.sub("", value)).strip()


def _entry_link(entry: Mapping[str, Any]) -> str | None:
    candidates = [entry.get("link")]
    candidates += [
        link.get("href")
        for link in entry.get("links") or []
        if link.get("rel", "alternate") == "alternate"
    ]
    video_id = entry.get("yt_videoid")
    if isinstance(video_id, str) and _YOUTUBE_ID.match(video_id):
        candidates.append(f"https://www.youtube.com/watch?v={video_id}")
    for candidate in candidates:
        if isinstance(candidate, str) and (url := canonical_url(candidate)):
            return url
    return None


def _discussion(entry: Mapping[str, Any], raw_summary: str) -> dict[str, Any]:
    """The discussion thread and its counts, where the feed carries them (hnrss.org)."""
    found: dict[str, Any] = {}
    comments = entry.get("comments")
    if isinstance(comments, str) and (url := canonical_url(comments)):
        found["discussion_url"] = url
    if points := _POINTS.search(raw_summary):
        found["points"] = int(points.group(1))
    if count := _COMMENTS.search(raw_summary):
        found["comment_count"] = int(count.group(1))
    return found


def _entry_content(entry: Mapping[str, Any]) -> str:
    for block in entry.get("content") or []:
        value = block.get("value") or ""
        if not value:
            continue
        if "html" in (block.get("type") or ""):
            return sanitise_html(value[:_MAX_CONTENT_CHARS])
        return "".join(
            f"<p>{html.escape(paragraph.strip())}</p>"
            for paragraph in value[:_MAX_CONTENT_CHARS].split("\n\n")
            if paragraph.strip()
        )
    return ""


def _entry_date(entry: Mapping[str, Any], now: datetime) -> datetime:
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(field)
        if isinstance(parsed, struct_time):
            try:
                when = datetime(*parsed[:6], tzinfo=UTC)
            except ValueError:
                continue
            return min(when, now)  # a date in the future is clamped to the time we saw it
    return now  # undated: first seen


def _entry_categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (plain_text(tag.get("term") or "", "text/plain") for tag in entry.get("tags") or [])
    return tuple(dict.fromkeys(term[:60] for term in terms if term))[:10]


def _entry_media(entry: Mapping[str, Any], hosts: frozenset[str]) -> tuple[Media, ...]:
    """The entry's video and the images its own source serves (see image_sources)."""
    found: list[Media] = []
    video_id = entry.get("yt_videoid")
    if isinstance(video_id, str) and _YOUTUBE_ID.match(video_id):
        found.append(
            Media(
                url=f"https://www.youtube.com/watch?v={video_id}",
                kind=MediaKind.VIDEO,
                video_id=video_id,
            )
        )
    candidates: list[Mapping[str, Any]] = []
    candidates += [
        media
        for media in entry.get("media_content") or []
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
    ]
    candidates += entry.get("media_thumbnail") or []
    candidates += [
        link
        for link in entry.get("links") or []
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    alt = plain_text(entry.get("title", ""), "text/plain")[:200]
    seen: set[str] = set()
    for candidate in candidates:
        url = canonical_url(str(candidate.get("url") or candidate.get("href") or ""))
        if url is None or url in seen or not admits_image(url, hosts):
            continue
        seen.add(url)
        try:
            found.append(
                Media(
                    url=url,
                    width=_dimension(candidate.get("width")),
                    height=_dimension(candidate.get("height")),
                    alt=alt,
                )
            )
        except ValidationError:
            continue
    return tuple(found[:6])


def _dimension(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 1 <= number <= 10_000 else None
