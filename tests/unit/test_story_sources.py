"""The worker with stories: a story's first item is analysed, a later one joins it as a
source and costs an analysis only when it adds material facts (up to the per-story cap)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontline.config import REPO_CONFIG_DIR, load_vocabulary
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import FeedItem, ItemMessage
from frontline.domain.ports import AnalysisInProgress
from frontline.domain.spend import Budget, budget_day
from frontline.domain.stories import StoryDesk
from frontline.domain.stories.intake import story_input_of
from frontline.domain.stories.memory import MemoryStoryIndex
from tests.factories import NOW, make_item
from tests.unit.fakes import FakeArticles, FakeClaims, FakeModel, FakeSpendLedger
from tests.unit.test_item_analysis import Heuristic, price

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LEAD: dict[str, Any] = {
    "title": "SoftBank leads $1.2 billion round for humanoid robot start-up Kinetica",
    "summary": "Kinetica will use the money to build a factory in Texas.",
}
SAME_FACTS: dict[str, Any] = {
    "feed_id": "startup-beat",
    "source_name": "Startup Beat",
    "title": "Kinetica raises $1.2B to mass-produce humanoid robots",
    "summary": "The robotics company will build a factory in Texas with SoftBank's money.",
}
NEW_FACTS: dict[str, Any] = {
    "feed_id": "robot-report",
    "source_name": "Robot Report",
    "title": "Humanoid maker Kinetica lands $1.2bn SoftBank-backed funding",
    "summary": "The round values Kinetica at $6 billion; NVIDIA also invested.",
}


def item(n: int, hours: float = 0, **fields: Any) -> FeedItem:
    return make_item(n, published=T0 + timedelta(hours=hours), **fields)


def worker(
    *, cap: int = 2, desk: StoryDesk | None = None
) -> tuple[ItemAnalyst, FakeModel, FakeArticles, FakeSpendLedger]:
    model, articles, ledger = FakeModel(), FakeArticles(), FakeSpendLedger()
    desk = desk or StoryDesk(MemoryStoryIndex(), load_vocabulary(REPO_CONFIG_DIR).entities)
    analyst = ItemAnalyst(
        model,
        articles,
        fallback=Heuristic(),
        budget=Budget(ledger, 10.0, price),
        claims=FakeClaims(),
        stories=desk,
        reanalysis_cap=cap,
    )
    return analyst, model, articles, ledger


def test_a_later_item_without_new_facts_joins_as_a_source_and_costs_no_analysis() -> None:
    analyst, model, articles, ledger = worker()
    lead = analyst.process(ItemMessage(item=item(1, **LEAD)), now=NOW)
    spent = ledger.spent[budget_day(NOW)]
    # When a second outlet reports the same event with the same facts
    story = analyst.process(ItemMessage(item=item(2, hours=3, **SAME_FACTS)), now=NOW)
    # Then it is a source of the lead's article: no article of its own, no call, no spend
    assert model.calls == 1 and ledger.spent[budget_day(NOW)] == spent
    assert set(articles.articles) == {lead.id}
    assert story.id == lead.id and story.path == lead.path
    assert [(s.outlet, s.title) for s in story.sources] == [("Startup Beat", SAME_FACTS["title"])]
    assert story.source_count == 2 and story.updates == ()
    assert story.analysis == lead.analysis
    # And a redelivery of the same message changes nothing
    writes = articles.writes
    assert analyst.process(ItemMessage(item=item(2, hours=3, **SAME_FACTS)), now=NOW) == story
    assert articles.writes == writes and model.calls == 1


def test_a_later_item_with_new_facts_triggers_one_reanalysis_and_an_update_entry() -> None:
    analyst, model, _articles, ledger = worker()
    analyst.process(ItemMessage(item=item(1, **LEAD)), now=NOW)
    later = NOW + timedelta(hours=2)
    story = analyst.process(ItemMessage(item=item(3, hours=4, **NEW_FACTS)), now=later)
    assert model.calls == 2  # the lead, then the story from all its sources
    assert story.analysis.title_ja == "解析2" and story.updated_at == later
    [update] = story.updates
    assert (update.at, update.outlet) == (later, "Robot Report")
    assert update.facts == ("$6 billion", "NVIDIA")
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.012)
    # A redelivery of that message neither calls the model nor charges again
    again = analyst.process(ItemMessage(item=item(3, hours=4, **NEW_FACTS)), now=later)
    assert again == story and model.calls == 2
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.012)


def test_reanalyses_stop_at_the_per_story_cap() -> None:
    analyst, model, _articles, _ledger = worker(cap=1)
    analyst.process(ItemMessage(item=item(1, **LEAD)), now=NOW)
    analyst.process(ItemMessage(item=item(3, hours=4, **NEW_FACTS)), now=NOW)
    more = dict(NEW_FACTS, feed_id="asia-report", source_name="Asia Report")
    more["summary"] = "Kinetica's $1.2 billion round included Toyota, which will buy 500 robots."
    story = analyst.process(ItemMessage(item=item(4, hours=5, **more)), now=NOW)
    assert model.calls == 2 and len(story.updates) == 1 and story.source_count == 3


def test_a_source_waits_for_its_lead_article() -> None:
    desk = StoryDesk(MemoryStoryIndex(), load_vocabulary(REPO_CONFIG_DIR).entities)
    analyst, model, articles, _ledger = worker(desk=desk)
    lead, later = item(1, **LEAD), item(2, hours=3, **SAME_FACTS)
    # Given the lead was placed by another delivery whose analysis is still running
    desk.place(story_input_of(lead), now=NOW)
    # Then the later item fails (SQS retries it) instead of being lost or made an article
    with pytest.raises(AnalysisInProgress):
        analyst.process(ItemMessage(item=later), now=NOW)
    assert model.calls == 0 and articles.articles == {}
    # And once the lead is stored, the retry joins it
    analyst.process(ItemMessage(item=lead), now=NOW)
    assert analyst.process(ItemMessage(item=later), now=NOW).source_count == 2


def test_the_lead_analysed_again_keeps_its_sources() -> None:
    analyst, model, _articles, _ledger = worker()
    analyst.process(ItemMessage(item=item(1, **LEAD)), now=NOW)
    analyst.process(ItemMessage(item=item(2, hours=3, **SAME_FACTS)), now=NOW)
    summary = "Kinetica will build a factory in Texas by 2028."
    edited = item(1, **(LEAD | {"summary": summary, "content_hash": "b" * 64}))
    story = analyst.process(ItemMessage(item=edited, reason="updated"), now=NOW)
    assert model.calls == 2 and [s.outlet for s in story.sources] == ["Startup Beat"]


def test_an_older_version_of_a_source_delivered_last_is_dropped() -> None:
    analyst, _model, _articles, _ledger = worker()
    analyst.process(ItemMessage(item=item(1, **LEAD)), now=NOW)
    v1 = item(2, hours=3, **SAME_FACTS)
    v2 = v1.model_copy(
        update={"title": v1.title + " (updated)", "content_hash": "c" * 64,
                "first_seen": v1.first_seen + timedelta(hours=1)}
    )  # fmt: skip
    analyst.process(ItemMessage(item=v2, reason="updated"), now=NOW)
    story = analyst.process(ItemMessage(item=v1), now=NOW)
    [source] = story.sources
    assert (source.content_hash, source.title) == ("c" * 64, v2.title)
