"""Headless Debian Chromium against the rendered site, served on loopback.

One browser for the browser tests (package scope: Playwright's sync API keeps an event loop
running on the main thread, which later tests that call `asyncio.run` must not meet) and one
demo build per session. Every request to a host other than 127.0.0.1 is
aborted and recorded: the site must work without any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    sync_playwright,
)

from tests.site_fixture import ServedSite, shared_demo_site

CHROMIUM = Path("/usr/bin/chromium")
NOT_INSTALLED = "Chromium not installed (apt-get install chromium fonts-noto-cjk)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOOPBACK = "127.0.0.1"


@dataclass
class Probe:
    """A page plus everything it asked for or complained about while loading."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (url, resource type)
    failed: list[str] = field(default_factory=list)  # same-origin requests that failed

    def problems(self) -> dict[str, list[str]]:
        """Console errors (other than for blocked requests), script errors, failed requests."""
        blocked = {url for url, _ in self.blocked}
        console = [line for line in self.console_errors if line.split(" @ ")[-1] not in blocked]
        return {
            name: found
            for name, found in {
                "console errors": console,
                "page errors": self.page_errors,
                "failed same-origin requests": self.failed,
            }.items()
            if found
        }


def _watch(context: BrowserContext, page: Page) -> Probe:
    probe = Probe(page)

    def route(route: Route) -> None:
        request = route.request
        if urlsplit(request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            probe.blocked.append((request.url, request.resource_type))
            route.abort("blockedbyclient")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            probe.console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def on_failed(request: Request) -> None:
        if urlsplit(request.url).hostname == LOOPBACK:
            probe.failed.append(f"{request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if urlsplit(response.url).hostname == LOOPBACK and response.status >= 400:
            probe.failed.append(f"{response.url}: HTTP {response.status}")

    context.route("**/*", route)
    page.on("console", on_console)
    page.on("pageerror", lambda error: probe.page_errors.append(str(error)))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return probe


@pytest.fixture(scope="session")
def chromium_installed() -> None:
    """The only reason a browser test may skip: Debian's Chromium is not on this machine."""
    if not CHROMIUM.is_file():
        pytest.skip(NOT_INSTALLED)


@pytest.fixture(scope="package")
def playwright_session(chromium_installed: None) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def chromium(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def demo_site(
    chromium_installed: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedSite]:
    """The demo site (built once per process, shared with the e2e tests), on loopback."""
    with shared_demo_site(tmp_path_factory) as site:
        yield site


OpenPage = Callable[..., Probe]


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[OpenPage]:
    """Open a URL in a fresh context (viewport, colour scheme) with every request watched."""
    contexts: list[BrowserContext] = []

    def open_(
        url: str,
        *,
        width: int = 1280,
        height: int = 800,
        color_scheme: str = "light",
        init_script: str | None = None,
    ) -> Probe:
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            color_scheme=color_scheme,  # type: ignore[arg-type]
            service_workers="block",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        probe = _watch(context, page)
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, (url, response and response.status)
        return probe

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
