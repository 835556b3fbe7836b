"""Questions and answers (群众疑问与答复): the 12345 hotline's records, published under what they are about.

A villager who doubts a payment, an invoice or an item presses 我有疑问 or calls the hotline and reads out the
reference code shown on the page (refcode.py). The town's command centre exports its tickets; the clerk drops
the export into `feedback/` at the content root (CSV or .xlsx, any number of files), one row per ticket:

    工单号, 日期, 查询码, 问题, 承办部门, 答复, 状态, 答复日期

Each ticket is attached to its item or voucher (a scan's code, V-XXXX-XXXX-3, counts as its voucher) and listed
on its village's page of questions. A ticket not answered within `oversight.answer_days` days (default 15) of
its date is overdue, measured against the fixed "as of" day (review.as_of), never the wall clock, so the same
content always builds the same site. An unknown reference code is an error naming the file and row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Mapping
from dataclasses import replace
from datetime import date

from sitegen.content.dates import read_day
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawTable, table_columns, table_rows
from sitegen.content.model import City, Item, Question, Voucher
from sitegen.oversight import refcode
from sitegen.oversight.review import as_of

COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket": ("工单号", "工单编号", "ticket"),
    "date": ("日期", "来电日期", "受理日期", "date"),
    "code": ("查询码", "编码", "code"),
    "question": ("问题", "反映内容", "诉求内容", "question"),
    "department": ("承办部门", "办理部门", "department"),
    "reply": ("答复", "答复内容", "reply"),
    "status": ("状态", "办理状态", "status"),
    "reply_date": ("答复日期", "reply_date"),
}
REQUIRED = ("ticket", "date", "code", "question")
ANSWERED = {
    "已答复": True,
    "已办结": True,
    "办结": True,
    "answered": True,
    "closed": True,
    "办理中": False,
    "待答复": False,
    "未答复": False,
    "open": False,
    "pending": False,
}
# Crockford's base32 reads I and L as 1 and O as 0: what a villager reads over the phone still finds its page.
_CROCKFORD = str.maketrans("ILO", "110")


def canonical(code: str) -> str:
    text = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", code).upper())
    return text[:1] + text[1:].translate(_CROCKFORD)


def own(code: str) -> str:
    """canonical() of a code refcode made, cheaply (a city's every code is put in targets): its letters are
    upper-case Crockford base32 already (no I, L, O), so only its dashes go."""
    return code.replace("-", "")


def targets(
    city: City, codes: Mapping[int, str] | None = None, asked: Container[str] | None = None
) -> dict[str, tuple[object, str, str, str]]:
    """Canonical code -> (item or voucher, town slug, village slug, what it is in words). `codes`:
    refcode.assign(city) when the caller has it (the build's check makes it once). `asked`: only the codes in it
    (canonical: `asked_codes`), not the city's every item and voucher (issue 14: a table of the whole city, made
    while the whole city is held)."""
    codes = refcode.assign(city) if codes is None else codes
    out: dict[str, tuple[object, str, str, str]] = {}

    def put(obj: Item | Voucher, town: str, village: str) -> None:
        code = own(codes[id(obj)])
        if asked is not None and code not in asked:
            return
        subject = obj.title if isinstance(obj, Item) else f"凭证 {obj.month} {obj.label}：{obj.summary}"
        out[code] = (obj, town, village, subject)

    for item in city.items:
        put(item, "", "")
    for town in city.towns:
        for item in town.items:
            put(item, town.slug, "")
        for village in town.villages:
            objs: list[Item | Voucher] = [*village.items, *village.vouchers]
            for obj in objs:
                put(obj, town.slug, village.slug)
    return out


def read(
    tables: list[RawTable],
    city: City,
    report: Report,
    codes: Mapping[int, str] | None = None,
    villages: date | None = None,
) -> list[Question]:
    """The hotline records, in date order, each with the item or voucher of `city` it is about (its `target`;
    attach.attached hangs it there) and whether it is overdue. `city` is left as it was; `codes`: as targets.
    `villages`: the latest day of the villages `city` no longer holds (review.as_of; a check that drops each
    village once gone through gives `city` only the villages the records may name)."""
    if not tables:
        return []
    found = targets(city, codes, asked_codes(tables))
    seen: dict[str, Location] = {}
    rows: list[Question] = []
    for table in tables:
        cols = table_columns(table, COLUMNS, REQUIRED, report)
        if cols is None:
            continue
        for _, cell, loc in table_rows(table, cols):
            problems = len(report.errors)
            ticket, code = cell("ticket"), cell("code")
            for f in REQUIRED:
                if not cell(f):
                    report.error("missing-key", loc(f), key=table.header[cols[f]])
            day = read_day(cell("date"), loc("date"), table.header[cols["date"]], report) if "date" in cols else None
            reply_day = (
                read_day(cell("reply_date"), loc("reply_date"), table.header[cols["reply_date"]], report)
                if "reply_date" in cols
                else None
            )
            target = _lookup(found, code) if code else None
            if code and target is None:
                report.error("question-code", loc("code"), value=code)
            if ticket in seen:
                report.error("question-duplicate", loc("ticket"), value=ticket, other=seen[ticket].zh())
            status = cell("status")
            if status and status.lower() not in ANSWERED:
                report.error(
                    "question-status",
                    loc("status"),
                    value=status,
                    choices="、".join(k for k in ANSWERED if not k.isascii()),
                )
            answered = ANSWERED.get(status.lower()) if status else bool(cell("reply") and reply_day)
            if answered and not (cell("reply") and reply_day):
                report.error("question-reply", loc("status" if status else "reply"))
            if len(report.errors) > problems or day is None or target is None:
                continue
            seen[ticket] = loc()
            obj, town, village, subject = target
            rows.append(
                Question(
                    ticket,
                    day,
                    code,
                    cell("question"),
                    cell("department"),
                    cell("reply"),
                    reply_day,
                    bool(answered),
                    "",
                    False,
                    loc(),
                    obj,
                    subject,
                    town,
                    village,
                )
            )
    found_questions = sorted(rows, key=lambda q: (q.date, q.ticket))
    limit, today = city.oversight.answer_days, as_of(city, found_questions, villages)
    return [_timed(q, limit, today) for q in found_questions]


def _timed(q: Question, limit: int, today: date) -> Question:
    """The question with its status in words and whether it is overdue, measured at `today` (review.as_of)."""
    if q.answered and q.reply_date is not None:  # answered: a reply date was required above
        waited = (q.reply_date - q.date).days
        return replace(
            q, overdue=waited > limit, status=f"逾期答复（{waited} 天后才答复）" if waited > limit else "已答复"
        )
    waited = (today - q.date).days
    overdue = waited > limit
    return replace(q, overdue=overdue, status=f"超过时限未答复（已等 {waited} 天）" if overdue else "办理中")


def asked_codes(tables: list[RawTable]) -> set[str]:
    """Every code the hotline records may name, canonical: each row's code, and a scan's its voucher's (_lookup).
    (Their problems are reported when they are read: not here.)"""
    asked: set[str] = set()
    for table in tables:
        cols = table_columns(table, COLUMNS, REQUIRED, Report())
        if cols is None or "code" not in cols:
            continue
        for _, cell, _ in table_rows(table, cols):
            code = cell("code")
            asked.add(canonical(code))
            m = _SCAN.match(code.strip())
            if m:
                asked.add(canonical(m.group(1)))
    return asked


_SCAN = re.compile(r"^(.*\S)\s*-\s*\d{1,3}$")  # a scan's code: its voucher's code and the page


def _lookup(found: dict[str, tuple], code: str) -> tuple | None:
    exact = found.get(canonical(code))
    if exact is not None:
        return exact
    m = _SCAN.match(code.strip())  # a scan: the voucher's code and the page
    if m:
        voucher = found.get(canonical(m.group(1)))
        if voucher is not None and isinstance(voucher[0], Voucher):
            return voucher
    return None


def overdue(city: City) -> list[Question]:
    return [q for q in city.questions if q.overdue]


def in_month(city: City, month: str) -> list[Question]:
    return [q for q in city.questions if q.date.isoformat()[:7] == month]


def flagged_before(city: City, month: str) -> list[Question]:
    """Questions from before `month` still unanswered at its start (for the monthly report)."""
    start = date.fromisoformat(f"{month}-01")
    return [
        q
        for q in city.questions
        if q.date < start and (not q.answered or q.reply_date is None or q.reply_date >= start)
    ]
