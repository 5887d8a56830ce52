"""The Légifrance API (DILA, through PISTE): request bodies and responses (pure functions).

Endpoints used (Swagger "Légifrance" 2.4.2): ``POST /consult/lastNJo`` (the latest issues of
the Journal officiel), ``POST /consult/jorfCont`` (one issue's table of contents, nested
``tms`` with ``liensTxt``), ``POST /consult/jorf`` (one text). Dates of the consult endpoints
are epoch milliseconds; the date of a text is read from its ELI (``/eli/loi/2020/12/14/…``),
the official identifier that carries the signature date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lxml import html as lxml_html

PARIS = ZoneInfo("Europe/Paris")
_ELI_DATE = re.compile(r"^/eli/[a-z_]+/(\d{4})/(\d{1,2})/(\d{1,2})/")
_ELI_NUMBER = re.compile(r"/(\d{4}-\d+)/jo/texte$")
_TEXT_ID = re.compile(r"^JORFTEXT\d{12}$")
# "Décision n° 2023-850 DC du 17 mai 2023": the Conseil constitutionnel's numbering (year,
# number, type: DC, QPC, LP, LOM, FNR, ORGA, REF, PDR, ELEC, AN, SEN, D, I, L). Other
# authorities publishing decisions in the JORF (Arcom, ARCEP…) number theirs without a type.
_CC_DECISION = re.compile(
    r"^D[ée]cision\s+n[°o]\s*(\d{4}-\d+)\s*(DC|QPC|LP|LOM|FNR|ORGA|REF|PDR|ELEC|AN|SEN|D|I|L)\s+du\b",
    re.IGNORECASE,
)


def paris_date(milliseconds: int | None) -> date | None:
    """The Europe/Paris calendar day of an epoch-milliseconds timestamp (None if absent)."""
    if not milliseconds:
        return None
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=UTC).astimezone(PARIS)
    return None if moment.year >= 2999 else moment.date()


def eli_date(eli: str | None) -> date | None:
    """The date written in an ELI path, or None."""
    match = _ELI_DATE.match(eli or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def html_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment of the API."""
    if not fragment:
        return ""
    fragment = fragment.replace("<br", " <br").replace("</p>", "</p> ")
    try:
        return " ".join(lxml_html.fromstring(f"<div>{fragment}</div>").text_content().split())
    except (ValueError, lxml_html.etree.ParserError):
        return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def last_n_jo(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The issues listed by ``lastNJo``: id, title, publication day, ELI."""
    return [
        {
            "id": c["id"],
            "title": c.get("titre", ""),
            "eli": c.get("idEli", ""),
            "published": paris_date(c.get("datePubli")),
        }
        for c in response.get("containers") or []
        if c.get("id")
    ]


def container_texts(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The texts of one issue's table of contents (``jorfCont``), in order, deduplicated."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], heading: str) -> Iterator[dict[str, Any]]:
        for link in node.get("liensTxt") or node.get("liens") or []:
            yield {**link, "heading": heading}
        for child in node.get("tms") or []:
            yield from walk(child, child.get("titre") or heading)

    for item in response.get("items") or []:
        structure = (item.get("joCont") or {}).get("structure") or {}
        for link in walk(structure, ""):
            identifier = link.get("id") or ""
            if _TEXT_ID.match(identifier) and identifier not in found:
                found[identifier] = {
                    "id": identifier,
                    "title": link.get("titre", ""),
                    "nature": link.get("nature") or "",
                    "ministry": link.get("ministere") or "",
                    "heading": link["heading"],
                }
    return list(found.values())


def decision_origin(nature: str, title: str, heading: str = "") -> str:
    """``CONSTIT`` for a decision of the Conseil constitutionnel, else "".

    The consult responses carry no origin; the title's numbering (``… n° 2023-850 DC du …``)
    or the issue's heading says it. Fed to ``dila.kind_for`` as the DILA ``ORIGINE``.
    """
    if (nature or "").upper() != "DECISION":
        return ""
    title = " ".join((title or "").split())
    if _CC_DECISION.match(title) or "conseil constitutionnel" in (heading or "").lower():
        return "CONSTIT"
    return ""


def _articles(sections: list[dict[str, Any]]) -> Iterator[str]:
    for section in sections or []:
        for article in section.get("articles") or []:
            text = html_text(article.get("content"))
            if text:
                yield f"Article {article.get('num') or ''} {text}".strip()
        yield from _articles(section.get("sections") or [])


def text_record(response: dict[str, Any]) -> dict[str, Any]:
    """One text (``/consult/jorf`` or ``getJoWithNor``) as plain values."""
    cid = response.get("cid") or ""
    if not _TEXT_ID.match(cid):
        raise ValueError(f"no JORFTEXT identifier in the response ({cid!r})")
    eli = response.get("eli") or ""
    alias = response.get("alias") or ""
    number = _ELI_NUMBER.search(alias)
    body = [html_text(a.get("content")) for a in response.get("articles") or []]
    body += list(_articles(response.get("sections") or []))
    title = " ".join((response.get("title") or "").split())
    nature = (response.get("nature") or "").upper()
    return {
        "id": cid,
        "title": title,
        "nature": nature,
        "origin": decision_origin(nature, title),
        "nor": response.get("nor") or "",
        "eli": eli,
        "alias": alias,
        "number": number.group(1) if number else "",
        "date_text": eli_date(eli) or eli_date(alias),
        "date_publi": paris_date(response.get("dateParution")),
        "publication": response.get("jorfText") or "",
        "notice": html_text(response.get("notice")),
        "visas": html_text(response.get("visa")),
        "body": " ".join(t for t in body if t),
    }


def search_body(
    fund: str, terms: list[str], start: date, end: date, page: int = 1, size: int = 50
) -> dict[str, Any]:
    """A ``/search`` request: any of ``terms`` (exact phrases) in a date window, newest first.

    JORF is searched in titles and sorted by publication; CNIL in the whole text, by date of
    deliberation.
    """
    field, facet, sort = (
        ("TITLE", "DATE_PUBLICATION", "PUBLICATION_DATE_DESC")
        if fund == "JORF"
        else ("ALL", "DATE_DELIB", "DATE_DECISION_DESC")
    )
    return {
        "fond": fund,
        "recherche": {
            "champs": [
                {
                    "typeChamp": field,
                    "operateur": "OU",
                    "criteres": [
                        {"typeRecherche": "EXACTE", "valeur": term, "operateur": "OU"}
                        for term in terms
                    ],
                }
            ],
            "filtres": [
                {"facette": facet, "dates": {"start": start.isoformat(), "end": end.isoformat()}}
            ],
            "pageNumber": page,
            "pageSize": size,
            "sort": sort,
            "operateur": "ET",
            "typePagination": "DEFAUT",
        },
    }


def search_ids(response: dict[str, Any]) -> list[str]:
    """The text identifiers (JORFTEXT / CNILTEXT) a ``/search`` response lists, in order."""
    found: list[str] = []
    for result in response.get("results") or []:
        for title in result.get("titles") or []:
            identifier = title.get("cid") or title.get("id") or ""
            identifier = identifier.split("_")[0]
            if re.fullmatch(r"(JORF|CNIL)TEXT\d{12}", identifier) and identifier not in found:
                found.append(identifier)
    return found


def cnil_record(response: dict[str, Any]) -> dict[str, Any]:
    """One deliberation (``/consult/cnil``) as plain values."""
    text = response.get("text") or {}
    cid = (text.get("id") or "").split("_")[0]
    if not re.fullmatch(r"CNILTEXT\d{12}", cid):
        raise ValueError(f"no CNILTEXT identifier in the response ({cid!r})")
    return {
        "id": cid,
        "title": " ".join((text.get("titre") or "").split()),
        "number": text.get("num") or "",
        "nature_delib": text.get("natureDelib") or "",
        "nor": text.get("nor") or "",
        "date_text": paris_date(text.get("dateTexte")),
        "date_publi": paris_date(text.get("datePubli")),
        "body": html_text(text.get("texteHtml")),
    }
