"""Citations, French dates, deadlines and late publication (pure), on phrases and on the real
DILA samples."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from conftest import FILES

from crawler import dila, extract
from crawler.items import EventItem
from crawler.linking import enrich


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("loi n° 2023-380 du 19 mai 2023 relative aux jeux Olympiques", ["2023-380"]),
        ("le décret n° 2023-828 du 28 août 2023", ["2023-828"]),
        ("délibération n° 2023-068 du 15 juin 2023", ["cnil:2023-068"]),
        ("la décision n° 2023-850 DC du 17 mai 2023", ["2023-850 DC"]),
        ("Décision no 2021-817 dc", ["2021-817 DC"]),
        ("NOR : IOMD2315000D", ["IOMD2315000D"]),
        (
            "voir JORFTEXT000047561974 et CNILTEXT000046865563",
            ["JORFTEXT000047561974", "CNILTEXT000046865563"],
        ),
        (
            "https://www.legifrance.gouv.fr/eli/decret/2023/10/11/IOMD2315012D/jo/texte",
            ["/eli/decret/2023/10/11/IOMD2315012D/jo/texte"],
        ),
        ("l'article 10 de la loi sans numéro", []),
    ],
)
def test_citations(text, expected):
    assert extract.citations(text) == expected


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("1er mars 2025", date(2025, 3, 1), "day"),
        ("31 mars 2025", date(2025, 3, 31), "day"),
        ("mars 2027", date(2027, 3, 1), "month"),
        ("le 2 Février 2024", date(2024, 2, 2), "day"),
        ("premier août 2024", date(2024, 8, 1), "day"),
    ],
)
def test_french_dates(text, day, precision):
    parsed = extract.parse_french_date(text)
    assert (parsed.day, parsed.precision) == (day, precision)


def test_impossible_dates_are_not_dates():
    assert extract.parse_french_date("31 février 2025") is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("à titre expérimental jusqu'au 31 mars 2025, les traitements", date(2025, 3, 31)),
        ("Le Gouvernement remet au plus tard le 31 décembre 2024 un rapport", date(2024, 12, 31)),
        ("pour une durée de six mois à compter du 1er janvier 2025", date(2025, 7, 1)),
        ("pour une durée de 2 ans à compter du 15 mai 2023", date(2025, 5, 15)),
        ("jusqu’au 31 mars 2025", date(2025, 3, 31)),
    ],
)
def test_deadlines_quote_their_clause(text, day):
    (found,) = extract.deadlines(text)
    assert found.day == day and found.clause in text


def test_late_publication():
    order = "autorise la RATP du 7 au 14 mai 2024 à employer Cityvision"
    assert extract.authorised_period(order) == (date(2024, 5, 7), date(2024, 5, 14))
    assert extract.late_publication(order, date(2024, 5, 8))
    assert not extract.late_publication(order, date(2024, 5, 6))
    assert extract.late_publication("du 26 juillet au 11 août 2024", date(2024, 7, 30))


def test_the_real_dila_samples_yield_their_citations():
    decree = dila.parse_text(
        dila.parse_xml((FILES / "dila_jorf" / "JORFTEXT000027904809.xml").read_bytes())
    )
    found = extract.citations(decree["visas"])
    assert "2013-395" in found and "2012-285 QPC" in found
    cnil = dila.parse_cnil(
        dila.parse_xml((FILES / "dila_cnil" / "CNILTEXT000026026270.xml").read_bytes())
    )
    assert {"78-17", "2005-1309"} <= set(extract.citations(cnil["body"]))


def test_enrich_adds_citations_flags_and_future_deadlines():
    item = EventItem(
        source="t",
        kind="order",
        date=date(2024, 7, 25),
        published_on=date(2024, 7, 30),
        title="Arrêté autorisant la vidéoprotection algorithmique du 26 juillet au 11 août 2024",
        body="Vu la loi n° 2023-380 ; l'autorisation vaut jusqu'au 11 août 2024. "
        "Rappel : le décret devait paraître avant le 1er janvier 2024.",
        identifiers={"GUID": "order-1"},
    )
    (deadline,) = enrich(item)
    assert item.cites == ["2023-380"] and item.flags == ["late_publication"]
    assert deadline.kind == "deadline" and deadline.date == date(2024, 8, 11)
    assert deadline.details["set_by"] == "order-1" and deadline.cites == ["order-1"]
    assert "jusqu'au 11 août 2024" in deadline.title


def test_the_literal_first_patterns_find_what_the_boundary_first_ones_find():
    """NOR and TEXT_ID check their word boundary behind their literal start: on random
    sequences of pieces, they find what the plain \\b…\\b patterns find."""
    nor = re.compile(r"\bNOR\s*:?\s*(?P<nor>[A-Z]{4}\d{7}[A-Z])\b")
    text_id = re.compile(r"\b(?:JORF|CNIL|LEGI|CONS|CETA|JURI)TEXT\d{12}\b")
    pieces = ["NOR", " ", ":", "IOMD", "2312345", "A", "é", "JORF", "TEXT", "000047561974"]
    pieces += ["CNIL", "_", "1", "ANOR", "AJORF", "x"]
    chance = random.Random(3)
    for _ in range(30_000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 10)))
        assert [m["nor"] for m in extract.NOR.finditer(text)] == [
            m["nor"] for m in nor.finditer(text)
        ], text
        assert extract.TEXT_ID.findall(text) == text_id.findall(text), text


@pytest.mark.parametrize(
    "text",
    [
        "L'autorisation vaut juſqu'au 31 mars 2025.",  # ſ matches « s » when case is ignored
        "L'autorisation vaut JUSQU'AU 31 MARS 2025.",
        "Autorisé POUR UNE DURÉE DE SIX MOIS À COMPTER DU 1er janvier 2025.",
        "Autorisé pour une durée de six moiſ à compter du 1er janvier 2025.",
    ],
)
def test_deadlines_skip_no_text_the_pattern_would_match(text):
    """The literal hints before the deadline patterns never hide a match, in any case and
    with the letters that only match ASCII ones when case is ignored."""
    until = [m.group(0) for m in extract._UNTIL.finditer(text)]
    duration = [m.group(0) for m in extract._DURATION.finditer(text)]
    assert until or duration
    assert extract.deadlines(text)


def test_citations_are_tried_only_where_a_kind_word_starts_yet_found_alike():
    """``_citation_matches`` (the pattern tried where « loi », « décret »… start) finds what
    ``CITATION.finditer`` finds, on random text with every case and the odd letters."""
    pieces = ["loi", "LOI", "Loi", " ", "\n", "organique", "n°", "no", "N°", "2023-380", "12-3"]
    pieces += ["DC", "qpc", "décret", "DÉCRET", "decret", "délibération", "Délibération"]
    pieces += ["deliberation", "décision", "ORDONNANCE", "emploi", "x", "é", "’", "-", "du"]
    pieces += ["ſ", "İ", "n° 2023-850 DC"]
    chance = random.Random(2)

    def spans(matches):
        return [(m.start(), m.end(), m["kind"], m["number"]) for m in matches]

    for _ in range(30_000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 14)))
        assert spans(extract._citation_matches(text)) == spans(extract.CITATION.finditer(text))
