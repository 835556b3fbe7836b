"""Problems found in a clerk's content (问题), and the one format a clerk sees them in.

Every problem has a code from the catalogue below, a location (file, row or line, column, sheet) and a message
in Chinese with an English line. Stages never print or raise on their own: they add problems to a `Report`;
the pipeline decides, after validation, whether to stop. That keeps "each error type raised in one place,
shown in one format" true by construction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# code -> (Chinese template, English template). Templates use str.format fields.
CATALOGUE: dict[str, tuple[str, str]] = {
    # files and folders
    "file-unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
    "encoding": ("文件编码无法识别，请用 UTF-8 或 GB18030（Excel 另存为 CSV）保存",
                 "unknown text encoding; save as UTF-8 or GB18030 (Excel's CSV)"),
    "folder-name": ("文件夹名“{name}”只能用小写拼音字母、数字和连字符，中文名写在 {yaml} 里",
                    "folder name '{name}' must be lowercase letters, digits and hyphens; put the Chinese name in {yaml}"),
    "missing-file": ("缺少文件 {name}", "missing file {name}"),
    "no-villages": ("没有找到任何村（需要 镇文件夹/村文件夹/village.yaml）",
                    "no villages found (expected TOWN/VILLAGE/village.yaml)"),
    "stray-file": ("不认识的文件，没有使用：{name}", "unexpected file, ignored: {name}"),
    # YAML and keys
    "yaml-syntax": ("YAML 格式错误：{detail}", "malformed YAML: {detail}"),
    "yaml-not-mapping": ("这里应当是“键: 值”的列表", "expected a mapping of 'key: value'"),
    "front-matter": ("事项文件必须以 --- 开头的 YAML 前言开始，并以 --- 结束",
                     "an item must start with YAML front matter between two '---' lines"),
    "unknown-key": ("不认识的键“{key}”{hint}", "unknown key '{key}'{hint_en}"),
    "missing-key": ("缺少必填项“{key}”", "required key '{key}' is missing"),
    "bad-value": ("“{key}”的值不对：{detail}", "bad value for '{key}': {detail_en}"),
    "bad-date": ("“{key}”的日期“{value}”不对，请写成 2026-09-15", "'{key}': '{value}' is not a date like 2026-09-15"),
    "unknown-category": ("“{value}”不是{board}的类别，可选：{choices}",
                         "'{value}' is not a category of {board}; choose one of: {choices}"),
    "unknown-subitem": ("“{value}”不是“{category}”的小项，可选：{choices}",
                        "'{value}' is not a sub-item of '{category}'; choose one of: {choices}"),
    "duplicate-item": ("与 {other} 生成的网页重名，请改文件名", "same page name as {other}; rename one of them"),
    # paths
    "path-outside": ("路径“{value}”跑到了允许的文件夹之外", "path '{value}' leaves the content folder"),
    "path-missing": ("找不到文件“{value}”", "file '{value}' does not exist"),
    "path-type": ("“{value}”不是能用的图片（JPEG、PNG、TIFF、PDF 或 HEIC）",
                  "'{value}' is not a JPEG, PNG, TIFF, PDF or HEIC image"),
    "image-bad": ("图片“{value}”打不开或已损坏：{detail}", "image '{value}' cannot be read: {detail}"),
    "image-too-large": ("图片“{value}”像素太多（{pixels} 像素，上限 {limit}），请缩小后再放入",
                        "image '{value}' has too many pixels ({pixels}, limit {limit})"),
    "image-pages": ("“{value}”有 {pages} 页，太多了（上限 {limit} 页），请分成几个文件",
                    "'{value}' has {pages} pages, more than the limit of {limit}; split it into several files"),
    "link-target": ("正文链接“{value}”找不到对应的事项（只能链接到其他 .md 事项）",
                    "body link '{value}' does not point at an item (only other .md items can be linked)"),
    "external-link": ("正文里的网址“{value}”不会做成链接，只显示文字", "web address '{value}' is shown as text, not linked"),
    # tables: the journal, finance tables, registries, hotline records (load.table_columns)
    "table-header": ("表头缺少“{column}”列（可用的表头：{choices}）",
                     "the header lacks the '{column}' column (accepted headers: {choices})"),
    "table-header-unknown": ("不认识的表头“{column}”", "unknown column header '{column}'"),
    "table-empty": ("表里没有数据（是空表，或者只有表头）", "the table has no data rows (empty, or only a header)"),
    "amount-format": ("金额“{value}”不是普通数字（最多两位小数，如 1200.50）",
                      "amount '{value}' is not a plain decimal with at most two places (like 1200.50)"),
    "amount-both": ("一行只能填借方或贷方中的一个", "a line has both a debit and a credit"),
    "amount-none": ("借方、贷方都没有金额", "a line has neither a debit nor a credit"),
    "count-format": ("附件张数“{value}”应当是整数", "attachment count '{value}' is not a whole number"),
    "voucher-format": ("凭证字号“{value}”里找不到编号（如 记-12）", "voucher number '{value}' has no number (like 记-12)"),
    "voucher-date": ("凭证 {voucher} 各行日期不一致（{first} 和 {other}）",
                     "voucher {voucher} has lines with different dates ({first} and {other})"),
    "voucher-duplicate": ("凭证字号重复：{voucher} 已在 {other} 出现过",
                          "duplicate voucher number: {voucher} already appears at {other}"),
    "voucher-unbalanced": ("凭证 {voucher} 借贷不平衡：借方合计 {debit}，贷方合计 {credit}，相差 {diff}",
                           "voucher {voucher} does not balance: debits {debit}, credits {credit}, difference {diff}"),
    "account-unknown": ("科目编码“{value}”不在{system}科目表中", "account code '{value}' is not in the {system_en} chart"),
    "account-name": ("科目名称“{value}”与编码 {code} 的科目“{expected}”不一致",
                     "account name '{value}' does not match code {code} ('{expected}')"),
    "scan-missing": ("凭证 {voucher} 缺少扫描件：应在 {folder} 放 {expected} 张（凭证 1 张 + 附件 {attachments} 张），现有 {found} 张",
                     "voucher {voucher} lacks scans: {folder} should hold {expected} (the voucher + {attachments} attachments), found {found}"),
    "scan-orphan": ("扫描件文件夹 {folder} 没有对应的凭证", "scan folder {folder} has no voucher in the journal"),
    "opening-balance": ("期初余额“{value}”不是普通数字", "opening balance '{value}' is not a plain decimal"),
    # finance tables (finance/tables/) and the journal's 关联 column
    "finance-voucher-ref": ("凭证“{value}”应写成 2026-07 记-3 这样（年-月 凭证号）",
                            "voucher '{value}' should be written like 2026-07 记-3 (year-month number)"),
    "finance-voucher-missing": ("记账凭证里没有凭证“{value}”", "the journal has no voucher '{value}'"),
    "finance-duplicate": ("“{value}”重复：已在 {other} 出现过", "duplicate '{value}': already at {other}"),
    "finance-ref-format": ("关联“{value}”应写成 类别:编号，如 项目:P2026-01（类别：资产、资源、项目、预算、名单）",
                           "reference '{value}' should be kind:id like 项目:P2026-01 (kinds 资产 资源 项目 预算 名单)"),
    "finance-ref-missing": ("关联“{value}”指向的{kind}不存在", "reference '{value}': no such {kind} in the finance tables"),
    "finance-mismatch": ("{what}对不上：{a} 元 ≠ {b} 元", "{what_en} do not agree: {a} != {b}"),
    "finance-unlinked": ("{what}", "{what_en}"),
    # oversight: review and basis (review.py), warnings (oversight.py), registries, hotline records (questions.py)
    "basis-missing": ("事项没有写依据（basis）：每个公开事项都要写明所依据的文件、决议或协议",
                      "the item names no basis: every item must name the document, resolution or agreement it rests on"),
    "documents-missing": ("工程项目“{stage}”环节缺少文件：{missing}（写在 basis 或 documents 里）",
                          "project stage '{stage}' lacks documents: {missing} (name them under basis or documents)"),
    "month-format": ("月份“{value}”应写成 2026-09 这样", "month '{value}' should be written like 2026-09"),
    "ack-voucher": ("凭证“{value}”不存在（应写成 2026-07 记-8 这样）",
                    "no voucher '{value}' (write it like 2026-07 记-8)"),
    "ack-rule": ("预警规则“{value}”不认识，可选：{choices}", "unknown warning rule '{value}'; choose one of: {choices}"),
    "ack-unused": ("凭证 {voucher} 没有“{rule}”预警，这条说明用不上",
                   "voucher {voucher} has no '{rule}' warning; this acknowledgement is unused"),
    "registry-kind": ("不知道“{name}”是哪一种名单：文件名请以 不良企业、失信人员 或 死亡登记 开头"
                      "（或 bad-enterprises、dishonest-persons、deaths）",
                      "cannot tell which list '{name}' is: start its name with bad-enterprises, dishonest-persons or "
                      "deaths (or 不良企业, 失信人员, 死亡登记)"),
    "question-code": ("查询码“{value}”找不到对应的事项或凭证", "reference code '{value}' matches no item or voucher"),
    "question-duplicate": ("工单号“{value}”重复：已在 {other} 出现过", "duplicate ticket '{value}': already at {other}"),
    "question-status": ("状态“{value}”不认识，可选：{choices}", "unknown status '{value}'; choose one of: {choices}"),
    "question-reply": ("工单已答复，但没有写答复内容或答复日期", "the ticket is answered but has no reply or reply date"),
    # ordinary days (issue 11): a spreadsheet format the table reader cannot open
    "table-old-format": ("“{name}”是旧版 Excel（.xls）或其他表格格式，读不出来：请在 Excel 里“另存为” .xlsx 或 CSV",
                         "'{name}' is an old Excel (.xls) or other spreadsheet format that cannot be read: "
                         "save it as .xlsx or CSV"),
    # output
    "link-broken": ("生成的网页 {page} 中的链接“{href}”指向不存在的文件（程序缺陷，请报告）",
                    "generated page {page} links to missing '{href}' (a sitegen bug, please report)"),
    "output-write": ("无法写入输出文件夹：{detail}", "cannot write the output folder: {detail}"),
}


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file relative to the content folder, and optionally a line or row, a column, a sheet."""

    path: str
    line: int | None = None
    column: str | None = None
    sheet: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.sheet or "", self.line or 0, self.column or "")

    def zh(self) -> str:
        parts = [self.path]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return " ".join(parts)

    def en(self) -> str:
        parts = [self.path]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    code: str
    where: Location
    severity: str  # "error" or "warning"
    zh: str
    en: str

    def format(self) -> str:
        label = "错误" if self.severity == "error" else "提醒"
        return f"{label} {self.where.zh()}：{self.zh}\n    {self.severity}: {self.where.en()}: {self.en} [{self.code}]"


class _Defaults(dict):
    """Missing template fields render empty instead of raising: a message must never crash the build."""

    def __missing__(self, key: str) -> str:
        return ""


def make_problem(code: str, where: Location, severity: str = "error", /, **params: object) -> Problem:
    """The problem `code` at `where`; `params` fill the catalogue's templates. The first three are positional-only,
    so a template field may be called `code`, `where` or `severity` without clashing with them."""
    zh_t, en_t = CATALOGUE[code]
    values = _Defaults({k: ("" if v is None else str(v)) for k, v in params.items()})
    return Problem(code, where, severity, zh_t.format_map(values), en_t.format_map(values))


@dataclass
class Report:
    """All problems found in one run, in the order found (sorted for output)."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, code: str, where: Location, /, **params: object) -> None:
        self.problems.append(make_problem(code, where, "error", **params))

    def warning(self, code: str, where: Location, /, **params: object) -> None:
        self.problems.append(make_problem(code, where, "warning", **params))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.severity != "error", p.where.sort_key(), p.code, p.zh))


class ContentError(Exception):
    """Raised by the pipeline, once, when validation found errors: the build stops before touching output."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} content error(s)")
        self.report = report


class OutputError(Exception):
    """The output could not be written (disk full, permissions); the previous output is left in place."""


def rel(path: Path, root: Path) -> str:
    """A path as the clerk knows it: relative to the content folder's parent name, in forward slashes."""
    try:
        return (Path(root.name) / path.relative_to(root)).as_posix()
    except ValueError:
        return path.as_posix()
