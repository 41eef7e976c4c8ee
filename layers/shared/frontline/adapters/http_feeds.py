"""Fetch feeds over HTTP politely and defensively (httpx, async).

- The SSRF guard sits in the connection layer: every TCP connection (each redirect hop
  included) resolves the host itself and refuses non-public addresses, so a DNS answer that
  changes between a check and the connect (rebinding) cannot slip through.
- Redirects are followed by hand, at most MAX_REDIRECTS hops, each re-checked.
- The whole fetch has one deadline (httpx timeouts are per read, and a server trickling a
  byte every few seconds would never trip them), and the *decoded* body has a size cap
  enforced while streaming.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
from datetime import UTC, datetime
from typing import Any, Final, Self
from urllib.parse import urljoin

import anyio
import httpcore
import httpx

from frontline.domain.ports import FeedUnavailable, FetchResult
from frontline.domain.urls import is_http_url

MAX_REDIRECTS: Final = 5
PERMANENT: Final = frozenset({301, 308})
REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
RETRY_LATER: Final = frozenset({429, 503})
ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class RefusedAddress(httpcore.ConnectError):
    """The host resolved to an address the guard does not allow."""


def is_public_address(address: str) -> bool:
    """Only globally routable unicast addresses: no loopback, private, link-local, CGNAT…"""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, checks every address, and connects to a checked IP."""

    def __init__(self, *, allow_private_network: bool = False) -> None:
        self._inner = httpcore.AnyIOBackend()
        # Local runs and tests only: admits loopback, never link-local or private ranges.
        self._allow_loopback = allow_private_network

    def _allowed(self, address: str) -> bool:
        if is_public_address(address):
            return True
        return self._allow_loopback and is_loopback(address)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refused = [address for address in addresses if not self._allowed(address)]
        if refused or not addresses:
            raise RefusedAddress(f"refused address {', '.join(refused) or '(none)'} for {host}")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise httpcore.ConnectError(str(last_error))

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class HttpFeedFetcher:
    """The FeedFetcher port over httpx. Use as `async with HttpFeedFetcher(...) as fetcher`."""

    def __init__(
        self,
        *,
        user_agent: str,
        allow_private_network: bool = False,
        deadline_s: float = 30.0,
        max_bytes: int = 10 * 1024 * 1024,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
    ) -> None:
        self._user_agent = user_agent
        self._allow_private = allow_private_network
        self._deadline_s = deadline_s
        self._max_bytes = max_bytes
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        transport = httpx.AsyncHTTPTransport(retries=0)
        # httpx builds its connection pool with the default backend; swap in the guarded one.
        transport._pool._network_backend = GuardedNetworkBackend(
            allow_private_network=self._allow_private
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": self._user_agent, "Accept": ACCEPT},
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if self._client is None:
            raise RuntimeError("HttpFeedFetcher must be used as an async context manager")
        try:
            async with asyncio.timeout(self._deadline_s):
                return await self._follow(self._client, url, etag, last_modified)
        except TimeoutError:
            raise FeedUnavailable(f"deadline of {self._deadline_s:g}s exceeded") from None
        except RefusedAddress as exc:
            raise FeedUnavailable(f"refused: {exc}") from None
        except httpx.InvalidURL as exc:  # e.g. octal IPv4 spellings such as 0177.0.0.1
            raise FeedUnavailable(f"refused: invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, RefusedAddress):
                raise FeedUnavailable(f"refused: {cause}") from None
            raise FeedUnavailable(f"{type(exc).__name__}: {exc}") from None

    async def _follow(
        self, client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            if not is_http_url(url):
                raise FeedUnavailable(f"refused: not an http(s) URL: {url[:200]}")
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FeedUnavailable(
                            "redirect without a Location", status=response.status_code
                        )
                    permanent = permanent and response.status_code in PERMANENT
                    url = urljoin(url, location)
                    continue
                return await self._result(response, url, moved=permanent and _hop > 0)
        raise FeedUnavailable(f"more than {MAX_REDIRECTS} redirects")

    async def _result(self, response: httpx.Response, url: str, *, moved: bool) -> FetchResult:
        status = response.status_code
        permanent_url = url if moved else None  # every hop was 301/308: the feed moved
        if status == 304:
            return FetchResult(
                status=304,
                url=url,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                permanent_url=permanent_url,
            )
        if status in RETRY_LATER:
            raise FeedUnavailable(
                f"HTTP {status}",
                status=status,
                retry_after_s=retry_after_seconds(
                    response.headers.get("retry-after"), now=datetime.now(UTC)
                ),
            )
        if status != 200:
            raise FeedUnavailable(f"HTTP {status}", status=status)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self._max_bytes:
                raise FeedUnavailable(
                    f"body larger than {self._max_bytes} bytes after decoding", status=status
                )
        return FetchResult(
            status=200,
            url=url,
            body=bytes(body),
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            permanent_url=permanent_url,
            content_location=response.headers.get("content-location"),
        )
