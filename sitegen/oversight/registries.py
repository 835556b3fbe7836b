"""Registries (名单): the people and companies the payment warnings look for.

- City-wide, in `registries/` at the content root, each a CSV or .xlsx (read by `load.read_table`), the kind
  told by the file name: 不良企业名单 (bad enterprises), 失信人员名单 (dishonest persons, 失信被执行人) and the
  death register (死亡登记).
- Per village, in village.yaml: `cadres:` (村干部, each with close relatives) and `allowance_recipients:`
  (低保对象).

Names are compared normalised: NFKC (full-width letters, digits and brackets become half-width) with every
space removed, so "江阴市 宏达（建材）" and "江阴市宏达(建材)" are one name, but a name that differs by one character
is another name. ID numbers and unified social credit codes are compared without spaces or hyphens, upper-cased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import PurePosixPath

from sitegen.content.config import check_keys, get_text
from sitegen.content.dates import PAST, read_day
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawTable, table_columns, table_rows
from sitegen.content.model import Cadre, Recipient, Relative

# kind -> (file name prefixes, title in plain words)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "bad-enterprise": (("不良企业", "bad-enterprise"), "不良企业名单"),
    "dishonest": (("失信", "dishonest"), "失信人员名单"),
    "death": (("死亡", "death"), "死亡登记"),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "企业名称", "单位名称", "姓名", "name"),
    "id": ("统一社会信用代码", "身份证号", "身份证号码", "证件号码", "证件号", "id"),
    "date": ("列入日期", "死亡日期", "日期", "date"),
    "note": ("说明", "列入原因", "原因", "备注", "note"),
}
CADRE_KEYS = ("name", "post", "id", "relatives")
RELATIVE_KEYS = ("name", "relation", "id")
RECIPIENT_KEYS = ("name", "id")


@lru_cache(maxsize=1 << 16)
def norm_name(text: str) -> str:
    """A name as compared (NFKC, no spaces); remembered: oversight compares each payee with every listed person."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1 << 16)
def norm_id(text: str) -> str:
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text)).upper()


@dataclass(frozen=True, slots=True)
class Entry:
    """名单条目 One row of a registry: a company or person, and since when (listed, or died)."""

    kind: str
    name: str
    id: str
    date: date | None
    note: str
    where: Location


@dataclass(slots=True)
class Registries:
    entries: list[Entry] = field(default_factory=list)

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]


def kind_of(table: RawTable) -> str | None:
    stem = PurePosixPath(table.where).stem.lower()
    return next((kind for kind, (prefixes, _) in KINDS.items() if stem.startswith(prefixes)), None)


def read_registries(tables: list[RawTable], report: Report) -> Registries:
    out = Registries()
    for table in tables:
        kind = kind_of(table)
        if kind is None:
            report.error("registry-kind", Location(table.where), name=PurePosixPath(table.where).name)
            continue
        cols = table_columns(table, COLUMNS, ("name", "date") if kind == "death" else ("name",), report)
        if cols is None:
            continue
        for _, cell, loc in table_rows(table, cols):
            if not cell("name"):
                report.error("missing-key", loc("name"), key=table.header[cols["name"]])
                continue
            day = None
            if cell("date"):
                day = read_day(cell("date"), loc("date"), table.header[cols["date"]], report, PAST)
                if day is None:
                    continue
            elif kind == "death":
                report.error("missing-key", loc("date"), key=table.header[cols["date"]])
                continue
            out.entries.append(Entry(kind, cell("name"), cell("id"), day, cell("note"), loc()))
    return out


# ---- village.yaml: cadres and allowance recipients ----------------------------------------------------------


def _people(data: dict, key: str, where: Location, report: Report) -> list[dict]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        report.error(
            "bad-value",
            where,
            key=key,
            detail="应当是一个列表，每人一项：- name: 张三",
            detail_en="expected a list, one '- name: …' per person",
        )
        return []
    return value


def _id(data: dict, where: Location, report: Report) -> str:
    value = data.get("id")
    return "" if value is None else get_text(data, "id", where, report) if not isinstance(value, int) else str(value)


def village_people(data: dict, where: Location, report: Report) -> tuple[list[Cadre], list[Recipient]]:
    """`cadres:` and `allowance_recipients:` of a village.yaml (already checked for unknown top-level keys)."""
    cadres = []
    for entry in _people(data, "cadres", where, report):
        if not check_keys(entry, CADRE_KEYS, ("name",), where, report):
            continue
        relatives = []
        for rel in _people(entry, "relatives", where, report):
            if check_keys(rel, RELATIVE_KEYS, ("name",), where, report):
                relatives.append(
                    Relative(
                        get_text(rel, "name", where, report),
                        get_text(rel, "relation", where, report),
                        _id(rel, where, report),
                    )
                )
        cadres.append(
            Cadre(
                get_text(entry, "name", where, report),
                get_text(entry, "post", where, report),
                _id(entry, where, report),
                tuple(relatives),
            )
        )
    recipients = [
        Recipient(get_text(e, "name", where, report), _id(e, where, report))
        for e in _people(data, "allowance_recipients", where, report)
        if check_keys(e, RECIPIENT_KEYS, ("name",), where, report)
    ]
    return cadres, recipients
