"""Editorial overrides: hide, unhide, pin, unpin, edit and reset an article by hand.

Each override is stored on the article record itself (`Article.overrides`), with who, when
and why, and logged in the same record. On the record because:

- one conditional write changes the article and its override together: there is no second
  item to keep in step, and no window in which readers see one without the other;
- the change reaches the site like any other article change, through the table's stream and
  the incremental publish (a hidden article is a public version followed by a non-public one,
  so its pages are deleted by key);
- the worker, which rewrites the record when it analyses the item again, reads the overrides
  in the same read and applies them to the new analysis (`apply_overrides`): an edited
  headline stays edited until the operator resets it, a hidden article stays hidden.

Edited text is validated by the rules a model's answer meets (`validate_analysis`: Japanese,
lengths, control characters), and is escaped on output like every other string.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, get_args

from frontline.domain.analysis_validation import AnalysisProblems, validate_analysis
from frontline.domain.models import (
    Article,
    ArticleStatus,
    EditableField,
    FieldEdit,
    Hiding,
    LoggedOverride,
    Overrides,
    Pin,
)
from frontline.domain.ports import FrontlineError
from frontline.domain.vocabulary import Vocabulary

EDITABLE_FIELDS: Final[tuple[str, ...]] = get_args(EditableField)
# What readers see where an override changed what they read, with the date.
EDITED_LABEL: Final = "編集部により修正"


class OverrideRejected(FrontlineError):
    """The override cannot be applied (edited text breaks the contract, nothing to undo…)."""


def _logged(
    overrides: Overrides, action: str, *, by: str, at: datetime, reason: str, detail: str = ""
) -> tuple[LoggedOverride, ...]:
    entry = LoggedOverride.model_validate(
        {"action": action, "by": by, "at": at, "reason": reason, "detail": detail}
    )
    return (*overrides.log, entry)


def _with(article: Article, overrides: Overrides, at: datetime, **update: object) -> Article:
    return article.model_copy(update={"overrides": overrides, "updated_at": at, **update})


def hide(article: Article, *, by: str, at: datetime, reason: str) -> Article:
    if article.overrides.hidden is not None:
        raise OverrideRejected(f"article {article.id} is hidden already")
    overrides = article.overrides.model_copy(
        update={
            "hidden": Hiding(by=by, at=at, reason=reason, status_beneath=article.status),
            "log": _logged(article.overrides, "hide", by=by, at=at, reason=reason),
        }
    )
    return _with(article, overrides, at, status=ArticleStatus.HIDDEN, status_reason=reason)


def unhide(article: Article, *, by: str, at: datetime, reason: str) -> Article:
    hidden = article.overrides.hidden
    if hidden is None:
        raise OverrideRejected(f"article {article.id} is not hidden")
    overrides = article.overrides.model_copy(
        update={
            "hidden": None,
            "log": _logged(article.overrides, "unhide", by=by, at=at, reason=reason),
        }
    )
    return _with(article, overrides, at, status=hidden.status_beneath, status_reason=None)


def pin(article: Article, *, by: str, at: datetime, reason: str, until: datetime | None) -> Article:
    if until is not None and until <= at:
        raise OverrideRejected(f"--until {until.isoformat()} is already past")
    detail = f"until {until.isoformat()}" if until else "until unpinned"
    overrides = article.overrides.model_copy(
        update={
            "pin": Pin(by=by, at=at, reason=reason, until=until),
            "log": _logged(article.overrides, "pin", by=by, at=at, reason=reason, detail=detail),
        }
    )
    return _with(article, overrides, at)


def unpin(article: Article, *, by: str, at: datetime, reason: str) -> Article:
    if article.overrides.pin is None:
        raise OverrideRejected(f"article {article.id} is not pinned")
    overrides = article.overrides.model_copy(
        update={
            "pin": None,
            "log": _logged(article.overrides, "unpin", by=by, at=at, reason=reason),
        }
    )
    return _with(article, overrides, at)


def validated_text(article: Article, field: str, value: str, vocabulary: Vocabulary) -> str:
    """`value` for `field`, tidied and checked as a model's answer would be; raises
    OverrideRejected naming each problem of that field."""
    if field not in EDITABLE_FIELDS:
        raise OverrideRejected(f"--field must be one of {', '.join(EDITABLE_FIELDS)}")
    proposed = article.analysis.model_dump(mode="json") | {field: value}
    try:
        return str(getattr(validate_analysis(proposed, vocabulary), field))
    except AnalysisProblems as exc:
        own = [problem for problem in exc.problems if problem.split(":", 1)[0] == field]
        if own:
            raise OverrideRejected("; ".join(own)) from None
    # Only other fields break the contract (an untranslated article's English text): the
    # edit itself is sound, tidied as the validator tidies a single line or paragraphs.
    return " ".join(value.split()) if field in {"title_ja", "tldr"} else value.strip()


def edit(
    article: Article,
    field: str,
    value: str,
    *,
    by: str,
    at: datetime,
    reason: str,
    vocabulary: Vocabulary,
) -> Article:
    text = validated_text(article, field, value, vocabulary)
    earlier = next((e for e in article.overrides.edits if e.field == field), None)
    replaced = earlier.replaced if earlier else str(getattr(article.analysis, field))
    change = FieldEdit.model_validate(
        {"by": by, "at": at, "reason": reason, "field": field, "value": text, "replaced": replaced}
    )
    overrides = article.overrides.model_copy(
        update={
            "edits": (*(e for e in article.overrides.edits if e.field != field), change),
            "log": _logged(article.overrides, "edit", by=by, at=at, reason=reason, detail=field),
        }
    )
    analysis = article.analysis.model_copy(update={field: text})
    return _with(article, overrides, at, analysis=analysis)


def reset(article: Article, field: str, *, by: str, at: datetime, reason: str) -> Article:
    """Drop the edit of `field`: the analysis's own text is shown again."""
    earlier = next((e for e in article.overrides.edits if e.field == field), None)
    if earlier is None:
        raise OverrideRejected(f"article {article.id} has no edit of {field}")
    overrides = article.overrides.model_copy(
        update={
            "edits": tuple(e for e in article.overrides.edits if e.field != field),
            "log": _logged(article.overrides, "reset", by=by, at=at, reason=reason, detail=field),
        }
    )
    analysis = article.analysis.model_copy(update={field: earlier.replaced})
    return _with(article, overrides, at, analysis=analysis)


def log_reanalysis(article: Article, *, by: str, at: datetime, reason: str) -> Article:
    """The article marked for a full analysis by an operator (the worker does it in turn)."""
    overrides = article.overrides.model_copy(
        update={"log": _logged(article.overrides, "reanalyse", by=by, at=at, reason=reason)}
    )
    return _with(article, overrides, at, needs_reanalysis=True)


def apply_overrides(fresh: Article, overrides: Overrides) -> Article:
    """A newly analysed article with the operators' overrides kept: each edited field shows
    the edit (the new analysis's text is what a reset restores), a hidden article stays
    hidden over the status the new analysis gives it."""
    if overrides == Overrides():
        return fresh
    analysis = fresh.analysis
    edits = []
    for change in overrides.edits:
        edits.append(change.model_copy(update={"replaced": getattr(analysis, change.field)}))
        analysis = analysis.model_copy(update={change.field: change.value})
    update: dict[str, object] = {"analysis": analysis}
    hidden = overrides.hidden
    if hidden is not None:
        hidden = hidden.model_copy(update={"status_beneath": fresh.status})
        update |= {"status": ArticleStatus.HIDDEN, "status_reason": hidden.reason}
    kept = overrides.model_copy(update={"edits": tuple(edits), "hidden": hidden})
    return fresh.model_copy(update={**update, "overrides": kept})
