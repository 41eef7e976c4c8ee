"""Does a later report add material facts to its story? New figures, or companies and
products the story's reports have not named: then the story is worth analysing again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from frontline.domain.stories.signals import Signals

REANALYSIS_CAP: Final = 2  # re-analyses per story by default (AnalyzeSettings can change it)


def material_facts(candidate: Signals, known: Sequence[Signals]) -> tuple[str, ...]:
    """What `candidate` states that none of `known` does, as written (figures first)."""
    figures = {key for signals in known for key in signals.figures}
    entities = {slug for signals in known for slug in signals.companies | signals.products}
    new_figures = [text for key, text in candidate.figures.items() if key not in figures]
    new_entities = [
        name
        for slug, name in candidate.entity_names.items()
        if slug in candidate.companies | candidate.products and slug not in entities
    ]
    return (*new_figures, *new_entities)
