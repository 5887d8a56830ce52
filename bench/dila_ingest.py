"""DILA ingestion: texts per second from a JORF archive through the spider and its pipeline,
against a naive baseline (ElementTree per member, one ORM object per row), same run.

The archive is built from the real members in tests/files/dila_jorf (an arrêté with one
article, and a décret), copied N times with their JORFTEXT / JORFARTI / NOR identifiers
renumbered so that every copy is a distinct text. Every K-th copy is the décret, which a
bench watch (« lois et règlements locaux ») concerns; the others are the arrêté, which no watch
concerns. The watch list is the default one plus that bench watch; the dossiers are the
default ones, so the followed identifiers of the VSA dossier take part in the filter.

Two runs of the real path (``DilaJorfSpider.parse_archive`` → ``StorePipeline``):
  * realistic: one text in K = 50 concerned (a real JO day has a few hundred texts and
    rarely more than a handful about the watched subjects);
  * worst case: every text concerned and stored (K = 1).
The naive baseline reads the same archives with ``tarfile`` and ElementTree and stores every
text with one ORM insert and commit each, as a first version would.

Then ``veilleur crawl dila_jorf`` runs twice, as a user runs it, against the realistic
archive served on 127.0.0.1 with its listing: requests and bytes of the second, unchanged
crawl against the first (goal <= 2 %).

    .venv/bin/python bench/dila_ingest.py [--texts 50000]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import scrapy
from scrapy.settings import Settings
from sqlmodel import Session, select

from crawler import dila
from crawler.pipelines import StorePipeline
from crawler.spiders.dila_jorf import DilaJorfSpider
from scheduler import config as configuration
from scheduler.cli_crawl import crawl_settings
from scheduler.jobs import prepare_store
from store.db import make_engine, upgrade
from store.identity import content_hash, event_key
from store.models import CrawlRun, Event, EventIdentifier, EventRevision

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "tests" / "files" / "dila_jorf"
sys.path.insert(0, str(ROOT / "tests"))
from replay import ReplayServer  # noqa: E402  (the tests' local HTTP server)

ARCHIVE = dila.Archive("JORF_20260921-220149.tar.gz", "JORF", "20260921-220149")
BENCH_CONFIG = """
database_url = "{url}"

[watches.bench]
title = "Bench"
terms = ["lois et règlements locaux"]
"""


def build_archive(texts: int, every: int) -> bytes:
    """``texts`` renumbered real texts; every ``every``-th one is the watched décret."""
    arrete = (FILES / "JORFTEXT000054861441.xml").read_bytes()
    article = (FILES / "JORFARTI000054861446.xml").read_bytes()
    decret = (FILES / "JORFTEXT000027904809.xml").read_bytes()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for n in range(texts):
            base = 100_000_000_000 + n * 10
            cid = f"JORFTEXT{base:012d}".encode()
            if n % every == 0:
                members = {
                    f"JORFTEXT{base:012d}": decret.replace(b"JORFTEXT000027904809", cid)
                    .replace(b"JUSX1319588D", f"JUSX{n:07d}D".encode())
                    .replace(b"2013-776", f"2013-{n}".encode())
                }
            else:
                members = {
                    f"JORFTEXT{base:012d}": arrete.replace(b"JORFTEXT000054861441", cid).replace(
                        b"ARMK2624825A", f"ARMK{n:07d}A".encode()
                    ),
                    f"JORFARTI{base + 5:012d}": article.replace(b"JORFTEXT000054861441", cid),
                }
            for name, data in members.items():
                info = tarfile.TarInfo(f"20260921-220149/jorf/global/x/{name}.xml")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Stats:
    def get_value(self, key: str, default: int = 0) -> int:
        return default


class _Crawler:
    """What ``StorePipeline`` reads from a Scrapy crawler."""

    def __init__(self, settings: dict, spider: DilaJorfSpider):
        self.settings, self.spider, self.stats = Settings(settings), spider, _Stats()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the archive workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def fast_path(body: bytes, url: str) -> tuple[dict, float, float]:
    """The spider's archive callback and the store pipeline, as a crawl runs them."""
    path = Path(url.removeprefix("sqlite:///")).with_suffix(".toml")
    path.write_text(BENCH_CONFIG.format(url=url), encoding="utf-8")
    config = configuration.load(path, environ={})
    engine = make_engine(url)
    prepare_store(config, engine)  # watches, dossiers and the VSA reference timeline
    engine.dispose()
    settings = crawl_settings(config)
    spider = DilaJorfSpider(
        source={"slug": "dila_jorf", "url": "http://127.0.0.1/", "since": date(2000, 1, 1)}
    )
    crawler = _Crawler(settings, spider)
    spider.settings = crawler.settings
    pipeline = StorePipeline(crawler)
    response = scrapy.http.Response(url=f"http://127.0.0.1/{ARCHIVE.name}", body=body)
    began, cpu = time.perf_counter(), _cpu()
    pipeline.open_spider(spider)
    for item in spider.parse_archive(response, ARCHIVE, []):
        pipeline.process_item(item, spider)
    pipeline.close_spider(spider)
    return pipeline.counts, time.perf_counter() - began, _cpu() - cpu


def listing(name: str) -> str:
    return f'<html><body><pre><a href="{name}">{name}</a> 21-Sep-2026 22:01</pre></body></html>'


def two_crawls(body: bytes, tmp: str) -> list[tuple[float, int, int, str]]:
    """``veilleur crawl dila_jorf`` twice; (seconds, requests, bytes received, summary) each."""
    server = ReplayServer()
    server.add("/OPENDATA/JORF/", listing(ARCHIVE.name), content_type="text/html", etag='"l1"')
    server.add(f"/OPENDATA/JORF/{ARCHIVE.name}", body, etag='"a1"')
    path = Path(tmp) / "crawl.toml"
    url = f"sqlite:///{tmp}/crawl.db"
    path.write_text(
        BENCH_CONFIG.format(url=url)
        + f'\n[sources.dila_jorf]\nurl = "{server.url("/OPENDATA/JORF/")}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLEUR_CONFIG": str(path)}
    out = []
    try:
        # the décrets are old texts: --since keeps them the first time, as a backfill does
        for since in (["--since", "2013-01-01"], []):
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "scheduler", "crawl", "dila_jorf", *since],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            elapsed = time.perf_counter() - began
            engine = make_engine(url)
            with Session(engine) as session:
                run = session.exec(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
                out.append((elapsed, run.requests, run.bytes, done.stdout.strip()))
            engine.dispose()
    finally:
        server.close()
    return out


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
    parser.add_argument("--every", type=int, default=50, help="one watched text in EVERY")
    parser.add_argument("--baseline-texts", type=int, default=5_000)
    args = parser.parse_args()
    realistic = build_archive(args.texts, args.every)
    worst = build_archive(args.texts, 1)
    small = build_archive(args.baseline_texts, 1)
    print(
        f"archives: {args.texts} real DILA texts renumbered (ids and NOR), "
        f"{len(realistic) / 1e6:.1f} MB and {len(worst) / 1e6:.1f} MB gzip"
    )
    with tempfile.TemporaryDirectory() as tmp:
        runs, peaks = {}, {}
        for label, body in (("realistic", realistic), ("worst", worst)):
            runs[label] = fast_path(body, f"sqlite:///{tmp}/{label}.db")
            peaks[label] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        base_stored, base_elapsed = naive_path(small, f"sqlite:///{tmp}/naive.db")
        crawls = two_crawls(realistic, tmp)
    base_rate = base_stored / base_elapsed
    workers = crawl_settings(configuration.load(environ={}))["VEILLEUR_ARCHIVE_WORKERS"]
    print(f"archive worker processes: {workers} (archive_workers = 0: one per CPU)")
    for label, (counts, elapsed, cpu) in runs.items():
        rate = args.texts / elapsed
        share = "1 in 50" if label == "realistic" and args.every == 50 else f"1 in {args.every}"
        share = share if label == "realistic" else "all"
        print(
            f"spider + pipeline, {label:9} ({share} concerned): {args.texts} texts in "
            f"{elapsed:6.2f} s ({cpu:.1f} s CPU) = {rate:>8,.0f} texts/s, {counts['new']} "
            f"stored — {rate / base_rate:.1f}x the baseline"
        )
    print(
        f"naive (tarfile + ElementTree + ORM row and commit per text): {base_stored} texts in "
        f"{base_elapsed:6.2f} s = {base_rate:>8,.0f} texts/s"
    )
    print(
        f"peak memory of the process (the three archives held): {peaks['realistic']:.0f} MB "
        f"after the realistic run, {peaks['worst']:.0f} MB after the worst case"
    )
    print("goals: >= 15,000 texts/s and >= 10x the baseline, on 2 cores")
    (t1, r1, b1, s1), (t2, r2, b2, s2) = crawls
    print(f"veilleur crawl dila_jorf, first : {t1:5.1f} s, {r1} requests, {b1:,} bytes — {s1}")
    print(f"veilleur crawl dila_jorf, second: {t2:5.1f} s, {r2} requests, {b2:,} bytes — {s2}")
    print(
        f"second against first: {r2 / r1:.0%} of the requests, {b2 / b1:.3%} of the bytes "
        "(goal <= 2 %)"
    )


if __name__ == "__main__":
    main()
