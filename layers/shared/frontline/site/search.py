"""Site search: a static index written by the renderer, read by a first-party script.

Why not Pagefind? It handles Japanese well (its extended binary segments CJK text), but it
indexes rendered HTML files on disk with a native binary: the render Lambda would carry a
~52 MB (aarch64 wheel) binary in a layer, write the whole site to /tmp and re-index every page
on every render, while `render_site` is a pure function that re-uploads only the objects whose
bytes changed. The catalogue already holds exactly what a reader searches (the Japanese
title, TL;DR, key points, tags, companies, the original English title), so a small index
built from it in pure Python keeps the renderer pure, deterministic and dependency-free.

How it finds Japanese text without a dictionary: runs of kana and kanji are indexed as
character bi-grams (「蒸留モデル」 → 蒸留, 留モ, モデ, デル), so any query of two or more
characters is found wherever it occurs, whatever the word boundaries; a one-character query
matches every bi-gram that starts with it. Latin script and digits are indexed as whole
lower-cased words (NFKC first, so full-width ＯｐｅｎＡＩ is openai) and matched by prefix.
A document matches when it holds every token of the query; words in the title, tags and
companies weigh more than words in the summary, and ties go to the newer article.

Layout: `/search/docs.json` lists the documents (title, path, date, source, summary), oldest
first; `/search/index/NN.json` holds the postings of the tokens whose first character
has code point ≡ NN (mod SHARDS), so a query fetches only the shards of its own tokens, and a
prefix search stays within one shard. Every shard is written, empty or not, and every file is
JSON with sorted keys: the same articles always give the same bytes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from frontline.domain.models import Article, EntityKind
from frontline.site.formatting import format_jst_date
from frontline.site.views import lang_of, summary_line

SHARDS = 32
DOCS_PATH = "/search/docs.json"
SHARD_DIR = "/search/index/"
INDEX_VERSION = 1
TITLE_WEIGHT = 3
TEXT_WEIGHT = 1

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9a-z\u00c0-\u024f]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def shard_of(token: str) -> int:
    return ord(token[0]) % SHARDS


def shard_path(shard: int) -> str:
    return f"{SHARD_DIR}{shard:02d}.json"


@lru_cache(maxsize=65_536)  # the same texts come back on every render of a warm Lambda
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


def tokens(text: str) -> list[str]:
    """Bi-grams of kana/kanji runs and whole Latin words, in order of appearance, each once.

    The script on /search/ tokenises queries the same way (see static/search.js).
    """
    normalised = unicodedata.normalize("NFKC", text).lower()
    found: dict[str, None] = {}
    for run in _TOKEN.findall(normalised):
        if _IS_CJK.match(run) and len(run) > 1:
            for i in range(len(run) - 1):
                found.setdefault(run[i : i + 2])
        else:
            found.setdefault(run)
    return list(found)


@dataclass(frozen=True)
class SearchFile:
    path: str
    body: bytes


def _json(data: object) -> bytes:
    """Sorted, compact UTF-8 JSON; <, > and & escaped so no byte of it reads as markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return text.encode("utf-8")


def _heading_text(article: Article) -> str:
    analysis = article.analysis
    names = " ".join(entity.name for entity in analysis.entities)
    return " ".join((analysis.title_ja, article.item.title, " ".join(analysis.tags), names))


def _body_text(article: Article) -> str:
    analysis = article.analysis
    points = " ".join(point.title + " " + point.body for point in analysis.key_points)
    return " ".join((analysis.tldr, points, article.item.source_name))


def _document(article: Article) -> dict[str, object]:
    companies = [e.name for e in article.analysis.entities if e.kind is EntityKind.COMPANY]
    return {
        "title": article.analysis.title_ja,
        "path": article.path,
        "date": format_jst_date(article.published),
        "source": article.item.source_name,
        "summary": summary_line(article.analysis.tldr),
        "tags": list(article.analysis.tags[:4]),
        "companies": list(dict.fromkeys(companies)),
        "lang": lang_of(article.analysis.title_ja) or "",
    }


def search_files(articles: Sequence[Article]) -> list[SearchFile]:
    """The documents file and every shard, for articles in listing order (newest first).

    Documents are numbered from the oldest, so a new article appends a number and changes
    only the documents file and the shards of its own tokens: every other shard keeps its
    bytes, and publishing uploads little.
    """
    articles = list(reversed(articles))
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for number, article in enumerate(articles):
        weights: dict[str, int] = {}
        for token in _tokens(_body_text(article)):
            weights[token] = TEXT_WEIGHT
        for token in _tokens(_heading_text(article)):
            weights[token] = TITLE_WEIGHT
        for token, weight in weights.items():
            postings[token][number] = weight
    shards: list[dict[str, list[list[int]]]] = [{} for _ in range(SHARDS)]
    for token, docs in postings.items():
        shards[shard_of(token)][token] = [[doc, docs[doc]] for doc in sorted(docs)]
    docs_body = {
        "version": INDEX_VERSION,
        "shards": SHARDS,
        "docs": [_document(article) for article in articles],
    }
    files = [SearchFile(DOCS_PATH, _json(docs_body))]
    files += [SearchFile(shard_path(n), _json(shard)) for n, shard in enumerate(shards)]
    return files


def search(files: Iterable[SearchFile], query: str) -> list[str]:
    """The matching articles' paths, best first: the same rules as static/search.js.

    Used by the tests to check the index without a browser.
    """
    by_path = {file.path: json.loads(file.body) for file in files}
    docs = by_path[DOCS_PATH]["docs"]
    wanted = tokens(query)
    if not wanted:
        return []
    scores: dict[int, int] | None = None
    for token in wanted:
        shard = by_path[shard_path(shard_of(token))]
        single_cjk = len(token) == 1 and _IS_CJK.match(token)
        prefix = single_cjk or not _IS_CJK.match(token)
        hits: dict[int, int] = {}
        for key, posting in shard.items():
            if key == token or (prefix and key.startswith(token)):
                for doc, weight in posting:
                    hits[doc] = max(hits.get(doc, 0), weight)
        scores = (
            hits
            if scores is None
            else {doc: scores[doc] + weight for doc, weight in hits.items() if doc in scores}
        )
    assert scores is not None
    ranked = sorted(scores, key=lambda doc: (-scores[doc], -doc))  # ties: the newer first
    return [docs[doc]["path"] for doc in ranked]
