"""The published site on S3, written and deleted by key.

What is there, and with which bytes, is kept in the publish manifest (DynamoDB), so a
publish never lists the bucket: its cost does not grow with the site.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from frontline.domain.ports import SiteObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


_ABSENT = frozenset({"NoSuchKey", "404", "AccessDenied", "403"})


class S3SiteStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def read(self, key: str) -> bytes | None:
        """The object's bytes; None when there is none. The role may read this key but not
        list the bucket, and S3 answers a missing key to such a caller with 403, not 404."""
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _ABSENT:
                return None
            raise
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
