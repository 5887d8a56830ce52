"""Pure parsing of parliamentary dossiers: AN open-data JSON and the Sénat CSV."""

from __future__ import annotations

import json
from datetime import date

from conftest import FILES

from crawler import parliament
from crawler.spiders import senat_dossiers

AN = FILES / "parliament"
SENAT_CSV = FILES / "senat_dossiers" / "dossiers-legislatifs.csv"


def load(name: str) -> dict:
    return json.loads((AN / name).read_text(encoding="utf-8"))


def test_step_labels_name_the_chamber_and_skip_minor_acts():
    assert parliament.step_label("AN1-DEPOT") == "Assemblée nationale — dépôt du texte"
    assert parliament.step_label("SN1-DEPOT") == "Sénat — dépôt du texte"
    assert parliament.step_label("AN1-DEBATS-DEC") == "Assemblée nationale — vote en séance"
    assert parliament.step_label("SNNLEC-DEBATS-DEC") == "Sénat — vote en séance"
    assert parliament.step_label("ANLDEF-DEBATS-DEC") == "Assemblée nationale — vote en séance"
    assert parliament.step_label("CMP-DEC") == "Décision de la commission mixte paritaire"
    assert parliament.step_label("ANLUNI-DEBATS-DEC") == "Assemblée nationale — vote en séance"
    assert parliament.step_label("CMP-DEBATS-AN-DEC") == (
        "Assemblée nationale — vote sur le texte de la commission mixte paritaire"
    )
    assert parliament.step_label("CMP-DEBATS-SN-DEC") == (
        "Sénat — vote sur le texte de la commission mixte paritaire"
    )
    # the AN codes a referral by who made it: CC-SAISIE-AN (deputies), -SN, -PM, -PR, -DROIT…
    assert parliament.step_label("CC-SAISIE-AN") == (
        "Saisine du Conseil constitutionnel par des députés"
    )
    assert parliament.step_label("CC-SAISIE-PM") == (
        "Saisine du Conseil constitutionnel par le Premier ministre"
    )
    assert parliament.step_label("CC-SAISIE-XYZ") is None
    assert parliament.step_label("CC-CONCLUSION") == "Décision du Conseil constitutionnel"
    assert parliament.step_label("PROM-PUB") == "Promulgation de la loi"
    assert parliament.step_label("AN1-COM-FOND-SAISIE") is None
    assert parliament.step_label("SN1") is None
    assert parliament.step_label("") is None


def test_native_dossier_with_nested_object_and_list_acts():
    steps = parliament.dossier_steps(load("an_dossier_DLR5L16N46008.json"))
    # the only dated act worth an event is the Sénat's tabling; the committee referral and the
    # undated stage containers are not events
    assert [(s["code"], s["date"], s["act"]) for s in steps] == [
        ("SN1-DEPOT", date(2022, 7, 20), "L16-VD208589DI")
    ]
    step = steps[0]
    assert step["dossier"] == "DLR5L16N46008"
    assert step["label"] == "Sénat — dépôt du texte"
    assert step["title"].startswith("Projet de loi ratifiant l'ordonnance n° 2022-839")
    assert step["url"] == "https://www.assemblee-nationale.fr/dyn/16/dossiers/DLR5L16N46008"
    assert step["senat_url"] == "http://www.senat.fr/dossier-legislatif/pjl21-807.html"
    assert step["procedure"] == "Projet de loi ordinaire"
    assert step["text"] == "PRJLSNR5S379B0807"
    assert step["cites"] == []


def test_promulgation_carries_the_nor_that_joins_the_jorf_law():
    steps = parliament.dossier_steps(load("an_dossier_DLR5L17N52781_extrait.json"))
    assert [(s["code"], s["date"]) for s in steps] == [
        ("AN1-DEPOT", date(2025, 9, 16)),
        ("SN1-DEPOT", date(2025, 12, 11)),
        ("PROM-PUB", date(2026, 7, 13)),
    ]
    promulgation = steps[-1]
    assert promulgation["nor"] == "JUSF2534988L"
    assert promulgation["law_number"] == "2026-630"
    assert "JUSF2534988L" in promulgation["cites"]
    assert promulgation["act"] == "L17-VD233231PL"
    assert promulgation["url"] == (
        "https://www.assemblee-nationale.fr/dyn/17/dossiers/"
        "_droit_avocat_mesure_assistance_educative_17e"
    )
    # each step is unique by dossier and act
    assert len({(s["dossier"], s["act"]) for s in steps}) == len(steps)


def test_date_is_the_civil_date_written_in_the_act_even_with_an_offset():
    document = {
        "dossierParlementaire": {
            "uid": "DLR5L17N1",
            "titreDossier": {"titre": "Essai"},
            "actesLegislatifs": {
                "acteLegislatif": {
                    "uid": "E",
                    "codeActe": "AN1",
                    "actesLegislatifs": {
                        "acteLegislatif": [
                            {
                                "uid": "A",
                                "codeActe": "AN1-DEPOT",
                                "dateActe": "2024-01-31T23:00+01:00",
                            },
                            {"uid": "B", "codeActe": "AN1-DEBATS-DEC", "dateActe": "pas une date"},
                            {"uid": "C", "codeActe": "CMP-SAISIE", "dateActe": None},
                        ]
                    },
                }
            },
        }
    }
    steps = parliament.dossier_steps(document)
    assert [(s["act"], s["date"]) for s in steps] == [("A", date(2024, 1, 31))]
    assert parliament.dossier_steps({}) == []


def test_senat_csv_is_read_as_latin1_with_semicolons():
    body = SENAT_CSV.read_bytes()
    body.decode("latin-1")  # the fixture is in the documented encoding
    rows = senat_dossiers.rows(body)
    assert len(rows) == 3
    first = rows[0]
    assert first["Titre"] == "Jeux Olympiques et Paralympiques de 2024"
    assert first["État du dossier"] == "promulgué"
    assert first["Numéro de la loi"] == "2023-380"
    assert first["Thèmes"] == "Sports, Police et sécurité"
    assert rows[2]["Date de promulgation"] == ""


def test_senat_csv_with_a_utf8_bom_is_read_as_utf8():
    text = "Titre;État du dossier\nSûreté;promulgué\n"
    rows = senat_dossiers.rows(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert rows == [{"Titre": "Sûreté", "État du dossier": "promulgué"}]


def test_senat_dates_in_both_formats():
    assert senat_dossiers.parse_day("19/05/2023") == date(2023, 5, 19)
    assert senat_dossiers.parse_day("2023-05-19") == date(2023, 5, 19)
    assert senat_dossiers.parse_day(" 28/04/2025 ") == date(2025, 4, 28)
    assert senat_dossiers.parse_day("31/02/2023") is None
    assert senat_dossiers.parse_day("") is None


def test_cc_referrals_and_joint_committee_votes_are_steps_of_the_dossier():
    def act(uid: str, code: str, day: str) -> dict:
        return {"uid": uid, "codeActe": code, "dateActe": f"{day}T00:00:00.000+02:00"}

    document = {
        "dossierParlementaire": {
            "uid": "DLR5L16N1",
            "legislature": "16",
            "titreDossier": {"titre": "Jeux Olympiques", "titreChemin": "jop_2024"},
            "actesLegislatifs": {
                "acteLegislatif": [
                    {
                        "uid": "CMP",
                        "codeActe": "CMP",
                        "actesLegislatifs": {
                            "acteLegislatif": [
                                act("c1", "CMP-DEC", "2023-04-04"),
                                act("c2", "CMP-DEBATS-SN-DEC", "2023-04-12"),
                                act("c3", "CMP-DEBATS-AN-DEC", "2023-04-12"),
                            ]
                        },
                    },
                    {
                        "uid": "CC",
                        "codeActe": "CC",
                        "actesLegislatifs": {
                            "acteLegislatif": [
                                act("s1", "CC-SAISIE-AN", "2023-04-17"),
                                act("s2", "CC-SAISIE-SN", "2023-04-17"),
                                act("d1", "CC-CONCLUSION", "2023-05-17"),
                            ]
                        },
                    },
                ]
            },
        }
    }
    steps = parliament.dossier_steps(document)
    assert [(s["act"], s["date"]) for s in steps] == [
        ("c1", date(2023, 4, 4)),
        ("c2", date(2023, 4, 12)),
        ("c3", date(2023, 4, 12)),
        ("s1", date(2023, 4, 17)),
        ("s2", date(2023, 4, 17)),
        ("d1", date(2023, 5, 17)),
    ]
    by_act = {s["act"]: s for s in steps}
    assert by_act["s1"]["label"] == "Saisine du Conseil constitutionnel par des députés"
    assert by_act["s2"]["label"] == "Saisine du Conseil constitutionnel par des sénateurs"
    assert by_act["d1"]["label"] == "Décision du Conseil constitutionnel"
    assert by_act["c3"]["title"] == (
        "Jeux Olympiques — Assemblée nationale — vote sur le texte de la commission mixte paritaire"
    )
