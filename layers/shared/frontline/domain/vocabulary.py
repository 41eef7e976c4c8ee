"""The site's vocabulary: the glossary (English terms and their Japanese renderings) and the
entity table (companies, products and people with canonical names and slugs).

Both come from YAML files under `config/`; reading them is the config module's job. This
module validates the loaded documents (`parse_vocabulary`) and finds terms and entities in
English text. Each table compiles its patterns once, on first use, and keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Final, NamedTuple, Self

from pydantic import Field, StringConstraints, ValidationError, model_validator

from frontline.domain.keywords import KeywordLexicon
from frontline.domain.models import EntityKind, Frozen, Slug

# A surface form: one line of printable text, at most the length of an entity name.
_ONE_LINE: Final = r"^[^\x00-\x1f]+$"
SurfaceForm = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=_ONE_LINE),
]
JapaneseLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=_ONE_LINE),
]

# --- Matching -------------------------------------------------------------------------------

# Word characters for the purpose of boundaries: Latin letters and digits only, so that a name
# right next to Japanese text ("OpenAIが") is still found.
_WORD_CHAR: Final = r"[0-9A-Za-z_\u00c0-\u024f]"
# Spaces and hyphens between words are interchangeable: "open weights" finds "open-weights".
_SEPARATOR_RUN = re.compile(r"[\s\-\u2010\u2011]+")
_SEPARATOR_PATTERN: Final = r"[\s\-\u2010\u2011]+"
_SEPARATOR_KEY: Final = "\x00"
_TRIE_END: Final = ""
# Names at most this long must match with their exact case: "Arm" is not "arm".
EXACT_CASE_MAX_CHARS: Final = 4

type _Trie = dict[str, _Trie]
type _Fold = Callable[[str], str]


class CaseRule(StrEnum):
    """How the case of a phrase must match."""

    ANY = "any"  # "OpenAI", "openai" and "OPENAI" alike
    FIRST_LETTER = "first-letter"  # "Apple" and "APPLE", not "apple"
    EXACT = "exact"  # "Arm", not "arm" or "ARM"


class PhraseMatch[K](NamedTuple):
    """One occurrence of a phrase: what it stands for and where it is in the text."""

    key: K
    start: int
    end: int
    text: str


class PhraseMatcher[K]:
    """Finds many literal phrases in a text in one pass, as whole words, longest first.

    Spaces and hyphens between the words of a phrase are interchangeable. Each phrase carries a
    key (what it stands for) and a CaseRule; with `plurals`, "s" or "es" may follow a phrase.
    The phrases are compiled once into a trie-shaped pattern that runs on the lower-cased text,
    so hundreds of phrases cost about as much as a few.
    """

    __slots__ = ("_candidates", "_cased_pattern", "_lowered_pattern")

    def __init__(
        self, phrases: Iterable[tuple[str, K, CaseRule]], *, plurals: bool = False
    ) -> None:
        self._candidates: dict[str, list[tuple[str, CaseRule, K]]] = {}
        for phrase, key, rule in phrases:
            exact = _key_of(phrase)
            if exact.strip(_SEPARATOR_KEY):
                self._candidates.setdefault(exact.lower(), []).append((exact, rule, key))
        self._lowered_pattern: re.Pattern[str] | None = None
        self._cased_pattern: re.Pattern[str] | None = None  # compiled when first needed
        if self._candidates:
            suffix = "(?:e?s)?" if plurals else ""
            core = _trie_pattern(self._candidates)
            pattern = f"(?<!{_WORD_CHAR})({core}){suffix}(?!{_WORD_CHAR})"
            self._lowered_pattern = re.compile(pattern)

    def matches(self, text: str) -> list[PhraseMatch[K]]:
        """Every occurrence in `text`, in order.

        A match whose case breaks its phrase's rule is dropped, not retried as a shorter phrase.
        """
        if self._lowered_pattern is None:
            return []
        lowered = text.lower()
        # Lower-casing keeps offsets for all but a few characters ("İ" becomes two); texts with
        # those take a case-insensitive pattern over the original.
        same_offsets = len(lowered) == len(text)
        if same_offsets:
            pattern, subject = self._lowered_pattern, lowered
        else:
            if self._cased_pattern is None:
                self._cased_pattern = re.compile(self._lowered_pattern.pattern, re.IGNORECASE)
            pattern, subject = self._cased_pattern, text
        found: list[PhraseMatch[K]] = []
        for match in pattern.finditer(subject):
            start, end = match.span(1)
            matched = match.group(1)
            folded = matched if matched.isalnum() else _key_of(matched)
            candidates = self._candidates.get(folded if same_offsets else folded.lower())
            if not candidates:
                continue
            original = text[start:end]
            for exact, rule, value in candidates:
                if _case_allows(rule, exact, original):
                    found.append(PhraseMatch(value, start, match.end(), original))
                    break
        return found


def _case_allows(rule: CaseRule, phrase_key: str, found: str) -> bool:
    if rule is CaseRule.ANY:
        return True
    if rule is CaseRule.FIRST_LETTER:
        return found[:1] == phrase_key[:1]
    return (found if found.isalnum() else _key_of(found)) == phrase_key


def _key_of(form: str) -> str:
    """A surface form with every run of spaces and hyphens reduced to one separator."""
    return _SEPARATOR_RUN.sub(_SEPARATOR_KEY, form.strip())


def _folded_key_of(form: str) -> str:
    return _key_of(form).lower()


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex alternation for many literal keys, sharing prefixes.

    A plain alternation of hundreds of names tries each at every position of the text; the trie
    tries one branch per character. Optional tails are greedy, so the longest key wins.
    """
    trie: _Trie = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[_TRIE_END] = {}
    return _render(trie)


def _render(node: _Trie) -> str:
    branches = [
        (_SEPARATOR_PATTERN if char == _SEPARATOR_KEY else re.escape(char)) + _render(child)
        for char, child in sorted(node.items())
        if char != _TRIE_END
    ]
    if not branches:
        return ""
    if _TRIE_END in node:
        return f"(?:{'|'.join(branches)})?"
    if len(branches) == 1:
        return branches[0]
    return f"(?:{'|'.join(branches)})"


# --- The glossary ---------------------------------------------------------------------------


class GlossaryTerm(Frozen):
    """One entry of config/glossary.yaml: an English term and how the site writes it."""

    en: SurfaceForm
    ja: JapaneseLabel
    aliases: tuple[SurfaceForm, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """The English term and its aliases."""
        return (self.en, *self.aliases)


class Glossary(Frozen):
    """The glossary: finds its terms in English text, case-insensitively, plurals included."""

    terms: tuple[GlossaryTerm, ...] = ()

    @model_validator(mode="after")
    def _forms_are_unique(self) -> Self:
        _check_unique_forms(
            ((term.en, term.forms) for term in self.terms), label="en", fold=_folded_key_of
        )
        return self

    def find_terms(self, text: str) -> list[GlossaryTerm]:
        """The terms found in `text`, in order of first occurrence, each once."""
        return [term for term, _count in self.term_counts(text)]

    def term_counts(self, text: str) -> list[tuple[GlossaryTerm, int]]:
        """The terms found in `text` with how often each occurs, in order of first occurrence."""
        counts: dict[str, tuple[GlossaryTerm, int]] = {}
        for match in self.occurrences(text):
            _term, count = counts.get(match.key.en, (match.key, 0))
            counts[match.key.en] = (match.key, count + 1)
        return list(counts.values())

    def occurrences(self, text: str) -> list[PhraseMatch[GlossaryTerm]]:
        """Every occurrence of a term in `text`, in order.

        Whole words, in any case, a trailing plural "s"/"es" allowed; a longer term wins over a
        term it contains, so "large language models" is one occurrence of "large language
        model", not also one of "model".
        """
        return self._matcher.matches(text)

    @cached_property
    def _matcher(self) -> PhraseMatcher[GlossaryTerm]:
        return PhraseMatcher(
            ((form, term, CaseRule.ANY) for term in self.terms for form in term.forms),
            plurals=True,
        )


# --- The entity table -----------------------------------------------------------------------


class EntityRecord(Frozen):
    """One entry of config/entities.yaml: a company, product or person the site links to."""

    name: SurfaceForm
    kind: EntityKind
    slug: Slug
    ja: JapaneseLabel | None = None
    aliases: tuple[SurfaceForm, ...] = ()
    parent: Slug | None = Field(default=None, description="the slug of the owning company")

    @property
    def forms(self) -> tuple[str, ...]:
        """The canonical name and its aliases."""
        return (self.name, *self.aliases)


class EntityTable(Frozen):
    """The entity table: finds entities in English text and canonicalises names."""

    entities: tuple[EntityRecord, ...] = ()

    @model_validator(mode="after")
    def _references_hold(self) -> Self:
        _check_unique_forms(
            ((record.name, record.forms) for record in self.entities),
            label="name",
            fold=_canonical_key_of,
        )
        slugs: dict[str, int] = {}
        for number, record in enumerate(self.entities, start=1):
            if record.slug in slugs:
                raise ValueError(
                    f"entry {number} (name {record.name!r}): slug: {record.slug!r} is already "
                    f"used by entry {slugs[record.slug]}"
                )
            slugs[record.slug] = number
        for number, record in enumerate(self.entities, start=1):
            if record.parent is None:
                continue
            if record.parent == record.slug:
                raise ValueError(
                    f"entry {number} (name {record.name!r}): parent: an entity cannot be its "
                    "own parent"
                )
            if record.parent not in slugs:
                raise ValueError(
                    f"entry {number} (name {record.name!r}): parent: no entity has the slug "
                    f"{record.parent!r}"
                )
        return self

    def find(self, text: str) -> list[EntityRecord]:
        """The entities mentioned in `text` by name or alias, in order of first mention."""
        found: dict[str, EntityRecord] = {}
        for match in self.occurrences(text):
            found.setdefault(match.key.slug, match.key)
        return list(found.values())

    def occurrences(self, text: str) -> list[PhraseMatch[EntityRecord]]:
        """Every mention of an entity in `text`, in order.

        Whole words only ("Meta" is not in "metadata"). Names of at most EXACT_CASE_MAX_CHARS
        characters match only with their exact case ("Arm", "AMD", not "arm"); longer names keep
        the case of their first letter and ignore the rest ("OPENAI" and "Openai" are OpenAI,
        "apple pie" is not Apple).
        """
        return self._matcher.matches(text)

    def canonical(self, name: str) -> EntityRecord | None:
        """The record a name refers to: by name, alias, slug or Japanese name, in any case.

        For normalising names from elsewhere (an LLM's answer): "deepmind", "Google Deepmind",
        "OpenAI Inc." and "OpenAI's" all find the same record; an unknown name finds None.
        """
        index = self._canonical_index.get(_canonical_key_of(name))
        if index is None:
            stripped = _CORPORATE_SUFFIX.sub("", _POSSESSIVE.sub("", name.strip()))
            index = self._canonical_index.get(_canonical_key_of(stripped))
        return None if index is None else self.entities[index]

    def by_slug(self, slug: str) -> EntityRecord | None:
        return self._by_slug.get(slug)

    @cached_property
    def _matcher(self) -> PhraseMatcher[EntityRecord]:
        return PhraseMatcher(
            (form, record, _case_rule_for_name(form))
            for record in self.entities
            for form in record.forms
        )

    @cached_property
    def _canonical_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for number, record in enumerate(self.entities):
            for form in (*record.forms, record.slug, *([record.ja] if record.ja else [])):
                index.setdefault(_canonical_key_of(form), number)
        return index

    @cached_property
    def _by_slug(self) -> dict[str, EntityRecord]:
        return {record.slug: record for record in self.entities}


_POSSESSIVE = re.compile(r"['’]s$")
_CORPORATE_SUFFIX = re.compile(
    r",?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|sa)\.?$",
    re.IGNORECASE,
)
_CANONICAL_SEPARATORS = re.compile(r"[\s\-\u2010\u2011_.]+")


def _case_rule_for_name(form: str) -> CaseRule:
    if len(form.strip()) <= EXACT_CASE_MAX_CHARS:
        return CaseRule.EXACT
    return CaseRule.FIRST_LETTER


def _canonical_key_of(name: str) -> str:
    return _CANONICAL_SEPARATORS.sub(" ", name.strip()).strip().casefold()


def _check_unique_forms(
    entries: Iterable[tuple[str, Sequence[str]]], *, label: str, fold: _Fold
) -> None:
    """No two entries may share a form as `fold` sees it: lookups would be ambiguous."""
    seen: dict[str, tuple[int, str]] = {}
    for number, (title, forms) in enumerate(entries, start=1):
        mine: set[str] = set()
        for form in forms:
            key = fold(form)
            if key in mine:
                continue
            mine.add(key)
            if key in seen:
                other_number, other_title = seen[key]
                raise ValueError(
                    f"entry {number} ({label} {title!r}): {form!r} is already used by entry "
                    f"{other_number} ({label} {other_title!r})"
                )
            seen[key] = (number, title)


# --- The bundle and its parser --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The glossary and the entity table, as the analysis and the site use them together."""

    glossary: Glossary
    entities: EntityTable
    keywords: KeywordLexicon = field(default_factory=KeywordLexicon)

    @classmethod
    def empty(cls) -> Vocabulary:
        return cls(Glossary(), EntityTable())


GLOSSARY_FILE: Final = "glossary.yaml"
ENTITIES_FILE: Final = "entities.yaml"
KEYWORDS_FILE: Final = "keywords.yaml"


def parse_vocabulary(
    glossary_doc: object, entities_doc: object, keywords_doc: object = None
) -> Vocabulary:
    """Validate the loaded glossary.yaml and entities.yaml documents into a Vocabulary.

    Raises ValueError naming the file, the entry (numbered from 1, as a reader counts them in
    the file) and the field, e.g.
    "entities.yaml: entry 12 (name 'Mistral'): slug: must be lowercase ASCII letters, ...".
    """
    terms = tuple(
        _validated_entries(glossary_doc, GLOSSARY_FILE, "terms", GlossaryTerm, label="en")
    )
    records = tuple(
        _validated_entries(entities_doc, ENTITIES_FILE, "entities", EntityRecord, label="name")
    )
    try:
        glossary = Glossary(terms=terms)
    except ValidationError as exc:
        raise ValueError(f"{GLOSSARY_FILE}: {_table_message(exc)}") from None
    try:
        entities = EntityTable(entities=records)
    except ValidationError as exc:
        raise ValueError(f"{ENTITIES_FILE}: {_table_message(exc)}") from None
    try:
        keywords = KeywordLexicon.model_validate(keywords_doc or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{KEYWORDS_FILE}: {where}: {_plain(first['msg'])}") from None
    return Vocabulary(glossary, entities, keywords)


def _validated_entries[Entry: Frozen](
    document: object, file: str, key: str, model: type[Entry], *, label: str
) -> list[Entry]:
    if not isinstance(document, Mapping):
        shape = "an empty document" if document is None else type(document).__name__
        raise ValueError(f"{file}: expected a mapping with a {key!r} list, got {shape}")
    if key not in document:
        raise ValueError(f"{file}: missing the {key!r} list")
    entries = document[key]
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ValueError(f"{file}: {key}: expected a list, got {type(entries).__name__}")
    validated: list[Entry] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise ValueError(
                f"{file}: entry {number}: expected a mapping, got {type(entry).__name__}"
            )
        try:
            validated.append(model.model_validate(entry))
        except ValidationError as exc:
            title = entry.get(label)
            named = f" ({label} {title!r})" if isinstance(title, str) else ""
            raise ValueError(f"{file}: entry {number}{named}: {_field_messages(exc)}") from None
    return validated


def _field_messages(exc: ValidationError) -> str:
    return "; ".join(f"{_location(error['loc'])}: {_plain(error['msg'])}" for error in exc.errors())


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "entry"


def _table_message(exc: ValidationError) -> str:
    return "; ".join(_plain(error["msg"]) for error in exc.errors())


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")
