"""Assemblée nationale legislative dossiers (open data, Licence Ouverte):
https://data.assemblee-nationale.fr/static/openData/repository/17/loi/dossiers_legislatifs/
Dossiers_Legislatifs.json.zip

Format: a zip of JSON files, one per dossier (``json/dossierParlementaire/*.json``), rebuilt
every day. Fetched conditionally (ETag / Last-Modified); read in memory without extracting,
each member capped in size; a malformed member is counted and skipped. Every dated step
(tabled, votes, CMP, Conseil constitutionnel, promulgation) becomes a ``parliamentary_step``
event; the promulgation cites the law's NOR, so the dossier joins the JORF text.

Incremental: the archive is rebuilt (new ETag) every day while most dossiers do not change,
so the cursor keeps each member's CRC-32 and size from the zip directory; an unchanged
member is not even decompressed. ``--since`` (backfill) reads every member again.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import ClassVar

import scrapy

from crawler.base import SourceSpider
from crawler.items import EventItem
from crawler.parliament import dossier_steps

MAX_MEMBER = 5 * 1024 * 1024


class AnDossiersSpider(SourceSpider):
    """Steps of the legislative dossiers of the Assemblée nationale."""

    name: ClassVar[str] = "an_dossiers"
    authority: ClassVar[int] = 20

    async def start(self):
        yield scrapy.Request(
            self.base_url,
            callback=self.parse_archive,
            errback=self.errback_fatal,
            dont_filter=True,
            headers=self.conditional_headers(self.base_url),
            meta={"handle_httpstatus_list": [304, 403, 404]},
        )

    def parse_archive(self, response: scrapy.http.Response):
        if response.status == 304:
            self.logger_.info("%s: archive not modified since the last crawl", self.slug)
            return
        if response.status != 200:
            self.fail(f"archive answered HTTP {response.status} ({response.url})")
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(response.body))
        except zipfile.BadZipFile as exc:
            self.fail(f"not a zip archive: {exc}")
            return
        self.remember_validators(response)
        count = skipped = 0
        known = {} if self.since else dict(self.cursor.get("members") or {})
        members: dict[str, str] = {}
        for info in archive.infolist():
            if "dossierParlementaire/" not in info.filename or not info.filename.endswith(".json"):
                continue
            if info.file_size > MAX_MEMBER:
                self.problem(f"{info.filename}: larger than {MAX_MEMBER} bytes, skipped")
                continue
            fingerprint = f"{info.CRC:08x}:{info.file_size}"
            if known.get(info.filename) == fingerprint:
                members[info.filename] = fingerprint
                skipped += 1
                continue
            try:
                steps = dossier_steps(json.loads(archive.read(info)))
            except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
                self.problem(f"{info.filename}: unreadable ({type(exc).__name__})")
                continue
            members[info.filename] = fingerprint
            for step in steps:
                count += 1
                yield EventItem(
                    source=self.slug,
                    kind="parliamentary_step",
                    date=step["date"],
                    title=step["title"],
                    url=step["url"],
                    identifiers={"GUID": f"an:{step['act']}", "AN_DOSSIER": step["dossier"]},
                    cites=step["cites"],
                    details={
                        k: step[k]
                        for k in ("code", "procedure", "text", "law_number", "nor", "senat_url")
                        if step[k]
                    },
                    provenance={
                        "archive": response.url,
                        "publisher": "Assemblée nationale",
                        "licence": "Licence Ouverte",
                    },
                    authority=self.authority,
                    texts=[step["dossier_title"]],
                )
        self.next_cursor["members"] = members
        self.logger_.info(
            "%s: %d dated step(s) read, %d unchanged dossier(s) skipped", self.slug, count, skipped
        )
