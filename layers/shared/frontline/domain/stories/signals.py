"""What an item says about its event, read offline from its headline and summary.

Entities come from config/entities.yaml (a product counts for its maker too, so "Claude" and
"Anthropic" meet), numbers are normalised ("$1.2B", "$1.2 billion" and "1.2bn dollars" are
one amount), model versions are read as name + number ("GPT-6", "Opus 5", "DeepSeek V4"),
words are stemmed and folded through a few synonyms, and the headline's character 4-grams
catch what word matching misses. The kind of report (a funding round, a launch, a ruling,
an outage, commentary) is read from the headline: reports of different kinds are different
events even when they name the same company.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import Field

from frontline.domain.models import EntityKind, Frozen, UtcDatetime
from frontline.domain.vocabulary import EntityTable


class StoryInput(Frozen):
    """One report as clustering reads it (a feed item, or a line of `stories cluster`), with
    its embedding when an embeddings model is configured."""

    id: str = Field(min_length=1, max_length=200)
    outlet: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=2048)
    published: UtcDatetime
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=5_000)
    vector: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class Signals:
    published: datetime
    title_words: frozenset[str]
    words: frozenset[str]  # title and summary
    grams: Counter[str]  # the headline's character 4-grams
    companies: frozenset[str]  # entity slugs, a product's maker included
    products: frozenset[str]
    people: frozenset[str]
    entity_names: dict[str, str]  # slug → canonical name
    names: frozenset[str]  # capitalised words that are not entities: Kinetica, Rubin
    versions: frozenset[str]  # model names with their number: gpt6, opus5, v4
    title_versions: frozenset[str]
    figures: dict[str, str]  # normalised number → as written, title and summary
    money: frozenset[str]  # normalised amounts with a currency
    title_money: frozenset[str]
    kind: str | None  # funding, launch, acquisition, legal, outage, earnings
    commentary: bool  # opinion, explainer, analysis: never the same event as a report

    @property
    def anchors(self) -> frozenset[str]:
        """What names this event and few others: products, versions, names, figures."""
        return self.products | self.versions | self.names | frozenset(self.figures)


STOPWORDS: Final = frozenset(
    """a an the and or but of to in on at by for from with without as is are was were be been
    its it this that these those their his her our your my we you they he she them us after
    before over under into about than then so not no new says said say will would can could
    may more most up down out off per via vs while amid also just all any each other its own
    first one two three has have had do does did get gets got ai company firm start startup
    start-up report reports according people familiar sources today now year week day monday
    tuesday wednesday thursday friday saturday sunday""".split()  # noqa: SIM905
)

# Words reporters swap for one another, folded to one stem.
SYNONYMS: Final = {
    "launch": "launch", "release": "launch", "unveil": "launch", "introduce": "launch",
    "debut": "launch", "ship": "launch", "announce": "launch", "roll": "launch",
    "arrive": "launch", "open-source": "launch", "publish": "launch", "show": "launch",
    "raise": "fund", "funding": "fund", "round": "fund", "secure": "fund", "land": "fund",
    "investment": "fund", "back": "fund",
    "acquire": "acquire", "acquisition": "acquire", "buy": "acquire", "takeover": "acquire",
    "bid": "acquire", "purchase": "acquire",
    "bn": "billion", "b": "billion", "mn": "million", "m": "million",
    "european": "eu", "brussels": "eu", "commission": "eu",
    "llm": "model", "llms": "model", "weight": "weights", "chip": "chip", "accelerator": "chip",
    "gpu": "chip", "postpone": "delay", "push": "delay", "slip": "delay",
    "datacenter": "data-center", "centre": "center", "licence": "license",
    "robotaxi": "robotaxi", "driverless": "robotaxi", "autonomous": "robotaxi",
}  # fmt: skip

KINDS: Final = (  # the first kind whose stems the headline holds is the report's kind
    ("outage", ("outage", "outages", "down for", "goes down", "elevated errors")),
    (
        "legal",
        (
            "judge",
            "court",
            "lawsuit",
            "sues",
            "sued",
            "ruling",
            "trial",
            "appeal",
            "probe",
            "investigation",
            "fined",
            "copyright case",
        ),
    ),
    (
        "acquisition",
        (
            "acquires",
            "acquire",
            "acquisition",
            "buys",
            "takeover",
            "bid for",
            "offers $",
            "to buy",
            "closes",
            "completes",
        ),
    ),
    ("funding", ("raises", "raised", "funding", "valuation", "valued at", "series ", " round")),
    ("earnings", ("revenue", "profit", "earnings", "quarter", "capex", "capital spending")),
    (
        "launch",
        (
            "launch",
            "releases",
            "released",
            "unveil",
            "introduces",
            "debuts",
            "ships ",
            "rolls out",
            "open-sources",
            "is here",
            "is out",
            "arrives",
        ),
    ),
)
# A report of one of these kinds is never the same event as a report of no kind at all.
EXCLUSIVE_KINDS: Final = frozenset({"outage"})  # fmt: skip

_COMMENTARY_TITLE = re.compile(
    r"^(?:opinion|column|commentary|analysis|editorial|essay|explainer)\b|^(?:why|how|what|is|"
    r"are|should|can)\b|\bexplained\b|\bshould\b|\bwill decide\b|\bmeans? for\b|\?$|\bis not\b|"
    r"\bnot really\b|\bvs\.?(?!\w)|\bversus\b|\bwhere things stand\b|\bhere's what\b|"
    r"\bwhat we learned\b|\bdon't show\b",
    re.IGNORECASE,
)
ROUNDUP_COMPANIES: Final = 3  # a headline naming this many companies is a round-up
_COMMENTARY_SUMMARY = re.compile(
    r"\b(?:argues|our columnist|an explainer|an analysis of|a guide to|a deep dive)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+(?:['’.-][a-z0-9]+)*")
_NAME = re.compile(r"\b[A-Z][a-z]+[A-Z]?[a-z]*\b|\b[A-Z]{2,}[a-z]?\b")
_VERSION = re.compile(
    r"\b([A-Z][A-Za-z]*|[a-z]+(?=-\d))[\s-]?(\d+(?:\.\d+)?)(?!\d|,\d|\.\d|\s?(?:%|percent|"
    r"billion|million|trillion|thousand|bn|mn|tn|gb|tb|x\b|[bmk]\b|-token|-parameter|nm\b)|[a-z]{2})"
)
_NUMBER = re.compile(
    r"(?<![\w.])([$€£¥])?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:[\s-]?(trillion|billion|million|"
    r"thousand|tn|bn|mn|[tbmk](?![a-z]))\b)?(?:\s?(%|percent|yen|dollars?|euros?))?",
    re.IGNORECASE,
)
_SCALES: Final = {
    "trillion": 1e12, "tn": 1e12, "t": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "mn": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
}  # fmt: skip
_CURRENCIES: Final = {"yen": "¥", "dollar": "$", "dollars": "$", "euro": "€", "euros": "€"}
# Capitalised words that are no names: headline verbs and common nouns.
_COMMON_CAPITALS: Final = frozenset(
    """judge court new why how what opinion the first series open brings gets makes says takes
    puts moves build keynote""".split()  # noqa: SIM905
)


def _stem(word: str) -> str:
    word = word.replace("’", "'").removesuffix("'s")
    if word in SYNONYMS:
        return SYNONYMS[word]
    for suffix, replacement, shortest in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "e", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= shortest and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    return SYNONYMS.get(word, word)


def content_words(text: str) -> frozenset[str]:
    """The text's words, lower-cased and stemmed, without stopwords and bare numbers."""
    words = (_stem(word) for word in _WORD.findall(text.lower()))
    return frozenset(w for w in words if w not in STOPWORDS and not w.replace(".", "").isdigit())


def char_grams(text: str, size: int = 4) -> Counter[str]:
    folded = " ".join(_WORD.findall(text.lower()))
    return Counter(folded[i : i + size] for i in range(max(0, len(folded) - size + 1)))


def _figures(text: str) -> tuple[dict[str, str], set[str]]:
    figures: dict[str, str] = {}
    money: set[str] = set()
    for match in _NUMBER.finditer(text):
        symbol, digits, scale, unit = match.groups()
        value = float(digits.replace(",", "")) * _SCALES.get((scale or "").lower(), 1.0)
        unit = (unit or "").lower()
        currency = symbol or _CURRENCIES.get(unit, "")
        if unit in {"%", "percent"}:
            key = f"{value:g}%"
        elif not currency and not scale and (value < 10 or 1900 <= value <= 2100):
            continue  # versions, counts of a few, years: too common to tell events apart
        else:
            key = f"{value:.4g}"
        figures.setdefault(key, match.group(0).strip())
        if currency:
            money.add(f"{currency}{key}")
    return figures, money


def _versions(text: str) -> set[str]:
    found = set()
    for name, number in _VERSION.findall(text):
        if name.lower() not in STOPWORDS and not 1900 <= float(number) <= 2100:
            found.add(f"{name.lower()}{number}")
    return found


def _kind(title: str) -> str | None:
    lowered = f" {title.lower()} "
    for kind, stems in KINDS:
        if any(stem in lowered for stem in stems):
            return kind
    return None


def _companies_in(title: str, entities: EntityTable) -> set[str]:
    """The companies a headline names, a product counting for its maker."""
    return {
        record.parent if record.kind is EntityKind.PRODUCT and record.parent else record.slug
        for record in entities.find(title)
        if record.kind is not EntityKind.PERSON
    }


def signals_of(report: StoryInput, entities: EntityTable) -> Signals:
    title, summary = report.title, report.summary
    text = f"{title}\n{summary}"
    companies: set[str] = set()
    products: set[str] = set()
    people: set[str] = set()
    entity_words: set[str] = set()
    entity_names: dict[str, str] = {}
    for match in entities.occurrences(text):
        record = match.key
        entity_words.update(content_words(match.text))
        entity_names.setdefault(record.slug, record.name)
        if record.kind is EntityKind.PRODUCT:
            products.add(record.slug)
            if record.parent:
                companies.add(record.parent)
        elif record.kind is EntityKind.PERSON:
            people.add(record.slug)
        else:
            companies.add(record.slug)
            if record.parent:
                companies.add(record.parent)
    names = {
        word.lower()
        for word in _NAME.findall(text)
        if word.lower() not in STOPWORDS
        and word.lower() not in _COMMON_CAPITALS
        and _stem(word.lower()) not in entity_words
    }
    figures, money = _figures(text)
    _, title_money = _figures(title)
    title_versions = _versions(title)
    return Signals(
        published=report.published,
        title_words=content_words(title),
        words=content_words(text),
        grams=char_grams(title),
        companies=frozenset(companies),
        products=frozenset(products),
        people=frozenset(people),
        entity_names=entity_names,
        names=frozenset(names),
        versions=frozenset(_versions(text)),
        title_versions=frozenset(title_versions),
        figures=figures,
        money=frozenset(money),
        title_money=frozenset(title_money),
        kind=_kind(title),
        commentary=bool(_COMMENTARY_TITLE.search(title.strip()))
        or bool(_COMMENTARY_SUMMARY.search(summary))
        or len(_companies_in(title, entities)) >= ROUNDUP_COMPANIES,
    )
