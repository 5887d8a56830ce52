"""DILA open-data dumps (echanges.dila.gouv.fr/OPENDATA/<FOND>/): listings, archives, members.

Pure functions: they take bytes and return values. An archive is read as a stream
(``tarfile`` mode ``r|gz``) from memory; nothing is ever written to disk, so a member named
``../../x`` or a symlink can do no harm: it is skipped and counted. XML is parsed with entity
expansion, DTD loading and network access off, so an entity bomb or an external entity is
inert. One bad member never stops the archive.

Formats (SOURCES.md §2): incremental archives ``JORF_YYYYMMDD-HHMMSS.tar.gz`` (lower-case in
2017); members ``…/texte/version/JORF/TEXT/…/JORFTEXT….xml`` (root ``TEXTE_VERSION``),
``…/article/JORF/ARTI/…/JORFARTI….xml`` (root ``ARTICLE``), ``…/cnil/…/CNILTEXT….xml`` (root
``TEXTE_CNIL``), and ``liste_suppression_<fond>.dat`` (one deleted path per line).
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass
class ArchiveContent:
    """What one archive holds, once read."""

    documents: list[dict] = field(default_factory=list)
    articles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (member, reason)
    truncated: str = ""  # why reading stopped early, if it did


def read_archive(body: bytes, max_member_bytes: int = MAX_MEMBER_BYTES) -> ArchiveContent:
    """Read every member of a ``.tar.gz`` held in memory; bad members are skipped and noted."""
    content = ArchiveContent()
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r|gz") as tar:
            for member in tar:
                _read_member(tar, member, content, max_member_bytes)
    except (tarfile.TarError, OSError, EOFError) as exc:
        content.truncated = f"{type(exc).__name__}: {exc}"
    return content


def _read_member(tar, member, content: ArchiveContent, cap: int) -> None:
    name = member.name
    if name.startswith("/") or ".." in name.split("/"):
        content.skipped.append((name, "unsafe path"))
        return
    if not member.isfile():
        if not member.isdir():
            content.skipped.append((name, "not a regular file"))
        return
    if member.size > cap:
        content.skipped.append((name, f"larger than {cap} bytes"))
        return
    data = tar.extractfile(member).read()
    base = name.rsplit("/", 1)[-1]
    if base.startswith("liste_suppression") and base.endswith(".dat"):
        content.deleted.extend(parse_deletions(data))
        return
    if not base.endswith(".xml"):
        return
    try:
        root = parse_xml(data)
    except MemberError as exc:
        content.skipped.append((name, str(exc)))
        return
    if root.tag == "ARTICLE":
        cid, number, text = parse_article(root)
        if cid:
            content.articles.setdefault(cid, []).append((number, text))
    elif root.tag in ("TEXTE_VERSION", "TEXTE_CNIL"):
        try:
            document = parse_text(root) if root.tag == "TEXTE_VERSION" else parse_cnil(root)
        except (MemberError, ValueError) as exc:
            content.skipped.append((name, str(exc)))
            return
        document["member"] = name
        content.documents.append(document)


def parse_deletions(data: bytes) -> list[str]:
    """Identifiers (JORFTEXT…, CNILTEXT…) named by a ``liste_suppression`` file."""
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        last = line.strip().rstrip("/").rsplit("/", 1)[-1]
        last = last.removesuffix(".xml")
        if re.fullmatch(r"[A-Z]{4}TEXT\d{12}", last):
            out.append(last)
    return out


def parse_xml(data: bytes) -> etree._Element:
    """Parse one member safely; entities stay unexpanded and DTDs are never fetched."""
    if b"<!ENTITY" in data[:4096] or (b"<!DOCTYPE" in data[:4096] and b"[" in data[:4096]):
        raise MemberError("document type declaration with entities refused")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MemberError(f"malformed XML: {exc}") from None


def _text(root: etree._Element, path: str) -> str:
    found = root.find(path)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return None if day >= NO_DATE else day


def _content(root: etree._Element, tag: str) -> str:
    node = root.find(f"{tag}/CONTENU")
    if node is None:
        return ""
    return " ".join(" ".join(node.itertext()).split())


def parse_text(root: etree._Element) -> dict:
    """A ``TEXTE_VERSION`` member as plain values (JORF fund)."""
    meta = "META/META_SPEC/META_TEXTE_CHRONICLE/"
    version = "META/META_SPEC/META_TEXTE_VERSION/"
    cid = _text(root, meta + "CID") or _text(root, "META/META_COMMUN/ID")
    if not re.fullmatch(r"JORFTEXT\d{12}", cid):
        raise MemberError(f"no JORFTEXT identifier ({cid!r})")
    nature = _text(root, "META/META_COMMUN/NATURE").upper()
    links = [
        link.get("cidtexte") or link.get("id") or ""
        for link in root.iterfind(version + "LIENS/LIEN")
    ]
    return {
        "id": cid,
        "origin": _text(root, "META/META_COMMUN/ORIGINE") or "JORF",
        "nature": nature,
        "eli": _text(root, "META/META_COMMUN/ID_ELI"),
        "eli_alias": _text(root, "META/META_COMMUN/ID_ELI_ALIAS")
        or _text(root, "META/META_COMMUN/ELI_ALIAS/ID_ELI_ALIAS"),
        "nor": _text(root, meta + "NOR"),
        "number": _text(root, meta + "NUM") if nature in _NUMBERED else "",
        "date_text": _date(_text(root, meta + "DATE_TEXTE")),
        "date_publi": _date(_text(root, meta + "DATE_PUBLI")),
        "publication": _text(root, meta + "ORIGINE_PUBLI"),
        "title": _text(root, version + "TITREFULL") or _text(root, version + "TITRE"),
        "authority": _text(root, version + "AUTORITE"),
        "ministry": _text(root, version + "MINISTERE"),
        "notice": _content(root, "NOTICE"),
        "visas": _content(root, "VISAS"),
        "signers": _content(root, "SIGNATAIRES"),
        "cites": sorted({c for c in links if re.fullmatch(r"[A-Z]{4}TEXT\d{12}", c)}),
    }


def parse_cnil(root: etree._Element) -> dict:
    """A ``TEXTE_CNIL`` member as plain values (CNIL fund)."""
    meta = "META/META_SPEC/META_CNIL/"
    cid = _text(root, "META/META_COMMUN/ID")
    if not re.fullmatch(r"CNILTEXT\d{12}", cid):
        raise MemberError(f"no CNILTEXT identifier ({cid!r})")
    return {
        "id": cid,
        "origin": "CNIL",
        "nature": "DELIBERATION",
        "nature_delib": _text(root, meta + "NATURE_DELIB"),
        "eli": "",
        "eli_alias": "",
        "nor": _text(root, meta + "NOR"),
        "number": _text(root, meta + "NUMERO"),
        "date_text": _date(_text(root, meta + "DATE_TEXTE")),
        "date_publi": _date(_text(root, meta + "DATE_PUBLI")),
        "publication": _text(root, meta + "ORIGINE_PUBLI"),
        "title": _text(root, meta + "TITREFULL") or _text(root, meta + "TITRE"),
        "authority": "CNIL",
        "ministry": "",
        "notice": "",
        "visas": "",
        "signers": "",
        "state": _text(root, meta + "ETAT_JURIDIQUE"),
        "body": _content(root, "BLOC_TEXTUEL"),
        "cites": [],
    }


def parse_article(root: etree._Element) -> tuple[str, str, str]:
    """(text cid, article number, article text) of an ``ARTICLE`` member."""
    context = root.find("CONTEXTE/TEXTE")
    cid = context.get("cid", "") if context is not None else ""
    number = _text(root, "META/META_SPEC/META_ARTICLE/NUM")
    return cid, number, _content(root, "BLOC_TEXTUEL")


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
