"""A feed item as a story report."""

from __future__ import annotations

from frontline.domain.models import FeedItem
from frontline.domain.stories.signals import StoryInput

SUMMARY_CHARS = 600  # the summary's opening: enough to read its figures and names


def story_input_of(item: FeedItem) -> StoryInput:
    return StoryInput(
        id=item.id,
        outlet=item.source_name,
        url=item.url,
        published=item.published,
        title=item.title,
        summary=item.summary[:SUMMARY_CHARS],
    )
