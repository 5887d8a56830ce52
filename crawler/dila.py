"""DILA open-data dumps (echanges.dila.gouv.fr/OPENDATA/<FOND>/): listings, archives, members.

Pure functions: they take bytes and return values. Archives are read by ``dila_archive``,
as a stream from memory; nothing is ever written to disk, so a member named ``../../x`` or
a symlink can do no harm: it is skipped and counted. XML is parsed with entity
expansion, DTD loading and network access off, so an entity bomb or an external entity is
inert. One bad member never stops the archive.

Formats (SOURCES.md §2): incremental archives ``JORF_YYYYMMDD-HHMMSS.tar.gz`` (lower-case in
2017); members ``…/texte/version/JORF/TEXT/…/JORFTEXT….xml`` (root ``TEXTE_VERSION``),
``…/article/JORF/ARTI/…/JORFARTI….xml`` (root ``ARTICLE``), ``…/cnil/…/CNILTEXT….xml`` (root
``TEXTE_CNIL``), and ``liste_suppression_<fond>.dat`` (one deleted path per line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

ARCHIVE = re.compile(r"^(?P<fund>[A-Za-z]+)_(?P<day>\d{8})-(?P<time>\d{6})\.tar\.gz$")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
NO_DATE = date(2999, 1, 1)
LICENCE = "DILA — Licence Ouverte / Etalab 2.0"
MAX_MEMBER_BYTES = 20 * 1024 * 1024
# NATURE → event kind. Texts of other natures (CIRCULAIRE, INSTRUCTION, …) are kept as orders
# only when a watch matches them; the mapping says what they are, not whether they are kept.
KINDS = {
    "LOI": "law",
    "LOI_CONSTIT": "law",
    "LOI_ORGANIQUE": "law",
    "ORDONNANCE": "law",
    "DECRET": "decree",
    "DECRET_LOI": "decree",
    "ARRETE": "order",
    "DECISION": "court_decision",
    "AVIS": "report",
    "RAPPORT": "report",
    "DELIBERATION": "cnil_deliberation",
}
_NUMBERED = {"LOI", "LOI_CONSTIT", "LOI_ORGANIQUE", "ORDONNANCE", "DECRET", "DECRET_LOI"}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


class MemberError(ValueError):
    """A member that cannot be read as a DILA document."""


@dataclass(frozen=True)
class Archive:
    """One archive of a listing: its name, fund and delivery time."""

    name: str
    fund: str
    stamp: str  # YYYYMMDD-HHMMSS, sorts chronologically

    @property
    def day(self) -> date:
        return datetime.strptime(self.stamp[:8], "%Y%m%d").date()


def kind_for(nature: str, origin: str = "", author: str = "") -> str:
    """The event kind of a DILA text from its NATURE (and origin for decisions and avis)."""
    nature = (nature or "").upper()
    if origin.upper() == "CNIL" or nature == "DELIBERATION":
        return "cnil_deliberation"
    if nature == "DECISION" and ("CONSTIT" in origin.upper() or "constitutionnel" in author):
        return "constitutional_decision"
    if nature == "AVIS" and "CNIL" in author.upper():
        return "cnil_deliberation"
    return KINDS.get(nature, "order")


def parse_listing(html: bytes | str, fund: str) -> list[Archive]:
    """The archives of ``fund`` named in an Apache index page, oldest first."""
    if isinstance(html, bytes):
        html = html.decode("latin-1")
    found = {}
    for href in _HREF.findall(html):
        name = href.rsplit("/", 1)[-1]
        match = ARCHIVE.match(name)
        if match and match.group("fund").upper() == fund.upper():
            stamp = f"{match.group('day')}-{match.group('time')}"
            found[name] = Archive(name, fund.upper(), stamp)
    return sorted(found.values(), key=lambda a: a.stamp)


def parse_deletions(data: bytes) -> list[str]:
    """Identifiers (JORFTEXT…, CNILTEXT…) named by a ``liste_suppression`` file."""
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        last = line.strip().rstrip("/").rsplit("/", 1)[-1]
        last = last.removesuffix(".xml")
        if re.fullmatch(r"[A-Z]{4}TEXT\d{12}", last):
            out.append(last)
    return out


def refusal(data: bytes) -> str:
    """Why a member is refused before parsing (a document type declaring entities), or ""."""
    if data.find(b"!", 0, 4096) < 0:  # no declaration in the head (one byte: memchr)
        return ""
    if data.find(b"<!ENTITY", 0, 4096) >= 0 or (
        data.find(b"<!DOCTYPE", 0, 4096) >= 0 and data.find(b"[", 0, 4096) >= 0
    ):
        return "document type declaration with entities refused"
    return ""


def parse_xml(data: bytes) -> etree._Element:
    """Parse one member safely; entities stay unexpanded and DTDs are never fetched."""
    refused = refusal(data)
    if refused:
        raise MemberError(refused)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MemberError(f"malformed XML: {exc}") from None


def _flat(node: etree._Element | None) -> str:
    """The text of ``node`` and its descendants, whitespace folded ("" if absent)."""
    if node is None:
        return ""
    text = "".join(node.itertext()) if len(node) else node.text
    return " ".join(text.split()) if text else ""


def _fields(node: etree._Element | None) -> dict[str, str]:
    """The folded text of each child element of ``node``, by tag (the first of a tag wins).

    One pass over a metadata block instead of one path lookup per field: metadata blocks
    hold a dozen leaves, and a DILA archive tens of thousands of blocks.
    """
    out: dict[str, str] = {}
    if node is None:
        return out
    for child in node:
        tag = child.tag
        if isinstance(tag, str) and tag not in out:
            out[tag] = _flat(child)
    return out


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return None if day >= NO_DATE else day


def _content(node: etree._Element | None) -> str:
    """The text of a ``<NOTICE>``-like block's ``CONTENU``, paragraphs separated."""
    node = node.find("CONTENU") if node is not None else None
    if node is None:
        return ""
    text = " ".join(node.itertext()) if len(node) else node.text
    return " ".join(text.split()) if text else ""


def _blocks(root: etree._Element) -> dict[str, etree._Element]:
    """The top-level children of a member, by tag (the first of a tag wins)."""
    out: dict[str, etree._Element] = {}
    for child in root:
        if isinstance(child.tag, str):
            out.setdefault(child.tag, child)
    return out


_TEXT_ID = re.compile(r"[A-Z]{4}TEXT\d{12}")


def parse_text(root: etree._Element) -> dict:
    """A ``TEXTE_VERSION`` member as plain values (JORF fund)."""
    blocks = _blocks(root)
    meta = blocks.get("META")
    common_node = meta.find("META_COMMUN") if meta is not None else None
    spec = meta.find("META_SPEC") if meta is not None else None
    version_node = spec.find("META_TEXTE_VERSION") if spec is not None else None
    common = _fields(common_node)
    chronicle = _fields(spec.find("META_TEXTE_CHRONICLE") if spec is not None else None)
    version = _fields(version_node)
    cid = chronicle.get("CID") or common.get("ID", "")
    if not re.fullmatch(r"JORFTEXT\d{12}", cid):
        raise MemberError(f"no JORFTEXT identifier ({cid!r})")
    nature = common.get("NATURE", "").upper()
    alias = common.get("ID_ELI_ALIAS", "")
    if not alias and common_node is not None:
        alias = _flat(common_node.find("ELI_ALIAS/ID_ELI_ALIAS"))
    links = version_node.find("LIENS") if version_node is not None else None
    cites = set()
    for link in links.iterfind("LIEN") if links is not None else ():
        cited = link.get("cidtexte") or link.get("id") or ""
        if _TEXT_ID.fullmatch(cited):
            cites.add(cited)
    return {
        "id": cid,
        "origin": common.get("ORIGINE") or "JORF",
        "nature": nature,
        "eli": common.get("ID_ELI", ""),
        "eli_alias": alias,
        "nor": chronicle.get("NOR", ""),
        "number": chronicle.get("NUM", "") if nature in _NUMBERED else "",
        "date_text": _date(chronicle.get("DATE_TEXTE", "")),
        "date_publi": _date(chronicle.get("DATE_PUBLI", "")),
        "publication": chronicle.get("ORIGINE_PUBLI", ""),
        "title": version.get("TITREFULL") or version.get("TITRE", ""),
        "authority": version.get("AUTORITE", ""),
        "ministry": version.get("MINISTERE", ""),
        "notice": _content(blocks.get("NOTICE")),
        "visas": _content(blocks.get("VISAS")),
        "signers": _content(blocks.get("SIGNATAIRES")),
        "cites": sorted(cites),
    }


def parse_cnil(root: etree._Element) -> dict:
    """A ``TEXTE_CNIL`` member as plain values (CNIL fund)."""
    blocks = _blocks(root)
    meta = blocks.get("META")
    common = _fields(meta.find("META_COMMUN") if meta is not None else None)
    cnil = _fields(meta.find("META_SPEC/META_CNIL") if meta is not None else None)
    cid = common.get("ID", "")
    if not re.fullmatch(r"CNILTEXT\d{12}", cid):
        raise MemberError(f"no CNILTEXT identifier ({cid!r})")
    return {
        "id": cid,
        "origin": "CNIL",
        "nature": "DELIBERATION",
        "nature_delib": cnil.get("NATURE_DELIB", ""),
        "eli": "",
        "eli_alias": "",
        "nor": cnil.get("NOR", ""),
        "number": cnil.get("NUMERO", ""),
        "date_text": _date(cnil.get("DATE_TEXTE", "")),
        "date_publi": _date(cnil.get("DATE_PUBLI", "")),
        "publication": cnil.get("ORIGINE_PUBLI", ""),
        "title": cnil.get("TITREFULL") or cnil.get("TITRE", ""),
        "authority": "CNIL",
        "ministry": "",
        "notice": "",
        "visas": "",
        "signers": "",
        "state": cnil.get("ETAT_JURIDIQUE", ""),
        "body": _content(blocks.get("BLOC_TEXTUEL")),
        "cites": [],
    }


def parse_article(root: etree._Element) -> tuple[str, str, str]:
    """(text cid, article number, article text) of an ``ARTICLE`` member."""
    blocks = _blocks(root)
    context = blocks.get("CONTEXTE")
    context = context.find("TEXTE") if context is not None else None
    cid = context.get("cid", "") if context is not None else ""
    meta = blocks.get("META")
    number = _flat(meta.find("META_SPEC/META_ARTICLE/NUM") if meta is not None else None)
    return cid, number, _content(blocks.get("BLOC_TEXTUEL"))


def official_url(identifier: str) -> str:
    """The human link on Légifrance for a JORFTEXT or CNILTEXT identifier."""
    if identifier.startswith("CNILTEXT"):
        return f"https://www.legifrance.gouv.fr/cnil/id/{identifier}"
    return f"https://www.legifrance.gouv.fr/jorf/id/{identifier}"


def iter_bodies(document: dict, articles: dict[str, list[tuple[str, str]]]) -> Iterator[str]:
    """The pieces of text a watch is matched against: notice, visas, body and articles."""
    yield document.get("notice", "")
    yield document.get("visas", "")
    yield document.get("body", "")
    for number, text in articles.get(document["id"], []):
        yield f"Article {number} {text}".strip()
