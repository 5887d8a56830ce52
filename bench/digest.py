"""Digests at scale: deciding the outbox for S subscribers × E events, composing the digests,
and the same decision done the naive way (one query per subscriber and per event) on a
sample of the subscribers, in the same run.

    .venv/bin/python bench/digest.py [--subscribers 10000] [--events 200] [--sample 200]
                                     [--compose 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from notify.digest import Entry, build_digest
from notify.outbox import decide
from notify.render import render_digest
from store import repo
from store.db import make_engine, session_scope, upgrade
from store.models import Delivery, DossierEvent, Event, Subscription


def setup(url: str, subscribers: int, events: int, since: datetime):
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        repo.save_dossier(session, "vsa", "VSA")
        for n in range(subscribers):
            repo.add_subscription(
                session,
                f"mailto://127.0.0.1:9?to=s{n}@example.org",
                "mailto://…",
                cadence="daily",
                watches=(),
                dossiers=("vsa",),
                now=since,
            )
    items = [
        {
            "source": "bench",
            "kind": "order",
            "date": date(2026, 11, 1) + timedelta(n % 20),
            "title": f"Arrêté n° {n} autorisant des caméras augmentées",
            "url": f"https://www.legifrance.gouv.fr/jorf/id/JORFTEXT{n:012d}",
            "identifiers": {"JORFTEXT": f"JORFTEXT{n:012d}"},
        }
        for n in range(events)
    ]
    with session_scope(engine) as session:
        ids = repo.upsert_events(session, items).item_ids
        repo.link_events(session, "vsa", ids, "bench")
    return engine


def naive(engine, sample: int, now: datetime) -> int:
    """The per-subscriber loop: query its events, then look up and insert each delivery."""
    added = 0
    with session_scope(engine) as session:
        subs = session.execute(select(Subscription).limit(sample)).scalars().all()
        for sub in subs:
            found = (
                session.execute(
                    select(Event)
                    .join(DossierEvent, DossierEvent.event_id == Event.id)
                    .where(
                        DossierEvent.dossier.in_(sub.dossiers),
                        Event.changed_at > sub.last_digest_at,
                    )
                )
                .scalars()
                .all()
            )
            for event in found:
                exists = session.execute(
                    select(Delivery.id).where(
                        Delivery.subscription_id == sub.id,
                        Delivery.event_id == event.id,
                        Delivery.revision == event.revision,
                        Delivery.reason == "new",
                    )
                ).first()
                if exists is None:
                    session.add(
                        Delivery(
                            subscription_id=sub.id,
                            event_id=event.id,
                            revision=event.revision,
                            reason="new",
                            created_at=now,
                            next_attempt_at=now,
                        )
                    )
                    session.flush()
                    added += 1
            sub.last_digest_at = now
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--sample", type=int, default=200, help="subscribers of the naive run")
    parser.add_argument(
        "--compose", type=int, default=1000, help="digests composed and rendered (text + HTML)"
    )
    args = parser.parse_args()
    since = datetime.now(UTC) - timedelta(hours=1)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = setup(f"sqlite:///{tmp}/a.db", args.subscribers, args.events, since)
        began = time.perf_counter()
        rows = decide(engine, now, now.date())
        decided = time.perf_counter() - began
        base_engine = setup(f"sqlite:///{tmp}/b.db", args.sample, args.events, since)
        began = time.perf_counter()
        base_rows = naive(base_engine, args.sample, now)
        base_time = time.perf_counter() - began
        with session_scope(engine) as session:
            event_rows = session.execute(select(Event)).scalars().all()
        entries = [
            (
                n,
                Entry(
                    e.key,
                    e.kind,
                    e.date,
                    e.date_precision,
                    e.title,
                    e.url,
                    e.source,
                    e.identifiers,
                    "new",
                    e.revision,
                    ("vsa",),
                ),
            )
            for n, e in enumerate(event_rows)
        ]
        began = time.perf_counter()
        for sub in range(args.compose):
            digest = build_digest(sub, entries, {"vsa": "VSA"}, now.date())
            render_digest(
                digest,
                {"unsubscribe": "https://x/u", "unsubscribe_post": "", "site": ""},
                now.date(),
            )
        composed = time.perf_counter() - began
    rate, base_rate = rows / decided, base_rows / base_time
    print(
        f"outbox decision     : {rows:>9,} deliveries ({args.subscribers} subscribers × "
        f"{args.events} events) in {decided:6.2f} s = {rate:>9,.0f} rows/s"
    )
    print(
        f"naive per-subscriber: {base_rows:>9,} deliveries ({args.sample} subscribers) in "
        f"{base_time:6.2f} s = {base_rate:>9,.0f} rows/s (baseline)"
    )
    print(f"ratio               : {rate / base_rate:.1f}x")
    print(
        f"composition         : {args.compose} digests of {args.events} events rendered "
        f"(text + HTML) in {composed:.2f} s = {composed / args.compose * 1000:.1f} ms each; "
        f"{args.subscribers} would take {composed / args.compose * args.subscribers:.0f} s"
    )


if __name__ == "__main__":
    main()
