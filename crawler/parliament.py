"""Assemblée nationale open data: legislative dossiers as dated parliamentary steps (pure).

Source: ``data.assemblee-nationale.fr/static/openData/repository/<leg>/loi/dossiers_legislatifs/
Dossiers_Legislatifs.json.zip``, members ``json/dossierParlementaire/DLR5L….json``. In a
dossier, ``actesLegislatifs.acteLegislatif`` is an object or a list, nested; the dated acts
are the leaves. A ``Promulgation_Type`` act carries ``infoJO.referenceNOR``, the NOR of the
law in the Journal officiel, which joins the dossier to the JORF text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

# codeActe suffix → what the step is, in the order a reader expects them
STEPS = (
    ("PROM-PUB", "promulgation de la loi"),
    ("CC-CONCLUSION", "décision du Conseil constitutionnel"),
    ("CMP-DEC", "décision de la commission mixte paritaire"),
    ("CMP-SAISIE", "convocation d'une commission mixte paritaire"),
    ("DEBATS-DEC", "vote en séance"),
    ("DEPOT", "dépôt du texte"),
)
CHAMBERS = {
    "AN": "Assemblée nationale",
    "SN": "Sénat",
    "CMP": "Commission mixte paritaire",
    "CC": "Conseil constitutionnel",
    "PROM": "Promulgation",
}
_READING = re.compile(r"^(AN|SN)(\d|NLEC|LDEF|LNOUV|LUNI)")
# CC-SAISIE-<who>: referral by deputies, senators, the Prime Minister, the President, the
# presidents of either chamber, or automatic (organic laws); there is no bare CC-SAISIE code
_REFERRAL = re.compile(r"^CC-SAISIE(?:-(AN|SN|PM|PR|PAN|PSN|DROIT))?$")
REFERRERS = {
    "AN": "par des députés",
    "SN": "par des sénateurs",
    "PM": "par le Premier ministre",
    "PR": "par le Président de la République",
    "PAN": "par le président de l'Assemblée nationale",
    "PSN": "par le président du Sénat",
    "DROIT": "de droit",
}
# each chamber's vote on the text agreed by the joint committee
_CMP_VOTE = re.compile(r"^CMP-DEBATS-(AN|SN)-DEC$")


def _acts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _acts(child)
    elif isinstance(node, dict):
        yield node
        nested = node.get("actesLegislatifs") or {}
        yield from _acts(nested.get("acteLegislatif") if isinstance(nested, dict) else None)


def step_label(code: str) -> str | None:
    """What a ``codeActe`` means for a reader, or None for acts not worth an event."""
    referral = _REFERRAL.match(code)
    if referral:
        who = REFERRERS.get(referral.group(1) or "")
        return "Saisine du Conseil constitutionnel" + (f" {who}" if who else "")
    joint = _CMP_VOTE.match(code)
    if joint:
        return f"{CHAMBERS[joint.group(1)]} — vote sur le texte de la commission mixte paritaire"
    for suffix, label in STEPS:
        if code == suffix or code.endswith("-" + suffix):
            reading = _READING.match(code)
            if reading:
                chamber = CHAMBERS[reading.group(1)]
                return f"{chamber} — {label}"
            return label[0].upper() + label[1:]
    return None


def dossier_steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The dated steps of one dossier, oldest first, as plain values."""
    dossier = document.get("dossierParlementaire") or {}
    uid = dossier.get("uid") or ""
    titles = dossier.get("titreDossier") or {}
    title = " ".join(str(titles.get("titre") or "").split())
    legislature = dossier.get("legislature") or (re.search(r"L(\d+)N", uid) or [None, ""])[1]
    url = (
        f"https://www.assemblee-nationale.fr/dyn/{legislature}/dossiers/"
        f"{titles.get('titreChemin') or uid}"
    )
    steps = []
    for act in _acts((dossier.get("actesLegislatifs") or {}).get("acteLegislatif")):
        code, when = act.get("codeActe") or "", act.get("dateActe")
        label = step_label(code)
        if not label or not when:
            continue
        try:
            day = date.fromisoformat(str(when)[:10])
        except ValueError:
            continue
        info = act.get("infoJO") or {}
        cites = [c for c in (info.get("referenceNOR"), act.get("codeLoi")) if c]
        steps.append(
            {
                "dossier": uid,
                "act": act.get("uid") or f"{uid}-{code}",
                "code": code,
                "label": label,
                "date": day,
                "title": f"{title} — {label}",
                "dossier_title": title,
                "url": url,
                "senat_url": titles.get("senatChemin") or "",
                "procedure": (dossier.get("procedureParlementaire") or {}).get("libelle") or "",
                "text": act.get("texteAssocie") or act.get("texteLoiRef") or "",
                "law_number": act.get("codeLoi") or "",
                "nor": info.get("referenceNOR") or "",
                "cites": cites,
            }
        )
    return sorted(steps, key=lambda s: (s["date"], s["act"]))
