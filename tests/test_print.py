"""公开栏 `sitegen print` (reports/notice_board.py): the poster is a real PDF, read back with pdfium; its words and figures are the
ledger's; no raw personal number survives; each section's QR code opens an existing page of the phone site; the same
content gives the same bytes; held months, bad months and villages with errors are refused."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from sitegen.build.pipeline import build
from sitegen.cli.main import cli
from sitegen.content.money import yuan
from sitegen.images import renditions as assets
from sitegen.oversight import refcode
from sitegen.reports import notice_board as printing
from tests.checked import check
from tests.conftest import REPO

CONTENT = REPO / "content"
VILLAGE = CONTENT / "xiagang" / "changshou"
MONTH = "2026-09"
PUBLIC = "https://sanwu.example.gov.cn/m/"
TITLES = [
    "2026年9月收支流水",
    "党务公开",
    "村务公开",
    "财务公开",
    "发放名单（低保、补助、工资）",
    "资金支付预警",
    "群众疑问及答复",
    "付款审批流程",
]


def pages_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def flat(text: str) -> str:
    """Text without the line breaks and spaces the layout put in."""
    return re.sub(r"\s+", "", text)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def sample_poster(tmp_path_factory) -> bytes:
    """长寿村's September poster from the sample content (no public_url: paths in words instead of QR codes)."""
    out = tmp_path_factory.mktemp("print")
    done = printing.run(CONTENT, out, MONTH, "xiagang/changshou")
    assert done.written == [out / "print" / "xiagang" / "changshou" / f"{MONTH}.pdf"] and not done.refused
    return done.written[0].read_bytes()


def journal_lines(month: str) -> list[tuple[str, str, str, Decimal]]:
    """(date, voucher label, summary, money in minus out) of each voucher moving money, in ledger order, straight
    from the journal CSV, not through sitegen."""
    found: dict[str, list] = {}
    for row in csv.DictReader(io.StringIO((VILLAGE / "journal" / f"{month}.csv").read_text(encoding="utf-8-sig"))):
        entry = found.setdefault(row["凭证字号"], [row["日期"], row["凭证字号"], row["摘要"], None])
        if row["科目编码"][:3] in ("101", "102"):
            entry[3] = (entry[3] or Decimal(0)) + Decimal(row["借方金额"] or "0") - Decimal(row["贷方金额"] or "0")
    lines = [tuple(e) for e in found.values() if e[3] is not None]
    return sorted(lines, key=lambda e: (e[0], int(e[1].split("-")[1])))


def journal_month(month: str) -> tuple[Decimal, Decimal]:
    """(money in, money out) of the month."""
    nets = [net for *_, net in journal_lines(month)]
    return sum((n for n in nets if n > 0), Decimal(0)), sum((-n for n in nets if n < 0), Decimal(0))


def test_the_poster_opens_with_every_section_in_order_and_the_journals_totals(sample_poster):
    assert sample_poster.startswith(b"%PDF-")
    text = pages_text(sample_poster)
    assert len(text) >= 3  # a month of 长寿村 does not fit one A3 page: it is paginated
    whole = flat("\n".join(text))
    at = [whole.find(flat(t)) for t in TITLES]
    assert -1 not in at and at == sorted(at), dict(zip(TITLES, at))
    income, expense = journal_month(MONTH)
    assert f"本月收入{yuan(income)}元" in whole and f"本月支出{yuan(expense)}元" in whole
    assert flat(f"本月合计 {yuan(income)} {yuan(expense)}") in whole
    assert "江阴市夏港文具商店" in whole  # a payee of the ledger
    assert "徐建明" in whole  # on the 村干部报酬 list, and the approver of the payments
    assert "夏国平" in whole and "张永刚" in whole  # the 村监委主任 and 镇农经站 reviewers of the trail
    embedded = {("Noto-Sans-CJK-SC", True), ("Noto-Sans-CJK-SC-Bold", True)}
    assert printing.fonts_used(sample_poster) == embedded
    for page in text:
        assert "第" in page and "共" in page  # the page footer: 第 N 页，共 M 页
    trail = whole[whole.find("付款审批流程") :]
    paid = [(label, summary, -net) for _, label, summary, net in journal_lines(MONTH) if net < 0]
    assert len(paid) >= 5
    for label, summary, amount in paid:  # each payment's trail row says what left the village's cash and bank
        assert flat(f"{label}{summary}{yuan(amount)}") in trail, label


def test_rows_are_never_cut_and_table_headers_repeat(sample_poster):
    """Each ledger line's description and its running balance (worked out here from the journal CSV) are on the
    same page, and every page the ledger runs onto shows the table's header."""
    text = [flat(t) for t in pages_text(sample_poster)]
    balance = Decimal(re.search(r"2026年9月初余额([\d,]+\.\d\d)元", text[0]).group(1).replace(",", ""))
    seen = set()
    for _day, label, summary, net in journal_lines(MONTH):
        balance += net
        on = [n for n, t in enumerate(text) if flat(f"{label}{summary}") in t]
        assert on, label
        assert yuan(balance) in text[on[0]], (label, on)
        seen.add(on[0])
    assert len(seen) >= 2  # the ledger crosses a page in this month, so the header check below means something
    for n in seen:
        assert "做什么" in text[n] and "余额（元）" in text[n], n


def test_no_raw_personal_number_is_printed(sample_poster):
    """Every long number in the village's files (ID numbers, bank cards, mobiles in the journal, payout lists,
    lease table, village.yaml) is absent from the text; the warnings that name a payee's ID show it masked."""
    raw = set()
    for path in VILLAGE.rglob("*"):
        if path.suffix in (".csv", ".yaml", ".md"):
            raw |= set(re.findall(r"\d{11,19}[\dXx]?", path.read_text(encoding="utf-8-sig")))
    assert len(raw) > 20  # the sample really holds personal numbers
    whole = flat("\n".join(pages_text(sample_poster)))
    assert [n for n in raw if n in whole] == []
    assert re.search(r"\d{4}\*{10}\d{4}", whole)  # a payee's ID number, masked as on the site


def test_personal_numbers_in_clerk_text_are_masked(mini, tmp_path):
    """Numbers a clerk typed into a title, a body paragraph, a ledger line's summary and its other party."""
    edit(mini, "xg/cs/party/meeting.md", "title: 第三季度党员大会", "title: 第三季度党员大会（联系 13912345678）")
    edit(mini, "xg/cs/party/meeting.md", "会议由", "身份证 320281195803127777 的同志报告，会议由")
    edit(mini, "xg/cs/journal/2026-09.csv", "付保洁员八月工资,513", "付保洁员八月工资 卡号6228480012345678901,513")
    edit(mini, "xg/cs/journal/2026-09.csv", "种粮大户李四,1", "种粮大户李四 13800001111,1")
    done = printing.run(mini, tmp_path, MONTH)
    whole = flat("\n".join(pages_text(done.written[0].read_bytes())))
    for raw in ("13912345678", "320281195803127777", "6228480012345678901", "13800001111"):
        assert raw not in whole
    for shown in ("139****5678", "3202**********7777", "6228***********8901", "138****1111"):
        assert shown in whole


def test_without_public_url_the_phone_page_is_named_in_words(sample_poster):
    whole = flat("\n".join(pages_text(sample_poster)))
    assert "xiagang/changshou/finance/ledger-2026.html#v-2026-09-001" in whole
    assert "手机网站上：夏港街道›长寿村›财务›长寿村2026年9月收支流水" in whole  # the ledger: a page per month
    assert "手机扫码" not in whole


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory) -> tuple[Path, Path]:
    """The mini fixture with a public_url, and its phone site built."""
    root = tmp_path_factory.mktemp("mini")
    content = root / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", content)
    with open(content / "site.yaml", "a", encoding="utf-8") as f:
        f.write(f'public_url: "{PUBLIC.rstrip("/")}"\n')  # written without the last slash: it is added
    build(content, root / "output", ("mobile",))
    return content, root / "output"


def test_every_qr_code_opens_an_existing_phone_page(mini_site):
    zxingcpp = pytest.importorskip("zxingcpp")
    content, out = mini_site
    done = printing.run(content, out, MONTH)
    assert len(done.written) == 1
    doc = pdfium.PdfDocument(done.written[0])
    decoded = []
    for i in range(len(doc)):
        image = doc[i].render(scale=2).to_pil()  # 144 dpi: a phone held at the board sees about as much
        decoded += [b.text for b in zxingcpp.read_barcodes(image)]
    assert len(decoded) == len(TITLES)  # one per section
    for url in decoded:
        assert url.startswith(PUBLIC), url
        path = url[len(PUBLIC) :].split("#", 1)[0]
        assert (out / "mobile" / path).is_file(), url
    assert {u[len(PUBLIC) :].split("#")[0] for u in decoded} >= {
        "xg/cs/finance/ledger-2026.html",
        "xg/cs/warnings.html",
        "xg/cs/questions.html",
        "xg/cs/party/index.html",
    }


def test_a2_is_a2_and_a3_is_a3(sample_poster, mini_site, tmp_path):
    content, _ = mini_site
    done = printing.run(content, tmp_path, MONTH, "xg/cs", "A2")
    size = [round(x) for x in pdfium.PdfDocument(done.written[0])[0].get_size()]
    assert size == [1191, 1684]  # points
    assert [round(x) for x in pdfium.PdfDocument(sample_poster)[0].get_size()] == [842, 1191]  # the default, A3


def test_images_the_build_found_sound_are_not_decoded_again(mini_site, monkeypatch):
    """The poster validates as `sitegen check` does, reading the build's record of sound images from the build's
    own cache (<OUTPUT>.cache beside OUTPUT): a scan unchanged since the build is not decoded again."""
    content, out = mini_site
    decoded: list[str] = []
    real = assets._decode_all

    def counting(sources, *args):
        decoded.extend(sources)
        return real(sources, *args)

    monkeypatch.setattr(assets, "_decode_all", counting)
    printing.run(content, out, MONTH, "xg/cs")
    assert decoded == []
    (content / "site.yaml").touch()  # not an image: still none decoded
    printing.run(content, out / "elsewhere", MONTH, "xg/cs")  # another output has no record: every image decoded
    assert decoded and all(Path(p).is_file() for p in decoded)


def test_two_runs_give_the_same_bytes(mini_site, tmp_path):
    """Two processes at once (different hash seeds): byte-identical posters, written where promised."""
    content, _ = mini_site
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sitegen", "print", str(content), "--month", MONTH, "-o", str(tmp_path / n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        for n in "ab"
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    a, b = ((tmp_path / n / "print" / "xg" / "cs" / f"{MONTH}.pdf").read_bytes() for n in "ab")
    assert a == b
    assert b"CreationDate" not in a and b"ModDate" not in a
    assert not list((tmp_path / "a" / "print" / "xg" / "cs").glob(".*"))  # no temporary file left


def invoke(*args: object):
    return CliRunner().invoke(cli, ["print", *map(str, args)])


@pytest.mark.parametrize("month", ["2026-13", "2026-9", "26-09", "2026-00", "九月", "2026-09-01", ""])
def test_a_bad_month_is_a_usage_error(mini, tmp_path, month):
    result = invoke(mini, "--month", month, "-o", tmp_path)
    assert result.exit_code == 2, result.output
    assert "应写成 2026-09 这样" in result.output
    assert not (tmp_path / "print").exists()


def test_an_unknown_village_is_a_usage_error_naming_the_villages(mini, tmp_path):
    result = invoke(mini, "--month", MONTH, "--village", "xg/nope", "-o", tmp_path)
    assert result.exit_code == 2 and "xg/cs" in result.output and "print-unknown-village" in result.output
    assert not (tmp_path / "print").exists()


def pending(root: Path) -> None:
    edit(root, "xg/cs/reviews.yaml", "status: 已通过", "status: 待审核")


def rejected(root: Path) -> None:
    edit(root, "xg/cs/reviews.yaml", "status: 已通过", "status: 退回")


def unreviewed(root: Path) -> None:
    (root / "xg/cs/reviews.yaml").unlink()


@pytest.mark.parametrize("hold", [pending, rejected, unreviewed])
def test_a_held_month_is_refused(mini, tmp_path, hold):
    hold(mini)
    result = invoke(mini, "--month", MONTH, "-o", tmp_path)
    assert result.exit_code == 1, result.output
    assert "print-month-held" in result.output and "待审核" in result.output
    assert not (tmp_path / "print").exists()


def test_a_month_after_a_held_one_is_refused(mini, tmp_path):
    """Its opening balance would be the held month's closing balance."""
    pending(mini)
    result = invoke(mini, "--month", "2026-10", "-o", tmp_path)
    assert result.exit_code == 1 and "print-month-held" in result.output and "2026年9月" in result.output


def test_a_month_with_nothing_to_publish_is_refused(mini, tmp_path):
    result = invoke(mini, "--month", "2025-01", "-o", tmp_path)
    assert result.exit_code == 1 and "print-month-empty" in result.output
    assert not (tmp_path / "print").exists()


def test_drafts_are_not_printed(mini, tmp_path):
    """An item not approved is not on the poster, as it is not on the site."""
    edit(mini, "xg/cs/party/meeting.md", "status: 已通过", "status: 待审核")
    done = printing.run(mini, tmp_path, MONTH)
    whole = flat("\n".join(pages_text(done.written[0].read_bytes())))
    assert "第三季度党员大会" not in whole and "没有新的党务公开事项" in whole


def test_a_village_with_errors_is_not_printed_the_others_are(mini, tmp_path):
    shutil.copytree(mini / "xg" / "cs", mini / "xg" / "ds")
    edit(mini, "xg/ds/village.yaml", "name: 长寿村", "name: 东山村")
    edit(mini, "xg/ds/journal/2026-09.csv", ",,2500.50,王五,0", ",,2500.00,王五,0")  # unbalanced voucher
    result = invoke(mini, "--month", MONTH, "-o", tmp_path)
    assert result.exit_code == 1, result.output
    assert "print-village-errors" in result.output and "xg/ds/journal/2026-09.csv" in result.output
    assert (tmp_path / "print" / "xg" / "cs" / f"{MONTH}.pdf").is_file()
    assert not (tmp_path / "print" / "xg" / "ds").exists()


def test_an_error_outside_the_villages_prints_nothing(mini, tmp_path):
    edit(mini, "site.yaml", "hotline:", "hotlien:")
    result = invoke(mini, "--month", MONTH, "-o", tmp_path)
    assert result.exit_code == 1 and "unknown-key" in result.output
    assert not (tmp_path / "print").exists()


@pytest.mark.parametrize(
    "value",
    [
        "sanwu.example.gov.cn/m/",
        "ftp://x.cn/",
        "https://x.cn/m/?a=1",
        "https://x.cn/#m",
        "https:// x.cn/",
        "https://x.cn/{code}",
    ],
)
def test_a_bad_public_url_is_a_content_error(mini, value):
    with open(mini / "site.yaml", "a", encoding="utf-8") as f:
        f.write(f'public_url: "{value}"\n')
    _, report = check(mini)
    assert [p.code for p in report.errors] == ["bad-value"] and "public_url" in report.errors[0].zh


def test_a_poster_with_unmasked_personal_data_is_never_written(mini, tmp_path, monkeypatch):
    """The last line of defence: should masking fail (here: switched off), the poster is refused, not printed."""
    edit(mini, "xg/cs/party/meeting.md", "title: 第三季度党员大会", "title: 第三季度党员大会（联系 13912345678）")
    monkeypatch.setattr(printing, "mask", lambda text: text)
    done = printing.run(mini, tmp_path, MONTH)
    assert done.written == [] and done.refused == ["xg/cs"]
    assert [p.code for p in done.report.errors] == ["personal-data-unmasked"]
    assert not (tmp_path / "print").exists()


def test_without_the_cjk_font_nothing_is_printed(mini, tmp_path, monkeypatch):
    """Text not set in the embedded CJK font (as when fonts-noto-cjk is missing and fontconfig falls back; here the
    stylesheet names another family) is refused with the package to install (exit 3), nothing written."""
    theme = tmp_path / "print-theme"
    shutil.copytree(printing.PRINT_DIR, theme)
    css = theme / "print.css"
    css.write_text(
        css.read_text(encoding="utf-8")
        .replace('"Noto Sans CJK SC"', '"DejaVu Sans"')
        .replace('"Noto Serif CJK SC", ', ""),
        encoding="utf-8",
    )
    monkeypatch.setattr(printing, "PRINT_DIR", theme)
    result = invoke(mini, "--month", MONTH, "-o", tmp_path / "out")
    assert result.exit_code == 3 and "fonts-noto-cjk" in result.output
    assert not (tmp_path / "out" / "print").exists()


def test_questions_answered_in_the_month_are_printed_long_text_clipped(mini, tmp_path):
    """Only hotline records answered in the month; a reply too long for one page is cut (a row is never split) and
    the rest is on the phone site; a number in a question is masked."""
    city, _ = check(mini)
    assert city is not None
    meeting = refcode.assign(city)[id(next(i for v in city.villages for i in v.items if i.slug == "meeting"))]
    long_reply = "经核实，" + "会议按程序召开，参会人数符合规定。" * 40
    rows = [
        ["工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"],
        [
            "T1",
            "2026-09-16",
            meeting,
            "开会几个人？电话13912345678",
            "夏港街道组织办",
            long_reply,
            "已答复",
            "2026-09-20",
        ],
        ["T2", "2026-08-20", meeting, "八月答复的", "夏港街道组织办", "已答复。", "已答复", "2026-08-30"],
        ["T3", "2026-09-17", meeting, "还在办的", "夏港街道组织办", "", "办理中", ""],
    ]
    (mini / "feedback").mkdir()
    with open(mini / "feedback" / "hotline.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    done = printing.run(mini, tmp_path, MONTH)
    assert done.written, [p.format() for p in done.report.errors]
    whole = flat("\n".join(pages_text(done.written[0].read_bytes())))
    assert "本月答复群众反映1件" in whole and "开会几个人？电话139****5678" in whole
    assert "八月答复的" not in whole and "还在办的" not in whole
    assert "经核实" in whole and flat(printing.MORE) in whole and whole.count("会议按程序召开") < 40


def test_an_output_that_cannot_be_written_is_exit_3(mini, tmp_path):
    (tmp_path / "print").write_text("a file where the folder goes", encoding="utf-8")
    result = invoke(mini, "--month", MONTH, "-o", tmp_path)
    assert result.exit_code == 3 and "无法写入" in result.output
    assert (tmp_path / "print").read_text(encoding="utf-8") == "a file where the folder goes"


def test_a_village_or_town_folder_prints_only_its_villages(mini, tmp_path):
    """As `sitegen check` takes a village's folder: the clerk points at their own."""
    shutil.copytree(mini / "xg" / "cs", mini / "xg" / "ds")
    edit(mini, "xg/ds/village.yaml", "name: 长寿村", "name: 东山村")
    result = invoke(mini / "xg" / "ds", "--month", MONTH, "-o", tmp_path / "one")
    assert result.exit_code == 0, result.output
    assert [p.relative_to(tmp_path / "one").as_posix() for p in (tmp_path / "one").rglob("*.pdf")] == [
        f"print/xg/ds/{MONTH}.pdf"
    ]
    result = invoke(mini / "xg", "--month", MONTH, "-o", tmp_path / "town")
    assert result.exit_code == 0 and len(list((tmp_path / "town").rglob("*.pdf"))) == 2
    for args in ([mini / "xg" / "ds", "--village", "xg/cs"], [mini / "xg" / "ds" / "journal"]):
        result = invoke(*args, "--month", MONTH, "-o", tmp_path / "bad")
        assert result.exit_code == 2 and "print-not-a-folder" in result.output, args
    assert not (tmp_path / "bad").exists()
