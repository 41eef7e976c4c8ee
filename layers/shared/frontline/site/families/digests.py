"""AI日報 and 週報: each kind's archive, one page per report and an RSS feed.

The pages themselves are drawn in `frontline.site.digest_pages`; this family says which
exist and which a change touches. A report shows its articles' current cards, so an
article change touches the reports of the day and week it was published in; a stored or
regenerated digest touches its report, its neighbours (their pagers), its kind's archive
and feed.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.digests import Digest, DigestKind, period_of
from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.digest_pages import (
    WORDING,
    DigestPages,
    digest_path,
    period_path,
    rss_path,
)
from frontline.site.families.base import RSS, SiteContext, site_object, versions


def _pages(ctx: SiteContext) -> DigestPages:
    return ctx.memo("digests:pages", lambda: DigestPages(ctx))


def _report_at(path: str) -> tuple[DigestKind, str] | None:
    for kind in DigestKind:
        root = WORDING[kind].root
        rest = path.removeprefix(root)
        if rest != path and rest.endswith("/") and rest.count("/") == 1 and len(rest) > 1:
            return kind, rest.strip("/")
    return None


class DigestFamily:
    name = "digests"

    def paths(self, ctx: SiteContext) -> list[str]:
        pages = _pages(ctx)
        paths = []
        for kind in DigestKind:
            paths += [WORDING[kind].root, rss_path(kind)]
            paths += [digest_path(digest) for digest in pages.of_kind(kind)]
        return paths

    def owns(self, path: str) -> bool:
        roots = {WORDING[kind].root for kind in DigestKind} | {rss_path(k) for k in DigestKind}
        return path in roots or _report_at(path) is not None

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        touched: set[str] = set()
        for kind in DigestKind:
            periods = {period_of(kind, version.published) for version in versions(changes)}
            found: list[Digest] = [
                digest for period in sorted(periods) if (digest := ctx.digests.get(kind, period))
            ]
            touched.update(digest_path(digest) for digest in found)
            if found:  # its feed quotes the reports' overviews
                touched.add(rss_path(kind))
            if not ctx.digests.newest(kind, 1):
                touched.add(rss_path(kind))  # dated by the newest article until a report exists
        for kind, period in ctx.digest_changes:
            touched.update({WORDING[kind].root, rss_path(kind), period_path(kind, period)})
            touched.update(digest_path(near) for near in ctx.digests.adjacent(kind, period) if near)
        return sorted(touched)

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        pages = _pages(ctx)
        for kind in DigestKind:
            if path == WORDING[kind].root:
                return pages.archive(kind)
            if path == rss_path(kind):
                return site_object(path, pages.rss(kind, now=ctx.now), RSS)
        report = _report_at(path)
        if report is None:
            return None
        digest = ctx.digests.get(*report)
        return pages.report(digest) if digest is not None and digest_path(digest) == path else None
