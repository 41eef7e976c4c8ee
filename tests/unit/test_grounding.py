"""Grounding: every number, date and name of the Japanese summary traced to the source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.grounding_bench import score_labelled_set
from frontline.cli import main
from frontline.config import (
    REPO_CONFIG_DIR,
    ConfigurationError,
    load_grounding_rules,
    load_vocabulary,
)
from frontline.domain.grounding import GroundingReport, check_grounding

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "grounding" / "labelled.yaml"
TITLE = "Google unveils 70B open-weights model as Alphabet invests $2.5 billion"
TEXT = (
    "On April 7, Google said its new 70B model was downloaded about 1.94 million times. "
    "CEO Sundar Pichai said 40% of developers use it. Sam Altman of OpenAI criticised it. "
    "The company expects revenue of $2.5 billion in 2027. It runs on Nvidia H100 chips."
)


def check(**analysis: Any) -> GroundingReport:
    return check_grounding(
        TITLE,
        TEXT,
        {"title_ja": "見出し", "tldr": "要約。", "key_points": [], **analysis},
        load_vocabulary(REPO_CONFIG_DIR),
        load_grounding_rules(REPO_CONFIG_DIR),
    )


def problems(**analysis: Any) -> list[tuple[str, str, str]]:
    return [(p.field, p.text, p.kind) for p in check(**analysis).problems]


@pytest.mark.parametrize(
    "tldr",
    [
        "700億パラメータのモデル。",  # 70B → 700億
        "７００億パラメータ。",  # full-width digits
        "70Bモデル。",  # the Latin form kept
        "売上は25億ドルの見込み。",  # $2.5 billion → 25億ドル
        "約190万回ダウンロードされた。",  # about 1.94 million → 約190万
        "開発者の4割が使う。",  # 40% → 4割
        "開発者の40％が使う。",  # full-width percent sign
        "4月7日に発表した。",  # April 7 → 4月7日
        "２０２７年に25億ドル。",  # a year in full-width digits
        "グーグルが発表した。",  # katakana of a known company
        "アルファベット傘下のGoogle。",  # katakana of an alias
        "サム・アルトマン氏が批判した。",  # a person's katakana name
        "エヌビディアのH100で動く。",  # katakana company, a model name with digits
        "ピチャイCEOが語った。",  # a katakana surname before a title
    ],
)
def test_faithful_renderings_are_grounded(tldr: str) -> None:
    assert check(tldr=tldr).grounded, check(tldr=tldr).problems


@pytest.mark.parametrize(
    ("tldr", "fact", "kind"),
    [
        ("約290万回ダウンロードされた。", "290万", "number"),
        ("開発者の6割が使う。", "6割", "number"),
        ("80Bモデル。", "80B", "entity"),
        ("4月8日に発表した。", "4月8日", "date"),
        ("5月7日に発表した。", "5月7日", "date"),
        ("2026年に25億ドル。", "2026", "date"),
        ("Metaが発表した。", "Meta", "entity"),
        ("マイクロソフトが発表した。", "マイクロソフト", "entity"),
        ("マーク・ザッカーバーグ氏が批判した。", "マーク・ザッカーバーグ", "entity"),
        ("GoogleはOpenAIを買収した。", "買収", "claim"),
        ("Googleは訴訟を起こした。", "訴訟", "claim"),
    ],
)
def test_each_planted_fact_is_named(tldr: str, fact: str, kind: str) -> None:
    assert problems(tldr=tldr) == [("tldr", fact, kind)]


def test_problems_name_the_field_of_each_key_point() -> None:
    points = [
        {"title": "Googleの新モデル", "body": "4月7日に公開。"},
        {"title": "Amazonも参入", "body": "開発者の4割が使う。"},
    ]
    assert problems(key_points=points) == [("key_points[1].title", "Amazon", "entity")]


def test_the_labelled_set_meets_its_goals() -> None:
    score = score_labelled_set()
    assert (score.faithful, score.planted) == (54, 132)
    assert score.flagged / score.faithful <= 0.05
    assert score.caught / score.planted >= 0.90


def test_cli_prints_one_json_object_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source.json"
    source.write_text(json.dumps({"title": TITLE, "text": TEXT}), encoding="utf-8")
    analysis = tmp_path / "analysis.json"
    analysis.write_text(
        json.dumps(
            {
                "title_ja": "Meta、700億パラメータのモデル",
                "tldr": "4月7日に公開。",
                "key_points": [{"title": "4割が利用", "body": "開発者の4割。"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert main(["check-grounding", str(source), str(analysis)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "grounded": False,
        "problems": [{"field": "title_ja", "text": "Meta", "kind": "entity"}],
    }


def test_rules_file_errors_name_the_field(tmp_path: Path) -> None:
    (tmp_path / "grounding.yaml").write_text(
        "kana: {ア: a}\nclaims: {買収: []}\ngeneric_latin: [ai]\n", encoding="utf-8"
    )
    with pytest.raises(ConfigurationError, match=r"grounding.yaml: claims.買収: needs"):
        load_grounding_rules(tmp_path)
    (tmp_path / "grounding.yaml").write_text(
        "kana: {ア: a}\nclaims: {}\ngeneric_latin: [AI]\n", encoding="utf-8"
    )
    load_grounding_rules.cache_clear()
    with pytest.raises(ConfigurationError, match=r"grounding.yaml: generic_latin.0"):
        load_grounding_rules(tmp_path)


def test_the_published_date_and_differences_the_source_implies_are_grounded() -> None:
    from datetime import UTC, datetime

    report = check_grounding(
        "Lab ships model",
        "On Wednesday the score rose to 71.2% from 62.8%; revenue grew from $2 billion to "
        "$6 billion.",
        {"title_ja": "見出し", "tldr": "11月26日、スコアは8ポイント上昇し、売上は3倍になった。"},
        load_vocabulary(REPO_CONFIG_DIR),
        load_grounding_rules(REPO_CONFIG_DIR),
        published=datetime(2026, 11, 26, 14, 30, tzinfo=UTC),
    )
    assert report.grounded, report.problems
    assert problems(tldr="11月26日に発表。") == [("tldr", "11月26日", "date")]  # no date given


def test_a_japanese_quarter_and_a_three_word_name_are_grounded() -> None:
    vocabulary, rules = load_vocabulary(REPO_CONFIG_DIR), load_grounding_rules(REPO_CONFIG_DIR)
    text = "Intel's third-quarter revenue rose, chief executive Lip-Bu Tan said."
    faithful = {"tldr": "7〜9月期の売上高が増えたと、リップブー・タンCEOが述べた。"}
    assert check_grounding("Intel", text, faithful, vocabulary, rules).grounded
    planted = {"tldr": "7〜9月期の売上高が増えたと、パット・ゲルシンガーCEOが述べた。"}
    [problem] = check_grounding("Intel", text, planted, vocabulary, rules).problems
    assert (problem.text, problem.kind) == ("パット・ゲルシンガー", "entity")


def ground(text: str, tldr: str) -> list[tuple[str, str]]:
    """(fact, kind) of each problem of a one-line summary of a one-paragraph source."""
    report = check_grounding(
        "Lab news",
        text,
        {"title_ja": "見出し", "tldr": tldr},
        load_vocabulary(REPO_CONFIG_DIR),
        load_grounding_rules(REPO_CONFIG_DIR),
    )
    return [(p.text, p.kind) for p in report.problems]


AMPERE = "SoftBank agreed to acquire Ampere for $6.5 billion on Wednesday."
QWEN = "Alibaba will spend 380 billion yuan on AI infrastructure over three years."
MISTRAL = "Mistral raised 1.7 billion euros, led by ASML, which invested 1.3 billion euros."
NVIDIA = (
    "Nvidia reported third-quarter revenue of $35.1 billion, up 94% from a year earlier. "
    "Data center revenue was $30.8 billion."
)
LLAMA = (
    "Meta trained Llama 3.1 on over 16,000 GPUs. The context window grew to 128,000 tokens, "
    "16 times longer than before."
)
HAIKU = (
    "On October 15, Claude Haiku 4.5 matched Claude Sonnet 4 at one-third of the cost: $1 in, "
    "$5 out. OpenAI will add tens "
    "of thousands of GPUs next week for GPT-4.5 and hundreds of millions of users."
)


@pytest.mark.parametrize(
    ("text", "tldr", "expected"),
    [
        # An amount keeps its currency: a yen or dollar figure for a dollar or yuan one is wrong.
        (AMPERE, "65億ドルで買収する。", []),
        (AMPERE, "65億円で買収する。", [("65億", "number")]),
        (QWEN, "3年で3800億元を投じる。", []),
        (QWEN, "3年で3800億ドルを投じる。", [("3800億", "number")]),
        (MISTRAL, "17億ドルを調達した。", [("17億", "number")]),
        ("It raised $13 billion at a valuation of 183 billion.", "評価額1830億ドル。", []),
        (HAIKU, "出力は15ドル。", [("15", "number")]),  # not the 15 of a date
        # A rounded figure is the source's at the precision it is written, no looser.
        (NVIDIA, "売上高は351億ドル、データセンターは310億ドル。", []),
        (NVIDIA, "売上高は315億ドル。", [("315億", "number")]),
        (NVIDIA, "データセンターは303億ドル。", [("303億", "number")]),
        # A year, and a count written out in full, are exact.
        (
            "It plans to spend $80 billion in its 2025 fiscal year.",
            "2026会計年度に。",
            [("2026", "date")],
        ),
        ("The company sold 1,234 units.", "約1200台を販売。", []),
        ("The company sold 1,234 units.", "1260台を販売。", [("1260", "number")]),
        # A multiple: stated, implied by a percentage rise, or by two figures of one sentence.
        (LLAMA, "文脈長は従来の16倍。", []),
        (LLAMA, "文脈長は従来の8倍。", [("8", "number")]),
        ("Revenue was $12 billion. Costs were $3 billion.", "売上は4倍。", [("4", "number")]),
        (NVIDIA, "売上高は約2倍になった。", []),
        ("Sales rose 210% to $3.1 billion.", "売上は3.1倍。", []),
        # Fractions are shares, not digits.
        (HAIKU, "コストは3分の1。", []),
        (HAIKU, "コストは4分の1。", [("4分の1", "number")]),
        ("Two-thirds of users and 25% of firms pay.", "利用者の3分の2、企業の4分の1。", []),
        # Vague magnitudes: 数万 for "tens of thousands", 数億 for "hundreds of millions".
        (HAIKU, "来週GPUを数万基追加し、利用者は数億人。", []),
        (HAIKU, "来週GPUを数千万基追加する。", [("数千万", "number")]),
        (HAIKU, "利用者は数十億人。", [("数十億", "number")]),
        # Quarters, calendar or ordinal, and the month range a source names.
        (NVIDIA, "7〜9月期の売上高。第3四半期。3Q。", []),
        (NVIDIA, "4〜6月期の売上高。", [("4〜6月期", "date")]),
        (NVIDIA, "第2四半期の売上高。", [("第2四半期", "date")]),
        ("Profit for the April-June quarter fell 55%.", "第2四半期は減益。4〜6月期。", []),
        # Weekdays.
        (AMPERE, "水曜日に合意した。水曜に発表。", []),
        (AMPERE, "月曜日に合意した。", [("月曜日", "date")]),
        (HAIKU, "金曜に発表した。", [("金曜", "date")]),
        ("It agreed on Wednesday, April 2.", "4月2日（水）に合意。", []),
        ("It agreed on Wednesday, April 2.", "4月2日（火）に合意。", [("(火)", "date")]),
        # A model's version is part of its name.
        (HAIKU, "GPT-4.5とClaude Haiku 4.5。Claude Sonnet 4並み。", []),
        (HAIKU, "GPT-5を公開。", [("GPT-5", "entity")]),
        (HAIKU, "Claude Haiku 4を公開。", [("Claude Haiku 4", "entity")]),
        ("DeepSeek-R1 was beaten.", "DeepSeek-V3を上回る。", [("DeepSeek-V3", "entity")]),
        ("It beats GPT-4o.", "GPT-4oを上回る。", []),
        # Katakana names read the way their language says them; common words are not names.
        ("Backers include Andreessen Horowitz.", "アンドリーセン・ホロウィッツが出資。", []),
        ("Chief executive Arthur Mensch spoke.", "アルチュール・メンシュCEOが語った。", []),
        (HAIKU, "新モデルをリリースした。", []),
        # Japanese names of entities.yaml.
        ("Samsung Electronics said profit fell.", "サムスン電子は減益。", []),
        (
            "Samsung Electronics said profit fell.",
            "SKハイニックスは減益。",
            [("SKハイニックス", "entity")],
        ),
        ("Sony said profit rose.", "富士通の利益が増えた。", [("富士通", "entity")]),
        # Buying shares is investing, not acquiring.
        (AMPERE, "SoftBankはAmpereを買収する。", []),
        (
            "Nvidia will invest $5 billion in Intel, buying common stock.",
            "Intelを買収。",
            [("買収", "claim")],
        ),
        ("Microsoft buys a 49% stake in the startup.", "新興企業を買収した。", [("買収", "claim")]),
    ],
)
def test_faithful_forms_pass_and_planted_facts_are_named(
    text: str, tldr: str, expected: list[tuple[str, str]]
) -> None:
    assert ground(text, tldr) == expected


def test_the_published_weekday_is_grounded() -> None:
    from datetime import UTC, datetime

    report = check_grounding(
        "Lab ships model",
        "The lab released the model.",
        {"tldr": "木曜日に公開した。"},
        load_vocabulary(REPO_CONFIG_DIR),
        load_grounding_rules(REPO_CONFIG_DIR),
        published=datetime(2026, 11, 26, 14, 30, tzinfo=UTC),  # a Thursday
    )
    assert report.grounded, report.problems


def test_claim_exceptions_must_name_a_claim(tmp_path: Path) -> None:
    (tmp_path / "grounding.yaml").write_text(
        "kana: {ア: a}\nclaims: {買収: [acqui]}\ngeneric_latin: [ai]\n"
        "claim_exceptions: {合併: [stock]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match=r"claim_exceptions.合併: not one of claims"):
        load_grounding_rules(tmp_path)


@pytest.mark.parametrize(
    ("tldr", "expected"),
    [
        ("開発者の四割が使う。", []),  # 40% → 四割
        ("開発者の六割が使う。", [("6割", "number")]),
        ("売上は二十五億ドルの見込み。", []),  # $2.5 billion → 二十五億ドル
        ("売上は五十二億ドルの見込み。", [("52億", "number")]),
        ("三菱と一部の開発者。第3四半期。", [("第3四半期", "date")]),  # words stay words
    ],
)
def test_kanji_numerals_are_numbers(tldr: str, expected: list[tuple[str, str]]) -> None:
    assert [(p.text, p.kind) for p in check(tldr=tldr).problems] == expected


@pytest.mark.parametrize(
    ("text", "tldr", "expected"),
    [
        ("xAI said last week that Colossus runs 100,000 GPUs.", "先週、明らかにした。", []),
        (
            "xAI said last week that Colossus runs 100,000 GPUs.",
            "来週、明らかにする。",
            [("来週", "date")],
        ),
        ("The features are now due in the coming year.", "機能は来年になる。", []),
        ("The features are now due in the coming year.", "機能は昨年に出た。", [("昨年", "date")]),
    ],
)
def test_relative_dates_are_the_sources(
    text: str, tldr: str, expected: list[tuple[str, str]]
) -> None:
    assert ground(text, tldr) == expected
