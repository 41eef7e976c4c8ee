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
from dataclasses import field as dataclass_field
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
    # Event words → words that, among the three after a stem's word, make it another event:
    # "buying common stock" is an investment, not 買収.
    claim_exceptions: Mapping[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    # Japanese relative dates → English phrases, one of which the source must use (先週).
    relative_dates: Mapping[str, tuple[str, ...]] = dataclass_field(default_factory=dict)


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


# Currencies: an amount keeps its currency; 65億円 is not $6.5 billion, nor 3800億ドル 380 billion
# yuan. Japanese currency words after a number, and how English marks each currency.
_JA_CURRENCIES: Final = {
    "米ドル": "usd", "ドル": "usd", "ユーロ": "eur", "円": "jpy", "人民元": "cny", "元": "cny",
    "ウォン": "krw", "ポンド": "gbp", "ルピー": "inr",
}  # fmt: skip
_EN_CURRENCY_SIGNS: Final = {"$": "usd", "€": "eur", "¥": "jpy", "£": "gbp", "₩": "krw", "₹": "inr"}
_EN_CURRENCY_WORDS: Final = {
    "dollar": "usd", "usd": "usd", "euro": "eur", "eur": "eur", "yen": "jpy", "jpy": "jpy",
    "yuan": "cny", "renminbi": "cny", "rmb": "cny", "cny": "cny", "won": "krw", "krw": "krw",
    "pound": "gbp", "sterling": "gbp", "gbp": "gbp", "rupee": "inr", "inr": "inr",
}  # fmt: skip
_EN_CURRENCY_AFTER = re.compile(
    r"\s*(" + "|".join(sorted(_EN_CURRENCY_WORDS, key=len, reverse=True)) + r")s?\b", re.I
)
# English fractions: "one-third", "a quarter", "half", "two-thirds".
_EN_FRACTION = re.compile(
    r"\b(?:(a|an|one|two|three|four)[\s-]+)?(half|halves|thirds?|quarters?|fifths?|tenths?)\b",
    re.I,
)
_EN_DENOMINATORS: Final = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
_JA_FRACTION = re.compile(r"(\d+)分の(\d+)")
# Vague magnitudes: "tens of thousands" → 数万; a number of the source in that band grounds it.
_EN_VAGUE = re.compile(
    r"\b(dozens|tens|hundreds|thousands|millions|billions)(?:\s+of\s+"
    r"(thousands|millions|billions))?\b",
    re.I,
)
_EN_VAGUE_UNITS: Final = {
    "dozens": 10, "tens": 10, "hundreds": 100, "thousands": 1e3, "millions": 1e6,
    "billions": 1e9,
}  # fmt: skip
_JA_VAGUE = re.compile(r"数(十|百|千)?(万|億|兆)?")
_JA_DIGIT_UNITS: Final = {"十": 10, "百": 100, "千": 1e3}


# Kanji numerals before a share, a multiple or a scale (四割, 三倍, 三分の一, 二十億) are numbers;
# elsewhere they are words (三菱, 一部, 四半期).
_KANJI_NUMBER = re.compile(
    r"(?<!数)[一二三四五六七八九十百]+(?=割|倍|分の|億|万|兆)|(?<=分の)[一二三四五六七八九十]+"
)
_KANJI_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _kanji_numbers(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        total = current = 0
        for char in match.group(0):
            if char in "十百":
                total += (current or 1) * (10 if char == "十" else 100)
                current = 0
            else:
                current = _KANJI_DIGITS[char]
        return str(total + current)

    return _KANJI_NUMBER.sub(value, text)


def _band(value: float) -> float:
    return 10.0 ** math.floor(math.log10(value)) if value > 0 else 0.0


def _as_float(digits: str) -> float:
    return float(digits.replace(",", ""))


def _source_amounts(text: str) -> dict[str | None, set[float]]:
    """The source's amounts by currency, at full scale.

    None holds amounts with a scale and no currency ("up from 3 billion"), "" plain numbers
    with neither (the 15 of "October 15").
    """
    amounts: dict[str | None, set[float]] = {}
    for match in _EN_NUMBER.finditer(text):
        whole, fraction, word_scale, short_scale = match.groups()
        value = _as_float(whole + (fraction or ""))
        scale = (word_scale or short_scale or "").lower()
        sign = text[max(0, match.start() - 1) : match.start()]
        word = _EN_CURRENCY_AFTER.match(text, match.end())
        currency = _EN_CURRENCY_SIGNS.get(sign) or (
            _EN_CURRENCY_WORDS[word.group(1).lower()] if word else (None if scale else "")
        )
        amounts.setdefault(currency, set()).update(
            {value, value * _EN_SCALES[scale]} if scale else {value}
        )
    return amounts


def _source_fractions(text: str) -> set[float]:
    """Shares the source states: "one-third", "half", and every percentage as a fraction."""
    shares = {value / 100 for value in _source_numbers(text) if value <= 100}
    for match in _EN_FRACTION.finditer(text):
        numerator = _EN_WORDS.get((match.group(1) or "one").lower(), 1.0)
        if match.group(1) and match.group(1).lower() in ("a", "an"):
            numerator = 1.0
        denominator = _EN_DENOMINATORS[match.group(2).lower().rstrip("s")]
        shares.add(numerator / denominator)
    return shares


def _source_bands(text: str) -> set[float]:
    """Orders of magnitude the source states, exactly or vaguely ("tens of thousands")."""
    bands = {_band(value) for value in _source_numbers(text)}
    for match in _EN_VAGUE.finditer(text):
        unit = _EN_VAGUE_UNITS[match.group(1).lower()]
        if match.group(2):
            unit *= _EN_VAGUE_UNITS[match.group(2).lower()]
        bands.add(unit)
    return bands


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
_JA_QUARTER_NUMBER = re.compile(r"第(\d)四半期|(?<![A-Za-z])Q(\d)(?!\d)|(\d)Q(?![A-Za-z])")
_EN_QUARTER = re.compile(
    r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter|q([1-4]))\b", re.I
)
_EN_ORDINALS: Final = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}  # fmt: skip
_JA_WEEKDAY = re.compile(
    r"([月火水木金土日])曜日?|\(([月火水木金土日])(?:曜日?)?\)"
)  # 木曜日, (木)
_JA_WEEKDAYS: Final = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
_EN_WEEKDAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.I)
_EN_WEEKDAYS: Final = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _source_quarters(text: str, dates: set[tuple[int, int | None]]) -> set[int]:
    """Calendar quarters the source names: "third-quarter", "Q3", or a month range it gives."""
    quarters = {
        _EN_ORDINALS[match.group(1).lower()] if match.group(1) else int(match.group(2))
        for match in _EN_QUARTER.finditer(text)
    }
    # "the April-June quarter": a quarter named by its first month
    return quarters | {(month + 2) // 3 for month, day in dates if day is None and month % 3 == 1}


def _source_weekdays(text: str) -> set[int]:
    return {_EN_WEEKDAYS[match.group(1).lower()] for match in _EN_WEEKDAY.finditer(text)}


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
# A version after a name (GPT-4.5, Claude Haiku 4.5, Llama 3.1): part of the name, not a count.
_VERSION = re.compile(
    r"[\s-]?[A-Za-z]?\d+(?:\.\d+)*[a-z]?(?![\d.]*[\d万億兆千割%％倍年月日人社基回件個台])"
)


def skeleton(latin: str, *, silent_r: bool = True, continental: bool = False) -> str:
    """A name's consonant skeleton, spelling-blind: Altman and アルトマン both give "rtmn".

    `continental` reads a name as French or German do (Arthur Mensch → アルチュール・メンシュ):
    th is t, sch is sh.
    """
    word = latin.lower()
    if silent_r:  # English's silent r: "-er", "Mar-"; names from other languages keep theirs
        word = re.sub(r"r(?=[^aeiouy]|$)", "", word)
    if continental:
        word = word.replace("sch", "sh").replace("th", "t")
    for before, after in (
        ("z", "s"), ("ph", "f"), ("th", "s"), ("ck", "k"), ("ch", "t"), ("sh", "s"), ("ts", "t"),
        ("tsu", "t"), ("q", "k"), ("x", "ks"), ("l", "r"), ("v", "b"),
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
    """Lower-case words; a version stays one word (4.5 is not 4 followed by 5)."""
    return re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", text.lower())


# --- The check ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    text: str
    numbers: set[float]
    dates: set[tuple[int, int | None]]
    amounts: dict[str | None, set[float]]  # by currency; None for numbers with none
    fractions: set[float]  # shares: one-third, half, 40%
    bands: set[float]  # orders of magnitude stated, exactly or vaguely
    sentences: list[set[float]]  # each sentence's numbers, for differences and multiples
    quarters: set[int]
    weekdays: set[int]
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
    skeletons = {
        skeleton(n, silent_r=silent, continental=continental)
        for n in spans
        for silent, continental in ((True, False), (False, False), (False, True))
    }
    numbers, dates = _source_numbers(whole), _source_dates(whole)
    weekdays = _source_weekdays(whole)
    if published is not None:  # the model is shown the date: in UTC and on the Japanese clock
        for moment in (published.astimezone(UTC), published.astimezone(JST)):
            numbers.add(float(moment.year))
            dates |= {(moment.month, None), (moment.month, moment.day)}
            weekdays.add(moment.weekday())
    return _Source(
        text=whole.lower(),
        numbers=numbers,
        dates=dates,
        amounts=_source_amounts(whole),
        fractions=_source_fractions(whole),
        bands=_source_bands(whole),
        sentences=[
            set().union(*_source_amounts(part).values())
            for part in re.split(r"(?<=[.;!?])\s+|\n", whole)
        ],
        quarters=_source_quarters(whole, dates),
        weekdays=weekdays,
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
        text = _kanji_numbers(unicodedata.normalize("NFKC", raw))
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
        if (first + 2) // 3 not in source.quarters and (first, None) not in source.dates:
            yield "date", match.group(0)
    for match in _JA_QUARTER_NUMBER.finditer(masked):  # 第3四半期, Q3, 3Q
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        if int(next(g for g in match.groups() if g)) not in source.quarters:
            yield "date", match.group(0)
    for match in _JA_WEEKDAY.finditer(masked):  # 木曜日: the source names the same day
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        if _JA_WEEKDAYS[match.group(1) or match.group(2)] not in source.weekdays:
            yield "date", match.group(0)
    for match in _JA_FRACTION.finditer(masked):  # 3分の1: the share, not its digits
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        share = int(match.group(2)) / int(match.group(1)) if int(match.group(1)) else 0.0
        if not _matches(share, source.fractions, EXACT_TOLERANCE):
            yield "number", match.group(0)
    for match in _JA_VAGUE.finditer(masked):  # 数万: "tens of thousands", or a number that size
        if not (match.group(1) or match.group(2)):
            continue
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
        unit = _JA_DIGIT_UNITS.get(match.group(1) or "", 1.0)
        unit *= _JA_SCALES.get(match.group(2) or "", 1.0)
        if unit not in source.bands:
            yield "number", match.group(0)
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
        is_year = after.startswith(("年", "会計年度")) or before.endswith("FY")
        if not _number_grounded(value, number, before, after, source, is_year=is_year):
            yield ("date" if is_year else "number"), match.group(0)
    for word, phrases in rules.relative_dates.items():
        if word in text and not any(_stem_in(phrase, source.text) for phrase in phrases):
            yield "date", word
    for word, stems in rules.claims.items():
        unless = rules.claim_exceptions.get(word, ())
        if word in text and not any(_stem_in(stem, source.text, unless) for stem in stems):
            yield "claim", word


def _number_grounded(
    value: float, written: str, before: str, after: str, source: _Source, *, is_year: bool
) -> bool:
    """The source states `value`: years and small counts exactly, larger amounts as rounded.

    An amount in a currency must be one the source gives in that currency (or with none).
    """
    if value == 1:  # "a share", "an H100": English rarely spells the one out
        return True
    if is_year:
        return value in source.numbers
    hedged = any(h in before or after.startswith(h) for h in _HEDGES)
    if after.startswith("ポイント") and _derived(value, source, lambda a, b: a - b):
        return True  # 62.8% → 71.2%: "8ポイント以上" is the difference the source implies
    if after.startswith("倍") and _derived(value, source, lambda a, b: a / b if b else 0.0):
        return True  # 2 → 6 billion: "3倍"
    if after.startswith("倍") and any(_rounds_to(1 + share, value) for share in source.fractions):
        return True  # up 94%: "2倍"
    currency = next((_JA_CURRENCIES[w] for w in _JA_CURRENCIES if after.startswith(w)), None)
    stated = source.numbers
    if currency is not None:  # in the source's currency, or an amount it gives none for
        amounts = source.amounts
        stated = amounts.get(currency, set()) | amounts.get(None, set()) or amounts.get("", set())
    if value.is_integer() and not hedged and not any(s in written for s in _JA_SCALES):
        return value in stated  # a count written out in full is exact
    if hedged:
        return _matches(value, stated, HEDGED_TOLERANCE)
    return any(
        _rounds_to(known, value) and math.isclose(known, value, rel_tol=EXACT_TOLERANCE)
        for known in stated
    )


def _rounds_to(known: float, written: float) -> bool:
    """`known` rounded at the last digit `written` shows gives `written`: 1.94 million → 190万."""
    if math.isclose(known, written, rel_tol=1e-9, abs_tol=1e-9):
        return True
    unit = 10.0 ** math.floor(math.log10(written)) if written > 0 else 1.0
    while unit >= 1e-6 and not math.isclose(written / unit, round(written / unit), abs_tol=1e-6):
        unit /= 10
    return abs(known - written) <= unit / 2 + 1e-9


def _derived(value: float, source: _Source, combine: Callable[[float, float], float]) -> bool:
    """`value` is what two numbers of one source sentence give, rounded as it is written."""
    return any(
        _rounds_to(combine(a, b), value)
        for numbers in source.sentences
        for a in numbers
        for b in numbers
        if a > b > 0
    )


def _ungrounded_names(
    text: str, source: _Source, vocabulary: Vocabulary, rules: GroundingRules
) -> Iterator[tuple[ProblemKind, str | None, tuple[int, int]]]:
    """Each Latin or katakana name with its span; the fact is None when it is grounded."""
    entity_skeletons = _skeleton_index(vocabulary)
    known = vocabulary.entities.occurrences(text)
    known_spans = [(hit.start, _with_version(text, hit.text, hit.end)[1]) for hit in known]
    for slug, start, end in _japanese_names(text, vocabulary):  # サムスン電子, SKハイニックス
        if not any(a < end and start < b for a, b in known_spans):
            known_spans.append((start, end))
            grounded = slug in source.entity_slugs
            yield "entity", None if grounded else text[start:end], (start, end)
    for hit in known:
        name, end = _with_version(text, hit.text, hit.end)
        if any(c.isdigit() for c in name):  # a model and its version: as the source writes it
            grounded = _phrase_in(name, source)
        else:
            grounded = hit.key.slug in source.entity_slugs or _phrase_in(hit.text, source)
        yield "entity", None if grounded else name, (hit.start, end)
    for match in _LATIN_WORD.finditer(text):
        if any(start <= match.start() < end for start, end in known_spans):
            continue
        name, end = _with_version(text, match.group(0), match.end())
        grounded = _latin_grounded(match.group(0), source, vocabulary, rules) and (
            name == match.group(0) or _phrase_in(name, source)
        )
        yield "entity", None if grounded else name, (match.start(), end)
    for match in _KATAKANA_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in known_spans):
            continue
        run = match.group(0)
        reading = romanised(run.replace("・", ""), rules.kana)
        shape = skeleton(reading, silent_r=False)
        entity = next(
            (
                slug
                for slug, form in entity_skeletons.get(shape, ())
                # a short skeleton is common to many words (リリース, Elyza): the onset decides
                if len(shape) >= 3 or _onset(form) == _onset(reading)
            ),
            None,
        )
        if entity is not None:
            grounded = entity in source.entity_slugs or shape in source.skeletons
            yield "entity", None if grounded else run, match.span()
        elif "・" in run or _PERSON_MARK.match(text[match.end() :]):
            yield "entity", None if shape in source.skeletons else run, match.span()


def _japanese_names(text: str, vocabulary: Vocabulary) -> Iterator[tuple[str, int, int]]:
    """(slug, start, end) of each entity named by its Japanese form (entities.yaml `ja`)."""
    taken: list[tuple[int, int]] = []
    records = sorted(vocabulary.entities.entities, key=lambda r: -len(r.ja or ""))
    for record in records:
        if not record.ja or record.ja.isascii():
            continue
        for match in re.finditer(re.escape(record.ja), text):
            if not any(a < match.end() and match.start() < b for a, b in taken):
                taken.append(match.span())
                yield record.slug, match.start(), match.end()


def _with_version(text: str, name: str, end: int) -> tuple[str, int]:
    """The name with the version that follows it in `text`, and where that ends."""
    version = _VERSION.match(text, end)
    if version is None or not name[0].isupper():
        return name, end
    return name + version.group(0), version.end()


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


def _stem_in(stem: str, lowered_source: str, unless: Sequence[str] = ()) -> bool:
    """A word of the source starts with `stem` ("acqui" finds "acquired", not "reacquire"),
    and none of the three words after it is one of `unless` ("buying common stock")."""
    for match in re.finditer(r"\b" + re.escape(stem) + r"[\w'-]*", lowered_source):
        following = re.findall(r"[\w'-]+", lowered_source[match.end() :])[:3]
        if not any(word.startswith(u) for word in following for u in unless):
            return True
    return False


def _phrase_in(name: str, source: _Source) -> bool:
    words = _words(unicodedata.normalize("NFKC", name))
    return not words or f" {' '.join(words)} " in source.words


def _skeleton_index(vocabulary: Vocabulary) -> dict[str, list[tuple[str, str]]]:
    """(slug, Latin form) of every entity, by the skeleton of the form."""
    index: dict[str, list[tuple[str, str]]] = {}
    for record in vocabulary.entities.entities:
        for form in record.forms:
            shape = skeleton(form.replace(" ", ""))
            if form.isascii() and len(shape) >= 2:
                index.setdefault(shape, []).append((record.slug, form))
    return index


def _onset(word: str) -> str:
    """How a name begins, spelling-blind: any vowel is "a"; Meta and メタ both start "m"."""
    first = word.lower()[:2]
    if first.startswith(("ph", "f")):
        return "h"
    sounds = {"l": "r", "v": "b", "c": "k", "q": "k", "j": "g", "z": "s", "x": "k"}
    return "a" if first[:1] in "aeiouy" else sounds.get(first[:1], first[:1])
