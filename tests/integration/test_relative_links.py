"""Relative references in a feed resolve against where the document really came from:
the URL after redirects, or the Content-Location the server names."""

from __future__ import annotations

import asyncio

from frontline.adapters.http_feeds import HttpFeedFetcher
from frontline.domain.feed_poller import FeedPoller
from tests.factories import NOW, make_source
from tests.loopback import loopback_server, reply
from tests.unit.fakes import FakeLedger, FakeQueue, FakeStates

RELATIVE = (
    b'<rss version="2.0"><channel><title>Agent Weekly</title><link>https://elsewhere.example/</link>'
    b"<item><title>Agents travel</title><link>/news/2026/04/agents-travel</link>"
    b'<enclosure url="img/cover.jpg" type="image/jpeg"/>'
    b"<pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
)


def poll_urls(url: str) -> list[tuple[str, list[str]]]:
    source = make_source(url=url)
    queue = FakeQueue()

    async def go() -> None:
        async with HttpFeedFetcher(
            user_agent="FrontlineBot/test", allow_private_network=True
        ) as fetcher:
            poller = FeedPoller(fetcher, FakeStates(), FakeLedger(), queue, first_poll_cutoff=None)
            await poller.poll([source], now=NOW)

    asyncio.run(go())
    return [(m.item.url, [media.url for media in m.item.media]) for m in queue.sent]


def test_links_resolve_against_the_url_after_redirects() -> None:
    with loopback_server(protocol="HTTP/1.0") as server:
        server.routes["/feed.xml"] = reply(302, Location="/v2/feeds/main.xml")
        server.routes["/v2/feeds/main.xml"] = reply(
            200, RELATIVE, Content_Type="application/rss+xml"
        )
        assert poll_urls(f"{server.base}/feed.xml") == [
            (
                f"{server.base}/news/2026/04/agents-travel",
                [f"{server.base}/v2/feeds/img/cover.jpg"],
            )
        ]


def test_links_resolve_against_the_content_location() -> None:
    with loopback_server(protocol="HTTP/1.0") as server:
        server.routes["/feed"] = reply(
            200,
            RELATIVE,
            Content_Type="application/rss+xml",
            Content_Location="/archive/2026/feed.rss",
        )
        assert poll_urls(f"{server.base}/feed") == [
            (
                f"{server.base}/news/2026/04/agents-travel",
                [f"{server.base}/archive/2026/img/cover.jpg"],
            )
        ]
