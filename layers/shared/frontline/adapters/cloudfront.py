"""CloudFront invalidations: one request per publish for the pages that changed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient


class CloudFrontInvalidator:
    def __init__(self, client: CloudFrontClient, distribution_id: str) -> None:
        self._client = client
        self._distribution_id = distribution_id

    def invalidate(self, paths: Sequence[str], *, reference: str) -> None:
        if not paths:
            return
        encoded = [quote(path, safe="/*") for path in paths]  # non-ASCII tag paths
        digest = hashlib.sha256("\n".join(encoded).encode()).hexdigest()[:16]
        self._client.create_invalidation(
            DistributionId=self._distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(encoded), "Items": encoded},
                # one publish, one reference: a retried call is not invalidated twice
                "CallerReference": f"{reference}-{digest}",
            },
        )
