"""How much of a source's text the site publishes: its catalogue entry's `content_policy`.

A `full` source may be published whole (in translation, and its original text). An `excerpt`
source gets its lead alone, everywhere readers or other programs can read it — the article
page, the feeds, the JSON API: the translated body is cut to EXCERPT_MAX_CHARS, and its own
text (the feed's summary and content) to SOURCE_EXCERPT_MAX_CHARS of plain text: its HTML is
shown only when it holds no more than that.
"""

from __future__ import annotations

from typing import Final

from frontline.domain.article_text import (
    article_text_for,
    html_to_text,
    truncate_keeping_lead,
)
from frontline.domain.models import Article, ContentPolicy

# An excerpt source's page shows only the translated lead, its first sentence or two.
EXCERPT_MAX_CHARS: Final = 150
# ... and of its own English text (the untranslated lead, the original) about as much.
SOURCE_EXCERPT_MAX_CHARS: Final = 400


def is_excerpt(article: Article) -> bool:
    return article.item.content_policy is ContentPolicy.EXCERPT


def published_body(article: Article, *, japanese: bool) -> str:
    """The body text the site shows: whole for a full source, the lead for an excerpt one."""
    body = article.analysis.body_ja
    if not is_excerpt(article):
        return body
    return truncate_keeping_lead(body, EXCERPT_MAX_CHARS if japanese else SOURCE_EXCERPT_MAX_CHARS)


def shows_original_html(article: Article) -> bool:
    """The feed's own HTML may be shown: a full source, or an excerpt source whose feed
    carries no more text than its lead."""
    html = article.item.content_html
    if not html.strip():
        return False
    return not is_excerpt(article) or len(html_to_text(html)) <= SOURCE_EXCERPT_MAX_CHARS


def published_original(article: Article) -> str:
    """The source's own plain text an excerpt source's page may show (its lead)."""
    return truncate_keeping_lead(article_text_for(article.item), SOURCE_EXCERPT_MAX_CHARS)


def published_document(article: Article) -> Article:
    """The article as the JSON API serves it: an excerpt source's texts cut to their lead
    and its HTML left out."""
    if not is_excerpt(article):
        return article
    japanese = article.is_translated
    return article.model_copy(
        update={
            "analysis": article.analysis.model_copy(
                update={"body_ja": published_body(article, japanese=japanese)}
            ),
            "item": article.item.model_copy(
                update={
                    "summary": truncate_keeping_lead(
                        article.item.summary, SOURCE_EXCERPT_MAX_CHARS
                    ),
                    "content_html": article.item.content_html
                    if shows_original_html(article)
                    else "",
                }
            ),
        }
    )
