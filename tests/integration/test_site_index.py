"""The site index in DynamoDB (moto) answers every `SiteSlices` question exactly as the
public articles themselves do, and `reconcile` keeps it so through edits, re-tags, hides,
late arrivals and deletions, repeated or concurrent."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.dynamodb_reads import ItemsRead
from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
from frontline.adapters.site_index import MAX_ACTIONS, DynamoSiteIndex
from frontline.adapters.site_index.items import item_key
from frontline.adapters.site_index.snapshots import DAYS_SNAPSHOT, MONTH_SNAPSHOT
from frontline.domain.listing_order import listing_key
from frontline.domain.models import (
    Article,
    ArticleStatus,
    Category,
    Entity,
    EntityKind,
    FeedKind,
)
from frontline.domain.trends import jst_day
from frontline.site.slices import (
    COMMUNITY_DAY_KEY,
    GROUP_KINDS,
    STORED,
    DayCount,
    GroupCount,
    SiteIndex,
    SitemapRow,
    article_day,
    article_month,
    day_keys,
    display_name,
    group_keys,
    group_spellings,
    posting_keys,
    related_keys,
)
from infra.local.template_resources import LocalResources
from tests.factories import make_analysis, make_article, make_item

REGION = "ap-northeast-1"
START = datetime(2026, 9, 28, 10, 0, tzinfo=UTC)  # JST days and months cross over
TAGS = [
    "生成AI",
    "生成ai",
    "LLM",
    "llm",
    "推論",
    "蒸留",
    "オープンウェイト",
    "#エージェント",
    "RAG",
]
COMPANIES = ["OpenAI", "openai", "Google DeepMind", "Anthropic", "Meta"]
OTHERS = [
    ("GPT-5", EntityKind.PRODUCT),
    ("Sam Altman", EntityKind.PERSON),
    ("Llama", EntityKind.PRODUCT),
]
SOURCES = [
    ("ai-wire", "AI Wire"),
    ("ai-wire", "AI wire"),
    ("lab-blog", "Lab Blog"),
    ("hn", "Hacker News"),
]
STATUSES = [ArticleStatus.PUBLISHED] * 5 + [
    ArticleStatus.UNTRANSLATED,
    ArticleStatus.HIDDEN,
    ArticleStatus.SKIPPED,
]


# --- the archive ------------------------------------------------------------------------------


def random_article(n: int, rng: random.Random, *, first_seen: datetime | None = None) -> Article:
    """An article of any kind, status, source spelling, tags and entities, over several JST
    days and months."""
    published = START + timedelta(hours=rng.randrange(0, 24 * 40), minutes=rng.randrange(60))
    feed_id, source_name = rng.choice(SOURCES)
    kind = rng.choice(list(FeedKind))
    entities = [
        Entity(name=rng.choice(COMPANIES), kind=EntityKind.COMPANY)
        for _ in range(rng.randrange(0, 3))
    ]
    entities += [Entity(name=name, kind=k) for name, k in rng.sample(OTHERS, rng.randrange(0, 3))]
    item = make_item(
        n,
        feed_id=feed_id,
        source_name=source_name,
        kind=kind,
        published=published,
        first_seen=first_seen or published + timedelta(minutes=rng.choice([0, 30, 90])),
        date_source=rng.choice(["feed", "feed", "first_seen"]),
    )
    return make_article(
        n,
        item=item,
        status=rng.choice(STATUSES),
        analysis=analysis(rng, entities),
        created_at=item.first_seen + timedelta(minutes=rng.choice([1, 1, 45, 120])),
        updated_at=published + timedelta(hours=1),
    )


def analysis(rng: random.Random, entities: list[Entity]) -> Any:
    return make_analysis(
        title_ja=f"記事{rng.randrange(10_000)}",
        tags=rng.sample(TAGS, rng.randrange(3, 6)),
        entities=entities,
        category=rng.choice(list(Category)),
    )


def retagged(article: Article, rng: random.Random) -> Article:
    entities = [Entity(name=rng.choice(COMPANIES), kind=EntityKind.COMPANY)]
    return article.model_copy(update={"analysis": analysis(rng, entities)})


def retitled(article: Article) -> Article:
    new = article.analysis.model_copy(update={"title_ja": article.analysis.title_ja + "（更新）"})
    return article.model_copy(
        update={"analysis": new, "updated_at": article.updated_at + timedelta(hours=2)}
    )


def with_status(article: Article, status: ArticleStatus) -> Article:
    return article.model_copy(update={"status": status})


# --- the reference: every answer computed from the public articles directly -------------------


class Reference:
    def __init__(self, articles: Sequence[Article]) -> None:
        self.public = sorted(
            (a for a in articles if a.status.is_public), key=listing_key, reverse=True
        )

    def under(self, key: str) -> list[Article]:
        return [a for a in self.public if key in posting_keys(a)]

    def groups(self, kind: Any) -> list[GroupCount]:
        counts: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for article in self.public:
            counts.update(group_keys(article, kind))
            for key, spelling in group_spellings(article, kind):
                spellings[key][spelling] += 1
        return sorted(
            (GroupCount(kind, key, display_name(spellings[key]), n) for key, n in counts.items()),
            key=lambda g: g.key,
        )

    def days(self) -> list[DayCount]:
        totals: Counter[date] = Counter()
        counts: dict[date, Counter[str]] = defaultdict(Counter)
        for article in self.public:
            totals[article_day(article)] += 1
            counts[article_day(article)].update(day_keys(article))
        return [DayCount(day, totals[day], dict(counts[day])) for day in sorted(totals)]

    def months(self) -> dict[str, int]:
        return dict(sorted(Counter(article_month(a) for a in self.public).items()))

    def month_rows(self, month: str) -> list[SitemapRow]:
        return sorted(
            (SitemapRow(a.path, a.updated_at) for a in self.public if article_month(a) == month),
            key=lambda row: row.path,
        )


def ids(articles: Sequence[Any]) -> list[str]:
    return [a.id for a in articles]


def assert_agrees(index: SiteIndex, articles: Sequence[Article]) -> None:
    """Every SiteSlices answer equals the reference's."""
    ref = Reference(articles)
    stored = {a.id: a for a in articles}
    assert index.count() == len(ref.public)
    assert ids(index.newest(7)) == ids(ref.public[:7])
    assert ids(index.walk(None)) == ids(ref.public)
    assert ids(index.walk(None, oldest_first=True)) == ids(ref.public[::-1])
    stored_times = sorted(a.created_at for a in ref.public)
    for moment in stored_times[len(stored_times) // 2 :: 4]:
        expected = sorted(
            (a for a in ref.public if a.created_at > moment),
            key=lambda a: (a.created_at, a.id),
            reverse=True,
        )
        assert index.created_since(moment) == expected
    # the listing questions, under every key but `stored:` (asked only through created_since)
    keys = {key for a in stored.values() for key in posting_keys(a) if not key.startswith(STORED)}
    for key in sorted(keys)[::4]:
        listed = ref.under(key)
        assert ids(index.walk(key)) == ids(listed), key
        assert ids(index.walk(key, oldest_first=True)) == ids(listed[::-1]), key
    for key in sorted(keys):
        listed = ref.under(key)
        # the current version of each article, in listing order
        assert [a.model_dump() for a in index.newest_in(key, 3)] == [
            a.model_dump() for a in listed[:3]
        ], key
    for article in list(stored.values())[::5]:
        for key, _weight in related_keys(article):
            listed = ref.under(key)
            older = [a for a in listed if listing_key(a) < listing_key(article)][:4]
            newer = [a for a in reversed(listed) if listing_key(a) > listing_key(article)][:4]
            assert [(r.id, r.importance, r.published) for r in index.older_in(key, article, 4)] == [
                (a.id, a.importance, a.published) for a in older
            ], key
            assert ids(index.newer_in(key, article, 4)) == ids(newer), key
    assert index.articles([*stored, "0" * 32]) == {a.id: a for a in ref.public}
    for article in stored.values():
        expected = article if article.status.is_public else None
        assert index.article_at(article.path) == expected
    for kind in GROUP_KINDS:
        groups = ref.groups(kind)
        assert sorted(index.groups(kind), key=lambda g: g.key) == groups
        for group in groups[:3]:
            assert index.group(kind, group.key) == group
        assert index.group(kind, "no-such-group") is None
    latest = max((jst_day(a.published) for a in ref.public), default=None)
    assert index.latest_day() == latest
    days = ref.days()
    assert list(index.days(date(2026, 1, 1), date(2027, 12, 31))) == days
    if days:
        middle = days[len(days) // 2].day
        assert list(index.days(middle, middle + timedelta(days=3))) == [
            d for d in days if middle <= d.day <= middle + timedelta(days=3)
        ]
        for key in (COMMUNITY_DAY_KEY, "tag:llm", "company:openai"):
            with_key = [(d.day, d.total, d.counts[key]) for d in days if d.counts.get(key, 0)]

            def seen(found: Sequence[DayCount], key: str = key) -> list[tuple[date, int, int]]:
                return [(d.day, d.total, d.counts[key]) for d in found]  # the count asked

            assert seen(index.days_before(key, None, 3)) == with_key[::-1][:3]
            assert (
                seen(index.days_before(key, middle, 3))
                == [d for d in reversed(with_key) if d[0] < middle][:3]
            )
            assert (
                seen(index.days_after(key, middle, 3)) == [d for d in with_key if d[0] > middle][:3]
            )
    assert dict(index.months()) == ref.months()
    for month in ref.months():
        assert list(index.month_rows(month)) == ref.month_rows(month)


# --- the store ----------------------------------------------------------------------------------


@pytest.fixture
def table(local_aws: LocalResources) -> DynamoTable:
    return DynamoTable(boto3.client("dynamodb", region_name=REGION), local_aws["Table"])


@pytest.fixture
def serialised_writes(table: DynamoTable) -> Iterator[None]:
    """DynamoDB applies each write and each transaction atomically and in isolation; moto's
    backend is not thread-safe (a cancelled transaction restores a copy of the whole table),
    so its operations are made atomic here, as they are in the service. The reads and steps
    of different reconciles still interleave freely."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    lock = threading.RLock()
    with pytest.MonkeyPatch.context() as patch:
        for name in (
            "transact_write_items",
            "put_item",
            "update_item",
            "delete_item",
            "get_item",
            "query",
            "batch_get_item",
        ):
            original = getattr(backend, name)

            def atomic(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
                with lock:
                    return __original(*args, **kwargs)

            patch.setattr(backend, name, atomic)
        yield


def delete(table: DynamoTable, article: Article) -> None:
    table.client.delete_item(
        TableName=table.table_name,
        Key={"pk": {"S": f"ARTICLE#{article.id}"}, "sk": {"S": "ARTICLE"}},
    )


def save_all(repo: DynamoArticleRepository, articles: Sequence[Article]) -> None:
    for article in articles:
        assert repo.save(article)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_answer_agrees_with_the_articles_through_every_kind_of_change(
    table: DynamoTable, seed: int
) -> None:
    # Given a random archive saved through the repository and reconciled
    rng = random.Random(seed)
    repo = DynamoArticleRepository(table)
    index = DynamoSiteIndex(table)
    archive = {a.id: a for a in (random_article(n, rng) for n in range(40))}
    save_all(repo, list(archive.values()))
    assert index.reconcile(archive) == sum(a.status.is_public for a in archive.values())
    assert_agrees(index, list(archive.values()))

    # When articles are edited, re-tagged, hidden, published again, deleted and arrive late
    public = [a for a in archive.values() if a.status.is_public]
    hidden = [a for a in archive.values() if a.status is ArticleStatus.HIDDEN]
    changed: list[Article] = [retitled(a) for a in public[:3]]
    changed += [retagged(a, rng) for a in public[3:7]]
    changed += [with_status(a, ArticleStatus.HIDDEN) for a in public[7:10]]
    changed += [with_status(a, ArticleStatus.PUBLISHED) for a in hidden[:2]]
    earliest = min(a.item.first_seen for a in archive.values())
    late = [
        random_article(100 + n, rng, first_seen=earliest - timedelta(hours=n + 1)) for n in range(4)
    ]
    late = [with_status(a, ArticleStatus.PUBLISHED) for a in late]
    gone = public[10:13]
    save_all(repo, changed + late)
    for article in gone:
        delete(table, article)
    archive |= {a.id: a for a in changed + late}
    for article in gone:
        del archive[article.id]
    touched = [a.id for a in changed + late + gone]
    reconciled = index.reconcile(touched)

    # Then only the changed ids were reconciled, and every answer agrees again
    assert reconciled == len(touched)
    assert_agrees(index, list(archive.values()))
    # and replaying the same reconcile changes nothing
    assert index.reconcile(touched) == 0
    assert_agrees(index, list(archive.values()))


def test_counts_and_names_leave_no_trace_once_their_articles_are_gone(table: DynamoTable) -> None:
    # Given two articles under a rare tag and company, then hidden and deleted
    repo = DynamoArticleRepository(table)
    index = DynamoSiteIndex(table)
    rare = [
        make_article(
            n,
            analysis=make_analysis(
                tags=["希少", "LLM", "推論"],
                entities=[Entity(name="Rare Co", kind=EntityKind.COMPANY)],
            ),
        )
        for n in (1, 2)
    ]
    save_all(repo, rare)
    index.reconcile(ids(rare))
    assert index.group("tags", "希少") == GroupCount("tags", "希少", "希少", 2)
    repo.save(with_status(rare[0], ArticleStatus.HIDDEN))
    delete(table, rare[1])

    # When both are reconciled
    assert index.reconcile(ids(rare)) == 2

    # Then the counters are removed, not left at zero
    assert index.group("tags", "希少") is None
    assert index.groups("companies") == []
    rows = table.client.scan(TableName=table.table_name)["Items"]
    attributes = {name for row in rows for name in row}
    assert not any("希少" in name or "rare-co" in name for name in attributes)
    assert (
        index.count() == 0
        and index.months() == {}
        and index.days(date(2026, 1, 1), date(2027, 1, 1)) == []
    )


def largest_article(n: int, first: int) -> Article:
    """Every limit at its maximum: 6 tags, 20 company entities, a community story, a long body."""
    entities = [
        Entity(name=f"Company {k}", kind=EntityKind.COMPANY) for k in range(first, first + 20)
    ]
    tags = [f"タグ{k}" for k in range(first, first + 6)]
    return make_article(
        n,
        analysis=make_analysis(tags=tags, entities=entities, body_ja="本文。" * 6_000),
        item=make_item(n, kind=FeedKind.COMMUNITY),
    )


def moved(article: Article, other: Article) -> Article:
    """The same article with another's tags and entities, published 40 days earlier."""
    item = article.item.model_copy(update={"published": article.published - timedelta(days=40)})
    return article.model_copy(update={"item": item, "analysis": other.analysis})


def transaction_sizes(table: DynamoTable) -> list[int]:
    sizes: list[int] = []
    table.client.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems",
        lambda params, **_: sizes.append(len(params["TransactItems"])),
    )
    return sizes


def test_an_article_with_twenty_entities_fits_one_transaction(table: DynamoTable) -> None:
    # Given the largest article there can be
    big = largest_article(1, 0)
    repo = DynamoArticleRepository(table)
    index = DynamoSiteIndex(table)
    repo.save(big)
    sizes = transaction_sizes(table)

    # When it is indexed, then every tag, entity, day and month changes at once
    index.reconcile([big.id])
    edited = moved(big, largest_article(2, 100))
    repo.save(edited)
    index.reconcile([big.id])

    # Then each change is one transaction within DynamoDB's limit
    assert len(sizes) == 2
    assert all(n <= MAX_ACTIONS for n in sizes)
    assert_agrees(index, [edited])


def test_a_change_beyond_one_transaction_goes_in_two_steps(
    table: DynamoTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a limit the move of a large article exceeds
    monkeypatch.setattr("frontline.adapters.site_index.reconcile.MAX_ACTIONS", 64)
    big = largest_article(1, 0)
    repo = DynamoArticleRepository(table)
    index = DynamoSiteIndex(table)
    repo.save(big)
    index.reconcile([big.id])
    sizes = transaction_sizes(table)

    # When it moves
    edited = moved(big, largest_article(2, 100))
    repo.save(edited)
    assert index.reconcile([big.id]) == 1

    # Then it left the index and entered it again, each step within the limit
    assert len(sizes) == 2
    assert all(n <= 64 for n in sizes)
    assert_agrees(index, [edited])


def test_concurrent_reconciles_of_one_article_never_count_twice(
    table: DynamoTable, serialised_writes: None
) -> None:
    # Given articles saved, and each edited between reconciles
    rng = random.Random(11)
    repo = DynamoArticleRepository(table)
    articles = [with_status(random_article(n, rng), ArticleStatus.PUBLISHED) for n in range(6)]
    save_all(repo, articles)
    indexes = [
        DynamoSiteIndex(DynamoTable(boto3.client("dynamodb", region_name=REGION), table.table_name))
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(indexes))
    failures: list[BaseException] = []

    def reconcile(index: DynamoSiteIndex) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                index.reconcile(ids(articles))
        except BaseException as exc:
            failures.append(exc)

    # When four renderers reconcile the same articles at once, while one is re-tagged
    threads = [threading.Thread(target=reconcile, args=(index,)) for index in indexes]
    for thread in threads:
        thread.start()
    edited = retagged(articles[0], rng)
    repo.save(edited)
    for thread in threads:
        thread.join()
    DynamoSiteIndex(table).reconcile([edited.id])  # the stream's reconcile of the edit

    # Then every count is exact, whoever won each race
    assert failures == []
    assert_agrees(DynamoSiteIndex(table), [edited, *articles[1:]])


@pytest.fixture
def counted(table: DynamoTable) -> tuple[DynamoSiteIndex, ItemsRead, list[Article]]:
    rng = random.Random(3)
    repo = DynamoArticleRepository(table)
    articles = [with_status(random_article(n, rng), ArticleStatus.PUBLISHED) for n in range(80)]
    save_all(repo, articles)
    index = DynamoSiteIndex(table)
    index.reconcile(ids(articles))
    counter = ItemsRead()
    table.client.meta.events.register("after-call.dynamodb", counter)
    return index, counter, articles


def reads(counter: ItemsRead, question: Any) -> int:
    counter.items = 0
    question()
    return counter.items


def test_each_question_reads_a_bounded_number_of_items(
    counted: tuple[DynamoSiteIndex, ItemsRead, list[Article]],
) -> None:
    index, counter, articles = counted
    article = articles[40]
    # a list reads as many items as it lists, however many articles share the key
    key = Counter(k for a in articles for k in posting_keys(a)).most_common(1)[0][0]
    assert len(Reference(articles).under(key)) > 20
    assert reads(counter, lambda: index.newest_in(key, 10)) == 10
    assert reads(counter, lambda: index.newest(10)) == 1 + 10  # the days seen, then postings
    assert reads(counter, lambda: index.older_in("tag:llm", article, 5)) == 5
    assert reads(counter, lambda: index.newer_in("tag:llm", article, 5)) == 5
    assert reads(counter, lambda: index.articles(ids(articles[:10]))) == 10
    assert reads(counter, lambda: index.article_at(article.path)) == 2  # pointer, article
    assert reads(counter, lambda: index.count()) == 1
    assert reads(counter, lambda: index.months()) == 1
    assert reads(counter, lambda: index.latest_day()) <= 2  # the newest day, and the one before
    assert reads(counter, lambda: index.group("tags", "llm")) == 1
    assert reads(counter, lambda: index.groups("tags")) <= 16  # one item per shard
    week = (date(2026, 10, 1), date(2026, 10, 7))
    days_with_articles = len(
        {article_day(a) for a in articles if week[0] <= article_day(a) <= week[1]}
    )
    # a window of days: its month's revisions and the day items once, then the revisions
    # and the snapshot (`snapshots`); a month's sitemap rows likewise
    assert reads(counter, lambda: index.days(*week)) == 1 + days_with_articles
    assert reads(counter, lambda: index.days(*week)) == 2
    days_in_october = len({article_day(a) for a in articles if article_day(a).month == 10})
    assert reads(counter, lambda: index.month_rows("2026-10")) == 1 + days_in_october
    assert reads(counter, lambda: index.month_rows("2026-10")) == 2
    # stored since a moment: only the articles stored after it, however full their days
    moment = sorted(a.created_at for a in articles)[-5]
    assert reads(counter, lambda: index.created_since(moment)) == 4
    assert reads(counter, lambda: index.reconcile([article.id])) == 2  # article, INDEXED


def test_reconcile_all_indexes_what_was_stored_before_the_index(table: DynamoTable) -> None:
    # Given articles stored with no index; of those indexed, one then deleted, one hidden and
    # one moved to another month behind the index's back (their stream records lost)
    rng = random.Random(8)
    repo = DynamoArticleRepository(table)
    articles = [with_status(random_article(n, rng), ArticleStatus.PUBLISHED) for n in range(30)]
    articles += [random_article(n, rng) for n in range(30, 40)]
    save_all(repo, articles)
    index = DynamoSiteIndex(table)
    index.reconcile(ids(articles[:3]))
    delete(table, articles[0])
    hidden = with_status(articles[1], ArticleStatus.HIDDEN)
    item = articles[2].item.model_copy(
        update={"published": articles[2].published - timedelta(days=62)}
    )
    moved = articles[2].model_copy(update={"item": item})
    save_all(repo, [hidden, moved])
    assert article_month(moved) != article_month(articles[2])

    # When everything is reconciled, month by month
    index.reconcile_all()

    # Then the index agrees with the stored articles, and a second pass changes nothing
    assert_agrees(index, [hidden, moved, *articles[3:]])
    assert index.reconcile_all() == 0


def test_a_month_is_reconciled_from_that_month_s_reads(table: DynamoTable) -> None:
    # Given articles over several months, stored with no index
    rng = random.Random(9)
    articles = [with_status(random_article(n, rng), ArticleStatus.PUBLISHED) for n in range(30)]
    save_all(DynamoArticleRepository(table), articles)
    index = DynamoSiteIndex(table)
    month = article_month(articles[0])
    in_month = [a for a in articles if article_month(a) == month]
    assert 0 < len(in_month) < len(articles)

    # When one month is reconciled (a partition of the full rebuild)
    changed = index.reconcile_month(month)

    # Then exactly its articles are indexed
    assert changed == len(in_month)
    assert index.months() == {month: len(in_month)}
    assert [row.path for row in index.month_rows(month)] == sorted(a.path for a in in_month)


def test_index_items_never_trigger_a_publish(table: DynamoTable) -> None:
    """The render_site stream filter admits ARTICLE#, DIGEST# and FEED# keys only."""
    from infra.local.template_resources import load_template

    index = DynamoSiteIndex(table)
    repo = DynamoArticleRepository(table)
    article = make_article(1)
    repo.save(article)
    index.reconcile([article.id])
    filters = load_template()["Resources"]["RenderSiteFunction"]["Properties"]["Events"]
    prefixes = [
        pattern.split('"prefix": "')[1].split('"')[0]
        for event in filters.values()
        for pattern in (
            f["Pattern"] for f in event["Properties"].get("FilterCriteria", {}).get("Filters", [])
        )
    ]
    keys = {row["pk"]["S"] for row in table.client.scan(TableName=table.table_name)["Items"]}
    index_keys = keys - {f"ARTICLE#{article.id}"}
    assert prefixes == ["ARTICLE#", "DIGEST#", "FEED#"]
    assert {key.split("#")[0] for key in index_keys} >= {
        "POST",
        "INDEXED",
        "PATH",
        "GROUPS",
        "DAYS",
        "SITE",
        "SMAP",
    }
    assert not any(key.startswith(tuple(prefixes)) for key in index_keys)


def test_the_cli_reindexes_a_table(
    table: DynamoTable, local_aws: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given articles stored before the index existed
    from frontline.cli import main

    rng = random.Random(4)
    articles = [random_article(n, rng) for n in range(6)]
    save_all(DynamoArticleRepository(table), articles)
    public = sum(a.status.is_public for a in articles)

    # When the operator reindexes, twice
    assert main(["reindex", "--table", local_aws["Table"]]) == 0
    assert main(["reindex", "--table", local_aws["Table"]]) == 0

    # Then the first run indexed every public article and the second changed nothing
    first, second = capsys.readouterr().out.splitlines()
    assert json.loads(first) == {"changed": public, "public": public}
    assert json.loads(second) == {"changed": 0, "public": public}
    assert_agrees(DynamoSiteIndex(table), articles)


def test_a_cancelled_transaction_in_the_local_emulator_changes_nothing(table: DynamoTable) -> None:
    """The emulator copies only the items a transaction names; a cancelled one still leaves
    every item, and the stream, as they were."""
    # Given an item, and a transaction that updates it, adds one and fails on a third
    client, name = table.client, table.table_name
    client.put_item(TableName=name, Item={"pk": {"S": "T#1"}, "sk": {"S": "T"}, "n": {"N": "1"}})
    records = len(client.scan(TableName=name)["Items"])
    backend_table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(name)
    stream_length = len(backend_table.stream_shard.items)
    actions: list[Any] = [
        {
            "Update": {
                "TableName": name,
                "Key": {"pk": {"S": "T#1"}, "sk": {"S": "T"}},
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Put": {"TableName": name, "Item": {"pk": {"S": "T#2"}, "sk": {"S": "T"}}}},
        {
            "ConditionCheck": {
                "TableName": name,
                "Key": {"pk": {"S": "T#3"}, "sk": {"S": "T"}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
    ]

    # When it is cancelled
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=actions)

    # Then nothing it did remains
    rows = client.scan(TableName=name)["Items"]
    assert len(rows) == records
    assert [row["n"] for row in rows if row["pk"]["S"] == "T#1"] == [{"N": "1"}]
    assert len(backend_table.stream_shard.items) == stream_length


def test_days_and_sitemap_rows_read_again_only_the_days_that_changed(
    counted: tuple[DynamoSiteIndex, ItemsRead, list[Article]],
    table: DynamoTable,
) -> None:
    # Given a window of days and a month of sitemap rows read once (their snapshots saved),
    # and the snapshots as a slow reader saw them then
    index, counter, articles = counted
    window = (date(2026, 9, 25), date(2026, 11, 30))
    edited = retitled(articles[40])  # a new updated_at: its day's sitemap row changes
    edited = retagged(edited, random.Random(5))  # and its day's counts
    month = article_month(edited)
    index.days(*window)
    index.month_rows(month)
    unchanged = (
        reads(counter, lambda: index.days(*window)),
        reads(counter, lambda: index.month_rows(month)),
    )
    slow = [snapshot_item(table, key) for key in (DAYS_SNAPSHOT, (MONTH_SNAPSHOT, month))]

    # When the article is edited and the index reconciled
    DynamoArticleRepository(table).save(edited)
    index.reconcile([edited.id])
    current = Reference([edited, *articles[:40], *articles[41:]])

    # Then each reads the one changed day beyond what it read unchanged, and is exact
    for _ in range(2):  # and again after the slow reader writes its snapshots back
        assert reads(counter, lambda: index.days(*window)) == unchanged[0] + 1
        assert reads(counter, lambda: index.month_rows(month)) == unchanged[1] + 1
        assert list(index.days(*window)) == current.days()
        assert list(index.month_rows(month)) == current.month_rows(month)
        for item in slow:
            table.client.put_item(TableName=table.table_name, Item=item)


def snapshot_item(table: DynamoTable, key: tuple[str, str]) -> dict[str, Any]:
    response = table.client.get_item(TableName=table.table_name, Key=item_key(*key))
    return response["Item"]
