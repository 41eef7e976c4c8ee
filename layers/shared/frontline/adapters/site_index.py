"""The site index on DynamoDB: the `SiteSlices` questions answered from items kept beside
the articles, in the same table (see `frontline.site.slices` for what each answer means).

POST#<posting key> / <listing token>  one posting per (key, public article), newest last in
                   sort order, so "the newest N under a key" is one Query with a Limit. It
                   carries the article (`doc`, zlib-compressed: a list page reads N items, not
                   N + N, and a transaction of thirty postings stays far below 4 MB), except
                   under `entity:` keys (only ranked for related articles): id, importance and
                   publication time.
INDEXED#<id> / INDEXED    what is indexed for the article now (`entries`, JSON; absent when
                   nothing is) and `rev`, bumped by every change: the optimistic lock of
                   `reconcile`. It is never deleted, so a revision never repeats.
PATH#<path> / PATH        the id of the public article whose page is at that path (a path
                   holds only the first 8 characters of the id, so it cannot be derived).
GROUPS#<kind> / 00..15    per tag, company or source (spread over 16 shards by a stable hash of
                   the key): `c#<key>` its article count, `n#<key>#<spelling>` how often each
                   spelling is used (the display name). One Query per kind reads them all.
DAYS / <YYYY-MM-DD>       per JST day of publication: `total` and `c#<day key>`.
SITE#STATS / STATS        `public` (the number of public articles) and `m#<YYYY-MM>` per month.
SMAP#<YYYY-MM> / <DD>     the sitemap rows of one JST day: one attribute per article path, its
                   value the article's `updated_at`.

Counters are top-level numbers changed with ADD, so nothing has to exist first; a count that
falls to zero is removed afterwards (conditionally on still being zero) and ignored by every
reader until then. `reconcile` reads an article and its INDEXED record (strongly consistent),
computes the difference between what is indexed and what should be, and applies it in one
TransactWriteItems conditional on both the INDEXED revision and the article's stored `doc`
being the ones read: a concurrent reconcile of the same article, or a newer version of it
written meanwhile, cancels the transaction, and the reconcile reads again and retries.
Replaying is a no-op (the difference is empty), so nothing is counted twice. A difference of
more than 100 actions (a published time that moved and every tag and entity changed at once)
is applied in two steps: the article leaves the index, then enters it again.

The render_site stream filter admits only ARTICLE# and DIGEST# keys: none of these items
triggers a publish.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import (
    BY_PUBLISHED,
    PUBLIC_PARTITION,
    DynamoArticleRepository,
    DynamoTable,
)
from frontline.domain.listing_order import listing_token
from frontline.domain.models import Article
from frontline.site.slices import (
    ENTITY,
    GROUP_KINDS,
    DayCount,
    GroupCount,
    GroupKind,
    Ref,
    SitemapRow,
    article_day,
    article_month,
    day_keys,
    display_name,
    group_spellings,
    posting_keys,
)

GROUP_SHARDS: Final = 16
MAX_ACTIONS: Final = 100  # DynamoDB's limit on the actions of one transaction
STATS_KEY: Final = ("SITE#STATS", "STATS")
DAYS: Final = "DAYS"
_ATTEMPTS: Final = 8
_RECONCILE_CHUNK: Final = 50
_DAYS_PAGE: Final = 64


class IndexNotReconciled(RuntimeError):
    """An article's index entries could not be brought up to date within the retries."""


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def group_shard(key: str) -> str:
    return f"{zlib.crc32(key.encode('utf-8')) % GROUP_SHARDS:02d}"


def _doc_hash(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


# --- what is indexed for one article -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indexed:
    """Everything an article contributes to the index, as stored in its INDEXED record."""

    token: str
    keys: tuple[str, ...]
    day: str  # JST day of publication, ISO
    day_keys: tuple[str, ...]
    month: str
    spellings: tuple[tuple[GroupKind, str, str], ...]  # (kind, group key, spelling)
    path: str
    updated_at: str
    importance: int
    published: str
    doc_hash: str

    @classmethod
    def of(cls, article: Article, doc: str) -> Indexed:
        return cls(
            token=listing_token(article),
            keys=tuple(posting_keys(article)),
            day=article_day(article).isoformat(),
            day_keys=tuple(day_keys(article)),
            month=article_month(article),
            spellings=tuple(
                (kind, key, spelling)
                for kind in GROUP_KINDS
                for key, spelling in group_spellings(article, kind)
            ),
            path=article.path,
            updated_at=article.updated_at.isoformat(),
            importance=article.importance,
            published=article.published.isoformat(),
            doc_hash=_doc_hash(doc),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Indexed:
        raw = json.loads(text)
        raw["keys"] = tuple(raw["keys"])
        raw["day_keys"] = tuple(raw["day_keys"])
        raw["spellings"] = tuple(tuple(row) for row in raw["spellings"])
        return cls(**raw)

    def group_counts(self) -> Counter[tuple[GroupKind, str]]:
        """(kind, key) once per group: the article counts once towards a group's size."""
        return Counter(dict.fromkeys(((kind, key) for kind, key, _ in self.spellings), 1))

    def spelling_counts(self) -> Counter[tuple[GroupKind, str, str]]:
        return Counter(self.spellings)

    @property
    def sitemap_key(self) -> tuple[str, str]:
        return f"SMAP#{self.month}", self.day[-2:]


# --- the items (shared with the bench's direct fill) ------------------------------------------


def compressed_doc(doc: str) -> bytes:
    return zlib.compress(doc.encode("utf-8"))


def posting_item(
    key: str, article_id: str, state: Indexed, packed_doc: bytes | None
) -> dict[str, Any]:
    """A posting: full (with the compressed doc) unless the key is an `entity:` key."""
    item: dict[str, Any] = {
        **_key(f"POST#{key}", state.token),
        "id": {"S": article_id},
        "importance": {"N": str(state.importance)},
        "published": {"S": state.published},
    }
    if not key.startswith(ENTITY) and packed_doc is not None:
        item["doc"] = {"B": packed_doc}
    return item


def path_item(article_id: str, path: str) -> dict[str, Any]:
    return {**_key(f"PATH#{path}", "PATH"), "id": {"S": article_id}}


def indexed_item(article_id: str, rev: int, state: Indexed | None) -> dict[str, Any]:
    item: dict[str, Any] = {**_key(f"INDEXED#{article_id}", "INDEXED"), "rev": {"N": str(rev)}}
    if state is not None:
        item["entries"] = {"S": state.to_json()}
    return item


@dataclass
class ItemChange:
    """The changes to one counter or sitemap item: numbers to add, attributes to set or drop."""

    add: Counter[str] = field(default_factory=Counter)
    assign: dict[str, str] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(+self.add) or bool(-self.add) or bool(self.assign) or bool(self.remove)

    @property
    def decremented(self) -> list[str]:
        return sorted(name for name, delta in self.add.items() if delta < 0)

    def update(self, table_name: str, pk: str, sk: str) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        clauses: list[str] = []
        adds = [(name, delta) for name, delta in sorted(self.add.items()) if delta]
        parts = []
        for n, (name, delta) in enumerate(adds):
            names[f"#a{n}"] = name
            values[f":a{n}"] = {"N": str(delta)}
            parts.append(f"#a{n} :a{n}")
        if parts:
            clauses.append("ADD " + ", ".join(parts))
        parts = []
        for n, (name, value) in enumerate(sorted(self.assign.items())):
            names[f"#s{n}"] = name
            values[f":s{n}"] = {"S": value}
            parts.append(f"#s{n} = :s{n}")
        if parts:
            clauses.append("SET " + ", ".join(parts))
        parts = []
        for n, name in enumerate(sorted(self.remove - set(self.assign))):
            names[f"#r{n}"] = name
            parts.append(f"#r{n}")
        if parts:
            clauses.append("REMOVE " + ", ".join(parts))
        update: dict[str, Any] = {
            "TableName": table_name,
            "Key": _key(pk, sk),
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": names,
        }
        if values:
            update["ExpressionAttributeValues"] = values
        return update


def counter_changes(old: Indexed | None, new: Indexed | None) -> dict[tuple[str, str], ItemChange]:
    """Per counter or sitemap item (pk, sk), what moving from `old` to `new` changes."""
    changes: dict[tuple[str, str], ItemChange] = defaultdict(ItemChange)
    for state, sign in ((old, -1), (new, 1)):
        if state is None:
            continue
        for (kind, key), n in state.group_counts().items():
            changes[(f"GROUPS#{kind}", group_shard(key))].add[f"c#{key}"] += sign * n
        for (kind, key, spelling), n in state.spelling_counts().items():
            changes[(f"GROUPS#{kind}", group_shard(key))].add[f"n#{key}#{spelling}"] += sign * n
        day = changes[(DAYS, state.day)]
        day.add["total"] += sign
        for day_key in state.day_keys:
            day.add[f"c#{day_key}"] += sign
        changes[STATS_KEY].add["public"] += sign
        changes[STATS_KEY].add[f"m#{state.month}"] += sign
    if old is not None and (
        new is None or new.sitemap_key != old.sitemap_key or new.path != old.path
    ):
        changes[old.sitemap_key].remove.add(old.path)
    if new is not None and (
        old is None
        or (old.sitemap_key, old.path, old.updated_at)
        != (new.sitemap_key, new.path, new.updated_at)
    ):
        changes[new.sitemap_key].assign[new.path] = new.updated_at
    return {item: change for item, change in changes.items() if change}


def posting_changes(
    article_id: str, old: Indexed | None, new: Indexed | None, packed_doc: bytes | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(posting items to put, posting keys to delete). Every posting is put again when the
    article changed at all, so lists show its current version."""
    before = {(key, old.token) for key in old.keys} if old else set()
    after = {(key, new.token) for key in new.keys} if new else set()
    deletes = [_key(f"POST#{key}", token) for key, token in sorted(before - after)]
    if new is None:
        return [], deletes
    rewrite = after if old is None or old.doc_hash != new.doc_hash else after - before
    puts = [posting_item(key, article_id, new, packed_doc) for key, _ in sorted(rewrite)]
    return puts, deletes


def index_items(article: Article) -> tuple[list[dict[str, Any]], Indexed]:
    """The postings, path pointer and INDEXED record a public article starts with (the
    counters are the bench's to add up; `counter_changes(None, state)` says by how much)."""
    doc = article.model_dump_json()
    state = Indexed.of(article, doc)
    puts, _ = posting_changes(article.id, None, state, compressed_doc(doc))
    return [*puts, path_item(article.id, state.path), indexed_item(article.id, 1, state)], state


# --- the adapter ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Current:
    """An article's stored doc (None: gone) and its INDEXED record (rev 0: none yet)."""

    doc: str | None
    rev: int
    state: Indexed | None

    def target(self) -> Indexed | None:
        if self.doc is None:
            return None
        article = Article.model_validate_json(self.doc)
        return Indexed.of(article, self.doc) if article.status.is_public else None


class DynamoSiteIndex:
    """`SiteIndex` on the single table: reads answer `SiteSlices`, `reconcile` keeps it."""

    def __init__(self, table: DynamoTable) -> None:
        self._table = table
        self._articles = DynamoArticleRepository(table)

    # --- reads --------------------------------------------------------------------------

    def count(self) -> int:
        row = self._get(*STATS_KEY)
        return max(0, int(row["public"]["N"])) if row and "public" in row else 0

    def newest(self, limit: int) -> Sequence[Article]:
        return self._articles.list_newest(limit) if limit > 0 else []

    def newest_in(self, key: str, limit: int) -> Sequence[Article]:
        rows = self._postings(key, limit, newest_first=True)
        slim = self.articles(row["id"]["S"] for row in rows if "doc" not in row)  # entity:
        found = (_article_of(row) if "doc" in row else slim.get(row["id"]["S"]) for row in rows)
        return [article for article in found if article is not None]

    def older_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        rows = self._postings(
            key, limit, newest_first=True, condition=("<", listing_token(article))
        )
        return [_ref_of(row) for row in rows]

    def newer_in(self, key: str, article: Article, limit: int) -> Sequence[Ref]:
        rows = self._postings(
            key, limit, newest_first=False, condition=(">", listing_token(article))
        )
        return [_ref_of(row) for row in rows]

    def articles(self, ids: Iterable[str]) -> Mapping[str, Article]:
        wanted = sorted(set(ids))
        rows = self._table.batch_get([_key(f"ARTICLE#{i}", "ARTICLE") for i in wanted], "doc")
        found = (Article.model_validate_json(row["doc"]["S"]) for row in rows)
        return {article.id: article for article in found if article.status.is_public}

    def article_at(self, path: str) -> Article | None:
        pointer = self._get(f"PATH#{path}", "PATH")
        if pointer is None:
            return None
        article = self._articles.get(pointer["id"]["S"])
        if article is None or not article.status.is_public or article.path != path:
            return None
        return article

    def groups(self, kind: GroupKind) -> Sequence[GroupCount]:
        found: list[GroupCount] = []
        for row in self._query(f"GROUPS#{kind}"):
            found += _groups_of(kind, row)
        return found

    def group(self, kind: GroupKind, key: str) -> GroupCount | None:
        row = self._get(f"GROUPS#{kind}", group_shard(key))
        matches = [group for group in _groups_of(kind, row or {}) if group.key == key]
        return matches[0] if matches else None

    def latest_published(self) -> datetime | None:
        response = self._table.client.query(
            TableName=self._table.table_name,
            IndexName=BY_PUBLISHED,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": PUBLIC_PARTITION}},
            ProjectionExpression="gsi1sk",
            ScanIndexForward=False,
            Limit=1,
        )
        rows = response.get("Items", [])
        return datetime.fromisoformat(rows[0]["gsi1sk"]["S"].rsplit("#", 1)[0]) if rows else None

    def days(self, first: date, last: date) -> Sequence[DayCount]:
        rows = self._query(
            DAYS,
            "sk BETWEEN :first AND :last",
            {":first": {"S": first.isoformat()}, ":last": {"S": last.isoformat()}},
        )
        counts = (_day_of(row) for row in rows)
        return [day for day in counts if day.total > 0]

    def days_before(self, key: str, day: date | None, limit: int) -> Sequence[DayCount]:
        bound = ("<", day.isoformat()) if day is not None else None
        return self._days_with(key, bound, limit, newest_first=True)

    def days_after(self, key: str, day: date, limit: int) -> Sequence[DayCount]:
        return self._days_with(key, (">", day.isoformat()), limit, newest_first=False)

    def months(self) -> Mapping[str, int]:
        row = self._get(*STATS_KEY) or {}
        counts = {
            name.removeprefix("m#"): int(value["N"])
            for name, value in row.items()
            if name.startswith("m#")
        }
        return {month: n for month, n in sorted(counts.items()) if n > 0}

    def month_rows(self, month: str) -> Sequence[SitemapRow]:
        rows: list[SitemapRow] = []
        for row in self._query(f"SMAP#{month}"):
            rows += [
                SitemapRow(path=name, updated_at=datetime.fromisoformat(value["S"]))
                for name, value in row.items()
                if name.startswith("/")
            ]
        return sorted(rows, key=lambda row: row.path)

    # --- keeping it up to date ----------------------------------------------------------

    def reconcile(self, article_ids: Iterable[str]) -> int:
        ids = sorted(set(article_ids))
        changed = 0
        for start in range(0, len(ids), _RECONCILE_CHUNK):
            chunk = ids[start : start + _RECONCILE_CHUNK]
            current = self._read_current(chunk)
            changed += sum(self._reconcile_one(i, current[i]) for i in chunk)
        return changed

    def reconcile_all(self) -> int:
        """Reconcile every stored article and every article indexed once, one page of the
        table at a time (bounded memory): the migration, and the nightly check."""
        changed = 0
        for ids in self._stored_ids():
            changed += self.reconcile(ids)
        return changed

    def _reconcile_one(self, article_id: str, current: _Current) -> bool:
        changed = False
        for attempt in range(_ATTEMPTS):
            target = current.target()
            if target == current.state:
                return changed
            step: Indexed | None = target
            actions = self._actions(article_id, current, step)
            if len(actions) > MAX_ACTIONS:  # leave the index first, enter it next time round
                step = None
                actions = self._actions(article_id, current, step)
            try:
                self._table.client.transact_write_items(TransactItems=actions)
            except ClientError as exc:
                if not _retryable(exc):
                    raise
                time.sleep(min(0.02 * 2**attempt, 0.5))
            else:
                changed = True
                self._drop_zeros(counter_changes(current.state, step))
            current = self._read_current([article_id])[article_id]
        raise IndexNotReconciled(f"article {article_id}: the index kept changing under it")

    def _actions(self, article_id: str, current: _Current, step: Indexed | None) -> list[Any]:
        name = self._table.table_name
        old = current.state
        packed = compressed_doc(current.doc) if current.doc is not None and step else None
        puts, deletes = posting_changes(article_id, old, step, packed)
        actions: list[dict[str, Any]] = [
            _indexed_write(name, article_id, current.rev, step),
            _article_unchanged(name, article_id, current.doc),
        ]
        actions += [{"Put": {"TableName": name, "Item": item}} for item in puts]
        actions += [{"Delete": {"TableName": name, "Key": key}} for key in deletes]
        old_path = old.path if old else None
        new_path = step.path if step else None
        if old_path is not None and old_path != new_path:
            actions.append({"Delete": {"TableName": name, "Key": _key(f"PATH#{old_path}", "PATH")}})
        if new_path is not None and old_path != new_path:
            actions.append({"Put": {"TableName": name, "Item": path_item(article_id, new_path)}})
        for (pk, sk), change in sorted(counter_changes(old, step).items()):
            actions.append({"Update": change.update(name, pk, sk)})
        return actions

    def _drop_zeros(self, changes: Mapping[tuple[str, str], ItemChange]) -> None:
        """Remove the counters this change brought down, where they are now zero."""
        for (pk, sk), change in sorted(changes.items()):
            for name in change.decremented:
                try:
                    self._table.client.update_item(
                        TableName=self._table.table_name,
                        Key=_key(pk, sk),
                        UpdateExpression="REMOVE #c",
                        ConditionExpression="#c <= :zero",
                        ExpressionAttributeNames={"#c": name},
                        ExpressionAttributeValues={":zero": {"N": "0"}},
                    )
                except ClientError as exc:  # not zero, or busy: readers ignore a zero left
                    if _code(exc) != "ConditionalCheckFailedException" and not _retryable(exc):
                        raise

    def _read_current(self, ids: Sequence[str]) -> dict[str, _Current]:
        keys = [_key(f"ARTICLE#{i}", "ARTICLE") for i in ids]
        keys += [_key(f"INDEXED#{i}", "INDEXED") for i in ids]
        rows = self._table.batch_get(keys, consistent=True)
        docs: dict[str, str] = {}
        records: dict[str, dict[str, Any]] = {}
        for row in rows:
            kind, _, ident = row["pk"]["S"].partition("#")
            if kind == "ARTICLE":
                docs[ident] = row["doc"]["S"]
            else:
                records[ident] = row
        current: dict[str, _Current] = {}
        for i in ids:
            record = records.get(i, {})
            state = Indexed.from_json(record["entries"]["S"]) if "entries" in record else None
            rev = int(record["rev"]["N"]) if "rev" in record else 0
            current[i] = _Current(doc=docs.get(i), rev=rev, state=state)
        return current

    def _stored_ids(self) -> Iterator[list[str]]:
        paginator = self._table.client.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            FilterExpression="sk IN (:article, :indexed)",
            ExpressionAttributeValues={
                ":article": {"S": "ARTICLE"},
                ":indexed": {"S": "INDEXED"},
            },
            ProjectionExpression="pk",
        ):
            ids = [row["pk"]["S"].partition("#")[2] for row in page.get("Items", [])]
            if ids:
                yield ids

    # --- plumbing -----------------------------------------------------------------------

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self._table.client.get_item(TableName=self._table.table_name, Key=_key(pk, sk))
        return response.get("Item")

    def _query(
        self, pk: str, condition: str | None = None, values: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        paginator = self._table.client.get_paginator("query")
        expression = "pk = :pk" + (f" AND {condition}" if condition else "")
        for page in paginator.paginate(
            TableName=self._table.table_name,
            KeyConditionExpression=expression,
            ExpressionAttributeValues={":pk": {"S": pk}, **(values or {})},
        ):
            yield from page.get("Items", [])

    def _postings(
        self,
        key: str,
        limit: int,
        *,
        newest_first: bool,
        condition: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        values: dict[str, Any] = {":pk": {"S": f"POST#{key}"}}
        expression = "pk = :pk"
        if condition is not None:
            expression += f" AND sk {condition[0]} :token"
            values[":token"] = {"S": condition[1]}
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        rows: list[dict[str, Any]] = []
        while len(rows) < limit:  # a page ends early only at 1 MB
            response = self._table.client.query(**request)
            rows += response.get("Items", [])
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
            request |= {"ExclusiveStartKey": cursor, "Limit": limit - len(rows)}
        return rows[:limit]

    def _days_with(
        self, key: str, bound: tuple[str, str] | None, limit: int, *, newest_first: bool
    ) -> list[DayCount]:
        """Days whose count for `key` is positive, read a page of days at a time: a day
        without the key costs a read, so a rare key's search reaches further back."""
        if limit <= 0:
            return []
        expression = "pk = :pk" + (f" AND sk {bound[0]} :day" if bound else "")
        values: dict[str, Any] = {":pk": {"S": DAYS}, ":zero": {"N": "0"}}
        if bound:
            values[":day"] = {"S": bound[1]}
        request: dict[str, Any] = {
            "TableName": self._table.table_name,
            "KeyConditionExpression": expression,
            "FilterExpression": "#c > :zero",
            "ExpressionAttributeNames": {"#c": f"c#{key}"},
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
            "Limit": _DAYS_PAGE,
        }
        found: list[DayCount] = []
        while len(found) < limit:
            response = self._table.client.query(**request)
            found += [_day_of(row) for row in response.get("Items", [])]
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
            request["ExclusiveStartKey"] = cursor
        return found[:limit]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _retryable(exc: ClientError) -> bool:
    """A cancelled transaction (a condition no longer holds, or a conflicting write) or a
    throttled one: read again and retry."""
    return _code(exc) in {
        "TransactionCanceledException",
        "TransactionConflictException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
    }


def _indexed_write(
    table_name: str, article_id: str, rev: int, state: Indexed | None
) -> dict[str, Any]:
    """The INDEXED record's next revision, written only over the revision that was read."""
    put: dict[str, Any] = {
        "TableName": table_name,
        "Item": indexed_item(article_id, rev + 1, state),
    }
    if rev == 0:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "rev = :rev"
        put["ExpressionAttributeValues"] = {":rev": {"N": str(rev)}}
    return {"Put": put}


def _article_unchanged(table_name: str, article_id: str, doc: str | None) -> dict[str, Any]:
    """The article is still the version read (or still absent)."""
    check: dict[str, Any] = {
        "TableName": table_name,
        "Key": _key(f"ARTICLE#{article_id}", "ARTICLE"),
    }
    if doc is None:
        check["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        check["ConditionExpression"] = "#doc = :doc"
        check["ExpressionAttributeNames"] = {"#doc": "doc"}
        check["ExpressionAttributeValues"] = {":doc": {"S": doc}}
    return {"ConditionCheck": check}


def _article_of(row: dict[str, Any]) -> Article:
    return Article.model_validate_json(zlib.decompress(row["doc"]["B"]))


def _ref_of(row: dict[str, Any]) -> Ref:
    return Ref(
        id=row["id"]["S"],
        importance=int(row["importance"]["N"]),
        published=datetime.fromisoformat(row["published"]["S"]),
    )


def _groups_of(kind: GroupKind, row: Mapping[str, Any]) -> list[GroupCount]:
    counts: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in row.items():
        if name.startswith("c#"):
            counts[name[2:]] = int(value["N"])
        elif name.startswith("n#"):
            key, _, spelling = name[2:].partition("#")
            if int(value["N"]) > 0:
                spellings[key][spelling] = int(value["N"])
    return [
        GroupCount(kind=kind, key=key, name=display_name(spellings[key]), count=n)
        for key, n in sorted(counts.items())
        if n > 0 and spellings[key]
    ]


def _day_of(row: Mapping[str, Any]) -> DayCount:
    counts = {
        name[2:]: int(value["N"])
        for name, value in row.items()
        if name.startswith("c#") and int(value["N"]) > 0
    }
    total = int(row["total"]["N"]) if "total" in row else 0
    return DayCount(day=date.fromisoformat(row["sk"]["S"]), total=total, counts=counts)
