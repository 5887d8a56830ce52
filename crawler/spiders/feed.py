"""Any RSS or Atom feed: news, NGOs, institutions. One spider, one ``[sources.<slug>]`` each:

    [sources.lqdn]
    spider = "feed"
    url = "https://www.laquadrature.net/feed/"
    kind = "news"          # or "report" (vie-publique rapports), "announcement"…

Fetched conditionally (ETag / Last-Modified). An entry is identified by its guid (a URL guid
is canonicalised; any other guid is scoped to the source), else by its canonical link
(tracking parameters such as utm_* and egn-* removed). A link to a Légifrance text adds its
JORFTEXT identifier, so the entry and the official text are one event.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import ClassVar

import scrapy

from crawler.base import SourceSpider
from crawler.feeds import parse_feed
from crawler.items import EventItem
from store.identity import canonical_url

_JORFTEXT = re.compile(r"/(?:jorf|loda)/id/(JORFTEXT\d{12})")
KINDS = {"news", "report", "announcement", "parliamentary_step", "court_decision"}


class FeedSpider(SourceSpider):
    """Entries of one RSS or Atom feed."""

    name: ClassVar[str] = "feed"
    authority: ClassVar[int] = 10

    async def start(self):
        yield scrapy.Request(
            self.base_url,
            callback=self.parse_feed,
            errback=self.errback_fatal,
            headers=self.conditional_headers(self.base_url),
            dont_filter=True,
            meta={"handle_httpstatus_list": [304, 403, 404, 410]},
        )

    def parse_feed(self, response: scrapy.http.Response):
        if response.status == 304:
            return
        if response.status != 200:
            self.fail(f"HTTP {response.status} for {response.url}")
            return
        feed = parse_feed(response.body)
        if not feed.entries:
            self.problem(
                f"no entry could be read ({feed.problem or 'empty feed'}); nothing is removed"
            )
            return
        if feed.bozo:
            self.problem(f"malformed feed, {len(feed.entries)} entries read anyway: {feed.problem}")
        self.remember_validators(response)
        kind = str(self.options.get("kind", "news"))
        if kind not in KINDS:
            kind = "news"
        today = datetime.now(UTC).date()
        for entry in feed.entries:
            link = canonical_url(response.urljoin(entry.link)) if entry.link else ""
            if link and not link.startswith(("http://", "https://")):
                link = ""
            identifiers = {}
            if entry.guid:
                identifiers["GUID"] = (
                    canonical_url(entry.guid)
                    if entry.guid.startswith(("http://", "https://"))
                    else f"{self.slug}:{entry.guid}"
                )
            if link:
                identifiers["URL"] = link
                found = _JORFTEXT.search(link)
                if found:
                    identifiers["JORFTEXT"] = found.group(1)
            if not identifiers or not entry.title:
                self.problem("an entry without title or identity was skipped")
                continue
            yield EventItem(
                source=self.slug,
                kind=kind,
                date=entry.day or today,
                title=entry.title[:1000],
                url=link,
                summary=entry.summary,
                identifiers=identifiers,
                details={
                    k: v
                    for k, v in {
                        "author": entry.author,
                        "feed": feed.title,
                        "tags": ", ".join(entry.tags),
                    }.items()
                    if v
                },
                provenance={
                    "feed": response.url,
                    "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                authority=self.authority,
                texts=entry.tags,
            )
