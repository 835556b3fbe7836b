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
    "encoding": (
        "文件编码无法识别，请用 UTF-8 或 GB18030（Excel 另存为 CSV）保存",
        "unknown text encoding; save as UTF-8 or GB18030 (Excel's CSV)",
    ),
    "folder-name": (
        "文件夹名“{name}”只能用小写拼音字母、数字和连字符，中文名写在 {yaml} 里",
        "folder name '{name}' must be lowercase letters, digits and hyphens; put the Chinese name in {yaml}",
    ),
    "missing-file": ("缺少文件 {name}", "missing file {name}"),
    "no-villages": (
        "没有找到任何村（需要 镇文件夹/村文件夹/village.yaml）",
        "no villages found (expected TOWN/VILLAGE/village.yaml)",
    ),
    "stray-file": ("不认识的文件，没有使用：{name}", "unexpected file, ignored: {name}"),
    # YAML and keys
    "yaml-syntax": ("YAML 格式错误：{hint}", "malformed YAML: {detail}"),
    "yaml-not-mapping": ("这里应当是“键: 值”的列表", "expected a mapping of 'key: value'"),
    "front-matter": (
        "事项文件必须以 --- 开头的 YAML 前言开始，并以 --- 结束",
        "an item must start with YAML front matter between two '---' lines",
    ),
    "unknown-key": ("不认识的键“{key}”{hint}", "unknown key '{key}'{hint_en}"),
    "missing-key": ("缺少必填项“{key}”{example}", "required key '{key}' is missing{example_en}"),
    "bad-value": ("“{key}”的值不对：{detail}", "bad value for '{key}': {detail_en}"),
    "bad-date": (
        "“{key}”的日期“{value}”看不懂，请写成 {accepted}",
        "'{key}': '{value}' is not a date like {accepted_en}",
    ),
    "unknown-category": (
        "“{value}”不是{board}的类别，可选：{choices}",
        "'{value}' is not a category of {board}; choose one of: {choices}",
    ),
    "unknown-subitem": (
        "“{value}”不是“{category}”的小项，可选：{choices}",
        "'{value}' is not a sub-item of '{category}'; choose one of: {choices}",
    ),
    "duplicate-item": ("与 {other} 生成的网页重名，请改文件名", "same page name as {other}; rename one of them"),
    # paths
    "path-outside": ("路径“{value}”跑到了允许的文件夹之外", "path '{value}' leaves the content folder"),
    "path-missing": ("找不到文件“{value}”", "file '{value}' does not exist"),
    "path-type": (
        "“{value}”不是能用的图片（JPEG、PNG、TIFF、PDF 或 HEIC）",
        "'{value}' is not a JPEG, PNG, TIFF, PDF or HEIC image",
    ),
    "image-bad": ("图片“{value}”打不开或已损坏：{detail}", "image '{value}' cannot be read: {detail}"),
    "image-too-large": (
        "图片“{value}”像素太多（{pixels} 像素，上限 {limit}），请缩小后再放入",
        "image '{value}' has too many pixels ({pixels}, limit {limit})",
    ),
    "image-pages": (
        "“{value}”有 {pages} 页，太多了（上限 {limit} 页），请分成几个文件",
        "'{value}' has {pages} pages, more than the limit of {limit}; split it into several files",
    ),
    "link-target": (
        "正文链接“{value}”找不到对应的事项（只能链接到其他 .md 事项）",
        "body link '{value}' does not point at an item (only other .md items can be linked)",
    ),
    "external-link": (
        "正文里的网址“{value}”不会做成链接，只显示文字",
        "web address '{value}' is shown as text, not linked",
    ),
    # tables: the journal, finance tables, registries, hotline records (load.table_columns)
    "table-header": (
        "表头缺少“{column}”列（可用的表头：{choices}）",
        "the header lacks the '{column}' column (accepted headers: {choices})",
    ),
    "table-header-unknown": ("不认识的表头“{column}”{hint}", "unknown column header '{column}'{hint_en}"),
    "table-empty": ("表里没有数据（是空表，或者只有表头）", "the table has no data rows (empty, or only a header)"),
    "amount-format": (
        "金额“{value}”不是普通数字（最多两位小数，小数点前最多 20 位，如 1200.50）",
        "amount '{value}' is not a plain decimal with at most two places and 20 digits before the point (like 1200.50)",
    ),
    "amount-both": ("一行只能填借方或贷方中的一个", "a line has both a debit and a credit"),
    "amount-none": ("借方、贷方都没有金额", "a line has neither a debit nor a credit"),
    "count-format": (
        "附件张数“{value}”应当是整数，如 2（原始单据的张数，不含凭证本身）",
        "attachment count '{value}' is not a whole number (like 2)",
    ),
    "voucher-format": (
        "凭证字号“{value}”里找不到编号（如 记-12）",
        "voucher number '{value}' has no number (like 记-12)",
    ),
    "voucher-date": (
        "凭证 {voucher} 各行日期不一致（{first} 和 {other}）",
        "voucher {voucher} has lines with different dates ({first} and {other})",
    ),
    "voucher-duplicate": (
        "凭证字号重复：{voucher} 已在 {other} 出现过",
        "duplicate voucher number: {voucher} already appears at {other}",
    ),
    "voucher-unbalanced": (
        "凭证 {voucher} 借贷不平衡：借方合计 {debit}，贷方合计 {credit}，相差 {diff}",
        "voucher {voucher} does not balance: debits {debit}, credits {credit}, difference {diff}",
    ),
    "account-unknown": (
        "科目编码“{value}”不在{system}科目表中{hint}",
        "account code '{value}' is not in the {system_en} chart{hint_en}",
    ),
    "account-name": (
        "科目名称“{value}”与编码 {code} 的科目“{expected}”不一致",
        "account name '{value}' does not match code {code} ('{expected}')",
    ),
    "scan-missing": (
        "凭证 {voucher} 缺少扫描件：应在 {folder} 放 {expected} 张（凭证 1 张 + 附件 {attachments} 张），现有 {found} 张",
        "voucher {voucher} lacks scans: {folder} should hold {expected} (the voucher + {attachments} attachments), found {found}",
    ),
    "scan-orphan": ("扫描件文件夹 {folder} 没有对应的凭证", "scan folder {folder} has no voucher in the journal"),
    "opening-balance": (
        '“{account}”的期初余额“{value}”不是普通数字，请写成 {account}: "{example}"（不写逗号和“元”）',
        "the opening balance of '{account}', '{value}', is not a plain decimal; write {account}: \"{example}\"",
    ),
    # finance tables (finance/tables/) and the journal's 关联 column
    "finance-voucher-ref": (
        "凭证“{value}”应写成 2026-07 记-3 这样（年-月 凭证号）",
        "voucher '{value}' should be written like 2026-07 记-3 (year-month number)",
    ),
    "finance-voucher-missing": ("记账凭证里没有凭证“{value}”", "the journal has no voucher '{value}'"),
    "finance-duplicate": ("“{value}”重复：已在 {other} 出现过", "duplicate '{value}': already at {other}"),
    "finance-ref-format": (
        "关联“{value}”应写成 类别:编号，如 项目:P2026-01（类别：资产、资源、项目、预算、名单）",
        "reference '{value}' should be kind:id like 项目:P2026-01 (kinds 资产 资源 项目 预算 名单)",
    ),
    "finance-ref-missing": (
        "关联“{value}”指向的{kind}不存在",
        "reference '{value}': no such {kind} in the finance tables",
    ),
    "finance-mismatch": ("{what}对不上：{a} 元 ≠ {b} 元", "{what_en} do not agree: {a} != {b}"),
    "finance-unlinked": ("{what}", "{what_en}"),
    # oversight: review and basis (review.py), warnings (oversight.py), registries, hotline records (questions.py)
    "basis-missing": (
        "事项没有写依据（basis）：每个公开事项都要写明所依据的文件、决议或协议",
        "the item names no basis: every item must name the document, resolution or agreement it rests on",
    ),
    "documents-missing": (
        "工程项目“{stage}”环节缺少文件：{missing}（写在 basis 或 documents 里）",
        "project stage '{stage}' lacks documents: {missing} (name them under basis or documents)",
    ),
    "month-format": ("月份“{value}”应写成 2026-09 这样", "month '{value}' should be written like 2026-09"),
    "ack-voucher": (
        "凭证“{value}”不存在（应写成 2026-07 记-8 这样）",
        "no voucher '{value}' (write it like 2026-07 记-8)",
    ),
    "ack-rule": (
        "预警规则“{value}”不认识，可选：{choices}",
        "unknown warning rule '{value}'; choose one of: {choices}",
    ),
    "ack-unused": (
        "凭证 {voucher} 没有“{rule}”预警，这条说明用不上",
        "voucher {voucher} has no '{rule}' warning; this acknowledgement is unused",
    ),
    "registry-kind": (
        "不知道“{name}”是哪一种名单：文件名请以 不良企业、失信人员 或 死亡登记 开头"
        "（或 bad-enterprises、dishonest-persons、deaths）",
        "cannot tell which list '{name}' is: start its name with bad-enterprises, dishonest-persons or "
        "deaths (or 不良企业, 失信人员, 死亡登记)",
    ),
    "question-code": ("查询码“{value}”找不到对应的事项或凭证", "reference code '{value}' matches no item or voucher"),
    "question-duplicate": (
        "工单号“{value}”重复：已在 {other} 出现过",
        "duplicate ticket '{value}': already at {other}",
    ),
    "question-status": ("状态“{value}”不认识，可选：{choices}", "unknown status '{value}'; choose one of: {choices}"),
    "question-reply": (
        "工单已答复，但没有写答复内容或答复日期",
        "the ticket is answered but has no reply or reply date",
    ),
    # who may review (reviewers.py)
    "review-department": (
        "审核部门“{value}”不能审核{what}：{board}应由 {allowed} 审核"
        "（在 site.yaml 的 oversight: review_departments 或 town.yaml 的 review_departments 里设定）",
        "'{value}' may not review {what_en}: {board} is reviewed by {allowed} "
        "(set by review_departments in site.yaml's oversight: or in town.yaml)",
    ),
    "review-person": (
        "审核人“{value}”是{role}，不能审核{what}，请由审核部门的其他人审核",
        "reviewer '{value}' is {role_en} and may not review {what_en}; someone else of the department must",
    ),
    "review-unnamed": (
        "{what}的审核写了已通过，但没有写{missing}",
        "the review of {what_en} says approved but names no {missing_en}",
    ),
    # reading clerk files safely and plainly (load.py, dates.py, accounts.py: issue 11)
    "path-not-file": ("“{value}”不是普通文件（{kind}），不能读取", "'{value}' is not a regular file ({kind_en})"),
    "path-loop": ("“{value}”是循环的快捷方式（符号链接），找不到真正的文件", "'{value}' is a symbolic link loop"),
    "file-too-large": (
        "文件“{value}”太大（{size}，上限 {limit}），请检查是不是放错了文件",
        "file '{value}' is too large ({size}, limit {limit}); is it the right file?",
    ),
    "date-implausible": (
        "“{key}”的日期“{value}”不合理：{reason}，是不是年份写错了？",
        "'{key}': '{value}' is implausible: {reason_en}; is the year mistyped?",
    ),
    "table-header-duplicate": (
        "表头“{column}”与“{other}”是同一列，只能留一个",
        "column '{column}' is the same column as '{other}'; keep one",
    ),
    "duplicate-name": (
        "名称“{name}”与 {other} 重复，请给它们起不同的名字",
        "the name '{name}' is also used by {other}; give them different names",
    ),
    "yaml-duplicate-key": (
        "键“{key}”写了两次（第一次在第{first}行），只保留一个",
        "key '{key}' appears twice (first on line {first}); keep one",
    ),
    "account-other-chart": (
        "科目编码“{value}”在{system}中是“{expected}”，而“{name}”是另一套科目表的用法{hint}",
        "account code '{value}' is '{expected}' in the {system_en} chart; '{name}' belongs to the other chart{hint_en}",
    ),
    # ordinary days (issue 11): a spreadsheet format the table reader cannot open
    "file-name-encoding": (
        "文件名“{name}”不是 UTF-8 编码（多半是旧的压缩软件解压出来的），没有使用：请把它重新命名",
        "a file name here is not UTF-8 (an old unzip tool?) and was not read: rename '{name}'",
    ),
    "table-old-format": (
        "“{name}”是旧版 Excel（.xls）或其他表格格式，读不出来：请在 Excel 里“另存为” .xlsx 或 CSV",
        "'{name}' is an old Excel (.xls) or other spreadsheet format that cannot be read: save it as .xlsx or CSV",
    ),
    # output
    "link-broken": (
        "生成的网页 {page} 中的链接“{href}”指向不存在的文件（程序缺陷，请报告）",
        "generated page {page} links to missing '{href}' (a sitegen bug, please report)",
    ),
    "output-write": ("无法写入输出文件夹：{detail}", "cannot write the output folder: {detail}"),
    # the build as a whole (pipeline.py): late failures held to their village, villages and towns that vanished
    "render-failed": (
        "生成网页 {page} 时出错：{detail}（程序缺陷，请报告）",
        "making page {page} failed: {detail} (a sitegen bug, please report)",
    ),
    "personal-data-unmasked": (
        "生成的网页 {page} 中有未遮盖的个人信息（{sample}…），不能发布（程序缺陷，请报告）",
        "generated page {page} holds unmasked personal data ({sample}…); not published (a sitegen bug, please report)",
    ),
    "village-unreadable": (
        "已发布的村 {village} 读不出来：缺少或无法读取 {name}；它保留上次发布的版本，补回该文件后再生成"
        "（要撤下这个村，请删除整个村文件夹）",
        "published village {village} cannot be read: {name} is missing or unreadable; its last "
        "published version is kept until the file is back (to take the village down, delete "
        "its whole folder)",
    ),
    "town-unreadable": (
        "已发布的镇 {town} 读不出来：缺少或无法读取 {name}；这个镇保留上次发布的版本，补回该文件后再生成",
        "published town {town} cannot be read: {name} is missing or unreadable; its last published "
        "version is kept until the file is back",
    ),
    # h48 (issue 14, streaming validation): a remembered village is read in its turn, not when the run starts
    "village-changed": (
        "村 {village} 在这次运行中被改动了（另一次检查或生成同时在读它）：它保留上次发布的版本，请再运行一次",
        "village {village} changed during this run (another check or build was reading it): its last "
        "published version is kept; run again",
    ),
}


@dataclass(frozen=True, slots=True)
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


# ---- issue 16 (h8): a missing value says how to write it ---------------------------------------------------------
# A required key or column -> an example of its right form, shown by `missing-key` (unless the caller gives one).
KEY_EXAMPLES: dict[str, str] = {
    "date": "date: 2026-01-15",
    "日期": "2026-01-15",
    "title": "title: 第三季度党员大会",
    "name": "name: 长寿村",
    "category": "category: 组织建设",
    "review": "review: {department: 夏港街道组织办, status: 待审核}",
    "department": "department: 夏港街道农经站",
    "status": "status: 已通过",
    "city": "city: 江阴市",
    "金额": "1200.50",
    "amount": "1200.50",
    "凭证": "2026-07 记-3",
    "voucher": "2026-07 记-3",
    "编号": "A-01",
    "id": "A-01",
    "姓名": "张三",
    "month": "2026-09",
}


def _with_example(code: str, params: dict[str, object]) -> dict[str, object]:
    """`example`/`example_en` for a missing key from KEY_EXAMPLES, when the template wants one and none was given."""
    if code != "missing-key" or "example" in params:
        return params
    example = KEY_EXAMPLES.get(str(params.get("key", "")))
    if not example:
        return params
    return {**params, "example": f"，请写成 {example}", "example_en": f"; write it like {example}"}


def make_problem(code: str, where: Location, severity: str = "error", /, **params: object) -> Problem:
    """The problem `code` at `where`; `params` fill the catalogue's templates. The first three are positional-only,
    so a template field may be called `code`, `where` or `severity` without clashing with them."""
    zh_t, en_t = CATALOGUE[code]
    params = _with_example(code, params)
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

    def lines(self) -> list[str]:
        """The report as the clerk reads it: every problem (errors first) in the one format, then the count."""
        out = [problem.format() for problem in self.sorted()]
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err or n_warn:
            out.append(f"共 {n_err} 个错误、{n_warn} 个提醒 / {n_err} error(s), {n_warn} warning(s)")
        return out


# ---- exit codes: what every sitegen command ends with (README, docs/deploy.md) -------------------------------------
EXIT_OK = 0  # success
EXIT_CONTENT = 1  # content errors, all listed (a build still makes the villages without errors)
EXIT_USAGE = 2  # command-line usage error
EXIT_FAILURE = 3  # the output could not be written, or an internal failure
EXIT_LOCKED = 4  # another build or publish holds the output folder, image cache or bundle store
EXIT_HELD = 5  # (publish) some villages held back
EXIT_PUSH = 6  # (push, publish) a push target failed
EXIT_REJECTED = 7  # (ingest) a bundle refused at the headend
EXIT_KEY = 8  # signing-key problem
EXIT_STALE = 9  # (ingest) the served content is older than --max-age: for monitoring


class ContentError(Exception):
    """Raised by the pipeline, once, when validation found errors: the build stops before touching output."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} content error(s)")
        self.report = report


class OutputError(Exception):
    """The output could not be written (disk full, permissions); the previous output is left in place."""


def rel(path: Path, root: Path) -> str:
    """A path as the clerk knows it: relative to the content folder's parent name, in forward slashes.

    Called for every file and scan the loader and validation name (~5,000 a village): a path under `root` is cut
    from its text (pathlib's paths are normalised text, so the text of a path under `root` is root's, a slash,
    then the rest; root's name its last part), the same answer as relative_to without parsing both paths."""
    text, under, name = str(path), str(root), root.name
    if name and len(text) > len(under) + 1 and text[len(under)] == "/" and text.startswith(under):
        return name + text[len(under) :]
    try:
        return (Path(root.name) / path.relative_to(root)).as_posix()
    except ValueError:
        return path.as_posix()


# ---- issue 18 (h10): sitegen print, the notice-board poster (reports/notice_board.py) ----------------------------------------
CATALOGUE.update(
    {
        "print-month-held": (
            "{village}{held}的财务还没有审核通过（待审核），{month}的公开栏不能打印；农经站审核通过后再打印",
            "{village}: the finance of {held} is not approved yet (待审核), so {month} cannot be printed "
            "(months are published in order); print it once the 农经站 has approved",
        ),
        "print-month-empty": (
            "{village}{month}没有可以公开的内容（没有记账凭证，也没有这个月的公开事项），没有打印",
            "{village}: nothing to publish for {month} (no vouchers and no items dated in it); nothing printed",
        ),
        "print-village-errors": (
            "{village}的内容有 {count} 个错误（见上面），公开栏没有打印；改正后再打印",
            "{village} has {count} content error(s) (listed above); its notice was not printed",
        ),
        "print-not-a-folder": ("“{value}”不能打印：{detail}", "cannot print '{value}': {detail}"),
        "print-unknown-village": (
            "没有这个村：“{value}”，请写成 镇文件夹/村文件夹，可选：{choices}",
            "no village '{value}'; write TOWN/VILLAGE (folder names), one of: {choices}",
        ),
    }
)


# ---- issue 14 (h31): a voucher number that would read as personal data in its page's address --------------------
CATALOGUE.update(
    {
        "voucher-number-long": (
            "凭证字号“{value}”的编号太长（最多 {digits} 位数字，如 记-12）",
            "voucher number '{value}': the number is too long (at most {digits} digits, like 记-12)",
        ),
    }
)
