"""`frontline render --full`: the partitioned rebuild with a line per partition on stderr;
a failed run is resumed by its id and renders only the partitions not done."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor

import pytest

from bench.synthetic import synthetic_articles
from frontline import bootstrap, cli
from frontline.bootstrap import RebuildSiteApp
from frontline.cli import main
from frontline.site.catalogue import build_catalogue
from frontline.site.families import SiteContext
from frontline.site.render import render_all
from tests.unit.fakes import FakeArticles, FakeManifest, FakeRebuildLedger, MemoryBucket
from tests.unit.test_partitioned_rebuild import SITE, InlineExecutor


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> RebuildSiteApp:
    articles = synthetic_articles(90)
    built = RebuildSiteApp(
        articles=FakeArticles({article.id: article for article in articles}),
        store=MemoryBucket(),
        site=SITE,
        manifest=FakeManifest(),
        ledger=FakeRebuildLedger(),
    )
    monkeypatch.setattr(bootstrap, "rebuild_site_app", lambda: built)

    @contextlib.contextmanager
    def pool(workers: int) -> Iterator[Executor]:
        yield InlineExecutor()  # the process pool's contract, in this process

    monkeypatch.setattr(cli, "partition_pool", pool)
    return built


def test_a_failed_rebuild_resumes_with_the_partitions_not_done(
    app: RebuildSiteApp, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an upload that fails in the news archive's partition
    bucket = app.store
    assert isinstance(bucket, MemoryBucket) and isinstance(app.ledger, FakeRebuildLedger)
    bucket.failing = {"news/page/1/index.html"}

    # When the rebuild runs
    assert main(["render", "--full"]) == 1

    # Then a line per partition, the failure named, and how to resume
    err = capsys.readouterr().err.splitlines()
    [run] = app.ledger.runs
    total = len(app.ledger.runs[run].partitions)
    assert err[0] == f"rebuild {run}: {total} of {total} partitions to render"
    lines = err[1:-1]
    assert len(lines) == total
    assert lines[-1].startswith(f"[{total}/{total}]")
    [failed] = [line for line in lines if "FAILED" in line]
    assert " news: FAILED UploadFailed" in failed
    assert err[-1].endswith(f"resume with `frontline render --full --resume {run}`")

    # When the upload works again and the run is resumed
    bucket.failing = set()
    bucket.puts.clear()
    assert main(["render", "--full", "--resume", run]) == 0

    # Then only the news archive rendered, and the site is the full render
    out, err_text = capsys.readouterr()
    assert err_text.splitlines()[0] == f"rebuild {run}: 1 of {total} partitions to render"
    assert [line.split("  ")[-1].split(":")[0] for line in err_text.splitlines()[1:]] == ["news"]
    assert {key.split("/")[0] for key in bucket.puts} == {"news"}
    assert f'"run": "{run}"' in out
    now = app.ledger.runs[run].now
    full = render_all(SiteContext(build_catalogue(app.articles.articles.values()), SITE, now=now))
    assert {k: o.body for k, o in bucket.objects.items()} == {o.key: o.body for o in full.objects}


def test_resuming_an_unknown_run_says_so(
    app: RebuildSiteApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", "--full", "--resume", "20260101T000000Z"]) == 1
    assert "no rebuild run '20260101T000000Z'" in capsys.readouterr().err
