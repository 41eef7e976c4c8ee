"""Article text: HTML to plain text, sentences, choosing the text to analyse, trimming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.domain.article_text import (
    FULL_CONTENT_MIN_CHARS,
    article_text_for,
    html_to_text,
    sentence_spans,
    split_sentences,
    truncate_keeping_lead,
)
from tests.factories import make_item

# --- html_to_text ---------------------------------------------------------------------------


def test_paragraphs_are_separated_by_blank_lines_and_lines_by_newlines() -> None:
    html = (
        "<div><h2>Headline</h2><p>First <b>bold</b> paragraph.</p>"
        "<ul><li>one</li><li>two<br>still two</li></ul>"
        "<blockquote><p>Quoted.</p></blockquote>Tail text</div>"
    )

    assert html_to_text(html) == (
        "Headline\n\nFirst bold paragraph.\n\none\ntwo\nstill two\n\nQuoted.\n\nTail text"
    )


def test_ugly_markup_still_gives_clean_text() -> None:
    html = (
        "<DIV>\n  <p>Unclosed   paragraph\n<p>Another\t\tone <span><i>nested <b>deep</span>"
        "</DIV></p><br/><br/>After two breaks<!-- a comment --></td></table>"
    )

    assert html_to_text(html) == (
        "Unclosed paragraph\n\nAnother one nested deep\n\nAfter two breaks"
    )


def test_character_references_are_decoded_and_invisible_characters_dropped() -> None:
    html = (
        "<p>AT&amp;T&nbsp;and&#160;O&#8217;Reilly &eacute;t&eacute; &lt;tag&gt; zero\u200bwidth</p>"
    )

    assert html_to_text(html) == "AT&T and O’Reilly été <tag> zerowidth"


def test_script_style_and_similar_content_is_dropped() -> None:
    html = (
        "<p>Kept</p><script>var secret = 1;</script><style>p { color: red }</style>"
        "<noscript>Enable JS</noscript><template><p>hidden</p></template><p>Also kept</p>"
        "<script>never closed"
    )

    assert html_to_text(html) == "Kept\n\nAlso kept"


def test_preformatted_text_keeps_its_lines() -> None:
    assert html_to_text("<p>Code:</p><pre>x = 1\ny = 2\n</pre>") == "Code:\n\nx = 1\ny = 2"


def test_table_cells_are_separated() -> None:
    html = "<table><tr><th>Model</th><th>Score</th></tr><tr><td>A</td><td>91</td></tr></table>"

    assert html_to_text(html) == "Model Score\nA 91"


@pytest.mark.parametrize("html", ["", "   ", "<p></p><div> </div>", "<br><br>"])
def test_empty_markup_gives_empty_text(html: str) -> None:
    assert html_to_text(html) == ""


def test_plain_text_is_folded() -> None:
    assert html_to_text("  just\n\ttext  ") == "just text"


@given(st.text())
def test_any_input_gives_tidy_text(html: str) -> None:
    text = html_to_text(html)

    assert text == text.strip()
    assert "\n\n\n" not in text


# --- Sentences ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        (
            "Dr. Smith met Mr. Jones. They talked.",
            ["Dr. Smith met Mr. Jones.", "They talked."],
        ),
        (
            "Chips, e.g. GPUs, i.e. accelerators, vs. CPUs. Next.",
            ["Chips, e.g. GPUs, i.e. accelerators, vs. CPUs.", "Next."],
        ),
        (
            "U.S. officials met. It grew 3.5% to $1.2 billion in the U.S. The end.",
            ["U.S. officials met.", "It grew 3.5% to $1.2 billion in the U.S.", "The end."],
        ),
        (
            "Apple Inc. said so. Acme Corp. The rival.",
            ["Apple Inc. said so.", "Acme Corp.", "The rival."],
        ),
        (
            'He said "it works." Then he left. "Really?" she asked.',
            ['He said "it works."', "Then he left.", '"Really?" she asked.'],
        ),
        ("It ranked No. 1 on Jan. 5 again.", ["It ranked No. 1 on Jan. 5 again."]),
        ("John F. Kennedy spoke. He left.", ["John F. Kennedy spoke.", "He left."]),
        ("Wait... What happened?", ["Wait...", "What happened?"]),
        ("version 2.0 shipped.Lowercase next", ["version 2.0 shipped.Lowercase next"]),
        (
            "Features\nFast inference\nLow cost\n\nA new paragraph.",
            ["Features", "Fast inference", "Low cost", "A new paragraph."],
        ),
        (
            "A sentence that was hard\nwrapped in the feed. Next one.",
            ["A sentence that was hard wrapped in the feed.", "Next one."],
        ),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@given(st.text())
def test_sentences_cover_all_the_text(text: str) -> None:
    spans = sentence_spans(text)

    assert all(text[start:end].strip() for start, end in spans)
    covered = "".join(text[start:end] for start, end in spans)
    assert "".join(covered.split()) == "".join(text.split())


# --- article_text_for -----------------------------------------------------------------------

LONG_HTML = "<p>" + "The lab described its distillation method in detail. " * 20 + "</p>"


def test_full_content_is_the_text_when_long_enough() -> None:
    item = make_item(content_html=LONG_HTML, summary="A short teaser.")

    text = article_text_for(item)

    assert len(text) >= FULL_CONTENT_MIN_CHARS
    assert text.startswith("The lab described")
    assert "teaser" not in text


def test_short_content_follows_the_summary() -> None:
    item = make_item(summary="The summary.", content_html="<p>Extra detail.</p>")

    assert article_text_for(item) == "The summary.\n\nExtra detail."


def test_content_that_repeats_the_summary_is_not_doubled() -> None:
    item = make_item(
        summary="The lab released a model.",
        content_html="<p>The lab released a model.</p><p>It is small.</p>",
    )

    assert article_text_for(item) == "The lab released a model.\n\nIt is small."


def test_summary_alone_when_there_is_no_content() -> None:
    item = make_item(summary="  Only a summary.  ", content_html="")

    assert article_text_for(item) == "Only a summary."


def test_no_summary_and_no_content_gives_empty_text() -> None:
    assert article_text_for(make_item(summary="", content_html="")) == ""


# --- truncate_keeping_lead ------------------------------------------------------------------

ARTICLE = (
    "First paragraph has one sentence. And a second one.\n\n"
    "Second paragraph is here. It has two sentences.\n\n"
    "Third paragraph."
)


def test_short_text_is_returned_whole() -> None:
    assert truncate_keeping_lead(f"  {ARTICLE}  ", 1_000) == ARTICLE


def test_cuts_at_a_paragraph_boundary_when_one_is_near() -> None:
    assert truncate_keeping_lead(ARTICLE, 110) == (
        "First paragraph has one sentence. And a second one.\n\n"
        "Second paragraph is here. It has two sentences."
    )


def test_cuts_at_a_sentence_boundary_inside_a_long_paragraph() -> None:
    text = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota kappa lambda mu."

    assert truncate_keeping_lead(text, 45) == "Alpha beta gamma. Delta epsilon zeta."


def test_cuts_at_a_word_when_no_sentence_ends_early_enough() -> None:
    text = "Tiny. " + "word " * 50

    cut = truncate_keeping_lead(text, 60)

    assert cut.endswith("word…")
    assert len(cut) <= 60


def test_hard_cut_for_one_endless_word() -> None:
    assert truncate_keeping_lead("x" * 100, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("max_chars", [0, -5])
def test_no_room_gives_empty_text(max_chars: int) -> None:
    assert truncate_keeping_lead("Some text.", max_chars) == ""


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_truncation_fits_and_keeps_the_lead(text: str, max_chars: int) -> None:
    cut = truncate_keeping_lead(text, max_chars)

    assert len(cut) <= max_chars
    assert text.strip().startswith(cut.removesuffix("…"))
    if text.strip():
        assert cut
