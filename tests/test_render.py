"""Rendering: escaping, masking in every template output, strict templates, static assets."""

from __future__ import annotations

import os

import pytest
from jinja2 import Environment, FileSystemLoader, UndefinedError
from markupsafe import Markup

from sitegen.site import render


def test_every_template_output_is_escaped_and_masked():
    env = render.environment("tv")
    t = env.from_string("{{ a }}|{{ b }}|{{ c|yuan }}")
    from decimal import Decimal

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
