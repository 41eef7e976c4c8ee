"""`content_policy: excerpt`: no page, feed or API document publishes more of the source's
text than its lead; a `full` source is published whole."""

from __future__ import annotations

import json

from frontline.domain.content_policy import EXCERPT_MAX_CHARS, SOURCE_EXCERPT_MAX_CHARS
from frontline.domain.models import Article, ContentPolicy
from frontline.site import render_site
from frontline.site.paths import key_for
from tests.factories import NOW, make_analysis, make_article, make_item
from tests.unit.test_site_support import SITE

LEAD = "The lab released a distilled model that runs on a single GPU."
TAIL = "This closing paragraph is deep inside the publisher's own article."
BODY_TAIL = "これは翻訳の最後の段落で、抜粋には含まれない。"


def _article(policy: ContentPolicy) -> Article:
    paragraphs = [LEAD, *(f"Paragraph {n} explains the method in detail." for n in range(40)), TAIL]
    item = make_item(
        7,
        content_policy=policy,
        summary=LEAD,
        content_html="".join(f"<p>{p}</p>" for p in paragraphs),
    )
    body = "研究所は単一GPUで動く蒸留モデルを公開した。\n\n" + "手法の説明が続く。" * 40 + BODY_TAIL
    return make_article(7, item=item, analysis=make_analysis(body_ja=body))


def _published(article: Article) -> dict[str, str]:
    site = {obj.key: obj.body for obj in render_site([article], SITE, now=NOW)}
    keys = [
        key_for(article.path),
        "rss.xml",
        "atom.xml",
        "feed.json",
        f"api/v1/articles/{article.id}.json",
        "api/v1/latest.json",
    ]
    return {key: site[key].decode() for key in keys}


def test_an_excerpt_source_is_published_as_its_lead_alone() -> None:
    article = _article(ContentPolicy.EXCERPT)

    published = _published(article)

    for key, text in published.items():
        assert TAIL not in text, key
        assert BODY_TAIL not in text, key
    assert LEAD in published[key_for(article.path)]
    document = json.loads(published[f"api/v1/articles/{article.id}.json"])
    assert document["item"]["content_html"] == ""
    assert len(document["analysis"]["body_ja"]) <= EXCERPT_MAX_CHARS
    assert len(document["item"]["summary"]) <= SOURCE_EXCERPT_MAX_CHARS


def test_a_full_source_is_published_whole() -> None:
    article = _article(ContentPolicy.FULL)

    published = _published(article)

    page = published[key_for(article.path)]
    assert TAIL in page and BODY_TAIL in page
    document = json.loads(published[f"api/v1/articles/{article.id}.json"])
    assert document["analysis"]["body_ja"].endswith(BODY_TAIL)


def test_the_api_never_serves_who_overrode_an_article() -> None:
    from frontline.domain.editorial import hide, unhide

    article = make_article(8)
    touched = unhide(
        hide(article, by="ops@example.com", at=NOW, reason="r"), by="x", at=NOW, reason=""
    )

    published = _published(touched)

    assert all("ops@example.com" not in text for text in published.values())
    schema = render_site([touched], SITE, now=NOW)
    assert not any(b"overrides" in obj.body for obj in schema if obj.key.startswith("api/"))
