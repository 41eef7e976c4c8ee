"""URL clean-up: one spelling per article, without ever changing what the URL points to.

Only the scheme and host are normalised (case, default port, trailing dot) and only known
tracking parameters are removed; the path and the rest of the query are kept byte for byte,
except that characters a URL cannot carry (spaces, controls, anything outside ASCII) are
percent-encoded as UTF-8, as browsers send them: `/記事` and `/%E8%A8%98%E4%BA%8B` are one
spelling. A query field holding a `;` is kept whole: whether `;` separates parameters is
the server's choice, and `utm_source=x;id=5` may carry the article's id. A fragment is kept
unless it is one of the page anchors that never name distinct content
(`#comments`, `#top` …): a changelog's `#v3-1` and `#v3-0` are two entries.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

TRACKING_PARAMETERS: Final = frozenset(
    {
        "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "mc_cid", "mc_eid",
        "igshid", "yclid", "ref_src", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
        "oly_enc_id", "vero_id", "xtor", "__s", "ncid", "sr_share", "_ga", "_gl",
        "twclid", "ttclid", "li_fat_id", "sc_cid", "_openstat", "guccounter", "guce_referrer",
        "guce_referrer_sig", "hsctatracking", "fb_action_ids", "fb_action_types", "fb_ref",
        "fb_source", "fb_comment_id", "action_object_map", "action_type_map", "action_ref_map",
        "ga_source", "ga_medium", "ga_term", "ga_content", "ga_campaign", "hmb_campaign",
        "hmb_source", "hmb_medium",
    }
)  # fmt: skip
TRACKING_PREFIXES: Final = ("utm_",)
# Anchors that point into the same page without naming a distinct entry.
_NAVIGATION_FRAGMENT: Final = re.compile(
    r"^(?:|top|comments?|respond|reply|disqus_thread|main|content|more(?:-\d+)?|"
    r"(?:utm_|xtor=).*)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_TAB_OR_NEWLINE: Final = re.compile(r"[\t\n\r]")  # removed anywhere, as the URL standard says
# What a URL cannot carry literally; encoded, never deleted (a space is part of the name).
_UNSAFE: Final = re.compile(r"[\x00-\x20\x7f-\U0010ffff\"<>\\^`{|}]")


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str | None:
    """Lowercase scheme and host, no default port, no tracking parameters, no page anchor.

    Returns None for anything that is not an absolute http(s) URL.
    """
    candidate = _TAB_OR_NEWLINE.sub("", url.strip())
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = "".join((parts.hostname or "").split()).rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    fields = parts.query.split("&")
    kept = [
        f for f in fields if ";" in f or not is_tracking_parameter(unquote_plus(f.split("=", 1)[0]))
    ]
    query = _encoded(parts.query if len(kept) == len(fields) else "&".join(f for f in kept if f))
    fragment = "" if _NAVIGATION_FRAGMENT.match(parts.fragment) else _encoded(parts.fragment)
    return urlunsplit((scheme, netloc, _encoded(parts.path) or "/", query, fragment))


def names_one_page(url: str) -> bool:
    """Whether a canonical URL can identify one article: a site's bare home page cannot
    (some feeds link every entry to it), anything with a path, query or fragment can."""
    parts = urlsplit(url)
    return parts.path not in ("", "/") or bool(parts.query) or bool(parts.fragment)


def _encoded(part: str) -> str:
    return _UNSAFE.sub(lambda match: quote(match.group(), safe="", errors="replace"), part)
