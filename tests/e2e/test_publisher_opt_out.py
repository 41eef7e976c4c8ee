"""A publisher opts out: its feed is no longer polled, and every one of its articles leaves
the site through the normal publish, kept in the store and never published again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from moto import mock_aws

from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.editorial_store import DynamoEditorialStore
from frontline.adapters.sqs import SqsWorkQueue
from frontline.bootstrap import aws_client
from frontline.domain.models import Article, ArticleStatus, ItemMessage
from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REPO, LocalPipeline
from tests.site_fixture import AWS_TEST_ENV

SOURCE = "lab-notes"
NIGHTLY_ONLY = ("search/archive/",)  # rebuilt nightly: see the README's search section


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[LocalPipeline, list[Article], dict[str, object]]]:
    mp = pytest.MonkeyPatch()
    for name, value in AWS_TEST_ENV.items():
        mp.setenv(name, value)
    with mock_aws(), serve_feeds(DEMO_FEEDS) as feeds_base:
        catalogue = demo_catalogue(feeds_base)
        pipeline = LocalPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=catalogue,
            quiet=True,
        )
        pipeline.fetch()
        pipeline.analyze()
        pipeline.render()
        before = _repository(pipeline).list_public_of_source(SOURCE)
        pipeline.catalogue = [
            source.model_copy(
                update={"opt_out": True, "opt_out_date": date(2026, 11, 28), "opt_out_note": "依頼"}
            )
            if source.id == SOURCE
            else source
            for source in catalogue
        ]
        summary = pipeline.fetch()
        pipeline.render()
        yield pipeline, before, summary
    mp.undo()


def _repository(pipeline: LocalPipeline) -> DynamoArticleRepository:
    return DynamoArticleRepository(DynamoTable(aws_client("dynamodb"), pipeline.resources["Table"]))


def _site(pipeline: LocalPipeline) -> dict[str, bytes]:
    s3 = aws_client("s3")
    bucket = pipeline.resources["SiteBucket"]
    return {
        obj["Key"]: s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for obj in page.get("Contents", [])
    }


def test_every_article_of_the_source_leaves_every_page_feed_and_api(
    run: tuple[LocalPipeline, list[Article], dict[str, object]],
) -> None:
    pipeline, before, summary = run
    assert len(before) >= 3
    assert summary["withdrawn"] == len(before)

    site = _site(pipeline)
    for article in before:
        assert article.path.lstrip("/") + "index.html" not in site
        assert f"api/v1/articles/{article.id}.json" not in site
        carrying = [
            key
            for key, body in site.items()
            if not key.startswith(NIGHTLY_ONLY) and article.path.encode() in body
        ]
        assert carrying == [], article.path
    assert f"sources/{SOURCE}/index.html" not in site
    assert _repository(pipeline).list_public_of_source(SOURCE) == []


def test_the_records_are_kept_marked_and_listed(
    run: tuple[LocalPipeline, list[Article], dict[str, object]],
) -> None:
    pipeline, before, _ = run
    for article in before:
        stored = _repository(pipeline).get(article.id)
        assert stored is not None and stored.status is ArticleStatus.WITHDRAWN
        assert stored.status_reason == "publisher opt-out of 2026-11-28: 依頼"
    store = DynamoEditorialStore(DynamoTable(aws_client("dynamodb"), pipeline.resources["Table"]))
    assert {a.id for a in store.listed(ArticleStatus.WITHDRAWN)} == {a.id for a in before}


def test_a_later_poll_and_a_redelivered_item_do_not_bring_them_back(
    run: tuple[LocalPipeline, list[Article], dict[str, object]],
) -> None:
    pipeline, before, _ = run
    # the feed is not polled again; an item of it still in the queue is analysed, not published
    summary = pipeline.fetch()
    edited = before[0].item.model_copy(
        update={"content_hash": "e" * 64, "title": "Updated", "first_seen": datetime.now(UTC)}
    )
    SqsWorkQueue(aws_client("sqs"), pipeline.resources["ItemQueue"]).enqueue(
        [ItemMessage(item=edited, reason="updated")]
    )
    pipeline.analyze()
    pipeline.render()

    assert summary["feeds"] == len([s for s in pipeline.catalogue or [] if s.polled])
    assert summary["withdrawn"] == 0  # done once: the feed state says so
    stored = _repository(pipeline).get(before[0].id)
    assert stored is not None and stored.status is ArticleStatus.WITHDRAWN
    assert stored.item.title == "Updated"
    assert before[0].path.lstrip("/") + "index.html" not in _site(pipeline)
