"""Incremental publishing: the planned render equals a full render, byte for byte.

Search is the exception by design: a publish adds a recent index beside the nightly's
archive index, so what readers can find is compared instead of bytes.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from bench.synthetic import synthetic_articles
from frontline.domain.models import Article, ArticleChange, ArticleStatus
from frontline.domain.ports import SiteObject
from frontline.site import SiteConfig
from frontline.site.catalogue import build_catalogue, company_keys, tag_keys
from frontline.site.page_plan import plan_pages_for
from frontline.site.paths import key_for
from frontline.site.publishing import invalidation_paths, publish_site, viewer_path
from frontline.site.search import ARCHIVE_DIR, RECENT_DIR, TIERS_PATH, SearchFile
from tests.unit.fakes import FakeArticles
from tests.unit.test_site_search import indexed_urls

SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example",
)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, SiteObject] = {}
        self.puts: list[str] = []

    def existing_hashes(self) -> dict[str, str]:
        return {key: self.hash_of(obj.body) for key, obj in self.objects.items()}

    def hash_of(self, body: bytes) -> str:
        return hashlib.md5(body, usedforsecurity=False).hexdigest()

    def read(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found.body if found else None

    def put(self, obj: SiteObject) -> None:
        self.puts.append(obj.key)
        self.objects[obj.key] = obj

    def delete(self, keys) -> None:
        for key in keys:
            del self.objects[key]


class Cdn:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def invalidate(self, paths, *, reference: str) -> None:
        self.calls.append(list(paths))


@pytest.fixture(scope="module")
def base() -> list[Article]:
    return synthetic_articles(240)


def published(articles: list[Article]) -> MemoryStore:
    store = MemoryStore()
    publish_site(FakeArticles({a.id: a for a in articles}), store, SITE, now=NOW)
    return store


def newest(articles: list[Article]) -> Article:
    return max(articles, key=lambda a: (a.item.first_seen, a.item.published, a.id))


def fresh(template: Article, n: int, *, first_seen: datetime) -> Article:
    item = template.item.model_copy(
        update={
            "id": f"{n:032x}",
            "first_seen": first_seen,
            "published": first_seen - timedelta(minutes=30),
        }
    )
    return template.model_copy(
        update={
            "id": item.id,
            "item": item,
            "path": f"/articles/2026/11/27/fresh-{n}-{item.id[:8]}/",
            "created_at": first_seen,
            "updated_at": first_seen,
        }
    )


def scenarios(base: list[Article]) -> dict[str, tuple[list[Article], list[ArticleChange]]]:
    last = newest(base)
    middle = sorted(base, key=lambda a: a.item.first_seen)[len(base) // 2]
    older = sorted(base, key=lambda a: a.item.first_seen)[len(base) // 3]
    new = fresh(middle, 1, first_seen=last.item.first_seen + timedelta(hours=1))
    late = fresh(middle, 2, first_seen=middle.item.first_seen + timedelta(seconds=1))
    edited = middle.model_copy(
        update={
            "analysis": middle.analysis.model_copy(update={"title_ja": "見出しを訂正した記事"}),
            "updated_at": NOW,
        }
    )
    retagged = older.model_copy(
        update={
            "analysis": older.analysis.model_copy(
                update={"tags": ("蒸留", "オープンウェイト", "推論モデル")}
            ),
            "updated_at": NOW,
        }
    )
    hidden = middle.model_copy(update={"status": ArticleStatus.HIDDEN, "updated_at": NOW})
    replace = lambda old, new_version: [new_version if a.id == old.id else a for a in base]  # noqa: E731
    return {
        "new article": ([*base, new], [ArticleChange(None, new)]),
        "two new articles": (
            [*base, new, fresh(last, 3, first_seen=new.item.first_seen)],
            [
                ArticleChange(None, new),
                ArticleChange(None, fresh(last, 3, first_seen=new.item.first_seen)),
            ],
        ),
        "late arrival": ([*base, late], [ArticleChange(None, late)]),
        "edited title": (replace(middle, edited), [ArticleChange(middle, edited)]),
        "new tags": (replace(older, retagged), [ArticleChange(older, retagged)]),
        "hidden": (replace(middle, hidden), [ArticleChange(middle, None)]),
    }


@pytest.mark.parametrize(
    "name",
    ["new article", "two new articles", "late arrival", "edited title", "new tags", "hidden"],
)
def test_incremental_equals_full_rebuild(base: list[Article], name: str) -> None:
    # Given a published site and a change to its store
    after, changes = scenarios(base)[name]
    store = published(base)
    # When only the change is published
    report = publish_site(
        FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes
    )
    # Then the bucket holds exactly what a full rebuild of the new store writes (search aside)
    full = published(after)
    assert pages(store) == pages(full)
    different = [key for key in pages(full) if store.objects[key].body != full.objects[key].body]
    assert different == []
    assert report.rendered < len(full.objects)  # it really was incremental


def pages(store: MemoryStore) -> set[str]:
    return {key for key in store.objects if not key.startswith("search/")}


def searchable(store: MemoryStore) -> set[str]:
    """The article URLs in every search index the search page loads."""
    tiers = json.loads(store.objects[key_for(TIERS_PATH)].body)
    files = [SearchFile("/" + o.key, o.body, o.content_type, False) for o in store.objects.values()]
    return set().union(*(indexed_urls(files, bundle) for bundle in tiers["bundles"]))


@pytest.mark.parametrize("name", ["new article", "two new articles", "late arrival"])
def test_after_a_publish_search_finds_what_a_rebuild_finds(base: list[Article], name: str) -> None:
    # Given a published site and new articles in its store, stored after every published one
    # (an article's created_at is when it was first stored, whatever its source's date)
    stored = max(a.created_at for a in base) + timedelta(minutes=5)
    news = {
        c.after.id: c.after.model_copy(update={"created_at": stored})
        for c in scenarios(base)[name][1]
        if c.after
    }
    after = [*base, *news.values()]
    changes = [ArticleChange(None, article) for article in news.values()]
    store = published(base)
    archive = {
        key: obj.body for key, obj in store.objects.items() if key.startswith("search/archive/")
    }
    # When only the change is published
    publish_site(FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes)
    # Then both indexes together hold what a full rebuild's archive holds
    assert searchable(store) == searchable(published(after)) == {a.path for a in after}
    # and the archive index was left as the nightly build wrote it
    assert {
        k: o.body for k, o in store.objects.items() if k.startswith("search/archive/")
    } == archive
    files = [SearchFile("/" + o.key, o.body, o.content_type, False) for o in store.objects.values()]
    assert indexed_urls(files, RECENT_DIR) == {c.after.path for c in changes if c.after}


def test_a_publish_without_an_archive_index_publishes_everything(base: list[Article]) -> None:
    # Given a site whose tiers file was lost
    store = published(base)
    del store.objects[key_for(TIERS_PATH)]
    after, changes = scenarios(base)["new article"]
    # When a change is published
    publish_site(FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes)
    # Then the archive index is rebuilt with the new article and there is no recent index
    assert json.loads(store.objects[key_for(TIERS_PATH)].body)["bundles"] == [ARCHIVE_DIR]
    assert searchable(store) == {a.path for a in after}


def new_article_puts(articles: list[Article]) -> list[str]:
    last = newest(articles)
    new = fresh(last, 9, first_seen=last.item.first_seen + timedelta(hours=1))
    store = published(articles)
    store.puts.clear()
    publish_site(
        FakeArticles({a.id: a for a in [*articles, new]}),
        store,
        SITE,
        now=NOW,
        changes=[ArticleChange(None, new)],
    )
    return store.puts


def test_a_new_article_touches_a_bounded_set_of_objects() -> None:
    # Given archives of 120 and 360 articles
    small, large = (
        new_article_puts(synthetic_articles(120)),
        new_article_puts(synthetic_articles(360)),
    )
    # Then one new article uploads about as many objects into either: the set does not grow
    # with the archive (the site-wide pages, the search index, and the pages it reaches)
    assert "index.html" in large and "sitemap.xml" in large
    assert len(large) <= len(small) + 10
    assert len(large) < 100


def test_an_unchanged_store_uploads_nothing(base: list[Article]) -> None:
    store = published(base)
    store.puts.clear()
    report = publish_site(FakeArticles({a.id: a for a in base}), store, SITE, now=NOW)
    assert store.puts == [] and report.deleted == []


def test_the_plan_names_the_pages_a_change_reaches(base: list[Article]) -> None:
    after, changes = scenarios(base)["new article"]
    [change] = changes
    plan = plan_pages_for(changes, build_catalogue(after))
    new = change.after
    assert new.id in plan.articles
    assert plan.tags == set(tag_keys(new))
    assert plan.companies == set(company_keys(new))
    assert plan.sources == {new.item.feed_id}
    assert len(plan.archive_pages) <= 2  # the newest end only
    assert len(plan.articles) < len(after) // 4

    hidden_after, hidden_changes = scenarios(base)["hidden"]
    hidden_plan = plan_pages_for(hidden_changes, build_catalogue(hidden_after))
    assert hidden_changes[0].before.id not in hidden_plan.articles
    assert len(hidden_plan.archive_pages) >= 1


def test_a_hidden_article_loses_its_pages(base: list[Article]) -> None:
    after, changes = scenarios(base)["hidden"]
    store = published(base)
    hidden = changes[0].before
    report = publish_site(
        FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes
    )
    page = hidden.path.strip("/") + "/index.html"
    assert page in report.deleted and page not in store.objects
    assert f"api/v1/articles/{hidden.id}.json" not in store.objects


def test_changed_pages_are_invalidated_in_one_capped_call(base: list[Article]) -> None:
    after, changes = scenarios(base)["new article"]
    store, cdn = published(base), Cdn()
    publish_site(
        FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes, cdn=cdn
    )
    [paths] = cdn.calls
    assert paths[:2] == ["/", "/news/"]
    assert len(paths) <= 15
    assert all(not path.startswith("/assets/") for path in paths)


def test_viewer_paths() -> None:
    assert viewer_path("index.html") == "/"
    assert viewer_path("tags/蒸留/index.html") == "/tags/蒸留/"
    assert viewer_path("rss.xml") == "/rss.xml"
    assert viewer_path("assets/style.0123abcd.css") is None
    assert invalidation_paths(["a/index.html", "index.html", "assets/x.css"]) == ["/", "/a/"]


def test_a_missing_page_heals_with_a_full_publish(base: list[Article]) -> None:
    after, changes = scenarios(base)["new article"]
    store = published(base)
    lost = next(key for key in store.objects if key.startswith("tags/"))
    del store.objects[lost]
    publish_site(FakeArticles({a.id: a for a in after}), store, SITE, now=NOW, changes=changes)
    assert pages(store) == pages(published(after))
