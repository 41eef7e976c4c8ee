"""The static site for a set of articles, as S3 objects: pure and deterministic.

The renderer walks the page families (`frontline.site.families`): in full, every path of
every family; given the article changes since the last publish, only the paths each family
says those changes touch (and any left pending by an earlier publish). Touched paths that
are no longer part of the site are reported as gone, so they are deleted by key. A page that
fails to render is left out and reported with the article it belongs to; the rest of the
site renders as usual.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from frontline.domain.digests import Digest
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import build_catalogue
from frontline.site.families import FAMILIES, PageFamily, SiteContext
from frontline.site.families.base import DigestSource, PinnedArticles, SourceHealthRows
from frontline.site.paths import key_for
from frontline.site.search import PublishedTiers
from frontline.site.site_config import SiteConfig


@dataclass(frozen=True)
class RenderFailure:
    """A page that could not be rendered, and the article it belongs to (if any)."""

    family: str
    path: str
    article_id: str | None
    error: str


class PageRenderError(Exception):
    """Raised where the whole site is wanted and some pages could not be rendered."""

    def __init__(self, failures: Sequence[RenderFailure]) -> None:
        super().__init__(", ".join(f"{f.path} ({f.error})" for f in failures))
        self.failures = tuple(failures)


@dataclass(frozen=True)
class RenderResult:
    objects: list[SiteObject]  # what was rendered: everything, or what the changes touch
    keys: frozenset[str]  # a full render: every key of the site (what is not here is stale)
    failures: tuple[RenderFailure, ...] = ()
    gone: frozenset[str] = frozenset()  # keys the changes touched that the site no longer has
    owners: Mapping[str, str] = field(default_factory=dict)  # rendered or gone key -> family


def render_site(
    articles: Sequence[Article],
    site: SiteConfig,
    *,
    now: datetime,
    digests: Sequence[Digest] = (),
) -> list[SiteObject]:
    """Pure: the whole static site for these articles and digests (only public articles).

    `now` only dates a feed that has no entries; everything else comes from the articles and
    the digests, so the same inputs always give the same bytes.
    """
    result = render(articles, site, now=now, digests=digests)
    if result.failures:
        raise PageRenderError(result.failures)
    return result.objects


def render(
    articles: Sequence[Article],
    site: SiteConfig,
    *,
    now: datetime,
    digests: Sequence[Digest] | DigestSource = (),
    changes: Sequence[ArticleChange] | None = None,
    also: Collection[str] = (),
    search_tiers: PublishedTiers | None = None,
    pinned: PinnedArticles | None = None,
    source_health: SourceHealthRows | None = None,
) -> RenderResult:
    """From articles in memory: the whole site, or — given the article changes since the
    last publish — the paths those changes touch, and the paths in `also`."""
    ctx = SiteContext(
        build_catalogue(articles),
        site,
        now=now,
        digests=digests,
        search_tiers=search_tiers,
        pinned=pinned,
        source_health=source_health,
    )
    if changes is None:
        return render_all(ctx)
    return render_changes(ctx, changes, also=also)


def render_all(ctx: SiteContext) -> RenderResult:
    """Every path of every family."""
    owners: dict[str, str] = {}
    wanted: list[tuple[PageFamily, str]] = []
    for family in FAMILIES:
        for path in family.paths(ctx):
            key = key_for(path)
            if key in owners:  # two pages claiming one key is a bug, not a silent overwrite
                raise ValueError(f"two site objects claim the key {key!r}")
            owners[key] = family.name
            wanted.append((family, path))
    result = _render(ctx, wanted)
    return RenderResult(result.objects, frozenset(owners), result.failures, result.gone, owners)


def touched_paths(ctx: SiteContext, changes: Sequence[ArticleChange]) -> set[str]:
    """The paths the changes can alter, as each family answers from bounded slices."""
    return {path for family in FAMILIES for path in family.touched(changes, ctx)}


def render_changes(
    ctx: SiteContext, changes: Sequence[ArticleChange], *, also: Collection[str] = ()
) -> RenderResult:
    """The paths the changes touch and the paths in `also`, each by the family that owns it."""
    return render_paths(ctx, touched_paths(ctx, changes) | set(also))


def owner_of(path: str) -> PageFamily | None:
    return next((family for family in FAMILIES if family.owns(path)), None)


def render_paths(ctx: SiteContext, paths: Iterable[str]) -> RenderResult:
    """These paths, each by its family; a path no family owns, or whose family no longer
    has it, is gone."""
    wanted: list[tuple[PageFamily, str]] = []
    unowned: list[str] = []
    for path in sorted(set(paths)):
        family = owner_of(path)
        if family is None:
            unowned.append(key_for(path))
        else:
            wanted.append((family, path))
    result = _render(ctx, wanted)
    return RenderResult(
        result.objects,
        frozenset(),
        result.failures,
        result.gone | frozenset(unowned),
        result.owners,
    )


def _render(ctx: SiteContext, wanted: Sequence[tuple[PageFamily, str]]) -> RenderResult:
    by_key: dict[str, SiteObject] = {}
    gone: set[str] = set()
    owners: dict[str, str] = {}
    failures: list[RenderFailure] = []
    for family, path in wanted:
        key = key_for(path)
        owners[key] = family.name
        try:
            obj = family.render(path, ctx)
        except Exception as exc:  # one bad page must not stop the rest of the site
            failures.append(
                RenderFailure(family.name, path, _article_id(ctx, path), repr(exc)[:300])
            )
            continue
        if obj is None:
            gone.add(key)
        else:
            by_key[key] = obj
    for article_id, (path, error) in sorted(ctx.card_failures.items()):
        if not any(failure.article_id == article_id for failure in failures):
            failures.append(RenderFailure("card", path, article_id, error))
    return RenderResult(
        objects=[by_key[key] for key in sorted(by_key)],
        keys=frozenset(),
        failures=tuple(failures),
        gone=frozenset(gone),
        owners=owners,
    )


def _article_id(ctx: SiteContext, path: str) -> str | None:
    try:
        article = ctx.slices.article_at(path)
    except Exception:  # the failure being reported may be the store's
        return None
    return article.id if article is not None else None
