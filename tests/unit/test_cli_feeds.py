"""`frontline feeds check` and `frontline feeds list`, as an operator runs them."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from frontline.adapters.dynamodb import DynamoFeedStateStore, DynamoTable
from frontline.cli import main
from frontline.domain.models import FeedState
from infra.local.template_resources import create_local_stack
from tests.factories import NOW

REPO = Path(__file__).resolve().parents[2]
LAYER = REPO / "layers" / "shared"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>AI Wire</title>
<item><title>Lab releases &lt;b&gt;open&lt;/b&gt; model</title>
<link>https://ai-wire.example/news/1?utm_source=rss</link><guid>g-1</guid>
<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;A distilled model &amp;amp; its weights.&lt;/p&gt;</description></item>
<item><title>Benchmarks for agents</title><link>https://ai-wire.example/news/2</link>
<guid>g-2</guid><pubDate>Thu, 19 Nov 2026 08:30:00 +0000</pubDate>
<description>Agents are measured.</description></item>
</channel></rss>
"""

CATALOGUE = """feeds:
  - id: ai-wire
    name: AI Wire
    url: https://ai-wire.example/feed.xml
    site_url: https://ai-wire.example/
    kind: news
    content_policy: excerpt
  - id: lab-blog
    name: Lab Blog
    url: https://lab.example/rss
    site_url: https://lab.example/
    kind: blog
    content_policy: excerpt
"""


def test_check_json_prints_one_object_per_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a feed file
    path = tmp_path / "feed.xml"
    path.write_text(FEED, encoding="utf-8")
    # When it is checked with --json
    code = main(["feeds", "check", str(path), "--json"])
    # Then each line is one item with the documented fields
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    rows = [json.loads(line) for line in out]
    assert len(rows) == 2
    for row in rows:
        assert {"id", "title", "link", "published", "summary", "feed_format"} <= row.keys()
        assert datetime.fromisoformat(row["published"]).tzinfo is not None
        assert row["feed_format"] == "rss20"
    first = rows[0]
    assert first["title"] == "Lab releases open model"
    assert first["link"] == "https://ai-wire.example/news/1"
    assert first["summary"] == "A distilled model & its weights."
    assert first["published"].startswith("2026-11-20T10:00:00")
    assert rows[0]["id"] != rows[1]["id"]


@pytest.mark.parametrize("kind", ["missing", "not-a-feed", "empty"])
def test_check_errors_are_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "input.xml"
    if kind == "not-a-feed":
        path.write_text("<html><body><h1>Just a moment...</h1></body></html>")
    elif kind == "empty":
        path.write_bytes(b"")
    code = main(["feeds", "check", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("frontline: error:")
    assert "Traceback" not in captured.err


def test_list_without_a_table_shows_the_catalogue_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    (tmp_path / "feeds.yaml").write_text(CATALOGUE)
    code = main(["feeds", "list", "--config-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines] == ["ai-wire", "lab-blog"]
    assert not any("status=" in line or "never polled" in line for line in lines)
    assert "catalogue only" in captured.err


def test_list_with_a_table_shows_each_feeds_last_status(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    aws_env: None,
) -> None:
    (tmp_path / "feeds.yaml").write_text(CATALOGUE)
    with mock_aws():
        # Given the template's table holding one failing feed's state
        resources = create_local_stack(boto3.session.Session(region_name="ap-northeast-1"))
        table_name = resources["Table"]
        store = DynamoFeedStateStore(DynamoTable(boto3.client("dynamodb"), table_name))
        store.save_state(
            FeedState(
                feed_id="ai-wire",
                polled_at=NOW,
                last_status=503,
                error_streak=3,
                last_error="HTTP 503\nupstream busy",
            )
        )
        monkeypatch.setenv("TABLE_NAME", table_name)
        # When the catalogue is listed
        code = main(["feeds", "list", "--config-dir", str(tmp_path)])
    # Then the stored status, streak and last error appear next to the feed
    captured = capsys.readouterr()
    assert code == 0
    wire, lab = captured.out.splitlines()
    assert "status=503" in wire
    assert "errors=3" in wire
    assert "last_error=HTTP 503 upstream busy" in wire
    assert "never polled" in lab
    assert "with state from the store" in captured.err


def test_feeds_check_json_stops_quietly_when_the_pipe_closes(tmp_path: Path) -> None:
    # Given a feed long enough to fill a pipe's buffer
    items = "".join(
        f"<item><title>Story {n}</title><link>https://ai-wire.example/{n}</link>"
        f"<description>{'word ' * 300}</description></item>"
        for n in range(200)
    )
    feed = tmp_path / "long.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>W</title>{items}</channel></rss>')
    # When its JSON lines are piped into `head -1`
    command = (
        f"{shlex.quote(sys.executable)} -m frontline.cli feeds check "
        f"{shlex.quote(str(feed))} --json | head -1"
    )
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(LAYER), str(REPO)])}
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env
    )
    # Then one line comes out, nothing is said on stderr, and the status is SIGPIPE's
    assert json.loads(done.stdout)["title"] == "Story 0"
    assert done.stderr == ""
    assert done.returncode == 141
