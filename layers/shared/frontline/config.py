"""Typed configuration: one settings model per function, and the operator's config files.

Settings come from the environment (template.yaml sets every variable) and are validated once,
when a handler first needs them; a missing or malformed variable fails loudly with its name.
Config files (feeds.yaml, glossary.yaml, entities.yaml, grounding.yaml, prices.yaml) come
from CONFIG_DIR: the ConfigLayer's /opt in Lambda, the repository's config/ locally.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from frontline.domain.models import FeedSource
from frontline.domain.ports import Usage
from frontline.domain.vocabulary import Vocabulary, parse_vocabulary

if TYPE_CHECKING:
    from frontline.domain.grounding import GroundingRules

REPO_CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


class ConfigurationError(Exception):
    """Raised at start-up when the environment or a config file is unusable."""


class _Settings(BaseModel):
    """A function's environment: each field is the variable of the same name, upper-cased.

    A plain pydantic model read from `os.environ` (pydantic-settings would add its secret
    providers and asyncio to every cold start, about 100 ms, for nothing used here).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(min_length=1)
    site_title: str = Field(min_length=1)
    site_tagline: str = Field(min_length=1)
    site_url: str = Field(pattern=r"^https?://[^/\s]+$")  # links, feeds, the User-Agent
    config_dir: Path


class FetchSettings(_Settings):
    queue_url: str = Field(min_length=1)
    # Loopback and private addresses are refused unless this is set: local runs and tests only.
    allow_private_network: bool = False
    max_concurrency: int = Field(default=40, ge=1, le=200)  # per host: 2
    first_poll_cutoff_days: int | None = Field(default=7, ge=0)


class AnalyzeSettings(_Settings):
    llm_provider: Literal["bedrock", "openai", "heuristic"]
    bedrock_model_id: str = Field(min_length=1)
    daily_budget_usd: float = Field(ge=0)
    queue_url: str = Field(min_length=1)
    dead_letter_queue_url: str = Field(min_length=1)
    openai_base_url: str = Field(default="https://api.openai.com/v1", pattern=r"^https?://\S+$")
    openai_model: str = Field(default="gpt-4.1-mini", min_length=1)
    openai_api_key_secret_arn: str = ""  # empty: no key (a local server)
    fetch_pages: bool = True  # read the page when the feed carries only a teaser
    allow_private_network: bool = False
    # Stories: how far apart two reports of one event may be, how often a story is analysed
    # again for new facts, and the Bedrock embeddings model beside the offline signals
    # (empty: offline signals only).
    story_window_hours: int = Field(default=72, ge=1, le=24 * 14)
    story_reanalysis_cap: int = Field(default=2, ge=0, le=10)
    embedding_model_id: str = ""

    @property
    def model_id(self) -> str | None:
        return {"bedrock": self.bedrock_model_id, "openai": self.openai_model}.get(
            self.llm_provider
        )


class RequeueSettings(_Settings):
    queue_url: str = Field(min_length=1)
    llm_provider: Literal["bedrock", "openai", "heuristic"]  # heuristic: nothing ever waits


class DigestRequestSettings(_Settings):
    queue_url: str = Field(min_length=1)


class RenderSettings(_Settings):
    site_bucket: str = Field(min_length=1)
    distribution_id: str = ""  # empty locally: there is no CDN to invalidate


def load_settings[S: _Settings](settings_type: type[S], **overrides: Any) -> S:
    """Validate the environment into `settings_type`, naming each bad variable."""
    environment = {name.lower(): value for name, value in os.environ.items()}
    try:
        return settings_type.model_validate(environment | overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigurationError(
            f"invalid environment for {settings_type.__name__}: {problems}"
        ) from None


# --- Config files ---------------------------------------------------------------------------


def _read_yaml(path: Path) -> object:
    import yaml  # lazy: only start-up reads config files

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from None


def _entries(path: Path, document: object, key: str) -> list[Any]:
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise ConfigurationError(f"{path}: expected a top-level '{key}:' list")
    entries: list[Any] = document[key]
    return entries


def _describe(error_loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in error_loc) or "(entry)"


def parse_catalogue(path: Path, document: object) -> list[FeedSource]:
    """Validate a feeds document; every error names the file, the entry and the field."""
    sources: list[FeedSource] = []
    seen: set[str] = set()
    for index, raw in enumerate(_entries(path, document, "feeds"), start=1):
        label = f"entry {index}"
        if isinstance(raw, dict) and raw.get("id"):
            label += f" (id '{raw['id']}')"
        try:
            source = FeedSource.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigurationError(
                f"{path}: {label}: {_describe(first['loc'])}: {first['msg']}"
            ) from None
        if source.id in seen:
            raise ConfigurationError(f"{path}: {label}: id: duplicate feed id '{source.id}'")
        seen.add(source.id)
        sources.append(source)
    return sources


def load_catalogue(path: Path) -> list[FeedSource]:
    return parse_catalogue(path, _read_yaml(path))


@cache
def load_vocabulary(config_dir: Path) -> Vocabulary:
    glossary_path = config_dir / "glossary.yaml"
    entities_path = config_dir / "entities.yaml"
    keywords_path = config_dir / "keywords.yaml"
    try:
        return parse_vocabulary(
            _read_yaml(glossary_path), _read_yaml(entities_path), _read_yaml(keywords_path)
        )
    except ValueError as exc:
        raise ConfigurationError(f"{config_dir}: {exc}") from None


class _GroundingDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kana: dict[Annotated[str, StringConstraints(pattern=r"^[ァ-ヺー]{1,3}$")], str]
    claims: dict[str, list[Annotated[str, StringConstraints(min_length=2)]]]
    generic_latin: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")]]
    claim_exceptions: dict[str, list[Annotated[str, StringConstraints(min_length=2)]]] = {}
    relative_dates: dict[str, list[Annotated[str, StringConstraints(min_length=2)]]] = {}


@cache
def load_grounding_rules(config_dir: Path) -> GroundingRules:
    """config/grounding.yaml, validated: every error names the file and the field."""
    from frontline.domain.grounding import GroundingRules  # the worker's alone

    path = config_dir / "grounding.yaml"
    try:
        document = _GroundingDocument.model_validate(_read_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigurationError(f"{path}: {_describe(first['loc'])}: {first['msg']}") from None
    empty = [word for word, stems in document.claims.items() if not stems]
    if empty:
        raise ConfigurationError(f"{path}: claims.{empty[0]}: needs at least one stem")
    unknown = [word for word in document.claim_exceptions if word not in document.claims]
    if unknown:
        raise ConfigurationError(f"{path}: claim_exceptions.{unknown[0]}: not one of claims")
    return GroundingRules(
        kana=document.kana,
        claims={word: tuple(s.lower() for s in stems) for word, stems in document.claims.items()},
        generic_latin=frozenset(document.generic_latin),
        claim_exceptions={
            word: tuple(w.lower() for w in words)
            for word, words in document.claim_exceptions.items()
        },
        relative_dates={
            word: tuple(p.lower() for p in phrases)
            for word, phrases in document.relative_dates.items()
        },
    )


class ModelPrice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_per_million_usd: float = Field(ge=0)
    output_per_million_usd: float = Field(ge=0)
    # Set for the models whose prompt prefix the provider caches; absent: no cache point sent.
    cache_write_per_million_usd: float | None = Field(default=None, ge=0)
    cache_read_per_million_usd: float | None = Field(default=None, ge=0)
    # The cache the request asks for, whose writes `cache_write_per_million_usd` prices.
    cache_ttl: Literal["5m", "1h"] = "5m"

    @property
    def prompt_cache_ttl(self) -> str | None:
        """The cache point's TTL to send, or None when the model caches nothing."""
        return self.cache_ttl if self.caches_prompts else None

    @property
    def caches_prompts(self) -> bool:
        return self.cache_read_per_million_usd is not None

    def cost_of(self, usage: Usage) -> float:
        return (
            usage.input_tokens * self.input_per_million_usd
            + usage.output_tokens * self.output_per_million_usd
            + usage.cache_write_tokens * (self.cache_write_per_million_usd or 0.0)
            + usage.cache_read_tokens * (self.cache_read_per_million_usd or 0.0)
        ) / 1_000_000


@cache
def load_prices(config_dir: Path) -> dict[str, ModelPrice]:
    path = config_dir / "prices.yaml"
    document = _read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("models"), dict):
        raise ConfigurationError(f"{path}: expected a top-level 'models:' mapping")
    prices: dict[str, ModelPrice] = {}
    for model_id, raw in document["models"].items():
        try:
            prices[str(model_id)] = ModelPrice.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigurationError(
                f"{path}: model '{model_id}': {_describe(first['loc'])}: {first['msg']}"
            ) from None
    return prices
