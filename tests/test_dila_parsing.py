"""Pure parsing of DILA dumps: listings, deletion lists, members (real samples)."""

from __future__ import annotations

import io
import random
import re
import tarfile
from datetime import date

import pytest
from conftest import FILES

from crawler import dila, dila_archive
from crawler.watch import FirstLook, WatchDefinition, WatchSet

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


# --- the first look: texts read in full only when they could be kept ---------------------

ARRETE = (FILES / "dila_jorf" / "JORFTEXT000054861441.xml").read_bytes()
ARTICLE = (FILES / "dila_jorf" / "JORFARTI000054861446.xml").read_bytes()
DECRET = (FILES / "dila_jorf" / "JORFTEXT000027904809.xml").read_bytes()
CNIL = (FILES / "dila_cnil" / "CNILTEXT000026026270.xml").read_bytes()


def renumbered(data: bytes, old: str, n: int, change: tuple[bytes, bytes] = (b"", b"")) -> bytes:
    """A real member under another identifier, with one piece of text changed (constructed)."""
    data = data.replace(old.encode(), f"{old[:8]}{n:012d}".encode())
    return data.replace(*change) if change[0] else data


def build(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def kept(content: dila_archive.ArchiveContent, watches: WatchSet, followed: set[str]) -> dict:
    """What the pipeline keeps of an archive: its rule, applied to every document."""
    out = {}
    for document in content.documents:
        pieces = [document["title"], document["notice"], document["visas"], document["signers"]]
        pieces += [f"Article {n} {t}" for n, t in content.articles.get(document["id"], [])]
        pieces.append(document.get("body", ""))
        if watches.match(*pieces) or followed & set(document["cites"]):
            out[document["id"]] = (document, content.articles.get(document["id"], []))
    return out


def test_the_first_look_keeps_exactly_what_a_full_read_keeps():
    arrete_title = b"praticiens des arm\xc3\xa9es</TITREFULL>"
    visas = b'<p align="left">\n<br/>La ministre'
    members = [
        # 1-2: the real arrêté and its article, the article first; a watch on its article only
        ("a/JORFARTI000000000012.xml", renumbered(ARTICLE, "JORFTEXT000054861441", 11)),
        ("a/JORFTEXT000000000011.xml", renumbered(ARRETE, "JORFTEXT000054861441", 11)),
        # 3: the same, the article last and unconcerned; the text concerned through an
        # inline tag inside a word of its title, as the title is read (« vidéo<b>…</b> »)
        (
            "a/JORFTEXT000000000021.xml",
            renumbered(
                ARRETE,
                "JORFTEXT000054861441",
                21,
                (arrete_title, b"vid\xc3\xa9o<b>protection</b> des casernes</TITREFULL>"),
            ),
        ),
        # 4: a concern written with a character reference in the visas
        (
            "a/JORFTEXT000000000031.xml",
            renumbered(
                ARRETE, "JORFTEXT000054861441", 31, (visas, b"<p>Vu la loi sur les a&#233;ronefs")
            ),
        ),
        # 5: nothing concerned: read, checked, not parsed
        ("a/JORFTEXT000000000041.xml", renumbered(DECRET, "JORFTEXT000027904809", 41)),
        # 6: concerned only because it cites a followed text
        (
            "a/JORFTEXT000000000051.xml",
            renumbered(
                ARRETE,
                "JORFTEXT000054861441",
                51,
                (b"JORFTEXT000054310327", b"JORFTEXT000000000099"),
            ),
        ),
        # 7: a CNIL deliberation in CDATA: cannot be judged without reading it
        (
            "a/CNILTEXT000000000061.xml",
            renumbered(
                CNIL,
                "CNILTEXT000026026270",
                61,
                (b"<p>Volkswagen Group France</p>", b"<![CDATA[Volkswagen & cie]]>"),
            ),
        ),
        # 8: broken, concerned by nothing: still reported; then text 3's article, unconcerned
        ("a/JORFTEXT000000000071.xml", DECRET[:900]),
        (
            "a/JORFARTI000000000022.xml",
            renumbered(ARTICLE, "JORFTEXT000054861441", 21, (b"Neurochirurgie", b"Cardiologie")),
        ),
    ]
    watches = WatchSet(
        [
            WatchDefinition("neuro", ["neurochirurgie"]),
            WatchDefinition("video", ["vidéoprotection", "aéronef"]),
            WatchDefinition("vw", ["Volkswagen"]),
        ]
    )
    body = build(members)
    full = dila_archive.read_archive(body)
    followed = {"JORFTEXT000000000099"}
    first = dila_archive.read_archive(
        body, wanted=lambda text, ids: watches.may_match(text) or bool(followed & set(ids))
    )
    assert kept(first, watches, followed) == kept(full, watches, followed)
    assert set(kept(full, watches, followed)) >= {
        "JORFTEXT000000000011",
        "JORFTEXT000000000021",
        "JORFTEXT000000000031",
        "JORFTEXT000000000051",
        "CNILTEXT000000000061",
    }
    assert first.texts == full.texts == 6
    assert [d["id"] for d in first.documents] == [
        d["id"] for d in full.documents if d["id"] != "JORFTEXT000000000041"
    ]
    assert [name for name, _ in first.skipped] == [name for name, _ in full.skipped]
    assert first.skipped[0][0].endswith("71.xml") and "malformed" in first.skipped[0][1]
    bare = dila_archive.read_archive(body, wanted=lambda t, i: watches.may_match(t))
    assert kept(bare, watches, set()) == kept(full, watches, set())


def test_worker_processes_give_the_same_result(monkeypatch):
    """A large archive's members looked at in two worker processes: same documents, same
    articles, same skipped members as when everything happens in this process."""
    members = []
    for n in range(400):
        change = (b"praticiens des arm\xc3\xa9es", b"drones") if n % 7 == 0 else (b"", b"")
        members.append((f"a/T{n}.xml", renumbered(ARRETE, "JORFTEXT000054861441", n, change)))
        members.append((f"a/A{n}.xml", renumbered(ARTICLE, "JORFTEXT000054861441", n)))
        if n % 100 == 0:
            members.append((f"a/broken{n}.xml", ARRETE[:500]))
    body = build(members)
    look = FirstLook(WatchSet([WatchDefinition("drones", ["drone"])]))
    submitted = []

    class Counting(dila_archive.ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(dila_archive, "ProcessPoolExecutor", Counting)
    alone = dila_archive.read_archive(body, wanted=look, workers=1)
    assert dila_archive.read_archive(body, wanted=look, workers=2).documents == alone.documents
    assert not submitted  # a small archive: no worker started for it
    shared = dila_archive.read_archive(
        body, wanted=look, workers=2, sequential_members=50, pool_bytes=0
    )
    assert sum(submitted) == len(members) - 50  # the rest went to the workers
    assert [d["id"] for d in shared.documents] == [d["id"] for d in alone.documents]
    assert len(alone.documents) == 58 and alone.texts == shared.texts == 400
    assert shared.documents == alone.documents and shared.articles == alone.articles
    assert sorted(shared.skipped) == sorted(alone.skipped) and len(alone.skipped) == 4


def test_the_first_look_reads_every_block_a_watch_sees():
    text = dila_archive.searchable_text(ARRETE)
    assert "praticiens des arm" in text and "La ministre des arm" in text  # title, visas
    assert "N. BROSSARD" in text and "ARMK2624825A" not in text  # signatures, no metadata
    odd = ARRETE.replace(b"<VISAS>", b'<VISAS lang="fr">')  # an unexpected shape: all of it
    assert "La ministre des arm" in dila_archive.searchable_text(odd)
    article = dila_archive.searchable_text(ARTICLE, b"ARTICLE")
    assert "Neurochirurgie" in article and "Article" in article and " 2" in article
    cdata = ARRETE.replace(b"<CONTENU>", b"<CONTENU><![CDATA[x]]>")
    assert dila_archive.searchable_text(cdata) is None


def test_titles_are_found_as_the_regular_expression_finds_them():
    """``_titles`` (bytes.find) against the regular expression it replaces, on the real
    members and on random sequences of tags, unclosed and nested ones included."""
    spec = re.compile(rb"<(TITREFULL|TITRE)>(.*?)</\1>", re.S)
    for member in (ARRETE, DECRET, ARTICLE, CNIL):
        assert dila_archive._titles(member) == [t for _, t in spec.findall(member)]
    pieces = [b"<TITRE>", b"</TITRE>", b"<TITREFULL>", b"</TITREFULL>", b"x", b"<b>", b"<TITRES>"]
    pieces += [b"<TITRE", b"FULL>", b">", b"</TITRE"]
    chance = random.Random(7)
    for _ in range(20_000):
        data = b"".join(chance.choice(pieces) for _ in range(chance.randint(0, 12)))
        assert dila_archive._titles(data) == [t for _, t in spec.findall(data)], data
