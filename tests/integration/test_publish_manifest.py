"""Publishing against moto: the manifest in DynamoDB stands in for listing the bucket."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bench.synthetic import synthetic_articles
from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.publish_manifest import DynamoChangeBacklog, DynamoPublishManifest
from frontline.adapters.s3_site import S3SiteStore
from frontline.domain.models import ArticleChange, ArticleStatus
from frontline.site import SiteConfig
from frontline.site.catalogue import ListedIndex
from frontline.site.publishing import publish_site
from infra.local.template_resources import LocalResources

SITE = SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://news.example")
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class ListingForbidden(AssertionError):
    pass


def forbid_listing(client: Any) -> list[str]:
    """Make every bucket listing fail; returns the names of the S3 calls made."""
    calls: list[str] = []

    def refuse(**_: Any) -> None:
        raise ListingForbidden("a publish listed the bucket")

    def record(event_name: str, **_: Any) -> None:
        calls.append(event_name.split(".")[-1])

    client.meta.events.register("before-call.s3.ListObjectsV2", refuse)
    client.meta.events.register("before-call.s3.ListObjects", refuse)
    client.meta.events.register("before-call.s3.*", record)
    return calls


def bucket_contents(s3: Any, bucket: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.fixture
def stack(local_aws: LocalResources) -> dict[str, Any]:
    session = boto3.session.Session(region_name="ap-northeast-1")
    table = DynamoTable(session.client("dynamodb"), local_aws["Table"])
    publisher_s3 = session.client("s3")
    return {
        "articles": DynamoArticleRepository(table),
        "manifest": DynamoPublishManifest(table),
        "store": S3SiteStore(publisher_s3, local_aws["SiteBucket"]),
        "s3_calls": forbid_listing(publisher_s3),
        "reader_s3": session.client("s3"),
        "bucket": local_aws["SiteBucket"],
    }


def test_publishing_never_lists_the_bucket_and_deletes_a_hidden_article_by_key(
    stack: dict[str, Any],
) -> None:
    # Given a site published in full from the table
    articles = synthetic_articles(45)
    for article in articles:
        stack["articles"].save(article)
    publish = lambda **kw: publish_site(  # noqa: E731
        stack["articles"],
        stack["store"],
        SITE,
        manifest=stack["manifest"],
        now=NOW,
        index=ListedIndex(stack["articles"]),
        **kw,
    )
    publish()
    # When one article is hidden and the stream delivers the change
    victim = articles[10]
    hidden = victim.model_copy(update={"status": ArticleStatus.HIDDEN, "updated_at": NOW})
    stack["articles"].save(hidden)
    report = publish(changes=[ArticleChange(victim, None)])
    # Then its page and JSON are deleted by key, without any listing of the bucket
    page = victim.path.strip("/") + "/index.html"
    assert page in report.deleted and f"api/v1/articles/{victim.id}.json" in report.deleted
    assert "ListObjectsV2" not in stack["s3_calls"]
    contents = bucket_contents(stack["reader_s3"], stack["bucket"])
    assert page not in contents
    # and the manifest describes the bucket exactly
    assert stack["manifest"].all_hashes() == {
        key: hashlib.sha256(body).hexdigest() for key, body in contents.items()
    }


def test_pending_pages_round_trip(stack: dict[str, Any]) -> None:
    manifest: DynamoPublishManifest = stack["manifest"]
    manifest.mark_pending(["/", "/tags/蒸留/"])
    assert manifest.pending() == ["/", "/tags/蒸留/"]
    manifest.clear_pending(["/"])
    assert manifest.pending() == ["/tags/蒸留/"]
    manifest.record({f"k{n}.html": f"h{n}" for n in range(60)})  # past one batch of 25
    assert manifest.hashes_of(["k0.html", "k59.html", "missing.html"]) == {
        "k0.html": "h0",
        "k59.html": "h59",
    }
    manifest.forget([f"k{n}.html" for n in range(30)])
    assert len(manifest.all_hashes()) == 30


def test_a_new_article_uploads_only_changed_objects(stack: dict[str, Any]) -> None:
    articles = synthetic_articles(45)
    for article in articles:
        stack["articles"].save(article)
    publish_site(
        stack["articles"],
        stack["store"],
        SITE,
        manifest=stack["manifest"],
        now=NOW,
        index=ListedIndex(stack["articles"]),
    )
    last = max(articles, key=lambda a: a.item.first_seen)
    item = last.item.model_copy(
        update={"id": "f" * 32, "first_seen": last.item.first_seen + timedelta(hours=1)}
    )
    new = last.model_copy(
        update={"id": item.id, "item": item, "path": "/articles/2026/11/27/new-ffffffff/"}
    )
    stack["articles"].save(new)
    before = stack["s3_calls"].count("PutObject")
    report = publish_site(
        stack["articles"],
        stack["store"],
        SITE,
        manifest=stack["manifest"],
        now=NOW,
        changes=[ArticleChange(None, new)],
        index=ListedIndex(stack["articles"]),
    )
    assert "articles/2026/11/27/new-ffffffff/index.html" in report.uploaded
    assert stack["s3_calls"].count("PutObject") - before == len(report.uploaded)
    assert len(report.uploaded) < report.rendered  # unchanged bytes are not uploaded again


def test_the_backlog_keeps_batches_in_order_until_settled(local_aws: LocalResources) -> None:
    session = boto3.session.Session(region_name="ap-northeast-1")
    backlog = DynamoChangeBacklog(DynamoTable(session.client("dynamodb"), local_aws["Table"]))
    first, second = synthetic_articles(2)
    # Given two stream batches and a digest-only batch
    backlog.add([ArticleChange(None, first), ArticleChange(None, second)])
    backlog.add([])
    backlog.add([ArticleChange(first, None)])
    # Then they wait in arrival order, whole, with a marker for the digest batch
    waiting = backlog.waiting()
    assert [change for _token, change in waiting] == [
        ArticleChange(None, first),
        ArticleChange(None, second),
        None,
        ArticleChange(first, None),
    ]
    assert backlog.last_publish() is None
    # When the first three are settled by a publish
    backlog.settle([token for token, _ in waiting[:3]], published_at=NOW)
    # Then only the last waits, and the publish time is kept
    assert [change for _token, change in backlog.waiting()] == [ArticleChange(first, None)]
    assert backlog.last_publish() == NOW
