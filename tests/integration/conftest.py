"""Integration fixtures: moto accounts built from template.yaml, and loopback servers."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from infra.local.template_resources import LocalResources, create_local_stack


@pytest.fixture
def local_aws(aws_env: None) -> Iterator[LocalResources]:
    """The template's tables, queues and bucket, created in moto's CloudFormation."""
    with mock_aws():
        yield create_local_stack(boto3.session.Session(region_name="ap-northeast-1"))
