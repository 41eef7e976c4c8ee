"""動画: videos from YouTube channel feeds, played in place only when the reader asks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from frontline.domain.image_sources import shown_images
from frontline.domain.models import Article, ArticleChange, FeedKind, MediaKind
from frontline.domain.ports import SiteObject
from frontline.site.assets import script
from frontline.site.families.base import SiteContext, changes_under
from frontline.site.slices import kind_key
from frontline.site.views import CardView, PageMeta

PATH: Final = "/videos/"
VIDEOS_SHOWN: Final = 30  # the newest videos
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,32}$")  # as the article page checks it


@dataclass(frozen=True)
class VideoView:
    card: CardView
    video_id: str | None
    watch_url: str
    thumbnail: str | None
    width: int
    height: int
    alt: str


def _video_view(article: Article, card: CardView) -> VideoView:
    video_id = None
    thumbnail = None
    width, height = 480, 360
    alt = ""
    shown = shown_images(article.item)
    for media in article.item.media:
        if media.kind is MediaKind.VIDEO and media.video_id and _VIDEO_ID.match(media.video_id):
            video_id = video_id or media.video_id
        elif media in shown and thumbnail is None:
            thumbnail = media.url
            width, height = media.width or 480, media.height or 360
            alt = media.alt.strip()
    watch = f"https://www.youtube.com/watch?v={video_id}" if video_id else article.item.url
    return VideoView(
        card=card,
        video_id=video_id,
        watch_url=watch,
        thumbnail=thumbnail,
        width=width,
        height=height,
        alt=alt or f"「{article.analysis.title_ja}」のサムネイル",
    )


class VideosFamily:
    name = "videos"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH]

    def owns(self, path: str) -> bool:
        return path == PATH

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH] if changes_under(changes, kind_key(FeedKind.VIDEO)) else []

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        articles = ctx.showable(ctx.newest_in(kind_key(FeedKind.VIDEO), VIDEOS_SHOWN))
        videos = [_video_view(article, ctx.card(article)) for article in articles]
        page = PageMeta(
            title="動画",
            description="AIに関する動画を、日本語の要約つきで新しい順に紹介しています。",
            path=PATH,
            nav="videos",
        )
        lead = (
            "YouTubeチャンネルから届いたAI関連の動画を、日本語の要約つきで新しい順に掲載しています。",
            "サムネイルを選ぶとその場で再生が始まります。再生するまで、YouTubeには接続しません。",
        )
        return ctx.html(
            "videos.html",
            page,
            heading="動画",
            lead=lead,
            videos=videos,
            scripts=(script("video").path,),
        )
