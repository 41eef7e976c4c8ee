"""The demo's analysis model: the offline heuristic, or a real model the user runs or pays for.

`make demo PROVIDER=openai OPENAI_BASE_URL=… OPENAI_MODEL=…` uses any OpenAI-compatible server
(Ollama, llama.cpp, vLLM, OpenAI itself, with OPENAI_API_KEY); `PROVIDER=bedrock` uses Amazon
Bedrock with the caller's own AWS credentials and BEDROCK_MODEL_ID. The model is tried before
the demo starts: one that cannot be reached is reported in one line and the demo runs with the
offline provider instead (its articles badged 「未翻訳」, as always). With a model, the worker
runs exactly as deployed: the same prompt, validation, repair round, grounding and daily
budget (DEMO_BUDGET_USD, default $1); a model that config/prices.yaml does not price (a local
one) is priced at zero for the demo.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from frontline.config import load_grounding_rules, load_prices, load_vocabulary
from frontline.domain.ports import AnalysisProvider

Provider = Literal["heuristic", "openai", "bedrock"]
DEFAULT_BUDGET_USD = 1.0
DEFAULT_BEDROCK_MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
PROBE_TIMEOUT_S = 5.0
ANSWER_TIMEOUT_S = 300.0  # a small model on a laptop takes its time


@dataclass(frozen=True)
class DemoModel:
    provider: Provider = "heuristic"
    model_id: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    region: str | None = None
    # the caller's own AWS credentials, captured before moto replaces them
    credentials: Mapping[str, str] | None = field(default=None, repr=False)
    budget_usd: float = DEFAULT_BUDGET_USD

    @property
    def label(self) -> str:
        if self.provider == "heuristic":
            return "the offline heuristic provider (articles badged 未翻訳)"
        where = self.base_url if self.provider == "openai" else self.region
        return f"{self.provider} model {self.model_id} at {where}"

    def config_dir(self, config_dir: Path, scratch: Path) -> Path:
        """`config_dir`, or a copy of it that prices this model at zero when it is unpriced."""
        if self.model_id is None or self.model_id in load_prices(config_dir):
            return config_dir
        copy = scratch / "config"
        shutil.copytree(config_dir, copy, dirs_exist_ok=True)
        prices = yaml.safe_load((copy / "prices.yaml").read_text(encoding="utf-8"))
        prices["models"][self.model_id] = {"input_per_million_usd": 0, "output_per_million_usd": 0}
        (copy / "prices.yaml").write_text(yaml.safe_dump(prices), encoding="utf-8")
        return copy

    def analysis_provider(self, config_dir: Path) -> AnalysisProvider | None:
        """The provider the worker is given (None: the heuristic, built as deployed)."""
        if self.provider == "heuristic" or self.model_id is None:
            return None
        vocabulary = load_vocabulary(config_dir)
        grounding = load_grounding_rules(config_dir)
        if self.provider == "openai":
            import httpx

            from frontline.bootstrap import openai_provider

            return openai_provider(
                httpx.Client(timeout=httpx.Timeout(ANSWER_TIMEOUT_S, connect=PROBE_TIMEOUT_S)),
                base_url=self.base_url or "",
                model=self.model_id,
                api_key=self.api_key,
                vocabulary=vocabulary,
                grounding=grounding,
            )
        from botocore.config import Config

        from frontline.bootstrap import bedrock_provider

        price = load_prices(config_dir).get(self.model_id)
        client = _session(self.credentials).client(  # moto's fake keys are in the environment
            "bedrock-runtime",
            region_name=self.region,
            config=Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=120),
        )
        return bedrock_provider(
            client,
            self.model_id,
            vocabulary,
            grounding=grounding,
            cache_ttl=price.prompt_cache_ttl if price is not None else None,
        )

    @property
    def moto_config(self) -> Any:
        """mock_aws's configuration: Bedrock's runtime passes through moto to AWS."""
        if self.provider != "bedrock":
            return {}
        return {"core": {"passthrough": {"services": ["bedrockruntime"]}}}


def _session(credentials: Mapping[str, str] | None) -> Any:
    import boto3

    found = credentials or {}
    return boto3.Session(
        aws_access_key_id=found.get("aws_access_key_id"),
        aws_secret_access_key=found.get("aws_secret_access_key"),
        aws_session_token=found.get("aws_session_token"),
    )


def _openai(env: Mapping[str, str], model: str | None) -> tuple[DemoModel | None, str]:
    import httpx

    base_url = env.get("OPENAI_BASE_URL", "").rstrip("/")
    model_id = model or env.get("OPENAI_MODEL", "")
    if not base_url or not model_id:
        return None, "PROVIDER=openai needs OPENAI_BASE_URL and OPENAI_MODEL"
    api_key = env.get("OPENAI_API_KEY") or None
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:  # any HTTP answer will do: not every server lists its models
        httpx.get(f"{base_url}/models", headers=headers, timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as exc:
        return None, f"cannot reach {base_url} ({type(exc).__name__}: {exc})"
    return DemoModel("openai", model_id, base_url=base_url, api_key=api_key), ""


def _bedrock(env: Mapping[str, str], model: str | None) -> tuple[DemoModel | None, str]:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    model_id = model or env.get("BEDROCK_MODEL_ID") or DEFAULT_BEDROCK_MODEL
    found = boto3.Session().get_credentials()
    if found is None:
        return None, "PROVIDER=bedrock needs AWS credentials (none found)"
    frozen = found.get_frozen_credentials()
    credentials: dict[str, str] = {
        "aws_access_key_id": str(frozen.access_key),
        "aws_secret_access_key": str(frozen.secret_key),
    }
    if frozen.token:
        credentials["aws_session_token"] = str(frozen.token)
    try:
        _session(credentials).client(
            "sts",
            region_name=region,
            config=Config(connect_timeout=PROBE_TIMEOUT_S, retries={"max_attempts": 1}),
        ).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        return None, f"AWS cannot be reached with these credentials ({exc})"
    return DemoModel("bedrock", model_id, region=region, credentials=credentials), ""


_CHOOSERS: dict[str, Callable[[Mapping[str, str], str | None], tuple[DemoModel | None, str]]] = {
    "openai": _openai,
    "bedrock": _bedrock,
}


def choose_model(
    provider: str,
    *,
    model: str | None = None,
    say: Callable[[str], None] = print,
    env: Mapping[str, str] | None = None,
) -> DemoModel:
    """The model the demo will use, tried first; the heuristic when it cannot be reached."""
    env = os.environ if env is None else env
    budget = float(env.get("DEMO_BUDGET_USD") or DEFAULT_BUDGET_USD)
    if provider == "heuristic":
        return DemoModel(budget_usd=budget)
    chosen, problem = _CHOOSERS[provider](env, model)
    if chosen is None:
        say(f"model: {problem}; falling back to the offline heuristic provider (未翻訳)")
        return DemoModel(budget_usd=budget)
    chosen = replace(chosen, budget_usd=budget)
    say(f"model: {chosen.label}, daily budget ${budget:g}")
    return chosen
