"""Faults the pipeline survives stay survived: each schedule in the registry, over the demo,
with the census after every step (see tests/faults/harness.py)."""

from __future__ import annotations

import random

import pytest
from moto import mock_aws

from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REPO
from tests.faults.chaos import failures_of, run_schedules
from tests.faults.harness import Faults, FaultyPipeline, RunResult, take_census
from tests.faults.schedules import SCHEDULES, random_schedule
from tests.site_fixture import AWS_TEST_ENV

DEMO_ITEMS = 34  # claimed by the first poll of the demo feeds (one more is filtered out)
DEMO_JOINED = 3  # later reports of a story: sources of its article, not articles
DEMO_ARTICLES = DEMO_ITEMS - DEMO_JOINED

# What each schedule must have done, or it tested nothing.
EXPECTED_INJECTIONS = {
    "s3-throttling": "throttle s3:PutObject",
    "dynamodb-throttling": "throttle dynamodb:PutItem",
    "crash-mid-batch": "crash",
    "redelivery": "drop DeleteMessageBatch",
    "partial-send-batch-failures": "drop SendMessageBatch",
    "send-batch-raises": "kill sqs:SendMessageBatch",
    "stale-version-last": "hold older version",
    "poison-article": "poison article",
    "concurrent-delivery": "twin delivery",
    "uploads-keep-failing": "throttle s3:PutObject",
}
SURVIVED_BEFORE = {
    "s3-throttling",
    "dynamodb-throttling",
    "crash-mid-batch",
    "redelivery",
    "partial-send-batch-failures",
}


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_the_pipeline_survives(name: str) -> None:
    schedule = SCHEDULES[name]

    result = run_schedules([schedule], seed=11)

    assert failures_of(result, [schedule]) == [], result.report()
    same_story = 1 if name == "same-url-new-guid" else 0
    assert (result.final.fetched, result.final.same_story) == (DEMO_ITEMS + same_story, same_story)
    assert (result.final.published, result.final.joined) == (DEMO_ARTICLES, DEMO_JOINED)
    assert result.site_matches_full_render
    assert result.final.model_tokens > 0  # the stubbed model was called and billed
    expected = [
        key
        for n, key in EXPECTED_INJECTIONS.items()
        if n == name or (name == "everything" and n in SURVIVED_BEFORE)
    ]
    assert all(result.injected[key] > 0 for key in expected), result.injected


def run_alone(name: str) -> RunResult:
    result = run_schedules([SCHEDULES[name]], seed=11)
    assert failures_of(result, [SCHEDULES[name]]) == [], result.report()
    return result


def reasons(result: RunResult) -> set[str]:
    return {reason for _, census in result.censuses for reason in census.waiting.values()}


def test_claims_a_dead_poll_left_unqueued_wait_for_the_sweep() -> None:
    result = run_alone("send-batch-raises")

    # A poll died at its first send, and three sends failed past the SDK's retries (their
    # claims were released: not counted as known, claimed again by the next poll)
    assert result.injected["kill sqs:SendMessageBatch"] == 1
    assert result.injected["failed step: fetch"] == 1
    assert result.injected["throttle sqs:SendMessageBatch"] == 15
    assert result.censuses[0][1].fetched < DEMO_ITEMS
    # Its claims waited, with the reason, until the next poll after the deadline swept them
    assert "claimed, not yet queued: the sweep queues it" in reasons(result)
    assert (result.final.fetched, result.final.published) == (DEMO_ITEMS, DEMO_ARTICLES), (
        result.report()
    )


def test_an_older_version_delivered_last_is_dropped() -> None:
    result = run_alone("stale-version-last")

    assert result.injected["hold older version"] == 1
    assert result.final.stale == [] and result.final.published == DEMO_ARTICLES


def test_a_page_that_raises_is_reported_by_id_and_published_once_it_renders() -> None:
    result = run_alone("poison-article")

    (poisoned,) = result.poisoned
    assert set(result.render_failures) == {poisoned}  # the rest of each publish went out
    assert "page pending: the next publish renders it" in reasons(result)
    assert result.healing["uploaded"] >= 1  # the drain published it once it rendered
    assert result.final.published == DEMO_ARTICLES


def test_a_story_under_a_new_guid_is_not_published_twice() -> None:
    result = run_alone("same-url-new-guid")

    assert result.final.same_story == 1
    assert result.final.duplicates == [] and result.final.published == DEMO_ARTICLES


def test_two_deliveries_at_once_call_the_model_once_per_item() -> None:
    result = run_alone("concurrent-delivery")

    assert result.injected["twin delivery"] == 5
    calls = {url: n for url, n in result.model_calls.items() if url.startswith("https://")}
    assert len(calls) == DEMO_ARTICLES  # a story's later reports are no analyses of their own
    # The answer and its repair, once per analysis: a story's lead, and each re-analysis
    # that a source with new facts caused (which of its reports came first decides how many)
    assert set(calls.values()) <= {2, 4, 6} and 2 in set(calls.values())
    assert result.final.spend_tokens == result.final.model_tokens


def test_failed_uploads_heal_by_the_drain_alone() -> None:
    result = run_alone("uploads-keep-failing")

    assert result.injected["failed render invocations"] >= 1
    # After the faults, no new article and no rebuild: the poll's feed states (one stream
    # batch, for the source health page) and the drain's invocation healed it
    assert result.healing["invocations"] == 2 and result.healing["uploaded"] > 0
    assert result.site_matches_full_render


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_schedules_leave_the_census_clean(seed: int) -> None:
    schedules = random_schedule(random.Random(seed))

    result = run_schedules(schedules, seed)

    assert failures_of(result, schedules) == [], result.report()


def test_the_census_counts_an_item_that_vanished_as_lost() -> None:
    """The census can fail: claimed items whose messages disappear are reported lost."""
    with mock_aws(), serve_feeds(DEMO_FEEDS) as feeds_base:
        pipeline = FaultyPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=demo_catalogue(feeds_base),
            quiet=True,
        )
        pipeline.faults = Faults(random.Random(0))
        pipeline.fetch()
        before = take_census(pipeline)
        from frontline.bootstrap import aws_client

        aws_client("sqs").purge_queue(QueueUrl=pipeline.resources["ItemQueue"])
        after = take_census(pipeline)

    assert (before.fetched, len(before.waiting), before.lost) == (DEMO_ITEMS, DEMO_ITEMS, [])
    assert len(after.lost) == DEMO_ITEMS
    assert len(after.problems()) == DEMO_ITEMS


def test_the_census_flags_spend_that_differs_from_the_models_bill() -> None:
    from tests.faults.harness import Census

    assert Census(spend_tokens=7200, model_tokens=7200).problems() == []
    assert Census(spend_tokens=3600, model_tokens=7200).problems() == [
        "spend: 3600 tokens recorded, 7200 billed"
    ]


def test_chaos_stops_starting_seeds_at_its_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.faults.chaos import main, seed_range

    assert list(seed_range("3-5")) == [3, 4, 5]
    assert list(seed_range("7")) == [7]
    assert main(["--seconds", "0", "--seeds", "1-1000"]) == 0
    assert capsys.readouterr().out.strip() == "chaos: 0 seeds, 0 failed"
