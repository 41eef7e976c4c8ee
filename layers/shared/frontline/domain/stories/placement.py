"""Place an arriving item in its story: join the recent story of the same event, or lead a
new one. The same code places items in the worker and in `frontline stories cluster`.

An item is matched against every member of each recent story (a paraphrase of any earlier
report counts) and joins the story it matches best; one member that conflicts keeps it out
of that story. Placement runs under the index's assignment lease, and membership writes are
conditional, so two workers never create twin stories for one event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from frontline.domain.ports import AnalysisInProgress, ProviderError
from frontline.domain.stories.matching import MatchRules, affinity, joins, vector_cosine
from frontline.domain.stories.model import Placement, Story
from frontline.domain.stories.ports import AlreadyPlaced, StoryIndex, TextEmbedder
from frontline.domain.stories.signals import Signals, StoryInput, signals_of
from frontline.domain.vocabulary import EntityTable

_CACHE_LIMIT = 5_000


def embedding_text(report: StoryInput) -> str:
    return f"{report.title}\n{report.summary[:600]}"


class StoryDesk:
    def __init__(
        self,
        index: StoryIndex,
        entities: EntityTable,
        *,
        rules: MatchRules | None = None,
        embedder: TextEmbedder | None = None,
    ) -> None:
        self.index = index
        self.rules = rules or MatchRules()
        self._entities = entities
        self._embedder = embedder
        self._signals: dict[str, Signals] = {}

    def signals(self, report: StoryInput) -> Signals:
        """The report's signals, kept per id (a warm worker reads the same stories again)."""
        found = self._signals.get(report.id)
        if found is None:
            if len(self._signals) >= _CACHE_LIMIT:
                self._signals.clear()
            found = self._signals[report.id] = signals_of(report, self._entities)
        return found

    def place(self, report: StoryInput, *, now: datetime) -> Placement:
        known = self.index.story_of(report.id)
        if known is not None:
            return Placement(known, report.id)
        if self._embedder is not None and report.vector is None:
            try:
                vector = self._embedder.embed([embedding_text(report)])[0]
            except ProviderError:
                vector = None  # the offline signals alone decide: placement never waits
            report = report.model_copy(update={"vector": vector})
        with self.index.assigning(now=now):
            known = self.index.story_of(report.id)  # placed while this one waited
            if known is not None:
                return Placement(known, report.id)
            story = self.best_story(report, self.index.recent(report.published, self.rules.window))
            try:
                if story is None:
                    self.index.create(
                        Story(id=report.id, published=report.published, members=(report,))
                    )
                    return Placement(report.id, report.id)
                self.index.join(story, report)
            except AlreadyPlaced:
                placed = self.index.story_of(report.id)
                if placed is None:
                    raise AnalysisInProgress(f"item {report.id} is being placed") from None
                return Placement(placed, report.id)
            return Placement(story.id, report.id)

    def best_story(self, report: StoryInput, stories: Sequence[Story]) -> Story | None:
        """The story whose members this report matches best, None when it matches none."""
        mine = self.signals(report)
        best: Story | None = None
        best_score = 0.0
        for story in stories:
            score = self._story_score(mine, report, story)
            if score is not None and score > best_score:
                best, best_score = story, score
        return best

    def _story_score(self, mine: Signals, report: StoryInput, story: Story) -> float | None:
        scores: list[float] = []
        for member in story.members:
            found = affinity(mine, self.signals(member), self.rules)
            if found.conflict == "time":
                continue  # a member long before or after: not evidence either way
            if found.conflict is not None:
                return None
            similarity = vector_cosine(report.vector, member.vector)
            if joins(found.score, similarity, self.rules):
                scores.append(found.score)
        return max(scores, default=None)
