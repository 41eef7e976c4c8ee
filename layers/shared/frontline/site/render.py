"""The static site for a set of articles, as S3 objects: pure and deterministic.

The renderer walks the page families (`frontline.site.families`): in full, every path of
every family; given the article changes since the last publish, only the paths each family
says those changes touch (and any left pending by an earlier publish). Touched paths that
are no longer part of the site are reported as gone, so they are deleted by key. A page that
fails to render is left out and reported with the article it belongs to; the rest of the
site renders as usual.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from frontline.domain.digests import Digest
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.catalogue import build_catalogue
from frontline.site.families import FAMILIES, SiteContext
from frontline.site.families.base import NewestArticles, PinnedArticles, SourceHealthRows
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
    keys: frozenset[str]  # every key of the complete site (what is not here is stale)
    failures: tuple[RenderFailure, ...] = ()
    gone: frozenset[str] = frozenset()  # keys the changes touched that the site no longer has


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
    digests: Sequence[Digest] = (),
    changes: Sequence[ArticleChange] | None = None,
    also: Collection[str] = (),
    search_tiers: PublishedTiers | None = None,
    newest: NewestArticles | None = None,
    pinned: PinnedArticles | None = None,
    source_health: SourceHealthRows | None = None,
) -> RenderResult:
    """The whole site, or — given the article changes since the last publish — the paths
    those changes touch, and the paths in `also`. With the published search tiers, the
    search index is the recent one (see families/search). With the store's `newest` query,
    the site-wide lists (top page, feeds, API) read only their first N from it."""
    ctx = SiteContext(
        build_catalogue(articles),
        site,
        now=now,
        digests=digests,
        search_tiers=search_tiers,
        newest=newest,
        pinned=pinned,
        source_health=source_health,
    )
    by_key: dict[str, SiteObject] = {}
    owner: dict[str, str] = {}
    failures: list[RenderFailure] = []
    asked = set(also)
    for family in FAMILIES:
        paths = list(family.paths(ctx))
        for path in paths:
            key = key_for(path)
            if key in owner:  # two pages claiming one key is a bug, not a silent overwrite
                raise ValueError(f"two site objects claim the key {key!r}")
            owner[key] = family.name
        wanted = paths
        if changes is not None:
            touched = set(family.touched(changes, ctx))
            asked |= touched
            wanted = [path for path in paths if path in touched or path in also]
        for path in wanted:
            try:
                by_key[key_for(path)] = family.render(path, ctx)
            except Exception as exc:  # one bad page must not stop the rest of the site
                article = ctx.article_by_path.get(path)
                failures.append(
                    RenderFailure(
                        family.name, path, article.id if article else None, repr(exc)[:300]
                    )
                )
    for article_id, (path, error) in sorted(ctx.card_failures.items()):
        if not any(failure.article_id == article_id for failure in failures):
            failures.append(RenderFailure("card", path, article_id, error))
    return RenderResult(
        objects=[by_key[key] for key in sorted(by_key)],
        keys=frozenset(owner),
        failures=tuple(failures),
        gone=frozenset(key for key in map(key_for, asked) if key not in owner),
    )
