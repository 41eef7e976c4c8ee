"""Editorial overrides as pure functions, and the worker keeping them over a new analysis."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline.config import load_vocabulary
from frontline.domain import editorial
from frontline.domain.editorial import OverrideRejected
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import ArticleStatus, ItemMessage
from frontline.domain.opt_out import withdrawn
from tests.conftest import REPO
from tests.factories import NOW, make_article, make_item, make_source
from tests.unit.fakes import FakeArticles, FakeModel

VOCABULARY = load_vocabulary(REPO / "config")
WHO = {"by": "editor@example.com", "at": NOW, "reason": "誤訳"}


def _reanalysed(articles: FakeArticles, item_id: str) -> None:
    """The worker analyses the item again (a re-analysis message): the model's new answer
    is titled 解析1."""
    llm = FakeModel()
    stored = articles.get(item_id)
    assert stored is not None
    articles.save(stored.model_copy(update={"needs_reanalysis": True}))
    ItemAnalyst(llm, articles).process(
        ItemMessage(item=stored.item, reason="reanalyse"), now=NOW + timedelta(hours=1)
    )


def test_an_edit_is_validated_like_a_model_answer() -> None:
    article = make_article()

    with pytest.raises(OverrideRejected, match="title_ja: must be written in Japanese"):
        editorial.edit(article, "title_ja", "An English headline", vocabulary=VOCABULARY, **WHO)
    with pytest.raises(OverrideRejected, match="at most 60 characters"):
        editorial.edit(article, "title_ja", "見出し" * 30, vocabulary=VOCABULARY, **WHO)
    with pytest.raises(OverrideRejected, match="--field"):
        editorial.edit(article, "tags", "タグ", vocabulary=VOCABULARY, **WHO)

    edited = editorial.edit(article, "tldr", "  直した\t要約。 ", vocabulary=VOCABULARY, **WHO)
    assert edited.analysis.tldr == "直した 要約。"  # tidied as an answer is
    assert edited.overrides.edited_at == NOW


def test_edits_and_hiding_outlast_a_new_analysis_until_reset() -> None:
    articles = FakeArticles()
    article = make_article()
    edited = editorial.edit(article, "title_ja", "編集部の見出し", vocabulary=VOCABULARY, **WHO)
    articles.save(editorial.hide(edited, **WHO))

    _reanalysed(articles, article.id)

    stored = articles.get(article.id)
    assert stored is not None
    assert stored.analysis.title_ja == "編集部の見出し"
    assert stored.status is ArticleStatus.HIDDEN
    assert stored.overrides.edits[0].replaced == "解析1"
    assert stored.provenance.analysed_at == NOW + timedelta(hours=1)
    shown = editorial.unhide(editorial.reset(stored, "title_ja", **WHO), **WHO)
    assert shown.analysis.title_ja == "解析1"
    assert shown.status is ArticleStatus.PUBLISHED
    assert [entry.action for entry in shown.overrides.log] == ["edit", "hide", "reset", "unhide"]


def test_a_withdrawn_article_stays_withdrawn_under_a_hiding_and_a_new_analysis() -> None:
    from datetime import date

    articles = FakeArticles()
    source = make_source(opt_out=True, opt_out_date=date(2026, 11, 28))
    article = withdrawn(make_article(), source, NOW)
    articles.save(editorial.hide(article, **WHO))

    _reanalysed(articles, article.id)
    stored = articles.get(article.id)
    assert stored is not None and stored.overrides.hidden is not None
    assert stored.overrides.hidden.status_beneath is ArticleStatus.WITHDRAWN
    assert editorial.unhide(stored, **WHO).status is ArticleStatus.WITHDRAWN


def test_an_item_of_an_opted_out_source_is_stored_withdrawn() -> None:
    articles = FakeArticles()
    llm = FakeModel()

    article = ItemAnalyst(llm, articles, opted_out=["ai-wire"]).process(
        ItemMessage(item=make_item()), now=NOW
    )

    assert article.status is ArticleStatus.WITHDRAWN and not article.status.is_public


def test_pins_end_when_their_time_comes() -> None:
    article = make_article()
    pinned = editorial.pin(article, until=NOW + timedelta(days=1), **WHO)

    assert pinned.overrides.pin is not None
    assert pinned.overrides.pin.active(NOW + timedelta(hours=23))
    assert not pinned.overrides.pin.active(NOW + timedelta(days=1))
    with pytest.raises(OverrideRejected, match="already past"):
        editorial.pin(article, until=NOW - timedelta(minutes=1), **WHO)
    with pytest.raises(OverrideRejected, match="not pinned"):
        editorial.unpin(article, **WHO)


def test_an_override_made_while_the_model_answers_is_kept() -> None:
    from frontline.domain.spend import Budget
    from tests.unit.fakes import FakeSpendLedger

    article = make_article()
    articles = FakeArticles()
    articles.save(article.model_copy(update={"needs_reanalysis": True}))

    class HidingModel(FakeModel):
        """The operator hides the article while the model is answering."""

        def analyse(self, item, text):  # type: ignore[no-untyped-def]
            stored = articles.get(article.id)
            assert stored is not None
            articles.save(editorial.hide(stored, **WHO))
            return super().analyse(item, text)

    budget = Budget(FakeSpendLedger(), 1.0, lambda model_id, usage: 0.0)
    worker = ItemAnalyst(HidingModel(), articles, fallback=FakeModel(), budget=budget)
    worker.process(ItemMessage(item=article.item, reason="reanalyse"), now=NOW)

    stored = articles.get(article.id)
    assert stored is not None and stored.status is ArticleStatus.HIDDEN
    assert stored.analysis.title_ja == "解析1"  # the new analysis, kept hidden
