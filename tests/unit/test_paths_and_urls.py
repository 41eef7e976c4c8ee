from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.domain.paths import article_path_for, slug_of
from frontline.domain.urls import canonical_url


def test_article_path_uses_the_jst_date_an_ascii_slug_and_a_short_id() -> None:
    # 2026-11-25 15:01 UTC is 2026-11-26 00:01 in Japan
    path = article_path_for(
        "0123456789abcdef0123",
        "OpenAI's “o5” beats GPT-5 — again!",
        datetime(2026, 11, 25, 15, 1, tzinfo=UTC),
    )
    assert path == "/articles/2026/11/26/openai-s-o5-beats-gpt-5-again-01234567/"


def test_slug_of_non_ascii_title_falls_back() -> None:
    assert slug_of("日本語だけのタイトル") == "article"
    assert len(slug_of("word " * 50)) <= 60


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a?utm_source=x&b=1#frag", "https://example.com/a?b=1#frag"),
        ("https://example.com/a?b=1#comments", "https://example.com/a?b=1"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/x?fbclid=1&gclid=2", "https://example.com:8443/x"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("//example.com/x", None),
        ("https://exa mple.com/x", "https://example.com/x"),
    ],
)
def test_canonical_url(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


_hosts = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|example)", fullmatch=True)
_params = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
    ),
    max_size=4,
)


@given(_hosts, st.from_regex(r"(/[a-z0-9]{1,8}){0,3}", fullmatch=True), _params, _params)
def test_canonical_url_is_stable_and_ignores_tracking(host, path, params, tracking) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    noisy = "&".join([query] + [f"utm_{k}={v}" for k, v in tracking]).strip("&")
    clean = canonical_url(f"https://{host}{path}?{query}")
    assert clean is not None
    assert canonical_url(f"HTTPS://{host.upper()}:443{path}?{noisy}#comments") == clean
    assert canonical_url(clean) == clean  # idempotent
