"""The keyword rules: what the phrases of config/keywords.yaml signal, compiled into one
matcher, and the rules that weigh them (category votes, thresholds, generic terms)."""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from frontline.domain.keywords import (
    CATEGORY,
    KeywordLexicon,
)
from frontline.domain.models import (
    Category,
)
from frontline.domain.vocabulary import (
    CaseRule,
    PhraseMatcher,
)

# "raises" is funding only with money after it: "raises $40M", not "raises concerns".
RAISES_MONEY: Final = re.compile(
    r"\b[Rr]ais(?:es|ed|ing)\s+(?:a\s+|an\s+|over\s+|nearly\s+)?(?:US)?[$€£¥]?\s?\d"
)
# The order of precedence when two categories score the same.
CATEGORY_ORDER: Final = (
    Category.FUNDING,
    Category.RESEARCH,
    Category.TOOL,
    Category.POLICY,
    Category.OPINION,
    Category.BUSINESS,
)
# A title hit weighs as much as this many hits in the lead; a category needs this score.
TITLE_WEIGHT: Final = 3
CATEGORY_THRESHOLD: Final = 3
RESEARCH_FEED_BONUS: Final = 3

# Glossary terms too general to lead the tags or name a key point.
GENERIC_TERMS: Final = frozenset(
    {
        "agent",
        "api",
        "benchmark",
        "chip",
        "cloud",
        "compute",
        "dataset",
        "enterprise",
        "evaluation",
        "gpu",
        "inference",
        "latency",
        "model",
        "open source",
        "parameters",
        "prompt",
        "reasoning",
        "startup",
        "subscription",
        "throughput",
        "token",
    }
)
# Without an explicit AI keyword or an AI product, this many distinct hints (glossary terms,
# hint words, known entities) make a text about AI.
AI_HINTS_NEEDED: Final = 3
IGNORED_FEED_CATEGORIES: Final = frozenset(
    {"uncategorized", "uncategorised", "general", "misc", "miscellaneous", "other", "news"}
)


def case_rule_for_keyword(phrase: str) -> CaseRule:
    letters = [char for char in phrase if char.isalpha()]
    if letters and all(char.isupper() for char in letters):
        return CaseRule.EXACT
    if any(char.isupper() for char in letters):
        return CaseRule.FIRST_LETTER
    return CaseRule.ANY


class Signals(NamedTuple):
    """What one keyword signals: its signal names, and the categories among them."""

    names: frozenset[str]
    categories: tuple[Category, ...]


def keyword_matcher(lexicon: KeywordLexicon) -> PhraseMatcher[Signals]:
    """All keyword rules in one matcher (built once per provider)."""
    names: dict[str, set[str]] = {}
    for signal, phrases in lexicon.families().items():
        for phrase in phrases:
            names.setdefault(phrase, set()).add(signal)
    return PhraseMatcher(
        (
            phrase,
            Signals(
                frozenset(found),
                tuple(
                    Category(name.removeprefix(CATEGORY))
                    for name in sorted(found)
                    if name.startswith(CATEGORY)
                ),
            ),
            case_rule_for_keyword(phrase),
        )
        for phrase, found in names.items()
    )
