"""/sources/health/: is each source still sending news? One row per catalogue feed.

Built from the feed states the poller keeps (`domain/source_health.py`), read once per
publish (one state per catalogue entry). Readers see the source's name and site, when it was
last read and last brought a new item, its rhythm, and a freshness badge; never the feed's
URL (it may carry a key) nor the error text (it may name internal hosts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.source_health import Freshness, SourceHealth
from frontline.site.families.base import SiteContext
from frontline.site.formatting import format_jst
from frontline.site.views import PageMeta

PATH: Final = "/sources/health/"
_WARNING: Final = frozenset({Freshness.STOPPED, Freshness.FAILING})
_KIND_LABELS: Final = {
    "news": "ニュース",
    "research": "研究",
    "video": "動画",
    "community": "コミュニティ",
    "blog": "ブログ",
}


@dataclass(frozen=True)
class HealthRow:
    name: str
    site_url: str
    kind: str
    label: str
    warning: bool
    last_success: str
    last_new_item: str
    items_per_day: str
    errors: str


def _when(moment: datetime | None) -> str:
    return format_jst(moment) if moment else "—"


def _row(health: SourceHealth) -> HealthRow:
    errors = f"{health.error_streak}回連続" if health.error_streak else "なし"
    if health.next_attempt_at is not None:
        errors += f"（次回 {format_jst(health.next_attempt_at)}）"
    return HealthRow(
        name=health.source.name,
        site_url=health.source.site_url,
        kind=_KIND_LABELS.get(health.source.kind.value, health.source.kind.value),
        label=health.label,
        warning=health.freshness in _WARNING,
        last_success=_when(health.last_success_at),
        last_new_item=_when(health.last_new_item_at),
        items_per_day=f"{health.items_per_day:.1f}",
        errors=errors,
    )


class SourceHealthFamily:
    name = "source_health"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH] if ctx.source_health() is not None else []

    def owns(self, path: str) -> bool:
        return path == PATH  # registered before the source pages, whose paths it shares

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return self.paths(ctx)  # feed states change with every poll: rendered each publish

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        states = ctx.source_health()
        if states is None:  # a render without feed states has no such page
            return None
        rows = [_row(health) for health in states]
        page = PageMeta(
            title="情報源の稼働状況",
            description=f"{ctx.site.title}が記事を集めている情報源ごとの更新状況です。",
            path=PATH,
        )
        return ctx.html(
            "sources_health.html",
            page,
            rows=rows,
            warnings=sum(1 for row in rows if row.warning),
        )
