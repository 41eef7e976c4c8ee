"""Grounding: every number, date and name in the Japanese summary traced to the English source.

A faithful Japanese rendering changes how facts are written, not the facts: Japanese units
(70B → 700億, $2.5 billion → 25億ドル, 40% → 4割), full-width digits, rounding that keeps the
meaning (about 1.9 million → 約190万), katakana forms of Latin names (グーグル → Google) and
Japanese dates (April 7 → 4月7日). `check_grounding` normalises those and reports what is left:
each number, date, name or event claim of `title_ja`, `tldr` and the key points that the
source does not contain, as a `GroundingProblem` the repair round can name one by one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Final, Literal

from frontline.domain.paths import JST
from frontline.domain.vocabulary import Vocabulary

ProblemKind = Literal["number", "date", "entity", "claim"]

# How far a Japanese number may sit from the source's and still be the same fact: rounding
# (1.94 million → 190万) without a hedge, and more with one (約, およそ, 超, 以上, 近く).
EXACT_TOLERANCE: Final = 0.03
HEDGED_TOLERANCE: Final = 0.12
_HEDGES: Final = (
    "約",
    "およそ",
    "おおよそ",
    "ほぼ",
    "超",
    "以上",
    "近く",
    "余り",
    "強",
    "弱",
    "程度",
)


@dataclass(frozen=True, slots=True)
class GroundingProblem:
    field: str  # "title_ja", "tldr", "key_points[0].title", ...
    text: str  # the ungrounded number, date, name or claim as the analysis wrote it
    kind: ProblemKind

    def describe(self) -> str:
        nouns = {"number": "数値", "date": "日付", "entity": "固有名詞", "claim": "主張"}
        return (
            f"{self.field}: {nouns[self.kind]}「{self.text}」が原文にない "
            f"({self.kind} not found in the source)"
        )


@dataclass(frozen=True, slots=True)
class GroundingReport:
    problems: tuple[GroundingProblem, ...]

    @property
    def grounded(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "grounded": self.grounded,
            "problems": [{"field": p.field, "text": p.text, "kind": p.kind} for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class GroundingRules:
    """The editable part: katakana readings and event words (config/grounding.yaml)."""

    # Katakana → Latin letters, longest kana first; a name's consonant skeleton is compared.
    kana: Mapping[str, str]
    # Japanese event words → English stems; a word of the source must start with one of them.
    claims: Mapping[str, tuple[str, ...]]
    # Latin words a Japanese rendering may add without the source spelling them (AI, CEO).
    generic_latin: frozenset[str]


# --- Numbers ------------------------------------------------------------------------------

_JA_SCALES: Final = {"兆": 1e12, "億": 1e8, "万": 1e4, "千": 1e3}
_EN_SCALES: Final = {
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "hundred": 1e2,
}
_EN_WORDS: Final[dict[str, float]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "single": 1, "once": 1, "twice": 2, "double": 2,
    "doubled": 2, "doubles": 2, "triple": 3, "tripled": 3, "triples": 3, "half": 50,
    "quadrupled": 4, "a dozen": 12, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}  # fmt: skip
_EN_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?:\s*-?\s*(trillion|billion|million|thousand|hundred)\b|(tn|bn|mn|[tbmk])\b)?",
    re.IGNORECASE,
)
_EN_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(_EN_WORDS, key=len, reverse=True)) + r")\b"
    r"(?:[\s-]+(trillion|billion|million|thousand|hundred)\b)?",
    re.IGNORECASE,
)
_JA_NUMBER = re.compile(
    r"((?:\d+(?:[.,]\d+)*(?:兆|億|万|千))+(?:\d+(?:[.,]\d+)*)?|\d+(?:[.,]\d+)*)(割)?"
)
_JA_NUMBER_PART = re.compile(r"(\d+(?:[.,]\d+)*)(兆|億|万|千)?")


def _as_float(digits: str) -> float:
    return float(digits.replace(",", ""))


def _source_numbers(text: str) -> set[float]:
    """Every value the source states, each at its own scale and as written."""
    values: set[float] = set()
    for match in _EN_NUMBER.finditer(text):
        whole, fraction, word_scale, short_scale = match.groups()
        value = _as_float(whole + (fraction or ""))
        values.add(value)
        scale = (word_scale or short_scale or "").lower()
        if scale:
            values.add(value * _EN_SCALES[scale])
    for match in _EN_WORD_NUMBER.finditer(text):
        value = float(_EN_WORDS[match.group(1).lower()])
        values.add(value)
        if match.group(2):
            values.add(value * _EN_SCALES[match.group(2).lower()])
    for digits in re.findall(r"\d+(?:\.\d+)?", text):  # digits inside names (Q3, H100, V3.2)
        values.add(float(digits))
    return values


def _ja_value(number: str, wari: str | None) -> float:
    total = 0.0
    for digits, scale in _JA_NUMBER_PART.findall(number):
        total += _as_float(digits) * (_JA_SCALES[scale] if scale else 1.0)
    return total * 10 if wari else total


def _matches(value: float, sources: Iterable[float], tolerance: float) -> bool:
    return any(math.isclose(value, known, rel_tol=tolerance, abs_tol=1e-9) for known in sources)


# --- Dates --------------------------------------------------------------------------------

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_EN_MONTH_DAY = re.compile(
    rf"\b({_MONTH_NAME})\b\.?\s*(\d{{1,2}})?(?:st|nd|rd|th)?\b(?!\s*(?:%|percent))",
    re.IGNORECASE,
)
_EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAME})\b", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_JA_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?")
_JA_QUARTER = re.compile(r"(\d{1,2})\s*[〜～~\-–]\s*(\d{1,2})月期")


def _source_dates(text: str) -> set[tuple[int, int | None]]:
    """(month, day) pairs the source names; (month, None) for a month it names at all."""
    dates: set[tuple[int, int | None]] = set()
    for match in _EN_MONTH_DAY.finditer(text):
        month = _MONTHS[match.group(1).lower()]
        if match.group(1) == "may" or (match.group(1).lower() == "mar" and not match.group(2)):
            continue  # the verb "may", the word "mar"
        dates.add((month, None))
        if match.group(2):
            dates.add((month, int(match.group(2))))
    for match in _EN_DAY_MONTH.finditer(text):
        month = _MONTHS[match.group(2).lower()]
        dates |= {(month, None), (month, int(match.group(1)))}
    for match in _ISO_DATE.finditer(text):
        month, day = int(match.group(2)), int(match.group(3))
        dates |= {(month, None), (month, day)}
    return dates


# --- Names --------------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"(?:\d+(?:\.\d+)?)?[A-Za-z][A-Za-z0-9]*(?:[-.&'][A-Za-z0-9]+)*")
_NAME_PART = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NUMBER_WITH_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([A-Za-z]+)$")
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_KATAKANA_RUN = re.compile(r"[ァ-ヺー]+(?:・[ァ-ヺー]+)*")
_PERSON_MARK = re.compile(r"^(?:氏|CEO|社長|会長|教授|博士|さん|最高)")


def skeleton(latin: str, *, silent_r: bool = True) -> str:
    """A name's consonant skeleton, spelling-blind: Altman and アルトマン both give "rtmn"."""
    word = latin.lower()
    if silent_r:  # English's silent r: "-er", "Mar-"; names from other languages keep theirs
        word = re.sub(r"r(?=[^aeiouy]|$)", "", word)
    for before, after in (
        ("ph", "f"), ("th", "s"), ("ck", "k"), ("ch", "t"), ("sh", "s"), ("ts", "t"),
        ("tsu", "t"), ("q", "k"), ("x", "ks"), ("l", "r"), ("v", "b"), ("z", "s"),
        ("j", "g"), ("dy", "d"), ("f", "h"),
    ):  # fmt: skip
        word = word.replace(before, after)
    word = re.sub(r"c(?=[eiy])", "s", word).replace("c", "k")
    word = re.sub(r"ng(?=[^aeiouy]|$)", "n", word)  # Huang → フアン, Wang → ワン
    consonants = re.sub(r"[^bdfgkmnprst]", "", word)
    return re.sub(r"(.)\1+", r"\1", consonants)


def romanised(kana: str, table: Mapping[str, str]) -> str:
    """Katakana → Latin letters with the table (longest kana first); unknown kana dropped."""
    out: list[str] = []
    index = 0
    longest = max((len(k) for k in table), default=1)
    while index < len(kana):
        for size in range(longest, 0, -1):
            piece = kana[index : index + size]
            if piece in table:
                out.append(table[piece])
                index += size
                break
        else:
            index += 1
    return "".join(out)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


# --- The check ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    text: str
    numbers: set[float]
    dates: set[tuple[int, int | None]]
    words: str  # " w1 w2 ... " lower-case alphanumeric words, for phrase lookups
    skeletons: set[str]  # one- and two-word name skeletons
    entity_slugs: set[str]


def _source_of(
    title: str, text: str, published: datetime | None, vocabulary: Vocabulary
) -> _Source:
    whole = unicodedata.normalize("NFKC", f"{title}\n{text}")
    words = _words(whole)
    names = [name for name in _NAME_PART.findall(whole) if name.lower() != "s"]
    pairs = [a + b for a, b in pairwise(names)]
    triples = [a + b + c for a, b, c in zip(names, names[1:], names[2:], strict=False)]
    spans = names + pairs + triples  # a name of up to three words: Lip-Bu Tan
    skeletons = {skeleton(n, silent_r=rule) for n in spans for rule in (True, False)}
    numbers, dates = _source_numbers(whole), _source_dates(whole)
    if published is not None:  # the model is shown the date: in UTC and on the Japanese clock
        for moment in (published.astimezone(UTC), published.astimezone(JST)):
            numbers.add(float(moment.year))
            dates |= {(moment.month, None), (moment.month, moment.day)}
    return _Source(
        text=whole.lower(),
        numbers=numbers,
        dates=dates,
        words=" " + " ".join(words) + " ",
        skeletons={s for s in skeletons if s},
        entity_slugs={record.slug for record in vocabulary.entities.find(whole)},
    )


def _fields(analysis: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    for name in ("title_ja", "tldr"):
        value = analysis.get(name)
        if isinstance(value, str):
            yield name, value
    points = analysis.get("key_points")
    if isinstance(points, Sequence) and not isinstance(points, str):
        for index, point in enumerate(points):
            if isinstance(point, Mapping):
                for part in ("title", "body"):
                    value = point.get(part)
                    if isinstance(value, str):
                        yield f"key_points[{index}].{part}", value


def check_grounding(
    source_title: str,
    source_text: str,
    analysis: Mapping[str, object],
    vocabulary: Vocabulary,
    rules: GroundingRules,
    *,
    published: datetime | None = None,
) -> GroundingReport:
    """What `analysis` (title_ja, tldr, key_points) states that the source does not.

    `published`, when given, is a date the source states (the model sees it with the text).
    """
    source = _source_of(source_title, source_text, published, vocabulary)
    problems: list[GroundingProblem] = []
    seen: set[tuple[str, str]] = set()
    for field, raw in _fields(analysis):
        text = unicodedata.normalize("NFKC", raw)
        for kind, fact in _ungrounded(text, source, vocabulary, rules):
            if (kind, fact) not in seen:  # one problem per fact, where it first appears
                seen.add((kind, fact))
                problems.append(GroundingProblem(field, fact, kind))
    return GroundingReport(tuple(problems))


def _ungrounded(
    text: str, source: _Source, vocabulary: Vocabulary, rules: GroundingRules
) -> Iterator[tuple[ProblemKind, str]]:
    masked = text
    # Names first: a model name's digits (GPT-5, H100) are checked as part of the name.
    for kind, fact, (start, end) in _ungrounded_names(text, source, vocabulary, rules):
        masked = masked[:start] + " " * (end - start) + masked[end:]
        if fact:
            yield kind, fact
    for match in _JA_QUARTER.finditer(masked):  # 7〜9月期: the quarter, as Japan names it
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        first = int(match.group(1))
        if "quarter" not in source.text and (first, None) not in source.dates:
            yield "date", match.group(0)
    for match in _JA_DATE.finditer(masked):
        year, month, day = match.groups()
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        said = (int(month), int(day) if day else None)
        if (year and float(year) not in source.numbers) or said not in source.dates:
            yield "date", match.group(0)
    for match in _JA_NUMBER.finditer(masked):
        number, wari = match.groups()
        value = _ja_value(number, wari)
        before = masked[max(0, match.start() - 4) : match.start()]
        after = masked[match.end() : match.end() + 4]
        if not _number_grounded(value, before, after, source):
            yield ("date" if after.startswith("年") else "number"), match.group(0)
    for word, stems in rules.claims.items():
        if word in text and not any(_stem_in(stem, source.text) for stem in stems):
            yield "claim", word


def _number_grounded(value: float, before: str, after: str, source: _Source) -> bool:
    """The source states `value`: years and small counts exactly, larger amounts as rounded."""
    if value == 1:  # "a share", "an H100": English rarely spells the one out
        return True
    if after.startswith("年"):
        return value in source.numbers
    hedged = any(h in before or after.startswith(h) for h in _HEDGES)
    if after.startswith("ポイント") and _derived(value, source, lambda a, b: a - b):
        return True  # 62.8% → 71.2%: "8ポイント以上" is the difference the source implies
    if after.startswith("倍") and _derived(value, source, lambda a, b: a / b if b else 0.0):
        return True  # 2 → 6 billion: "3倍"
    if value <= 100 and value.is_integer() and not hedged:
        return value in source.numbers
    return _matches(value, source.numbers, HEDGED_TOLERANCE if hedged else EXACT_TOLERANCE)


def _derived(value: float, source: _Source, combine: Callable[[float, float], float]) -> bool:
    """`value` is what two of the source's numbers give, to within rounding to a whole."""
    return any(
        abs(combine(a, b) - value) < 1.0
        for a in source.numbers
        for b in source.numbers
        if a > b > 0
    )


def _ungrounded_names(
    text: str, source: _Source, vocabulary: Vocabulary, rules: GroundingRules
) -> Iterator[tuple[ProblemKind, str | None, tuple[int, int]]]:
    """Each Latin or katakana name with its span; the fact is None when it is grounded."""
    entity_skeletons = _skeleton_index(vocabulary)
    known = vocabulary.entities.occurrences(text)
    known_spans = [(hit.start, hit.end) for hit in known]
    for hit in known:
        grounded = hit.key.slug in source.entity_slugs or _phrase_in(hit.text, source)
        yield "entity", None if grounded else hit.text, (hit.start, hit.end)
    for match in _LATIN_WORD.finditer(text):
        if match.span() in known_spans:
            continue
        yield (
            "entity",
            None
            if _latin_grounded(match.group(0), source, vocabulary, rules)
            else (match.group(0)),
            match.span(),
        )
    for match in _KATAKANA_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in known_spans):
            continue
        run = match.group(0)
        shape = skeleton(romanised(run.replace("・", ""), rules.kana), silent_r=False)
        entity = entity_skeletons.get(shape)
        if entity is not None:
            grounded = entity in source.entity_slugs or shape in source.skeletons
            yield "entity", None if grounded else run, match.span()
        elif "・" in run or _PERSON_MARK.match(text[match.end() :]):
            yield "entity", None if shape in source.skeletons else run, match.span()


def _latin_grounded(
    word: str, source: _Source, vocabulary: Vocabulary, rules: GroundingRules
) -> bool:
    if _phrase_in(word, source):
        return True
    with_unit = _NUMBER_WITH_UNIT.match(word)
    if with_unit:  # 70B, 4.5GW: a number written with a Latin scale or unit
        value, unit = float(with_unit.group(1)), with_unit.group(2).lower()
        if unit in _EN_SCALES and len(unit) <= 2:
            return _matches(value * _EN_SCALES[unit], source.numbers, EXACT_TOLERANCE)
        return unit in rules.generic_latin and _matches(value, source.numbers, EXACT_TOLERANCE)
    return (
        word.lower() in rules.generic_latin
        or bool(vocabulary.glossary.find_terms(word))
        or (_ACRONYM.match(word) is not None and _initials_in(word, source))
    )


def _initials_in(acronym: str, source: _Source) -> bool:
    """DSA for "Digital Services Act": the acronym's letters start consecutive source words."""
    pattern = r"\s".join(rf"{letter.lower()}[a-z0-9]*" for letter in acronym)
    return re.search(rf"\s{pattern}\s", source.words) is not None


def _stem_in(stem: str, lowered_source: str) -> bool:
    """A word of the source starts with `stem` ("acqui" finds "acquired", not "reacquire")."""
    return re.search(r"\b" + re.escape(stem), lowered_source) is not None


def _phrase_in(name: str, source: _Source) -> bool:
    words = _words(unicodedata.normalize("NFKC", name))
    return not words or f" {' '.join(words)} " in source.words


def _skeleton_index(vocabulary: Vocabulary) -> dict[str, str]:
    """Entity slugs by the skeleton of every Latin form of every entity."""
    index: dict[str, str] = {}
    for record in vocabulary.entities.entities:
        for form in record.forms:
            shape = skeleton(form.replace(" ", ""))
            if form.isascii() and len(shape) >= 2:
                index.setdefault(shape, record.slug)
    return index
