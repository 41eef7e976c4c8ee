"""DynamoDB items read, counted from responses: what a benchmark or test reports as reads."""

from __future__ import annotations

from typing import Any


class ItemsRead:
    """A botocore `after-call.dynamodb` handler adding up the items each response returned
    (Query and Scan items, a GetItem's item, BatchGetItem's responses)."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in {"Query", "Scan"}:
            self.items += len(parsed.get("Items", []))
        elif model.name == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif model.name == "BatchGetItem":
            self.items += sum(len(rows) for rows in parsed.get("Responses", {}).values())
