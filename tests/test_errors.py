"""The message catalogue (errors.CATALOGUE) and how problems are made from it."""
from __future__ import annotations

import string

import pytest

from sitegen.errors import CATALOGUE, Location, Report, make_problem
from tests.conftest import REPO


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


SLIP = '''
from sitegen.errors import Location, Report


class OldReport:
    """Report.warning as it was before code and where became positional-only."""

    def warning(self, code: str, where: Location, **params: object) -> None: ...


def account_row(where):  # unannotated, as much of sitegen is: checked all the same (check_untyped_defs)
    OldReport().warning("account-name", where, value="库存现金", code="102", expected="银行存款")
    Report().warning("account-name", where, value="库存现金", code="102", expected="银行存款")
'''


def test_the_type_check_catches_an_argument_given_twice(tmp_path):
    """scripts/test.sh runs mypy with pyproject.toml's [tool.mypy]: that configuration finds the exit-3 crash of
    issue 11 (a message field called `code` given to a method whose own first parameter is `code`), even inside an
    unannotated function, and accepts the same call to today's Report."""
    api = pytest.importorskip("mypy.api")
    (tmp_path / "slip.py").write_text(SLIP, encoding="utf-8")
    out, err, status = api.run(["--config-file", str(REPO / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
                                str(tmp_path / "slip.py")])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1 and len(errors) == 1, out + err
    assert 'slip.py:12: error: "warning" of "OldReport" gets multiple values for keyword argument "code"' in errors[0]
