"""HTTP 429 (and 503 with Retry-After): wait as long as the server asks, then try again.

The wait is capped (``RETRY_AFTER_MAX``, 300 s by default) and so is the number of tries
(``RETRY_AFTER_TIMES``, 3); past either, the 429 response goes on to the spider, which
reports it. Only this request waits; nothing is sent to the host meanwhile because the
download slot keeps it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, default: float = 5.0) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return default
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    try:
        return max(0.0, float(text.strip()))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(text) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return default


class RetryAfterMiddleware:
    """Honours ``Retry-After`` on 429 and 503 responses."""

    def __init__(self, cap: float, times: int):
        self.cap, self.times = cap, times

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler.settings.getfloat("RETRY_AFTER_MAX", 300.0),
            crawler.settings.getint("RETRY_AFTER_TIMES", 3),
        )

    async def process_response(self, request, response, spider=None):
        if response.status not in (429, 503):
            return response
        if response.status == 503 and b"Retry-After" not in response.headers:
            return response
        tries = request.meta.get("retry_after_tries", 0)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if tries >= self.times or wait > self.cap:
            log.warning(
                "%s answered %s; giving up after %d tries", request.url, response.status, tries
            )
            return response
        log.info("%s answered %s: waiting %.0f s as asked", request.url, response.status, wait)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_tries"] = tries + 1
        return retry
