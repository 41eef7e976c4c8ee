"""Text embeddings on Amazon Bedrock (InvokeModel): Titan Text Embeddings v2 or Cohere Embed.

The model is a template parameter (EmbeddingModelId). Each family has its own JSON body:
Titan takes one text per call and returns `embedding`; Cohere takes a batch of `texts` with
an `input_type` and returns `embeddings`. Vectors are normalised by the model (Titan) or
used as returned (Cohere): story placement compares them by cosine, beside its offline signals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from frontline.adapters.bedrock_errors import provider_error_of
from frontline.domain.ports import ProviderRejected, ProviderRetryable

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

TITAN_DIMENSIONS: Final = 256  # Titan v2 offers 256, 512 or 1024: 256 keeps story items small
MAX_CHARS: Final = 2_000  # a headline and the summary's opening are what is embedded
COHERE_BATCH: Final = 96  # Cohere Embed's limit of texts per call


def _titan(texts: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"inputText": text[:MAX_CHARS], "dimensions": TITAN_DIMENSIONS, "normalize": True}
        for text in texts
    ]


def _cohere(texts: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"texts": [t[:MAX_CHARS] for t in texts[i : i + COHERE_BATCH]], "input_type": "clustering",
         "truncate": "END"}
        for i in range(0, len(texts), COHERE_BATCH)
    ]  # fmt: skip


def _titan_vectors(answer: dict[str, Any]) -> list[tuple[float, ...]]:
    return [tuple(float(x) for x in answer["embedding"])]


def _cohere_vectors(answer: dict[str, Any]) -> list[tuple[float, ...]]:
    embeddings = answer["embeddings"]
    if isinstance(embeddings, dict):  # asked with embedding_types: {"float": [...]}
        embeddings = embeddings["float"]
    return [tuple(float(x) for x in vector) for vector in embeddings]


# Model family (the id's prefix) → how its requests are built and its answers read.
FAMILIES: Final[
    dict[
        str,
        tuple[
            Callable[[Sequence[str]], list[dict[str, Any]]],
            Callable[[dict[str, Any]], list[tuple[float, ...]]],
        ],
    ]
] = {
    "amazon.titan-embed": (_titan, _titan_vectors),
    "cohere.embed": (_cohere, _cohere_vectors),
}


def family_of(model_id: str) -> str:
    for prefix in FAMILIES:
        if model_id.split(":")[0].startswith(prefix) or f".{prefix}" in model_id:
            return prefix
    raise ValueError(f"no embeddings family for model '{model_id}' (Titan or Cohere Embed)")


class BedrockEmbedder:
    """A TextEmbedder over a boto3 `bedrock-runtime` client."""

    def __init__(self, client: BedrockRuntimeClient, model_id: str) -> None:
        self._client = client
        self._model_id = model_id
        self._requests, self._vectors = FAMILIES[family_of(model_id)]

    @property
    def model_id(self) -> str:
        return self._model_id

    def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        vectors: list[tuple[float, ...]] = []
        for body in self._requests(texts):
            try:
                response = self._client.invoke_model(
                    modelId=self._model_id,
                    body=json.dumps(body).encode(),
                    contentType="application/json",
                    accept="application/json",
                )
            except ClientError as exc:
                raise provider_error_of(exc) from exc
            except BotoCoreError as exc:
                raise ProviderRetryable(f"Bedrock embeddings unreachable: {exc}") from exc
            try:
                vectors += self._vectors(json.loads(response["body"].read()))
            except (KeyError, TypeError, ValueError) as exc:
                raise ProviderRejected(f"Bedrock embeddings: unexpected answer ({exc})") from exc
        return vectors
