"""Clerk input fuzzed (h61): one clerk file of a small village broken at a time, never an internal error.

tests/test_corpus.py holds the hand-picked edits; here hypothesis (derandomized, a fixed number of examples) picks
a clerk file of tests/fixtures/finance (items, village.yaml, reviews.yaml, the journal, the finance tables) plus
what that fixture lacks (acknowledgements.yaml, a 12345 hotline record, the city's registries) and one mutation
of it: cut short, a byte flipped, an odd character put in (NUL, a BOM, a lone surrogate's bytes, full-width
digits, a very long line), YAML made hostile (deep nesting, a billion laughs, python tags, duplicate keys, a list or
a date where a scalar goes), numbers a clerk types (1,234.00, 1e309), rows with a column more or less, the file
emptied or made a folder, a table as .xlsx whose cell is a formula, an error, a date or a bool, or a broken zip.

The contract, as the corpus's: the in-process check ends clean, or with problems from the catalogue (Chinese and
English), each naming a content file (one of them the mutated file when no file of its kind can be read from it: a
folder, a cut-short workbook; another edit may leave the file valid and make a neighbour wrong, which is then the
one named); any other exception is the CLI's "内部错误 internal error", a defect.
Each example costs ~30 ms (a copy and a check); the billion laughs is refused by the loader before it is expanded.
"""

from __future__ import annotations

import io
import os
import re
import resource
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.content.errors import ContentError
from tests.checked import check
from tests.conftest import FIXTURES

ACKS = "xg/cs/acknowledgements.yaml"
FEEDBACK = "feedback/2026-10.csv"
REGISTRY = "registries/死亡登记.csv"


def fuzz_base(root: Path) -> Path:
    """tests/fixtures/finance with every other kind of clerk file added: the oversight settings, an
    acknowledgement, a hotline record and the registries (copied from tests/fixtures/oversight)."""
    shutil.copytree(FIXTURES / "finance", root)
    site = root / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8")
        + 'oversight:\n  large_payment: "50000"\n  answer_days: 15\n  as_of: 2026-10-20\n',
        encoding="utf-8",
    )
    (root / ACKS).write_text(
        "- voucher: 2026-09 记-1\n  rule: 大额支付\n  by: 夏港街道农经站\n  date: 2026-09-05\n"
        "  explanation: 按合同支付。\n",
        encoding="utf-8",
    )
    (root / FEEDBACK).parent.mkdir(parents=True)
    (root / FEEDBACK).write_text(
        "工单号,日期,查询码,问题,承办部门,答复,答复日期,状态\n"
        "GD-1,2026-10-02,V-JFPV-J5VN,这笔钱用在哪里？,夏港街道农经站,已核实。,2026-10-05,已答复\n",
        encoding="utf-8",
    )
    shutil.copytree(FIXTURES / "oversight" / "registries", root / "registries")
    return root


def clerk_files(root: Path) -> list[str]:
    """Every file a clerk edits under `root` (scans and images are the corpus's)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".md", ".yaml", ".csv", ".xlsx")
    )


# ---- mutations: (bytes of the file, a number drawn) -> new bytes, or None for "made a folder" ------------------

LAUGHS = "x0: &l0 lol\n" + "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
ODD = [
    b"\x00",
    b"\xef\xbb\xbf",  # a BOM in the middle
    b"\xed\xa0\x80",  # a lone surrogate as UTF-8 bytes
    "１２３４．５０".encode(),
    b"\xff\xfe",
    b"\r",
    b'"',
    b",",
    b"\t",
    b"x" * 200_000 + b"\n",  # a very long line
    "\u202e\u200b".encode(),
]
YAML_BITS = [
    "[" * 5000 + "]" * 5000,  # deep nesting
    "{a: " * 3000 + "1" + "}" * 3000,
    "!!python/object/apply:os.system ['true']",
    "!!binary AAAA",
    "!!set {a, b}",
    "!!timestamp 2026-13-45",
    "[a, b]",
    "{a: 1}",
    "2026-09-01",
    "1,234.00",
    "1e309",
    "-.inf",
    ".nan",
    "~",
    "*nowhere",
    "&a [*a]",
    "? [a, b]\n  : c",
    "0x1F",
    "123456789012345678901234567890",
    "true",
    "'",
    "|\n  block",
]
CELLS = ["", "1,234.00", "1e309", "-0", "１２３", "2026-02-30", "NaN", "inf", "=SUM(A1)", '"', "a\nb", "x" * 10_000]


def mutate(rel: str, data: bytes, n: int, kind: str) -> bytes | None:
    """The file's bytes after mutation `kind`, `n` choosing where and what."""
    size = max(len(data), 1)
    at = n % (size + 1)
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        if not data:
            return b"\x80"
        i = n % len(data)
        return data[:i] + bytes([data[i] ^ (1 << (n // size % 8))]) + data[i + 1 :]
    if kind == "insert":
        return data[:at] + ODD[n % len(ODD)] + data[at:]
    if kind == "empty":
        return b""
    if kind == "folder":
        return None
    if kind == "yaml-value":  # a hostile value after some key of the file (or as its whole text)
        text = data.decode("utf-8", "replace")
        keys = [m.end() for m in re.finditer(r"^[ -]*[^\s:#][^:\n]*:[ ]", text, re.M)]
        bit = YAML_BITS[n % len(YAML_BITS)]
        if not keys:
            return bit.encode()
        k = keys[n // len(YAML_BITS) % len(keys)]
        end = text.find("\n", k)
        return (text[:k] + bit + (text[end:] if end >= 0 else "")).encode()
    if kind == "yaml-doc":  # a whole hostile document, or one more key
        text = data.decode("utf-8", "replace")
        docs = [LAUGHS + "name: *l9\n", text + text, text.replace(":", ": :", 1), "- " + text, "a: 1\na: 2\n" + text]
        if rel.endswith(".md"):  # inside the front matter
            head, sep, rest = text.partition("\n")
            return (head + sep + docs[n % len(docs)].replace("name:", "title:") + rest).encode()
        return docs[n % len(docs)].encode()
    if kind in ("row-more", "row-less", "cell"):
        lines = data.decode("utf-8", "replace").split("\n")
        i = n % len(lines)
        cells = lines[i].split(",")
        if kind == "row-more":
            cells.append("多")
        elif kind == "row-less":
            cells = cells[:-1]
        else:
            cells[n // len(lines) % len(cells)] = CELLS[n % len(CELLS)]
        lines[i] = ",".join(cells)
        return "\n".join(lines).encode()
    raise AssertionError(kind)


def as_xlsx(data: bytes, n: int, kind: str) -> bytes:
    """A CSV table as the .xlsx Excel would save, one cell made a formula, an error, a date, a bool, a float or a
    long text (kind "xlsx-cell"), or the zip cut short (kind "xlsx-broken")."""
    rows = [line.split(",") for line in data.decode("utf-8", "replace").splitlines()]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if kind == "xlsx-cell" and rows:
        r = n % len(rows)
        c = n // max(len(rows), 1) % max(len(rows[r]), 1)
        values: list[str | date | bool | float] = [
            "=1/0",
            "#DIV/0!",
            date(2026, 9, 1),
            True,
            1e308,
            12345.678,
            "=A1",
            0,
            -1,
            "x" * 40_000,
        ]
        cell = sheet.cell(row=r + 1, column=c + 1, value=values[n % len(values)])
        if values[n % len(values)] == "#DIV/0!":
            cell.data_type = "e"
    buf = io.BytesIO()
    book.save(buf)
    out = buf.getvalue()
    if kind == "xlsx-broken":
        return out[: n % len(out)]  # cut short anywhere (a byte flipped may fall in a part openpyxl never reads)
    return out


TEXT_KINDS = ["truncate", "flip", "insert", "empty", "folder"]
YAML_KINDS = ["yaml-value", "yaml-doc"]
TABLE_KINDS = ["row-more", "row-less", "cell", "xlsx-cell", "xlsx-broken"]
BROKEN = ("folder", "xlsx-broken")  # no file of its kind is left: a problem must name it


def kinds(rel: str) -> list[str]:
    if rel.endswith(".csv"):
        return TEXT_KINDS + TABLE_KINDS
    return TEXT_KINDS + YAML_KINDS


def apply(root: Path, rel: str, n: int, kind: str) -> str:
    """Mutate `rel` under `root`; the path (relative) a problem must name."""
    path = root / rel
    data = path.read_bytes()
    if kind.startswith("xlsx"):
        path.unlink()
        rel = rel[: -len(".csv")] + ".xlsx"
        (root / rel).write_bytes(as_xlsx(data, n, kind))
        return rel
    new = mutate(rel, data, n, kind)
    if new is None:
        path.unlink()
        path.mkdir()
        (path / "x.txt").write_text("x", encoding="utf-8")
    else:
        path.write_bytes(new)
    return rel


def judge(root: Path, rel: str, broken: bool) -> None:
    """The check ends clean or with catalogue problems (Chinese and English, each naming a content file), and when
    the mutated file is `broken` (no file of its kind can be read from it), one of them names it; nothing else
    escapes the check.
    (A file still valid after the edit may be right and another wrong: a town renamed, and the reviews of its
    villages' items no longer count.)"""
    try:
        _, report = check(root)
    except ContentError as exc:
        report = exc.report
    for p in report.errors:
        assert p.zh and p.en and re.search(r"[\u4e00-\u9fff]", p.zh), p.format()
        assert p.where.path.startswith("content"), p.format()
    if broken:
        named = [p for p in report.errors if p.where.path in (f"content/{rel}", f"content/{rel}/")]
        assert named, f"no problem names content/{rel}:\n" + "\n".join(p.format() for p in report.errors)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = fuzz_base(tmp_path_factory.mktemp("fuzz") / "content")
    _, report = check(root)
    assert not report.errors, [p.format() for p in report.errors]
    return root


FILES = [*clerk_files(FIXTURES / "finance"), ACKS, FEEDBACK, REGISTRY]


@st.composite
def cases(draw: Callable) -> tuple[str, str, int]:
    rel = draw(st.sampled_from(FILES))
    return rel, draw(st.sampled_from(kinds(rel))), draw(st.integers(0, 2**20))


@settings(
    max_examples=int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "120")),  # wider when hunting, not in CI
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_a_broken_clerk_file_gets_a_clerk_message(pristine: Path, tmp_path: Path, case) -> None:
    rel, kind, n = case
    root = tmp_path / "c" / "content"
    if root.parent.exists():
        shutil.rmtree(root.parent)
    shutil.copytree(pristine, root)
    named = apply(root, rel, n, kind)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    judge(root, named, kind in BROKEN)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB; the peak never goes down
    assert grown < 256 * 1024, f"{rel} {kind} {n}: the peak grew by {grown // 1024} MiB"
