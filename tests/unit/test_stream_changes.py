"""DynamoDB stream records → the article changes the renderer plans from."""

from frontline.adapters.dynamodb import article_changes
from frontline.domain.models import ArticleStatus
from tests.factories import make_article


def record(event: str, old=None, new=None, pk: str | None = None) -> dict:
    article = new or old
    images = {"Keys": {"pk": {"S": pk or f"ARTICLE#{article.id}"}, "sk": {"S": "ARTICLE"}}}
    if old is not None:
        images["OldImage"] = {"doc": {"S": old.model_dump_json()}}
    if new is not None:
        images["NewImage"] = {"doc": {"S": new.model_dump_json()}}
    return {"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": images}


def test_inserts_edits_and_hiding() -> None:
    new, old = make_article(1), make_article(2)
    edited = old.model_copy(update={"status_reason": "edited"})
    hidden = old.model_copy(update={"status": ArticleStatus.HIDDEN})
    changes = article_changes(
        [
            record("INSERT", new=new),
            record("MODIFY", old=old, new=edited),
            record("MODIFY", old=old, new=hidden),
        ]
    )
    assert [(c.before, c.after) for c in changes] == [(None, new), (old, edited), (old, None)]


def test_non_public_versions_count_as_absent() -> None:
    skipped = make_article(3, status=ArticleStatus.SKIPPED)
    still_skipped = skipped.model_copy(update={"status_reason": "not about AI"})
    published = skipped.model_copy(update={"status": ArticleStatus.PUBLISHED})
    changes = article_changes(
        [
            record("MODIFY", old=skipped, new=still_skipped),  # never public: nothing to do
            record("MODIFY", old=skipped, new=published),  # arrives on the site
        ]
    )
    assert [(c.before, c.after) for c in changes] == [(None, published)]


def test_digest_records_plan_no_article_pages() -> None:
    digest = record("INSERT", new=make_article(4), pk="DIGEST#daily")
    assert article_changes([digest]) == []
