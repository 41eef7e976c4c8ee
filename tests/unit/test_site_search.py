"""Site search: the Pagefind archive index, the recent index of a publish, the search page.

These run the real Pagefind binary; what readers find with it is checked in a browser
(tests/browser/test_search.py).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from frontline.domain.models import Article, Entity, EntityKind
from frontline.site import render_site
from frontline.site.search import (
    ARCHIVE_DIR,
    RECENT_DIR,
    TIERS_PATH,
    SearchFile,
    archive_bundle_dir,
    archive_cutoff_in,
    published_tiers,
    search_files,
    search_record,
)
from tests.unit.test_site_support import NOW, SITE, by_key, make_article, parse_html

REPO = Path(__file__).resolve().parents[2]


def archive_and_new() -> tuple[list[Article], list[Article]]:
    """Ten archived articles and two stored after them (one published earlier: late)."""
    archived = [make_article(n) for n in range(1, 11)]
    last = max(a.created_at for a in archived)
    new = make_article(11, created=last + timedelta(hours=1))
    late = make_article(12, published=archived[0].published, created=last + timedelta(hours=2))
    return archived, [new, late]


def bundle(files: Sequence[SearchFile], directory: str) -> dict[str, SearchFile]:
    return {f.path.removeprefix(directory): f for f in files if f.path.startswith(directory)}


def indexed_urls(files: Sequence[SearchFile], directory: str) -> set[str]:
    """The article URLs of a bundle's fragments (gzip: a signature, then JSON)."""
    urls = set()
    for name, file in bundle(files, directory).items():
        if name.startswith("fragment/"):
            data = gzip.decompress(file.body).removeprefix(b"pagefind_dcd")
            urls.add(json.loads(data)["url"])
    return urls


def tiers(files: Sequence[SearchFile]) -> dict[str, object]:
    [found] = [f for f in files if f.path == TIERS_PATH]
    return json.loads(found.body)


def test_a_record_holds_what_readers_search_by() -> None:
    article = make_article(
        1,
        title_ja="知識蒸留で小型モデルを作る",
        tags=("蒸留", "小型モデル", "研究"),
        entities=(Entity(name="OpenAI", kind=EntityKind.COMPANY),),
    )
    record = search_record(article)
    assert record.url == article.path
    assert record.title == "知識蒸留で小型モデルを作る"
    for text in ("知識蒸留で小型モデルを作る", article.item.title, "小型モデル", "OpenAI"):
        assert text in record.content
    assert record.date == "2026年4月1日"


ARCHIVE = archive_bundle_dir("2026-04-1")  # the test articles' month: one bundle


def test_the_nightly_build_indexes_every_article_in_the_archive() -> None:
    archived, _ = archive_and_new()
    files = search_files(archived, None)
    assert ARCHIVE == "/search/archive/2026-04-1/"
    assert indexed_urls(files, ARCHIVE) == {a.path for a in archived}
    assert not bundle(files, RECENT_DIR)
    entry = json.loads(bundle(files, ARCHIVE)["pagefind-entry.json"].body)
    assert entry["languages"]["ja"]["page_count"] == 10  # one Japanese index
    newest = max(a.created_at for a in archived)
    assert tiers(files) == {
        "archive_cutoff": newest.isoformat(),
        "bundles": [ARCHIVE],
        "recent_files": [],
    }


def test_a_large_archive_is_split_into_bundles_of_a_bounded_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("frontline.site.search.ARCHIVE_BUNDLE_SIZE", 4)
    archived, _ = archive_and_new()
    files = search_files(archived, None)
    bundles = [archive_bundle_dir(f"2026-04-{n}") for n in (1, 2, 3)]
    assert tiers(files)["bundles"] == bundles
    found = [indexed_urls(files, directory) for directory in bundles]
    assert [len(urls) for urls in found] == [4, 4, 2]  # in path order, four to a bundle
    assert set().union(*found) == {a.path for a in archived}
    ordered = sorted(a.path for a in archived)
    assert found[0] == set(ordered[:4]) and found[2] == set(ordered[8:])
    assert not [f for f in files if f.path.startswith(ARCHIVE_DIR + "pagefind")]


def test_a_publish_indexes_only_what_the_archive_lacks() -> None:
    archived, new = archive_and_new()
    published = published_tiers(
        next(f.body for f in search_files(archived, None) if f.path == TIERS_PATH)
    )
    assert published is not None and published.archive_bundles == (ARCHIVE,)
    cutoff, bundles = published.archive_cutoff, published.archive_bundles
    files = search_files([*archived, *new], cutoff, bundles)
    assert indexed_urls(files, RECENT_DIR) == {a.path for a in new}  # the late one too
    assert not bundle(files, ARCHIVE_DIR)
    assert tiers(files)["bundles"] == [ARCHIVE, RECENT_DIR]
    # the tiers file names the recent index's files, so the next publish deletes them by name
    assert tiers(files)["recent_files"] == sorted(
        f.path for f in files if f.path.startswith(RECENT_DIR)
    )
    # and with nothing newer than the archive, there is no recent index to load
    assert [f.path for f in search_files(archived, cutoff, bundles)] == [TIERS_PATH]


def test_the_same_articles_give_the_same_bytes() -> None:
    archived, _ = archive_and_new()
    first = search_files(archived, None)
    again = search_files(list(reversed(archived)), None)
    assert [(f.path, f.body) for f in first] == [
        (f.path, f.body) for f in sorted(again, key=lambda f: f.path)
    ]


def test_files_named_by_their_hash_are_immutable() -> None:
    archived, _ = archive_and_new()
    files = bundle(search_files(archived, None), ARCHIVE)
    assert files["pagefind-entry.json"].immutable is False  # names the current index,
    assert files["pagefind-entry.json"].revalidate is True  # whose files a publish replaces
    assert files["pagefind-ui.js"].immutable is False
    assert files["pagefind-ui.js"].content_type == "text/javascript; charset=utf-8"
    hashed = [name for name in files if name.startswith(("fragment/", "index/"))]
    assert hashed and all(files[name].immutable for name in hashed)
    assert not [name for name in files if "modular" in name or "component" in name]


def test_markup_in_a_record_is_text() -> None:
    # Given an article whose model text carries markup
    article = make_article(
        1, title_ja="<b>見出し</b>", tldr='要約に<img src=x onerror="alert(1)">と&を含む'
    )
    # Then the content (shown by Pagefind as HTML) holds it escaped; the title (shown as text)
    # is kept as written
    record = search_record(article)
    assert '要約に&lt;img src=x onerror="alert(1)"&gt;と&amp;を含む' in record.content
    assert "<" not in record.content and record.title == "<b>見出し</b>"


@pytest.mark.parametrize("body", [None, b"", b"[]", b'{"archive_cutoff": null}', b"{not json"])
def test_an_unreadable_tiers_file_gives_no_cutoff(body: bytes | None) -> None:
    assert archive_cutoff_in(body) is None


def test_the_search_page_loads_pagefind_ui_and_first_party_scripts_only() -> None:
    archived, _ = archive_and_new()
    site = by_key(render_site(archived, SITE, now=NOW))
    page = parse_html(site["search/index.html"].body)
    scripts = [s.attrs["src"] for s in page.find_all("script") if "src" in s.attrs]
    assert scripts[0] == "/search/archive/2026-04-1/pagefind-ui.js"
    assert scripts[1].startswith("/assets/search.") and len(scripts) == 2
    sheets = [
        link.attrs["href"]
        for link in page.find_all("link")
        if link.attrs.get("rel") == "stylesheet"
    ]
    assert sheets[0] == "/search/archive/2026-04-1/pagefind-ui.css"
    assert page.find("div", id="search").attrs["data-tiers"] == TIERS_PATH
    for key in (
        "search/archive/2026-04-1/pagefind-ui.js",
        "search/archive/2026-04-1/pagefind-entry.json",
        "search/tiers.json",
    ):
        assert key in site
    for key in (
        "search/archive/2026-04-1/pagefind-entry.json",
        "search/tiers.json",
    ):  # name the index
        assert site[key].cache_control == "public, max-age=0, must-revalidate", key
    assert site["search/archive/2026-04-1/pagefind-ui.js"].cache_control.startswith(
        "public, max-age=300"
    )
    fragment = next(key for key in site if key.startswith("search/archive/2026-04-1/fragment/"))
    assert site[fragment].cache_control == "public, max-age=31536000, immutable"


def test_a_binary_that_stops_answering_fails_the_build_instead_of_hanging(
    tmp_path: Path,
) -> None:
    # Given a "Pagefind" that reads one request and exits without answering
    fake = tmp_path / "pagefind_extended"
    fake.write_text("#!/bin/sh\nhead -c 1 >/dev/null\nexit 3\n")
    fake.chmod(0o755)
    code = (
        "from frontline.site.search import pagefind_bundle, SearchRecord\n"
        "pagefind_bundle([SearchRecord('/a/', 'x', 't', 'd')], '/search/recent/')\n"
    )
    # When a bundle is built with it
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(REPO / "layers" / "shared"), "PAGEFIND_BINARY_PATH": str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then the build fails with the reason
    assert run.returncode != 0
    assert "pagefind stopped answering" in run.stderr
