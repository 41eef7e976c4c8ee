"""The about page (how importance is scored, where articles come from) and the 404 page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.importance import LABELS, importance_of, weighted_score
from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.families.base import SiteContext
from frontline.site.formatting import stars
from frontline.site.views import PageMeta

ABOUT_PATH: Final = "/about/"
NOT_FOUND_PATH: Final = "/404.html"

SUBSCORE_DESCRIPTIONS: tuple[tuple[str, str, int], ...] = (
    ("深度", "内容の掘り下げ。一次情報、技術的な詳細、データがどれだけ含まれているか", 40),
    ("関連度", "日本の読者や企業にとって、どれだけ関係が深いか", 30),
    ("実用性", "仕事や開発、日々の利用にすぐ役立つか", 20),
    ("革新性", "これまでにない新しさがあるか", 10),
)

LEVEL_DESCRIPTIONS: dict[int, str] = {
    5: "業界の流れを変えうる、必ず押さえておきたいニュース",
    4: "多くの読者に影響がある、読んでおきたいニュース",
    3: "関心のある分野なら押さえておきたいニュース",
    2: "動向の把握に役立つニュース",
    1: "参考程度の小さな話題",
}


def _about(ctx: SiteContext) -> SiteObject:
    example = {"depth": 4, "relevance": 5, "practicality": 3, "innovation": 2}
    weighted = weighted_score(**example)
    rounded = importance_of(**example)
    page = PageMeta(
        title="このサイトについて",
        description=f"{ctx.site.title}の仕組み、重要度の決め方、情報源について。",
        path=ABOUT_PATH,
    )
    return ctx.html(
        "about.html",
        page,
        subscores=[
            {"name": name, "description": description, "weight": weight}
            for name, description, weight in SUBSCORE_DESCRIPTIONS
        ],
        example={
            **example,
            "weighted": f"{weighted:.1f}",
            "importance": rounded,
            "label": LABELS[rounded],
        },
        levels=[
            {
                "importance": level,
                "label": LABELS[level],
                "stars": stars(level),
                "description": LEVEL_DESCRIPTIONS[level],
            }
            for level in sorted(LABELS, reverse=True)
        ],
        # by name: an order that does not move as counts do (the sources page has those)
        sources=sorted(ctx.groups("sources"), key=lambda group: (group.name.casefold(), group.key)),
    )


def _not_found(ctx: SiteContext) -> SiteObject:
    page = PageMeta(
        title="ページが見つかりません",
        description="お探しのページは見つかりませんでした。",
        path=NOT_FOUND_PATH,
        noindex=True,
    )
    return ctx.html("404.html", page)


class AboutFamily:
    name = "about"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [ABOUT_PATH, NOT_FOUND_PATH]

    def owns(self, path: str) -> bool:
        return path in (ABOUT_PATH, NOT_FOUND_PATH)

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [ABOUT_PATH]  # the 404 page depends on no article

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        return _not_found(ctx) if path == NOT_FOUND_PATH else _about(ctx)
