"""The heuristic provider: an honest analysis without an LLM that always keeps the contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.adapters.heuristic import HeuristicProvider
from frontline.config import REPO_CONFIG_DIR
from frontline.domain.analysis_validation import ANSWER_MAX_CHARS
from frontline.domain.models import Analysis, Category, EntityKind, FeedKind
from frontline.domain.ports import AnalysisProvider, Usage
from frontline.domain.vocabulary import parse_vocabulary
from tests.factories import make_item

# The operators' keyword lexicon, as deployed; glossary and entities are the small ones below.
KEYWORDS = yaml.safe_load((REPO_CONFIG_DIR / "keywords.yaml").read_text(encoding="utf-8"))
VOCABULARY = parse_vocabulary(
    {
        "terms": [
            {"en": "distillation", "ja": "蒸留", "aliases": ["distilled"]},
            {"en": "fine-tuning", "ja": "ファインチューニング", "aliases": ["fine-tuned"]},
            {"en": "open weights", "ja": "オープンウェイト", "aliases": ["open-weight"]},
            {"en": "large language model", "ja": "大規模言語モデル", "aliases": ["LLM"]},
            {"en": "model", "ja": "モデル"},
            {"en": "benchmark", "ja": "ベンチマーク"},
        ]
    },
    {
        "entities": [
            {"name": "OpenAI", "kind": "company", "slug": "openai"},
            {"name": "Meta", "kind": "company", "slug": "meta"},
            {
                "name": "Google DeepMind",
                "kind": "company",
                "slug": "google-deepmind",
                "aliases": ["DeepMind"],
            },
            {"name": "Arm", "kind": "company", "slug": "arm"},
            {"name": "AMD", "kind": "company", "slug": "amd"},
            {"name": "Mistral AI", "kind": "company", "slug": "mistral-ai", "aliases": ["Mistral"]},
            {"name": "Llama", "kind": "product", "slug": "llama", "parent": "meta"},
        ]
    },
    KEYWORDS,
)

LONG_ARTICLE = "\n\n".join(
    [
        "OpenAI on Tuesday released a new large language model that it says outperforms its "
        "predecessor on coding benchmarks by 23%. The model is available today through the "
        "API, priced at $2 per million input tokens.",
        "The release comes weeks after Google DeepMind unveiled a rival system, and as Meta "
        "prepares its own open weights update. Dr. Jane Smith, a researcher at Stanford, said "
        'the results were "impressive but not a breakthrough." She noted that the U.S. lead '
        "is narrowing.",
        "According to OpenAI, the model was trained using distillation from a larger internal "
        "system and fine-tuning on 1.2 million curated examples. The company did not release "
        "open weights, though it said a smaller version would follow, e.g. for phones.",
        "Chips from AMD and designs licensed from Arm power many of the data centres that "
        "serve the model. Analysts expect prices for comparable models to fall by roughly 80% "
        "over the next year.",
        "Japanese companies, including several in Tokyo, said they would test the model in "
        "customer support. The company said enterprise customers would get higher rate limits "
        "and a 99.9% uptime commitment.",
        "Critics noted that the benchmark results have not been independently verified. "
        "OpenAI said it would publish a technical report with more detail next month.",
        *(
            f"Pilot customer number {n} reported faster answers after switching. Its staff "
            f"spent less time on routine tickets in week {n}. The team plans to expand the "
            "trial to other departments later this year."
            for n in range(1, 16)
        ),
    ]
)


@pytest.fixture(scope="module")
def provider() -> HeuristicProvider:
    return HeuristicProvider(VOCABULARY)


def analyse(provider: HeuristicProvider, text: str = "", **item: Any) -> Analysis:
    result = provider.analyse(make_item(**item), text)
    return result.analysis


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings_in(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from strings_in(inner)


def assert_keeps_the_contract(analysis: Analysis) -> None:
    """What every heuristic analysis promises, beyond what the model validates."""
    Analysis.model_validate(analysis.model_dump())
    assert 3 <= len(analysis.key_points) <= 5
    assert 3 <= len(analysis.tags) <= 6
    assert len(analysis.tldr) <= 280
    assert len(analysis.body_ja) <= 4_000
    assert len(analysis.entities) <= 10
    # Its own Japanese wording keeps the lengths an LLM's answer has.
    assert len(analysis.impact) <= ANSWER_MAX_CHARS["impact"]
    assert len(analysis.editorial_comment) <= ANSWER_MAX_CHARS["editorial_comment"]
    reasons = [getattr(analysis.scores, axis).reason for axis in type(analysis.scores).model_fields]
    assert max(map(len, reasons)) <= ANSWER_MAX_CHARS["scores.reason"]
    assert all(string.strip() for string in strings_in(analysis.model_dump(mode="json")))


# --- The result and its provenance ----------------------------------------------------------


def test_implements_the_port_and_reports_an_untranslated_free_analysis(
    provider: HeuristicProvider,
) -> None:
    port: AnalysisProvider = provider

    result = port.analyse(make_item(), LONG_ARTICLE)

    assert port.name == "heuristic"
    assert result.provider == "heuristic"
    assert result.model_id is None
    assert result.usage == Usage(0, 0)
    assert result.translated is False


# --- A long article -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_analysis(provider: HeuristicProvider) -> Analysis:
    return analyse(
        provider,
        LONG_ARTICLE,
        title="OpenAI releases a distilled model with lower API prices",
        categories=("Artificial Intelligence",),
    )


def test_long_article_keeps_the_contract(long_analysis: Analysis) -> None:
    assert len(LONG_ARTICLE) > 4_000
    assert_keeps_the_contract(long_analysis)
    assert len(long_analysis.key_points) >= 4


def test_title_is_the_original_and_tldr_is_the_lead(long_analysis: Analysis) -> None:
    assert long_analysis.title_ja == "OpenAI releases a distilled model with lower API prices"
    assert long_analysis.tldr.startswith("OpenAI on Tuesday released a new large language model")


def test_key_points_are_sentences_of_the_text_in_their_original_order(
    long_analysis: Analysis,
) -> None:
    bodies = [point.body for point in long_analysis.key_points]

    assert all(body in LONG_ARTICLE for body in bodies)
    assert bodies == sorted(bodies, key=LONG_ARTICLE.index)
    assert long_analysis.tldr not in bodies  # the lead is already the TL;DR


def test_key_point_headings_name_what_the_sentence_is_about(long_analysis: Analysis) -> None:
    headings = [point.title for point in long_analysis.key_points]

    assert len(set(headings)) == len(headings)
    assert any("蒸留" in heading for heading in headings)
    assert all(len(heading) <= 80 for heading in headings)


def test_body_is_the_original_text_cut_at_a_paragraph(long_analysis: Analysis) -> None:
    assert LONG_ARTICLE.startswith(long_analysis.body_ja)
    assert long_analysis.body_ja.endswith(".")
    assert "続きは元記事" in long_analysis.editorial_comment


def test_tags_are_specific_glossary_terms_first_then_entities(long_analysis: Analysis) -> None:
    # "model" is the most frequent term, but too generic to lead.
    assert long_analysis.tags == (
        "蒸留",
        "オープンウェイト",
        "大規模言語モデル",
        "OpenAI",
        "Google DeepMind",
        "Meta",
    )


def test_entities_are_the_known_ones_in_order_of_mention(long_analysis: Analysis) -> None:
    assert [(entity.name, entity.kind) for entity in long_analysis.entities] == [
        ("OpenAI", EntityKind.COMPANY),
        ("Google DeepMind", EntityKind.COMPANY),
        ("Meta", EntityKind.COMPANY),
        ("AMD", EntityKind.COMPANY),
        ("Arm", EntityKind.COMPANY),
    ]


def test_long_specific_ai_article_scores_high(long_analysis: Analysis) -> None:
    scores = long_analysis.scores

    assert long_analysis.is_ai_related
    assert scores.depth.score >= 4
    assert scores.relevance.score == 5  # AI terms, companies and a mention of Japan
    assert scores.practicality.score >= 4
    assert scores.importance >= 4
    assert all(
        score.reason.endswith("（自動推定）")
        for score in (scores.depth, scores.relevance, scores.practicality, scores.innovation)
    )


def test_impact_and_editorial_say_the_analysis_is_automatic(long_analysis: Analysis) -> None:
    assert long_analysis.impact.startswith("自動抽出による暫定分析です。")
    assert "OpenAI" in long_analysis.impact
    assert "翻訳" in long_analysis.editorial_comment


# --- Short and empty items ------------------------------------------------------------------


def test_one_sentence_item_is_padded_with_notes_from_its_metadata(
    provider: HeuristicProvider,
) -> None:
    sentence = "Mistral released a distilled model with open weights on Monday."

    analysis = analyse(
        provider,
        sentence,
        title="Mistral ships a small model",
        published=datetime(2026, 11, 20, 16, 30, tzinfo=UTC),
    )

    assert_keeps_the_contract(analysis)
    assert analysis.tldr == sentence
    assert [point.title for point in analysis.key_points][1:] == ["出典", "分類"]
    # 16:30 UTC is already the next day in Japan.
    assert analysis.key_points[1].body == "AI Wireが2026年11月21日に公開した記事です。"
    assert analysis.body_ja == sentence


def test_title_only_item_keeps_the_contract(provider: HeuristicProvider) -> None:
    analysis = analyse(
        provider,
        "",
        title="Arm unveils new chip design",
        summary="",
        content_html="",
    )

    assert_keeps_the_contract(analysis)
    assert analysis.tldr == "Arm unveils new chip design"
    assert analysis.body_ja == "Arm unveils new chip design"
    assert [point.title for point in analysis.key_points] == ["出典", "分類", "翻訳について"]
    assert analysis.scores.depth.score == 1


def test_summary_stands_in_for_missing_text(provider: HeuristicProvider) -> None:
    analysis = analyse(provider, "   ", summary="The lab fine-tuned an LLM for chemistry tasks.")

    assert analysis.tldr == "The lab fine-tuned an LLM for chemistry tasks."
    assert "ファインチューニング" in analysis.tags


def test_overlong_title_is_cut_to_fit(provider: HeuristicProvider) -> None:
    analysis = analyse(provider, "Short text here.", title="Word " * 99)

    assert len(analysis.title_ja) <= 200


# --- Classification -------------------------------------------------------------------------


def test_non_ai_item_is_flagged(provider: HeuristicProvider) -> None:
    analysis = analyse(
        provider,
        "The company is recalling about 1 million phones after reports that the battery can "
        "overheat. Owners should stop charging the affected models and contact support for a "
        "free replacement.",
        title="Smartphone battery recall expands to 1 million phones",
        summary="",
    )

    assert_keeps_the_contract(analysis)
    assert analysis.is_ai_related is False
    assert analysis.scores.relevance.score == 1
    assert "AIとの直接の関連を確認できませんでした" in analysis.impact
    assert "AI" not in analysis.tags


def test_items_from_ai_focused_feeds_count_as_ai(provider: HeuristicProvider) -> None:
    # A title-only post on an AI lab's own blog names nothing the keyword rules know
    text = "Introducing the Institute: a new home for our policy work."
    assert (
        analyse(provider, text, title="Introducing the Institute", summary="").is_ai_related
        is False
    )
    focused = analyse(
        provider, text, title="Introducing the Institute", summary="", ai_focused=True
    )
    assert focused.is_ai_related is True


@pytest.mark.parametrize(
    ("title", "is_ai"),
    [
        ("Meta updates Llama", True),  # a product from the entity table
        ("Mistral hires a new chief of staff", True),  # a lab whose name says AI
        ("Startup agents run inference on GPUs", True),  # several hints together
        ("Meta and AMD sign a lease for a new office", False),  # companies alone
        ("Ten new phone models tested", False),  # one hint
    ],
)
def test_ai_relatedness_without_explicit_ai_words(
    provider: HeuristicProvider, title: str, is_ai: bool
) -> None:
    assert analyse(provider, "", title=title, summary="").is_ai_related is is_ai


def test_funding_item_is_categorised_as_funding(provider: HeuristicProvider) -> None:
    analysis = analyse(
        provider,
        "Mistral AI has raised €600 million in a Series B round led by General Catalyst, "
        "valuing the AI startup at $6 billion.",
        title="Mistral raises $640M at a $6B valuation",
    )

    assert analysis.category is Category.FUNDING


def test_raising_concerns_is_not_funding(provider: HeuristicProvider) -> None:
    analysis = analyse(
        provider,
        "A new study of AI chatbots raises concerns about privacy.",
        title="Study raises concerns about chatbot privacy",
    )

    assert analysis.category is not Category.FUNDING


@pytest.mark.parametrize(
    ("title", "kind", "category"),
    [
        ("Researchers propose faster attention in new arXiv paper", FeedKind.NEWS, "research"),
        ("Efficient attention for long contexts", FeedKind.RESEARCH, "research"),
        ("OpenAI launches a new API for voice agents", FeedKind.NEWS, "tool"),
        ("EU regulators open AI Act probe into chatbot policy", FeedKind.NEWS, "policy"),
        ("Opinion: the AI essay nobody asked for", FeedKind.NEWS, "opinion"),
        ("Meta acquires AI chip startup", FeedKind.NEWS, "business"),
        ("Talking about AI with a founder", FeedKind.VIDEO, "video"),
        ("What happened in AI this week", FeedKind.NEWS, "news"),
    ],
)
def test_category_follows_keywords_and_feed_kind(
    provider: HeuristicProvider, title: str, kind: FeedKind, category: str
) -> None:
    analysis = analyse(provider, "", title=title, kind=kind, summary="")

    assert analysis.category == category


def test_distillation_item_is_tagged_with_the_japanese_term(provider: HeuristicProvider) -> None:
    analysis = analyse(
        provider,
        "The startup used distillation to shrink its model to a tenth of the size.",
        title="Distillation makes a small model",
    )

    assert analysis.tags[0] == "蒸留"


def test_few_findings_fall_back_to_feed_categories_and_generic_tags(
    provider: HeuristicProvider,
) -> None:
    analysis = analyse(
        provider,
        "",
        title="An AI roundup",
        summary="",
        categories=("Uncategorized", "  Robotics  "),
    )

    assert analysis.tags == ("Robotics", "ニュース", "AI")


# --- Determinism and robustness -------------------------------------------------------------


def test_same_input_gives_the_same_analysis(provider: HeuristicProvider) -> None:
    item = make_item(title="OpenAI releases a distilled model")

    first = provider.analyse(item, LONG_ARTICLE)
    again = HeuristicProvider(VOCABULARY).analyse(item, LONG_ARTICLE)

    assert first == again


def test_works_with_an_empty_vocabulary() -> None:
    no_terms = parse_vocabulary({"terms": None}, {"entities": []}, KEYWORDS)
    analysis = HeuristicProvider(no_terms).analyse(make_item(), LONG_ARTICLE).analysis

    assert_keeps_the_contract(analysis)
    assert analysis.is_ai_related  # "AI", "large language model" and friends still count


WORDS = (
    "OpenAI",
    "Meta",
    "metadata",
    "arm",
    "Arm",
    "AMD",
    "distillation",
    "open-weights",
    "LLM",
    "model",
    "the",
    "a",
    "raises",
    "$5",
    "12.5%",
    "researchers",
    "paper",
    "API",
    "launches",
    "EU",
    "Act",
    "U.S.",
    "Dr.",
    "e.g.",
    ".",
    "!",
    "?",
    "…",
    "\n",
    "\n\n",
    "Japan",
    "",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=3_000),
        st.lists(st.sampled_from(WORDS), max_size=400).map(" ".join),
    ),
    title=st.text(min_size=1, max_size=500),
    summary=st.text(max_size=600),
    categories=st.lists(st.text(max_size=40), max_size=4).map(tuple),
    kind=st.sampled_from(FeedKind),
)
def test_any_text_gives_a_valid_analysis(
    text: str, title: str, summary: str, categories: tuple[str, ...], kind: FeedKind
) -> None:
    item = make_item(title=title, summary=summary, categories=categories, kind=kind)

    analysis = HeuristicProvider(VOCABULARY).analyse(item, text).analysis

    assert_keeps_the_contract(analysis)


def test_the_keyword_lexicon_is_the_operators_file() -> None:
    # Given a lexicon whose only funding phrase is one the shipped file does not hold
    lexicon = {"signals": {"ai": ["AI"]}, "categories": {"funding": ["war chest"]}}
    vocabulary = parse_vocabulary({"terms": None}, {"entities": []}, lexicon)
    item = make_item(1, title="AI lab fills its war chest")

    # When the heuristic analyses an item that uses it
    analysis = HeuristicProvider(vocabulary).analyse(item, "The AI lab has a war chest.").analysis

    # Then the category follows the file
    assert analysis.category is Category.FUNDING


def test_a_bad_keyword_file_names_the_file_and_the_field() -> None:
    with pytest.raises(ValueError, match=r"keywords.yaml: categories.gossip"):
        parse_vocabulary({"terms": None}, {"entities": []}, {"categories": {"gossip": ["x"]}})
    with pytest.raises(ValueError, match=r"keywords.yaml: signals.ai.0"):
        parse_vocabulary({"terms": None}, {"entities": []}, {"signals": {"ai": [""]}})


def test_an_impact_naming_long_names_lists_fewer_to_keep_its_length() -> None:
    names = [f"Frontier Laboratory Research Consortium {letter}" for letter in "ABCD"]
    vocabulary = parse_vocabulary(
        {"terms": [{"en": "distillation", "ja": "蒸留"}]},
        {
            "entities": [
                {"name": name, "kind": "company", "slug": f"lab-{number}"}
                for number, name in enumerate(names)
            ]
        },
        KEYWORDS,
    )
    text = " ".join(f"{name} studied distillation for AI models." for name in names)

    analysis = HeuristicProvider(vocabulary).analyse(make_item(), text).analysis

    assert analysis.impact == (
        "自動抽出による暫定分析です。この記事は蒸留に関する話題で、"
        f"{names[0]}、{names[1]}などが関係しています。詳しい影響分析は翻訳後に追加されます。"
    )
    assert len(analysis.impact) <= ANSWER_MAX_CHARS["impact"]
