"""Rendering: escaping, masking in every template output, strict templates, static assets."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from jinja2 import Environment, FileSystemLoader, UndefinedError
from markupsafe import Markup, escape

from sitegen.site import render
from sitegen.site.channels import Said
from sitegen.site.pages import Page


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


def test_a_changed_template_is_read_again_at_the_next_pass(tmp_path):
    """The environment is kept between rebuilds (`sitegen serve`) and does not stat each template at each use
    (auto_reload off, 4 stats a page): render_theme's _fresh forgets the compiled templates once a file changed."""
    (tmp_path / "page.html").write_text("old", encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(tmp_path)), auto_reload=False)
    assert env.get_template("page.html").render() == "old"
    (tmp_path / "page.html").write_text("new", encoding="utf-8")
    os.utime(tmp_path / "page.html", (1, 1))  # a different mtime whatever the clock's resolution
    assert env.get_template("page.html").render() == "old"  # Jinja alone keeps the old one
    render._fresh(env)
    assert env.get_template("page.html").render() == "new"
    assert all(not render.environment(theme).auto_reload for theme in render.THEMES)


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
    """render._url answers what Page.url answers, for pages of one folder sharing what it remembered."""
    targets = ["index.html", "a/b/c.html", "a/b/d.html#x", "a/e.html", "static/tv.css", "x/y/z/w.html#ask"]
    for folder in ("", "a", "a/b", "x/y/z"):
        known: dict[str, str] = {}
        for name in ("p.html", "q.html"):
            page = Page(f"{folder}/{name}".lstrip("/"), "t", [])
            url = render._url(page, known)
            assert [url(t) for t in targets] == [page.url(t) for t in targets]
            assert [url(t) for t in targets] == [page.url(t) for t in targets]
