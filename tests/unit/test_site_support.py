"""Builders and a tiny HTML tree shared by the site tests (this module holds no tests)."""

from __future__ import annotations

import gzip
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from frontline.domain.models import (
    Analysis,
    Article,
    ArticleStatus,
    Category,
    ContentPolicy,
    Entity,
    EntityKind,
    FeedItem,
    FeedKind,
    KeyPoint,
    Media,
    MediaKind,
    Provenance,
    SubScore,
    SubScores,
)
from frontline.domain.ports import SiteObject
from frontline.site import SiteConfig
from frontline.site.formatting import JST

SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example.jp",
)
NOW = datetime(2026, 4, 8, 0, 0, tzinfo=UTC)
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "javascript:alert(1)"

_KEY_POINTS = (
    KeyPoint(
        title="推論に特化した設計",
        body="数学やコード生成など、段階的な思考が必要な課題で精度を高めたという。",
    ),
    KeyPoint(
        title="商用利用できるライセンス",
        body="重みはApache 2.0ライセンスで公開され、企業が自社環境で利用できる。",
    ),
    KeyPoint(
        title="小型版も同時に公開",
        body="ノートPCでも動く小型版が用意され、手元での検証が容易になった。",
    ),
    KeyPoint(
        title="評価結果は自社発表",
        body="ベンチマークの数値は開発元の発表で、第三者による検証はこれからだ。",
    ),
)


def _scores(depth: int, relevance: int, practicality: int, innovation: int) -> SubScores:
    return SubScores(
        depth=SubScore(score=depth, reason="学習手法と評価方法が具体的に説明されている"),
        relevance=SubScore(score=relevance, reason="国内企業のモデル選定に直接関わる"),
        practicality=SubScore(score=practicality, reason="試すにはGPU環境の用意が必要"),
        innovation=SubScore(score=innovation, reason="手法の多くは既存研究の延長にある"),
    )


def make_article(
    n: int,
    *,
    title: str | None = None,
    title_ja: str | None = None,
    tldr: str = "仏Mistral AIが推論に強いオープンウェイトの言語モデルを公開した。"
    "商用利用が可能で、小型版はノートPCでも動作するという。",
    body_ja: str = "Mistral AIは新しい推論モデルを公開した。\n\n"
    "同社によると、数学とプログラミングの評価で従来モデルを上回った。\n"
    "重みはApache 2.0ライセンスで配布される。",
    tags: tuple[str, ...] = ("生成AI", "オープンウェイト", "推論モデル"),
    entities: tuple[Entity, ...] = (Entity(name="Mistral AI", kind=EntityKind.COMPANY),),
    scores: tuple[int, int, int, int] = (4, 5, 3, 2),
    category: Category = Category.NEWS,
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    kind: FeedKind = FeedKind.NEWS,
    feed_id: str = "ai-wire",
    source_name: str = "AI Wire",
    published: datetime | None = None,
    created: datetime | None = None,
    media: tuple[Media, ...] = (),
    image_hosts: tuple[str, ...] = (),
    content_html: str = "<p>Mistral AI released a reasoning model with open weights.</p>",
    summary: str = "Mistral AI released a reasoning model with open weights.",
    content_policy: ContentPolicy = ContentPolicy.EXCERPT,
) -> Article:
    """Article number n: published n hours after a fixed start, stored 10 minutes later."""
    published = published or datetime(2026, 4, 1, 0, 0, tzinfo=UTC) + timedelta(hours=n)
    created = created or published + timedelta(minutes=10)
    item_id = hashlib.sha256(f"item-{n}".encode()).hexdigest()[:32]
    title = title or f"Mistral releases open reasoning model, part {n}"
    item = FeedItem(
        id=item_id,
        feed_id=feed_id,
        source_name=source_name,
        kind=kind,
        content_policy=content_policy,
        url=f"https://{feed_id}.example.com/news/{n}",
        title=title,
        summary=summary,
        content_html=content_html,
        media=media,
        image_hosts=image_hosts,
        published=published,
        first_seen=created,
        content_hash=hashlib.sha256(f"content-{n}".encode()).hexdigest(),
    )
    analysis = Analysis(
        title_ja=title_ja or f"Mistral、推論に強いオープンモデルを公開（{n}）",
        tldr=tldr,
        key_points=_KEY_POINTS,
        impact="国内企業にとって、海外APIに頼らず自社環境で高性能な推論モデルを動かす選択肢が"
        "広がる。価格競争が進み、API料金の引き下げにつながる可能性もある。",
        editorial_comment="性能の主張は開発元の評価に基づくため、実運用での検証結果を待ちたい。"
        "それでも商用利用できる重みの公開は歓迎すべき動きだ。",
        body_ja=body_ja,
        tags=tags,
        entities=entities,
        category=category,
        is_ai_related=True,
        scores=_scores(*scores),
    )
    day = published.astimezone(JST)
    return Article(
        id=item_id,
        path=f"/articles/{day:%Y/%m/%d}/open-reasoning-model-{n}-{item_id[:8]}/",
        item=item,
        analysis=analysis,
        provenance=Provenance(
            provider="bedrock", model_id="test-model", analysed_at=created - timedelta(minutes=2)
        ),
        status=status,
        created_at=created,
        updated_at=created,
    )


def three_articles() -> list[Article]:
    """A translated news story, a video and an untranslated community post."""
    news = make_article(
        1,
        media=(
            Media(
                url="https://ai-wire.example.com/images/model.png",
                width=1200,
                height=630,
                alt="新モデルの性能比較グラフ",
            ),
        ),
        published=datetime(2026, 4, 7, 11, 43, tzinfo=UTC),
    )
    video = make_article(
        2,
        title="DeepMind explains its new weather model",
        title_ja="Google DeepMind、新しい気象予測モデルを動画で解説",
        tldr="Google DeepMindが気象予測モデルの仕組みを動画で解説した。",
        tags=("気象予測", "生成AI", "研究"),
        entities=(Entity(name="Google DeepMind", kind=EntityKind.COMPANY),),
        category=Category.VIDEO,
        kind=FeedKind.VIDEO,
        feed_id="deepmind-youtube",
        source_name="Google DeepMind (YouTube)",
        media=(
            Media(
                url="https://www.youtube.com/v/abcDEF12345",
                kind=MediaKind.VIDEO,
                video_id="abcDEF12345",
            ),
            Media(url="https://i.ytimg.com/vi/abcDEF12345/hqdefault.jpg", width=480, height=360),
        ),
        image_hosts=("i.ytimg.com",),  # as the catalogue lists for YouTube feeds
        published=datetime(2026, 4, 6, 3, 0, tzinfo=UTC),
        scores=(3, 3, 2, 4),
    )
    community = make_article(
        3,
        title="Show HN: A tiny CLI to benchmark local LLMs",
        title_ja="Show HN: A tiny CLI to benchmark local LLMs",
        tldr="A small command line tool measures tokens per second of local language models.",
        body_ja="A small command line tool measures tokens per second of local language models.",
        tags=("ローカルLLM", "ベンチマーク", "生成AI"),
        entities=(Entity(name="Ollama", kind=EntityKind.PRODUCT),),
        category=Category.TOOL,
        status=ArticleStatus.UNTRANSLATED,
        kind=FeedKind.COMMUNITY,
        feed_id="hacker-news",
        source_name="Hacker News",
        published=datetime(2026, 4, 7, 20, 5, tzinfo=UTC),
        scores=(2, 3, 4, 2),
    )
    return [news, video, community]


def xss_article(n: int = 90) -> Article:
    return make_article(
        n,
        title=f"Researchers test prompt injection {XSS_SCRIPT}",
        title_ja=f"</script><script>alert(1)</script>{XSS_SCRIPT}見出し",
        tldr=f"要約に{XSS_IMG}を含む",
        body_ja=f"本文 {XSS_SCRIPT}\n\n次の段落 {XSS_IMG}",
        tags=(XSS_LINK, XSS_SCRIPT, "セキュリティ"),
        entities=(
            Entity(name=XSS_IMG, kind=EntityKind.COMPANY),
            Entity(name=XSS_LINK, kind=EntityKind.PERSON),
        ),
        content_html=(
            f'<p>Read <a href="{XSS_LINK}">this</a> {XSS_SCRIPT}</p>{XSS_IMG}'
            '<p onclick="alert(1)" style="color:red">styled</p>'
            '<iframe src="https://evil.example/"></iframe>'
        ),
        summary=f"summary {XSS_SCRIPT}",
    )


def hidden_articles() -> list[Article]:
    return [
        make_article(
            70,
            title_ja="非公開にした記事の見出し",
            status=ArticleStatus.HIDDEN,
            tags=("非公開タグ", "生成AI", "運用"),
            entities=(Entity(name="Hidden Corp", kind=EntityKind.COMPANY),),
        ),
        make_article(
            71,
            title_ja="AIと無関係なためスキップした記事",
            status=ArticleStatus.SKIPPED,
            tags=("スキップ専用タグ", "家電", "セール"),
            feed_id="skipped-only-feed",
        ),
    ]


def text_of(obj: SiteObject) -> str:
    """An object's text; Pagefind's index files are gzip, its wasm is binary (replaced)."""
    if obj.content_type == "application/octet-stream":
        return gzip.decompress(obj.body).decode("utf-8", "replace")
    return obj.body.decode("utf-8")


def by_key(objects: list[SiteObject]) -> dict[str, SiteObject]:
    return {obj.key: obj for obj in objects}


# --- a tiny DOM over html.parser ------------------------------------------------------------

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def clean_text(self) -> str:
        return re.sub(r"\s+", " ", self.text()).strip()

    def iter(self) -> Any:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if all(
                node.attrs.get(name.rstrip("_").replace("_", "-")) == value
                for name, value in attrs.items()
            ):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def with_class(self, name: str) -> list[Node]:
        return [node for node in self.iter() if name in node.attrs.get("class", "").split()]

    def closest(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(body: bytes | str) -> Node:
    builder = _TreeBuilder()
    builder.feed(body.decode("utf-8") if isinstance(body, bytes) else body)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


def key_of_href(href: str) -> str:
    """The S3 key an internal href resolves to ('/x/' -> 'x/index.html')."""
    path = unquote(urlsplit(href).path)
    key = path.lstrip("/")
    return key + "index.html" if key == "" or key.endswith("/") else key


SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(read: Callable[[str], bytes], base_url: str) -> list[str]:
    """Every page URL the sitemap index leads to; `read` gives the bytes of an S3 key."""
    index = ET.fromstring(read("sitemap.xml"))
    urls: list[str] = []
    for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS):
        sitemap = ET.fromstring(read((loc.text or "").removeprefix(base_url + "/")))
        urls += [url.text or "" for url in sitemap.findall("sm:url/sm:loc", SITEMAP_NS)]
    return urls
