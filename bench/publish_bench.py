"""Publishing through the real adapters against moto: the store read, the manifest, S3.

`python bench/publish_bench.py one 1000` fills the template's table (in moto) with that many
synthetic articles, published at a real site's pace (300 a day: 1,000 are three days and a
third, 100,000 eleven months), and their site index (straight into moto's backend, in the
adapters' item shapes: bench/site_index_bench.py), publishes the whole site once (its
objects go straight into moto's S3 backend and their hashes into the manifest: seeding is
not what is measured), then saves one new article and publishes it as a stream record
would. It reports that publish's time, its PutObject calls and the DynamoDB items it read
(Query, GetItem and BatchGetItem responses counted with botocore `after-call` hooks).

`python bench/publish_bench.py burst 10000` does the same seeding, then saves 1,000 new
articles in ten stream batches of 100, a few seconds apart, and publishes them through the
coalescing publisher (a batch within a minute of the last publish waits in the backlog),
ending with one drain; it reports the total time and PutObject calls of the burst.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from dynamodb_reads import ItemsRead  # noqa: E402
from site_index_bench import fill_store, index_figures  # noqa: E402
from synthetic import END, PER_DAY, SITE, make_article, synthetic_articles  # noqa: E402


class Counters:
    def __init__(self) -> None:
        self.reads = ItemsRead()
        self.puts = 0

    @property
    def items_read(self) -> int:
        return self.reads.items

    def reset(self) -> None:
        self.reads.items = self.puts = 0

    def count_put(self, **_: Any) -> None:
        self.puts += 1


def _seeded(count: int) -> Any:
    """A context with the table filled and the site published; yields the adapters."""
    import random
    from collections import Counter
    from contextlib import contextmanager

    import boto3
    from moto import mock_aws  # noqa: TID251 - a benchmark, never imported by a Lambda
    from moto.core import DEFAULT_ACCOUNT_ID  # noqa: TID251
    from moto.s3.models import s3_backends  # noqa: TID251

    from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
    from frontline.adapters.publish_manifest import DynamoChangeBacklog, DynamoPublishManifest
    from frontline.adapters.s3_site import S3SiteStore
    from frontline.adapters.site_index import DynamoSiteIndex
    from frontline.domain.models import ArticleChange
    from frontline.site.paths import key_for
    from frontline.site.publishing import publish_site
    from frontline.site.search import (
        TIERS_PATH,
        archive_bundle_dir,
        archive_bundle_keys,
        archive_cutoff_of,
        tiers_file,
    )
    from frontline.site.slices import article_month
    from infra.local.pipeline import REGION, use_local_environment
    from infra.local.template_resources import create_local_stack

    @contextmanager
    def seeded() -> Any:
        use_local_environment(quiet=True)
        with mock_aws():
            session = boto3.session.Session(region_name=REGION)
            resources = create_local_stack(session)
            ddb = session.client("dynamodb")
            table = DynamoTable(ddb, resources["Table"])
            articles = DynamoArticleRepository(table)
            base = synthetic_articles(count, days=count / PER_DAY)
            started = time.perf_counter()
            fill_store(resources, base)  # articles and site index, as the adapters write them
            filled_s = time.perf_counter() - started
            manifest = DynamoPublishManifest(table)
            index = DynamoSiteIndex(table)
            store = S3SiteStore(session.client("s3"), resources["SiteBucket"])
            # A published site, without rendering all of it: the search tiers file of an
            # archive built from `base`, then one publish of a first new article, which
            # uploads every page a new article touches (the site-wide pages, the feeds, the
            # indexes): the measured publish finds them in the manifest, as in production.
            months = Counter(article_month(article) for article in base)
            bundles = [archive_bundle_dir(key) for key in archive_bundle_keys(months)]
            tiers = tiers_file(archive_cutoff_of(base), bundles, recent=False)
            backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
            backend.put_object(resources["SiteBucket"], key_for(TIERS_PATH), tiers.body)
            manifest.record({"index.html": "seeded"})
            rng = random.Random(3)  # noqa: S311 - reproducible test data
            warm = make_article(count + 10_000, rng, END + timedelta(minutes=1))
            articles.save(warm)
            index.reconcile([warm.id])
            publish_site(
                articles, store, SITE, manifest=manifest, now=END, index=index,
                changes=[ArticleChange(None, warm)],
            )  # fmt: skip
            counters = Counters()
            ddb.meta.events.register("after-call.dynamodb", counters.reads)
            s3 = session.client("s3")
            s3.meta.events.register("before-call.s3.PutObject", counters.count_put)
            yield {
                "articles": articles,
                "manifest": manifest,
                "backlog": DynamoChangeBacklog(table),
                "index": index,
                "store": S3SiteStore(s3, resources["SiteBucket"]),
                "counters": counters,
                "rng": random.Random(7),  # noqa: S311 - reproducible test data
                "count": count,
                "table": table,
                "base": base,
                "filled_s": filled_s,
            }

    return seeded()


def one(count: int, *, with_index: bool = False) -> dict[str, Any]:
    """One new article published; `with_index`: then the site index's own figures on the
    same filled table (bench/site_index_bench.py), so 100k is filled once, not twice."""
    from frontline.domain.models import ArticleChange
    from frontline.site.publishing import publish_site

    with _seeded(count) as s:
        new = make_article(count, s["rng"], END + timedelta(minutes=5))
        s["articles"].save(new)
        counters = s["counters"]
        counters.reset()
        started = time.perf_counter()
        s["index"].reconcile([new.id])  # as the renderer does before it publishes
        report = publish_site(
            s["articles"],
            s["store"],
            SITE,
            manifest=s["manifest"],
            now=END,
            index=s["index"],
            changes=[ArticleChange(None, new)],
        )
        elapsed = time.perf_counter() - started
        index = index_figures(s["table"], s["base"], filled_s=s["filled_s"]) if with_index else {}
    label = f"{count // 1000}k"
    return index | {
        f"publish_one_s_{label}": round(elapsed, 2),
        f"publish_one_puts_{label}": counters.puts,
        f"publish_one_store_items_read_{label}": counters.items_read,
        f"publish_one_rendered_{label}": report.rendered,
    }


def burst(count: int, size: int = 1_000, batches: int = 10) -> dict[str, Any]:
    from frontline.domain.models import ArticleChange
    from frontline.site.publishing import publish_coalesced

    with _seeded(count) as s:
        counters = s["counters"]
        counters.reset()
        per_batch = size // batches
        clock = END
        started = time.perf_counter()
        renders = 0
        for batch in range(batches):
            clock += timedelta(seconds=5)
            news = [
                make_article(count + batch * per_batch + i, s["rng"], clock)
                for i in range(per_batch)
            ]
            for article in news:
                s["articles"].save(article)
            s["index"].reconcile(article.id for article in news)
            report = publish_coalesced(
                s["articles"], s["store"], SITE, manifest=s["manifest"], backlog=s["backlog"],
                now=clock, changes=[ArticleChange(None, article) for article in news],
                index=s["index"],
            )  # fmt: skip
            renders += report.rendered > 0
        drained = publish_coalesced(
            s["articles"], s["store"], SITE, manifest=s["manifest"], backlog=s["backlog"],
            now=clock + timedelta(seconds=60), changes=None, index=s["index"],
        )  # fmt: skip
        renders += drained.rendered > 0
        elapsed = time.perf_counter() - started
    return {
        "publish_burst_1000_s": round(elapsed, 2),
        "publish_burst_1000_puts": counters.puts,
        "publish_burst_1000_site_renders": renders,
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    with_index = "--site-index" in args
    args = [arg for arg in args if arg != "--site-index"]
    if len(args) != 2 or args[0] not in {"one", "burst"}:
        sys.exit(f"usage: {sys.argv[0]} one [--site-index]|burst ARTICLES")
    size = int(args[1])
    print(json.dumps(one(size, with_index=with_index) if args[0] == "one" else burst(size)))
