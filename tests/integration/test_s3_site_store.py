"""The published site on S3 (moto, the template's bucket): hashes, reads, writes, deletes."""

from __future__ import annotations

import hashlib

import boto3

from frontline.adapters.s3_site import S3SiteStore
from frontline.domain.ports import SiteObject
from infra.local.template_resources import LocalResources


def test_an_object_is_read_back_and_a_missing_one_is_none(local_aws: LocalResources) -> None:
    # Given the site bucket with one object
    store = S3SiteStore(boto3.client("s3", region_name="ap-northeast-1"), local_aws["SiteBucket"])
    body = b'{"archive_cutoff":"2026-11-27T03:00:00+00:00"}'
    store.put(SiteObject("search/tiers.json", body, "application/json", "no-cache"))
    # Then its bytes are read back, its hash is the MD5 S3 reports, and an absent key is None
    assert store.read("search/tiers.json") == body
    assert store.read("search/absent.json") is None
    assert store.existing_hashes() == {"search/tiers.json": hashlib.md5(body).hexdigest()}
    # And once deleted, it is gone
    store.delete(["search/tiers.json"])
    assert store.read("search/tiers.json") is None
