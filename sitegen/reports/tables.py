"""Reports (报表) for the township 农经 office, the discipline commission (纪委) and the city's inspectors.

`sitegen report …` validates the content like `sitegen check` (any content error stops it, exit 1), then
writes one report per town and one for the city, each as HTML (self-contained, printable), CSV (UTF-8 with BOM,
what Excel opens; the report's first table) and Excel (.xlsx, one sheet per table), into
`OUTPUT/<report>/{city,<town>}.{html,csv,xlsx}`:

- warnings --month YYYY-MM: 异常资金支付报表, the month's payment warnings (oversight.py) with the township's
  explanations, per village and per rule, with the month's payments for scale;
- feedback --month YYYY-MM: the month's hotline questions and replies, and older ones still open (questions.py);
- review: the review queue, every record not yet approved and what approved ones still lack (review.py);
- coverage: per village, the empty and stale categories and how late each month's finance was published,
  towns ranked (one report for the whole city).

Reports cover drafts too: they are for the offices that approve them. Personal data is masked as on the site.
The same content gives the same bytes: dates come from the content (review.as_of), never the clock, and the
Excel files carry fixed timestamps.

Each report reads the checked city a village at a time (pipeline.CheckedCity.each: restored from the check's
store, its rows taken as plain values, dropped) and makes the towns' and the city's documents from those rows, so
a report holds one village's model at a time, whatever the city's size (issue 14: memory at any size). A table
that grows with the city's warnings (the 预警明细) is kept on disk as its rows come (`Rows`), and every document is
written as it is read (HTML from the template's stream, CSV by rows, Excel with openpyxl's write-only sheets),
so no city-wide document is held whole either.
"""

from __future__ import annotations

import csv
import functools
import io
import pickle
import re
import shutil
import tempfile
import weakref
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from sitegen.build.pipeline import CheckedCity
from sitegen.content.config import OversightConfig
from sitegen.content.errors import OutputError
from sitegen.content.files import atomic
from sitegen.content.model import City, Question, Town, Village
from sitegen.content.money import ZERO, yuan
from sitegen.content.privacy import mask
from sitegen.content.taxonomy import BOARDS
from sitegen.oversight.review import QueueRow, approved, item_is_draft, month_review, queue
from sitegen.oversight.supervise import RULES, payments
from sitegen.site.render import THEMES_DIR

FIXED_TIME = datetime(2000, 1, 1)  # Excel's document properties: a constant, so the bytes never change


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | money | int


class Rows:
    """A table's rows, kept in a temporary file as they are added (pickled, a village's rows at a time) and read back
    in order as often as asked: a city's month of warnings (~250 rows a seed-scale village) is written to three
    documents and never held whole (issue 14: memory at any size). The file is gone when the rows are."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        weakref.finalize(self, self._file.close)
        self._end = self._count = 0

    def extend(self, rows: list[list[Any]]) -> None:
        if rows:
            self._file.seek(self._end)
            pickle.dump(rows, self._file, pickle.HIGHEST_PROTOCOL)
            self._end, self._count = self._file.tell(), self._count + len(rows)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[list[Any]]:
        at = 0  # (each reading keeps its own place: two may go on at once)
        while at < self._end:
            self._file.seek(at)
            batch = pickle.load(self._file)
            at = self._file.tell()
            yield from batch


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]] | Rows
    total: list[Any] | None = None  # a last row of totals, same columns
    note: str = ""


@dataclass
class Doc:
    title: str
    scope: str  # 全市 or the town's name
    lines: list[str]  # the summary, in sentences
    tables: list[Table] = field(default_factory=list)


def _text(value: Any) -> str:
    """A cell as text: money with two places, dates ISO, clerk text masked."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return mask(str(value))


# What a spreadsheet takes for the start of a formula in a cell it reads from text (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*(?:\.[0-9]+)?%?")


def _inert(text: str) -> str:
    """A CSV cell as Excel will show it, never run. Clerk and hotline text is untrusted: a payee or a question
    written `=HYPERLINK("http://…?"&A2, "…")` would be a live formula in the township's or the 纪委's spreadsheet,
    sending its cells to a web address. Text that starts like a formula gets a leading apostrophe, Excel's mark
    for "this is text"; a plain number (a refund, -12.00) is left as it is."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _scopes(city: City) -> list[tuple[str, str, set[str]]]:
    """(file name, scope in words, its towns' slugs) for the city and each town."""
    return [("city", "全市", {t.slug for t in city.towns})] + [(t.slug, t.name, {t.slug}) for t in city.towns]


def month_label(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


# ---- 异常资金支付报表 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _VillageWarnings:
    """One village's part of the month's 异常资金支付报表, as plain values (no object of its model)."""

    town: str  # its town's slug
    row: list[Any]  # 按村汇总: town, village, payments, paid, payments flagged, flagged, warnings, unexplained
    detail: list[list[Any]]  # 预警明细, one row a warning
    rules: list[tuple[str, Decimal]]  # (rule, amount) of each warning, in order


def _village_warnings(month: str, town: Town, v: Village) -> _VillageWarnings:
    pays = [p for p in payments(v) if p.voucher.month == month]
    warns = [w for w in v.warnings if w.voucher.month == month]
    hit = {id(w.voucher): w.amount for w in warns}
    open_ = sum(1 for w in warns if w.acknowledgement is None)
    v_paid, v_flagged = sum((p.amount for p in pays), ZERO), sum(hit.values(), ZERO)
    detail = []
    for w in warns:
        ack = w.acknowledgement
        detail.append(
            [
                town.name,
                v.name,
                f"{w.voucher.month} {w.voucher.label}",
                w.voucher.date,
                w.payee,
                w.amount,
                w.title,
                w.message,
                ack.explanation if ack else "",
                ack.by if ack else "",
                ack.date if ack and ack.date else "",
                "已说明" if ack else "未说明",
            ]
        )
    row = [town.name, v.name, len(pays), v_paid, len(hit), v_flagged, len(warns), open_]
    return _VillageWarnings(town.slug, row, detail, [(w.rule, w.amount) for w in warns])


def warnings_docs(checked: CheckedCity, month: str) -> dict[str, Doc]:
    scopes = _scopes(checked.city)
    details = {name: Rows() for name, _, _ in scopes}  # each document's 预警明细, on disk as each village comes
    found = []  # each village's 按村汇总 row and rules, without its detail
    for village in checked.each(functools.partial(_village_warnings, month)):
        for name, _, towns in scopes:
            if village.town in towns:
                details[name].extend(village.detail)
        found.append(replace(village, detail=[]))
    docs = {}
    for name, scope, towns in scopes:
        per_village = []
        by_rule: Counter[str] = Counter()
        rule_amount: dict[str, Decimal] = {r: ZERO for r in RULES}
        n_pay = n_flagged = n_warn = n_open = 0
        paid = flagged = ZERO
        for village in (f for f in found if f.town in towns):
            per_village.append(village.row)
            _, _, pays, v_paid, flagged_pays, v_flagged, warns, open_ = village.row
            n_pay, paid, n_flagged, flagged = n_pay + pays, paid + v_paid, n_flagged + flagged_pays, flagged + v_flagged
            n_warn, n_open = n_warn + warns, n_open + open_
            for rule, amount in village.rules:
                by_rule[rule] += 1
                rule_amount[rule] += amount
        rules: list[list[Any]] = [
            [title, by_rule[rule], rule_amount[rule]] for rule, (title, _) in RULES.items() if by_rule[rule]
        ]
        docs[name] = Doc(
            f"{month_label(month)}异常资金支付报表",
            scope,
            [
                f"本月付款 {n_pay} 笔，合计 {yuan(paid)} 元；其中 {n_flagged} 笔触发预警，合计 {yuan(flagged)} 元，"
                f"共 {n_warn} 条预警，{n_open} 条尚未说明。",
                "一笔付款可能同时触发几条规则；金额按笔计算，不重复相加。报表含尚未公开（待审核）月份的付款。",
            ],
            [
                Table(
                    "预警明细",
                    [
                        Column("镇（街道）"),
                        Column("村"),
                        Column("凭证"),
                        Column("日期"),
                        Column("收款人"),
                        Column("金额（元）", "money"),
                        Column("预警规则"),
                        Column("预警内容"),
                        Column("镇（街道）说明"),
                        Column("说明单位"),
                        Column("说明日期"),
                        Column("状态"),
                    ],
                    details[name],
                ),
                Table(
                    "按村汇总",
                    [
                        Column("镇（街道）"),
                        Column("村"),
                        Column("付款笔数", "int"),
                        Column("付款金额（元）", "money"),
                        Column("预警笔数", "int"),
                        Column("预警付款金额（元）", "money"),
                        Column("预警条数", "int"),
                        Column("未说明条数", "int"),
                    ],
                    per_village,
                    ["合计", "", n_pay, paid, n_flagged, flagged, n_warn, n_open],
                ),
                Table(
                    "按规则汇总",
                    [Column("预警规则"), Column("条数", "int"), Column("涉及付款金额（元）", "money")],
                    rules,
                    ["合计", n_warn, sum((r[2] for r in rules), ZERO)],
                    "同一笔付款触发几条规则时，在每条规则下各计一次。",
                ),
            ],
        )
    return docs


# ---- 群众反映问题月报 --------------------------------------------------------------------------------------


def _asked(town: Town, v: Village) -> list[Question]:
    """A village's hotline questions, each without what it is about (its words are in `subject`)."""
    return [replace(q, target=None) for q in v.questions]


def feedback_docs(checked: CheckedCity, month: str) -> dict[str, Doc]:
    city = checked.city
    asked = [q for qs in checked.each(_asked) for q in qs]
    # every question in order: the city's and towns', then the villages', by day and ticket
    questions = sorted([*city.questions, *asked], key=lambda q: (q.date, q.ticket))
    start = date.fromisoformat(f"{month}-01")
    end = (start + timedelta(days=32)).replace(day=1)
    docs = {}
    columns = [
        Column("工单号"),
        Column("日期"),
        Column("镇（街道）"),
        Column("村"),
        Column("所问事项"),
        Column("查询码"),
        Column("问题"),
        Column("承办部门"),
        Column("答复"),
        Column("答复日期"),
        Column("状态"),
    ]
    names = {t.slug: t.name for t in city.towns} | {"": "全市"}
    villages = {(v.town, v.slug): v.name for v in checked.listed}
    for name, scope, towns in _scopes(city):
        slugs = towns | ({""} if name == "city" else set())
        mine = [q for q in questions if q.town in slugs]

        def row(q):
            return [
                q.ticket,
                q.date,
                names.get(q.town, q.town),
                villages.get((q.town, q.village), ""),
                q.subject,
                q.code,
                q.question,
                q.department,
                q.reply,
                q.reply_date or "",
                q.status,
            ]

        this = [q for q in mine if start <= q.date < end]
        older = [
            q for q in mine if q.date < start and (not q.answered or q.reply_date is None or q.reply_date >= start)
        ]
        answered = sum(1 for q in this if q.answered)
        late = sum(1 for q in this + older if q.overdue)
        docs[name] = Doc(
            f"{month_label(month)}群众反映问题及答复情况",
            scope,
            [
                f"本月收到群众反映 {len(this)} 件，已答复 {answered} 件，办理中 {len(this) - answered} 件；"
                f"以前月份结转 {len(older)} 件；超过答复时限（{city.oversight.answer_days} 天）的 {late} 件。",
                f"答复状态按 {checked.day.isoformat()} 统计。",
            ],
            [
                Table("本月群众反映", columns, [row(q) for q in this]),
                Table("以前月份尚未办结的", columns, [row(q) for q in older]),
            ],
        )
    return docs


# ---- 审核待办 ---------------------------------------------------------------------------------------------


def _queued(city: City, town: Town, v: Village) -> list[QueueRow]:
    """review.queue's rows of one village (`city`: the site's settings)."""
    return queue(replace(city, items=[], towns=[replace(town, items=[], villages=[v])]))


def review_docs(checked: CheckedCity) -> dict[str, Doc]:
    city = checked.city
    # queue's rows: the city's and towns' items', then each village's
    rows = queue(city) + [r for rs in checked.each(functools.partial(_queued, city)) for r in rs]
    docs = {}
    for name, scope, towns in _scopes(city):
        names = {t.name for t in city.towns if t.slug in towns} | ({""} if name == "city" else set())
        mine = [r for r in rows if r.town in names]
        waiting = [r for r in mine if r.status != "已通过"]
        by_dept = Counter((r.department, r.status) for r in mine)
        docs[name] = Doc(
            "“三务”公开审核待办",
            scope,
            [
                f"待审核或退回的记录 {len(waiting)} 条；缺少依据或文件的 {sum(1 for r in mine if r.missing)} 条。",
                f"统计日期 {checked.day.isoformat()}。只有审核通过的内容才会公开。",
            ],
            [
                Table(
                    "待办明细",
                    [
                        Column("镇（街道）"),
                        Column("村"),
                        Column("类型"),
                        Column("名称"),
                        Column("审核部门"),
                        Column("状态"),
                        Column("缺少"),
                        Column("文件"),
                    ],
                    [
                        [
                            r.town or "全市",
                            (r.village or "全镇（街道）") if r.town else "",
                            r.kind,
                            r.title,
                            r.department,
                            r.status,
                            r.missing,
                            r.where,
                        ]
                        for r in mine
                    ],
                ),
                Table(
                    "按部门汇总",
                    [Column("审核部门"), Column("状态"), Column("条数", "int")],
                    [[d, s, n] for (d, s), n in sorted(by_dept.items())],
                    ["合计", "", len(mine)],
                ),
            ],
        )
    return docs


# ---- 公开情况检查 (coverage) ---------------------------------------------------------------------------------


@dataclass
class MonthCoverage:
    month: str
    due: date
    published: date | None  # when it (and every month before it) was approved
    days_late: int | None  # None: no review dates to measure by (content from before reviews)
    status: str


def finance_months(cfg: OversightConfig, today: date, v: Village) -> list[MonthCoverage]:
    """Each month from the village's first journal month to the last month already due by the as-of day `today`.

    A month's finance is published when it and every earlier month are approved (review.draft_months); its
    publication day is the latest of those approval dates. It is due on `finance_due_day` of the next month."""
    months = sorted({x.month for x in v.vouchers})
    if not months:
        return []
    out: list[MonthCoverage] = []
    y, m = int(months[0][:4]), int(months[0][5:])
    latest: date | None = None
    blocked = False
    while True:
        month = f"{y:04d}-{m:02d}"
        y2, m2 = (y + 1, 1) if m == 12 else (y, m + 1)
        due = date(y2, m2, cfg.finance_due_day)
        if due > today and month not in months:
            break
        review = month_review(v, month)
        ok = not blocked and approved(review, cfg.review_required)
        if ok and review.status == "approved" and review.date:
            latest = max(latest or review.date, review.date)
            late = max(0, (latest - due).days)
            out.append(MonthCoverage(month, due, latest, late, "准时" if late == 0 else f"晚 {late} 天"))
        elif ok:
            out.append(MonthCoverage(month, due, None, None, "已公开（无审核记录）"))
        else:
            blocked = True
            late = max(0, (today - due).days)
            out.append(
                MonthCoverage(month, due, None, late, f"未公开（已晚 {late} 天）" if late else "未公开（还未到期）")
            )
        if due > today:
            break
        y, m = y2, m2
    return out


@dataclass(frozen=True)
class _VillageCoverage:
    """One village's part of the 公开情况检查, as plain values (no object of its model)."""

    town: str  # its town's slug
    row: list[Any]  # 各村情况: town, village, empty, which, stale, which, months in words, unpublished, days late
    months: list[list[Any]]  # 各月财务公开, one row a month
    count: int  # its months of finance


def _village_coverage(cfg: OversightConfig, today: date, town: Town, v: Village) -> _VillageCoverage:
    stale_before = today - timedelta(days=cfg.stale_days)
    empty, stale = [], []
    for board in BOARDS:
        for cat in board.categories:
            items = [i for i in v.items_of(board, cat) if not item_is_draft(i, cfg.review_required)]
            if not items:
                empty.append(f"{board.name}·{cat.name}")
            elif max(i.date for i in items) < stale_before:
                stale.append(f"{board.name}·{cat.name}")
    fin = finance_months(cfg, today, v)
    unpub = sum(1 for f in fin if f.published is None and f.days_late is not None)
    late = sum(f.days_late or 0 for f in fin)
    row = [
        town.name,
        v.name,
        len(empty),
        "、".join(empty),
        len(stale),
        "、".join(stale),
        "；".join(f"{month_label(f.month)}{f.status}" for f in fin),
        unpub,
        late,
    ]
    months = [
        [town.name, v.name, f.month, f.due, f.published or "", "" if f.days_late is None else f.days_late, f.status]
        for f in fin
    ]
    return _VillageCoverage(town.slug, row, months, len(fin))


def coverage_docs(checked: CheckedCity) -> dict[str, Doc]:
    city, today = checked.city, checked.day
    cfg = city.oversight
    stale_before = today - timedelta(days=cfg.stale_days)
    found = list(checked.each(functools.partial(_village_coverage, cfg, today)))
    village_rows: list[list[Any]] = []
    month_rows: list[list[Any]] = []
    towns: list[list[Any]] = []
    for town in city.towns:
        mine = [f for f in found if f.town == town.slug]
        rows = [f.row for f in mine]
        for f in mine:
            month_rows += f.months
        t_empty, t_stale = sum(r[2] for r in rows), sum(r[4] for r in rows)
        t_unpub, t_late = sum(r[7] for r in rows), sum(r[8] for r in rows)
        t_months = sum(f.count for f in mine)
        rows.sort(key=lambda r: (r[7], r[2] + r[4], r[8], r[1]))
        village_rows += rows
        average = (Decimal(t_late) / t_months).quantize(Decimal("0.1")) if t_months else Decimal("0.0")
        towns.append([town.name, len(mine), t_empty, t_stale, t_unpub, t_late, average])
    # Ranked: fewest unpublished months, then fewest empty or stale categories, then fewest days late.
    towns.sort(key=lambda r: (r[4], r[2] + r[3], r[5], r[0]))
    ranking = [[n] + r for n, r in enumerate(towns, start=1)]
    doc = Doc(
        "“三务”公开情况检查",
        "全市",
        [
            f"统计日期 {today.isoformat()}。空白类别：该类别没有已公开的事项；久未更新：最近一条已公开事项早于 "
            f"{stale_before.isoformat()}（{cfg.stale_days} 天）。每月财务应在次月 {cfg.finance_due_day} 日前公开；"
            "公开日期取该月及以前各月都审核通过的那一天。",
            "排名先看未公开的月数，再看空白和久未更新的类别数，再看财务公开累计晚了几天，越少越靠前。",
        ],
        [
            Table(
                "各镇（街道）排名",
                [
                    Column("名次", "int"),
                    Column("镇（街道）"),
                    Column("村数", "int"),
                    Column("空白类别", "int"),
                    Column("久未更新类别", "int"),
                    Column("未公开月数", "int"),
                    Column("财务公开累计晚（天）", "int"),
                    Column("平均每月晚（天）"),
                ],
                ranking,
            ),
            Table(
                "各村情况",
                [
                    Column("镇（街道）"),
                    Column("村"),
                    Column("空白类别数", "int"),
                    Column("空白类别"),
                    Column("久未更新类别数", "int"),
                    Column("久未更新类别"),
                    Column("各月财务公开"),
                    Column("未公开月数", "int"),
                    Column("财务公开累计晚（天）", "int"),
                ],
                sorted(village_rows, key=lambda r: [t[1] for t in ranking].index(r[0])),
            ),
            Table(
                "各月财务公开",
                [
                    Column("镇（街道）"),
                    Column("村"),
                    Column("月份"),
                    Column("应公开日期"),
                    Column("公开日期"),
                    Column("晚（天）"),
                    Column("情况"),
                ],
                month_rows,
            ),
        ],
    )
    return {"city": doc}


# ---- writers ------------------------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(THEMES_DIR / "reports")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda v: mask(v) if isinstance(v, str) and not isinstance(v, Markup) else v,
    )
    env.filters["cell"] = lambda value, kind: (
        yuan(value) if kind == "money" and isinstance(value, Decimal) else _text(value)
    )
    return env


def _write_html(doc: Doc, out: BinaryIO) -> None:
    """The document printable, written as the template makes it (never held whole)."""
    for chunk in _environment().get_template("report.html").generate(doc=doc):
        out.write(chunk.encode("utf-8"))


def _write_csv(doc: Doc, out: BinaryIO) -> None:
    """The report's first table (its detail), UTF-8 with BOM so Excel reads the Chinese, written by rows."""
    table = doc.tables[0]
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write("\ufeff")
    w = csv.writer(text, lineterminator="\r\n")
    w.writerow([_inert(c.title) for c in table.columns])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        w.writerow([_inert(_text(v)) for v in row])
    text.flush()
    text.detach()  # (`out` is the caller's to close)


BOLD = Font(bold=True)
MONEY_FORMAT = "#,##0.00"


def _write_xlsx(doc: Doc, out: BinaryIO) -> None:
    """One sheet per table; money as numbers with two places, every other cell text (never a formula, whatever it
    starts with: _append). openpyxl's write-only sheets send each row to a temporary file as it is appended, so a
    city's sheet is never held as cells. Fixed timestamps, so the bytes never change."""
    book = Workbook(write_only=True)
    for table in doc.tables:
        sheet = book.create_sheet(table.title[:31])
        for n, c in enumerate(table.columns, start=1):  # (a write-only sheet takes its columns before any row)
            sheet.column_dimensions[get_column_letter(n)].width = 14 if c.kind != "text" else 24
        _append(sheet, [f"{doc.scope}{doc.title}：{table.title}"], BOLD)
        _append(sheet, [c.title for c in table.columns], BOLD)
        formats = [MONEY_FORMAT if c.kind == "money" else None for c in table.columns]
        for row in [*table.rows, *([table.total] if table.total else [])]:
            _append(
                sheet,
                [
                    v if (c.kind in ("money", "int") and isinstance(v, (int, Decimal))) else _text(v)
                    for c, v in zip(table.columns, row)
                ],
                formats=formats,
            )
    book.properties.created = book.properties.modified = FIXED_TIME
    book.properties.creator = book.properties.lastModifiedBy = "sitegen"
    with tempfile.TemporaryFile() as raw:
        book.save(raw)
        # openpyxl stamps every zip entry with the current time: copy the entries with a fixed one, each streamed
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in sorted(src.infolist(), key=lambda i: i.filename):
                fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                if info.filename == "docProps/core.xml":  # openpyxl writes the save time as "modified"
                    data = re.sub(
                        rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", src.read(info.filename)
                    )
                    dst.writestr(fixed, data)
                    continue
                with src.open(info) as part, dst.open(fixed, "w") as copy:
                    shutil.copyfileobj(part, copy)


def _append(
    sheet: WriteOnlyWorksheet, values: list[Any], font: Font | None = None, formats: list[str | None] | None = None
) -> None:
    """A row of the sheet, each cell in `font` and its column's number format (`formats`, if any). openpyxl takes
    any text starting with "=" for a formula: clerk and hotline text is text (see _inert), so such a cell is made a
    text cell again, shown exactly as written."""
    cells = []
    for n, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value)
        if cell.data_type == "f":
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        number_format = formats[n] if formats else None
        if number_format is not None:
            cell.number_format = number_format
        cells.append(cell)
    sheet.append(cells)


WRITERS: tuple[tuple[str, Callable[[Doc, BinaryIO], None]], ...] = (
    (".html", _write_html),
    (".csv", _write_csv),
    (".xlsx", _write_xlsx),
)


def write(folder: Path, docs: dict[str, Doc]) -> list[Path]:
    """Every doc as name.html, name.csv and name.xlsx in `folder` (created), each written as it is made; the paths
    written."""
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, doc in docs.items():
            for suffix, writer in WRITERS:
                path = folder / f"{name}{suffix}"
                with atomic(path) as out:  # a reader never sees half a report
                    writer(doc, out)
                written.append(path)
    except OSError as exc:
        raise OutputError(f"{exc.filename or folder}: {exc.strerror}") from exc
    return written


KINDS: dict[str, Callable[..., dict[str, Doc]]] = {
    "warnings": warnings_docs,
    "feedback": feedback_docs,
    "review": review_docs,
    "coverage": coverage_docs,
}


def make(checked: CheckedCity, kind: str, out: Path, month: str | None = None) -> list[Path]:
    """Write report `kind` of the checked city under `out`: OUT/warnings-2026-08/, OUT/feedback-2026-08/, OUT/review/, …"""
    docs = KINDS[kind](checked, month) if month else KINDS[kind](checked)
    return write(out / (f"{kind}-{month}" if month else kind), docs)
