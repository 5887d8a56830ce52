"""The one Jinja environment of veilleur, for digests and the timeline site alike.

Templates come from ``templates/`` (or ``templates_dir``), never from crawled data: feed
text is only ever a value given to a template, escaped on output. The environment is
sandboxed, autoescaped (HTML and XML templates) and strict about undefined names.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import markupsafe
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from notify.digest import shown_identifiers

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: date, precision: str = "day") -> str:
    """« 19 mai 2023 », « 1er mars 2025 », or « mars 2027 » for a month-precision date."""
    month = MONTHS[day.month - 1]
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{month} {day.year}"
    return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else an empty string (no ``javascript:`` or ``data:``)."""
    if not url:
        return ""
    url = url.strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


_ESCAPE_INNER = getattr(markupsafe, "_escape_inner", None)
_MARKUP = str.__new__


def _escape(value: object) -> markupsafe.Markup:
    """``markupsafe.escape``, a Python call shorter for text (the common case): the site
    escapes a few million values per build."""
    if type(value) is str:
        return _MARKUP(markupsafe.Markup, _ESCAPE_INNER(value))  # type: ignore[misc]
    return markupsafe.escape(value)


class _Template(Template):
    """Templates whose autoescaping calls ``_escape`` (same output as ``markupsafe.escape``)."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__  # the template's module
        if _ESCAPE_INNER is not None and namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = _escape
        return template


@cache
def environment(
    templates_dir: str | Path = TEMPLATES, sandboxed: bool = True
) -> ImmutableSandboxedEnvironment | Environment:
    """The shared environment for ``templates_dir`` (cached per directory).

    Sandboxed by default. The static site renders a hundred thousand pages from the project's
    own templates with crawled text only as values, and asks for ``sandboxed=False`` for
    speed; autoescaping and strict undefined names stay on in both.
    """
    options = {
        "loader": FileSystemLoader(str(templates_dir)),
        "autoescape": select_autoescape(
            ("html", "htm", "xml", "atom", "svg"), default_for_string=True
        ),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    env = ImmutableSandboxedEnvironment(**options) if sandboxed else Environment(**options)
    env.template_class = _Template
    env.filters["french_date"] = french_date
    env.filters["safe_url"] = safe_url
    return env


KIND_LABELS = {
    "law": "Loi",
    "decree": "Décret",
    "order": "Arrêté",
    "cnil_deliberation": "CNIL",
    "constitutional_decision": "Conseil constitutionnel",
    "court_decision": "Décision",
    "report": "Rapport",
    "parliamentary_step": "Parlement",
    "announcement": "Annonce",
    "deadline": "Échéance",
    "news": "Presse",
}


def kind_label(kind: str) -> str:
    """The French label of an event kind."""
    return KIND_LABELS.get(kind, kind)


def render_digest(
    digest, links: dict[str, str], today: date, templates_dir: str | Path = TEMPLATES
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a digest; crawled text is only ever a value."""
    env = environment(templates_dir)
    context = {
        "digest": digest,
        "links": links,
        "today": today,
        "ids": shown_identifiers,
        "label": kind_label,
    }
    count = digest.count
    subject = f"Veilleur — {count} nouveauté{'s' if count > 1 else ''} ({french_date(today)})"
    return (
        subject,
        env.get_template("digest.txt").render(context),
        env.get_template("digest.html").render(context),
    )
