"""Sitemaps: an index, a sitemap of the site's pages and one per month of articles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from bench.synthetic import synthetic_articles
from frontline.domain.models import ArticleChange
from frontline.site import render_site
from frontline.site.catalogue import ListedIndex
from frontline.site.families.sitemap import MAX_BYTES, MAX_URLS, split_entries
from frontline.site.feeds import SitemapEntry, render_sitemap
from frontline.site.publishing import publish_site
from tests.unit.fakes import FakeArticles, FakeManifest, MemoryBucket
from tests.unit.test_site_support import NOW, SITE, by_key, sitemap_urls

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_a_sitemap_holds_at_most_50000_urls() -> None:
    entries = [
        SitemapEntry(f"https://news.example/a/{n}/", "2026-11-27T03:00:00Z") for n in range(50_001)
    ]
    parts = split_entries(entries)
    assert [len(part) for part in parts] == [50_000, 1]
    assert MAX_URLS == 50_000
    assert len(render_sitemap(parts[0]).encode()) <= MAX_BYTES


def test_a_sitemap_holds_at_most_50_mb() -> None:
    # 30,000 URLs of 2,000 bytes each: about 60 MB, under the URL limit
    entries = [
        SitemapEntry(f"https://news.example/{n:05d}/" + "x" * 1_978, None) for n in range(30_000)
    ]
    parts = split_entries(entries)
    assert len(parts) == 2 and sum(len(part) for part in parts) == 30_000
    for part in parts:
        body = render_sitemap(part).encode()
        assert len(body) <= MAX_BYTES == 50 * 1024 * 1024
        assert body.count(b"<url>") == len(part)


def test_the_index_names_one_sitemap_per_family_and_one_per_month() -> None:
    articles = synthetic_articles(120)
    site = by_key(render_site(articles, SITE, now=NOW))
    index = ET.fromstring(site["sitemap.xml"].body)
    files = [loc.text or "" for loc in index.findall("sm:sitemap/sm:loc", NS)]
    months = sorted({a.path.split("/")[2] + "-" + a.path.split("/")[3] for a in articles})
    families = ["about", "companies", "digests", "hacker", "home", "news", "search", "sources"]
    families += ["tags", "tools", "trends", "videos"]
    assert files == [
        *(f"{SITE.base_url}/sitemaps/{family}.xml" for family in families),
        *(f"{SITE.base_url}/sitemaps/articles-{month}.xml" for month in months),
    ]
    # every article is in its month's file, with its last modification
    for article in articles:
        month = article.path[10:17].replace("/", "-")
        body = site[f"sitemaps/articles-{month}.xml"].body.decode()
        assert f"<loc>{SITE.base_url}{article.path}</loc><lastmod>" in body
    urls = sitemap_urls(lambda key: site[key].body, SITE.base_url)
    assert len(urls) == len(set(urls))
    assert set(urls) >= {SITE.base_url + article.path for article in articles}


def published_with(articles: list, new) -> tuple[MemoryBucket, dict[str, bytes]]:
    """Publish `articles` in full, then `new` as a stream batch; the sitemaps before."""
    bucket, manifest = MemoryBucket(), FakeManifest()
    repository = FakeArticles({a.id: a for a in articles})
    publish_site(
        repository, bucket, SITE, manifest=manifest, now=NOW, index=ListedIndex(repository)
    )
    before = {key: obj.body for key, obj in bucket.objects.items() if key.startswith("sitemaps/")}
    repository.save(new)
    bucket.puts.clear()
    publish_site(
        repository,
        bucket,
        SITE,
        manifest=manifest,
        now=NOW,
        changes=[ArticleChange(None, new)],
        index=ListedIndex(repository),
    )
    return bucket, before


def arrival(articles: list, *, tags: tuple[str, ...] | None = None, months: int = 0):
    """A copy of the newest article arriving an hour later (or `months` * 31 days later)."""
    last = max(articles, key=lambda a: (a.item.first_seen, a.item.published, a.id))
    later = timedelta(hours=1) + timedelta(days=31 * months)
    item = last.item.model_copy(
        update={
            "id": "e" * 32,
            "first_seen": last.item.first_seen + later,
            "published": last.item.published + later,
        }
    )
    analysis = last.analysis.model_copy(update={"tags": tags}) if tags else last.analysis
    published = item.published
    return last.model_copy(
        update={
            "id": item.id,
            "item": item,
            "analysis": analysis,
            "path": f"/articles/{published:%Y/%m/%d}/arrival-eeeeeeee/",
            "updated_at": last.updated_at + later,
        }
    )


def test_a_new_article_rewrites_its_month_only() -> None:
    # Given a published site spanning several months, and an article of its newest month
    # under tags that already have pages
    articles = synthetic_articles(120)
    new = arrival(articles)
    # When it is published
    bucket, before = published_with(articles, new)
    # Then that month's sitemap changes; every other sitemap and the index keep their bytes
    month = f"sitemaps/articles-{new.path[10:17].replace('/', '-')}.xml"
    assert month in bucket.puts
    assert f"<loc>{SITE.base_url}{new.path}</loc>" in bucket.objects[month].body.decode()
    older = [key for key in before if key != month]
    assert older and all(bucket.objects[key].body == before[key] for key in older)
    assert not any(key in bucket.puts for key in [*older, "sitemap.xml"])


def test_a_new_tag_rewrites_the_tags_sitemap_and_a_new_month_the_index() -> None:
    # Given a published site, and an article a month after its newest, under a new tag
    articles = synthetic_articles(120)
    new = arrival(articles, tags=("量子計算", "新素材", "蒸留"), months=1)
    # When it is published
    bucket, _before = published_with(articles, new)
    # Then the tags sitemap lists the new tag's page, the new month has its file, and the
    # index names it; the company and source sitemaps were not rewritten
    assert {"sitemaps/tags.xml", "sitemap.xml"} <= set(bucket.puts)
    assert (
        "/tags/%E9%87%8F%E5%AD%90%E8%A8%88%E7%AE%97/"
        in bucket.objects["sitemaps/tags.xml"].body.decode()
    )
    month = f"articles-{new.path[10:17].replace('/', '-')}"
    assert f"sitemaps/{month}.xml" in bucket.puts
    assert f"/sitemaps/{month}.xml" in bucket.objects["sitemap.xml"].body.decode()
    assert "sitemaps/companies.xml" not in bucket.puts
    assert "sitemaps/sources.xml" not in bucket.puts
