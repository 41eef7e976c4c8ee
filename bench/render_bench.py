"""Render the synthetic 10,000-article store: a full render to a folder, and a publish to S3.

`python bench/render_bench.py full` renders with `render_site` and writes every object under
bench/work/site; it prints JSON with the time (render plus writing the files), pages per
second and the process's peak RSS (run it in a fresh interpreter: the peak then covers the
synthetic store, the rendered objects and the writing, and nothing else).

`python bench/render_bench.py incremental` fills a moto S3 bucket built from template.yaml
with the 10k site, adds one new article and publishes it as a stream record would (the
renderer's incremental S3 path: the planned pages only), timing that publish and counting its
PUTs with a botocore event hook. The articles come from
an in-memory ArticleRepository (tests/unit/fakes.FakeArticles): the store read is not what is
measured. The bucket is filled from bench/work/site when the `full` part has just written it
(run.py runs `full` first; same articles, same `render_site`, so the same bytes), straight
into moto's S3 backend (21,000 PutObject calls through botocore would take minutes and are
not what is measured), with each object's hash written to the publish manifest in the
template's table. Without that folder, the first publish goes through `publish_site`.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from synthetic import ARTICLES, END, SITE, new_article, synthetic_articles  # noqa: E402

from frontline.domain.ports import PublishManifest  # noqa: E402
from frontline.site import render_site  # noqa: E402
from frontline.site.publishing import content_hash  # noqa: E402

SITE_DIR = REPO / "bench" / "work" / "site"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def full(count: int = ARTICLES) -> dict[str, Any]:
    articles = synthetic_articles(count)
    shutil.rmtree(SITE_DIR, ignore_errors=True)
    started = time.perf_counter()
    objects = render_site(articles, SITE, now=END)
    rendered_s = time.perf_counter() - started
    folders: set[Path] = set()
    for obj in objects:
        target = SITE_DIR / obj.key
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(obj.body)
    elapsed = time.perf_counter() - started
    return {
        "render_full_10k_s": round(elapsed, 2),
        "render_full_pages_per_s": round(len(objects) / elapsed, 1),
        "render_full_peak_mb": round(peak_rss_mb(), 1),
        "render_full_objects": len(objects),
        "render_full_render_only_s": round(rendered_s, 2),
        "render_full_mb_written": round(sum(len(o.body) for o in objects) / 1e6, 1),
    }


def seed_from_folder(bucket: str, folder: Path, manifest: PublishManifest) -> int:
    """Put every file of a rendered site into moto's bucket (key = relative path), and its
    hash into the publish manifest; 0 if there is no such folder."""
    from moto.core import DEFAULT_ACCOUNT_ID  # noqa: TID251 - a benchmark, not a Lambda
    from moto.s3.models import s3_backends  # noqa: TID251

    if not (folder / "index.html").is_file():
        return 0
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    count = 0
    hashes: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            backend.put_object(bucket, key, body, disable_notification=True)
            hashes[key] = content_hash(body)
            count += 1
    manifest.record(hashes)
    return count


def incremental(count: int = ARTICLES) -> dict[str, Any]:
    import boto3
    from moto import mock_aws  # noqa: TID251 - a benchmark, never imported by a Lambda

    from frontline.adapters.dynamodb import DynamoTable
    from frontline.adapters.publish_manifest import DynamoPublishManifest
    from frontline.adapters.s3_site import S3SiteStore
    from frontline.domain.models import ArticleChange
    from frontline.site.catalogue import ListedIndex
    from frontline.site.publishing import publish_site
    from infra.local.pipeline import REGION, use_local_environment
    from infra.local.template_resources import create_local_stack
    from tests.unit.fakes import FakeArticles

    articles = FakeArticles({article.id: article for article in synthetic_articles(count)})
    use_local_environment(quiet=True)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        resources = create_local_stack(session)
        client = session.client("s3")
        puts = [0]

        def count_put(**_: Any) -> None:
            puts[0] += 1

        client.meta.events.register("before-call.s3.PutObject", count_put)
        store = S3SiteStore(client, resources["SiteBucket"])
        manifest = DynamoPublishManifest(
            DynamoTable(session.client("dynamodb"), resources["Table"])
        )

        seeded = seed_from_folder(resources["SiteBucket"], SITE_DIR, manifest)
        if not seeded:
            seeded = publish_site(
                articles, store, SITE, manifest=manifest, now=END, index=ListedIndex(articles)
            ).rendered
        puts[0] = 0

        added = new_article(count)
        articles.save(added)
        started = time.perf_counter()
        # as the stream delivers it: one INSERT, planned (see frontline.site.families)
        second = publish_site(
            articles,
            store,
            SITE,
            manifest=manifest,
            now=added.created_at,
            index=ListedIndex(articles),  # the store's slices, here from articles in memory
            changes=[ArticleChange(None, added)],
        )
        second_s = time.perf_counter() - started
    return {
        "render_incremental_s": round(second_s, 2),
        "render_incremental_pages": second.rendered,  # objects rendered by the plan
        "render_incremental_puts": puts[0],
        "render_incremental_deleted": len(second.deleted),
        "render_incremental_bucket_objects": seeded,
    }


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "full"
    runs = {"full": full, "incremental": incremental}
    if mode not in runs:
        sys.exit(f"usage: {sys.argv[0]} full|incremental")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else ARTICLES  # fewer for a quick check
    print(json.dumps(runs[mode](count)))
