"""An untranslated article must say what it shows: the English original, not a translation."""

from datetime import UTC, datetime

from frontline.domain.models import ArticleStatus
from frontline.site import SiteConfig, render_site
from tests.unit.test_site_support import by_key, make_article

SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example",
)


def page_of(article) -> str:
    objects = by_key(render_site([article], SITE, now=datetime(2026, 4, 8, tzinfo=UTC)))
    return objects[article.path.strip("/") + "/index.html"].body.decode()


def test_untranslated_body_is_labelled_as_the_original() -> None:
    article = make_article(
        1,
        status=ArticleStatus.UNTRANSLATED,
        title_ja="Mistral releases a reasoning model",
        body_ja="Mistral AI released a reasoning model.\n\nIt beats earlier models.",
    )
    html = page_of(article)
    assert "翻訳前のため、原文（英語）の冒頭部分を掲載しています" in html
    assert "この日本語訳は" not in html


def test_translated_excerpt_is_labelled_as_an_excerpt() -> None:
    html = page_of(make_article(1))
    assert "この日本語訳は原文の一部を抜粋・要約したものです" in html
    assert "翻訳前のため" not in html
