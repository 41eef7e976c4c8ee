"""Properties of item identity: the id an entry gets is what makes queueing exactly-once."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.domain.feed_entries import parse_feed
from frontline.domain.urls import canonical_url
from tests.factories import NOW, make_source

slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
titles = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip())


@st.composite
def entries(draw: st.DrawFn) -> list[tuple[str, str, str | None]]:
    """(title, link, guid or None) with distinct links; guids may repeat or be missing."""
    paths = draw(st.lists(slugs, min_size=1, max_size=8, unique=True))
    guid_pool = draw(st.lists(slugs, min_size=1, max_size=4))
    rows = []
    for path in paths:
        guid = draw(st.none() | st.sampled_from(guid_pool))
        rows.append((draw(titles), f"https://news.example/{path}", guid))
    return rows


def rss(rows: list[tuple[str, str, str | None]]) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid else "")
        + "<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate></item>"
        for title, link, guid in rows
    )
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def ids_by_link(body: bytes, feed_id: str = "ai-wire", now=NOW) -> dict[str, str]:
    parsed = parse_feed(
        body, content_type="application/rss+xml", source=make_source(id=feed_id), now=now
    )
    return {item.url: item.id for item in parsed.items}


@settings(max_examples=60, deadline=None)
@given(entries())
def test_ids_are_stable_across_reparsing(rows: list[tuple[str, str, str | None]]) -> None:
    body = rss(rows)
    assert ids_by_link(body) == ids_by_link(body, now=NOW + timedelta(hours=5))


@settings(max_examples=60, deadline=None)
@given(entries(), st.randoms(use_true_random=False))
def test_ids_do_not_depend_on_entry_order(rows, random) -> None:
    shuffled = list(rows)
    random.shuffle(shuffled)
    assert ids_by_link(rss(rows)) == ids_by_link(rss(shuffled))


utm_params = st.dictionaries(
    st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "utm_term", "UTM_Content"])
    | slugs.map(lambda s: f"utm_{s}"),
    slugs,
    max_size=4,
)


@settings(max_examples=80, deadline=None)
@given(slugs, utm_params, st.sampled_from(["", "#comments", "#top"]))
def test_the_same_link_with_any_utm_parameters_gets_the_same_id(
    path: str, params: dict[str, str], fragment: str
) -> None:
    # Given the same article linked with and without tracking parameters, and no guids
    plain = f"https://news.example/{path}"
    tracked = f"{plain}?{urlencode(params)}{fragment}" if params else f"{plain}{fragment}"
    # Then the canonical URL and the item id are the same
    assert canonical_url(tracked) == canonical_url(plain)
    first = ids_by_link(rss([("Same story", plain, None)]))
    second = ids_by_link(rss([("Same story", tracked, None)]))
    assert first == second


@settings(max_examples=40, deadline=None)
@given(entries(), slugs, slugs)
def test_ids_differ_across_feeds(rows, feed_a: str, feed_b: str) -> None:
    body = rss(rows)
    a, b = ids_by_link(body, feed_id=f"a-{feed_a}"), ids_by_link(body, feed_id=f"b-{feed_b}")
    assert a.keys() == b.keys()
    assert not set(a.values()) & set(b.values())
