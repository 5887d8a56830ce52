"""Subscriptions and digests: ``subscribe``, ``subscriptions``, ``unsubscribe``,
``notify test`` and ``digest``."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import click

from notify.send import check_url, masked, send
from scheduler import output
from scheduler.app import App, pass_app
from scheduler.jobs import send_digests
from store import repo
from store.db import session_scope
from store.models import Subscriber, utcnow

CADENCES = ("instant", "daily", "weekly")


@click.command("subscribe")
@click.argument("url")
@click.option("--watch", "watches", multiple=True, help="A watch to follow (repeatable).")
@click.option("--dossier", "dossiers", multiple=True, help="A dossier to follow (repeatable).")
@click.option("--cadence", type=click.Choice(CADENCES), default="daily", show_default=True)
@click.option("--label", default="", help="A name to recognise this subscriber by.")
@pass_app
def subscribe(
    app: App,
    url: str,
    watches: tuple[str, ...],
    dossiers: tuple[str, ...],
    cadence: str,
    label: str,
) -> None:
    """Subscribe an apprise URL (mailtos://…, matrixs://…) to watches and/or dossiers.

    Only what changes from now on is sent. The URL is checked first and refused with the
    reason if apprise cannot use it.
    """
    config = app.config
    unknown = [w for w in watches if w not in config.watches]
    unknown += [d for d in dossiers if d not in config.dossiers]
    if unknown:
        raise click.BadParameter(f"unknown watch or dossier: {', '.join(unknown)}")
    if not watches and not dossiers:
        raise click.UsageError("follow something: give --watch and/or --dossier")
    problem = check_url(url)
    if problem:
        raise click.ClickException(f"{masked(url)}: {problem}")
    with session_scope(app.engine) as session:
        subscription = repo.add_subscription(
            session,
            url,
            masked(url),
            cadence=cadence,
            watches=watches,
            dossiers=dossiers,
            label=label,
        )
        number = subscription.id
    click.echo(
        f"subscription {number}: {masked(url)} — {cadence}, "
        f"watches {', '.join(watches) or '-'}, dossiers {', '.join(dossiers) or '-'}"
    )


@click.command("subscriptions")
@click.option("--all", "show_all", is_flag=True, help="Include unconfirmed and ended ones.")
@pass_app
def subscriptions(app: App, show_all: bool) -> None:
    """List subscriptions, addresses masked."""
    with session_scope(app.engine) as session:
        rows = [
            (
                s.id,
                p.url_masked,
                s.cadence,
                ",".join(s.watches) or "-",
                ",".join(s.dossiers) or "-",
                "unsubscribed"
                if p.unsubscribed_at
                else "unconfirmed"
                if not p.confirmed_at
                else f"failing ({p.consecutive_failures})"
                if p.flagged_at
                else "active",
            )
            for s, p in repo.subscriptions(session, active_only=not show_all)
        ]
    click.echo(
        output.table(("id", "address", "cadence", "watches", "dossiers", "state"), rows, flex=1)
    )


@click.command("unsubscribe")
@click.argument("subscription_id", type=int)
@pass_app
def unsubscribe(app: App, subscription_id: int) -> None:
    """End the subscriber of subscription SUBSCRIPTION_ID (nothing more is sent to it)."""
    with session_scope(app.engine) as session:
        found = [
            p for s, p in repo.subscriptions(session, active_only=False) if s.id == subscription_id
        ]
        if not found:
            raise click.ClickException(f"no subscription {subscription_id}")
        subscriber = session.get(Subscriber, found[0].id)
        subscriber.unsubscribed_at = utcnow()
        session.add(subscriber)
    click.echo(f"unsubscribed {found[0].url_masked}")


@click.group("notify")
def notify_group() -> None:
    """Check delivery channels."""


@notify_group.command("test")
@click.argument("url")
def notify_test(url: str) -> None:
    """Send a test message to URL and report the exact failure, if any."""
    problem = check_url(url)
    if problem:
        raise click.ClickException(f"{masked(url)}: {problem}")
    result = send(url, "Veilleur — message de test", "Ce canal reçoit les alertes de veilleur.")
    if not result.ok:
        raise click.ClickException(f"not delivered: {result.error}")
    click.echo(f"delivered to {masked(url)}")


@click.command("digest")
@click.option(
    "--cadence",
    type=click.Choice((*CADENCES, "all")),
    default="all",
    show_default=True,
    help="Send the digests of this cadence only.",
)
@pass_app
def digest(app: App, cadence: str) -> None:
    """Decide what each subscription is due and send the digests now.

    Re-running it sends nothing twice: what was sent is marked in the outbox.
    """
    report = send_digests(
        app.config, app.engine, None if cadence == "all" else cadence, datetime.now(UTC)
    )
    click.echo(
        f"{report.sent} digest(s) sent, {report.failed} failed, "
        f"{report.skipped} subscription(s) with nothing new"
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.failed:
        raise SystemExit(1)


def web_app(app: App):
    """The WSGI application of ``veilleur serve`` for this configuration."""
    from pathlib import Path

    from notify.web import App as WebApp
    from notify.web import WebSettings
    from scheduler.jobs import secret_key

    config = app.config
    settings = WebSettings(
        site_dir=Path(config.site_dir),
        public_url=config.public_url,
        secret=secret_key(config, app.engine),
        email_sender_url=config.email_sender_url,
        matrix_sender_url=config.matrix_sender_url,
        watches={w.slug: w.title for w in config.watches.values()},
        dossiers={d.slug: d.title for d in config.dossiers.values()},
    )
    return WebApp(app.engine, settings)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@pass_app
def serve(app: App, host: str, port: int) -> None:
    """Serve the timeline site (site_dir) and the subscription pages over HTTP.

    Put it behind a TLS reverse proxy and set public_url to its address.
    """
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    if not app.config.public_url:
        click.echo(
            "public_url is not set: confirmation and unsubscribe links will be relative", err=True
        )
    server = make_server(host, port, web_app(app), server_class=Server, handler_class=Quiet)
    click.echo(f"serving {app.config.site_dir} and subscriptions on http://{host}:{port}/")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
