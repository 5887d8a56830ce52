"""The ``veilleur`` command: one group, one subcommand per job or view."""

from __future__ import annotations

import sys
from datetime import date

import click
from sqlalchemy import func, select

from scheduler import output
from scheduler.app import DATE, App, pass_app
from scheduler.config import DEFAULTS, SETTINGS, load, mask_secrets
from store import repo
from store.db import StoreError, masked_url, schema_revision, session_scope, upgrade
from store.models import Event, EventKind

HIDDEN_IDS = {"SEED", "GUID", "URL", "ELI"}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-c",
    "--config",
    "config_file",
    metavar="FILE",
    help="Configuration file (default: $VEILLEUR_CONFIG, else ./veilleur.toml if "
    "present, else the built-in defaults).",
)
@click.option("-v", "--verbose", count=True, help="Log debugging details.")
@click.option("-q", "--quiet", is_flag=True, help="Log warnings and errors only.")
@click.version_option(package_name="veilleur")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, verbose: int, quiet: bool) -> None:
    """Veilleur follows French surveillance regulation: laws, decrees, orders, CNIL
    deliberations, decisions and reports, as dated events with their official identifiers.

    Run with no configuration file, it uses a SQLite file in the working directory and the
    built-in sources, watches and the VSA dossier.
    """
    ctx.obj = App(config_file, verbose, quiet)


# --- configuration --------------------------------------------------------------------------


@cli.group("config")
def config_group() -> None:
    """Check or show the configuration."""


@config_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@pass_app
def config_check(app: App, file: str | None) -> None:
    """Validate FILE (default: the configuration in use) and report every error."""
    app.config_file = file or app.config_file
    config = app.config
    enabled = len(config.enabled_sources())
    where = str(config.path) if config.path else "built-in defaults"
    click.echo(
        f"{where}: OK — {len(config.sources)} sources ({enabled} enabled), "
        f"{len(config.watches)} watches, {len(config.dossiers)} dossiers, "
        f"{len(config.subscribers)} subscribers"
    )


@config_group.command("show")
@click.option("--defaults", is_flag=True, help="Print the built-in defaults file instead.")
@pass_app
def config_show(app: App, defaults: bool) -> None:
    """Print the effective configuration as JSON, secrets masked."""
    if defaults:
        click.echo(DEFAULTS.read_text(encoding="utf-8"), nl=False)
        return
    config = app.config
    data = {
        "file": str(config.path) if config.path else None,
        "settings": dict(config.settings),
        "sources": {s: vars(c) | {"options": dict(c.options)} for s, c in config.sources.items()},
        "watches": {s: vars(c) for s, c in config.watches.items()},
        "dossiers": {s: vars(c) for s, c in config.dossiers.items()},
        "subscribers": [vars(c) for c in config.subscribers],
    }
    data["settings"]["database_url"] = masked_url(config.database_url)
    click.echo(output.as_json(mask_secrets(data)))


@config_group.command("settings")
def config_settings() -> None:
    """List every top-level setting with its default and environment variable."""
    rows = [(s.name, repr(s.default), s.env, s.help) for s in SETTINGS]
    click.echo(output.table(("setting", "default", "environment", "meaning"), rows))


# --- database -------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Manage the database schema (every command also upgrades it on start)."""


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Apply pending schema migrations."""
    engine = app.raw_engine()
    try:
        changed = upgrade(engine)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(("upgraded " if changed else "already up to date: ") + masked_url(str(engine.url)))


@db_group.command("status")
@pass_app
def db_status(app: App) -> None:
    """Show the schema revision and the number of events."""
    engine = app.raw_engine()
    try:
        current, heads = schema_revision(engine)
    except Exception as exc:
        raise click.ClickException(f"cannot read {masked_url(str(engine.url))}: {exc}") from None
    click.echo(f"database: {masked_url(str(engine.url))}")
    click.echo(
        f"schema:   {', '.join(sorted(current)) or 'empty'}"
        f" ({'up to date' if current == heads else 'upgrade pending: ' + ', '.join(heads)})"
    )
    if current == heads:
        with session_scope(engine) as session:
            count = session.execute(select(func.count()).select_from(Event)).scalar_one()
        click.echo(f"events:   {count}")


# --- views ----------------------------------------------------------------------------------


@cli.command("sources")
@pass_app
def sources(app: App) -> None:
    """List the configured sources with the outcome of their last crawl."""
    with session_scope(app.engine) as session:
        runs = repo.last_runs(session)
        states = repo.source_states(session)
    rows = []
    for slug, source in app.config.sources.items():
        run, state = runs.get(slug), states.get(slug)
        last = "never"
        if run is not None:
            last = f"{run.started_at:%Y-%m-%d %H:%M}Z {run.status} +{run.new} ~{run.updated}"
        health = ""
        if state is not None and state.consecutive_failures:
            health = f"{state.consecutive_failures} failed run(s): {state.last_error[:60]}"
        rows.append(
            (slug, "yes" if source.enabled else "no", source.schedule, last, health, source.url)
        )
    click.echo(
        output.table(
            ("source", "enabled", "schedule", "last crawl", "problem", "url"), rows, flex=5
        )
    )


def _shown_identifiers(identifiers: dict[str, str]) -> str:
    return " ".join(
        v if k.endswith("TEXT") or k == "ECLI" else f"n° {v}" if k == "NUM" else f"{k} {v}"
        for k, v in identifiers.items()
        if k not in HIDDEN_IDS
    )


def _record(event: Event) -> dict:
    return {
        "key": event.key,
        "date": event.date.isoformat(),
        "date_precision": event.date_precision,
        "kind": event.kind,
        "title": event.title,
        "url": event.url,
        "identifiers": {k: v for k, v in event.identifiers.items() if k != "SEED"},
        "source": event.source,
        "status": event.status,
        "revision": event.revision,
        "published_on": event.published_on.isoformat() if event.published_on else None,
        "first_seen_at": event.first_seen_at.isoformat(),
    }


@cli.command("events")
@click.option("--dossier", help="Only the events of this dossier (e.g. vsa).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in EventKind]),
    help="Only events of this kind (repeatable).",
)
@click.option(
    "--source", "sources_", multiple=True, help="Only events from this source (repeatable)."
)
@click.option("--since", type=DATE, help="Only events dated on or after this day.")
@click.option("--until", type=DATE, help="Only events dated on or before this day.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (the newest).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_app
def events_cmd(
    app: App,
    dossier: str | None,
    kinds: tuple[str, ...],
    sources_: tuple[str, ...],
    since: date | None,
    until: date | None,
    limit: int | None,
    fmt: str,
) -> None:
    """List stored events in date order, with their identifiers."""
    if dossier and dossier not in app.config.dossiers:
        raise click.BadParameter(
            f"unknown dossier {dossier!r} (known: {', '.join(app.config.dossiers)})",
            param_hint="--dossier",
        )
    with session_scope(app.engine) as session:
        found = repo.events(
            session,
            dossier=dossier,
            kinds=kinds,
            sources=sources_,
            since=since,
            until=until,
            limit=limit,
            newest_first=bool(limit),
        )
    if limit:
        found.reverse()
    records = [_record(e) for e in found]
    if fmt == "json":
        click.echo(output.as_json(records))
    elif fmt == "csv":
        click.echo(output.as_csv(list(records[0]) if records else ["key"], records), nl=False)
    else:
        rows = [
            (
                e.date.isoformat() if e.date_precision == "day" else e.date.strftime("%Y-%m"),
                e.kind,
                e.title,
                _shown_identifiers(e.identifiers),
                e.source,
                "retiré" if e.status == "withdrawn" else "",
            )
            for e in found
        ]
        click.echo(
            output.table(("date", "kind", "title", "identifiers", "source", ""), rows, flex=2)
        )
        click.echo(f"{len(found)} event(s)", err=True)


@cli.command("event")
@click.argument("key")
@pass_app
def event_cmd(app: App, key: str) -> None:
    """Show one event (by its key, or an identifier such as JORFTEXT000047561974)."""
    with session_scope(app.engine) as session:
        event = repo.get_event(session, key)
        if event is None:
            for scheme in ("JORFTEXT", "CNILTEXT", "NOR", "ECLI"):
                event = repo.find_event(session, scheme, key.upper())
                if event:
                    break
        if event is None:
            raise click.ClickException(f"no event {key!r}")
        history = repo.revisions(session, event.id)
    record = _record(event) | {
        "summary": event.summary,
        "details": event.details,
        "provenance": event.provenance,
        "cites": event.cites,
    }
    click.echo(
        output.as_json(
            [
                record
                | {
                    "revisions": [
                        {
                            "number": r.number,
                            "seen_at": r.seen_at.isoformat(),
                            "source": r.source,
                            "title": r.title,
                        }
                        for r in history
                    ]
                }
            ]
        )
    )


@cli.group("dossiers", invoke_without_command=True)
@click.pass_context
def dossiers(ctx: click.Context) -> None:
    """List dossiers with their size, latest event and next deadline."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.find_object(App)
    with session_scope(app.engine) as session:
        summaries = repo.dossier_summaries(session, date.today())
    rows = [
        (
            s.slug,
            s.count,
            s.latest.date.isoformat() if s.latest else "",
            (
                f"{s.next_deadline.date.isoformat()} {s.next_deadline.title}"
                if s.next_deadline
                else ""
            ),
            s.title,
        )
        for s in summaries
    ]
    click.echo(
        output.table(("dossier", "events", "latest", "next deadline", "title"), rows, flex=4)
    )


@dossiers.command("show")
@click.argument("slug")
@click.pass_context
def dossiers_show(ctx: click.Context, slug: str) -> None:
    """Print a dossier's timeline."""
    ctx.invoke(
        events_cmd,
        dossier=slug,
        kinds=(),
        sources_=(),
        since=None,
        until=None,
        limit=None,
        fmt="table",
    )


def main() -> None:
    """Entry point of the ``veilleur`` console script."""
    try:
        cli.main(prog_name="veilleur")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


__all__ = ["cli", "load", "main"]


from scheduler.cli_crawl import crawl, spiders  # noqa: E402

cli.add_command(crawl)
cli.add_command(spiders)

from scheduler.cli_run import run, status  # noqa: E402

cli.add_command(run)
cli.add_command(status)

from scheduler.cli_notify import (  # noqa: E402
    digest,
    notify_group,
    serve,
    subscribe,
    subscriptions,
    unsubscribe,
)

for _command in (subscribe, subscriptions, unsubscribe, notify_group, digest, serve):
    cli.add_command(_command)

from scheduler.cli_site import site_group  # noqa: E402

cli.add_command(site_group)


@dossiers.command("relink")
@click.pass_context
def dossiers_relink(ctx: click.Context) -> None:
    """Match every stored event against the watches and citations again (after changing
    watches or dossiers); links are only ever added."""
    from crawler.linking import relink
    from crawler.watch import WatchDefinition, WatchSet

    app: App = ctx.find_object(App)
    config = app.config
    watches = WatchSet(WatchDefinition(w.slug, w.terms, w.exclude) for w in config.watches.values())
    added = relink(
        app.engine,
        watches,
        [
            {"slug": d.slug, "watches": list(d.watches), "identifiers": list(d.identifiers)}
            for d in config.dossiers.values()
        ],
    )
    for slug, count in added.items():
        click.echo(f"{slug}: {count} event(s) added")
