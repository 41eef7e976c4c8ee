"""`frontline demo`: the whole pipeline offline, in moto, with loopback feeds; then serve it."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from moto import mock_aws

from frontline.config import parse_catalogue
from frontline.domain.models import FeedSource
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REPO, LocalPipeline

DEMO_FEEDS = REPO / "infra" / "local" / "feeds"
DEMO_CATALOGUE = REPO / "infra" / "local" / "demo_feeds.yaml"


def demo_catalogue(feeds_base: str, path: Path = DEMO_CATALOGUE) -> list[FeedSource]:
    text = path.read_text(encoding="utf-8").replace("{feeds_base}", feeds_base)
    return parse_catalogue(path, yaml.safe_load(text))


def build_demo_site(
    output: Path,
    *,
    site_url: str,
    config_dir: Path = REPO / "config",
    say: Callable[[str], None] = print,
    feeds_dir: Path = DEMO_FEEDS,
    catalogue_path: Path = DEMO_CATALOGUE,
) -> Path:
    """Run fetch → analyse → digests → render in moto and copy the bucket to `output`."""
    started = time.perf_counter()
    with mock_aws(), serve_feeds(feeds_dir) as feeds_base:
        say(f"feeds: serving {len(list(feeds_dir.iterdir()))} demo feeds at {feeds_base}")
        pipeline = LocalPipeline.create(
            config_dir=config_dir,
            site_url=site_url,
            catalogue=demo_catalogue(feeds_base, catalogue_path),
            progress=say,
            quiet=True,
        )
        say(
            "aws: created "
            + ", ".join(sorted(pipeline.resources.physical_ids))
            + " in moto from template.yaml"
        )
        pipeline.fetch()
        pipeline.analyze()
        pipeline.request_digests()  # AI日報 and 週報, written by the same worker
        pipeline.analyze()
        pipeline.render()
        if output.exists():
            shutil.rmtree(output)
        output.mkdir(parents=True)
        count = pipeline.export_site(output)
    say(f"site: {count} files written to {output} in {time.perf_counter() - started:.1f}s")
    return output


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the folder like CloudFront does: directory indexes and the custom 404 page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def serve(site: Path, port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_SiteHandler, directory=str(site)))
    print(f"serving http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()


def run_demo(*, output: Path, port: int, serve_site: bool) -> int:
    build_demo_site(output, site_url=f"http://127.0.0.1:{port}")
    if serve_site:
        serve(output, port)
    return 0
