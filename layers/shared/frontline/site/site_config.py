"""The few facts about the site that pages need: its name, tagline and public address."""

from __future__ import annotations

from dataclasses import dataclass

from frontline.site.sanitise import is_http_url


@dataclass(frozen=True)
class SiteConfig:
    title: str  # e.g. "AIニュース最前線"
    tagline: str  # e.g. "世界中のAI最新情報を日本語で毎時更新"
    base_url: str  # absolute, no trailing slash, e.g. "https://d111.cloudfront.net"

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("SiteConfig.title must not be empty")
        if not is_http_url(self.base_url):
            raise ValueError(
                f"SiteConfig.base_url must be an absolute http(s) URL: {self.base_url!r}"
            )
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
