"""Hostile feed and model text cannot inject markup, scripts or links into the site."""

from __future__ import annotations

import json
import re
from importlib import resources

import feedparser
import pytest
from jinja2 import StrictUndefined

from frontline.domain.ports import SiteObject
from frontline.site import render_site
from frontline.site.environment import environment
from frontline.site.paths import key_for
from tests.unit.test_site_support import (
    NOW,
    SITE,
    XSS_SCRIPT,
    by_key,
    parse_html,
    text_of,
    three_articles,
    xss_article,
)


@pytest.fixture(scope="module")
def site() -> dict[str, SiteObject]:
    return by_key(render_site([*three_articles(), xss_article()], SITE, now=NOW))


def html_pages(site: dict[str, SiteObject]) -> dict[str, SiteObject]:
    return {key: obj for key, obj in site.items() if obj.content_type.startswith("text/html")}


def test_the_only_script_is_json_ld_and_it_cannot_be_broken_out_of(
    site: dict[str, SiteObject],
) -> None:
    article = xss_article()
    for key, obj in html_pages(site).items():
        for script in parse_html(obj.body).find_all("script"):
            if "src" in script.attrs:  # a first-party script file, hashed like the CSS, or
                # Pagefind's UI from the site's own search bundle
                src = script.attrs["src"]
                assert re.fullmatch(r"/assets/[a-z]+\.[0-9a-f]{8}\.js", src) or (
                    key == "search/index.html"
                    and re.fullmatch(r"/search/archive/\d{4}-\d{2}-\d+/pagefind-ui\.js", src)
                ), (key, src)
                assert script.attrs == {"src": script.attrs["src"], "defer": ""}, key
                assert not script.text(), key
                continue
            assert script.attrs == {"type": "application/ld+json"}, key
            text = script.text()
            assert "<" not in text and ">" not in text, key
            json.loads(text)
    page = parse_html(site[key_for(article.path)].body)
    data = json.loads(page.find("script").text())
    assert data["headline"] == article.analysis.title_ja  # the payload survives as data only


def test_every_link_and_source_is_http_relative_or_a_fragment(site: dict[str, SiteObject]) -> None:
    for key, obj in html_pages(site).items():
        for node in parse_html(obj.body).iter():
            for attr in ("href", "src", "action", "formaction", "srcset", "poster"):
                value = node.attrs.get(attr)
                if value is None:
                    continue
                assert attr in {"href", "src"}, (key, node.tag, attr)
                ok = value.startswith(("https://", "http://", "#")) or (
                    value.startswith("/") and not value.startswith("//")
                )
                assert ok, (key, node.tag, attr, value)
                assert "javascript:" not in value.lower(), (key, value)


def test_no_event_handlers_styles_or_frames_from_data(site: dict[str, SiteObject]) -> None:
    for key, obj in html_pages(site).items():
        for node in parse_html(obj.body).iter():
            assert node.tag not in {"iframe", "object", "embed", "form", "style", "base"}, key
            for name in node.attrs:
                assert not name.startswith("on"), (key, node.tag, name)
                assert name != "style", (key, node.tag)


def test_payloads_are_escaped_text_everywhere(site: dict[str, SiteObject]) -> None:
    for key, obj in site.items():
        if key.endswith((".css", ".svg")):
            continue
        body = text_of(obj)
        if "/fragment/" in key:  # a search result: Pagefind's UI writes its content as HTML
            body = json.loads(body.removeprefix("pagefind_dcd"))["content"]  # (its title as text)
        assert "<script>window.__xss" not in body, key
        assert "<img src=x onerror" not in body, key
        assert "<script>alert(1)" not in body, key
    article_page = site[key_for(xss_article().path)].body.decode("utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;見出し</h1>" in article_page
    assert "要約に&lt;img src=x onerror=alert(1)&gt;を含む" in article_page


def test_the_original_content_is_sanitised(site: dict[str, SiteObject]) -> None:
    page = parse_html(site[key_for(xss_article().path)].body)
    original = page.with_class("original__content")[0]
    assert "__xss" not in original.text()
    anchors = original.find_all("a")
    assert anchors and all("href" not in a.attrs for a in anchors)  # javascript: link dropped
    assert all(a.attrs["rel"] == "noopener noreferrer nofollow" for a in anchors)
    for image in original.find_all("img"):
        assert image.attrs["src"].startswith("https://")


def test_hostile_tags_and_entities_get_harmless_paths(site: dict[str, SiteObject]) -> None:
    assert "tags/javascript-alert-1/index.html" in site
    assert "tags/script-window-__xss-1-script/index.html" in site
    assert "companies/img-src-x-onerror-alert-1/index.html" in site
    page = parse_html(site[key_for(xss_article().path)].body)
    tags = {
        a.clean_text(): a.attrs["href"] for a in page.with_class("article__header")[0].find_all("a")
    }
    assert tags["#javascript:alert(1)"] == "/tags/javascript-alert-1/"
    assert tags["#" + XSS_SCRIPT] == "/tags/script-window-__xss-1-script/"
    assert tags["<img src=x onerror=alert(1)>"] == "/companies/img-src-x-onerror-alert-1/"


def test_feeds_and_api_stay_well_formed(site: dict[str, SiteObject]) -> None:
    for key in ("rss.xml", "atom.xml", "tags/javascript-alert-1/rss.xml"):
        feed = feedparser.parse(site[key].body)
        assert not feed.bozo, (key, feed.get("bozo_exception"))
    latest = json.loads(site["api/v1/latest.json"].body)
    titles = [doc["analysis"]["title_ja"] for doc in latest["articles"]]
    assert xss_article().analysis.title_ja in titles


def test_control_characters_cannot_break_the_feeds() -> None:
    from tests.unit.test_site_support import make_article

    article = make_article(1, title_ja="制御文字\x0b入り\x00の見出し", tldr="要約\x1f")
    site = by_key(render_site([article], SITE, now=NOW))
    feed = feedparser.parse(site["rss.xml"].body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == "制御文字入りの見出し"
    assert not feedparser.parse(site["atom.xml"].body).bozo


def test_the_environment_is_strict_and_built_once() -> None:
    environment.cache_clear()
    assert environment.cache_info().currsize == 0
    env = environment()
    assert env is environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined


def test_templates_never_mark_data_safe() -> None:
    templates = resources.files("frontline.site").joinpath("templates")
    for template in templates.iterdir():
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b(?!_)", source), template.name
        assert "autoescape false" not in source, template.name
        assert "<script" not in source or template.name == "base.html", template.name
