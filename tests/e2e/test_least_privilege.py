"""The whole pipeline in moto with IAM enforced: each function runs under its own role.

Roles come from template.yaml after the SAM transform, one per function found there, so a
function added to the template is covered without naming it here. A grant that is missing
fails the run (the handler's call is denied); a grant that nothing uses fails
`test_every_grant_is_used`, unless it is listed in NOT_EXERCISED_LOCALLY with the reason the
local run cannot reach it. Conditions (dynamodb:LeadingKeys) are checked by
tests/unit/test_template.py; here the partition keys the fetch role actually wrote are
checked against the same prefixes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import boto3
import pytest
from moto import mock_aws

from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.site_index import DynamoSiteIndex
from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.least_privilege import (
    CallLog,
    Credentials,
    FunctionRole,
    access_control,
    create_identities,
    dropped_conditions,
    function_roles,
)
from infra.local.pipeline import REGION, REPO, LocalPipeline
from infra.local.template_resources import load_template
from tests.site_fixture import AWS_TEST_ENV

# Statements (role, Sid; "*" for every role) the local run cannot reach, and why.
NOT_EXERCISED_LOCALLY: dict[tuple[str, str], str] = {
    ("*", "WriteOwnLogs"): "the Lambda service writes the function's logs",
    ("*", "SendTraces"): "Tracing: Active, sent by the Lambda runtime",
    ("*", "ReportFailedScheduledRuns"): "Lambda's asynchronous retries are not emulated",
    ("RequeueWaitingItemsRole", "FindArticlesWaitingForAnalysis"): "nothing waits without an LLM",
    ("RequeueWaitingItemsRole", "EnqueueWaitingItems"): "nothing waits without an LLM",
    ("AnalyzeItemRole", "ParkRejectedItems"): "only for a request the provider refused",
    ("AnalyzeItemRole", "InvokeConfiguredModel"): "the local run uses the heuristic provider",
    ("AnalyzeItemRole", "InvokeProfileModelInDestinationRegions"): "the heuristic provider",
    ("RenderSiteRole", "InvalidateChangedPaths"): "no distribution in moto",
    ("RenderSiteRole", "ReportFailedBatches"): "the stream's on-failure destination",
    ("RebuildSiteRole", "InvalidateChangedPaths"): "no distribution in moto",
}
# Actions of a statement that is otherwise exercised, which the local run cannot reach.
ACTIONS_NOT_EXERCISED_LOCALLY: dict[tuple[str, str], str] = {
    ("FetchFeedsRole", "dynamodb:DeleteItem"): "releasing claims when queueing fails",
    ("AnalyzeItemRole", "dynamodb:UpdateItem"): "spend is counted only for a real LLM",
    ("RenderSiteRole", "dynamodb:ListStreams"): "the stream event source lists streams",
    ("RenderSiteRole", "s3:DeleteObject"): "only when a page leaves the site",
    ("RenderSiteRole", "sqs:DeleteMessage"): "only when a lost stream batch is re-driven",
    ("RenderSiteRole", "dynamodb:DeleteItem"): "only when an article leaves a posting list",
    ("RebuildSiteRole", "s3:DeleteObject"): "only when a page left the site since the last rebuild",
}


@dataclass
class EnforcedRun:
    pipeline: LocalPipeline
    roles: list[FunctionRole]
    credentials: dict[str, Credentials]
    log: CallLog
    summaries: dict[str, Any]
    site: Path


def run_enforced(template: dict[str, Any], output: Path) -> EnforcedRun:
    """fetch → analyse → digests → analyse → render → nightly rebuild, each as its role."""
    with mock_aws(), serve_feeds(DEMO_FEEDS) as feeds_base:
        pipeline = LocalPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=demo_catalogue(feeds_base),
            template=template,
            quiet=True,
        )
        roles = function_roles(template, pipeline.resources)
        operator, credentials = create_identities(boto3.session.Session(region_name=REGION), roles)
        pipeline.operator, pipeline.function_credentials = operator, credentials
        with access_control() as log:
            summaries = {
                "fetch": pipeline.fetch(),
                "analyse": pipeline.analyze(),
                "digests": pipeline.request_digests(),
                "analyse_digests": pipeline.analyze(),
                "render": pipeline.render(),
                "rebuild": pipeline.render(full_rebuild=True),
                "partitioned_rebuild": pipeline.rebuild(),
            }
            summaries["schedules"] = {
                f"{role.handler}/{name}": pipeline.scheduled(role.handler, event)
                for role in roles
                for name, event in scheduled_events(template, role.function)
            }
            summaries["analyse_scheduled"] = pipeline.analyze()
            summaries["render_scheduled"] = pipeline.render()
            pipeline.export_site(output)
        table = DynamoTable(
            boto3.client("dynamodb", region_name=REGION), pipeline.resources["Table"]
        )
        summaries["site_index"] = {
            "indexed": DynamoSiteIndex(table).count(),
            "public": len(DynamoArticleRepository(table).list_public()),
            "changed_by_a_second_pass": DynamoSiteIndex(table).reconcile_all(),
        }
    return EnforcedRun(pipeline, roles, credentials, log, summaries, output)


def scheduled_events(template: dict[str, Any], function: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, the event Scheduler sends) for each ScheduleV2 event of the function."""
    events = template["Resources"][function]["Properties"].get("Events", {})
    return [
        (name, json.loads(event["Properties"].get("Input", "{}")))
        for name, event in events.items()
        if event["Type"] == "ScheduleV2"
    ]


@pytest.fixture(scope="module")
def enforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnforcedRun]:
    mp = pytest.MonkeyPatch()
    for name, value in AWS_TEST_ENV.items():
        mp.setenv(name, value)
    yield run_enforced(load_template(), tmp_path_factory.mktemp("iam") / "_site")
    mp.undo()


def _granted(role: FunctionRole) -> list[tuple[str, str, str]]:
    """(Sid, action, resource pattern) for every Allow statement of the role."""
    grants: list[tuple[str, str, str]] = []
    for document in role.policies.values():
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            resources = (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            )
            grants += [
                (statement.get("Sid", ""), action, resource)
                for action in actions
                for resource in resources
            ]
    return grants


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), value) is not None


def test_every_function_in_the_template_runs_under_its_own_role(enforced: EnforcedRun) -> None:
    handlers = {role.handler for role in enforced.roles}

    assert handlers == {p.name for p in (REPO / "functions").iterdir() if (p / "app.py").is_file()}
    assert len({role.role for role in enforced.roles}) == len(enforced.roles)
    assert enforced.pipeline.invoked >= handlers, "a function the local run never invokes"


def test_the_pipeline_and_the_digests_succeed_under_their_roles(enforced: EnforcedRun) -> None:
    summaries = enforced.summaries

    assert summaries["fetch"]["new"] == 34
    assert summaries["fetch"]["errors"] == 0
    assert summaries["analyse"] == {"analysed": 34, "failed": 0}
    assert summaries["analyse_digests"] == {
        "analysed": summaries["digests"]["daily"] + summaries["digests"]["weekly"],
        "failed": 0,
    }
    assert summaries["schedules"] == {
        "requeue_waiting_items/AfterBudgetReset": {"queued": 0},  # heuristic: none wait
        "request_digest/DailyDigest": {"kind": "daily", "period": ANY},
        "request_digest/WeeklyDigest": {"kind": "weekly", "period": ANY},
        "fetch_feeds/Scheduled": ANY,
        "render_site/DrainBacklog": ANY,
    }
    assert summaries["schedules"]["fetch_feeds/Scheduled"]["errors"] == 0
    assert summaries["analyse_scheduled"] == {"analysed": 2, "failed": 0}  # the two digests
    assert (enforced.site / "daily" / "index.html").is_file()
    assert (enforced.site / "weekly" / "index.html").is_file()
    assert len(list(enforced.site.glob("articles/*/*/*/*/index.html"))) >= 24


def test_the_renderer_keeps_the_site_index_under_its_role(enforced: EnforcedRun) -> None:
    index = enforced.summaries["site_index"]

    assert index["indexed"] == index["public"] >= 24
    assert index["changed_by_a_second_pass"] == 0


def _exempt(role: str, sid: str, action: str) -> bool:
    return (
        (role, sid) in NOT_EXERCISED_LOCALLY
        or ("*", sid) in NOT_EXERCISED_LOCALLY
        or (role, action) in ACTIONS_NOT_EXERCISED_LOCALLY
    )


def test_every_grant_is_used(enforced: EnforcedRun) -> None:
    unused: list[str] = []
    for role in enforced.roles:
        used = enforced.log.by(enforced.credentials[role.handler])
        for sid, action, pattern in _granted(role):
            if _exempt(role.role, sid, action):
                continue
            if not any(a == action and _matches(pattern, r) for a, r in used):
                unused.append(f"{role.role}/{sid}: {action} on {pattern}")

    assert unused == []


def test_every_exemption_names_a_real_grant(enforced: EnforcedRun) -> None:
    grants = [(role.role, *grant) for role in enforced.roles for grant in _granted(role)]
    statements = {(role, sid) for role, sid, _, _ in grants}
    statements |= {("*", sid) for _, sid in statements}

    assert set(NOT_EXERCISED_LOCALLY) <= statements
    assert set(ACTIONS_NOT_EXERCISED_LOCALLY) <= {(role, action) for role, _, action, _ in grants}


def test_fetch_writes_only_claim_and_feed_keys(enforced: EnforcedRun) -> None:
    keys = enforced.log.keys_by(enforced.credentials["fetch_feeds"])

    assert {action for action, _ in keys} == {
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",  # the claim's queued mark
    }
    assert {pk.split("#", 1)[0] for _, pk in keys} == {"ITEM", "URL", "FEED"}


def _without_statement(template: dict[str, Any], role: str, sid: str) -> dict[str, Any]:
    changed = copy.deepcopy(template)
    document = changed["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
    return changed


def test_a_missing_grant_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Query on ByPublished the analysis role cannot write the digests (as in AWS)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    template = _without_statement(
        load_template(), "AnalyzeItemRole", "ReadPeriodArticlesForDigests"
    )

    run = run_enforced(template, tmp_path / "_site")

    assert run.summaries["analyse"] == {"analysed": 34, "failed": 0}
    assert run.summaries["analyse_digests"]["analysed"] == 0
    assert run.summaries["analyse_digests"]["failed"] == sum(run.summaries["digests"].values())


def test_the_conditions_moto_cannot_judge_are_the_ones_the_template_tests_cover(
    enforced: EnforcedRun,
) -> None:
    """tests/unit/test_template.py checks exactly these two statements' conditions."""
    dropped = dropped_conditions(load_template(), enforced.pipeline.resources)

    assert [line.split(":", 1)[0] for line in dropped] == [
        "FetchFeedsRole/ClaimItemsAndKeepFeedState",
        "AnalyzeItemRole/InvokeProfileModelInDestinationRegions",
    ]
