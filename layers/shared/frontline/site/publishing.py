"""Render the site from the store and publish only the objects whose bytes changed.

A full publish renders everything; an incremental one (a batch of stream records) renders
what the page families say the changes touch, and the pages an earlier publish left
pending. What is published is known from the manifest (each key's content hash, read for
just the keys rendered): the bucket is never listed. Objects whose hash differs are
uploaded, pages the changes took away are deleted by key, and the CDN drops the changed
paths in one invalidation. A page that fails to render keeps its published object and is
left pending, as are the objects of an upload that failed; the next publish retries them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from frontline.domain.digests import DigestKind
from frontline.domain.models import ArticleChange
from frontline.domain.ports import (
    ArticleRepository,
    CdnInvalidator,
    ChangeBacklog,
    DigestRepository,
    PublishManifest,
    SiteObject,
    SiteStore,
)
from frontline.site import SiteConfig
from frontline.site.catalogue import build_catalogue
from frontline.site.extras import SiteExtras, extras_at
from frontline.site.families import SITEMAPS, SiteContext
from frontline.site.families.base import DigestList, DigestSource
from frontline.site.families.sitemap import INDEX_PATH as SITEMAP_INDEX
from frontline.site.paths import key_for, path_for
from frontline.site.render import (
    RenderFailure,
    RenderResult,
    render_all,
    render_changes,
    render_paths,
)
from frontline.site.search import ARCHIVE_DIR, TIERS_PATH, published_tiers
from frontline.site.slices import SiteIndex

# One CreateInvalidation call per publish, at most this many paths (the first 1,000 paths
# a month are free, then $0.005 each). Past the cap, the most-read pages are invalidated and
# the rest expire on their own: HTML and feeds are cached for 5 minutes (max-age=300).
INVALIDATION_CAP: Final = 15
_FIRST: Final = ("/", "/news/", "/rss.xml", "/atom.xml", "/feed.json")

# Stream batches that arrive within this long of the last publish wait in the backlog and
# are published together (by a later batch, or by the drain schedule): a burst of a
# thousand articles renders the site-wide pages a few times, not once per batch.
COALESCE: Final = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class PublishReport:
    rendered: int
    uploaded: list[str]
    deleted: list[str]
    invalidated: list[str]
    failed: tuple[RenderFailure, ...] = ()
    deferred: int = 0  # changes left in the backlog for the next publish

    def summary(self) -> dict[str, int]:
        return {
            "rendered": self.rendered,
            "uploaded": len(self.uploaded),
            "deleted": len(self.deleted),
            "invalidated": len(self.invalidated),
            "failed": len(self.failed),
            "deferred": self.deferred,
        }


def viewer_path(key: str) -> str | None:
    """The URL path readers use for an object key; None for hashed (immutable) assets."""
    return None if key.startswith("assets/") else path_for(key)


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def invalidation_paths(changed_keys: Sequence[str], cap: int = INVALIDATION_CAP) -> list[str]:
    paths = {path for key in changed_keys if (path := viewer_path(key)) is not None}
    first = [path for path in _FIRST if path in paths]
    rest = sorted(paths - set(first), key=lambda path: (path.count("/"), path))
    return (first + rest)[:cap]


def upload_changed(
    objects: Sequence[SiteObject],
    known: Mapping[str, str],
    store: SiteStore,
    manifest: PublishManifest,
) -> list[str]:
    """Upload the objects whose content hash differs from the published one (`known`),
    record each uploaded hash; returns the uploaded keys. When an upload fails, the objects
    not uploaded are left pending and the error is raised."""
    hashes = {obj.key: content_hash(obj.body) for obj in objects}
    changed = [obj for obj in objects if known.get(obj.key) != hashes[obj.key]]
    uploaded: list[str] = []
    try:
        for obj in changed:
            store.put(obj)
            uploaded.append(obj.key)
    except Exception:
        manifest.mark_pending(path_for(obj.key) for obj in changed[len(uploaded) :])
        raise
    finally:
        manifest.record({key: hashes[key] for key in uploaded})
    return uploaded


def publish_site(
    articles: ArticleRepository,
    store: SiteStore,
    site: SiteConfig,
    *,
    manifest: PublishManifest,
    now: datetime,
    index: SiteIndex,
    digests: DigestRepository | None = None,
    changes: Sequence[ArticleChange] | None = None,
    digest_changes: Sequence[tuple[DigestKind, str]] = (),
    cdn: CdnInvalidator | None = None,
    extras: SiteExtras | None = None,
) -> PublishReport:
    """Publish the site: in full, or only what `changes` (stream records) can touch.

    An incremental publish renders from the index's bounded slices (brought up to date for
    the changed articles by the caller as their records arrive): it never reads every
    article. Pinned articles and the feeds' health come from `extras`. A site never published
    (no top page in the manifest) is published in full, and so is one whose search archive
    cannot be read back: a full publish builds the search archive index, an
    incremental one the recent index beside it (see families/search)."""
    incremental = changes is not None and bool(manifest.hashes_of([key_for("/")]))
    tiers = published_tiers(store.read(key_for(TIERS_PATH))) if incremental else None
    pending = manifest.pending()
    # the archive search index is built by a full publish only: a file of it left pending
    # (an upload that failed) is published by the next full one, which is this one
    rebuilds = any(path.startswith(ARCHIVE_DIR) for path in pending)
    incremental = incremental and tiers is not None and not rebuilds
    source: DigestSource = digests if digests is not None else DigestList(())
    at = extras_at(extras, now)
    if incremental:
        assert changes is not None
        ctx = SiteContext(
            index,
            site,
            now=now,
            digests=source,
            search_tiers=tiers,
            digest_changes=digest_changes,
            pinned=at.pinned,
            source_health=at.source_health,
        )
        result, known = _render_incremental(ctx, changes, pending, manifest)
        stale = sorted(key for key in result.gone if key in known)
    else:
        listed = articles.list_public()
        ctx = SiteContext(
            build_catalogue(listed),
            site,
            now=now,
            digests=source,
            pinned=at.pinned,
            source_health=at.source_health,
        )
        result = render_all(ctx)
        known = manifest.all_hashes()
        stale = sorted(key for key in known if key not in result.keys)
    uploaded = upload_changed(result.objects, known, store, manifest)
    if stale:
        store.delete(stale)
        manifest.forget(stale)
    failed = {failure.path for failure in result.failures}
    if failed:
        manifest.mark_pending(failed)
    if settled := [path for path in pending if path not in failed]:
        manifest.clear_pending(settled)
    invalidated = invalidation_paths(uploaded + stale) if cdn is not None else []
    if invalidated and cdn is not None:
        cdn.invalidate(invalidated, reference=now.strftime("%Y%m%dT%H%M%S%f"))
    return PublishReport(
        rendered=len(result.objects),
        uploaded=uploaded,
        deleted=stale,
        invalidated=invalidated,
        failed=result.failures,
    )


def _render_incremental(
    ctx: SiteContext,
    changes: Sequence[ArticleChange],
    pending: Sequence[str],
    manifest: PublishManifest,
) -> tuple[RenderResult, dict[str, str]]:
    """The touched and pending paths; then the sitemaps of the families that gained or lost
    a page, then the sitemap index if a sitemap file came or went. Returns the render and
    the published hashes of every key it rendered or found gone (read once each)."""
    known: dict[str, str] = {}
    asked: set[str] = set()

    def reshaped(result: RenderResult) -> set[str]:
        """Keys that appeared (not published) or went (gone but published)."""
        keys = [obj.key for obj in result.objects]
        fresh = [key for key in [*keys, *result.gone] if key not in asked]
        asked.update(fresh)
        known.update(manifest.hashes_of(fresh))
        return {key for key in keys if key not in known} | {k for k in result.gone if k in known}

    result = render_changes(ctx, changes, also=pending)
    families = {result.owners.get(key) for key in reshaped(result)}
    if families - {SITEMAPS.name, None}:
        sitemaps = render_paths(ctx, SITEMAPS.files_of({f for f in families if f}, ctx))
        result = _merge(result, sitemaps)
        families |= {SITEMAPS.name for _key in reshaped(sitemaps)}
    if SITEMAPS.name in families:  # a sitemap file came or went: the index names them all
        result = _merge(result, render_paths(ctx, [SITEMAP_INDEX]))
        reshaped(result)
    return result, known


def _merge(first: RenderResult, second: RenderResult) -> RenderResult:
    objects = {obj.key: obj for obj in [*first.objects, *second.objects]}
    failures = {(f.path, f.article_id): f for f in [*first.failures, *second.failures]}
    return RenderResult(
        objects=[objects[key] for key in sorted(objects)],
        keys=frozenset(),
        failures=tuple(failures.values()),
        gone=(first.gone | second.gone) - objects.keys(),
        owners={**first.owners, **second.owners},
    )


def merge_changes(changes: Sequence[ArticleChange]) -> list[ArticleChange]:
    """One change per article, oldest first: its first `before` and its last `after`."""
    merged: dict[str, ArticleChange] = {}
    for change in changes:
        ident = change.versions[0].id
        known = merged.get(ident)
        merged[ident] = change if known is None else ArticleChange(known.before, change.after)
    return list(merged.values())


def publish_coalesced(
    articles: ArticleRepository,
    store: SiteStore,
    site: SiteConfig,
    *,
    manifest: PublishManifest,
    backlog: ChangeBacklog,
    now: datetime,
    changes: Sequence[ArticleChange] | None,
    index: SiteIndex,
    full: bool = False,
    digest_changes: Sequence[tuple[DigestKind, str]] = (),
    digests: DigestRepository | None = None,
    cdn: CdnInvalidator | None = None,
    interval: timedelta = COALESCE,
    extras: SiteExtras | None = None,
) -> PublishReport:
    """Record a stream batch (`changes`) and publish everything waiting, unless a publish
    ran less than `interval` ago. A drain (`changes=None`, on a schedule) publishes what
    waits whenever anything does: batches in the backlog, or pages an earlier publish left
    pending (a page that failed to render, an upload that failed), so a failed publish is
    retried every minute even when no article arrives. A full publish renders everything
    and so settles the whole backlog. A stored digest (`digest_changes`, a few a day) is
    published at once."""
    if changes is not None and not full:
        backlog.add(changes)
    waiting = backlog.waiting()
    if not full:
        last = backlog.last_publish()
        recent = (
            changes is not None
            and not digest_changes
            and last is not None
            and now - last < interval
        )
        retry = changes is None and bool(manifest.pending())
        if recent or not (waiting or retry or digest_changes):
            return PublishReport(0, [], [], [], deferred=len(waiting))
    merged = merge_changes([change for _token, change in waiting if change is not None])
    report = publish_site(
        articles,
        store,
        site,
        manifest=manifest,
        now=now,
        index=index,
        digests=digests,
        changes=None if full else merged,
        digest_changes=digest_changes,
        cdn=cdn,
        extras=extras,
    )
    backlog.settle([token for token, _change in waiting], published_at=now)
    return report
