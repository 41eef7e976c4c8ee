"""What the text holds: sentences, glossary terms, entities, figures and keyword signals,
gathered in one pass over the title and the lead."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from frontline.adapters.heuristic.lexicon import GENERIC_TERMS, RAISES_MONEY, TITLE_WEIGHT, Signals
from frontline.adapters.heuristic.limits import ANALYSED_MAX_CHARS, CATEGORY_LEAD_CHARS, UNTITLED
from frontline.domain.article_text import sentence_spans, truncate_keeping_lead
from frontline.domain.keywords import (
    BOILERPLATE,
)
from frontline.domain.models import (
    Category,
    FeedItem,
)
from frontline.domain.vocabulary import (
    EntityRecord,
    GlossaryTerm,
    PhraseMatcher,
    Vocabulary,
)

# Figures a reader can check: money, percentages, large or decimal numbers, multiples. Numbers
# are found by their first character (fast) and judged by what surrounds them.
_NUMBER: Final = re.compile(r"[$€£¥\d][\d,.]*")
_UNIT: Final = re.compile(
    r"\s?(?:%|percent|trillion|billion|million|bn|times|x)(?![A-Za-z])", re.IGNORECASE
)
_GROUPED_OR_DECIMAL: Final = re.compile(r"\d{1,3}(?:,\d{3})+|\d+\.\d+")
_CURRENCY: Final = frozenset("$€£¥")
_PART_OF_A_NAME: Final = frozenset("-._/")
_LOWER_ASCII: Final = re.compile(r"[a-z]")


# --- What the text holds --------------------------------------------------------------------


@dataclass(slots=True)
class Sentence:
    position: int
    text: str
    terms: list[GlossaryTerm] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    figures: int = 0
    boilerplate: bool = False

    def is_usable(self) -> bool:
        """A sentence of the story, not a byline, a credit or a feed footer."""
        return (
            not self.boilerplate
            and len(self.text) >= 20
            and self.text.count(" ") >= 3
            and "©" not in self.text
            and _LOWER_ASCII.search(self.text) is not None
        )

    def add_term(self, term: GlossaryTerm) -> None:
        if all(known.en != term.en for known in self.terms):
            self.terms.append(term)

    def add_entity(self, record: EntityRecord) -> None:
        if all(known.slug != record.slug for known in self.entities):
            self.entities.append(record)


@dataclass
class Findings:
    """Everything the analysis is built from, gathered in one pass over title and text."""

    title: str
    text: str  # the analysed lead of the text
    text_chars: int  # the length of the whole text
    matcher: PhraseMatcher[Signals]  # the keyword lexicon, compiled
    sentences: list[Sentence]
    term_counts: Counter[str] = field(default_factory=Counter)
    terms: dict[str, GlossaryTerm] = field(default_factory=dict)
    entities: dict[str, EntityRecord] = field(default_factory=dict)
    figures: int = 0
    signals: set[str] = field(default_factory=set)
    category_scores: Counter[Category] = field(default_factory=Counter)

    def count_term(self, term: GlossaryTerm, weight: int = 1) -> None:
        self.terms.setdefault(term.en, term)
        self.term_counts[term.en] += weight

    @property
    def terms_by_frequency(self) -> list[GlossaryTerm]:
        """Specific terms before generic ones, most frequent first, then by first occurrence."""
        ranked = sorted(
            self.term_counts.items(), key=lambda pair: (is_generic(self.terms[pair[0]]), -pair[1])
        )
        return [self.terms[en] for en, _count in ranked]

    @cached_property
    def usable_sentences(self) -> list[Sentence]:
        """Read once all findings are in: boilerplate is marked by the keyword pass."""
        return [sentence for sentence in self.sentences if sentence.is_usable()]

    def families(self, prefix: str) -> set[str]:
        return {signal.removeprefix(prefix) for signal in self.signals if signal.startswith(prefix)}


type SentenceAt = Callable[[int], Sentence | None]


def findings_for(
    item: FeedItem, text: str, vocabulary: Vocabulary, matcher: PhraseMatcher[Signals]
) -> Findings:
    title = " ".join(item.title.split()) or UNTITLED
    analysed = truncate_keeping_lead(text, ANALYSED_MAX_CHARS)
    spans = sentence_spans(analysed)
    starts = [start for start, _end in spans]
    findings = Findings(
        title=title,
        text=analysed,
        text_chars=len(text),
        matcher=matcher,
        sentences=[
            Sentence(position, " ".join(analysed[start:end].split()))
            for position, (start, end) in enumerate(spans)
        ],
    )

    def sentence_at(offset: int) -> Sentence | None:
        index = bisect_right(starts, offset) - 1
        if index >= 0 and offset < spans[index][1]:
            return findings.sentences[index]
        return None

    glossary, table = vocabulary.glossary, vocabulary.entities
    # The title says what the story is about: its terms count double.
    for term_match in glossary.occurrences(title):
        findings.count_term(term_match.key, 2)
    for entity_match in table.occurrences(title):
        findings.entities.setdefault(entity_match.key.slug, entity_match.key)
    for term_match in glossary.occurrences(analysed):
        findings.count_term(term_match.key)
        if sentence := sentence_at(term_match.start):
            sentence.add_term(term_match.key)
    for entity_match in table.occurrences(analysed):
        findings.entities.setdefault(entity_match.key.slug, entity_match.key)
        if sentence := sentence_at(entity_match.start):
            sentence.add_entity(entity_match.key)
    for offset in _figure_offsets(analysed):
        findings.figures += 1
        if sentence := sentence_at(offset):
            sentence.figures += 1
    _gather_keywords(findings, sentence_at)
    return findings


def _figure_offsets(text: str) -> Iterable[int]:
    """Where figures start: "$2", "€ 600 million", "23%", "1.2 million", "10,000", "3.5"."""
    amount_at = -1  # where the amount after a lone currency symbol ("€ 600") starts
    for number in _NUMBER.finditer(text):
        start, token = number.start(), number.group().rstrip(".,")
        if start == amount_at:
            continue
        before = text[start - 1] if start else " "
        if before.isalnum() or before in _PART_OF_A_NAME:
            continue  # "GPT-4", "v1.2", "H100"
        if token[0] in _CURRENCY:
            if token[1:2].isdigit():
                yield start
            elif text[start + 1 : start + 2] == " " and text[start + 2 : start + 3].isdigit():
                amount_at = start + 2
                yield start
        elif _UNIT.match(text, start + len(token)) or _GROUPED_OR_DECIMAL.fullmatch(token):
            yield start


def _gather_keywords(findings: Findings, sentence_at: SentenceAt) -> None:
    matcher = findings.matcher
    scores = findings.category_scores
    for keyword in matcher.matches(findings.title):
        findings.signals |= keyword.key.names
        for category in keyword.key.categories:
            scores[category] += TITLE_WEIGHT
    for keyword in matcher.matches(findings.text):
        findings.signals |= keyword.key.names
        if keyword.start < CATEGORY_LEAD_CHARS:
            for category in keyword.key.categories:
                scores[category] += 1
        if BOILERPLATE in keyword.key.names and (sentence := sentence_at(keyword.start)):
            sentence.boilerplate = True
    lead = findings.text[:CATEGORY_LEAD_CHARS]
    scores[Category.FUNDING] += TITLE_WEIGHT * len(RAISES_MONEY.findall(findings.title))
    scores[Category.FUNDING] += len(RAISES_MONEY.findall(lead))


def is_generic(term: GlossaryTerm) -> bool:
    return term.en.casefold() in GENERIC_TERMS
