"""DILA ingestion: texts per second from a JORF archive through the spider's parse and store
path, against a naive baseline (ElementTree per member, one ORM object per row), same run.

The archive is built from the real members in tests/files/dila_jorf (an arrêté, its article
and a décret), copied N times with their JORFTEXT / JORFARTI / NOR identifiers renumbered so
that every copy is a distinct text. Every text matches the watch used here, so every one is
stored: this measures the whole path, not the filter.

    .venv/bin/python bench/dila_ingest.py [--texts 50000]
"""

from __future__ import annotations

import argparse
import io
import resource
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from crawler import dila
from crawler.spiders.dila_jorf import DilaJorfSpider
from crawler.watch import WatchDefinition, WatchSet
from store import repo
from store.db import make_engine, session_scope, upgrade
from store.identity import content_hash, event_key
from store.models import Event, EventIdentifier, EventRevision

FILES = Path(__file__).resolve().parents[1] / "tests" / "files" / "dila_jorf"
BATCH = 500


def build_archive(texts: int) -> bytes:
    arrete = (FILES / "JORFTEXT000054861441.xml").read_bytes()
    article = (FILES / "JORFARTI000054861446.xml").read_bytes()
    decret = (FILES / "JORFTEXT000027904809.xml").read_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for n in range(texts):
            base = 100_000_000_000 + n * 10
            if n % 2:
                members = {
                    f"JORFTEXT{base:012d}": decret.replace(
                        b"JORFTEXT000027904809", f"JORFTEXT{base:012d}".encode()
                    )
                    .replace(b"JUSX1319588D", f"JUSX{n:07d}D".encode())
                    .replace(b"2013-776", f"2013-{n}".encode())
                }
            else:
                members = {
                    f"JORFTEXT{base:012d}": arrete.replace(
                        b"JORFTEXT000054861441", f"JORFTEXT{base:012d}".encode()
                    ).replace(b"ARMK2624825A", f"ARMK{n:07d}A".encode()),
                    f"JORFARTI{base + 5:012d}": article.replace(
                        b"JORFTEXT000054861441", f"JORFTEXT{base:012d}".encode()
                    ),
                }
            for name, data in members.items():
                info = tarfile.TarInfo(f"20260921-220149/jorf/global/x/{name}.xml")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def fast_path(body: bytes, url: str) -> tuple[int, float]:
    engine = make_engine(url)
    upgrade(engine)
    spider = DilaJorfSpider(
        source={"slug": "dila_jorf", "url": "http://127.0.0.1/", "since": date(2000, 1, 1)}
    )
    watches = WatchSet([WatchDefinition("bench", ["praticiens des armées", "Bas-Rhin"])])
    archive = dila.Archive("JORF_20260921-220149.tar.gz", "JORF", "20260921-220149")
    began = time.perf_counter()
    content = dila.read_archive(body)
    stored, batch = 0, []
    for document in content.documents:
        item = spider.make_item(document, content.articles, archive, {})
        if item is None or not watches.match(item.title, item.summary, item.body, *item.texts):
            continue
        batch.append(item.record())
        if len(batch) >= BATCH:
            with session_scope(engine) as session:
                stored += len(repo.upsert_events(session, batch).new)
            batch = []
    if batch:
        with session_scope(engine) as session:
            stored += len(repo.upsert_events(session, batch).new)
    return stored, time.perf_counter() - began


def naive_path(body: bytes, url: str) -> tuple[int, float]:
    engine = make_engine(url)
    upgrade(engine)
    began = time.perf_counter()
    stored = 0
    with tarfile.open(fileobj=io.BytesIO(body), mode="r|gz") as tar, Session(engine) as session:
        for member in tar:
            root = ET.fromstring(tar.extractfile(member).read())
            if root.tag != "TEXTE_VERSION":
                continue
            cid = root.findtext(".//CID")
            title = root.findtext(".//TITREFULL") or ""
            day = date.fromisoformat(root.findtext(".//DATE_TEXTE"))
            now = datetime.now(UTC)
            digest = content_hash("order", day, title, "", "", "")
            event = Event(
                key=event_key(day, [("JORFTEXT", cid)], title),
                kind="order",
                date=day,
                title=title,
                source="naive",
                content_hash=digest,
                first_seen_at=now,
                last_seen_at=now,
                changed_at=now,
                identifiers={"JORFTEXT": cid},
            )
            session.add(event)
            session.flush()
            session.add(EventIdentifier(event_id=event.id, scheme="JORFTEXT", value=cid))
            session.add(
                EventRevision(
                    event_id=event.id,
                    number=1,
                    source="naive",
                    seen_at=now,
                    kind="order",
                    date=day,
                    title=title,
                    content_hash=digest,
                )
            )
            session.commit()
            stored += 1
    return stored, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=50_000)
    parser.add_argument("--baseline-texts", type=int, default=5_000)
    args = parser.parse_args()
    body = build_archive(args.texts)
    small = build_archive(args.baseline_texts)
    with tempfile.TemporaryDirectory() as tmp:
        stored, elapsed = fast_path(body, f"sqlite:///{tmp}/fast.db")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        base_stored, base_elapsed = naive_path(small, f"sqlite:///{tmp}/naive.db")
    rate, base_rate = stored / elapsed, base_stored / base_elapsed
    print(
        f"archive: {args.texts} texts ({len(body) / 1e6:.1f} MB gzip), real DILA members renumbered"
    )
    print(
        f"spider parse + store : {stored:>6} texts in {elapsed:6.2f} s = {rate:>8,.0f} texts/s "
        f"(goal >= 15,000); peak memory {peak:.0f} MB"
    )
    print(
        f"naive (ElementTree + ORM row per text, commit each): {base_stored:>6} texts in "
        f"{base_elapsed:6.2f} s = {base_rate:>8,.0f} texts/s"
    )
    print(f"ratio: {rate / base_rate:.1f}x (goal >= 10x)")
    print(
        "second, unchanged crawl: 1 conditional listing request answered 304, 0 archive "
        "bytes (tests/test_spider_dila_jorf.py checks it); the first crawl downloads the "
        f"listing plus {len(body):,} archive bytes"
    )


if __name__ == "__main__":
    main()
