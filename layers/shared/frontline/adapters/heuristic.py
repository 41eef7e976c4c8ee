"""The `heuristic` analysis provider: no LLM, an honest extractive analysis of the English text.

It serves the offline demo, and production when the budget is spent or the LLM is down. Its
output keeps the analysis contract with what can be found mechanically: the English title and
lead, sentence-ranked key points, glossary terms and entities as tags, a keyword-based category
and scores with their reasons, and the original text as the body. Every Japanese sentence it
writes says that the analysis is automatic; the page is badged as not yet translated.

Deterministic and fast: one pass of the vocabulary's compiled patterns over the text, one pass
of the keyword patterns (compiled once per process), and arithmetic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from functools import cache, cached_property
from typing import Final, NamedTuple

from frontline.domain.article_text import sentence_spans, truncate_keeping_lead
from frontline.domain.digests import DigestKind, DigestOverview, DigestRequest, OverviewResult
from frontline.domain.models import (
    CATEGORY_LABELS,
    Analysis,
    Article,
    Category,
    Entity,
    EntityKind,
    FeedItem,
    FeedKind,
    KeyPoint,
    MediaKind,
    SubScore,
    SubScores,
)
from frontline.domain.ports import AnalysisResult, Usage
from frontline.domain.vocabulary import (
    CaseRule,
    EntityRecord,
    GlossaryTerm,
    PhraseMatcher,
    Vocabulary,
)

JST: Final = timezone(timedelta(hours=9), "JST")

# Sizes, all inside the Analysis model's limits.
TITLE_MAX_CHARS: Final = 200
TLDR_MAX_CHARS: Final = 280
KEY_POINT_TITLE_MAX_CHARS: Final = 80
KEY_POINT_BODY_MAX_CHARS: Final = 600
BODY_MAX_CHARS: Final = 4_000
# Only the lead of a very long text is read: it is where news puts what matters.
ANALYSED_MAX_CHARS: Final = 12_000
# The category is decided from the title and the opening of the text.
CATEGORY_LEAD_CHARS: Final = 1_500
MIN_KEY_POINTS: Final = 3
MAX_KEY_POINTS: Final = 5
MIN_TAGS: Final = 3
MAX_TAGS: Final = 6
MAX_ENTITIES: Final = 10

_UNTITLED: Final = "（無題）"
_ESTIMATED: Final = "（自動推定）"
_WORDS_IN_HEADING: Final = 8

# --- Keywords -------------------------------------------------------------------------------
#
# Literal phrases, grouped by what they signal. A phrase in capitals must match exactly ("AI",
# "API", "EU"); one with a capital keeps its first letter ("Congress", not "congress");
# everything else matches in any case. Spaces and hyphens are interchangeable.

_AI: Final = "ai"
_JAPAN: Final = "japan"
_NEW: Final = "new"
_BOILERPLATE: Final = "boilerplate"
_HINT: Final = "hint:"
_PRACTICAL: Final = "practical:"
_INNOVATIVE: Final = "innovative:"
_CATEGORY: Final = "category:"

_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    _AI: (
        "AI",
        "AIs",
        "A.I.",
        "AGI",
        "LLM",
        "LLMs",
        "GenAI",
        "NLP",
        "GPT",
        "ChatGPT",
        "artificial intelligence",
        "machine learning",
        "deep learning",
        "neural",
        "neural network",
        "neural networks",
        "neural net",
        "neural nets",
        "language model",
        "language models",
        "foundation model",
        "foundation models",
        "frontier model",
        "frontier models",
        "reasoning model",
        "reasoning models",
        "diffusion model",
        "diffusion models",
        "multimodal",
        "generative",
        "chatbot",
        "chatbots",
        "reinforcement learning",
        "computer vision",
        "natural language processing",
        "superintelligence",
        "open model",
        "open models",
        "open-weight model",
        "open-weight models",
        "model weights",
        "fine-tuning",
        "fine-tuned",
        "fine-tune",
        "distillation",
        "RLHF",
        "LoRA",
        "quantization",
        "quantized",
        "hallucination",
        "hallucinations",
        "prompt",
        "prompts",
        "prompt engineering",
        "embeddings",
        "retrieval-augmented generation",
        "RAG",
        "agentic",
        "text-to-image",
        "text-to-video",
        "text-to-speech",
        "speech recognition",
        "image generation",
        "vector database",
        "vector databases",
    ),
    # Words that hint at AI without showing it: several together do.
    _HINT + "model": ("model", "models"),
    _HINT + "agent": ("agent", "agents"),
    _HINT + "inference": ("inference",),
    _HINT + "gpu": ("GPU", "GPUs", "accelerator", "accelerators"),
    _HINT + "data": ("dataset", "datasets", "training data"),
    _HINT + "benchmark": ("benchmark", "benchmarks"),
    _HINT + "token": ("token", "tokens"),
    _HINT + "robot": ("robot", "robots", "robotics", "humanoid"),
    _HINT + "algorithm": ("algorithm", "algorithms", "automation"),
    _HINT + "compute": ("data center", "data centers", "compute", "chip", "chips"),
    _JAPAN: (
        "Japan",
        "Japanese",
        "Tokyo",
        "Osaka",
        "Kyoto",
        "SoftBank",
        "Sony",
        "Toyota",
        "NTT",
        "Rakuten",
        "Fujitsu",
        "NEC",
        "Hitachi",
        "Panasonic",
        "Nintendo",
        "Sakana AI",
        "Preferred Networks",
        "yen",
    ),
    _PRACTICAL + "launch": ("launch", "launches", "launched", "launching"),
    _PRACTICAL + "release": ("release", "releases", "released", "releasing"),
    _PRACTICAL + "available": ("available", "availability", "generally available"),
    _PRACTICAL + "rollout": ("roll out", "rolls out", "rolled out", "rolling out", "rollout"),
    _PRACTICAL + "api": ("API", "APIs"),
    _PRACTICAL + "sdk": ("SDK", "SDKs"),
    _PRACTICAL + "price": (
        "price",
        "prices",
        "priced",
        "pricing",
        "per month",
        "subscription",
        "subscriptions",
        "free tier",
        "free to use",
    ),
    _PRACTICAL + "open": ("open source", "open weights", "open weight"),
    _PRACTICAL + "download": (
        "download",
        "downloads",
        "downloadable",
        "install",
        "installs",
        "installed",
        "installing",
    ),
    _PRACTICAL + "repository": ("GitHub", "Hugging Face"),
    _PRACTICAL + "integration": (
        "plugin",
        "plugins",
        "plug-in",
        "plug-ins",
        "integration",
        "integrations",
        "extension",
        "extensions",
    ),
    _PRACTICAL + "preview": ("beta", "preview"),
    _PRACTICAL + "developers": ("developer", "developers"),
    _INNOVATIVE + "first": ("first",),
    _INNOVATIVE + "state-of-the-art": ("state of the art", "SOTA"),
    _INNOVATIVE + "breakthrough": ("breakthrough", "breakthroughs"),
    _INNOVATIVE + "record": ("record", "records", "record-breaking", "record-setting"),
    _INNOVATIVE + "benchmark": ("benchmark", "benchmarks", "benchmarked"),
    _INNOVATIVE + "outperform": (
        "outperform",
        "outperforms",
        "outperformed",
        "outperforming",
        "surpass",
        "surpasses",
        "surpassed",
        "beats",
    ),
    _INNOVATIVE + "novel": ("novel", "unprecedented"),
    _NEW: ("new", "newest"),
    _CATEGORY + Category.FUNDING: (
        "Series A",
        "Series B",
        "Series C",
        "Series D",
        "Series E",
        "Series F",
        "valuation",
        "valued at",
        "funding",
        "funding round",
        "seed round",
        "seed funding",
        "venture capital",
        "investor",
        "investors",
    ),
    _CATEGORY + Category.RESEARCH: (
        "paper",
        "papers",
        "arXiv",
        "researcher",
        "researchers",
        "preprint",
        "preprints",
        "study",
        "studies",
        "peer-reviewed",
        "we propose",
        "we present",
        "we introduce",
        "dataset",
        "datasets",
    ),
    _CATEGORY + Category.TOOL: (
        "launch",
        "launches",
        "launched",
        "releases",
        "released",
        "available",
        "open-source tool",
        "open-source library",
        "open-source framework",
        "API",
        "APIs",
        "SDK",
        "CLI",
        "plugin",
        "tool",
        "tools",
        "app",
        "rolls out",
        "rolled out",
        "unveils",
        "unveiled",
        "debuts",
    ),
    _CATEGORY + Category.POLICY: (
        "regulation",
        "regulations",
        "regulator",
        "regulators",
        "regulatory",
        "law",
        "laws",
        "lawmakers",
        "legislation",
        "AI Act",
        "Digital Services Act",
        "Digital Markets Act",
        "Online Safety Act",
        "CHIPS Act",
        "EU",
        "European Union",
        "European Commission",
        "FTC",
        "policy",
        "policies",
        "senate",
        "senator",
        "senators",
        "Congress",
        "parliament",
        "executive order",
        "White House",
        "antitrust",
        "copyright",
        "lawsuit",
        "lawsuits",
        "sues",
        "sued",
        "court",
        "ban",
        "bans",
        "banned",
        "government",
    ),
    _CATEGORY + Category.OPINION: (
        "opinion",
        "essay",
        "op-ed",
        "commentary",
        "column",
        "perspective",
    ),
    _CATEGORY + Category.BUSINESS: (
        "acquires",
        "acquired",
        "acquisition",
        "acquisitions",
        "merger",
        "revenue",
        "earnings",
        "quarterly",
        "layoffs",
        "lays off",
        "partnership",
        "partners with",
        "IPO",
        "stock",
        "shares",
        "profit",
    ),
    _BOILERPLATE: (
        "appeared first on",
        "continue reading",
        "read more",
        "read the full",
        "click here",
        "sign up",
        "subscribe to",
        "subscribe now",
        "all rights reserved",
        "advertisement",
        "share this",
        "follow us",
        "image credit",
        "image credits",
        "photo credit",
        "getty images",
        "originally published",
        "originally appeared",
    ),
}
# "raises" is funding only with money after it: "raises $40M", not "raises concerns".
_RAISES_MONEY: Final = re.compile(
    r"\b[Rr]ais(?:es|ed|ing)\s+(?:a\s+|an\s+|over\s+|nearly\s+)?(?:US)?[$€£¥]?\s?\d"
)
# The order of precedence when two categories score the same.
_CATEGORY_ORDER: Final = (
    Category.FUNDING,
    Category.RESEARCH,
    Category.TOOL,
    Category.POLICY,
    Category.OPINION,
    Category.BUSINESS,
)
# A title hit weighs as much as this many hits in the lead; a category needs this score.
_TITLE_WEIGHT: Final = 3
_CATEGORY_THRESHOLD: Final = 3
_RESEARCH_FEED_BONUS: Final = 3

# Glossary terms too general to lead the tags or name a key point.
_GENERIC_TERMS: Final = frozenset(
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
_AI_HINTS_NEEDED: Final = 3
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
_IGNORED_FEED_CATEGORIES: Final = frozenset(
    {"uncategorized", "uncategorised", "general", "misc", "miscellaneous", "other", "news"}
)


def _case_rule_for_keyword(phrase: str) -> CaseRule:
    letters = [char for char in phrase if char.isalpha()]
    if letters and all(char.isupper() for char in letters):
        return CaseRule.EXACT
    if any(char.isupper() for char in letters):
        return CaseRule.FIRST_LETTER
    return CaseRule.ANY


class _Signals(NamedTuple):
    """What one keyword signals: its signal names, and the categories among them."""

    names: frozenset[str]
    categories: tuple[Category, ...]


@cache
def _keyword_matcher() -> PhraseMatcher[_Signals]:
    """All keyword rules in one matcher, built on first use and kept for the process."""
    names: dict[str, set[str]] = {}
    for signal, phrases in _KEYWORDS.items():
        for phrase in phrases:
            names.setdefault(phrase, set()).add(signal)
    return PhraseMatcher(
        (
            phrase,
            _Signals(
                frozenset(found),
                tuple(
                    Category(name.removeprefix(_CATEGORY))
                    for name in sorted(found)
                    if name.startswith(_CATEGORY)
                ),
            ),
            _case_rule_for_keyword(phrase),
        )
        for phrase, found in names.items()
    )


# --- What the text holds --------------------------------------------------------------------


@dataclass(slots=True)
class _Sentence:
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
class _Findings:
    """Everything the analysis is built from, gathered in one pass over title and text."""

    title: str
    text: str  # the analysed lead of the text
    text_chars: int  # the length of the whole text
    sentences: list[_Sentence]
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
            self.term_counts.items(), key=lambda pair: (_is_generic(self.terms[pair[0]]), -pair[1])
        )
        return [self.terms[en] for en, _count in ranked]

    @cached_property
    def usable_sentences(self) -> list[_Sentence]:
        """Read once all findings are in: boilerplate is marked by the keyword pass."""
        return [sentence for sentence in self.sentences if sentence.is_usable()]

    def families(self, prefix: str) -> set[str]:
        return {signal.removeprefix(prefix) for signal in self.signals if signal.startswith(prefix)}


type _SentenceAt = Callable[[int], _Sentence | None]


def _findings_for(item: FeedItem, text: str, vocabulary: Vocabulary) -> _Findings:
    title = " ".join(item.title.split()) or _UNTITLED
    analysed = truncate_keeping_lead(text, ANALYSED_MAX_CHARS)
    spans = sentence_spans(analysed)
    starts = [start for start, _end in spans]
    findings = _Findings(
        title=title,
        text=analysed,
        text_chars=len(text),
        sentences=[
            _Sentence(position, " ".join(analysed[start:end].split()))
            for position, (start, end) in enumerate(spans)
        ],
    )

    def sentence_at(offset: int) -> _Sentence | None:
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


def _gather_keywords(findings: _Findings, sentence_at: _SentenceAt) -> None:
    matcher = _keyword_matcher()
    scores = findings.category_scores
    for keyword in matcher.matches(findings.title):
        findings.signals |= keyword.key.names
        for category in keyword.key.categories:
            scores[category] += _TITLE_WEIGHT
    for keyword in matcher.matches(findings.text):
        findings.signals |= keyword.key.names
        if keyword.start < CATEGORY_LEAD_CHARS:
            for category in keyword.key.categories:
                scores[category] += 1
        if _BOILERPLATE in keyword.key.names and (sentence := sentence_at(keyword.start)):
            sentence.boilerplate = True
    lead = findings.text[:CATEGORY_LEAD_CHARS]
    scores[Category.FUNDING] += _TITLE_WEIGHT * len(_RAISES_MONEY.findall(findings.title))
    scores[Category.FUNDING] += len(_RAISES_MONEY.findall(lead))


# --- The provider ---------------------------------------------------------------------------


class HeuristicProvider:
    """An AnalysisProvider that needs nothing but the vocabulary: no network, no cost."""

    name = "heuristic"
    model_id: str | None = None  # nothing to price

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary

    def analyse(self, item: FeedItem, text: str) -> AnalysisResult:
        return AnalysisResult(
            analysis=self.analysis_of(item, text),
            provider=self.name,
            model_id=None,
            usage=Usage(0, 0),
            translated=False,
        )

    def analysis_of(self, item: FeedItem, text: str) -> Analysis:
        """The analysis alone: what `analyse` wraps with its provenance."""
        source_text = text.strip() or item.summary.strip()
        findings = _findings_for(item, source_text, self._vocabulary)
        is_ai = item.ai_focused or _is_ai_related(findings)
        category = _category_of(item, findings)
        tldr, lead = _tldr_of(item, findings)
        body = truncate_keeping_lead(source_text, BODY_MAX_CHARS)
        return Analysis(
            title_ja=_clip(findings.title, TITLE_MAX_CHARS),
            tldr=tldr,
            key_points=tuple(_key_points(item, findings, lead, category)),
            impact=_impact(findings, category, is_ai=is_ai),
            editorial_comment=_editorial(truncated=len(body) < len(source_text)),
            body_ja=body or _clip(findings.title, BODY_MAX_CHARS),
            tags=tuple(_tags(item, findings, category, is_ai=is_ai)),
            entities=tuple(
                Entity(name=record.name, kind=record.kind)
                for record in list(findings.entities.values())[:MAX_ENTITIES]
            ),
            category=category,
            is_ai_related=is_ai,
            scores=SubScores(
                depth=_depth(findings),
                relevance=_relevance(findings, is_ai=is_ai),
                practicality=_practicality(findings),
                innovation=_innovation(findings),
            ),
        )


# --- Parts of the analysis ------------------------------------------------------------------


def _clip(text: str, max_chars: int) -> str:
    return truncate_keeping_lead(text, max_chars)


def _is_generic(term: GlossaryTerm) -> bool:
    return term.en.casefold() in _GENERIC_TERMS


def _is_ai_related(findings: _Findings) -> bool:
    """Explicit AI words or an AI product or lab settle it; otherwise enough hints together.

    The glossary and the entity table also hold general business, policy and hardware terms
    and companies (a phone maker's battery recall names the maker and its "models"), so on
    their own they only hint.
    """
    if _AI in findings.signals:
        return True
    entities = findings.entities.values()
    if any(record.kind is EntityKind.PRODUCT or _names_ai(record) for record in entities):
        return True
    # Known companies and people count once: big-tech names alone do not make a story AI.
    hints = len(findings.terms) + min(1, len(findings.entities)) + len(findings.families(_HINT))
    return hints >= _AI_HINTS_NEEDED


def _names_ai(record: EntityRecord) -> bool:
    """An entity whose very name says AI: OpenAI, xAI, Mistral AI, ChatGPT."""
    return any(
        form.endswith("AI")
        or any(_AI in match.key.names for match in _keyword_matcher().matches(form))
        for form in record.forms
    )


def _category_of(item: FeedItem, findings: _Findings) -> Category:
    if item.kind is FeedKind.VIDEO or any(media.kind is MediaKind.VIDEO for media in item.media):
        return Category.VIDEO
    scores = findings.category_scores.copy()
    if item.kind is FeedKind.RESEARCH:
        scores[Category.RESEARCH] += _RESEARCH_FEED_BONUS
    best, best_score = Category.NEWS, _CATEGORY_THRESHOLD - 1
    for category in _CATEGORY_ORDER:
        if scores[category] > best_score:
            best, best_score = category, scores[category]
    return best


def _tldr_of(item: FeedItem, findings: _Findings) -> tuple[str, list[_Sentence]]:
    """The lead (the first one or two sentences of the story) and the sentences it used."""
    usable = findings.usable_sentences
    if usable:
        lead = [usable[0]]
        if len(usable) > 1:
            second = usable[1]
            joined = len(usable[0].text) + 1 + len(second.text)
            if second.position == usable[0].position + 1 and joined <= TLDR_MAX_CHARS:
                lead.append(second)
        return _clip(" ".join(sentence.text for sentence in lead), TLDR_MAX_CHARS), lead
    fallback = " ".join((item.summary.strip() or findings.text).split())
    return _clip(fallback, TLDR_MAX_CHARS) or _clip(findings.title, TLDR_MAX_CHARS), []


def _key_points(
    item: FeedItem, findings: _Findings, lead: Sequence[_Sentence], category: Category
) -> list[KeyPoint]:
    candidates = _distinct(findings.usable_sentences)
    lead_texts = {sentence.text for sentence in lead}
    beyond_lead = [sentence for sentence in candidates if sentence.text not in lead_texts]
    if len(beyond_lead) >= MIN_KEY_POINTS:
        candidates = beyond_lead
    wanted = min(MAX_KEY_POINTS, max(MIN_KEY_POINTS, len(candidates) // 3))
    ranked = sorted(candidates, key=lambda sentence: -_sentence_score(sentence))[:wanted]
    used_headings: set[str] = set()
    points = [
        KeyPoint(
            title=_heading_for(sentence, used_headings),
            body=_clip(sentence.text, KEY_POINT_BODY_MAX_CHARS),
        )
        for sentence in sorted(ranked, key=lambda sentence: sentence.position)
    ]
    missing = max(0, MIN_KEY_POINTS - len(points))
    return points + _metadata_notes(item, category)[:missing]


def _distinct(sentences: Iterable[_Sentence]) -> list[_Sentence]:
    """The sentences without repeats (feeds often carry a pull quote twice)."""
    seen: set[str] = set()
    kept: list[_Sentence] = []
    for sentence in sentences:
        if sentence.text not in seen:
            seen.add(sentence.text)
            kept.append(sentence)
    return kept


def _sentence_score(sentence: _Sentence) -> float:
    """Vocabulary hits, figures, an early position and a readable length make a key point."""
    score = 2.0 * len(sentence.terms) + 2.0 * len(sentence.entities)
    score += 1.5 * min(3, sentence.figures)
    score += 3.0 / (1.0 + 0.25 * sentence.position)
    length = len(sentence.text)
    if 60 <= length <= 300:
        score += 1.0
    elif length < 40 or length > 400:
        score -= 1.0
    return score


def _heading_for(sentence: _Sentence, used: set[str]) -> str:
    """A short Japanese heading naming what the sentence is about, else its opening words."""
    names = [record.name for record in sentence.entities]
    topics = [term.ja for term in sentence.terms if not _is_generic(term)]
    generic_topics = [term.ja for term in sentence.terms if _is_generic(term)]
    candidates = [f"{name}と{topic}" for name in names[:2] for topic in topics[:2]]
    candidates += [f"{topic}について" for topic in topics]
    candidates += [f"{name}の動向" for name in names]
    if sentence.figures:
        candidates.append("具体的な数値")
    candidates += [f"{topic}について" for topic in generic_topics]
    for candidate in candidates:
        heading = _clip(candidate, KEY_POINT_TITLE_MAX_CHARS)
        if heading not in used:
            used.add(heading)
            return heading
    words = sentence.text.split()
    opening = " ".join(words[:_WORDS_IN_HEADING])
    if len(words) > _WORDS_IN_HEADING:
        opening = opening.rstrip(",;:") + "…"
    heading = _clip(opening, KEY_POINT_TITLE_MAX_CHARS)
    used.add(heading)
    return heading


def _metadata_notes(item: FeedItem, category: Category) -> list[KeyPoint]:
    """Honest points from what is known about the item, for texts too short to extract from."""
    published = item.published.astimezone(JST)
    date = f"{published.year}年{published.month}月{published.day}日"
    source = _clip(" ".join(item.source_name.split()), 80) or "配信元"
    classification = f"自動判定では「{CATEGORY_LABELS[category]}」に分類しています。"
    feed_categories = _feed_categories(item)
    if feed_categories:
        quoted = "".join(f"「{name}」" for name in feed_categories[:3])
        classification += f"配信元のカテゴリは{quoted}です。"
    return [
        KeyPoint(title="出典", body=f"{source}が{date}に公開した記事です。"),
        KeyPoint(title="分類", body=classification),
        KeyPoint(
            title="翻訳について",
            body="本文は英語の原文のまま掲載しています。日本語の要約と分析は翻訳後に追加されます。",
        ),
    ]


def _impact(findings: _Findings, category: Category, *, is_ai: bool) -> str:
    opening = "自動抽出による暫定分析です。"
    if not is_ai:
        return opening + "本文からはAIとの直接の関連を確認できませんでした。"
    topics = _japanese_list([term.ja for term in findings.terms_by_frequency])
    names = _japanese_list([record.name for record in findings.entities.values()])
    if topics and names:
        about = f"この記事は{topics}に関する話題で、{names}が関係しています。"
    elif topics:
        about = f"この記事は{topics}に関する話題です。"
    elif names:
        about = f"この記事には{names}が関係しています。"
    else:
        about = f"この記事は「{CATEGORY_LABELS[category]}」に分類されるAI関連の話題です。"
    return opening + about + "詳しい影響分析は翻訳後に追加されます。"


def _japanese_list(names: Sequence[str], limit: int = 3) -> str:
    listed = "、".join(names[:limit])
    return listed + "など" if len(names) > limit else listed


def _editorial(*, truncated: bool) -> str:
    comment = (
        "この記事はまだAIによる翻訳・分析が行われていません。"
        "原文と、自動で抽出した要点を掲載しています。"
    )
    if truncated:
        comment += "原文は冒頭部分のみの掲載です。続きは元記事でお読みください。"
    return comment


def _tags(item: FeedItem, findings: _Findings, category: Category, *, is_ai: bool) -> list[str]:
    """Glossary terms first (most frequent first), then entities, then fallbacks to reach 3."""
    topics = [term.ja for term in findings.terms_by_frequency]
    names = [record.name for record in findings.entities.values()]
    tags: dict[str, str] = {}

    def add(candidates: Iterable[str], up_to: int = MAX_TAGS) -> None:
        for candidate in candidates:
            if len(tags) >= up_to:
                return
            tag = candidate.strip().lstrip("#").strip()
            if tag:
                tags.setdefault(tag.casefold(), tag)

    add(topics[:3])
    add(names[:3])
    add(topics[3:])
    add(names[3:])
    add(_feed_categories(item), up_to=MIN_TAGS)
    add([CATEGORY_LABELS[category]], up_to=MIN_TAGS)
    add(["AI", "海外ニュース"] if is_ai else ["海外ニュース", "テクノロジー"], up_to=MIN_TAGS)
    return list(tags.values())


def _feed_categories(item: FeedItem) -> list[str]:
    """The feed's own categories that make readable tags."""
    kept: list[str] = []
    for category in item.categories:
        name = " ".join(category.split()).lstrip("#").strip()
        if 0 < len(name) <= 30 and name.casefold() not in _IGNORED_FEED_CATEGORIES:
            kept.append(name)
    return kept


# --- Scores ---------------------------------------------------------------------------------


def _score(value: int, reason: str) -> SubScore:
    return SubScore(score=max(1, min(5, value)), reason=reason + _ESTIMATED)


def _depth(findings: _Findings) -> SubScore:
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


def _relevance(findings: _Findings, *, is_ai: bool) -> SubScore:
    if not is_ai:
        return _score(1, "AIに関する用語や企業名が見当たらないため")
    mentions = len(findings.terms) + len(findings.entities)
    japan = _JAPAN in findings.signals
    level = 2 + (mentions >= 2) + (mentions >= 4 and bool(findings.entities)) + japan
    if japan:
        return _score(level, "日本に関する言及があり、AIに関する話題のため")
    if mentions >= 4:
        return _score(level, "AI関連の用語や主要企業への言及が多いため")
    if mentions >= 2:
        return _score(level, "AI関連の用語や企業名を含むため")
    return _score(level, "AIに関する話題だが、関連する用語や企業名は限られるため")


def _practicality(findings: _Findings) -> SubScore:
    found = findings.families(_PRACTICAL)
    if not found:
        return _score(1, "提供開始や利用方法に関する記述が見当たらないため")
    level = 2 if len(found) == 1 else 3 if len(found) == 2 else 4 if len(found) <= 4 else 5
    if found & {"price", "api", "sdk", "download", "available"}:
        return _score(level, "提供形態や価格、利用方法に関する記述があるため")
    return _score(level, "公開や提供開始に関する記述があるため")


def _innovation(findings: _Findings) -> SubScore:
    found = findings.families(_INNOVATIVE)
    level = 1 + len(found) + (_NEW in findings.signals)
    if found & {"state-of-the-art", "breakthrough", "record", "benchmark", "outperform"}:
        return _score(level, "最先端や記録更新、性能比較に関する記述があるため")
    if found:
        return _score(level, "初の試みや新しい手法に関する記述があるため")
    if level > 1:
        return _score(level, "新しい発表だが、新規性を示す具体的な記述は少ないため")
    return _score(level, "新規性を示す記述が見当たらないため")


# --- Digests: an honest extractive overview ------------------------------------------------

DIGEST_HIGHLIGHT_SUMMARY_CHARS: Final = 120
DIGEST_HIGHLIGHT_MAX_CHARS: Final = 200
DIGEST_OVERVIEW_MAX_CHARS: Final = 1200
_FIRST_SENTENCE: Final = re.compile(r"^.+?(?:[。！？]|[.!?](?=\s|$))", re.DOTALL)


def _first_sentence(text: str, max_chars: int) -> str:
    flat = " ".join(text.split())
    match = _FIRST_SENTENCE.match(flat)
    return _clip(match.group(0) if match else flat, max_chars)


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
        overview = _clip("".join(sentences), DIGEST_OVERVIEW_MAX_CHARS)
        return DigestOverview(overview=overview, highlights=highlights)


def _highlight(article: Article) -> str:
    """「title」（source、重要度N）: the TL;DR's first sentence, unless it repeats the title."""
    title = article.analysis.title_ja
    head = f"「{title}」（{article.item.source_name}、重要度{article.importance}）"
    summary = _first_sentence(article.analysis.tldr, DIGEST_HIGHLIGHT_SUMMARY_CHARS)
    if summary.strip().rstrip(".。") == title.strip().rstrip(".。"):
        return _clip(head, DIGEST_HIGHLIGHT_MAX_CHARS)
    return _clip(f"{head}: {summary}", DIGEST_HIGHLIGHT_MAX_CHARS)
