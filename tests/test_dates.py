"""One date parser and one plausibility rule for every date a clerk writes (sitegen/dates.py, issue 11)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from sitegen import dates
from sitegen.errors import Location, Report

SAME_DAY = ["2026-09-25", "2026/9/25", "2026.9.25", "2026年9月25日", "2026 年 9 月 25 日", "2026-9-25",
            "２０２６－０９－２５", "2026/09/25 00:00:00", "2026-09-25T00:00:00", " 2026-09-25 ",
            datetime(2026, 9, 25, 0, 0), date(2026, 9, 25)]
NOT_DATES = ["2026-13-01", "2026-02-30", "25/9/2026", "2026-09", "20260925x", "next monday", "2026-09-25 13:45",
             "", "2026--09-25", True, 46290]


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
    ("2027-01-28", dates.RECORD, True),    # today + 60 days: an announced meeting
    ("2027-01-29", dates.RECORD, False),
    ("2036-09-25", dates.RECORD, False),   # the typo of issue 11
    ("2000-01-01", dates.RECORD, True),
    ("1999-12-31", dates.RECORD, False),
    ("1985-06-01", dates.PAST, True),      # a building bought long ago
    ("2036-09-25", dates.PAST, False),
    ("2046-12-31", dates.TERM, True),      # a 30-year land lease ends far ahead
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
