"""AI日報 and 週報: the daily and weekly digests, written by the worker from stored articles.

A digest covers one period on the Japanese clock: a JST day (00:00–24:00 Asia/Tokyo) or an
ISO week (Monday to Sunday, JST). `DigestWriter` selects the period's public articles, keeps
the most important ones (ties: newer first), groups them by category and asks a writer for a
Japanese overview: the LLM within the daily budget, or the heuristic's extractive summary,
which says that it is one. The digest is stored with a put that replaces the period's previous
one, and the LLM is asked again only when that previous answer was not the LLM's or the
articles changed: a successful answer is paid for once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Literal, Self

from pydantic import Field, ValidationError, model_validator

from frontline.domain.analysis_validation import (
    MIN_JAPANESE_SHARE,
    AnalysisProblems,
    japanese_share,
)
from frontline.domain.models import (
    CATEGORY_LABELS,
    Article,
    Category,
    Frozen,
    Provenance,
    UtcDatetime,
)
from frontline.domain.paths import JST
from frontline.domain.ports import (
    DigestQueue,
    DigestRepository,
    FrontlineError,
    OverviewWriter,
    PeriodArticles,
    ProviderRetryable,
    Usage,
)
from frontline.domain.spend import Budget, SpendPolicy

DAILY_TOP: Final = 10
WEEKLY_TOP: Final = 15
MIN_SENTENCES: Final = 2
MAX_SENTENCES: Final = 5
MIN_HIGHLIGHTS: Final = 3
MAX_HIGHLIGHTS: Final = 5

_DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK: Final = re.compile(r"^(\d{4})-W(\d{2})$")
_SENTENCE_END: Final = re.compile(r"[。！？]+|[!?]+(?=\s|$)")
_CLOSERS: Final = "」』）)\"'"


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


# --- Periods on the Japanese clock ----------------------------------------------------------


def _valid_period(kind: DigestKind, period: str) -> str:
    if kind is DigestKind.DAILY:
        if not _DAY.match(period):
            raise ValueError("a daily period is a date such as 2026-11-26")
        date.fromisoformat(period)
        return period
    match = _WEEK.match(period)
    if not match:
        raise ValueError("a weekly period is an ISO week such as 2026-W48")
    date.fromisocalendar(int(match[1]), int(match[2]), 1)  # raises for week 54 and the like
    return period


def period_window(kind: DigestKind, period: str) -> tuple[datetime, datetime]:
    """[start, end) of the period as JST-aware datetimes: midnight to midnight in Japan."""
    _valid_period(kind, period)
    if kind is DigestKind.DAILY:
        first = date.fromisoformat(period)
        length = timedelta(days=1)
    else:
        match = _WEEK.match(period)
        assert match is not None
        first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        length = timedelta(days=7)
    start = datetime(first.year, first.month, first.day, tzinfo=JST)
    return start, start + length


def period_of(kind: DigestKind, instant: datetime) -> str:
    """The period that holds `instant` on the Japanese clock."""
    local = instant.astimezone(JST).date()
    if kind is DigestKind.DAILY:
        return local.isoformat()
    year, week, _weekday = local.isocalendar()
    return f"{year}-W{week:02d}"


def previous_period(kind: DigestKind, now: datetime) -> str:
    """The period a job running at `now` reports on: yesterday, or last ISO week (JST)."""
    step = timedelta(days=1) if kind is DigestKind.DAILY else timedelta(days=7)
    return period_of(kind, now.astimezone(JST) - step)


def periods_covering(kind: DigestKind, instants: Sequence[datetime]) -> list[str]:
    """Every distinct period that holds one of `instants`, oldest first."""
    return sorted({period_of(kind, instant) for instant in instants})


# --- Messages and stored digests ------------------------------------------------------------


class DigestMessage(Frozen):
    """The SQS message asking the worker to write one digest (same queue as ItemMessage)."""

    schema_version: Literal["frontline.digest/1"] = "frontline.digest/1"
    kind: DigestKind
    period: str

    @model_validator(mode="after")
    def _period_matches_kind(self) -> Self:
        _valid_period(self.kind, self.period)
        return self


class DigestOverview(Frozen):
    """What the writer returns: the LLM's tool input, or the heuristic's extractive summary."""

    overview: str = Field(
        min_length=1, max_length=1200, description="期間全体の概況（2〜5文、だ・である調）"
    )
    highlights: tuple[str, ...] = Field(
        min_length=1,
        max_length=MAX_HIGHLIGHTS,
        description="注目点・テーマ（3〜5個、各1文）",
    )

    @model_validator(mode="after")
    def _highlights_are_clean(self) -> Self:
        cleaned = tuple(dict.fromkeys(text.strip() for text in self.highlights if text.strip()))
        if not cleaned:
            raise ValueError("highlights must hold at least one non-empty entry")
        if any(len(text) > 200 for text in cleaned):
            raise ValueError("each highlight must be at most 200 characters")
        object.__setattr__(self, "highlights", cleaned)
        return self


GeneratedBy = Literal["llm", "heuristic", "none"]


class DigestSection(Frozen):
    """One category's share of the digest's top articles, in rank order."""

    category: Category
    article_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


class Digest(Frozen):
    """One stored digest: the period, its selection, and the overview with its provenance."""

    kind: DigestKind
    period: str
    start: UtcDatetime
    end: UtcDatetime
    article_count: int = Field(ge=0)  # public articles in the period, before the top-N cut
    sections: tuple[DigestSection, ...] = ()
    selection_hash: str  # what the overview was written from (ids and their versions)
    overview: DigestOverview | None = None  # None when the period had no articles
    generated_by: GeneratedBy = "none"
    provenance: Provenance | None = None
    status_reason: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(article_id for section in self.sections for article_id in section.article_ids)

    @property
    def is_empty(self) -> bool:
        return not self.sections


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """What a writer is given: the period and its selected articles, by category."""

    kind: DigestKind
    period: str
    label: str  # "2026年11月26日（木）", "2026年11月23日〜29日の週"
    article_count: int
    sections: tuple[tuple[Category, tuple[Article, ...]], ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        """The selected articles in rank order (most important first)."""
        return tuple(sorted((a for _c, group in self.sections for a in group), key=_rank_key))

    @property
    def min_highlights(self) -> int:
        return min(MIN_HIGHLIGHTS, len(self.articles))


@dataclass(frozen=True, slots=True)
class OverviewResult:
    overview: DigestOverview
    provider: str
    generated_by: GeneratedBy
    model_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    request_id: str | None = None


# --- Validation of a model's answer ---------------------------------------------------------


def sentence_count(text: str) -> int:
    """Sentences in Japanese prose: each ends with 。！？ (or a final unterminated one)."""
    stripped = text.strip()
    if not stripped:
        return 0
    ends = len(_SENTENCE_END.findall(stripped))
    tail = stripped.rstrip(_CLOSERS)
    return ends + (0 if tail and tail[-1] in "。！？!?" else 1)


def _is_japanese(text: str) -> bool:
    return japanese_share(text) >= MIN_JAPANESE_SHARE


def validate_overview(raw: object, *, min_highlights: int = MIN_HIGHLIGHTS) -> DigestOverview:
    """The overview in a model's raw tool input; raises AnalysisProblems listing every problem."""
    if not isinstance(raw, Mapping):
        raise AnalysisProblems([f"(root): expected a JSON object, got {type(raw).__name__}"])
    data: dict[str, Any] = {
        key: value for key, value in raw.items() if key in DigestOverview.model_fields
    }
    if isinstance(data.get("overview"), str):
        data["overview"] = " ".join(data["overview"].split())
    if isinstance(data.get("highlights"), list):
        data["highlights"] = [
            " ".join(text.split()) if isinstance(text, str) else text for text in data["highlights"]
        ]
    problems: list[str] = []
    overview = data.get("overview")
    if isinstance(overview, str) and overview:
        if not _is_japanese(overview):
            problems.append("overview: must be written in Japanese (names may stay in Latin)")
        count = sentence_count(overview)
        if not MIN_SENTENCES <= count <= MAX_SENTENCES:
            problems.append(
                f"overview: must be {MIN_SENTENCES} to {MAX_SENTENCES} sentences, got {count}"
            )
    highlights = data.get("highlights")
    if isinstance(highlights, list):
        for number, text in enumerate(highlights):
            if isinstance(text, str) and text and not _is_japanese(text):
                problems.append(f"highlights[{number}]: must be written in Japanese")
        if len(highlights) < min_highlights:
            problems.append(
                f"highlights: must hold at least {min_highlights} entries, got {len(highlights)}"
            )
    result: DigestOverview | None = None
    try:
        result = DigestOverview.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in error["loc"]) or "(root)"
            message = "required field is missing" if error["type"] == "missing" else error["msg"]
            problems.append(f"{where}: {message}")
    if problems or result is None:
        raise AnalysisProblems(dict.fromkeys(problems))
    return result


# --- Selecting and writing ------------------------------------------------------------------


def _rank_key(article: Article) -> tuple[int, float, str]:
    return (-article.importance, -article.published.timestamp(), article.id)


def select_top(articles: Sequence[Article], limit: int) -> list[Article]:
    """The `limit` most important articles; ties go to the newer, then to the id."""
    return sorted(articles, key=_rank_key)[:limit]


def group_by_category(
    articles: Sequence[Article],
) -> tuple[tuple[Category, tuple[Article, ...]], ...]:
    """Articles grouped by category in CATEGORY_LABELS order, each group in rank order."""
    ranked = sorted(articles, key=_rank_key)
    return tuple(
        (category, group)
        for category in CATEGORY_LABELS
        if (group := tuple(a for a in ranked if a.analysis.category is category))
    )


def selection_hash(articles: Sequence[Article]) -> str:
    """Changes when the selection does: another article, or a new version of one."""
    parts = sorted(f"{a.id}:{a.updated_at.isoformat()}:{a.status.value}" for a in articles)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_WEEKDAYS: Final = "月火水木金土日"


def period_label(kind: DigestKind, period: str) -> str:
    """How the period is named to readers: '2026年11月26日（木）', '2026年11月23日〜29日の週'."""
    start, end = period_window(kind, period)
    if kind is DigestKind.DAILY:
        return f"{start.year}年{start.month}月{start.day}日（{_WEEKDAYS[start.weekday()]}）"
    last = end - timedelta(days=1)
    tail = f"{last.day}日" if last.month == start.month else f"{last.month}月{last.day}日"
    if last.year != start.year:
        tail = f"{last.year}年{last.month}月{last.day}日"
    return f"{start.year}年{start.month}月{start.day}日〜{tail}の週"


class DigestWriter:
    """Write (or rewrite) the digest of one period: the analyze_item worker's digest service."""

    def __init__(
        self,
        articles: PeriodArticles,
        digests: DigestRepository,
        writer: OverviewWriter,
        *,
        fallback: OverviewWriter | None = None,
        budget: Budget | None = None,
        daily_top: int = DAILY_TOP,
        weekly_top: int = WEEKLY_TOP,
    ) -> None:
        """`writer` alone (the heuristic) or an LLM writer with a `fallback` and a `budget`."""
        self._articles = articles
        self._digests = digests
        self._writer = writer
        self._fallback = fallback
        self._spend = SpendPolicy(budget if fallback is not None else None)
        self._top = {DigestKind.DAILY: daily_top, DigestKind.WEEKLY: weekly_top}

    def process(self, message: DigestMessage, *, now: datetime) -> Digest:
        kind, period = message.kind, message.period
        start, end = period_window(kind, period)
        in_period = [
            article
            for article in self._articles.list_public_between(start, end)
            if start <= article.published < end and article.status.is_public
        ]
        top = select_top(in_period, self._top[kind])
        sections = group_by_category(top)
        chosen = selection_hash(top)
        previous = self._digests.get(kind, period)
        if (
            previous is not None
            and previous.selection_hash == chosen
            and previous.generated_by != "heuristic"
        ):
            return previous  # the same articles, already written well: no second call
        request = DigestRequest(
            kind=kind,
            period=period,
            label=period_label(kind, period),
            article_count=len(in_period),
            sections=sections,
        )
        overview: OverviewResult | None = None
        reason: str | None = None
        cost = 0.0
        if top:
            overview, reason, cost = self._write(request, now)
        digest = Digest(
            kind=kind,
            period=period,
            start=start,
            end=end,
            article_count=len(in_period),
            sections=tuple(
                DigestSection(category=category, article_ids=tuple(a.id for a in group))
                for category, group in sections
            ),
            selection_hash=chosen,
            overview=overview.overview if overview else None,
            generated_by=overview.generated_by if overview else "none",
            provenance=None
            if overview is None
            else Provenance(
                provider=overview.provider,
                model_id=overview.model_id,
                input_tokens=overview.usage.input_tokens,
                output_tokens=overview.usage.output_tokens,
                cost_usd=cost,
                analysed_at=now,
            ),
            status_reason=reason,
            created_at=previous.created_at if previous else now,
            updated_at=now,
        )
        self._digests.put(digest)
        return digest

    def _write(
        self, request: DigestRequest, now: datetime
    ) -> tuple[OverviewResult, str | None, float]:
        fallback = self._fallback or self._writer
        # Only throttling is retried: an invalid answer or a refused request still publishes
        # the digest, with the extractive summary, and a later run may try again.
        spent = self._spend.run(
            now,
            lambda: self._writer.write(request),
            lambda: fallback.write(request),
            scope=f"DIGEST:{request.kind.value}:{request.period}",
            model_id=self._writer.model_id,
            raises=(ProviderRetryable,),
        )
        reason = spent.fallback_reason
        if spent.failure is not None:
            reason = f"overview failed: {spent.failure.reason}"[:500]
        return spent.result, reason, spent.cost


class DigestNotQueued(FrontlineError):
    """The digest request could not be sent: the schedule's retry policy tries again."""


class DigestJob:
    """The scheduled job: ask the worker for the digest of the period that just ended."""

    def __init__(self, queue: DigestQueue) -> None:
        self._queue = queue

    def run(self, kind: DigestKind, *, now: datetime) -> DigestMessage:
        return self.request(kind, [previous_period(kind, now)])[0]

    def request(self, kind: DigestKind, periods: Sequence[str]) -> list[DigestMessage]:
        """Queue one digest message per period (the demo asks for every period it covers)."""
        messages = [DigestMessage(kind=kind, period=period) for period in periods]
        unsent = self._queue.enqueue(messages)
        if unsent:
            raise DigestNotQueued(f"{len(unsent)} digest message(s) could not be queued")
        return messages
