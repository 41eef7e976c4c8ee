"""`frontline analyze`: the worker's analysis for one item, composable with `feeds check`."""

import json
from pathlib import Path

import pytest

from frontline.cli import main
from frontline.domain.models import Article

ITEM_JSON = Path(__file__).resolve().parents[1] / "fixtures" / "items" / "item.json"


def test_heuristic_json_prints_a_valid_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(ITEM_JSON), "--provider", "heuristic", "--json"]) == 0
    article = Article.model_validate_json(capsys.readouterr().out)
    source = json.loads(ITEM_JSON.read_text(encoding="utf-8"))
    assert article.item.url == source["link"]
    assert article.status.value == "untranslated"
    assert 1 <= article.importance <= 5


def test_bedrock_dry_run_prints_the_converse_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(["analyze", str(ITEM_JSON), "--provider", "bedrock", "--dry-run"]) == 0
    request = json.loads(capsys.readouterr().out)
    tool = request["toolConfig"]["tools"][0]["toolSpec"]
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": tool["name"]}}
    assert "title_ja" in tool["inputSchema"]["json"]["properties"]
    assert request["inferenceConfig"]["maxTokens"] > 0
    assert "<article_data>" in request["messages"][0]["content"][0]["text"]
    # the default model caches prompts for an hour: the static system prompt ends at the
    # cache point
    assert request["system"][-1] == {"cachePoint": {"type": "default", "ttl": "1h"}}


def test_composes_with_feeds_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = Path(__file__).resolve().parents[2] / "infra" / "local" / "feeds" / "ai-wire.xml"
    assert main(["feeds", "check", str(feed), "--json"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    item_file = tmp_path / "item.json"
    item_file.write_text(line, encoding="utf-8")
    assert main(["analyze", str(item_file), "--json"]) == 0
    assert Article.model_validate_json(capsys.readouterr().out).item.id == json.loads(line)["id"]


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x1e"])
def test_a_line_separator_inside_a_json_string_does_not_end_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str
) -> None:
    document = json.loads(ITEM_JSON.read_text(encoding="utf-8"))
    document["item"]["author"] = f"Ann{separator}Lee"
    item_file = tmp_path / "item.json"
    item_file.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["analyze", str(item_file), "--json"]) == 0
    assert Article.model_validate_json(capsys.readouterr().out).item.author == f"Ann{separator}Lee"


@pytest.mark.parametrize("content", ["", "not json", '{"title": "no item"}'])
def test_a_bad_item_file_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["analyze", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("frontline: error:") and err.count("\n") == 1


def test_heuristic_dry_run_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(ITEM_JSON), "--dry-run"]) == 1
    assert "needs an LLM" in capsys.readouterr().err
