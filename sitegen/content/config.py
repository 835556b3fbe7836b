"""Site configuration (site.yaml, 全市配置), validated strictly: an unknown or misspelled key is an error.

Each block of settings is declared once, as a frozen dataclass whose fields are `setting(...)`s: the field
names the YAML key, its default and the reader that parses and checks its value. One strict reader
(`read_settings`) derives the accepted keys from the fields, reports unknown keys with the nearest accepted one,
missing required keys, and reads each value. To add a key: add one field with `setting(...)`.

town.yaml (`TownConfig`), village.yaml (`VillageConfig`) and an item's front matter (`ItemFront`, with its
`basis:` and `review:` blocks) are declared the same way and read by the same reader, so a key list, a dataclass
and a parser cannot disagree; each field also carries the Chinese label and the doc line a clerk reads
(docs/content-format.md §3 and §4 show exactly these keys; tests/test_config.py checks it).

Also the small helpers every YAML mapping in the content folder goes through, so that unknown keys, missing keys and
bad values are reported the same way everywhere, each at the line the key is written on (`key_where`).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import date
from datetime import date as Day  # for the fields named `date`, which shadow the type in their class
from decimal import Decimal
from typing import Any

from sitegen.content.accounts import CHARTS
from sitegen.content.dates import RECORD, read_day
from sitegen.content.errors import Location, Report
from sitegen.content.load import YamlMapping
from sitegen.content.money import AmountError, parse_amount
from sitegen.content.taxonomy import BOARDS

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


def key_where(where: Location, data: Any, key: object) -> Location:
    """`where` at the line `key` is written on, when the mapping came from a YAML file (load.YamlMapping). A key's
    own line is the most precise there is: it wins over the line of the block it is in."""
    if isinstance(data, YamlMapping) and key in data.lines:
        return Location(where.path, data.lines[key], where.column, where.sheet)
    return where


def check_keys(
    data: dict, allowed: tuple[str, ...], required: tuple[str, ...], where: Location, report: Report
) -> bool:
    """Report unknown keys (with a did-you-mean hint, at the key's line) and missing required keys. True when all
    required are there."""
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            report.error(
                "unknown-key",
                key_where(where, data, key),
                key=key,
                hint=f"，是不是“{close[0]}”？" if close else f"，可用的键：{'、'.join(allowed)}",
                hint_en=f"; did you mean '{close[0]}'?" if close else f"; accepted keys: {', '.join(allowed)}",
            )
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
        report.error(
            "bad-value", key_where(where, data, key), key=key, detail="应当是一段文字", detail_en="expected text"
        )
        return default
    return str(value).strip()


def get_date(data: dict, key: str, where: Location, report: Report, kind: str = RECORD) -> date | None:
    """A date key, through the one date parser and plausibility rule (dates.read_day)."""
    return read_day(data.get(key), key_where(where, data, key), key, report, kind)


def get_amount(data: dict, key: str, where: Location, report: Report) -> Decimal:
    value = data.get(key)
    if value is None:
        return Decimal("0.00")
    # YAML turns 12.5 into a float; str() of a float that came from clerk text is still checked as text.
    try:
        return parse_amount(str(value))
    except AmountError:
        report.error("amount-format", key_where(where, data, key), value=value)
        return Decimal("0.00")


def get_list(data: dict, key: str, where: Location, report: Report) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    where = key_where(where, data, key)
    if isinstance(value, str) and re.match(r"^\s*[［【].*[］】]\s*$", value):  # YAML read ［a.jpg］ as text
        report.error(
            "bad-value",
            where,
            key=key,
            detail="用了中文括号，列表请用英文方括号，如 [a.jpg, b.jpg]",
            detail_en="full-width brackets; write a list with ASCII brackets like [a.jpg, b.jpg]",
        )
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        report.error(
            "bad-value",
            where,
            key=key,
            detail="应当是一个列表，如 [a.jpg, b.jpg]",
            detail_en="expected a list like [a.jpg, b.jpg]",
        )
        return []
    return [str(v).strip() for v in value]


# ---- declared settings: one field per YAML key --------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """What a reader gets: the block's mapping, the key (absent keys too), the key as messages name it
    (`oversight.split_days`), the field's default and the fields read before it (for defaults that follow
    another setting)."""

    data: dict
    key: str
    label: str
    where: Location
    report: Report
    default: Any
    got: dict

    @property
    def present(self) -> bool:
        return self.key in self.data

    @property
    def value(self) -> Any:
        return self.data.get(self.key)

    @property
    def at(self) -> Location:
        """Where a problem with this key is: its line in the file, when known."""
        return key_where(self.where, self.data, self.key)


Reader = Callable[[Slot], Any]


def setting(
    default: Any = MISSING,
    *,
    read: Reader,
    required: bool = False,
    factory: Callable[[], Any] | None = None,
    label: str = "",
    doc: str = "",
    **meta: Any,
) -> Any:
    """A dataclass field that is also a YAML key: its default (or default factory), its reader, whether the
    key is required, its Chinese label and a line of doc. Extra keyword arguments land in the field's metadata
    (e.g. `sftp=True` on Target: required only for SFTP targets).
    (ruff's RUF009 does not know it is a field specifier, hence its noqa where the default is not immutable.)"""
    info = {"read": read, "required": required, "label": label, "doc": doc, **meta}
    if factory is not None:
        return field(default_factory=factory, metadata=info)
    return field(default=default, metadata=info)


@functools.cache
def _settings(cls: type) -> tuple[Field[Any], ...]:
    """The fields of a settings dataclass that are YAML keys, in declaration order. (Remembered per class: an
    item's front matter is read this way ~100 times a village, and `fields` walks the class each time.)"""
    return tuple(f for f in fields(cls) if "read" in f.metadata)


@functools.cache
def keys_of(cls: type) -> tuple[str, ...]:
    """The YAML keys a settings dataclass accepts, in declaration order (as the unknown-key hint lists them)."""
    return tuple(f.name for f in _settings(cls))


@functools.cache
def required_of(cls: type, **when: bool) -> tuple[str, ...]:
    """Its required keys; `when` adds the fields marked with that metadata (`required_of(Target, sftp=True)`)."""
    return tuple(
        f.name
        for f in _settings(cls)
        if f.metadata.get("required") or any(on and f.metadata.get(flag) for flag, on in when.items())
    )


def _default(f) -> Any:
    return (
        f.default_factory()
        if f.default is MISSING and f.default_factory is not MISSING
        else (None if f.default is MISSING else f.default)
    )


def read_settings(
    cls: type, data: dict, where: Location, report: Report, prefix: str = "", required: tuple[str, ...] | None = None
) -> Any:
    """A settings dataclass from a YAML mapping: unknown keys and missing required keys reported (None when a
    required key is missing), then each field read by its reader, in declaration order."""
    if not check_keys(data, keys_of(cls), required_of(cls) if required is None else required, where, report):
        return None
    return _read_fields(cls, data, where, report, prefix)


def read_all(
    cls: type, data: dict, where: Location, report: Report, required: tuple[str, ...] | None = None
) -> tuple[Any, bool]:
    """Like read_settings, but every field is read (and its problems reported) even when a required key is
    missing, so one run lists all of a clerk file's problems: (the dataclass, whether every required key is
    there). For the content folder's own files: town.yaml, village.yaml, front matter."""
    ok = check_keys(data, keys_of(cls), required_of(cls) if required is None else required, where, report)
    return _read_fields(cls, data, where, report, ""), ok


def _read_fields(cls: type, data: dict, where: Location, report: Report, prefix: str) -> Any:
    got: dict[str, Any] = {}
    for f in _settings(cls):
        label = f"{prefix}.{f.name}" if prefix else f.name
        got[f.name] = f.metadata["read"](Slot(data, f.name, label, where, report, _default(f), got))
    return cls(**got)


def read_mapping(
    cls: type, data: Any, where: Location, report: Report, key: str = "", zh: str = "", en: str = ""
) -> tuple[Any, bool]:
    """A mapping the content folder holds (a YAML file, or a block like `review:`) read strictly as `cls`; None
    when it is something else (reported as bad-value of `key`, worded by zh/en, or, with no key, as a file that
    is not a mapping). Every field is read even when a required key is missing: (the dataclass, ok)."""
    if not isinstance(data, dict):
        if key:
            report.error("bad-value", where, key=key, detail=zh, detail_en=en)
        else:
            report.error("yaml-not-mapping", where)
        return None, False
    return read_all(cls, data, where, report)


# Readers. Each reports with the key as the setting's messages always did (bare or with its block's prefix).


def text(slot: Slot) -> str:
    """Text (numbers read as text); a mapping or list is an error."""
    return get_text(slot.data, slot.key, slot.where, slot.report, slot.default or "")


def amount(slot: Slot) -> Decimal:
    """An amount in yuan (money.parse_amount); absent: the default."""
    return get_amount(slot.data, slot.key, slot.where, slot.report) if slot.present else slot.default


def amount_or(other: str) -> Reader:
    """An amount that, when absent, is the value of another (earlier) setting of the block."""

    def read(slot: Slot) -> Decimal:
        return get_amount(slot.data, slot.key, slot.where, slot.report) if slot.present else slot.got[other]

    return read


def day(slot: Slot) -> date | None:
    """A date (dates.read_day)."""
    return get_date(slot.data, slot.key, slot.where, slot.report)


def flag(slot: Slot) -> bool:
    """true or false."""
    value = slot.data.get(slot.key, slot.default)
    if not isinstance(value, bool):
        slot.report.error(
            "bad-value", slot.at, key=slot.label, detail="只能是 true 或 false", detail_en="either true or false"
        )
        return slot.default
    return value


def whole(low: int, high: int, zh: str = "", en: str = "") -> Reader:
    """A whole number from low to high (true/false are not numbers); zh/en word the message if not the usual."""

    def read(slot: Slot) -> int:
        n = slot.data.get(slot.key, slot.default)
        if not isinstance(n, int) or isinstance(n, bool) or not low <= n <= high:
            slot.report.error(
                "bad-value",
                slot.at,
                key=slot.label,
                detail=zh or f"应当是 {low} 到 {high} 之间的整数",
                detail_en=en or f"expected a whole number from {low} to {high}",
            )
            return slot.default
        return n

    return read


def year(slot: Slot) -> int:
    """A year from 1990 to 2100."""
    value = slot.data.get(slot.key, slot.default)
    if not isinstance(value, int) or not 1990 <= value <= 2100:
        slot.report.error(
            "bad-value", slot.at, key=slot.label, detail="应当是年份，如 2024", detail_en="expected a year like 2024"
        )
        return slot.default
    return value


def block(cls: type) -> Reader:
    """A nested block of settings (`publish:`, `oversight:`), read strictly like the top level; absent: its
    defaults."""

    def read(slot: Slot) -> Any:
        if slot.value is None:
            return cls()
        if not isinstance(slot.value, dict):
            slot.report.error(
                "bad-value",
                slot.at,
                key=slot.label,
                detail="应当是“键: 值”的列表",
                detail_en="expected a mapping of 'key: value'",
            )
            return cls()
        return read_settings(cls, slot.value, slot.where, slot.report, prefix=slot.label, required=())

    return read


def value_with(parse: Callable[[Any, Location, Report], Any]) -> Reader:
    """A setting with its own parser of the raw value: parse(value, where, report). `where` is the block's (a
    parser of a mapping finds the lines of its own keys)."""

    def read(slot: Slot) -> Any:
        return parse(slot.value, slot.where, slot.report)

    return read


def raw(slot: Slot) -> Any:
    """The value as YAML read it, for a setting whose own module reads it (its field's doc names where); the key
    is declared here all the same, so it is accepted and documented."""
    return slot.value if slot.present else slot.default


def text_list(slot: Slot) -> list[str]:
    """A list of texts ([a.jpg, b.jpg]; one text is a list of one)."""
    return get_list(slot.data, slot.key, slot.where, slot.report)


def one_of(choices: tuple[str, ...], zh: str, en: str) -> Reader:
    """Text that must be one of `choices` (absent or empty: ""); zh/en word the message."""

    def read(slot: Slot) -> str:
        value = get_text(slot.data, slot.key, slot.where, slot.report)
        if value and value not in choices:
            slot.report.error("bad-value", slot.at, key=slot.label, detail=zh, detail_en=en)
            return ""
        return value

    return read


def entries(zh: str, en: str) -> Reader:
    """A list of entries as YAML read them (absent or empty: []); anything but a list is reported, worded zh/en."""

    def read(slot: Slot) -> list:
        value = slot.value or []
        if not isinstance(value, list):
            slot.report.error("bad-value", slot.at, key=slot.label, detail=zh, detail_en=en)
            return []
        return value

    return read


# ---- publish: (发布设置), read by `sitegen publish` and `sitegen push`; documented in docs/deploy.md --------------


@dataclass(frozen=True)
class Target:
    """推送目标 A headend drop folder that bundles are pushed to: a local/mounted folder, or SFTP.

    Declared like the other settings for its keys (required: name, type, path; with sftp also host, user, key_file
    and known_hosts); `_parse_targets` reads them, one problem per target."""

    name: str = setting(read=text, required=True)
    type: str = setting(read=text, required=True)  # folder | sftp
    path: str = setting(read=text, required=True)  # the drop folder (on the SFTP server for sftp)
    host: str = setting("", read=text, sftp=True)
    port: int = setting(22, read=whole(1, 65535))
    user: str = setting("", read=text, sftp=True)
    key_file: str = setting("", read=text, sftp=True)  # SSH private key for `user`
    known_hosts: str = setting("", read=text, sftp=True)  # the headend's host key; unknown hosts are refused


def _parse_targets(raw: Any, where: Location, report: Report) -> tuple[Target, ...]:
    """`publish.targets`: a list of targets, each checked whole (type, then a unique name, then the port)."""
    raw = raw or []
    if not isinstance(raw, list):
        report.error(
            "bad-value",
            where,
            key="publish.targets",
            detail="应当是一个列表，每项以 - 开头",
            detail_en="expected a list, one '- name: ...' per target",
        )
        raw = []
    targets: list[Target] = []
    for n, entry in enumerate(raw, start=1):
        key = f"publish.targets 第{n}项"
        if not isinstance(entry, dict):
            report.error("bad-value", where, key=key, detail="应当是“键: 值”的列表", detail_en="expected a mapping")
            continue
        kind = str(entry.get("type", ""))
        if not check_keys(entry, TARGET_KEYS, required_of(Target, sftp=kind == "sftp"), where, report):
            continue
        name = get_text(entry, "name", where, report)
        port = entry.get("port", 22)
        if kind not in ("folder", "sftp"):
            report.error(
                "bad-value", where, key=f"{key} type", detail="只能是 folder 或 sftp", detail_en="either folder or sftp"
            )
        elif not re.match(r"^[a-z0-9][a-z0-9-]*$", name) or name in {t.name for t in targets}:
            report.error(
                "bad-value",
                where,
                key=f"{key} name",
                detail="只能用小写字母、数字和连字符，且不能重名",
                detail_en="lowercase letters, digits and hyphens, and unique",
            )
        elif not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            report.error(
                "bad-value",
                where,
                key=f"{key} port",
                detail="应当是 1 到 65535 的端口号",
                detail_en="expected a port number from 1 to 65535",
            )
        else:
            text_of = {
                k: get_text(entry, k, where, report) for k in ("path", "host", "user", "key_file", "known_hosts")
            }
            targets.append(Target(name, kind, port=port, **text_of))
    return tuple(targets)


@dataclass(frozen=True)
class PublishConfig:
    """发布设置 How bundles are signed and where they go. Relative paths are relative to site.yaml's folder."""

    signing_key: str = setting("", read=text)  # Ed25519 private key; must live outside the content folder
    valid_days: int = setting(
        30, read=whole(1, 365, "应当是 1 到 365 之间的天数", "expected a number of days from 1 to 365")
    )
    targets: tuple[Target, ...] = setting((), read=value_with(_parse_targets))


TARGET_KEYS = keys_of(Target)
PUBLISH_KEYS = keys_of(PublishConfig)
SFTP_REQUIRED = tuple(k for k in required_of(Target, sftp=True) if k not in required_of(Target))


# ---- oversight: (监督设置), read by oversight.py, review.py, questions.py, reports.py; docs/content-format.md §2 ---

# 审核部门 Who reviews each board, per the Jiangyin article: the town's 组织办 the party affairs, its 民政办 the village
# affairs, its 农经站 the finances (items and the monthly journal). site.yaml and town.yaml may name others.
DEFAULT_REVIEW_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("党务", ("本镇组织办",)),
    ("村务", ("本镇民政办",)),
    ("财务", ("本镇农经站",)),
)
TOWN_PLACEHOLDER = "本镇"  # in a department name: the village's own town (plain text, so YAML needs no quotes)


def parse_review_departments(
    value: Any, where: Location, report: Report, key: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`review_departments: {党务: [本镇组织办, …], …}` (site.yaml `oversight:`, or town.yaml): the boards it names,
    each with one or more department names. `key` names the setting in messages."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        report.error(
            "bad-value",
            where,
            key=key,
            detail="应当按板块写，如 党务: [夏港街道组织办]",
            detail_en="expected one line per board, like 党务: [夏港街道组织办]",
        )
        return ()
    boards = {b.name: b.name for b in BOARDS} | {b.slug: b.name for b in BOARDS}
    check_keys(value, tuple(boards), (), where, report)
    out: dict[str, tuple[str, ...]] = {}
    for board, names in value.items():
        if board not in boards:
            continue
        listed = get_list(value, board, where, report) if names is not None else []
        if not listed or not all(listed):
            report.error(
                "bad-value",
                key_where(where, value, board),
                key=f"{key}.{board}",
                detail="至少写一个部门名称，如 本镇组织办",
                detail_en="at least one department name, like 本镇组织办",
            )
            continue
        out[boards[board]] = tuple(listed)
    return tuple(out.items())


def _parse_departments(value: Any, where: Location, report: Report) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return parse_review_departments(value, where, report, "oversight.review_departments")


@dataclass(frozen=True)
class OversightConfig:
    """监督设置 Payment-warning thresholds, review and hotline rules. Defaults follow the Jiangyin article."""

    # a single payment OVER this warns; exactly this does not
    large_payment: Decimal = setting(Decimal("50000.00"), read=amount)
    # split payments: one payee's payments within this many consecutive days …
    split_days: int = setting(7, read=whole(2, 31))
    # … adding up to over this (default: large_payment), while each stays at or under it
    split_total: Decimal = setting(Decimal("50000.00"), read=amount_or("large_payment"))
    # a hotline question unanswered after this many days is overdue
    answer_days: int = setting(15, read=whole(1, 365))
    # the day reports and time limits are measured at; None: latest date in content
    as_of: date | None = setting(None, read=day)
    # records without any review are drafts; False only for content from before reviews
    review_required: bool = setting(True, read=flag)
    # a month's finance is due for publication by this day of the next month
    finance_due_day: int = setting(10, read=whole(1, 28))
    # a category whose newest item is older than this is stale
    stale_days: int = setting(90, read=whole(1, 3650))
    # board name -> the departments that may review it, "本镇" standing for the town's name (reviewers.py)
    review_departments: tuple[tuple[str, tuple[str, ...]], ...] = setting((), read=value_with(_parse_departments))

    def departments(self, board: str) -> tuple[str, ...]:
        return dict(DEFAULT_REVIEW_DEPARTMENTS + self.review_departments).get(board, ())


OVERSIGHT_KEYS = keys_of(OversightConfig)


def _parse_feedback_url(value: Any, where: Location, report: Report) -> str:
    """An http(s) address with `{code}` where the reference code goes (it only ever ends up inside a QR code)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if (
        not re.match(r"^https?://[^\s/{}]+(/[^\s]*)?$", text)
        or text.count("{code}") != 1
        or text.replace("{code}", "").count("{")
        or text.replace("{code}", "").count("}")
    ):
        report.error(
            "bad-value",
            where,
            key="feedback_url",
            detail="应当是 http:// 或 https:// 开头的网址，并且含有一个 {code}（查询码填在那里）",
            detail_en="expected an http(s) address containing {code} once (where the reference code goes)",
        )
        return ""
    return text


def parse_public_url(value: Any, where: Location, report: Report) -> str:
    """`public_url`: the http(s) address the phone site (OUTPUT/mobile/) is served at, e.g.
    https://sanwu.example.gov.cn/mobile/. `sitegen print` puts a page's address under it into each QR code; without
    it the poster prints the page's path in words. It only ever ends up inside a QR code or as printed text."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if not re.match(r"^https?://[^\s/{}?#]+(/[^\s{}?#]*)?$", text):
        report.error(
            "bad-value",
            where,
            key="public_url",
            detail="应当是 http:// 或 https:// 开头的网址，指向手机网站（output/mobile/）所在的位置，不带 ? 和 #",
            detail_en="expected an http(s) address where the phone site (output/mobile/) is served, without ? or #",
        )
        return ""
    return text if text.endswith("/") else text + "/"


def _parse_subitems(value: Any, where: Location, report: Report) -> dict[str, dict[str, tuple[str, ...]]]:
    """Site-level sub-items replace the defaults category by category."""
    merged = {board: dict(cats) for board, cats in DEFAULT_SUBITEMS.items()}
    if value is None:
        return merged
    if not isinstance(value, dict):
        report.error(
            "bad-value",
            where,
            key="subitems",
            detail="应当按 板块 → 类别 → 小项列表 书写",
            detail_en="expected board -> category -> list of sub-items",
        )
        return merged
    boards = {b.name: b for b in BOARDS}
    for board_name, cats in value.items():
        board = boards.get(str(board_name))
        if board is None:
            report.error(
                "bad-value",
                where,
                key=f"subitems.{board_name}",
                detail="板块只能是 党务、村务、财务",
                detail_en="boards are 党务, 村务, 财务",
            )
            continue
        if not isinstance(cats, dict):
            report.error(
                "bad-value",
                where,
                key=f"subitems.{board_name}",
                detail="应当按 类别 → 小项列表 书写",
                detail_en="expected category -> list of sub-items",
            )
            continue
        for cat_name in cats:
            if board.category(str(cat_name)) is None:
                report.error(
                    "unknown-category",
                    where,
                    value=cat_name,
                    board=board.name,
                    choices="、".join(c.name for c in board.categories),
                )
                continue
            names = get_list(cats, cat_name, where, report)
            merged[board.name][str(cat_name)] = tuple(names)
    return merged


# ---- site.yaml --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteConfig:
    """全市配置 The validated site.yaml. Defaults are documented in docs/content-format.md §2."""

    city: str = setting(read=text, required=True)
    title: str = setting("三务公开户户通", read=text)
    hotline: str = setting("12345", read=text)
    new_accounts_from: int = setting(2024, read=year)
    large_amount: Decimal = setting(Decimal("100000"), read=amount)
    subitems: dict[str, dict[str, tuple[str, ...]]] = setting(
        read=value_with(_parse_subitems), factory=lambda: DEFAULT_SUBITEMS
    )
    publish: PublishConfig = setting(read=block(PublishConfig), factory=PublishConfig)
    oversight: OversightConfig = setting(read=block(OversightConfig), factory=OversightConfig)
    # 我有疑问 QR target with {code}; "" shows only the code and the hotline
    feedback_url: str = setting("", read=value_with(_parse_feedback_url))
    public_url: str = setting("", read=value_with(parse_public_url))  # the phone site's address: poster QR codes


SITE_KEYS = keys_of(SiteConfig)


def parse_site_config(data: Any, where: Location, report: Report) -> SiteConfig | None:
    if not isinstance(data, dict):
        report.error("yaml-not-mapping", where)
        return None
    return read_settings(SiteConfig, data, where, report)


# ---- town.yaml, village.yaml, item front matter (docs/content-format.md §3, §4) --------------------------------
# Read by validate/city.py with `read_mapping`: each key's problems at its line. The fields marked `raw` are read by
# the module their doc names; declared here so that they are accepted keys and documented.


@dataclass(frozen=True)
class TownConfig:
    """镇配置 town.yaml: the town's name and who reviews its villages' boards."""

    name: str = setting("", read=text, required=True, label="镇（街道）名称", doc="the town's name")
    review_departments: Any = setting(
        None, read=raw, label="审核部门", doc="who reviews which board in this town (oversight/reviewers.py)"
    )


@dataclass(frozen=True)
class VillageConfig:
    """村配置 village.yaml: the village's name, introduction, opening balances, chart and oversight registers."""

    name: str = setting("", read=text, required=True, label="村名", doc="the village's name")
    intro: str = setting("", read=text, label="村首页简介", doc="one paragraph on the village's home page")
    opening_balance: Decimal = setting(
        Decimal("0.00"), read=amount, label="期初余额合计（旧写法）", doc="cash and bank together (the old way)"
    )
    opening_balances: Any = setting(
        None, read=raw, label="各账户期初余额", doc="each account's balance before the journal (finance/tables.py)"
    )
    accounting_system: str = setting(
        "",
        read=one_of(tuple(CHARTS), "只能是 2024 或 2004", "either 2024 or 2004"),
        label="科目表",
        doc="force one chart of accounts, 2024 or 2004",
    )
    cadres: Any = setting(
        None, read=raw, label="村干部及近亲属", doc="cadres and their relatives (oversight/registries.py)"
    )
    allowance_recipients: Any = setting(
        None, read=raw, label="低保对象", doc="recipients of the minimum allowance (oversight/registries.py)"
    )


@dataclass(frozen=True)
class BasisFront:
    """依据 An item's `basis:` (or one of its `documents:`): the document it rests on."""

    title: str = setting("", read=text, required=True, label="文件名称", doc="the document's title")
    number: str = setting("", read=text, label="文号", doc="its number, like 长党〔2026〕5号")
    scan: str = setting("", read=text, label="扫描件", doc="its scan, relative to the item")


@dataclass(frozen=True)
class ReviewFront:
    """审核 An item's `review:`: who reviewed it, when, and the outcome."""

    department: str = setting("", read=text, label="审核部门", doc="the reviewing department")
    reviewer: str = setting("", read=text, label="审核人", doc="the reviewer")
    date: Day | None = setting(None, read=day, label="审核日期", doc="the day of the review")
    status: str = setting("pending", read=text, label="审核结果", doc="已通过, 待审核 or 退回")


@dataclass(frozen=True)
class ItemFront:
    """事项前言 An item's front matter (YAML between two `---` lines at the top of its Markdown file)."""

    title: str = setting("", read=text, required=True, label="标题", doc="the item's title")
    date: Day | None = setting(None, read=day, required=True, label="日期", doc="its date")
    # required on the boards with categories (the key's `categorised` flag; required_of(ItemFront, categorised=…))
    category: str = setting("", read=text, categorised=True, label="类别", doc="one of its board's categories")
    subitem: str = setting("", read=text, label="小项", doc="one of its category's sub-items")
    basis: Any = setting(None, read=raw, label="依据", doc="the document it rests on (BasisFront, or its title)")
    images: list[str] = setting(read=text_list, factory=list, label="附图", doc="images, relative to the item")
    review: Any = setting(None, read=raw, label="审核", doc="its review (ReviewFront)")
    documents: list = setting(
        read=entries("应当是一个列表，每份文件一项", "expected a list, one entry per document"),
        factory=list,
        label="其他文件",
        doc="further documents, each written like basis",
    )
    author: str = setting("", read=text, label="填报人", doc="who wrote it (may not review it)")


TOWN_KEYS = keys_of(TownConfig)
VILLAGE_KEYS = keys_of(VillageConfig)
ITEM_KEYS = keys_of(ItemFront)
BASIS_KEYS = keys_of(BasisFront)
REVIEW_KEYS = keys_of(ReviewFront)
