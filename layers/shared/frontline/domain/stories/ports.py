"""What story placement needs from the outside: a story index and, optionally, embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from frontline.domain.ports import FrontlineError
from frontline.domain.stories.model import Story
from frontline.domain.stories.signals import StoryInput


class StoryIndex(Protocol):
    """Recent stories and their members; every write is conditional, so an item belongs to
    one story at most, and stories are created under one assignment lease at a time."""

    def story_of(self, item_id: str) -> str | None:
        """The id of the story this item belongs to, if it was placed."""
        ...

    def recent(self, around: datetime, window: timedelta) -> list[Story]:
        """Stories whose lead was published within `window` of `around`."""
        ...

    def create(self, story: Story) -> None:
        """Store a new story led by its first member; raises AlreadyPlaced if it is placed."""
        ...

    def join(self, story: Story, member: StoryInput) -> Story:
        """Add a member; raises AlreadyPlaced if the item already belongs to a story."""
        ...

    def assigning(self, *, now: datetime) -> AbstractContextManager[None]:
        """Hold the assignment lease (one placement at a time, across workers); raises
        AnalysisInProgress when another worker keeps it past a short wait."""
        ...

    def lease(self, story_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Take the story's lease (who writes its article now) unless another holds it."""
        ...

    def release(self, story_id: str, *, holder: str) -> None: ...


class TextEmbedder(Protocol):
    """An embeddings model: one vector per text (Amazon Bedrock in production)."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        """One vector per text, in order; raises ProviderError."""
        ...


class AlreadyPlaced(FrontlineError):
    """The item already belongs to a story (another delivery placed it)."""
