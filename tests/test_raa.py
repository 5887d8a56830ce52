"""Splitting a recueil des actes administratifs into its orders (pure functions)."""

from __future__ import annotations

from datetime import date

from raa_samples import DRONE, VSA, filler_pages, recueil_pages

from crawler import raa


def pages_of(pages: list[list[str]]) -> list[str]:
    return ["\n".join(lines) for lines in pages]


def test_a_recueil_is_split_into_its_orders_with_what_each_says():
    orders = raa.split_orders(pages_of(recueil_pages()))
    # the table of contents repeats the three headings: each order comes out once
    assert [o.number for o in orders] == ["2024-00512", "2024-1234", "2024-00777"]
    drone, vsa, shop = orders
    assert drone.date == date(2024, 5, 3) and drone.page == 2
    assert drone.authority == "Le préfet de police"
    assert drone.bases == ["CSI L. 242-5"] and drone.topics == ["drones"]
    assert drone.communes == ["Paris"] and drone.purpose == "Marathon de Paris"
    assert drone.period == (date(2024, 5, 5), date(2024, 5, 5))
    assert drone.title.startswith("ARRÊTÉ n° 2024-00512 du 3 mai 2024 portant autorisation")
    assert "Le préfet de police" not in drone.title
    assert vsa.date == date(2024, 7, 20) and vsa.page == 3
    assert vsa.authority == "La préfète de la Seine-Saint-Denis"
    assert vsa.bases == ["loi n° 2023-380, art. 10"] and vsa.topics == ["vsa"]
    assert vsa.communes == ["Saint-Denis", "Aubervilliers", "La Courneuve"]
    assert vsa.purpose == "jeux Olympiques de Paris 2024"
    assert vsa.period == (date(2024, 7, 26), date(2024, 8, 11))
    assert shop.topics == [] and shop.bases == [] and shop.period is None


def test_late_publication_compares_the_recueil_date_with_the_period_start():
    drone, vsa, _ = raa.split_orders(pages_of(recueil_pages()))
    published = date(2024, 7, 25)
    assert drone.late(published)  # flown on 5 May, published on 25 July
    assert not vsa.late(published)  # published the day before the period
    assert not drone.late(date(2024, 5, 4)) and not drone.late(None)


def test_the_decision_verb_and_cited_orders_are_not_headings():
    text = (
        "Vu l'arrêté préfectoral n° 2023-45 du 3 janvier 2023 ;\n"
        "ARRÊTE :\n"
        "Article 1er - Rien.\n" + "Considérant ce qui précède ;\n" * 10
    )
    assert raa.split_orders([text]) == []


def test_upper_case_scanned_headings_numeric_dates_and_single_day_periods():
    text = (
        "ARRETE PREFECTORAL N° 13-2024-07-10-00004 DU 10/07/2024\n"
        "portant autorisation de captation d'images par des caméras installées sur des aéronefs\n"
        "LE PREFET DES BOUCHES-DU-RHONE,\n"
        "Vu le code de la sécurité intérieure, notamment son article L.242-5 ;\n"
        "ARRÊTE :\n"
        "Article 1er - La captation est autorisée sur la commune de Marseille le 14 juillet 2024"
        " de 8 h à 23 h lors du défilé du 14 juillet.\n"
        "Fait à Marseille, le 10 juillet 2024\n"
    )
    (order,) = raa.split_orders(["Page de garde", text])
    assert order.number == "13-2024-07-10-00004" and order.date == date(2024, 7, 10)
    assert order.page == 2 and order.authority == "LE PREFET DES BOUCHES-DU-RHONE"
    assert order.bases == ["CSI L. 242-5"] and order.communes == ["Marseille"]
    assert order.period == (date(2024, 7, 14), date(2024, 7, 14))


def test_an_order_without_number_is_dated_by_its_signature():
    text = (
        "ARRÊTÉ PRÉFECTORAL\nportant autorisation de l'usage de caméras installées sur des "
        "aéronefs\nLe préfet du Nord,\nVu l'article L. 242-5 du code de la sécurité intérieure ;"
        "\nARRÊTE :\nArticle 1er - Autorisé à Lille du 1er au 3 septembre 2024 à l'occasion de "
        "la Braderie de Lille.\nFait à Lille, le 28 août 2024\n"
    )
    (order,) = raa.split_orders([text])
    assert order.number == "" and order.date == date(2024, 8, 28)
    assert order.period == (date(2024, 9, 1), date(2024, 9, 3))
    assert order.purpose == "Braderie de Lille" and order.communes == []


def test_fifty_pages_of_unwatched_orders_have_no_topic():
    orders = raa.split_orders(pages_of(filler_pages(50)))
    assert len(orders) == 50
    assert all(o.topics == [] and o.bases == [] for o in orders)


def test_whole_document_reads_a_single_order_without_heading():
    order = raa.whole_document([DRONE.replace("ARRÊTÉ n° 2024-00512 du 3 mai 2024\n", "")], "")
    assert order.topics == ["drones"] and order.date == date(2024, 5, 3)
    assert order.period == (date(2024, 5, 5), date(2024, 5, 5))
    assert raa.whole_document(["", " "], "x") is None
    titled = raa.whole_document([VSA], "Arrêté n° 2024-1234 du 20/07/2024 (VSA)")
    assert titled.number == "2024-1234" and titled.title.startswith("Arrêté n° 2024-1234")


def test_the_publication_date_of_a_recueil():
    assert raa.recueil_date("https://x/RAA_92_20260820_560.pdf") == date(2026, 8, 20)
    assert raa.recueil_date("https://x/r.pdf", "RAA n° 93-2024-120 du 25 juillet 2024") == date(
        2024, 7, 25
    )
    assert raa.recueil_date("https://x/r.pdf", "Publié le 03/05/2024") == date(2024, 5, 3)
    cover = "RECUEIL DES ACTES ADMINISTRATIFS\nRecueil n° 93-2024-120 publié le 25 juillet 2024"
    assert raa.recueil_date("https://x/recueil-22-2026-273.pdf", "", cover) == date(2024, 7, 25)
    assert raa.recueil_date("https://x/recueil-22-2026-273.pdf") is None
    assert raa.numeric_date("31/02/2024") is None


def test_the_summary_says_what_where_when_and_that_it_came_late():
    drone = raa.split_orders(pages_of(recueil_pages()))[0]
    text = raa.summary(drone, date(2024, 7, 25), "ab" * 32)
    assert text.startswith("Signataire : Le préfet de police. Base légale : CSI L. 242-5.")
    assert "Période autorisée : du 05/05/2024 au 05/05/2024" in text
    assert "Page 2 du recueil (PDF sha256 abababababab)" in text
    assert text.endswith("Publié après le début de la période autorisée.")
    assert "Publié après" not in raa.summary(drone, date(2024, 5, 4), "0" * 64)
