"""Pure parsing of DILA dumps: listings, deletion lists, members (real samples)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import FILES

from crawler import dila

LISTING = """<html><body><pre>
<a href="?C=N;O=D">Name</a>
<a href="JORF_20260921-220149.tar.gz">JORF_20260921-220149.tar.gz</a> 21-Sep-2026 22:01  2.8M
<a href="JORF_20260922-003012.tar.gz">JORF_20260922-003012.tar.gz</a> 22-Sep-2026 00:30  412K
<a href="jorf_20170228-011719.tar.gz">jorf_20170228-011719.tar.gz</a>
<a href="CNIL_20260921-230000.tar.gz">CNIL_20260921-230000.tar.gz</a>
<a href="Freemium_jorf_global_20250713-140000.tar.gz">Freemium</a>
<a href="../">Parent Directory</a>
</pre></body></html>"""


def test_listing_keeps_the_fund_in_chronological_order():
    archives = dila.parse_listing(LISTING.encode("latin-1"), "JORF")
    assert [a.name for a in archives] == [
        "jorf_20170228-011719.tar.gz",
        "JORF_20260921-220149.tar.gz",
        "JORF_20260922-003012.tar.gz",
    ]
    assert archives[-1].day == date(2026, 9, 22)
    assert [a.name for a in dila.parse_listing(LISTING, "CNIL")] == ["CNIL_20260921-230000.tar.gz"]


def test_deletion_lists():
    data = (
        b"jorf/global/texte/version/JORF/TEXT/00/00/37/15/71/JORFTEXT000037157123\n"
        b"cnil/CNIL/TEXT/00/00/26/02/62/CNILTEXT000026026270.xml\n\nnot an id\n"
    )
    assert dila.parse_deletions(data) == ["JORFTEXT000037157123", "CNILTEXT000026026270"]


@pytest.mark.parametrize(
    ("nature", "origin", "author", "kind"),
    [
        ("LOI", "JORF", "", "law"),
        ("DECRET", "JORF", "", "decree"),
        ("ARRETE", "JORF", "", "order"),
        ("DELIBERATION", "CNIL", "", "cnil_deliberation"),
        ("DECISION", "JORF", "Conseil constitutionnel", "constitutional_decision"),
        ("DECISION", "CONSTIT", "", "constitutional_decision"),
        ("AVIS", "JORF", "Commission nationale de l'informatique et des libertés", "report"),
        ("CIRCULAIRE", "JORF", "", "order"),
    ],
)
def test_kinds(nature, origin, author, kind):
    assert dila.kind_for(nature, origin, author) == kind


def test_real_members():
    arrete = dila.parse_text(
        dila.parse_xml((FILES / "dila_jorf" / "JORFTEXT000054861441.xml").read_bytes())
    )
    assert (arrete["id"], arrete["nor"], arrete["nature"]) == (
        "JORFTEXT000054861441",
        "ARMK2624825A",
        "ARRETE",
    )
    assert (arrete["date_text"], arrete["date_publi"]) == (date(2026, 9, 18), date(2026, 9, 20))
    assert arrete["number"] == "" and arrete["cites"] == [
        "JORFTEXT000054310327",
        "JORFTEXT000054811417",
    ]
    decree = dila.parse_text(
        dila.parse_xml((FILES / "dila_jorf" / "JORFTEXT000027904809.xml").read_bytes())
    )
    assert decree["number"] == "2013-776" and decree["eli_alias"].endswith("/2013-776/jo/texte")
    cid, number, text = dila.parse_article(
        dila.parse_xml((FILES / "dila_jorf" / "JORFARTI000054861446.xml").read_bytes())
    )
    assert (cid, number) == ("JORFTEXT000054861441", "2") and text.startswith("Le tableau")


def test_hostile_xml_is_refused():
    with pytest.raises(dila.MemberError):
        dila.parse_xml(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    with pytest.raises(dila.MemberError):
        dila.parse_xml(b"<TEXTE_VERSION><unclosed></TEXTE_VERSION>")
