"""The whole pipeline in moto, as `make demo SERVE=0` runs it."""

from pathlib import Path

import feedparser
import pytest

from infra.local.demo import build_demo_site
from tests.site_fixture import AWS_TEST_ENV


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    for name, value in AWS_TEST_ENV.items():
        mp.setenv(name, value)
    lines: list[str] = []
    output = build_demo_site(
        tmp_path_factory.mktemp("demo") / "_site",
        site_url="http://127.0.0.1:8000",
        say=lines.append,
    )
    mp.undo()
    assert any(line.startswith("fetch_feeds:") for line in lines)
    assert any(line.startswith("render_site:") for line in lines)
    return output


def test_the_demo_writes_the_top_page_articles_and_rss(site: Path) -> None:
    assert (site / "index.html").is_file()
    articles = list(site.glob("articles/*/*/*/*/index.html"))
    assert len(articles) >= 24
    feed = feedparser.parse((site / "rss.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) >= 20


def test_the_non_ai_item_is_not_published(site: Path) -> None:
    # The demo wire carries one story that is not about AI (a smartphone recall)
    assert (
        "Voltra recalls"
        in (Path(__file__).resolve().parents[2] / "infra/local/feeds/ai-wire.xml").read_text()
    )
    published = [path.read_text(encoding="utf-8") for path in site.rglob("*.html")]
    published.append((site / "rss.xml").read_text(encoding="utf-8"))
    assert not any("Voltra" in text for text in published)


def test_the_top_page_links_to_the_articles(site: Path) -> None:
    top = (site / "index.html").read_text(encoding="utf-8")
    for page in list(site.glob("articles/*/*/*/*/index.html"))[:10]:
        assert "/" + str(page.parent.relative_to(site)) + "/" in top


def test_the_demo_shows_stories_with_several_sources_once(site: Path) -> None:
    # Three demo reports cover events another demo feed reported first (Kinetica's round
    # on the wire, on Hacker News and on video; Mistral's model on the wire and Hacker News)
    pages = {
        path: path.read_text(encoding="utf-8") for path in site.glob("articles/*/*/*/*/index.html")
    }
    stories = {path: text for path, text in pages.items() if "件のソース</h2>" in text}
    counts = sorted(
        text.split("件のソース</h2>")[0].rsplit(">", 1)[-1] for text in stories.values()
    )
    assert counts == ["2", "3"]
    kinetica = next(text for text in stories.values() if "3件のソース</h2>" in text)
    for outlet in ("AI Wire", "Hacker News (AI, 100+ points)", "Frontier Explained"):
        assert f'<span class="story-sources__outlet">{outlet}</span>' in kinetica
    assert "再分析しました（新たな情報: " in kinetica  # the video's 40 warehouses
    assert len(pages) == 31  # 34 reports of 31 events: 31 articles
    top = (site / "index.html").read_text(encoding="utf-8")
    assert top.count("3件のソース") == 1
