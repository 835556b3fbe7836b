"""Ordinary days (日常): a corpus of everyday and hostile clerk inputs, each a small edit to tests/fixtures/mini/.

For every case the contract of a run is the same (issue 11):
- it ends with exit 0 (accepted, personal numbers masked) or 1 (a content problem), never 3 and never a traceback;
- on exit 1 at least one problem names the edited file (and its row where it has one), in Chinese with an English line;
- no unmasked personal number, and no byte of a file outside the content folder, appears in any output file;
- after a failing case the last good output is byte-identical.

Speed: the mini fixture is built once per module (the base output). A case that should fail runs `build` into one
shared copy of it (a failing build stops before writing, so the copy must stay equal to the base); a case that
should pass runs `check` only, or, when its output matters (masking, escaping, links, images), a full build into
its own copy of the base. Runs that need a process of their own (a FIFO, a YAML bomb, killed and concurrent
runs) are subprocesses with a timeout, so the corpus can never hang.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from PIL import Image as PILImage

from sitegen.build.pipeline import build
from sitegen.build.state import default_cache
from sitegen.cli.main import cli
from sitegen.content.errors import ContentError, OutputError, Report
from sitegen.content.privacy import find_unmasked
from sitegen.site import output
from sitegen.site.render import THEMES
from tests.built_sample import linked_cache
from tests.checked import check
from tests.conftest import FIXTURES, REPO, snapshot

JOURNAL = "xg/cs/journal/2026-09.csv"
XLSX = "xg/cs/journal/2026-09.xlsx"
MEETING = "xg/cs/party/meeting.md"
COMPACT = "xg/cs/affairs/compact.md"
OWN = "xg/cs/rules/own.md"
VILLAGE = "xg/cs/village.yaml"
TOWN = "xg/town.yaml"
SITE = "site.yaml"
SCAN = "xg/cs/scans/2026-09/2/01.jpg"
BASIS = "xg/cs/files/basis.jpg"
REVIEWS = "xg/cs/reviews.yaml"

# Something that lives outside the content folder: no byte of it may reach the output.
MARKER = "OUTSIDE-SECRET-5f1c9e"

# Personal numbers (个人信息) in every shape a clerk types them.
ID18 = "320281195803121234"
ID18X = "11010519491231002X"
ID15 = "320281580312123"
CARD16 = "6228480012345678"
CARD19 = "6217001234567890123"
MOBILE = "13912345678"
ID_SPACED = "320281 19580312 1234"
CARD_DASHED = "6228-4800-1234-5678"
MOBILE_SPACED = "139 1234 5678"
MOBILE_DASHED = "139-1234-5678"
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ID18_FW = ID18.translate(FULLWIDTH)
MOBILE_FW = MOBILE.translate(FULLWIDTH)
ALL_NUMBERS = (ID18, ID18X, ID15, CARD16, CARD19, MOBILE, ID_SPACED, CARD_DASHED, MOBILE_SPACED, MOBILE_DASHED)
NUMBERS_TEXT = "、".join(ALL_NUMBERS)


# ---- edits ----------------------------------------------------------------------------------------------------


def rename_town(root: Path, name: str) -> None:
    """The town's name changed: in town.yaml and in the reviewing departments (本镇农经站 and the like) that
    carry it, since a review counts only from the village's own town (reviewers.py)."""
    edit(root, TOWN, "name: 夏港街道", f"name: {name}")
    for path in [*(root / "xg").rglob("*.md"), *(root / "xg").rglob("reviews.yaml")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("夏港街道", name.strip("'")), encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def write(root: Path, rel: str, data: bytes | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def reencode(root: Path, rel: str, encoding: str) -> None:
    path = root / rel
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))


def item(title: str = "测试事项", body: str = "正文。", extra: str = "", date: str = "2026-03-01") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"


def journal_rows() -> list[list[str]]:
    text = (FIXTURES / "mini" / JOURNAL).read_text(encoding="utf-8")
    return [line.split(",") for line in text.strip().split("\n")]


def set_cells(root: Path, changes: dict[tuple[int, int], str]) -> None:
    """Journal rows as the clerk numbers them (1 = header), columns from 0."""
    rows = journal_rows()
    for (r, c), value in changes.items():
        rows[r - 1][c] = value
    write(root, JOURNAL, "\n".join(",".join(r) for r in rows) + "\n")


def both_amounts(root: Path, value: str) -> None:
    """Voucher 记-2 (rows 4 and 5): the same amount on its debit and its credit line."""
    set_cells(root, {(4, 5): value, (5, 6): value})


def xlsx_journal(root: Path, make: Callable[[openpyxl.Workbook], None] | None = None, typed: bool = True) -> None:
    """The journal as Excel: numbers as numbers and dates as dates (typed), or everything as text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "凭证"
    for n, row in enumerate(journal_rows()):
        cells: list[object] = list(row)
        if typed and n:
            y, m, d = (int(x) for x in row[0].split("-"))
            cells[0] = date(y, m, d)
            cells[5] = float(row[5]) if row[5] else None
            cells[6] = float(row[6]) if row[6] else None
            cells[8] = int(row[8])
        sheet.append(cells)
    if make is not None:
        make(book)
    buf = io.BytesIO()
    book.save(buf)
    (root / JOURNAL).unlink()
    write(root, XLSX, buf.getvalue())


def jpeg(size=(64, 48), mode="RGB", color=(200, 180, 160), **save) -> bytes:
    buf = io.BytesIO()
    PILImage.new(mode, size, color if mode == "RGB" else 128).save(buf, "JPEG", **save)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_huge_header() -> bytes:
    """A real JPEG whose SOF0 claims 65000 x 65000 pixels."""
    data = bytearray(jpeg())
    i = data.index(b"\xff\xc0")
    data[i + 5 : i + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


def pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    first, *rest = [PILImage.new("RGB", (200, 280), (255, 255, 255)) for _ in range(pages)]
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=72)
    return buf.getvalue()


def pdf_encrypted() -> bytes:
    """A PDF whose trailer names an /Encrypt dictionary with a user password: it cannot be opened as it is."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def gif_animated() -> bytes:
    buf = io.BytesIO()
    frames = [PILImage.new("P", (32, 32), i) for i in range(3)]
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def image_bytes(fmt: str, mode: str, size=(64, 48), **save) -> bytes:
    buf = io.BytesIO()
    PILImage.new(mode, size).save(buf, fmt, **save)
    return buf.getvalue()


def second_village(root: Path) -> None:
    """A second village 幸福村 (xg/xf), a copy of 长寿村."""
    shutil.copytree(root / "xg/cs", root / "xg/xf")
    edit(root, "xg/xf/village.yaml", "name: 长寿村", "name: 幸福村")


# ---- the cases ------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One clerk input. `expect`: "ok" (exit 0), "error" (exit 1) or "any" (0 or 1: both are defensible, the
    contract still holds). `file`/`line`: what an exit-1 problem must name. `code`: the problem expected.
    `full`: run a full build and inspect the output (else `check` for accepted cases). `secrets`: text that
    must never be in any output file. `xfail`: a known defect of issue 11 (who fixes it)."""

    id: str
    mutate: Callable[[Path, Path], None]
    expect: str = "error"
    file: str | None = None
    code: str | None = None
    line: int | None = None
    full: bool = False
    secrets: tuple[str, ...] = ()
    xfail: str | None = None
    subprocess: bool = False  # could hang or exhaust memory in-process: run the CLI with a timeout
    check_only: bool = False  # what `sitegen check` says (a failing case otherwise runs a build)
    needs_nonroot: bool = False
    absent: tuple[str, ...] = field(default_factory=tuple)  # text that must not appear in the output's HTML


CASES: list[Case] = []


def case(id: str, expect: str = "error", **kw):
    def register(fn: Callable[[Path, Path], None]):
        CASES.append(Case(id, fn, expect, **kw))
        return fn

    return register


def simple(id: str, fn: Callable[[Path], object], expect: str = "error", **kw) -> None:
    """A case that edits only the content folder (the edit's return value, if any, is not used)."""

    def edit(root: Path, outside: Path, _f: Callable[[Path], object] = fn) -> None:
        _f(root)

    CASES.append(Case(id, edit, expect, **kw))


# -- encodings ----------------------------------------------------------------------------------------------
simple("enc-journal-gbk", lambda r: reencode(r, JOURNAL, "gbk"), "ok")
simple(
    "enc-journal-gb18030-rare",
    lambda r: (edit(r, JOURNAL, "种粮大户李四", "种粮大户李䶮"), reencode(r, JOURNAL, "gb18030")),
    "ok",
)
simple("enc-journal-utf8-bom", lambda r: write(r, JOURNAL, b"\xef\xbb\xbf" + (r / JOURNAL).read_bytes()), "ok")
simple("enc-journal-utf16", lambda r: reencode(r, JOURNAL, "utf-16"), file=JOURNAL)
simple("enc-journal-utf16le-nobom", lambda r: reencode(r, JOURNAL, "utf-16-le"), file=JOURNAL)
simple(
    "enc-journal-invalid-bytes",
    lambda r: write(
        r, JOURNAL, (r / JOURNAL).read_bytes()[:200] + b"\xff\xfe\x80\x81" + (r / JOURNAL).read_bytes()[200:]
    ),
    file=JOURNAL,
)
simple("enc-journal-crlf", lambda r: write(r, JOURNAL, (r / JOURNAL).read_bytes().replace(b"\n", b"\r\n")), "ok")
simple("enc-journal-cr-only", lambda r: write(r, JOURNAL, (r / JOURNAL).read_bytes().replace(b"\n", b"\r")), "ok")
simple("enc-journal-empty-file", lambda r: write(r, JOURNAL, b""), file=JOURNAL, code="table-empty")
simple(
    "enc-journal-header-only",
    lambda r: write(r, JOURNAL, (r / JOURNAL).read_text("utf-8").split("\n")[0]),
    file=JOURNAL,
    code="table-empty",
)
simple(
    "enc-journal-nul-bytes",
    lambda r: write(r, JOURNAL, (r / JOURNAL).read_bytes().replace(b"\n2026-09-10", b"\n\x002026-09-10", 1)),
    file=JOURNAL,
)
simple("enc-item-gbk", lambda r: reencode(r, MEETING, "gbk"), "ok")
simple("enc-item-utf8-bom", lambda r: write(r, MEETING, b"\xef\xbb\xbf" + (r / MEETING).read_bytes()), "ok")
simple("enc-item-utf16", lambda r: reencode(r, MEETING, "utf-16"), file=MEETING)
simple(
    "enc-item-mixed-utf8-gbk",
    lambda r: write(r, MEETING, (r / MEETING).read_bytes() + "附：补充说明".encode("gbk")),
    file=MEETING,
)
simple("enc-item-bom-only", lambda r: write(r, OWN, b"\xef\xbb\xbf"), file=OWN, code="front-matter")
simple("enc-site-gbk", lambda r: reencode(r, SITE, "gbk"), "ok")
simple("enc-village-gb18030", lambda r: reencode(r, VILLAGE, "gb18030"), "ok")
simple("enc-village-invalid", lambda r: write(r, VILLAGE, b"name: \xff\xfe\xfd\n"), file=VILLAGE, code="encoding")
simple("enc-reviews-gbk", lambda r: reencode(r, REVIEWS, "gbk"), "ok")

# -- Excel journals -----------------------------------------------------------------------------------------
simple("xlsx-typed", lambda r: xlsx_journal(r), "ok", full=True)
simple("xlsx-numbers-as-text", lambda r: xlsx_journal(r, typed=False), "ok")


def _merged(book):
    sheet = book.active
    for row in (2, 4, 6, 8):  # date and voucher number merged down over each voucher's two lines
        sheet.merge_cells(start_row=row, end_row=row + 1, start_column=1, end_column=1)
        sheet.merge_cells(start_row=row, end_row=row + 1, start_column=2, end_column=2)


simple("xlsx-merged-cells", lambda r: xlsx_journal(r, _merged), "any", file=XLSX)


def _formulas(book):
    book.active["F2"] = "=10000+2000"
    book.active["G3"] = "=F2"


simple("xlsx-formulas-no-cached-values", lambda r: xlsx_journal(r, _formulas), file=XLSX, line=2)


def _serial_dates(book):
    for row in range(2, 10):
        book.active.cell(row, 1).value = 46268 if row < 4 else book.active.cell(row, 1).value


simple("xlsx-date-as-number", lambda r: xlsx_journal(r, _serial_dates), "ok")  # a serial in a date-formatted cell


def _empty_sheet(book):
    book.active.delete_rows(1, 20)


simple("xlsx-empty-sheet", lambda r: xlsx_journal(r, _empty_sheet), file=XLSX, code="table-empty")


def _hidden_first(book):
    old = book.create_sheet("旧草稿", 0)
    old.append(["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额"])
    old.append(["2026-09-03", "记-1", "作废的草稿", "101", "库存现金", "1.00", ""])
    old.sheet_state = "hidden"


# a hidden first sheet holds an old draft: the journal is the sheet the clerk sees
simple("xlsx-hidden-first-sheet", lambda r: xlsx_journal(r, _hidden_first), "ok", full=True, secrets=("作废的草稿",))


def _float_noise(book):  # what a formula's float leaves in a cell
    book.active["F4"] = 2500.5000000001
    book.active["G5"] = 2500.5000000001


simple("xlsx-float-noise", lambda r: xlsx_journal(r, _float_noise), file=XLSX, line=4, code="amount-format")
simple(
    "xlsx-corrupt-zip",
    lambda r: ((r / JOURNAL).unlink(), write(r, XLSX, b"PK\x03\x04" + b"\x00garbage" * 50)),
    file=XLSX,
    code="file-unreadable",
)
simple(
    "xlsx-truncated-zip",
    lambda r: (xlsx_journal(r), write(r, XLSX, (r / XLSX).read_bytes()[:700])),
    file=XLSX,
    code="file-unreadable",
)
simple(
    "xlsx-is-renamed-xls",
    lambda r: ((r / JOURNAL).unlink(), write(r, XLSX, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)),
    file=XLSX,
    code="file-unreadable",
)
simple("xlsx-is-a-csv", lambda r: (r / JOURNAL).rename(r / XLSX), file=XLSX, code="file-unreadable")


def _xls_only(root: Path) -> None:
    (root / JOURNAL).unlink()
    write(root, "xg/cs/journal/2026-09.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


# An old .xls journal next to scans: the vouchers must not vanish from the site with only a warning.
simple("xls-journal-only", _xls_only, file="xg/cs/journal/2026-09.xls", code="table-old-format")


def _card_as_number(book):
    book.active["H3"] = int(CARD16)


CASES.append(
    Case("xlsx-card-number-cell", lambda r, o: xlsx_journal(r, _card_as_number), "ok", full=True, secrets=(CARD16,))
)

# -- amounts (voucher 记-2, rows 4 and 5) ---------------------------------------------------------------------
for _id, _value, _expect, _code in [
    ("exponent", "2.5005e3", "error", "amount-format"),
    ("three-places", "2500.505", "error", "amount-format"),
    ("yen-sign", "¥2500.50", "error", "amount-format"),
    ("thousands", '"2,500.50"', "ok", None),
    ("thousands-wrong", '"25,00.50"', "error", "amount-format"),
    ("fullwidth-digits", "２５００.５０", "ok", None),
    ("negative", "-2500.50", "ok", None),
    ("parentheses", "(2500.50)", "error", "amount-format"),
    ("blank", "", "error", "amount-none"),
    ("nan", "NaN", "error", "amount-format"),
    ("infinity", "Infinity", "error", "amount-format"),
    ("plus-sign", "+2500.50", "error", "amount-format"),
    ("inner-space", "2 500.50", "error", "amount-format"),
    ("one-place", "2500.5", "ok", None),
    ("chinese-numerals", "贰仟伍佰元", "error", "amount-format"),
    ("yuan-suffix", "2500.50元", "error", "amount-format"),
    ("beyond-precision", "123456789012345678901234567890", "error", "amount-format"),  # h61: was an internal error
]:
    simple(f"amount-{_id}", functools.partial(both_amounts, value=_value), _expect, file=JOURNAL, code=_code, line=4)
simple("amount-huge", lambda r: both_amounts(r, "99999999999999999999.99"), "ok", full=True)
simple(
    "amount-off-by-a-cent", lambda r: set_cells(r, {(5, 6): "2500.49"}), file=JOURNAL, line=4, code="voucher-unbalanced"
)
simple("amount-debit-and-credit", lambda r: set_cells(r, {(4, 6): "2500.50"}), file=JOURNAL, line=4, code="amount-both")
simple("amount-opening-balance-float", lambda r: edit(r, VILLAGE, '"3000.00"', "3000.001"), file=VILLAGE)


# -- dates ----------------------------------------------------------------------------------------------------
def _journal_2036(root: Path) -> None:
    set_cells(root, {(2, 0): "2036-09-03", (3, 0): "2036-09-03"})
    (root / "xg/cs/scans/2036-09").mkdir()
    (root / "xg/cs/scans/2026-09/1").rename(root / "xg/cs/scans/2036-09/1")


simple("date-2036-typo-journal", _journal_2036, file=JOURNAL, line=2)
simple("date-2036-typo-item", lambda r: edit(r, MEETING, "date: 2026-09-15", "date: 2036-09-15"), file=MEETING)
simple("date-slashes", lambda r: set_cells(r, {(2, 0): "2026/9/3", (3, 0): "2026/9/3"}), "ok")
simple("date-chinese", lambda r: set_cells(r, {(2, 0): "2026年9月3日", (3, 0): "2026年9月3日"}), "ok")
simple(
    "date-feb-30",
    lambda r: set_cells(r, {(2, 0): "2026-02-30", (3, 0): "2026-02-30"}),
    file=JOURNAL,
    line=2,
    code="bad-date",
)
simple(
    "date-excel-serial-in-csv", lambda r: set_cells(r, {(2, 0): "46268", (3, 0): "46268"}), "any", file=JOURNAL, line=2
)
simple("date-blank", lambda r: set_cells(r, {(2, 0): "", (3, 0): ""}), file=JOURNAL, line=2, code="missing-key")
simple(
    "date-us-order",
    lambda r: set_cells(r, {(2, 0): "9/3/2026", (3, 0): "9/3/2026"}),
    file=JOURNAL,
    line=2,
    code="bad-date",
)
simple("date-lines-differ", lambda r: set_cells(r, {(3, 0): "2026-09-04"}), file=JOURNAL, line=3, code="voucher-date")
simple("date-item-blank", lambda r: edit(r, MEETING, "date: 2026-09-15", "date:"), file=MEETING)
simple("date-item-integer", lambda r: edit(r, MEETING, "date: 2026-09-15", "date: 20260915"), "any", file=MEETING)
simple(
    "date-item-feb-30",
    lambda r: edit(r, MEETING, "date: 2026-09-15", "date: 2026-02-30"),
    file=MEETING,
    code="bad-date",
)
simple("date-item-list", lambda r: edit(r, MEETING, "date: 2026-09-15", "date: [2026-09-15]"), file=MEETING)
simple("date-review-bad", lambda r: edit(r, REVIEWS, "date: 2026-10-09", "date: 2026-10-99"), file=REVIEWS)

# -- images -----------------------------------------------------------------------------------------------------
_half = lambda r: write(r, SCAN, (r / SCAN).read_bytes()[: len((r / SCAN).read_bytes()) // 2])  # noqa: E731
simple("image-truncated-jpeg-build", _half, file=SCAN, full=True)
simple("image-truncated-jpeg-check", _half, file=SCAN, check_only=True)


def _bad_crc(root: Path) -> None:
    data = bytearray(image_bytes("PNG", "RGB", (40, 30)))
    i = data.index(b"IDAT")
    length = struct.unpack(">I", data[i - 4 : i])[0]
    data[i + 4 + length] ^= 0xFF  # the CRC after IDAT
    (root / SCAN).unlink()
    write(root, SCAN.replace(".jpg", ".png"), bytes(data))


simple("image-png-bad-crc", _bad_crc, "any", file=SCAN.replace(".jpg", ".png"), full=True)
simple("image-zero-bytes", lambda r: write(r, SCAN, b""), file=SCAN, code="image-bad")
simple("image-text-renamed-jpg", lambda r: write(r, SCAN, "这是一张发票的说明，不是图片。\n"), file=SCAN)
simple(
    "image-decompression-bomb",
    lambda r: write(r, SCAN, png_header_only(50_000, 50_000)),
    file=SCAN,
    code="image-too-large",
)
simple("image-huge-dimension-header", lambda r: write(r, SCAN, jpeg_huge_header()), file=SCAN, code="image-too-large")
simple("image-cmyk-jpeg", lambda r: write(r, SCAN, jpeg(mode="CMYK")), "ok", full=True)
simple(
    "image-16bit-png",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".png"), image_bytes("PNG", "I;16"))),
    "ok",
    full=True,
)
simple(
    "image-animated-gif-named-gif",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".gif"), gif_animated())),
    file=SCAN.replace(".jpg", ".gif"),
    code="path-type",
)
simple("image-animated-gif-named-jpg", lambda r: write(r, SCAN, gif_animated()), file=SCAN, code="path-type")
simple("image-webp-named-jpg", lambda r: write(r, SCAN, image_bytes("WEBP", "RGB")), file=SCAN, code="path-type")
simple(
    "image-pdf-broken",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".pdf"), b"%PDF-1.4\n1 0 obj<<>>\n%%EOF")),
    file=SCAN.replace(".jpg", ".pdf"),
    code="image-bad",
)
simple(
    "image-pdf-encrypted",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".pdf"), pdf_encrypted())),
    file=SCAN.replace(".jpg", ".pdf"),
    code="image-bad",
)
simple(
    "image-pdf-many-pages",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".pdf"), pdf(60))),
    file=SCAN.replace(".jpg", ".pdf"),
    code="image-pages",
)
simple(
    "image-pdf-three-pages",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".pdf"), pdf(3))),
    "ok",
    full=True,
)
simple(
    "image-tiff-multipage",
    lambda r: ((r / SCAN).unlink(), write(r, SCAN.replace(".jpg", ".tif"), _tiff(3))),
    "ok",
    full=True,
)
simple("image-exif-rotated", lambda r: write(r, SCAN, _rotated_jpeg()), "ok", full=True)
simple(
    "image-heic-truncated",
    lambda r: (
        (r / SCAN).unlink(),
        write(r, SCAN.replace(".jpg", ".heic"), b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40),
    ),
    file=SCAN.replace(".jpg", ".heic"),
)
simple(
    "image-symlink-loop-scan",
    lambda r: ((r / SCAN).unlink(), (r / SCAN).symlink_to("01.jpg")),
    file=JOURNAL,
    code="scan-missing",
)
simple("image-symlink-loop-item", lambda r: ((r / BASIS).unlink(), (r / BASIS).symlink_to("basis.jpg")), file=MEETING)
simple("image-symlink-inside", lambda r: ((r / SCAN).unlink(), (r / SCAN).symlink_to("../1/01.jpg")), "ok")
simple(
    "image-directory-named-jpg", lambda r: ((r / SCAN).unlink(), (r / SCAN).mkdir()), file=JOURNAL, code="scan-missing"
)
simple("image-item-basis-zero-bytes", lambda r: write(r, BASIS, b""), file=MEETING, code="image-bad")
simple(
    "image-item-not-in-list",
    lambda r: edit(r, COMPACT, "images: [../files/basis.jpg]", "images: ../files/basis.jpg"),
    "ok",
)
simple(
    "image-item-mapping-in-list",
    lambda r: edit(r, COMPACT, "images: [../files/basis.jpg]", "images: [{src: ../files/basis.jpg}]"),
    file=COMPACT,
)


def _tiff(pages: int) -> bytes:
    buf = io.BytesIO()
    first, *rest = [PILImage.new("L", (120, 160), 40 * i) for i in range(pages)]
    first.save(buf, "TIFF", save_all=True, append_images=rest)
    return buf.getvalue()


def _rotated_jpeg() -> bytes:
    im = PILImage.new("RGB", (64, 48), (10, 20, 30))
    exif = im.getexif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


@case("image-symlink-out", file=SCAN, code="path-outside")
def _image_out(root: Path, outside: Path) -> None:
    (root / SCAN).unlink()
    (root / SCAN).symlink_to(outside / "secret.jpg")


@case("image-item-symlink-out", file=MEETING, code="path-outside")
def _basis_out(root: Path, outside: Path) -> None:
    (root / BASIS).unlink()
    (root / BASIS).symlink_to(outside / "secret.jpg")


@case("image-item-absolute", file=COMPACT, code="path-outside")
def _image_abs(root: Path, outside: Path) -> None:
    edit(root, COMPACT, "images: [../files/basis.jpg]", f"images: [{outside / 'secret.jpg'}]")


@case("image-item-dotdot", file=COMPACT, code="path-outside")
def _image_dotdot(root: Path, outside: Path) -> None:
    edit(root, COMPACT, "images: [../files/basis.jpg]", "images: [../../../../outside/secret.jpg]")


simple(
    "image-item-windows-path",
    lambda r: edit(r, COMPACT, "images: [../files/basis.jpg]", r"images: ['C:\Users\clerk\basis.jpg']"),
    file=COMPACT,
    code="path-outside",
)

# -- special files ------------------------------------------------------------------------------------------------
simple("special-fifo-md", lambda r: os.mkfifo(r / "xg/cs/party/pipe.md"), file="xg/cs/party/pipe.md", subprocess=True)
simple(
    "special-fifo-journal",
    lambda r: os.mkfifo(r / "xg/cs/journal/2026-10.csv"),
    "any",
    file="xg/cs/journal/2026-10.csv",
    subprocess=True,
)


@case("special-md-symlink-to-device", file="xg/cs/party/null.md", code="path-outside")
def _device(root: Path, outside: Path) -> None:
    (root / "xg/cs/party/null.md").symlink_to("/dev/null")


@case("special-md-symlink-out", file="xg/cs/rules/leak.md", secrets=(MARKER,), code="path-outside")
def _md_out(root: Path, outside: Path) -> None:
    (root / "xg/cs/rules/leak.md").symlink_to(outside / "secret.md")


@case("special-journal-symlink-out", file="xg/cs/journal/2026-10.csv", secrets=(MARKER,), code="path-outside")
def _journal_out(root: Path, outside: Path) -> None:
    (root / "xg/cs/journal/2026-10.csv").symlink_to(outside / "secret.csv")


simple(
    "special-directory-named-md",
    lambda r: (r / "xg/cs/party/x.md").mkdir(),
    file="xg/cs/party/x.md",
    code="path-not-file",
)
simple("special-unreadable", lambda r: (r / OWN).chmod(0), file=OWN, code="file-unreadable", needs_nonroot=True)
simple("special-very-long-name", lambda r: write(r, "xg/cs/rules/" + "a" * 240 + ".md", item()), "ok", full=True)
simple("special-long-chinese-name", lambda r: write(r, "xg/cs/rules/" + "村" * 80 + ".md", item()), "ok", full=True)


def _non_utf8_name(root: Path) -> None:
    folder = os.fsencode(root / "xg/cs/rules")
    with open(os.path.join(folder, b"\xb9\xe6\xd5\xc2.md"), "wb") as fh:  # 规章 in GBK, as an old unzip leaves it
        fh.write(item().encode("utf-8"))


simple("special-non-utf8-file-name", _non_utf8_name, file="xg/cs/rules", full=True, code="file-name-encoding")
simple(
    "special-hidden-and-office-files",
    lambda r: (
        write(r, "xg/cs/party/.draft.md", "not front matter"),
        write(r, "xg/cs/journal/~$2026-09.xlsx", b"\x00lock"),
        write(r, "xg/cs/scans/2026-09/2/Thumbs.db", b"\x00"),
        write(r, "xg/cs/.DS_Store", b"\x00\x01"),
    ),
    "ok",
)
simple("special-stray-file", lambda r: write(r, "xg/cs/party/notes.docx", b"PK\x03\x04"), "ok")
simple(
    "special-folder-name-chinese", lambda r: (r / "xg/cs").rename(r / "xg/长寿村"), file="xg/长寿村", code="folder-name"
)
simple("special-spaces-in-name", lambda r: write(r, "xg/cs/rules/会议 纪要 (2).md", item()), "ok", full=True)

simple("special-village-yaml-deleted", lambda r: (second_village(r), (r / VILLAGE).unlink()), file="xg/cs")
simple("special-two-villages-same-name", lambda r: shutil.copytree(r / "xg/cs", r / "xg/xf"), file="xg")
simple("special-unknown-journal-header", lambda r: edit(r, JOURNAL, "附件张数", "附件张数,备注X"), file=JOURNAL, line=1)

# -- links in bodies ------------------------------------------------------------------------------------------
simple(
    "link-etc-passwd", lambda r: write(r, OWN, item(body="见[密码](../../etc/passwd)。")), file=OWN, code="link-target"
)
simple(
    "link-dotdot-md-outside",
    lambda r: write(r, OWN, item(body="见[文件](../../../../../outside/secret.md)。")),
    file=OWN,
    code="link-target",
)
simple("link-absolute", lambda r: write(r, OWN, item(body="见[文件](/etc/passwd)。")), file=OWN)
for _id, _href in [
    ("javascript", "javascript:alert(1)"),
    ("javascript-mixed-case", "JaVaScRiPt:alert(1)"),
    ("data-url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("vbscript", "vbscript:msgbox(1)"),
    ("file-url", "file:///etc/passwd"),
]:
    simple(
        f"link-{_id}",
        functools.partial(
            write, rel=OWN, data=item(body=f"见[点这里]({_href})，或 <{_href}>。\n\n[x][1]\n\n[1]: {_href}\n")
        ),
        "ok",
        full=True,
        absent=(
            'href="javascript:',
            'href="JaVaScRiPt:',
            'href="data:text',
            'href="vbscript:',
            'href="file:',
            'src="data:',
        ),
    )
simple(
    "link-image-in-body",
    lambda r: write(r, OWN, item(body="![照片](../files/basis.jpg)")),
    "ok",
    full=True,
    absent=('<img src="../files',),
)
simple(
    "link-to-another-village",
    lambda r: (
        second_village(r),
        edit(
            r, "xg/xf/rules/own.md", "村务卡只用于小额零星支出。", "见长寿村[村规民约](../../cs/affairs/compact.md)。"
        ),
    ),
    "ok",
    full=True,
)
simple(
    "link-to-missing-md",
    lambda r: write(r, OWN, item(body="见[旧文件](../party/gone.md)。")),
    file=OWN,
    code="link-target",
)

# -- YAML tricks ---------------------------------------------------------------------------------------------------
LAUGHS = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
simple(
    "yaml-billion-laughs-village",
    lambda r: write(r, VILLAGE, "x0: &l0 lol\n" + LAUGHS + "name: *l9\n"),
    file=VILLAGE,
    subprocess=True,
)
simple(
    "yaml-billion-laughs-item",
    lambda r: write(
        r,
        OWN,
        "---\ntitle: &l0 lol\n"
        + LAUGHS.replace("l", "m").replace("&m0", "&l0").replace("*m0", "*l0")
        + "date: 2026-03-01\nsubitem: *m9\n---\n正文\n",
    ),
    file=OWN,
    subprocess=True,
)


@case("yaml-python-object-tag", file=OWN, code="yaml-syntax")
def _python_tag(root: Path, outside: Path) -> None:
    write(root, OWN, item(title=f"!!python/object/apply:os.system ['touch {outside}/pwned']"))


simple(
    "yaml-python-name-tag",
    lambda r: write(r, VILLAGE, "name: !!python/name:os.system\n"),
    file=VILLAGE,
    code="yaml-syntax",
)
simple(
    "yaml-duplicate-key-item",
    lambda r: edit(r, OWN, "date: 2026-03-01", "date: 2026-03-01\ntitle: 另一个标题"),
    file=OWN,
)
simple(
    "yaml-duplicate-key-village", lambda r: edit(r, VILLAGE, "name: 长寿村", "name: 长寿村\nname: 幸福村"), file=VILLAGE
)
simple(
    "yaml-tab-indent",
    lambda r: edit(r, MEETING, "  department: 夏港街道组织办", "\tdepartment: 夏港街道组织办"),
    file=MEETING,
    code="yaml-syntax",
)
simple("yaml-fullwidth-colon", lambda r: edit(r, OWN, "title: 长寿村", "title：长寿村"), file=OWN)
simple("yaml-fullwidth-colon-village", lambda r: edit(r, VILLAGE, "name: 长寿村", "name：长寿村"), file=VILLAGE)
simple(
    "yaml-unclosed-quote",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", 'title: "长寿村村务卡使用规定'),
    file=OWN,
    code="yaml-syntax",
)
simple(
    "yaml-huge-nesting",
    lambda r: write(r, VILLAGE, "name: 长寿村\nintro: " + "[" * 20000 + "]" * 20000 + "\n"),
    file=VILLAGE,
    subprocess=True,
)
simple(
    "yaml-huge-nesting-mapping",
    lambda r: write(r, VILLAGE, "name: 长寿村\nintro: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"),
    file=VILLAGE,
    subprocess=True,
)
simple("yaml-list-for-village", lambda r: write(r, VILLAGE, "- name: 长寿村\n"), file=VILLAGE, code="yaml-not-mapping")
simple(
    "yaml-list-for-front-matter",
    lambda r: write(r, OWN, "---\n- title: 规定\n---\n正文\n"),
    file=OWN,
    code="yaml-not-mapping",
)
simple("yaml-list-for-site", lambda r: write(r, SITE, "- city: 测试市\n"), file=SITE)
simple(
    "yaml-list-for-review",
    lambda r: edit(
        r,
        COMPACT,
        "review: {department: 夏港街道民政办, reviewer: 李梅, date: 2026-08-02, status: 已通过}",
        "review: [夏港街道民政办, 李梅]",
    ),
    file=COMPACT,
    code="bad-value",
)
simple(
    "yaml-string-for-balances", lambda r: write(r, VILLAGE, "name: 长寿村\nopening_balances: 一万元\n"), file=VILLAGE
)
simple("yaml-site-empty", lambda r: write(r, SITE, ""), file=SITE)
simple("yaml-town-empty", lambda r: write(r, TOWN, ""), file=TOWN)
simple("yaml-title-boolean", lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: no"), "any", file=OWN)
simple("yaml-title-number", lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: 2026"), "any", file=OWN)
simple(
    "yaml-binary-tag",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: !!binary aGVsbG8="),
    "any",
    file=OWN,
)
simple(
    "yaml-merge-key",
    lambda r: edit(r, MEETING, "review:\n", "x: &r {status: 已通过}\nreview:\n  <<: *r\n"),
    file=MEETING,
)
simple("yaml-long-title", lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: " + "长" * 100_000), "ok")
simple(
    "yaml-front-matter-unclosed",
    lambda r: write(r, OWN, "---\ntitle: 规定\ndate: 2026-03-01\n正文\n"),
    file=OWN,
    code="front-matter",
)
simple("yaml-null-title", lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: ~"), file=OWN)
simple("yaml-unknown-key", lambda r: edit(r, OWN, "title:", "titel:"), file=OWN, code="unknown-key")

# -- injected markup -----------------------------------------------------------------------------------------------
XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><iframe src="//e.vil"></iframe><style>*{}</style>'
XSS_ABSENT = ("<script>alert", "<img src=x", "<iframe", "<style>*")
simple(
    "markup-title",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", f"title: '{XSS}'"),
    "ok",
    full=True,
    absent=XSS_ABSENT,
)
simple(
    "markup-body-and-table",
    lambda r: write(r, OWN, item(body=f"{XSS}\n\n| 项目 | 说明 |\n|---|---|\n| a | {XSS} |\n")),
    "ok",
    full=True,
    absent=XSS_ABSENT,
)
simple(
    "markup-village-and-town-names",
    lambda r: (
        edit(r, VILLAGE, "intro: 长寿村位于夏港街道东部。", f"intro: '{XSS}'"),
        rename_town(r, "'夏港<b>街道</b>'"),
    ),
    "ok",
    full=True,
    absent=(*XSS_ABSENT, "<b>街道"),
)
simple(
    "markup-journal-cells",
    lambda r: set_cells(r, {(4, 2): XSS.replace(",", " "), (5, 7): "<b>王五</b>"}),
    "ok",
    full=True,
    absent=(*XSS_ABSENT, "<b>王五"),
)
simple(
    "markup-file-name",
    lambda r: write(r, "xg/cs/rules/<img src=x onerror=alert(1)>.md", item()),
    "ok",
    full=True,
    absent=("<img src=x",),
)
simple(
    "markup-basis-fields",
    lambda r: (
        edit(r, MEETING, "title: 村党委会议决议", f"title: '{XSS}'"),
        edit(r, MEETING, "number: 长党〔2026〕5号", "number: '</td><script>x</script>'"),
    ),
    "ok",
    full=True,
    absent=(*XSS_ABSENT, "<script>x"),
)
simple(
    "markup-template-syntax",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", "title: '{{ 7*7 }}{% raw %}'"),
    "ok",
    full=True,
)
simple(
    "markup-site-title",
    lambda r: edit(r, SITE, "title: 三务公开户户通", "title: '</title><script>alert(1)</script>'"),
    "ok",
    full=True,
    absent=("<script>alert",),
)

# -- personal numbers in every field -------------------------------------------------------------------------------
simple(
    "pii-title",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", f"title: 困难户 {ID18} 与 {MOBILE}"),
    "ok",
    full=True,
    secrets=(ID18, MOBILE),
)
simple(
    "pii-body-every-shape",
    lambda r: write(r, OWN, item(body=f"{NUMBERS_TEXT}\n\n- 列表 {ID15}\n\n`{CARD19}`\n\n    {ID18X}\n")),
    "ok",
    full=True,
    secrets=ALL_NUMBERS,
)
simple(
    "pii-table-cells",
    lambda r: write(
        r, OWN, item(body="| 姓名 | 号码 |\n|---|---|\n" + "".join(f"| 某 | {n} |\n" for n in ALL_NUMBERS))
    ),
    "ok",
    full=True,
    secrets=ALL_NUMBERS,
)
simple(
    "pii-fullwidth-digits",
    lambda r: write(r, OWN, item(body=f"身份证 {ID18_FW}，手机 {MOBILE_FW}。")),
    "ok",
    full=True,
    secrets=(ID18_FW, MOBILE_FW),
)
simple(
    "pii-mobile-country-code",
    lambda r: write(r, OWN, item(body=f"电话 +86{MOBILE}，或 +86 {MOBILE}，0086-{MOBILE}。")),
    "ok",
    full=True,
    secrets=(MOBILE,),
)
simple(
    "pii-voucher-summary-and-counterparty",
    lambda r: set_cells(r, {(4, 2): f"付王五工资 卡号{CARD16}", (5, 7): f"王五{ID18X}", (2, 7): ID15}),
    "ok",
    full=True,
    secrets=(CARD16, ID18X, ID15),
)
simple(
    "pii-village-intro",
    lambda r: edit(
        r, VILLAGE, "intro: 长寿村位于夏港街道东部。", f"intro: 村委会电话 {MOBILE_DASHED}，户主身份证 {ID_SPACED}。"
    ),
    "ok",
    full=True,
    secrets=(MOBILE_DASHED, ID_SPACED),
)
simple(
    "pii-basis-and-review",
    lambda r: (
        edit(r, MEETING, "number: 长党〔2026〕5号", f"number: '{ID18}'"),
        edit(r, MEETING, "reviewer: 王建华", f"reviewer: 王建华{MOBILE}"),
    ),
    "ok",
    full=True,
    secrets=(ID18, MOBILE),
)
simple(
    "pii-yaml-integer-title",
    lambda r: edit(r, OWN, "title: 长寿村村务卡使用规定", f"title: {ID18}"),
    "ok",
    full=True,
    secrets=(ID18,),
)
simple("pii-in-file-name", lambda r: write(r, f"xg/cs/rules/{ID18}.md", item()), "ok", full=True, secrets=(ID18,))
simple(
    "pii-in-scan-name",
    lambda r: (r / SCAN).rename(r / SCAN.replace("01.jpg", f"{ID18}.jpg")),
    "ok",
    full=True,
    secrets=(ID18,),
)
simple(
    "pii-card-with-spaces-19",
    lambda r: write(r, OWN, item(body="卡号 6217 0012 3456 7890 123。")),
    "ok",
    full=True,
    secrets=("6217 0012 3456 7890 123",),
)
simple(
    "pii-in-code-block",
    lambda r: write(r, OWN, item(body=f"```\n{ID18}\n{MOBILE}\n```\n")),
    "ok",
    full=True,
    secrets=(ID18, MOBILE),
)
simple(
    "pii-in-link-text-and-alt",
    lambda r: write(r, OWN, item(body=f"[{ID18}](../party/meeting.md) ![{MOBILE}](x.jpg)")),
    "ok",
    full=True,
    secrets=(ID18, MOBILE),
)
simple("pii-in-town-name", lambda r: rename_town(r, f"夏港街道{MOBILE}"), "ok", full=True, secrets=(MOBILE,))

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


# ---- running a case ----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    exit: int
    report: Report | None
    text: str  # what the CLI would print


def printed(report: Report) -> str:
    return "\n".join(p.format() for p in report.sorted())


def run_in_process(content: Path, out: Path | None, themes: tuple[str, ...] = THEMES) -> Outcome:
    """What `sitegen build` (out given) or `sitegen check` exits with; an exception that is not a content
    problem is exit 3 (the CLI's internal error)."""
    try:
        if out is None:
            city, report = check(content)
            return Outcome(1 if report.errors or city is None else 0, report, printed(report))
        result = build(content, out, themes)
        return Outcome(0, result.report, printed(result.report))
    except ContentError as exc:
        return Outcome(1, exc.report, printed(exc.report))
    except OutputError as exc:
        return Outcome(3, None, f"OutputError: {exc}")
    except Exception as exc:
        return Outcome(3, None, f"Traceback: {type(exc).__name__}: {exc}")


def run_cli(args: list[str], timeout: float = 300) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sitegen", *args], capture_output=True, timeout=timeout, env=env, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"sitegen {' '.join(args[:1])} did not finish in {timeout} s")
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def output_texts(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The mini fixture built once: (its output, that output's snapshot, a shared copy that failing cases build
    into, the folder outside the content with its secrets)."""
    top = tmp_path_factory.mktemp("corpus")
    content, out = top / "content", top / "base-out"
    shutil.copytree(FIXTURES / "mini", content)
    build(content, out)
    shot = snapshot(out)
    work = top / "work-out"
    shutil.copytree(out, work)
    outside = top / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(jpeg() + MARKER.encode())
    (outside / "secret.md").write_text(item(title=MARKER, body=MARKER), encoding="utf-8")
    (outside / "secret.csv").write_text(
        (FIXTURES / "mini" / JOURNAL).read_text(encoding="utf-8").replace("收到土地发包款", MARKER), encoding="utf-8"
    )
    return out, shot, work, outside


def _params():
    out = []
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


@pytest.mark.parametrize("c", _params())
def test_clerk_input(c: Case, base, tmp_path):
    base_out, base_shot, work, outside = base
    if c.needs_nonroot and os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    # the case may need the outside folder next to the content (../outside): link it there
    (tmp_path / "outside").symlink_to(outside)
    c.mutate(content, outside)
    try:
        _run_and_judge(c, content, tmp_path, base_out, base_shot, work, outside)
    finally:
        for p in [content, *content.rglob("*")]:  # an unreadable file must not break tmp_path's cleanup
            if not p.is_symlink():
                p.chmod(0o755 if p.is_dir() else 0o644)


def _run_and_judge(c: Case, content: Path, tmp_path: Path, base_out: Path, base_shot, work: Path, outside: Path):
    if c.subprocess:  # may hang or blow up: the real CLI, with a timeout
        # a hang is only waited for so long (the FIFO case until h2's fix): long enough for a loaded machine
        code, text = run_cli(["check", str(content)])
        outcome = Outcome(code, None, text)
    elif c.expect == "error" or not c.full:
        outcome = run_in_process(content, work if c.expect == "error" and not c.check_only else None)
        if c.expect != "error" and outcome.exit == 1:  # an unexpected failure: the output must still be kept
            outcome = run_in_process(content, work)
    else:
        out = tmp_path / "out"
        shutil.copytree(base_out, out)
        # the base build's image cache, warm (hard links): the images the case changed are made anew, the others
        # were made from the same bytes by the base build (each case paid ~0.3 s of CPU for them, ~40 cases)
        linked_cache(default_cache(base_out), default_cache(out))
        # what is shown (masking, escaping, links) goes through both themes; images and tables through one
        outcome = run_in_process(content, out, THEMES if c.id.startswith(("pii-", "markup-", "link-")) else ("mobile",))
    changed = snapshot(work) != base_shot
    if changed:  # restore it for the next case (a build that should have failed may have written it)
        shutil.rmtree(work)
        shutil.copytree(base_out, work)
    assert outcome.exit in (0, 1), f"exit {outcome.exit} (never 3): {outcome.text}"
    assert "Traceback" not in outcome.text
    if c.expect == "ok":
        assert outcome.exit == 0, f"should be accepted:\n{outcome.text}"
    elif c.expect == "error":
        assert outcome.exit == 1, f"should be refused with a message naming {c.file}:\n{outcome.text}"
    assert not (outside / "pwned").exists()
    if outcome.exit == 1:
        _judge_problems(c, outcome, content)
        assert not changed, "a failing build changed the last good output"
    elif c.full and not c.subprocess:
        _judge_output(c, tmp_path / "out", outside)


def _judge_problems(c: Case, outcome: Outcome, content: Path) -> None:
    if outcome.report is None:  # from the CLI: the text is all there is
        assert re.search(r"[\u4e00-\u9fff]", outcome.text) and "error:" in outcome.text, outcome.text
        if c.file:
            assert f"content/{c.file}" in outcome.text, outcome.text
        return
    errors = outcome.report.errors
    assert errors
    for p in errors:
        assert p.zh and p.en and re.search(r"[\u4e00-\u9fff]", p.zh), p.format()
        assert p.where.path.startswith("content"), p.format()
    if c.file:
        named = [
            p for p in errors if p.where.path == f"content/{c.file}" or p.where.path.startswith(f"content/{c.file}/")
        ]
        assert named, f"no error names content/{c.file}:\n{outcome.text}"
        if c.code:
            assert any(p.code == c.code for p in named), f"expected {c.code}:\n{outcome.text}"
        if c.line is not None:
            assert any(p.where.line == c.line for p in named), f"expected row {c.line}:\n{outcome.text}"
    elif c.code:
        assert any(p.code == c.code for p in errors), outcome.text


def _judge_output(c: Case, out: Path, outside: Path) -> None:
    files = output_texts(out)
    assert any(name.endswith("index.html") for name in files)
    for name, data in files.items():
        assert MARKER.encode() not in data, f"{name} holds bytes from outside the content folder"
        if name.endswith((".html", ".js", ".json", ".css", ".csv", ".txt", ".svg")):
            text = data.decode("utf-8", "replace")
            assert not find_unmasked(text), f"{name}: {find_unmasked(text)[:3]}"
            for secret in c.secrets:
                assert secret not in text, f"{name} shows {secret!r}"
            if name.endswith(".html"):
                for bad in c.absent:
                    assert bad not in text, f"{name} holds {bad!r}"
        for secret in c.secrets:
            assert secret not in name, f"an output file is named after {secret!r}: {name}"


def test_corpus_size():
    assert len(CASES) >= 120, len(CASES)


@pytest.mark.parametrize(
    "mutate,code,words",
    [
        (None, 0, "检查通过 / OK"),
        (lambda r: set_cells(r, {(5, 6): "2500.49"}), 1, "content/xg/cs/journal/2026-09.csv 第4行"),
        (
            lambda r: write(r, VILLAGE, "name: 长寿村\nintro: " + "[" * 20000 + "]" * 20000 + "\n"),
            1,
            "content/xg/cs/village.yaml",
        ),
    ],
    ids=["good", "unbalanced", "nested-yaml"],
)
def test_the_cli_exit_code_and_what_it_prints(tmp_path, mutate, code, words):
    """The command itself (click's runner, in-process): the exit code, Chinese then English, no traceback."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    if mutate:
        mutate(content)
    result = CliRunner().invoke(cli, ["check", str(content)])
    text = result.output  # stdout and stderr as a terminal shows them
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert result.exit_code == code, text
    assert words in text and "Traceback" not in text
    if code:
        assert "错误" in text and "error:" in text


# ---- killed and concurrent runs ------------------------------------------------------------------------------------

PAUSE = FIXTURES / "pause_run.py"


def _paused(args: list[str], at: str, marker: Path, when: str = "before") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAUSE_AT": at, "PAUSE_WHEN": when, "PAUSE_MARKER": str(marker)}
    return subprocess.Popen(
        [sys.executable, str(PAUSE), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Until the paused run has written its marker (polling a condition, not sleeping a fixed time)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1].decode("utf-8", "replace")
        assert time.monotonic() < deadline, "the run never reached its pause point"
        time.sleep(0.02)


def _themes(out: Path) -> dict[str, str]:
    return {k: v for k, v in snapshot(out).items() if not k.split("/")[0].startswith(".")}


@pytest.mark.parametrize("at", ["sitegen.site.render:render_theme", "sitegen.site.output:_exchange"])
def test_killed_build_keeps_the_last_good_output(base, tmp_path, at):
    """SIGKILL half-way (while rendering; with a theme fully staged, just before its swap): both themes stay the
    last good ones byte for byte, and the next run succeeds and clears the leftovers."""
    base_out, base_shot, _, _ = base
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    shutil.copytree(base_out, out)
    edit(content, OWN, "村务卡只用于小额零星支出。", "村务卡只用于小额零星支出，每笔不超过一千元。")
    marker = tmp_path / "paused"
    proc = _paused(["build", str(content), "-o", str(out)], at, marker)
    try:
        _wait_for(marker, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _themes(out) == {k: v for k, v in base_shot.items() if not k.startswith(".")}
    code, text = run_cli(["build", str(content), "-o", str(out)])
    assert code == 0, text
    assert "每笔不超过一千元" in (out / "tv/xg/cs/rules/own.html").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp-*")), "the killed run's staging folders are left behind"


def test_killed_check_writes_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    before = snapshot(content)
    marker = tmp_path / "paused"
    # killed half-way through the city: its first village checked and being kept in the run's store
    proc = _paused(["check", str(content)], "sitegen.validate.store:VillageStore.keep", marker)
    try:
        _wait_for(marker, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert snapshot(content) == before


def test_two_concurrent_builds(base, tmp_path, monkeypatch):
    """Build A is in-process; at the moment its first theme is staged, build B (same content, same output) runs
    as a process of its own. Neither may end with exit 3, and the output must be a complete build."""
    base_out, base_shot, _, _ = base
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    shutil.copytree(base_out, out)
    edit(content, OWN, "村务卡只用于小额零星支出。", "村务卡只用于小额零星支出（第二版）。")
    original = output._exchange
    other: list[subprocess.Popen] = []

    def exchange(staging, target):
        if not other:
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            other.append(
                subprocess.Popen(
                    [sys.executable, "-m", "sitegen", "build", str(content), "-o", str(out)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=REPO,
                )
            )
            # wait until B has either finished or cleared what it takes for leftovers (our staging folder)
            deadline = time.monotonic() + 120  # (a bound for a broken build, not a time B is expected to take)
            while other[0].poll() is None and Path(staging).exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return original(staging, target)

    monkeypatch.setattr(output, "_exchange", exchange)
    a = run_in_process(content, out)
    try:
        b_out, b_err = other[0].communicate(timeout=300)
    except subprocess.TimeoutExpired:
        other[0].kill()
        pytest.fail("build B never finished")
    assert a.exit in (0, 1) or a.exit == 4, a.text
    assert other[0].returncode in (0, 1, 4), b_err.decode("utf-8", "replace")
    assert "第二版" in (out / "tv/xg/cs/rules/own.html").read_text(encoding="utf-8")
    code, text = run_cli(["build", str(content), "-o", str(out)])
    assert code == 0 and not list(out.glob(".*.tmp-*")), text
