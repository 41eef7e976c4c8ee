"""The published site on S3, written and deleted by key.

What is there, and with which bytes, is kept in the publish manifest (DynamoDB), so a
publish never lists the bucket: its cost does not grow with the site.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from frontline.domain.ports import SiteObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3SiteStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

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
