"""The order the site lists articles in, as a key for Python and as a string for a store.

Listing order is arrival order: newest `first_seen` first (then `published`, then id). An
article's place in the archive is fixed once it is stored, so archive pages numbered from
the oldest never change when a new article arrives, even one whose source dated it earlier.
The string form sorts exactly as the key does, so a store's index on it answers "the newest
N" without reading the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from frontline.domain.models import Article

_STAMP = "%Y-%m-%dT%H:%M:%S.%f"


def listing_key(article: Article) -> tuple[datetime, bool, datetime, str]:
    """Poll by poll, and within one poll by publication time.

    Every item of one poll shares `first_seen` (the poll's time), so a new poll's articles
    always land in front of what is listed already: archive pages only ever grow at the
    newest end. Within a poll, the newest story comes first, and an undated one (dated when
    first seen) after every dated one: being seen last is no reason to lead.
    """
    dated = article.item.date_source == "feed"
    return (article.item.first_seen, dated, article.item.published, article.id)


def listing_token(article: Article) -> str:
    """`listing_key` as a string that sorts the same way (UTC, fixed width, code points)."""
    first_seen, dated, published, ident = listing_key(article)
    return "#".join((stamp(first_seen), "1" if dated else "0", stamp(published), ident))


def stored_token(article: Article) -> str:
    """Storing order as a string: `created_at` (UTC, fixed width), then the id. What a
    store's "stored since" question is keyed on (`stamp(moment)` bounds it)."""
    return f"{stamp(article.created_at)}#{article.id}"


def stamp(moment: datetime) -> str:
    """A moment as a string that sorts as moments do (UTC, fixed width)."""
    return moment.astimezone(UTC).strftime(_STAMP).rjust(26, "0")
