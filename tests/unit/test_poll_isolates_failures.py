"""No exception from one feed or entry escapes the poll; every feed ends with a saved state."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.domain.feed_poller import FeedPoller
from frontline.domain.models import FeedItem, FeedSource
from frontline.domain.ports import ClaimOutcome, FetchResult
from tests.factories import NOW, make_source
from tests.unit.fakes import FakeFetcher, FakeLedger, FakeQueue, FakeStates

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "feeds" / "real"
SMALL_REAL_FEEDS = (
    sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.stat().st_size < 100_000)
    if CORPUS.is_dir()
    else []
)
SURROGATE_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>GPU Wire</title>'
    b"<link>https://gpu-wire.example/</link>"
    b"<item><title>Open model launch &#xD83D;&#xDE80; lands on GPUs today</title>"
    b"<link>https://gpu-wire.example/1</link><pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate></item>"
    b"<item><title>Second story</title><link>https://gpu-wire.example/2</link>"
    b"<pubDate>Thu, 26 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"
)
HEALTHY_FEED = (
    b'<rss version="2.0"><channel><title>W</title><item><title>Healthy</title>'
    b"<link>https://ok.example/1</link><pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate>"
    b"</item></channel></rss>"
)


def sources_and_fetcher(bodies: list[bytes]) -> tuple[list[FeedSource], FakeFetcher]:
    sources = [
        make_source(id=f"f{n}", url=f"https://h{n}.example/feed") for n in range(len(bodies))
    ]
    fetcher = FakeFetcher(
        {
            source.url: FetchResult(status=200, url=source.url, body=body)
            for source, body in zip(sources, bodies, strict=True)
        }
    )
    return sources, fetcher


def test_a_surrogate_pair_title_costs_nothing_and_the_other_feeds_are_polled() -> None:
    # Given the feed of the issue next to a healthy one
    sources, fetcher = sources_and_fetcher([SURROGATE_FEED, HEALTHY_FEED])
    states, queue = FakeStates(), FakeQueue()
    poller = FeedPoller(fetcher, states, FakeLedger(), queue, first_poll_cutoff=None)
    # When the catalogue is polled
    report = asyncio.run(poller.poll(sources, now=NOW))
    # Then both items of that feed and the other feed's item are queued, and states saved
    assert sorted(message.item.title for message in queue.sent) == [
        "Healthy",
        "Open model launch 🚀 lands on GPUs today",
        "Second story",
    ]
    assert [feed.outcome for feed in report.feeds] == ["ok", "ok"]
    assert states.states["f0"].error_streak == 0 and states.states["f0"].body_hash


class ExplodingLedger(FakeLedger):
    def claim_new_items(self, items: list[FeedItem]) -> ClaimOutcome:
        if any(item.feed_id == "f0" for item in items):
            raise RuntimeError("store fell over")
        return super().claim_new_items(items)


def test_an_unexpected_error_is_that_feeds_recorded_error_with_back_off() -> None:
    # Given a store that fails for the first feed only
    sources, fetcher = sources_and_fetcher([HEALTHY_FEED, HEALTHY_FEED.replace(b"ok.", b"b.")])
    states, queue = FakeStates(), FakeQueue()
    poller = FeedPoller(fetcher, states, ExplodingLedger(), queue, first_poll_cutoff=None)
    # When polled
    report = asyncio.run(poller.poll(sources, now=NOW))
    # Then that feed records the error and backs off; the other is queued
    assert [feed.outcome for feed in report.feeds] == ["error", "ok"]
    assert states.states["f0"].error_streak == 1
    assert states.states["f0"].last_error == "unexpected: RuntimeError: store fell over"
    assert [message.item.url for message in queue.sent] == ["https://b.example/1"]


def mutated(body: bytes, data: st.DataObject) -> bytes:
    operations = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["insert", "delete", "truncate", "replace"]),
                st.integers(0, max(0, len(body) - 1)),
                st.binary(min_size=1, max_size=12)
                | st.sampled_from([b"&#xD83D;", b"&#0;", b"<", b"]]>", b"\x00", b"\xff\xfe"]),
            ),
            min_size=1,
            max_size=4,
        )
    )
    for operation, at, chunk in operations:
        if operation == "insert":
            body = body[:at] + chunk + body[at:]
        elif operation == "delete":
            body = body[:at] + body[at + len(chunk) :]
        elif operation == "truncate":
            body = body[:at]
        else:
            body = body[:at] + chunk + body[at + len(chunk) :]
    return body


def assert_poll_never_raises_and_saves_every_state(bodies: list[bytes]) -> None:
    sources, fetcher = sources_and_fetcher(bodies)
    states = FakeStates()
    poller = FeedPoller(fetcher, states, FakeLedger(), FakeQueue())
    report = asyncio.run(poller.poll(sources, now=NOW))
    assert len(report.feeds) == len(sources)
    assert set(states.states) == {source.id for source in sources}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=2_000), min_size=1, max_size=3))
def test_arbitrary_bytes_never_escape_the_poll(bodies: list[bytes]) -> None:
    assert_poll_never_raises_and_saves_every_state([*bodies, HEALTHY_FEED])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_feeds_never_escape_the_poll(data: st.DataObject) -> None:
    originals = [SURROGATE_FEED, HEALTHY_FEED]
    if SMALL_REAL_FEEDS:
        originals.append(data.draw(st.sampled_from(SMALL_REAL_FEEDS)).read_bytes())
    chosen = data.draw(st.sampled_from(originals))
    assert_poll_never_raises_and_saves_every_state([mutated(chosen, data), HEALTHY_FEED])
