"""The keyword lexicon (config/keywords.yaml): the phrases the heuristic analysis reads
signals from, validated like the glossary."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field, StringConstraints

from frontline.domain.models import Category, Frozen

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Family = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
Phrases = tuple[Phrase, ...]

# Signal names as the analysis reads them; families are "<group>:<family>".
AI: Final = "ai"
JAPAN: Final = "japan"
NEW: Final = "new"
BOILERPLATE: Final = "boilerplate"
HINT: Final = "hint:"
PRACTICAL: Final = "practical:"
INNOVATIVE: Final = "innovative:"
CATEGORY: Final = "category:"


class CoreSignals(Frozen):
    ai: Phrases = ()
    japan: Phrases = ()
    new: Phrases = ()
    boilerplate: Phrases = ()


class KeywordLexicon(Frozen):
    signals: CoreSignals = Field(default_factory=CoreSignals)
    hints: dict[Family, Phrases] = Field(default_factory=dict)
    practical: dict[Family, Phrases] = Field(default_factory=dict)
    innovative: dict[Family, Phrases] = Field(default_factory=dict)
    categories: dict[Category, Phrases] = Field(default_factory=dict)

    def families(self) -> dict[str, Phrases]:
        """Every phrase list by its signal name ("ai", "hint:gpu", "category:funding")."""
        named: dict[str, Phrases] = {
            AI: self.signals.ai,
            JAPAN: self.signals.japan,
            NEW: self.signals.new,
            BOILERPLATE: self.signals.boilerplate,
        }
        for prefix, group in ((HINT, self.hints), (PRACTICAL, self.practical)):
            named |= {prefix + family: phrases for family, phrases in group.items()}
        named |= {INNOVATIVE + family: phrases for family, phrases in self.innovative.items()}
        named |= {
            CATEGORY + category.value: phrases for category, phrases in self.categories.items()
        }
        return named
