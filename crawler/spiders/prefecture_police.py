"""The Préfecture de police's orders (Paris and the petite couronne airports and events).

Source: ``https://www.prefecturedepolice.interieur.gouv.fr/actualites-et-presse/arretes/
accueil-arretes``. Format: an HTML page listing orders as links to PDFs, each with a
``dd/mm/YYYY`` date; one PDF is usually one order (« Arrêté n° 2024-00512 … »), sometimes a
recueil. The main source for Paris drone and VSA authorisations.

Limit: the real page is rendered by JavaScript; a plain fetch (all this spider does, no
browser) sees only the links present in the served HTML. When it sees none, the run says so
(a problem, not a failure) rather than reporting an empty but healthy source. Only links whose
text (or the list item around them) mentions one of ``title_terms`` are downloaded (aéronef,
drone, caméra, captation, algorithm, vidéo by default; ``title_terms = []`` downloads all).
Everything else — delay, sha256 revisions, splitting, events — is ``prefecture_raa``'s.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import scrapy

from crawler import raa
from crawler.spiders.prefecture_raa import PrefectureRaaSpider
from crawler.watch import fold
from store.identity import canonical_url

TITLE_TERMS = ("aéronef", "drone", "caméra", "captation", "algorithm", "vidéo")


class PrefecturePoliceSpider(PrefectureRaaSpider):
    """Orders linked from the Préfecture de police's orders page."""

    name: ClassVar[str] = "prefecture_police"
    whole_documents: ClassVar[bool] = True  # a PDF without heading is one order

    def __init__(self, source: dict[str, Any], **kwargs: Any):
        super().__init__(source, **kwargs)
        terms = self.options.get("title_terms", TITLE_TERMS)
        self.title_terms = [fold(str(t)) for t in terms if str(t).strip()]
        if "page_selector" not in self.options:
            self.page_selector = "a.fr-pagination__link, .pagination a, a[rel=next]"

    def pdf_links(self, response: scrapy.http.Response) -> list[tuple[str, str, date | None]]:
        """(url, title, date) of the PDF links whose text mentions a title term."""
        found = []
        for link in response.css("a[href]"):
            href = link.attrib.get("href", "").strip()
            if ".pdf" not in href.lower():
                continue
            url = canonical_url(response.urljoin(href))
            if not url.startswith(("http://", "https://")) or url in self.pdfs:
                continue
            text = " ".join(" ".join(link.css("::text").getall()).split())
            around = link.xpath(
                "ancestor::*[self::li or self::tr or self::article or self::p][1]//text()"
            ).getall()
            context = " ".join(" ".join(around).split()) or text
            if self.title_terms and not any(t in fold(context) for t in self.title_terms):
                continue
            day = raa.numeric_date(text) or raa.numeric_date(context) or raa.read_date(context)
            found.append((url, (text or context)[:500], day))
        return found

    def parse_listing(self, response: scrapy.http.Response):
        if response.status == 200 and response.meta.get("depth_", 0) == 0:
            pdfs = [h for h in response.css("a[href]::attr(href)").getall() if ".pdf" in h.lower()]
            if not pdfs:
                self.problem(
                    "no PDF link in the served page: the orders list is rendered by "
                    "JavaScript, which this spider does not run"
                )
        yield from super().parse_listing(response)
