"""The partitioned rebuild against moto: runs recorded in the table (DynamoRebuildLedger),
objects in S3, the manifest in DynamoDB, and never a bucket listing."""

from __future__ import annotations

import hashlib

import boto3
import pytest

from bench.synthetic import synthetic_articles
from frontline.adapters import rebuild_ledger
from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.publish_manifest import DynamoPublishManifest
from frontline.adapters.rebuild_ledger import DynamoRebuildLedger
from frontline.adapters.s3_site import S3SiteStore
from frontline.bootstrap import RebuildSiteApp
from frontline.domain.ports import RebuildRun, SiteObject
from frontline.site.catalogue import build_catalogue
from frontline.site.families import SiteContext
from frontline.site.rebuild_runs import RebuildIncomplete, finish_run
from frontline.site.render import render_all
from infra.local.template_resources import LocalResources
from tests.integration.test_publish_manifest import NOW, SITE, bucket_contents, forbid_listing
from tests.unit.fakes import MemoryBucket


@pytest.fixture
def table(local_aws: LocalResources) -> DynamoTable:
    session = boto3.session.Session(region_name="ap-northeast-1")
    return DynamoTable(session.client("dynamodb"), local_aws["Table"])


def test_a_run_and_its_partitions_round_trip_through_the_table(
    table: DynamoTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given parts far smaller than a partition's keys, so they split over several items
    monkeypatch.setattr(rebuild_ledger, "PART_BYTES", 64)
    ledger = DynamoRebuildLedger(table)
    plan = RebuildRun("r1", ("site", "articles:2026-11", "news"), NOW, ("/tags/蒸留/",))
    keys = [f"articles/2026/11/{n:02d}/記事-{n:04x}/index.html" for n in range(300)]

    ledger.start(plan)
    ledger.finish("r1", "articles:2026-11", keys, ["/articles/2026/11/01/x-1/"])
    ledger.finish("r1", "site", ["index.html"], [])

    assert ledger.plan("r1") == plan
    assert ledger.plan("r2") is None
    assert ledger.finished("r1") == {"articles:2026-11", "site"}
    assert sorted(ledger.produced("r1")) == sorted([*keys, "index.html"])
    assert ledger.failed("r1") == {"/articles/2026/11/01/x-1/"}
    assert ledger.finished("r2") == set()


def test_a_rebuild_through_the_store_publishes_the_full_render_and_deletes_stale_keys(
    table: DynamoTable, local_aws: LocalResources
) -> None:
    # Given articles in the table and a bucket holding a page that left the site
    session = boto3.session.Session(region_name="ap-northeast-1")
    s3 = session.client("s3")
    calls = forbid_listing(s3)
    articles = DynamoArticleRepository(table)
    for article in synthetic_articles(45):
        articles.save(article)
    store = S3SiteStore(s3, local_aws["SiteBucket"])
    manifest = DynamoPublishManifest(table)
    stale = SiteObject("tags/old/index.html", b"old", "text/html; charset=utf-8", "x")
    store.put(stale)
    manifest.record({stale.key: "old"})
    app = RebuildSiteApp(
        articles=articles,
        store=store,
        site=SITE,
        manifest=manifest,
        ledger=DynamoRebuildLedger(table),
    )

    # When a run is planned, its partitions published and the run finished
    plan = app.plan(run="nightly", now=NOW)
    reports = [app.partition("nightly", name) for name in plan.partitions]
    finished = app.finish("nightly")

    # Then the bucket is the full render, the stale page is gone, nothing was listed
    full = render_all(SiteContext(build_catalogue(articles.list_public()), SITE, now=NOW))
    contents = bucket_contents(session.client("s3"), local_aws["SiteBucket"])
    assert contents == {obj.key: obj.body for obj in full.objects}
    assert finished.deleted == [stale.key]
    assert sum(report.uploaded for report in reports) == len(full.objects)
    assert manifest.all_hashes() == {k: hashlib.sha256(b).hexdigest() for k, b in contents.items()}
    assert "ListObjectsV2" not in calls


def test_finishing_a_run_with_a_partition_not_done_deletes_nothing(table: DynamoTable) -> None:
    ledger = DynamoRebuildLedger(table)
    ledger.start(RebuildRun("r1", ("site", "news"), NOW))
    ledger.finish("r1", "site", ["index.html"], [])
    manifest = DynamoPublishManifest(table)
    page = SiteObject("news/page/1/index.html", b"page", "text/html; charset=utf-8", "x")
    bucket = MemoryBucket()
    bucket.put(page)
    manifest.record({page.key: "h"})

    with pytest.raises(RebuildIncomplete) as incomplete:
        finish_run("r1", ledger=ledger, store=bucket, manifest=manifest)

    assert incomplete.value.missing == ("news",)
    assert list(bucket.objects) == [page.key]
    assert manifest.all_hashes() == {page.key: "h"}
