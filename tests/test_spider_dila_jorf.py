"""dila_jorf and dila_cnil end to end: a DILA-style listing and archives served on 127.0.0.1.

The archives are assembled by the test from the real members in tests/files/dila_jorf and
tests/files/dila_cnil (members of JORF_20260921-220149.tar.gz and of the CNIL fund). Where a
test needs a variant (a hostile member, a corrected title) it says so.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import FILES, veilleur
from replay import replay  # noqa: F401  (fixture)
from sqlalchemy import func, select

from crawler import dila_archive
from store import repo
from store.db import make_engine, session_scope
from store.models import CrawlRun, Event, EventRevision

ROOT = Path(__file__).resolve().parents[1]
ARRETE = (FILES / "dila_jorf" / "JORFTEXT000054861441.xml").read_bytes()
ARTICLE = (FILES / "dila_jorf" / "JORFARTI000054861446.xml").read_bytes()
DECRET = (FILES / "dila_jorf" / "JORFTEXT000027904809.xml").read_bytes()
CNIL = (FILES / "dila_cnil" / "CNILTEXT000026026270.xml").read_bytes()
STAMP = "20260921-220149"


def member_path(identifier: str) -> str:
    digits = identifier[8:]
    pairs = "/".join(digits[i : i + 2] for i in range(0, 10, 2))
    kind = {
        "JORFTEXT": "texte/version/JORF/TEXT",
        "JORFARTI": "article/JORF/ARTI",
        "CNILTEXT": "cnil/CNIL/TEXT",
    }[identifier[:8]]
    return f"{STAMP}/jorf/global/{kind}/{pairs}/{identifier}.xml"


def archive(members: dict[str, bytes], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=level) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def listing(names: list[str]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{n}">{n}</a></td><td>2026-09-21 22:01</td></tr>' for n in names
    )
    return (
        f"<html><head><title>Index of /OPENDATA/JORF</title></head><body><table>"
        f'<tr><td><a href="/OPENDATA/">Parent Directory</a></td></tr>{rows}'
        f'<tr><td><a href="Freemium_jorf_global_20250713-140000.tar.gz">x</a></td></tr>'
        f"</table></body></html>"
    )


def write_config(tmp_path: Path, url: str, fund_url: str = "", extra: str = "") -> Path:
    path = tmp_path / "veilleur.toml"
    path.write_text(
        f"""
[sources.dila_jorf]
url = "{url}"
[sources.dila_cnil]
url = "{fund_url or url}"
enabled = {"true" if fund_url else "false"}
[sources.legifrance_api]
enabled = false
[watches.armees]
title = "Praticiens des armées"
terms = ["praticiens des armées"]
[watches.alsace]
terms = ["Bas-Rhin"]
[watches.cnil_test]
terms = ["Volkswagen"]
[dossiers.sante_armees]
title = "Test"
watches = ["armees"]
{extra}
""",
        encoding="utf-8",
    )
    return path


def crawl(config: Path, db_url: str, *args: str) -> subprocess.CompletedProcess:
    return veilleur(config, db_url, "crawl", *args)


@pytest.fixture
def jorf(replay, tmp_path):  # noqa: F811
    name = f"JORF_{STAMP}.tar.gz"
    replay.add("/OPENDATA/JORF/", listing([name]), content_type="text/html", etag='"l1"')
    replay.add(
        f"/OPENDATA/JORF/{name}",
        archive(
            {
                member_path("JORFTEXT000054861441"): ARRETE,
                member_path("JORFARTI000054861446"): ARTICLE,
                member_path("JORFTEXT000027904809"): DECRET,  # a 2013 text re-delivered in 2026
            }
        ),
        etag='"a1"',
    )
    return replay, write_config(tmp_path, replay.url("/OPENDATA/JORF/"))


def test_first_crawl_stores_the_texts_with_their_dates_and_identifiers(jorf, db_url):
    _server, config = jorf
    result = crawl(config, db_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert "dila_jorf: ok — 1 new, 0 updated, 0 unchanged, 0 error(s)" in result.stdout
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        assert event.kind == "order"
        assert event.date == date(2026, 9, 18) and event.published_on == date(2026, 9, 20)
        assert event.identifiers["NOR"] == "ARMK2624825A"
        assert event.identifiers["ELI"].endswith("/eli/arrete/2026/9/18/ARMK2624825A/jo/texte")
        assert event.url == "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000054861441"
        assert event.title.startswith("Arrêté du 18 septembre 2026 modifiant deux arrêtés")
        assert "Article 2 Le tableau de l'article 1 er" in event.body
        assert event.provenance["archive"] == f"JORF_{STAMP}.tar.gz"
        assert event.provenance["licence"].startswith("DILA")
        assert event.cites == ["JORFTEXT000054310327", "JORFTEXT000054811417"]
        assert repo.events(session, dossier="sante_armees")[0].id == event.id
        # the 2013 decree came as a re-delivery: not a new event of this crawl
        assert repo.find_event(session, "JORFTEXT", "JORFTEXT000027904809") is None
        run = session.execute(select(CrawlRun)).scalars().one()
        assert (run.status, run.new, run.items) == ("ok", 1, 2)
    engine.dispose()


def test_a_second_crawl_with_nothing_new_is_conditional_and_writes_nothing(jorf, sqlite_url):
    server, config = jorf
    assert crawl(config, sqlite_url, "dila_jorf").returncode == 0
    archive_path = f"/OPENDATA/JORF/JORF_{STAMP}.tar.gz"
    before = len(server.requests_to(archive_path))
    second = crawl(config, sqlite_url, "dila_jorf")
    assert second.returncode == 0, second.stderr
    listing_requests = server.requests_to("/OPENDATA/JORF/")
    assert listing_requests[-1][2].get("If-None-Match") == '"l1"'
    assert listing_requests[-1][3] == 304
    assert len(server.requests_to(archive_path)) == before
    assert "0 new, 0 updated, 0 unchanged" in second.stdout
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert (
            session.execute(
                select(func.count())
                .select_from(EventRevision)
                .join(Event, Event.id == EventRevision.event_id)
                .where(Event.source == "dila_jorf")
            ).scalar_one()
            == 1
        )


def test_a_new_archive_with_a_deletion_list_withdraws_and_a_correction_revises(jorf, sqlite_url):
    server, config = jorf
    assert crawl(config, sqlite_url, "dila_jorf").returncode == 0
    later = "JORF_20260922-003012.tar.gz"
    # variant of the real member: the title corrected, as a rectified re-delivery would be
    corrected = ARRETE.replace(
        b"modifiant deux arr\xc3\xaat\xc3\xa9s", b"modifiant trois arr\xc3\xaat\xc3\xa9s"
    )
    deletions = b"jorf/global/texte/version/JORF/TEXT/00/00/54/86/14/JORFTEXT000054861441\n"
    server.add(
        "/OPENDATA/JORF/",
        listing([f"JORF_{STAMP}.tar.gz", later]),
        content_type="text/html",
        etag='"l2"',
    )
    server.add(
        f"/OPENDATA/JORF/{later}",
        archive(
            {
                member_path("JORFTEXT000054861441"): corrected,
                "20260922-003012/liste_suppression_jorf.dat": deletions,
            }
        ),
    )
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert "0 new, 1 updated" in result.stdout and "1 withdrawn" in result.stdout
    assert len(server.requests_to(f"/OPENDATA/JORF/JORF_{STAMP}.tar.gz")) == 1
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000054861441")
        assert event.status == "withdrawn" and "trois arrêtés" in event.title
        assert [r.number for r in repo.revisions(session, event.id)] == [1, 2]


def test_since_backfills_old_texts(jorf, sqlite_url):
    _server, config = jorf
    result = crawl(config, sqlite_url, "dila_jorf", "--since", "2013-01-01")
    assert result.returncode == 0, result.stderr
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        decree = repo.find_event(session, "JORFTEXT", "JORFTEXT000027904809")
        assert decree.kind == "decree" and decree.date == date(2013, 8, 27)
        assert decree.identifiers["NUM"] == "2013-776"
        assert repo.find_event(session, "NUM:decret", "2013-776").id == decree.id


def test_hostile_members_are_skipped_and_reported_and_the_rest_stored(replay, tmp_path, sqlite_url):  # noqa: F811
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<TEXTE_VERSION>&lol2;</TEXTE_VERSION>"
    )
    name = f"JORF_{STAMP}.tar.gz"
    replay.add("/OPENDATA/JORF/", listing([name]), content_type="text/html")
    replay.add(
        f"/OPENDATA/JORF/{name}",
        archive(
            {
                member_path("JORFTEXT000054861441"): ARRETE,
                f"{STAMP}/jorf/global/texte/version/JORF/TEXT/bomb.xml": bomb,
                "../../escape.xml": ARRETE,
                f"{STAMP}/jorf/global/texte/version/JORF/TEXT/broken.xml": ARRETE[:700],
            }
        ),
    )
    config = write_config(tmp_path, replay.url("/OPENDATA/JORF/"))
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert "dila_jorf: partial — 1 new" in result.stdout and "3 error(s)" in result.stdout
    assert "unsafe path" in result.stderr and "entities refused" in result.stderr
    assert "malformed XML" in result.stderr
    assert not (ROOT.parent / "escape.xml").exists()


def test_cnil_fund(replay, tmp_path, sqlite_url):  # noqa: F811
    name = "CNIL_20260921-230000.tar.gz"
    replay.add("/OPENDATA/CNIL/", listing([name]).replace("JORF", "CNIL"), content_type="text/html")
    replay.add(f"/OPENDATA/CNIL/{name}", archive({member_path("CNILTEXT000026026270"): CNIL}))
    config = write_config(
        tmp_path,
        replay.url("/OPENDATA/JORF/"),
        replay.url("/OPENDATA/CNIL/"),
    )
    result = crawl(config, sqlite_url, "dila_cnil", "--since", "2019-01-01")
    assert result.returncode == 0, result.stderr
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        event = repo.find_event(session, "CNILTEXT", "CNILTEXT000026026270")
        assert event.kind == "cnil_deliberation"
        assert (event.date, event.published_on) == (date(2012, 5, 3), date(2019, 11, 13))
        assert event.identifiers["NUM"] == "2012-138"
        assert event.url == "https://www.legifrance.gouv.fr/cnil/id/CNILTEXT000026026270"
        assert event.details["nature_delib"] == "Autre autorisation"


def test_429_then_200_ends_with_the_item_stored(jorf, sqlite_url):
    server, config = jorf
    server.routes["/OPENDATA/JORF/"].statuses = [429, 200]
    server.routes["/OPENDATA/JORF/"].headers = {"Retry-After": "1"}
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert [entry[3] for entry in server.requests_to("/OPENDATA/JORF/")] == [429, 200]
    assert "1 new" in result.stdout


def test_an_unreachable_source_fails_quickly_and_says_so(tmp_path, sqlite_url):
    config = write_config(tmp_path, "http://127.0.0.1:9/OPENDATA/JORF/")
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 1
    assert "dila_jorf: failed — unreachable" in result.stdout


def test_a_crawl_killed_half_way_is_redone_whole_and_once(jorf, sqlite_url):
    """kill -9 while the second archive downloads: nothing of the run is recorded as done,
    and the next crawl stores every text once."""
    server, config = jorf
    later = "JORF_20260922-003012.tar.gz"
    server.add(
        "/OPENDATA/JORF/",
        listing([f"JORF_{STAMP}.tar.gz", later]),
        content_type="text/html",
        etag='"l2"',
    )
    slow = server.add(
        f"/OPENDATA/JORF/{later}",
        archive({member_path("JORFTEXT000054861441"): ARRETE.replace(b"deux arr", b"2 arr")}),
        delay=60,
    )
    env = {**os.environ, "VEILLEUR_DATABASE_URL": sqlite_url, "VEILLEUR_CONFIG": str(config)}
    child = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "crawl", "dila_jorf"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not server.requests_to(f"/OPENDATA/JORF/{later}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.requests_to(f"/OPENDATA/JORF/{later}"), "the crawl never got that far"
    finally:
        child.kill()
        child.communicate(timeout=30)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert repo.events(session, sources=["dila_jorf"]) == []
        assert repo.source_state(session, "dila_jorf").cursor == {}
    slow.delay = 0
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert "1 new, 1 updated" in result.stdout or "1 new, 0 updated" in result.stdout
    with session_scope(engine) as session:
        stored = repo.events(session, sources=["dila_jorf"])
        assert [e.identifiers["JORFTEXT"] for e in stored] == ["JORFTEXT000054861441"]
        assert repo.source_state(session, "dila_jorf").cursor["last_archive"] == later


def test_a_dry_run_reads_everything_and_stores_nothing(jorf, sqlite_url):
    server, config = jorf
    result = crawl(config, sqlite_url, "dila_jorf", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing stored" in result.stderr
    assert "1 item(s) read" in result.stdout or "2 item(s) read" in result.stdout
    assert len(server.requests_to(f"/OPENDATA/JORF/JORF_{STAMP}.tar.gz")) == 1
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert repo.events(session, sources=["dila_jorf"]) == []
        assert repo.source_state(session, "dila_jorf").cursor == {}
        assert session.execute(select(func.count()).select_from(CrawlRun)).scalar_one() == 0


def test_a_large_archive_is_looked_at_by_worker_processes(replay, tmp_path, sqlite_url):  # noqa: F811
    """6,000 members, 20 MB (stored uncompressed): past the first 5,000 members, read in the
    crawl process, the rest go to two worker processes; every concerned text is stored once."""
    members = {}
    for n in range(3000):
        cid = f"JORFTEXT{100_000_000_000 + n:012d}"
        text = ARRETE.replace(b"JORFTEXT000054861441", cid.encode())
        text = text.replace(b"ARMK2624825A", f"ARMK{n:07d}A".encode())
        if n % 100 != 99:  # one in a hundred concerns the watch on « praticiens des armées »
            text = text.replace(b"arm\xc3\xa9es", b"h\xc3\xb4pitaux")
        article = ARTICLE.replace(b"JORFTEXT000054861441", cid.encode())
        if n % 100 != 99:
            article = article.replace(b"arm\xc3\xa9es", b"h\xc3\xb4pitaux")
        members[member_path(cid)] = text
        members[member_path(f"JORFARTI{100_000_000_000 + n:012d}")] = article
    name = f"JORF_{STAMP}.tar.gz"
    replay.add("/OPENDATA/JORF/", listing([name]), content_type="text/html")
    body = archive(members, level=0)
    assert len(body) > dila_archive.POOL_BYTES
    replay.add(f"/OPENDATA/JORF/{name}", body)
    config = write_config(tmp_path, replay.url("/OPENDATA/JORF/"))
    config.write_text("archive_workers = 2\n" + config.read_text(encoding="utf-8"), "utf-8")
    result = crawl(config, sqlite_url, "dila_jorf")
    assert result.returncode == 0, result.stderr
    assert "dila_jorf: ok — 30 new, 0 updated" in result.stdout
    assert "3000 text(s), 30 read in full" in result.stderr
    assert "looked at with 2 worker processes" in result.stderr
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        stored = select(func.count()).select_from(Event).where(Event.source == "dila_jorf")
        assert session.scalar(stored) == 30
        assert repo.find_event(session, "JORFTEXT", "JORFTEXT100000002999") is not None
    engine.dispose()
