from datetime import UTC, datetime, timedelta

import pytest

from frontline.domain.feed_entries import defuse, parse_feed
from frontline.domain.ports import FeedUnparseable
from tests.factories import NOW, make_source


def rss(*items: str, extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" {extra_ns}>'
        "<channel><title>AI Wire</title><link>https://ai-wire.example/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(
    title: str,
    link: str = "",
    guid: str = "",
    date: str = "Fri, 20 Nov 2026 10:00:00 GMT",
    body: str = "",
) -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if body:
        parts.append(f"<content:encoded><![CDATA[{body}]]></content:encoded>")
    return "<item>" + "".join(parts) + "</item>"


def parse(body: bytes):
    return parse_feed(
        body, content_type="application/rss+xml; charset=utf-8", source=make_source(), now=NOW
    )


def test_items_are_normalised() -> None:
    # Given an RSS item with tracking parameters and HTML content
    feed = parse(
        rss(
            item(
                "Model &amp; data",
                "https://ai-wire.example/a?utm_source=x#top",
                "g1",
                body="<p>Hello <b>world</b></p>",
            )
        )
    )
    # Then the link is canonical, the title decoded, the content kept
    [only] = feed.items
    assert only.url == "https://ai-wire.example/a"
    assert only.title == "Model & data"
    assert "<b>world</b>" in only.content_html
    assert only.published == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert feed.format == "rss20"
    assert feed.warning is None


def test_content_is_sanitised_with_the_allow_list() -> None:
    hostile = (
        '<p onclick="x()">ok</p><script>window.__xss=1</script><img src=x onerror=alert(1)>'
        '<a href="javascript&#58;alert(1)">j</a><a href="data:text/html,x">d</a>'
        '<iframe srcdoc="<script>x</script>"></iframe><svg><script>alert(1)</script></svg>'
        "<math><mglyph><style><img src=x onerror=alert(2)></style></mglyph></math>"
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="https://evil.example/">'
        '<p style="background:url(javascript:alert(1))">s</p><a href="https://ok.example/">fine</a>'
    )
    [only] = parse(rss(item("Hostile", "https://ai-wire.example/h", body=hostile))).items
    html = only.content_html.lower()
    for needle in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
        "<math",
        "<meta",
        "<base",
        "style=",
    ):
        assert needle not in html, needle
    assert 'href="https://ok.example/"' in only.content_html
    assert 'rel="noopener noreferrer nofollow"' in only.content_html


def test_a_script_written_into_a_title_never_becomes_title_text() -> None:
    [only] = parse(
        rss(item("&lt;script&gt;alert(1)&lt;/script&gt; News", "https://ai-wire.example/s"))
    ).items
    assert only.title == "News"  # markup written as text is still markup, never shown


def test_repeated_guids_fall_back_to_the_link() -> None:
    feed = parse(
        rss(*(item(f"Story {n}", f"https://ai-wire.example/{n}", "same-guid") for n in range(3)))
    )
    assert len({entry.id for entry in feed.items}) == 3


def test_same_link_with_different_tracking_is_one_item() -> None:
    feed = parse(
        rss(
            item("Story", "https://ai-wire.example/x?utm_source=a"),
            item("Story again", "https://ai-wire.example/x?utm_source=b&utm_medium=c"),
        )
    )
    assert len(feed.items) == 1


def test_ids_are_stable_across_polls() -> None:
    document = rss(item("Story", "https://ai-wire.example/x", "g-1"))
    assert parse(document).items[0].id == parse(document).items[0].id


def test_items_without_link_or_with_javascript_links_are_skipped() -> None:
    feed = parse(
        rss(
            item("No link"),
            item("Bad link", "javascript:alert(1)"),
            item("Good", "https://ai-wire.example/g"),
        )
    )
    assert [entry.title for entry in feed.items] == ["Good"]
    assert feed.skipped == 2


def test_dates_future_clamped_missing_first_seen() -> None:
    feed = parse(
        rss(
            item("Future", "https://ai-wire.example/f", date="Thu, 01 Jan 2099 00:00:00 GMT"),
            item("Undated", "https://ai-wire.example/u", date=""),
        )
    )
    by_title = {entry.title: entry for entry in feed.items}
    assert by_title["Future"].published == NOW
    assert by_title["Undated"].published == NOW


def test_doctype_and_entities_are_removed_before_parsing() -> None:
    # A billion-laughs document: expanding it would take gigabytes
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    document = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "ha">'
        + laughs
        + '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&l9; &xxe;</title>'
        "<link>https://ai-wire.example/l</link></item></channel></rss>"
    ).encode()
    assert b"<!DOCTYPE" not in defuse(document)
    feed = parse(document)
    for entry in feed.items:
        assert len(entry.title) < 200
        assert "root:" not in entry.title


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedUnparseable):
        parse(
            b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
        )


def test_ill_formed_feed_keeps_entries_with_a_warning() -> None:
    broken = rss(item("Kept", "https://ai-wire.example/k"))[: -len(b"</channel></rss>")]
    feed = parse(broken)
    assert [entry.title for entry in feed.items] == ["Kept"]
    assert feed.warning


def test_youtube_entries_get_video_and_thumbnail_media() -> None:
    document = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
<title>Channel</title>
<entry><id>yt:video:AbCdEfGhIjK</id><yt:videoId>AbCdEfGhIjK</yt:videoId><title>Agents explained</title>
<link rel="alternate" href="https://www.youtube.com/watch?v=AbCdEfGhIjK"/><published>2026-11-20T10:00:00+00:00</published>
<media:group><media:title>Agents explained</media:title><media:thumbnail url="https://i.ytimg.com/vi/AbCdEfGhIjK/hqdefault.jpg" width="480" height="360"/>
<media:description>How AI agents work.</media:description></media:group></entry></feed>"""
    [video] = parse_feed(
        document,
        content_type="application/atom+xml",
        source=make_source(kind="video", image_hosts=["i.ytimg.com"]),
        now=NOW,
    ).items
    kinds = {media.kind.value: media for media in video.media}
    assert kinds["video"].video_id == "AbCdEfGhIjK"
    assert kinds["image"].url == "https://i.ytimg.com/vi/AbCdEfGhIjK/hqdefault.jpg"
    assert (kinds["image"].width, kinds["image"].height) == (480, 360)


def test_leading_blank_lines_before_prolog_are_tolerated() -> None:
    feed = parse(b"\n\n  " + rss(item("Story", "https://ai-wire.example/x")))
    assert len(feed.items) == 1


def test_old_dates_are_kept_as_published() -> None:
    feed = parse(
        rss(item("Old", "https://ai-wire.example/o", date="Mon, 01 Jan 2018 00:00:00 GMT"))
    )
    assert feed.items[0].published < NOW - timedelta(days=365)


def test_html_summaries_keep_word_breaks_between_blocks() -> None:
    document = rss(item("S", "https://ai-wire.example/s")).replace(
        b"</item>",
        b"<description>&lt;p&gt;MCP servers&lt;/p&gt;&lt;p&gt;Windsurf previews&lt;/p&gt;</description></item>",
    )
    [only] = parse(document).items
    assert only.summary == "MCP servers Windsurf previews"


def test_items_carry_whether_their_feed_is_ai_focused() -> None:
    body = rss(item("Story", "https://ai-wire.example/x"))
    assert parse(body).items[0].ai_focused
    general = parse_feed(body, content_type=None, source=make_source(include=["AI"]), now=NOW)
    assert not general.items[0].ai_focused


def test_hacker_news_points_comments_and_thread_become_fields() -> None:
    description = (
        '<![CDATA[<p>A write-up on distillation.</p><hr><p>Article URL: <a href="https://x.example/a">'
        'https://x.example/a</a></p><p>Comments URL: <a href="https://news.ycombinator.com/item?id=1">'
        "https://news.ycombinator.com/item?id=1</a></p><p>Points: 412</p><p># Comments: 138</p>]]>"
    )
    body = rss(item("Show HN: tiny model", "https://x.example/a")).replace(
        b"</item>",
        f"<description>{description}</description><comments>https://news.ycombinator.com/item?id=1</comments></item>".encode(),
    )
    [story] = parse(body).items
    assert (story.points, story.comment_count) == (412, 138)
    assert story.discussion_url == "https://news.ycombinator.com/item?id=1"
    assert story.summary == "A write-up on distillation."


def test_items_without_discussion_have_no_counts() -> None:
    [plain] = parse(rss(item("Story", "https://ai-wire.example/x"))).items
    assert (plain.points, plain.comment_count, plain.discussion_url) == (None, None, None)
