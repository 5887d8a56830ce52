"""Run spiders once, in this process, and report what each did.

Scrapy's reactor cannot be restarted, so a process runs ``run_crawl`` once; the scheduler
starts ``python -m scheduler crawl SLUG`` in a child process for every scheduled crawl.
Each source is a plain dict (see ``crawler.base``); the result is one report dict per
source: ``{"source", "status", "message", "items", "kept", "new", "updated", "unchanged",
"errors", "withdrawn", "requests", "bytes"}``.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

from scrapy.crawler import CrawlerProcess

import crawler.spiders
from crawler.base import SourceSpider


class UnknownSpider(LookupError):
    """No spider module of that name."""


def available_spiders() -> list[str]:
    """The names of the spiders shipped in ``crawler/spiders/``."""
    return sorted(
        m.name for m in pkgutil.iter_modules(crawler.spiders.__path__) if not m.name.startswith("_")
    )


def spider_class(name: str) -> type[SourceSpider]:
    """The spider class named ``name`` (module ``crawler.spiders.<name>``)."""
    if name not in available_spiders():
        raise UnknownSpider(f"no spider named {name!r} (known: {', '.join(available_spiders())})")
    module = importlib.import_module(f"crawler.spiders.{name}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, SourceSpider) and value.name == name:
            return value
    raise UnknownSpider(f"module crawler.spiders.{name} defines no spider named {name!r}")


def run_crawl(sources: list[dict[str, Any]], settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Crawl every source (concurrently, in this process) and return their reports."""
    process = CrawlerProcess({**settings, "LOG_INSTALL_ROOT_HANDLER": False})
    if str(settings.get("LOG_LEVEL", "INFO")).upper() != "DEBUG":
        # Scrapy's logging set-up makes its loggers verbose again; per-request lines are noise
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    started = []
    for source in sources:
        crawler_ = process.create_crawler(spider_class(source["spider"]))
        process.crawl(crawler_, source=source)
        started.append((source, crawler_))
    process.start()
    reports = []
    for source, crawler_ in started:
        report = getattr(crawler_.spider, "report", None)
        reports.append(
            report
            or {
                "source": source["slug"],
                "status": "failed",
                "message": "the crawl stopped before reporting",
            }
        )
    return reports
