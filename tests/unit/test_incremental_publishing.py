"""Incremental publishing: the planned render equals a full render, byte for byte."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from bench.synthetic import synthetic_articles
from frontline.domain.models import (
    Article,
    ArticleChange,
    ArticleStatus,
    StorySource,
    StoryUpdate,
)
from frontline.site import SiteConfig
from frontline.site.catalogue import build_catalogue
from frontline.site.families import FAMILIES, SiteContext
from frontline.site.paths import key_for, source_path
from frontline.site.publishing import (
    PublishReport,
    invalidation_paths,
    publish_site,
    viewer_path,
)
from frontline.site.search import ARCHIVE_DIR, RECENT_DIR, TIERS_PATH, SearchFile
from frontline.site.slices import article_month, group_keys
from tests.site_fixture import assert_same_pages, pages
from tests.unit.fakes import (
    BoundedArticles,
    CountingIndex,
    FakeArticles,
    FakeManifest,
    MemoryBucket,
    UploadFailed,
)
from tests.unit.test_site_search import indexed_urls

SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example",
)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class MemoryStore(MemoryBucket):
    """The bucket with the manifest that describes it."""

    def __init__(self) -> None:
        super().__init__()
        self.manifest = FakeManifest()


class Cdn:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def invalidate(self, paths, *, reference: str) -> None:
        self.calls.append(list(paths))


@pytest.fixture(scope="module")
def base() -> list[Article]:
    return synthetic_articles(240)


def _story(articles: list[Article]) -> Article:
    return next(article for article in articles if article.sources)


def publish_to(
    store: MemoryStore,
    articles: list[Article],
    changes: list[ArticleChange] | None = None,
    *,
    cdn: Cdn | None = None,
    bounded: bool = True,
) -> PublishReport:
    """Publish the store holding `articles` into `store`: in full, or only `changes` —
    then from a store that refuses to list every article, through its bounded index."""
    incremental = changes is not None and bounded
    repository = (BoundedArticles if incremental else FakeArticles)({a.id: a for a in articles})
    return publish_from(repository, store, changes, cdn=cdn)


def publish_from(
    repository: FakeArticles,
    store: MemoryStore,
    changes: list[ArticleChange] | None = None,
    *,
    cdn: Cdn | None = None,
) -> PublishReport:
    """Publish what `repository` holds, through its index, into `store`."""
    return publish_site(
        repository,
        store,
        SITE,
        manifest=store.manifest,
        now=NOW,
        index=CountingIndex(repository),
        changes=changes,
        cdn=cdn,
    )


def published(articles: list[Article]) -> MemoryStore:
    store = MemoryStore()
    publish_to(store, articles)
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
    source = StorySource(
        item_id="f" * 32,
        feed_id="startup-beat",
        outlet="Startup Beat",
        url="https://startup-beat.example/kinetica",
        title="Kinetica raises $1.2B to mass-produce humanoid robots",
        published=middle.published + timedelta(hours=2),
        content_hash="e" * 64,
    )
    joined = middle.model_copy(update={"sources": (source,)})
    updated = joined.model_copy(
        update={
            "analysis": middle.analysis.model_copy(update={"tldr": "続報で評価額が判明した。"}),
            "updated_at": NOW,
            "updates": (
                StoryUpdate(at=NOW, item_id=source.item_id, outlet=source.outlet,
                            url=source.url, facts=("$6 billion", "NVIDIA")),
            ),
        }
    )  # fmt: skip
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
        "story source joined": (replace(middle, joined), [ArticleChange(middle, joined)]),
        "story updated": (replace(middle, updated), [ArticleChange(middle, updated)]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "new article",
        "two new articles",
        "late arrival",
        "edited title",
        "new tags",
        "hidden",
        "story source joined",
        "story updated",
    ],
)
def test_incremental_equals_full_rebuild(base: list[Article], name: str) -> None:
    # Given a published site and a change to its store
    after, changes = scenarios(base)[name]
    store = published(base)
    # When only the change is published
    report = publish_to(store, after, changes)
    # Then the bucket holds exactly what a full rebuild of the new store writes
    full = published(after)
    assert_same_pages(store.objects, full.objects)
    assert report.rendered < len(full.objects)  # it really was incremental
    if name.startswith("story"):  # and the story's page shows its sources
        page = store.objects[key_for(_story(after).path)].body.decode()
        assert "2件のソース" in page and "Startup Beat" in page
        assert ("再分析しました（新たな情報: " in page) is (name == "story updated")


@pytest.mark.parametrize("size", [39, 121])
@pytest.mark.parametrize("name", ["new article", "late arrival", "new tags", "hidden"])
def test_incremental_equals_full_rebuild_at_other_sizes(size: int, name: str) -> None:
    # Given archives just under one archive page and just over six
    base = synthetic_articles(size)
    after, changes = scenarios(base)[name]
    store = published(base)
    # When only the change is published
    publish_to(store, after, changes)
    # Then the bucket equals a full rebuild, byte for byte
    full = published(after).objects
    assert_same_pages(store.objects, full)


def new_article_puts(articles: list[Article]) -> list[str]:
    last = newest(articles)
    new = fresh(last, 9, first_seen=last.item.first_seen + timedelta(hours=1))
    store = published(articles)
    store.puts.clear()
    publish_to(store, [*articles, new], [ArticleChange(None, new)])
    return store.puts


def test_a_new_article_touches_a_bounded_set_of_objects() -> None:
    # Given archives of 120 and 360 articles
    small, large = (
        new_article_puts(synthetic_articles(120)),
        new_article_puts(synthetic_articles(360)),
    )
    # Then one new article uploads about as many objects into either: the set does not grow
    # with the archive (the site-wide pages, the search index, and the pages it reaches)
    assert "index.html" in large and "sitemaps/articles-2026-11.xml" in large
    assert "sitemap.xml" not in large  # the index changes only when a sitemap file comes
    assert len(large) <= len(small) + 10
    assert len(large) < 100


def test_an_unchanged_store_uploads_nothing(base: list[Article]) -> None:
    store = published(base)
    store.puts.clear()
    report = publish_to(store, base)
    assert store.puts == [] and report.deleted == []


def touched_by(changes: list[ArticleChange], after: list[Article]) -> dict[str, set[str]]:
    ctx = SiteContext(build_catalogue(after), SITE, now=NOW)
    return {family.name: set(family.touched(changes, ctx)) for family in FAMILIES}


def test_each_family_names_the_pages_a_change_reaches(base: list[Article]) -> None:
    # Given one new article
    after, changes = scenarios(base)["new article"]
    [change] = changes
    new = change.after
    # When each family is asked which of its pages the change touches
    touched = touched_by(changes, after)
    # Then they name the article's own pages, its groups, and a bounded set of neighbours
    assert new.path in touched["article"]
    assert touched["tags"] == {"/tags/", *(f"/tags/{key}/" for key in group_keys(new, "tags"))}
    assert touched["companies"] == {
        "/companies/",
        *(f"/companies/{key}/" for key in group_keys(new, "companies")),
    }
    assert touched["sources"] == {"/sources/", source_path(new.item.feed_id)}
    assert touched["api"] == {"/api/v1/latest.json", f"/api/v1/articles/{new.id}.json"}
    assert len(touched["news"] - {"/news/"}) <= 2  # the newest end of the archive only
    # related lists hold earlier arrivals (the first three of a category fill up with the
    # next ones): its own page, and at most those three
    assert new.path in touched["article"] and len(touched["article"]) <= 4
    assert touched["assets"] == set()

    hidden_after, hidden_changes = scenarios(base)["hidden"]
    hidden = touched_by(hidden_changes, hidden_after)
    assert hidden_changes[0].before.path in hidden["article"]  # to be deleted by key
    assert len(hidden["news"] - {"/news/"}) >= 1


def test_a_hidden_article_loses_its_pages(base: list[Article]) -> None:
    after, changes = scenarios(base)["hidden"]
    store = published(base)
    hidden = changes[0].before
    report = publish_to(store, after, changes)
    page = hidden.path.strip("/") + "/index.html"
    assert page in report.deleted and page not in store.objects
    assert f"api/v1/articles/{hidden.id}.json" not in store.objects


def test_changed_pages_are_invalidated_in_one_capped_call(base: list[Article]) -> None:
    after, changes = scenarios(base)["new article"]
    store, cdn = published(base), Cdn()
    publish_to(store, after, changes, cdn=cdn)
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


def test_a_site_never_published_is_published_in_full(base: list[Article]) -> None:
    # Given an empty bucket and manifest, and a stream batch of one new article
    after, changes = scenarios(base)["new article"]
    store = MemoryStore()
    # When the batch is published
    publish_to(store, after, changes, bounded=False)
    # Then the whole site is there
    assert pages(store.objects) == pages(published(after).objects)


def test_a_publish_reads_the_manifest_for_just_the_keys_it_renders(base: list[Article]) -> None:
    after, changes = scenarios(base)["new article"]
    store = published(base)
    store.manifest.keys_read = store.manifest.full_reads = 0
    report = publish_to(store, after, changes)
    assert store.manifest.full_reads == 0
    # the top page, what was rendered, and a few candidates for deletion (none here)
    assert report.deleted == []
    assert store.manifest.keys_read <= 1 + report.rendered + 10
    assert store.manifest.keys_read < len(store.objects) // 4
    assert store.manifest.hashes == {
        key: hashlib.sha256(obj.body).hexdigest() for key, obj in store.objects.items()
    }


def test_an_upload_that_failed_is_retried_by_the_next_publish(base: list[Article]) -> None:
    # Given a publish whose upload of the top page and one article page fails
    after, changes = scenarios(base)["new article"]
    new = changes[0].after
    repository = FakeArticles({a.id: a for a in after})
    store = published(base)
    store.failing = {"index.html", key_of(new.path)}
    with pytest.raises(UploadFailed):
        publish_from(repository, store, changes)
    assert "/" in store.manifest.pending()
    # When the fault is gone and the next batch changes nothing these pages depend on
    store.failing.clear()
    publish_from(repository, store, [])
    # Then the site equals a full rebuild and nothing is pending
    full = published(after).objects
    assert_same_pages(store.objects, full)
    assert store.manifest.pending() == []


# --- one page that fails to render ----------------------------------------------------------


@pytest.fixture
def failing_page(monkeypatch: pytest.MonkeyPatch):
    """Make the article page of chosen ids raise, as a bad record would."""
    import frontline.site.families.article as article_family

    bad: set[str] = set()
    real = article_family.article_view

    def article_view(article, *args, **kwargs):
        if article.id in bad:
            raise ValueError("unrenderable analysis")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(article_family, "article_view", article_view)
    return bad


def test_one_page_that_fails_is_left_out_and_the_rest_is_published(
    base: list[Article], failing_page: set[str]
) -> None:
    # Given a published site, and two new articles of which one cannot be rendered
    last = newest(base)
    bad = fresh(last, 21, first_seen=last.item.first_seen + timedelta(hours=1))
    good = fresh(last, 22, first_seen=last.item.first_seen + timedelta(hours=1))
    failing_page.add(bad.id)
    after = [*base, bad, good]
    store = published(base)
    # When the stream delivers both
    report = publish_to(store, after, [ArticleChange(None, bad), ArticleChange(None, good)])
    # Then the failure names the article; its page is missing, everything else is published
    assert [(f.family, f.path, f.article_id) for f in report.failed] == [
        ("article", bad.path, bad.id)
    ]
    full = published(after).objects  # what a healthy render writes (the fault is per id)
    assert key_of(bad.path) not in store.objects
    assert pages(store.objects) == pages(full) - {key_of(bad.path)}
    different = [key for key in pages(store.objects) if store.objects[key].body != full[key].body]
    assert different == []
    # and nothing escalated into a full render
    assert report.rendered < len(full) // 2


def test_a_page_that_failed_is_rendered_by_the_next_publish(
    base: list[Article], failing_page: set[str]
) -> None:
    # Given a publish that left one new article's page out
    last = newest(base)
    bad = fresh(last, 23, first_seen=last.item.first_seen + timedelta(hours=1))
    after = [*base, bad]
    repository = FakeArticles({a.id: a for a in after})
    store = published(base)
    failing_page.add(bad.id)
    first = publish_from(repository, store, [ArticleChange(None, bad)])
    assert [f.article_id for f in first.failed] == [bad.id]
    # When the fault is gone and the next batch changes something else
    failing_page.clear()
    report = publish_from(repository, store, [])
    # Then the missing page is published and the site equals a full rebuild
    assert report.failed == ()
    assert key_of(bad.path) in report.uploaded
    full = published(after).objects
    assert_same_pages(store.objects, full)


def test_a_full_rebuild_publishes_everything_but_the_page_that_fails(
    base: list[Article], failing_page: set[str]
) -> None:
    victim = base[7]
    failing_page.add(victim.id)
    store = MemoryStore()
    repository = FakeArticles({a.id: a for a in base})
    report = publish_from(repository, store)
    assert [f.article_id for f in report.failed] == [victim.id]
    failing_page.clear()
    assert store.objects.keys() == published(base).objects.keys() - {key_of(victim.path)}


def key_of(path: str) -> str:
    return path.strip("/") + "/index.html"


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
    publish_to(store, after, changes)
    # Then both indexes together hold what a full rebuild's archive holds
    assert searchable(store) == searchable(published(after)) == {a.path for a in after}
    # and the archive index was left as the nightly build wrote it
    assert {
        k: o.body for k, o in store.objects.items() if k.startswith("search/archive/")
    } == archive
    files = [SearchFile("/" + o.key, o.body, o.content_type, False) for o in store.objects.values()]
    assert indexed_urls(files, RECENT_DIR) == {c.after.path for c in changes if c.after}


def test_the_previous_recent_index_is_deleted_by_name(base: list[Article]) -> None:
    # Given two publishes, each with one more new article than the archive holds
    stored = max(a.created_at for a in base) + timedelta(minutes=5)
    first, second = (
        fresh(base[0], n, first_seen=stored + timedelta(minutes=n)) for n in (901, 902)
    )
    store = published(base)
    publish_to(store, [*base, first], [ArticleChange(None, first)])
    before = {key for key in store.objects if key.startswith("search/recent/")}
    # When the second is published
    publish_to(store, [*base, first, second], [ArticleChange(None, second)])
    # Then the recent index holds both, and no file of the first recent index is left over
    # that the new tiers file does not name (the bucket is never listed)
    tiers = json.loads(store.objects[key_for(TIERS_PATH)].body)
    recent = {key for key in store.objects if key.startswith("search/recent/")}
    assert recent == {path.lstrip("/") for path in tiers["recent_files"]}
    assert before - recent  # the first index's files that changed are gone
    files = [SearchFile("/" + o.key, o.body, o.content_type, False) for o in store.objects.values()]
    assert indexed_urls(files, RECENT_DIR) == {first.path, second.path}


def test_a_publish_without_an_archive_index_publishes_everything(base: list[Article]) -> None:
    # Given a site whose tiers file was lost
    store = published(base)
    del store.objects[key_for(TIERS_PATH)]
    after, changes = scenarios(base)["new article"]
    # When a change is published
    publish_to(store, after, changes, bounded=False)
    # Then the archive index is rebuilt with the new article and there is no recent index
    months = sorted({article_month(a) for a in after})
    bundles = [f"{ARCHIVE_DIR}{month}-1/" for month in months]  # a bundle a month, none recent
    assert json.loads(store.objects[key_for(TIERS_PATH)].body)["bundles"] == bundles
    assert searchable(store) == {a.path for a in after}


def test_a_record_whose_card_fails_drops_out_of_every_list(
    base: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    import frontline.site.families.base as family_base

    # Given a published site and two new articles, one of which cannot even be shown as a card
    last = newest(base)
    bad = fresh(last, 31, first_seen=last.item.first_seen + timedelta(hours=1))
    good = fresh(last, 32, first_seen=last.item.first_seen + timedelta(hours=1))
    real = family_base.card_view

    def card_view(article: Article):
        if article.id == bad.id:
            raise ValueError("unrenderable record")
        return real(article)

    monkeypatch.setattr(family_base, "card_view", card_view)
    after = [*base, bad, good]
    store = published(base)
    # When the stream delivers both
    report = publish_to(store, after, [ArticleChange(None, bad), ArticleChange(None, good)])
    # Then the bad record is reported once and left out; the lists show the good one
    assert [(f.path, f.article_id) for f in report.failed] == [(bad.path, bad.id)]
    home = store.objects["index.html"].body.decode()
    assert good.path in home and bad.path not in home
    assert store.manifest.pending() == [bad.path]
    # and the site is what a full rebuild under the same fault writes
    full = published(after).objects
    assert_same_pages(store.objects, full)
