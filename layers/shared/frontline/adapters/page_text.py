"""The main text of an article's web page, for items whose feed carries only a teaser.

Pages are fetched through the same SSRF-guarded fetcher as feeds, only where the site's
robots.txt allows our User-Agent, and reduced to their main text with readability-lxml: a
port of Arc90's Readability that is small (lxml is its only heavy dependency, shipped in the
worker's own layer) and good at news pages. trafilatura extracts a little more metadata but
brings about 64 MB of dependencies, which the worker does not need.
"""

from __future__ import annotations

import asyncio
import urllib.robotparser
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Final
from urllib.parse import urlsplit

from frontline.domain.article_text import html_to_text
from frontline.domain.ports import FeedFetcher, FeedUnavailable

MAX_PAGE_CHARS: Final = 40_000


def robots_allows(robots_txt: str, user_agent: str, url: str) -> bool:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots_txt.splitlines())
    return parser.can_fetch(user_agent, url)


def main_text(html: str) -> str:
    """The article's main text, as plain paragraphs."""
    from readability import Document  # lazy: lxml costs import time only when a page is read

    summary = Document(html).summary(html_partial=True)
    return html_to_text(summary)[:MAX_PAGE_CHARS]


class WebPageText:
    """The PageText port: robots.txt first (cached per host), then the page."""

    def __init__(
        self,
        fetcher: Callable[[], AbstractAsyncContextManager[FeedFetcher]],
        *,
        user_agent: str,
    ) -> None:
        self._fetcher = fetcher
        self._user_agent = user_agent
        self._robots: dict[str, str] = {}

    def text_of(self, url: str) -> str | None:
        return asyncio.run(self._text_of(url))

    async def _text_of(self, url: str) -> str | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self._fetcher() as fetcher:
            if origin not in self._robots:
                try:
                    robots = await fetcher.fetch(f"{origin}/robots.txt")
                    self._robots[origin] = robots.body.decode("utf-8", "replace")
                except FeedUnavailable as exc:
                    # No robots.txt (404) means everything is allowed; an unreachable one
                    # means we do not know, so we do not fetch.
                    self._robots[origin] = "" if exc.status == 404 else "User-agent: *\nDisallow: /"
            if not robots_allows(self._robots[origin], self._user_agent, url):
                return None
            try:
                page = await fetcher.fetch(url)
            except FeedUnavailable:
                return None
        if "html" not in (page.content_type or "text/html"):
            return None
        text = main_text(page.body.decode("utf-8", "replace"))
        return text or None
