"""Site search with Pagefind: an archive index built nightly, a recent index per publish.

Pagefind's extended binary segments Japanese with a dictionary (「推論モデルの蒸留」 → 推論,
モデル, の, 蒸留) and writes a static, chunked index that its own UI queries in the reader's
browser with WebAssembly: no server, no third-party request. Records are fed to it through
its Python API as custom records built from the articles (no HTML is crawled).

Two tiers keep the cost of a publish bounded:
- the archive holds every public article in several bundles, `/search/archive/<month>-<i>/`:
  each JST month's articles in path order, `ARCHIVE_BUNDLE_SIZE` to a bundle; the nightly
  full rebuild writes them (one rebuild partition each), and the archive's cutoff is the
  newest `created_at` among those articles;
- the recent index (`/search/recent/`) holds only the articles stored after that cutoff and
  is rebuilt on each publish: a day's articles, whatever the size of the archive.
`/search/tiers.json` names the archive's cutoff and the bundles that exist; the search
page's script reads it and gives Pagefind's UI the first archive bundle as its bundle and
the others and the recent index through `mergeIndex` (Pagefind's multisite search), so
results come from all.

Why bundles of a bounded count within a calendar month (measured with
bench/search_bundle_bench.py on synthetic articles): Pagefind's service peaks at about
300 MB before any record (the Japanese dictionary) plus about 100 MB per 1,000 records
(400 MB at 1,000, 600 MB at 3,000), and the Python side at about 45 MB plus 30 MB per 1,000;
one bundle of 100k articles peaked at 8.5 GB. A bundle of `ARCHIVE_BUNDLE_SIZE` keeps a
partition, Python and Pagefind together, under 512 MB. Months keep bundles stable: an old
month's bundles change only when one of its articles is edited or hidden. Each merged bundle
is a Pagefind instance of its own in the reader's browser: its pagefind-entry.json, .pf_meta
(3.4 KB at 500 records), WebAssembly (68 KB, one fetch per bundle address) and the index
chunks a query needs (about 22 KB each), so bundles are kept as large as memory allows.

An article edited or hidden after the nightly build keeps its archive entry until the next
one (the recent index cannot take entries out of the archive); its page is what readers see.

Two workarounds for pagefind 1.5.2's Python API, everything else is the API's own:
- it reads the binary's answers on a 100 ms poll, one answer per poll (21 s for 200
  records, about 1,000 s for 10,000: longer than a Lambda may run), so `_prompt_service`
  reads each answer as soon as it arrives, however long;
- `WriteFiles` answers before its last file on disk is complete, so the files are taken
  from the answer of `get_files` instead.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import html
import json
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import batched, groupby
from pathlib import PurePosixPath
from typing import Any, Final, TypeVar

from frontline.domain.models import Article
from frontline.site.formatting import format_jst_date
from frontline.site.slices import article_month

T = TypeVar("T")

ARCHIVE_DIR: Final = "/search/archive/"  # the archive bundles live under it
ARCHIVE_BUNDLE_SIZE = 500  # articles per archive bundle: tests lower it to force a split
RECENT_DIR: Final = "/search/recent/"
TIERS_PATH: Final = "/search/tiers.json"
LANGUAGE: Final = "ja"  # one index for the whole site: the search page is Japanese
DATE_LABEL: Final = "公開日"  # Pagefind's UI shows each meta but the title as "name: value"

JS = "text/javascript; charset=utf-8"
_TYPES: Final = {
    ".js": JS,
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
RECORD_BATCH: Final = 500  # records sent to Pagefind before waiting for its answers
BINARY = "application/octet-stream"  # Pagefind's own index, meta, fragment and wasm files
_HASHED_DIRS: Final = ("fragment", "index", "filter")  # named by the hash of their bytes
# Pagefind writes other front ends too; the site uses its default UI only.
_UNUSED: Final = ("pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


@dataclass(frozen=True)
class SearchFile:
    path: str
    body: bytes
    content_type: str
    immutable: bool  # named by the hash of its bytes: may be cached for a year
    # Names the current index (pagefind-entry.json, tiers.json): a publish deletes the files
    # of the index it replaces, so a copy kept in a cache would point at files that are gone.
    revalidate: bool = False


@dataclass(frozen=True)
class SearchRecord:
    url: str
    content: str
    title: str
    date: str


def search_record(article: Article) -> SearchRecord:
    """What a reader can search an article by: its Japanese title, the original title, the
    TL;DR, key points, tags, entity names and source.

    Pagefind's UI writes the title as text but the excerpt (cut from the content, with the
    matches marked) as HTML, so the content is HTML-escaped here, as Pagefind escapes the
    text of the HTML pages it indexes.
    """
    analysis = article.analysis
    parts = [
        analysis.title_ja,
        article.item.title,
        analysis.tldr,
        *(f"{point.title} {point.body}" for point in analysis.key_points),
        " ".join(analysis.tags),
        " ".join(entity.name for entity in analysis.entities),
        article.item.source_name,
    ]
    return SearchRecord(
        url=article.path,
        content=html.escape("\n".join(part for part in parts if part), quote=False),
        title=analysis.title_ja,
        date=format_jst_date(article.published),
    )


def archive_cutoff_of(articles: Iterable[Article]) -> datetime | None:
    """The newest `created_at` among the archived articles: what is newer is recent."""
    return max((article.created_at for article in articles), default=None)


def search_files(
    articles: Sequence[Article],
    archive_cutoff: datetime | None,
    archive_bundles: Sequence[str] = (),
) -> list[SearchFile]:
    """The search objects of a publish: without a cutoff (the nightly full rebuild) the
    archive bundles; with the published archive's cutoff and bundles, the recent index."""
    if archive_cutoff is None:
        return archive_search_files(articles)
    return recent_search_files(articles, archive_cutoff, archive_bundles)


def archive_order(article: Article) -> tuple[str, str]:
    """The order records enter the archive: by JST month, then by path."""
    return (article_month(article), article.path)


def archive_bundle_dir(key: str) -> str:
    """The directory of the archive bundle `key` (`<month>-<i>`)."""
    return f"{ARCHIVE_DIR}{key}/"


def archive_bundle_keys(months: Mapping[str, int]) -> list[str]:
    """The archive's bundles for these article counts per JST month, oldest first: each
    month's articles in path order, `ARCHIVE_BUNDLE_SIZE` to a bundle."""
    return [
        f"{month}-{number}"
        for month in sorted(months)
        for number in range(1, -(-months[month] // ARCHIVE_BUNDLE_SIZE) + 1)
    ]


def month_of(key: str) -> str:
    """The JST month of the archive bundle `key`."""
    return key.rsplit("-", 1)[0]


def bundle_articles(key: str, month: Callable[[], Iterable[Article]]) -> list[Article]:
    """The articles of bundle `key`, from two walks of its month's articles: the first keeps
    only their paths, the second only the bundle's articles, so a month of any size is never
    held whole."""
    number = int(key.rpartition("-")[2])
    paths = sorted(article.path for article in month())
    chosen = set(paths[(number - 1) * ARCHIVE_BUNDLE_SIZE : number * ARCHIVE_BUNDLE_SIZE])
    return [article for article in month() if article.path in chosen]


def archive_bundle_files(key: str, month: Callable[[], Iterable[Article]]) -> list[SearchFile]:
    """One archive bundle, from its month's articles (walked twice: `bundle_articles`)."""
    records = [search_record(article) for article in bundle_articles(key, month)]
    return pagefind_bundle(records, archive_bundle_dir(key))


def archive_search_files(articles: Iterable[Article]) -> list[SearchFile]:
    """The nightly build: every archive bundle of the public articles, and a tiers file that
    names their cutoff and bundles, and no recent index."""
    ordered = sorted(articles, key=archive_order)
    months = {name: list(month) for name, month in groupby(ordered, key=article_month)}
    keys = archive_bundle_keys({name: len(month) for name, month in months.items()})
    files = [
        file
        for key in keys
        for file in archive_bundle_files(key, functools.partial(iter, months[month_of(key)]))
    ]
    bundles = [archive_bundle_dir(key) for key in keys]
    return [*files, tiers_file(archive_cutoff_of(ordered), bundles, recent=False)]


def recent_search_files(
    articles: Iterable[Article], archive_cutoff: datetime, archive_bundles: Sequence[str]
) -> list[SearchFile]:
    """A publish: the recent index of the articles stored after the archive's cutoff (others
    among `articles` are left out), and the tiers file naming both indexes. With nothing
    newer than the archive, only the tiers file: there is no recent index to load."""
    recent = [article for article in articles if article.created_at > archive_cutoff]
    if not recent:
        return [tiers_file(archive_cutoff, archive_bundles, recent=False)]
    files = pagefind_bundle([search_record(a) for a in recent], RECENT_DIR)
    paths = [file.path for file in files]
    return [*files, tiers_file(archive_cutoff, archive_bundles, recent=True, recent_files=paths)]


def tiers_file(
    cutoff: datetime | None,
    archive_bundles: Sequence[str],
    *,
    recent: bool,
    recent_files: Sequence[str] = (),
) -> SearchFile:
    """The file the search page reads first: the archive's cutoff, the bundles to merge and
    the recent index's files (the next publish deletes them by name, never by listing)."""
    tiers = {
        "archive_cutoff": cutoff.isoformat() if cutoff else None,
        "bundles": [*archive_bundles, *([RECENT_DIR] if recent else [])],
        "recent_files": sorted(recent_files),
    }
    body = json.dumps(tiers, sort_keys=True, separators=(",", ":")).encode()
    return SearchFile(TIERS_PATH, body, _TYPES[".json"], immutable=False, revalidate=True)


@dataclass(frozen=True)
class PublishedTiers:
    """What the published tiers file says: the archive's cutoff and bundles, and the recent
    index's files."""

    archive_cutoff: datetime
    recent_files: tuple[str, ...] = ()
    archive_bundles: tuple[str, ...] = ()


def published_tiers(tiers: bytes | None) -> PublishedTiers | None:
    """The published tiers file read back; None when there is none to trust."""
    if tiers is None:
        return None
    try:
        data = json.loads(tiers)
        value = data.get("archive_cutoff")
        if not isinstance(value, str):
            return None
        files = data.get("recent_files", [])
        recent = tuple(f for f in files if isinstance(f, str) and f.startswith(RECENT_DIR))
        bundles = tuple(
            b for b in data.get("bundles", []) if isinstance(b, str) and b.startswith(ARCHIVE_DIR)
        )
        return PublishedTiers(datetime.fromisoformat(value), recent, bundles)
    except (ValueError, AttributeError):
        return None


def archive_cutoff_in(tiers: bytes | None) -> datetime | None:
    """The archive's cutoff from a published tiers file; None when there is none to trust."""
    published = published_tiers(tiers)
    return published.archive_cutoff if published else None


# --- Pagefind ------------------------------------------------------------------------------


def pagefind_bundle(records: Sequence[SearchRecord], directory: str) -> list[SearchFile]:
    """Pagefind's bundle for these records, as files under `directory` (e.g. /search/archive/).

    Records are added in URL order: Pagefind numbers pages in the order it receives them, so
    the same articles give the same bytes whatever order they come in.
    """
    return _warm_pagefind().bundle(sorted(records, key=lambda record: record.url), directory)


@functools.cache
def _warm_pagefind() -> _Pagefind:
    return _Pagefind()


class _Pagefind:
    """One Pagefind service per process, started on first use and kept for the next publish.

    Starting it loads the Japanese dictionary (about 1 s here); a warm Lambda skips that.
    The service runs on an event loop of its own thread, so callers need none and may
    already run one. One bundle is built at a time; its records are read in the caller's
    thread and sent a batch at a time, so a stream of records is never held whole.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._service: Any = None
        threading.Thread(target=self._loop.run_forever, name="pagefind", daemon=True).start()

    def bundle(self, records: Iterable[SearchRecord], directory: str) -> list[SearchFile]:
        with self._lock:
            try:
                index = self._call(self._create_index())
                for batch in batched(records, RECORD_BATCH, strict=False):
                    self._call(_add_records(index, batch))
                # get_files, not write_files: WriteFiles answers before the last file on disk
                # is complete (seen here: an empty pagefind-entry.json), so the bytes come in
                # the answer.
                files = _bundle_files(self._call(index.get_files()), directory)
                self._call(index.delete_index())
                return files
            except BaseException:
                self._call(self._close())  # start afresh next time
                raise

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    async def _create_index(self) -> Any:
        from pagefind.index import IndexConfig

        if self._service is None or self._service._backend.returncode is not None:
            self._service = await _prompt_service()().launch()
        return await self._service.create_index(IndexConfig(force_language=LANGUAGE))

    async def _close(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            await service.close()


async def _add_records(index: Any, records: Sequence[SearchRecord]) -> None:
    await asyncio.gather(
        *(
            index.add_custom_record(
                url=record.url,
                content=record.content,
                language=LANGUAGE,
                meta={"title": record.title, DATE_LABEL: record.date},
            )
            for record in records
        )
    )


def _bundle_files(written: Sequence[Mapping[str, Any]], directory: str) -> list[SearchFile]:
    files = []
    for file in sorted(written, key=lambda file: str(file["path"])):
        path = PurePosixPath(file["path"])
        if path.name.startswith(_UNUSED):
            continue
        hashed = path.parts[0] in _HASHED_DIRS or path.suffix == ".pf_meta"
        content_type = _TYPES.get(path.suffix, BINARY)
        entry = path.name == "pagefind-entry.json"
        files.append(
            SearchFile(directory + path.as_posix(), file["content"], content_type, hashed, entry)
        )
    return files


@functools.cache
def _prompt_service() -> type[Any]:
    """Pagefind's service, reading each answer of the binary as soon as it is written."""
    from pagefind.service import PagefindService

    class PromptService(PagefindService):
        async def _wait_for_responses(self) -> None:
            stdout = self._backend.stdout
            assert stdout is not None  # the service is launched with stdout piped
            try:
                while True:
                    response = json.loads(base64.b64decode(await _answer(stdout)))
                    future = self._responses.pop(response.get("message_id"), None)
                    if future is None or future.done():
                        continue
                    payload = response["payload"]
                    if payload["type"] == "Error":
                        future.set_exception(RuntimeError(payload["message"]))
                    else:
                        future.set_result(payload)
            except (asyncio.IncompleteReadError, ValueError) as exc:
                # The binary stopped or wrote something else: fail what waits, not hang.
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(RuntimeError(f"pagefind stopped answering: {exc}"))
                self._responses.clear()

    return PromptService


async def _answer(stdout: asyncio.StreamReader) -> bytes:
    """One answer of the binary: base64 up to a comma, however long (an index's files)."""
    parts: list[bytes] = []
    while True:
        try:
            parts.append((await stdout.readuntil(b","))[:-1])
            return b"".join(parts)
        except asyncio.LimitOverrunError as longer:  # past the reader's limit: take what is there
            parts.append(await stdout.readexactly(longer.consumed))
