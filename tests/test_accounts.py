"""Tests for the built-in charts of accounts (sitegen/content/accounts.py)."""

from __future__ import annotations

import dataclasses
import importlib.util

import pytest

from sitegen.content import accounts
from sitegen.content.accounts import (
    CHARTS,
    CODE_LENGTHS,
    OPTIONAL_CODES,
    SYSTEM_2004,
    SYSTEM_2024,
    SYSTEM_TITLES,
    Account,
    by_name,
    lookup,
    system_for_year,
)
from tests.conftest import REPO

SYSTEMS = [SYSTEM_2004, SYSTEM_2024]


# --- the charts themselves ----------------------------------------------------------------------------------------


def test_both_systems_are_built_in_with_titles():
    assert set(CHARTS) == {SYSTEM_2004, SYSTEM_2024} == set(SYSTEM_TITLES)
    assert "财会〔2004〕12号" in SYSTEM_TITLES[SYSTEM_2004]
    assert "村集体经济组织会计制度" in SYSTEM_TITLES[SYSTEM_2004]
    assert "财会〔2023〕14号" in SYSTEM_TITLES[SYSTEM_2024]
    assert "农村集体经济组织会计制度" in SYSTEM_TITLES[SYSTEM_2024]


@pytest.mark.parametrize("system", SYSTEMS)
def test_codes_are_unique_digits_of_one_length_and_keyed_in_order(system):
    chart = CHARTS[system]
    codes = list(chart)
    assert codes == sorted(codes), "charts are insertion-ordered by code"
    assert len(set(codes)) == len(codes)
    assert {len(code) for code in codes} == {CODE_LENGTHS[system]}
    for code, account in chart.items():
        assert code.isascii() and code.isdigit()
        assert account.code == code


@pytest.mark.parametrize("system", SYSTEMS)
def test_names_are_unique(system):
    names = [a.name for a in CHARTS[system].values()]
    assert len(set(names)) == len(names)


def test_chart_sizes_match_the_official_tables():
    # 2004: 33 accounts in the 科目表 + 3 the 附注 allows to add; 2024: 42 (财政部会计司).
    assert len(CHARTS[SYSTEM_2004]) - len(OPTIONAL_CODES[SYSTEM_2004]) == 33
    assert OPTIONAL_CODES[SYSTEM_2004] == {"161", "171", "241"}
    assert len(CHARTS[SYSTEM_2024]) == 42
    assert not OPTIONAL_CODES[SYSTEM_2024]
    for system, codes in OPTIONAL_CODES.items():
        assert codes <= set(CHARTS[system])


@pytest.mark.parametrize("system", SYSTEMS)
def test_category_follows_the_first_digit_and_side_is_valid(system):
    by_digit = {"1": "资产类", "2": "负债类", "3": "所有者权益类", "4": "成本类", "5": "损益类"}
    for account in CHARTS[system].values():
        assert account.category == by_digit[account.code[0]], account
        assert account.category in accounts.CATEGORIES
        assert account.side in ("debit", "credit"), account


@pytest.mark.parametrize("system", SYSTEMS)
def test_normal_balance_sides(system):
    for account in CHARTS[system].values():
        if account.category in ("负债类", "所有者权益类"):
            assert account.side == "credit", account
        if account.category == "成本类":
            assert account.side == "debit", account
        if account.category == "资产类" and "累计" not in account.name:
            assert account.side == "debit", account
        if account.name.endswith("收入") or account.name == "投资收益":
            assert account.side == "credit", account
        if account.name.endswith(("支出", "费用")) or account.name == "税金及附加":
            assert account.side == "debit", account
    contra = {a.name for a in CHARTS[system].values() if a.category == "资产类" and a.side == "credit"}
    expected = {"累计折旧"} if system == SYSTEM_2004 else {"累计折旧", "累计摊销", "生产性生物资产累计折旧"}
    assert contra == expected


@pytest.mark.parametrize("system", SYSTEMS)
def test_is_money_exactly_cash_and_bank(system):
    money = {a.name for a in CHARTS[system].values() if a.is_money}
    cash = "现金" if system == SYSTEM_2004 else "库存现金"
    assert money == {cash, "银行存款"}
    assert [a.code for a in CHARTS[system].values() if a.is_money] == ["101", "102"]


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_account_has_a_plain_name_unlike_the_official_one(system):
    for account in CHARTS[system].values():
        assert account.plain.strip() == account.plain != ""
        assert account.plain != account.name, account
        assert len(account.plain) >= 4


def test_plain_names_named_in_the_brief():
    new = CHARTS[SYSTEM_2024]
    assert new["101"].plain == "村里的现金"
    assert new["102"].plain == "村集体银行账户里的钱"
    assert new["513"].plain == "村里日常管理开支（办公、水电、招待等）"
    assert new["503"].plain == "上级拨来的补助"
    old = CHARTS[SYSTEM_2004]
    assert old["101"].plain == "村里的现金"
    assert old["501"].plain == "村集体经营挣的钱（出租、服务等）"
    assert old["511"].plain == "土地、鱼塘等承包出去收的钱"
    assert old["522"].plain == "上级拨来的补助"
    assert old["541"].plain == "村里日常管理开支（办公、水电、招待等）"


def test_selected_official_codes_2004():
    chart = CHARTS[SYSTEM_2004]
    expected = {
        "101": "现金",
        "102": "银行存款",
        "113": "内部往来",
        "131": "牲畜（禽）资产",
        "153": "固定资产清理",
        "154": "在建工程",
        "202": "应付款",
        "212": "应付福利费",
        "231": "一事一议资金",
        "322": "收益分配",
        "401": "生产（劳务）成本",
        "511": "发包及上交收入",
        "521": "农业税附加返还收入",
        "522": "补助收入",
        "531": "其他收入",
        "541": "管理费用",
        "551": "其他支出",
        "561": "投资收益",
    }
    assert {code: chart[code].name for code in expected} == expected


def test_selected_official_codes_2024():
    chart = CHARTS[SYSTEM_2024]
    expected = {
        "101": "库存现金",
        "102": "银行存款",
        "131": "消耗性生物资产",
        "133": "生产性生物资产累计折旧",
        "153": "在建工程",
        "154": "固定资产清理",
        "181": "待处理财产损溢",
        "211": "应付款",
        "214": "应交税费",
        "241": "专项应付款",
        "401": "生产（劳务）成本",
        "501": "经营收入",
        "502": "投资收益",
        "503": "补助收入",
        "512": "税金及附加",
        "513": "管理费用",
        "514": "公益支出",
        "521": "所得税费用",
    }
    assert {code: chart[code].name for code in expected} == expected


def test_accounts_abolished_in_2024_are_gone():
    names = {a.name for a in CHARTS[SYSTEM_2024].values()}
    for gone in ("现金", "应付福利费", "发包及上交收入", "农业税附加返还收入", "牲畜（禽）资产", "林木资产"):
        assert gone not in names


def test_account_is_frozen_with_the_agreed_fields():
    assert [f.name for f in dataclasses.fields(Account)] == ["code", "name", "category", "plain", "is_money", "side"]
    account = CHARTS[SYSTEM_2024]["101"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.name = "x"  # type: ignore[misc]


# --- system_for_year ----------------------------------------------------------------------------------------------


def test_system_for_year():
    assert system_for_year(2023) == SYSTEM_2004
    assert system_for_year(2024) == SYSTEM_2024
    assert system_for_year(2005) == SYSTEM_2004
    assert system_for_year(2031) == SYSTEM_2024


def test_system_for_year_with_a_later_switch():
    assert system_for_year(2024, new_from=2025) == SYSTEM_2004
    assert system_for_year(2025, new_from=2025) == SYSTEM_2024


@pytest.mark.parametrize("bad", ["2024", 2024.0, None, True])
def test_system_for_year_rejects_non_int(bad):
    with pytest.raises(TypeError):
        system_for_year(bad)


# --- lookup -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_lookup_every_first_level_code(system):
    for code, account in CHARTS[system].items():
        assert lookup(system, code) is account


@pytest.mark.parametrize(
    ("system", "code", "name"),
    [
        (SYSTEM_2024, "10201", "银行存款"),
        (SYSTEM_2024, "1020101", "银行存款"),
        (SYSTEM_2024, "5140199", "公益支出"),
        (SYSTEM_2024, "51301", "管理费用"),
        (SYSTEM_2004, "10201", "银行存款"),
        (SYSTEM_2004, "322001", "收益分配"),
        (SYSTEM_2004, "32200201", "收益分配"),
        (SYSTEM_2004, "511001", "发包及上交收入"),
    ],
)
def test_lookup_strips_sub_account_digits(system, code, name):
    account = lookup(system, code)
    assert account is not None and account.name == name


def test_lookup_same_code_means_different_accounts_per_system():
    assert lookup(SYSTEM_2004, "153").name == "固定资产清理"
    assert lookup(SYSTEM_2024, "153").name == "在建工程"
    assert lookup(SYSTEM_2004, "202").name == "应付款"
    assert lookup(SYSTEM_2024, "202") is None
    assert lookup(SYSTEM_2004, "502").name == "经营支出"
    assert lookup(SYSTEM_2024, "502").name == "投资收益"


def test_lookup_strips_surrounding_spaces_and_accepts_ints_and_fullwidth_digits():
    assert lookup(SYSTEM_2024, "  102  ").code == "102"
    assert lookup(SYSTEM_2024, "\t10201\n").code == "102"
    assert lookup(SYSTEM_2024, "\u3000102\u3000").code == "102"
    assert lookup(SYSTEM_2024, 10201).code == "102"  # type: ignore[arg-type]  # an Excel cell may be a number
    assert lookup(SYSTEM_2024, "１０２０１").code == "102"


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "1",
        "10",
        "999",
        "9990101",
        "600",
        "1 02",
        "102-01",
        "102.01",
        "10a",
        "-102",
        "+102",
        "１0x",
        "¹⁰²",
        "١٠٢",
        None,
        102.0,
        True,
        ["102"],
    ],
)
def test_lookup_unknown_or_malformed_codes_give_none(system, code):
    assert lookup(system, code) is None


def test_lookup_codes_only_in_one_chart():
    assert lookup(SYSTEM_2004, "521").name == "农业税附加返还收入"
    assert lookup(SYSTEM_2024, "521").name == "所得税费用"
    assert lookup(SYSTEM_2004, "514") is None
    assert lookup(SYSTEM_2024, "561") is None
    assert lookup(SYSTEM_2024, "1001") is None  # enterprise-style 4-digit code: 100 is no account


def test_lookup_unknown_system_is_an_error():
    with pytest.raises(ValueError, match="unknown accounting system"):
        lookup("2025", "102")
    with pytest.raises(ValueError):
        by_name("2025", "银行存款")


# --- by_name ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
def test_by_name_finds_every_account(system):
    for account in CHARTS[system].values():
        assert by_name(system, account.name) is account


def test_by_name_strips_spaces_and_folds_parentheses():
    assert by_name(SYSTEM_2024, "  银行存款 ").code == "102"
    assert by_name(SYSTEM_2024, "生产(劳务)成本").code == "401"
    assert by_name(SYSTEM_2024, "生产（劳务）成本").code == "401"
    assert by_name(SYSTEM_2024, "生产(劳务）成本").code == "401"
    assert by_name(SYSTEM_2004, "牲畜(禽)资产").code == "131"
    assert by_name(SYSTEM_2004, " 生产 (劳务) 成本 ").code == "401"


def test_by_name_is_exact():
    assert by_name(SYSTEM_2024, "银行") is None
    assert by_name(SYSTEM_2024, "银行存款-基本户") is None
    assert by_name(SYSTEM_2024, "现金") is None  # the 2024 name is 库存现金
    assert by_name(SYSTEM_2004, "库存现金") is None  # the 2004 name is 现金
    assert by_name(SYSTEM_2004, "公益支出") is None
    assert by_name(SYSTEM_2024, "") is None
    assert by_name(SYSTEM_2024, None) is None  # type: ignore[arg-type]


def test_by_name_and_lookup_agree():
    for system in SYSTEMS:
        for code, account in CHARTS[system].items():
            assert by_name(system, account.name) is lookup(system, code)


# ---- the 2004 <-> 2024 code map (新旧科目对照, 财会〔2023〕20号), used for hints (issue 11) ---------------------------

MAPPED = [
    # (2004 code, 2024 codes)
    ("101", ("101",)),
    ("102", ("102",)),
    ("131", ("131", "132")),
    ("132", ("131", "132", "134")),
    ("153", ("154",)),
    ("154", ("153",)),
    ("202", ("211",)),
    ("211", ("212",)),
    ("212", ()),
    ("502", ("511",)),
    ("511", ("501", "502")),
    ("521", ()),
    ("522", ("503",)),
    ("531", ("504",)),
    ("541", ("513",)),
    ("551", ("515",)),
    ("561", ("502",)),
]


@pytest.mark.parametrize("old,new", MAPPED)
def test_old_codes_map_to_their_2024_successors(old, new):
    assert accounts.CODE_MAP[(SYSTEM_2004, SYSTEM_2024)][old] == new
    assert tuple(a.code for a in accounts.counterparts(old, SYSTEM_2004, SYSTEM_2024)) == new


def test_the_map_covers_both_charts_and_its_inverse_agrees():
    forward = accounts.CODE_MAP[(SYSTEM_2004, SYSTEM_2024)]
    back = accounts.CODE_MAP[(SYSTEM_2024, SYSTEM_2004)]
    assert set(forward) == set(CHARTS[SYSTEM_2004]) and set(back) == set(CHARTS[SYSTEM_2024])
    pairs = {(o, n) for o, ns in forward.items() for n in ns}
    assert pairs == {(o, n) for n, os_ in back.items() for o in os_}
    for old, news in forward.items():  # an unchanged name keeps its account
        name = CHARTS[SYSTEM_2004][old].name
        if any(a.name == name for a in CHARTS[SYSTEM_2024].values()):
            assert [CHARTS[SYSTEM_2024][n].name for n in news] == [name]


HINTS = [
    # (year's system, code written, words of the hint)
    (SYSTEM_2024, "541", "513 管理费用"),
    (SYSTEM_2024, "54101", "513 管理费用"),
    (SYSTEM_2024, "561", "502 投资收益"),
    (SYSTEM_2024, "212", "应付福利费"),  # 2004 meaning named (validate asks when the name says 2004)
    (SYSTEM_2004, "513", "541 管理费用"),
    (SYSTEM_2004, "514", "没有对应科目"),
]


@pytest.mark.parametrize("system,code,words", HINTS)
def test_a_code_of_the_other_chart_gets_a_hint(system, code, words):
    zh, en = accounts.other_chart_hint(system, code)
    assert words in zh and en


def test_no_hint_for_codes_of_neither_chart():
    assert accounts.other_chart_hint(SYSTEM_2024, "999") == ("", "")


# ---- issue 16: the clerk's charts in docs/content-format.md are made from this module ---------------------------


def _accounts_doc():
    spec = importlib.util.spec_from_file_location("accounts_doc", REPO / "scripts" / "accounts_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_charts_are_the_charts_in_force():
    """docs/content-format.md §11 holds exactly what scripts/accounts_doc.py makes from CHARTS and CODE_MAP (run it
    with --write after changing a chart); every code of both charts is in it, with its plain words."""
    doc_script = _accounts_doc()
    doc = (REPO / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert doc_script.replaced(doc) == doc, "run: python scripts/accounts_doc.py --write"
    tables = doc[doc.index(doc_script.BEGIN) : doc.index(doc_script.END)]
    for chart in CHARTS.values():
        for account in chart.values():
            assert f"| `{account.code}` | {account.name} | {account.category} | {account.plain} |" in tables
    assert "| `541` | 管理费用 | `513` | 管理费用 |" in tables
