"""A story: one event, its lead report (whose article readers see) and every report since."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from frontline.domain.models import Frozen, UtcDatetime
from frontline.domain.stories.signals import StoryInput


class Story(Frozen):
    """The story's id is its lead item's id, which is also the id of its article."""

    id: str
    published: UtcDatetime  # the lead report's
    members: tuple[StoryInput, ...] = Field(min_length=1)

    @property
    def lead(self) -> StoryInput:
        return self.members[0]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an item went: the story it leads, or the story it joined as a later source."""

    story_id: str
    item_id: str

    @property
    def leads(self) -> bool:
        return self.story_id == self.item_id
