"""Reports (reports.py): totals agree with the journal, every format is written, the same content gives the same bytes."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import shutil
import subprocess
import sys
import weakref
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from sitegen.build import pipeline
from sitegen.build.pipeline import check_stored
from sitegen.cli.main import cli
from sitegen.content.model import Village, Voucher
from sitegen.content.privacy import find_unmasked
from sitegen.reports import tables as reports
from sitegen.validate.store import VillageStore
from tests.checked import whole
from tests.conftest import REPO, snapshot
from tests.oversightkit import Pay, content, journal, write_csv

CONTENT = REPO / "content"


@pytest.fixture(scope="module")
def sample():
    checked, report = check_stored(CONTENT)
    assert checked is not None
    assert not report.errors
    yield checked
    checked.close()


@pytest.fixture(scope="module")
def sample_city(sample):
    """The sample's whole city, every village at once (what the reports' figures are checked against)."""
    return whole(sample)


def journal_payments(month: str) -> dict[str, tuple[int, Decimal]]:
    """Village name -> (payments, total paid) in `month`, read straight from the CSV files, not through sitegen."""
    out = {}
    for village in sorted(CONTENT.glob("*/*/village.yaml")):
        name = next(
            ln.split(":", 1)[1].strip()
            for ln in village.read_text(encoding="utf-8").splitlines()
            if ln.startswith("name:")
        )
        data = (village.parent / "journal" / f"{month}.csv").read_bytes()
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else _decode(data)
        net: dict[str, Decimal] = defaultdict(Decimal)
        for row in csv.DictReader(io.StringIO(text)):
            if row["科目编码"][:3] in ("101", "102"):
                net[row["凭证字号"]] += Decimal(row["借方金额"] or "0") - Decimal(row["贷方金额"] or "0")
        paid = [-n for n in net.values() if n < 0]
        out[name] = (len(paid), sum(paid, Decimal("0")))
    return out


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def test_warnings_report_totals_agree_with_the_journal(sample, sample_city):
    month = "2026-08"
    docs = reports.warnings_docs(sample, month)
    expected = journal_payments(month)
    detail, per_village, per_rule = docs["city"].tables
    assert per_village.total is not None and per_rule.total is not None
    rows = {r[1]: r for r in per_village.rows}
    assert set(rows) == set(expected)
    for name, (count, paid) in expected.items():
        assert (rows[name][2], rows[name][3]) == (count, paid), name
    assert per_village.total[2:4] == [
        sum(c for c, _ in expected.values()),
        sum((p for _, p in expected.values()), Decimal("0")),
    ]
    warned = [w for v in sample_city.villages for w in v.warnings if w.voucher.month == month]
    assert len(detail.rows) == per_village.total[6] == per_rule.total[1] == len(warned)
    flagged = {id(w.voucher): w.amount for w in warned}
    assert per_village.total[4:6] == [len(flagged), sum(flagged.values(), Decimal("0"))]
    assert per_village.total[7] == sum(1 for w in warned if w.acknowledgement is None)
    # each town's report holds its own villages, and they add up to the city's
    towns = [docs[t.slug].tables[1].total or [] for t in sample.city.towns]
    assert [sum(t[i] for t in towns) for i in (2, 3, 6)] == [per_village.total[i] for i in (2, 3, 6)]


def test_every_format_is_written_masked_and_deterministic(sample, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    first = reports.make(sample, "warnings", tmp_path / "a", "2026-09")
    reports.make(sample, "warnings", tmp_path / "b", "2026-09")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    names = sorted(p.name for p in first)
    assert names == sorted(
        f"{n}.{s}" for n in ["city"] + [t.slug for t in sample.city.towns] for s in ("html", "csv", "xlsx")
    )
    folder = tmp_path / "a/warnings-2026-09"
    text = (folder / "city.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "预警规则" in text.decode("utf-8-sig").splitlines()[0]
    html = (folder / "city.html").read_text(encoding="utf-8")
    assert "2026年9月异常资金支付报表" in html and "付款给已去世的低保对象" in html
    for path in folder.iterdir():
        if path.suffix in (".csv", ".html"):
            assert not find_unmasked(path.read_text(encoding="utf-8-sig")), path
    book = openpyxl.load_workbook(folder / "city.xlsx")
    assert book.sheetnames == ["预警明细", "按村汇总", "按规则汇总"]
    sheet = book["按村汇总"]
    total = [c.value for c in list(sheet.iter_rows())[-1]]
    doc_total = reports.warnings_docs(sample, "2026-09")["city"].tables[1].total
    assert doc_total is not None
    assert total[0] == "合计" and Decimal(str(total[3])) == doc_total[3]
    cells = [str(c.value) for row in book["预警明细"].iter_rows() for c in row if c.value]
    assert not find_unmasked("\n".join(cells))


def test_feedback_report_counts_the_month_and_carries_open_ones(sample, sample_city):
    docs = reports.feedback_docs(sample, "2026-09")
    this, older = docs["city"].tables
    september = [q for q in sample_city.questions if q.date.isoformat().startswith("2026-09")]
    assert [r[0] for r in this.rows] == [q.ticket for q in september]
    assert all(r[0] for r in older.rows)
    assert f"本月收到群众反映 {len(september)} 件" in docs["city"].lines[0]
    town = docs["zhutang"].tables[0]
    assert all(r[2] == "祝塘镇" for r in town.rows)


@pytest.fixture
def two_towns(tmp_path):
    root = content(tmp_path)
    for village in ("cs", "jt"):
        journal(root, village, [Pay("2026-08-05", "100.00", "甲"), Pay("2026-09-05", "200.00", "乙")])
    shutil.copytree(root / "xg", root / "zt")
    (root / "zt/town.yaml").write_text("name: 祝塘镇\n", encoding="utf-8")
    for path in [*(root / "zt").rglob("*.md"), *(root / "zt").rglob("reviews.yaml")]:  # reviewed by its own town
        path.write_text(path.read_text(encoding="utf-8").replace("夏港街道", "祝塘镇"), encoding="utf-8")
    # 祝塘镇/长寿村: September's finance never approved
    (root / "zt/cs/reviews.yaml").write_text(
        "2026-08: {department: 祝塘镇农经站, reviewer: 周海峰, date: 2026-09-09, status: 已通过}\n", encoding="utf-8"
    )
    return root


def test_coverage_ranks_towns_and_counts_days_late(two_towns):
    checked, report = check_stored(two_towns)
    assert checked is not None
    assert not report.errors
    doc = reports.coverage_docs(checked)["city"]
    checked.close()
    ranking, villages, months = doc.tables
    assert [r[1] for r in ranking.rows] == ["夏港街道", "祝塘镇"]
    assert list(ranking.rows)[1][5] == 1  # one month unpublished
    late = {(r[0], r[1], r[2]): (r[5], r[6]) for r in months.rows}
    assert late[("夏港街道", "长寿村", "2026-08")] == (0, "准时")  # approved 09-08, due 09-10
    assert late[("夏港街道", "江头村", "2026-08")] == (4, "晚 4 天")  # approved 09-14
    assert late[("祝塘镇", "长寿村", "2026-09")] == (10, "未公开（已晚 10 天）")  # due 10-10, as of 10-20
    by_village = {(r[0], r[1]): r for r in villages.rows}
    empty = by_village[("夏港街道", "江头村")]
    assert empty[2] == 20 and "党务·组织建设" not in empty[3]  # only 组织建设 has an item
    assert "村务·村经济和社会事业发展规划" in by_village[("夏港街道", "长寿村")][3]  # its only item is a draft


def test_review_report_lists_drafts_and_what_they_lack(two_towns):
    journal(two_towns, "cs", [Pay("2026-08-05", "100.00", "甲"), Pay("2026-10-05", "300.00", "丙")])
    checked, _ = check_stored(two_towns)
    assert checked is not None
    docs = reports.review_docs(checked)
    checked.close()
    rows = docs["xg"].tables[0].rows
    kinds = {(r[1], r[2], r[3], r[5], r[6]) for r in rows}
    assert ("长寿村", "村务事项", "第四季度工作计划（征求意见稿）", "待审核", "") in kinds
    assert ("长寿村", "财务事项", "村道修缮工程竣工验收", "已通过", "依据、竣工验收报告") in kinds
    assert ("长寿村", "月度财务", "2026-10 记账凭证及收支流水", "未送审", "") in kinds
    assert all(r[0] == "夏港街道" for r in rows)


def test_review_report_lists_city_and_town_drafts(two_towns):
    (two_towns / "policies").mkdir()
    (two_towns / "policies/law.md").write_text(
        "---\ntitle: 市里的新规定\ndate: 2026-09-01\nreview: {department: 市农业农村局, status: 待审核}\n---\n条文。\n",
        encoding="utf-8",
    )
    (two_towns / "xg/rules").mkdir(exist_ok=True)
    (two_towns / "xg/rules/fund.md").write_text(
        "---\ntitle: 街道资金管理办法\ndate: 2026-09-02\nreview: {status: 退回}\n---\n条文。\n", encoding="utf-8"
    )
    (two_towns / "xg/rules/ok.md").write_text(
        "---\ntitle: 已公开的办法\ndate: 2026-09-03\n---\n条文。\n", encoding="utf-8"
    )
    checked, report = check_stored(two_towns)
    assert checked is not None
    assert not report.errors
    docs = reports.review_docs(checked)
    checked.close()
    city_rows = [r[:6] for r in docs["city"].tables[0].rows if r[1] in ("", "全镇（街道）")]
    assert city_rows == [
        ["全市", "", "政策法规（全市）", "市里的新规定", "市农业农村局", "待审核"],
        ["夏港街道", "全镇（街道）", "制度建设（全镇）", "街道资金管理办法", "夏港街道", "退回"],
    ]
    town_rows = [r[3] for r in docs["xg"].tables[0].rows]
    assert "街道资金管理办法" in town_rows and "市里的新规定" not in town_rows and "已公开的办法" not in town_rows


def _restores(monkeypatch, checked: bool = False) -> list[int]:
    """The number of villages alive as each village is restored from a run's store after its check (a report's
    or a poster's reads; `checked`: the check is done already), the one restored among them (not counting those
    alive before: other tests' fixtures)."""
    restores, real_finish, real_restore = [], pipeline._Stream.finish, VillageStore.restore
    done = [checked]
    gc.collect()
    before = {id(o): o for o in gc.get_objects() if isinstance(o, Village)}  # (held: their ids not given again)

    def finish(self, city):
        stored = real_finish(self, city)
        done[0] = True  # (the check itself restores the villages the hotline records name, in finish)
        return stored

    def restore(self, key):
        village = real_restore(self, key)
        if done[0]:
            gc.unfreeze()  # (a run freezes what it holds: memo.holding) every object counted
            gc.collect()
            restores.append(sum(1 for o in gc.get_objects() if isinstance(o, Village) and id(o) not in before))
        return village

    monkeypatch.setattr(pipeline._Stream, "finish", finish)
    monkeypatch.setattr(VillageStore, "restore", restore)
    return restores


@pytest.mark.parametrize(
    "args, restored",
    [
        (["report", "warnings", "--month", "2026-09"], 4),
        (["print", "--month", "2026-08", "--village", "xg/cs"], 1),  # the poster of one village
    ],
)
def test_a_report_or_poster_holds_one_village_at_a_time(two_towns, tmp_path, monkeypatch, args, restored):
    """Issue 14 (memory at any size): `sitegen report` and `sitegen print` read the checked city a village at a
    time, as the build does (CheckedCity.each; a poster's village restored and published alone): a village
    restored from the run's store after the check is the only village alive (the whole city, restored at once,
    held them all: ~2.4 MiB a seed-scale village), and a poster restores only its village. Output is made."""
    restores = _restores(monkeypatch)
    result = CliRunner().invoke(cli, [*args, str(two_towns), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert restores == [1] * restored
    assert [p for p in (tmp_path / "out").rglob("*") if p.suffix in (".pdf", ".html")]


def test_a_report_leaves_no_village_s_garbage_behind(sample, monkeypatch):
    """Issue 14: as each village is restored for a report, nothing of those before it is left, alive or as
    garbage (a village's vouchers and warnings name each other: each waited for a full collection of the process,
    ~1 MiB a seed-scale village; CheckedCity.each now collects it as the village's turn ends)."""
    gc.collect()
    before = {id(o) for o in gc.get_objects() if isinstance(o, Voucher)}
    left: list[int] = []
    real = VillageStore.restore

    def restore(self, key):
        gc.unfreeze()  # (a run freezes what it holds: memo.holding) every object counted, garbage too
        left.append(sum(1 for o in gc.get_objects() if isinstance(o, Voucher) and id(o) not in before))
        return real(self, key)

    monkeypatch.setattr(VillageStore, "restore", restore)
    reports.warnings_docs(sample, "2026-09")
    assert left == [0] * len(sample.listed)


# sha256 of "path digest" lines (sorted by path) of every report file of the four kinds (September's for the
# monthly ones) as the whole city at once made them, before the reports were streamed (h54; 04daea3): the HTML and
# CSV files' sha256, and each Excel file as openpyxl reads it back (_sheets: its bytes changed with openpyxl's
# write-only sheets, h58; what a reader sees did not)
SAME_BYTES = {
    "sample": "7a19aa3b06d7be6cf9745f6572a4a055e1d249725d18d44d3a6c9f8b69bfb47f",
    "two towns": "137eafec3566b215a8bee9d586730c46654186ede2b4c28ae3ee4a51827e563d",
}


def _sheets(path) -> str:
    """sha256 of an Excel file as read back: each sheet's name, size and column widths, and each cell's value,
    type, number format, font, fill, alignment, border and protection."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path)
    seen: list[object] = [book.sheetnames, book.properties.creator, book.properties.created, book.properties.modified]
    for sheet in book.worksheets:
        seen.append((sheet.max_row, sheet.max_column, sorted((k, d.width) for k, d in sheet.column_dimensions.items())))
        seen += [
            (c.coordinate, c.value, c.data_type, c.number_format, c.font, c.fill, c.alignment, c.border, c.protection)
            for row in sheet.iter_rows()
            for c in row
        ]
    return hashlib.sha256(repr(seen).encode()).hexdigest()


@pytest.mark.parametrize("which", list(SAME_BYTES))
def test_the_reports_made_a_village_at_a_time_are_the_same_bytes(which, sample, two_towns, tmp_path, monkeypatch):
    """A village at a time, the reports are the very bytes the whole city made (the sample; two towns of two
    villages each, one month unapproved), the Excel files the same sheets read back, and each report restores each
    village once, alone."""
    checked, report = (sample, None) if which == "sample" else check_stored(two_towns)
    assert checked is not None and not (report and report.errors)
    restores = _restores(monkeypatch, checked=True)
    try:
        for kind in reports.KINDS:
            reports.make(checked, kind, tmp_path / "reports", "2026-09" if kind in ("warnings", "feedback") else None)
        assert restores == [1] * 4 * len(reports.KINDS)
    finally:
        if checked is not sample:
            checked.close()
    out = tmp_path / "reports"
    files = sorted((p.relative_to(out).as_posix(), p) for p in out.rglob("*") if p.is_file())
    lines = "".join(
        f"{name} {_sheets(p) if p.suffix == '.xlsx' else hashlib.sha256(p.read_bytes()).hexdigest()}\n"
        for name, p in files
    )
    assert len(files) == 30 and hashlib.sha256(lines.encode()).hexdigest() == SAME_BYTES[which]


class _Row(list):
    """A report's row that can be watched (weakref) while the report is made."""


def test_the_city_s_detail_is_not_held_while_its_report_is_made(sample, tmp_path, monkeypatch):
    """Issue 14: the 预警明细 of the city's month grows with the city (~250 rows a seed-scale village); its rows go
    to disk as each village is taken (reports.Rows) and are read back as each document is written, so none of the
    rows taken is alive once the documents are made (they all were, held in the city's and towns' documents), and
    the documents hold every row, in order."""
    taken: list[weakref.ref] = []
    real = reports._village_warnings

    def take(month, town, village):
        found = real(month, town, village)
        rows: list[list[object]] = [_Row(row) for row in found.detail]
        taken.extend(weakref.ref(row) for row in rows)
        return replace(found, detail=rows)

    monkeypatch.setattr(reports, "_village_warnings", take)
    docs = reports.warnings_docs(sample, "2026-09")
    gc.collect()
    assert taken and not [ref for ref in taken if ref() is not None]
    detail = docs["city"].tables[0].rows
    towns = sum(len(docs[t.slug].tables[0].rows) for t in sample.city.towns)
    assert len(detail) == len(taken) == len(list(detail)) == towns
    order = [v.name for v in sample.listed]
    assert [row[1] for row in detail] == sorted((row[1] for row in detail), key=order.index)
    reports.write(tmp_path, docs)
    assert len((tmp_path / "city.csv").read_bytes().decode("utf-8-sig").splitlines()) == len(taken) + 1


def test_report_command(two_towns, tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "sitegen", "report", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    r = run("warnings", "--month", "2026-09", str(two_towns), "-o", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rep/warnings-2026-09/city.xlsx").is_file() and (
        tmp_path / "rep/warnings-2026-09/zt.csv"
    ).is_file()
    r = run("coverage", str(two_towns))
    assert r.returncode == 0 and (tmp_path / "output/reports/coverage/city.html").is_file()
    assert run("warnings", "--month", "2026-13", str(two_towns)).returncode == 2
    assert run("feedback", str(two_towns)).returncode == 2  # --month is required
    write_csv(
        two_towns / "feedback/bad.csv", [["工单号", "日期", "查询码", "问题"], ["T1", "2026-09-01", "V-0000-0000", "?"]]
    )
    r = run("review", str(two_towns))
    assert r.returncode == 1 and "查询码" in r.stderr and "Traceback" not in r.stderr


def test_a_cell_as_text():
    """Money with two places, dates ISO, an empty cell empty, clerk text masked (reports._text)."""
    assert reports._text(None) == "" and reports._text(Decimal("1200.5")) == "1200.50"
    assert reports._text(date(2026, 9, 3)) == "2026-09-03"
    assert reports._text("王五 13812345678") == "王五 138****5678"


def test_clerk_text_is_never_a_formula_in_a_spreadsheet(tmp_path):
    """Clerk and hotline text starting like a formula (=, +, -, @, a tab, a CR: CSV injection) reaches the CSV with
    Excel's text mark and the Excel file as a text cell, shown as written; numbers, dates and money stay as they are
    (reports._inert, reports._append)."""
    openpyxl = pytest.importorskip("openpyxl")
    risky = ['=HYPERLINK("http://127.0.0.1/?"&A2,"看")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "=1", "-"]
    plain = ["-12.00", "+3", "1,200.50", "-5%", "王五", "2026-09-03", "＝1", "a=1"]
    columns = [reports.Column("摘要"), reports.Column("金额", "money")]
    rows: list[list[object]] = [[text, Decimal("-12.50")] for text in risky + plain]
    doc = reports.Doc("测试", "全市", [], [reports.Table("明细", columns, rows)])
    reports.write(tmp_path, {"t": doc})
    written = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert [row[0] for row in written[1:]] == ["'" + text for text in risky] + plain
    assert {row[1] for row in written[1:]} == {"-12.50"}
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    cells = list(book["明细"].iter_rows(min_row=3))
    shown = [text.replace("\r", "\n") for text in risky + plain]  # (XML reads a CR back as a line feed)
    assert [(row[0].value, row[0].data_type) for row in cells] == [(text, "s") for text in shown]
    assert {(row[1].value, row[1].data_type) for row in cells} == {(-12.5, "n")}
