"""Reading an article's page: robots.txt first, then readability's main text."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from frontline.adapters.http_feeds import HttpFeedFetcher
from frontline.adapters.page_text import WebPageText, robots_allows

ARTICLE = """<html><head><title>Lab ships model</title><script>track()</script></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>Lab ships a distilled model</h1>
<p>The lab released a distilled language model on Tuesday that runs on a single GPU, the company said.</p>
<p>The model was trained by distillation from a larger teacher and scores within two points of it on reasoning benchmarks.</p>
<p>Weights are available under an open licence, and the lab published the training recipe alongside them.</p>
</article><footer>Subscribe to our newsletter for more</footer></body></html>"""


@pytest.fixture
def site() -> Iterator[tuple[str, dict[str, tuple[int, str]], list[str]]]:
    pages: dict[str, tuple[int, str]] = {}
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            status, body = pages.get(self.path, (404, "not found"))
            data = body.encode()
            self.send_response(status)
            self.send_header(
                "Content-Type",
                "text/html; charset=utf-8"
                if status == 200 and not self.path.endswith(".txt")
                else "text/plain",
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages, seen
    server.shutdown()
    server.server_close()


def reader() -> WebPageText:
    agent = "FrontlineBot/0.1"
    return WebPageText(
        lambda: HttpFeedFetcher(user_agent=agent, allow_private_network=True), user_agent=agent
    )


def test_the_main_text_is_extracted(site) -> None:
    base, pages, _ = site
    pages["/robots.txt"] = (200, "User-agent: *\nAllow: /\n")
    pages["/news/1"] = (200, ARTICLE)
    text = reader().text_of(f"{base}/news/1")
    assert "runs on a single GPU" in text
    assert "training recipe" in text
    assert "track()" not in text and "newsletter" not in text.lower()


def test_robots_txt_is_honoured_and_fetched_once_per_site(site) -> None:
    base, pages, seen = site
    pages["/robots.txt"] = (200, "User-agent: FrontlineBot\nDisallow: /private/\n")
    pages["/private/1"] = (200, ARTICLE)
    pages["/news/2"] = (200, ARTICLE)
    pages_reader = reader()
    assert pages_reader.text_of(f"{base}/private/1") is None
    assert pages_reader.text_of(f"{base}/news/2")
    assert seen.count("/robots.txt") == 1
    assert "/private/1" not in seen


def test_no_robots_txt_means_allowed(site) -> None:
    base, pages, _ = site
    pages["/news/3"] = (200, ARTICLE)
    assert "distillation" in reader().text_of(f"{base}/news/3")


def test_robots_rules() -> None:
    assert not robots_allows("User-agent: *\nDisallow: /", "FrontlineBot", "https://x.example/a")
    assert robots_allows("", "FrontlineBot", "https://x.example/a")
