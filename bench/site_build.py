"""Timeline site build: a full build of N events, then the re-render after one new event.

Events are spread over 50 dossiers (2 000 each with the default N = 100 000); the re-render
must touch only the new event's page, its dossier and the index. Both are measured in the
same run, on the same store. The disk is synced before each timed build, so that the
write-back of what came before (the store's rows, the full build's files) is not timed in
the build that follows. Creating a small file costs from tens to hundreds of microseconds
depending on the file system's state (on some virtual disks, many files deleted shortly
before make creations slow for minutes): the bench times the creation of 2,000 files
next to the site first, and prints it.

    .venv/bin/python bench/site_build.py [--events 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from notify.site import DossierInfo, build_site
from store import repo
from store.db import make_engine, session_scope, upgrade

DOSSIERS = 50
KINDS = ("law", "decree", "order", "cnil_deliberation", "report", "news", "deadline")


def fill(engine, count: int) -> None:
    start = date(2018, 1, 1)
    for base in range(0, count, 5000):
        batch = []
        for n in range(base, min(base + 5000, count)):
            batch.append(
                {
                    "source": "bench",
                    "kind": KINDS[n % len(KINDS)],
                    "date": start + timedelta(days=n % 3000),
                    "title": f"Arrêté n° {n} portant autorisation de traitements algorithmiques",
                    "url": f"https://www.legifrance.gouv.fr/jorf/id/JORFTEXT{n:012d}",
                    "identifiers": {"JORFTEXT": f"JORFTEXT{n:012d}", "NOR": f"IOMD{n:07d}A"},
                }
            )
        with session_scope(engine) as session:
            ids = repo.upsert_events(session, batch).item_ids
            for d in range(DOSSIERS):
                repo.link_events(session, f"d{d}", ids[d::DOSSIERS], "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/site.db")
        upgrade(engine)
        with session_scope(engine) as session:
            for d in range(DOSSIERS):
                repo.save_dossier(session, f"d{d}", f"Dossier {d}")
        began = time.perf_counter()
        fill(engine, args.events)
        filled = time.perf_counter() - began
        dossiers = {f"d{d}": DossierInfo(f"d{d}", f"Dossier {d}", "") for d in range(DOSSIERS)}
        out = Path(tmp) / "site"
        today = date(2026, 11, 24)
        os.sync()
        probe = _file_creation(Path(tmp) / "probe", 2000)
        os.sync()
        began, cpu = time.perf_counter(), _cpu()
        full = build_site(engine, out, dossiers=dossiers, watches={}, today=today)
        full_time, full_cpu = time.perf_counter() - began, _cpu() - cpu
        with session_scope(engine) as session:
            ids = repo.upsert_events(
                session,
                [
                    {
                        "source": "bench",
                        "kind": "decree",
                        "date": date(2026, 11, 20),
                        "title": "Décret relatif aux caméras augmentées",
                        "identifiers": {"JORFTEXT": "JORFTEXT999999999999"},
                    }
                ],
            ).item_ids
            repo.link_events(session, "d7", ids, "bench")
        os.sync()
        began, cpu = time.perf_counter(), _cpu()
        again = build_site(engine, out, dossiers=dossiers, watches={}, today=today)
        incremental, again_cpu = time.perf_counter() - began, _cpu() - cpu
        memory = None
        if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
            # the same full build into memory (tmpfs): what the build costs without the disk
            with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
                os.sync()
                began, cpu = time.perf_counter(), _cpu()
                build_site(engine, Path(shm) / "site", dossiers=dossiers, watches={}, today=today)
                memory = (time.perf_counter() - began, _cpu() - cpu)
    print(f"store filled with {args.events} events in {filled:.1f} s (not part of the build)")
    print(
        f"file system next to the site, just before the full build: {probe * 1e6:.0f} µs to "
        f"create a 5 KB file ({probe * (full.written or 1):.1f} s for as many files as the "
        "build writes, in one thread)"
    )
    print(
        f"full build          : {full_time:6.2f} s, {full.written} files (goal < 10 s); "
        f"CPU {full_cpu:.1f} s over {os.cpu_count()} cores"
    )
    print(
        f"after one new event : {incremental:6.2f} s, {again.written} files written, "
        f"{again.unchanged} unchanged; CPU {again_cpu:.2f} s"
    )
    print(f"ratio full/incremental: {full_time / incremental:.1f}x (goal >= 20x)")
    if memory:
        print(
            f"full build into /dev/shm (no disk): {memory[0]:6.2f} s; CPU {memory[1]:.1f} s "
            f"(the difference with the first line is the file system's)"
        )
    peak = max(
        resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    print(f"peak memory of one process: {peak / 1024:.0f} MiB")


def _file_creation(folder: Path, count: int) -> float:
    """Seconds to create (open, write, close) one 5 KB file in ``folder``, over ``count``."""
    folder.mkdir()
    data = b"x" * 5000
    began = time.perf_counter()
    for n in range(count):
        (folder / f"{n}.html").write_bytes(data)
    return (time.perf_counter() - began) / count


def _cpu() -> float:
    """CPU seconds of this process and of the children it waited for (user + system)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
