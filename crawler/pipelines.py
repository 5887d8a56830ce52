"""The one pipeline: keep what matters, store it in batches, record the run.

An item is kept when it matches a watch (title, summary, body and the extra ``texts`` the
spider gave), when it cites an identifier already followed in a dossier, or when the spider
says ``keep``. Kept items are upserted through ``store.repo`` in batches of ``BATCH``, each in
its own transaction together with its watch matches and dossier links; the source's cursor
and HTTP validators are saved with the last batch, so progress is never recorded ahead of
the events. The run (``CrawlRun``) records counts, requests, bytes and what went wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.items import EventItem, WithdrawalItem
from crawler.linking import dossier_links, enrich
from crawler.watch import FirstLook, WatchDefinition, WatchSet
from store import repo
from store.db import make_engine, session_scope
from store.identity import followed_value, identity_keys
from store.models import RunStatus

BATCH = 500
log = logging.getLogger(__name__)


class StorePipeline:
    """Filters, stores and accounts for the items of one spider."""

    def __init__(self, crawler: Any):
        settings = crawler.settings
        self.crawler = crawler
        self.dry_run: bool = settings.getbool("VEILLEUR_DRY_RUN")
        self.database_url: str = settings.get("VEILLEUR_DATABASE_URL")
        self.watches = WatchSet(
            WatchDefinition(w["slug"], w["terms"], w.get("exclude", ()))
            for w in settings.getlist("VEILLEUR_WATCHES")
        )
        self.dossiers: list[dict[str, Any]] = list(settings.getlist("VEILLEUR_DOSSIERS"))
        self.buffer: list[tuple[EventItem, dict[str, list[str]]]] = []
        self.withdrawals: list[WithdrawalItem] = []
        self.counts = {
            "items": 0,
            "kept": 0,
            "new": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": 0,
            "withdrawn": 0,
            "skipped": 0,
        }
        self.engine = None
        self.run = None
        self.followed: dict[str, set[str]] = {}
        self.followed_all: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    # --- life cycle ----------------------------------------------------------------------

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        self.engine = make_engine(self.database_url)
        with session_scope(self.engine) as session:
            self.followed = repo.followed_identifiers(session)
            if not self.dry_run:
                self.run = repo.start_run(session, spider.slug)
        for dossier in self.dossiers:
            values = {followed_value(i) for i in dossier.get("identifiers", ())}
            self.followed.setdefault(dossier["slug"], set()).update(values)
        self.followed_all = frozenset().union(*self.followed.values())
        spider.wanted = FirstLook(self.watches, self.followed_all)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        spider = spider or self.crawler.spider
        if isinstance(item, WithdrawalItem):
            self.withdrawals.append(item)
            return item
        self.counts["items"] += 1
        matches = self.watches.match(item.title, item.summary, item.body, *item.texts)
        cited = self.followed_all.intersection(item.cites) if item.cites else set()
        if not (item.keep or matches or cited):
            self.counts["skipped"] += 1
            return item
        derived = enrich(item)
        self.buffer.append((item, matches))
        self.buffer.extend((deadline, matches) for deadline in derived)
        if len(self.buffer) >= BATCH:
            self._flush(spider, final=False)
        return item

    def close_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        try:
            self._flush(spider, final=True)
        except Exception as exc:  # the database went away: the run failed, say why
            log.exception("could not store the last batch of %s", spider.slug)
            spider.fail(f"store error: {type(exc).__name__}: {str(exc)[:200]}")
        self._finish(spider)
        if self.engine is not None:
            self.engine.dispose()

    # --- storing -------------------------------------------------------------------------

    def _flush(self, spider: Any, final: bool) -> None:
        batch, self.buffer = self.buffer, []
        if self.dry_run:
            self.counts["kept"] += len(batch)
            return
        if not batch and not final:
            return
        with session_scope(self.engine) as session:
            records, kept = [], []
            for item, matches in batch:
                if (
                    item.only_update
                    and repo.known_events(session, item.kind, item.identifiers) is None
                ):
                    self.counts["skipped"] += 1
                    continue
                if not identity_keys(item.kind, item.identifiers):
                    spider.problem(f"no identifier for {item.title[:80]!r}: not stored")
                    continue
                records.append(item.record())
                kept.append((item, matches))
            try:
                result = repo.upsert_events(session, records)
            except repo.InvalidEvent as exc:
                spider.problem(f"invalid item in a batch of {len(records)}: {exc}")
                result = self._one_by_one(session, records, spider)
                kept = [k for k, i in zip(kept, result.item_ids, strict=True) if i]
                result.item_ids = [i for i in result.item_ids if i]
            self.counts["kept"] += len(kept)
            self.counts["new"] += len(result.new)
            self.counts["updated"] += len(result.updated)
            self.counts["unchanged"] += len(result.unchanged)
            self._link(session, kept, result.item_ids)
            if final:
                for withdrawal in self.withdrawals:
                    if repo.withdraw(session, withdrawal.scheme, withdrawal.value):
                        self.counts["withdrawn"] += 1
                if not spider.failure:
                    repo.save_source_state(
                        session, spider.slug, spider.next_cursor, spider.next_http_cache
                    )

    def _one_by_one(self, session: Any, records: list[dict], spider: Any) -> repo.UpsertResult:
        total = repo.UpsertResult()
        for record in records:
            try:
                with session.begin_nested():
                    total += repo.upsert_events(session, [record])
            except repo.InvalidEvent as exc:
                spider.problem(f"not stored: {exc}")
                total.item_ids.append(0)
        return total

    def _link(self, session: Any, kept: list, ids: list[int]) -> None:
        matches_by_event: dict[int, dict[str, list[str]]] = {}
        for (item, matches), event_id in zip(kept, ids, strict=True):
            if matches:
                matches_by_event[event_id] = matches
            for slug, reason in dossier_links(matches, item.cites, self.dossiers, self.followed):
                repo.link_events(session, slug, [event_id], reason)
        if matches_by_event:
            repo.record_matches(session, matches_by_event)

    # --- accounting ------------------------------------------------------------------------

    def _finish(self, spider: Any) -> None:
        stats = self.crawler.stats
        requests = stats.get_value("downloader/request_count", 0)
        received = stats.get_value("downloader/response_bytes", 0)
        if spider.min_items and self.counts["items"] < spider.min_items and not spider.failure:
            spider.problem(
                f"only {self.counts['items']} item(s), fewer than the "
                f"{spider.min_items} expected: has the source changed?"
            )
        self.counts["errors"] = len(spider.problems) + (1 if spider.failure else 0)
        if spider.disabled:
            status, message = RunStatus.DISABLED, spider.disabled
        elif spider.failure:
            status, message = RunStatus.FAILED, spider.failure
        elif spider.problems:
            status, message = RunStatus.PARTIAL, "; ".join(spider.problems[:5])
        else:
            status, message = RunStatus.OK, ""
        spider.report = {
            "source": spider.slug,
            "status": str(status),
            "message": message,
            "requests": requests,
            "bytes": received,
            **self.counts,
        }
        if self.dry_run or self.run is None:
            return
        try:
            with session_scope(self.engine) as session:
                run = session.merge(self.run)
                run.requests, run.bytes, run.items = requests, received, self.counts["items"]
                run.new, run.updated = self.counts["new"], self.counts["updated"]
                run.unchanged, run.errors = self.counts["unchanged"], self.counts["errors"]
                repo.finish_run(session, run, status, message)
        except Exception:
            log.exception("could not record the crawl run of %s", spider.slug)
