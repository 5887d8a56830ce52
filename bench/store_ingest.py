"""Events written per second: the bulk path (``store.repo.upsert_events``) against one ORM object
per row, in the same run, on the same kind of database.

Items are shaped like DILA texts (JORFTEXT, NOR, ELI, title, body); their identifiers are
renumbered to make them distinct. The baseline looks each item up by identifier, then adds an
Event, its identifiers and its first revision as ORM objects, flushing per row, one commit per
batch — what a straightforward ORM write path does.

    .venv/bin/python bench/store_ingest.py [--events 100000] [--baseline-events 10000]
                                           [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from store import repo
from store.db import make_engine, session_scope, upgrade
from store.identity import content_hash, event_key, identity_keys
from store.models import Event, EventIdentifier, EventRevision

BATCH = 1000


def items(count: int, offset: int = 0) -> list[repo.EventIn]:
    out = []
    start = date(2020, 1, 1)
    for n in range(offset, offset + count):
        day = start + timedelta(days=n % 2000)
        cid = f"JORFTEXT{100000000000 + n:012d}"
        nor = f"IOMD{n % 100:02d}{n:06d}A"
        out.append(
            {
                "source": "bench",
                "kind": "order",
                "date": day,
                "published_on": day,
                "title": f"Arrêté du {day:%d/%m/%Y} portant autorisation n° {n} de traitements "
                "algorithmiques d'images de vidéoprotection",
                "url": f"https://www.legifrance.gouv.fr/jorf/id/{cid}",
                "body": "Vu le code de la sécurité intérieure, notamment son article L. 242-5 ; "
                * 8,
                "identifiers": {
                    "JORFTEXT": cid,
                    "NOR": nor,
                    "ELI": f"/eli/arrete/{day.year}/{day.month}/{day.day}/{nor}/jo/texte",
                },
                "authority": 30,
            }
        )
    return out


def bulk(engine, batch_items: list[repo.EventIn]) -> float:
    began = time.perf_counter()
    for i in range(0, len(batch_items), BATCH):
        with session_scope(engine) as session:
            repo.upsert_events(session, batch_items[i : i + BATCH])
    return time.perf_counter() - began


def orm_per_row(engine, batch_items: list[repo.EventIn]) -> float:
    began = time.perf_counter()
    for i in range(0, len(batch_items), BATCH):
        with Session(engine) as session:
            for item in batch_items[i : i + BATCH]:
                keys = identity_keys(item["kind"], item["identifiers"])
                found = session.exec(
                    select(EventIdentifier).where(
                        EventIdentifier.scheme == keys[0][0], EventIdentifier.value == keys[0][1]
                    )
                ).first()
                if found:
                    continue
                now = datetime.now(UTC)
                digest = content_hash(
                    item["kind"], item["date"], item["title"], "", item["url"], item["body"]
                )
                event = Event(
                    key=event_key(item["date"], keys, item["title"]),
                    kind=item["kind"],
                    date=item["date"],
                    published_on=item["published_on"],
                    title=item["title"],
                    body=item["body"],
                    url=item["url"],
                    identifiers=item["identifiers"],
                    source=item["source"],
                    authority=30,
                    content_hash=digest,
                    first_seen_at=now,
                    last_seen_at=now,
                    changed_at=now,
                )
                session.add(event)
                session.flush()
                for scheme, value in keys:
                    session.add(EventIdentifier(event_id=event.id, scheme=scheme, value=value))
                session.add(
                    EventRevision(
                        event_id=event.id,
                        number=1,
                        source="bench",
                        seen_at=now,
                        kind=event.kind,
                        date=event.date,
                        title=event.title,
                        url=event.url,
                        content_hash=digest,
                    )
                )
                session.flush()
            session.commit()
    return time.perf_counter() - began


def fresh_engine(url: str | None, directory: Path, name: str):
    engine = make_engine(url or f"sqlite:///{directory / name}.db")
    upgrade(engine)
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--baseline-events", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        help="an empty database for the bulk path (default: a temporary SQLite file)",
    )
    parser.add_argument(
        "--baseline-database-url",
        help="an empty database for the baseline (default: a temporary SQLite file)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        data = items(args.events)
        engine = fresh_engine(args.database_url, directory, "bulk")
        elapsed = bulk(engine, data)
        again = bulk(engine, data)
        backend = engine.dialect.name
        engine.dispose()
        base_engine = fresh_engine(args.baseline_database_url, directory, "baseline")
        base_elapsed = orm_per_row(base_engine, items(args.baseline_events))
        base_backend = base_engine.dialect.name
        base_engine.dispose()
    rate, base_rate = args.events / elapsed, args.baseline_events / base_elapsed
    print(
        f"bulk upsert ({backend})        : {args.events:>7} new events in {elapsed:6.2f} s "
        f"= {rate:>9,.0f} events/s"
    )
    print(
        f"bulk, same again ({backend})   : {args.events:>7} unchanged in {again:6.2f} s "
        f"= {args.events / again:>9,.0f} events/s"
    )
    print(
        f"ORM object per row ({base_backend}): {args.baseline_events:>7} new events in "
        f"{base_elapsed:6.2f} s = {base_rate:>9,.0f} events/s (baseline)"
    )
    print(f"ratio bulk/baseline: {rate / base_rate:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
