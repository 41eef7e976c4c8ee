"""`frontline`: the operator's command line.

    frontline demo [--no-serve] [--port 8000] [--out _site] [--provider heuristic|openai|bedrock]
    frontline feeds check URL_OR_FILE [--json] [--allow-private-network]
    frontline feeds list [--config-dir DIR]
    frontline analyze URL_OR_ITEM_JSON [--provider heuristic|bedrock|openai] [--json] [--dry-run]
    frontline render --full [--resume RUN_ID] [--workers N]
                                       (against the deployed stack: needs TABLE_NAME etc.)
    frontline check-grounding SOURCE_JSON ANALYSIS_JSON [--config-dir DIR]
    frontline stories cluster ITEMS_JSONL [--window-hours 72] [--config-dir DIR]
    frontline articles hide|unhide|pin|unpin|edit|reanalyse ID …   (see cli_articles.py)
    frontline articles list --hidden|--pinned|--degraded|--waiting|--withdrawn
    frontline feeds health [--json]

Errors print one line on stderr and exit 1; no tracebacks for expected failures. When the
reader of the output goes away (`| head -1`), the command stops quietly with status 141.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from pydantic import ValidationError

from frontline.cli_articles import add_articles_commands, add_feeds_health_command, use_demo_store
from frontline.config import REPO_CONFIG_DIR, ConfigurationError, load_catalogue
from frontline.domain.feed_entries import ParsedFeed, parse_feed
from frontline.domain.models import Article, FeedItem, FeedSource, FeedState, ItemMessage
from frontline.domain.ports import AnalysisProvider, FrontlineError

if TYPE_CHECKING:
    from frontline.analysis.provider import LlmAnalysisProvider

REPO = REPO_CONFIG_DIR.parent


class CliError(Exception):
    """An expected failure: printed as one line, exit code 1."""


def _check_source(target: str) -> FeedSource:
    if target.startswith(("http://", "https://")):
        host = urlsplit(target).hostname or "feed"
        return FeedSource(id="check", name=host, url=target, site_url=target)
    return FeedSource(
        id="check",
        name=Path(target).name[:80] or "feed",
        url="https://feed.invalid/",
        site_url="https://feed.invalid/",
    )


def check_feed(target: str, *, allow_private_network: bool = False) -> ParsedFeed:
    """The production path: fetch (unless a file) → parse → normalise."""
    source = _check_source(target)
    now = datetime.now(UTC)
    if source.url == "https://feed.invalid/":
        try:
            body = Path(target).read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {target}: {exc.strerror}") from None
        return parse_feed(body, content_type=None, source=source, now=now)

    from frontline.adapters.http_feeds import HttpFeedFetcher
    from frontline.bootstrap import user_agent

    async def fetch() -> ParsedFeed:
        async with HttpFeedFetcher(
            user_agent=user_agent("https://github.com/"),
            allow_private_network=allow_private_network,
        ) as fetcher:
            result = await fetcher.fetch(target)
        base_url = urljoin(result.url, result.content_location or "")
        return parse_feed(
            result.body,
            content_type=result.content_type,
            source=source,
            now=now,
            base_url=base_url,
        )

    return asyncio.run(fetch())


def _feeds_check(args: argparse.Namespace) -> int:
    parsed = check_feed(args.target, allow_private_network=args.allow_private_network)
    if parsed.warning:
        print(f"warning: ill-formed feed, entries recovered ({parsed.warning})", file=sys.stderr)
    for item in parsed.items:
        if args.json:
            print(
                json.dumps(
                    {
                        "id": item.id,
                        "title": item.title,
                        "link": item.url,
                        "published": item.published.isoformat(),
                        "summary": item.summary,
                        "feed_format": parsed.format,
                        "item": item.model_dump(mode="json"),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(f"{item.published:%Y-%m-%d %H:%M}  {item.title}\n                  {item.url}")
    if not args.json:
        print(f"{len(parsed.items)} items ({parsed.format})", file=sys.stderr)
    return 0


def _feeds_list(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(Path(args.config_dir) / "feeds.yaml")
    states = _stored_states([source.id for source in catalogue])
    for source in catalogue:
        enabled = "enabled" if source.enabled else "disabled"
        line = f"{source.id:28} {source.kind.value:9} {enabled:8} {source.url}"
        if states is not None:
            line += f"  {_state_summary(states.get(source.id))}"
        print(line)
    where = "with state from the store" if states is not None else "catalogue only"
    print(f"{len(catalogue)} feeds ({where})", file=sys.stderr)
    return 0


def _stored_states(feed_ids: list[str]) -> dict[str, FeedState] | None:
    """Feed states from the table named by TABLE_NAME; None when no table is configured."""
    table_name = os.environ.get("TABLE_NAME")
    if not table_name:
        return None
    from botocore.exceptions import BotoCoreError, ClientError

    from frontline.adapters.dynamodb import DynamoFeedStateStore, DynamoTable
    from frontline.bootstrap import aws_client

    store = DynamoFeedStateStore(DynamoTable(aws_client("dynamodb"), table_name))
    try:
        return store.load_states(feed_ids)
    except (BotoCoreError, ClientError) as exc:
        raise CliError(f"cannot read feed states from {table_name}: {exc}") from None


def _state_summary(state: FeedState | None) -> str:
    if state is None or state.polled_at is None:
        return "never polled"
    status = state.last_status if state.last_status is not None else "-"
    summary = f"status={status} errors={state.error_streak} polled={state.polled_at:%Y-%m-%d %H:%M}"
    if state.last_error:
        summary += f" last_error={' '.join(state.last_error.split())[:120]}"
    return summary


def _demo(args: argparse.Namespace) -> int:
    if not (REPO / "infra" / "local" / "demo.py").is_file():
        raise CliError("the demo runs from a source checkout (infra/local is not here)")
    sys.path.insert(0, str(REPO))
    from infra.local.demo import run_demo  # development only: imports moto

    return run_demo(
        output=Path(args.out),
        port=args.port,
        serve_site=args.serve,
        provider=args.provider,
        model_id=args.model,
        store_port=args.store_port,
    )


DEFAULT_BEDROCK_MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"


class _Articles:
    """An in-memory store: `analyze` shows what the worker would store, and stores nothing."""

    def __init__(self) -> None:
        self.saved: dict[str, Article] = {}

    def get(self, article_id: str) -> Article | None:
        return self.saved.get(article_id)

    def save(self, article: Article) -> bool:
        self.saved[article.id] = article
        return True

    def list_public(self, limit: int | None = None) -> list[Article]:
        return []

    def list_newest(self, limit: int) -> list[Article]:
        return []

    def list_needing_analysis(self, limit: int) -> list[Article]:
        return []


def _item_for(target: str, *, allow_private_network: bool) -> FeedItem:
    """ITEM_JSON (one line of `feeds check --json`) or an article URL, read from the web."""
    if not target.startswith(("http://", "https://")):
        try:
            # JSON Lines end at "\n" only: U+2028 or NEL inside a string is part of the line
            line = Path(target).read_text(encoding="utf-8").strip().split("\n")[0]
            document = json.loads(line)
            return FeedItem.model_validate(document.get("item", document))
        except OSError as exc:
            raise CliError(f"cannot read {target}: {exc.strerror}") from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()[:5]
            )
            raise CliError(f"{target}: not a feed item: {problems}") from None
        except (IndexError, ValueError, AttributeError) as exc:
            raise CliError(
                f"{target}: not a line of `frontline feeds check --json`: {exc}"
            ) from None
    from frontline.adapters.http_feeds import HttpFeedFetcher
    from frontline.adapters.page_text import WebPageText
    from frontline.bootstrap import user_agent

    agent = user_agent("https://github.com/")
    text = WebPageText(
        lambda: HttpFeedFetcher(user_agent=agent, allow_private_network=allow_private_network),
        user_agent=agent,
    ).text_of(target)
    if not text:
        raise CliError(f"{target}: no article text (robots.txt, HTTP error or not HTML)")
    now = datetime.now(UTC)
    source = _check_source(target)
    return FeedItem(
        id=hashlib.sha256(target.encode()).hexdigest()[:32],
        feed_id="cli",
        source_name=source.name,
        url=target,
        title=text.split("\n", 1)[0][:200],
        content_html="".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n")),
        published=now,
        first_seen=now,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def _provider(args: argparse.Namespace) -> AnalysisProvider:
    if args.provider == "heuristic":
        from frontline.bootstrap import heuristic_provider
        from frontline.config import load_vocabulary

        return heuristic_provider(load_vocabulary(Path(args.config_dir)))
    return _llm_provider(args)


def _llm_provider(args: argparse.Namespace) -> LlmAnalysisProvider:
    from frontline.bootstrap import bedrock_provider, openai_provider
    from frontline.config import load_grounding_rules, load_prices, load_vocabulary

    config_dir = Path(args.config_dir)
    vocabulary = load_vocabulary(config_dir)
    grounding = load_grounding_rules(config_dir)
    if args.provider == "bedrock":
        import boto3

        model = args.model or os.environ.get("BEDROCK_MODEL_ID") or DEFAULT_BEDROCK_MODEL
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        price = load_prices(config_dir).get(model)
        return bedrock_provider(
            boto3.client("bedrock-runtime", region_name=region),
            model,
            vocabulary,
            grounding=grounding,
            cache_ttl=price.prompt_cache_ttl if price is not None else None,
        )
    import httpx

    return openai_provider(
        httpx.Client(timeout=90.0),
        base_url=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        model=args.model or os.environ.get("OPENAI_MODEL", "gpt-4.1-mini"),
        api_key=os.environ.get("OPENAI_API_KEY"),
        vocabulary=vocabulary,
        grounding=grounding,
    )


def _analyze(args: argparse.Namespace) -> int:
    from frontline.domain.item_analysis import ItemAnalyst

    item = _item_for(args.target, allow_private_network=args.allow_private_network)
    if args.dry_run:
        if args.provider == "heuristic":
            raise CliError("the heuristic provider sends no request; --dry-run needs an LLM")
        llm = _llm_provider(args)
        text = ItemAnalyst(llm, _Articles()).text_for(item)
        print(json.dumps(llm.request_for(item, text), ensure_ascii=False, indent=2))
        return 0
    analyst = ItemAnalyst(_provider(args), _Articles())
    article = analyst.process(ItemMessage(item=item), now=datetime.now(UTC))
    if args.json:
        print(article.model_dump_json())
        return 0
    analysis = article.analysis
    print(f"{analysis.title_ja}\n\n{analysis.tldr}\n")
    for number, point in enumerate(analysis.key_points, start=1):
        print(f"{number}. {point.title}: {point.body}")
    scores = analysis.scores
    print(
        f"\n重要度 {article.importance} {article.importance_label} (深度 {scores.depth.score} · "
        f"関連度 {scores.relevance.score} · 実用性 {scores.practicality.score} · "
        f"革新性 {scores.innovation.score})  タグ: {' '.join('#' + t for t in analysis.tags)}"
    )
    print(
        f"status: {article.status.value}  provider: {article.provenance.provider}", file=sys.stderr
    )
    return 0


def _render(args: argparse.Namespace) -> int:
    """The partitioned full rebuild, its partitions in a pool of processes (one per core);
    a line on stderr per partition as it ends. A run that failed is resumed by its id: the
    partitions already done (recorded in the store) are skipped."""
    from frontline.bootstrap import rebuild_partition, rebuild_site_app
    from frontline.site.rebuild_runs import run_partitions

    app = rebuild_site_app()
    if args.resume:
        plan = app.ledger.plan(args.resume)
        if plan is None:
            raise CliError(f"no rebuild run {args.resume!r} in the store")
        done = app.ledger.finished(plan.run)
    else:
        now = datetime.now(UTC)
        plan = app.plan(run=now.strftime("%Y%m%dT%H%M%SZ"), now=now)
        done = set()
    todo = [name for name in plan.partitions if name not in done]
    print(
        f"rebuild {plan.run}: {len(todo)} of {len(plan.partitions)} partitions to render",
        file=sys.stderr,
    )
    progress = PartitionProgress(len(todo))
    with partition_pool(args.workers or os.cpu_count() or 1) as pool:
        failed = run_partitions(
            plan, todo, executor=pool, work=rebuild_partition, progress=progress.report
        )
    if failed:
        print(
            f"rebuild {plan.run}: {len(failed)} partitions failed; resume with "
            f"`frontline render --full --resume {plan.run}`",
            file=sys.stderr,
        )
        return 1
    report = app.finish(plan.run)
    print(json.dumps({"run": plan.run, **report.summary()}))
    return 0


def partition_pool(workers: int) -> Executor:
    """Worker processes started afresh (spawn): each builds its own clients from the
    environment rather than sharing the parent's connections."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


class PartitionProgress:
    """One line on stderr per partition as it ends: how far, what it did, or why it failed."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.ended = 0

    def report(self, name: str, outcome: Mapping[str, Any] | BaseException, elapsed: float) -> None:
        self.ended += 1
        if isinstance(outcome, BaseException):
            what = f"FAILED {type(outcome).__name__}: {str(outcome)[:200]}"
        else:
            what = (
                f"{outcome['rendered']} rendered, {outcome['uploaded']} uploaded, "
                f"{outcome['failed']} failed"
            )
        width = len(str(self.total))
        print(
            f"[{self.ended:>{width}}/{self.total}] {elapsed:7.1f} s  {name}: {what}",
            file=sys.stderr,
            flush=True,
        )


def _index_listing(args: argparse.Namespace) -> int:
    """Put the public articles stored before the ByListing index into it (once per table)."""
    from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
    from frontline.bootstrap import aws_client

    if not args.table:
        raise CliError("index-listing needs --table or TABLE_NAME")
    repository = DynamoArticleRepository(DynamoTable(aws_client("dynamodb"), args.table))
    print(json.dumps({"indexed": repository.index_listing_order()}))
    return 0


def _reindex(args: argparse.Namespace) -> int:
    """Bring the site index up to date with every stored article (after deploying it, or
    to check it): one JST month at a time."""
    from frontline.adapters.dynamodb import DynamoTable
    from frontline.adapters.site_index import DynamoSiteIndex
    from frontline.bootstrap import aws_client

    if not args.table:
        raise CliError("reindex needs --table or TABLE_NAME")
    index = DynamoSiteIndex(DynamoTable(aws_client("dynamodb"), args.table))
    print(json.dumps({"changed": index.reconcile_all(), "public": index.count()}))
    return 0


def _read_json_object(path: str) -> dict[str, object]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: {exc}") from None
    if not isinstance(document, dict):
        raise CliError(f"{path}: expected a JSON object")
    return document


def _check_grounding(args: argparse.Namespace) -> int:
    """One JSON object: is every number, date and name of the analysis in the source?"""
    from frontline.config import load_grounding_rules, load_vocabulary
    from frontline.domain.grounding import check_grounding

    source = _read_json_object(args.source)
    analysis = _read_json_object(args.analysis)
    config_dir = Path(args.config_dir)
    report = check_grounding(
        str(source.get("title", "")),
        str(source.get("text", "")),
        analysis,
        load_vocabulary(config_dir),
        load_grounding_rules(config_dir),
    )
    print(json.dumps(report.as_json(), ensure_ascii=False))
    return 0


STORY_FIELDS = ("id", "outlet", "url", "published", "title", "summary")


def _stories_cluster(args: argparse.Namespace) -> int:
    """One line per input item, {"id", "story"}: the worker's placement, offline signals."""
    from datetime import timedelta

    from frontline.config import load_vocabulary
    from frontline.domain.stories import MatchRules, StoryInput
    from frontline.domain.stories.clustering import cluster

    reports = []
    try:
        lines = Path(args.items).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CliError(f"cannot read {args.items}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            if not isinstance(fields, dict):
                raise ValueError("expected a JSON object")
            known = {key: fields[key] for key in STORY_FIELDS if key in fields}
            reports.append(StoryInput.model_validate(known))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise CliError(f"{args.items}: line {number}: {where}: {first['msg']}") from None
        except ValueError as exc:
            raise CliError(f"{args.items}: line {number}: {exc}") from None
    rules = MatchRules(window=timedelta(hours=args.window_hours))
    entities = load_vocabulary(Path(args.config_dir)).entities
    for placement in cluster(reports, entities, rules):
        print(json.dumps({"id": placement.item_id, "story": placement.story_id}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole pipeline offline and serve the site")
    demo.add_argument("--no-serve", dest="serve", action="store_false", help="build and exit")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--out", default="_site")
    demo.add_argument(
        "--provider",
        choices=["heuristic", "openai", "bedrock"],
        default=os.environ.get("PROVIDER") or "heuristic",
        help="the analysis model (openai: OPENAI_BASE_URL, OPENAI_MODEL; bedrock: AWS "
        "credentials, BEDROCK_MODEL_ID); an unreachable one falls back to heuristic",
    )
    demo.add_argument("--model", help="model id (default: OPENAI_MODEL / BEDROCK_MODEL_ID)")
    demo.add_argument(
        "--store-port", type=int, help="where the CLI reaches the demo's store (default: port+1)"
    )
    demo.set_defaults(run=_demo)

    feeds = commands.add_parser("feeds", help="inspect feeds and the catalogue")
    feed_commands = feeds.add_subparsers(dest="feeds_command", required=True)
    check = feed_commands.add_parser("check", help="fetch, parse and normalise one feed")
    check.add_argument("target", metavar="URL_OR_FILE")
    check.add_argument("--json", action="store_true", help="one JSON object per item")
    check.add_argument("--allow-private-network", action="store_true")
    check.set_defaults(run=_feeds_check)
    listing = feed_commands.add_parser(
        "list", help="show the catalogue, with each feed's last status when TABLE_NAME is set"
    )
    listing.add_argument("--config-dir", default=str(REPO_CONFIG_DIR))
    listing.set_defaults(run=_feeds_list)
    add_feeds_health_command(feed_commands, str(REPO_CONFIG_DIR))
    add_articles_commands(commands, str(REPO_CONFIG_DIR))

    analyze = commands.add_parser("analyze", help="analyse one item as the worker would")
    analyze.add_argument("target", metavar="URL_OR_ITEM_JSON")
    analyze.add_argument(
        "--provider", choices=["heuristic", "bedrock", "openai"], default="heuristic"
    )
    analyze.add_argument("--model", help="model id (default: BEDROCK_MODEL_ID / OPENAI_MODEL)")
    analyze.add_argument("--json", action="store_true", help="print the article as stored")
    analyze.add_argument("--dry-run", action="store_true", help="print the request, send nothing")
    analyze.add_argument("--allow-private-network", action="store_true")
    analyze.add_argument("--config-dir", default=str(REPO_CONFIG_DIR))
    analyze.set_defaults(run=_analyze)

    grounding = commands.add_parser(
        "check-grounding", help="trace the analysis's numbers, dates and names to the source"
    )
    grounding.add_argument("source", metavar="SOURCE_JSON", help='{"title", "text"}')
    grounding.add_argument(
        "analysis", metavar="ANALYSIS_JSON", help='{"title_ja", "tldr", "key_points"}'
    )
    grounding.add_argument("--config-dir", default=str(REPO_CONFIG_DIR))
    grounding.set_defaults(run=_check_grounding)

    stories = commands.add_parser("stories", help="see how items cluster into stories")
    story_commands = stories.add_subparsers(dest="stories_command", required=True)
    clustering = story_commands.add_parser(
        "cluster", help='place JSON lines {"id","outlet","url","published","title","summary"}'
    )
    clustering.add_argument("items", metavar="ITEMS_JSONL")
    clustering.add_argument("--window-hours", type=int, default=72)
    clustering.add_argument("--config-dir", default=str(REPO_CONFIG_DIR))
    clustering.set_defaults(run=_stories_cluster)

    render = commands.add_parser("render", help="render and publish the site from the store")
    render.add_argument("--full", action="store_true", required=True)
    render.add_argument(
        "--resume", metavar="RUN_ID", help="publish only the partitions of this run not yet done"
    )
    render.add_argument("--workers", type=int, default=0, help="processes (default: one a core)")
    render.set_defaults(run=_render)
    index = commands.add_parser(
        "index-listing",
        help="put articles stored before the ByListing index into it (run once after deploying)",
    )
    index.add_argument("--table", default=os.environ.get("TABLE_NAME", ""))
    index.set_defaults(run=_index_listing)
    reindex = commands.add_parser(
        "reindex",
        help="reconcile the site index with every stored article (after deploying it)",
    )
    reindex.add_argument("--table", default=os.environ.get("TABLE_NAME", ""))
    reindex.set_defaults(run=_reindex)
    return parser


# The status a Unix tool ends with when the reader of its output goes away (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "demo", False):
            use_demo_store()
        return int(args.run(args))
    except (CliError, ConfigurationError, FrontlineError) as exc:
        print(f"frontline: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `frontline feeds check FILE --json | head -1`: the reader has what it wanted. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
