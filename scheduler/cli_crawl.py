"""``veilleur crawl``: run sources now and say what each found."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from crawler.run import UnknownSpider, available_spiders, run_crawl, spider_class
from crawler.settings import build_settings
from scheduler import output
from scheduler.app import DATE, App, pass_app
from scheduler.config import Config, SourceConfig
from store import repo
from store.db import session_scope


def crawl_settings(config: Config, dry_run: bool = False, debug: bool = False) -> dict:
    """Scrapy settings for a crawl under ``config``."""
    return build_settings(
        database_url=config.database_url,
        user_agent=config.user_agent,
        contact=config.contact,
        http_timeout=config.http_timeout,
        max_response_mb=config.max_response_mb,
        max_archive_mb=config.max_archive_mb,
        archive_workers=config.archive_workers,
        log_level="DEBUG" if debug else config.log_level,
        dry_run=dry_run,
        watches=[
            {"slug": w.slug, "terms": list(w.terms), "exclude": list(w.exclude)}
            for w in config.watches.values()
        ],
        dossiers=[
            {"slug": d.slug, "watches": list(d.watches), "identifiers": list(d.identifiers)}
            for d in config.dossiers.values()
        ],
    )


def chosen_sources(config: Config, slugs: tuple[str, ...]) -> list[SourceConfig]:
    """The sources named (even if disabled), or every enabled one."""
    unknown = [s for s in slugs if s not in config.sources]
    if unknown:
        raise click.BadParameter(
            f"unknown source(s) {', '.join(unknown)} (configured: {', '.join(config.sources)})",
            param_hint="SLUG",
        )
    chosen = [config.sources[s] for s in slugs] if slugs else config.enabled_sources()
    for source in chosen:
        try:
            spider_class(source.spider)
        except UnknownSpider as exc:
            raise click.ClickException(f"source {source.slug}: {exc}") from None
    return chosen


def summary_line(report: dict) -> str:
    status = report["status"]
    if status in ("failed", "disabled"):
        return f"{report['source']}: {status} — {report.get('message', '')}"
    text = (
        f"{report['source']}: {status} — {report.get('new', 0)} new, "
        f"{report.get('updated', 0)} updated, {report.get('unchanged', 0)} unchanged, "
        f"{report.get('errors', 0)} error(s); {report.get('items', 0)} item(s) read, "
        f"{report.get('requests', 0)} request(s), {report.get('bytes', 0)} bytes"
    )
    if report.get("withdrawn"):
        text += f", {report['withdrawn']} withdrawn"
    if report.get("message"):
        text += f"\n    {report['message']}"
    return text


@click.command("crawl")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option(
    "--since",
    type=DATE,
    help="Backfill: read everything the source published "
    "from this day on, whatever was read before.",
)
@click.option("--dry-run", is_flag=True, help="Fetch and parse, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON lines.")
@click.option("--list", "list_spiders", is_flag=True, help="List the available spiders.")
@pass_app
def crawl(
    app: App,
    slugs: tuple[str, ...],
    since: date | None,
    dry_run: bool,
    as_json: bool,
    list_spiders: bool,
) -> None:
    """Crawl sources now (every enabled source when no SLUG is given).

    Prints, for each source, how many events are new, updated or unchanged and what went
    wrong. Exits with status 1 when a source failed (unreachable, unreadable).
    """
    if list_spiders:
        click.echo("\n".join(available_spiders()))
        return
    config = app.config
    sources = chosen_sources(config, slugs)
    if not sources:
        raise click.ClickException("no source enabled: nothing to crawl")
    with session_scope(app.engine) as session:
        states = {s.slug: repo.source_state(session, s.slug) for s in sources}
        plans = [
            {
                "slug": s.slug,
                "spider": s.spider,
                "url": s.url,
                "options": dict(s.options),
                "min_items": s.min_items,
                "since": since,
                "state": {"cursor": states[s.slug].cursor, "http_cache": states[s.slug].http_cache},
            }
            for s in sources
        ]
    click.echo(
        f"crawling {', '.join(s.slug for s in sources)}"
        f"{' (dry run: nothing stored)' if dry_run else ''}",
        err=True,
    )
    reports = run_crawl(plans, crawl_settings(config, dry_run, app.verbosity > 1))
    if as_json:
        for report in reports:
            click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for report in reports:
            click.echo(summary_line(report))
    if any(r["status"] == "failed" for r in reports):
        sys.exit(1)


@click.command("spiders")
def spiders() -> None:
    """List the spiders a source can name with `spider = "…"`."""
    click.echo(output.table(("spider",), [(name,) for name in available_spiders()]))
