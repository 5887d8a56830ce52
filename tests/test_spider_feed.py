"""The generic feed spider end to end, and feed parsing on hostile or broken documents."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import FILES, veilleur
from replay import replay  # noqa: F401  (fixture)

from crawler.feeds import cut_long_authors, parse_feed
from store import repo
from store.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parents[1]
WORDPRESS = (FILES / "feed" / "wordpress_constructed.xml").read_bytes()
ATOM = (FILES / "feed" / "atom_constructed.xml").read_bytes()
LEGIFRSS = (FILES / "feeds" / "legifrss_unofficial_jorf_rss_2020-12-06.xml").read_bytes()


def crawl(config: Path, db_url: str, *slugs: str) -> subprocess.CompletedProcess:
    return veilleur(config, db_url, "crawl", *slugs)


@pytest.fixture
def feeds(replay, tmp_path):  # noqa: F811
    replay.add("/feed/", WORDPRESS, content_type="application/rss+xml", etag='"w1"')
    replay.add("/rapports.xml", ATOM, content_type="application/atom+xml")
    replay.add("/legifrss.xml", LEGIFRSS, content_type="application/rss+xml")
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.asso]
spider = "feed"
url = "{replay.url("/feed/")}"
[sources.rapports]
spider = "feed"
url = "{replay.url("/rapports.xml")}"
kind = "report"
[sources.legifrss]
spider = "feed"
url = "{replay.url("/legifrss.xml")}"
enabled = false
[watches.godivelle]
terms = ["Sagnes de La Godivelle"]
""",
        encoding="utf-8",
    )
    return replay, config


def test_entries_are_stored_clean_deduplicated_and_linked(feeds, sqlite_url):
    server, config = feeds
    result = crawl(config, sqlite_url, "asso", "rapports")
    assert result.returncode == 0, result.stderr
    assert "asso: ok — 2 new" in result.stdout and "rapports: ok — 1 new" in result.stdout
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        vsa = repo.find_event(
            session, "URL", "https://association.example.org/2026/11/23/vsa-prolongee/"
        )
        assert vsa.kind == "news" and vsa.date == date(2026, 11, 23)
        assert "<script>" not in vsa.summary and "alert(1)" not in vsa.summary
        assert "javascript:" not in vsa.summary and "onerror" not in vsa.summary
        assert vsa.cites == ["2023-380"]
        # a news item citing loi n° 2023-380 lands in the VSA dossier next to the law
        assert vsa.id in [e.id for e in repo.events(session, dossier="vsa")]
        faciale = repo.find_event(session, "GUID", "https://association.example.org/?p=1199")
        assert faciale.date == date(2026, 11, 21)  # 23:30 UTC is the next day in Paris
        report = repo.find_event(
            session, "URL", "https://www.vie-publique.fr/rapport/297322-cameras"
        )
        assert report.kind == "report" and "<b>" not in report.summary
    again = crawl(config, sqlite_url, "asso")
    assert again.returncode == 0 and "0 new, 0 updated" in again.stdout
    assert server.requests_to("/feed/")[-1][3] == 304
    server.add(
        "/feed/",
        WORDPRESS.replace(
            "prolongée jusqu’en 2027".encode(), "prolongée jusqu’à fin 2027".encode()
        ),
        etag='"w2"',
    )
    changed = crawl(config, sqlite_url, "asso")
    assert "0 new, 1 updated" in changed.stdout
    with session_scope(engine) as session:
        vsa = repo.find_event(session, "GUID", "https://association.example.org/?p=1201")
        assert vsa.revision == 2 and "jusqu’à fin 2027" in vsa.title


def test_a_feed_item_about_an_official_text_is_the_same_event(feeds, sqlite_url):
    _, config = feeds
    dila = {
        "source": "dila_jorf",
        "kind": "decree",
        "date": date(2020, 12, 4),
        "title": "Décret n° 2020-1521 du 4 décembre 2020 (Sagnes de La Godivelle)",
        "identifiers": {"JORFTEXT": "JORFTEXT000042614262"},
        "authority": 30,
    }
    result = crawl(config, sqlite_url, "legifrss")  # prepares the store
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000042614262")
        assert event is not None and event.source == "legifrss"
        repo.upsert_events(session, [dila])
    again = crawl(config, sqlite_url, "legifrss")
    assert result.returncode == again.returncode == 0
    with session_scope(engine) as session:
        event = repo.find_event(session, "JORFTEXT", "JORFTEXT000042614262")
        assert event.source == "dila_jorf" and event.title.startswith("Décret n° 2020-1521")
        assert len(repo.events(session, sources=["legifrss"])) == 0


def test_broken_and_hostile_feeds():
    truncated = parse_feed(WORDPRESS[:-150])
    assert truncated.bozo and len(truncated.entries) >= 1
    assert parse_feed(b"<html><body>not a feed</body></html>").entries == []
    latin = WORDPRESS.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert parse_feed(latin).entries[0].title.startswith("La vidéosurveillance")
    bom = b"\xef\xbb\xbf" + WORDPRESS
    assert parse_feed(bom).entries[1].title == "Reconnaissance faciale : la CNIL publie un avis"
    author = b"<dc:creator>" + b"a@" * 32_000 + b"</dc:creator>"
    long_author = WORDPRESS.replace(b"<dc:creator><![CDATA[L'\xc3\xa9quipe]]></dc:creator>", author)
    assert len(parse_feed(long_author).entries[0].author) <= 256


@pytest.mark.parametrize(
    "author",
    [
        b"<![CDATA[" + b"a" * 65_536 + b"]]>",  # quadratic in feedparser's e-mail regex
        b"<![CDATA[<b>" + b"a." * 32_768 + b"]]>",
        b"&#97;&amp;" * 8_000,
    ],
)
def test_a_huge_author_is_cut_before_parsing(author):
    creator = b"<dc:creator><![CDATA[L'\xc3\xa9quipe]]></dc:creator>"
    assert creator in WORDPRESS
    hostile = WORDPRESS.replace(creator, b"<dc:creator>" + author + b"</dc:creator>")
    assert len(cut_long_authors(hostile)) <= len(WORDPRESS) + 256
    feed = parse_feed(hostile)
    titles = [e.title for e in parse_feed(WORDPRESS).entries]
    assert [e.title for e in feed.entries] == titles  # nothing after the author is swallowed
    assert 0 < len(feed.entries[0].author) <= 256


def test_no_guid_dedups_on_the_canonical_link_and_a_broken_feed_removes_nothing(
    replay,  # noqa: F811
    tmp_path,
    sqlite_url,
):
    replay.add("/rss", (FILES / "feed" / "noguid_constructed.xml").read_bytes())
    config = tmp_path / "veilleur.toml"
    config.write_text(f'[sources.journal]\nspider = "feed"\nurl = "{replay.url("/rss")}"\n')
    result = crawl(config, sqlite_url, "journal")
    assert result.returncode == 0, result.stderr
    assert "journal: ok — 1 new" in result.stdout
    link = "https://journal.example.org/securite/reconnaissance-faciale"
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert repo.find_event(session, "URL", link).url == link
    replay.add("/rss", b"<html><body>Maintenance</body></html>", content_type="text/html")
    broken = crawl(config, sqlite_url, "journal")
    assert "nothing is removed" in broken.stdout + broken.stderr
    with session_scope(engine) as session:
        assert repo.find_event(session, "URL", link).status == "current"
        assert len(repo.events(session, sources=["journal"])) == 1


def test_parsing_is_bounded_in_wall_time(monkeypatch):
    import time

    import crawler.feeds

    def stuck(*args, **kwargs):
        time.sleep(5)
        raise AssertionError("not interrupted")

    monkeypatch.setattr(crawler.feeds.feedparser, "parse", stuck)
    feed = parse_feed(WORDPRESS, max_seconds=0.05)
    assert feed.entries == [] and feed.bozo and "longer than 0.05 s" in feed.problem
