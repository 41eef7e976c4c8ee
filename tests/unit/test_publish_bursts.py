"""A burst of stream batches is published together, not once per batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.synthetic import synthetic_articles
from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.site import SiteConfig
from frontline.site.catalogue import ListedIndex
from frontline.site.publishing import merge_changes, publish_coalesced, publish_site
from tests.site_fixture import assert_same_pages
from tests.unit.fakes import FakeArticles, FakeBacklog, FakeManifest, MemoryBucket

SITE = SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://news.example")
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def full_render(repository: FakeArticles) -> dict[str, SiteObject]:
    """What a full publish of the store writes into an empty bucket."""
    bucket = MemoryBucket()
    publish_site(
        repository, bucket, SITE, manifest=FakeManifest(), now=NOW, index=ListedIndex(repository)
    )
    return bucket.objects


def arrival(template: Article, n: int, first_seen: datetime) -> Article:
    item = template.item.model_copy(
        update={"id": f"{n:032x}", "first_seen": first_seen, "published": first_seen}
    )
    return template.model_copy(
        update={"id": item.id, "item": item, "path": f"/articles/2026/11/27/burst-{n}/"}
    )


@pytest.fixture
def published() -> tuple[FakeArticles, MemoryBucket, FakeManifest, list[Article]]:
    base = synthetic_articles(120)
    repository = FakeArticles({a.id: a for a in base})
    bucket, manifest = MemoryBucket(), FakeManifest()
    publish_site(
        repository, bucket, SITE, manifest=manifest, now=NOW, index=ListedIndex(repository)
    )
    return repository, bucket, manifest, base


def test_ten_batches_within_a_minute_are_published_once_by_the_drain(published) -> None:
    # Given a published site and a backlog that last published just now
    repository, bucket, manifest, base = published
    backlog = FakeBacklog(published_at=NOW)
    last = max(base, key=lambda a: a.item.first_seen)
    renders = []
    clock = NOW
    # When ten stream batches of three new articles arrive five seconds apart
    for batch in range(10):
        clock += timedelta(seconds=5)
        news = [
            arrival(last, 100 + batch * 3 + i, last.item.first_seen + timedelta(hours=batch + 1))
            for i in range(3)
        ]
        for article in news:
            repository.save(article)
        report = publish_coalesced(
            repository, bucket, SITE, manifest=manifest, backlog=backlog, now=clock,
            changes=[ArticleChange(None, article) for article in news], index=ListedIndex(repository),
        )  # fmt: skip
        renders.append(report.rendered)
    # and the drain schedule runs once after them
    drained = publish_coalesced(
        repository, bucket, SITE, manifest=manifest, backlog=backlog,
        now=clock + timedelta(seconds=30), changes=None, index=ListedIndex(repository),
    )  # fmt: skip
    # Then no batch rendered (each came within a minute of the last publish); the drain
    # rendered once for all thirty articles, and the site equals a full rebuild
    assert renders == [0] * 10 and drained.rendered > 0
    assert backlog.waiting() == []
    assert_same_pages(bucket.objects, full_render(repository))


def test_a_batch_after_a_quiet_minute_is_published_at_once(published) -> None:
    repository, bucket, manifest, base = published
    backlog = FakeBacklog(published_at=NOW - timedelta(minutes=5))
    new = arrival(base[0], 500, max(a.item.first_seen for a in base) + timedelta(hours=1))
    repository.save(new)
    report = publish_coalesced(
        repository, bucket, SITE, manifest=manifest, backlog=backlog, now=NOW,
        changes=[ArticleChange(None, new)], index=ListedIndex(repository),
    )  # fmt: skip
    assert report.rendered > 0 and backlog.waiting() == []
    assert new.path.strip("/") + "/index.html" in bucket.objects
    assert backlog.last_publish() == NOW


def test_a_drain_with_nothing_waiting_renders_nothing(published) -> None:
    repository, bucket, manifest, _base = published
    backlog = FakeBacklog()
    bucket.puts.clear()
    report = publish_coalesced(
        repository,
        bucket,
        SITE,
        manifest=manifest,
        backlog=backlog,
        now=NOW,
        changes=None,
        index=ListedIndex(repository),
    )
    assert report.rendered == 0 and bucket.puts == []


def test_changes_to_one_article_across_batches_merge_into_one() -> None:
    first, edited, other = synthetic_articles(3)
    edited = first.model_copy(update={"updated_at": first.updated_at + timedelta(hours=1)})
    merged = merge_changes(
        [
            ArticleChange(None, first),
            ArticleChange(None, other),
            ArticleChange(first, edited),
            ArticleChange(edited, None),
        ]
    )
    assert merged == [ArticleChange(None, None), ArticleChange(None, other)]


def test_a_publish_that_fails_leaves_its_batches_waiting_until_a_drain_succeeds(
    published,
) -> None:
    from tests.unit.fakes import UploadFailed

    # Given a batch whose publish fails at an upload
    repository, bucket, manifest, base = published
    backlog = FakeBacklog()
    new = arrival(base[0], 600, max(a.item.first_seen for a in base) + timedelta(hours=1))
    repository.save(new)
    bucket.failing = {"index.html"}
    with pytest.raises(UploadFailed):
        publish_coalesced(
            repository, bucket, SITE, manifest=manifest, backlog=backlog, now=NOW,
            changes=[ArticleChange(None, new)], index=ListedIndex(repository),
        )  # fmt: skip
    # Then the change still waits, and no publish time was recorded
    assert [change for _token, change in backlog.waiting()] == [ArticleChange(None, new)]
    assert backlog.last_publish() is None
    # When S3 recovers and the drain schedule runs
    bucket.failing.clear()
    publish_coalesced(
        repository, bucket, SITE, manifest=manifest, backlog=backlog,
        now=NOW + timedelta(minutes=1), changes=None, index=ListedIndex(repository),
    )  # fmt: skip
    # Then the site matches the store and nothing waits
    assert backlog.waiting() == [] and manifest.pending() == []
    assert_same_pages(bucket.objects, full_render(repository))


@pytest.mark.parametrize("failure", ["upload", "render"])
def test_a_drain_with_an_empty_backlog_retries_pages_left_pending(
    published, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import frontline.site.families.article as article_family
    from tests.unit.fakes import UploadFailed

    # Given a full rebuild (it records nothing in the backlog) that left pages pending:
    # the upload of an edited article's page failed, or it raised while rendering
    repository, bucket, manifest, base = published
    backlog = FakeBacklog(published_at=NOW)
    analysis = base[0].analysis.model_copy(update={"title_ja": "書き換えられた見出し"})
    edited = base[0].model_copy(update={"analysis": analysis})
    repository.save(edited)
    page = edited.path.strip("/") + "/index.html"
    if failure == "upload":
        bucket.failing = {page}
        with pytest.raises(UploadFailed):
            publish_coalesced(
                repository, bucket, SITE, manifest=manifest, backlog=backlog,
                now=NOW, changes=None, full=True, index=ListedIndex(repository),
            )  # fmt: skip
        bucket.failing.clear()
    else:
        real = article_family.article_view

        def raising(article: Article, *args: object, **kwargs: object) -> object:
            if article.id == edited.id:
                raise ValueError("unrenderable analysis")
            return real(article, *args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(article_family, "article_view", raising)
            report = publish_coalesced(
                repository, bucket, SITE, manifest=manifest, backlog=backlog,
                now=NOW, changes=None, full=True, index=ListedIndex(repository),
            )  # fmt: skip
        assert [f.article_id for f in report.failed] == [edited.id]
    assert manifest.pending() and backlog.waiting() == []
    # When the drain schedule runs a minute later, with no new article
    drained = publish_coalesced(
        repository, bucket, SITE, manifest=manifest, backlog=backlog,
        now=NOW + timedelta(minutes=1), changes=None, index=ListedIndex(repository),
    )  # fmt: skip
    # Then the pending pages are published and the site equals a full render of the store
    assert drained.rendered > 0 and manifest.pending() == []
    assert "書き換えられた見出し" in bucket.objects[page].body.decode()
    assert_same_pages(bucket.objects, full_render(repository))
