"""AI日報 and 週報: each kind's archive, one page per report and an RSS feed.

The pages themselves are drawn in `frontline.site.digest_pages`; this family says which
exist. A report shows its articles' current cards, so any article change can reach it.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.digests import DigestKind
from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.digest_pages import WORDING, DigestPages, digest_path, rss_path
from frontline.site.families.base import RSS, SiteContext, site_object


def _pages(ctx: SiteContext) -> DigestPages:
    return ctx.memo("digests:pages", lambda: DigestPages(ctx, ctx.digests))


class DigestFamily:
    name = "digests"

    def paths(self, ctx: SiteContext) -> list[str]:
        pages = _pages(ctx)
        paths = []
        for kind in DigestKind:
            paths += [WORDING[kind].root, rss_path(kind)]
            paths += [digest_path(digest) for digest in pages.of_kind(kind)]
        return paths

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return self.paths(ctx)

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        pages = _pages(ctx)
        for kind in DigestKind:
            if path == WORDING[kind].root:
                return pages.archive(kind)
            if path == rss_path(kind):
                return site_object(path, pages.rss(kind, now=ctx.now), RSS)
            for digest in pages.of_kind(kind):
                if digest_path(digest) == path:
                    return pages.report(digest)
        raise KeyError(path)
