"""The heuristic provider: the analysis assembled from the findings, the lexicon's rules and the
scores."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from frontline.adapters.heuristic.findings import Findings, Sentence, findings_for, is_generic
from frontline.adapters.heuristic.lexicon import (
    AI_HINTS_NEEDED,
    CATEGORY_ORDER,
    CATEGORY_THRESHOLD,
    IGNORED_FEED_CATEGORIES,
    RESEARCH_FEED_BONUS,
    Signals,
    keyword_matcher,
)
from frontline.adapters.heuristic.limits import (
    BODY_MAX_CHARS,
    IMPACT_LISTED,
    IMPACT_MAX_CHARS,
    KEY_POINT_BODY_MAX_CHARS,
    KEY_POINT_TITLE_MAX_CHARS,
    MAX_ENTITIES,
    MAX_KEY_POINTS,
    MAX_TAGS,
    MIN_KEY_POINTS,
    MIN_TAGS,
    TITLE_MAX_CHARS,
    TLDR_MAX_CHARS,
    WORDS_IN_HEADING,
)
from frontline.adapters.heuristic.scores import (
    depth_score,
    innovation_score,
    practicality_score,
    relevance_score,
)
from frontline.domain.article_text import truncate_keeping_lead
from frontline.domain.keywords import (
    AI,
    HINT,
)
from frontline.domain.models import (
    CATEGORY_LABELS,
    Analysis,
    Category,
    Entity,
    EntityKind,
    FeedItem,
    FeedKind,
    KeyPoint,
    MediaKind,
    SubScores,
)
from frontline.domain.paths import JST
from frontline.domain.ports import AnalysisResult, Usage
from frontline.domain.vocabulary import (
    EntityRecord,
    PhraseMatcher,
    Vocabulary,
)

# --- The provider ---------------------------------------------------------------------------


class HeuristicProvider:
    """An AnalysisProvider that needs nothing but the vocabulary: no network, no cost."""

    name = "heuristic"
    model_id: str | None = None  # nothing to price

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary
        self._matcher = keyword_matcher(vocabulary.keywords)

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
        findings = findings_for(item, source_text, self._vocabulary, self._matcher)
        is_ai = item.ai_focused or _is_ai_related(findings)
        category = _category_of(item, findings)
        tldr, lead = _tldr_of(item, findings)
        body = truncate_keeping_lead(source_text, BODY_MAX_CHARS)
        return Analysis(
            title_ja=clip(findings.title, TITLE_MAX_CHARS),
            tldr=tldr,
            key_points=tuple(_key_points(item, findings, lead, category)),
            impact=_impact(findings, category, is_ai=is_ai),
            editorial_comment=_editorial(truncated=len(body) < len(source_text)),
            body_ja=body or clip(findings.title, BODY_MAX_CHARS),
            tags=tuple(_tags(item, findings, category, is_ai=is_ai)),
            entities=tuple(
                Entity(name=record.name, kind=record.kind)
                for record in list(findings.entities.values())[:MAX_ENTITIES]
            ),
            category=category,
            is_ai_related=is_ai,
            scores=SubScores(
                depth=depth_score(findings),
                relevance=relevance_score(findings, is_ai=is_ai),
                practicality=practicality_score(findings),
                innovation=innovation_score(findings),
            ),
        )


# --- Parts of the analysis ------------------------------------------------------------------


def clip(text: str, max_chars: int) -> str:
    return truncate_keeping_lead(text, max_chars)


def _is_ai_related(findings: Findings) -> bool:
    """Explicit AI words or an AI product or lab settle it; otherwise enough hints together.

    The glossary and the entity table also hold general business, policy and hardware terms
    and companies (a phone maker's battery recall names the maker and its "models"), so on
    their own they only hint.
    """
    if AI in findings.signals:
        return True
    entities = findings.entities.values()
    if any(
        record.kind is EntityKind.PRODUCT or _names_ai(record, findings.matcher)
        for record in entities
    ):
        return True
    # Known companies and people count once: big-tech names alone do not make a story AI.
    hints = len(findings.terms) + min(1, len(findings.entities)) + len(findings.families(HINT))
    return hints >= AI_HINTS_NEEDED


def _names_ai(record: EntityRecord, matcher: PhraseMatcher[Signals]) -> bool:
    """An entity whose very name says AI: OpenAI, xAI, Mistral AI, ChatGPT."""
    return any(
        form.endswith("AI") or any(AI in match.key.names for match in matcher.matches(form))
        for form in record.forms
    )


def _category_of(item: FeedItem, findings: Findings) -> Category:
    if item.kind is FeedKind.VIDEO or any(media.kind is MediaKind.VIDEO for media in item.media):
        return Category.VIDEO
    scores = findings.category_scores.copy()
    if item.kind is FeedKind.RESEARCH:
        scores[Category.RESEARCH] += RESEARCH_FEED_BONUS
    best, best_score = Category.NEWS, CATEGORY_THRESHOLD - 1
    for category in CATEGORY_ORDER:
        if scores[category] > best_score:
            best, best_score = category, scores[category]
    return best


def _tldr_of(item: FeedItem, findings: Findings) -> tuple[str, list[Sentence]]:
    """The lead (the first one or two sentences of the story) and the sentences it used."""
    usable = findings.usable_sentences
    if usable:
        lead = [usable[0]]
        if len(usable) > 1:
            second = usable[1]
            joined = len(usable[0].text) + 1 + len(second.text)
            if second.position == usable[0].position + 1 and joined <= TLDR_MAX_CHARS:
                lead.append(second)
        return clip(" ".join(sentence.text for sentence in lead), TLDR_MAX_CHARS), lead
    fallback = " ".join((item.summary.strip() or findings.text).split())
    return clip(fallback, TLDR_MAX_CHARS) or clip(findings.title, TLDR_MAX_CHARS), []


def _key_points(
    item: FeedItem, findings: Findings, lead: Sequence[Sentence], category: Category
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
            body=clip(sentence.text, KEY_POINT_BODY_MAX_CHARS),
        )
        for sentence in sorted(ranked, key=lambda sentence: sentence.position)
    ]
    missing = max(0, MIN_KEY_POINTS - len(points))
    return points + _metadata_notes(item, category)[:missing]


def _distinct(sentences: Iterable[Sentence]) -> list[Sentence]:
    """The sentences without repeats (feeds often carry a pull quote twice)."""
    seen: set[str] = set()
    kept: list[Sentence] = []
    for sentence in sentences:
        if sentence.text not in seen:
            seen.add(sentence.text)
            kept.append(sentence)
    return kept


def _sentence_score(sentence: Sentence) -> float:
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


def _heading_for(sentence: Sentence, used: set[str]) -> str:
    """A short Japanese heading naming what the sentence is about, else its opening words."""
    names = [record.name for record in sentence.entities]
    topics = [term.ja for term in sentence.terms if not is_generic(term)]
    generic_topics = [term.ja for term in sentence.terms if is_generic(term)]
    candidates = [f"{name}と{topic}" for name in names[:2] for topic in topics[:2]]
    candidates += [f"{topic}について" for topic in topics]
    candidates += [f"{name}の動向" for name in names]
    if sentence.figures:
        candidates.append("具体的な数値")
    candidates += [f"{topic}について" for topic in generic_topics]
    for candidate in candidates:
        heading = clip(candidate, KEY_POINT_TITLE_MAX_CHARS)
        if heading not in used:
            used.add(heading)
            return heading
    words = sentence.text.split()
    opening = " ".join(words[:WORDS_IN_HEADING])
    if len(words) > WORDS_IN_HEADING:
        opening = opening.rstrip(",;:") + "…"
    heading = clip(opening, KEY_POINT_TITLE_MAX_CHARS)
    used.add(heading)
    return heading


def _metadata_notes(item: FeedItem, category: Category) -> list[KeyPoint]:
    """Honest points from what is known about the item, for texts too short to extract from."""
    published = item.published.astimezone(JST)
    date = f"{published.year}年{published.month}月{published.day}日"
    source = clip(" ".join(item.source_name.split()), 80) or "配信元"
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


def _impact(findings: Findings, category: Category, *, is_ai: bool) -> str:
    opening = "自動抽出による暫定分析です。"
    if not is_ai:
        return opening + "本文からはAIとの直接の関連を確認できませんでした。"
    closing = "詳しい影響分析は翻訳後に追加されます。"
    # Within the length an LLM's impact may take: fewer topics and names when long ones
    # would not fit.
    for listed in range(IMPACT_LISTED, 0, -1):
        impact = opening + _about(findings, category, listed) + closing
        if len(impact) <= IMPACT_MAX_CHARS:
            return impact
    return opening + _about(findings, category, 0) + closing  # names none: always fits


def _about(findings: Findings, category: Category, listed: int) -> str:
    topics = _japanese_list([term.ja for term in findings.terms_by_frequency], listed)
    names = _japanese_list([record.name for record in findings.entities.values()], listed)
    if topics and names:
        return f"この記事は{topics}に関する話題で、{names}が関係しています。"
    if topics:
        return f"この記事は{topics}に関する話題です。"
    if names:
        return f"この記事には{names}が関係しています。"
    return f"この記事は「{CATEGORY_LABELS[category]}」に分類されるAI関連の話題です。"


def _japanese_list(names: Sequence[str], limit: int = 3) -> str:
    if limit == 0:
        return ""
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


def _tags(item: FeedItem, findings: Findings, category: Category, *, is_ai: bool) -> list[str]:
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
        if 0 < len(name) <= 30 and name.casefold() not in IGNORED_FEED_CATEGORIES:
            kept.append(name)
    return kept
