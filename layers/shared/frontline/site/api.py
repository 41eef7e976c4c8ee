"""The static JSON API under /api/v1/: the same content for other front ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from frontline.domain.content_policy import published_document
from frontline.domain.models import Article
from frontline.site.paths import absolute_url
from frontline.site.sanitise import json_text
from frontline.site.site_config import SiteConfig

LATEST_SIZE = 50
LATEST_PATH = "/api/v1/latest.json"
SCHEMA_PATH = "/api/v1/schema/article.json"


# Who changed an article, when and why is the operators' business: never served.
PRIVATE_FIELDS = frozenset({"overrides"})
_PRIVATE_DEFINITIONS = ("Overrides", "FieldEdit", "Hiding", "Pin", "LoggedOverride")


def article_document(article: Article, site: SiteConfig) -> dict[str, Any]:
    """The Article as stored (`model_dump(mode="json")`), as the source's content policy
    allows it to be published and without the override record, plus the page's `url`."""
    document = published_document(article).model_dump(mode="json", exclude=set(PRIVATE_FIELDS))
    document["url"] = absolute_url(site.base_url, article.path)
    return document


def _dumps(data: Any) -> str:
    return json_text(data, indent=2) + "\n"


def render_article_json(article: Article, site: SiteConfig) -> str:
    return _dumps(article_document(article, site))


def render_latest_json(articles: Sequence[Article], site: SiteConfig) -> str:
    shown = articles[:LATEST_SIZE]
    return _dumps(
        {
            "version": 1,
            "schema": absolute_url(site.base_url, SCHEMA_PATH),
            "count": len(shown),
            "articles": [article_document(article, site) for article in shown],
        }
    )


def render_article_schema() -> str:
    schema = Article.model_json_schema(mode="serialization")
    for name in PRIVATE_FIELDS:
        schema["properties"].pop(name, None)
    for name in _PRIVATE_DEFINITIONS:
        schema.get("$defs", {}).pop(name, None)
    schema["properties"]["url"] = {
        "type": "string",
        "format": "uri",
        "title": "Url",
        "description": "The absolute URL of the article's page on this site.",
    }
    schema["required"] = [*schema.get("required", []), "url"]
    schema["$id"] = SCHEMA_PATH
    schema["description"] = (
        "One Frontline article as served by /api/v1/latest.json (inside `articles`) and "
        "/api/v1/articles/<id>.json, with the page's absolute `url` added."
    )
    return _dumps(schema)
