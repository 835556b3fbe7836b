"""Site configuration (site.yaml, 全市配置), validated strictly: an unknown or misspelled key is an error.

Also the small helpers every YAML mapping in the content folder goes through (town.yaml, village.yaml, item
front matter), so that unknown keys, missing keys and bad values are reported the same way everywhere.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sitegen.dates import RECORD, read_day
from sitegen.errors import Location, Report
from sitegen.money import AmountError, parse_amount
from sitegen.taxonomy import BOARDS

# Default sub-items (小项): 22 for 党务, 14 for 村务, 31 for 财务, as the Jiangyin article counts them.
DEFAULT_SUBITEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "党务": {
        "政治建设": ("决策部署落实", "党建工作计划", "党建工作总结"),
        "思想建设": ("理论学习", "主题教育", "党员教育培训"),
        "组织建设": ("支部委员会", "党员发展", "党费收缴", "组织生活会", "党员积分管理"),
        "作风建设": ("民主生活会", "为民服务", "干部考核"),
        "纪律建设": ("党风廉政建设", "廉政承诺", "违纪处理"),
        "三重一大": ("重大事项决策", "重要干部任免", "重大项目安排", "大额资金使用"),
        "其他事项": ("其他党务",),
    },
    "村务": {
        "村经济和社会事业发展规划": ("年度计划", "发展规划"),
        "村规民约及各类规约": ("村规民约", "自治章程"),
        "村务发生事项": ("低保补助名单", "宅基地审批", "征地拆迁"),
        "村民会议及实施": ("村民代表会议决议", "决议实施情况"),
        "村干部": ("干部分工", "干部报酬"),
        "村务监督委员会履职情况": ("监督检查记录",),
        "其他事项": ("便民服务", "其他村务"),
    },
    "财务": {
        "本村家底": ("资产负债", "集体收益分配", "股份合作"),
        "资金": ("银行存款", "库存现金", "村务卡", "借款", "应收应付款"),
        "资产": ("固定资产", "在建工程", "对外投资", "资产处置"),
        "资源": ("土地发包", "房屋出租", "鱼塘林地", "资源租赁合同", "产权交易"),
        "工程项目": ("立项", "招投标", "合同", "进度", "增减项目", "验收", "决算"),
        "收支情况": ("收入明细", "支出明细", "收支流水", "干部工资"),
        "村务报表": ("资产负债表", "收支明细表", "年度预算"),
    },
}


@dataclass(frozen=True)
class SiteConfig:
    """全市配置 The validated site.yaml. Defaults are documented in docs/content-format.md §2."""

    city: str
    title: str = "三务公开户户通"
    hotline: str = "12345"
    new_accounts_from: int = 2024
    large_amount: Decimal = Decimal("100000")
    subitems: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=lambda: DEFAULT_SUBITEMS)
    publish: PublishConfig = field(default_factory=lambda: PublishConfig())
    oversight: OversightConfig = field(default_factory=lambda: OversightConfig())
    feedback_url: str = ""  # 我有疑问 QR target with {code}; "" shows only the code and the hotline
    public_url: str = ""    # the phone site's public address: the 公开栏 poster's QR codes (sitegen print)


SITE_KEYS = ("city", "title", "hotline", "new_accounts_from", "large_amount", "subitems", "publish", "oversight",
             "feedback_url", "public_url")


def check_keys(data: dict, allowed: tuple[str, ...], required: tuple[str, ...], where: Location,
               report: Report) -> bool:
    """Report unknown keys (with a did-you-mean hint) and missing required keys. True when all required are there."""
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            report.error("unknown-key", where, key=key,
                         hint=f"，是不是“{close[0]}”？" if close else f"，可用的键：{'、'.join(allowed)}",
                         hint_en=f"; did you mean '{close[0]}'?" if close else f"; accepted keys: {', '.join(allowed)}")
    ok = True
    for key in required:
        if data.get(key) in (None, ""):
            report.error("missing-key", where, key=key)
            ok = False
    return ok


def get_text(data: dict, key: str, where: Location, report: Report, default: str = "") -> str:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, (dict, list)):
        report.error("bad-value", where, key=key, detail="应当是一段文字", detail_en="expected text")
        return default
    return str(value).strip()


def get_date(data: dict, key: str, where: Location, report: Report, kind: str = RECORD) -> date | None:
    """A date key, through the one date parser and plausibility rule (dates.read_day)."""
    return read_day(data.get(key), where, key, report, kind)


def get_amount(data: dict, key: str, where: Location, report: Report) -> Decimal:
    value = data.get(key)
    if value is None:
        return Decimal("0.00")
    # YAML turns 12.5 into a float; str() of a float that came from clerk text is still checked as text.
    try:
        return parse_amount(str(value))
    except AmountError:
        report.error("amount-format", where, value=value)
        return Decimal("0.00")


def get_list(data: dict, key: str, where: Location, report: Report) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str) and re.match(r"^\s*[［【].*[］】]\s*$", value):  # YAML read ［a.jpg］ as text
        report.error("bad-value", where, key=key, detail="用了中文括号，列表请用英文方括号，如 [a.jpg, b.jpg]",
                     detail_en="full-width brackets; write a list with ASCII brackets like [a.jpg, b.jpg]")
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        report.error("bad-value", where, key=key, detail="应当是一个列表，如 [a.jpg, b.jpg]",
                     detail_en="expected a list like [a.jpg, b.jpg]")
        return []
    return [str(v).strip() for v in value]


def parse_site_config(data: Any, where: Location, report: Report) -> SiteConfig | None:
    if not isinstance(data, dict):
        report.error("yaml-not-mapping", where)
        return None
    if not check_keys(data, SITE_KEYS, ("city",), where, report):
        return None
    year = data.get("new_accounts_from", 2024)
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        report.error("bad-value", where, key="new_accounts_from", detail="应当是年份，如 2024",
                     detail_en="expected a year like 2024")
        year = 2024
    large = get_amount(data, "large_amount", where, report) if "large_amount" in data else Decimal("100000")
    return SiteConfig(
        city=get_text(data, "city", where, report),
        title=get_text(data, "title", where, report, SiteConfig.title),
        hotline=get_text(data, "hotline", where, report, SiteConfig.hotline),
        new_accounts_from=year,
        large_amount=large,
        subitems=_parse_subitems(data.get("subitems"), where, report),
        publish=_parse_publish(data.get("publish"), where, report),
        oversight=_parse_oversight(data.get("oversight"), where, report),
        feedback_url=_parse_feedback_url(data.get("feedback_url"), where, report),
        public_url=parse_public_url(data.get("public_url"), where, report),
    )


def _parse_feedback_url(value: Any, where: Location, report: Report) -> str:
    """An http(s) address with `{code}` where the reference code goes (it only ever ends up inside a QR code)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if (not re.match(r"^https?://[^\s/{}]+(/[^\s]*)?$", text) or text.count("{code}") != 1
            or text.replace("{code}", "").count("{") or text.replace("{code}", "").count("}")):
        report.error("bad-value", where, key="feedback_url",
                     detail="应当是 http:// 或 https:// 开头的网址，并且含有一个 {code}（查询码填在那里）",
                     detail_en="expected an http(s) address containing {code} once (where the reference code goes)")
        return ""
    return text


def _parse_subitems(value: Any, where: Location, report: Report) -> dict[str, dict[str, tuple[str, ...]]]:
    """Site-level sub-items replace the defaults category by category."""
    merged = {board: dict(cats) for board, cats in DEFAULT_SUBITEMS.items()}
    if value is None:
        return merged
    if not isinstance(value, dict):
        report.error("bad-value", where, key="subitems", detail="应当按 板块 → 类别 → 小项列表 书写",
                     detail_en="expected board -> category -> list of sub-items")
        return merged
    boards = {b.name: b for b in BOARDS}
    for board_name, cats in value.items():
        board = boards.get(str(board_name))
        if board is None:
            report.error("bad-value", where, key=f"subitems.{board_name}", detail="板块只能是 党务、村务、财务",
                         detail_en="boards are 党务, 村务, 财务")
            continue
        if not isinstance(cats, dict):
            report.error("bad-value", where, key=f"subitems.{board_name}", detail="应当按 类别 → 小项列表 书写",
                         detail_en="expected category -> list of sub-items")
            continue
        for cat_name, items in cats.items():
            if board.category(str(cat_name)) is None:
                report.error("unknown-category", where, value=cat_name, board=board.name,
                             choices="、".join(c.name for c in board.categories))
                continue
            names = get_list(cats, cat_name, where, report)
            merged[board.name][str(cat_name)] = tuple(names)
    return merged


# ---- publish: (发布设置), read by `sitegen publish` and `sitegen push`; documented in docs/deploy.md --------------

@dataclass(frozen=True)
class Target:
    """推送目标 A headend drop folder that bundles are pushed to: a local/mounted folder, or SFTP."""

    name: str
    type: str               # folder | sftp
    path: str               # the drop folder (on the SFTP server for sftp)
    host: str = ""
    port: int = 22
    user: str = ""
    key_file: str = ""      # SSH private key for `user`
    known_hosts: str = ""   # the headend's host key; unknown hosts are refused


@dataclass(frozen=True)
class PublishConfig:
    """发布设置 How bundles are signed and where they go. Relative paths are relative to site.yaml's folder."""

    signing_key: str = ""   # Ed25519 private key; must live outside the content folder
    valid_days: int = 30
    targets: tuple[Target, ...] = ()


PUBLISH_KEYS = ("signing_key", "valid_days", "targets")
TARGET_KEYS = ("name", "type", "path", "host", "port", "user", "key_file", "known_hosts")
SFTP_REQUIRED = ("host", "user", "key_file", "known_hosts")


def _parse_publish(value: Any, where: Location, report: Report) -> PublishConfig:
    if value is None:
        return PublishConfig()
    if not isinstance(value, dict):
        report.error("bad-value", where, key="publish", detail="应当是“键: 值”的列表",
                     detail_en="expected a mapping of 'key: value'")
        return PublishConfig()
    check_keys(value, PUBLISH_KEYS, (), where, report)
    days = value.get("valid_days", PublishConfig.valid_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        report.error("bad-value", where, key="publish.valid_days", detail="应当是 1 到 365 之间的天数",
                     detail_en="expected a number of days from 1 to 365")
        days = PublishConfig.valid_days
    raw = value.get("targets") or []
    if not isinstance(raw, list):
        report.error("bad-value", where, key="publish.targets", detail="应当是一个列表，每项以 - 开头",
                     detail_en="expected a list, one '- name: ...' per target")
        raw = []
    targets: list[Target] = []
    for n, entry in enumerate(raw, start=1):
        key = f"publish.targets 第{n}项"
        if not isinstance(entry, dict):
            report.error("bad-value", where, key=key, detail="应当是“键: 值”的列表", detail_en="expected a mapping")
            continue
        kind = str(entry.get("type", ""))
        required = ("name", "type", "path") + (SFTP_REQUIRED if kind == "sftp" else ())
        if not check_keys(entry, TARGET_KEYS, required, where, report):
            continue
        name = get_text(entry, "name", where, report)
        port = entry.get("port", 22)
        if kind not in ("folder", "sftp"):
            report.error("bad-value", where, key=f"{key} type", detail="只能是 folder 或 sftp",
                         detail_en="either folder or sftp")
        elif not re.match(r"^[a-z0-9][a-z0-9-]*$", name) or name in {t.name for t in targets}:
            report.error("bad-value", where, key=f"{key} name", detail="只能用小写字母、数字和连字符，且不能重名",
                         detail_en="lowercase letters, digits and hyphens, and unique")
        elif not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            report.error("bad-value", where, key=f"{key} port", detail="应当是 1 到 65535 的端口号",
                         detail_en="expected a port number from 1 to 65535")
        else:
            text = {k: get_text(entry, k, where, report) for k in ("path", "host", "user", "key_file", "known_hosts")}
            targets.append(Target(name, kind, port=port, **text))
    return PublishConfig(get_text(value, "signing_key", where, report), days, tuple(targets))


# ---- oversight: (监督设置), read by oversight.py, review.py, questions.py, reports.py; docs/content-format.md §2 ---

@dataclass(frozen=True)
class OversightConfig:
    """监督设置 Payment-warning thresholds, review and hotline rules. Defaults follow the Jiangyin article."""

    large_payment: Decimal = Decimal("50000.00")  # a single payment OVER this warns; exactly this does not
    split_days: int = 7             # split payments: one payee's payments within this many consecutive days …
    split_total: Decimal = Decimal("50000.00")    # … adding up to over this, while each stays at or under it
    answer_days: int = 15           # a hotline question unanswered after this many days is overdue
    as_of: date | None = None       # the day reports and time limits are measured at; None: latest date in content
    review_required: bool = True    # records without any review are drafts; False only for content from before reviews
    finance_due_day: int = 10       # a month's finance is due for publication by this day of the next month
    stale_days: int = 90            # a category whose newest item is older than this is stale
    # board name -> the departments that may review it, "本镇" standing for the town's name (reviewers.py)
    review_departments: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def departments(self, board: str) -> tuple[str, ...]:
        return dict(DEFAULT_REVIEW_DEPARTMENTS + self.review_departments).get(board, ())


OVERSIGHT_KEYS = ("large_payment", "split_days", "split_total", "answer_days", "as_of", "review_required",
                  "finance_due_day", "stale_days", "review_departments")

# 审核部门 Who reviews each board, per the Jiangyin article: the town's 组织办 the party affairs, its 民政办 the village
# affairs, its 农经站 the finances (items and the monthly journal). site.yaml and town.yaml may name others.
DEFAULT_REVIEW_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("党务", ("本镇组织办",)), ("村务", ("本镇民政办",)), ("财务", ("本镇农经站",)))
TOWN_PLACEHOLDER = "本镇"  # in a department name: the village's own town (plain text, so YAML needs no quotes)


def parse_review_departments(value: Any, where: Location, report: Report,
                             key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`review_departments: {党务: [本镇组织办, …], …}` (site.yaml `oversight:`, or town.yaml): the boards it names,
    each with one or more department names. `key` names the setting in messages."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        report.error("bad-value", where, key=key, detail="应当按板块写，如 党务: [夏港街道组织办]",
                     detail_en="expected one line per board, like 党务: [夏港街道组织办]")
        return ()
    boards = {b.name: b.name for b in BOARDS} | {b.slug: b.name for b in BOARDS}
    check_keys(value, tuple(boards), (), where, report)
    out: dict[str, tuple[str, ...]] = {}
    for board, names in value.items():
        if board not in boards:
            continue
        listed = get_list(value, board, where, report) if names is not None else []
        if not listed or not all(listed):
            report.error("bad-value", where, key=f"{key}.{board}", detail="至少写一个部门名称，如 本镇组织办",
                         detail_en="at least one department name, like 本镇组织办")
            continue
        out[boards[board]] = tuple(listed)
    return tuple(out.items())


def _parse_oversight(value: Any, where: Location, report: Report) -> OversightConfig:
    if value is None:
        return OversightConfig()
    if not isinstance(value, dict):
        report.error("bad-value", where, key="oversight", detail="应当是“键: 值”的列表",
                     detail_en="expected a mapping of 'key: value'")
        return OversightConfig()
    check_keys(value, OVERSIGHT_KEYS, (), where, report)
    base = OversightConfig()

    def days(key: str, low: int, high: int) -> int:
        n = value.get(key, getattr(base, key))
        if not isinstance(n, int) or isinstance(n, bool) or not low <= n <= high:
            report.error("bad-value", where, key=f"oversight.{key}", detail=f"应当是 {low} 到 {high} 之间的整数",
                         detail_en=f"expected a whole number from {low} to {high}")
            return getattr(base, key)
        return n

    large = get_amount(value, "large_payment", where, report) if "large_payment" in value else base.large_payment
    required = value.get("review_required", base.review_required)
    if not isinstance(required, bool):
        report.error("bad-value", where, key="oversight.review_required", detail="只能是 true 或 false",
                     detail_en="either true or false")
        required = base.review_required
    return OversightConfig(
        large_payment=large, split_days=days("split_days", 2, 31),
        split_total=get_amount(value, "split_total", where, report) if "split_total" in value else large,
        answer_days=days("answer_days", 1, 365), as_of=get_date(value, "as_of", where, report),
        review_required=required, finance_due_day=days("finance_due_day", 1, 28),
        stale_days=days("stale_days", 1, 3650),
        review_departments=parse_review_departments(value.get("review_departments"), where, report,
                                                    "oversight.review_departments"))


# ---- issue 18 (h10): the phone site's public address, for the notice-board poster's QR codes ----------------------

def parse_public_url(value: Any, where: Location, report: Report) -> str:
    """`public_url`: the http(s) address the phone site (OUTPUT/mobile/) is served at, e.g.
    https://sanwu.example.gov.cn/mobile/. `sitegen print` puts a page's address under it into each QR code; without
    it the poster prints the page's path in words. It only ever ends up inside a QR code or as printed text."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if not re.match(r"^https?://[^\s/{}?#]+(/[^\s{}?#]*)?$", text):
        report.error("bad-value", where, key="public_url",
                     detail="应当是 http:// 或 https:// 开头的网址，指向手机网站（output/mobile/）所在的位置，不带 ? 和 #",
                     detail_en="expected an http(s) address where the phone site (output/mobile/) is served, "
                               "without ? or #")
        return ""
    return text if text.endswith("/") else text + "/"

