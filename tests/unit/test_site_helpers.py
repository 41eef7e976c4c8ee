"""The site's pure helpers: JST formatting, read time, stars, paths, hrefs and sanitising."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.site import (
    SiteConfig,
    company_path,
    format_jst,
    jst,
    read_minutes,
    safe_href,
    source_path,
    stars,
    tag_path,
)
from frontline.site.formatting import format_jst_day_heading, rfc822
from frontline.site.paths import href_for, key_for, path_segment, tag_segment
from frontline.site.sanitise import clean_original_html, script_json


def test_jst_is_utc_plus_nine_all_year() -> None:
    winter = jst(datetime(2026, 1, 15, 15, 30, tzinfo=UTC))
    summer = jst(datetime(2026, 7, 15, 15, 30, tzinfo=UTC))
    assert winter.utcoffset() == summer.utcoffset() == timedelta(hours=9)
    assert (winter.day, winter.hour) == (16, 0)


def test_format_jst_matches_the_reference_byline() -> None:
    assert format_jst(datetime(2026, 4, 7, 11, 43, tzinfo=UTC)) == "2026年4月7日 20:43"
    assert format_jst(datetime(2026, 3, 6, 0, 0, tzinfo=UTC)) == "2026年3月6日 09:00"
    # another offset is converted, not relabelled
    new_york = timezone(timedelta(hours=-4))
    assert format_jst(datetime(2026, 4, 7, 7, 43, tzinfo=new_york)) == "2026年4月7日 20:43"


def test_day_heading_names_the_japanese_weekday() -> None:
    assert format_jst_day_heading(datetime(2026, 4, 7, 0, 0, tzinfo=UTC)) == "2026年4月7日（火）"


def test_rfc822_is_gmt() -> None:
    assert rfc822(datetime(2026, 4, 7, 11, 43, tzinfo=UTC)) == "Tue, 07 Apr 2026 11:43:00 GMT"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("", 1),
        ("短い。", 1),
        ("あ" * 550, 1),
        ("あ" * 1100, 2),
        ("あ" * 1650, 3),
        ("あ " * 1100, 2),
        ("model " * 290, 1),  # 290 English words: 1.2 minutes, not 290·6/550 ≈ 3.2
        ("model " * 476, 2),  # 2.0 minutes at 238 words a minute
        ("日本語" * 183 + " OpenAI GPT-5 " * 119, 2),  # 549 characters + 238 words
        ("ＧＰＴ－５ " * 300, 1),  # full-width Latin: 300 words, not 1,500 characters
        ("model — " * 300, 1),  # dashes between words are no words: 300, not 600
        ("• item " * 300, 1),
        ("OpenAIは新モデルを発表した。" * 25 + "The model is fast. " * 60, 2),  # 300 + 240
    ],
)
def test_read_minutes_counts_each_script_at_its_own_rate(text: str, minutes: int) -> None:
    assert read_minutes(text) == minutes


@pytest.mark.parametrize(
    ("importance", "shown"),
    [(1, "★☆☆☆☆"), (4, "★★★★☆"), (5, "★★★★★"), (0, "★☆☆☆☆"), (9, "★★★★★")],
)
def test_stars(importance: int, shown: str) -> None:
    assert stars(importance) == shown


@pytest.mark.parametrize(
    ("tag", "path"),
    [
        ("生成AI", "/tags/生成ai/"),
        ("#OpenAI", "/tags/openai/"),
        ("Claude Code", "/tags/claude-code/"),
        ("C++", "/tags/c-plus-plus/"),
        ("Ｆｕｌｌｗｉｄｔｈ", "/tags/fullwidth/"),
        ("../../etc/passwd", "/tags/etc-passwd/"),
        ("a/b\\c?d#e%f", "/tags/a-b-c-d-sharp-e-f/"),
        ("GPT-4.5", "/tags/gpt-4-5/"),
        ("rss.xml", "/tags/rss-xml/"),
    ],
)
def test_tag_path(tag: str, path: str) -> None:
    assert tag_path(tag) == path


def test_tag_path_never_empty() -> None:
    assert tag_path("///").startswith("/tags/tag-")
    assert tag_path("...") != tag_path("///")


@given(st.text(min_size=1, max_size=120))
def test_path_segments_are_always_safe(text: str) -> None:
    segment = path_segment(text)
    assert segment
    assert "." not in segment
    assert not segment.startswith(("-", "_"))
    assert len(segment) <= 80
    for forbidden in "/\\%?#&+ \t\n\r\x00\x7f":
        assert forbidden not in segment
    assert all(ch.isprintable() for ch in segment)
    assert key_for(f"/tags/{tag_segment(text)}/").startswith("tags/")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("Google DeepMind", "/companies/google-deepmind/"),
        ("OpenAI", "/companies/openai/"),
        ("AT&T", "/companies/at-and-t/"),
        ("Société Générale", "/companies/societe-generale/"),
    ],
)
def test_company_path_is_an_ascii_slug(name: str, path: str) -> None:
    assert company_path(name) == path


def test_company_path_for_a_name_without_latin_letters_falls_back_to_a_hash() -> None:
    path = company_path("ソフトバンク")
    assert path.startswith("/companies/company-") and path.isascii()
    assert company_path("ソフトバンク") == path


def test_source_path() -> None:
    assert source_path("the-decoder") == "/sources/the-decoder/"


def test_keys_hold_raw_utf8_and_hrefs_are_percent_encoded() -> None:
    assert key_for("/") == "index.html"
    assert key_for("/tags/生成ai/") == "tags/生成ai/index.html"
    assert key_for("/rss.xml") == "rss.xml"
    assert href_for("/tags/生成ai/") == "/tags/%E7%94%9F%E6%88%90ai/"
    for bad in ("relative/path", "//evil.example/", "/a/../b/"):
        with pytest.raises(ValueError, match="not a site path"):
            key_for(bad)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com/", "http://example.com/"),
        ("HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/"),
        ("javascript:alert(1)", "#"),
        ("JaVaScRiPt:alert(1)", "#"),
        ("data:text/html,<script>", "#"),
        ("/relative", "#"),
        ("//evil.example/", "#"),
        (" https://example.com/", "#"),
        ("https://exa mple.com/", "#"),
        ("https://example.com/\nx", "#"),
        ("https://", "#"),
        (None, "#"),
    ],
)
def test_safe_href_only_passes_absolute_http_urls(url: object, expected: str) -> None:
    assert safe_href(url) == expected


def test_original_html_is_sanitised_again_with_a_strict_allow_list() -> None:
    html = (
        '<p onclick="x()">Hi <a href="javascript:alert(1)">bad</a> '
        '<a href="/more">more</a> <a href="https://ok.example/">ok</a></p>'
        "<script>window.__xss=1</script><img src=x onerror=alert(1)>"
        '<iframe src="https://evil.example/"></iframe><table><tr><td>cell</td></tr></table>'
        '<img src="https://cdn.example/a.png" alt="図" width="10" height="5" style="x">'
    )
    cleaned = str(
        clean_original_html(
            html, "https://source.example/news/1", image_hosts=frozenset({"cdn.example"})
        )
    )
    assert "script" not in cleaned and "__xss" not in cleaned
    assert "onerror" not in cleaned and "onclick" not in cleaned and "style" not in cleaned
    assert "javascript" not in cleaned and "iframe" not in cleaned and "<table" not in cleaned
    assert 'href="https://source.example/more"' in cleaned  # relative links point at the source
    assert 'rel="noopener noreferrer nofollow"' in cleaned
    assert '<img src="https://cdn.example/a.png" alt="図" width="10" height="5"' in cleaned
    assert 'loading="lazy"' in cleaned


def test_original_html_shows_only_images_from_the_sources_hosts() -> None:
    html = (
        '<p>Story <img src="https://source.example/lead.jpg" alt="lead"></p>'
        '<img src="https://pixel.tracker.example/t.gif?reader=1" width="1" height="1">'
        '<img src="http://source.example/plain.jpg">'
    )
    cleaned = str(
        clean_original_html(
            html, "https://source.example/news/1", image_hosts=frozenset({"source.example"})
        )
    )
    assert 'src="https://source.example/lead.jpg"' in cleaned
    assert "tracker" not in cleaned and "plain.jpg" not in cleaned


def test_script_json_cannot_end_its_script_element() -> None:
    text = str(script_json({"headline": "</script><script>alert(1)</script>&\u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert "\\u003c/script\\u003e" in text


def test_site_config_validates_its_base_url() -> None:
    site = SiteConfig(
        title="AIニュース最前線", tagline="毎時更新", base_url="http://127.0.0.1:8000/"
    )
    assert site.base_url == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="base_url"):
        SiteConfig(title="AIニュース最前線", tagline="毎時更新", base_url="javascript:alert(1)")
