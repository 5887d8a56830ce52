"""``veilleur run``: the main job once (``--once``), or on schedule until stopped."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import click

from scheduler.app import App, pass_app
from scheduler.jobs import CrawlOutcome, crawl_source


def run_once(app: App, workers: int = 2) -> list[CrawlOutcome]:
    """Every enabled source crawled once (two child processes at a time)."""
    config = app.config
    app.engine  # noqa: B018 - upgrade and seed the store before the children open it
    slugs = [s.slug for s in config.enabled_sources()]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda slug: crawl_source(config, slug), slugs))


@click.command("run")
@click.option(
    "--once",
    is_flag=True,
    help="Run every job once and exit (default: run on schedule until stopped).",
)
@pass_app
def run(app: App, once: bool) -> None:
    """Run veilleur's jobs: crawl every enabled source, then the follow-up jobs.

    With --once, the store is prepared (schema, watches, the seeded dossiers), each enabled
    source is crawled once, and a line per source says what it found or why it could not be
    read. The command succeeds when the run completed, even if some sources were unreachable.
    """
    if not once:
        raise click.UsageError(
            "the scheduler daemon is started with `veilleur run`; "
            "this version supports `veilleur run --once` only"
        )
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
    click.echo(
        f"run complete: {len(outcomes)} source(s) crawled; "
        "`veilleur events --dossier vsa` lists the VSA dossier",
        err=True,
    )
