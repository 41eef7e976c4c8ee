"""The running demo's store, reachable by the operator's CLI from another terminal.

While `make demo` serves the site, the moto account it built stays alive and is also served
over HTTP on loopback (moto's ThreadedMotoServer shares the in-process state), and the demo
writes `.frontline-demo.json` (the endpoint, the table, the queue, moto's fake credentials).
`frontline articles --demo …` and `frontline feeds health --demo` read that file, so

    frontline articles --demo hide ID --reason "誤報"

writes to the demo's table exactly as it would to a deployed one. A publisher thread plays
the Lambda service meanwhile: every couple of seconds it delivers queued items to
analyze_item and the table's new stream records to render_site, then mirrors the bucket into
the served folder, so the change shows on the site within seconds.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from moto.server import ThreadedMotoServer

from frontline.bootstrap import aws_client
from infra.local.pipeline import REGION, LocalPipeline

STORE_FILE = Path(".frontline-demo.json")
REPUBLISH_EVERY_S = 2.0


def store_settings(pipeline: LocalPipeline, endpoint: str, catalogue: Path) -> dict[str, str]:
    """What the CLI needs to reach the demo's store, as environment variable names."""
    return {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "aws_default_region": REGION,
        "aws_region": REGION,
        "table_name": pipeline.resources["Table"],
        "queue_url": pipeline.resources["ItemQueue"],
        "frontline_catalogue": str(catalogue),
    }


def mirror_bucket(pipeline: LocalPipeline, destination: Path) -> int:
    """Make `destination` hold exactly what the bucket holds; returns how many files changed."""
    with pipeline.identity(None):
        s3 = aws_client("s3")
        bucket = pipeline.resources["SiteBucket"]
        keys: set[str] = set()
        changed = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                keys.add(obj["Key"])
                target = destination / obj["Key"]
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                if not target.is_file() or target.read_bytes() != body:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(body)
                    changed += 1
    for path in sorted(destination.rglob("*"), reverse=True):
        relative = path.relative_to(destination).as_posix()
        if path.is_file() and relative not in keys:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


@contextmanager
def serving_store(
    pipeline: LocalPipeline,
    site: Path,
    *,
    port: int,
    catalogue: Path,
    say: Callable[[str], None] = print,
    store_file: Path = STORE_FILE,
) -> Iterator[str]:
    """Serve the demo's moto account on loopback `port` and keep the site folder published
    while the block runs; yields the endpoint. Must run inside the demo's mock_aws()."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per CLI request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    store_file.write_text(
        json.dumps(store_settings(pipeline, endpoint, catalogue), indent=2), encoding="utf-8"
    )
    stop = threading.Event()
    publisher = threading.Thread(
        target=_republish, args=(pipeline, site, stop, say), name="demo-publisher", daemon=True
    )
    publisher.start()
    say(f"store: {endpoint} (frontline articles --demo …, frontline feeds health --demo)")
    try:
        yield endpoint
    finally:
        stop.set()
        publisher.join(timeout=30)
        server.stop()
        store_file.unlink(missing_ok=True)


def _republish(
    pipeline: LocalPipeline, site: Path, stop: threading.Event, say: Callable[[str], None]
) -> None:
    while not stop.wait(REPUBLISH_EVERY_S):
        try:
            pipeline.analyze()  # items an operator queued again (articles reanalyse)
            pipeline.render()  # the stream's new records, as the event source delivers them
            changed = mirror_bucket(pipeline, site)
        except Exception as exc:  # the demo keeps serving; the next round tries again
            say(f"publish: {type(exc).__name__}: {exc}")
            continue
        if changed:
            say(f"publish: {changed} files of the site changed")


def copy_catalogue(source: Path, destination: Path, feeds_base: str) -> Path:
    """The demo catalogue with its feeds' loopback address filled in, for the CLI."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8").replace("{feeds_base}", feeds_base)
    destination.write_text(text, encoding="utf-8")
    shutil.copymode(source, destination)
    return destination
