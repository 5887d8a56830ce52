"""The prefectures' recueils end to end: DSFR listing → PDFs (text and scanned) → order events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import FILES, veilleur
from pdfgen import scanned_pdf, text_pdf
from raa_samples import DRONE, filler_pages, lines, recueil_pages
from replay import replay  # noqa: F401  (fixture)
from scrapy.crawler import Crawler

from crawler.raa import older_than as before
from crawler.spiders.prefecture_raa import PrefectureRaaSpider
from store import repo
from store.db import make_engine, session_scope

HERE = FILES / "prefecture_raa"
ROOT = "/Publications/Recueil-des-actes-administratifs"
TEXT = "/contenu/telechargement/61234/456789/file/RAA_93_20240725_120.pdf"
SCAN = "/contenu/telechargement/61235/456790/file/RAA_93_20240726_121.pdf"
BIG = "/contenu/telechargement/61236/456791/file/RAA_93_20240729_122.pdf"
OLD = "/contenu/telechargement/50001/400001/file/RAA_93_20231215_999.pdf"
SCANNED_ORDER = """ARRÊTÉ n° 2024-00600 du 24 juillet 2024
portant autorisation de caméras installées sur des aéronefs
Le préfet de police,
Vu le code de la sécurité intérieure, notamment son article L. 242-5 ;
ARRÊTE :
Article 1er - Autorisé sur la commune de Saint-Denis du 27 juillet 2024 à 8 h au
28 juillet 2024 à 20 h à l'occasion des épreuves olympiques.
Fait à Paris, le 24 juillet 2024"""


def html(name: str) -> bytes:
    return (HERE / name).read_bytes()


@pytest.fixture
def prefecture(replay, tmp_path):  # noqa: F811
    replay.add(ROOT, html("raa_root_constructed.html"), content_type="text/html")
    replay.add(f"{ROOT}/RAA-2024", html("raa_2024_constructed.html"), content_type="text/html")
    replay.add(
        f"{ROOT}/RAA-2024/Juillet-2024",
        html("raa_2024_07_constructed.html"),
        content_type="text/html",
        statuses=[429, 200],  # busy once: the spider waits as asked and tries again
        headers={"Retry-After": "1"},
    )
    replay.add(
        f"{ROOT}/RAA-2024/Juillet-2024/(offset)/10",
        html("raa_2024_07_page2_constructed.html"),
        content_type="text/html",
    )
    replay.add(TEXT, text_pdf(recueil_pages()), content_type="application/pdf")
    replay.add(SCAN, scanned_pdf(text_pdf([lines(SCANNED_ORDER)])), content_type="application/pdf")
    replay.add(BIG, text_pdf(filler_pages(50)), content_type="application/pdf")
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f"""
[sources.raa_93]
spider = "prefecture_raa"
url = "{replay.url(ROOT)}"
not_before = "2024-06-01"
delay = 0
""",
        encoding="utf-8",
    )
    return replay, config


def crawl(config: Path, db_url: str):
    return veilleur(config, db_url, "crawl", "raa_93")


def test_recueils_become_order_events(prefecture, sqlite_url):
    server, config = prefecture
    result = crawl(config, sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "raa_93: ok — 3 new, 0 updated" in result.stdout, result.stdout + result.stderr
    pdf_url = server.url(TEXT)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        drone = repo.find_event(session, "GUID", f"{pdf_url}#2024-00512")
        assert drone.kind == "order" and drone.date == date(2024, 5, 3)
        assert drone.published_on == date(2024, 7, 25) and drone.url == f"{pdf_url}#page=2"
        assert drone.details["legal_basis"] == ["CSI L. 242-5"]
        assert drone.details["period_start"] == "2024-05-05"
        assert drone.details["period_end"] == "2024-05-05"
        assert drone.details["communes"] == ["Paris"] and drone.details["page"] == 2
        assert drone.details["authority"] == "Le préfet de police"
        assert "late_publication" in drone.flags  # flown in May, published in July
        vsa = repo.find_event(session, "GUID", f"{pdf_url}#2024-1234")
        assert vsa.date == date(2024, 7, 20) and vsa.details["page"] == 3
        assert vsa.details["legal_basis"] == ["loi n° 2023-380, art. 10"]
        assert (vsa.details["period_start"], vsa.details["period_end"]) == (
            "2024-07-26",
            "2024-08-11",
        )
        assert vsa.details["communes"] == ["Saint-Denis", "Aubervilliers", "La Courneuve"]
        assert "late_publication" not in vsa.flags
        assert vsa.id in [e.id for e in repo.events(session, dossier="vsa")]
        scanned = repo.find_event(session, "GUID", f"{server.url(SCAN)}#2024-00600")
        assert scanned.details["ocr"] is True and scanned.date == date(2024, 7, 24)
        assert scanned.details["period_start"] == "2024-07-27"
        # the shop's video order and the 50 pages of traffic orders create nothing
        orders = repo.events(session, sources=["raa_93"])
        assert sorted(e.id for e in orders) == sorted([drone.id, vsa.id, scanned.id])
    requested = {entry[1] for entry in server.log}
    assert {TEXT, SCAN, BIG} <= requested
    assert OLD not in requested  # listed, but published before not_before
    assert not any(p.endswith(("RAA-2019", "RAA-2023", "Janvier-2024")) for p in requested)
    assert [e[3] for e in server.requests_to(f"{ROOT}/RAA-2024/Juillet-2024")] == [429, 200]


def test_an_unchanged_recueil_is_not_read_again_and_a_replaced_one_is_a_revision(
    prefecture, sqlite_url
):
    server, config = prefecture
    assert crawl(config, sqlite_url).returncode == 0
    again = crawl(config, sqlite_url)
    assert again.returncode == 0 and "0 new, 0 updated" in again.stdout, again.stdout
    corrected = DRONE.replace("au 5 mai 2024 à 16 h 00", "au 6 mai 2024 à 16 h 00")
    pages = recueil_pages()
    pages[1] = lines(corrected)
    server.add(TEXT, text_pdf(pages), content_type="application/pdf")
    third = crawl(config, sqlite_url)
    assert third.returncode == 0 and "0 new, 2 updated" in third.stdout, third.stdout
    with session_scope(make_engine(sqlite_url)) as session:
        drone = repo.find_event(session, "GUID", f"{server.url(TEXT)}#2024-00512")
        assert drone.details["period_end"] == "2024-05-06"
        assert len(repo.revisions(session, drone.id)) == 2


def test_politeness_five_seconds_by_default_and_configurable():
    source = {"slug": "raa_13", "url": "https://www.bouches-du-rhone.gouv.fr/x", "options": {}}
    crawler = Crawler(PrefectureRaaSpider, {"DOWNLOAD_DELAY": 0.5})  # as crawler.run makes it
    PrefectureRaaSpider.from_crawler(crawler, source=source)
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 5.0
    assert crawler.settings.getfloat("DOWNLOAD_DELAY_JITTER") == 0.0
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    slower = Crawler(PrefectureRaaSpider, {"DOWNLOAD_DELAY": 0.5})
    PrefectureRaaSpider.from_crawler(slower, source={**source, "options": {"delay": 30}})
    assert slower.settings.getfloat("DOWNLOAD_DELAY") == 30.0


def test_listing_links_older_than_the_cut_off_are_recognised():
    limit = date(2024, 6, 1)
    assert before("Recueil des actes administratifs 2019", limit)
    assert before("Janvier 2024", limit) and not before("Juillet 2024", limit)
    assert not before("Page 2", limit) and not before("2023 2024", limit)


def test_bad_options_are_reported_and_defaults_used():
    spider = PrefectureRaaSpider(
        {
            "slug": "raa_x",
            "url": "https://www.example.gouv.fr/Publications/RAA",
            "options": {"delay": "slow", "not_before": "2024-13-01", "max_ocr_pages": "3"},
        }
    )
    assert spider.delay == 5.0 and spider.pdf_limits["max_ocr_pages"] == 3
    assert spider.not_before < spider.today and len(spider.problems) == 2
    assert "delay = 'slow' is not valid" in spider.problems[0]
