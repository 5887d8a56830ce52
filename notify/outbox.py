"""The outbox: decide what each subscription gets, then send it, never losing or repeating.

``decide`` writes one outbox row per (subscription, event revision, reason) in the same
transaction that moves the subscription's cursor, so a crash either decides everything or
nothing. ``send_due`` groups the due rows of a subscription into one digest, sends it and
only then marks the rows sent: a crash after the server accepted the message and before the
mark sends the same digest again (same ``X-Veilleur-Digest`` id) — at most one duplicate,
never a loss. A failed send is retried with exponential backoff; after ``failure_threshold``
failures in a row the subscriber is flagged and the operator told, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from notify import send as sender
from notify.digest import Entry, build_digest
from notify.render import render_digest
from notify.subscribe import UNSUBSCRIBE_SECONDS, make_token
from store import repo
from store.db import session_scope
from store.models import Subscriber, Subscription

log = logging.getLogger(__name__)
REMINDERS = (30, 7, 1)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _in_scope(subscription: Subscription, watches: set[str], dossiers: set[str]) -> list[str]:
    """The dossiers through which an event concerns a subscription ([""] if by watch only)."""
    hit = [d for d in subscription.dossiers if d in dossiers]
    if hit:
        return hit
    return [""] if set(subscription.watches) & watches else []


def decide(engine: Engine, now: datetime, today: date) -> int:
    """Write the outbox rows of every active subscription; returns how many were added."""
    with session_scope(engine) as session:
        active = repo.subscriptions(session)
        if not active:
            return 0
        since = min(s.last_digest_at or now for s, _ in active)
        changed = repo.events_in_scope(session, since)
        ahead = repo.deadlines_between(session, today, today + timedelta(days=max(REMINDERS)))
        rows: list[dict[str, Any]] = []
        for subscription, _ in active:
            cursor = subscription.last_digest_at or now
            for event, watches, dossiers in changed:
                if event.changed_at <= cursor or not _in_scope(subscription, watches, dossiers):
                    continue
                reason = "new" if event.first_seen_at > cursor else "update"
                if reason == "update" and not subscription.include_updates:
                    continue
                rows.append(
                    {
                        "subscription_id": subscription.id,
                        "event_id": event.id,
                        "revision": event.revision,
                        "reason": reason,
                    }
                )
            for event, watches, dossiers in ahead:
                if not _in_scope(subscription, watches, dossiers):
                    continue
                left = (event.date - today).days
                due = [d for d in REMINDERS if left <= d]
                if due:
                    rows.append(
                        {
                            "subscription_id": subscription.id,
                            "event_id": event.id,
                            "revision": 0,
                            "reason": f"reminder-{min(due)}",
                        }
                    )
            subscription.last_digest_at = now
            session.add(subscription)
        return repo.enqueue(session, rows, now)


def _entry(event: Any, reason: str, dossiers: list[str]) -> Entry:
    return Entry(
        key=event.key,
        kind=event.kind,
        date=event.date,
        date_precision=event.date_precision,
        title=event.title,
        url=event.url,
        source=event.source,
        identifiers=dict(event.identifiers),
        reason=reason,
        revision=event.revision,
        dossiers=tuple(d for d in dossiers if d),
    )


def send_due(
    engine: Engine,
    *,
    now: datetime,
    today: date,
    cadence: str | None = None,
    public_url: str = "",
    secret: str = "",
    send_empty: bool = False,
    failure_threshold: int = 3,
    ops_url: str = "",
    dossier_titles: dict[str, str] | None = None,
) -> SendReport:
    """Send the due digests (of one cadence, or all); one failing channel blocks no other."""
    report = SendReport()
    titles = dossier_titles or {}
    with session_scope(engine) as session:
        active = [
            (s, p)
            for s, p in repo.subscriptions(session)
            if cadence is None or s.cadence == cadence
        ]
        due = repo.pending(session, [s.id for s, _ in active], now)
        scopes = (
            {
                e.id: d
                for e, _, d in repo.events_in_scope(
                    session, datetime.min.replace(tzinfo=now.tzinfo)
                )
            }
            if due
            else {}
        )
        plans = []
        for subscription, subscriber in active:
            rows = due.get(subscription.id, [])
            if not rows and not send_empty:
                report.skipped += 1
                continue
            entries = [
                (
                    d.id,
                    _entry(
                        e,
                        d.reason,
                        [x for x in subscription.dossiers if x in scopes.get(e.id, set())],
                    ),
                )
                for d, e in rows
            ]
            plans.append(
                (
                    subscription.id,
                    subscriber.id,
                    subscriber.url,
                    [d.id for d, _ in rows],
                    build_digest(subscription.id, entries, titles, today),
                )
            )
    for subscription_id, subscriber_id, url, ids, digest in plans:
        links = _links(public_url, secret, subscriber_id, now)
        title, text, html = render_digest(digest, links, today)
        email = sender.is_email(url)
        headers = {"X-Veilleur-Digest": f"<{digest.digest_id}@veilleur>"}
        if links["unsubscribe_post"]:
            headers["List-Unsubscribe"] = f"<{links['unsubscribe_post']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        result = sender.send(url, title, html if email else text, html=email, headers=headers)
        _record(
            engine,
            subscription_id,
            subscriber_id,
            ids,
            digest.digest_id,
            result,
            now,
            failure_threshold,
            ops_url,
            report,
        )
    return report


def _links(public_url: str, secret: str, subscriber_id: int, now: datetime) -> dict[str, str]:
    if not public_url or not secret:
        return {"unsubscribe": "", "unsubscribe_post": "", "site": public_url}
    token = make_token(
        secret, "unsubscribe", subscriber_id, UNSUBSCRIBE_SECONDS, now=now.timestamp()
    )
    base = public_url.rstrip("/")
    return {
        "unsubscribe": f"{base}/unsubscribe?token={token}",
        "unsubscribe_post": f"{base}/unsubscribe?token={token}",
        "site": base,
    }


def _record(
    engine: Engine,
    subscription_id: int,
    subscriber_id: int,
    ids: list[int],
    digest_id: str,
    result: sender.SendResult,
    now: datetime,
    threshold: int,
    ops_url: str,
    report: SendReport,
) -> None:
    with session_scope(engine) as session:
        subscriber = session.get(Subscriber, subscriber_id)
        if result.ok:
            repo.mark_deliveries(session, ids, sent=True, now=now, message_id=digest_id)
            if subscriber.flagged_at is not None:
                sender.send_ops(
                    ops_url,
                    "veilleur: deliveries resumed",
                    f"Subscriber {subscriber.url_masked} receives digests again.",
                )
            subscriber.consecutive_failures, subscriber.flagged_at = 0, None
            report.sent += 1
        else:
            subscriber.consecutive_failures += 1
            wait = min(
                timedelta(minutes=2 ** min(subscriber.consecutive_failures, 10)), MAX_BACKOFF
            )
            repo.mark_deliveries(
                session, ids, sent=False, now=now, error=result.error, retry_at=now + wait
            )
            report.failed += 1
            report.errors.append(result.error)
            log.warning(
                "digest %s not sent (try %d): %s",
                digest_id,
                subscriber.consecutive_failures,
                result.error,
            )
            if subscriber.consecutive_failures >= threshold and subscriber.flagged_at is None:
                subscriber.flagged_at = now
                sender.send_ops(
                    ops_url,
                    "veilleur: a subscriber cannot be reached",
                    f"{subscriber.url_masked}: {result.error} "
                    f"({subscriber.consecutive_failures} failures in a row)",
                )
        session.add(subscriber)
    del subscription_id
