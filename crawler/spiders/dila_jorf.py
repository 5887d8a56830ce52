"""Journal officiel through DILA open data: https://echanges.dila.gouv.fr/OPENDATA/JORF/

Format: an Apache index (ISO-8859-1) of ``JORF_YYYYMMDD-HHMMSS.tar.gz`` incremental archives
(about two a day: the night's JO, and an evening re-delivery of older texts). Each archive
holds ``TEXTE_VERSION`` texts, their ``ARTICLE``s and a ``liste_suppression_jorf.dat``.

Incremental: the listing is fetched conditionally (ETag / Last-Modified); archives after the
last one processed are read in order, one at a time; the cursor moves with each archive.
A first run with no cursor reads the ``initial_archives`` newest archives (default 2);
``--since`` reads every archive from that day. Re-delivered texts published more than
``redelivery_days`` (default 30) before their archive only update events already stored.
Quirks: ``2999-01-01`` means "no date"; ``AUTORITE`` is empty on décrets; lower-case
archive names before 2018.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import scrapy

from crawler import dila, dila_archive
from crawler.base import SourceSpider
from crawler.items import EventItem, WithdrawalItem

MAX_BODY = 200_000


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a while (it would rescan every object built)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class DilaJorfSpider(SourceSpider):
    """Texts of the Journal officiel from the DILA JORF dumps."""

    name: ClassVar[str] = "dila_jorf"
    fund: ClassVar[str] = "JORF"
    authority: ClassVar[int] = 30

    async def start(self):
        yield scrapy.Request(
            self.base_url,
            callback=self.parse_listing,
            errback=self.errback_fatal,
            headers=self.conditional_headers(self.base_url),
            meta={"handle_httpstatus_list": [304, 404, 403, 429]},
            dont_filter=True,
        )

    def parse_listing(self, response: scrapy.http.Response):
        if response.status == 304:
            self.logger_.info("%s: listing not modified since the last crawl", self.slug)
            return
        if response.status != 200:
            self.fail(f"listing answered HTTP {response.status} ({response.url})")
            return
        self.remember_validators(response)
        archives = self.choose(dila.parse_listing(response.body, self.fund))
        self.logger_.info("%s: %d archive(s) to read", self.slug, len(archives))
        yield from self.next_archive(response, archives)

    def choose(self, archives: list[dila.Archive]) -> list[dila.Archive]:
        """The archives this run reads, oldest first."""
        last = self.cursor.get("last_archive_stamp")
        if self.since:
            return [a for a in archives if a.day >= self.since]
        if last:
            return [a for a in archives if a.stamp > last]
        return archives[-int(self.options.get("initial_archives", 2)) :]

    def next_archive(self, response: scrapy.http.Response, remaining: list[dila.Archive]):
        if not remaining:
            return
        archive, rest = remaining[0], remaining[1:]
        yield scrapy.Request(
            response.urljoin(archive.name),
            callback=self.parse_archive,
            errback=self.errback_fatal,
            dont_filter=True,
            cb_kwargs={"archive": archive, "rest": rest},
            meta={
                "download_maxsize": self.settings.getint("VEILLEUR_MAX_ARCHIVE_BYTES", 0) or None
            },
        )

    def parse_archive(
        self, response: scrapy.http.Response, archive: dila.Archive, rest: list[dila.Archive]
    ):
        # The pipeline's first look: texts no watch or followed identifier could concern are
        # checked but not parsed in full (see dila_archive.read_archive).
        with _collector_paused():  # tens of thousands of short-lived objects, no cycles
            content = dila_archive.read_archive(
                response.body,
                wanted=getattr(self, "wanted", None),
                workers=self.settings.getint("VEILLEUR_ARCHIVE_WORKERS", 1),
            )
        fetched = datetime.now(UTC).isoformat(timespec="seconds")
        for member, reason in content.skipped:
            self.problem(f"{archive.name}: member {member} skipped: {reason}")
        if content.truncated:
            self.problem(f"{archive.name}: archive unreadable past some point: {content.truncated}")
        provenance = {
            "archive": archive.name,
            "archive_stamp": archive.stamp,
            "download_url": response.url,
            "fetched_at": fetched,
            "licence": dila.LICENCE,
            "publisher": "DILA",
        }
        kept = 0
        for document in content.documents:
            item = self.make_item(document, content.articles, archive, provenance)
            if item is not None:
                kept += 1
                yield item
        for identifier in content.deleted:
            yield WithdrawalItem(self.slug, identifier[:8], identifier)
        self.logger_.info(
            "%s: %s — %d text(s), %d read in full, %d deletion(s), %d skipped member(s)%s",
            self.slug,
            archive.name,
            content.texts,
            kept,
            len(content.deleted),
            len(content.skipped),
            f", looked at with {content.workers} worker processes" if content.workers else "",
        )
        self.next_cursor["last_archive"] = archive.name
        self.next_cursor["last_archive_stamp"] = archive.stamp
        yield from self.next_archive(response, rest)

    def make_item(
        self,
        document: dict[str, Any],
        articles: dict,
        archive: dila.Archive,
        provenance: dict[str, Any],
    ) -> EventItem | None:
        """One stored event from one parsed text; None (and a counted problem) if undated."""
        day = document["date_text"] or document["date_publi"]
        if day is None:
            self.problem(f"{document['id']}: no date, not stored")
            return None
        identifiers = {
            document["id"][:8]: document["id"],
            "NOR": document["nor"],
            "ELI": document["eli"],
            "NUM": document["number"],
        }
        if document.get("eli_alias"):
            identifiers["ELI_ALIAS"] = document["eli_alias"]
        body = " ".join(f"Article {n} {t}" for n, t in articles.get(document["id"], []))
        body = (body or document.get("body", ""))[:MAX_BODY]
        published = document["date_publi"]
        window = timedelta(days=int(self.options.get("redelivery_days", 30)))
        old = (
            published is not None
            and published < archive.day - window
            and not (self.since and published >= self.since)
        )
        details = {
            k: document[k]
            for k in ("nature", "ministry", "authority", "publication")
            if document.get(k)
        }
        if document.get("nature_delib"):
            details["nature_delib"] = document["nature_delib"]
        return EventItem(
            source=self.slug,
            kind=dila.kind_for(document["nature"], document["origin"], document["authority"]),
            date=day,
            published_on=published,
            title=document["title"],
            url=dila.official_url(document["id"]),
            summary=document.get("notice", "")[:2000],
            body=body,
            identifiers={k: v for k, v in identifiers.items() if v},
            provenance={**provenance, "member": document.get("member", "")},
            cites=document["cites"],
            details=details,
            authority=self.authority,
            texts=[document.get("visas", ""), document.get("signers", "")],
            only_update=old,
        )
