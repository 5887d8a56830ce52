"""Légifrance API through PISTE: https://api.piste.gouv.fr/dila/legifrance/lf-engine-app/

Needs an application registered on PISTE: ``client_id`` and ``client_secret`` in
``[sources.legifrance_api]``; without them the source says it is disabled and why. Sandbox
and production differ only by ``url`` and ``token_url``. Flow: OAuth2 client-credentials
token (kept for its lifetime within the run, never logged), ``lastNJo`` for the latest
issues, ``jorfCont`` for each issue not seen before, then ``jorf`` for the texts whose title
matches a watch; and ``/search`` on the JORF (titles) and CNIL (full text) funds for the watch
terms over the days since the last search, then ``jorf`` / ``cnil`` for what it finds.
HTTP 429 is honoured (``Retry-After``) by the crawl's middleware. Texts of the Journal
officiel also come through ``dila_jorf``: both land on the same event.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy

from crawler import dila, legifrance
from crawler.base import SourceSpider
from crawler.items import EventItem
from crawler.watch import WatchDefinition, WatchSet

SEEN_LIMIT = 200


class LegifranceApiSpider(SourceSpider):
    """The Journal officiel through the Légifrance API."""

    name: ClassVar[str] = "legifrance_api"
    authority: ClassVar[int] = 30

    def __init__(self, source: dict[str, Any], **kwargs: Any):
        super().__init__(source, **kwargs)
        self.token = ""
        self.token_expires = 0.0
        self.api = self.base_url.rstrip("/") + "/"
        self.requested: set[str] = set()

    async def start(self):
        client_id = str(self.options.get("client_id") or "")
        secret = str(self.options.get("client_secret") or "")
        if not client_id or not secret:
            self.disable(
                "no PISTE credentials (set client_id and client_secret in [sources.legifrance_api])"
            )
            return
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": "openid",
            }
        )
        yield scrapy.Request(
            str(self.options.get("token_url")),
            method="POST",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            callback=self.got_token,
            errback=self.errback_fatal,
            dont_filter=True,
            meta={"dont_obey_robotstxt": True, "handle_httpstatus_list": [400, 401, 403]},
        )

    def got_token(self, response: scrapy.http.Response):
        if response.status != 200:
            self.fail(f"PISTE refused the credentials (HTTP {response.status})")
            return
        payload = json.loads(response.body)
        self.token = payload.get("access_token", "")
        self.token_expires = time.monotonic() + float(payload.get("expires_in", 3600)) - 60
        if not self.token:
            self.fail("PISTE answered without an access token")
            return
        watches = self.settings.getlist("VEILLEUR_WATCHES")
        self.watches = WatchSet(
            WatchDefinition(w["slug"], w["terms"], w.get("exclude", ())) for w in watches
        )
        yield self.call(
            "consult/lastNJo",
            {"nbElement": int(self.options.get("issues", 10))},
            self.parse_issues,
            fatal=True,
        )
        terms = sorted({t for w in watches for t in w["terms"]})
        if terms:
            today = datetime.now(UTC).date()
            last = self.cursor.get("searched_until")
            start = self.since or (
                date.fromisoformat(last) - timedelta(days=7)
                if last
                else today - timedelta(days=int(self.options.get("search_days", 30)))
            )
            for fund in ("JORF", "CNIL"):
                yield self.call(
                    "search",
                    legifrance.search_body(fund, terms, start, today),
                    self.parse_search,
                    fund=fund,
                )
            self.next_cursor["searched_until"] = today.isoformat()

    def call(
        self, endpoint: str, body: dict[str, Any], callback, fatal: bool = False, **cb_kwargs: Any
    ) -> scrapy.Request:
        """A POST to the API with the bearer token."""
        return scrapy.Request(
            self.api + endpoint,
            method="POST",
            body=json.dumps(body),
            callback=callback,
            errback=self.errback_fatal if fatal else self.errback_problem,
            dont_filter=True,
            headers={
                "Authorization": f"Bearer {self.token}",
                "accept": "application/json",
                "Content-Type": "application/json",
            },
            cb_kwargs=cb_kwargs,
            meta={"dont_obey_robotstxt": True},
        )

    def parse_issues(self, response: scrapy.http.Response):
        issues = legifrance.last_n_jo(json.loads(response.body))
        seen = list(self.cursor.get("seen_issues") or [])
        fresh = [i for i in issues if i["id"] not in seen]
        self.logger_.info("%s: %d issue(s), %d new", self.slug, len(issues), len(fresh))
        for issue in fresh:
            yield self.call(
                "consult/jorfCont",
                {"id": issue["id"], "pageNumber": 1, "pageSize": 100},
                self.parse_issue,
                issue=issue,
            )
        self.next_cursor["seen_issues"] = ([i["id"] for i in fresh] + seen)[:SEEN_LIMIT]

    def parse_search(self, response: scrapy.http.Response, fund: str):
        identifiers = legifrance.search_ids(json.loads(response.body))
        self.logger_.info("%s: search of %s found %d text(s)", self.slug, fund, len(identifiers))
        for identifier in identifiers:
            if identifier in self.requested:
                continue
            self.requested.add(identifier)
            if identifier.startswith("CNILTEXT"):
                yield self.call("consult/cnil", {"textId": identifier}, self.parse_cnil)
            else:
                yield self.call(
                    "consult/jorf",
                    {"textCid": identifier},
                    self.parse_text,
                    issue={"title": "recherche JORF", "published": None},
                )

    def parse_cnil(self, response: scrapy.http.Response):
        try:
            record = legifrance.cnil_record(json.loads(response.body))
        except (ValueError, KeyError) as exc:
            self.problem(f"unreadable deliberation: {exc}")
            return
        day = record["date_text"] or record["date_publi"]
        if day is None:
            self.problem(f"{record['id']}: no date, not stored")
            return
        yield EventItem(
            source=self.slug,
            kind="cnil_deliberation",
            date=day,
            published_on=record["date_publi"],
            title=record["title"],
            url=dila.official_url(record["id"]),
            body=record["body"][:200_000],
            identifiers={
                k: v
                for k, v in {
                    "CNILTEXT": record["id"],
                    "NOR": record["nor"],
                    "NUM": record["number"],
                }.items()
                if v
            },
            provenance={
                "api": "Légifrance (PISTE) /consult/cnil",
                "licence": dila.LICENCE,
                "publisher": "DILA",
            },
            details={"nature_delib": record["nature_delib"]} if record["nature_delib"] else {},
            authority=self.authority,
        )

    def parse_issue(self, response: scrapy.http.Response, issue: dict[str, Any]):
        texts = legifrance.container_texts(json.loads(response.body))
        wanted = [t for t in texts if self.watches.match(t["title"], t["heading"])]
        self.logger_.info(
            "%s: %s — %d text(s), %d matching a watch",
            self.slug,
            issue["title"],
            len(texts),
            len(wanted),
        )
        for text in wanted:
            if text["id"] in self.requested:  # listed in several issues of this run
                continue
            self.requested.add(text["id"])
            yield self.call("consult/jorf", {"textCid": text["id"]}, self.parse_text, issue=issue)

    def parse_text(self, response: scrapy.http.Response, issue: dict[str, Any]):
        try:
            record = legifrance.text_record(json.loads(response.body))
        except (ValueError, KeyError) as exc:
            self.problem(f"unreadable text in {issue['title']}: {exc}")
            return
        day = record["date_text"] or record["date_publi"] or issue["published"]
        if day is None:
            self.problem(f"{record['id']}: no date, not stored")
            return
        yield EventItem(
            source=self.slug,
            kind=dila.kind_for(record["nature"], record["origin"]),
            date=day,
            published_on=record["date_publi"] or issue["published"],
            title=record["title"],
            url=dila.official_url(record["id"]),
            summary=record["notice"][:2000],
            body=record["body"][:200_000],
            identifiers={
                k: v
                for k, v in {
                    "JORFTEXT": record["id"],
                    "NOR": record["nor"],
                    "ELI": record["eli"],
                    "NUM": record["number"],
                }.items()
                if v
            },
            provenance={
                "api": "Légifrance (PISTE) /consult/jorf",
                "issue": issue["title"],
                "licence": dila.LICENCE,
                "publisher": "DILA",
            },
            details={"publication": record["publication"], "nature": record["nature"]},
            authority=self.authority,
            texts=[record["visas"]],
        )
