"""`frontline demo`: the whole pipeline offline, in moto, with loopback feeds; then serve it."""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from moto import mock_aws

from frontline.config import parse_catalogue
from frontline.domain.models import FeedSource
from infra.local.demo_model import DemoModel, choose_model
from infra.local.demo_store import copy_catalogue, serving_store
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
    model: DemoModel | None = None,
) -> Path:
    """Run fetch → analyse → digests → render in moto and copy the bucket to `output`."""
    with demo_pipeline(
        output,
        site_url=site_url,
        config_dir=config_dir,
        say=say,
        feeds_dir=feeds_dir,
        catalogue_path=catalogue_path,
        model=model,
    ):
        pass
    return output


@contextmanager
def demo_pipeline(
    output: Path,
    *,
    site_url: str,
    config_dir: Path = REPO / "config",
    say: Callable[[str], None] = print,
    feeds_dir: Path = DEMO_FEEDS,
    catalogue_path: Path = DEMO_CATALOGUE,
    model: DemoModel | None = None,
) -> Iterator[tuple[LocalPipeline, str]]:
    """Build the demo site into `output` and yield its pipeline (and the feeds' address)
    while moto and the feed server still run."""
    started = time.perf_counter()
    model = model or DemoModel()
    with (
        tempfile.TemporaryDirectory(prefix="frontline-demo-") as scratch,
        mock_aws(config=model.moto_config),
        serve_feeds(feeds_dir) as feeds_base,
    ):
        say(f"feeds: serving {len(list(feeds_dir.iterdir()))} demo feeds at {feeds_base}")
        pipeline = LocalPipeline.create(
            config_dir=model.config_dir(config_dir, Path(scratch)),
            site_url=site_url,
            catalogue=demo_catalogue(feeds_base, catalogue_path),
            progress=say,
            quiet=True,
        )
        pipeline.llm_provider = model.provider
        pipeline.model_id = model.model_id
        pipeline.openai_base_url = model.base_url
        pipeline.daily_budget_usd = model.budget_usd
        pipeline.provider = model.analysis_provider(pipeline.config_dir)
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
        yield pipeline, feeds_base


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


def serve(site: Path, port: int, stop: threading.Event | None = None) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_SiteHandler, directory=str(site)))
    print(f"serving http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
    if stop is not None:  # a caller that runs the demo in a thread stops it with the event

        def shut_down_when_asked() -> None:
            stop.wait()
            server.shutdown()

        threading.Thread(target=shut_down_when_asked, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(
    *,
    output: Path,
    port: int,
    serve_site: bool,
    provider: str = "heuristic",
    model_id: str | None = None,
    store_port: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Build the demo with the chosen model; when serving, keep its store reachable (on
    `store_port`, default port + 1) and the site published while it is served."""
    model = choose_model(provider, model=model_id)
    site_url = f"http://127.0.0.1:{port}"
    if not serve_site:
        build_demo_site(output, site_url=site_url, model=model)
        return 0
    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    with demo_pipeline(output, site_url=site_url, model=model) as (pipeline, feeds_base):
        pipeline.progress = lambda message: None  # the publisher's rounds report themselves
        with tempfile.TemporaryDirectory(prefix="frontline-demo-") as scratch:
            catalogue = copy_catalogue(
                DEMO_CATALOGUE, Path(scratch) / "demo_feeds.yaml", feeds_base
            )
            with serving_store(pipeline, output, port=store_port or port + 1, catalogue=catalogue):
                serve(output, port, stop)
    return 0
