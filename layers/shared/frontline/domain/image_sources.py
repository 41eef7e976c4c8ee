"""Where an article's images may load from: its own source, nowhere else.

A feed can reference an image on any host, and every reader's browser would fetch it: a
tracking pixel planted by whoever wrote the entry. Images are kept only when they are served
over https by the source itself, the host of its `site_url`, or by an image host the
catalogue names for that source (`image_hosts`, e.g. its CDN). They are linked, never copied
into the site's bucket: copying would republish the publisher's pictures, while a link
leaves them where the publisher serves (and can withdraw) them.

The rule applies where a reader's browser would load an image: when a page is rendered. A
normalised item keeps every image its feed names (with its real URL) and the hosts its
source serves images from (`FeedItem.image_hosts`); `shown_images` and `without_foreign_images`
decide what a page shows, so a catalogue change applies to articles already stored.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from frontline.domain.models import FeedItem, Media

_IMG_TAG: Final = re.compile(r"<img\b[^>]*>", re.IGNORECASE)  # sanitised HTML: `>` is escaped
_SRC: Final = re.compile(r'\ssrc="([^"]*)"')


def host_of(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname  # lower-cased, without user info or port
    except ValueError:
        return None


def image_hosts(site_url: str, listed: Iterable[str] = ()) -> frozenset[str]:
    """The hosts a source's images may come from: its site's host and the ones it lists."""
    site = host_of(site_url)
    return frozenset({*(host.lower() for host in listed), *([site] if site else [])})


def admits_image(url: str, hosts: frozenset[str]) -> bool:
    """An https URL on one of `hosts` (exactly: a look-alike subdomain is another host)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and parts.hostname in hosts


def without_foreign_images(sanitised_html: str, hosts: frozenset[str]) -> str:
    """Sanitised HTML with every <img> not admitted by `hosts` removed."""

    def keep(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(0))
        return match.group(0) if src and admits_image(html.unescape(src.group(1)), hosts) else ""

    return _IMG_TAG.sub(keep, sanitised_html)


def shown_images(item: FeedItem) -> tuple[Media, ...]:
    """The item's images a page may show: https, from its source's hosts or its own link's
    host (so an item stored before its source's hosts were recorded keeps its own images)."""
    from frontline.domain.models import MediaKind

    hosts = image_hosts(item.url, item.image_hosts)
    return tuple(m for m in item.media if m.kind is MediaKind.IMAGE and admits_image(m.url, hosts))
