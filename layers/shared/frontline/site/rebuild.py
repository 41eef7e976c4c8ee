"""The full rebuild in partitions, each bounded in memory whatever the archive's size.

A full render holds every page of the site at once; the rebuild splits the same pages into
partitions that can run one per worker (a process pool locally, Step Functions' Distributed
Map in AWS) and publish as they go:

- `articles:<month>`: the article pages and their JSON documents of one JST month, streamed
  from the month's posting list;
- `news`: the frozen archive pages of 最新ニュース, streamed from the oldest article;
- `tags:<i>-<n>`, `companies:<i>-<n>`, `sources:<i>-<n>`: shard i of n of the group pages
  (and the tags' and companies' feeds), by a stable hash of the group key;
- `hacker:<month>`: the Hacker日報 day pages of one JST month;
- `digests`: AI日報 and 週報 (their archives, reports and feeds);
- `sitemaps`: the sitemap index, the family and monthly sitemaps, robots.txt;
- `search:<month>-<i>`: one Pagefind archive bundle (`ARCHIVE_BUNDLE_SIZE` articles of a
  JST month), the service that builds it included; `search`: the tiers file naming them;
- `site`: everything else, the small site-wide pages (top page, /news/, indexes, feeds...).

Every partition renders its pages `BATCH` at a time, each batch with a fresh render
context (so cards and slices read for one batch are dropped before the next), and yields
the batch for upload. The union of the partitions is the full render, byte for byte.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import batched, islice
from typing import Final, Protocol

from frontline.domain.ports import PublishManifest, SiteObject, SiteStore
from frontline.site.api import LATEST_PATH, SCHEMA_PATH
from frontline.site.assets import script
from frontline.site.families import (
    FAMILIES,
    SITEMAPS,
    PageFamily,
    SiteContext,
    companies,
    hacker,
    news,
    search,
    sources,
    tags,
)
from frontline.site.families.feeds import FEED_NAME, JSON_FEED_PATH, SITE_FEEDS
from frontline.site.families.hacker import hacker_day_path
from frontline.site.families.news import NEWS_PAGE_SIZE, archive_page, archive_page_count
from frontline.site.families.search import search_object
from frontline.site.paths import article_json_path, key_for, news_archive_path
from frontline.site.publishing import upload_changed
from frontline.site.render import RenderFailure, render_paths
from frontline.site.search import (
    archive_bundle_dir,
    archive_bundle_files,
    archive_bundle_keys,
    archive_cutoff_of,
    month_of,
    tiers_file,
)
from frontline.site.slices import COMMUNITY_DAY_KEY, GroupKind, month_key

BATCH: Final = 200  # pages rendered with one context and uploaded together
GROUPS_PER_SHARD: Final = 400  # group pages (and their feeds) per group partition

ContextFactory = Callable[[], SiteContext]
_FAMILY: Final[Mapping[str, PageFamily]] = {family.name: family for family in FAMILIES}
# families whose every path is a small site-wide page
_SITE_WIDE: Final = ("home", "videos", "tools", "trends", "about", "assets", "source_health")


@dataclass(frozen=True, order=True)
class Partition:
    """One unit of a rebuild: a kind and its key (a month, a shard), named `kind:key`."""

    kind: str
    key: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind

    @classmethod
    def parse(cls, name: str) -> Partition:
        kind, _, key = name.partition(":")
        if kind not in PARTITION_KINDS:
            raise ValueError(f"no partition kind {kind!r}")
        return cls(kind, key)


@dataclass(frozen=True)
class RenderedBatch:
    """A batch of a partition: its objects, the keys it claims (rendered, gone or failed:
    what a finished rebuild keeps) and its failures."""

    objects: list[SiteObject]
    keys: frozenset[str]
    failures: tuple[RenderFailure, ...] = ()


class PartitionKind(Protocol):
    def plan(self, ctx: SiteContext) -> list[str]:
        """The keys of this kind's partitions for the site in `ctx`."""
        ...

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        """The partition's pages, a batch at a time (each from a fresh context)."""
        ...


def render_batches(paths: Iterable[str], contexts: ContextFactory) -> Iterator[RenderedBatch]:
    """Paths rendered by their families, `BATCH` at a time, each batch in a fresh context."""
    for batch in batched(paths, BATCH, strict=False):
        result = render_paths(contexts(), batch)
        yield RenderedBatch(list(result.objects), frozenset(map(key_for, batch)), result.failures)


def _family_paths(name: str, ctx: SiteContext) -> list[str]:
    return list(_FAMILY[name].paths(ctx))


class SitePartition:
    """The small site-wide pages: each list shows the newest few, each index every group."""

    def plan(self, ctx: SiteContext) -> list[str]:
        return [""]

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        ctx = contexts()
        paths = [path for name in _SITE_WIDE for path in _family_paths(name, ctx)]
        paths += [news.PATH, tags.INDEX_PATH, companies.INDEX_PATH, sources.INDEX_PATH]
        paths += [hacker.INDEX_PATH, search.PATH, script("search").path]
        paths += [*SITE_FEEDS, JSON_FEED_PATH, LATEST_PATH, SCHEMA_PATH]
        result = render_paths(ctx, paths)
        yield RenderedBatch(list(result.objects), frozenset(map(key_for, paths)), result.failures)


class ArticlePartition:
    """The article pages and JSON documents of one JST month."""

    def plan(self, ctx: SiteContext) -> list[str]:
        return sorted(ctx.slices.months())

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        walked = contexts().slices.walk(month_key(key))
        paths = (path for a in walked for path in (a.path, article_json_path(a.id)))
        return render_batches(paths, contexts)


class NewsArchivePartition:
    """/news/page/N/, streamed from the oldest article: page N holds the N-th twenty."""

    def plan(self, ctx: SiteContext) -> list[str]:
        return [""] if archive_page_count(ctx.count()) else []

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        ctx = contexts()
        pages = archive_page_count(ctx.count())
        oldest_first = ctx.slices.walk(None, oldest_first=True)
        for numbers in batched(range(1, pages + 1), BATCH, strict=False):
            ctx = contexts()
            objects = []
            keys = []
            for number in numbers:
                listed = list(islice(oldest_first, NEWS_PAGE_SIZE))
                if len(listed) < NEWS_PAGE_SIZE:  # the store lost articles since it counted
                    break
                objects.append(archive_page(ctx, number, pages, listed[::-1]))
                keys.append(key_for(news_archive_path(number)))
            yield RenderedBatch(objects, frozenset(keys), card_failures(ctx))


def card_failures(ctx: SiteContext) -> tuple[RenderFailure, ...]:
    return tuple(
        RenderFailure("card", path, article_id, error)
        for article_id, (path, error) in sorted(ctx.card_failures.items())
    )


def shard_of(key: str, shards: int) -> int:
    """A group's shard: stable across processes and runs (unlike `hash`)."""
    return zlib.crc32(key.encode("utf-8")) % shards


@dataclass(frozen=True)
class GroupPartition:
    """Shard i of n of one kind's group pages, and their feeds (tags and companies)."""

    kind: GroupKind
    feeds: bool

    def plan(self, ctx: SiteContext) -> list[str]:
        shards = max(1, -(-len(ctx.groups(self.kind)) // GROUPS_PER_SHARD))
        return [f"{shard}-{shards}" for shard in range(shards)]

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        shard, _, shards = key.partition("-")
        groups = [
            group
            for group in contexts().groups(self.kind)
            if shard_of(group.key, int(shards)) == int(shard)
        ]
        paths = [group.path for group in groups]
        if self.feeds:
            paths += [group.path + FEED_NAME for group in groups]
        return render_batches(paths, contexts)


class HackerPartition:
    """The Hacker日報 day pages of one JST month."""

    def plan(self, ctx: SiteContext) -> list[str]:
        return sorted({f"{day:%Y-%m}" for day in self._days(ctx)})

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        days = [day for day in self._days(contexts()) if f"{day:%Y-%m}" == key]
        return render_batches([hacker_day_path(day) for day in sorted(days)], contexts)

    @staticmethod
    def _days(ctx: SiteContext) -> list[date]:
        found = ctx.slices.days_before(COMMUNITY_DAY_KEY, None, ctx.count() + 1)
        return [count.day for count in found]


@dataclass(frozen=True)
class FamilyPartition:
    """Every path of one family (digests, sitemaps: a few hundred files at most)."""

    family: str

    def plan(self, ctx: SiteContext) -> list[str]:
        return [""]

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        return render_batches(_family_paths(self.family, contexts()), contexts)


class SearchPartition:
    """One Pagefind archive bundle (key `<month>-<i>`), or the tiers file (no key) naming
    every bundle and the archive's cutoff, read from a stream of every article."""

    def plan(self, ctx: SiteContext) -> list[str]:
        return [*archive_bundle_keys(ctx.slices.months()), ""]

    def render(self, key: str, contexts: ContextFactory) -> Iterator[RenderedBatch]:
        slices = contexts().slices
        if key:
            files = archive_bundle_files(key, lambda: slices.walk(month_key(month_of(key))))
        else:
            bundles = [archive_bundle_dir(k) for k in archive_bundle_keys(slices.months())]
            cutoff = archive_cutoff_of(slices.walk(None))
            files = [tiers_file(cutoff, bundles, recent=False)]
        objects = [search_object(file) for file in files]
        yield RenderedBatch(objects, frozenset(obj.key for obj in objects))


PARTITION_KINDS: Final[Mapping[str, PartitionKind]] = {
    "site": SitePartition(),
    "articles": ArticlePartition(),
    "news": NewsArchivePartition(),
    "tags": GroupPartition("tags", feeds=True),
    "companies": GroupPartition("companies", feeds=True),
    "sources": GroupPartition("sources", feeds=False),
    "hacker": HackerPartition(),
    "digests": FamilyPartition("digests"),
    "sitemaps": FamilyPartition(SITEMAPS.name),
    "search": SearchPartition(),
}


def plan_partitions(ctx: SiteContext) -> list[Partition]:
    """Every partition of the site in `ctx`, the largest kinds first (they finish last)."""
    order = ("articles", "search", "news", "sitemaps", "tags", "companies", "sources")
    kinds = [*order, *(kind for kind in PARTITION_KINDS if kind not in order)]
    return [Partition(kind, key) for kind in kinds for key in PARTITION_KINDS[kind].plan(ctx)]


def render_partition(partition: Partition, contexts: ContextFactory) -> Iterator[RenderedBatch]:
    return PARTITION_KINDS[partition.kind].render(partition.key, contexts)


@dataclass
class PartitionReport:
    """What publishing one partition did: every key it claims, what it uploaded, and the
    pages that failed (left pending for the next publish)."""

    partition: str
    keys: set[str] = field(default_factory=set)
    rendered: int = 0
    uploaded: int = 0
    failures: list[RenderFailure] = field(default_factory=list)

    def summary(self) -> dict[str, int | str]:
        return {
            "partition": self.partition,
            "rendered": self.rendered,
            "uploaded": self.uploaded,
            "failed": len(self.failures),
        }


def publish_partition(
    partition: Partition,
    contexts: ContextFactory,
    *,
    store: SiteStore,
    manifest: PublishManifest,
) -> PartitionReport:
    """Render a partition and upload each batch's changed objects as it is rendered
    (hashes compared with the manifest for just that batch's keys)."""
    report = PartitionReport(partition.name)
    for batch in render_partition(partition, contexts):
        objects = list(batch.objects)
        known = manifest.hashes_of(obj.key for obj in objects)
        report.uploaded += len(upload_changed(objects, known, store, manifest))
        report.rendered += len(objects)
        report.keys |= batch.keys
        report.failures += batch.failures
    if report.failures:
        manifest.mark_pending(failure.path for failure in report.failures)
    return report


def stale_keys(published: Mapping[str, str], produced: Iterable[str]) -> list[str]:
    """Published keys no partition of the rebuild produced: deleted by key at its end."""
    kept = set(produced)
    return sorted(key for key in published if key not in kept)


__all__ = [
    "PARTITION_KINDS",
    "Partition",
    "PartitionReport",
    "RenderedBatch",
    "plan_partitions",
    "publish_partition",
    "render_partition",
    "stale_keys",
]
