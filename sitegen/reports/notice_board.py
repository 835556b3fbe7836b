"""公开栏 The notice-board poster: a village's month as a print-ready PDF for the board in the village square.

Villages still post a monthly disclosure on the notice board (公开栏). `sitegen print --month YYYY-MM` makes it from
the same validated model the sites are built from (pipeline.check_stored: load, validate, oversight; then each
village printed is restored alone and review.publish takes out its drafts exactly as the build does), so a clerk
never retypes it and it never says more than the site:

- 收支流水: the month's ledger lines (date, what, 收入, 支出, running balance), opening and closing balance, totals;
- 党务/村务/财务公开: the village's board items dated in the month;
- 发放名单: the payout lists (低保, 补助, 工资) paid by the month's vouchers, only the columns the site shows;
- 资金支付预警: the month's payment warnings with the township's explanations;
- 群众疑问: hotline records answered in the month;
- 审批流程: each payment's approval trail (经手人, 证明人, 审批人, 村监委主任, 镇农经站);

each section with a QR code opening the same page on the phone site (site.yaml `public_url`), or that page's
path in words when no public address is configured. Everything shown is computed here; the template
(themes/print/notice.html) and its stylesheet (print.css) only lay it out, and WeasyPrint paginates it (rows are
never cut, table headers repeat). Clerk text is masked (privacy.mask) on its way into the page, and the page is
scanned for unmasked personal numbers before it is printed. The same content gives the same bytes: no dates of
the run in the PDF, a fixed document identifier.

A month not yet approved (待审核), or one after it, is refused: the running balance would reveal it. A village
with content errors is not printed, as the build holds it back.
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from sitegen.build.pipeline import CheckedCity, check_stored, village_errors
from sitegen.build.scope import ScopeError, locate
from sitegen.build.state import default_cache
from sitegen.content.errors import Location, OutputError, Report, rel
from sitegen.content.markdown import paragraph_text
from sitegen.content.model import (
    City,
    Item,
    LedgerMonth,
    PaymentWarning,
    Town,
    Village,
    Voucher,
)
from sitegen.content.money import ZERO, yuan
from sitegen.content.privacy import find_unmasked, mask
from sitegen.content.taxonomy import BOARDS, FINANCE
from sitegen.finance.ledger import money_movement, village_ledgers
from sitegen.images import renditions as assets
from sitegen.images.digests import Checked, facts_file
from sitegen.oversight import refcode
from sitegen.oversight.review import month_review, publish
from sitegen.reports.tables import month_label
from sitegen.site import plan as links
from sitegen.site.feedback import qr_png
from sitegen.site.pages import LedgerPage
from sitegen.site.render import THEMES_DIR

PRINT_DIR = THEMES_DIR / "print"
SIZES = ("A3", "A2")
CJK_FONT = "Noto-Sans-CJK"  # print.css names the family; every piece of text must come out in it, embedded
_DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]*")
EXCERPT = 90  # characters of a notice's text shown under its title: enough to say what it is about
# Longest free text a cell prints (a question, a reply, an explanation, a title): a row must fit on one page, since rows
# are never cut; the rest is on the phone site the section's QR code opens.
LONGEST = 240
MORE = "…（全文见手机网站）"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | money | date | name (never wrapped) | stack (lines kept) | label (a few words) | wide


@dataclass
class Table:
    """One printed table: cells already as text (amounts with two places), a last row of totals if any."""

    title: str
    columns: list[Column]
    rows: list[list[str]]
    total: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # a row's second line, in its wide column ("" none)


@dataclass
class Section:
    """栏目 One section of the poster, with where it is on the phone site."""

    key: str  # ledger | party | affairs | finance | lists | warnings | questions | trail
    title: str
    lines: list[str]  # plain sentences above the tables
    tables: list[Table]
    empty: str  # said when there is nothing this month
    path: str  # the phone page (relative to the phone site's root, maybe with #fragment)
    place: str  # that page in words: 长寿村 › 财务 › 2026年收支流水
    address: str  # the full address when site.yaml has public_url, else ""
    qr: str = ""  # the QR code as a data: URI, when there is an address


@dataclass
class Notice:
    """公开栏 One village's month, everything the poster shows."""

    key: str  # town/village
    city: str
    town: str
    village: str
    month: str
    month_label: str  # 2026年9月
    size: str  # A3 | A2
    title: str
    facts: list[tuple[str, str]]  # (label, value) under the title: period, approved by, hotline
    summary: list[tuple[str, str]]  # the month's money in three big figures
    sections: list[Section]
    hotline: str


class Refused(Exception):
    """Nothing printed: the problems say why (content errors, a held month, a bad --village)."""

    def __init__(self, report: Report, usage: bool = False):
        super().__init__(f"{len(report.errors)} problem(s)")
        self.report = report
        self.usage = usage  # a command-line mistake (exit 2), not the content's (exit 1)


@dataclass
class Printed:
    written: list[Path]
    report: Report  # warnings, and the errors of the villages not printed
    refused: list[str]  # town/village not printed


# ---- the month's data ----------------------------------------------------------------------------------------


def month_range(month: str) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    start = date.fromisoformat(f"{month}-01")
    return start, (start + timedelta(days=32)).replace(day=1)


def in_month(day: date | None, month: str) -> bool:
    return day is not None and day.isoformat()[:7] == month


def ledger_month(village: Village, month: str) -> tuple[LedgerMonth | None, Decimal]:
    """The month of the ledger (None when no money moved in it) and the balance it opens with."""
    opening = village.opening_balance
    for ledger in village.ledgers:
        for m in ledger.months:
            if m.month == month:
                return m, m.opening
            if m.month < month:
                opening = m.closing
    return None, opening


def excerpt(body: str) -> str:
    """A notice's text as one short line (markdown.paragraph_text: no markup, tables left out), masked."""
    text = paragraph_text(body)
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…"


def clip(text: str, limit: int = LONGEST) -> str:
    """Clerk text masked, then cut to `limit` characters (masking first: a cut never leaves part of a number bare)."""
    text = mask("\n".join(" ".join(line.split()) for line in text.strip().splitlines()))
    return text if len(text) <= limit else text[:limit].rstrip() + MORE


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return yuan(value)
    if isinstance(value, date):
        return value.isoformat()
    return clip(str(value))


def _ledger_section(village: Village, month: str) -> tuple[list[str], list[Table], list[tuple[str, str]]]:
    m, opening = ledger_month(village, month)
    income, expense = (m.income, m.expense) if m else (ZERO, ZERO)
    closing = m.closing if m else opening
    label = month_label(month)
    lines = [
        (
            f"{label}初余额 {yuan(opening)} 元；本月收入 {yuan(income)} 元，支出 {yuan(expense)} 元；"
            f"{label}末余额 {yuan(closing)} 元。"
        ),
        "余额是村里现金和银行存款的合计；现金与银行之间互转的钱不算收入，也不算支出。",
    ]
    rows, notes = [["", f"{label}初余额（上月结转）", "", "", yuan(opening)]], [""]
    for line in m.lines if m else []:
        what = line.description or line.purpose
        rows.append(
            [
                line.date.isoformat(),
                f"{line.voucher.label} {what}",
                yuan(line.income) if line.income else "",
                yuan(line.expense) if line.expense else "",
                yuan(line.balance),
            ]
        )
        notes.append(
            clip(
                "；".join(
                    x
                    for x in (
                        ("内部互转" if line.transfer else line.purpose),
                        (f"对方：{line.counterparty}" if line.counterparty else ""),
                    )
                    if x
                )
            )
        )
    table = Table(
        "收支流水账",
        [
            Column("日期", "date"),
            Column("做什么", "wide"),
            Column("收入（元）", "money"),
            Column("支出（元）", "money"),
            Column("余额（元）", "money"),
        ],
        [[clip(c) for c in r] for r in rows],
        ["", "本月合计", yuan(income), yuan(expense), yuan(closing)],
        notes,
    )
    summary = [
        ("本月收入", f"{yuan(income)} 元"),
        ("本月支出", f"{yuan(expense)} 元"),
        ("月末余额", f"{yuan(closing)} 元"),
    ]
    return lines, [table] if m else [], summary


def _notices(village: Village, month: str, board_slug: str) -> list[Item]:
    return sorted(
        (i for i in village.items if i.board.slug == board_slug and in_month(i.date, month)),
        key=lambda i: (i.date, i.title, i.where),
    )


def _notice_table(items: list[Item]) -> Table:
    rows, notes = [], []
    for i in items:
        kind = "·".join(x for x in ((i.category.name if i.category else ""), i.subitem) if x)
        basis = f"{i.basis.title}{('（' + i.basis.number + '）') if i.basis.number else ''}" if i.basis else ""
        rows.append([_cell(i.date), _cell(kind), _cell(i.title), _cell(basis)])
        notes.append(excerpt(i.body))
    return Table(
        "", [Column("日期", "date"), Column("类别"), Column("事项", "wide"), Column("依据")], rows, notes=notes
    )


def _payout_tables(village: Village, month: str) -> list[Table]:
    lists = [p for p in (village.finance.payouts if village.finance else []) if p.voucher.month == month]
    return [
        Table(
            f"{p.name}（凭证 {p.voucher.label}，{p.voucher.date.isoformat()} 发放）",
            [
                Column("姓名"),
                Column("村民小组或职务", "wide"),
                Column("家庭人口"),
                Column("期间"),
                Column("金额（元）", "money"),
            ],
            [[_cell(x.name), _cell(x.group), _cell(x.household), _cell(x.period), yuan(x.amount)] for x in p.payees],
            ["合计", f"{len(p.payees)} 人", "", "", yuan(p.total)],
        )
        for p in lists
    ]


def _warning_table(village: Village, month: str) -> Table | None:
    """One row per payment (its amount counted once), with every rule it hit and the township's explanations."""
    by_payment: dict[int, list[PaymentWarning]] = {}
    for w in village.warnings:
        if w.voucher.month == month:
            by_payment.setdefault(id(w.voucher), []).append(w)
    if not by_payment:
        return None
    rows, notes = [], []
    for warns in by_payment.values():
        v = warns[0].voucher
        rows.append(
            [
                _cell(v.date),
                _cell(f"{v.label} {v.summary}"),
                _cell(warns[0].payee),
                yuan(warns[0].amount),
                _cell("、".join(dict.fromkeys(w.title for w in warns))),
            ]
        )
        said = []
        for w in warns:
            ack = w.acknowledgement
            when = f"，{ack.date.isoformat()}" if ack and ack.date else ""
            said.append(
                f"{w.message} 说明：" + (f"{ack.explanation}（{ack.by}{when}）" if ack else "镇（街道）尚未说明")
            )
        notes.append(clip("；".join(said), LONGEST * len(warns)))
    return Table(
        "",
        [
            Column("日期", "date"),
            Column("付款", "wide"),
            Column("收款人"),
            Column("金额（元）", "money"),
            Column("预警", "label"),
        ],
        rows,
        notes=notes,
    )


def answered_questions(city: City, town: Town, village: Village, month: str) -> list:
    """Hotline records answered in `month` about this village's published records, or about what its town or the
    city publishes for every village (as the phone site's 群众疑问 page lists them)."""
    shared_items = {id(i) for i in [*city.items, *town.items]}
    shared = [
        q
        for q in city.questions
        if not q.village and q.town in ("", town.slug) and isinstance(q.target, Item) and id(q.target) in shared_items
    ]
    found = [q for q in [*village.questions, *shared] if q.answered and in_month(q.reply_date, month)]
    return sorted(found, key=lambda q: (q.reply_date, q.ticket))


def _question_table(questions: list) -> Table | None:
    if not questions:
        return None
    rows, notes = [], []
    for q in questions:
        rows.append([_cell(q.date), _cell(q.subject), _cell(q.question), _cell(q.reply_date)])
        notes.append(clip(f"答复（{q.department}）：{q.reply}"))
    return Table(
        "",
        [Column("来电日期", "date"), Column("问的是"), Column("问题", "wide"), Column("答复日期", "date")],
        rows,
        notes=notes,
    )


def _trail_table(village: Village, month: str) -> Table | None:
    """Each voucher of the month that pays money out, or carries a recorded trail, with who signed what."""
    vouchers = [v for v in village.vouchers if v.month == month and (v.trail.recorded or _pays(v))]
    if not vouchers:
        return None
    rows = []
    for v in sorted(vouchers, key=lambda v: (v.date, v.number)):
        t = v.trail

        def online(who: str, when: date | None) -> str:
            return f"{who}\n{when.isoformat()}" if who and when else (who or "未记录")

        paid = _paid(v)
        rows.append(
            [
                _cell(f"{v.label} {v.summary}"),
                yuan(paid if paid > 0 else v.debit_total),
                _cell(t.handler or "未记录"),
                _cell(t.witness or "未记录"),
                _cell(t.approver or "未记录"),
                _cell(online(t.supervisor, t.supervisor_date)),
                _cell(online(t.township, t.township_date)),
            ]
        )
    return Table(
        "",
        [
            Column("凭证", "wide"),
            Column("付出（元）", "money"),
            Column("经手人", "name"),
            Column("证明人", "name"),
            Column("审批人", "name"),
            Column("村监委主任网上审核", "stack"),
            Column("镇农经站网上审核", "stack"),
        ],
        rows,
    )


def _paid(v: Voucher) -> Decimal:
    """Money out of the village's cash and bank (negative: money in)."""
    return -(money_movement(v) or ZERO)


def _pays(v: Voucher) -> bool:
    return _paid(v) > 0


# ---- the phone pages each section opens ----------------------------------------------------------------------


def phone_pages(site: links.Site, village: Village, month: str) -> dict[str, links.Page]:
    """Section key -> the phone page showing the same records (links.plan's pages, so the paths are the site's).
    A section whose page cannot be found opens the village home."""
    base = f"{village.town_slug}/{village.slug}/"
    mine = {p.path: p for p in site.pages if p.path.startswith(base)}
    home = mine[f"{base}index.html"]
    found: dict[str, links.Page] = {}
    for page in mine.values():
        if isinstance(page, LedgerPage) and any(m.month == month for m in page.ledger.months):
            found["ledger"] = page
    for board in BOARDS:
        found[board.slug] = mine.get(f"{base}{board.slug}/index.html", home)
    income = next((c for c in FINANCE.categories if c.name == "收支情况"), None)
    found["lists"] = mine.get(f"{base}{FINANCE.slug}/{income.slug}/index.html", home) if income else home
    found["warnings"] = mine.get(f"{base}warnings.html", home)
    found["questions"] = mine.get(f"{base}questions.html", home)
    found.setdefault("ledger", found[FINANCE.slug])
    found["trail"] = found["ledger"]
    return found


def _fragment(page: links.Page, village: Village, month: str) -> str:
    """The ledger page at the month's first line."""
    if not isinstance(page, LedgerPage):
        return ""
    m, _ = ledger_month(village, month)
    return f"#v-{m.lines[0].voucher.key}" if m and m.lines else ""


def address(public_url: str, path: str) -> str:
    return f"{public_url.rstrip('/')}/{path}" if public_url else ""


def qr_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")


# ---- the notice -----------------------------------------------------------------------------------------------


def compose(
    city: City, town: Town, village: Village, month: str, site: links.Site, size: str = "A3", public_url: str = ""
) -> Notice:
    """Everything the poster of `village` for `month` shows; `city` already published (review.publish) and
    its ledgers built."""
    label = month_label(month)
    pages = phone_pages(site, village, month)

    def section(key: str, title: str, lines: list[str], tables: list[Table], empty: str) -> Section:
        page = pages[key]
        path = page.path + (_fragment(page, village, month) if key in ("ledger", "trail") else "")
        place = " › ".join([*(c[0] for c in page.crumbs[1:]), page.title])
        full = address(public_url, path)
        return Section(key, title, lines, tables, empty, path, mask(place), full, qr_uri(full) if full else "")

    ledger_lines, ledger_tables, summary = _ledger_section(village, month)
    sections = [section("ledger", f"{label}收支流水", ledger_lines, ledger_tables, f"{label}没有收入和支出。")]
    for board in BOARDS:
        items = _notices(village, month, board.slug)
        sections.append(
            section(
                board.slug,
                f"{board.name}公开",
                [f"本月公开 {len(items)} 项。"] if items else [],
                [_notice_table(items)] if items else [],
                f"{label}没有新的{board.name}公开事项。",
            )
        )
    lists = _payout_tables(village, month)
    sections.append(
        section(
            "lists",
            "发放名单（低保、补助、工资）",
            ["名单只公开姓名、村民小组、人口、期间和金额；身份证号、银行卡号、电话不公开。"] if lists else [],
            lists,
            f"{label}没有发放名单。",
        )
    )
    warn = _warning_table(village, month)
    sections.append(
        section(
            "warnings",
            "资金支付预警",
            ["银行“E银通”系统对每一笔付款自动检查，下面是本月触发的预警和镇（街道）的说明。"] if warn else [],
            [warn] if warn else [],
            f"{label}的付款没有触发预警。",
        )
    )
    questions = answered_questions(city, town, village, month)
    qt = _question_table(questions)
    sections.append(
        section(
            "questions",
            "群众疑问及答复",
            [f"本月答复群众反映 {len(questions)} 件。"] if qt else [],
            [qt] if qt else [],
            f"{label}没有答复的群众疑问。",
        )
    )
    trail = _trail_table(village, month)
    sections.append(
        section(
            "trail",
            "付款审批流程",
            ["每一笔付款先由经手人、证明人、审批人签字，再由村监委主任和镇（街道）农经站在网上审核。"] if trail else [],
            [trail] if trail else [],
            f"{label}没有付款。",
        )
    )
    review = month_review(village, month)
    last = month_range(month)[1] - timedelta(days=1)
    facts = [("所属期间", f"{label}1日至{last.day}日"), ("监督电话", city.hotline)]
    if review.status == "approved" and review.reviewer:
        facts.insert(
            1,
            (
                "本月财务审核",
                " ".join(
                    x for x in (review.department, review.reviewer, review.date.isoformat() if review.date else "") if x
                ),
            ),
        )
    return Notice(
        f"{town.slug}/{village.slug}",
        city.name,
        town.name,
        village.name,
        month,
        label,
        size,
        f"{village.name}“三务”公开栏",
        [(k, mask(v)) for k, v in facts],
        summary,
        sections,
        city.hotline,
    )


# ---- the PDF --------------------------------------------------------------------------------------------------


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PRINT_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda v: mask(v) if isinstance(v, str) and not isinstance(v, Markup) else v,
    )


def html_text(notice: Notice) -> str:
    return _environment().get_template("notice.html").render(notice=notice)


class _Fetcher(URLFetcher):
    """Only the print theme's own files and inline images (the QR codes): a poster never reaches the network."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:"):
            path = Path(url2pathname(urlparse(url).path)).resolve()
            if not path.is_relative_to(PRINT_DIR.resolve()):
                raise ValueError(f"not fetched: {url[:80]}")
        return super().fetch(url, headers)


def pdf_bytes(notice: Notice) -> bytes:
    """The poster as PDF. Deterministic: WeasyPrint writes no date unless the page names one, and the document
    identifier is derived from what the poster is of."""
    text = html_text(notice)
    leaks = find_unmasked(_DATA_URI.sub("", text))  # the QR images' base64 is not text a reader sees
    if leaks:  # the last line of defence, as for the site's pages (pipeline._make): never print it
        raise LeakError(leaks[0][:4])
    ident = hashlib.sha256(f"{notice.key}/{notice.month}/{notice.size}".encode()).hexdigest()[:32].encode("ascii")
    data = HTML(string=text, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=_Fetcher()).write_pdf(pdf_identifier=ident)
    missing = [name for name, embedded in fonts_used(data) if CJK_FONT not in name or not embedded]
    if missing:  # fontconfig found no CJK font and WeasyPrint fell back: the Chinese would print as empty boxes
        raise OutputError(
            f"缺少中文字体 Noto Sans CJK（Debian：apt-get install fonts-noto-cjk），没有打印 / the CJK font "
            f"is missing (install fonts-noto-cjk); found {', '.join(sorted(set(missing)))[:200]}"
        )
    return data


def fonts_used(pdf: bytes) -> set[tuple[str, bool]]:
    """(font name without its subset prefix, embedded?) of every piece of text in the PDF (pdfium reads it back)."""
    doc, found = pdfium.PdfDocument(pdf), set()
    for i in range(len(doc)):
        for obj in doc[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            name = ctypes.create_string_buffer(256)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, 256)
            found.add((name.value.decode("latin-1").split("+", 1)[-1], bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return found


class LeakError(Exception):
    """Personal data left unmasked in a poster (a sitegen bug): that poster is not printed."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` (its own name: two runs at once never share one), then rename it over
    `path`: a reader sees the old poster or the new one, never half of one."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a poster is public
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{exc.filename or path}: {exc.strerror}") from exc


def poster_path(out: Path, village: Village, month: str) -> Path:
    return out / "print" / village.town_slug / village.slug / f"{month}.pdf"


# ---- the command's work ---------------------------------------------------------------------------------------


def _usage(code: str, value: str, detail: str) -> Report:
    """A command-line mistake, as one problem at the option it is in."""
    bad = Report()
    bad.error(
        code,
        Location("--village" if code == "print-unknown-village" else "CONTENT"),
        value=value,
        choices=detail,
        detail=detail,
    )
    return bad


def held_month(village: Village, month: str) -> str | None:
    """The first 待审核 month at or before `month` (after review.publish), or None: months are published in order,
    and a later month's balance would reveal a held one."""
    held = [m for m in village.pending_months if m <= month]
    return held[0] if held else None


def has_content(village: Village, month: str) -> bool:
    return any(v.month == month for v in village.vouchers) or any(
        i.board in BOARDS and in_month(i.date, month) for i in village.items
    )


def run(content: Path, out: Path, month: str, village_key: str | None = None, size: str = "A3") -> Printed:
    """Print the posters of `month` (every village, or `village_key` = town/village) into OUT/print/…

    `content` may also be a town's or a village's folder inside the content folder (scope.py, as for `sitegen
    check`): then only its villages are printed. Raises Refused when nothing can be printed because of the content
    as a whole (errors outside the villages) or the command line (an unknown village, a folder that is not a town's
    or village's). Otherwise prints each village it can; `Printed.refused` names the others (content errors, a held
    or empty month), their problems in `Printed.report`."""
    try:
        scope = locate(content)
    except ScopeError as exc:
        raise Refused(_usage("print-not-a-folder", str(content), str(exc)), usage=True) from None
    content = scope.content
    if village_key is not None and scope.part and not f"{village_key.strip('/')}/".startswith(f"{scope.part}/"):
        raise Refused(
            _usage("print-not-a-folder", village_key, f"--village {village_key} 不在 not in {scope.part}"), usage=True
        )
    if scope.part.count("/") == 1:
        village_key = scope.part
    # the build's record of the images it found sound (read only, as `sitegen check` reads it): a scan unchanged since
    # OUT was built is not decoded again, so a village whose image is broken is still held back
    checked, report = check_stored(content, Checked(facts_file(default_cache(out)), assets.CHECK))
    if checked is None:
        raise Refused(report)
    try:
        return _print(checked, report, content, scope.part, out, month, village_key, size)
    finally:
        checked.close()  # the run's store removed


def _print(
    checked: CheckedCity,
    report: Report,
    content: Path,
    part: str,
    out: Path,
    month: str,
    village_key: str | None,
    size: str,
) -> Printed:
    """run's work once the content is checked: the chosen villages printed, each restored, published and planned in
    its turn and dropped before the next (as the build's round makes a village: pipeline._Round.plan_village), so
    printing every village holds one village's model at a time (issue 14: memory at any size)."""
    held = village_errors(report, checked.listed, content)
    mine = {id(p) for problems in held.values() for p in problems}
    if any(id(p) not in mine for p in report.errors):
        raise Refused(report)  # an error outside the villages' folders: the build would stop on it too
    if village_key is not None:
        chosen = [v for v in checked.listed if v.key == village_key.strip("/")]
        if not chosen:
            known = "、".join(v.key for v in checked.listed)
            raise Refused(_usage("print-unknown-village", village_key, known), usage=True)
    else:  # every village, or every village of the town folder named
        chosen = [v for v in checked.listed if part in ("", v.town)]
    root = content.resolve()
    folders = tuple(f"{root.name}/{v.key}/" for v in chosen)  # only the printed villages' problems
    out_report = Report(
        [
            p
            for p in report.problems
            if id(p) in mine
            and f"{p.where.path}/".startswith(folders)
            or p.severity == "warning"
            and p.where.path.startswith(folders)
        ]
    )
    refused: list[str] = []
    printer = _Printer(checked, root, out, month, size, out_report)
    written: list[Path] = []
    for listing in chosen:
        key = listing.key
        if key in held:
            out_report.error(
                "print-village-errors",
                Location(rel(root / listing.town / listing.slug, root)),
                village=listing.name,
                count=len(held[key]),
            )
            refused.append(key)
            continue
        path = printer.poster(key)
        if path is None:
            refused.append(key)
        else:
            written.append(path)
    return Printed(written, out_report, refused)


class _Printer:
    """The posters of `month` into `out`, a village at a time (`poster`), from the checked city: the city's and
    towns' part published (drafts out, exactly as the build takes them out), the reference codes of their items and
    every item's page path, made once; the problems of a poster refused go to `report`."""

    def __init__(self, checked: CheckedCity, root: Path, out: Path, month: str, size: str, report: Report):
        self.checked, self.root, self.out, self.month, self.size, self.report = checked, root, out, month, size, report
        self.city = publish(checked.city, preview=False)
        self.codes = checked.codes(self.city)
        self.item_paths = links.plan(self.city, (), self.codes, checked.published).item_paths

    def poster(self, key: str) -> Path | None:
        """The poster of the village `key` ("town/village"), written; None when it is refused (a held or empty
        month, personal data found), its problem reported. The village is restored from the check's store and
        published alone (CheckedCity.publish), given its ledgers, put into its town and its pages planned alone
        (plan.plan_village, with the city's and towns' codes and its own), as the build's round makes a village
        (pipeline._Round.plan_village): the pages plan(city) made of it with every village in."""
        root, month, report = self.root, self.month, self.report
        v = self.checked.publish(key, preview=False)
        v = replace(v, ledgers=village_ledgers(v))
        first = held_month(v, month)
        if first is not None:
            where = Location(rel(root / v.town_slug / v.slug / "reviews.yaml", root))
            report.error("print-month-held", where, village=v.name, month=month_label(month), held=month_label(first))
            return None
        if not has_content(v, month):
            where = Location(rel(root / v.town_slug / v.slug, root))
            report.error("print-month-empty", where, village=v.name, month=month_label(month))
            return None
        town = next(replace(t, villages=[v]) for t in self.city.towns if t.slug == v.town_slug)
        city = replace(self.city, towns=[town if t.slug == town.slug else t for t in self.city.towns])
        codes = {**self.codes, **refcode.village_codes(self.checked.collisions, town.slug, v)}
        site = links.plan_village(city, key, self.item_paths, codes)
        notice = compose(city, town, v, month, site, self.size, city.public_url)
        try:
            data = pdf_bytes(notice)
        except LeakError as exc:
            report.error(
                "personal-data-unmasked",
                Location(rel(root / town.slug / v.slug, root)),
                page=f"print/{key}/{month}.pdf",
                sample=str(exc),
            )
            return None
        path = poster_path(self.out, v, month)
        write_atomic(path, data)
        return path
