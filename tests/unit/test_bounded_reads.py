"""Pages rendered from bounded store slices: the store is never asked for every article."""

import pytest

from bench.synthetic import synthetic_articles
from frontline.domain.models import Article, ArticleChange, ArticleStatus
from frontline.site.api import LATEST_PATH
from frontline.site.catalogue import build_catalogue
from frontline.site.families import FAMILIES, SiteContext
from frontline.site.families.feeds import JSON_FEED_PATH, SITE_FEEDS
from frontline.site.feeds import FEED_SIZE
from tests.unit.fakes import BoundedArticles, ListedEverything
from tests.unit.test_incremental_publishing import NOW, SITE, newest, scenarios

# The pages every publish rewrites whose family reads only the newest N.
BOUNDED_PATHS = (*SITE_FEEDS, JSON_FEED_PATH, LATEST_PATH)


@pytest.fixture(scope="module")
def base() -> list[Article]:
    return synthetic_articles(180)


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


def rendered(ctx: SiteContext) -> dict[str, bytes]:
    family = {f.name: f for f in FAMILIES}
    owner = dict.fromkeys((*SITE_FEEDS, JSON_FEED_PATH), "feeds") | {LATEST_PATH: "api"}
    return {path: family[owner[path]].render(path, ctx).body for path in BOUNDED_PATHS}


@pytest.mark.parametrize(
    "name",
    [
        "new article",
        "two new articles",
        "late arrival",
        "edited title",
        "new tags",
        "hidden",
        "newest edited",
        "newest hidden",
    ],
)
def test_site_wide_lists_render_from_the_newest_slice_alone(base: list[Article], name) -> None:
    # Given a store that raises when asked for every article, after a change
    after, _changes = (scenarios(base) | with_newest_changed(base))[name]
    store = BoundedArticles({a.id: a for a in after})

    def everything():
        return build_catalogue(store.list_public())

    # When the feeds and the API's newest list render with the store's bounded query
    bounded = SiteContext(everything, SITE, now=NOW, newest=store.list_newest)
    pages = rendered(bounded)
    # Then they equal the pages rendered from every article, byte for byte, and the store
    # read only the newest FEED_SIZE items once
    assert pages == rendered(SiteContext(build_catalogue(after), SITE, now=NOW))
    assert store.items_read == FEED_SIZE
    with pytest.raises(ListedEverything):
        everything()  # the store really refuses: the pages above never asked
