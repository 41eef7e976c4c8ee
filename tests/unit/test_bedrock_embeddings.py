"""Embeddings for stories on Bedrock InvokeModel, through botocore's Stubber: each model
family's request body and answer, and errors as the domain's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from frontline.adapters.bedrock_embeddings import BedrockEmbedder
from frontline.domain.ports import ProviderRejected, ProviderRetryable

TITAN = "amazon.titan-embed-text-v2:0"
COHERE = "cohere.embed-multilingual-v3"


@pytest.fixture
def runtime(aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("bedrock-runtime", region_name="ap-northeast-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def answer(document: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(document).encode()
    return {"body": StreamingBody(io.BytesIO(body), len(body)), "contentType": "application/json"}


def request(model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "modelId": model_id,
        "body": json.dumps(body).encode(),
        "contentType": "application/json",
        "accept": "application/json",
    }


def test_titan_v2_embeds_one_text_per_call_at_256_normalised_dimensions(runtime) -> None:
    client, stubber = runtime
    for text, vector in (("Kinetica raises $1.2B", [0.6, 0.8]), ("Magistral 2 is out", [1.0, 0.0])):
        body = {"inputText": text, "dimensions": 256, "normalize": True}
        stubber.add_response(
            "invoke_model",
            answer({"embedding": vector, "inputTextTokenCount": 6}),
            request(TITAN, body),
        )
    vectors = BedrockEmbedder(client, TITAN).embed(["Kinetica raises $1.2B", "Magistral 2 is out"])
    assert vectors == [(0.6, 0.8), (1.0, 0.0)]


def test_cohere_embeds_a_batch_for_clustering(runtime) -> None:
    client, stubber = runtime
    body = {"texts": ["a", "b"], "input_type": "clustering", "truncate": "END"}
    stubber.add_response(
        "invoke_model",
        answer({"id": "x", "texts": ["a", "b"], "embeddings": [[0.1, 0.2], [0.3, 0.4]]}),
        request(COHERE, body),
    )
    assert BedrockEmbedder(client, COHERE).embed(["a", "b"]) == [(0.1, 0.2), (0.3, 0.4)]


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ThrottlingException", 429, ProviderRetryable),
        ("AccessDeniedException", 403, ProviderRejected),
    ],
)
def test_errors_are_the_domains(runtime, code: str, status: int, error: type[Exception]) -> None:
    client, stubber = runtime
    stubber.add_client_error("invoke_model", service_error_code=code, http_status_code=status)
    with pytest.raises(error):
        BedrockEmbedder(client, TITAN).embed(["text"])


def test_an_unknown_model_family_fails_at_start(runtime) -> None:
    client, _ = runtime
    with pytest.raises(ValueError, match="no embeddings family"):
        BedrockEmbedder(client, "amazon.nova-lite-v1:0")
