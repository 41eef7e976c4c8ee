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
from frontline.domain.models import Article, FeedSource, FeedState
from frontline.domain.ports import RebuildRun, SiteObject
from frontline.site.catalogue import build_catalogue
from frontline.site.extras import SiteExtras, extras_at
from frontline.site.families import SiteContext
from frontline.site.rebuild_runs import RebuildIncomplete, finish_run
from frontline.site.render import render_all
from infra.local.template_resources import LocalResources
from tests.integration.test_publish_manifest import NOW, SITE, bucket_contents, forbid_listing
from tests.unit.fakes import FakePins, FakeStates, MemoryBucket


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


def site_extras(articles: list[Article]) -> SiteExtras:
    """A pinned article and the feeds' health, as the renderer's publish has them."""
    feeds = sorted({(a.item.feed_id, a.item.source_name) for a in articles})
    catalogue = [
        FeedSource(
            id=feed_id,
            name=name,
            url=f"https://{feed_id}.example/feed",
            site_url=f"https://{feed_id}.example/",
        )
        for feed_id, name in feeds
    ]
    states = FakeStates(
        {feeds[0][0]: FeedState(feed_id=feeds[0][0], error_streak=3, last_error="HTTP 503")}
    )
    return SiteExtras(pins=FakePins([(articles[5], None)]), catalogue=catalogue, feed_states=states)


@pytest.mark.parametrize("with_extras", [False, True], ids=["plain", "pins-and-feed-health"])
def test_a_rebuild_through_the_store_publishes_the_full_render_and_deletes_stale_keys(
    table: DynamoTable, local_aws: LocalResources, with_extras: bool
) -> None:
    # Given articles in the table (with a pinned article and the feeds' health, or not)
    # and a bucket holding a page that left the site
    session = boto3.session.Session(region_name="ap-northeast-1")
    s3 = session.client("s3")
    calls = forbid_listing(s3)
    articles = DynamoArticleRepository(table)
    stored = synthetic_articles(45)
    for article in stored:
        articles.save(article)
    extras = site_extras(stored) if with_extras else None
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
        extras=extras,
    )

    # When a run is planned, its partitions published and the run finished
    plan = app.plan(run="nightly", now=NOW)
    reports = [app.partition("nightly", name) for name in plan.partitions]
    finished = app.finish("nightly")

    # Then the bucket is the full render (with the same pins and feed health), the stale
    # page is gone, nothing was listed
    full = render_all(
        SiteContext(
            build_catalogue(articles.list_public()),
            SITE,
            now=NOW,
            pinned=extras_at(extras, NOW).pinned,
            source_health=extras_at(extras, NOW).source_health,
        )
    )
    contents = bucket_contents(session.client("s3"), local_aws["SiteBucket"])
    assert contents == {obj.key: obj.body for obj in full.objects}
    assert finished.deleted == [stale.key]
    assert sum(report.uploaded for report in reports) == len(full.objects)
    assert manifest.all_hashes() == {k: hashlib.sha256(b).hexdigest() for k, b in contents.items()}
    assert "ListObjectsV2" not in calls
    assert ("sources/health/index.html" in contents) is with_extras
    assert ("編集部のおすすめ" in contents["index.html"].decode()) is with_extras


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
