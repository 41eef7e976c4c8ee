"""The glossary and entity table: validation of the config documents, matching, canonical names."""

from __future__ import annotations

import re
from typing import Any

import pytest

from frontline.domain.models import EntityKind
from frontline.domain.vocabulary import (
    CaseRule,
    EntityTable,
    Glossary,
    PhraseMatcher,
    Vocabulary,
    parse_vocabulary,
)

GLOSSARY_DOC: dict[str, Any] = {
    "terms": [
        {"en": "distillation", "ja": "蒸留"},
        {"en": "fine-tuning", "ja": "ファインチューニング", "aliases": ["finetuning"]},
        {"en": "open weights", "ja": "オープンウェイト"},
        {"en": "large language model", "ja": "大規模言語モデル", "aliases": ["LLM"]},
        {"en": "language model", "ja": "言語モデル"},
        {"en": "model", "ja": "モデル"},
    ]
}
ENTITIES_DOC: dict[str, Any] = {
    "entities": [
        {"name": "OpenAI", "kind": "company", "slug": "openai", "ja": "オープンAI"},
        {"name": "Meta", "kind": "company", "slug": "meta", "aliases": ["Meta Platforms"]},
        {
            "name": "Google DeepMind",
            "kind": "company",
            "slug": "google-deepmind",
            "aliases": ["DeepMind"],
        },
        {"name": "Arm", "kind": "company", "slug": "arm", "aliases": ["Arm Holdings"]},
        {"name": "AMD", "kind": "company", "slug": "amd"},
        {"name": "ChatGPT", "kind": "product", "slug": "chatgpt", "parent": "openai"},
    ]
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return parse_vocabulary(GLOSSARY_DOC, ENTITIES_DOC)


def names(records: list[Any]) -> list[str]:
    return [record.name for record in records]


# --- Parsing --------------------------------------------------------------------------------


def test_parse_builds_both_tables(vocabulary: Vocabulary) -> None:
    assert [term.en for term in vocabulary.glossary.terms][:3] == [
        "distillation",
        "fine-tuning",
        "open weights",
    ]
    chatgpt = vocabulary.entities.by_slug("chatgpt")
    assert chatgpt is not None
    assert chatgpt.kind is EntityKind.PRODUCT
    assert chatgpt.parent == "openai"


def test_parse_accepts_empty_lists_and_the_empty_vocabulary_finds_nothing() -> None:
    vocabulary = parse_vocabulary({"terms": None}, {"entities": []})

    assert vocabulary == Vocabulary.empty()
    assert vocabulary.glossary.find_terms("a large language model") == []
    assert vocabulary.entities.find("OpenAI") == []


def test_equal_documents_give_equal_vocabularies_after_use() -> None:
    first = parse_vocabulary(GLOSSARY_DOC, ENTITIES_DOC)
    first.glossary.find_terms("distillation")
    first.entities.find("OpenAI")

    assert first == parse_vocabulary(GLOSSARY_DOC, ENTITIES_DOC)


def with_entity(**overrides: Any) -> dict[str, Any]:
    entry = {"name": "Mistral", "kind": "company", "slug": "mistral"} | overrides
    return {"entities": [*ENTITIES_DOC["entities"], entry]}


@pytest.mark.parametrize(
    ("glossary_doc", "entities_doc", "message"),
    [
        pytest.param(
            GLOSSARY_DOC,
            with_entity(slug="Mistral"),
            "entities.yaml: entry 7 (name 'Mistral'): slug: must be lowercase",
            id="bad slug",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(kind="startup"),
            "entities.yaml: entry 7 (name 'Mistral'): kind: Input should be 'company'",
            id="unknown kind",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(alias=["Mistral AI"]),
            "entities.yaml: entry 7 (name 'Mistral'): alias: Extra inputs are not permitted",
            id="misspelt field",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(aliases=["Mistral AI", ""]),
            "entities.yaml: entry 7 (name 'Mistral'): aliases[1]: String should have at least",
            id="empty alias",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(parent="mistral-holdings"),
            "entities.yaml: entry 7 (name 'Mistral'): parent: no entity has the slug "
            "'mistral-holdings'",
            id="unknown parent",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(slug="amd"),
            "entities.yaml: entry 7 (name 'Mistral'): slug: 'amd' is already used by entry 5",
            id="duplicate slug",
        ),
        pytest.param(
            GLOSSARY_DOC,
            with_entity(aliases=["deepmind"]),
            "entities.yaml: entry 7 (name 'Mistral'): 'deepmind' is already used by entry 3 "
            "(name 'Google DeepMind')",
            id="alias of another entity",
        ),
        pytest.param(
            {"terms": [*GLOSSARY_DOC["terms"], {"en": "RLHF"}]},
            ENTITIES_DOC,
            "glossary.yaml: entry 7 (en 'RLHF'): ja: Field required",
            id="missing ja",
        ),
        pytest.param(
            {"terms": [*GLOSSARY_DOC["terms"], {"en": "LLMs", "ja": "x", "aliases": ["llm"]}]},
            ENTITIES_DOC,
            "glossary.yaml: entry 7 (en 'LLMs'): 'llm' is already used by entry 4 "
            "(en 'large language model')",
            id="alias of another term",
        ),
        pytest.param(
            {"terms": ["distillation"]},
            ENTITIES_DOC,
            "glossary.yaml: entry 1: expected a mapping, got str",
            id="entry not a mapping",
        ),
        pytest.param(
            None,
            ENTITIES_DOC,
            "glossary.yaml: expected a mapping with a 'terms' list, got an empty document",
            id="empty file",
        ),
        pytest.param(
            {"term": []},
            ENTITIES_DOC,
            "glossary.yaml: missing the 'terms' list",
            id="missing list",
        ),
        pytest.param(
            GLOSSARY_DOC,
            {"entities": {"name": "OpenAI"}},
            "entities.yaml: entities: expected a list, got dict",
            id="list not a list",
        ),
    ],
)
def test_parse_errors_name_the_file_entry_and_field(
    glossary_doc: object, entities_doc: object, message: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_vocabulary(glossary_doc, entities_doc)


# --- The glossary ---------------------------------------------------------------------------


def test_terms_match_in_any_case_on_word_boundaries(vocabulary: Vocabulary) -> None:
    glossary = vocabulary.glossary

    assert [t.en for t in glossary.find_terms("Distillation and FINE-TUNING")] == [
        "distillation",
        "fine-tuning",
    ]
    assert glossary.find_terms("distillations") != []  # plurals follow the term
    assert glossary.find_terms("predistillation, distillationist, remodel") == []


def test_spaces_and_hyphens_between_words_are_interchangeable(vocabulary: Vocabulary) -> None:
    found = vocabulary.glossary.find_terms("fine tuning of open-weights models")

    assert [term.ja for term in found] == ["ファインチューニング", "オープンウェイト", "モデル"]


def test_longest_term_wins(vocabulary: Vocabulary) -> None:
    counts = vocabulary.glossary.term_counts(
        "Large language models are language models; a model is a model."
    )

    assert [(term.en, count) for term, count in counts] == [
        ("large language model", 1),
        ("language model", 1),
        ("model", 2),
    ]


def test_terms_come_in_order_of_first_occurrence_with_aliases(vocabulary: Vocabulary) -> None:
    found = vocabulary.glossary.find_terms("An LLM after finetuning, then distillation of the LLM")

    assert [term.en for term in found] == ["large language model", "fine-tuning", "distillation"]


def test_terms_are_found_next_to_japanese_text(vocabulary: Vocabulary) -> None:
    found = vocabulary.glossary.find_terms("新しいdistillation手法")

    assert [term.ja for term in found] == ["蒸留"]


def test_occurrences_give_offsets_into_the_original_text(vocabulary: Vocabulary) -> None:
    text = "İstanbul team tests distillation"  # "İ" lower-cases to two characters

    (match,) = vocabulary.glossary.occurrences(text)

    assert text[match.start : match.end] == "distillation"
    assert match.text == "distillation"


# --- The entity table -----------------------------------------------------------------------


def test_short_names_need_their_exact_case(vocabulary: Vocabulary) -> None:
    table = vocabulary.entities
    text = "Meta's metadata team, meta-analysis, an arm and a leg, ARM chips, amd, AMD and Arm."

    assert names(table.find(text)) == ["Meta", "AMD", "Arm"]


def test_longer_names_keep_the_case_of_their_first_letter(vocabulary: Vocabulary) -> None:
    table = vocabulary.entities

    assert names(table.find("OPENAI and Openai")) == ["OpenAI"]
    assert names(table.find("the deepmind folks")) == []
    assert names(table.find("DEEPMIND, Google Deepmind")) == ["Google DeepMind"]


def test_entities_come_in_order_of_first_mention_by_name_or_alias(vocabulary: Vocabulary) -> None:
    text = "DeepMind and Arm Holdings answered OpenAI, whose ChatGPT (from OpenAI) led."

    assert names(vocabulary.entities.find(text)) == [
        "Google DeepMind",
        "Arm",
        "OpenAI",
        "ChatGPT",
    ]


def test_entities_are_found_next_to_japanese_text(vocabulary: Vocabulary) -> None:
    assert names(vocabulary.entities.find("OpenAIがChatGPTを更新")) == ["OpenAI", "ChatGPT"]


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("OpenAI", "OpenAI"),
        ("openai", "OpenAI"),
        ("OpenAI Inc.", "OpenAI"),
        ("OpenAI, Inc", "OpenAI"),
        ("OpenAI's", "OpenAI"),
        ("オープンAI", "OpenAI"),
        ("deepmind", "Google DeepMind"),
        ("Google Deepmind", "Google DeepMind"),
        ("google-deepmind", "Google DeepMind"),
        ("  Meta  Platforms ", "Meta"),
        ("ARM", "Arm"),
        ("Chat GPT", None),
        ("Anthropic", None),
        ("", None),
    ],
)
def test_canonical_maps_aliases_and_other_spellings(
    vocabulary: Vocabulary, name: str, canonical: str | None
) -> None:
    record = vocabulary.entities.canonical(name)

    assert (record.name if record else None) == canonical


def test_tables_can_be_built_directly_and_still_validate() -> None:
    table = EntityTable.model_validate(ENTITIES_DOC)
    glossary = Glossary.model_validate(GLOSSARY_DOC)

    assert names(table.find("AMD")) == ["AMD"]
    assert glossary.find_terms("open weights")[0].ja == "オープンウェイト"
    with pytest.raises(ValueError, match="already used"):
        Glossary.model_validate({"terms": [{"en": "LLM", "ja": "a"}, {"en": "llm", "ja": "b"}]})


# --- The phrase matcher ---------------------------------------------------------------------


def test_phrase_matcher_applies_each_case_rule() -> None:
    matcher = PhraseMatcher(
        [
            ("API", "api", CaseRule.EXACT),
            ("Congress", "congress", CaseRule.FIRST_LETTER),
            ("launch", "launch", CaseRule.ANY),
        ]
    )

    found = matcher.matches("The api; the API. congress, CONGRESS. LAUNCH, Launch!")

    assert [(match.key, match.text) for match in found] == [
        ("api", "API"),
        ("congress", "CONGRESS"),
        ("launch", "LAUNCH"),
        ("launch", "Launch"),
    ]


def test_phrase_matcher_without_phrases_finds_nothing() -> None:
    assert PhraseMatcher[str]([]).matches("anything at all") == []
