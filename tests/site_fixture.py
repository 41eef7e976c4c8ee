"""A rendered site on disk, served over loopback HTTP the way CloudFront serves the bucket.

The demo site (the whole pipeline in moto) takes seconds to build, so it is built once per
test process and shared by the e2e structure tests and the browser tests. This module holds
no tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from frontline.domain.ports import SiteObject
from infra.local.demo import _SiteHandler, build_demo_site

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-1",
}


@dataclass(frozen=True)
class ServedSite:
    root: Path  # the folder holding the site's files, laid out like the S3 bucket
    base_url: str  # "http://127.0.0.1:<port>", no trailing slash

    def url(self, path: str) -> str:
        return self.base_url + path

    def file_for(self, href: str) -> Path:
        """The file an internal href resolves to ('/x/' -> x/index.html, percent-decoded)."""
        path = unquote(urlsplit(href).path).lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        return self.root / path


class _QuietSiteHandler(_SiteHandler):
    """The demo's handler (directory indexes, the custom 404) without a log line per request,
    adding the response headers it is given (as CloudFront adds the security headers)."""

    def __init__(self, *args: Any, headers: Mapping[str, str], **kwargs: Any) -> None:
        self._extra_headers = headers
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        for name, value in self._extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class LoopbackServer:
    """Binds 127.0.0.1 on a free port at once; serves `root` from `start()` until `close()`.

    Binding first lets a site be built for the exact address it will be served at.
    """

    def __init__(self, root: Path, headers: Mapping[str, str] | None = None) -> None:
        self.root = root
        handler = partial(_QuietSiteHandler, directory=str(root), headers=headers or {})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ServedSite:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="site-server", daemon=True
        )
        self._thread.start()
        return ServedSite(self.root, self.base_url)

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


@contextmanager
def serve_site(root: Path) -> Iterator[ServedSite]:
    """Serve an already written folder on 127.0.0.1."""
    server = LoopbackServer(root)
    try:
        yield server.start()
    finally:
        server.close()


def write_site(objects: Iterable[SiteObject], root: Path) -> Path:
    """Write rendered objects to a folder, one file per S3 key."""
    for obj in objects:
        target = root / obj.key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(obj.body)
    return root


def build_served_demo(root: Path) -> tuple[LoopbackServer, ServedSite]:
    """Run the whole pipeline in moto for the loopback address, then start serving it."""
    server = LoopbackServer(root)
    try:
        with pytest.MonkeyPatch.context() as mp:
            for name, value in AWS_TEST_ENV.items():
                mp.setenv(name, value)
            # A thread of its own: the pipeline runs asyncio, and a caller may already be
            # inside an event loop (Playwright's sync API runs one on the main thread).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-build") as pool:
                pool.submit(
                    build_demo_site, root, site_url=server.base_url, say=lambda line: None
                ).result()
        return server, server.start()
    except BaseException:
        server.close()
        raise


class _SharedDemoSite:
    """One demo build and one server per test process, however many fixtures ask for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._server: LoopbackServer | None = None
        self._site: ServedSite | None = None

    def acquire(self, tmp_path_factory: pytest.TempPathFactory) -> ServedSite:
        with self._lock:
            if self._site is None:
                root = tmp_path_factory.mktemp("demo-site") / "_site"
                self._server, self._site = build_served_demo(root)
            self._users += 1
            return self._site

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._server is not None:
                self._server.close()
                self._server = self._site = None


_DEMO = _SharedDemoSite()


@contextmanager
def shared_demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The demo site, built by the first caller in this process and served until the last."""
    site = _DEMO.acquire(tmp_path_factory)
    try:
        yield site
    finally:
        _DEMO.release()


def pages(objects: Mapping[str, SiteObject]) -> set[str]:
    """Every key but the search index's: a publish adds a recent index beside the archive
    index a full rebuild writes, so the search index is compared by what it finds."""
    return {key for key in objects if not key.startswith("search/")}


def assert_same_pages(objects: Mapping[str, SiteObject], full: Mapping[str, SiteObject]) -> None:
    assert pages(objects) == pages(full)
    assert [key for key in pages(full) if objects[key].body != full[key].body] == []
