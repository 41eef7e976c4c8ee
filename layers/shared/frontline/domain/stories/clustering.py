"""Cluster a batch of reports offline, in arrival order, with the worker's own placement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from frontline.domain.stories.matching import MatchRules
from frontline.domain.stories.memory import MemoryStoryIndex
from frontline.domain.stories.model import Placement
from frontline.domain.stories.placement import StoryDesk
from frontline.domain.stories.signals import StoryInput
from frontline.domain.vocabulary import EntityTable


def cluster(
    reports: Iterable[StoryInput], entities: EntityTable, rules: MatchRules | None = None
) -> list[Placement]:
    """One placement per report, in the order given (offline signals only)."""
    desk = StoryDesk(MemoryStoryIndex(), entities, rules=rules)
    now = datetime.now(UTC)
    return [desk.place(report, now=now) for report in reports]
