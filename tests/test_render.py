"""Rendering: escaping, masking in every template output, strict templates, static assets."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from jinja2 import DictLoader, Environment, FileSystemLoader, UndefinedError
from markupsafe import Markup, escape

from sitegen.images.renditions import Rendition
from sitegen.site import render
from sitegen.site.channels import Said
from sitegen.site.pages import Page
from sitegen.site.plan import Site


def test_every_template_output_is_escaped_and_masked():
    env = render.environment("tv")
    t = env.from_string("{{ a }}|{{ b }}|{{ c|yuan }}")
    out = t.render(a="<b>张三 13812345678</b>", b=Markup("<i>13812345678</i>"), c=Decimal("1234.5"))
    assert out == "&lt;b&gt;张三 138****5678&lt;/b&gt;|<i>13812345678</i>|1,234.50"


def test_templates_are_strict():
    with pytest.raises(UndefinedError):
        render.environment("mobile").from_string("{{ nothing.here }}").render()


@pytest.mark.parametrize("theme", render.THEMES)
def test_static_files_are_the_themes_own(theme):
    files = render.static_files(theme)
    assert f"static/{theme}.css" in files and f"static/{theme}.js" in files
    assert all(not p.startswith("/") for p in files)


@pytest.mark.parametrize("kind", [Environment, render.ThemeEnvironment])
def test_a_changed_template_is_read_again_at_the_next_pass(tmp_path, kind):
    """The environment is kept between rebuilds (`sitegen serve`) and does not stat each template at each use
    (auto_reload off, 4 stats a page): render_theme's _fresh forgets the compiled templates once a file changed
    (Jinja's cache, and the theme environment's dict of the templates asked for: the same template as Jinja's,
    also asked from another template)."""
    (tmp_path / "page.html").write_text("old", encoding="utf-8")
    env = kind(loader=FileSystemLoader(str(tmp_path)), auto_reload=False, finalize=render._finalizer("tv"))
    assert env.get_template("page.html").render() == "old"
    assert env.get_template("page.html", "other.html") is env.get_template("page.html")
    (tmp_path / "page.html").write_text("new", encoding="utf-8")
    os.utime(tmp_path / "page.html", (1, 1))  # a different mtime whatever the clock's resolution
    assert env.get_template("page.html").render() == "old"  # Jinja alone keeps the old one
    render._fresh(env)
    assert env.get_template("page.html").render() == "new"
    assert env.get_template("page.html", globals={"x": 1}).render() == "new"
    assert all(not render.environment(theme).auto_reload for theme in render.THEMES)


@pytest.mark.parametrize("kind", [Environment, render.ThemeEnvironment])
def test_an_overlay_with_another_loader_finds_its_own_templates(tmp_path, kind):
    """An overlay (tests/tvpages.py renders its page bodies in the theme's frame so) finds a name under its own
    loader, and the environment it came from keeps finding its own, whichever asked first: the theme environment's
    dict of templates asked for is its own, as Jinja's cache is keyed by loader."""
    for folder, text in (("theme", "theme's"), ("bodies", "body's")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "list.html").write_text(text, encoding="utf-8")
    env = kind(loader=FileSystemLoader(str(tmp_path / "theme")), auto_reload=False, finalize=render._finalizer("tv"))
    assert env.get_template("list.html").render() == "theme's"
    other = env.overlay(loader=FileSystemLoader(str(tmp_path / "bodies")))
    assert other.get_template("list.html").render() == "body's"
    assert env.get_template("list.html").render() == "theme's"
    assert env.overlay(loader=env.loader).get_template("list.html").render() == "theme's"


class _Name(str):
    """Clerk text of a str subclass: masked as a str is."""


def test_every_kind_of_value_is_finalized_as_before():
    env = render.environment("tv")
    t = env.from_string("{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{{ f }}")
    out = t.render(a=_Name("13812345678"), b=13812345678, c=True, d=None, e=Markup("13812345678"), f="13812345678")
    assert out == "138****5678|13812345678|True|None|13812345678|138****5678"


class _Html:
    """An object that prints itself as markup (__html__), as Markup does."""

    def __html__(self) -> str:
        return "<i>13812345678</i>"

    def __repr__(self) -> str:  # the test's id: the same in every pytest-xdist worker (not an address)
        return "_Html()"


PRINTED = [
    "plain",
    "",
    "<b>张三 13812345678</b> & 'x' \"y\"",
    "身份证 320281195803121234",
    _Name("13812345678 <a>"),
    Markup("<i>13812345678</i>"),
    13812345678,
    -5,
    True,
    None,
    1.5,
    _Html(),
    date(2026, 7, 1),
    Decimal("1234.50"),
    Said(lambda w: f"{w.open_row} 13812345678 <b>"),
]


@pytest.mark.parametrize("theme", render.THEMES)
@pytest.mark.parametrize("value", PRINTED, ids=repr)
def test_a_printed_value_is_escape_of_finalize(theme, value):
    """_printer (one call a printed value, strings remembered) prints exactly what Jinja's escape(finalize(value))
    would, twice in a row (the second time from what it remembered)."""
    env = render.environment(theme)
    expected = str(escape(render._finalizer(theme)(value)))
    assert env.printed(value) == expected
    assert env.printed(value) == expected
    assert env.from_string("{{ v }}").render(v=value) == expected


def test_the_templates_print_through_the_printer():
    """The compiled templates call `environment.printed` for each {{ value }}, not escape(finalize(...))."""
    env = render.environment("tv")
    assert env.loader is not None
    source = env.compile(env.loader.get_source(env, "scan.html")[0], raw=True)
    assert "environment.printed(" in source and "escape(environment.finalize(" not in source


def test_remembered_strings_are_bounded(monkeypatch):
    monkeypatch.setattr(render, "PRINTED_KEPT", 3)
    printed = render._printer(render._finalizer("tv"))
    texts = [f"13812345{n:03d}" for n in range(10)]
    assert [printed(t) for t in texts] == [f"138****5{n:03d}" for n in range(10)]
    assert printed.__closure__ is not None
    seen = next(c.cell_contents for c in printed.__closure__ if isinstance(c.cell_contents, dict))
    assert len(seen) <= 3


def test_url_is_remembered_per_folder_and_equals_the_pages_own():
    """render._url answers what Page.url answers, for pages of one folder sharing what it remembered: a target
    asked before, and one first named in a folder asked before (its folder's answer and its name), in any
    order; fragments, the root, a folder above, beside and below the page's, and a path ending in "/"."""
    targets = ["index.html", "a/b/c.html", "a/b/d.html#x", "a/e.html", "static/tv.css", "x/y/z/w.html#ask"]
    targets += ["a/b/f.jpg", "a/f.jpg", "x/y/z/v.jpg", "x/y/u.jpg", "a/b/c/d/g.jpg", "a/b/", "a/b/c/d/h.jpg#s-2"]
    for folder in ("", "a", "a/b", "x/y/z", "a/b/c/d"):
        for order in (targets, targets[::-1]):
            known: dict[str, str] = {}
            for name in ("p.html", "q.html"):
                page = Page(f"{folder}/{name}".lstrip("/"), "t", [])
                url = render._url(page, known)
                assert [url(t) for t in order] == [page.url(t) for t in order]
                assert [url(t) for t in order] == [page.url(t) for t in order]


def _pass_context_echo(context, value):  # (a pass_context function: Jinja's way, the context first)
    return f"{value}:{context['theme']}"


def test_a_plain_function_is_called_as_jinja_calls_it():
    """_Context.call's short way (a plain function) gives what Jinja's Context.call gives: arguments, keywords,
    calls in loops and blocks (Jinja adds _loop_vars/_block_vars), a StopIteration as undefined; a pass_context
    function, a callable object and a macro still get what they ask for."""

    def plain(*args, **kwargs):
        return f"{args}{sorted(kwargs.items())}"

    def stops():
        raise StopIteration

    class Callable_:
        def __call__(self, value):
            return f"object {value}"

    source = (
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{{ f(1, b=2) }}|{% for i in [1, 2] %}{{ f(i) }}{% endfor %}|{{ m(3) }}|{{ o(4) }}|{{ c(5) }}|"
        "{{ s() is undefined }}|{% block b %}{{ f(6) }}{% endblock %}"
    )
    values = {"f": plain, "o": Callable_(), "c": jinja2.pass_context(_pass_context_echo), "s": stops}
    themed = render.environment("tv")
    plain_env = Environment(autoescape=True, finalize=render._finalizer("tv"))
    plain_env.globals["theme"] = "tv"
    assert isinstance(themed.from_string("{{ 1 }}").new_context(), render._Context)
    assert themed.from_string(source).render(values) == plain_env.from_string(source).render(values)


def test_a_macro_is_called_as_jinja_calls_it(monkeypatch):
    """_Context.call's short way for a macro gives what Jinja's Macro.__call__ gives: positional and keyword
    arguments, defaults, none given, in loops and blocks, from an imported template, with autoescape on and
    off; a macro with caller, varargs or kwargs, or given an argument it does not take, goes Jinja's way (the
    same errors); a plain one does not go through Macro.__call__ at all."""
    macros = (
        '{% macro m(a, b="d", c=none) %}[{{ a }}|{{ b }}|{{ c }}]{% endmacro %}'
        "{% macro v() %}{{ varargs }}{% endmacro %}{% macro k() %}{{ kwargs }}{% endmacro %}"
        "{% macro w() %}<{{ caller() }}>{% endmacro %}"
    )
    source = (
        macros + "{{ m(1) }}{{ m(1, 2) }}{{ m(1, c=3) }}{{ m(b='<x>', a=0) }}"
        "{% for i in [1, 2] %}{{ m(i, loop.index) }}{% endfor %}{% block b %}{{ m('b') }}{% endblock %}"
        "{{ v(1, 2) }}{{ k(x=1) }}{% call w() %}in{% endcall %}{% autoescape false %}{{ m('<y>') }}{% endautoescape %}"
    )
    themed = render.environment("tv")
    plain_env = Environment(autoescape=True, finalize=render._finalizer("tv"), undefined=jinja2.StrictUndefined)
    plain_env.globals["theme"] = "tv"
    with pytest.raises(UndefinedError):
        themed.from_string(macros + "{{ m() }}").render()
    assert themed.from_string(source).render() == plain_env.from_string(source).render()
    odd = '{% macro o(a, _loop_vars="d") %}{{ a }}{{ _loop_vars }}{% endmacro %}'
    odd += "{% for i in [1] %}{{ o(i) }}{% endfor %}{{ o(2, _loop_vars=3) }}"
    assert themed.from_string(odd).render() == plain_env.from_string(odd).render()
    for wrong in ("{{ m(1, 2, 3, 4) }}", "{{ m(1, d=2) }}", "{{ m(1, a=2) }}"):
        with pytest.raises(TypeError) as ours:
            themed.from_string(macros + wrong).render()
        with pytest.raises(TypeError) as jinjas:
            plain_env.from_string(macros + wrong).render()
        assert str(ours.value) == str(jinjas.value)
    imported = render.ThemeEnvironment(
        loader=DictLoader({"m.html": macros, "p.html": '{% from "m.html" import m %}{{ m(1, c="&") }}'}),
        autoescape=True,
        finalize=render._finalizer("tv"),
    )
    assert imported.get_template("p.html").render() == "[1|d|&amp;]"
    monkeypatch.setattr(jinja2.runtime.Macro, "__call__", None)
    assert themed.from_string(macros + "{{ m(1, c=2) }}").render() == "[1|d|2]"


def test_an_imported_template_is_made_once_unless_the_importer_has_globals_of_its_own():
    """_Template._get_default_module: the module Jinja's would give; made once while the importing page adds no
    global name, made for that page when it does (its globals seen by the imported macros)."""
    env = render.ThemeEnvironment(
        loader=DictLoader({"m.html": "{% macro g() %}{{ extra | default('none') }}{% endmacro %}"}),
        autoescape=True,
        finalize=render._finalizer("tv"),
    )
    page = '{% from "m.html" import g %}{{ g() }}'
    assert env.from_string(page).render() == env.from_string(page).render() == "none"
    imported = env.get_template("m.html")
    assert isinstance(imported, render._Template)
    assert imported._get_default_module(env.from_string(page).new_context()) is imported._get_default_module()
    assert env.from_string(page, globals={"extra": "mine"}).render() == "mine"
    assert env.from_string(page).render() == "none"


def test_a_body_is_made_once_for_both_themes_while_its_links_stand(monkeypatch):
    """body_html keeps an item's body for its page (the other theme's render uses it again): the same HTML and
    the same linked files collected; made again when the item or a linked item's page path changed."""
    made: list[str] = []
    real = render.render_markdown
    monkeypatch.setattr(render, "render_markdown", lambda body, resolve: made.append(body) or real(body, resolve))
    source, other = Path("/c/t/v/affairs/a.md"), Path("/c/t/v/affairs/b.md")
    item = SimpleNamespace(source=source, body="见[另一项](b.md)和[没有的](c.md)。")
    page = Page("t/v/affairs/a.html", "t", [])
    site = Site(pages=[], images={}, item_paths={source: page.path, other: "t/v/affairs/b.html"})
    first: set = set()
    html = render.body_html(item, page, site, first)  # type: ignore[arg-type]
    again: set = set()
    assert render.body_html(item, page, site, again) == html and again == first and len(made) == 1  # type: ignore[arg-type]
    assert 'href="b.html"' in html and first == {(page.path, other), (page.path, source.parent / "c.md")}
    site.item_paths[other] = "t/v/affairs/x/b.html"  # the linked item moved: made again
    assert 'href="x/b.html"' in render.body_html(item, page, site) and len(made) == 2  # type: ignore[arg-type]
    del site.item_paths[other]  # left out (its village held, never built): plain text
    assert "href" not in render.body_html(item, page, site) and len(made) == 3  # type: ignore[arg-type]
    changed = SimpleNamespace(source=source, body="别的")
    assert render.body_html(changed, page, site) == Markup("<p>别的</p>\n") and len(made) == 4  # type: ignore[arg-type]


def test_compiled_templates_are_kept_and_are_what_compiling_gives(tmp_path, monkeypatch):
    """keep_compiled: each theme's templates compiled once into the build's cache, then loaded from it by a new
    process (a new environment here) without compiling, each the very code compiling its source gives now; a
    template whose source changed, a damaged file and a folder of another version are not used."""
    cache = tmp_path / "cache"
    compiled: list[str] = []
    real = render.ThemeEnvironment.compile

    def compiling(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(render.ThemeEnvironment, "compile", compiling)
    (cache / render.COMPILED / "0123456789abcdef").mkdir(parents=True)  # another version's
    try:
        render.environment.cache_clear()
        render.keep_compiled(cache)
        names = {t: render.environment(t).list_templates() for t in render.THEMES}
        for theme in render.THEMES:
            for name in names[theme]:
                render.environment(theme).get_template(name)
        assert len(compiled) == sum(map(len, names.values())) > 20
        assert [p.name for p in (cache / render.COMPILED).iterdir()] == [render.renderer()[:16]]
        render.environment.cache_clear()  # as a new process
        render.keep_compiled(cache)
        compiled.clear()
        for theme in render.THEMES:
            env = render.environment(theme)
            for name in names[theme]:
                env.get_template(name)
                source, filename, _ = env.loader.get_source(env, name)
                assert env.bytecode_cache.get_bucket(env, name, filename, source).code == real(
                    env, source, name, filename
                )
        assert compiled == []
        render.environment.cache_clear()
        render.keep_compiled(cache)
        env = render.environment("tv")
        name = names["tv"][0]
        source, filename, _ = env.loader.get_source(env, name)
        assert env.bytecode_cache.get_bucket(env, name, filename, source + "{# changed #}").code is None
        for file in Path(env.bytecode_cache.directory).iterdir():
            file.write_bytes(file.read_bytes()[:40])  # damaged
        assert env.bytecode_cache.get_bucket(env, name, filename, source).code is None
        env.get_template(name)
        assert compiled == [name]
    finally:
        render.environment.cache_clear()


def _context_facts(ctx: jinja2.runtime.Context) -> tuple:
    return list(ctx.parent.items()), ctx.globals_keys, ctx.vars, ctx.name, list(ctx.blocks)


def test_a_new_context_is_the_one_jinja_makes():
    """_Template.new_context (every page): the same parent (names, values, order), global names, variables and
    blocks as Jinja's own Template.new_context, for every template of both themes, with variables or none, shared
    or not, with locals; for a template with globals of its own; after the environment's globals change."""
    calls: list[tuple[dict[str, object], bool, dict[str, object] | None]] = [
        ({}, False, None),
        ({"page": 1, "theme": "overridden", "url": str}, False, None),
        ({"page": 1}, True, None),
        ({"page": 1}, False, {"l_1_x": 2, "l_1_y": jinja2.utils.missing}),
    ]
    for theme in render.THEMES:
        env = render.environment(theme)
        templates = [env.get_template(name) for name in env.list_templates()]
        templates.append(env.from_string("{{ own }}{{ theme }}", globals={"own": 1, "words": "mine"}))
        env.globals["late"] = "added after loading"
        try:
            for template in templates:
                assert isinstance(template, render._Template)
                for vars_, shared, locals_ in calls:
                    mine = template.new_context(dict(vars_), shared, locals_)
                    jinjas = jinja2.Template.new_context(template, dict(vars_), shared, locals_)
                    assert type(mine) is type(jinjas) and _context_facts(mine) == _context_facts(jinjas)
                    assert shared or mine.parent["late"] == "added after loading"
        finally:
            del env.globals["late"]


_INHERITED = {
    "base.html": (
        "<h>{% block head %}H{% endblock %}</h>{% for i in [1, 2] %}{{ i }}{% block row scoped %}r{{ i }}{% endblock %}"
        "{% endfor %}{% block main %}{% endblock %}{% if x %}{% block tail %}T{{ x }}{% endblock %}{% endif %}"
        "{% include 'inc.html' %}|{{ self.head() }}"
    ),
    "mid.html": '{% extends "base.html" %}{% block head %}[{{ super() }}]{% endblock %}{% block main %}m{% endblock %}',
    "page.html": (
        '{% extends "mid.html" %}{% from "mac.html" import box %}'
        "{% block main %}{{ super() }}{% set n = 2 %}{% for v in vs %}{{ box(v) }}{% if loop.last %}.{% endif %}"
        "{% endfor %}{% filter upper %}f{{ n }}{% endfilter %}{% call box2() %}in{% endcall %}{% endblock %}"
        "{% block row %}R{{ i }}{% endblock %}"
    ),
    "mac.html": "{% macro box(v) %}<{{ v }}>{% endmacro %}",
    "inc.html": "{% for i in vs %}{{ i }}{% endfor %}{% macro m() %}z{% endmacro %}",
}


def test_a_block_yields_its_text_once_and_pages_are_jinjas():
    """_Generator.blockvisit: a block, and a template that extends none, yield their text as one string (Jinja's
    own code yields every piece through every generator above it); the pages are Jinja's to the byte: blocks
    overridden, scoped, in loops and conditions, super() and self, includes, imports, macros, call, filter and
    set blocks, two levels of extends."""
    macros = "{% macro box2() %}({{ caller() }}){% endmacro %}"
    loader = DictLoader({**_INHERITED, "page.html": macros + _INHERITED["page.html"]})
    ours = render.ThemeEnvironment(loader=loader, autoescape=True, finalize=render._finalizer("tv"))
    jinjas = Environment(loader=loader, autoescape=True, finalize=render._finalizer("tv"))
    for name in ("base.html", "mid.html", "page.html", "inc.html"):
        for values in ({"vs": ["<a>", 1], "x": "&"}, {"vs": [], "x": ""}):
            assert ours.get_template(name).render(values) == jinjas.get_template(name).render(values)
    assert len(list(ours.get_template("page.html").generate({"vs": ["<a>", 1], "x": 1}))) == 1
    assert len(list(jinjas.get_template("page.html").generate({"vs": ["<a>", 1], "x": 1}))) > 20


def test_a_pictures_tiles_are_its_renditions_in_order():
    """render.tiles (the picture macro's loop): each rendition's URL from the page, padding and size as the macro
    printed them from the rendition, and which is first."""
    image: Any = SimpleNamespace()  # (a rendition's source image is not read here)
    made = [Rendition(f"m/{n}.jpg", image, 0, "tv", n, (1280, 3000), n * 900, h) for n, h in enumerate((900, 905))]
    url = render._url(Page("m/p.html", "t", []), {})
    assert render.tiles(made, url) == [(True, "0.jpg", "70.312", 1280, 900), (False, "1.jpg", "70.703", 1280, 905)]
    assert render.tiles((), url) == []


def test_a_macro_calls_shape_is_judged_once(monkeypatch):
    """_plain_names: whether a macro call is plain is asked once for each macro definition and call shape (how
    many arguments, which keywords), also when a template imported `with context` makes its macros again for each
    page; the answers are those _plain_macro gives, a call Jinja's way still Jinja's."""
    asked: list[tuple[int, tuple[str, ...]]] = []
    judge = render._plain_macro

    def counted(macro, args, kwargs):
        asked.append((len(args), tuple(kwargs)))
        return judge(macro, args, kwargs)

    monkeypatch.setattr(render, "_plain_macro", counted)
    monkeypatch.setattr(render, "_PLAIN", {})
    env = render.ThemeEnvironment(
        loader=DictLoader({"m.html": '{% macro m(a, b="d") %}[{{ a }}{{ b }}{{ v }}]{% endmacro %}'}),
        autoescape=True,
        finalize=render._finalizer("tv"),
    )
    bad = env.from_string('{% from "m.html" import m with context %}{{ m(7, c=8) }}')
    shown = env.from_string('{% from "m.html" import m with context %}{{ m(1) }}{{ m(2) }}{{ m(3, b=4) }}')
    for v in ("x", "y"):  # (m.html's module, and its macro, made again for each render)
        with pytest.raises(TypeError):
            bad.render(v=v)
    assert [shown.render(v=v) for v in ("x", "y")] == ["[1dx][2dx][34x]", "[1dy][2dy][34y]"]
    assert sorted(asked) == [(1, ()), (1, ("b",)), (1, ("c",))]
