"""Pure parsing of Légifrance API responses, on the real lastNJo and jorf captures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from conftest import FILES

from crawler import legifrance

API = FILES / "legifrance_api"
LFSS_2021 = "JORFTEXT000042665307"


def load(name: str) -> dict:
    return json.loads((API / name).read_text(encoding="utf-8"))


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_paris_date_is_the_civil_day_in_paris_not_utc():
    # 23:30 UTC on 14 December is already 15 December in Paris (UTC+1 in winter)
    winter = millis(datetime(2020, 12, 14, 23, 30, tzinfo=UTC))
    assert legifrance.paris_date(winter) == date(2020, 12, 15)
    # 22:30 UTC in summer is 00:30 the next day in Paris (UTC+2); 21:30 is still the same day
    assert legifrance.paris_date(millis(datetime(2021, 7, 1, 22, 30, tzinfo=UTC))) == date(
        2021, 7, 2
    )
    assert legifrance.paris_date(millis(datetime(2021, 7, 1, 21, 30, tzinfo=UTC))) == date(
        2021, 7, 1
    )
    assert legifrance.paris_date(None) is None
    assert legifrance.paris_date(0) is None
    # the API's "no date" sentinel (2999-01-01) is no date
    assert legifrance.paris_date(millis(datetime(2999, 1, 1, tzinfo=UTC))) is None


def test_eli_date_reads_the_signature_date_and_rejects_impossible_ones():
    assert legifrance.eli_date("/eli/loi/2020/12/14/ECOX2023815L/jo/texte") == date(2020, 12, 14)
    assert legifrance.eli_date("/eli/decret/2023/8/9/IOMD2315254D/jo/texte") == date(2023, 8, 9)
    assert legifrance.eli_date("/eli/loi/2020/02/30/X/jo/texte") is None
    assert legifrance.eli_date("") is None
    assert legifrance.eli_date(None) is None
    assert legifrance.eli_date("https://example.org/eli/loi/2020/12/14/x") is None


def test_html_text_keeps_words_apart_across_line_breaks():
    fragment = "<p>Vu le code<br/>de la sécurité intérieure</p><p>Décrète</p>"
    assert legifrance.html_text(fragment) == "Vu le code de la sécurité intérieure Décrète"
    assert legifrance.html_text("") == ""
    assert legifrance.html_text(None) == ""


def test_last_n_jo_lists_the_recorded_issues_with_their_paris_day():
    issues = legifrance.last_n_jo(load("consult_lastNJo_response_2020-12-05.json"))
    assert [i["id"] for i in issues] == [
        "JORFCONT000042612872",
        "JORFCONT000042607089",
        "JORFCONT000042601748",
        "JORFCONT000042592258",
        "JORFCONT000042580121",
    ]
    first = issues[0]
    assert first["title"] == "JORF n°0294 du 5 décembre 2020"
    assert first["eli"] == "/eli/jo/2020/12/5/0294"
    # datePubli 1607126400000 is 2020-12-05 00:00 UTC: 01:00 in Paris, same day
    assert first["published"] == date(2020, 12, 5)
    assert [i["published"] for i in issues] == [date(2020, 12, d) for d in (5, 4, 3, 2, 1)]
    assert legifrance.last_n_jo({}) == []
    assert legifrance.last_n_jo({"containers": [{"titre": "sans id"}]}) == []


def test_container_texts_walks_nested_tms_keeps_headings_and_deduplicates():
    texts = legifrance.container_texts(load("consult_jorfCont_constructed.json"))
    assert [(t["id"], t["nature"], t["heading"]) for t in texts] == [
        (LFSS_2021, "LOI", "Lois"),
        ("JORFTEXT000042665400", "ARRETE", "Textes généraux"),
    ]
    assert texts[0]["title"].startswith("LOI n° 2020-1576 du 14 décembre 2020")
    assert texts[1]["ministry"] == "Ministère de l'économie"

    link = {"id": "JORFTEXT000000000001", "titre": "Décret", "nature": "DECRET"}
    deep = {"titre": "B", "tms": [{"liensTxt": [link]}]}
    top = {"titre": "A", "liensTxt": [link, {"id": "JORFCONT000000000009"}], "tms": [deep]}
    nested = {"items": [{"joCont": {"structure": {"tms": [top]}}}]}
    found = legifrance.container_texts(nested)
    # the same text listed twice is kept once, under its first heading; containers are not texts
    assert [(t["id"], t["heading"]) for t in found] == [("JORFTEXT000000000001", "A")]
    assert legifrance.container_texts({"items": [{"joCont": None}]}) == []


def test_text_record_of_the_real_lfss_2021():
    record = legifrance.text_record(load(f"consult_jorf_response_{LFSS_2021}.json"))
    assert record["id"] == LFSS_2021
    assert record["nature"] == "LOI"
    assert record["nor"] == "ECOX2023815L"
    assert record["eli"] == "/eli/loi/2020/12/14/ECOX2023815L/jo/texte"
    assert record["number"] == "2020-1576"
    assert record["date_text"] == date(2020, 12, 14)
    assert record["date_publi"] == date(2020, 12, 15)
    assert record["publication"] == "JORF n°0302 du 15 décembre 2020"
    assert record["title"] == (
        "LOI n° 2020-1576 du 14 décembre 2020 de financement de la sécurité sociale pour 2021 (1)"
    )
    assert record["visas"].startswith("L'Assemblée nationale et le Sénat ont délibéré,")
    assert "<" not in record["visas"]
    assert "contribution exceptionnelle" in record["body"]
    assert "<p" not in record["body"]


def test_text_record_without_a_text_identifier_is_refused():
    with pytest.raises(ValueError):
        legifrance.text_record({"cid": "JORFCONT000042612872"})
    with pytest.raises(ValueError):
        legifrance.text_record({})


def test_text_record_falls_back_to_the_alias_date_and_has_no_number_without_one():
    record = legifrance.text_record(
        {"cid": "JORFTEXT000000000002", "eli": "", "alias": "/eli/arrete/2021/3/4/X/jo/texte"}
    )
    assert record["date_text"] == date(2021, 3, 4)
    assert record["number"] == ""
    assert record["date_publi"] is None


def test_decisions_of_the_conseil_constitutionnel_are_constitutional_decisions():
    from crawler import dila

    assert legifrance.decision_origin("DECISION", "Décision n° 2023-850 DC du 17 mai 2023") == (
        "CONSTIT"
    )
    assert legifrance.decision_origin("DECISION", "Décision n°2020-872 QPC du 15 janvier 2021")
    assert legifrance.decision_origin("DECISION", "Décision n° 2022-5803 AN du 4 novembre 2022")
    # another authority's decision in the JORF: numbered without a Conseil constitutionnel type
    arcom = "Décision n° 2023-123 du 1er mars 2023 portant mise en demeure"
    assert legifrance.decision_origin("DECISION", arcom) == ""
    assert legifrance.decision_origin("DECISION", arcom, "Conseil constitutionnel") == "CONSTIT"
    assert legifrance.decision_origin("ARRETE", "Décision n° 2023-850 DC du 17 mai 2023") == ""

    record = legifrance.text_record(
        {
            "cid": "JORFTEXT000047562010",
            "nature": "DECISION",
            "title": "Décision n° 2023-850 DC du 17 mai 2023",
        }
    )
    assert record["origin"] == "CONSTIT"
    # the DILA fund's NATURE/ORIGINE mapping decides the kind, for both paths
    assert dila.kind_for(record["nature"], record["origin"]) == "constitutional_decision"
    lfss = legifrance.text_record(load(f"consult_jorf_response_{LFSS_2021}.json"))
    assert lfss["origin"] == "" and dila.kind_for(lfss["nature"], lfss["origin"]) == "law"
