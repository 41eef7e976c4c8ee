"""AI日報 and 週報: periods on the Japanese clock, selection, the writer and its costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from frontline.adapters.heuristic import HeuristicDigestWriter
from frontline.domain.analysis_validation import AnalysisProblems
from frontline.domain.digests import (
    Digest,
    DigestJob,
    DigestKind,
    DigestMessage,
    DigestOverview,
    DigestRequest,
    DigestWriter,
    OverviewResult,
    group_by_category,
    period_label,
    period_of,
    period_window,
    periods_covering,
    previous_period,
    select_top,
    sentence_count,
    validate_overview,
)
from frontline.domain.models import Article, ArticleStatus, Category
from frontline.domain.paths import JST
from frontline.domain.ports import AnalysisInvalid, ProviderRetryable, Usage
from frontline.domain.spend import Budget
from tests.factories import make_analysis, make_article, make_item
from tests.unit.fakes import FakeQueue

DAILY, WEEKLY = DigestKind.DAILY, DigestKind.WEEKLY
OVERVIEW = DigestOverview(
    overview="26日はオープンウェイトのモデル公開が相次いだ。国内では評価基盤の整備も進んだ。",
    highlights=(
        "蒸留モデルの公開が続いた。",
        "日本語評価の新しい基準が示された。",
        "GPU需要は引き続き旺盛だ。",
    ),
)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


def article_at(n: int, when: datetime, **overrides) -> Article:
    analysis = overrides.pop("analysis", make_analysis())
    return make_article(n, item=make_item(n, published=when), analysis=analysis, **overrides)


def scored(importance_scores: tuple[int, int, int, int], category: Category = Category.NEWS):
    base = make_analysis()
    d, r, p, i = importance_scores
    scores = base.scores.model_copy(
        update={
            "depth": base.scores.depth.model_copy(update={"score": d}),
            "relevance": base.scores.relevance.model_copy(update={"score": r}),
            "practicality": base.scores.practicality.model_copy(update={"score": p}),
            "innovation": base.scores.innovation.model_copy(update={"score": i}),
        }
    )
    return base.model_copy(update={"scores": scores, "category": category})


# --- Fakes -----------------------------------------------------------------------------------


@dataclass
class FakePeriodArticles:
    articles: list[Article] = field(default_factory=list)

    def list_public_between(self, start: datetime, end: datetime) -> list[Article]:
        found = [a for a in self.articles if start <= a.published < end and a.status.is_public]
        return sorted(found, key=lambda a: a.published, reverse=True)


@dataclass
class FakeDigests:
    stored: dict[tuple[DigestKind, str], Digest] = field(default_factory=dict)
    puts: int = 0

    def get(self, kind: DigestKind, period: str) -> Digest | None:
        return self.stored.get((kind, period))

    def put(self, digest: Digest) -> None:
        self.puts += 1
        self.stored[(digest.kind, digest.period)] = digest

    def list_all(self) -> list[Digest]:
        return sorted(self.stored.values(), key=lambda d: (d.kind, d.period), reverse=True)


@dataclass
class FakeLlmWriter:
    """Answers with OVERVIEW, or raises what it is told to; counts its calls."""

    fail_with: Exception | None = None
    calls: int = 0
    name: str = "bedrock"
    model_id: str = "test-model"
    seen: list[DigestRequest] = field(default_factory=list)

    def write(self, request: DigestRequest) -> OverviewResult:
        self.calls += 1
        self.seen.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        return OverviewResult(OVERVIEW, "bedrock", "llm", "test-model", Usage(1000, 300))


@dataclass
class FakeSpend:
    spent: float = 0.0
    records: int = 0

    def spent_on(self, day) -> float:
        return self.spent

    def record(self, day, cost_usd: float, usage: Usage, *, charge_id=None) -> None:
        self.spent += cost_usd
        self.records += 1


def llm_writer(
    articles: list[Article], *, fail_with: Exception | None = None, spent: float = 0.0
) -> tuple[DigestWriter, FakeLlmWriter, FakeDigests, FakeSpend]:
    llm, digests, spend = FakeLlmWriter(fail_with), FakeDigests(), FakeSpend(spent)
    budget = Budget(spend, daily_usd=1.0, price=lambda model, usage: 0.01)
    writer = DigestWriter(
        FakePeriodArticles(articles),
        digests,
        llm,
        fallback=HeuristicDigestWriter(),
        budget=budget,
    )
    return writer, llm, digests, spend


NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)  # 07:00 JST on 27 November


# --- Periods ---------------------------------------------------------------------------------


def test_23_59_and_00_01_jst_land_in_different_daily_digests() -> None:
    late = article_at(1, jst(2026, 11, 25, 23, 59))
    early = article_at(2, jst(2026, 11, 26, 0, 1))
    writer = DigestWriter(FakePeriodArticles([late, early]), FakeDigests(), HeuristicDigestWriter())

    on_25 = writer.process(DigestMessage(kind=DAILY, period="2026-11-25"), now=NOW)
    on_26 = writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)

    assert on_25.article_ids == (late.id,)
    assert on_26.article_ids == (early.id,)
    # 23:59 JST is 14:59 UTC on the same date; 00:01 JST is still the 25th in UTC.
    assert early.published.date().isoformat() == "2026-11-25"


def test_a_jst_day_runs_from_midnight_to_midnight_in_japan() -> None:
    start, end = period_window(DAILY, "2026-11-26")

    assert start == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    assert period_of(DAILY, datetime(2026, 11, 25, 14, 59, 59, tzinfo=UTC)) == "2026-11-25"
    assert period_of(DAILY, datetime(2026, 11, 25, 15, 0, tzinfo=UTC)) == "2026-11-26"


@pytest.mark.parametrize(
    ("instant", "week"),
    [
        (jst(2026, 11, 22, 23, 59), "2026-W47"),  # Sunday night
        (jst(2026, 11, 23, 0, 1), "2026-W48"),  # Monday morning
        (jst(2026, 11, 29, 23, 59), "2026-W48"),
        (jst(2027, 1, 3, 12, 0), "2026-W53"),  # 2026 has 53 ISO weeks
        (jst(2027, 1, 4, 0, 0), "2027-W01"),
        (jst(2025, 12, 29, 9, 0), "2026-W01"),  # ISO week-year starts before 1 January
    ],
)
def test_iso_weeks_run_monday_to_sunday_in_japan(instant: datetime, week: str) -> None:
    assert period_of(WEEKLY, instant) == week
    start, end = period_window(WEEKLY, week)
    assert start <= instant < end
    assert start.astimezone(JST).weekday() == 0 and end - start == timedelta(days=7)


def test_the_jobs_report_on_yesterday_and_last_week() -> None:
    assert previous_period(DAILY, NOW) == "2026-11-26"
    monday_7am = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # Monday 30 November, 07:00 JST
    assert previous_period(WEEKLY, monday_7am) == "2026-W48"
    assert periods_covering(DAILY, [jst(2026, 11, 26, 1), jst(2026, 11, 24, 9), jst(2026, 11, 26)]) == [
        "2026-11-24",
        "2026-11-26",
    ]  # fmt: skip


def test_period_labels_read_naturally() -> None:
    assert period_label(DAILY, "2026-11-26") == "2026年11月26日（木）"
    assert period_label(WEEKLY, "2026-W48") == "2026年11月23日〜29日の週"
    assert period_label(WEEKLY, "2026-W49") == "2026年11月30日〜12月6日の週"
    assert period_label(WEEKLY, "2026-W53") == "2026年12月28日〜2027年1月3日の週"


@pytest.mark.parametrize(
    ("kind", "period"),
    [(DAILY, "2026-W48"), (DAILY, "2026-13-01"), (WEEKLY, "2026-11-26"), (WEEKLY, "2025-W53")],
)
def test_a_message_with_a_period_of_the_wrong_shape_is_refused(kind, period) -> None:
    with pytest.raises(ValidationError):
        DigestMessage(kind=kind, period=period)


def test_the_job_queues_one_message_for_the_period_that_ended() -> None:
    queue = FakeQueue()

    message = DigestJob(queue).run(WEEKLY, now=datetime(2026, 11, 29, 22, 0, tzinfo=UTC))

    assert queue.sent == [message]
    assert message.model_dump() == {
        "schema_version": "frontline.digest/1",
        "kind": "weekly",
        "period": "2026-W48",
    }


# --- Selection -------------------------------------------------------------------------------


def test_the_top_articles_by_importance_ties_go_to_the_newer() -> None:
    older = article_at(1, jst(2026, 11, 26, 8), analysis=scored((4, 4, 4, 4)))
    newer = article_at(2, jst(2026, 11, 26, 20), analysis=scored((4, 4, 4, 4)))
    best = article_at(3, jst(2026, 11, 26, 5), analysis=scored((5, 5, 5, 5)))
    minor = article_at(4, jst(2026, 11, 26, 21), analysis=scored((1, 1, 1, 1)))

    assert select_top([older, newer, best, minor], 3) == [best, newer, older]


def test_groups_follow_the_category_order_each_in_rank_order() -> None:
    tool = article_at(1, jst(2026, 11, 26, 8), analysis=scored((5, 5, 5, 5), Category.TOOL))
    news_low = article_at(2, jst(2026, 11, 26, 9), analysis=scored((2, 2, 2, 2), Category.NEWS))
    news_high = article_at(3, jst(2026, 11, 26, 7), analysis=scored((4, 4, 4, 4), Category.NEWS))

    groups = group_by_category([tool, news_low, news_high])

    assert [(category, [a.id for a in group]) for category, group in groups] == [
        (Category.NEWS, [news_high.id, news_low.id]),
        (Category.TOOL, [tool.id]),
    ]


def test_only_public_articles_are_in_a_digest() -> None:
    shown = article_at(1, jst(2026, 11, 26, 8))
    hidden = article_at(2, jst(2026, 11, 26, 9), status=ArticleStatus.HIDDEN)
    writer = DigestWriter(
        FakePeriodArticles([shown, hidden]), FakeDigests(), HeuristicDigestWriter()
    )

    digest = writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)

    assert digest.article_ids == (shown.id,) and digest.article_count == 1


# --- Writing, replacing, paying once ---------------------------------------------------------


def test_a_day_without_articles_is_an_empty_digest_not_an_error() -> None:
    writer, llm, digests, _spend = llm_writer([])

    digest = writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)

    assert digest.is_empty and digest.overview is None and digest.generated_by == "none"
    assert llm.calls == 0 and digests.puts == 1


def test_running_a_digest_twice_replaces_it_and_pays_once() -> None:
    articles = [article_at(n, jst(2026, 11, 26, n)) for n in range(1, 4)]
    writer, llm, digests, spend = llm_writer(articles)
    message = DigestMessage(kind=DAILY, period="2026-11-26")

    first = writer.process(message, now=NOW)
    second = writer.process(message, now=NOW + timedelta(hours=1))

    assert first.generated_by == "llm" and first.overview == OVERVIEW
    assert second == first
    assert llm.calls == 1 and spend.records == 1
    assert list(digests.stored) == [(DAILY, "2026-11-26")]
    assert first.provenance is not None and first.provenance.cost_usd == pytest.approx(0.01)


def test_a_changed_article_set_is_written_again_and_replaces_the_digest() -> None:
    articles = [article_at(n, jst(2026, 11, 26, n)) for n in range(1, 3)]
    writer, llm, digests, _spend = llm_writer(articles)
    message = DigestMessage(kind=DAILY, period="2026-11-26")
    first = writer.process(message, now=NOW)

    writer._articles.articles.append(article_at(9, jst(2026, 11, 26, 12)))  # type: ignore[attr-defined]
    second = writer.process(message, now=NOW + timedelta(hours=1))

    assert llm.calls == 2
    assert len(second.article_ids) == 3 and second.created_at == first.created_at
    assert digests.stored[(DAILY, "2026-11-26")] == second


def test_an_extractive_digest_is_written_again_by_the_llm_later() -> None:
    articles = [article_at(1, jst(2026, 11, 26, 9))]
    writer, llm, _digests, spend = llm_writer(articles, spent=5.0)  # the budget is spent
    message = DigestMessage(kind=DAILY, period="2026-11-26")

    fallback = writer.process(message, now=NOW)
    spend.spent = 0.0  # the next day's budget
    rewritten = writer.process(message, now=NOW + timedelta(days=1))

    assert (
        fallback.generated_by == "heuristic"
        and fallback.status_reason == "daily LLM budget reached"
    )
    assert rewritten.generated_by == "llm" and llm.calls == 1


def test_an_answer_still_invalid_after_repair_falls_back_and_is_still_paid_for() -> None:
    articles = [article_at(1, jst(2026, 11, 26, 9))]
    invalid = AnalysisInvalid("still invalid after the repair round", usage=Usage(2000, 600))
    writer, _llm, _digests, spend = llm_writer(articles, fail_with=invalid)

    digest = writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)

    assert digest.generated_by == "heuristic"
    assert digest.status_reason is not None and "still invalid" in digest.status_reason
    assert spend.records == 1 and digest.provenance is not None
    assert digest.provenance.provider == "heuristic"


def test_throttling_propagates_so_sqs_retries_the_digest() -> None:
    articles = [article_at(1, jst(2026, 11, 26, 9))]
    writer, _llm, digests, _spend = llm_writer(articles, fail_with=ProviderRetryable("throttled"))

    with pytest.raises(ProviderRetryable):
        writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)
    assert digests.puts == 0


def test_the_llm_sees_the_selected_articles_grouped_with_the_period_label() -> None:
    articles = [article_at(n, jst(2026, 11, 23 + n, 9)) for n in range(0, 7)]
    writer, llm, _digests, _spend = llm_writer(articles)

    writer.process(DigestMessage(kind=WEEKLY, period="2026-W48"), now=NOW)

    [request] = llm.seen
    assert request.label == "2026年11月23日〜29日の週"
    assert request.article_count == 7 and len(request.articles) == 7


# --- The heuristic overview ------------------------------------------------------------------


def test_the_extractive_overview_stitches_the_top_articles_and_says_what_it_is() -> None:
    first = article_at(1, jst(2026, 11, 26, 9), analysis=scored((5, 5, 5, 5)))
    second = article_at(2, jst(2026, 11, 26, 10), analysis=scored((3, 3, 3, 3), Category.TOOL))
    writer = DigestWriter(
        FakePeriodArticles([first, second]), FakeDigests(), HeuristicDigestWriter()
    )

    digest = writer.process(DigestMessage(kind=DAILY, period="2026-11-26"), now=NOW)

    assert digest.generated_by == "heuristic" and digest.overview is not None
    text = digest.overview.overview
    assert text.startswith("この日に掲載したAIニュースは2件で")
    assert text.endswith("分野別の内訳はニュース1件、ツール1件。")
    assert "ニュース1件、ツール1件" in text
    assert digest.overview.highlights[0].startswith(
        f"「{first.analysis.title_ja}」（AI Wire、重要度5）"
    )


# --- Validating the model's answer -----------------------------------------------------------


def test_a_japanese_overview_of_two_to_five_sentences_is_accepted() -> None:
    raw = {
        "overview": "  OpenAIが新モデルを発表した。\n国内企業の採用も広がりつつある。 ",
        "highlights": ["新モデルの公開", "国内での採用拡大", "GPU調達の動き", "新モデルの公開"],
    }

    overview = validate_overview(raw)

    assert overview.overview == "OpenAIが新モデルを発表した。 国内企業の採用も広がりつつある。"
    assert overview.highlights == ("新モデルの公開", "国内での採用拡大", "GPU調達の動き")


def test_english_one_sentence_or_too_few_highlights_are_all_reported() -> None:
    raw = {"overview": "Today was a busy day for open models.", "highlights": ["Open models", "x"]}

    with pytest.raises(AnalysisProblems) as caught:
        validate_overview(raw)

    problems = caught.value.problems
    assert "overview: must be written in Japanese (names may stay in Latin)" in problems
    assert "overview: must be 2 to 5 sentences, got 1" in problems
    assert "highlights[0]: must be written in Japanese" in problems
    assert "highlights: must hold at least 3 entries, got 2" in problems


def test_fewer_articles_than_three_ask_for_fewer_highlights() -> None:
    raw = {
        "overview": "この日の記事は1件だった。小型モデルの公開である。",
        "highlights": ["小型モデルの公開"],
    }

    assert validate_overview(raw, min_highlights=1).highlights == ("小型モデルの公開",)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("一文だけ。", 1),
        ("一文目。二文目！三文目？", 3),
        ("終わりがない文", 1),
        ("「引用だ。」と述べた。", 2),
        ("", 0),
    ],
)
def test_sentences_are_counted_by_their_endings(text: str, count: int) -> None:
    assert sentence_count(text) == count
