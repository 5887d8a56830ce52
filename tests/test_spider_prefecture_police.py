"""The Préfecture de police's orders page end to end (static HTML, one order per PDF)."""

from __future__ import annotations

from datetime import date

from conftest import FILES, veilleur
from pdfgen import text_pdf
from raa_samples import lines
from replay import replay  # noqa: F401  (fixture)

from store import repo
from store.db import make_engine, session_scope

PAGE = "/actualites-et-presse/arretes/accueil-arretes"
DRONES = "/sites/default/files/documents/2024-07/arrete_2024-00931_aeronefs.pdf"
TRAFFIC = "/sites/default/files/documents/2024-07/arrete_2024-00925_circulation.pdf"
# one order without the usual heading line: the document is the order
ORDER = """PRÉFECTURE DE POLICE
Cabinet du préfet
Le préfet de police,
Vu le code de la sécurité intérieure, notamment son article L. 242-5 ;
Vu la demande du directeur de l'ordre public et de la circulation ;
ARRÊTE :
Article 1er - La captation d'images au moyen de caméras installées sur des aéronefs est
autorisée à l'occasion de la cérémonie d'ouverture des jeux Olympiques, sur la commune de
Paris, du 26 juillet 2024 à 10 h 00 au 27 juillet 2024 à 2 h 00.
Fait à Paris, le 22 juillet 2024"""


def config_for(replay, tmp_path, page: str):  # noqa: F811
    config = tmp_path / "veilleur.toml"
    config.write_text(
        f'[sources.pp]\nspider = "prefecture_police"\nurl = "{replay.url(page)}"\n'
        'not_before = "2024-01-01"\ndelay = 0\n',
        encoding="utf-8",
    )
    return config


def test_orders_linked_from_the_page_become_events(replay, tmp_path, sqlite_url):  # noqa: F811
    html = (FILES / "prefecture_police" / "arretes_constructed.html").read_bytes()
    replay.add(PAGE, html, content_type="text/html")
    replay.add(DRONES, text_pdf([lines(ORDER)]), content_type="application/pdf")
    replay.add(TRAFFIC, text_pdf([["Arrêté n° 2024-00925 circulation"]]))
    result = veilleur(config_for(replay, tmp_path, PAGE), sqlite_url, "crawl", "pp")
    assert result.returncode == 0, result.stderr
    assert "pp: ok — 1 new" in result.stdout, result.stdout + result.stderr
    with session_scope(make_engine(sqlite_url)) as session:
        (event,) = repo.events(session, sources=["pp"])
        assert event.title.startswith("Arrêté n° 2024-00931 autorisant la captation")
        assert event.date == date(2024, 7, 22) and event.published_on == date(2024, 7, 24)
        assert event.details["period_start"] == "2024-07-26"
        assert event.details["legal_basis"] == ["CSI L. 242-5"]
        assert event.details["purpose"].startswith("cérémonie d'ouverture des jeux Olympiques")
        assert "late_publication" not in event.flags
    assert not replay.requests_to(TRAFFIC)  # its title mentions nothing watched


def test_a_javascript_page_is_reported_not_silently_empty(replay, tmp_path, sqlite_url):  # noqa: F811
    shell = b'<html><body><div id="app"></div><script src="/app.js"></script></body></html>'
    replay.add(PAGE, shell, content_type="text/html")
    result = veilleur(config_for(replay, tmp_path, PAGE), sqlite_url, "crawl", "pp")
    assert result.returncode == 0, result.stderr
    assert "pp: partial" in result.stdout and "rendered by JavaScript" in result.stdout
