"""Watches: French-aware matching of many terms at once."""

from __future__ import annotations

import pytest

from crawler.watch import WatchDefinition, WatchSet, fold

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
