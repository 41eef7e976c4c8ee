"""Stories: one event, many sources. Clustering before analysis (see placement.py)."""

from frontline.domain.stories.matching import DEFAULT_WINDOW, MatchRules, same_event
from frontline.domain.stories.model import Placement, Story
from frontline.domain.stories.placement import StoryDesk
from frontline.domain.stories.signals import Signals, StoryInput, signals_of

__all__ = [
    "DEFAULT_WINDOW",
    "MatchRules",
    "Placement",
    "Signals",
    "Story",
    "StoryDesk",
    "StoryInput",
    "same_event",
    "signals_of",
]
