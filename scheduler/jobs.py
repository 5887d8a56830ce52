"""The jobs veilleur runs, as plain functions: the CLI runs them now, the scheduler on a cron.

Each job takes the ``Config`` and an engine and returns a small report; none reads the
environment or prints.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from notify.outbox import SendReport, decide, send_due
from notify.send import check_url, masked, send_ops
from notify.site import BuildReport, DossierInfo, build_site
from notify.subscribe import new_secret
from scheduler.config import Config
from scheduler.logs import mask
from store import repo
from store.db import session_scope, upgrade
from store.identity import identity_keys
from store.seed import SOURCE as SEED_SOURCE
from store.seed import dataset_digest, reference_items

log = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class PrepareReport:
    upgraded: bool
    seeded: dict[str, int]


def dossier_keys(identifiers: tuple[str, ...]) -> list[tuple[str, str]]:
    """Identity keys of a dossier's configured identifiers (``JORFTEXT…`` or ``NOR:…``)."""
    keys = []
    for raw in identifiers:
        scheme, _, value = raw.partition(":") if ":" in raw else ("", "", raw)
        if not scheme:
            scheme = next(
                (p for p in ("JORFTEXT", "CNILTEXT", "LEGITEXT") if raw.startswith(p)), ""
            )
            value = raw
        keys.extend(identity_keys("", {scheme.upper(): value}))
    return keys


def prepare_store(config: Config, engine: Engine) -> PrepareReport:
    """Upgrade the schema, save watches and dossiers, and seed the dossiers' timelines.

    Seeding runs again only when the shipped data changed, and never duplicates an event:
    seeded items are upserted on their identifiers like any other.
    """
    upgraded = upgrade(engine)
    seeded: dict[str, int] = {}
    with session_scope(engine) as session:
        for watch in config.watches.values():
            repo.save_watch(session, watch.slug, watch.title, watch.terms, watch.exclude)
        for dossier in config.dossiers.values():
            repo.save_dossier(session, dossier.slug, dossier.title, dossier.description)
    for dossier in config.dossiers.values():
        with session_scope(engine) as session:
            if dossier.seed:
                marker = f"seed:{dossier.slug}:{dossier.seed}"
                digest = dataset_digest(dossier.seed)
                if repo.get_meta(session, marker) != digest:
                    result = repo.upsert_events(session, reference_items(dossier.seed))
                    ids = result.new + result.updated + result.unchanged
                    repo.link_events(session, dossier.slug, ids, f"seed:{dossier.seed}")
                    repo.set_meta(session, marker, digest)
                    seeded[dossier.slug] = len(result.new)
                    log.info("seeded dossier %s: %d new events", dossier.slug, len(result.new))
            ids = []
            for scheme, value in dossier_keys(dossier.identifiers):
                event = repo.find_event(session, scheme, value)
                if event is not None:
                    ids.append(event.id)
            repo.link_events(session, dossier.slug, ids, "identifier")
    return PrepareReport(upgraded, seeded)


__all__ = ["SEED_SOURCE", "PrepareReport", "dossier_keys", "prepare_store"]


# --- crawls in child processes --------------------------------------------------------------


@dataclass
class CrawlOutcome:
    """What a crawl child process reported (or why it reported nothing)."""

    source: str
    status: str
    message: str = ""
    report: dict | None = None

    def line(self) -> str:
        r = self.report or {}
        if self.status in ("ok", "partial"):
            text = (
                f"{self.source}: {self.status} — {r.get('new', 0)} new, "
                f"{r.get('updated', 0)} updated, {r.get('unchanged', 0)} unchanged, "
                f"{r.get('errors', 0)} error(s)"
            )
            return text + (f" ({self.message})" if self.message else "")
        return f"{self.source}: {self.status} — {self.message.removeprefix('unreachable: ')}"


def crawl_source(config: Config, slug: str, timeout: float | None = None) -> CrawlOutcome:
    """Run ``veilleur crawl SLUG`` in a child process (Scrapy's reactor cannot restart)."""
    command = [sys.executable, "-m", "scheduler", "-q", "crawl", "--json", slug]
    if config.path:
        command[3:3] = ["--config", str(config.path)]
    limit = timeout or config.crawl_timeout
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        log.error("crawl of %s stopped after %s s", slug, limit)
        return CrawlOutcome(slug, "failed", f"stopped after {limit} s (crawl_timeout)")
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if not reports:
        reason = (done.stderr.strip().splitlines() or ["no report"])[-1]
        return CrawlOutcome(slug, "failed", mask(reason)[:300])
    report = reports[0]
    message = report.get("message", "")
    if report["status"] == "failed" and message.startswith("unreachable"):
        return CrawlOutcome(slug, "unreachable", message, report)
    outcome = CrawlOutcome(slug, report["status"], message, report)
    log.info("%s", outcome.line())
    return outcome


# --- subscriptions and digests -------------------------------------------------------------


def secret_key(config: Config, engine: Engine) -> str:
    """The key signing links: the configured one, else one generated once and stored."""
    if config.secret_key:
        return config.secret_key
    with session_scope(engine) as session:
        stored = repo.get_meta(session, "secret_key")
        if not stored:
            stored = new_secret()
            repo.set_meta(session, "secret_key", stored)
        return stored


def sync_subscribers(config: Config, engine: Engine) -> int:
    """Subscribers declared in the configuration, added to the store if missing."""
    added = 0
    with session_scope(engine) as session:
        known = {
            (p.url, s.cadence, tuple(s.watches), tuple(s.dossiers))
            for s, p in repo.subscriptions(session)
        }
        for entry in config.subscribers:
            if (entry.url, entry.cadence, entry.watches, entry.dossiers) in known:
                continue
            problem = check_url(entry.url)
            if problem:
                log.error("subscriber %s in the configuration: %s", masked(entry.url), problem)
                continue
            repo.add_subscription(
                session,
                entry.url,
                masked(entry.url),
                cadence=entry.cadence,
                watches=entry.watches,
                dossiers=entry.dossiers,
                label=entry.label,
                origin="config",
            )
            added += 1
    return added


def send_digests(
    config: Config, engine: Engine, cadence: str | None, now: datetime | None = None
) -> SendReport:
    """Decide what is due and send it (one cadence, or all when ``cadence`` is None)."""
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    sync_subscribers(config, engine)
    decide(engine, now, today)
    return send_due(
        engine,
        now=now,
        today=today,
        cadence=cadence,
        public_url=config.public_url,
        secret=secret_key(config, engine),
        send_empty=config.send_empty_digests,
        failure_threshold=config.failure_threshold,
        ops_url=config.ops_url,
        dossier_titles={d.slug: d.title for d in config.dossiers.values()},
    )


# --- the site and the scheduled jobs ---------------------------------------------------------


def build_site_job(
    config: Config, engine: Engine, out: Path | None = None, force: bool = False
) -> BuildReport:
    """Build the timeline site of ``config`` (default directory: the site_dir setting)."""
    today = datetime.now(UTC).astimezone(PARIS).date()
    return build_site(
        engine,
        out or Path(config.site_dir),
        dossiers={
            d.slug: DossierInfo(d.slug, d.title, d.description, d.watches)
            for d in config.dossiers.values()
        },
        watches={w.slug: w.title for w in config.watches.values()},
        today=today,
        public_url=config.public_url,
        force=force,
    )


def source_health(config: Config, engine: Engine, slug: str) -> str | None:
    """Tell the operator once when a source has failed ``failure_threshold`` runs in a row,
    and once when it recovers. Returns what was said, if anything."""
    with session_scope(engine) as session:
        state = repo.source_state(session, slug)
        if state.consecutive_failures >= config.failure_threshold and state.alerted_at is None:
            state.alerted_at = datetime.now(UTC)
            title = f"veilleur: source {slug} failing"
            body = (
                f"{slug} failed {state.consecutive_failures} runs in a row; last error: "
                f"{state.last_error}"
            )
        elif state.consecutive_failures == 0 and state.alerted_at is not None:
            state.alerted_at = None
            title, body = f"veilleur: source {slug} recovered", f"{slug} works again."
        else:
            return None
        session.add(state)
    send_ops(config.ops_url, title, mask(body))
    return title


def crawl_job(config: Config, engine: Engine, slug: str) -> CrawlOutcome:
    """A scheduled crawl: the child process, the health check, and a site rebuild if needed."""
    outcome = crawl_source(config, slug)
    log.info("job crawl:%s — %s", slug, outcome.line())
    source_health(config, engine, slug)
    report = outcome.report or {}
    if report.get("new") or report.get("updated") or report.get("withdrawn"):
        built = build_site_job(config, engine)
        log.info("site rebuilt after %s: %d file(s) written", slug, built.written)
    return outcome


def digest_job(config: Config, engine: Engine, cadence: str) -> SendReport:
    """A scheduled digest run for one cadence."""
    report = send_digests(config, engine, cadence)
    if report.sent or report.failed:
        log.info("job digest:%s — %d sent, %d failed", cadence, report.sent, report.failed)
    return report
