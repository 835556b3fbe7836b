"""scripts/make_sample.py: the sample content folder is deterministic, well-formed and small enough.

The script is run once (as a separate process, like a developer would) into a temporary folder; everything below
is checked on that output, and that output is the checked-in content/ byte for byte: the run that made content/
was another process (another hash seed, another day), so this shows the script deterministic and content/ what
it makes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "make_sample.py"
VOUCHER = re.compile(r"^记-(\d+)$")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_sample_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    script = _load_script()
    if script.find_cjk_fonts() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk); make_sample.py needs one")
    out = tmp_path_factory.mktemp("run") / "content"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], capture_output=True, cwd=tmp_path_factory.getbasetemp(), timeout=600
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    return script, out, REPO / "content"


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _villages(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/*/village.yaml"))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("journal is neither UTF-8 nor GB18030")


def _journal(village: Path) -> dict[str, list[dict]]:
    """month file -> rows (dicts by Chinese header)."""
    out = {}
    for path in sorted((village / "journal").glob("*.csv")):
        out[path.stem] = list(csv.DictReader(io.StringIO(_decode(path.read_bytes()))))
    return out


def test_a_run_gives_the_checked_in_content_byte_for_byte(sample):
    _, a, b = sample  # this run's tree, and content/ as checked in (made by another run)
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    different = [name for name in fa if fa[name].read_bytes() != fb[name].read_bytes()]
    assert different == []


def test_layout(sample):
    _, root, _ = sample
    assert (root / "site.yaml").is_file()
    assert "city: 江阴市" in (root / "site.yaml").read_text("utf-8")
    assert len(list((root / "policies").glob("*.md"))) >= 4
    assert len(list((root / "rules").glob("*.md"))) >= 3
    towns = sorted(p.parent.name for p in root.glob("*/town.yaml"))
    assert towns == ["xiagang", "zhutang"]
    villages = _villages(root)
    assert len(villages) == 4
    for village in villages:
        assert re.fullmatch(r"[a-z0-9-]+", village.name)
        for board in ("party", "affairs", "finance", "rules"):
            assert list((village / board).glob("*.md")), f"{village.name}/{board} is empty"
        assert sorted(p.name for p in (village / "journal").iterdir()) == ["2026-07.csv", "2026-08.csv", "2026-09.csv"]


def test_every_item_of_the_village_data_file_is_written(sample):
    """scripts/sample_data/items_village.yaml holds the villages' item texts, by slug: each is written for at least one
    village, and every placeholder filled (an entry the script no longer draws would silently drop out)."""
    _, root, _ = sample
    data = yaml.safe_load((REPO / "scripts" / "sample_data" / "items_village.yaml").read_text("utf-8"))
    written = {p.stem: p for village in _villages(root) for p in village.glob("*/*.md")}
    missing = [e["slug"] for e in data["items"] if e["slug"] not in written]
    assert missing == []
    for entry in data["items"]:
        text = written[entry["slug"]].read_text("utf-8").split("\n---\n", 1)[1]  # the body (front matter has {…})
        assert not re.search(r"\{=?[A-Za-z_][\w.]*(:[^}]*)?\}", text), entry["slug"]  # nothing left unfilled


def test_every_category_has_items_and_dates_are_in_the_quarter(sample):
    yaml = pytest.importorskip("yaml")
    from sitegen.content.taxonomy import AFFAIRS, FINANCE, PARTY

    _, root, _ = sample
    for village in _villages(root):
        seen = defaultdict(set)
        for path in sorted(village.rglob("*.md")):
            text = path.read_text("utf-8")
            front = yaml.safe_load(text.split("---\n")[1])
            assert date(2026, 7, 1) <= front["date"] <= date(2026, 9, 30), path
            if path.parent.name in ("party", "affairs", "finance"):
                # two drafts (待审核, 退回) exercise review.py; the approved items alone cover every category
                assert front["review"]["status"] in ("已通过", "待审核", "退回")
                if front["review"]["status"] == "已通过":
                    seen[path.parent.name].add(front["category"])
        for board in (PARTY, AFFAIRS, FINANCE):
            assert seen[board.slug] == {c.name for c in board.categories}, (village.name, board.name)


def test_vouchers_balance_number_and_have_scans(sample):
    from sitegen.content.accounts import by_name

    money = (by_name("2024", "库存现金").code, by_name("2024", "银行存款").code)
    _, root, _ = sample
    for village in _villages(root):
        total, touching_money, non_money = 0, 0, 0
        for month, rows in _journal(village).items():
            vouchers: dict[str, list[dict]] = {}
            for row in rows:
                vouchers.setdefault(row["凭证字号"], []).append(row)
            numbers = sorted(int(VOUCHER.match(label).group(1)) for label in vouchers)
            assert numbers == list(range(1, len(numbers) + 1)), (village.name, month)
            assert len(numbers) >= 12, (village.name, month)
            for label, lines in vouchers.items():
                where = f"{village.name} {month} {label}"
                assert 2 <= len(lines) <= 4, where
                debit = sum((Decimal(ln["借方金额"] or "0") for ln in lines), Decimal("0"))
                credit = sum((Decimal(ln["贷方金额"] or "0") for ln in lines), Decimal("0"))
                assert debit == credit and debit > 0, where
                for ln in lines:
                    amounts = [ln["借方金额"], ln["贷方金额"]]
                    assert sum(bool(a) for a in amounts) == 1, where
                    assert all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts if a), where
                    y, m, _ = re.split(r"[-/]", ln["日期"])
                    assert f"{int(y):04d}-{int(m):02d}" == month, where
                attachments = {int(ln["附件张数"]) for ln in lines}
                assert len(attachments) == 1 and 1 <= min(attachments) <= 3, where
                scans = sorted((village / "scans" / month / str(int(label[2:]))).glob("*.jpg"))
                assert len(scans) >= attachments.pop() + 1, where
                assert scans[0].name == "01.jpg", where
                total += 1
                if any(ln["科目编码"][: len(money[0])] in money for ln in lines):
                    touching_money += 1
                else:
                    non_money += 1
        assert total >= 36
        assert touching_money > 0.7 * total and non_money >= 2, village.name


def test_journal_encodings(sample):
    _, root, _ = sample
    kinds: dict = {}
    for village in _villages(root):
        for path in sorted((village / "journal").glob("*.csv")):
            data = path.read_bytes()
            if data.startswith(b"\xef\xbb\xbf"):
                kind = "utf-8-sig"
                assert data[3:].decode("utf-8").startswith("日期,凭证字号,摘要")
            else:
                try:
                    text = data.decode("utf-8")
                    kind = "utf-8"
                except UnicodeDecodeError:
                    text = data.decode("gb18030")
                    kind = "gb18030"
                assert text.startswith("日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件张数")
            kinds.setdefault(village.name, set()).add(kind)
    assert all(len(k) == 1 for k in kinds.values()), kinds
    assert kinds["jiangtou"] == {"utf-8-sig"}
    assert kinds["wenlin"] == {"gb18030"}
    assert list(kinds.values()).count({"utf-8"}) == 2


def test_personal_identifiers_are_valid_so_masking_is_exercised(sample):
    script, root, _ = sample
    text = "\n".join(p.read_text("utf-8") for p in sorted(root.rglob("*.md")))
    ids = re.findall(r"(?<!\d)(320281(19[4-9]\d)\d{7}[\dX])(?![\dA-Za-z])", text)
    assert len(ids) >= 20
    for number, year in ids:
        assert script.id_check(number[:17]) == number[17]
        assert 1940 <= int(year) <= 1990
    cards = [c.replace(" ", "") for c in re.findall(r"(?<!\d)(62(?:28|17)(?: ?\d){12,15})(?!\d)", text)]
    assert len(cards) >= 20 and all(script.luhn_ok(c) and 16 <= len(c) <= 19 for c in cards)
    assert len(re.findall(r"(?<!\d)1[3-9]\d(?:-?\d{4}){2}(?!\d)", text)) >= 10


def test_images(sample):
    from PIL import Image

    _, root, _ = sample
    jpegs = sorted(root.rglob("*.jpg"))
    assert jpegs and list(root.rglob("*.png"))
    widths: list[int] = []
    tall = 0
    for path in jpegs:
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.mode in ("L", "RGB"), path
            assert "exif" not in im.info and not im.info.get("progressive"), path
            widths.append(im.width)
            tall += im.height > 2 * im.width
    assert sum(800 <= w <= 900 for w in widths) > len(widths) / 2
    assert any(w <= 440 for w in widths) and tall >= 2


def test_total_size(sample):
    _, root, _ = sample
    assert sum(p.stat().st_size for p in _files(root).values()) < 20 * 1024 * 1024


def test_sample_passes_sitegen_check(sample):
    checked = pytest.importorskip("tests.checked")  # (sitegen's pipeline)
    _, root, _ = sample
    city, report = checked.check(root)
    assert city is not None
    assert [p.format() for p in report.errors] == []
    assert len(city.villages) == 4
