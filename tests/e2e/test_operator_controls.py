"""The operator's commands against the demo pipeline in moto: each override reaches the site
through the normal incremental publish (the table's stream → render_site)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.editorial_store import DynamoEditorialStore
from frontline.bootstrap import aws_client
from frontline.cli import main
from frontline.domain.models import Article, ArticleStatus
from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REPO, LocalPipeline
from tests.site_fixture import AWS_TEST_ENV

# The search archive (built by the nightly rebuild) keeps an article's entry until the next
# rebuild, as the README says; every other object must follow the change at once.
NIGHTLY_ONLY = ("search/archive/",)


@pytest.fixture(scope="module")
def pipeline() -> Iterator[LocalPipeline]:
    mp = pytest.MonkeyPatch()
    for name, value in AWS_TEST_ENV.items():
        mp.setenv(name, value)
    with mock_aws(), serve_feeds(DEMO_FEEDS) as feeds_base:
        local = LocalPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=demo_catalogue(feeds_base),
            quiet=True,
        )
        local.fetch()
        local.analyze()
        local.render()
        mp.setenv("TABLE_NAME", local.resources["Table"])
        mp.setenv("QUEUE_URL", local.resources["ItemQueue"])
        mp.setenv("FRONTLINE_OPERATOR", "editor@example.com")
        yield local
    mp.undo()


def _site(pipeline: LocalPipeline) -> dict[str, bytes]:
    s3 = aws_client("s3")
    bucket = pipeline.resources["SiteBucket"]
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            objects[obj["Key"]] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    return objects


def _articles(pipeline: LocalPipeline) -> DynamoArticleRepository:
    return DynamoArticleRepository(DynamoTable(aws_client("dynamodb"), pipeline.resources["Table"]))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _key(article: Article) -> str:
    return article.path.lstrip("/") + "index.html"


def _first_card_path(top_page: bytes) -> str:
    match = re.search(rb'<h[23] class="card__title"[^>]*><a href="([^"]+)"', top_page)
    assert match is not None
    return match[1].decode()


def test_hide_takes_the_article_off_every_page_and_feed_and_unhide_restores_it(
    pipeline: LocalPipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _articles(pipeline).list_newest(10)[3]
    assert _key(article) in _site(pipeline)

    status, out, _ = _run(capsys, "articles", "hide", article.id, "--reason", "誤報の疑い")
    pipeline.render()

    assert status == 0 and json.loads(out)["status"] == "hidden"
    site = _site(pipeline)
    assert _key(article) not in site
    assert f"api/v1/articles/{article.id}.json" not in site
    carrying = [
        key
        for key, body in site.items()
        if not key.startswith(NIGHTLY_ONLY) and article.path.encode() in body
    ]
    assert carrying == []
    stored = _articles(pipeline).get(article.id)
    assert stored is not None and stored.status is ArticleStatus.HIDDEN
    hidden = stored.overrides.hidden
    assert hidden is not None and hidden.by == "editor@example.com"
    assert hidden.reason == "誤報の疑い" and hidden.status_beneath is article.status
    status, out, _ = _run(capsys, "articles", "list", "--hidden")
    assert status == 0 and out.startswith(article.id)

    status, _, _ = _run(capsys, "articles", "unhide", article.id, "--reason", "確認済み")
    pipeline.render()

    site = _site(pipeline)
    assert _key(article) in site and article.path.encode() in site["rss.xml"]
    assert [entry.action for entry in _articles(pipeline).get(article.id).overrides.log] == [  # type: ignore[union-attr]
        "hide",
        "unhide",
    ]
    status, out, _ = _run(capsys, "articles", "list", "--hidden")
    assert out == ""


def test_pin_puts_the_article_first_on_the_top_page_until_it_ends(
    pipeline: LocalPipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = _articles(pipeline).list_newest(20)
    article = newest[-1]
    assert _first_card_path(_site(pipeline)["index.html"]) == newest[0].path

    status, out, _ = _run(capsys, "articles", "pin", article.id, "--until", "3d")
    pipeline.render()

    assert status == 0 and json.loads(out)["pinned_until"] is not None
    top = _site(pipeline)["index.html"]
    assert _first_card_path(top) == article.path
    assert "編集部のおすすめ".encode() in top
    assert top.count(f'href="{article.path}"'.encode()) == 1  # not listed twice
    store = DynamoEditorialStore(DynamoTable(aws_client("dynamodb"), pipeline.resources["Table"]))
    now = datetime.now(UTC)
    assert [a.id for a in store.pinned(now, 3)] == [article.id]
    assert store.pinned(now + timedelta(days=3, minutes=1), 3) == []  # --until honoured
    status, out, _ = _run(capsys, "articles", "list", "--pinned")
    assert out.startswith(article.id)

    _run(capsys, "articles", "unpin", article.id)
    pipeline.render()

    assert _first_card_path(_site(pipeline)["index.html"]) == newest[0].path
    assert store.pinned(now, 3) == []


def test_an_edited_headline_survives_reanalysis_until_reset(
    pipeline: LocalPipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _articles(pipeline).list_newest(10)[5]
    title = "編集部が見出しを修正した記事"

    status, _, _ = _run(
        capsys, "articles", "edit", article.id, "--field", "title_ja", "--value", title,
        "--reason", "誤訳",
    )  # fmt: skip
    pipeline.render()

    assert status == 0
    page = _site(pipeline)[_key(article)].decode()
    assert f">{title}</h1>" in page
    assert re.search(r"編集部により修正（\d{4}年\d{1,2}月\d{1,2}日）", page)

    status, _, _ = _run(capsys, "articles", "reanalyse", article.id, "--reason", "再分析")
    assert status == 0
    assert pipeline.analyze()["analysed"] == 1
    pipeline.render()

    stored = _articles(pipeline).get(article.id)
    assert stored is not None and stored.analysis.title_ja == title
    assert stored.provenance.analysed_at > article.provenance.analysed_at  # analysed again
    assert stored.overrides.edits[0].replaced == article.analysis.title_ja
    assert f">{title}</h1>" in _site(pipeline)[_key(article)].decode()

    _run(capsys, "articles", "edit", article.id, "--field", "title_ja", "--reset")
    pipeline.render()

    page = _site(pipeline)[_key(article)].decode()
    assert title not in page and "編集部により修正" not in page


def test_an_edit_that_breaks_the_contract_is_refused(
    pipeline: LocalPipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    article = _articles(pipeline).list_newest(10)[6]

    status, _, err = _run(
        capsys, "articles", "edit", article.id, "--field", "tldr", "--value", "x" * 200
    )

    assert status == 1
    assert "tldr: must be written in Japanese" in err and "at most 120 characters" in err
    assert _articles(pipeline).get(article.id) == article


def test_an_unknown_article_is_one_line_of_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        mp.setenv("TABLE_NAME", "no-such-table")
        for name, value in AWS_TEST_ENV.items():
            mp.setenv(name, value)
        aws_client.cache_clear()
        boto3.DEFAULT_SESSION = None
        status, out, err = _run(capsys, "articles", "hide", "abc", "--reason", "r")
    aws_client.cache_clear()
    assert status == 1 and out == ""
    assert err.startswith("frontline: error: the store could not be reached")


def test_the_demo_store_file_points_the_commands_at_the_demo(tmp_path: Path) -> None:
    from frontline.cli_articles import CommandError, use_demo_store

    with pytest.raises(CommandError, match="make demo"):
        use_demo_store(tmp_path / "missing.json")
