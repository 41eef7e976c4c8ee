"""`make demo PROVIDER=openai …`: the same pipeline with a real model's answers, the budget and
the validation in force; an unreachable model falls back to the offline provider."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontline.analysis.prompts import TOOL_NAME
from infra.local.demo import build_demo_site, run_demo
from infra.local.demo_model import choose_model
from tests.site_fixture import AWS_TEST_ENV

REPO = Path(__file__).resolve().parents[2]
ANSWER = (REPO / "tests" / "fixtures" / "llm" / "answer_generic.json").read_text(encoding="utf-8")
MODEL = "gpt-4.1-mini"  # priced in config/prices.yaml: $0.40 / $1.60 per million tokens
USAGE = (3000, 1000)  # each answer costs 0.0012 + 0.0016 = $0.0028


class RecordedModel:
    """An OpenAI-compatible server on loopback answering every chat completion with the
    recorded tool call, and GET /v1/models with the one model."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        model = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                model.requests.append(json.loads(self.rfile.read(length)))
                call = {"name": TOOL_NAME, "arguments": ANSWER}
                self._send(
                    {
                        "id": f"chatcmpl-{len(model.requests)}",
                        "object": "chat.completion",
                        "model": MODEL,
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "tool_calls",
                                "message": {
                                    "role": "assistant",
                                    "content": None,
                                    "tool_calls": [
                                        {"id": "call_1", "type": "function", "function": call}
                                    ],
                                },
                            }
                        ],
                        "usage": {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1]},
                    }
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def recorded_model() -> Iterator[RecordedModel]:
    server = RecordedModel()
    yield server
    server.close()


@pytest.fixture(scope="module")
def site(recorded_model: RecordedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = {
        "OPENAI_BASE_URL": recorded_model.base_url,
        "OPENAI_MODEL": MODEL,
        "DEMO_BUDGET_USD": "0.01",
    }
    said: list[str] = []
    model = choose_model("openai", env=env, say=said.append)
    assert said == [f"model: openai model {MODEL} at {recorded_model.base_url}, daily budget $0.01"]
    with pytest.MonkeyPatch.context() as mp:
        for name, value in AWS_TEST_ENV.items():
            mp.setenv(name, value)
        return build_demo_site(
            tmp_path_factory.mktemp("model-demo") / "_site",
            site_url="http://127.0.0.1:8000",
            say=lambda line: None,
            model=model,
        )


def _articles(site: Path) -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(site.glob("api/v1/articles/*.json"))
    ]


def test_the_model_answers_through_the_worker_within_the_budget(
    site: Path, recorded_model: RecordedModel
) -> None:
    articles = _articles(site)
    translated = [a for a in articles if a["status"] == "published"]
    waiting = [a for a in articles if a["status"] == "untranslated"]

    # the model was asked with the forced tool call, for the model named
    first = recorded_model.requests[0]
    assert first["model"] == MODEL
    assert first["tool_choice"]["function"]["name"] == TOOL_NAME
    # its answers were validated, grounded and stored as translated articles
    assert translated and all(a["provenance"]["provider"] == "openai" for a in translated)
    assert all(a["analysis"]["title_ja"] == "人工知能に関する新たな発表" for a in translated)
    # and the $0.01 budget stopped the model after four answers ($0.0028 each): the rest
    # got the offline analysis, badged, to be analysed after the reset
    assert len(translated) == 4
    assert len(waiting) == len(articles) - 4
    assert len(recorded_model.requests) == 4
    # each article's own page shows either the model's title or the untranslated notice
    # (not the cards of related articles, which may be either)
    for article in articles:
        page = (site / article["path"].strip("/") / "index.html").read_text(encoding="utf-8")
        notice = '<p class="notice" role="note"><span class="badge badge--untranslated">未翻訳'
        assert (notice in page) is (article["status"] == "untranslated"), article["path"]
        title = ">人工知能に関する新たな発表</h1>"
        assert (title in page) is (article["status"] == "published"), article["path"]


def test_an_unreachable_model_falls_back_to_the_offline_provider() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    said: list[str] = []

    model = choose_model(
        "openai",
        env={"OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port}/v1", "OPENAI_MODEL": "qwen"},
        say=said.append,
    )

    assert model.provider == "heuristic"
    assert said[0].startswith(f"model: cannot reach http://127.0.0.1:{closed_port}/v1 (Connect")
    assert said[0].endswith("falling back to the offline heuristic provider (未翻訳)")
    assert choose_model("openai", env={}, say=said.append).provider == "heuristic"
    assert said[-1].startswith("model: PROVIDER=openai needs OPENAI_BASE_URL and OPENAI_MODEL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_cli_hides_an_article_of_the_running_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given `make demo` serving its site, with its store kept reachable
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    port, store_port = _free_port(), _free_port()
    stop = threading.Event()
    demo = threading.Thread(
        target=run_demo,
        kwargs={
            "output": tmp_path / "_site",
            "port": port,
            "serve_site": True,
            "store_port": store_port,
            "stop": stop,
        },
        daemon=True,
    )
    demo.start()
    try:
        store = tmp_path / ".frontline-demo.json"
        _wait_for(store.is_file, "the demo's store file")
        article = json.loads(httpx.get(f"http://127.0.0.1:{port}/api/v1/latest.json").text)[
            "articles"
        ][0]
        page = f"http://127.0.0.1:{port}{article['path']}"
        assert httpx.get(page).status_code == 200

        # When the operator hides an article from another process
        done = subprocess.run(
            [str(REPO / ".venv/bin/frontline"), "articles", "--demo", "hide", article["id"],
             "--reason", "デモでの非表示"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

        # Then the served site drops it within seconds, through the normal publish
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "hidden"
        _wait_for(lambda: httpx.get(page).status_code == 404, "the page to be removed")
        top = httpx.get(f"http://127.0.0.1:{port}/").text
        assert article["path"] not in top
        listed = subprocess.run(
            [str(REPO / ".venv/bin/frontline"), "articles", "--demo", "list", "--hidden"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert listed.stdout.startswith(article["id"])
        health = subprocess.run(
            [str(REPO / ".venv/bin/frontline"), "feeds", "health", "--demo", "--json"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        rows = {row["feed"]: row["health"] for row in map(json.loads, health.stdout.splitlines())}
        assert rows == {
            "ai-wire": "healthy",
            "lab-notes": "healthy",
            "hn-ai": "healthy",
            "ai-videos": "healthy",
            "retired-blog": "opted_out",
        }
    finally:
        stop.set()
        demo.join(timeout=60)
    assert not (tmp_path / ".frontline-demo.json").exists()


def _wait_for(condition: Any, what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
