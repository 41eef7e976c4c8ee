"""Feed bytes → normalised FeedItems. Pure: no network, no clock (the caller passes `now`)."""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urljoin

from pydantic import ValidationError

from frontline.domain.article_text import (
    CONTROL_CHARS,
    CONTROL_CHARS_IN_MARKUP,
    INVISIBLE_FORMAT,
    html_to_text,
    split_sentences,
    truncate_keeping_lead,
)
from frontline.domain.feed_dates import parse_feed_date
from frontline.domain.hidden_markup import strip_literal_tags
from frontline.domain.html_policy import sanitise_html
from frontline.domain.image_sources import image_hosts
from frontline.domain.json_feed import is_json_feed, json_feed_entries
from frontline.domain.models import DateSource, FeedItem, FeedSource, Media, MediaKind
from frontline.domain.ports import FeedUnparseable
from frontline.domain.urls import canonical_url

# A DOCTYPE (with any internal subset) is where entity-expansion and XXE attacks live; no
# legitimate feed needs one, so it is removed before the parser sees the document.
_DOCTYPE: Final = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>", re.IGNORECASE)
_ENTITY_DECL: Final = re.compile(rb"<!ENTITY[^>]*>", re.IGNORECASE)
# The XML declaration's encoding pseudo-attribute (feedparser raises on some names it cannot
# look up, such as one with a NUL byte inside, instead of sniffing the bytes).
_DECLARED_ENCODING: Final = re.compile(rb"<\?xml[^>]*?(\s+encoding\s*=\s*([\"'])([^\"']*)\2)")
_CHARSET_PARAMETER: Final = re.compile(r";\s*charset\s*=\s*\"?([^\";]*)\"?", re.IGNORECASE)
_LEADING_JUNK: Final = re.compile(rb"^(?:\xef\xbb\xbf)?\s+(?=<)")
_WHITESPACE: Final = re.compile(r"\s+")
# A character reference to a UTF-16 surrogate (half of a pair written as two references),
# to nothing (0) or past Unicode: feedparser raises on them, so they are repaired first.
_CHAR_REF: Final = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
# The same pair written as raw bytes (CESU-8: each half UTF-8-encoded on its own), which makes
# feedparser give up on UTF-8 and re-read the whole document as Windows-1252.
_ENCODED_PAIR: Final = re.compile(rb"\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]")
_ENCODED_HALF: Final = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
# NEL (U+0085), raw in a UTF-8 document or as a reference: feedparser reads every C1 control
# as the Windows-1252 character of that byte, so NEL between two words would become "…".
_NEXT_LINE_REFERENCE: Final = re.compile(rb"&#(?:[xX]0*85|0*133);")
_ENCODED_NEXT_LINE: Final = b"\xc2\x85"
_DERIVED_TITLE_CHARS: Final = 120
# A date this far ahead is a wrong clock or a wrong zone, not news from tomorrow.
FUTURE_TOLERANCE: Final = timedelta(days=1)
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
    skipped: int  # entries without a usable link or text, or that could not be read
    warning: str | None  # why the document is ill-formed, when entries were recovered


def defuse(body: bytes) -> bytes:
    """Remove DOCTYPE and ENTITY declarations, blank lines before `<?xml`, and a declared
    encoding that names no encoding (the document's bytes are then sniffed instead)."""
    body = _LEADING_JUNK.sub(b"", body, count=1)
    if (declared := _DECLARED_ENCODING.match(body)) is not None and not _is_encoding(
        declared.group(3)
    ):
        body = body[: declared.start(1)] + body[declared.end(1) :]
    if b"<!" not in body:
        return body
    return _ENTITY_DECL.sub(b"", _DOCTYPE.sub(b"", body))


def _known_charset_only(content_type: str) -> str:
    """The Content-Type without a charset that names no encoding (the bytes are sniffed)."""
    declared = _CHARSET_PARAMETER.search(content_type)
    if declared is None or _is_encoding(declared.group(1).encode("utf-8", "replace")):
        return content_type
    return content_type[: declared.start()] + content_type[declared.end() :]


def _is_encoding(name: bytes) -> bool:
    try:
        codecs.lookup(name.decode("ascii"))
    except (LookupError, ValueError):  # unknown, not ASCII, or with a NUL inside
        return False
    return True


def repair_character_references(body: bytes) -> bytes:
    """A surrogate pair written as two references (or as raw CESU-8 bytes) becomes the one
    character; any other invalid reference, U+FFFD; NEL, a space. Valid references are kept
    as written, except that `&#X` becomes the `&#x` XML requires."""
    if b"\xed" in body:
        repaired = _ENCODED_HALF.sub("\ufffd".encode(), _ENCODED_PAIR.sub(_combined_pair, body))
        if _is_utf8(repaired):  # only a UTF-8 document: in Latin-1, these bytes are letters
            body = repaired
    if _ENCODED_NEXT_LINE in body and _is_utf8(body):
        body = body.replace(_ENCODED_NEXT_LINE, b" ")
    if b"&#" not in body:
        return body
    body = _NEXT_LINE_REFERENCE.sub(b" ", body)
    pieces: list[bytes] = []
    position = 0
    matches = list(_CHAR_REF.finditer(body))
    skip: set[int] = set()
    for index, match in enumerate(matches):
        code = _code_of(match)
        if index in skip:
            continue
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            if match[0][2:3] == b"X":
                pieces += [body[position : match.start()], b"&#x" + match[1] + b";"]
                position = match.end()
            continue
        replacement = b"&#xFFFD;"
        following = matches[index + 1] if index + 1 < len(matches) else None
        if (
            0xD800 <= code <= 0xDBFF
            and following is not None
            and following.start() == match.end()
            and 0xDC00 <= _code_of(following) <= 0xDFFF
        ):
            combined = 0x10000 + ((code - 0xD800) << 10) + (_code_of(following) - 0xDC00)
            replacement = f"&#x{combined:X};".encode()
            skip.add(index + 1)
            pieces += [body[position : match.start()], replacement]
            position = following.end()
            continue
        pieces += [body[position : match.start()], replacement]
        position = match.end()
    return b"".join([*pieces, body[position:]])


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _combined_pair(match: re.Match[bytes]) -> bytes:
    halves = match[0].decode("utf-8", "surrogatepass")
    return halves.encode("utf-16-le", "surrogatepass").decode("utf-16-le").encode()


def _code_of(match: re.Match[bytes]) -> int:
    return int(match[1], 16) if match[1] else int(match[2])


def parse_feed(
    body: bytes,
    *,
    content_type: str | None,
    source: FeedSource,
    now: datetime,
    base_url: str | None = None,
) -> ParsedFeed:
    """Parse and normalise a feed document; raise FeedUnparseable when it is not a feed.

    Relative links resolve against `base_url` (the response URL after redirects, or its
    Content-Location), else against the channel's own link.
    """
    if is_json_feed(body, content_type):
        document = json_feed_entries(body)
        items, failures = normalise_entries(
            document.entries,
            source=source,
            now=now,
            base_url=base_url or document.base_url,
        )
        return ParsedFeed(
            format=document.version,
            title=plain_text(document.title, "text/plain"),
            items=items,
            skipped=len(document.entries) - len(items),
            warning=_failure_warning(None, failures),
        )
    import feedparser  # lazy: it loads chardet (~200 ms) and only fetch_feeds parses feeds

    headers = {"content-type": _known_charset_only(content_type)} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(
            io.BytesIO(repair_character_references(defuse(body))),
            response_headers=headers,
            sanitize_html=False,  # nh3 sanitises every field we keep (see html_policy)
            resolve_relative_uris=True,
        )
    except Exception as error:  # feedparser's own failure on a document it cannot read
        raise FeedUnparseable(f"not a feed ({type(error).__name__})") from error
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        raise FeedUnparseable(f"not a feed ({type(reason).__name__ if reason else 'no entries'})")
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}"[:300] if exc else "ill-formed document"
    channel = parsed.get("feed", {})
    items, failures = normalise_entries(
        entries,
        source=source,
        now=now,
        warning=warning,
        base_url=base_url or _channel_base(channel),
    )
    return ParsedFeed(
        format=version or "unknown",
        title=plain_text(channel.get("title", ""), "text/html"),
        items=items,
        skipped=len(entries) - len(items),
        warning=_failure_warning(warning, failures),
    )


def _channel_base(channel: Mapping[str, Any]) -> str | None:
    """Where a feed read without its response URL says it lives: the site's link, else the
    feed's own address (Atom's `rel="self"`), which is what the response URL would have been."""
    candidates = [channel.get("link")]
    candidates += [
        link.get("href") for link in channel.get("links") or [] if link.get("rel") == "self"
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and (url := canonical_url(candidate)):
            return url
    return None


def _failure_warning(warning: str | None, failures: Counter[str]) -> str | None:
    if not failures:
        return warning
    failed = ", ".join(f"{count}× {name}" for name, count in failures.most_common(3))
    return "; ".join(part for part in (warning, f"entries not read: {failed}") if part)[:300]


def normalise_entries(
    entries: Iterable[Mapping[str, Any]],
    *,
    source: FeedSource,
    now: datetime,
    warning: str | None = None,
    base_url: str | None = None,
) -> tuple[list[FeedItem], Counter[str]]:
    """The entries' items (first of each id) and, by exception type, the entries not read.

    An entry that raises while being normalised is that entry's failure: counted and
    skipped, never the feed's.
    """
    entries = list(entries)
    guid_counts = Counter(
        str(entry["id"]) for entry in entries if isinstance(entry, Mapping) and entry.get("id")
    )
    items: list[FeedItem] = []
    failures: Counter[str] = Counter()
    seen_ids: set[str] = set()
    for entry in entries:
        try:
            item = normalise_entry(
                entry,
                source=source,
                now=now,
                guid_is_unique=guid_counts,
                warning=warning,
                base_url=base_url,
            )
        except Exception as exc:  # one bad entry must not cost the feed
            failures[type(exc).__name__] += 1
            continue
        if item is not None and item.id not in seen_ids:
            seen_ids.add(item.id)
            items.append(item)
    return items, failures


def normalise_entry(
    entry: Mapping[str, Any],
    *,
    source: FeedSource,
    now: datetime,
    guid_is_unique: Mapping[str, int],
    warning: str | None = None,
    base_url: str | None = None,
) -> FeedItem | None:
    """One entry → FeedItem, or None when it has no usable link, or neither title nor text.

    An entry without a title (RSS 2.0 allows one) takes its summary's first sentence,
    marked as derived.
    """
    link = _entry_link(entry, base_url)
    title_detail = entry.get("title_detail") or {}
    title = plain_text(entry.get("title", ""), title_detail.get("type", "text/plain"))
    title = title[:_MAX_TITLE_CHARS]
    summary_detail = entry.get("summary_detail") or {}
    raw_summary = entry.get("summary", "") if isinstance(entry.get("summary"), str) else ""
    discussion = _discussion(entry, raw_summary, base_url)
    summary = plain_text(
        _HNRSS_FOOTER.sub("", raw_summary), summary_detail.get("type", "text/html")
    )
    content_html = _entry_content(entry, base_url)
    title_derived = not title
    if title_derived:
        summary_type = summary_detail.get("type", "text/html")
        lead = _text_with_breaks(_HNRSS_FOOTER.sub("", raw_summary), summary_type)
        title = derived_title(lead or html_to_text(content_html))
    if link is None or not title:
        return None
    published, date_source = _entry_date(entry, now)
    guid = entry.get("id") or ""
    if guid and guid_is_unique.get(guid, 0) == 1:
        key = f"guid:{guid}"
    else:
        key = f"link:{link}"  # repeated or missing guids: the canonical link identifies it
    item_id = hashlib.sha256(f"{source.id}\n{key}".encode()).hexdigest()[:32]
    content_hash = hashlib.sha256(
        "\x1f".join((title, summary, content_html, link)).encode()
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
            media=_entry_media(entry, base_url),
            image_hosts=tuple(sorted(image_hosts(source.site_url, source.image_hosts))),
            published=published,
            date_source=date_source,
            first_seen=now,
            title_derived=title_derived,
            content_hash=content_hash,
            ai_focused=source.ai_focused,
            **discussion,
            parse_warning=warning,
        )
    except ValidationError:
        return None


def plain_text(value: str, content_type: str) -> str:
    """Text from a feed field: markup stripped when the feed says the field is HTML, and
    tags that arrive escaped (written as text) never shown as text either."""
    if not isinstance(value, str):
        return ""
    value = CONTROL_CHARS.sub(" ", INVISIBLE_FORMAT.sub("", value))  # before markup goes
    if "html" in content_type:
        value = html_to_text(value)  # block elements become breaks, then fold to one line
    value = strip_literal_tags(value)
    return _WHITESPACE.sub(" ", value).strip()


def derived_title(text: str) -> str:
    """A title for an entry that has none: the text's first sentence, clipped at a boundary.

    A line or paragraph break ends a sentence too (a heading or a lead without a full stop),
    so `text` keeps the breaks of its markup.
    """
    sentences = split_sentences(text)
    if not sentences:
        return ""
    return truncate_keeping_lead(sentences[0], _DERIVED_TITLE_CHARS)


def _text_with_breaks(value: str, content_type: str) -> str:
    """Like `plain_text`, but keeping the line and paragraph breaks of the markup (or of
    plain text) as newlines."""
    value = CONTROL_CHARS_IN_MARKUP.sub(" ", INVISIBLE_FORMAT.sub("", value))
    if "html" in content_type:
        value = html_to_text(value)
    return strip_literal_tags(value).strip()


def _absolute(candidate: object, base_url: str | None) -> str | None:
    if not isinstance(candidate, str) or not candidate.strip():
        return None
    if base_url:
        try:
            candidate = urljoin(base_url, candidate.strip())
        except ValueError:
            return None
    return canonical_url(candidate)


def _entry_link(entry: Mapping[str, Any], base_url: str | None) -> str | None:
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
        if url := _absolute(candidate, base_url):
            return url
    return None


def _discussion(entry: Mapping[str, Any], raw_summary: str, base_url: str | None) -> dict[str, Any]:
    """The discussion thread and its counts, where the feed carries them (hnrss.org)."""
    found: dict[str, Any] = {}
    if url := _absolute(entry.get("comments"), base_url):
        found["discussion_url"] = url
    if points := _POINTS.search(raw_summary):
        found["points"] = int(points.group(1))
    if count := _COMMENTS.search(raw_summary):
        found["comment_count"] = int(count.group(1))
    return found


def _entry_content(entry: Mapping[str, Any], base_url: str | None) -> str:
    for block in entry.get("content") or []:
        value = block.get("value") or ""
        if not isinstance(value, str) or not value:
            continue
        if "html" in (block.get("type") or ""):
            clean = sanitise_html(value[:_MAX_CONTENT_CHARS], base_url=base_url)
            return CONTROL_CHARS_IN_MARKUP.sub(" ", INVISIBLE_FORMAT.sub("", clean))
        text = CONTROL_CHARS_IN_MARKUP.sub(" ", INVISIBLE_FORMAT.sub("", value))
        return "".join(
            f"<p>{html.escape(paragraph.strip())}</p>"
            for paragraph in text[:_MAX_CONTENT_CHARS].split("\n\n")
            if paragraph.strip()
        )
    return ""


def _entry_date(entry: Mapping[str, Any], now: datetime) -> tuple[datetime, DateSource]:
    """The entry's own date, read from its text (feedparser's guess fills gaps from the clock).

    A date up to a day ahead is clamped to now (clock skew); further ahead, or no readable
    date at all, and the item is dated when it was first seen, recorded as such.
    """
    for field in ("published", "updated", "created"):
        when = parse_feed_date(entry.get(field) or "")
        if when is None:
            continue
        if when > now + FUTURE_TOLERANCE:
            break
        return min(when, now), "feed"
    return now, "first_seen"


def _entry_categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (plain_text(tag.get("term") or "", "text/plain") for tag in entry.get("tags") or [])
    return tuple(dict.fromkeys(term[:60] for term in terms if term))[:10]


def _entry_media(entry: Mapping[str, Any], base_url: str | None) -> tuple[Media, ...]:
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
        url = _absolute(candidate.get("url") or candidate.get("href"), base_url)
        if url is None or url in seen:
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
