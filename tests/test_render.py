"""Rendering: escaping, masking in every template output, strict templates, static assets."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
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
