"""Bedrock's errors as the domain's: retried later (SQS redelivers), or refused for good."""

from __future__ import annotations

from typing import Final

from botocore.exceptions import ClientError

from frontline.domain.ports import ProviderRejected, ProviderRetryable

# Error codes that go away when tried again later: SQS retries the record.
RETRYABLE_CODES: Final = frozenset(
    {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "ModelTimeoutException",
        "InternalServerException",
        "ServiceQuotaExceededException",
        # The model failed while processing an accepted request (HTTP 424): not the request's
        # fault, and SQS's receive count bounds how often it is tried.
        "ModelErrorException",
    }
)
# Error codes that retrying cannot fix: a bad request, no access, no such model.
REJECTED_CODES: Final = frozenset(
    {
        "ValidationException",
        "AccessDeniedException",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "ExpiredTokenException",
    }
)


def provider_error_of(exc: ClientError) -> ProviderRetryable | ProviderRejected:
    """A Bedrock error as the domain's: retried later, or refused for good."""
    error = exc.response.get("Error", {})
    metadata = exc.response.get("ResponseMetadata", {})
    code = str(error.get("Code", "Unknown"))
    status = int(metadata.get("HTTPStatusCode", 0) or 0)
    request_id = metadata.get("RequestId")
    reason = f"Bedrock {code}: {error.get('Message', '')}".strip()
    if code in RETRYABLE_CODES or (code not in REJECTED_CODES and (status == 429 or status >= 500)):
        return ProviderRetryable(reason, request_id=request_id)
    return ProviderRejected(reason, request_id=request_id)
