"""Sénat legislative dossiers (data.senat.fr): https://data.senat.fr/data/dosleg/dossiers-legislatifs.csv

Format: ``;``-separated CSV in ISO-8859-1, one row per dossier, updated nightly; the key is
``URL du dossier`` (the AN's ``senatChemin``). Each dated column becomes a step: the
dossier's start, the Conseil constitutionnel's decision, the promulgation (which cites the
law's number, joining the dossier to the law). Dates are read as dd/mm/yyyy or ISO.
Fetched conditionally (ETag / Last-Modified).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import ClassVar

import scrapy

from crawler.base import SourceSpider
from crawler.items import EventItem

STEPS = (
    ("Date initiale", "début de la procédure au Sénat"),
    ("Date de la décision", "décision du Conseil constitutionnel"),
    ("Date de promulgation", "promulgation de la loi"),
)


def parse_day(text: str) -> date | None:
    """A dd/mm/yyyy or yyyy-mm-dd date, or None."""
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def rows(body: bytes) -> list[dict[str, str]]:
    """The rows of the CSV (ISO-8859-1, or UTF-8 when it is declared so by a BOM)."""
    text = body[3:].decode("utf-8") if body.startswith(b"\xef\xbb\xbf") else body.decode("latin-1")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


class SenatDossiersSpider(SourceSpider):
    """Dated steps of the Sénat's legislative dossiers."""

    name: ClassVar[str] = "senat_dossiers"
    authority: ClassVar[int] = 20

    async def start(self):
        yield scrapy.Request(
            self.base_url,
            callback=self.parse_csv,
            errback=self.errback_fatal,
            headers=self.conditional_headers(self.base_url),
            dont_filter=True,
            meta={"handle_httpstatus_list": [304, 403, 404]},
        )

    def parse_csv(self, response: scrapy.http.Response):
        if response.status == 304:
            return
        if response.status != 200:
            self.fail(f"HTTP {response.status} for {response.url}")
            return
        self.remember_validators(response)
        for row in rows(response.body):
            url = (row.get("URL du dossier") or "").strip()
            title = " ".join((row.get("Titre") or "").split())
            if not url or not title:
                self.problem("a row without title or URL was skipped")
                continue
            number = (row.get("Numéro de la loi") or "").strip()
            for column, label in STEPS:
                day = parse_day(row.get(column, ""))
                if day is None:
                    continue
                promulgation = column == "Date de promulgation"
                details = {
                    "type": row.get("Type de dossier", ""),
                    "state": row.get("État du dossier", ""),
                }
                if column == "Date de la décision" and row.get("Décision du CC"):
                    details["decision"] = row["Décision du CC"]
                yield EventItem(
                    source=self.slug,
                    kind="parliamentary_step",
                    date=day,
                    title=f"{title} — Sénat — {label}"
                    + (f" (loi n° {number})" if promulgation and number else ""),
                    url=url,
                    identifiers={"GUID": f"senat:{url}#{column}"},
                    cites=[number] if promulgation and number else [],
                    details={k: v for k, v in details.items() if v},
                    provenance={"file": response.url, "publisher": "Sénat"},
                    authority=self.authority,
                    texts=[row.get("Thèmes", "")],
                )
