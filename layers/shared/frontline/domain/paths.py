"""Stable, readable article URLs: JST date, an ASCII slug of the original title, a short id."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Final

JST: Final = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time
_NON_ALNUM: Final = re.compile(r"[^a-z0-9]+")
_SLUG_MAX: Final = 60


def slug_of(title: str) -> str:
    """ASCII words of the title, hyphenated, cut at a word boundary; 'article' if none."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [word for word in _NON_ALNUM.split(ascii_title.lower()) if word]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _SLUG_MAX:
            break
        slug = candidate
    return slug or (words[0][:_SLUG_MAX] if words else "article")


def article_path_for(item_id: str, title: str, published: datetime) -> str:
    """The article's permanent path; computed once, when the article is first stored."""
    day = published.astimezone(JST)
    return f"/articles/{day:%Y/%m/%d}/{slug_of(title)}-{item_id[:8]}/"
