"""The four sub-scores from the findings, each with its one-line reason."""

from __future__ import annotations

from frontline.adapters.heuristic.findings import Findings
from frontline.adapters.heuristic.limits import ESTIMATED
from frontline.domain.keywords import (
    INNOVATIVE,
    JAPAN,
    NEW,
    PRACTICAL,
)
from frontline.domain.models import (
    SubScore,
)

# --- Scores ---------------------------------------------------------------------------------


def _score(value: int, reason: str) -> SubScore:
    return SubScore(score=max(1, min(5, value)), reason=reason + ESTIMATED)


def depth_score(findings: Findings) -> SubScore:
    chars, figures = findings.text_chars, findings.figures
    if chars < 300:
        return _score(1, "本文がほとんどなく、見出しと概要のみのため")
    level = 2 if chars < 1_000 else 3 if chars < 2_500 else 4 if chars < 5_000 else 5
    length = {2: "本文が短めで", 3: "本文が中程度の長さで", 4: "本文が長く", 5: "本文が長く"}[level]
    if figures >= 4:
        return _score(level + 1, f"{length}、具体的な数値を多く含むため")
    if figures:
        return _score(level, f"{length}、具体的な数値を含むため")
    return _score(level, f"{length}、具体的な数値は見当たらないため")


def relevance_score(findings: Findings, *, is_ai: bool) -> SubScore:
    if not is_ai:
        return _score(1, "AIに関する用語や企業名が見当たらないため")
    mentions = len(findings.terms) + len(findings.entities)
    japan = JAPAN in findings.signals
    level = 2 + (mentions >= 2) + (mentions >= 4 and bool(findings.entities)) + japan
    if japan:
        return _score(level, "日本に関する言及があり、AIに関する話題のため")
    if mentions >= 4:
        return _score(level, "AI関連の用語や主要企業への言及が多いため")
    if mentions >= 2:
        return _score(level, "AI関連の用語や企業名を含むため")
    return _score(level, "AIに関する話題だが、関連する用語や企業名は限られるため")


def practicality_score(findings: Findings) -> SubScore:
    found = findings.families(PRACTICAL)
    if not found:
        return _score(1, "提供開始や利用方法に関する記述が見当たらないため")
    level = 2 if len(found) == 1 else 3 if len(found) == 2 else 4 if len(found) <= 4 else 5
    if found & {"price", "api", "sdk", "download", "available"}:
        return _score(level, "提供形態や価格、利用方法に関する記述があるため")
    return _score(level, "公開や提供開始に関する記述があるため")


def innovation_score(findings: Findings) -> SubScore:
    found = findings.families(INNOVATIVE)
    level = 1 + len(found) + (NEW in findings.signals)
    if found & {"state-of-the-art", "breakthrough", "record", "benchmark", "outperform"}:
        return _score(level, "最先端や記録更新、性能比較に関する記述があるため")
    if found:
        return _score(level, "初の試みや新しい手法に関する記述があるため")
    if level > 1:
        return _score(level, "新しい発表だが、新規性を示す具体的な記述は少ないため")
    return _score(level, "新規性を示す記述が見当たらないため")
