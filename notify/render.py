"""The one Jinja environment of veilleur, for digests and the timeline site alike.

Templates come from ``templates/`` (or ``templates_dir``), never from crawled data: feed
text is only ever a value given to a template, escaped on output. The environment is
sandboxed, autoescaped (HTML and XML templates) and strict about undefined names.

Also here, since this module alone imports Jinja: ``SharedChrome``, which renders many
pages of one template with what they share rendered once (the site's event pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markupsafe
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    nodes,
    select_autoescape,
)
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


# --- many pages of one template ---------------------------------------------------------
#
# What many pages of one template share is rendered once.
#
# A site has a hundred thousand event pages made from one template that extends the site's
# base: head, header and footer are the same on every page. They are rendered once, with the
# build's context, around a marker for each block of the page's chain of templates; each page
# then renders only its blocks. The result is the page ``Template.render`` gives (tested).
#
# The pages' own values must only be used inside blocks: the environment's strict undefined
# names make a use outside them fail while the shared parts are rendered, and then every
# page is rendered whole, as it is when a block is shown more than once.


class SharedChrome:
    """Render ``name`` with ``shared`` plus each page's own values."""

    def __init__(self, env: Environment, name: str, shared: Mapping[str, Any]) -> None:
        self.template = env.get_template(name)
        # render() adds the template's globals under the values given; so does this
        self.shared = {**self.template.globals, **shared}
        self.steps: list[tuple[Callable[[Any], Iterator[str]], str]] | None = None
        self.head = ""
        self.chain: dict[str, list[Any]] = {}
        try:
            names = _chain_blocks(env, name)
            if names is None:
                return
            chrome, chain = self._marked(env, name, names)
        except TemplateError:
            return
        marks = {_mark(block): block for block in chain}
        pieces = re.split("(" + "|".join(map(re.escape, marks)) + ")", chrome)
        found = pieces[1::2]
        if len(found) != len(set(found)):  # a block shown twice: no page parts to splice
            return
        # Each block's chain as a whole render sets it up: the page's block, then its
        # ancestors' (for blocks that call super() or another block).
        self.chain = {block: blocks[1:] for block, blocks in chain.items()}
        self.head = pieces[0]
        self.steps = [
            (self.chain[marks[mark]][0], tail)
            for mark, tail in zip(found, pieces[2::2], strict=True)
        ]

    def _marked(
        self, env: Environment, name: str, blocks: list[str]
    ) -> tuple[str, dict[str, list[Any]]]:
        """The page with a marker in place of each of ``blocks``, and its blocks' chains."""
        source = f'{{% extends "{name}" %}}' + "".join(
            f"{{% block {block} %}}{_mark(block)}{{% endblock %}}" for block in blocks
        )
        marked = env.from_string(source)
        context = marked.new_context(self.shared, shared=True)
        return "".join(marked.root_render_func(context)), context.blocks

    def render(self, values: Mapping[str, Any]) -> str:
        if self.steps is None:
            return self.template.render(self.shared, **values)
        context = self.template.new_context({**self.shared, **values}, shared=True)
        context.blocks = dict(self.chain)
        out = [self.head]
        for block, tail in self.steps:
            out.extend(block(context))
            out.append(tail)
        return "".join(out)


def _chain_blocks(env: Environment, name: str) -> list[str] | None:
    """The names of the blocks of ``name`` and of the templates it extends; None when a
    template extends one named by an expression."""
    names: list[str] = []
    current: str | None = name
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        names.extend(block for block in env.get_template(current).blocks if block not in names)
        source = env.loader.get_source(env, current)[0] if env.loader else ""
        parents = list(env.parse(source).find_all(nodes.Extends))
        if not parents:
            break
        if len(parents) > 1 or not isinstance(parents[0].template, nodes.Const):
            return None
        current = parents[0].template.value
    return names


def _mark(block: str) -> str:
    return f"\x00{block}\x00"
