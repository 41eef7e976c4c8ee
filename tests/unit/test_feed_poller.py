import asyncio
from datetime import timedelta

from frontline.domain.feed_poller import FeedPoller, backoff_after
from frontline.domain.models import FeedState
from frontline.domain.ports import FeedUnavailable, FetchResult
from tests.factories import NOW, make_source
from tests.unit.fakes import FakeFetcher, FakeLedger, FakeQueue, FakeStates


def feed(*titles: str, day: int = 26) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://ai-wire.example/{n}</link>"
        f"<guid>g-{t}</guid><pubDate>{day} Nov 2026 10:00:00 GMT</pubDate></item>"
        for n, t in enumerate(titles)
    )
    return f'<rss version="2.0"><channel><title>W</title>{items}</channel></rss>'.encode()


def ok(url: str, body: bytes, etag: str | None = '"v1"') -> FetchResult:
    return FetchResult(
        status=200, url=url, body=body, content_type="application/rss+xml", etag=etag
    )


def poller(fetcher, states=None, ledger=None, queue=None, **kwargs):
    states, ledger, queue = states or FakeStates(), ledger or FakeLedger(), queue or FakeQueue()
    return FeedPoller(fetcher, states, ledger, queue, **kwargs), states, ledger, queue


def poll(p, sources, now=NOW):
    return asyncio.run(p.poll(sources, now=now))


def test_second_poll_of_unchanged_feeds_enqueues_nothing() -> None:
    # Given two feeds, one with an ETag and one without
    a, b = (
        make_source(id="a", url="https://a.example/f"),
        make_source(id="b", url="https://b.example/f"),
    )
    fetcher = FakeFetcher(
        {a.url: ok(a.url, feed("AI one", "AI two")), b.url: ok(b.url, feed("AI three"), etag=None)}
    )
    p, _, _, queue = poller(fetcher)
    # When they are polled twice
    first = poll(p, [a, b])
    second = poll(p, [a, b], now=NOW + timedelta(hours=1))
    # Then the first poll queues three items and the second none
    assert first.summary()["queued"] == 3
    assert len(queue.sent) == 3
    assert second.summary()["queued"] == 0
    assert {f.feed_id: f.outcome for f in second.feeds} == {"a": "not_modified", "b": "unchanged"}
    assert fetcher.requests[-2:][0][1] == '"v1"'  # the stored ETag was sent back


def test_a_broken_feed_does_not_stop_the_others() -> None:
    good, bad = (
        make_source(id="good", url="https://good.example/f"),
        make_source(id="bad", url="https://bad.example/f"),
    )
    fetcher = FakeFetcher(
        {good.url: ok(good.url, feed("AI news")), bad.url: FeedUnavailable("connection refused")}
    )
    p, states, _, queue = poller(fetcher)
    report = poll(p, [bad, good])
    assert len(queue.sent) == 1
    assert states.states["bad"].error_streak == 1
    assert states.states["bad"].last_error == "connection refused"
    assert report.count("error") == 1


def test_garbage_body_is_an_error_for_that_feed_only() -> None:
    junk, good = (
        make_source(id="junk", url="https://junk.example/f"),
        make_source(id="good", url="https://good.example/f"),
    )
    fetcher = FakeFetcher(
        {
            junk.url: ok(junk.url, b"<html><body>challenge</body></html>"),
            good.url: ok(good.url, feed("AI")),
        }
    )
    p, states, _, queue = poller(fetcher)
    poll(p, [junk, good])
    assert states.states["junk"].last_error.startswith("not a feed")
    assert len(queue.sent) == 1


def test_retry_after_defers_that_feed_only() -> None:
    slow = make_source(id="slow", url="https://slow.example/f")
    fetcher = FakeFetcher({slow.url: FeedUnavailable("HTTP 429", status=429, retry_after_s=7200)})
    p, states, _, _ = poller(fetcher)
    poll(p, [slow])
    report = poll(p, [slow], now=NOW + timedelta(hours=1))
    assert report.feeds[0].outcome == "deferred"
    assert len(fetcher.requests) == 1
    assert states.states["slow"].retry_after == NOW + timedelta(hours=2)


def test_errors_back_off_and_mark_the_feed_failing() -> None:
    assert [backoff_after(n) for n in (0, 1, 2, 3, 10)] == [
        timedelta(0),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=4),
        timedelta(hours=24),
    ]
    src = make_source(id="down", url="https://down.example/f")
    fetcher = FakeFetcher({src.url: FeedUnavailable("HTTP 500", status=500)})
    states = FakeStates(
        {"down": FeedState(feed_id="down", error_streak=4, polled_at=NOW - timedelta(days=2))}
    )
    p, states, _, _ = poller(fetcher, states=states, failing_after=5)
    report = poll(p, [src])
    assert report.feeds[0].failing
    assert states.states["down"].error_streak == 5


def test_messages_that_cannot_be_queued_are_not_lost() -> None:
    src = make_source(id="a", url="https://a.example/f")
    fetcher = FakeFetcher({src.url: ok(src.url, feed("AI one", "AI two"))})
    queue = FakeQueue(refuse=1)
    p, states, _, queue = poller(fetcher, queue=queue)
    report = poll(p, [src])
    assert len(queue.sent) == 1
    assert states.states["a"].etag is None  # validators not stored: the next poll re-reads
    # The summary says so: an error and the count of items not queued
    assert (report.summary()["errors"], report.summary()["unqueued"]) == (1, 1)
    poll(p, [src], now=NOW + timedelta(hours=1))
    assert len(queue.sent) == 2  # the refused item came back


def test_first_poll_records_old_items_without_queueing_them() -> None:
    src = make_source(id="a", url="https://a.example/f")
    fetcher = FakeFetcher({src.url: ok(src.url, feed("AI old", day=1))})
    p, _, ledger, queue = poller(fetcher, first_poll_cutoff=timedelta(days=7))
    report = poll(p, [src])
    assert report.feeds[0].old == 1
    assert queue.sent == []
    assert len(ledger.hashes) == 1  # claimed: never queued later either


def test_keyword_rules_filter_items() -> None:
    src = make_source(id="tech", url="https://tech.example/f", include=["AI"])
    fetcher = FakeFetcher({src.url: ok(src.url, feed("New AI model", "Phone battery recall"))})
    p, _, _, queue = poller(fetcher)
    report = poll(p, [src])
    assert [m.item.title for m in queue.sent] == ["New AI model"]
    assert report.feeds[0].filtered == 1


def test_changed_content_is_queued_as_an_update() -> None:
    src = make_source(id="a", url="https://a.example/f")
    fetcher = FakeFetcher({src.url: ok(src.url, feed("AI one"), etag=None)})
    p, _, _, queue = poller(fetcher)
    poll(p, [src])
    body = feed("AI one").replace(b"<title>AI one</title>", b"<title>AI one (corrected)</title>")
    fetcher.responses[src.url] = ok(src.url, body, etag=None)
    poll(p, [src], now=NOW + timedelta(hours=1))
    assert [m.reason for m in queue.sent] == ["new", "updated"]


def test_disabled_feeds_are_not_polled() -> None:
    src = make_source(id="off", url="https://off.example/f", enabled=False)
    fetcher = FakeFetcher({})
    p, *_ = poller(fetcher)
    assert poll(p, [src]).feeds == []


def test_known_items_are_counted_not_queued() -> None:
    src = make_source(id="a", url="https://a.example/f")
    fetcher = FakeFetcher({src.url: ok(src.url, feed("AI one", "AI two"), etag=None)})
    p, _, _, queue = poller(fetcher)
    poll(p, [src])
    body = feed("AI one", "AI two", "AI three")
    fetcher.responses[src.url] = ok(src.url, body, etag=None)
    report = poll(p, [src], now=NOW + timedelta(hours=1))
    assert (report.feeds[0].new, report.feeds[0].known) == (1, 2)
    assert report.summary()["known"] == 2
    assert len(queue.sent) == 3


def test_an_undated_item_never_pushes_dated_news_out_of_max_items() -> None:
    # Given a feed capped at one item, whose undated entry is listed first
    src = make_source(id="a", url="https://a.example/f", max_items=1)
    body = (
        b'<rss version="2.0"><channel><title>W</title>'
        b"<item><title>Undated note</title><link>https://a.example/undated</link></item>"
        b"<item><title>Dated news</title><link>https://a.example/dated</link>"
        b"<pubDate>26 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    p, _, _, queue = poller(FakeFetcher({src.url: ok(src.url, body)}), first_poll_cutoff=None)
    poll(p, [src])
    # Then the dated story is the one kept
    assert [message.item.title for message in queue.sent] == ["Dated news"]


def test_a_first_poll_records_undated_items_without_queueing_them() -> None:
    src = make_source(id="a", url="https://a.example/f")
    body = (
        b'<rss version="2.0"><channel><title>W</title>'
        b"<item><title>Undated note</title><link>https://a.example/undated</link></item>"
        b"</channel></rss>"
    )
    p, _, _, queue = poller(FakeFetcher({src.url: ok(src.url, body)}))
    report = poll(p, [src])
    assert (report.total("old"), queue.sent) == (1, [])


def test_each_poll_keeps_the_feed_health_and_skips_opted_out_feeds() -> None:
    from datetime import date

    # Given a feed polled twice (new items once, none the second time) and an opted-out one
    source = make_source(id="a", url="https://a.example/f")
    gone = make_source(
        id="gone", url="https://gone.example/f", opt_out=True, opt_out_date=date(2026, 11, 1)
    )
    fetcher = FakeFetcher({source.url: ok(source.url, feed("AI one", "AI two"), etag=None)})
    p, states, _, _ = poller(fetcher, first_poll_cutoff=None)
    poll(p, [source, gone])
    later = NOW + timedelta(hours=1)
    fetcher.responses[source.url] = ok(source.url, feed("AI one", "AI two"), etag=None)
    report = poll(p, [source, gone], now=later)

    # Then the state says when it last succeeded and last brought something new
    state = states.load_states(["a"])["a"]
    assert state.last_success_at == later
    assert state.last_new_item_at == NOW
    assert state.new_items_by_day == {NOW.date().isoformat(): 2}
    # And the opted-out feed was never fetched
    assert [feed.feed_id for feed in report.feeds] == ["a"]
    assert all("gone.example" not in url for url, *_ in fetcher.requests)
