"""A StoryIndex in memory: `frontline stories cluster`, the bench and one-process runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from frontline.domain.stories.model import Story
from frontline.domain.stories.ports import AlreadyPlaced
from frontline.domain.stories.signals import StoryInput


class MemoryStoryIndex:
    def __init__(self) -> None:
        self.stories: dict[str, Story] = {}
        self.membership: dict[str, str] = {}
        self._lock = threading.Lock()
        self._leases: dict[str, tuple[str, datetime]] = {}

    def story_of(self, item_id: str) -> str | None:
        return self.membership.get(item_id)

    def recent(self, around: datetime, window: timedelta) -> list[Story]:
        return [s for s in self.stories.values() if abs(s.published - around) <= window]

    def create(self, story: Story) -> None:
        if story.id in self.membership:
            raise AlreadyPlaced(story.id)
        self.membership[story.id] = story.id
        self.stories[story.id] = story

    def join(self, story: Story, member: StoryInput) -> Story:
        if member.id in self.membership:
            raise AlreadyPlaced(member.id)
        self.membership[member.id] = story.id
        joined = self.stories[story.id]
        joined = joined.model_copy(update={"members": (*joined.members, member)})
        self.stories[story.id] = joined
        return joined

    @contextmanager
    def assigning(self, *, now: datetime) -> Iterator[None]:
        with self._lock:
            yield

    def lease(self, story_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        current = self._leases.get(story_id)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self._leases[story_id] = (holder, until)
        return True

    def release(self, story_id: str, *, holder: str) -> None:
        if self._leases.get(story_id, ("", None))[0] == holder:
            del self._leases[story_id]
