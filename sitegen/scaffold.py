"""`sitegen new village`: a village folder with commented examples a clerk can copy from."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from sitegen.load import SLUG, parse_yaml


class ScaffoldError(Exception):
    """A plain message for the clerk (Chinese, then English)."""


VILLAGE_YAML = """\
# 村的基本信息 / the village
name: {name}
# 村首页上的一段简介（可选）
intro: {intro}
# 记账开始时各账户的余额（元），每个账户一行 / each account's balance before the first journal line
opening_balances:
  库存现金: "0.00"
  银行存款: "0.00"
"""

PARTY_EXAMPLE = """\
---
# 标题和日期必填 / title and date are required
title: 示例：支部委员会会议纪要
date: 2026-01-15
# 党务的类别：政治建设、思想建设、组织建设、作风建设、纪律建设、三重一大、其他事项
category: 组织建设
subitem: 支部委员会
# 依据：文件、决议或协议 / the document this item rests on
basis:
  title: 村党委会议决议
  number: 〔2026〕1号
# 审核 / review by the town's organisation office
review:
  department: {department}
  reviewer: 张三
  date: 2026-01-16
  status: 待审核
---
这里写正文。可以用 **加粗**、列表和表格，不能写 HTML。
"""

JOURNAL_EXAMPLE = """\
日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,往来单位,附件张数
2026-01-05,记-1,收到土地发包款,102,银行存款,12000.00,,,1
2026-01-05,记-1,收到土地发包款,501,经营收入,,12000.00,承包户,1
"""


def new_village(content: Path, town: str, name: str, title: str) -> Path:
    for folder in (town, name):
        if not SLUG.match(folder):
            raise ScaffoldError(f"文件夹名“{folder}”只能用小写拼音字母、数字和连字符 / "
                                f"folder name '{folder}' must be lowercase letters, digits and hyphens")
    town_dir = content / town
    village = town_dir / name
    if village.exists():
        raise ScaffoldError(f"{village} 已经存在 / already exists")
    if not town_dir.exists():
        town_dir.mkdir(parents=True)
        (town_dir / "town.yaml").write_text(f"# 镇（街道）名称 / the town's name\nname: {town}\n", encoding="utf-8")
    for sub in ("party", "affairs", "finance", "rules", "journal", "scans/2026-01/1", "files"):
        (village / sub).mkdir(parents=True, exist_ok=True)
    # quoted (a JSON string is a YAML scalar): a title with ':', '#' or quotes stays text, never YAML syntax
    quoted = {"name": json.dumps(title, ensure_ascii=False), "intro": json.dumps(f"{title}的“三务”公开。", ensure_ascii=False)}
    (village / "village.yaml").write_text(VILLAGE_YAML.format(**quoted), encoding="utf-8")
    office = json.dumps(f"{_town_name(town_dir, town)}组织办", ensure_ascii=False)  # who reviews 党务 (reviewers.py)
    (village / "party" / "example.md").write_text(PARTY_EXAMPLE.replace("{department}", office), encoding="utf-8")
    (village / "journal" / "2026-01.csv").write_text(JOURNAL_EXAMPLE, encoding="utf-8")
    (village / "scans" / "README.txt").write_text(
        "每张凭证一个文件夹：scans/年-月/凭证号/，第一张是凭证本身，后面是发票、收据等（01.jpg、02.jpg……）。\n"
        "One folder per voucher: scans/YYYY-MM/NUMBER/, the voucher sheet first, then its attachments.\n",
        encoding="utf-8")
    return village


def _town_name(town_dir: Path, slug: str) -> str:
    """The town's name as its town.yaml gives it (the folder name when it gives none)."""
    try:
        data = parse_yaml((town_dir / "town.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return slug
    name = data.get("name") if isinstance(data, dict) else None
    return str(name).strip() if name else slug
