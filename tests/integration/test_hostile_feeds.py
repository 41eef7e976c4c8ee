"""Hostile servers and hostile documents, end to end over a real loopback HTTP server.

Each case ends in bounded time and memory with either clean items or a classified error
(FeedUnavailable from the fetcher, FeedUnparseable from the parser), and never stops the
other feeds of a run.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from frontline.adapters.http_feeds import HttpFeedFetcher
from frontline.domain.feed_entries import ParsedFeed, parse_feed
from frontline.domain.feed_poller import FeedPoller, PollReport
from frontline.domain.models import FeedSource
from frontline.domain.ports import FeedUnavailable, FeedUnparseable
from tests.factories import NOW, make_source
from tests.loopback import LoopbackServer, Route, loopback_server, reply
from tests.unit.fakes import FakeLedger, FakeQueue, FakeStates

RSS = "application/rss+xml"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with loopback_server() as running:
        yield running


def item(title: str, link: str | None, guid: str | None = None, extra: str = "") -> str:
    parts = [f"<title>{title}</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    parts.append("<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate>")
    return f"<item>{''.join(parts)}{extra}</item>"


def rss(*items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>', head: str = "") -> str:
    return f'{prolog}{head}<rss version="2.0"><channel><title>Wire</title>{"".join(items)}</channel></rss>'


def good_feed(count: int = 3) -> bytes:
    return rss(
        *(item(f"AI model {n}", f"https://good.example/{n}", f"good-{n}") for n in range(count))
    ).encode()


def fetch_and_parse(url: str, *, source: FeedSource | None = None, **options: Any) -> ParsedFeed:
    """The production path for one feed: HttpFeedFetcher → parse_feed."""

    async def go() -> ParsedFeed:
        async with HttpFeedFetcher(
            user_agent="FrontlineBot/test", allow_private_network=True, **options
        ) as fetcher:
            result = await fetcher.fetch(url)
        return parse_feed(
            result.body,
            content_type=result.content_type,
            source=source or make_source(url=url),
            now=NOW,
        )

    return asyncio.run(go())


@dataclass
class Run:
    """The in-memory store and queue that persist across the polls of one test."""

    states: FakeStates = field(default_factory=FakeStates)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    queue: FakeQueue = field(default_factory=FakeQueue)


def make_run() -> Run:
    return Run()


def poll(run: Run, sources: list[FeedSource], *, now=NOW, **fetcher_options: Any) -> PollReport:
    """One poll through FeedPoller with the real HTTP fetcher and in-memory store and queue."""

    async def go() -> PollReport:
        async with HttpFeedFetcher(
            user_agent="FrontlineBot/test", allow_private_network=True, **fetcher_options
        ) as fetcher:
            poller = FeedPoller(fetcher, run.states, run.ledger, run.queue, first_poll_cutoff=None)
            return await poller.poll(sources, now=now)

    return asyncio.run(go())


def all_text(parsed: ParsedFeed) -> str:
    return " ".join(f"{i.title} {i.summary} {i.content_html} {i.url}" for i in parsed.items)


# --- Entity expansion, XXE and external DTDs ---------------------------------------------------


def test_quadratic_entity_blowup_finishes_fast_with_small_output(server: LoopbackServer) -> None:
    # Given one 50,000-character entity referenced 50,000 times (a 2.5 GB expansion)
    entity = "A" * 50_000
    head = f'<!DOCTYPE rss [<!ENTITY a "{entity}">]>'
    body = rss(item("&a;" * 50_000, "https://x.example/1", "q1"), head=head).encode()
    server.routes["/quadratic"] = reply(200, body, Content_Type=RSS)
    # When it is fetched and parsed
    started = time.monotonic()
    try:
        parsed = fetch_and_parse(f"{server.base}/quadratic")
    except FeedUnparseable:
        parsed = None
    # Then it ends quickly and nothing was expanded
    assert time.monotonic() - started < 10
    if parsed is not None:
        assert len(all_text(parsed)) < 10_000
        assert entity not in all_text(parsed)


def test_billion_laughs_is_not_expanded(server: LoopbackServer) -> None:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    head = f"<!DOCTYPE rss [{''.join(levels)}]>"
    body = rss(item("&lol9;", "https://x.example/1", "b1"), head=head).encode()
    server.routes["/laughs"] = reply(200, body, Content_Type=RSS)
    started = time.monotonic()
    try:
        parsed = fetch_and_parse(f"{server.base}/laughs")
    except FeedUnparseable:
        parsed = None
    assert time.monotonic() - started < 10
    if parsed is not None:
        assert "lollol" not in all_text(parsed)


@pytest.mark.parametrize(
    "head",
    [
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE rss SYSTEM "{base}/evil.dtd">',
        '<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{base}/evil.dtd"> %ext;]>',
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{base}/evil.dtd">]>',
    ],
    ids=["file-entity", "external-dtd", "parameter-entity", "http-entity"],
)
def test_external_entities_read_no_file_and_open_no_socket(
    server: LoopbackServer, head: str
) -> None:
    # Given a feed whose DOCTYPE points at a local file or at a DTD on our server
    server.routes["/evil.dtd"] = reply(
        200, b'<!ENTITY xxe "PWNED-FROM-DTD">', Content_Type="application/xml-dtd"
    )
    body = rss(
        item("Leak: &xxe;", "https://x.example/1", "x1", "<description>&xxe;</description>"),
        head=head.replace("{base}", server.base),
    ).encode()
    server.routes["/xxe"] = reply(200, body, Content_Type=RSS)
    # When it is fetched and parsed
    try:
        parsed = fetch_and_parse(f"{server.base}/xxe")
    except FeedUnparseable:
        parsed = None
    # Then no file content appears and the DTD was never requested
    if parsed is not None:
        text = all_text(parsed)
        assert "root:" not in text
        assert "PWNED" not in text
    assert "/evil.dtd" not in server.paths()


# --- Encodings, sizes and content types ---------------------------------------------------------


def brotli_uncompressed(payload: bytes) -> bytes:
    """A valid brotli stream (RFC 7932) of uncompressed meta-blocks: no encoder needed."""
    bits: list[int] = [0]  # WBITS = 16

    def put(value: int, width: int) -> None:
        bits.extend((value >> n) & 1 for n in range(width))

    out = bytearray()
    for start in range(0, len(payload), 65_536):
        chunk = payload[start : start + 65_536]
        put(0, 1)  # ISLAST
        put(0, 2)  # MNIBBLES = 4
        put(len(chunk) - 1, 16)  # MLEN - 1
        put(1, 1)  # ISUNCOMPRESSED
        bits.extend([0] * (-len(bits) % 8))
        out += _pack(bits) + chunk
        bits = []
    put(1, 1)  # ISLAST
    put(1, 1)  # ISLASTEMPTY
    bits.extend([0] * (-len(bits) % 8))
    return bytes(out + _pack(bits))


def _pack(bits: list[int]) -> bytes:
    return bytes(
        sum(bit << n for n, bit in enumerate(bits[i : i + 8])) for i in range(0, len(bits), 8)
    )


@pytest.mark.parametrize("kind", ["valid-stream", "garbage"])
def test_brotli_is_decoded_or_classified_never_a_crash(server: LoopbackServer, kind: str) -> None:
    # Given a brotli-encoded response (httpx decodes it only when a brotli module is present)
    feed = good_feed()
    body = brotli_uncompressed(feed) if kind == "valid-stream" else b"\x8b\xff\x00\x13garbage"
    server.routes["/br"] = reply(200, body, Content_Type=RSS, Content_Encoding="br")
    # When it is fetched and parsed
    try:
        parsed = fetch_and_parse(f"{server.base}/br")
    except (FeedUnavailable, FeedUnparseable):
        return  # classified: no decoder, or undecodable bytes
    # Then, when it could be decoded, the items are the feed's
    assert kind == "valid-stream"
    assert [i.title for i in parsed.items] == ["AI model 0", "AI model 1", "AI model 2"]


def test_a_50_mb_chunked_body_is_cut_off_quickly_in_bounded_memory(server: LoopbackServer) -> None:
    # Given a server streaming 50 MB with chunked transfer encoding
    sent: list[int] = [0]

    def flood(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<rss>" + b"x" * 65_531
        try:
            for _ in range(50 * 16):  # 800 × 64 KiB = 50 MiB
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent[0] += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        h.close_connection = True

    server.routes["/flood"] = flood
    # When it is fetched with a 5 MB cap
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FeedUnavailable, match="larger than"):
            fetch_and_parse(f"{server.base}/flood", max_bytes=5_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then the fetch stops early, having held little more than the cap
    assert time.monotonic() - started < 10
    assert peak < 40_000_000
    assert sent[0] < 50 * 1024 * 1024


def test_html_served_as_octet_stream_is_unparseable(server: LoopbackServer) -> None:
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>" + (
        b"<p>Checking your browser</p>" * 50 + b"</body></html>"
    )
    server.routes["/challenge"] = reply(200, page, Content_Type="application/octet-stream")
    with pytest.raises(FeedUnparseable):
        fetch_and_parse(f"{server.base}/challenge")


CHARSET_CASES = {
    # A UTF-8 prolog over windows-1252 bytes: the bytes win, the mismatch is a warning.
    "utf8-prolog-over-cp1252": (
        rss(item("Caf\u00e9 \u201cAI\u201d na\u00efve", "https://x.example/1", "c1")).encode(
            "cp1252"
        ),
        RSS,
        "Caf\u00e9 \u201cAI\u201d na\u00efve",
    ),
    "koi8-r-in-header-only": (
        rss(item("Новости ИИ", "https://x.example/1", "c2"), prolog='<?xml version="1.0"?>').encode(
            "koi8-r"
        ),
        "application/rss+xml; charset=koi8-r",
        "Новости ИИ",
    ),
    "utf-16-with-bom": (
        rss(
            item("日本語のAIニュース", "https://x.example/1", "c3"),
            prolog='<?xml version="1.0" encoding="utf-16"?>',
        ).encode("utf-16"),
        "application/xml",
        "日本語のAIニュース",
    ),
    "gb2312": (
        rss(
            item("人工智能新闻", "https://x.example/1", "c4"),
            prolog='<?xml version="1.0" encoding="gb2312"?>',
        ).encode("gb2312"),
        "text/xml",
        "人工智能新闻",
    ),
    "bom-and-blank-lines-before-prolog": (
        b"\xef\xbb\xbf\r\n\n   " + rss(item("Caf\u00e9", "https://x.example/1", "c5")).encode(),
        RSS,
        "Caf\u00e9",
    ),
}


@pytest.mark.parametrize("case", CHARSET_CASES, ids=list(CHARSET_CASES))
def test_charsets_give_correct_text(server: LoopbackServer, case: str) -> None:
    body, content_type, title = CHARSET_CASES[case]
    server.routes["/charset"] = reply(200, body, Content_Type=content_type)
    parsed = fetch_and_parse(f"{server.base}/charset")
    assert [i.title for i in parsed.items] == [title]


# --- Broken and odd documents ----------------------------------------------------------------


def test_a_truncated_document_keeps_its_entries_and_records_a_warning(
    server: LoopbackServer,
) -> None:
    # Given a feed cut off in the middle of its sixth item
    body = rss(*(item(f"AI story {n}", f"https://x.example/{n}", f"t{n}") for n in range(6)))
    truncated = body.encode()[: body.index("AI story 5") + 4]
    source = make_source(id="cut", url=f"{server.base}/cut")
    server.routes["/cut"] = reply(200, truncated, Content_Type=RSS)
    # When it is polled
    run = make_run()
    report = poll(run, [source])
    # Then the complete entries are queued and the reason is kept in the feed's state
    assert report.feeds[0].outcome == "ok"
    titles = {m.item.title for m in run.queue.sent}
    assert {f"AI story {n}" for n in range(5)} <= titles
    state = run.states.states["cut"]
    assert state.last_error and "SAXParseException" in state.last_error
    assert state.error_streak == 0


def test_illegal_xml_characters_do_not_reach_the_items(server: LoopbackServer) -> None:
    body = rss(
        item("Control\x01chars\x08 in\x0b title\x1f", "https://x.example/1", "i1"),
        item("Second story", "https://x.example/2", "i2"),
    ).encode()
    server.routes["/ctl"] = reply(200, body, Content_Type=RSS)
    parsed = fetch_and_parse(f"{server.base}/ctl")
    assert parsed.items
    for parsed_item in parsed.items:
        assert not any(ord(ch) < 32 for ch in parsed_item.title + parsed_item.summary)


def test_every_item_with_the_same_guid_gives_distinct_items(server: LoopbackServer) -> None:
    body = rss(*(item(f"AI story {n}", f"https://x.example/{n}", "same-guid") for n in range(5)))
    server.routes["/same"] = reply(200, body.encode(), Content_Type=RSS)
    parsed = fetch_and_parse(f"{server.base}/same")
    assert len({i.id for i in parsed.items}) == 5
    assert {i.url for i in parsed.items} == {f"https://x.example/{n}" for n in range(5)}


def test_items_with_neither_guid_nor_link_are_skipped_and_counted(
    server: LoopbackServer,
) -> None:
    body = rss(
        item("No guid, no link", None),
        item("Also nothing", None),
        item("Has a link", "https://x.example/1"),
    )
    server.routes["/bare"] = reply(200, body.encode(), Content_Type=RSS)
    parsed = fetch_and_parse(f"{server.base}/bare")
    assert [i.title for i in parsed.items] == ["Has a link"]
    assert parsed.skipped == 2


def test_markup_and_dangerous_urls_in_title_and_link(server: LoopbackServer) -> None:
    # Given titles carrying markup and links using javascript: and file: schemes
    body = rss(
        item("&lt;script&gt;alert(1)&lt;/script&gt;Launch", "https://x.example/1", "m1"),
        item("Click", "javascript:alert(document.cookie)", "m2"),
        item("Click", "&#106;avascript:alert(1)", "m3"),
        item("Read", "file:///etc/passwd", "m4"),
        item("Data", "data:text/html,<script>alert(1)</script>", "m5"),
    )
    server.routes["/xss"] = reply(200, body.encode(), Content_Type=RSS)
    parsed = fetch_and_parse(f"{server.base}/xss")
    # Then only the http(s) item survives, and its title is plain text (escaped on output)
    assert [i.url for i in parsed.items] == ["https://x.example/1"]
    assert parsed.skipped == 4
    assert "Launch" in parsed.items[0].title


def test_600_nested_elements(server: LoopbackServer) -> None:
    nested = "<div>" * 600 + "deep" + "</div>" * 600
    extra = f"<description><![CDATA[{nested}]]></description>" + "<x:n xmlns:x='urn:x'>" * 600
    extra += "</x:n>" * 600
    body = rss(item("Deep", "https://x.example/1", "n1", extra))
    server.routes["/nested"] = reply(200, body.encode(), Content_Type=RSS)
    started = time.monotonic()
    parsed = fetch_and_parse(f"{server.base}/nested")
    assert time.monotonic() - started < 10
    assert [i.title for i in parsed.items] == ["Deep"]


def test_a_10000_item_feed_is_bounded_and_max_items_respected(server: LoopbackServer) -> None:
    # Given a feed of 10,000 items and a source that keeps 50 per poll
    body = rss(
        *(item(f"AI story {n}", f"https://x.example/{n}", f"big-{n}") for n in range(10_000))
    ).encode()
    server.routes["/big"] = reply(200, body, Content_Type=RSS)
    source = make_source(id="big", url=f"{server.base}/big", max_items=50)
    run = make_run()
    # When it is polled
    started = time.monotonic()
    report = poll(run, [source])
    # Then it finishes in bounded time and queues at most max_items
    assert time.monotonic() - started < 30  # feedparser alone takes seconds on a slow runner
    assert report.feeds[0].outcome == "ok"
    assert report.feeds[0].items == 10_000
    assert len(run.queue.sent) == 50


# --- Conditional GET -------------------------------------------------------------------------


def conditional_route(server: LoopbackServer, body: bytes, **validators: str) -> Route:
    """200 with the given validators, or 304 (empty body) when the request matches them."""

    def route(h: BaseHTTPRequestHandler) -> None:
        etag, modified = validators.get("ETag"), validators.get("Last_Modified")
        if (etag and h.headers.get("If-None-Match") == etag) or (
            not etag and modified and h.headers.get("If-Modified-Since") == modified
        ):
            h.send_response(304)
            h.end_headers()  # no body, no Content-Length
            return
        reply(200, body, Content_Type=RSS, **validators)(h)

    return route


@pytest.mark.parametrize(
    "validators",
    [
        {"ETag": 'W/"weak-1"'},
        {"Last_Modified": "Fri, 20 Nov 2026 10:00:00 GMT"},
        {"ETag": '"strong-1"', "Last_Modified": "Fri, 20 Nov 2026 10:00:00 GMT"},
    ],
    ids=["weak-etag", "last-modified-only", "both"],
)
def test_validators_round_trip_and_a_bodyless_304_is_no_work(
    server: LoopbackServer, validators: dict[str, str]
) -> None:
    # Given a feed answering 304 with an empty body when the validators match
    server.routes["/cond"] = conditional_route(server, good_feed(), **validators)
    source = make_source(id="cond", url=f"{server.base}/cond")
    run = make_run()
    # When it is polled twice
    first = poll(run, [source])
    second = poll(run, [source], now=NOW + timedelta(hours=1))
    # Then the validators went back exactly as received and the second poll queued nothing
    assert first.feeds[0].queued == 3
    assert second.feeds[0].outcome == "not_modified"
    assert second.feeds[0].queued == 0
    _, headers = server.requests[-1]
    assert headers.get("If-None-Match") == validators.get("ETag")
    assert headers.get("If-Modified-Since") == validators.get("Last_Modified")
    assert len(run.queue.sent) == 3


# --- One hostile feed does not hurt the run --------------------------------------------------


def test_hostile_feeds_do_not_affect_the_good_feed_of_the_same_run(server: LoopbackServer) -> None:
    # Given a good feed polled together with hostile ones
    entity = "A" * 50_000
    server.routes["/good"] = reply(200, good_feed(), Content_Type=RSS)
    server.routes["/quadratic"] = reply(
        200,
        rss(
            item("&a;" * 50_000, "https://x.example/q", "q"),
            head=f'<!DOCTYPE rss [<!ENTITY a "{entity}">]>',
        ).encode(),
        Content_Type=RSS,
    )
    server.routes["/html"] = reply(
        200, b"<html><body>challenge</body></html>", Content_Type="text/html"
    )
    server.routes["/busy"] = reply(429, Retry_After="120")
    server.routes["/loop"] = reply(302, Location="/loop")
    server.routes["/metadata"] = reply(302, Location="http://169.254.169.254/latest/meta-data/")
    server.routes["/bomb"] = reply(200, gzip.compress(b"\0" * 20_000_000), Content_Encoding="gzip")
    names = ["good", "quadratic", "html", "busy", "loop", "metadata", "bomb"]
    sources = [make_source(id=name, url=f"{server.base}/{name}") for name in names]
    run = make_run()
    # When they are polled in one run
    started = time.monotonic()
    report = poll(run, sources, max_bytes=1_000_000)
    # Then the good feed's items are queued and each hostile one is a classified outcome
    assert time.monotonic() - started < 20
    outcomes = {feed.feed_id: feed for feed in report.feeds}
    assert outcomes["good"].outcome == "ok"
    assert {m.item.title for m in run.queue.sent} >= {"AI model 0", "AI model 1", "AI model 2"}
    for name in ("html", "busy", "loop", "metadata", "bomb"):
        assert outcomes[name].outcome == "error", name
        assert run.states.states[name].error_streak == 1
    assert run.states.states["busy"].retry_after == NOW + timedelta(seconds=120)
    assert outcomes["quadratic"].outcome in {"ok", "error"}
    assert all(len(m.item.title) <= 500 for m in run.queue.sent)


def test_a_slow_host_does_not_hold_the_run_s_global_slots(server: LoopbackServer) -> None:
    # Given three feeds on a slow host and one on another host, with 2 global slots, 1 per host
    order: list[str] = []

    def slow(h: BaseHTTPRequestHandler) -> None:
        order.append("slow")
        time.sleep(0.5)
        reply(200, good_feed(1), Content_Type=RSS)(h)

    for n in range(3):
        server.routes[f"/slow/{n}"] = slow

    class Fast(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            order.append("fast")
            reply(200, good_feed(1), Content_Type=RSS)(self)

    other = ThreadingHTTPServer(("127.0.0.2", 0), Fast)
    other.daemon_threads = True
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        sources = [make_source(id=f"slow-{n}", url=f"{server.base}/slow/{n}") for n in range(3)]
        sources.append(make_source(id="fast", url=f"http://127.0.0.2:{other.server_address[1]}/"))
        run = make_run()

        async def go() -> PollReport:
            async with HttpFeedFetcher(
                user_agent="FrontlineBot/test", allow_private_network=True
            ) as fetcher:
                poller = FeedPoller(
                    fetcher, run.states, run.ledger, run.queue, concurrency=2, per_host=1
                )
                return await poller.poll(sources, now=NOW)

        # When they are polled
        report = asyncio.run(go())
    finally:
        other.shutdown()
        other.server_close()
    # Then the other host is served while the slow host's feeds wait their turn
    assert report.count("ok") == 4
    assert order.index("fast") <= 1  # not behind the slow host's queue


def test_a_200_with_an_unchanged_body_is_no_work(server: LoopbackServer) -> None:
    # Given a server that ignores conditional requests and answers 200 with the same ETag
    server.routes["/stubborn"] = reply(200, good_feed(), Content_Type=RSS, ETag='"same"')
    source = make_source(id="stubborn", url=f"{server.base}/stubborn")
    run = make_run()
    # When it is polled twice
    poll(run, [source])
    second = poll(run, [source], now=NOW + timedelta(hours=1))
    # Then the second poll recognises the unchanged body and queues nothing
    assert second.feeds[0].outcome == "unchanged"
    assert len(run.queue.sent) == 3
    assert server.requests[-1][1].get("If-None-Match") == '"same"'


def test_hostile_dates_and_content_over_http(server: LoopbackServer) -> None:
    # Given items dated 2099, undated, years old, and content carrying XSS
    hostile = (
        '<img src=x onerror=alert(1)><a href="&#106;avascript&#58;alert(1)">j</a>'
        "<svg><script>alert(1)</script></svg><math><mglyph><style><img src=x onerror=alert(2)>"
        '</style></mglyph></math><iframe srcdoc="&lt;script&gt;x&lt;/script&gt;"></iframe>'
        '<p style="background:url(javascript:alert(1))">text</p>'
    )
    body = (
        rss(
            item("Future", "https://x.example/future", "d1").replace(
                "Fri, 20 Nov 2026", "Thu, 01 Jan 2099"
            ),
            f"<item><title>Undated</title><link>https://x.example/undated</link>"
            f"<description><![CDATA[{hostile}]]></description></item>",
            item("Old", "https://x.example/old", "d3").replace(
                "Fri, 20 Nov 2026", "Mon, 02 Jan 2017"
            ),
        )
    ).encode()
    server.routes["/dates"] = reply(200, body, Content_Type=RSS)
    # When it is fetched and parsed
    parsed = fetch_and_parse(f"{server.base}/dates")
    # Then dates are clamped or set to first seen, and no active content survives
    by_title = {i.title: i for i in parsed.items}
    assert by_title["Future"].published == NOW
    assert by_title["Undated"].published == NOW
    assert by_title["Old"].published.year == 2017
    text = all_text(parsed).lower()
    for needle in ("onerror", "javascript:", "<script", "<svg", "<iframe", "<math", "style="):
        assert needle not in text, needle
