"""``veilleur run``: the main job once (``--once``), or on schedule until stopped."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import click

from scheduler import output
from scheduler.app import App, pass_app
from scheduler.jobs import (
    CrawlOutcome,
    build_site_job,
    crawl_job,
    crawl_source,
    digest_job,
    send_digests,
)
from scheduler.schedule import build_scheduler, job_specs
from store import repo
from store.db import session_scope
from store.models import utcnow

LOCK = "scheduler"
STALE = timedelta(seconds=120)
log = logging.getLogger(__name__)


def run_once(app: App, workers: int = 2) -> list[CrawlOutcome]:
    """Every enabled source crawled once (two child processes at a time)."""
    config = app.config
    app.engine  # noqa: B018 - upgrade and seed the store before the children open it
    slugs = [s.slug for s in config.enabled_sources()]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda slug: crawl_source(config, slug), slugs))


def daemon(app: App) -> None:
    """Run on schedule until SIGTERM or SIGINT; refuses if another scheduler holds the store."""
    config, engine = app.config, app.engine
    owner = f"{socket.gethostname()}:{os.getpid()}"
    with session_scope(engine) as session:
        holder = repo.acquire_lock(session, LOCK, owner, utcnow(), STALE)
    if holder:
        raise click.ClickException(
            f"another scheduler ({holder}) is running on this database; stop it first "
            f"(a lock left by a dead one expires after {int(STALE.total_seconds())} s)"
        )
    stopping = threading.Event()

    def heartbeat() -> None:
        with session_scope(engine) as session:
            other = repo.acquire_lock(session, LOCK, owner, utcnow(), STALE)
        if other:
            log.error("the scheduler lock was taken by %s: stopping", other)
            stopping.set()
            scheduler.shutdown(wait=False)

    jobs = {
        "crawl": lambda slug: crawl_job(config, engine, slug),
        "digest": lambda cadence: digest_job(config, engine, cadence),
        "heartbeat": heartbeat,
    }
    scheduler = build_scheduler(job_specs(config, jobs))

    def stop(signum, _frame) -> None:
        log.info("signal %s: finishing the running jobs, then stopping", signum)
        stopping.set()
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for job in scheduler.get_jobs():
        log.info("scheduled %s (%s)", job.id, job.trigger)
    click.echo(
        f"veilleur scheduler running ({len(scheduler.get_jobs())} jobs); "
        "SIGTERM or Ctrl-C stops it",
        err=True,
    )
    try:
        scheduler.start()
    finally:
        with session_scope(engine) as session:
            repo.release_lock(session, LOCK, owner)
        log.info("scheduler stopped")


@click.command("run")
@click.option(
    "--once",
    is_flag=True,
    help="Run every job once and exit (default: run on schedule until stopped).",
)
@pass_app
def run(app: App, once: bool) -> None:
    """Run veilleur's jobs: crawls on each source's schedule, digests, site rebuilds.

    With --once, the store is prepared (schema, watches, the seeded dossiers), each enabled
    source is crawled once, the digests due are sent and the site is built; a line per
    source says what it found or why it could not be read. The command succeeds when the run
    completed, even if some sources were unreachable. Without --once, veilleur runs until
    stopped, and refuses to start if another scheduler uses the same database.
    """
    if not once:
        daemon(app)
        return
    outcomes = run_once(app)
    for outcome in outcomes:
        click.echo(outcome.line())
    unreachable = [o.source for o in outcomes if o.status == "unreachable"]
    failed = [o.source for o in outcomes if o.status == "failed"]
    if unreachable:
        click.echo(
            f"could not reach: {', '.join(unreachable)} (no network, or the site is "
            "down); the next run will try again",
            err=True,
        )
    if failed:
        click.echo(f"failed: {', '.join(failed)}; see the reasons above", err=True)
    digests = send_digests(app.config, app.engine, None)
    site = build_site_job(app.config, app.engine)
    click.echo(
        f"run complete: {len(outcomes)} source(s) crawled, {digests.sent} digest(s) "
        f"sent, site in {app.config.site_dir}/ ({site.written} file(s) written); "
        "`veilleur events --dossier vsa` lists the VSA dossier",
        err=True,
    )


@click.command("status")
@pass_app
def status(app: App) -> None:
    """Per source: last success, last error, freshness and failures in a row."""
    now = utcnow()
    with session_scope(app.engine) as session:
        states = repo.source_states(session)
        runs = repo.last_runs(session)
    rows = []
    for slug, source in app.config.sources.items():
        state, last = states.get(slug), runs.get(slug)
        if not source.enabled:
            rows.append((slug, "disabled", "", "", "", ""))
            continue
        success = state.last_success_at if state else None
        fresh = ""
        if state and state.last_new_at:
            days = (now - state.last_new_at).days
            fresh = "today" if days == 0 else f"nothing new for {days} day(s)"
        elif success:
            fresh = "nothing new yet"
        rows.append(
            (
                slug,
                last.status if last else "never run",
                f"{success:%Y-%m-%d %H:%M}Z" if success else "-",
                fresh,
                f"{state.consecutive_failures} in a row"
                if state and state.consecutive_failures
                else "",
                (state.last_error[:70] if state and state.consecutive_failures else "")
                + (f" (min {source.min_items} items)" if source.min_items else ""),
            )
        )
    click.echo(
        output.table(
            ("source", "last run", "last success", "freshness", "failures", "last error"),
            rows,
            flex=5,
        )
    )
