"""A feed that breaks feedparser joins the demo catalogue: the site is still built, with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra.local.demo import DEMO_CATALOGUE, DEMO_FEEDS, build_demo_site
from tests.site_fixture import AWS_TEST_ENV

GPU_WIRE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>GPU Wire</title><link>https://gpu-wire.example/</link>
<item><title>Open model launch &#xD83D;&#xDE80; lands on GPUs today</title>
<link>https://gpu-wire.example/news/2026/11/26/open-model-launch</link><guid>gpu-1</guid>
<pubDate>Thu, 26 Nov 2026 20:43:00 JST</pubDate>
<description>An open model for GPUs launched today with weights and a technical report.</description>
<content:encoded><![CDATA[<p>The lab released an open model that runs on a single GPU.</p>
<noscript><img src="https://gpu-wire.example/chart.png" alt="Benchmark chart"></noscript>]]></content:encoded>
</item>
<item><title>Inference costs fall for large language models</title>
<link>https://gpu-wire.example/news/2026/11/25/inference-costs</link><guid>gpu-2</guid>
<pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate>
<description>Cloud providers cut GPU prices for AI inference again this quarter.</description>
</item>
</channel></rss>
"""
GPU_WIRE_ENTRY = """
  - id: gpu-wire
    name: GPU Wire
    url: "{feeds_base}/gpu-wire.xml"
    site_url: https://gpu-wire.example/
    kind: news
    content_policy: excerpt
    max_items: 50
    enabled: true
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("malformed")
    feeds = root / "feeds"
    shutil.copytree(DEMO_FEEDS, feeds)
    (feeds / "gpu-wire.xml").write_text(GPU_WIRE, encoding="utf-8")
    catalogue = root / "demo_feeds.yaml"
    catalogue.write_text(DEMO_CATALOGUE.read_text(encoding="utf-8") + GPU_WIRE_ENTRY)
    mp = pytest.MonkeyPatch()
    for name, value in AWS_TEST_ENV.items():
        mp.setenv(name, value)
    lines: list[str] = []
    output = build_demo_site(
        root / "_site",
        site_url="http://127.0.0.1:8000",
        say=lines.append,
        feeds_dir=feeds,
        catalogue_path=catalogue,
    )
    mp.undo()
    return output


def pages(site: Path) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in site.rglob("*.html")]


def test_the_site_is_built_with_every_feeds_items(site: Path) -> None:
    text = "\n".join(pages(site))
    # The other feeds' items are on the site, as in the plain demo
    assert len(list(site.glob("articles/*/*/*/*/index.html"))) >= 26
    assert "Mistral" in text  # ai-wire
    # And both items of the malformed feed, the reference pair read as one character
    assert "Open model launch 🚀 lands on GPUs today" in text
    assert "Inference costs fall for large language models" in text
    assert "https://gpu-wire.example/news/2026/11/26/open-model-launch" in text


def test_no_markup_from_the_feed_is_shown_as_text(site: Path) -> None:
    assert not any("&lt;img" in page for page in pages(site))
