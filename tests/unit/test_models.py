import pytest
from pydantic import ValidationError

from frontline.domain.models import ArticleStatus, FeedSource
from tests.factories import make_analysis, make_article, make_item, make_source


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "/relative",
        "ftp://x.example/",
    ],
)
def test_only_http_links_are_accepted(url: str) -> None:
    with pytest.raises(ValidationError):
        make_item(url=url)


def test_source_keyword_rules() -> None:
    source = make_source(include=["AI", "machine learning"], exclude=["sponsored"])
    assert source.admits("New AI chip announced")
    assert not source.admits("Smartphone battery recall")
    assert not source.admits("Sponsored: AI webinar")
    assert make_source().admits("anything at all")
    # whole words only: "AI" is not found inside "said" or "Thailand"
    assert not source.admits("The minister said Thailand would act")
    assert source.admits("Thailand's AI plan")


def test_a_feed_without_include_rules_is_ai_focused() -> None:
    assert make_source().ai_focused
    assert not make_source(include=["AI"]).ai_focused


def test_tags_that_are_only_hashes_are_dropped() -> None:
    assert make_analysis(tags=["#", " # ", "蒸留", "推論", "OpenAI"]).tags == (
        "蒸留",
        "推論",
        "OpenAI",
    )


def test_source_id_must_be_a_slug() -> None:
    with pytest.raises(ValidationError, match="lowercase"):
        make_source(id="Open AI")


def test_tags_are_cleaned_and_deduplicated() -> None:
    analysis = make_analysis(tags=["#蒸留", "蒸留 ", "推論", "OpenAI"])
    assert analysis.tags == ("蒸留", "推論", "OpenAI")


def test_too_few_distinct_tags_is_invalid() -> None:
    with pytest.raises(ValidationError, match="distinct"):
        make_analysis(tags=["蒸留", "#蒸留", "推論"])


def test_scores_outside_one_to_five_are_invalid() -> None:
    analysis = make_analysis().model_dump()
    analysis["scores"]["depth"]["score"] = 7
    with pytest.raises(ValidationError):
        type(make_analysis()).model_validate(analysis)


def test_article_importance_is_computed_not_stored() -> None:
    article = make_article()
    assert article.importance == 4
    assert article.importance_label == "重要"
    dumped = article.model_dump(mode="json")
    assert dumped["importance"] == 4  # present in the JSON API, derived from the sub-scores


def test_public_statuses() -> None:
    assert {status for status in ArticleStatus if status.is_public} == {
        ArticleStatus.PUBLISHED,
        ArticleStatus.UNTRANSLATED,
        ArticleStatus.DEGRADED,
    }


def test_source_url_validated() -> None:
    with pytest.raises(ValidationError):
        FeedSource(id="x", name="X", url="javascript:alert(1)", site_url="https://x.example/")
