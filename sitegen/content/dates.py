"""Dates as clerks write them (日期): one parser and one plausibility rule for every date in the content folder.

Items' front matter, the journal, finance tables, reviews, registries, hotline records and acknowledgements all
read their dates through `read_day`, so every file accepts the same forms (2026-09-25, 2026/9/25, 2026.9.25,
2026年9月25日, full-width digits, a spreadsheet's date cell or "2026-09-25 00:00:00") and a bad one gets the same
message naming the accepted form.

Plausibility (a typo like 2036 for 2026 must not publish silently): a date is refused when it lies more than
`FUTURE_DAYS` after today or before its kind's earliest year. "Today" is read only to decide that error, never
for anything written to the output, so builds stay byte-reproducible; and since the upper bound only grows with
time, content accepted once is accepted by every later build. Tests and reproductions pin it with the
environment variable SITEGEN_TODAY=YYYY-MM-DD.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from datetime import date, datetime, timedelta

from sitegen.content.errors import Location, Report

ACCEPTED_ZH = "2026-09-25（也可写 2026/9/25、2026.9.25、2026年9月25日）"
ACCEPTED_EN = "2026-09-25 (or 2026/9/25, 2026.9.25, 2026年9月25日)"
FUTURE_DAYS = 60  # an announcement may name a meeting a few weeks ahead; a voucher a year ahead is a typo

# Kinds of dates, by the earliest and latest day that can be meant:
RECORD = "record"  # something published now that happened: vouchers, items, reviews, tickets (2000 .. today+60)
PAST = "past"  # a fact that may be old: an asset bought, a death registered (1949 .. today+60)
TERM = "term"  # a contract's term or a due date: may lie decades ahead (1949 .. 2099)
EARLIEST = {RECORD: date(2000, 1, 1), PAST: date(1949, 10, 1), TERM: date(1949, 10, 1)}
LATEST_TERM = date(2099, 12, 31)

_FORM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$")


def today() -> date:
    """The day plausibility is judged against: SITEGEN_TODAY (any accepted form) when set and readable, else the
    machine's date (an operator's typo there must not turn every build into an internal error)."""
    return _pinned(os.environ.get("SITEGEN_TODAY", "")) or date.today()


@functools.lru_cache(maxsize=8)
def _pinned(setting: str) -> date | None:
    """SITEGEN_TODAY's day (parse_day), read once per value: every date a village holds is judged against today
    (~2,000 a seed-scale village)."""
    return parse_day(setting)


def parse_day(value: object) -> date | None:
    """The date a clerk wrote, in any accepted form; None when it is not one (or not a real day, like 2026-02-30)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or isinstance(value, (bool, list, dict)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()  # full-width digits and punctuation from an IME
    m = _FORM.match(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def implausible(day: date, kind: str = RECORD) -> tuple[str, str] | None:
    """(Chinese, English) reason why `day` cannot be meant, or None when it is plausible for its kind."""
    earliest = EARLIEST[kind]
    if day < earliest:
        return f"早于 {earliest.isoformat()}", f"before {earliest.isoformat()}"
    if kind == TERM:
        if day > LATEST_TERM:
            return f"晚于 {LATEST_TERM.isoformat()}", f"after {LATEST_TERM.isoformat()}"
        return None
    now = today()
    if day > now + timedelta(days=FUTURE_DAYS):
        return (
            f"比今天（{now.isoformat()}）晚了 {FUTURE_DAYS} 天以上",
            f"more than {FUTURE_DAYS} days after today ({now.isoformat()})",
        )
    return None


def read_day(value: object, where: Location, key: str, report: Report, kind: str = RECORD) -> date | None:
    """Parse and check one date; report `bad-date` or `date-implausible` at `where` and return None on a problem.
    An empty value is None without a report (the caller decides whether the date is required)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_day(value)
    if day is None:
        report.error("bad-date", where, key=key, value=value, accepted=ACCEPTED_ZH, accepted_en=ACCEPTED_EN)
        return None
    reason = implausible(day, kind)
    if reason is not None:
        report.error("date-implausible", where, key=key, value=value, reason=reason[0], reason_en=reason[1])
        return None
    return day
