"""Page kinds (pages.py): one per page template, its fields exactly the variables its template reads.

The templates are read, not rendered: every variable a template (with the templates it extends, imports and
includes) reads must be a field of its kind or a name render_theme sets for every page, and every field of the kind
must be read by its template in some theme. So a typo'd variable in a template, a field left over after a template
stopped showing it, or a template with no kind fails here, not on some page mid-render.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, meta, nodes

from sitegen.finance.ledger import build_ledgers
from sitegen.site import pages, render
from sitegen.site.feedback import plan as plan_feedback
from sitegen.site.pages import RENDER_NAMES, ItemPage, Page, kinds
from sitegen.site.plan import plan
from tests.checked import check

FRAME = {f.name for f in dataclasses.fields(Page)}
SHARED = {"ask", "refs"}  # every page's context has them (Page.context): a template may or may not read them


def own_fields(kind: type[Page]) -> set[str]:
    return {f.name for f in dataclasses.fields(kind)} - FRAME


def read_variables(env: Environment, name: str, seen: set[str] | None = None) -> set[str]:
    """The variables template `name` reads from its context, with those of every template it extends, imports or
    includes; less the macros it imports (names, not variables) and the environment's globals (theme, words)."""
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    assert env.loader is not None
    ast = env.parse(env.loader.get_source(env, name)[0])
    imported = {
        alias if isinstance(alias, str) else alias[1] for n in ast.find_all(nodes.FromImport) for alias in n.names
    }
    found = meta.find_undeclared_variables(ast) - imported - set(env.globals)
    for other in meta.find_referenced_templates(ast):
        assert other is not None, f"{name}: a template named at render time cannot be checked"
        found |= read_variables(env, other, seen)
    return found


def page_templates(env: Environment) -> set[str]:
    """The page templates of a theme: not the pieces (_*.html) nor the frame (base.html)."""
    return {n for n in env.list_templates(extensions=["html"]) if not n.startswith("_") and n != "base.html"}


def mismatches(envs: dict[str, Environment]) -> list[str]:
    """What differs between the page kinds and the templates of these themes, in words (empty: none)."""
    out = []
    by_template: dict[str, list[type[Page]]] = {}
    for kind in kinds():
        by_template.setdefault(kind.template, []).append(kind)
    for theme, env in envs.items():
        for name in sorted(page_templates(env)):
            if len(by_template.get(name, [])) != 1:
                out.append(f"{theme}/{name}: {len(by_template.get(name, []))} page kinds")
    for template, (kind, *_) in sorted(by_template.items()):
        read: set[str] = set()
        for theme, env in envs.items():
            if template not in page_templates(env):
                out.append(f"{kind.__name__}: no {template} in {theme}")
                continue
            used = read_variables(env, template)
            render_names = RENDER_NAMES if kind is ItemPage else RENDER_NAMES - {"body"}  # body: an item's text
            unknown = used - own_fields(kind) - render_names - SHARED
            if unknown:
                out.append(f"{theme}/{template} reads {sorted(unknown)}, not fields of {kind.__name__}")
            read |= used
        if own_fields(kind) - read:
            out.append(f"{kind.__name__} has fields no template reads: {sorted(own_fields(kind) - read)}")
    return out


def test_every_page_template_has_one_kind_whose_fields_are_exactly_what_it_reads():
    assert mismatches({theme: render.environment(theme) for theme in render.THEMES}) == []


def themes_copy(root: Path) -> dict[str, Environment]:
    """The themes' environments over a copy of their templates (the copy edited by a test)."""
    shutil.copytree(render.THEMES_DIR, root, ignore=shutil.ignore_patterns("static", "*.css", "*.js", "*.png"))
    return {
        theme: render.environment(theme).overlay(
            loader=ChoiceLoader(
                [
                    FileSystemLoader(str(root / theme / "templates")),
                    FileSystemLoader(str(root / "common" / "templates")),
                ]
            )
        )
        for theme in render.THEMES
    }


@pytest.mark.parametrize(
    "template, old, new, expect",
    [
        (
            "common/voucher.html",
            "{{ plain }}",
            "{{ plian }}",
            "/voucher.html reads ['plian'], not fields of VoucherPage",
        ),
        ("common/voucher.html", "{{ plain }}", "{{ body }}", "reads ['body'], not fields of VoucherPage"),  # items only
        ("common/ledger.html", "{{ opening_label }}", "", "LedgerPage has fields no template reads: ['opening_label']"),
        ("common/town.html", "{{ tile_grid(tiles) }}", "{{ tile_grid(tiles) }}{{ town.name }}", "reads ['town']"),
        ("common/_ask.html", "{{ ask.about }}", "{{ asked.about }}", "/item.html reads ['asked'], not fields of"),
        (
            "tv/search.html",
            "{% for k in keys %}",
            "{% for k in [] %}",
            "SearchPage has fields no template reads: ['keys']",
        ),
        ("mobile/notes.html", "", "", "mobile/notes.html: 0 page kinds"),  # a template with no kind
    ],
)
def test_a_template_and_its_kind_that_disagree_are_found(tmp_path, template, old, new, expect):
    envs = themes_copy(tmp_path / "themes")
    theme, name = template.split("/")
    path = tmp_path / "themes" / theme / "templates" / name
    if path.exists():
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    else:
        path.write_text('{% extends "base.html" %}', encoding="utf-8")
    found = mismatches(envs)
    assert any(expect in line for line in found), found


def test_no_kind_has_a_field_named_like_what_render_sets():
    """A kind's fields sit beside page/city/url/body in one template call: none may take those names."""
    assert all(not (own_fields(kind) & RENDER_NAMES) for kind in kinds())
    assert all(not (own_fields(kind) & SHARED) for kind in kinds())


def test_a_pages_context_is_its_kinds_fields_and_its_panel(mini):
    """Every kind is planned for the fixture city; each page's context holds its kind's fields, its 我有疑问 panel
    and the codes of the vouchers it lists, nothing of the frame (the templates read that from `page`)."""
    city, report = check(mini)
    assert city is not None and not report.errors
    city = build_ledgers(city)
    site = plan(city)
    plan_feedback(site, city)
    assert {type(p) for p in site.pages} == set(kinds())
    for page in site.pages:
        context = page.context()
        assert set(context) == own_fields(type(page)) | SHARED
        assert all(context[name] is getattr(page, name) for name in context)
    ledger = next(p for p in site.pages if isinstance(p, pages.LedgerPage) and p.refs)
    assert ledger.context()["refs"] == ledger.refs and next(iter(ledger.refs.values())).href.endswith("#ask")
