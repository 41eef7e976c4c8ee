"""What a publish reads from the store besides the articles, each slice bounded: the pinned
articles (one item and a few reads) and the feeds' health (one state per catalogue entry)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NamedTuple

from frontline.domain.models import Article, FeedSource
from frontline.domain.ports import FeedStateStore, PinnedArticleStore
from frontline.domain.source_health import SourceHealth, source_health

# At most this many pinned articles head the top page.
PINNED_MAX: Final = 3


@dataclass(frozen=True)
class SiteExtras:
    pins: PinnedArticleStore | None = None
    catalogue: Sequence[FeedSource] = ()
    feed_states: FeedStateStore | None = None

    def pinned_now(self, now: datetime) -> Callable[[], Sequence[Article]] | None:
        pins = self.pins
        if pins is None:
            return None
        return lambda: pins.pinned(now, PINNED_MAX)

    def source_health_now(self, now: datetime) -> Callable[[], Sequence[SourceHealth]] | None:
        states, catalogue = self.feed_states, self.catalogue
        if states is None or not catalogue:
            return None
        return lambda: source_health(
            catalogue, states.load_states(source.id for source in catalogue), now
        )


class ExtrasAt(NamedTuple):
    """The extras' readers at one moment, as a SiteContext takes them (None: none kept)."""

    pinned: Callable[[], Sequence[Article]] | None
    source_health: Callable[[], Sequence[SourceHealth]] | None


def extras_at(extras: SiteExtras | None, now: datetime) -> ExtrasAt:
    """What every render of the site at `now` reads besides the articles: a publish, a
    rebuild partition and a test's reference render alike."""
    if extras is None:
        return ExtrasAt(None, None)
    return ExtrasAt(extras.pinned_now(now), extras.source_health_now(now))
