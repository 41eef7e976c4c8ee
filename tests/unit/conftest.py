"""Unit tests run with sockets disabled: pure logic and handlers with fakes only."""

from __future__ import annotations

import pytest
import urllib3  # noqa: F401  (imported before sockets are disabled: it probes IPv6 at import)
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_network() -> object:
    disable_socket(allow_unix_socket=True)  # asyncio's self-pipe uses a Unix socketpair
    yield
    enable_socket()
