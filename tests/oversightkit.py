"""Helpers for the oversight tests: a copy of tests/fixtures/oversight with a journal written to order.

The fixture is one town (xg) with two villages: 长寿村 (cs: a cadre 徐书记 with relatives 徐兄弟 and 王配偶, 低保
recipients 钱已故 and 周健在) and 江头村 (jt: 陆书记, whose brother is 陆亲戚); registries with a bad enterprise, two
dishonest persons and a death register. `journal()` writes journal/YYYY-MM.csv and a tiny scan for every voucher.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

FIXTURE = Path(__file__).parent / "fixtures" / "oversight"
HEADER = [
    "日期",
    "凭证字号",
    "摘要",
    "科目编码",
    "科目名称",
    "借方金额",
    "贷方金额",
    "往来单位",
    "附件张数",
    "收款人证件号",
    "经手人",
    "证明人",
    "审批人",
    "监委审核人",
    "监委审核日期",
    "农经审核人",
    "农经审核日期",
]
FULL_TRAIL = {
    "handler": "甲经手",
    "witness": "乙证明",
    "approver": "丙审批",
    "supervisor": "丁监委",
    "township": "戊农经",
}


@dataclass
class Pay:
    """A payment: debit 513 管理费用, credit 102 银行存款 (or 101 库存现金 with cash=True)."""

    day: str
    amount: str
    payee: str
    payee_id: str = ""
    summary: str = "付款"
    cash: bool = False
    trail: dict = field(default_factory=lambda: dict(FULL_TRAIL))  # online review dates = the voucher's day


@dataclass
class Receipt:
    day: str
    amount: str
    payer: str


def content(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(FIXTURE, dest)
    return dest


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 56), 230).save(buf, "JPEG")
    return buf.getvalue()


def journal(root: Path, village: str, entries: list[Pay | Receipt]) -> dict[int, tuple[str, int]]:
    """Write the village's journal (one CSV per month, vouchers numbered in the given order) and one scan each.
    Returns entry index -> (month, voucher number)."""
    folder = root / "xg" / village
    shutil.rmtree(folder / "journal", ignore_errors=True)
    shutil.rmtree(folder / "scans", ignore_errors=True)
    months: dict[str, list[list[str]]] = {}
    numbers: dict[int, tuple[str, int]] = {}
    scan = _jpeg()
    for n, e in enumerate(entries):
        month = e.day[:7]
        rows = months.setdefault(month, [])
        no = len({r[1] for r in rows}) + 1
        numbers[n] = (month, no)
        label = f"记-{no}"
        if isinstance(e, Pay):
            t = e.trail
            online = [
                t.get("supervisor", ""),
                e.day if t.get("supervisor") else "",
                t.get("township", ""),
                e.day if t.get("township") else "",
            ]
            extra = [e.payee_id, t.get("handler", ""), t.get("witness", ""), t.get("approver", "")] + online
            money = ("101", "库存现金") if e.cash else ("102", "银行存款")
            rows.append([e.day, label, e.summary, "513", "管理费用", e.amount, "", e.payee, "0"] + extra)
            rows.append([e.day, label, e.summary, *money, "", e.amount, e.payee, "0"] + [""] * 8)
        else:
            rows.append([e.day, label, "收款", "102", "银行存款", e.amount, "", e.payer, "0"] + [""] * 8)
            rows.append([e.day, label, "收款", "501", "经营收入", "", e.amount, e.payer, "0"] + [""] * 8)
        target = folder / "scans" / month / str(no)
        target.mkdir(parents=True, exist_ok=True)
        (target / "01.jpg").write_bytes(scan)
    (folder / "journal").mkdir(parents=True, exist_ok=True)
    for month, rows in months.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([HEADER] + rows)
        (folder / "journal" / f"{month}.csv").write_text(buf.getvalue(), encoding="utf-8")
    return numbers


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
