"""Constructed recueil text in the usual form of prefectoral orders (not a capture).

The wording follows the standard structure of drone (article L. 242-5 CSI) and VSA (article 10
of loi n° 2023-380) authorisations: heading, title, authority, visas, « ARRÊTE : », articles,
« Fait à …, le … ». Numbers, places and dates are made up for the tests.
"""

from __future__ import annotations

import textwrap

TOC = [
    "RECUEIL DES ACTES ADMINISTRATIFS",
    "Recueil n° 93-2024-120 publié le 25 juillet 2024",
    "SOMMAIRE",
    "Arrêté n° 2024-00512 du 3 mai 2024 portant autorisation ... aéronefs ........ 2",
    "Arrêté préfectoral n° 2024-1234 du 20 juillet 2024 autorisant ... algorithmiques .... 3",
    "Arrêté n° 2024-00777 du 2 mai 2024 portant autorisation d'un système de vidéoprotection 4",
]

DRONE = """ARRÊTÉ n° 2024-00512 du 3 mai 2024
portant autorisation de la captation, de l'enregistrement et de la transmission d'images au
moyen de caméras installées sur des aéronefs

Le préfet de police,
Vu le code de la sécurité intérieure, notamment ses articles L. 242-1 à L. 242-5 et R. 242-8 et
suivants ;
Vu la demande du directeur de l'ordre public et de la circulation du 29 avril 2024 ;
Considérant que le Marathon de Paris rassemble un très grand nombre de participants et de
spectateurs et que des risques de troubles graves à l'ordre public existent ;
ARRÊTE :
Article 1er - La captation, l'enregistrement et la transmission d'images au moyen de caméras
installées sur des aéronefs sont autorisés à l'occasion du Marathon de Paris, sur le territoire
de la commune de Paris, du 5 mai 2024 à 7 h 00 au 5 mai 2024 à 16 h 00.
Article 2 - Le nombre maximal de caméras pouvant procéder simultanément aux traitements est
fixé à trois.
Article 3 - Le présent arrêté sera publié au recueil des actes administratifs.
Fait à Paris, le 3 mai 2024
Pour le préfet de police et par délégation,
le directeur de cabinet"""

VSA = """Arrêté préfectoral n° 2024-1234 du 20 juillet 2024
autorisant l'emploi de traitements algorithmiques sur les images collectées au moyen de
systèmes de vidéoprotection

La préfète de la Seine-Saint-Denis,
Vu la loi n° 2023-380 du 19 mai 2023 relative aux jeux Olympiques et Paralympiques de 2024 et
portant diverses autres dispositions, notamment son article 10 ;
Vu le décret n° 2023-828 du 28 août 2023 relatif aux modalités de mise en oeuvre des
traitements algorithmiques ;
Considérant l'affluence attendue aux abords du Stade de France ;
ARRÊTE :
Article 1er - L'emploi de traitements algorithmiques sur les images collectées par les
caméras de vidéoprotection est autorisé à l'occasion des jeux Olympiques de Paris 2024, sur
le territoire des communes de Saint-Denis, Aubervilliers et La Courneuve, du 26 juillet au
11 août 2024.
Article 2 - Le présent arrêté sera publié au recueil des actes administratifs.
Fait à Bobigny, le 20 juillet 2024
La préfète"""

SHOP = """Arrêté n° 2024-00777 du 2 mai 2024
portant autorisation d'un système de vidéoprotection
Le préfet de la Seine-Saint-Denis,
Vu le code de la sécurité intérieure, notamment ses articles L. 251-1 à L. 255-1 ;
Vu la demande présentée par le gérant du commerce situé 12 rue de la Paix à Montreuil ;
ARRÊTE :
Article 1er - Le gérant est autorisé à installer un système de vidéoprotection comportant
quatre caméras intérieures, pour une durée de cinq ans renouvelable.
Fait à Bobigny, le 2 mai 2024"""


def lines(text: str, width: int = 95) -> list[str]:
    """``text`` as printed lines of at most ``width`` characters."""
    out: list[str] = []
    for line in text.splitlines():
        out.extend(textwrap.wrap(line, width) or [""])
    return out


def recueil_pages() -> list[list[str]]:
    """A four-page recueil: table of contents, the drone order, the VSA order, a shop order."""
    return [TOC, lines(DRONE), lines(VSA), lines(SHOP)]


def filler_pages(count: int) -> list[list[str]]:
    """``count`` pages of orders about nothing watched (road works, opening hours)."""
    pages = []
    for index in range(count):
        number = f"2024-{index + 2000:05d}"
        text = (
            f"Arrêté n° {number} du {index % 28 + 1} mars 2024\n"
            "portant réglementation temporaire de la circulation\n"
            "Le préfet de la Gironde,\n"
            "Vu le code de la route ;\n"
            "ARRÊTE :\n"
            "Article 1er - La circulation est interdite rue Sainte-Catherine à Bordeaux "
            f"du {index % 28 + 1} mars au 30 mars 2024 pour des travaux de voirie.\n"
            "Fait à Bordeaux, le 1er mars 2024"
        )
        pages.append(lines(text))
    return pages
