"""An incremental publish reads bounded slices: never every article, and about as many items
whatever the archive's size."""

import pytest

from bench.synthetic import synthetic_articles
from frontline.domain.models import Article, ArticleChange, ArticleStatus
from frontline.site.publishing import publish_site
from tests.unit.fakes import BoundedArticles, CountingIndex, ListedEverything
from tests.unit.test_incremental_publishing import NOW, SITE, newest, published, scenarios


def with_newest_changed(base: list[Article]) -> dict[str, tuple[list[Article], list]]:
    """Changes to an article the site-wide lists show: its title edited, or hidden."""
    top = newest(base)
    edited = top.model_copy(
        update={"analysis": top.analysis.model_copy(update={"title_ja": "最新記事の見出しを訂正"})}
    )
    hidden = top.model_copy(update={"status": ArticleStatus.HIDDEN})
    swap = lambda new: [new if a.id == top.id else a for a in base]  # noqa: E731
    return {
        "newest edited": (swap(edited), [ArticleChange(top, edited)]),
        "newest hidden": (swap(hidden), [ArticleChange(top, None)]),
    }


def items_read(base: list[Article], name: str) -> int:
    """Publish one scenario's change from a store that refuses to list every article."""
    after, changes = (scenarios(base) | with_newest_changed(base))[name]
    store = published(base)
    repository = BoundedArticles({a.id: a for a in after})
    index = CountingIndex(repository)
    publish_site(
        repository, store, SITE, manifest=store.manifest, now=NOW, index=index, changes=changes
    )
    return index.items_read


def test_the_store_refuses_to_list_everything() -> None:
    repository = BoundedArticles({a.id: a for a in synthetic_articles(501)})
    with pytest.raises(ListedEverything):
        repository.list_public()
    with pytest.raises(ListedEverything):
        CountingIndex(repository).newest(600)


@pytest.mark.parametrize(
    "name", ["new article", "two new articles", "newest edited", "newest hidden"]
)
def test_a_publish_reads_as_much_from_a_large_archive_as_from_a_small_one(name: str) -> None:
    # Given archives of 300 and 2,000 articles
    small, large = synthetic_articles(300), synthetic_articles(2_000)
    # When the same kind of change is published into each
    read_small, read_large = items_read(small, name), items_read(large, name)
    # Then almost seven times the archive costs well under twice the reads, and far less
    # than its size (every question asked was bounded; none listed everything)
    assert read_large <= read_small * 1.5
    assert read_large < len(large) // 2


def test_a_change_deep_in_the_archive_reads_as_deep_as_it_is_and_no_more() -> None:
    # Given an edit to an article in the middle of a 1,200-article archive: its archive page
    # is found by its position, read from the newest end (pages are numbered from the oldest)
    archive = synthetic_articles(1_200)
    # When it is published
    read = items_read(archive, "edited title")
    # Then the reads stop short of the whole archive many times over
    assert read < 1_200 * 5
