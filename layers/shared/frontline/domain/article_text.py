"""The text an item is analysed from: plain text out of sanitised HTML, sentences, trimming.

Pure functions over strings, good enough for English news copy: no dependency beyond the
standard library, and fast enough to run on every item.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

from frontline.domain.models import FeedItem

# Content shorter than this is usually a teaser; the feed's summary then says more.
FULL_CONTENT_MIN_CHARS: Final = 600

# --- HTML to text ---------------------------------------------------------------------------

# Pending breaks between blocks, by strength: adjacent breaks merge into the strongest.
_NO_BREAK: Final = 0
_LINE_BREAK: Final = 1
_PARAGRAPH_BREAK: Final = 2

# Elements that stand as paragraphs of their own: a blank line before and after.
_PARAGRAPH_ELEMENTS: Final = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "nav",
        "address",
        "details",
        "fieldset",
        "form",
    }
)
# Elements that start a new line without opening a paragraph.
_LINE_ELEMENTS: Final = frozenset({"li", "tr", "dt", "dd", "figcaption", "caption", "summary"})
# Void elements that are a break in themselves.
_BREAK_ELEMENTS: Final = frozenset({"br", "hr"})
_CELL_ELEMENTS: Final = frozenset({"td", "th"})
# Elements whose content is never reader text.
_SKIPPED_ELEMENTS: Final = frozenset(
    {"script", "style", "template", "noscript", "head", "svg", "math", "iframe", "object"}
)

_INLINE_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
# Controls (C0, DEL, C1 with NEL) and the Unicode line and paragraph separators: illegal in
# XML 1.0 or meaningless in text, but written between words, so each becomes a space.
CONTROL_CHARS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# The same, less tab, line feed and carriage return: in markup they are ordinary whitespace.
CONTROL_CHARS_IN_MARKUP: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]"
)
# Invisible format characters that are neither a space nor part of a letter: soft hyphen,
# zero-width space, word joiner, byte order mark, direction marks and embeddings. They are
# removed, as a reader never sees them. The zero-width joiner and non-joiner stay: emoji
# sequences (👨‍💻) and several scripts need them.
INVISIBLE_FORMAT: Final = re.compile(
    "[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_NUMERIC_REFERENCE: Final = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    """Collects text and the breaks between blocks; adjacent breaks merge into the larger."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._pending_break = _NO_BREAK
        self._break_is_br = False
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_ELEMENTS:
            self._skip_depth += 1
        elif tag in _PARAGRAPH_ELEMENTS:
            self._break(_PARAGRAPH_BREAK)
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _LINE_ELEMENTS:
            self._break(_LINE_BREAK)
        elif tag in _BREAK_ELEMENTS:
            # Two <br> in a row are how many feeds separate paragraphs.
            if self._break_is_br and self._pending_break == _LINE_BREAK:
                self._break(_PARAGRAPH_BREAK)
            else:
                self._break(_LINE_BREAK)
            self._break_is_br = True
        elif tag in _CELL_ELEMENTS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_ELEMENTS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _PARAGRAPH_ELEMENTS:
            self._break(_PARAGRAPH_BREAK)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_ELEMENTS:
            self._break(_LINE_BREAK)
        elif tag in _CELL_ELEMENTS:
            self._text(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, <img/>: a start without content; an explicit end would double breaks.
        if tag not in _SKIPPED_ELEMENTS:
            self.handle_starttag(tag, attrs)
            if tag not in _BREAK_ELEMENTS:
                self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if not self._pre_depth:
            self._text(_ANY_SPACE.sub(" ", data))
            return
        for number, line in enumerate(data.replace("\r\n", "\n").split("\n")):
            if number:
                self._break(_LINE_BREAK)
            self._text(line)

    def text(self) -> str:
        return "".join(self.pieces)

    def _break(self, kind: int) -> None:
        self._pending_break = max(self._pending_break, kind)
        self._break_is_br = False

    def _text(self, data: str) -> None:
        if not data.strip():
            if not self._pending_break:
                self.pieces.append(data)
            return
        if self._pending_break:
            self.pieces.append("\n" * self._pending_break)
            self._pending_break = _NO_BREAK
        self._break_is_br = False
        self.pieces.append(data)


def html_to_text(html: str) -> str:
    """Plain text from sanitised HTML: paragraphs separated by blank lines, lines by newlines.

    Character references are decoded, runs of whitespace folded to one space, and the content
    of script, style and similar elements dropped. Ill-formed markup never raises.
    """
    if "<" not in html and "&" not in html:
        return _tidy(_ANY_SPACE.sub(" ", html))
    if "&#" in html:  # HTML decodes a control's reference to nothing, joining the words
        html = _NUMERIC_REFERENCE.sub(_space_for_control, html)
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _tidy(collector.text())


def _space_for_control(reference: re.Match[str]) -> str:
    code = int(reference[1], 16) if reference[1] else int(reference[2])
    return " " if code <= 0x10FFFF and CONTROL_CHARS.match(chr(code)) else reference[0]


def _tidy(text: str) -> str:
    text = CONTROL_CHARS_IN_MARKUP.sub(" ", INVISIBLE_FORMAT.sub("", text))
    text = _INLINE_SPACE.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# --- Sentences ------------------------------------------------------------------------------

# Terminal punctuation, with any closing quotes or brackets, followed by whitespace.
_TERMINAL = re.compile(r"""[.!?…]+['"”’)\]]*(?=\s)""")
_OPENERS: Final = frozenset("\"'“‘([$€£¥")
# Abbreviations that never end a sentence ("Dr. Smith", "e.g. Gemini").
_NEVER_FINAL: Final = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "st",
        "mt",
        "e.g",
        "i.e",
        "vs",
        "cf",
        "al",
        "approx",
        "est",
        "dept",
        "univ",
    }
)
# Abbreviations that do not end a sentence when a number follows ("No. 1", "Jan. 5").
_BEFORE_NUMBERS: Final = frozenset(
    {
        "no",
        "nos",
        "vol",
        "fig",
        "figs",
        "p",
        "pp",
        "sec",
        "ch",
        "ver",
        "v",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
# Abbreviations that may or may not end a sentence ("in the U.S. The ..." vs "U.S. officials").
_MAYBE_FINAL: Final = frozenset({"inc", "corp", "ltd", "co", "jr", "sr", "etc", "llc", "plc"})
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")
# Words that usually open a sentence: after an ambiguous abbreviation they decide the split.
_SENTENCE_STARTERS: Final = frozenset(
    {
        "A",
        "An",
        "The",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "In",
        "On",
        "At",
        "For",
        "With",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "Still",
        "Also",
        "However",
        "Meanwhile",
        "Now",
        "Today",
        "As",
        "After",
        "Before",
        "While",
        "When",
        "If",
        "According",
        "Some",
        "Many",
        "Most",
    }
)
_WORD_AT_START = re.compile(r"[\"'“‘(\[]*([A-Za-z]+)")
_NON_SPACE = re.compile(r"\S")
_INLINE_WHITESPACE: Final = frozenset(" \t\r\f\v\u00a0")
# The first character of the next line.
_NEXT_LINE_START = re.compile(r"[^\S\n]*([^\s])")
_CLOSING: Final = frozenset(".!?…:\"'”’")


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    following_at = _NON_SPACE.search(text, match.end())
    if following_at is None:
        return True
    first = following_at.group()
    if not (first.isupper() or first.isdigit() or first in _OPENERS):
        return False
    punctuation = match.group()
    if punctuation[0] != "." or "…" in punctuation or ".." in punctuation:
        return True
    word_start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    word = text[word_start : match.start()].lstrip("\"'“‘([")
    if len(word) > 6 and "." not in word:
        return True  # too long for an abbreviation or an initialism
    lowered = word.lower()
    if lowered in _NEVER_FINAL:
        return False
    if lowered in _BEFORE_NUMBERS and first.isdigit():
        return False
    if lowered in _MAYBE_FINAL or _INITIALISM.fullmatch(word):
        starter = _WORD_AT_START.match(text, following_at.start())
        return starter is not None and starter.group(1) in _SENTENCE_STARTERS
    return True


def sentence_ends(text: str) -> list[int]:
    """Offsets just past the end of each sentence in `text`, in order (line breaks included).

    A line break ends a sentence unless the next line continues it in lower case (hard-wrapped
    prose); terminal punctuation ends one unless it closes an abbreviation, an initial or a
    decimal.
    """
    ends: set[int] = set()
    for match in _TERMINAL.finditer(text):
        if _ends_sentence(text, match):
            ends.add(match.end())
    newline = text.find("\n")
    while newline != -1:
        line_end = newline
        while line_end > 0 and text[line_end - 1] in _INLINE_WHITESPACE:
            line_end -= 1
        if line_end > 0 and text[line_end - 1] != "\n":
            next_line = _NEXT_LINE_START.match(text, newline + 1)
            wrapped = (
                text[line_end - 1] not in _CLOSING
                and next_line is not None
                and next_line.group(1).islower()
            )
            if not wrapped:
                ends.add(line_end)
        newline = text.find("\n", newline + 1)
    ends.add(len(text.rstrip()))
    return sorted(end for end in ends if end > 0)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`, surrounding whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in sentence_ends(text):
        first = _NON_SPACE.search(text, start, end)
        if first is not None:
            spans.append((first.start(), end))
        start = end
    return spans


def split_sentences(text: str) -> list[str]:
    """English sentences of `text`, whitespace folded, in order.

    Handles abbreviations ("e.g.", "Dr.", "U.S."), decimals ("3.5"), closing quotes after the
    full stop, and line breaks (list items and headings are sentences of their own).
    """
    return [_ANY_SPACE.sub(" ", text[start:end]).strip() for start, end in sentence_spans(text)]


# --- Choosing and trimming the text -----------------------------------------------------------


def article_text_for(item: FeedItem) -> str:
    """The text to analyse: the full content when the feed carries it, else the summary.

    Content of at least FULL_CONTENT_MIN_CHARS characters stands alone; shorter content is a
    teaser, so the summary comes first and the content follows unless it repeats the summary.
    """
    content = html_to_text(item.content_html) if item.content_html else ""
    if len(content) >= FULL_CONTENT_MIN_CHARS:
        return content
    summary = _tidy(item.summary)
    if not content:
        return summary
    if not summary or _folded(summary) in _folded(content):
        return content
    if _folded(content) in _folded(summary):
        return summary
    return f"{summary}\n\n{content}"


def _folded(text: str) -> str:
    return _ANY_SPACE.sub(" ", text).strip().casefold()


def truncate_keeping_lead(text: str, max_chars: int) -> str:
    """At most `max_chars` characters from the start of `text`, cut at a natural boundary.

    Prefers the last paragraph break that keeps at least half the budget, then the last sentence
    end that keeps a third of it, then a word boundary (marked with "…"), then a hard cut.
    """
    text = text.strip()
    if len(text) <= max_chars:
        return text
    if max_chars <= 0:
        return ""
    paragraph_end = text.rfind("\n\n", 0, max_chars + 1)
    if paragraph_end > 0 and paragraph_end >= max_chars // 2:
        return text[:paragraph_end].rstrip()
    # Look a little past the budget so the word after a full stop can be inspected.
    window = text[: max_chars + 40]
    sentence_end = max((end for end in sentence_ends(window) if end <= max_chars), default=0)
    best = max(sentence_end, paragraph_end)
    if best > 0 and best >= max_chars // 3:
        return text[:best].rstrip()
    if max_chars == 1:
        return "…"
    cut = text[: max_chars - 1]
    word_end = cut.rfind(" ")
    if word_end >= max_chars // 2:
        cut = cut[:word_end]
    return cut.rstrip() + "…"
