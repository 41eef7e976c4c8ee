"""The static files: the stylesheet, the video player script and the favicon."""

from __future__ import annotations

from collections.abc import Sequence

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site.assets import Asset, favicon, script, stylesheet
from frontline.site.families.base import CACHE_IMMUTABLE, CACHE_PAGES, SiteContext, site_object


def _assets() -> dict[str, Asset]:
    return {asset.path: asset for asset in (stylesheet(), script("video"), favicon())}


class AssetFamily:
    name = "assets"

    def paths(self, ctx: SiteContext) -> list[str]:
        return list(_assets())

    def owns(self, path: str) -> bool:
        return path in _assets()

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return []  # no article changes a static file

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        asset = _assets().get(path)
        if asset is None:
            return None
        cache = CACHE_IMMUTABLE if asset.immutable else CACHE_PAGES
        return site_object(path, asset.body, asset.content_type, cache)
