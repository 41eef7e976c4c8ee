"""The published site on S3 (moto, the template's bucket): reads, writes, deletes by key."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from frontline.adapters.s3_site import S3SiteStore
from frontline.domain.ports import SiteObject
from infra.local.template_resources import LocalResources


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _answer_get_object_with(client: Any, status: int, code: str) -> None:
    """S3 answers GetObject with an error, as it does a caller without s3:ListBucket (403)."""
    body = f"<Error><Code>{code}</Code><Message>no</Message></Error>".encode()

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        response = AWSResponse("https://s3", status, {}, _Raw(body))
        return response, {"Error": {"Code": code, "Message": "no"}}

    client.meta.events.register("before-call.s3.GetObject", answer)


def test_an_object_is_read_back_and_a_missing_one_is_none(local_aws: LocalResources) -> None:
    # Given the site bucket with one object
    store = S3SiteStore(boto3.client("s3", region_name="ap-northeast-1"), local_aws["SiteBucket"])
    body = b'{"archive_cutoff":"2026-11-27T03:00:00+00:00"}'
    store.put(SiteObject("search/tiers.json", body, "application/json", "no-cache"))
    # Then its bytes are read back and an absent key is None
    assert store.read("search/tiers.json") == body
    assert store.read("search/absent.json") is None
    # And once deleted, it is gone
    store.delete(["search/tiers.json"])
    assert store.read("search/tiers.json") is None


def test_a_missing_key_answered_with_403_is_none(local_aws: LocalResources) -> None:
    # Given a role that may read one key but not list the bucket: S3 answers 403 when absent
    client = boto3.client("s3", region_name="ap-northeast-1")
    _answer_get_object_with(client, 403, "AccessDenied")
    # Then reading it is None, not an error that would stop every publish
    assert S3SiteStore(client, local_aws["SiteBucket"]).read("search/tiers.json") is None


def test_other_read_errors_are_raised(local_aws: LocalResources) -> None:
    client = boto3.client("s3", region_name="ap-northeast-1")
    _answer_get_object_with(client, 400, "InvalidRequest")
    with pytest.raises(ClientError):
        S3SiteStore(client, local_aws["SiteBucket"]).read("search/tiers.json")
