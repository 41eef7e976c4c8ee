"""The HTTP fetcher against a real loopback server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from frontline.adapters.http_feeds import HttpFeedFetcher, is_public_address, retry_after_seconds
from frontline.domain.ports import FeedUnavailable, FetchResult
from tests.factories import NOW
from tests.loopback import Route, loopback_server, reply

FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, Route]]]:
    with loopback_server(protocol="HTTP/1.0") as running:
        yield running.base, running.routes


def fetch(url: str, *, allow_loopback: bool = True, **kwargs) -> FetchResult:
    options = {key: kwargs.pop(key) for key in ("deadline_s", "max_bytes") if key in kwargs}

    async def go() -> FetchResult:
        async with HttpFeedFetcher(
            user_agent="FrontlineBot/test", allow_private_network=allow_loopback, **options
        ) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def test_conditional_get_gives_304(server) -> None:
    base, routes = server

    def route(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"' and h.headers.get("If-Modified-Since"):
            reply(304)(h)
        else:
            reply(
                200,
                FEED,
                ETag='"v1"',
                Last_Modified="Fri, 20 Nov 2026 10:00:00 GMT",
                Content_Type="application/rss+xml",
            )(h)

    routes["/feed"] = route
    first = fetch(f"{base}/feed")
    assert (first.status, first.etag, first.body) == (200, '"v1"', FEED)
    second = fetch(f"{base}/feed", etag=first.etag, last_modified=first.last_modified)
    assert (second.status, second.body) == (304, b"")


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]"]
)
def test_loopback_in_any_spelling_is_refused_by_default(server, host: str) -> None:
    base, routes = server
    routes["/feed"] = reply(200, FEED)
    port = base.rsplit(":", 1)[1]
    with pytest.raises(FeedUnavailable, match="refused"):
        fetch(f"http://{host}:{port}/feed", allow_loopback=False)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


def test_public_addresses() -> None:
    assert is_public_address("93.184.216.34")
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")


def test_redirect_to_the_metadata_service_is_refused_even_locally(server) -> None:
    base, routes = server
    routes["/feed"] = reply(302, Location="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FeedUnavailable, match="refused"):
        fetch(f"{base}/feed")


def test_redirect_to_a_file_url_is_refused(server) -> None:
    base, routes = server
    routes["/feed"] = reply(302, Location="file:///etc/passwd")
    with pytest.raises(FeedUnavailable, match="not an http"):
        fetch(f"{base}/feed")


def test_redirect_loops_and_long_chains_stop(server) -> None:
    base, routes = server
    routes["/loop"] = reply(302, Location="/loop")
    for hop in range(25):
        routes[f"/chain/{hop}"] = reply(301, Location=f"/chain/{hop + 1}")
    with pytest.raises(FeedUnavailable, match="more than 5 redirects"):
        fetch(f"{base}/loop")
    with pytest.raises(FeedUnavailable, match="more than 5 redirects"):
        fetch(f"{base}/chain/0")


def test_permanent_redirect_reports_the_new_url(server) -> None:
    base, routes = server
    routes["/old"] = reply(301, Location="/new")
    routes["/new"] = reply(200, FEED)
    moved = fetch(f"{base}/old")
    assert moved.permanent_url == f"{base}/new"
    routes["/temp"] = reply(302, Location="/new")
    assert fetch(f"{base}/temp").permanent_url is None


def test_a_trickling_server_is_cut_off_by_the_deadline(server) -> None:
    base, routes = server

    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(40):
            try:
                h.wfile.write(b"<")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.4)

    routes["/slow"] = trickle
    started = time.monotonic()
    with pytest.raises(FeedUnavailable, match="deadline"):
        fetch(f"{base}/slow", deadline_s=1.5)
    assert time.monotonic() - started < 3


def test_a_gzip_bomb_is_cut_off_after_decoding(server) -> None:
    base, routes = server
    bomb = gzip.compress(b"\0" * 20_000_000)
    routes["/bomb"] = reply(200, bomb, Content_Encoding="gzip", Content_Type="application/rss+xml")
    assert len(bomb) < 100_000
    with pytest.raises(FeedUnavailable, match="larger than"):
        fetch(f"{base}/bomb", max_bytes=1_000_000)


def test_a_lying_content_length_is_an_error(server) -> None:
    base, routes = server

    def liar(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(FEED)
        h.close_connection = True

    routes["/liar"] = liar
    with pytest.raises(FeedUnavailable):
        fetch(f"{base}/liar", deadline_s=5)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_reported(server, status: int) -> None:
    base, routes = server
    routes["/busy"] = reply(status, Retry_After="120")
    with pytest.raises(FeedUnavailable) as error:
        fetch(f"{base}/busy")
    assert (error.value.status, error.value.retry_after_s) == (status, 120.0)


def test_retry_after_http_date() -> None:
    assert retry_after_seconds("Fri, 27 Nov 2026 04:00:00 GMT", now=NOW) == 3600.0
    assert retry_after_seconds("soon", now=NOW) is None


def test_the_user_agent_names_the_bot(server) -> None:
    base, routes = server
    seen: list[str] = []

    def route(h: BaseHTTPRequestHandler) -> None:
        seen.append(h.headers.get("User-Agent", ""))
        reply(200, FEED)(h)

    routes["/ua"] = route
    fetch(f"{base}/ua")
    assert seen == ["FrontlineBot/test"]
