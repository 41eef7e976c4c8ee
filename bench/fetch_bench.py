"""Poll 300 loopback feeds with 100 ms latency each, twice: a first poll and an all-304 poll.

Run with `make bench`. The feeds are spread over several HTTP servers, each on its own
loopback address (127.0.0.1, 127.0.0.2, …), so the poller's per-host limit applies as it
would to real publishers. The store and queue are in memory: this measures fetching and
parsing, not DynamoDB or SQS. Results are merged into bench/results.json (numbers only).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]

from frontline.adapters.http_feeds import HttpFeedFetcher  # noqa: E402
from frontline.domain.feed_poller import FeedPoller, PollReport  # noqa: E402
from frontline.domain.models import FeedSource  # noqa: E402
from tests.unit.fakes import FakeLedger, FakeQueue, FakeStates  # noqa: E402

FEEDS = 300
HOSTS = 15  # 20 feeds per host
ITEMS_PER_FEED = 20
LATENCY_S = 0.1
RESULTS = REPO / "bench" / "results.json"
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def feed_body(feed: int) -> bytes:
    items = "".join(
        f"<item><title>AI story {feed}-{n}: a lab ships a model</title>"
        f"<link>https://feed{feed}.example/news/{n}?utm_source=rss</link>"
        f"<guid isPermaLink='false'>feed{feed}-{n}</guid>"
        f"<pubDate>Fri, 2{n % 7} Nov 2026 10:{n:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Researchers released model {n} with open weights "
        f"and a report on its evaluation.&lt;/p&gt;</description></item>"
        for n in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title>{items}</channel></rss>"
    ).encode()


class CountingWriter:
    """Wraps a handler's output stream to count the bytes that go on the wire."""

    def __init__(self, inner: BinaryIO, counter: list[int], lock: threading.Lock) -> None:
        self._inner, self._counter, self._lock = inner, counter, lock

    def write(self, data: bytes) -> int:
        with self._lock:
            self._counter[0] += len(data)
        return self._inner.write(data)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def feed_servers(bodies: dict[str, bytes], counter: list[int]) -> Iterator[list[str]]:
    """One ThreadingHTTPServer per loopback address; yields their base URLs."""
    lock = threading.Lock()
    etags = {path: f'"{hashlib.sha256(body).hexdigest()[:16]}"' for path, body in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.wfile = CountingWriter(self.wfile, counter, lock)  # type: ignore[assignment]

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(LATENCY_S)
            body = bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etags[self.path])
            self.end_headers()
            self.wfile.write(body)

    with ExitStack() as stack:
        bases = []
        for host in range(1, HOSTS + 1):
            httpd = ThreadingHTTPServer((f"127.0.0.{host}", 0), Handler)
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            stack.callback(httpd.server_close)
            stack.callback(httpd.shutdown)
            bases.append(f"http://127.0.0.{host}:{httpd.server_address[1]}")
        yield bases


async def poll_once(
    sources: list[FeedSource], states: FakeStates, ledger: FakeLedger, queue: FakeQueue, now
) -> PollReport:
    async with HttpFeedFetcher(
        user_agent="FrontlineBot/bench", allow_private_network=True
    ) as fetcher:
        poller = FeedPoller(fetcher, states, ledger, queue, first_poll_cutoff=None)
        return await poller.poll(sources, now=now)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    bodies = {f"/feeds/{n}.xml": feed_body(n) for n in range(FEEDS)}
    wire = [0]
    with feed_servers(bodies, wire) as bases:
        sources = [
            FeedSource(
                id=f"feed-{n}",
                name=f"Feed {n}",
                url=f"{bases[n % HOSTS]}/feeds/{n}.xml",
                site_url=f"https://feed{n}.example/",
                max_items=ITEMS_PER_FEED,
            )
            for n in range(FEEDS)
        ]
        states, ledger, queue = FakeStates(), FakeLedger(), FakeQueue()

        started = time.perf_counter()
        first = asyncio.run(poll_once(sources, states, ledger, queue, NOW))
        first_s = time.perf_counter() - started
        first_bytes, wire[0] = wire[0], 0

        started = time.perf_counter()
        second = asyncio.run(poll_once(sources, states, ledger, queue, NOW + timedelta(hours=1)))
        second_s = time.perf_counter() - started
        second_bytes = wire[0]

    first_summary, second_summary = first.summary(), second.summary()
    if first_summary["ok"] != FEEDS or second_summary["not_modified"] != FEEDS:
        print(f"unexpected outcomes: {first_summary} / {second_summary}", file=sys.stderr)
        return 1
    results = {
        "fetch_feeds": FEEDS,
        "fetch_latency_ms": LATENCY_S * 1000,
        "fetch_first_poll_s": round(first_s, 3),
        "fetch_first_bytes": first_bytes,
        "fetch_first_queued": first_summary["queued"],
        "fetch_304_poll_s": round(second_s, 3),
        "fetch_304_bytes": second_bytes,
        "fetch_peak_mb": round(peak_mb(), 1),
    }
    existing = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    RESULTS.write_text(json.dumps(existing | results, indent=2, sort_keys=True) + "\n")

    print(f"{FEEDS} feeds on {HOSTS} loopback hosts, {LATENCY_S * 1000:.0f} ms latency each")
    print(f"{'poll':<12}{'wall s':>10}{'bytes on wire':>16}{'feeds':>8}{'queued':>8}")
    print(
        f"{'first':<12}{first_s:>10.2f}{first_bytes:>16,}{first_summary['ok']:>8}"
        f"{first_summary['queued']:>8}"
    )
    print(
        f"{'all-304':<12}{second_s:>10.2f}{second_bytes:>16,}"
        f"{second_summary['not_modified']:>8}{second_summary['queued']:>8}"
    )
    print(
        f"peak RSS {results['fetch_peak_mb']} MB; goal: all-304 poll under 3 s "
        f"({'met' if second_s < 3 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
