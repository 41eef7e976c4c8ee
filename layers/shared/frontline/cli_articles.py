"""`frontline articles …` and `frontline feeds health`: the operator's controls on the store.

    frontline articles hide ID --reason TEXT
    frontline articles unhide ID [--reason TEXT]
    frontline articles pin ID [--until 2026-12-01T09:00+09:00 | 3d | 12h] [--reason TEXT]
    frontline articles unpin ID [--reason TEXT]
    frontline articles edit ID --field title_ja|tldr|impact|editorial_comment|body_ja
                                [--value TEXT | (opens $EDITOR)] [--reset] [--reason TEXT]
    frontline articles reanalyse ID [--reason TEXT]
    frontline articles list --hidden|--pinned|--degraded|--waiting|--withdrawn [--json]
    frontline feeds health [--json]

They run against the table named by TABLE_NAME (re-analysis also needs QUEUE_URL) with the
caller's AWS credentials; `--demo` points them at the store of a running `make demo`
instead. Each override is written to the article's record (see domain/editorial.py), so the
site changes through the normal publish: the stream carries the change to render_site.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from frontline.domain import editorial
from frontline.domain.models import Article, ArticleStatus
from frontline.domain.ports import FrontlineError

if TYPE_CHECKING:
    from frontline.adapters.editorial_store import DynamoEditorialStore
    from frontline.domain.source_health import SourceHealth

# Where a running demo says how to reach its store (written by infra/local/demo_store.py).
DEMO_STORE_FILE: Final = Path(".frontline-demo.json")
_RELATIVE = re.compile(r"^(\d+)([hd])$")


class CommandError(FrontlineError):
    """An expected failure of an operator command: one line on stderr, exit 1."""


def use_demo_store(path: Path = DEMO_STORE_FILE) -> None:
    """Point the AWS clients at a running demo's store (its loopback moto server)."""
    try:
        store = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CommandError(f"no running demo found ({path}): start one with `make demo`") from None
    os.environ.update({name.upper(): str(value) for name, value in store.items()})
    from frontline.bootstrap import aws_client

    aws_client.cache_clear()


def _environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise CommandError(f"{name} is not set (the stack's output), or use --demo")
    return value


def _store() -> DynamoEditorialStore:
    from frontline.adapters.dynamodb import DynamoTable
    from frontline.adapters.editorial_store import DynamoEditorialStore
    from frontline.bootstrap import aws_client

    table_name = _environment("TABLE_NAME")
    return DynamoEditorialStore(DynamoTable(aws_client("dynamodb"), table_name))


def parse_until(text: str, now: datetime) -> datetime:
    """`3d`, `12h`, or an ISO 8601 time (without an offset: Japan time)."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = int(relative[1]), relative[2]
        return now + (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--until {text!r}: use 3d, 12h or an ISO 8601 time") from None
    if moment.tzinfo is None:
        from frontline.domain.paths import JST

        moment = moment.replace(tzinfo=JST)
    return moment.astimezone(UTC)


def _edited_text(current: str) -> str:
    """The operator's text from $EDITOR, starting from the current one."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise CommandError("give --value, or set $EDITOR to edit the text there")
    with tempfile.NamedTemporaryFile("w+", suffix=".txt", encoding="utf-8", delete=False) as file:
        file.write(current)
        name = file.name
    try:
        subprocess.run([*editor.split(), name], check=True)  # noqa: S603 - the operator's editor
        return Path(name).read_text(encoding="utf-8").strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise CommandError(f"the editor failed: {exc}") from None
    finally:
        Path(name).unlink(missing_ok=True)


def _reporting_aws_errors(command: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """AWS failures (no credentials, no region, access denied) as one line, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return command(args)
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"the store could not be reached: {exc}") from None

    return run


@_reporting_aws_errors
def _override(args: argparse.Namespace) -> int:
    store = _store()
    now = datetime.now(UTC)
    article = store.get(args.id)
    if article is None:
        raise CommandError(f"no article {args.id}")
    who = {"by": args.by, "at": now, "reason": args.reason}
    changed = _OVERRIDES[args.articles_command](article, args, who)
    store.replace(changed, read=article)
    if args.articles_command == "reanalyse":
        _queue_again(store, changed)
    print(json.dumps(_summary(changed, args.articles_command), ensure_ascii=False))
    return 0


def _edit(article: Article, args: argparse.Namespace, who: dict[str, Any]) -> Article:
    if args.reset:
        return editorial.reset(article, args.field, **who)
    from frontline.config import load_vocabulary

    value = (
        args.value
        if args.value is not None
        else _edited_text(getattr(article.analysis, args.field))
    )
    vocabulary = load_vocabulary(Path(args.config_dir))
    return editorial.edit(article, args.field, value, vocabulary=vocabulary, **who)


def _pin(article: Article, args: argparse.Namespace, who: dict[str, Any]) -> Article:
    until = parse_until(args.until, who["at"]) if args.until else None
    return editorial.pin(article, until=until, **who)


def _queue_again(store: DynamoEditorialStore, article: Article) -> None:
    """Queue the item for a new analysis (the worker's budget decides how)."""
    from frontline.adapters.sqs import SqsWorkQueue
    from frontline.bootstrap import aws_client
    from frontline.domain.models import ItemMessage

    store.forget_answers([article.id])  # the model is asked again, not its recorded answer
    unsent = SqsWorkQueue(aws_client("sqs"), _environment("QUEUE_URL")).enqueue(
        [ItemMessage(item=article.item, reason="reanalyse")]
    )
    if unsent:
        raise CommandError(f"article {article.id} is marked, but could not be queued: run again")


Override = Callable[[Article, argparse.Namespace, dict[str, Any]], Article]

_OVERRIDES: Final[dict[str, Override]] = {
    "hide": lambda article, args, who: editorial.hide(article, **who),
    "unhide": lambda article, args, who: editorial.unhide(article, **who),
    "pin": _pin,
    "unpin": lambda article, args, who: editorial.unpin(article, **who),
    "edit": _edit,
    "reanalyse": lambda article, args, who: editorial.log_reanalysis(article, **who),
}


def _summary(article: Article, action: str) -> dict[str, Any]:
    pin = article.overrides.pin
    return {
        "id": article.id,
        "action": action,
        "status": article.status.value,
        "title_ja": article.analysis.title_ja,
        "path": article.path,
        "pinned_until": (pin.until.isoformat() if pin.until else "unpinned") if pin else None,
        "edited": sorted(edit.field for edit in article.overrides.edits),
    }


_LISTS: Final[dict[str, Callable[[DynamoEditorialStore], list[Article]]]] = {
    "hidden": lambda store: store.listed(ArticleStatus.HIDDEN),
    "withdrawn": lambda store: store.listed(ArticleStatus.WITHDRAWN),
    "waiting": lambda store: store.listed(None),
    "degraded": lambda store: store.degraded(),
    "pinned": lambda store: store.pinned(datetime.now(UTC), 100),
}


@_reporting_aws_errors
def _list(args: argparse.Namespace) -> int:
    articles = _LISTS[args.which](_store())
    for article in articles:
        if args.json:
            print(json.dumps(_summary(article, "list"), ensure_ascii=False))
        else:
            reason = f"  ({article.status_reason})" if article.status_reason else ""
            print(f"{article.id}  {article.status.value:12} {article.analysis.title_ja}{reason}")
    print(f"{len(articles)} {args.which} articles", file=sys.stderr)
    return 0


# --- feeds health ---------------------------------------------------------------------------


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "-"
    hours = (now - moment) / timedelta(hours=1)
    return f"{hours:.0f}h ago" if hours < 48 else f"{hours / 24:.0f}d ago"


def health_table(rows: list[SourceHealth], now: datetime) -> list[str]:
    header = (
        f"{'feed':28} {'health':10} {'last ok':>9} {'last new':>9} "
        f"{'errors':>6} {'items/day':>9}  back-off / last error"
    )
    lines = [header]
    for row in rows:
        note = ""
        if row.next_attempt_at is not None:
            note = f"next try {row.next_attempt_at:%Y-%m-%d %H:%M}Z"
        if row.last_error:
            note += f"  {' '.join(row.last_error.split())[:80]}"
        lines.append(
            f"{row.source.id:28} {row.freshness.value:10} {_when(row.last_success_at, now):>9} "
            f"{_when(row.last_new_item_at, now):>9} {row.error_streak:>6} "
            f"{row.items_per_day:>9.1f}  {note}".rstrip()
        )
    return lines


@_reporting_aws_errors
def _feeds_health(args: argparse.Namespace) -> int:
    from frontline.adapters.dynamodb import DynamoFeedStateStore, DynamoTable
    from frontline.bootstrap import aws_client
    from frontline.config import load_catalogue
    from frontline.domain.source_health import source_health

    # read now, not when the parser was built: --demo names the demo's catalogue
    named = args.catalogue or os.environ.get("FRONTLINE_CATALOGUE")
    catalogue = load_catalogue(Path(named) if named else Path(args.config_dir) / "feeds.yaml")
    table_name = _environment("TABLE_NAME")
    states = DynamoFeedStateStore(DynamoTable(aws_client("dynamodb"), table_name))
    now = datetime.now(UTC)
    rows = source_health(catalogue, states.load_states(s.id for s in catalogue), now)
    if args.json:
        for row in rows:
            print(
                json.dumps(
                    {
                        "feed": row.source.id,
                        "health": row.freshness.value,
                        "last_success_at": _iso(row.last_success_at),
                        "last_new_item_at": _iso(row.last_new_item_at),
                        "error_streak": row.error_streak,
                        "last_error": row.last_error,
                        "items_per_day": round(row.items_per_day, 2),
                        "next_attempt_at": _iso(row.next_attempt_at),
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    print("\n".join(health_table(rows, now)))
    return 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- the parsers ----------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, reason_required: bool = False) -> None:
    parser.add_argument("id", metavar="ID")
    parser.add_argument("--reason", required=reason_required, default="", help="why (logged)")
    parser.add_argument(
        "--by",
        default=os.environ.get("FRONTLINE_OPERATOR") or getpass.getuser(),
        help="who (default: $FRONTLINE_OPERATOR, else the login name)",
    )
    parser.set_defaults(run=_override)


def add_articles_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], config_dir: str
) -> None:
    articles = commands.add_parser("articles", help="hide, pin, edit or re-analyse an article")
    articles.add_argument("--demo", action="store_true", help="use the running demo's store")
    verbs = articles.add_subparsers(dest="articles_command", required=True)
    _common(verbs.add_parser("hide", help="take the article off the site"), reason_required=True)
    _common(verbs.add_parser("unhide", help="put a hidden article back"))
    pin = verbs.add_parser("pin", help="show the article first on the top page")
    _common(pin)
    pin.add_argument("--until", help="3d, 12h or an ISO 8601 time (default: until unpinned)")
    _common(verbs.add_parser("unpin", help="end a pin"))
    edit = verbs.add_parser("edit", help="replace a text of the analysis (kept on re-analysis)")
    _common(edit)
    edit.add_argument("--field", required=True, choices=editorial.EDITABLE_FIELDS)
    edit.add_argument("--value", help="the new text (default: open $EDITOR)")
    edit.add_argument("--reset", action="store_true", help="drop the edit: show the analysis")
    edit.add_argument("--config-dir", default=config_dir)
    _common(verbs.add_parser("reanalyse", help="queue the item for a new analysis"))
    listing = verbs.add_parser("list", help="the articles that need attention")
    which = listing.add_mutually_exclusive_group(required=True)
    for name in _LISTS:
        which.add_argument(f"--{name}", dest="which", action="store_const", const=name)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_list)


def add_feeds_health_command(
    feed_commands: argparse._SubParsersAction[argparse.ArgumentParser], config_dir: str
) -> None:
    health = feed_commands.add_parser(
        "health", help="each feed's last success, last new item, errors and back-off"
    )
    health.add_argument("--json", action="store_true", help="one JSON object per feed")
    health.add_argument("--config-dir", default=config_dir)
    health.add_argument(
        "--catalogue",
        help="the feed catalogue (default: $FRONTLINE_CATALOGUE, else CONFIG_DIR/feeds.yaml)",
    )
    health.add_argument("--demo", action="store_true", help="use the running demo's store")
    health.set_defaults(run=_feeds_health)
