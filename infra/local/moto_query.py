"""moto's Query on a table's key, made to cost what the partition holds.

moto (5.x) answers a Query on the table's own key by walking every item of the table and
keeping those of the asked partition: each Query costs the table's size, so a publish that
asks a few dozen bounded questions of a 100,000-article archive (a few million index items)
took minutes in the emulator, where DynamoDB reads only the partition. Here a Query without
an index reads the asked partition alone (moto keeps items by partition already): what it
returns, its order, paging and filters are moto's own. Queries on an index are left as they
are. One lock keeps a Query's narrowed view to its own thread.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

_LOCK = threading.RLock()


def query_one_partition() -> None:
    """Install the patch (idempotent); only the local emulator and tests call this."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "one_partition", False):
        return
    original = Table.query
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = signature.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        if index_name or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        with _LOCK:
            partition = self.items.get(hash_key, {})
            self.all_items = lambda: list(partition.values())  # the partition stands for all
            try:
                return original(self, hash_key, *args, **kwargs)
            finally:
                del self.all_items

    query.one_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
