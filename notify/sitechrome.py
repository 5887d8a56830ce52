"""Many pages of one template, rendered fast: what they share is rendered once.

A site has a hundred thousand event pages made from one template that extends the site's
base: head, header and footer are the same on every page. They are rendered once, with the
build's context, around a marker for each block of the page's chain of templates; each page
then renders only its blocks. The result is the page ``Template.render`` gives (tested).

The pages' own values must only be used inside blocks: the environment's strict undefined
names make a use outside them fail while the shared parts are rendered, and then every
page is rendered whole, as it is when a block is shown more than once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jinja2 import Environment, TemplateError, nodes


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
