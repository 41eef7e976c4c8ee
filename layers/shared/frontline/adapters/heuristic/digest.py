"""Digests without an LLM: an honest extractive overview."""

from __future__ import annotations

import re
from typing import Final

from frontline.adapters.heuristic.assembly import clip
from frontline.adapters.heuristic.limits import MAX_KEY_POINTS
from frontline.domain.digests import DigestKind, DigestOverview, DigestRequest, OverviewResult
from frontline.domain.models import (
    CATEGORY_LABELS,
    Article,
)

# --- Digests: an honest extractive overview ------------------------------------------------

DIGEST_HIGHLIGHT_SUMMARY_CHARS: Final = 120
DIGEST_HIGHLIGHT_MAX_CHARS: Final = 200
DIGEST_OVERVIEW_MAX_CHARS: Final = 1200
_FIRST_SENTENCE: Final = re.compile(r"^.+?(?:[。！？]|[.!?](?=\s|$))", re.DOTALL)


def _first_sentence(text: str, max_chars: int) -> str:
    flat = " ".join(text.split())
    match = _FIRST_SENTENCE.match(flat)
    return clip(match.group(0) if match else flat, max_chars)


class HeuristicDigestWriter:
    """An OverviewWriter with no LLM: the top articles' own titles and TL;DRs, stitched with
    Japanese connective text that says so. The page marks it 「自動抽出による要約です」."""

    name = "heuristic"
    model_id: str | None = None  # nothing to price

    def write(self, request: DigestRequest) -> OverviewResult:
        return OverviewResult(
            overview=self.overview_of(request), provider=self.name, generated_by="heuristic"
        )

    def overview_of(self, request: DigestRequest) -> DigestOverview:
        ranked = request.articles
        if not ranked:
            raise ValueError("a digest overview needs at least one article")
        noun = "この日" if request.kind is DigestKind.DAILY else "この週"
        top = ranked[0]
        sentences = [
            f"{noun}に掲載したAIニュースは{request.article_count}件で、"
            f"ここでは重要度の高い{len(ranked)}件を取り上げる。",
            f"最も重要度が高かったのは{top.item.source_name}の「{top.analysis.title_ja}」"
            f"（重要度{top.importance}）だった。",
        ]
        if len(ranked) > 1:
            second = ranked[1]
            sentences.append(
                f"続いて{second.item.source_name}の「{second.analysis.title_ja}」"
                f"（重要度{second.importance}）が並ぶ。"
            )
        counts = "、".join(
            f"{CATEGORY_LABELS[category]}{len(group)}件" for category, group in request.sections
        )
        sentences.append(f"分野別の内訳は{counts}。")
        highlights = tuple(_highlight(article) for article in ranked[:MAX_KEY_POINTS])
        overview = clip("".join(sentences), DIGEST_OVERVIEW_MAX_CHARS)
        return DigestOverview(overview=overview, highlights=highlights)


def _highlight(article: Article) -> str:
    """「title」（source、重要度N）: the TL;DR's first sentence, unless it repeats the title."""
    title = article.analysis.title_ja
    head = f"「{title}」（{article.item.source_name}、重要度{article.importance}）"
    summary = _first_sentence(article.analysis.tldr, DIGEST_HIGHLIGHT_SUMMARY_CHARS)
    if summary.strip().rstrip(".。") == title.strip().rstrip(".。"):
        return clip(head, DIGEST_HIGHLIGHT_MAX_CHARS)
    return clip(f"{head}: {summary}", DIGEST_HIGHLIGHT_MAX_CHARS)
