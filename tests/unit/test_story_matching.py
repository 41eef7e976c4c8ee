"""Stories: paraphrased reports of one event join, hard negatives stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.stories_bench import main as bench_scores
from frontline.config import REPO_CONFIG_DIR, load_vocabulary
from frontline.domain.ports import ProviderRetryable
from frontline.domain.stories import MatchRules, StoryDesk, StoryInput, same_event, signals_of
from frontline.domain.stories.clustering import cluster
from frontline.domain.stories.facts import material_facts
from frontline.domain.stories.memory import MemoryStoryIndex

T0 = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
ENTITIES = load_vocabulary(REPO_CONFIG_DIR).entities
RULES = MatchRules()


def report(title: str, summary: str = "", *, hours: float = 0, n: int = 0) -> StoryInput:
    return StoryInput(
        id=f"r{n}-{abs(hash(title)) % 10**8}",
        outlet="Outlet",
        url="https://news.example/a",
        published=T0 + timedelta(hours=hours),
        title=title,
        summary=summary,
    )


def joined(a: StoryInput, b: StoryInput, similarity: float | None = None) -> bool:
    return same_event(signals_of(a, ENTITIES), signals_of(b, ENTITIES), RULES, similarity)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # other words and word order, the amount written two ways
        (
            ("Kinetica raises $1.2B to mass-produce humanoid robots", "Led by SoftBank."),
            ("SoftBank leads $1.2 billion round for robot start-up Kinetica", ""),
        ),
        # the lab named in one, the product in the other
        (
            ("Anthropic unveils its new flagship model", "Claude Opus 6 tops coding tests."),
            ("Claude Opus 6 tops SWE-bench, Anthropic says", "The new flagship Claude model."),
        ),
        # a number in one and not in the other; an abbreviation
        (
            ("EU proposes one-year delay to AI Act high-risk rules", "Pushed back to 2028."),
            ("European Commission wants to push back AI Act deadlines", "By 12 months."),
        ),
    ],
)
def test_paraphrased_reports_of_one_event_join(first: tuple[str, str], second: tuple[str, str]):
    assert joined(report(*first), report(*second, hours=5))


@pytest.mark.parametrize(
    ("first", "second", "hours"),
    [
        # the same lab's different model, days later
        ("Mistral AI releases Magistral 3 reasoning model", "Mistral AI releases Devstral 4", 50),
        # the same lab's different model, a week later (outside the window)
        ("Mistral AI releases Magistral 3 reasoning model", "Mistral releases Magistral 3.1", 170),
        # a rival's funding round the next day
        ("Anthropic raises $20 billion at $350 billion valuation", "xAI raises $15 billion", 20),
        # an opinion piece on the same topic
        ("OpenAI launches GPT-7 with agent mode", "Why GPT-7's agent mode should worry us", 12),
        # the same company's other kind of news
        ("Sakana AI launches model-merging service", "Sakana AI raises ¥30 billion", 40),
        ("Anthropic releases Claude Opus 6", "Claude suffers outage after Opus 6 launch", 16),
    ],
)
def test_hard_negatives_stay_apart(first: str, second: str, hours: float):
    assert not joined(report(first), report(second, hours=hours))


def test_an_embedding_combines_with_the_offline_signals_and_never_overrides_a_conflict():
    near = report(
        "Waymo begins driverless testing in Tokyo",
        "Waymo robotaxis started operating without safety drivers in seven Tokyo wards.",
    )
    paraphrase = report(
        "Robotaxis without drivers hit Tokyo streets",
        "The company says its fully driverless tests cover Minato and Shinjuku.",
        hours=3,
    )
    rival = report("Tesla robotaxis head to Phoenix", "Tesla expands.", hours=3)
    assert not joined(near, paraphrase)  # the words alone fall short
    assert joined(near, paraphrase, similarity=0.9)  # a close embedding carries the pair
    assert not joined(near, rival, similarity=0.99)  # different companies: a conflict
    same = report("Waymo begins driverless tests in Tokyo", "In seven Tokyo wards.", hours=1)
    assert joined(near, same) and not joined(near, same, similarity=0.1)


def test_clustering_places_each_report_in_arrival_order():
    reports = [
        report("Mistral AI releases Magistral 3, an open-weight reasoning model", n=1),
        report("Magistral 3: Mistral's new reasoning model ships with open weights", n=2, hours=2),
        report("Mistral AI unveils Devstral 4 coding agent model", n=3, hours=30),
        report("Magistral 3 weights are out (Apache 2.0)", "Mistral's Magistral 3.", n=4, hours=4),
    ]
    placements = cluster(reports, ENTITIES)
    stories = [placement.story_id for placement in placements]
    assert stories == [reports[0].id, reports[0].id, reports[2].id, reports[0].id]
    assert [placement.leads for placement in placements] == [True, False, True, False]


def test_material_facts_are_new_figures_and_names_the_story_lacks():
    lead = signals_of(
        report("Nvidia revenue jumps 62% to $68 billion", "Data center $59bn."), ENTITIES
    )
    same = signals_of(report("NVIDIA sales hit $59 billion", "Revenue $68bn, up 62%."), ENTITIES)
    more = signals_of(
        report("Nvidia guides to $75 billion", "Microsoft is its top buyer."), ENTITIES
    )
    assert material_facts(same, [lead]) == ()
    assert material_facts(more, [lead]) == ("$75 billion", "Microsoft")


def test_the_labelled_set_meets_the_goal_on_the_dev_and_held_out_halves():
    scores = bench_scores()
    assert scores["stories_precision"] >= 0.95 and scores["stories_pairwise_f1"] >= 0.85
    assert scores["stories_heldout_precision"] >= 0.95 and scores["stories_heldout_f1"] >= 0.85
    assert scores["stories_baseline_f1"] < scores["stories_pairwise_f1"]
    assert scores["stories_labelled_events"] >= 25


class Embedder:
    """Vectors by headline; raises for headlines it has none for, as an outage would."""

    model_id = "amazon.titan-embed-text-v2:0"

    def __init__(self, vectors: dict[str, tuple[float, ...]]) -> None:
        self.vectors = vectors
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        try:
            return [self.vectors[text.split("\n", 1)[0]] for text in texts]
        except KeyError:
            raise ProviderRetryable("Bedrock ThrottlingException") from None


def test_the_desk_joins_on_a_close_embedding_and_places_offline_when_embeddings_fail():
    first = report(
        "Waymo begins driverless testing in Tokyo",
        "Waymo robotaxis started operating without safety drivers in seven Tokyo wards.",
        n=1,
    )
    second = report(
        "Robotaxis without drivers hit Tokyo streets",
        "The company says its fully driverless tests cover Minato and Shinjuku.",
        hours=3,
        n=2,
    )
    close = {first.title: (1.0, 0.0), second.title: (0.95, 0.05)}
    with_vectors = StoryDesk(MemoryStoryIndex(), ENTITIES, embedder=Embedder(close))
    assert with_vectors.place(first, now=T0).leads
    assert with_vectors.place(second, now=T0).story_id == first.id
    failing = Embedder({})  # every call fails: the offline signals alone, which keep them apart
    offline = StoryDesk(MemoryStoryIndex(), ENTITIES, embedder=failing)
    assert offline.place(first, now=T0).leads and offline.place(second, now=T0).leads
    assert failing.calls == 2
