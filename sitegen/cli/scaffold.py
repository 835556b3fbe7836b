"""`sitegen new town` and `sitegen new village`: folders a new clerk can fill in by copying the examples.

A new village gets one commented example per board (党务, 村务, 财务, 制度建设), the finance tables with their
headers (finance/tables/), `reviews.yaml`, its cadres and their relatives in `village.yaml`, and the journal as an
Excel template (journal/2026-01.xlsx: the headers, drop-downs of the account codes of the chart in force, date
and amount checks, one example voucher) with a placeholder scan for the example voucher. Every example is
written as not yet approved (待审核), so it is a draft: `sitegen check` passes on the new village, and nothing of
it is published until the clerk replaces the examples and the reviewer approves them.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image, ImageDraw

from sitegen.content.accounts import CHARTS, system_for_year
from sitegen.content.load import SLUG, parse_yaml
from sitegen.finance.tables import TABLE_COLUMNS

EXAMPLE_MONTH = "2026-01"
EXAMPLE_YEAR = 2026


class ScaffoldError(Exception):
    """A plain message for the clerk (Chinese, then English)."""


TOWN_YAML = """\
# 镇（街道）的中文名称 / the town's name in Chinese
name: {name}
"""

VILLAGE_YAML = """\
# 村的基本信息 / the village
name: {name}
# 村首页上的一段简介（可选）
intro: {intro}
# 记账开始时各账户的余额（元），每个账户一行，写普通数字，如 "2350.00"（不要写逗号和“元”）
# each account's balance before the first journal line: a plain number like "2350.00"
opening_balances:
  银行存款: "0.00"
# 村干部及其近亲属：用于资金支付预警（收款人是村干部或亲属时提醒），不单独公开。
# 示例是虚构的，请改成本村的真实名单 / cadres and their relatives (payment warnings); the example is made up
cadres:
  - name: 张示例
    post: 村委会主任
    id: "320281198001011234"
    relatives:
      - {{name: 李示例, relation: 配偶, id: "320281198202021235"}}
"""

REVIEWS_YAML = """\
# 财务月度审核：镇（街道）农经站对每月记账凭证和收支流水的审核，一个月一行。
# 只有“已通过”的月份才会公开；没写或写“待审核”“退回”的月份（以及它后面的月份）都只在预览里看到。
# the 农经站 reviews each month of the journal; only approved months are published (drafts in the preview)
{month}: {{department: {department}, reviewer: 张三, date: {month}-10, status: 待审核}}
"""

ITEM = """\
---
# 示例（草稿）：照着改成本村的事项，审核通过后才公开 / an example, a draft until approved
# 标题和日期必填，日期写成 2026-01-15 / title and date are required; a date like 2026-01-15
title: {title}
date: 2026-01-15
{category}# 依据：文件、决议或协议 / the document this item rests on
basis:
  title: {basis}
# 审核：{department}审核，通过后把 status 改为 已通过 / the review; status 待审核 → 已通过
review:
  department: {department}
  reviewer: 张三
  date: 2026-01-16
  status: 待审核
---
{body}
"""

BOARDS = {  # folder -> (title, category and sub-item lines, basis, office, body)
    "party": (
        "示例：支部委员会会议纪要",
        "category: 组织建设\nsubitem: 支部委员会\n",
        "村党委会议决议",
        "组织办",
        "这里写正文。可以用 **加粗**、列表和表格，不能写 HTML。",
    ),
    "affairs": (
        "示例：村“两委”成员分工",
        "category: 村干部\nsubitem: 干部分工\n",
        "村民委员会会议决定",
        "民政办",
        "| 姓名 | 职务 | 分工 |\n| --- | --- | --- |\n| 张示例 | 村委会主任 | 主持全面工作 |",
    ),
    "finance": (
        "示例：一月份收支情况",
        "category: 收支情况\nsubitem: 收入明细\n",
        "本村记账凭证及会计账簿",
        "农经站",
        "一月份收到土地发包款 12000.00 元，见收支流水。",
    ),
    "rules": (
        "示例：村级财务管理制度",
        "",
        "村民代表会议决议",
        "农经站",
        "第一条 村集体资金全部存入村集体银行基本账户。",
    ),
}

# finance/tables/: file -> the first accepted header of each column of its kind (finance.TABLE_COLUMNS)
TABLES = {
    "资产.csv": "assets",
    "资源.csv": "leases",
    "工程项目.csv": "projects",
    "预算.csv": "budget",
    "补助名单.csv": "payouts",
}

JOURNAL_HEADERS = ("日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数")
JOURNAL_EXAMPLE = (
    (datetime(2026, 1, 5), "记-1", "收到土地发包款（示例）", "102", None, 12000.00, None, "", 0),
    (datetime(2026, 1, 5), "记-1", "收到土地发包款（示例）", "501", None, None, 12000.00, "承包户", 0),
)


def new_town(content: Path, town: str, title: str) -> Path:
    """CONTENT/TOWN with its town.yaml naming it `title` (the Chinese name, e.g. 夏港街道)."""
    _check_slug(town)
    folder = content / town
    if folder.exists():
        raise ScaffoldError(f"{folder} 已经存在 / already exists")
    folder.mkdir(parents=True)
    (folder / "town.yaml").write_text(TOWN_YAML.format(name=_quoted(title)), encoding="utf-8")
    return folder


def new_village(content: Path, town: str, name: str, title: str, town_title: str | None = None) -> Path:
    """CONTENT/TOWN/NAME, a village that passes `sitegen check` as it is (every example a draft). A town folder
    that does not exist yet is made too, named `town_title` (required then: a town's name is Chinese)."""
    for folder in (town, name):
        _check_slug(folder)
    town_dir = content / town
    village = town_dir / name
    if village.exists():
        raise ScaffoldError(f"{village} 已经存在 / already exists")
    if not (town_dir / "town.yaml").is_file():
        if not town_title:
            raise ScaffoldError(
                f"镇（街道）{town} 还没有建立，请用 --town-title 写它的中文名，如 --town-title 夏港街道 / "
                f"town '{town}' does not exist yet: give its Chinese name with --town-title"
            )
        town_dir.mkdir(parents=True, exist_ok=True)
        (town_dir / "town.yaml").write_text(TOWN_YAML.format(name=_quoted(town_title)), encoding="utf-8")
    town_name = _town_name(town_dir, town)
    for sub in ("party", "affairs", "finance/tables", "rules", "journal", f"scans/{EXAMPLE_MONTH}/1", "files"):
        (village / sub).mkdir(parents=True, exist_ok=True)
    (village / "village.yaml").write_text(
        VILLAGE_YAML.format(name=_quoted(title), intro=_quoted(f"{title}的“三务”公开。")), encoding="utf-8"
    )
    (village / "reviews.yaml").write_text(
        REVIEWS_YAML.format(month=EXAMPLE_MONTH, department=_quoted(f"{town_name}农经站")), encoding="utf-8"
    )
    for board, (item_title, category, basis, office, body) in BOARDS.items():
        (village / board / "example.md").write_text(
            ITEM.format(
                title=item_title, category=category, basis=basis, department=_quoted(f"{town_name}{office}"), body=body
            ),
            encoding="utf-8",
        )
    for file, kind in TABLES.items():
        headers = [names[0] for names in TABLE_COLUMNS[kind].values()]
        (village / "finance" / "tables" / file).write_text(",".join(headers) + "\n", encoding="utf-8")
    (village / "journal" / f"{EXAMPLE_MONTH}.xlsx").write_bytes(
        journal_template(EXAMPLE_YEAR, _new_accounts_from(content))
    )
    (village / "scans" / EXAMPLE_MONTH / "1" / "01.png").write_bytes(placeholder_scan())
    (village / "scans" / "README.txt").write_text(
        "每张凭证一个文件夹：scans/年-月/凭证号/，第一张是凭证本身，后面是发票、收据等（01.jpg、02.jpg……）。\n"
        "scans/2026-01/1/01.png 是示例凭证 记-1 的占位图，请换成真实扫描件。\n"
        "One folder per voucher: scans/YYYY-MM/NUMBER/, the voucher sheet first, then its attachments.\n",
        encoding="utf-8",
    )
    return village


def journal_template(year: int, new_from: int = 2024) -> bytes:
    """记账凭证 The journal as an Excel sheet: headers, an example voucher, and checks a clerk meets as they type:
    account codes from a drop-down of the chart in force that year, dates, amounts of at most two places."""
    chart = CHARTS[system_for_year(year, new_from)]
    book = Workbook()
    book.properties.created = book.properties.modified = datetime(year, 1, 1)  # not the clock
    book.remove(book.worksheets[0])
    sheet = book.create_sheet("凭证")
    sheet.append(JOURNAL_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for n, example in enumerate(JOURNAL_EXAMPLE, start=2):
        sheet.append([*example[:4], chart[str(example[3])].name, *example[5:]])
        sheet.cell(n, 1).number_format = "yyyy-mm-dd"
        sheet.cell(n, 6).number_format = sheet.cell(n, 7).number_format = "0.00"
    codes = book.create_sheet("科目表")  # the drop-down's source: a list longer than 255 characters needs a range
    codes.append(("科目编码", "科目名称", "通俗说法"))
    for account in chart.values():
        codes.append((account.code, account.name, account.plain))
    last = 1 + len(chart)
    checks = [
        DataValidation(
            type="list",
            formula1=f"='科目表'!$A$2:$A${last}",
            allow_blank=True,
            error="请从下拉列表选科目编码（见“科目表”工作表）",
            errorTitle="科目编码",
            showErrorMessage=True,
        ),
        DataValidation(
            type="date",
            operator="between",
            formula1="DATE(2000,1,1)",
            formula2="DATE(2099,12,31)",
            allow_blank=True,
            error="请写日期，如 2026-01-05",
            errorTitle="日期",
            showErrorMessage=True,
        ),
        DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="请写金额（数字，最多两位小数，如 1200.50），不要写“元”和逗号",
            errorTitle="金额",
            showErrorMessage=True,
        ),
        DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="附件张数写整数，如 2",
            errorTitle="附件张数",
            showErrorMessage=True,
        ),
    ]
    checks[0].add("D2:D5000")
    checks[1].add("A2:A5000")
    checks[2].add("F2:G5000")
    checks[3].add("I2:I5000")
    for check in checks:
        sheet.add_data_validation(check)
    for column, width in zip("ABCDEFGHI", (12, 10, 28, 10, 16, 14, 14, 16, 10)):
        sheet.column_dimensions[column].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def placeholder_scan() -> bytes:
    """A grey sheet with ruled lines: the example voucher's stand-in scan (PNG, deterministic)."""
    image = Image.new("L", (600, 400), 235)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 579, 379), outline=80, width=4)
    for y in range(80, 380, 50):
        draw.line((20, y, 579, y), fill=150, width=2)
    draw.line((300, 80, 300, 379), fill=150, width=2)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _check_slug(folder: str) -> None:
    if not SLUG.match(folder):
        raise ScaffoldError(
            f"文件夹名“{folder}”只能用小写拼音字母、数字和连字符，中文名用 --title 写 / "
            f"folder name '{folder}' must be lowercase letters, digits and hyphens; "
            f"give the Chinese name with --title"
        )


def _quoted(text: str) -> str:
    # a JSON string is a YAML scalar: a title with ':', '#' or quotes stays text, never YAML syntax
    return json.dumps(text, ensure_ascii=False)


def _new_accounts_from(content: Path) -> int:
    """site.yaml's `new_accounts_from` (the year the 2024 chart starts), 2024 when it says nothing usable."""
    try:
        data = parse_yaml((content / "site.yaml").read_text(encoding="utf-8"))
        year = data.get("new_accounts_from", 2024) if isinstance(data, dict) else 2024
    except (OSError, ValueError, yaml.YAMLError):
        return 2024
    return year if isinstance(year, int) else 2024


def _town_name(town_dir: Path, slug: str) -> str:
    """The town's name as its town.yaml gives it (the folder name when it gives none)."""
    try:
        data = parse_yaml((town_dir / "town.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return slug
    name = data.get("name") if isinstance(data, dict) else None
    return str(name).strip() if name else slug
