"""What one article contributes to the site index, and the items that hold it.

Pure: an article's `Indexed` entries, the items written for them, and the difference between
two versions as posting puts and deletes and per-item counter changes. The adapter applies
these in a transaction; the bench's direct fill writes the same shapes.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from frontline.domain.listing_order import listing_token, stored_token
from frontline.domain.models import Article
from frontline.site.slices import (
    ENTITY,
    GROUP_KINDS,
    SEEN,
    STORED,
    GroupKind,
    article_day,
    article_month,
    day_keys,
    group_spellings,
    posting_keys,
)

GROUP_SHARDS: Final = 16
STATS_KEY: Final = ("SITE#STATS", "STATS")
DAYS: Final = "DAYS"
SITEMAP: Final = "SMAP#"
REV: Final = "REV"


def item_key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def group_shard(key: str) -> str:
    return f"{zlib.crc32(key.encode('utf-8')) % GROUP_SHARDS:02d}"


def _doc_hash(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


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
    # the sort key of the `stored:` postings (storing order, `created_at`), so "stored
    # since" is a key condition; None in records indexed before it: listing order there
    stored_token: str | None = None

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
            stored_token=stored_token(article),
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

    def token_for(self, key: str) -> str:
        """The sort key of the article's posting under `key`."""
        if key.startswith(STORED) and self.stored_token is not None:
            return self.stored_token
        return self.token

    @property
    def seen_day(self) -> str:
        """The JST day the article was first seen: its place in the day-by-day listing."""
        return next(key.removeprefix(SEEN) for key in self.keys if key.startswith(SEEN))

    @property
    def sitemap_key(self) -> tuple[str, str]:
        return f"{SITEMAP}{self.month}", self.day[-2:]


def compressed_doc(doc: str) -> bytes:
    return zlib.compress(doc.encode("utf-8"))


def posting_item(
    key: str, article_id: str, state: Indexed, packed_doc: bytes | None
) -> dict[str, Any]:
    """A posting: full (with the compressed doc) unless the key is an `entity:` key."""
    item: dict[str, Any] = {
        **item_key(f"POST#{key}", state.token_for(key)),
        "id": {"S": article_id},
        "importance": {"N": str(state.importance)},
        "published": {"S": state.published},
    }
    if not key.startswith(ENTITY) and packed_doc is not None:
        item["doc"] = {"B": packed_doc}
    return item


def path_item(article_id: str, path: str) -> dict[str, Any]:
    return {**item_key(f"PATH#{path}", "PATH"), "id": {"S": article_id}}


def indexed_item(article_id: str, rev: int, state: Indexed | None) -> dict[str, Any]:
    item: dict[str, Any] = {**item_key(f"INDEXED#{article_id}", "INDEXED"), "rev": {"N": str(rev)}}
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
            "Key": item_key(pk, sk),
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
        changes[STATS_KEY].add[f"s#{state.seen_day}"] += sign
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
    for item, change in list(changes.items()):
        if change and (revision := revision_of(*item)) is not None:
            changes[revision[:2]].add[revision[2]] += 1  # tells snapshot readers it changed
    return {item: change for item, change in changes.items() if change}


def revision_of(pk: str, sk: str) -> tuple[str, str, str] | None:
    """Where the revision of a DAYS or SMAP item is counted: (pk, sk, attribute) of its
    month's REV item, grown by every change to it (`snapshots` reads through it)."""
    if pk == DAYS:  # DAYS / 2026-11-27
        return REV, sk[:7], f"d#{sk[8:]}"
    if pk.startswith(SITEMAP):  # SMAP#2026-11 / 27
        return REV, pk.removeprefix(SITEMAP), f"p#{sk}"
    return None


def posting_changes(
    article_id: str, old: Indexed | None, new: Indexed | None, packed_doc: bytes | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(posting items to put, posting keys to delete). Every posting is put again when the
    article changed at all, so lists show its current version."""
    before = {(key, old.token_for(key)) for key in old.keys} if old else set()
    after = {(key, new.token_for(key)) for key in new.keys} if new else set()
    deletes = [item_key(f"POST#{key}", token) for key, token in sorted(before - after)]
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
