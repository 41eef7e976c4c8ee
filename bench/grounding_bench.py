"""The grounding check on its labelled set: planted errors caught, faithful analyses flagged.

The set (tests/fixtures/grounding/labelled.yaml): English sources, each with faithful Japanese
renderings that use the legitimate variations (Japanese units, full-width digits, rounding
under 約, katakana names, Japanese dates, 割 and ％) and renderings with one planted wrong
number, company or person, date or event claim. A planted rendering counts as caught when the
check reports any problem; a faithful one counts as a false alarm when it reports any.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]
LABELLED = REPO / "tests" / "fixtures" / "grounding" / "labelled.yaml"


@dataclass(frozen=True)
class LabelledScore:
    faithful: int  # faithful renderings checked
    flagged: int  # of them, reported as ungrounded (false alarms)
    planted: int  # renderings with one planted error
    caught: int  # of them, reported as ungrounded


def score_labelled_set() -> LabelledScore:
    """Run the grounding check over every rendering of the labelled set. A planted error is
    the case's first faithful rendering with one `replace: [old, new]` applied."""
    import yaml

    from frontline.config import load_grounding_rules, load_vocabulary
    from frontline.domain.grounding import check_grounding

    vocabulary = load_vocabulary(REPO / "config")
    rules = load_grounding_rules(REPO / "config")
    faithful = flagged = planted = caught = 0
    for case in yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["cases"]:
        title, text = case["source"]["title"], case["source"]["text"]
        for analysis in case["faithful"]:
            faithful += 1
            flagged += not check_grounding(title, text, analysis, vocabulary, rules).grounded
        first = json.dumps(case["faithful"][0], ensure_ascii=False)
        for plant in case["planted"]:
            old, new = plant["replace"]
            if old not in first:
                raise ValueError(f"planted replacement {old!r} is not in the faithful rendering")
            analysis = json.loads(first.replace(old, new, 1))
            planted += 1
            caught += not check_grounding(title, text, analysis, vocabulary, rules).grounded
    return LabelledScore(faithful, flagged, planted, caught)


def main() -> dict[str, Any]:
    score = score_labelled_set()
    return {
        "grounding_detection_rate": round(score.caught / score.planted, 3),
        "grounding_false_alarm_rate": round(score.flagged / score.faithful, 3),
        "grounding_planted": score.planted,
        "grounding_faithful": score.faithful,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
