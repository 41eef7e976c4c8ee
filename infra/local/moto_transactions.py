"""moto's TransactWriteItems, made linear in the size of the table.

moto (5.x) snapshots the whole table before each *action* of a transaction so it can roll
back, which makes one transaction cost (actions × table size): a thirty-action reconcile of
the site index over a few thousand items took seconds. Here the snapshot is taken once per
transaction; what a transaction does and how it fails are moto's own.
"""

from __future__ import annotations

import copy
import functools
from types import SimpleNamespace
from typing import Any


def snapshot_once_per_transaction() -> None:
    """Install the patch (idempotent); only the local emulator and tests call this."""
    import moto.dynamodb.models as models

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "snapshots_once", False):
        return
    original = backend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        taken: dict[int, Any] = {}

        def deepcopy(value: Any, memo: Any = None) -> Any:
            if id(value) not in taken:  # the table does not change while moto snapshots it
                taken[id(value)] = copy.deepcopy(value, memo)
            return taken[id(value)]

        namespace = vars(models)  # the module's own globals: `copy.deepcopy(...)` looks here
        saved = namespace["copy"]
        namespace["copy"] = SimpleNamespace(deepcopy=deepcopy)
        try:
            original(self, transact_items)
        finally:
            namespace["copy"] = saved

    transact_write_items.snapshots_once = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
