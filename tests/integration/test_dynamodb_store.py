"""The DynamoDB adapters against moto's table built from template.yaml."""

from datetime import UTC, datetime, timedelta, timezone

import boto3

from frontline.adapters.dynamodb import (
    DynamoArticleRepository,
    DynamoFeedStateStore,
    DynamoItemLedger,
    DynamoTable,
)
from frontline.cli import main
from frontline.domain.models import ArticleStatus, FeedState
from frontline.site.catalogue import newest_first
from tests.factories import NOW, make_article, make_item


def table(local_aws) -> DynamoTable:
    return DynamoTable(boto3.client("dynamodb"), local_aws["Table"])


class RacedTable(DynamoTable):
    """A table whose first batch read is followed, before any write, by another poll's claim."""

    def __init__(self, client, name, rival) -> None:
        super().__init__(client, name)
        self.rival = rival

    def batch_get(self, keys, projection=None):
        rows = super().batch_get(keys, projection)
        if self.rival is not None:
            rival, self.rival = self.rival, None
            rival()  # the other poll claims now: after our read, before our conditional puts
        return rows


def test_an_item_is_claimed_once_even_by_racing_polls(local_aws) -> None:
    # Given two polls that both read the ledger before either writes
    items = [make_item(n) for n in range(30)]
    rival = DynamoItemLedger(table(local_aws))
    rival_outcome = {}
    raced = DynamoItemLedger(
        RacedTable(
            boto3.client("dynamodb"),
            local_aws["Table"],
            lambda: rival_outcome.setdefault("claims", rival.claim_new_items(items[:20])),
        )
    )
    # When the first poll claims all 30 items
    outcome = raced.claim_new_items(items)
    # Then the conditional writes let it claim only the 10 its rival did not take
    assert [i.id for i in rival_outcome["claims"].new] == [i.id for i in items[:20]]
    assert [i.id for i in outcome.new] == [i.id for i in items[20:]]
    assert DynamoItemLedger(table(local_aws)).claim_new_items(items).new == []


def test_changed_content_is_an_update_once(local_aws) -> None:
    ledger = DynamoItemLedger(table(local_aws))
    original = make_item(1)
    ledger.claim_new_items([original])
    changed = original.model_copy(update={"content_hash": "f" * 64})
    assert ledger.claim_new_items([changed]).updated == [changed]
    assert ledger.claim_new_items([changed]).updated == []


def test_released_claims_can_be_claimed_again(local_aws) -> None:
    ledger = DynamoItemLedger(table(local_aws))
    item = make_item(1)
    ledger.claim_new_items([item])
    ledger.release([item])
    assert ledger.claim_new_items([item]).new == [item]


def test_articles_listed_newest_first_and_only_public(local_aws) -> None:
    repo = DynamoArticleRepository(table(local_aws))
    for n in range(1, 6):
        repo.save(make_article(n))
    repo.save(make_article(9, status=ArticleStatus.SKIPPED))
    listed = repo.list_public()
    assert [a.published for a in listed] == sorted((a.published for a in listed), reverse=True)
    assert len(listed) == 5
    assert len(repo.list_public(limit=2)) == 2
    assert repo.get(make_item(9).id).status is ArticleStatus.SKIPPED


def test_saving_an_identical_article_writes_nothing(local_aws) -> None:
    repo = DynamoArticleRepository(table(local_aws))
    article = make_article(1)
    assert repo.save(article) is True
    assert repo.save(article) is False
    assert repo.get(article.id) == article


def test_feed_state_round_trip(local_aws) -> None:
    store = DynamoFeedStateStore(table(local_aws))
    store.save_state(FeedState(feed_id="a", etag='"x"', polled_at=NOW, error_streak=2))
    assert store.load_states(["a", "missing"]) == {
        "a": FeedState(feed_id="a", etag='"x"', polled_at=NOW, error_streak=2)
    }


def test_spend_is_added_atomically(local_aws) -> None:
    from datetime import date

    from frontline.adapters.dynamodb import DynamoSpendLedger
    from frontline.domain.ports import Usage

    # Separate ledgers (as separate Lambda instances) add to one counter with ADD
    ledgers = [DynamoSpendLedger(table(local_aws)) for _ in range(4)]
    day = date(2026, 11, 27)
    for n in range(20):
        ledgers[n % 4].record(day, 0.25, Usage(100, 10))
    assert ledgers[0].spent_on(day) == 5.0
    assert ledgers[0].spent_on(date(2026, 11, 28)) == 0.0
    row = boto3.client("dynamodb").get_item(
        TableName=local_aws["Table"], Key={"pk": {"S": "USAGE#2026-11-27"}, "sk": {"S": "COUNTER"}}
    )["Item"]
    assert (row["input_tokens"]["N"], row["calls"]["N"]) == ("2000", "20")
    assert int(row["expires_at"]["N"]) > 0  # removed by TTL after a year


def test_articles_waiting_for_analysis_are_listed_oldest_first(local_aws) -> None:
    from datetime import timedelta

    repo = DynamoArticleRepository(table(local_aws))
    waiting = [
        make_article(
            n,
            needs_reanalysis=True,
            status=ArticleStatus.UNTRANSLATED,
            created_at=NOW + timedelta(minutes=n),
        )
        for n in (3, 1, 2)
    ]
    for article in waiting:
        repo.save(article)
    repo.save(make_article(7))  # fully analysed
    repo.save(make_article(8, needs_reanalysis=True, status=ArticleStatus.HIDDEN))  # taken down
    listed = repo.list_needing_analysis(10)
    assert [a.id for a in listed] == [make_item(n).id for n in (1, 2, 3)]
    # once fully analysed, it leaves the index
    repo.save(
        waiting[1].model_copy(update={"needs_reanalysis": False, "status": ArticleStatus.PUBLISHED})
    )
    assert [a.id for a in repo.list_needing_analysis(10)] == [make_item(n).id for n in (2, 3)]


def test_the_newest_articles_come_in_listing_order_without_reading_the_rest(local_aws) -> None:
    # Given two polls whose items were published out of arrival order, undated ones among
    # them, times in several zones, and one hidden article
    earlier, later = NOW - timedelta(hours=3), NOW.astimezone(timezone(timedelta(hours=9)))
    saved = [
        make_article(n, item=make_item(n, first_seen=seen, date_source=source, published=when))
        for n, seen, source, when in [
            (1, earlier, "feed", datetime(2026, 11, 29, 23, 0, tzinfo=UTC)),
            (2, earlier, "first_seen", earlier),
            (3, later, "feed", datetime(2026, 11, 1, 8, 0, 0, 5, tzinfo=UTC)),
            (4, later, "feed", datetime(2026, 11, 1, 17, 0, tzinfo=timezone(timedelta(hours=9)))),
            (5, later, "first_seen", later),
            (6, later, "feed", datetime(2026, 11, 30, 1, 0, tzinfo=UTC)),
        ]
    ]
    repo = DynamoArticleRepository(table(local_aws))
    for article in saved:
        repo.save(article)
    repo.save(make_article(7, status=ArticleStatus.HIDDEN))
    # When the newest N are asked for, Then they are the first N of the site's listing order
    listing = newest_first(saved)
    assert [a.id for a in listing[:3]] == [saved[n].id for n in (5, 2, 3)]
    for limit in range(1, 8):
        assert [a.id for a in repo.list_newest(limit)] == [a.id for a in listing[:limit]]


def test_articles_stored_before_the_listing_index_are_put_into_it_once(local_aws) -> None:
    # Given public articles stored without the listing attributes (before ByListing existed)
    client, repo = boto3.client("dynamodb"), DynamoArticleRepository(table(local_aws))
    old = [make_article(n, item=make_item(n, first_seen=NOW - timedelta(days=n))) for n in (1, 2)]
    for article in old:
        repo.save(article)
        client.update_item(
            TableName=local_aws["Table"],
            Key={"pk": {"S": f"ARTICLE#{article.id}"}, "sk": {"S": "ARTICLE"}},
            UpdateExpression="REMOVE gsi4pk, gsi4sk",
        )
    repo.save(make_article(3))
    assert [a.id for a in repo.list_newest(5)] == [make_item(3).id]
    # When the listing order is indexed, Then both appear in order, and a second run adds none
    assert repo.index_listing_order() == 2
    assert [a.id for a in repo.list_newest(5)] == [make_item(n).id for n in (3, 1, 2)]
    assert repo.index_listing_order() == 0


def test_the_cli_indexes_the_listing_order_of_a_table(local_aws, capsys) -> None:
    # Given a public article stored without the listing attributes
    repo = DynamoArticleRepository(table(local_aws))
    repo.save(make_article(1))
    boto3.client("dynamodb").update_item(
        TableName=local_aws["Table"],
        Key={"pk": {"S": f"ARTICLE#{make_item(1).id}"}, "sk": {"S": "ARTICLE"}},
        UpdateExpression="REMOVE gsi4pk, gsi4sk",
    )
    # When the operator runs the one-off command, Then the article is listed again
    assert main(["index-listing", "--table", local_aws["Table"]]) == 0
    assert capsys.readouterr().out.strip() == '{"indexed": 1}'
    assert [a.id for a in repo.list_newest(1)] == [make_item(1).id]
