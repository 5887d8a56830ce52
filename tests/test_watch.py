"""Watches: French-aware matching of many terms at once."""

from __future__ import annotations

import html
import re
from random import Random

import pytest
from conftest import FILES

from crawler.watch import (
    _LOOSE,
    _TABLE,
    WatchDefinition,
    WatchSet,
    _ascii,
    _forms,
    _nfkd_ascii,
    _stem,
    fold,
)

WATCHES = WatchSet(
    [
        WatchDefinition(
            "vsa",
            [
                "vidéosurveillance algorithmique",
                "traitements algorithmiques",
                "caméras augmentées",
                "vidéoprotection",
                "loi n° 2023-380",
            ],
        ),
        WatchDefinition(
            "drones",
            ["aéronef sans personne à bord", "drone", "L. 242-5"],
            exclude=["drone de loisir"],
        ),
        WatchDefinition("police", ["police municipale"]),
    ]
)


@pytest.mark.parametrize(
    ("text", "watch", "term"),
    [
        (
            "Décret relatif à la VIDÉOSURVEILLANCE ALGORITHMIQUE",
            "vsa",
            "vidéosurveillance algorithmique",
        ),
        ("un traitement algorithmique d'images", "vsa", "traitements algorithmiques"),
        ("les caméras dites « augmentées »", None, None),
        ("des caméras augmentées", "vsa", "caméras augmentées"),
        ("la vidéo-\nprotection (PDF coupé en fin de ligne)", "vsa", "vidéoprotection"),
        ("Vu la loi n°2023-380 du 19 mai 2023", "vsa", "loi n° 2023-380"),
        ("l'aéronef sans personne à bord", "drones", "aéronef sans personne à bord"),
        ("des aéronefs sans personne à bord", "drones", "aéronef sans personne à bord"),
        ("l’usage des DRONES", "drones", "drone"),
        ("article L. 242-5 du code de la sécurité intérieure", "drones", "L. 242-5"),
        ("les polices municipales", "police", "police municipale"),
        ("la vidéo pro tection", None, None),
        ("androne", None, None),
    ],
)
def test_matches(text, watch, term):
    found = WATCHES.match(text)
    if watch is None:
        assert found == {} or "vsa" not in found
    else:
        assert term in found[watch]


def test_exclusions_remove_the_watch():
    assert WATCHES.match("un drone de loisir au-dessus du parc") == {}
    assert "drones" in WATCHES.match("un drone de la préfecture")


def test_several_texts_and_watches_at_once():
    found = WATCHES.match(
        "titre sans rapport", "visas : vu la loi n° 2023-380 et l'article L. 242-5"
    )
    assert set(found) == {"vsa", "drones"}


def test_fold():
    assert fold("L'Œuvre d’aéronefs n°2023-380 « ok »") == " oeuvre aeronefs n 2023 380 ok "
    assert fold("") == "  " or fold("").strip() == ""


def _corpus() -> list[str]:
    """Real texts: the DILA members' text and the recorded feeds and API answers."""
    texts = []
    for path in sorted(FILES.rglob("*")):
        if path.suffix in (".xml", ".json") and "constructed" not in path.name:
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts.append(" ".join(re.sub(r"<[^>]*>", " ", html.unescape(raw)).split()))
    return texts


def test_every_word_is_among_the_forms_of_its_stem():
    words = {w for text in _corpus() for w in fold(text).split()}
    words |= {"locaux", "locales", "chevaux", "nationale", "aux", "als", "ales", "x", "s"}
    assert len(words) > 2000
    assert [w for w in words if w not in _forms(_stem(w))] == []


def test_the_first_look_never_misses_what_match_finds():
    """may_match is a superset of match: terms drawn from the corpus itself, with accents,
    elisions, plurals and numbers, must never be missed on any piece of it."""
    corpus = _corpus()
    random = Random(2023380)
    terms = []
    for text in corpus:
        words = text.split()
        for _ in range(40):
            start = random.randrange(len(words))
            terms.append(" ".join(words[start : start + random.randint(1, 3)]))
    watches = WatchSet(
        WatchDefinition(f"w{n}", terms[n : n + 7], exclude=terms[n + 7 : n + 8])
        for n in range(0, len(terms), 8)
    )
    pieces = [p for text in corpus for p in re.split(r"(?<=[.;:])\s", text) if p]
    matched = 0
    for piece in pieces:
        if watches.match(piece):
            matched += 1
            assert watches.may_match(piece), piece
    assert matched > len(pieces) // 10  # the property was exercised
    assert not watches.may_match("zyzzyva quokka xylophone")


def test_the_latin1_fast_path_folds_as_unicode_normalisation_does():
    random = Random(20230519)
    alphabet = [chr(c) for c in range(32, 256)] + list("œŒ’“”–—…€\u202f\u0301ﬁⅣǅ")
    for _ in range(5000):
        text = "".join(random.choice(alphabet) for _ in range(random.randint(0, 30)))
        for table in (_TABLE, _LOOSE):
            assert _ascii(text, table) == _nfkd_ascii(text).translate(table), repr(text)
