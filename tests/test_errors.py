"""The message catalogue (errors.CATALOGUE) and how problems are made from it."""
from __future__ import annotations

import string

import pytest

from sitegen.errors import CATALOGUE, Location, Report, make_problem


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_templates_use_plain_fields_only(code):
    """A field is a bare name: no attribute or index lookups, conversions or format specs, so whatever a clerk's
    value holds, filling it in can only insert its text."""
    for template in CATALOGUE[code]:
        for _, field, spec, conversion in string.Formatter().parse(template):
            if field is not None:
                assert field.isidentifier() and not spec and not conversion, (code, field)


@pytest.mark.parametrize("name", ["code", "where", "severity", "self", "params"])
def test_a_message_field_may_share_a_parameters_name(name):
    """code, where and severity are positional-only: a field of the same name is just a field."""
    report = Report()
    report.warning("account-name", Location("j.csv", 2), **{name: "102"}, value="库存现金", expected="银行存款")
    report.error("account-name", Location("j.csv", 3), **{name: "102"})
    problem = make_problem("account-name", Location("j.csv", 4), "warning", **{name: "102"})
    assert [p.code for p in report.problems] == ["account-name", "account-name"] and problem.severity == "warning"
    assert report.problems[0].where.line == 2 and report.problems[0].severity == "warning"


def test_values_are_inserted_as_text():
    problem = make_problem("account-name", Location("j.csv", 2), value="{code.__class__}{0}", code="102",
                           expected="银行存款")
    assert "{code.__class__}{0}" in problem.zh and "102" in problem.zh
