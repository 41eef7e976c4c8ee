"""`frontline`: the operator's command line.

    frontline demo [--no-serve] [--port 8000] [--out _site]
    frontline feeds check URL_OR_FILE [--json] [--allow-private-network]
    frontline feeds list [--config-dir DIR]
    frontline render --full            (against the deployed stack: needs TABLE_NAME etc.)

Errors print one line on stderr and exit 1; no tracebacks for expected failures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from frontline.config import REPO_CONFIG_DIR, ConfigurationError, load_catalogue
from frontline.domain.feed_entries import ParsedFeed, parse_feed
from frontline.domain.models import FeedSource, FeedState
from frontline.domain.ports import FrontlineError

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
        return parse_feed(result.body, content_type=result.content_type, source=source, now=now)

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

    return run_demo(output=Path(args.out), port=args.port, serve_site=args.serve)


def _render(args: argparse.Namespace) -> int:
    from frontline.bootstrap import render_site_app

    report = render_site_app().run(now=datetime.now(UTC))
    print(json.dumps(report.summary()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole pipeline offline and serve the site")
    demo.add_argument("--no-serve", dest="serve", action="store_false", help="build and exit")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--out", default="_site")
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

    render = commands.add_parser("render", help="render and publish the site from the store")
    render.add_argument("--full", action="store_true", required=True)
    render.set_defaults(run=_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (CliError, ConfigurationError, FrontlineError) as exc:
        print(f"frontline: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
