"""The page families of the site, one module each, and the registry the renderer walks.

Every family has the same shape (`PageFamily`): the paths it publishes, the paths a batch of
article changes touches, and how one path renders from the render context. What the site
contains is the union of the families' paths: there is no second list.
"""

from frontline.site.families.about import AboutFamily
from frontline.site.families.api import ApiFamily
from frontline.site.families.article import ArticleFamily
from frontline.site.families.assets import AssetFamily
from frontline.site.families.base import PageFamily, SiteContext
from frontline.site.families.companies import CompanyFamily
from frontline.site.families.digests import DigestFamily
from frontline.site.families.feeds import FeedFamily
from frontline.site.families.hacker import HackerFamily
from frontline.site.families.home import HomeFamily
from frontline.site.families.news import NewsFamily
from frontline.site.families.search import SearchFamily
from frontline.site.families.sitemap import SitemapFamily
from frontline.site.families.source_health import SourceHealthFamily
from frontline.site.families.sources import SourceFamily
from frontline.site.families.tags import TagFamily
from frontline.site.families.tools import ToolsFamily
from frontline.site.families.trends import TrendsFamily
from frontline.site.families.videos import VideosFamily

ARTICLES = ArticleFamily()
SEARCH = SearchFamily()
PAGE_FAMILIES: tuple[PageFamily, ...] = (
    HomeFamily(),
    NewsFamily(),
    ARTICLES,
    TagFamily(),
    CompanyFamily(),
    SourceHealthFamily(),  # before SourceFamily: /sources/health/ is not a source's page
    SourceFamily(),
    DigestFamily(),
    HackerFamily(),
    VideosFamily(),
    ToolsFamily(),
    TrendsFamily(),
    SEARCH,
    AboutFamily(),
)
SITEMAPS = SitemapFamily(PAGE_FAMILIES, ARTICLES, pages={SEARCH.name: SEARCH.pages})
FAMILIES: tuple[PageFamily, ...] = (
    *PAGE_FAMILIES,
    FeedFamily(),
    ApiFamily(),
    SITEMAPS,
    AssetFamily(),
)

__all__ = ["FAMILIES", "SITEMAPS", "PageFamily", "SiteContext"]
