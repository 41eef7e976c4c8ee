"""The domain's data: feed sources, feed items, the analysis contract and articles.

Everything here is a pydantic v2 model so that every boundary (YAML catalogue, SQS message,
LLM tool call, DynamoDB item, JSON API) validates through one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    model_validator,
)

from frontline.domain.importance import importance_of, label_of

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _http_url(value: str) -> str:
    """Only absolute http(s) URLs: never javascript:, data:, file: or relative links."""
    lowered = value.strip().lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        raise ValueError("must be an absolute http(s) URL")
    if any(ch.isspace() for ch in value.strip()) or len(value) > 2048:
        raise ValueError("must not contain whitespace and must be at most 2048 characters")
    return value.strip()


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("must be lowercase ASCII letters, digits and hyphens (at most 63)")
    return value


Slug = Annotated[str, AfterValidator(_slug)]

_HOST_NAME = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _host_name(value: str) -> str:
    if not _HOST_NAME.match(value):
        raise ValueError("must be a lower-case host name such as images.example.com")
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# --- The feed catalogue ---------------------------------------------------------------------


class FeedKind(StrEnum):
    NEWS = "news"
    RESEARCH = "research"
    VIDEO = "video"
    COMMUNITY = "community"
    BLOG = "blog"


class ContentPolicy(StrEnum):
    """How much of a source's text the site may publish in translation."""

    EXCERPT = "excerpt"
    FULL = "full"


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


# Source pages live at /sources/<id>/; these ids name other pages there (source health).
RESERVED_SOURCE_IDS: frozenset[str] = frozenset({"health"})


class FeedSource(Frozen):
    """One entry of config/feeds.yaml."""

    id: Slug
    name: str = Field(min_length=1, max_length=80)
    url: HttpUrlStr
    site_url: HttpUrlStr
    kind: FeedKind = FeedKind.NEWS
    content_policy: ContentPolicy = ContentPolicy.EXCERPT
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_items: int = Field(default=20, ge=1, le=200)
    enabled: bool = True
    # Hosts besides site_url's that serve this source's images (its CDN): see image_sources.
    image_hosts: tuple[Annotated[str, AfterValidator(_host_name)], ...] = ()
    # The publisher asked to be removed: never polled again, its articles leave the site.
    opt_out: bool = False
    opt_out_date: date | None = None
    opt_out_note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _id_is_not_reserved(self) -> Self:
        if self.id in RESERVED_SOURCE_IDS:
            raise ValueError(f"id '{self.id}' is reserved for a page of the site")
        return self

    @model_validator(mode="after")
    def _opt_out_is_dated(self) -> Self:
        if self.opt_out and self.opt_out_date is None:
            raise ValueError("opt_out: true needs opt_out_date (the day the publisher asked)")
        return self

    @property
    def polled(self) -> bool:
        return self.enabled and not self.opt_out

    @property
    def ai_focused(self) -> bool:
        """A feed without `include` rules is listed because everything in it is about AI."""
        return not self.include

    def admits(self, text: str) -> bool:
        """The keyword rules (whole words, any case): general feeds carry non-AI stories."""
        if any(_mentions(text, word) for word in self.exclude):
            return False
        return not self.include or any(_mentions(text, word) for word in self.include)


class FeedState(BaseModel):
    """What the store remembers about a feed between polls."""

    feed_id: str
    url: str | None = None  # set when a 301 moved the feed
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    polled_at: UtcDatetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    error_streak: int = 0
    retry_after: UtcDatetime | None = None
    item_count: int = 0
    # Source health (domain/source_health): the last poll that succeeded, the last poll that
    # brought a new item, and new items per UTC day over the last 30 days.
    last_success_at: UtcDatetime | None = None
    last_new_item_at: UtcDatetime | None = None
    new_items_by_day: dict[str, int] = Field(default_factory=dict)
    # Publisher opt-out: when every article of the source had left the site.
    withdrawn_at: UtcDatetime | None = None


# --- Feed items -----------------------------------------------------------------------------


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class Media(Frozen):
    url: HttpUrlStr
    kind: MediaKind = MediaKind.IMAGE
    width: int | None = Field(default=None, ge=1, le=10_000)
    height: int | None = Field(default=None, ge=1, le=10_000)
    alt: str = ""
    video_id: str | None = None  # YouTube video id for video media


# Where an item's date came from: the feed, or the time it was first seen (no usable date).
DateSource = Literal["feed", "first_seen"]


class FeedItem(Frozen):
    """One feed entry, normalised: plain-text title and summary, sanitised HTML content."""

    id: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    feed_id: Slug
    source_name: str
    kind: FeedKind = FeedKind.NEWS
    content_policy: ContentPolicy = ContentPolicy.EXCERPT
    url: HttpUrlStr
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=5_000)
    content_html: str = ""
    author: str = ""
    categories: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    # The hosts its source serves images from (site and listed CDNs): pages load images
    # from these alone (see image_sources).
    image_hosts: tuple[str, ...] = ()
    published: UtcDatetime
    date_source: DateSource = "feed"
    first_seen: UtcDatetime
    title_derived: bool = False  # the entry had no title: its text's first sentence
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    # From a feed with no keyword rules: the catalogue lists it as an AI source.
    ai_focused: bool = False
    # Community discussion (Hacker News): the thread, its points and its comment count.
    discussion_url: HttpUrlStr | None = None
    points: int | None = Field(default=None, ge=0)
    comment_count: int | None = Field(default=None, ge=0)
    parse_warning: str | None = None  # set when the entry came from an ill-formed feed


class ItemMessage(Frozen):
    """The SQS message body: versioned so a deploy never meets a message it cannot read."""

    schema_version: Literal["frontline.item/1"] = "frontline.item/1"
    item: FeedItem
    reason: Literal["new", "updated", "reanalyse"] = "new"


# --- The analysis contract ------------------------------------------------------------------


class Category(StrEnum):
    NEWS = "news"
    RESEARCH = "research"
    TOOL = "tool"
    VIDEO = "video"
    POLICY = "policy"
    FUNDING = "funding"
    OPINION = "opinion"
    BUSINESS = "business"


CATEGORY_LABELS: dict[Category, str] = {
    Category.NEWS: "ニュース",
    Category.RESEARCH: "研究",
    Category.TOOL: "ツール",
    Category.VIDEO: "動画",
    Category.POLICY: "政策・規制",
    Category.FUNDING: "資金調達",
    Category.OPINION: "論考",
    Category.BUSINESS: "ビジネス",
}


class KeyPoint(Frozen):
    title: str = Field(min_length=1, max_length=80, description="短い見出し")
    body: str = Field(min_length=1, max_length=600, description="要点の説明（1〜2文）")


class SubScore(Frozen):
    score: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1, max_length=200, description="一文の根拠")


class SubScores(Frozen):
    depth: SubScore = Field(description="深度: 内容の掘り下げ (重み40%)")
    relevance: SubScore = Field(description="関連度: 日本の読者にとっての関連 (重み30%)")
    practicality: SubScore = Field(description="実用性: すぐに役立つか (重み20%)")
    innovation: SubScore = Field(description="革新性: 新しさ (重み10%)")

    @property
    def importance(self) -> int:
        return importance_of(
            self.depth.score,
            self.relevance.score,
            self.practicality.score,
            self.innovation.score,
        )


class EntityKind(StrEnum):
    COMPANY = "company"
    PRODUCT = "product"
    PERSON = "person"


class Entity(Frozen):
    name: str = Field(min_length=1, max_length=80, description="正式名称（ラテン文字）")
    kind: EntityKind


class Analysis(Frozen):
    """What the analysis step produces (the LLM's tool input, or the heuristic's output)."""

    title_ja: str = Field(min_length=1, max_length=200, description="日本語の見出し")
    tldr: str = Field(min_length=1, max_length=600, description="1〜2文の要約")
    key_points: tuple[KeyPoint, ...] = Field(min_length=3, max_length=5)
    impact: str = Field(min_length=1, max_length=1500, description="影響分析")
    editorial_comment: str = Field(min_length=1, max_length=1500, description="編集コメント")
    body_ja: str = Field(min_length=1, max_length=20_000, description="日本語の本文")
    tags: tuple[str, ...] = Field(min_length=3, max_length=6)
    entities: tuple[Entity, ...] = Field(default=(), max_length=20)
    category: Category
    is_ai_related: bool
    scores: SubScores

    @model_validator(mode="after")
    def _tags_are_clean(self) -> Self:
        stripped = (tag.strip().lstrip("#").strip() for tag in self.tags)
        cleaned = tuple(dict.fromkeys(tag for tag in stripped if tag))
        if len(cleaned) < 3:
            raise ValueError("tags must hold at least 3 distinct non-empty tags")
        object.__setattr__(self, "tags", cleaned)
        return self


class ArticleStatus(StrEnum):
    PUBLISHED = "published"  # analysed by an LLM, in Japanese
    UNTRANSLATED = "untranslated"  # heuristic analysis (offline or over budget): badged
    DEGRADED = "degraded"  # the LLM's answer failed validation twice: heuristic, badged
    SKIPPED = "skipped"  # not about AI: stored with the reason, not published
    HIDDEN = "hidden"  # taken down by an operator
    WITHDRAWN = "withdrawn"  # its publisher opted out: kept, never published again

    @property
    def is_public(self) -> bool:
        return self in {self.PUBLISHED, self.UNTRANSLATED, self.DEGRADED}


class Provenance(Frozen):
    provider: str
    model_id: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    analysed_at: UtcDatetime


class StorySource(Frozen):
    """A later report of the article's event, from another item: shown on the story's page
    and cards, never an article of its own."""

    item_id: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    feed_id: Slug
    outlet: str
    url: HttpUrlStr
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=5_000)
    published: UtcDatetime
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    # When the poller saw this version: an older version delivered later is dropped.
    seen_at: UtcDatetime | None = None


class StoryUpdate(Frozen):
    """One re-analysis of a story: when, which source brought it and what that source added."""

    at: UtcDatetime
    item_id: str
    outlet: str
    url: HttpUrlStr
    facts: tuple[str, ...] = Field(default=(), max_length=12)  # figures and names, as written


# --- Editorial overrides (see domain/editorial.py) -------------------------------------------

EditableField = Literal["title_ja", "tldr", "impact", "editorial_comment", "body_ja"]


class Override(Frozen):
    """Who changed an article, when and why. `by` is the operator's identity: never shown."""

    by: str = Field(min_length=1, max_length=300)
    at: UtcDatetime
    reason: str = Field(default="", max_length=500)


class FieldEdit(Override):
    field: EditableField
    value: str = Field(min_length=1, max_length=20_000)
    replaced: str  # the analysis's own text, restored by `edit --reset`


class Hiding(Override):
    status_beneath: ArticleStatus  # the status the analysis gave: restored by unhide


class Pin(Override):
    until: UtcDatetime | None = None  # None: until unpinned

    def active(self, now: datetime) -> bool:
        return self.until is None or self.until > now


class LoggedOverride(Override):
    action: Literal["hide", "unhide", "pin", "unpin", "edit", "reset", "reanalyse"]
    detail: str = ""


class Overrides(Frozen):
    """What operators changed on an article; kept across re-analysis."""

    edits: tuple[FieldEdit, ...] = ()
    hidden: Hiding | None = None
    pin: Pin | None = None
    log: tuple[LoggedOverride, ...] = ()

    @property
    def edited_at(self) -> datetime | None:
        """When readers' text last changed by hand (None: never)."""
        return max((edit.at for edit in self.edits), default=None)


class Article(Frozen):
    """An item with its analysis: the unit the site publishes and the JSON API serves.

    The article of a story's lead item is the story: later reports of the event are its
    `sources`, and each re-analysis they caused is one of its `updates`.
    """

    id: str
    path: str = Field(pattern=r"^/articles/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$")
    item: FeedItem
    analysis: Analysis
    provenance: Provenance
    status: ArticleStatus
    status_reason: str | None = None
    needs_reanalysis: bool = False
    # When the poller saw this version of the item: with item.content_hash, the version a
    # write is conditional on (a stale message never overwrites a newer version).
    seen_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    sources: tuple[StorySource, ...] = ()
    updates: tuple[StoryUpdate, ...] = ()
    overrides: Overrides = Field(default_factory=Overrides)

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: object) -> object:
        # `importance` is serialised for readers of the JSON, but always recomputed.
        if isinstance(data, dict) and "importance" in data:
            return {key: value for key, value in data.items() if key != "importance"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def importance(self) -> int:
        return self.analysis.scores.importance

    @property
    def importance_label(self) -> str:
        return label_of(self.importance)

    @property
    def is_translated(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED

    @property
    def published(self) -> datetime:
        return self.item.published

    @property
    def source_count(self) -> int:
        """The outlets' reports the story holds: the lead item and every later source."""
        return 1 + len(self.sources)


@dataclass(frozen=True, slots=True)
class ArticleChange:
    """One stream record: the article before and after (None when absent or not public)."""

    before: Article | None
    after: Article | None

    @property
    def versions(self) -> list[Article]:
        return [version for version in (self.before, self.after) if version is not None]
