"""fetch_feeds end to end: loopback feeds → moto table and queue."""

import boto3
from moto import mock_aws

from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REPO, LocalPipeline


def queued(pipeline: LocalPipeline) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=pipeline.resources["ItemQueue"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_a_second_fetch_of_unchanged_feeds_enqueues_nothing(aws_env) -> None:
    with mock_aws(), serve_feeds(DEMO_FEEDS) as base:
        # Given the demo feeds served over loopback and the stack from template.yaml
        pipeline = LocalPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=demo_catalogue(base),
        )
        # When the fetcher runs twice
        first = pipeline.fetch()
        after_first = queued(pipeline)
        second = pipeline.fetch()
        # Then every demo item is queued once, and the second run queues nothing (304s)
        assert first["queued"] == after_first >= 24
        assert second["queued"] == 0
        assert second["not_modified"] == second["feeds"]
        assert queued(pipeline) == after_first


def test_an_unreachable_feed_does_not_stop_the_others(aws_env) -> None:
    with mock_aws(), serve_feeds(DEMO_FEEDS) as base:
        catalogue = demo_catalogue(base)
        broken = catalogue[0].model_copy(update={"id": "gone", "url": f"{base}/missing.xml"})
        pipeline = LocalPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=[broken, *catalogue],
        )
        summary = pipeline.fetch()
        assert summary["errors"] == 1
        assert summary["queued"] >= 24
