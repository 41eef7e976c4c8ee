"""Where an article's images may load from: its own source, nowhere else.

A feed can reference an image on any host, and every reader's browser would fetch it: a
tracking pixel planted by whoever wrote the entry. Images are kept only when they are served
over https by the source itself, the host of its `site_url`, or by an image host the
catalogue names for that source (`image_hosts`, e.g. its CDN). They are linked, never copied
into the site's bucket: copying would republish the publisher's pictures, while a link
leaves them where the publisher serves (and can withdraw) them. The rule applies where images
enter, when a feed entry is normalised, so nothing downstream sees a foreign image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

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
