"""Pages load feed images only from their own source: its site's host or a CDN it lists."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from frontline.domain.feed_entries import parse_feed
from frontline.domain.image_sources import (
    admits_image,
    image_hosts,
    shown_images,
    without_foreign_images,
)
from frontline.site.site_config import SiteConfig
from frontline.site.views import article_view
from tests.factories import NOW, make_article, make_source

SITE = SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://news.example")

HOSTS = image_hosts("https://ai-wire.example/news/", ["images.ai-wire-cdn.example"])


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        ("https://ai-wire.example/img/a.jpg", True),
        ("https://images.ai-wire-cdn.example/a.jpg", True),
        ("https://AI-WIRE.example/img/a.jpg", True),  # host names are case-insensitive
        ("https://ai-wire.example:8443/a.jpg", True),  # same host, another port
        ("http://ai-wire.example/img/a.jpg", False),  # https only
        ("https://tracker.example/p.gif", False),
        ("https://ai-wire.example.tracker.example/p.gif", False),  # look-alike prefix
        ("https://evil.ai-wire.example/p.gif", False),  # a subdomain is another host
        ("https://ai-wire.example@tracker.example/p.gif", False),  # user info, other host
        ("//tracker.example/p.gif", False),  # scheme-relative
        ("data:image/gif;base64,R0lGOD", False),
        ("https://[::1/p.gif", False),  # unparseable
    ],
)
def test_only_https_images_from_the_sources_hosts_are_admitted(url: str, admitted: bool) -> None:
    assert admits_image(url, HOSTS) is admitted


def test_foreign_images_are_removed_from_sanitised_content() -> None:
    content = (
        '<p>Text <img src="https://ai-wire.example/a.jpg" alt="chip"></p>'
        '<p><img src="https://tracker.example/p.gif?u=1&amp;v=2" width="1" height="1"></p>'
        '<figure><img alt="no source"><figcaption>caption</figcaption></figure>'
    )

    assert without_foreign_images(content, HOSTS) == (
        '<p>Text <img src="https://ai-wire.example/a.jpg" alt="chip"></p>'
        "<p></p>"
        "<figure><figcaption>caption</figcaption></figure>"
    )


def _rss(body: str, media: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>W</title>'
        "<item><title>Model launch</title><link>https://ai-wire.example/a</link>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded>{media}</item></channel></rss>"
    ).encode()


def test_an_item_keeps_every_image_and_a_page_shows_only_its_sources() -> None:
    document = _rss(
        '<p>Story</p><img src="https://ai-wire.example/lead.jpg">'
        '<img src="https://pixel.tracker.example/t.gif?reader=1">',
        '<media:content url="https://cdn.ai-wire.example/hero.jpg" medium="image"/>'
        '<media:content url="https://pixel.tracker.example/hero.gif" medium="image"/>'
        '<media:thumbnail url="https://ai-wire.example/thumb.jpg"/>',
    )
    source = make_source(image_hosts=["cdn.ai-wire.example"])

    [item] = parse_feed(document, content_type="application/rss+xml", source=source, now=NOW).items
    view = article_view(make_article(item=item), SITE, ())

    # the item is what the feed said (its real image URLs), with its source's image hosts
    assert "pixel.tracker.example/t.gif" in item.content_html
    assert item.image_hosts == ("ai-wire.example", "cdn.ai-wire.example")
    # the page loads images from those hosts alone
    assert [m.url for m in shown_images(item)] == [
        "https://cdn.ai-wire.example/hero.jpg",
        "https://ai-wire.example/thumb.jpg",
    ]
    assert [image.url for image in view.images] == [m.url for m in shown_images(item)]
    assert view.original_html is not None
    assert "tracker" not in view.original_html
    assert 'src="https://ai-wire.example/lead.jpg"' in view.original_html


def test_listing_a_cdn_later_shows_its_images_without_changing_the_item() -> None:
    """The content hash is the source's content: listing a CDN re-queues nothing, and the
    pages of articles already stored follow the catalogue once the item is seen again."""
    document = _rss('<img src="https://cdn.ai-wire.example/a.jpg">', "")
    parse = lambda source: parse_feed(  # noqa: E731
        document, content_type="application/rss+xml", source=source, now=NOW
    ).items[0]

    before = parse(make_source())
    after = parse(make_source(image_hosts=["cdn.ai-wire.example"]))
    shown = lambda item: article_view(make_article(item=item), SITE, ()).original_html  # noqa: E731

    assert "cdn.ai-wire.example" not in str(shown(before))
    assert "cdn.ai-wire.example" in str(shown(after))
    assert before.content_hash == after.content_hash


@pytest.mark.parametrize("host", ["https://cdn.example", "CDN.example", "cdn", "*.example"])
def test_the_catalogue_lists_image_hosts_as_plain_host_names(host: str) -> None:
    with pytest.raises(ValidationError, match="host name"):
        make_source(image_hosts=[host])
