"""Render the site from the store and publish only the objects whose bytes changed.

A full publish renders everything; an incremental one (a batch of stream records) renders
the site-wide pages and the per-article pages the changes can touch. Both upload only
objects whose bytes differ from what is published, delete what is no longer part of the
site, and ask the CDN to drop the changed pages in one invalidation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from frontline.domain.models import ArticleChange
from frontline.domain.ports import ArticleRepository, CdnInvalidator, DigestRepository, SiteStore
from frontline.site import SiteConfig
from frontline.site.paths import key_for
from frontline.site.render import render
from frontline.site.search import ARCHIVE_DIR, TIERS_PATH, archive_cutoff_in

# One CreateInvalidation call per publish, at most this many paths (the first 1,000 paths
# a month are free, then $0.005 each). Past the cap, the most-read pages are invalidated and
# the rest expire on their own: HTML and feeds are cached for 5 minutes (max-age=300).
INVALIDATION_CAP: Final = 15
_FIRST: Final = ("/", "/news/", "/rss.xml", "/atom.xml", "/feed.json")


@dataclass(frozen=True, slots=True)
class PublishReport:
    rendered: int
    uploaded: list[str]
    deleted: list[str]
    invalidated: list[str]

    def summary(self) -> dict[str, int]:
        return {
            "rendered": self.rendered,
            "uploaded": len(self.uploaded),
            "deleted": len(self.deleted),
            "invalidated": len(self.invalidated),
        }


def viewer_path(key: str) -> str | None:
    """The URL path readers use for an object key; None for hashed (immutable) assets."""
    if key.startswith("assets/"):
        return None
    if key == "index.html":
        return "/"
    if key.endswith("/index.html"):
        return "/" + key.removesuffix("index.html")
    return "/" + key


def invalidation_paths(changed_keys: Sequence[str], cap: int = INVALIDATION_CAP) -> list[str]:
    paths = {path for key in changed_keys if (path := viewer_path(key)) is not None}
    first = [path for path in _FIRST if path in paths]
    rest = sorted(paths - set(first), key=lambda path: (path.count("/"), path))
    return (first + rest)[:cap]


def publish_site(
    articles: ArticleRepository,
    store: SiteStore,
    site: SiteConfig,
    *,
    now: datetime,
    digests: DigestRepository | None = None,
    changes: Sequence[ArticleChange] | None = None,
    cdn: CdnInvalidator | None = None,
) -> PublishReport:
    """Publish the site: in full, or only what `changes` (stream records) can touch.

    A full publish rebuilds the search archive index; an incremental one adds to it with the
    recent index, and keeps the archive's objects. Without a published archive index to
    add to, the publish is a full one.
    """
    stored = digests.list_all() if digests is not None else []
    listed = articles.list_public()
    cutoff = archive_cutoff_in(store.read(key_for(TIERS_PATH))) if changes is not None else None
    if cutoff is None:
        changes = None
    result = render(listed, site, now=now, digests=stored, changes=changes, archive_cutoff=cutoff)
    existing = store.existing_hashes()
    rendered = {obj.key for obj in result.objects}
    if changes is not None and any(k not in existing and k not in rendered for k in result.keys):
        # Pages the plan did not render are missing (a new bucket, a lost object): heal by
        # publishing everything once.
        cutoff = None
        result = render(listed, site, now=now, digests=stored)
    uploaded: list[str] = []
    for obj in result.objects:
        if existing.get(obj.key) != store.hash_of(obj.body):
            store.put(obj)
            uploaded.append(obj.key)
    archive = ARCHIVE_DIR.lstrip("/") if cutoff is not None else None  # the nightly's
    stale = sorted(
        key
        for key in existing
        if key not in result.keys and not (archive and key.startswith(archive))
    )
    if stale:
        store.delete(stale)
    invalidated = invalidation_paths(uploaded + stale) if cdn is not None else []
    if invalidated and cdn is not None:
        cdn.invalidate(invalidated, reference=now.strftime("%Y%m%dT%H%M%S%f"))
    return PublishReport(
        rendered=len(result.objects), uploaded=uploaded, deleted=stale, invalidated=invalidated
    )
