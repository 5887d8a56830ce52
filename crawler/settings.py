"""Scrapy settings for every crawl: polite, bounded, and with no side channel.

``build_settings`` takes the plain values the CLI read from the configuration. Cookies are
off (no source needs them, and the cookie middleware would look up the public suffix list on
the internet); the remote-control and telnet extensions are off; robots.txt is obeyed.
"""

from __future__ import annotations

import os
from typing import Any

MIB = 1024 * 1024


def build_settings(
    *,
    database_url: str,
    user_agent: str,
    contact: str = "",
    http_timeout: int = 30,
    max_response_mb: int = 64,
    max_archive_mb: int = 2048,
    archive_workers: int = 1,
    log_level: str = "INFO",
    dry_run: bool = False,
    watches: list[dict[str, Any]] | None = None,
    dossiers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The settings of one crawl process."""
    agent = f"{user_agent} {contact}".strip() if contact else user_agent
    return {
        "BOT_NAME": "veilleur",
        "USER_AGENT": agent,
        "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 0.5,
        "DOWNLOAD_TIMEOUT": http_timeout,
        "DOWNLOAD_MAXSIZE": max_response_mb * MIB,
        "DOWNLOAD_WARNSIZE": min(32, max_response_mb) * MIB,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "HTTPERROR_ALLOWED_CODES": [304, 429],
        "CLOSESPIDER_ERRORCOUNT": 20,
        "LOG_LEVEL": log_level.upper(),
        "LOG_ENABLED": True,
        "DOWNLOADER_MIDDLEWARES": {"crawler.middleware.RetryAfterMiddleware": 540},
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
        "VEILLEUR_DATABASE_URL": database_url,
        "VEILLEUR_DRY_RUN": dry_run,
        "VEILLEUR_MAX_ARCHIVE_BYTES": max_archive_mb * MIB,
        "VEILLEUR_ARCHIVE_WORKERS": archive_workers or os.cpu_count() or 1,
        "VEILLEUR_WATCHES": watches or [],
        "VEILLEUR_DOSSIERS": dossiers or [],
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
