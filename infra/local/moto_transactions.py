"""moto's TransactWriteItems, made to cost what the transaction touches.

moto (5.x) deep-copies the whole table before each *action* of a transaction so that it can
roll back, which makes one transaction cost (actions × table size): a thirty-action reconcile
of the site index took most of a second on a 1,000-article table, and a minute on 100,000.
Here only the items the transaction names are copied (and the table's stream records
counted) before moto applies it; when moto cancels it, those items and the stream are put
back as they were. What a transaction does, and how it fails, are moto's own.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


@dataclass
class _Saved:
    table: Any
    hash_key: Any
    range_key: Any
    item: Any  # a copy of the item before the transaction; None when it did not exist


def _saved_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Saved]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved: list[_Saved] = []
    for entry in transact_items:
        for kind, operation in entry.items():
            try:
                table = backend.get_table(operation["TableName"])
                key = operation["Item"] if kind == "Put" else operation["Key"]
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                current = table.get_item(hash_key, range_key)
            except Exception:  # noqa: S112 - moto itself reports a malformed action
                continue
            saved.append(_Saved(table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _put_back(saved: list[_Saved], streams: dict[int, tuple[Any, int]]) -> None:
    for entry in reversed(saved):  # the first copy of an item named twice is its original
        items = entry.table.items
        if entry.range_key is None:
            if entry.item is None:
                items.pop(entry.hash_key, None)
            else:
                items[entry.hash_key] = entry.item
        elif entry.item is None:
            items[entry.hash_key].pop(entry.range_key, None)
        else:
            items[entry.hash_key][entry.range_key] = entry.item
    for shard, length in streams.values():
        del shard.items[length:]


def snapshot_touched_items_only() -> None:
    """Install the patch (idempotent); only the local emulator and tests call this."""
    import moto.dynamodb.models as models

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "touched_items_only", False):
        return
    original = backend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _saved_items(self, transact_items)
        streams = {
            id(entry.table): (entry.table.stream_shard, len(entry.table.stream_shard.items))
            for entry in saved
            if entry.table.stream_shard is not None
        }
        namespace = vars(models)  # the module's own globals: `copy.deepcopy(...)` looks here
        whole_table = namespace["copy"]
        namespace["copy"] = SimpleNamespace(deepcopy=lambda value, memo=None: value)
        try:
            original(self, transact_items)
        except Exception:
            _put_back(saved, streams)
            raise
        finally:
            namespace["copy"] = whole_table

    transact_write_items.touched_items_only = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
