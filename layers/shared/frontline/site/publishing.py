"""Render the site from the store and publish only the objects whose bytes changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontline.domain.ports import ArticleRepository, DigestRepository, SiteStore
from frontline.site import SiteConfig, render_site


@dataclass(frozen=True, slots=True)
class PublishReport:
    rendered: int
    uploaded: list[str]
    deleted: list[str]

    def summary(self) -> dict[str, int]:
        return {
            "rendered": self.rendered,
            "uploaded": len(self.uploaded),
            "deleted": len(self.deleted),
        }


def publish_site(
    articles: ArticleRepository,
    store: SiteStore,
    site: SiteConfig,
    *,
    now: datetime,
    digests: DigestRepository | None = None,
) -> PublishReport:
    """Full render; upload what changed; delete what is no longer part of the site."""
    stored = digests.list_all() if digests is not None else []
    objects = render_site(articles.list_public(), site, now=now, digests=stored)
    existing = store.existing_hashes()
    uploaded: list[str] = []
    for obj in objects:
        if existing.get(obj.key) != store.hash_of(obj.body):
            store.put(obj)
            uploaded.append(obj.key)
    wanted = {obj.key for obj in objects}
    stale = sorted(key for key in existing if key not in wanted)
    if stale:
        store.delete(stale)
    return PublishReport(rendered=len(objects), uploaded=uploaded, deleted=stale)
