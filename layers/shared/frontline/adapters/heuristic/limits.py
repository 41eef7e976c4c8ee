"""The heuristic analysis's limits and fixed wording."""

from __future__ import annotations

from typing import Final

# Sizes, all inside the Analysis model's limits.
TITLE_MAX_CHARS: Final = 200
TLDR_MAX_CHARS: Final = 280
KEY_POINT_TITLE_MAX_CHARS: Final = 80
KEY_POINT_BODY_MAX_CHARS: Final = 600
BODY_MAX_CHARS: Final = 4_000
# Only the lead of a very long text is read: it is where news puts what matters.
ANALYSED_MAX_CHARS: Final = 12_000
# The category is decided from the title and the opening of the text.
CATEGORY_LEAD_CHARS: Final = 1_500
MIN_KEY_POINTS: Final = 3
MAX_KEY_POINTS: Final = 5
MIN_TAGS: Final = 3
MAX_TAGS: Final = 6
MAX_ENTITIES: Final = 10

UNTITLED: Final = "（無題）"
ESTIMATED: Final = "（自動推定）"
WORDS_IN_HEADING: Final = 8
