"""The site index in moto: a fast fill for big archives, and what reconcile and reads cost.

`fill_store(resources, articles)` writes the articles and their whole site index straight
into moto's table (the item shapes the adapters write: `article_item`, `index_items`, the
counters summed from `counter_changes`), without the stream records a put would add, so a
100k archive is stored in minutes rather than hours of transactions.

`python bench/site_index_bench.py 100000` fills that many synthetic articles and reports:
the fill time; how many items `newest_in(key, 20)` and the other questions read; and the
time of `reconcile` per new article saved through the repository (moto's TransactWriteItems
copies the whole table once per transaction, so this figure grows with the archive in moto
while DynamoDB's does not: it is also measured on 1k for comparison).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from dynamodb_reads import ItemsRead  # noqa: E402
from synthetic import END, make_article, synthetic_articles  # noqa: E402

RECONCILED = 20


def fill_store(resources: Any, articles: list[Any], *, with_articles: bool = True) -> None:
    """Put `articles` (unless stored already) and their index into moto's table directly."""
    from moto.core import DEFAULT_ACCOUNT_ID  # noqa: TID251 - a benchmark, never in a Lambda
    from moto.dynamodb.models import dynamodb_backends  # noqa: TID251

    from frontline.adapters.dynamodb import article_item
    from frontline.adapters.site_index.items import ItemChange, counter_changes, index_items

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][resources.region]
    table = backend.get_table(resources["Table"])
    stream, table.stream_shard = table.stream_shard, None  # no stream records for seeding
    counters: dict[tuple[str, str], ItemChange] = {}
    try:
        for article in articles:
            if with_articles:
                _put(table, article_item(article))
            if not article.status.is_public:
                continue
            items, state = index_items(article)
            for item in items:
                _put(table, item)
            for key, change in counter_changes(None, state).items():
                total = counters.setdefault(key, ItemChange())
                total.add.update(change.add)
                total.assign |= change.assign
        for (pk, sk), change in counters.items():
            attributes: dict[str, Any] = {
                name: {"N": str(n)} for name, n in change.add.items() if n
            } | {name: {"S": value} for name, value in change.assign.items()}
            _put(table, {"pk": {"S": pk}, "sk": {"S": sk}} | attributes)
    finally:
        table.stream_shard = stream


def _put(table: Any, item: dict[str, Any]) -> None:
    """Put an item into moto's table with its attributes set together.

    moto re-sums an item's size for every attribute it sets, which is quadratic in the
    attributes (a day's sitemap rows, a shard of groups); here DynamoDB's 400 KB limit is
    checked once.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: TID251
    from moto.dynamodb.models.utilities import bytesize  # noqa: TID251

    key = {name: item[name] for name in ("pk", "sk")}
    values = {name: DynamoType(value) for name, value in item.items() if name not in key}
    size = sum(bytesize(name) + value.size() for name, value in values.items())
    if size > 400_000:
        raise ValueError(f"{key}: {size} bytes, over DynamoDB's item limit")
    stored = table.put_item(key)
    dict.update(stored.attrs, values)


def measure(count: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws  # noqa: TID251 - a benchmark, never imported by a Lambda

    from frontline.adapters.dynamodb import DynamoTable
    from infra.local.pipeline import REGION, use_local_environment
    from infra.local.template_resources import create_local_stack

    use_local_environment(quiet=True)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        resources = create_local_stack(session)
        table = DynamoTable(session.client("dynamodb"), resources["Table"])
        base = synthetic_articles(count)
        started = time.perf_counter()
        fill_store(resources, base)
        return index_figures(table, base, filled_s=time.perf_counter() - started)


def index_figures(table: Any, base: list[Any], *, filled_s: float) -> dict[str, Any]:
    """The site index's figures on a table filled with `base` (in `filled_s` seconds): the
    items each question reads, and a reconcile's time per article."""
    import random

    from frontline.adapters.dynamodb import DynamoArticleRepository
    from frontline.adapters.site_index import DynamoSiteIndex
    from frontline.site.slices import posting_keys

    count = len(base)
    label = f"{count // 1000}k"
    index = DynamoSiteIndex(table)
    public = index.count()
    assert public >= sum(article.status.is_public for article in base), "the fill disagrees"
    assert len(index.newest(20)) == 20, "the filled articles are not in ByListing"

    counter = ItemsRead()
    table.client.meta.events.register("after-call.dynamodb", counter)
    busiest = Counter(key for a in base[-2000:] for key in posting_keys(a)).most_common(1)
    key = busiest[0][0]
    middle = base[len(base) // 2]

    def read(question: Any) -> int:
        counter.items = 0
        question()
        return counter.items

    reads = {
        f"site_index_newest_in_20_items_read_{label}": read(lambda: index.newest_in(key, 20)),
        f"site_index_older_in_5_items_read_{label}": read(lambda: index.older_in(key, middle, 5)),
        f"site_index_groups_tags_items_read_{label}": read(lambda: index.groups("tags")),
        f"site_index_count_items_read_{label}": read(index.count),
    }
    repository = DynamoArticleRepository(table)
    rng = random.Random(11)  # noqa: S311 - reproducible test data
    news = [
        make_article(count + 20_000 + n, rng, END + timedelta(minutes=30 + n))
        for n in range(RECONCILED)
    ]
    for article in news:
        repository.save(article)
    started = time.perf_counter()
    for article in news:  # one stream record at a time, as the renderer sees them
        index.reconcile([article.id])
    per_article = (time.perf_counter() - started) / RECONCILED
    assert index.count() == public + RECONCILED
    return {
        f"site_index_fill_s_{label}": round(filled_s, 1),
        f"site_index_reconcile_ms_{label}": round(per_article * 1000, 1),
        **reads,
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} ARTICLES")
    print(json.dumps(measure(int(sys.argv[1]))))
