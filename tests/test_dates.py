"""One date parser and one plausibility rule for every date a clerk writes (sitegen/content/dates.py, issue 11)."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from sitegen.content import dates
from sitegen.content.errors import Location, Report
from tests.checked import check
from tests.conftest import FIXTURES

SAME_DAY = [
    "2026-09-25",
    "2026/9/25",
    "2026.9.25",
    "2026年9月25日",
    "2026 年 9 月 25 日",
    "2026-9-25",
    "２０２６－０９－２５",
    "2026/09/25 00:00:00",
    "2026-09-25T00:00:00",
    " 2026-09-25 ",
    datetime(2026, 9, 25, 0, 0),
    date(2026, 9, 25),
]
NOT_DATES = [
    "2026-13-01",
    "2026-02-30",
    "25/9/2026",
    "2026-09",
    "20260925x",
    "next monday",
    "2026-09-25 13:45",
    "",
    "2026--09-25",
    True,
    46290,
]


@pytest.mark.parametrize("text", SAME_DAY, ids=str)
def test_every_accepted_form_gives_the_same_day(text):
    assert dates.parse_day(text) == date(2026, 9, 25)


@pytest.mark.parametrize("text", NOT_DATES, ids=str)
def test_other_text_is_not_a_date(text):
    assert dates.parse_day(text) is None


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-29")


PLAUSIBILITY = [
    # (text, kind, accepted)
    ("2026-11-29", dates.RECORD, True),
    ("2027-01-28", dates.RECORD, True),  # today + 60 days: an announced meeting
    ("2027-01-29", dates.RECORD, False),
    ("2036-09-25", dates.RECORD, False),  # the typo of issue 11
    ("2000-01-01", dates.RECORD, True),
    ("1999-12-31", dates.RECORD, False),
    ("1985-06-01", dates.PAST, True),  # a building bought long ago
    ("2036-09-25", dates.PAST, False),
    ("2046-12-31", dates.TERM, True),  # a 30-year land lease ends far ahead
    ("2199-12-31", dates.TERM, False),
    ("1948-01-01", dates.TERM, False),
]


@pytest.mark.parametrize("text,kind,accepted", PLAUSIBILITY)
def test_one_plausibility_rule_by_kind(today, text, kind, accepted):
    report = Report()
    day = dates.read_day(text, Location("x.csv", 2, "日期"), "日期", report, kind)
    assert (day is not None) == accepted, [p.format() for p in report.problems]
    assert [p.code for p in report.errors] == ([] if accepted else ["date-implausible"])


def test_today_is_pinned_by_the_environment_and_only_judges(monkeypatch):
    monkeypatch.setenv("SITEGEN_TODAY", "2040-01-01")
    assert dates.today() == date(2040, 1, 1) and dates.implausible(date(2036, 9, 25)) is None
    monkeypatch.delenv("SITEGEN_TODAY")
    assert dates.today() == date.today()


def test_a_bad_date_names_the_accepted_forms():
    report = Report()
    assert dates.read_day("2026-9-31", Location("a.md"), "date", report) is None
    (p,) = report.errors
    assert p.code == "bad-date" and "2026-09-25" in p.zh and "2026/9/25" in p.zh and "2026年9月25日" in p.zh


def test_empty_is_no_date_and_no_problem():
    report = Report()
    assert dates.read_day("  ", Location("a.md"), "date", report) is None and not report.problems


# ---- the same rule in the finance tables (finance.py reads its dates through dates.read_day) ------------------

FIN_TABLES = "xg/cs/finance/tables"


@pytest.fixture
def fin(tmp_path):
    dest = tmp_path / "content"
    shutil.copytree(FIXTURES / "finance", dest)
    return dest


def replace_in(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


FINANCE_DATES = [
    # (table, old, new, code or None when accepted)
    ("资源.csv", "2024-01-01,2028-12-31", "2024-01-01,2054-12-31", None),  # a 30-year lease: a term
    ("资源.csv", "2024-01-01,2028-12-31", "1998-01-01,2028-12-31", None),  # second-round land contracts
    ("资源.csv", "2024-01-01,2028-12-31", "2024/1/1,2028年12月31日", None),  # every form, here too
    ("资产.csv", "500000.00,2010-01-01", "500000.00,1985-06-01", None),  # an old building
    ("资产.csv", "500000.00,2010-01-01", "500000.00,2036-01-01", "date-implausible"),
    ("工程项目.csv", "立项,2026-08-01", "立项,2036-08-01", "date-implausible"),
    ("工程项目.csv", "立项,2026-08-01", "立项,2026/8/1", None),
    ("工程项目.csv", "立项,2026-08-01", "立项,8/1/2026", "bad-date"),
]


@pytest.mark.parametrize("table,old,new,code", FINANCE_DATES)
def test_finance_tables_follow_the_one_date_rule(fin, today, table, old, new, code):
    replace_in(fin, f"{FIN_TABLES}/{table}", old, new)
    _, report = check(fin)
    dated = [p for p in report.errors if p.code in ("bad-date", "date-implausible")]
    assert [p.code for p in dated] == ([code] if code else []), [p.format() for p in report.errors]
    assert all(p.where.path.endswith(table) for p in dated)


def test_an_old_chart_code_in_the_budget_gets_the_hint(fin):
    replace_in(fin, f"{FIN_TABLES}/预算.csv", "2026,管理费用,513,", "2026,管理费用,541,")
    _, report = check(fin)
    (p,) = [p for p in report.errors if p.code == "account-unknown"]
    assert p.where.path.endswith("预算.csv") and "513 管理费用" in p.zh and "513" in p.en
