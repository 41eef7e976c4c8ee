"""Integration fixtures: moto accounts built from template.yaml, and loopback servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from frontline.config import AnalyzeSettings, load_settings
from infra.local.template_resources import LocalResources, create_local_stack
from tests.converse import MODEL

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def local_aws(aws_env: None) -> Iterator[LocalResources]:
    """The template's tables, queues and bucket, created in moto's CloudFormation."""
    with mock_aws():
        yield create_local_stack(boto3.session.Session(region_name="ap-northeast-1"))


@pytest.fixture
def bedrock_settings(local_aws: LocalResources) -> AnalyzeSettings:
    """The worker's settings as the template sets them, with Bedrock, against moto."""
    return load_settings(
        AnalyzeSettings,
        table_name=local_aws["Table"],
        site_title="t",
        site_tagline="t",
        site_url="https://news.example",
        config_dir=REPO / "config",
        llm_provider="bedrock",
        bedrock_model_id=MODEL,
        daily_budget_usd=5,
        queue_url=local_aws["ItemQueue"],
        dead_letter_queue_url=local_aws["ItemDeadLetterQueue"],
        fetch_pages=False,
    )
