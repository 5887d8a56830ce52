"""The base of every spider: where it starts, what it remembers, how it reports trouble.

A spider is created by ``crawler.run`` with its source configuration::

    source = {"slug": "dila_jorf", "url": "https://…/JORF/", "options": {...},
              "min_items": 0, "since": date | None, "state": {"cursor": {}, "http_cache": {}}}

It reads ``self.cursor`` / ``self.http_cache`` (what the last successful crawl saved), sets
``self.next_cursor`` / ``self.next_http_cache`` as it goes, and the pipeline saves them in the
same transaction as the last batch of events, so a crash never records progress that was not
stored. ``self.fail(reason)`` marks the run failed (e.g. the source is unreachable);
``self.problem(reason)`` counts an error without failing the run.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadTimeoutError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

UNREACHABLE = (
    DNSLookupError,
    ConnectionRefusedError,
    TCPTimedOutError,
    TimeoutError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source."""

    name: ClassVar[str] = "source"
    authority: ClassVar[int] = 10
    custom_settings: ClassVar[dict[str, Any] | None] = None

    def __init__(self, source: dict[str, Any], **kwargs: Any):
        super().__init__(name=self.name, **kwargs)
        self.slug: str = source["slug"]
        self.base_url: str = source["url"]
        self.options: dict[str, Any] = dict(source.get("options") or {})
        self.min_items: int = int(source.get("min_items") or 0)
        self.since: date | None = source.get("since")
        state = source.get("state") or {}
        self.cursor: dict[str, Any] = dict(state.get("cursor") or {})
        self.http_cache: dict[str, Any] = dict(state.get("http_cache") or {})
        self.next_cursor: dict[str, Any] = dict(self.cursor)
        self.next_http_cache: dict[str, Any] = dict(self.http_cache)
        self.failure: str = ""
        self.problems: list[str] = []
        self.disabled: str = ""
        self.logger_ = logging.getLogger(f"crawler.{self.slug}")

    # --- trouble -----------------------------------------------------------------------------

    def fail(self, reason: str) -> None:
        """The run cannot do its work (source unreachable, listing unreadable)."""
        self.logger_.error("%s: %s", self.slug, reason)
        if not self.failure:
            self.failure = reason

    def problem(self, reason: str) -> None:
        """Something was skipped; the rest of the run goes on."""
        self.logger_.warning("%s: %s", self.slug, reason)
        self.problems.append(reason)

    def disable(self, reason: str) -> None:
        """The source cannot run as configured (e.g. no credentials); not a failure."""
        self.logger_.warning("%s disabled: %s", self.slug, reason)
        self.disabled = reason

    def errback_fatal(self, failure: Failure) -> None:
        """For requests the whole run depends on: their failure fails the run."""
        self.fail(describe_failure(failure))

    def errback_problem(self, failure: Failure) -> None:
        """For one request among many: its failure is counted, the run goes on."""
        self.problem(describe_failure(failure))

    # --- conditional requests -----------------------------------------------------------------

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for ``url`` from the last successful crawl."""
        cached = self.http_cache.get(url) or {}
        headers = {}
        if cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]
        return headers

    def remember_validators(self, response: scrapy.http.Response) -> None:
        """Keep ``response``'s ETag / Last-Modified for the next crawl (saved on success)."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.next_http_cache[response.url] = {
                "etag": etag.decode("latin-1") if etag else "",
                "last_modified": modified.decode("latin-1") if modified else "",
            }


def describe_failure(failure: Failure) -> str:
    """A one-line reason for a failed request, saying "unreachable" when it was."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else ""
    error = failure.value
    response = getattr(error, "response", None)
    if response is not None:
        return f"HTTP {response.status} for {response.url}"
    if failure.check(*UNREACHABLE) or any(
        word in type(error).__name__.lower() for word in ("dns", "resolve")
    ):
        return f"unreachable: {type(error).__name__} for {url}".strip()
    return f"{type(error).__name__}: {str(error)[:200]} ({url})"
