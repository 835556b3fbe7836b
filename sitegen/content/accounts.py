"""Built-in charts of accounts (会计科目表) of village collective economic organisations.

Only first-level accounts (一级科目) are listed.  A clerk's journal may carry sub-account digits after the
first-level code (明细科目, e.g. ``10201`` = 银行存款 / 基本户); :func:`lookup` strips them.

Two charts are built in:

``SYSTEM_2004``
    《村集体经济组织会计制度》(财会〔2004〕12号), in force 2005-01-01 .. 2023-12-31.  33 accounts with 3-digit
    codes, plus the three accounts its 科目表 附注 allows a village to add (161 无形资产, 171 拨付所属单位资金,
    241 专项应付款), see :data:`OPTIONAL_CODES`.

``SYSTEM_2024``
    《农村集体经济组织会计制度》(财会〔2023〕14号), in force from 2024-01-01.  42 accounts.

    NOTE: the official codes of this chart are **3 digits** too (101 库存现金, 102 银行存款 ... 521 所得税费用),
    the same scheme as the 2004 chart.  They are *not* the 4-digit enterprise-style codes (1001 库存现金,
    1002 银行存款) that were assumed when this module was commissioned; every source found gives 3 digits and
    none gives 4.  Several codes were reused with another meaning (e.g. 2004: 153 固定资产清理 / 154 在建工程;
    2024: 153 在建工程 / 154 固定资产清理; 202 应付款 became 211 应付款), so the chart must always be chosen
    by year (:func:`system_for_year`), never guessed from the code.

Sources relied on (read and cross-checked; no text or code was copied):

2004 chart
  * 财政部《关于印发〈村集体经济组织会计制度〉的通知》财会〔2004〕12号 — full text mirrored at
    https://github.com/zhaoyh603/zhaoyh603.github.io, file docs/zd/cjtkj.md ("三、会计科目": the
    科目使用说明 headings give every code and name, incl. 561 投资收益; the 附注 gives the optional 161/171/241).
  * Notice text: http://law749.infoeach.com/view-NzQ5fDc0NDQz.html
  * 科目表 with 顺序号 1-33: http://www.darehui.com/kuaiji/1115902.html
  * A county's expanded chart (shows 161 无形资产 and 241 专项应付款 in use):
    https://360docs.net/doc/4510968765.html

2024 chart
  * 财政部会计司负责人答记者问 (证券日报, 2023-09-25; mirror):
    https://evenhosting.com/wanboguanwangmanbetx/finance/hongguanjingji/2023-09-25/A1695645453762.html —
    财会〔2023〕14号 replaces 财会〔2004〕12号 from 2024-01-01; the appendix sets out **42** accounts.
  * 央视新闻 via 香港商报, 2023-09-25: https://hkcd.com/hkcdweb/content/2023/09/25/content_8601830.html —
    added 无形资产、待处理财产损溢、专项应付款、公益支出、应交税费、税金及附加、所得税费用; 农业资产 became
    生物资产; 发包及上交收入 split into 经营收入 and 投资收益; 应付福利费 and 农业税附加返还收入 removed.
  * 财会〔2023〕20号《农村集体经济组织新旧会计制度有关衔接问题的处理规定》:
    https://shui5.cn/article/c3/181566.html and
    http://nyt.hubei.gov.cn/nczcjy/zcfg/gjzc/2023/11/03171535518.html (dates and document numbers).
  * The complete list (顺序号, code, name, balance side), stated there to have been checked word by word against
    the Ministry's PDF: https://github.com/LuSrackhall/ugz-dzh, files docs/account-code-design.md (附录 A) and
    balance/official_accounts.go.
  * Independent confirmation of the 3-digit scheme in a village's real 2024 chart: codes ``1020101``
    (银行存款/基本账户/基本户) and ``5140199`` / ``514070404`` (公益支出/…) in a public voucher-assistant project
    seen in a code index (its repository could not be identified).

  Cross-check: 33 (2004) − 牲畜(禽)资产、林木资产 + 4 生物资产 accounts − 应付福利费、发包及上交收入、
  农业税附加返还收入 + 无形资产、累计摊销、长期待摊费用、待处理财产损溢、应付劳务费、应交税费、专项应付款、
  税金及附加、公益支出、所得税费用 = 42, matching the Ministry's count.  The Ministry's own PDF was not
  reachable from here; codes that rest on a single source are marked in comments below.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "SYSTEM_2004",
    "SYSTEM_2024",
    "SYSTEM_TITLES",
    "CATEGORIES",
    "CODE_LENGTHS",
    "OPTIONAL_CODES",
    "Account",
    "CHARTS",
    "system_for_year",
    "lookup",
    "by_name",
    "CODE_MAP",
    "counterparts",
    "other_system",
    "other_chart_hint",
]

SYSTEM_2004 = "2004"  # 村集体经济组织会计制度 财会〔2004〕12号
SYSTEM_2024 = "2024"  # 农村集体经济组织会计制度 财会〔2023〕14号

SYSTEM_TITLES: dict[str, str] = {
    SYSTEM_2004: "《村集体经济组织会计制度》（财会〔2004〕12号）",
    SYSTEM_2024: "《农村集体经济组织会计制度》（财会〔2023〕14号）",
}

ASSET = "资产类"
LIABILITY = "负债类"
EQUITY = "所有者权益类"
COST = "成本类"
PROFIT_LOSS = "损益类"
CATEGORIES: tuple[str, ...] = (ASSET, LIABILITY, EQUITY, COST, PROFIT_LOSS)

DEBIT = "debit"
CREDIT = "credit"


@dataclass(frozen=True)
class Account:
    """科目 A first-level account of a chart."""

    code: str
    name: str
    category: str  # 资产类 etc.
    plain: str  # plain-language name
    is_money: bool  # 库存现金/现金 and 银行存款 only
    side: str  # 'debit' | 'credit'


def _chart(rows: list[tuple[str, str, str, str, str]], money: set[str]) -> dict[str, Account]:
    """Build one chart from (code, official name, category, side, plain name) rows, ordered by code."""
    chart: dict[str, Account] = {}
    for code, name, category, side, plain in sorted(rows):
        if code in chart:
            raise ValueError(f"duplicate account code {code}")
        chart[code] = Account(code=code, name=name, category=category, plain=plain, is_money=code in money, side=side)
    return chart


# ---------------------------------------------------------------------------------------------------------------
# 《村集体经济组织会计制度》财会〔2004〕12号 — 三、会计科目（一）会计科目表
# ---------------------------------------------------------------------------------------------------------------
_ROWS_2004: list[tuple[str, str, str, str, str]] = [
    # 一、资产类
    ("101", "现金", ASSET, DEBIT, "村里的现金"),
    ("102", "银行存款", ASSET, DEBIT, "村集体银行账户里的钱"),
    ("111", "短期投资", ASSET, DEBIT, "一年内能收回的理财、债券等投资"),
    ("112", "应收款", ASSET, DEBIT, "外单位、外人欠村里的钱"),
    # 内部往来 can carry either balance; by the 制度 its debit total is shown under 应收款项.
    ("113", "内部往来", ASSET, DEBIT, "村里和村民、村属单位之间的欠款往来"),
    ("121", "库存物资", ASSET, DEBIT, "村里仓库存放的物资"),
    ("131", "牲畜（禽）资产", ASSET, DEBIT, "村集体养的牲畜、家禽"),
    ("132", "林木资产", ASSET, DEBIT, "村集体的林木、果树"),
    ("141", "长期投资", ASSET, DEBIT, "村里投到企业等、一年以上的投资"),
    ("151", "固定资产", ASSET, DEBIT, "村里的房屋、设备等固定资产（原价）"),
    ("152", "累计折旧", ASSET, CREDIT, "固定资产已经用掉（折旧）的价值"),
    ("153", "固定资产清理", ASSET, DEBIT, "正在变卖、报废处理的固定资产"),
    ("154", "在建工程", ASSET, DEBIT, "正在建设、还没完工的工程"),
    # Optional accounts the 附注 of the 科目表 allows a village to add ("可增设").
    ("161", "无形资产", ASSET, DEBIT, "土地使用权等看不见摸不着的资产"),
    ("171", "拨付所属单位资金", ASSET, DEBIT, "拨给村属单位使用的资金"),
    # 二、负债类
    ("201", "短期借款", LIABILITY, CREDIT, "村里借的、一年内要还的钱"),
    ("202", "应付款", LIABILITY, CREDIT, "村里欠外单位、外人的钱"),
    ("211", "应付工资", LIABILITY, CREDIT, "应发还没发的村干部和固定员工工资"),
    ("212", "应付福利费", LIABILITY, CREDIT, "提取了还没用完的福利费（五保户、困难户等）"),
    ("221", "长期借款及应付款", LIABILITY, CREDIT, "村里借的、欠的一年以后才还的钱"),
    ("231", "一事一议资金", LIABILITY, CREDIT, "一事一议筹来、专门办议定项目的钱"),
    ("241", "专项应付款", LIABILITY, CREDIT, "上级拨来、专款专用的项目资金"),  # optional, see 附注
    # 三、所有者权益类
    ("301", "资本", EQUITY, CREDIT, "村集体的本钱（股金）"),
    ("311", "公积公益金", EQUITY, CREDIT, "村里留作发展和公益事业的积累"),
    ("321", "本年收益", EQUITY, CREDIT, "今年收支相抵后的结余"),
    ("322", "收益分配", EQUITY, CREDIT, "收益的分配和历年还没分的结余"),
    # 四、成本类
    ("401", "生产（劳务）成本", COST, DEBIT, "村集体自己搞生产、对外干活花的成本"),
    # 五、损益类
    ("501", "经营收入", PROFIT_LOSS, CREDIT, "村集体经营挣的钱（出租、服务等）"),
    ("502", "经营支出", PROFIT_LOSS, DEBIT, "村集体经营花的成本"),
    ("511", "发包及上交收入", PROFIT_LOSS, CREDIT, "土地、鱼塘等承包出去收的钱"),
    ("521", "农业税附加返还收入", PROFIT_LOSS, CREDIT, "上级返还给村里的农业税附加"),
    ("522", "补助收入", PROFIT_LOSS, CREDIT, "上级拨来的补助"),
    ("531", "其他收入", PROFIT_LOSS, CREDIT, "其他零星收入（存款利息、罚款等）"),
    ("541", "管理费用", PROFIT_LOSS, DEBIT, "村里日常管理开支（办公、水电、招待等）"),
    ("551", "其他支出", PROFIT_LOSS, DEBIT, "其他零星支出（借款利息、损失等）"),
    # 投资收益 is 561 in the 2004 chart (not 531): it is the last line of the 科目表.
    ("561", "投资收益", PROFIT_LOSS, CREDIT, "对外投资分到的红利、利息"),
]

# ---------------------------------------------------------------------------------------------------------------
# 《农村集体经济组织会计制度》财会〔2023〕14号 — 附录 会计科目名称和编号 (42 accounts)
# The numeric codes come from the ugz-dzh table (checked there against the Ministry's PDF).  Only 102 银行存款 and
# 514 公益支出 are confirmed by a second, independent source (a village's 2024 chart); every other code could not be
# verified against a second source here.  Names are confirmed by the Ministry/news sources and the 42-count
# cross-check, except the three marked "name: single source".
# ---------------------------------------------------------------------------------------------------------------
_ROWS_2024: list[tuple[str, str, str, str, str]] = [
    # 一、资产类 (顺序号 1-19)
    ("101", "库存现金", ASSET, DEBIT, "村里的现金"),
    ("102", "银行存款", ASSET, DEBIT, "村集体银行账户里的钱"),
    ("111", "短期投资", ASSET, DEBIT, "一年内能收回的理财、债券等投资"),
    ("112", "应收款", ASSET, DEBIT, "外单位、外人欠村里的钱"),
    ("113", "内部往来", ASSET, DEBIT, "村里和村民、村属单位之间的欠款往来"),  # two-sided, see 2004 note
    ("121", "库存物资", ASSET, DEBIT, "村里仓库存放的物资"),
    ("131", "消耗性生物资产", ASSET, DEBIT, "准备卖的庄稼、苗木、待售牲畜等"),
    ("132", "生产性生物资产", ASSET, DEBIT, "能多年产出的果树、奶牛、种畜等"),
    ("133", "生产性生物资产累计折旧", ASSET, CREDIT, "果树、种畜等已经用掉（折旧）的价值"),
    ("134", "公益性生物资产", ASSET, DEBIT, "防风林、水源林等公益林木"),
    ("141", "长期投资", ASSET, DEBIT, "村里投到企业等、一年以上的投资"),
    ("151", "固定资产", ASSET, DEBIT, "村里的房屋、设备等固定资产（原价）"),
    ("152", "累计折旧", ASSET, CREDIT, "固定资产已经用掉（折旧）的价值"),
    ("153", "在建工程", ASSET, DEBIT, "正在建设、还没完工的工程"),  # 2004: 154
    ("154", "固定资产清理", ASSET, DEBIT, "正在变卖、报废处理的固定资产"),  # 2004: 153
    ("161", "无形资产", ASSET, DEBIT, "土地使用权、软件等看不见摸不着的资产"),
    ("162", "累计摊销", ASSET, CREDIT, "无形资产已经用掉（摊销）的价值"),  # name: single source
    ("171", "长期待摊费用", ASSET, DEBIT, "一次花了、分几年摊的大额开支"),  # name: single source
    ("181", "待处理财产损溢", ASSET, DEBIT, "清点发现多了少了、还在等批准处理的财物"),
    # 二、负债类 (顺序号 20-27)
    ("201", "短期借款", LIABILITY, CREDIT, "村里借的、一年内要还的钱"),
    ("211", "应付款", LIABILITY, CREDIT, "村里欠外单位、外人的钱"),  # 2004: 202
    ("212", "应付工资", LIABILITY, CREDIT, "应发还没发的村干部和固定员工工资"),
    ("213", "应付劳务费", LIABILITY, CREDIT, "应付还没付的临时用工劳务费"),  # name: single source
    ("214", "应交税费", LIABILITY, CREDIT, "应该交还没交的税费"),
    ("221", "长期借款及应付款", LIABILITY, CREDIT, "村里借的、欠的一年以后才还的钱"),
    ("231", "一事一议资金", LIABILITY, CREDIT, "一事一议筹来、专门办议定项目的钱"),
    ("241", "专项应付款", LIABILITY, CREDIT, "上级拨来、专款专用的项目资金"),
    # 三、所有者权益类 (顺序号 28-31)
    ("301", "资本", EQUITY, CREDIT, "村集体的本钱（股金）"),
    ("311", "公积公益金", EQUITY, CREDIT, "村里留作发展和公益事业的积累"),
    ("321", "本年收益", EQUITY, CREDIT, "今年收支相抵后的结余"),
    ("322", "收益分配", EQUITY, CREDIT, "收益的分配和历年还没分的结余"),
    # 四、成本类 (顺序号 32)
    ("401", "生产（劳务）成本", COST, DEBIT, "村集体自己搞生产、对外干活花的成本"),
    # 五、损益类 (顺序号 33-42)
    ("501", "经营收入", PROFIT_LOSS, CREDIT, "村集体经营挣的钱（出租、发包、服务等）"),
    ("502", "投资收益", PROFIT_LOSS, CREDIT, "对外投资分到的红利、利息"),  # 2004: 561
    ("503", "补助收入", PROFIT_LOSS, CREDIT, "上级拨来的补助"),  # 2004: 522
    ("504", "其他收入", PROFIT_LOSS, CREDIT, "其他零星收入（存款利息、罚款等）"),  # 2004: 531
    ("511", "经营支出", PROFIT_LOSS, DEBIT, "村集体经营花的成本"),  # 2004: 502
    ("512", "税金及附加", PROFIT_LOSS, DEBIT, "经营要交的税金和附加费"),
    ("513", "管理费用", PROFIT_LOSS, DEBIT, "村里日常管理开支（办公、水电、招待等）"),  # 2004: 541
    ("514", "公益支出", PROFIT_LOSS, DEBIT, "村里办公益花的钱（修路、环境整治、慰问等）"),
    ("515", "其他支出", PROFIT_LOSS, DEBIT, "其他零星支出（借款利息、损失等）"),  # 2004: 551
    ("521", "所得税费用", PROFIT_LOSS, DEBIT, "村集体按规定交的所得税"),
]

CHARTS: dict[str, dict[str, Account]] = {
    SYSTEM_2004: _chart(_ROWS_2004, money={"101", "102"}),
    SYSTEM_2024: _chart(_ROWS_2024, money={"101", "102"}),
}

# Length of a first-level code in each chart (both official charts use 3 digits).
CODE_LENGTHS: dict[str, int] = {system: len(next(iter(chart))) for system, chart in CHARTS.items()}

# Accounts a chart lists as optional ("可增设") rather than as part of the standard table.
OPTIONAL_CODES: dict[str, frozenset[str]] = {
    SYSTEM_2004: frozenset({"161", "171", "241"}),
    SYSTEM_2024: frozenset(),
}


def _chart_for(system: str) -> dict[str, Account]:
    try:
        return CHARTS[system]
    except (KeyError, TypeError):
        known = "、".join(f'"{s}"' for s in CHARTS)
        raise ValueError(f"unknown accounting system {system!r}; expected one of {known}") from None


def system_for_year(year: int, new_from: int = 2024) -> str:
    """The chart that applies to the books of ``year``: the 2024 chart from ``new_from`` on, else the 2004 one."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, not {type(year).__name__}")
    return SYSTEM_2024 if year >= new_from else SYSTEM_2004


# Full-width digits typed with a Chinese input method count as digits.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ASCII_DIGITS = frozenset("0123456789")


def lookup(system: str, code: str) -> Account | None:
    """Resolve a journal code, which may carry sub-account digits ('10201' -> 102), to its first-level account.

    Codes are digits only (surrounding spaces are stripped; full-width digits are accepted); the first-level code is
    the prefix of the chart's code length (:data:`CODE_LENGTHS`, 3 for both official charts). Returns None for an
    unknown code or non-digit input. Raises ValueError for an unknown ``system``.
    """
    chart = _chart_for(system)
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        return None
    text = str(code).strip().translate(_FULLWIDTH_DIGITS)
    width = CODE_LENGTHS[system]
    if len(text) < width or not set(text) <= _ASCII_DIGITS:
        return None
    return chart.get(text[:width])


_PAREN_FOLD = str.maketrans({"(": "（", ")": "）"})


def _name_key(name: str) -> str:
    return "".join(name.split()).translate(_PAREN_FOLD)


_BY_NAME: dict[str, dict[str, Account]] = {
    system: {_name_key(account.name): account for account in chart.values()} for system, chart in CHARTS.items()
}


def by_name(system: str, name: str) -> Account | None:
    """Find a first-level account by its official name (exact, after stripping spaces; also accept full-width
    parentheses vs half-width). Returns None when the chart has no such account. Raises ValueError for an unknown
    ``system``."""
    _chart_for(system)
    if not isinstance(name, str):
        return None
    return _BY_NAME[system].get(_name_key(name))


# ---------------------------------------------------------------------------------------------------------------
# The two charts side by side (新旧科目对照), after 财会〔2023〕20号 (衔接规定): each 2004 account -> the 2024
# accounts its balance goes to. Accounts of one name are matched by name; the renamed and split ones are listed.
# Used for hints only: a clerk who writes 541 (2004 管理费用) in a 2024 journal is told 513 管理费用 replaces it.
# ---------------------------------------------------------------------------------------------------------------
_RENAMED_2004_TO_2024: dict[str, tuple[str, ...]] = {
    "101": ("101",),  # 现金 -> 库存现金
    "131": ("131", "132"),  # 牲畜（禽）资产 -> 消耗性 / 生产性生物资产
    "132": ("131", "132", "134"),  # 林木资产 -> 消耗性 / 生产性 / 公益性生物资产
    "511": ("501", "502"),  # 发包及上交收入 -> 经营收入 / 投资收益
    "212": (),  # 应付福利费: no 2024 account
    "521": (),  # 农业税附加返还收入: no 2024 account
    "171": (),  # 拨付所属单位资金: no 2024 account
}


def _map_2004_to_2024() -> dict[str, tuple[str, ...]]:
    by_name_2024 = {account.name: code for code, account in CHARTS[SYSTEM_2024].items()}
    return {
        code: _RENAMED_2004_TO_2024.get(code, (by_name_2024[a.name],) if a.name in by_name_2024 else ())
        for code, a in CHARTS[SYSTEM_2004].items()
    }


def _inverse(forward: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    back: dict[str, list[str]] = {code: [] for code in CHARTS[SYSTEM_2024]}
    for old, news in forward.items():
        for new in news:
            back[new].append(old)
    return {code: tuple(sorted(olds)) for code, olds in back.items()}


# (from system, to system) -> first-level code -> the other chart's codes for it
CODE_MAP: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {(SYSTEM_2004, SYSTEM_2024): _map_2004_to_2024()}
CODE_MAP[(SYSTEM_2024, SYSTEM_2004)] = _inverse(CODE_MAP[(SYSTEM_2004, SYSTEM_2024)])

_CHART_WORDS = {
    SYSTEM_2004: ("2004 年旧科目表", "the 2004 chart"),
    SYSTEM_2024: ("2024 年起的新科目表", "the 2024 chart"),
}


def other_system(system: str) -> str:
    _chart_for(system)
    return SYSTEM_2004 if system == SYSTEM_2024 else SYSTEM_2024


def counterparts(code: str, from_system: str, to_system: str) -> tuple[Account, ...]:
    """The accounts of `to_system` that take the place of `code` (first-level, or with sub-account digits) of
    `from_system`; () when the code is unknown there or the account has no counterpart."""
    account = lookup(from_system, code)
    if account is None or from_system == to_system:
        return ()
    return tuple(CHARTS[to_system][c] for c in CODE_MAP[(from_system, to_system)].get(account.code, ()))


def other_chart_hint(system: str, code: str) -> tuple[str, str]:
    """(Chinese, English) hint for `code` written in a year kept under `system` when it is a code of the other
    chart: what it means there and which account of `system` replaces it. ("", "") when it is not one."""
    other = other_system(system)
    old = lookup(other, code)
    if old is None:
        return "", ""
    here, there = _CHART_WORDS[system], _CHART_WORDS[other]
    news = counterparts(code, other, system)
    zh = f"；{old.code} 是{there[0]}的“{old.name}”"
    en = f"; {old.code} is '{old.name}' in {there[1]}"
    if news:
        zh += f"，{here[0]}里对应 " + " 或 ".join(f"{a.code} {a.name}" for a in news)
        en += f", replaced in {here[1]} by " + " or ".join(f"{a.code} {a.name}" for a in news)
    else:
        zh += f"，{here[0]}里没有对应科目"
        en += f", which has no counterpart in {here[1]}"
    return zh, en
