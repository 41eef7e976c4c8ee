"""The published site on S3: objects are written only when their bytes changed.

S3's ETag of a single-part upload without SSE-KMS is the MD5 of the bytes, so one
ListObjectsV2 pass tells what is already there, without a HEAD per object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from frontline.domain.ports import SiteObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def md5_hex(body: bytes) -> str:
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


class S3SiteStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def existing_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket):
            for obj in page.get("Contents", []):
                hashes[obj["Key"]] = obj["ETag"].strip('"')
        return hashes

    def hash_of(self, body: bytes) -> str:
        return md5_hex(body)

    def read(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except self._client.exceptions.NoSuchKey:
            return None
        return response["Body"].read()

    def put(self, obj: SiteObject) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=obj.key,
            Body=obj.body,
            ContentType=obj.content_type,
            CacheControl=obj.cache_control,
        )

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            self._client.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True},
            )
