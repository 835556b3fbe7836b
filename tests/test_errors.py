"""The message catalogue (errors.CATALOGUE) and how problems are made from it."""

from __future__ import annotations

import string
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen.content import errors
from sitegen.content.dates import parse_day
from sitegen.content.errors import CATALOGUE, KEY_EXAMPLES, Location, Report, make_problem
from sitegen.content.money import amount_example, parse_amount
from tests.checked import check
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
    problem = make_problem(
        "account-name", Location("j.csv", 2), value="{code.__class__}{0}", code="102", expected="银行存款"
    )
    assert "{code.__class__}{0}" in problem.zh and "102" in problem.zh


SLIP = '''
from sitegen.content.errors import Location, Report


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
    out, err, status = api.run(
        [
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(tmp_path / "slip.py"),
        ]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1 and len(errors) == 1, out + err
    assert 'slip.py:12: error: "warning" of "OldReport" gets multiple values for keyword argument "code"' in errors[0]


# ---- issue 16: a value error says what was found, where, and an example of the right form -----------------------


@pytest.mark.parametrize(
    "written, account, expected",
    [
        ('"2,350.00元"', "银行存款", '银行存款: "2350.00"'),
        ('"￥１２００"', "库存现金", '库存现金: "1200.00"'),
        ('"两千元"', "银行存款", '银行存款: "1200.50"'),  # nothing plain in it: the general form
    ],
)
def test_an_opening_balance_names_its_account_and_the_plain_form(mini, written, account, expected):
    path = mini / "xg/cs/village.yaml"
    text = path.read_text(encoding="utf-8")
    old = '库存现金: "3000.00"' if account == "库存现金" else '银行存款: "7000.00"'
    path.write_text(text.replace(old, f"{account}: {written}"), encoding="utf-8")
    _, report = check(mini)
    [problem] = [p for p in report.errors if p.code == "opening-balance"]
    assert problem.where.path.endswith("village.yaml")
    assert f"“{account}”的期初余额“{written.strip(chr(34))}”" in problem.zh and f"请写成 {expected}" in problem.zh


def test_a_missing_date_says_how_to_write_it(mini):
    path = mini / "xg/cs/party/meeting.md"
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2026-09-15\n", ""), encoding="utf-8")
    _, report = check(mini)
    [problem] = [p for p in report.errors if p.code == "missing-key"]
    assert problem.where.path.endswith("meeting.md") and "请写成 date: 2026-01-15" in problem.zh
    assert "write it like date: 2026-01-15" in problem.en


def test_every_missing_key_example_is_a_form_the_checks_accept():
    """The examples shown are themselves right: dates parse, amounts are plain, voucher references are well formed."""
    assert parse_amount(KEY_EXAMPLES["金额"]) == Decimal("1200.50")
    assert parse_day(KEY_EXAMPLES["日期"]) is not None and parse_day(KEY_EXAMPLES["date"].split(": ")[1]) is not None
    assert amount_example("12,000元") == "12000.00"


@pytest.mark.parametrize("name, expected", [("管理费用", "“管理费用”的编码是 513"), ("", "如 102 银行存款")])
def test_an_unknown_account_code_shows_the_right_one(mini, name, expected):
    journal = mini / "xg/cs/journal/2026-09.csv"
    text = journal.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ",记-2," in ln and ",513," in ln)
    fields = line.split(",")
    fields[3] = "999"
    fields[4] = name
    journal.write_text(text.replace(line, ",".join(fields)), encoding="utf-8")
    _, report = check(mini)
    [problem] = [p for p in report.errors if p.code == "account-unknown"]
    assert problem.where.line is not None and "“999”" in problem.zh and expected in problem.zh


def _rel_as_first_written(path: Path, root: Path) -> str:
    try:
        return (Path(root.name) / path.relative_to(root)).as_posix()
    except ValueError:
        return path.as_posix()


def test_rel_answers_what_relative_to_answers():
    """errors.rel cuts a path under the content folder from its text: the same answer as relative_to for paths
    under it, beside it (a name that only starts like it), the folder itself, relative and absolute, .. and //."""
    roots = ["/srv/city/content", "/srv/city/con", "content", "a/..", "..", ".", "/", "//srv/c", "/srv/城市"]
    rests = ["", "x.md", "t/v/凭证 1.jpg", "../x", "tent/x.md", "-b/x"]
    for root in roots:
        for text in {f"{root}/{rest}" for rest in rests} | {f"{root}{rest}" for rest in rests} | {"/x", "x", "//x/y"}:
            path = Path(text)
            assert errors.rel(path, Path(root)) == _rel_as_first_written(path, Path(root)), (text, root)
