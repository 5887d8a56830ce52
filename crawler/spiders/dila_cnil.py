"""CNIL deliberations through DILA open data: https://echanges.dila.gouv.fr/OPENDATA/CNIL/

Same listing and archive format as the JORF fund (see ``dila_jorf``), with ``TEXTE_CNIL``
members (``META_CNIL``: NUMERO, NATURE_DELIB, DATE_TEXTE, DATE_PUBLI). Publication can lag by
years (a 2012 deliberation published in 2019), so texts are recognised by CNILTEXT and
DATE_PUBLI, and the event's date stays the deliberation's.
"""

from __future__ import annotations

from typing import ClassVar

from crawler.spiders.dila_jorf import DilaJorfSpider


class DilaCnilSpider(DilaJorfSpider):
    """Deliberations of the CNIL from the DILA CNIL dumps."""

    name: ClassVar[str] = "dila_cnil"
    fund: ClassVar[str] = "CNIL"
    authority: ClassVar[int] = 30
