"""`frontline stories cluster ITEMS_JSONL`: one line per input, items of one story sharing
the story value, from the worker's own placement code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontline.cli import main

ITEMS = [
    {"id": "a1", "outlet": "AI Wire", "url": "https://ai-wire.example/1",
     "published": "2026-10-06T08:10:00Z",
     "title": "Mistral AI releases Magistral 2, an open-weight reasoning model",
     "summary": "The Paris lab published the weights under Apache 2.0."},
    {"id": "x9", "outlet": "Finance", "url": "https://finance.example/3",
     "published": "2026-10-06T09:00:00Z", "title": "xAI raises $15 billion", "summary": "",
     "lang": "en"},
    {"id": "b2", "outlet": "TechDaily", "url": "https://techdaily.example/2",
     "published": "2026-10-06T11:45:00Z",
     "title": "Magistral 2: Mistral's new reasoning model ships with open weights",
     "summary": "French start-up Mistral released Magistral 2 under a permissive licence."},
]  # fmt: skip


def run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> tuple[int, str, str]:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = main(["stories", "cluster", str(path)])
    out, err = capsys.readouterr()
    return status, out, err


def test_one_line_per_input_and_one_story_value_per_event(tmp_path, capsys) -> None:
    status, out, _ = run(tmp_path, capsys, [json.dumps(item) for item in ITEMS])
    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"id": "a1", "story": "a1"},
        {"id": "x9", "story": "x9"},
        {"id": "b2", "story": "a1"},
    ]


def test_a_bad_line_is_named_in_one_error_line(tmp_path, capsys) -> None:
    status, out, err = run(tmp_path, capsys, [json.dumps(ITEMS[0]), '{"id": "z", "title": "x"}'])
    assert status == 1 and out == ""
    assert (
        err == f"frontline: error: {tmp_path / 'items.jsonl'}: line 2: published: Field required\n"
    )
