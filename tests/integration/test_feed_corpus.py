"""Real-world feeds captured by other projects, through `frontline feeds check FILE`'s code path.

The corpus lives outside the repository (`../shared/feeds/real/`, see its MANIFEST.md); the
tests skip cleanly when it is absent.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest

from frontline.cli import check_feed
from frontline.domain.ports import FeedUnparseable

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "feeds" / "real"
FILES = sorted(path for path in CORPUS.rglob("*") if path.is_file()) if CORPUS.is_dir() else []
_HTTP = re.compile(r"^\s*https?://[^/\s]", re.IGNORECASE)


def corpus_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def distinct_entries(entries: list[Any], channel_link: str = "") -> int:
    """How many items feedparser's entries should become, computed without our normaliser.

    The rule: an entry counts only when it has an http(s) link (its `link`, an alternate
    link, or a YouTube video id; a relative one resolved against the channel's link) and a
    non-blank title or, failing that, a non-blank summary or content to take one from; it is
    identified by its guid when that guid is unique within the feed, otherwise by its link
    with `utm_*` parameters and page anchors (`#comments`, `#top` …) ignored; entries sharing
    an identity count once.
    """
    guids = Counter(entry.get("id") for entry in entries if entry.get("id"))
    identities: set[str] = set()
    for entry in entries:
        links = [entry.get("link")] + [
            link.get("href")
            for link in entry.get("links") or []
            if link.get("rel", "alternate") == "alternate"
        ]
        if entry.get("yt_videoid"):
            links.append(f"https://www.youtube.com/watch?v={entry['yt_videoid']}")
        resolved = [_resolved(x, channel_link) for x in links if isinstance(x, str) and x.strip()]
        link = next((x for x in resolved if _HTTP.match(x)), None)
        if link is None or not _has_text(entry):
            continue
        guid = entry.get("id")
        if guid and guids[guid] == 1:
            identities.add(f"guid:{guid}")
        else:
            identities.add(f"link:{_loose_link(link)}")
    return len(identities)


def _resolved(link: str, channel_link: str) -> str:
    try:
        return urljoin(channel_link, link.strip()) if _HTTP.match(channel_link) else link
    except ValueError:
        return link


def _has_text(entry: Any) -> bool:
    texts = [entry.get("title"), entry.get("summary")]
    texts += [block.get("value") for block in entry.get("content") or []]
    return any(re.sub(r"<[^>]*>", "", str(text or "")).strip() for text in texts)


_PAGE_ANCHORS = {"", "top", "comments", "comment", "respond", "more", "main", "content"}


def _loose_link(link: str) -> str:
    link, _, fragment = link.strip().partition("#")
    base, _, query = link.partition("?")
    kept = sorted(p for p in query.split("&") if p and not p.lower().startswith("utm_"))
    anchor = "" if fragment.lower() in _PAGE_ANCHORS else fragment
    return f"{base.lower()}?{'&'.join(kept)}#{anchor}"


needs_corpus = pytest.mark.skipif(not FILES, reason=f"feed corpus not found at {CORPUS}")


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=[corpus_id(p) for p in FILES] or None)
def test_a_real_file_is_parsed_or_cleanly_refused(path: Path) -> None:
    # Given a real feed file; When it goes through `feeds check`'s path
    try:
        parsed = check_feed(str(path))
    except FeedUnparseable:
        return  # Then a non-feed is a clean, classified refusal
    # Then anything else yields well-formed items
    assert parsed.format
    assert all(item.url.startswith(("http://", "https://")) for item in parsed.items)
    assert len({item.id for item in parsed.items}) == len(parsed.items)
    assert parsed.skipped >= 0


def well_formed(path: Path) -> bool:
    """feedparser reads it without complaint and finds entries (the others are covered by
    the no-exception test above: no count is defined for them)."""
    reference = feedparser.parse(io.BytesIO(path.read_bytes()))
    return not reference.get("bozo") and bool(reference.get("entries"))


WELL_FORMED = [path for path in FILES if well_formed(path)]


@needs_corpus
@pytest.mark.parametrize("path", WELL_FORMED, ids=[corpus_id(p) for p in WELL_FORMED] or None)
def test_a_well_formed_file_keeps_every_distinct_entry(path: Path) -> None:
    # Given a file that feedparser reads without complaint
    reference = feedparser.parse(io.BytesIO(path.read_bytes()))
    # When it goes through `feeds check`'s path
    parsed = check_feed(str(path))
    # Then every distinct entry became exactly one item
    channel_link = str(reference.get("feed", {}).get("link") or "")
    assert len(parsed.items) == distinct_entries(reference["entries"], channel_link)


def test_the_corpus_location_is_resolved_next_to_the_repository() -> None:
    assert CORPUS.parts[-3:] == ("shared", "feeds", "real")
