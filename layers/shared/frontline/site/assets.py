"""The static files: stylesheet and scripts named by the hash of their bytes, and the favicon."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Asset:
    path: str
    body: bytes
    content_type: str
    immutable: bool  # content-hashed name: cache for a year


def _static(name: str) -> bytes:
    return resources.files("frontline.site").joinpath("static", name).read_bytes()


@functools.cache
def stylesheet() -> Asset:
    body = _static("style.css")
    digest = hashlib.sha256(body).hexdigest()[:8]
    return Asset(f"/assets/style.{digest}.css", body, "text/css; charset=utf-8", immutable=True)


@functools.cache
def favicon() -> Asset:
    return Asset("/favicon.svg", _static("favicon.svg"), "image/svg+xml; charset=utf-8", False)


@functools.cache
def script(name: str) -> Asset:
    """`static/<name>.js` as `/assets/<name>.<hash>.js` (cached for a year)."""
    body = _static(f"{name}.js")
    digest = hashlib.sha256(body).hexdigest()[:8]
    return Asset(f"/assets/{name}.{digest}.js", body, "text/javascript; charset=utf-8", True)
