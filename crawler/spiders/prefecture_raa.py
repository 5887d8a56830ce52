"""Prefectures' recueils des actes administratifs (RAA) on the state-template (DSFR) sites.

Source: ``https://www.<dept>.gouv.fr/Publications/Recueil-des-actes-administratifs`` (the path
varies per prefecture). Format: HTML listing pages, year → month (cards, tiles, pagination,
a year ``<select>``), with PDF links ``a.fr-link--download`` / ``div.fr-downloads-group a``;
each PDF bundles dozens of orders, often scanned. One ``[sources.<slug>]`` per prefecture::

    [sources.raa_93]
    spider = "prefecture_raa"
    url = "https://www.seine-saint-denis.gouv.fr/Publications/Recueil-des-actes-administratifs"
    not_before = "2024-01-01"   # older listings and recueils are not read
    # optional: pdf_selector, page_selector (CSS), scope (path prefix of listing pages),
    # delay (seconds between requests, 5 by default), max_listing_pages, max_pdf_pages,
    # max_ocr_pages, pdf_timeout, recheck_days

The PDF URL is the recueil's identity; its sha256 is remembered, so a PDF replaced at the same
URL is read again and its orders get a new revision. Known PDFs are re-fetched (conditionally)
for ``recheck_days`` after they first appeared. Each order about drones or VSA becomes an
``order`` event (``GUID`` ``<pdf url>#<order number>``, link to the page of the recueil).
Quirks: layouts drift; a listing page that answers 429 is retried after Retry-After; the
delay applies per crawl (two sources on one host add up).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import scrapy

from crawler import pdf, raa
from crawler.base import SourceSpider
from crawler.items import EventItem
from store.identity import canonical_url

PDF_LINKS = "a.fr-link--download, div.fr-downloads-group a, a.fr-download__link"
PAGE_LINKS = (
    "a.fr-card__link, .fr-card__title a, a.fr-tile__link, .fr-tile__title a, a.fr-pagination__link"
)
STATUSES = [304, 403, 404, 410, 429, 500, 502, 503]
_OCR_SLOTS: asyncio.Semaphore | None = None  # one PDF read at a time per process


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class PrefectureRaaSpider(SourceSpider):
    """The recueils of one prefecture, split into orders."""

    name: ClassVar[str] = "prefecture_raa"
    authority: ClassVar[int] = 30
    whole_documents: ClassVar[bool] = False  # a PDF is a recueil of several orders
    custom_settings: ClassVar[dict[str, Any] | None] = {
        "DOWNLOAD_DELAY": 5.0,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "AUTOTHROTTLE_START_DELAY": 5.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_MAXSIZE": 200 * 1024 * 1024,
    }

    def __init__(self, source: dict[str, Any], **kwargs: Any):
        super().__init__(source, **kwargs)
        option, number = self.options.get, self.number
        self.delay = max(0.0, number("delay", 5.0, float))
        today = datetime.now(UTC).date()
        self.today = today
        self.not_before = self.since or self.number("not_before", None, date.fromisoformat)
        self.not_before = self.not_before or today - timedelta(days=92)
        self.pdf_selector = str(option("pdf_selector") or PDF_LINKS)
        self.page_selector = str(option("page_selector") or PAGE_LINKS)
        self.scope = str(option("scope") or urlsplit(self.base_url).path.rstrip("/"))
        self.max_listing_pages = number("max_listing_pages", 60, int)
        self.max_depth = number("max_depth", 4, int)
        self.pdf_limits = {
            "max_pages": number("max_pdf_pages", pdf.MAX_PAGES, int),
            "max_ocr_pages": number("max_ocr_pages", pdf.MAX_OCR_PAGES, int),
            "timeout": number("pdf_timeout", pdf.TIMEOUT, float),
        }
        self.recheck = timedelta(days=number("recheck_days", 31, int))
        self.seen: dict[str, dict[str, Any]] = dict(self.cursor.get("pdfs") or {})
        horizon = (today - timedelta(days=730)).isoformat()
        self.next_cursor["pdfs"] = {
            url: entry for url, entry in self.seen.items() if entry.get("first_seen", "") > horizon
        }
        self.listing_pages = 0
        self.pdfs: set[str] = set()

    def number(self, key: str, default: Any, cast: Any) -> Any:
        """Option ``key`` read with ``cast``; a bad value is reported and ``default`` used."""
        value = self.options.get(key)
        if value is None or value == "":
            return default
        try:
            return cast(value if cast is not date.fromisoformat else str(value))
        except (TypeError, ValueError):
            self.problem(f"option {key} = {value!r} is not valid: {default!r} used instead")
            return default

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PrefectureRaaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # the configured delay replaces the class default (settings are not frozen yet)
        crawler.settings.set("DOWNLOAD_DELAY", spider.delay, priority="spider")
        crawler.settings.set("AUTOTHROTTLE_START_DELAY", spider.delay, priority="spider")
        return spider

    # --- listing pages -----------------------------------------------------------------------

    async def start(self):
        yield self.listing_request(self.base_url, depth=0, callback_errback=self.errback_fatal)

    def listing_request(self, url: str, depth: int, callback_errback=None) -> scrapy.Request:
        """A request for one listing page."""
        self.listing_pages += 1
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=callback_errback or self.errback_problem,
            dont_filter=depth == 0,
            meta={"depth_": depth, "handle_httpstatus_list": STATUSES},
        )

    def parse_listing(self, response: scrapy.http.Response):
        depth = response.meta.get("depth_", 0)
        if response.status != 200:
            message = f"HTTP {response.status} for listing {response.url}"
            if depth == 0:
                self.fail(message)
            else:
                self.problem(message)
            return
        links = self.pdf_links(response)
        dated = [d for _, _, d in links if d]
        for url, text, day in links:
            request = self.pdf_request(url, text, day, response.url)
            if request is not None:
                yield request
        if dated and max(dated) < self.not_before:
            return  # this page and the ones after it are older than the cut-off
        if depth >= self.max_depth:
            return
        for url in self.page_links(response):
            if self.listing_pages >= self.max_listing_pages:
                self.problem(f"more than {self.max_listing_pages} listing pages: stopped there")
                return
            yield self.listing_request(url, depth + 1)

    def pdf_links(self, response: scrapy.http.Response) -> list[tuple[str, str, date | None]]:
        """(url, link text, publication day) of the recueils a listing page links to."""
        found = []
        for link in response.css(self.pdf_selector):
            href = (link.attrib.get("href") or "").strip()
            url = canonical_url(response.urljoin(href)) if href else ""
            if not url.startswith(("http://", "https://")) or url in self.pdfs:
                continue
            text = " ".join(" ".join(link.css("::text").getall()).split())[:500]
            found.append((url, text, raa.recueil_date(url, text)))
        return found

    def page_links(self, response: scrapy.http.Response) -> list[str]:
        """Listing pages under the configured scope: cards, tiles, pagination, year selects."""
        candidates = []
        for link in response.css(self.page_selector):
            text = " ".join(link.css("::text").getall())
            candidates.append((link.attrib.get("href") or "", text))
        for select in response.css("select"):
            name = select.attrib.get("name", "")
            action = select.xpath("ancestor::form[1]/@action").get() or response.url
            for option in select.css("option"):
                value = (option.attrib.get("value") or "").strip()
                text = " ".join(option.css("::text").getall()) + " " + value
                if "/" in value:
                    candidates.append((value, text))
                elif value and name:
                    base = response.urljoin(action).split("?")[0]
                    candidates.append((f"{base}?{urlencode({name: value})}", text))
        urls = []
        for href, text in candidates:
            url = response.urljoin(href.strip())
            parts = urlsplit(url)
            if parts.netloc != urlsplit(self.base_url).netloc:
                continue
            if not parts.path.startswith(self.scope) or url.lower().endswith(".pdf"):
                continue
            if raa.older_than(f"{text} {parts.path} {parts.query}", self.not_before):
                continue
            urls.append(url)
        return list(dict.fromkeys(urls))

    # --- recueils ----------------------------------------------------------------------------

    def pdf_request(self, url: str, text: str, day: date | None, listing: str):
        """The request for one recueil, or None when it is too old or known for long."""
        if day and day < self.not_before:
            return None
        known = self.seen.get(url) or {}
        first_seen = _day(known.get("first_seen"))
        if known.get("sha256") and first_seen and first_seen < self.today - self.recheck:
            return None
        self.pdfs.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_pdf,
            errback=self.errback_problem,
            headers=self.conditional_headers(url),
            meta={
                "handle_httpstatus_list": STATUSES,
                "link_text": text,
                "published": day.isoformat() if day else "",
                "listing": listing,
            },
        )

    async def parse_pdf(self, response: scrapy.http.Response):
        global _OCR_SLOTS
        if response.status == 304:
            return
        url = canonical_url(response.url)
        if response.status != 200:
            self.problem(f"HTTP {response.status} for {url}")
            return
        if b"%PDF" not in response.body[:1024]:
            self.problem(f"not a PDF: {url}")
            return
        digest = pdf.sha256(response.body)
        known = self.seen.get(url) or {}
        entry = {
            "sha256": digest,
            "first_seen": known.get("first_seen") or self.today.isoformat(),
        }
        if known.get("sha256") == digest:
            self.next_cursor["pdfs"][url] = entry
            self.remember_validators(response)
            return
        _OCR_SLOTS = _OCR_SLOTS or asyncio.Semaphore(1)
        async with _OCR_SLOTS:
            result = await asyncio.to_thread(pdf.read_pdf, response.body, **self.pdf_limits)
        if result.problem:
            self.problem(f"{url}: {result.problem}")
        if not result.pages:
            return  # unread: tried again next time
        self.next_cursor["pdfs"][url] = entry
        self.remember_validators(response)
        published = _day(response.meta.get("published")) or raa.recueil_date(
            url, response.meta.get("link_text", ""), result.pages[0]
        )
        orders = raa.split_orders(result.pages)
        if not orders and self.whole_documents:
            single = raa.whole_document(result.pages, response.meta.get("link_text", ""))
            orders = [single] if single else []
        for index, order in enumerate(orders):
            if order.topics:
                yield self.order_item(order, index, url, published, result)

    def order_item(
        self, order: raa.Order, index: int, url: str, published: date | None, result: pdf.PdfText
    ) -> EventItem:
        """The ``order`` event of one order read in the recueil at ``url``."""
        key = order.number or f"p{order.page}-{index + 1}"
        summary = raa.summary(order, published, result.sha256)
        return EventItem(
            source=self.slug,
            kind="order",
            date=order.date or published or self.today,
            title=order.title or f"Arrêté, page {order.page} du recueil",
            url=f"{url}#page={order.page}",
            summary=summary,
            body=order.text,
            identifiers={"GUID": f"{url}#{key}", "arrêté": order.number}
            if order.number
            else {"GUID": f"{url}#{key}"},
            published_on=published,
            details={**order.details(), "recueil": url, "sha256": result.sha256, "ocr": result.ocr},
            provenance={
                "recueil": url,
                "sha256": result.sha256,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            flags=["late_publication"] if order.late(published) else [],
            authority=self.authority,
            keep=True,
        )
