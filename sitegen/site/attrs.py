"""The link check's attributes as the templates write them (链接记录): every href, src, data-back and id a theme's
templates write into a page, noted while the page is rendered, so that the link check (plan.LinkCheck) need not
read each page again to find them (~25 µs a page: a regex over the page and a pass over its links).

A template is changed once, when it is parsed (`note`): each such attribute its literal text opens becomes a call
(`noted_call`), which writes the value exactly as Jinja would have (its literal parts and each expression printed by the
environment's `printed`) and notes it (`Notes.noted`). Exactly what plan._found would read from the page is noted,
in the page's order, when three things hold, and the page is read again (plan._found) when one does not:

- what the templates note is written, once and where it is noted: a template whose noted text could be kept aside,
  written twice or not at all (a macro's result not printed at once where it is called, `{% set %}` blocks, filter
  and call blocks, `caller`, `self`, `super`, recursive loops, namespace imports, autoescape changed), or whose
  attribute's value does not end in the same output statement, notes nothing and, whenever any of its code runs,
  doubts the page (`Notes.doubt`);
- nothing the templates did not note is read as such an attribute: the page's bytes hold as many places that
  plan._found could read as the templates noted (`plan.LinkCheck`, counted with bytes.count, ~1 µs a page; an
  Item's Markdown body, a Markup of Python's, text that makes one with the template's text around it would each
  make one more);
- the templates were parsed by this module (the environment's `_parse`; their compiled code kept in the build's
  cache is keyed by sitegen's code).

An href already found good for a page of the same folder (`Notes.begin(good)`, LinkCheck.good) is counted, not
noted: the link check would find it good again (a relative link's target depends on the folder alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import nodes

NAMES = ("href", "src", "data-back", "id")  # what plan._found reads (its _ATTR)
_OPENS = re.compile(r'[\t\n\f\r ](href|src|data-back|id)="')  # plan._ATTR_EXACT's opening

# Nodes whose output is kept aside, written again or dropped, and names that call output made elsewhere: a template
# holding one notes nothing (see above). Jinja's autoescape changes too: `printed` escapes as a page autoescapes.
_UNSURE_NODES = (
    nodes.AssignBlock,
    nodes.FilterBlock,
    nodes.CallBlock,
    nodes.Import,
    nodes.EvalContextModifier,  # (ScopedEvalContextModifier too)
    nodes.OverlayScope,
)
_UNSURE_NAMES = frozenset({"caller", "self", "super", "varargs", "kwargs", "loop_recursive"})


def noted_call(kind: str, lits: tuple[str, ...], exprs: list[nodes.Expr], lineno: int) -> nodes.Call:
    """An attribute's value as the page writes it (`lits[0] + printed(exprs[0]) + lits[1] + ...`), noted as
    `kind`: a call of `environment.noted` (render._Generator writes it as a plain call, its text not printed again;
    Jinja has no node types of one's own)."""
    args: list[nodes.Expr] = [nodes.Const(kind), nodes.Const(lits), nodes.Tuple(exprs, "load")]
    return nodes.Call(nodes.EnvironmentAttribute("noted", lineno=lineno), args, [], None, None, lineno=lineno)


def is_noted(node: nodes.Node) -> bool:
    """Whether `node` is one that `noted_call` made."""
    return (
        isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == "noted"
    )


class Notes:
    """One environment's notes of the page being rendered: `found` (kind, value as written), `count` of every
    attribute noted (found or good), `sure` (False once a template that notes nothing ran: read the page).
    `noted` is a plain function (what noted_call's code calls, ~20 times a page)."""

    def __init__(self, printed: Callable[[Any], str]):
        self.found: list[tuple[str, str]] = []
        self.count = 0
        self.sure = True
        self.good: set[str] | frozenset[str] = frozenset()

        def noted(kind: str, lits: tuple[str, ...], exprs: tuple[Any, ...]) -> str:
            if len(lits) == 2 and not lits[0] and not lits[1]:
                value = printed(exprs[0])
            else:
                value = lits[0] + "".join(printed(e) + lit for e, lit in zip(exprs, lits[1:]))
            self.count += 1
            if kind == "id" or value not in self.good:
                self.found.append((kind, value))
                if '"' in value:  # (a Markup printed in it: the page's value ends before this one's)
                    self.sure = False
            return value

        self.noted = noted

    def begin(self, good: set[str] | frozenset[str] = frozenset()) -> None:
        """A new page: nothing noted; `good`: the hrefs found good for its folder (counted, not noted)."""
        self.found, self.count, self.sure, self.good = [], 0, True, good

    def doubt(self) -> None:
        """The page holds what was not noted (or noted but maybe not written): it is to be read."""
        self.sure = False

    def taken(self) -> tuple[int, list[tuple[str, str]]] | None:
        """What the page's templates noted (count, found), or None when the page is to be read."""
        return (self.count, self.found) if self.sure else None


def note(tree: nodes.Template) -> nodes.Template:
    """`tree` (a template just parsed) with its attributes noted (noted_call), or, if it cannot be sure to note what it
    writes (see the module's docstring), with a doubt at the start of its top level, its blocks and its macros."""
    if not _sure(tree):
        return _doubting(tree)
    outputs = [(output, _noted(output.nodes)) for output in tree.find_all(nodes.Output)]
    if any(noted is None for _, noted in outputs):
        return _doubting(tree)
    for output, noted in outputs:
        output.nodes = noted or []
    return tree


def _sure(tree: nodes.Template) -> bool:
    """Whether everything the template notes is written once, where it is noted: no node of _UNSURE_NODES, no name
    of _UNSURE_NAMES, no recursive loop, and every macro it defines or imports named only to be called as a whole
    output expression (`{{ m(...) }}`), never kept, tested or passed on."""
    if any(tree.find_all(_UNSURE_NODES)) or any(loop.recursive for loop in tree.find_all(nodes.For)):
        return False
    if any(name.name in _UNSURE_NAMES for name in tree.find_all(nodes.Name)):
        return False
    macros = {m.name for m in tree.find_all(nodes.Macro)}
    for imported in tree.find_all(nodes.FromImport):
        macros.update(n if isinstance(n, str) else n[1] for n in imported.names)
    printed = {id(c.node) for o in tree.find_all(nodes.Output) for c in o.nodes if isinstance(c, nodes.Call)}
    return all(id(name) in printed for name in tree.find_all(nodes.Name) if name.name in macros)


def _noted(children: list[nodes.Expr]) -> list[nodes.Expr] | None:
    """An output statement's children with each attribute its text opens made a noted_call; None when an
    attribute's value does not end within the statement."""
    out: list[nodes.Expr] = []
    items = iter(children)
    for child in items:
        if not isinstance(child, nodes.TemplateData):
            out.append(child)
            continue
        text = child.data
        while (found := _OPENS.search(text)) is not None:
            out.append(nodes.TemplateData(text[: found.end()], lineno=child.lineno))
            value = _value(text[found.end() :], items)
            if value is None:
                return None
            lits, exprs, text = value
            out.append(noted_call(found.group(1), tuple(lits), exprs, child.lineno))
        out.append(nodes.TemplateData(text, lineno=child.lineno))
    return [c for c in out if not (isinstance(c, nodes.TemplateData) and not c.data)]


def _value(text: str, items: Iterator[nodes.Expr]) -> tuple[list[str], list[nodes.Expr], str] | None:
    """An attribute's value from `text` (after its `="`) and, while no `"` ends it, the children that follow: its
    literal parts and expressions (one more literal than expressions), and the text from its closing `"` on."""
    lits: list[str] = []
    exprs: list[nodes.Expr] = []
    lit = ""
    while (end := text.find('"')) < 0:
        lit += text
        child = next(items, None)
        if child is None:
            return None
        if isinstance(child, nodes.TemplateData):
            text = child.data
            continue
        lits.append(lit)
        exprs.append(child)
        lit = text = ""
    lits.append(lit + text[:end])
    return lits, exprs, text[end:]


def _doubting(tree: nodes.Template) -> nodes.Template:
    """`tree` with a doubt (Notes.doubt) first in its top level, each block and each macro: whatever of it runs in a
    page makes that page read."""
    holders: list[nodes.Template | nodes.Block | nodes.Macro] = [tree, *tree.find_all(nodes.Block)]
    for body in [*holders, *tree.find_all(nodes.Macro)]:
        body.body.insert(0, nodes.ExprStmt(nodes.Call(nodes.EnvironmentAttribute("doubt"), [], [], None, None)))
    return tree
