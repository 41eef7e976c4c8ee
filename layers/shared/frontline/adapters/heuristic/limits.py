"""The heuristic analysis's limits and fixed wording."""

from __future__ import annotations

from typing import Final

from frontline.domain.analysis_validation import ANSWER_MAX_CHARS

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
# The impact is the heuristic's own Japanese: it keeps the length an LLM's answer has, naming
# at most this many topics and names. (Title, TL;DR and key points quote the English source
# and keep the sizes above: English takes more characters to say as much.)
IMPACT_MAX_CHARS: Final = ANSWER_MAX_CHARS["impact"]
IMPACT_LISTED: Final = 3

UNTITLED: Final = "（無題）"
ESTIMATED: Final = "（自動推定）"
WORDS_IN_HEADING: Final = 8
