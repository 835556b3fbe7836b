"""Bad input: each case gives a clear error naming the file (and row), and a build leaves the old output alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.build.state import default_cache
from sitegen.content.errors import ContentError
from sitegen.validate import city as city_module
from sitegen.validate.city import item_slug
from tests.built_sample import linked_cache
from tests.checked import check
from tests.conftest import FIXTURES, model_reached, snapshot

JOURNAL = "xg/cs/journal/2026-09.csv"
MEETING = "xg/cs/party/meeting.md"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def malformed_yaml(root):
    edit(root, MEETING, "category: 组织建设", "category: [组织建设")


def unknown_config_key(root):
    edit(root, "site.yaml", "hotline:", "hotlien:")


def unbalanced(root):
    edit(root, JOURNAL, ",,2500.50,王五,0", ",,2500.00,王五,0")


def unbalanced_by_a_cent(root):
    """The smallest difference there is: a check comparing with a tolerance, or rounding, would let it through."""
    edit(root, JOURNAL, ",,2500.50,王五,0", ",,2500.49,王五,0")


def unknown_account(root):
    edit(root, JOURNAL, "2026-09-10,记-2,付保洁员八月工资,513,", "2026-09-10,记-2,付保洁员八月工资,999,")


def amount_exponent(root):
    edit(root, JOURNAL, "12000.00,,,1", "1e3,,,1")


def amount_three_places(root):
    edit(root, JOURNAL, "2500.50,,王五", "12.345,,王五")


def missing_scan(root):
    (root / "xg/cs/scans/2026-09/1/02.jpg").unlink()


def scan_path_escape(root):
    edit(root, MEETING, "scan: ../files/basis.jpg", "scan: ../../../../etc/passwd")


def image_path_escape(root):
    edit(root, "xg/cs/affairs/compact.md", "images: [../files/basis.jpg]", "images: [/etc/passwd]")


def image_path_windows(root):
    edit(root, "xg/cs/affairs/compact.md", "images: [../files/basis.jpg]", r"images: ['C:\files\basis.jpg']")


def image_path_missing(root):
    edit(root, "xg/cs/affairs/compact.md", "images: [../files/basis.jpg]", "images: [../files/gone.jpg]")


def duplicate_voucher(root):
    path = root / JOURNAL
    path.write_text(
        path.read_text(encoding="utf-8")
        + "2026-09-30,记-1,重复的凭证,101,库存现金,5.00,,,0\n2026-09-30,记-1,重复的凭证,513,,,5.00,,0\n",
        encoding="utf-8",
    )


def unknown_category(root):
    edit(root, MEETING, "category: 组织建设", "category: 组织建议")


def bad_date(root):
    edit(root, MEETING, "date: 2026-09-15", "date: 2026-13-45")


# ---- issue 11: silent accidents get a message --------------------------------------------------------------


def edit_all(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def voucher_in_2036(root):
    edit_all(root, JOURNAL, "2026-09-03,记-1", "2036-09-03,记-1")


def item_in_2036(root):
    edit(root, MEETING, "date: 2026-09-15", "date: 2036-09-15")


def item_in_1926(root):
    edit(root, MEETING, "date: 2026-09-15", "date: 1926/9/15")


def review_in_2036(root):
    edit(root, MEETING, "  date: 2026-09-16", "  date: 2036-09-16")


def month_review_in_2036(root):
    edit(root, "xg/cs/reviews.yaml", "date: 2026-10-09", "date: 2036-10-09")


def item_date_unreadable(root):
    edit(root, MEETING, "date: 2026-09-15", "date: 2026-9-31")


def misspelt_journal_header(root):
    """审核人 for 审批人: was a warning, then every voucher looked unapproved in public."""
    edit(root, JOURNAL, "附件张数", "附件张数,审核人")


def doubled_journal_header(root):
    edit(root, JOURNAL, "附件张数", "附件张数,借方")


def same_village_name(root):
    shutil.copytree(root / "xg/cs", root / "xg/cs2")


def same_town_name(root):
    shutil.copytree(root / "xg", root / "xg2")


def old_chart_code(root):
    edit(
        root, JOURNAL, "2026-09-10,记-2,付保洁员八月工资,513,管理费用", "2026-09-10,记-2,付保洁员八月工资,541,管理费用"
    )


def old_chart_meaning(root):
    """502 is 经营支出 in 2004 but 投资收益 from 2024: booked as written, the year's figures would be wrong."""
    edit(
        root, JOURNAL, "2026-09-10,记-2,付保洁员八月工资,513,管理费用", "2026-09-10,记-2,付保洁员八月工资,502,经营支出"
    )


def new_chart_code_in_an_old_chart_village(root):
    edit(root, "xg/cs/village.yaml", "name: 长寿村", 'name: 长寿村\naccounting_system: "2004"')


# ---- issue 13: town.yaml, village.yaml and front matter declared once (config.TownConfig, VillageConfig, ItemFront),
# read by the one strict reader: each problem with a key at the line the key is written on


def unknown_town_key(root):
    edit(root, "xg/town.yaml", "name: 夏港街道", "name: 夏港街道\nreview_department:\n  党务: [本镇组织办]")


def town_name_not_text(root):
    edit(root, "xg/town.yaml", "name: 夏港街道", "name: [夏港, 街道]")


def village_intro_not_text(root):
    edit(root, "xg/cs/village.yaml", "intro: 长寿村位于夏港街道东部。", "intro:\n  - 长寿村位于夏港街道东部。")


def village_opening_balance_not_an_amount(root):
    edit(root, "xg/cs/village.yaml", "intro:", "opening_balance: 三千元\nintro:")


def village_unknown_chart(root):
    edit(root, "xg/cs/village.yaml", "intro:", 'accounting_system: "1999"\nintro:')


def unknown_village_key(root):
    edit(root, "xg/cs/village.yaml", "intro:", "intra: 别的村\nintro:")


def misspelt_front_matter_key(root):
    edit(root, MEETING, "subitem: 组织生活会", "subitme: 组织生活会")


def misspelt_review_key(root):
    edit(root, MEETING, "  reviewer: 王建华", "  reviewr: 王建华")


def misspelt_basis_key(root):
    edit(root, MEETING, "  number: 长党〔2026〕5号", "  numbr: 长党〔2026〕5号")


def front_matter_title_not_text(root):
    edit(root, MEETING, "title: 第三季度党员大会", "title: {第三季度: 党员大会}")


def front_matter_documents_not_a_list(root):
    edit(root, MEETING, "subitem: 组织生活会", "subitem: 组织生活会\ndocuments: 比选成交通知书")


def review_status_unknown(root):
    edit(root, MEETING, "  status: 已通过", "  status: 好")


def basis_scan_missing(root):
    edit(root, MEETING, "  scan: ../files/basis.jpg", "  scan: ../files/gone.jpg")


CASES = [
    # (mutation, code, file, line or None, words that must appear in the Chinese message)
    (malformed_yaml, "yaml-syntax", MEETING, 4, "括号没有配对"),  # the line of the [, not the next one
    (unknown_config_key, "unknown-key", "site.yaml", None, "hotlien"),
    (unbalanced, "voucher-unbalanced", JOURNAL, 4, "借贷不平衡"),
    (unbalanced_by_a_cent, "voucher-unbalanced", JOURNAL, 4, "相差 0.01"),
    (unknown_account, "account-unknown", JOURNAL, 4, "999"),
    (amount_exponent, "amount-format", JOURNAL, 2, "1e3"),
    (amount_three_places, "amount-format", JOURNAL, 4, "12.345"),
    (missing_scan, "scan-missing", JOURNAL, 2, "缺少扫描件"),
    (scan_path_escape, "path-outside", MEETING, None, "../../../../etc/passwd"),
    (image_path_escape, "path-outside", "xg/cs/affairs/compact.md", None, "/etc/passwd"),
    (image_path_windows, "path-outside", "xg/cs/affairs/compact.md", None, "C:\\files\\basis.jpg"),
    (image_path_missing, "path-missing", "xg/cs/affairs/compact.md", None, "../files/gone.jpg"),
    (duplicate_voucher, "voucher-duplicate", JOURNAL, 10, "记-1"),
    (unknown_category, "unknown-category", MEETING, None, "组织建议"),
    (bad_date, "bad-date", MEETING, None, "2026-13-45"),
    (voucher_in_2036, "date-implausible", JOURNAL, 2, "2036-09-03"),
    (item_in_2036, "date-implausible", MEETING, None, "年份写错"),
    (item_in_1926, "date-implausible", MEETING, None, "早于 2000-01-01"),
    (review_in_2036, "date-implausible", MEETING, None, "2036-09-16"),
    (month_review_in_2036, "date-implausible", "xg/cs/reviews.yaml", None, "2036-10-09"),
    (item_date_unreadable, "bad-date", MEETING, None, "2026/9/25"),
    (misspelt_journal_header, "table-header-unknown", JOURNAL, 1, "审批人"),
    (doubled_journal_header, "table-header-duplicate", JOURNAL, 1, "借方金额"),
    (same_village_name, "duplicate-name", "xg/cs2/village.yaml", None, "content/xg/cs/village.yaml"),
    (same_town_name, "duplicate-name", "xg2/town.yaml", None, "content/xg/town.yaml"),
    (old_chart_code, "account-unknown", JOURNAL, 4, "513 管理费用"),
    (old_chart_meaning, "account-other-chart", JOURNAL, 4, "511 经营支出"),
    (new_chart_code_in_an_old_chart_village, "account-unknown", JOURNAL, 4, "541 管理费用"),
    (unknown_town_key, "unknown-key", "xg/town.yaml", 2, "是不是“review_departments”"),
    (town_name_not_text, "bad-value", "xg/town.yaml", 1, "应当是一段文字"),
    (village_intro_not_text, "bad-value", "xg/cs/village.yaml", 2, "“intro”的值不对"),
    (village_opening_balance_not_an_amount, "amount-format", "xg/cs/village.yaml", 2, "三千元"),
    (village_unknown_chart, "bad-value", "xg/cs/village.yaml", 2, "只能是 2024 或 2004"),
    (unknown_village_key, "unknown-key", "xg/cs/village.yaml", 2, "是不是“intro”"),
    (misspelt_front_matter_key, "unknown-key", MEETING, 5, "是不是“subitem”"),
    (misspelt_review_key, "unknown-key", MEETING, 12, "是不是“reviewer”"),
    (misspelt_basis_key, "unknown-key", MEETING, 8, "是不是“number”"),
    (front_matter_title_not_text, "bad-value", MEETING, 2, "“title”的值不对"),
    (front_matter_documents_not_a_list, "bad-value", MEETING, 6, "每份文件一项"),
    (review_status_unknown, "bad-value", MEETING, 14, "已通过、待审核、退回"),
    (basis_scan_missing, "path-missing", MEETING, 9, "../files/gone.jpg"),
]


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """The mini fixture as is, built once for the module (output and image cache beside it): each case's "last
    good output" is a copy of it, not a build of its own (41 cold builds, ~0.4 s of CPU each)."""
    top = tmp_path_factory.mktemp("good")
    shutil.copytree(FIXTURES / "mini", top / "content")
    build(top / "content", top / "out")
    return top / "out"


@pytest.mark.parametrize("mutate,code,rel,line,words", CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_input_is_reported_and_output_kept(mini, tmp_path, good_build, mutate, code, rel, line, words):
    out = tmp_path / "out"
    shutil.copytree(good_build, out)  # the last good output (of the same content, as built) and its image cache
    linked_cache(default_cache(good_build), default_cache(out))
    before = snapshot(out)
    assert before, "the good build wrote nothing"
    mutate(mini)
    with pytest.raises(ContentError) as info:
        build(mini, out)
    problems = [p for p in info.value.report.errors if p.code == code]
    assert problems, [p.format() for p in info.value.report.errors]
    p = problems[0]
    assert p.where.path == f"content/{rel}"
    if line is not None:
        assert p.where.line == line, p.format()
    assert words in p.zh and p.en and "Traceback" not in p.format()
    assert snapshot(out) == before  # the previous output, byte for byte


def test_unknown_key_suggests_the_right_one(mini):
    unknown_config_key(mini)
    _, report = check(mini)
    (p,) = [p for p in report.errors if p.code == "unknown-key"]
    assert "hotline" in p.zh and "did you mean 'hotline'" in p.en


def test_all_problems_are_listed_at_once(mini):
    for mutate in (unbalanced, unknown_account, missing_scan, unknown_category):
        mutate(mini)
    _, report = check(mini)
    codes = {p.code for p in report.errors}
    assert {"voucher-unbalanced", "account-unknown", "scan-missing", "unknown-category"} <= codes


def test_symlinked_scan_out_of_the_folder_is_refused(mini, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes((mini / "xg/cs/files/basis.jpg").read_bytes())
    target = mini / "xg/cs/scans/2026-09/2/02.jpg"
    target.symlink_to(secret)
    city, report = check(mini)
    assert any(p.code == "path-outside" and p.where.path.endswith("2026-09/2/02.jpg") for p in report.errors)
    # nor is it taken as a scan (not even its header is read)
    assert all(
        img.source.is_relative_to(mini.resolve()) for v in city.villages for vo in v.vouchers for img in vo.scans
    )


def test_model_of_the_mini_fixture(mini):
    city, report = check(mini)
    assert not report.errors, [p.format() for p in report.errors]
    (village,) = city.villages
    assert [v.label for v in village.vouchers] == ["记-1", "记-2", "记-3", "记-4"]
    assert [len(v.scans) for v in village.vouchers] == [2, 1, 1, 1]
    meeting = next(i for i in village.items if i.title == "第三季度党员大会")
    assert meeting.category.name == "组织建设" and meeting.review.status == "approved"
    assert meeting.basis.number == "长党〔2026〕5号" and meeting.basis.scan is not None
    assert [i.title for i in city.items] == ["村民委员会组织法（摘要）"]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size in a few bytes: what a decompression bomb looks like to a header check."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(mini):
    (mini / "xg/cs/scans/2026-09/2/01.jpg").write_bytes(png_header_only(50_000, 50_000))
    _, report = check(mini)
    (p,) = [p for p in report.errors if p.code == "image-too-large"]
    assert p.where.path == "content/xg/cs/scans/2026-09/2/01.jpg"


def test_not_an_image_is_refused(mini):
    (mini / "xg/cs/scans/2026-09/2/01.jpg").write_bytes(b"%PDF-1.4 not really")
    _, report = check(mini)
    assert any(p.code == "image-bad" and p.where.path.endswith("2026-09/2/01.jpg") for p in report.errors)


def test_html_in_titles_and_bodies_is_shown_as_text(mini, tmp_path):
    out = tmp_path / "out"
    edit(mini, MEETING, "title: 第三季度党员大会", 'title: "<script>alert(1)</script>党员大会"')
    build(mini, out)
    for theme in ("tv", "mobile"):
        html = (out / theme / "xg/cs/party/organisation/meeting.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;党员大会" in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html  # the body's raw HTML
        compact = (out / theme / "xg/cs/affairs/compacts/compact.html").read_text(encoding="utf-8")
        assert "村规民约&lt;b&gt;修订&lt;/b&gt;" in compact and "<b>修订" not in compact


# A slip clerks make every month: the right code with another account's name. A warning naming the code, never a
# crash (a template field called `code` once collided with Report.warning's own `code` argument: exit 3).
NAME_SLIPS = [
    # (old row text, new row text, line, words in the Chinese message)
    ("102,银行存款,12000.00", "102,库存现金,12000.00", 2, ("102", "库存现金", "银行存款")),
    ("101,库存现金,,2500.50", "101,银行存款,,2500.50", 5, ("101", "银行存款", "库存现金")),
    ("513,管理费用,2500.50", "513,经营收入,2500.50", 4, ("513", "经营收入", "管理费用")),
]


@pytest.mark.parametrize("old,new,line,words", NAME_SLIPS, ids=[s[0].split(",")[0] for s in NAME_SLIPS])
def test_account_name_mismatch_is_a_warning_naming_the_code(mini, old, new, line, words):
    edit(mini, JOURNAL, old, new)
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "check", str(mini)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    _, report = check(mini)
    (p,) = [p for p in report.warnings if p.code == "account-name"]
    assert p.where.path == f"content/{JOURNAL}" and p.where.line == line, p.format()
    assert all(w in p.zh for w in words) and words[0] in p.en, p.format()


def test_every_table_and_file_accepts_the_same_date_forms(mini):
    """Items rejected 2026/9/25 while the journal accepted it: now one parser reads both (and every other date)."""
    reference, _ = check(mini)
    edit(mini, MEETING, "date: 2026-09-15", "date: 2026/9/15")
    edit(mini, MEETING, "  date: 2026-09-16", "  date: 2026年9月16日")
    edit_all(mini, JOURNAL, "2026-09-03,", "2026.9.3,")
    edit_all(mini, JOURNAL, "2026-09-10,", "2026年9月10日,")
    edit(mini, "xg/cs/reviews.yaml", "date: 2026-10-09", "date: 2026/10/9")
    city, report = check(mini)
    assert not report.errors, [p.format() for p in report.errors]
    meeting = next(i for i in city.villages[0].items if i.title == "第三季度党员大会")
    assert str(meeting.date) == "2026-09-15" and str(meeting.review.date) == "2026-09-16"
    assert [v.date for v in city.villages[0].vouchers] == [v.date for v in reference.villages[0].vouchers]


def test_rows_are_still_checked_after_a_header_error(mini):
    misspelt_journal_header(mini)
    unbalanced(mini)
    _, report = check(mini)
    assert {"table-header-unknown", "voucher-unbalanced"} <= {p.code for p in report.errors}


def test_the_same_village_name_in_two_towns_is_allowed(mini):
    shutil.copytree(mini / "xg", mini / "xg2")
    edit(mini, "xg2/town.yaml", "name: 夏港街道", "name: 申港街道")
    _, report = check(mini)
    assert not [p for p in report.errors if p.code == "duplicate-name"], [p.format() for p in report.errors]


def test_an_old_name_of_the_same_account_is_only_a_warning(mini):
    """101 现金 (2004) is 101 库存现金 (2024) renamed: the figures are right, so no error, only the name warning."""
    edit(mini, JOURNAL, "2026-09-10,记-2,付保洁员八月工资,101,库存现金", "2026-09-10,记-2,付保洁员八月工资,101,现金")
    _, report = check(mini)
    assert not report.errors, [p.format() for p in report.errors]
    assert [p.code for p in report.warnings if p.where.path.endswith("2026-09.csv")] == ["account-name"]


def test_rows_are_checked_under_a_misspelt_required_header(mini):
    """摘要 misspelt 摘耍: the header errors, and the rows are still checked (the unbalanced voucher is found)."""
    edit(mini, JOURNAL, "摘要", "摘耍")
    unbalanced(mini)
    _, report = check(mini)
    codes = [p.code for p in report.errors]
    assert {"table-header-unknown", "table-header", "voucher-unbalanced"} <= set(codes), codes
    (unknown,) = [p for p in report.errors if p.code == "table-header-unknown"]
    assert "是不是“摘要”" in unknown.zh


@pytest.mark.parametrize(
    "stem,slug",
    [("compact", "compact"), ("Meeting 2026", "meeting-2026"), ("320281195803121234", None), ("户主13912345678", None)],
)
def test_page_names_never_hold_a_personal_number(stem, slug):
    """A page's address is shown unmasked in every link to it: a file named after an ID or mobile number gets a
    hash instead (its pages are masked, so the address would also point nowhere)."""
    got = item_slug(stem)
    if slug is not None:
        assert got == slug
    else:
        assert re.fullmatch(r"item-[0-9a-f]{8}", got), got


@pytest.mark.parametrize("restored", [False, True])
def test_validation_keeps_nothing_of_a_village_once_it_is_validated(mini, tmp_path, monkeypatch, restored):
    """Issue 14 (memory, streaming validation): what validation carries across villages (the items a Markdown body
    link may name, their links) is an index of sources, names and link targets: once a village is validated,
    afresh or restored from the memo, nothing of its model is held by the validation, so that it can be dropped
    before the next village is read. Body links are still checked (xg/cs's meeting.md links to another item; the
    city's law.md to no item: an error)."""
    checkers: list[city_module._Checker] = []
    reached: list[list[str]] = []
    remembered: list[bool] = []
    village = city_module._village

    def recorded(checker, raw, town, memo):
        checkers.append(checker)
        remembered.append(memo is not None and raw.path in memo.found)
        made = village(checker, raw, town, memo)
        reached.append(model_reached(checker))
        return made

    monkeypatch.setattr(city_module, "_village", recorded)
    cache = tmp_path / "cache"
    (cache / ".index").mkdir(parents=True)
    law = mini / "policies/law.md"
    law.write_text(law.read_text(encoding="utf-8") + "\n见[不在](nowhere.md)。\n", encoding="utf-8")
    if restored:
        check(mini, cache=cache)
        reached.clear()
        remembered.clear()
    city, report = check(mini, cache=cache)
    assert city is not None and len(reached) == len(city.villages) >= 1
    assert reached == [[] for _ in city.villages]
    assert remembered == [restored for _ in city.villages]
    assert model_reached(checkers[-1]) == []
    assert [(p.code, p.where.path) for p in report.errors] == [("link-target", f"{mini.name}/policies/law.md")]
