"""The kinds of real-world feed input that break feed readers, each with the right value.

Each kind has the issue's input and two variants of the same fault.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from frontline.domain.article_text import article_text_for
from frontline.domain.feed_dates import ZONE_OFFSETS, parse_feed_date
from frontline.domain.feed_entries import parse_feed, plain_text, repair_character_references
from frontline.domain.html_policy import sanitise_html
from frontline.domain.ports import FeedUnparseable
from frontline.site.catalogue import newest_first
from tests.factories import NOW, make_article, make_item, make_source


def rss(*items: str, channel_link: str = "https://ai-wire.example/") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>AI Wire</title><link>{channel_link}</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def entry(*parts: str) -> str:
    return "<item>" + "".join(parts) + "</item>"


def parse(body: bytes, *, base_url: str | None = None, now: datetime = NOW):
    return parse_feed(
        body,
        content_type="application/rss+xml; charset=utf-8",
        source=make_source(),
        now=now,
        base_url=base_url,
    )


# --- 1. No exception from one entry or feed escapes -----------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Open model launch &#xD83D;&#xDE80; lands on GPUs today", "Open model launch 🚀 lands on GPUs today"),
        ("Decimal pair &#55357;&#56832; smiles", "Decimal pair 😀 smiles"),
        ("Lone half &#xDE80; and a null &#0; survive", "Lone half \ufffd and a null \ufffd survive"),
    ],
)  # fmt: skip
def test_surrogate_references_become_the_character_and_every_item_is_read(
    title: str, expected: str
) -> None:
    # Given a feed whose first item's title writes a character as invalid references
    feed = parse(
        rss(
            entry(f"<title>{title}</title><link>https://ai-wire.example/1</link>"),
            entry("<title>Second story</title><link>https://ai-wire.example/2</link>"),
        )
    )
    # Then both items are read and the reference is the character (or U+FFFD)
    assert [item.title for item in feed.items] == [expected, "Second story"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"A \xed\xa0\xbd\xed\xba\x80 \xc3\xa9t\xc3\xa9", "A 🚀 été"),  # CESU-8 pair
        (b"Huge &#99999999999; ref", "Huge \ufffd ref"),
        (b"Upper &#X1F680; hex", "Upper 🚀 hex"),
    ],
)
def test_other_broken_characters_cost_nothing_either(raw: bytes, expected: str) -> None:
    body = rss(
        entry("<title>", "</title><link>https://ai-wire.example/1</link>"),
        entry("<title>Second story</title><link>https://ai-wire.example/2</link>"),
    ).replace(b"<title></title>", b"<title>" + raw + b"</title>")
    feed = parse(body)
    assert [item.title for item in feed.items] == [expected, "Second story"]


def test_latin1_bytes_that_look_like_encoded_halves_are_left_alone() -> None:
    assert repair_character_references(b"s\xed\xa0\xbf Qu\xe9") == b"s\xed\xa0\xbf Qu\xe9"


def test_repairing_references_leaves_valid_ones_byte_for_byte() -> None:
    body = b"<t>&#x1F680; &#233; &amp; &#xD83D;&#xDE80;</t>"
    assert repair_character_references(body) == b"<t>&#x1F680; &#233; &amp; &#x1F680;</t>"


@pytest.mark.parametrize("encoding", ["\x00utf-8", "utf-8\x00", "x-unknown-42", "ütf-8"])
def test_a_declared_encoding_that_names_none_costs_nothing(encoding: str) -> None:
    # A NUL inside the declared name made feedparser raise ValueError: the whole feed was lost
    body = rss(
        entry("<title>Caf\u00e9 agents</title><link>https://ai-wire.example/1</link>"),
    ).replace(b'encoding="utf-8"', b'encoding="' + encoding.encode() + b'"')
    # Served without a charset, as `feeds check FILE` reads it, so the declaration counts
    feed = parse_feed(body, content_type=None, source=make_source(), now=NOW)
    assert [item.title for item in feed.items] == ["Caf\u00e9 agents"]


@pytest.mark.parametrize("charset", ['"utf-8\x00"', "bogus-99", '""'])
def test_a_served_charset_that_names_no_encoding_costs_nothing(charset: str) -> None:
    body = rss(entry("<title>Caf\u00e9 agents</title><link>https://ai-wire.example/1</link>"))
    feed = parse_feed(
        body, content_type=f"text/xml; charset={charset}", source=make_source(), now=NOW
    )
    assert [item.title for item in feed.items] == ["Caf\u00e9 agents"]


def test_json_nested_deeper_than_the_decoder_is_not_a_feed_rather_than_a_crash() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
    with pytest.raises(FeedUnparseable, match="nested too deeply"):
        parse_feed(body + b"]" * 100_000 + b"}", content_type=None, source=make_source(), now=NOW)


# --- 2. Dates are checked, not trusted --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 07 Apr 2026 20:43:00 JST", "2026-04-07T11:43:00+00:00"),
        ("2026/04/07 11:43:00", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 17:13:00 IST", "2026-04-07T11:43:00+00:00"),  # India
        ("Tue, 07 Apr 2026 06:43:00 CDT", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 21:43:00 AEST", "2026-04-07T11:43:00+00:00"),
        ("2026.04.07 20:43 KST", "2026-04-07T11:43:00+00:00"),
        ("2026-04-07T20:43:00+09:00", "2026-04-07T11:43:00+00:00"),
        ("Tuesday, 07 Apr 2026 11:43:00 GMT", "2026-04-07T11:43:00+00:00"),
        ("Apr 7, 2026 at 8:43 PM JST", "2026-04-07T11:43:00+00:00"),
        ("Tue, 7 Apr 2026 20:43:00 +0900 (JST)", "2026-04-07T11:43:00+00:00"),
        ("20260407T114300Z", "2026-04-07T11:43:00+00:00"),
    ],
)
def test_dates_are_read_with_their_zone(text: str, expected: str) -> None:
    when = parse_feed_date(text)
    assert when is not None and when.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Numeric offsets however spelled: the email parser read these as UTC
        ("Tue, 07 Apr 2026 20:43:00 +09:00", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 20:43:00 GMT+9", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 20:43:00 UTC+09:00", "2026-04-07T11:43:00+00:00"),
        ("Tue Apr 07 2026 20:43:00 GMT+0900 (Japan Standard Time)", "2026-04-07T11:43:00+00:00"),
        # A 12-hour clock in RFC 822 shape: PM was ignored
        ("Tue, 07 Apr 2026 8:43 PM JST", "2026-04-07T11:43:00+00:00"),
        # Fractional seconds, no weekday, no seconds, two-digit year, asctime
        ("Tue, 07 Apr 2026 11:43:00.000 GMT", "2026-04-07T11:43:00+00:00"),
        ("07 Apr 2026 20:43 +0900", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 26 11:43:00 GMT", "2026-04-07T11:43:00+00:00"),
        ("Tue Apr  7 11:43:00 UTC 2026", "2026-04-07T11:43:00+00:00"),
        ("2026-04-07 11:43", "2026-04-07T11:43:00+00:00"),
        # Ordinal days and dates without a time
        ("Tuesday, April 7th 2026", "2026-04-07T00:00:00+00:00"),
        ("April 7th, 2026", "2026-04-07T00:00:00+00:00"),
        ("07 Apr 2026", "2026-04-07T00:00:00+00:00"),
        # Zone names from outside the US and UK, and the US regional names with their DST
        ("Tue, 07 Apr 2026 13:43:00 MESZ", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 12:43:00 WAT", "2026-04-07T11:43:00+00:00"),
        ("Tue, 07 Apr 2026 07:43:00 ET", "2026-04-07T11:43:00+00:00"),
        ("Jan 5, 2026 8:43 PM PT", "2026-01-06T04:43:00+00:00"),
        ("Sun, 08 Mar 2026 01:59:00 ET", "2026-03-08T06:59:00+00:00"),
        ("Sun, 08 Mar 2026 03:00:00 ET", "2026-03-08T07:00:00+00:00"),
    ],
)
def test_every_spelling_of_a_zone_and_a_date_is_read(text: str, expected: str) -> None:
    when = parse_feed_date(text)
    assert when is not None and when.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["Tue, 07 Apr 2026 11:43:00 XYZ", "Tue, 07 Apr 2026 13:00 PM GMT", "04/07/2026 11:43"]
)
def test_a_zone_nobody_defined_or_an_ambiguous_order_is_not_guessed(text: str) -> None:
    assert parse_feed_date(text) is None


@pytest.mark.parametrize(
    "text", ["Apr 2026", "07/04", "yesterday", "0", "Thu, 01 Jan 1970 00:00:00 GMT", "2026/13/45"]
)
def test_incomplete_or_impossible_dates_are_unparseable(text: str) -> None:
    assert parse_feed_date(text) is None


def test_the_zone_table_resolves_ambiguous_abbreviations_as_news_feeds_mean_them() -> None:
    assert ZONE_OFFSETS["IST"] == 5 * 60 + 30  # India, not Ireland or Israel
    assert ZONE_OFFSETS["CST"] == -6 * 60  # US Central, not China
    assert ZONE_OFFSETS["JST"] == 9 * 60


def test_a_jst_pubdate_is_stored_in_utc() -> None:
    [item] = parse(
        rss(
            entry(
                "<title>Agents</title><link>https://ai-wire.example/a</link>"
                "<pubDate>Tue, 07 Apr 2026 20:43:00 JST</pubDate>"
            )
        )
    ).items
    assert item.published == datetime(2026, 4, 7, 11, 43, tzinfo=UTC)
    assert item.date_source == "feed"


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 07 Apr 2099 20:43:00 GMT",  # far ahead
        (NOW + timedelta(days=2)).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "sometime last week",
        "Apr 2026",
    ],
)
def test_future_or_unreadable_dates_become_the_first_seen_time(date: str) -> None:
    [item] = parse(
        rss(
            entry(
                "<title>Agents</title><link>https://ai-wire.example/a</link>"
                f"<pubDate>{date}</pubDate>"
            )
        )
    ).items
    assert item.published == NOW
    assert item.date_source == "first_seen"


def test_a_date_hours_ahead_is_clamped_to_now_and_kept_as_the_feeds() -> None:
    ahead = (NOW + timedelta(hours=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    [item] = parse(
        rss(
            entry(
                f"<title>A</title><link>https://ai-wire.example/a</link><pubDate>{ahead}</pubDate>"
            )
        )
    ).items
    assert (item.published, item.date_source) == (NOW, "feed")


# --- 3. Relative references resolve -----------------------------------------------------------


def test_relative_links_resolve_against_the_response_url() -> None:
    body = rss(
        entry("<title>Agents travel</title><link>/news/2026/04/agents-travel</link>"),
        entry("<title>Tools</title><link>tools/list.html</link>"),
        entry(
            '<title>Pic</title><link>../pic</link><enclosure url="/img/p.jpg" type="image/jpeg"/>'
        ),
        channel_link="https://elsewhere.example/",
    )
    feed = parse(body, base_url="https://agentweekly.example.com/feeds/feed.xml")
    assert [item.url for item in feed.items] == [
        "https://agentweekly.example.com/news/2026/04/agents-travel",
        "https://agentweekly.example.com/feeds/tools/list.html",
        "https://agentweekly.example.com/pic",
    ]
    assert [media.url for media in feed.items[2].media] == [
        "https://agentweekly.example.com/img/p.jpg"
    ]


def test_without_a_response_url_links_resolve_against_the_channel_link() -> None:
    body = rss(
        entry("<title>Agents travel</title><link>/news/2026/04/agents-travel</link>"),
        channel_link="https://agentweekly.example.com/",
    )
    [item] = parse(body).items
    assert item.url == "https://agentweekly.example.com/news/2026/04/agents-travel"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("../x", "https://agentweekly.example.com/x"),
        ("//cdn.example.net/x", "https://cdn.example.net/x"),
        ("?p=1", "https://agentweekly.example.com/blog/?p=1"),
        ("\n   /news/a\n  ", "https://agentweekly.example.com/news/a"),
    ],
)
def test_every_form_of_relative_link_resolves(link: str, expected: str) -> None:
    body = rss(
        entry(f"<title>T</title><link>{link}</link>"),
        channel_link="https://agentweekly.example.com/blog/",
    )
    assert [item.url for item in parse(body).items] == [expected]


def test_an_atom_feed_resolves_against_xml_base_then_its_self_link() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>A</title><id>x</id><updated>2026-04-07T11:43:00Z</updated>"
        b'<link rel="self" href="https://self.example.org/feeds/feed.atom"/>'
        b'<entry><title>E1</title><id>e1</id><link href="/posts/1"/>'
        b"<updated>2026-04-07T11:43:00Z</updated></entry>"
        b'<entry xml:base="https://base.example.org/other/"><title>E2</title><id>e2</id>'
        b'<link href="p2"/><updated>2026-04-07T11:43:00Z</updated>'
        b'<content type="html">&lt;img src="i.png"&gt;</content></entry></feed>'
    )
    # With no site link and no response URL, relative entries were dropped
    first, second = parse(atom).items
    assert first.url == "https://self.example.org/posts/1"
    assert second.url == "https://base.example.org/other/p2"
    assert second.content_html == '<img src="https://base.example.org/other/i.png">'


def test_relative_urls_inside_content_resolve_too() -> None:
    body = rss(
        entry(
            "<title>Charts</title><link>/c</link><content:encoded><![CDATA["
            '<p><a href="/news/b">b</a><img src="img/chart.png" alt="c"></p>]]></content:encoded>'
        ),
        channel_link="https://agentweekly.example.com/blog/",
    )
    [from_channel] = parse(body).items
    assert from_channel.content_html == (
        '<p><a href="https://agentweekly.example.com/news/b" rel="noopener noreferrer nofollow">'
        'b</a><img alt="c" src="https://agentweekly.example.com/blog/img/chart.png"></p>'
    )
    [from_response] = parse(body, base_url="https://cdn.example/feeds/all.xml").items
    assert 'src="https://cdn.example/feeds/img/chart.png"' in from_response.content_html


def test_relative_urls_with_nothing_to_resolve_against_are_dropped() -> None:
    assert sanitise_html('<a href="/x">x</a><img src="i.png">') == (
        '<a rel="noopener noreferrer nofollow">x</a><img>'
    )


# --- 4. A title is not required ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "Anthropic ships a new model. It is faster and cheaper than before.",
            "Anthropic ships a new model.",
        ),
        (
            "&lt;p&gt;Meta opens its &lt;b&gt;training&lt;/b&gt; logs! More below.&lt;/p&gt;",
            "Meta opens its training logs!",
        ),
        (
            "A very long first sentence " + "with many words " * 12 + "that goes on.",
            "A very long first sentence with many words with many words with many words with "
            "many words with many words with many…",
        ),
    ],
)
def test_an_untitled_item_takes_its_first_sentence_as_a_derived_title(
    description: str, expected: str
) -> None:
    [item] = parse(
        rss(
            entry(f"<description>{description}</description><link>https://ai-wire.example/n</link>")
        )
    ).items
    assert item.title == expected
    assert item.title_derived is True


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # A lead paragraph or heading without a full stop ran on into the body
        (
            "<![CDATA[<p>OpenAI ships Codex agents</p><p>They run in the cloud.</p>]]>",
            "OpenAI ships Codex agents",
        ),
        ("<![CDATA[Headline here<br>Body text on the next line.]]>", "Headline here"),
        ("<![CDATA[<h2>Agents go to work</h2>Body text follows.]]>", "Agents go to work"),
        # Abbreviations, versions and questions are not sentence ends / are
        ("U.S. regulators open an AI probe. Details follow.", "U.S. regulators open an AI probe."),
        ("OpenAI releases GPT-4.5 today. More soon.", "OpenAI releases GPT-4.5 today."),
        ("Is GPT-5 coming? Maybe.", "Is GPT-5 coming?"),
    ],
)
def test_a_derived_title_ends_at_the_first_sentence_line_or_paragraph(
    description: str, expected: str
) -> None:
    [item] = parse(
        rss(
            entry(
                "<title>  </title>"
                f"<description>{description}</description><link>https://ai-wire.example/n</link>"
            )
        )
    ).items
    assert (item.title, item.title_derived) == (expected, True)


def test_an_atom_entry_without_a_title_takes_its_summary_or_xhtml_content() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<link href="https://a.example/"/><id>x</id><updated>2026-04-07T11:43:00Z</updated>'
        b'<entry><id>e1</id><link href="/posts/1"/><updated>2026-04-07T11:43:00Z</updated>'
        b"<summary>Atom entry without a title. Second.</summary></entry>"
        b'<entry><title type="html"></title><id>e2</id><link href="/posts/2"/>'
        b'<updated>2026-04-07T11:43:00Z</updated><content type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml"><p>XHTML content only. More.</p></div>'
        b"</content></entry></feed>"
    )
    assert [(item.title, item.title_derived) for item in parse(atom).items] == [
        ("Atom entry without a title.", True),
        ("XHTML content only.", True),
    ]


def test_an_item_with_neither_title_nor_text_is_skipped() -> None:
    feed = parse(rss(entry("<link>https://ai-wire.example/n</link>")))
    assert (feed.items, feed.skipped) == ([], 1)


# --- 5. URL clean-up never changes what a URL points to ---------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "https://papershelf.example.edu/papers/Scaling Laws v2.html",
            "https://papershelf.example.edu/papers/Scaling%20Laws%20v2.html",
        ),
        (
            "https://s9y.example.org/index.php?/archives/42-fine-tuning-llm.html",
            "https://s9y.example.org/index.php?/archives/42-fine-tuning-llm.html",
        ),
        (
            "https://blog.example.com/p?id=7&amp;sort=a+b&amp;utm_source=rss&amp;fbclid=x",
            "https://blog.example.com/p?id=7&sort=a+b",
        ),
        ("https://blog.example.com/search?q=%2Fllm%20eval", "https://blog.example.com/search?q=%2Fllm%20eval"),
        # A field holding ";" may carry the id: `utm_source=x;id=5` was deleted whole
        ("https://cms.example/p?utm_source=x;id=5", "https://cms.example/p?utm_source=x;id=5"),
        # Non-ASCII is percent-encoded as browsers send it: one spelling for both forms
        ("https://example.jp/記事/モデル", "https://example.jp/%E8%A8%98%E4%BA%8B/%E3%83%A2%E3%83%87%E3%83%AB"),
        ("https://example.jp/%E8%A8%98%E4%BA%8B", "https://example.jp/%E8%A8%98%E4%BA%8B"),
        # Known trackers beyond utm_*, in any case; "+", "%2F", repeated keys untouched
        ("https://news.example/a+b/c%2Fd?a=1&amp;a=2&amp;UTM_SOURCE=rss&amp;guccounter=1", "https://news.example/a+b/c%2Fd?a=1&a=2"),
        ("https://news.example/p?id=1&amp;hsCtaTracking=abc&amp;_openstat=x&amp;fb_ref=y", "https://news.example/p?id=1"),
        # Tracking written into the fragment goes; a hashbang route stays
        ("https://news.example/p#utm_source=rss&amp;utm_medium=feed", "https://news.example/p"),
        ("https://app.example/#!/post/42", "https://app.example/#!/post/42"),
    ],
)  # fmt: skip
def test_links_keep_what_they_point_to(link: str, expected: str) -> None:
    [item] = parse(rss(entry(f"<title>Paper</title><link>{link}</link>"))).items
    assert item.url == expected


def test_guidless_entries_that_differ_by_fragment_stay_two_items() -> None:
    feed = parse(
        rss(
            entry("<title>v3.1</title><link>https://tool.example/changelog#v3-1</link>"),
            entry("<title>v3.0</title><link>https://tool.example/changelog#v3-0</link>"),
            entry("<title>v3.0 again</title><link>https://tool.example/changelog#v3-0</link>"),
        )
    )
    assert [item.url for item in feed.items] == [
        "https://tool.example/changelog#v3-1",
        "https://tool.example/changelog#v3-0",
    ]


# --- 6. Markup never turns into visible text --------------------------------------------------

NOSCRIPT = (
    '<p>Benchmarks.</p><noscript><img src="https://cdn.example/chart.png" alt="Scores"></noscript>'
)
LAZY = (
    '<p>Lazy.</p><img src="data:image/gif;base64,R0lGOD" data-src="https://cdn.example/real.jpg"'
    ' alt="Real"><noscript><img src="https://cdn.example/real.jpg" alt="Real"></noscript>'
)
PICTURE = (
    '<p>Picture.</p><picture><source srcset="https://cdn.example/s.webp 480w, '
    'https://cdn.example/l.webp 1200w"><img src="/placeholder.gif" alt="P"></picture>'
)
SRCSET = (
    '<p>Set.</p><img data-srcset="https://cdn.example/1x.jpg 1x, https://cdn.example/2x.jpg 2x">'
)


@pytest.mark.parametrize(
    ("markup", "image"),
    [
        (NOSCRIPT, '<img alt="Scores" src="https://cdn.example/chart.png">'),
        (LAZY, '<img alt="Real" src="https://cdn.example/real.jpg">'),
        (PICTURE, '<img alt="P" src="https://cdn.example/l.webp">'),
        (SRCSET, '<img src="https://cdn.example/2x.jpg">'),
        # A relative lazy URL: it was lost (only absolute ones were taken as real)
        (
            '<p>Rel.</p><img src="data:image/gif;base64,R0l" data-src="/uploads/real.jpg">',
            '<img src="https://ai-wire.example/uploads/real.jpg">',
        ),
        # An image CDN's URL with commas inside a srcset: it was cut at the first comma
        (
            '<p>CDN.</p><img src="data:," data-srcset="https://res.example/w_480,c_fill/a.jpg'
            ' 480w, https://res.example/w_1200,c_fill/a.jpg 1200w">',
            '<img src="https://res.example/w_1200,c_fill/a.jpg">',
        ),
        # A picture whose sources and fallback are relative: the image was lost
        (
            '<p>Rel picture.</p><picture><source type="image/webp" srcset="/img/a.webp 1x,'
            '/img/a@2x.webp 2x"><img src="/img/a.jpg" alt="R"></picture>',
            '<img alt="R" src="https://ai-wire.example/img/a@2x.webp">',
        ),
        # A plain relative image next to a lazy one keeps its own URL
        (
            '<p>Two.</p><img src="img/one.png" alt="1"><img data-lazy-src="https://cdn.example/2.png"'
            ' src="/blank.gif" loading="lazy">',
            '<img alt="1" src="https://ai-wire.example/img/one.png">',
        ),
    ],
)
def test_hidden_and_lazy_images_keep_their_real_url_and_no_tag_text(
    markup: str, image: str
) -> None:
    [item] = parse(
        rss(
            entry(
                "<title>Charts</title><link>https://ai-wire.example/c</link>"
                f"<content:encoded><![CDATA[{markup}]]></content:encoded>"
                f"<description><![CDATA[{markup}]]></description>"
            )
        )
    ).items
    assert item.content_html.count("<img") == (2 if markup.startswith("<p>Two.") else 1)
    assert image in item.content_html
    assert "&lt;" not in item.content_html
    assert "<" not in item.summary and "img" not in item.summary
    # What the model reads (the prompt's article text) carries no tag text either
    prompt_text = article_text_for(item)
    assert "<" not in prompt_text and "img" not in prompt_text and prompt_text.endswith(".")


@pytest.mark.parametrize(
    "part",
    [
        # Feeds that cut excerpts at N characters cut them mid-tag: the tag was shown as text
        '<description><![CDATA[<p>Agents book travel <a href="https://x.example/lo]]></description>',
        '<description>Agents book travel &lt;img src="https://x.example/a.png" alt="</description>',
        '<content:encoded><![CDATA[<p>Agents book travel <img src="https://x.example/a.png" al]]>'
        "</content:encoded>",
    ],
)
def test_a_tag_cut_off_at_the_end_of_an_excerpt_is_no_text(part: str) -> None:
    [item] = parse(rss(entry("<title>T</title><link>https://ai-wire.example/m</link>", part))).items
    assert item.summary == "Agents book travel"
    assert article_text_for(item) == "Agents book travel"


def test_noscript_text_is_what_readers_never_see_and_is_dropped() -> None:
    markup = (
        "<p>Lead.</p><noscript>Please enable JavaScript to view the comments."
        '<img src="https://cdn.example/n.png" alt="N"></noscript><p>End.</p>'
    )
    assert sanitise_html(markup) == (
        '<p>Lead.</p><img alt="N" src="https://cdn.example/n.png"><p>End.</p>'
    )


def test_a_lazy_url_still_obeys_the_http_only_rule() -> None:
    html = '<img src="https://cdn.example/ok.jpg" data-src="javascript:alert(1)">'
    assert sanitise_html(html) == '<img src="https://cdn.example/ok.jpg">'
    assert sanitise_html('<img data-src="data:image/png;base64,AAAA">') == ""
    assert sanitise_html('<img src="/a.png" data-src="javascript:alert(1)">') == "<img>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('Chart &lt;img src="x.png" alt="Scores"&gt; inside', "Chart inside"),
        ("Intro &lt;/p&gt;&lt;p&gt; next", "Intro next"),
        ("A &lt;T&gt; parameter in Rust", "A <T> parameter in Rust"),
        ("x &lt; y and a &lt;b", "x < y and a"),
        (
            'Chart &lt;img/src="x.png"&gt; and &lt;img alt="a&gt;b" src="x.png"&gt; inside',
            "Chart and inside",
        ),
    ],
)
def test_tags_written_as_text_never_reach_plain_text(value: str, expected: str) -> None:
    assert plain_text(value, "text/html") == expected


# --- 7. Control characters separate words -----------------------------------------------------


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\u2028", "\u2029", "\x85", "\x1f"])
def test_control_characters_between_words_become_spaces(separator: str) -> None:
    title = f"New AI model{separator}ships with a faster tokenizer"
    assert plain_text(title, "text/plain") == "New AI model ships with a faster tokenizer"
    assert plain_text(title, "text/html") == "New AI model ships with a faster tokenizer"


def test_a_vertical_tab_in_a_feed_title_separates_words() -> None:
    # Written as a reference: XML 1.0 forbids the raw character, feeds write it anyway
    [item] = parse(
        rss(
            entry(
                "<title>New AI model&#x0B;ships with a faster\u2028tokenizer</title>"
                "<link>https://ai-wire.example/t</link>"
            )
        )
    ).items
    assert item.title == "New AI model ships with a faster tokenizer"


@pytest.mark.parametrize(
    "separator", ["\x85", "&#x85;", "&#133;", "&#x0B;", "&#12;", "\u2028", "&#x2029;"]
)
def test_a_separator_in_any_text_field_of_a_feed_separates_words(separator: str) -> None:
    # NEL raw in UTF-8 or as a reference was read as the Windows-1252 "…"; a control written
    # as a reference inside HTML decoded to nothing, joining the words
    [item] = parse(
        rss(
            entry(
                f"<title>New AI model{separator}ships</title><link>https://ai-wire.example/t</link>"
                f"<description>Summary of{separator}words.</description>"
                f"<category>Machine{separator}Learning</category>"
                f"<content:encoded><![CDATA[<p>Content of{separator}words.</p>]]></content:encoded>"
            )
        )
    ).items
    assert (item.title, item.summary, item.categories) == (
        "New AI model ships",
        "Summary of words.",
        ("Machine Learning",),
    )
    assert item.content_html == "<p>Content of words.</p>"
    assert article_text_for(item) == "Summary of words.\n\nContent of words."


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("New AI\ufeff model ships", "New AI model ships"),  # BOM mid-text
        ("Trans\u00adformer ships", "Transformer ships"),  # soft hyphen
        ("New \u200emodel\u202e ships", "New model ships"),  # direction marks
        ("New\u00a0AI\u3000model", "New AI model"),  # no-break and ideographic spaces
        (
            "Coder \U0001f468\u200d\U0001f4bb agents",
            "Coder \U0001f468\u200d\U0001f4bb agents",
        ),  # ZWJ kept
    ],
)
def test_invisible_format_characters_are_removed_and_joiners_kept(
    title: str, expected: str
) -> None:
    [item] = parse(
        rss(entry(f"<title>{title}</title><link>https://ai-wire.example/t</link>"))
    ).items
    assert item.title == expected


# --- 8. JSON Feed -----------------------------------------------------------------------------


def json_feed(version: str, *items: dict) -> bytes:
    return json.dumps(
        {
            "version": f"https://jsonfeed.org/version/{version}",
            "title": "Agent Weekly",
            "home_page_url": "https://agentweekly.example.com/",
            "items": list(items),
        }
    ).encode()


def test_a_json_feed_1_1_becomes_the_same_items() -> None:
    body = json_feed(
        "1.1",
        {
            "id": "post-1",
            "url": "https://agentweekly.example.com/p/1?utm_source=json",
            "title": "Agents book travel",
            "content_html": '<p>Booked.</p><script>x()</script><img data-src="https://cdn.example/a.jpg">',
            "summary": "Agents now book trips.",
            "date_published": "2026-04-07T20:43:00+09:00",
            "authors": [{"name": "Ann Lee"}],
            "tags": ["agents", 7],
            "image": "https://cdn.example/cover.jpg",
        },
        {"id": 2, "url": "/p/2", "content_text": "Untitled note. Second sentence."},
    )
    feed = parse_feed(body, content_type="application/feed+json", source=make_source(), now=NOW)
    first, second = feed.items
    assert feed.format == "json11"
    assert feed.title == "Agent Weekly"
    assert first.url == "https://agentweekly.example.com/p/1"
    assert first.title == "Agents book travel"
    assert first.summary == "Agents now book trips."
    assert first.content_html == '<p>Booked.</p><img src="https://cdn.example/a.jpg">'
    assert first.published == datetime(2026, 4, 7, 11, 43, tzinfo=UTC)
    assert (first.author, first.categories) == ("Ann Lee", ("agents",))
    assert [media.url for media in first.media] == ["https://cdn.example/cover.jpg"]
    assert (second.url, second.title, second.title_derived) == (
        "https://agentweekly.example.com/p/2",
        "Untitled note.",
        True,
    )
    assert second.date_source == "first_seen"


def test_a_json_feed_1_0_with_an_author_object_is_read() -> None:
    body = json_feed(
        "1",
        {
            "id": "a",
            "url": "https://agentweekly.example.com/a",
            "title": "T" * 600,
            "content_text": "Plain\n\ntext",
            "author": {"name": "Bo"},
            "date_modified": "2026-04-07T11:43:00Z",
        },
    )
    [item] = parse_feed(body, content_type="application/json", source=make_source(), now=NOW).items
    assert (item.author, len(item.title), item.content_html) == (
        "Bo",
        500,
        "<p>Plain</p><p>text</p>",
    )
    assert item.published == datetime(2026, 4, 7, 11, 43, tzinfo=UTC)


def test_json_feed_variants_of_real_feeds_are_read() -> None:
    body = json.dumps(
        {
            "version": "http://jsonfeed.org/version/1",  # http, as some early feeds wrote it
            "title": "Old JSON",
            "feed_url": "https://old.example/feed.json",  # no home page: relative to the feed
            "items": [
                {"id": "1", "url": "/p/1", "title": "One", "author": "Jane Roe"},
                {"id": "2", "external_url": "https://other.example/x", "content_text": "Two. B."},
            ],
        }
    ).encode("utf-16")  # JSON's decoder reads UTF-16 and UTF-32 too
    first, second = parse_feed(body, content_type=None, source=make_source(), now=NOW).items
    assert (first.url, first.title, first.author) == ("https://old.example/p/1", "One", "Jane Roe")
    assert (second.url, second.title, second.title_derived) == (
        "https://other.example/x",
        "Two.",
        True,
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"version": "1", "items": []}',
        b"{not json",
        b'{"version": "https://jsonfeed.org/version/1.1"}',
    ],
)
def test_json_that_is_not_a_json_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedUnparseable):
        parse_feed(body, content_type="application/json", source=make_source(), now=NOW)


def test_json_feed_entries_of_the_wrong_type_cost_only_themselves() -> None:
    body = json_feed(
        "1.1",
        {"id": "ok", "url": "https://agentweekly.example.com/ok", "title": "Fine"},
        {"id": ["x"], "url": {"x": 1}, "title": 5},
        "not an object",
    )
    feed = parse_feed(body, content_type=None, source=make_source(), now=NOW)
    assert [item.title for item in feed.items] == ["Fine"]


def test_an_undated_item_never_leads_the_dated_news_of_its_poll() -> None:
    dated = make_article(1, item=make_item(1, published=NOW - timedelta(hours=2), first_seen=NOW))
    undated = make_article(
        2, item=make_item(2, published=NOW, first_seen=NOW, date_source="first_seen")
    )
    earlier_poll = make_article(
        3,
        item=make_item(3, published=NOW - timedelta(hours=1), first_seen=NOW - timedelta(hours=1)),
    )
    assert [a.id for a in newest_first([undated, earlier_poll, dated])] == [
        dated.id,
        undated.id,
        earlier_poll.id,
    ]
