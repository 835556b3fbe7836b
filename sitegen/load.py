"""Stage 1, load (读取): find the content files and parse them into raw records, with their locations.

Nothing here judges the content beyond "can it be read at all" (encoding, YAML syntax, front matter shape);
`validate` turns the raw records into the typed model.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from sitegen.errors import Location, Report, rel
from sitegen.taxonomy import BY_FOLDER, POLICIES, Board

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: validate parses them and names a bad one instead of crashing."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def parse_yaml(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


# City-wide oversight folders -> the RawContent field their tables go to.
OVERSIGHT_FOLDERS = {"registries": "registries", "名单": "registries", "feedback": "feedback", "群众反映": "feedback"}
# Spreadsheets sitegen cannot read (old Excel, WPS, LibreOffice, Numbers): in a folder of tables they are an
# error, not a stray file, or a clerk's whole journal would drop out of the site with a mere warning.
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".numbers")
IGNORED = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)  # hidden, Office lock files


@dataclass
class RawDoc:
    """A parsed YAML file (site.yaml, town.yaml, village.yaml)."""

    path: Path
    where: str
    data: Any


@dataclass
class RawItem:
    """An item file: front matter (None when it could not be parsed) and Markdown body."""

    path: Path
    where: str
    board: Board
    front: dict | None
    body: str


@dataclass
class RawTable:
    """A journal table: header and data rows, each row with its row number as the clerk sees it."""

    path: Path
    where: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class RawVillage:
    slug: str
    path: Path
    where: str
    config: RawDoc | None
    items: list[RawItem] = field(default_factory=list)
    journals: list[RawTable] = field(default_factory=list)
    # (month folder, voucher folder) -> scan files in order
    scans: dict[tuple[str, str], list[Path]] = field(default_factory=dict)
    finance_tables: list[RawTable] = field(default_factory=list)  # finance/tables/*.csv|*.xlsx (finance.py)
    reviews: RawDoc | None = None           # reviews.yaml: month -> review of the finance records (review.py)
    acknowledgements: RawDoc | None = None  # acknowledgements.yaml: the township's notes on warnings (oversight.py)


@dataclass
class RawTown:
    slug: str
    path: Path
    where: str
    config: RawDoc | None
    items: list[RawItem] = field(default_factory=list)
    villages: list[RawVillage] = field(default_factory=list)


@dataclass
class RawContent:
    root: Path
    site: RawDoc | None
    items: list[RawItem] = field(default_factory=list)
    towns: list[RawTown] = field(default_factory=list)
    registries: list[RawTable] = field(default_factory=list)  # registries/: city-wide lists (registries.py)
    feedback: list[RawTable] = field(default_factory=list)    # feedback/: hotline records (questions.py)


def natural_key(name: str) -> tuple:
    """'2.jpg' before '10.jpg', as a clerk expects."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _entries(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if not IGNORED.match(p.name)), key=lambda p: natural_key(p.name))


def _read_tables(folder: Path, root: Path, report: Report) -> list[RawTable]:
    """Every CSV or Excel file of a folder of tables (journal, finance tables, registries, hotline records) that
    could be read; anything else in it is a stray file."""
    tables = []
    for path in _entries(folder):
        if path.is_file() and path.suffix.lower() in (".csv", ".xlsx"):
            table = read_table(path, root, report)
            if table is not None:
                tables.append(table)
        elif path.is_file() and path.suffix.lower() in OTHER_SPREADSHEETS:  # an error: its rows would vanish
            report.error("table-old-format", Location(rel(path, root)), name=path.name)
        else:
            report.warning("stray-file", Location(rel(path, root)), name=path.name)
    return tables


def load(root: Path, report: Report) -> RawContent:
    root = root.resolve()
    content = RawContent(root=root, site=None)
    if not root.is_dir():
        report.error("missing-file", Location(str(root)), name=str(root))
        return content
    site = root / "site.yaml"
    if site.is_file():
        content.site = read_yaml(site, root, report)
    else:
        report.error("missing-file", Location(rel(root, root)), name="site.yaml")
    for entry in _entries(root):
        if entry.is_dir() and entry.name in BY_FOLDER and BY_FOLDER[entry.name].categories == ():
            content.items += _read_items(entry, BY_FOLDER[entry.name], root, report)
        elif entry.is_dir() and entry.name in OVERSIGHT_FOLDERS:  # registries/ and feedback/: tables only
            getattr(content, OVERSIGHT_FOLDERS[entry.name]).extend(_read_tables(entry, root, report))
        elif entry.is_dir() and (entry / "town.yaml").exists():
            content.towns.append(_load_town(entry, root, report))
        elif entry.is_dir():
            report.warning("missing-file", Location(rel(entry, root)), name="town.yaml")
        elif entry.name != "site.yaml":
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return content


def _check_slug(folder: Path, yaml_name: str, root: Path, report: Report) -> None:
    if not SLUG.match(folder.name):
        report.error("folder-name", Location(rel(folder, root)), name=folder.name, yaml=yaml_name)


def _load_town(folder: Path, root: Path, report: Report) -> RawTown:
    _check_slug(folder, "town.yaml", root, report)
    town = RawTown(folder.name, folder, rel(folder, root), read_yaml(folder / "town.yaml", root, report))
    for entry in _entries(folder):
        if entry.name == "town.yaml":
            continue
        if entry.is_dir() and entry.name in BY_FOLDER and BY_FOLDER[entry.name].categories == ():
            town.items += _read_items(entry, BY_FOLDER[entry.name], root, report)
        elif entry.is_dir() and (entry / "village.yaml").exists():
            town.villages.append(_load_village(entry, root, report))
        elif entry.is_dir():
            report.warning("missing-file", Location(rel(entry, root)), name="village.yaml")
        else:
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return town


def _load_village(folder: Path, root: Path, report: Report) -> RawVillage:
    _check_slug(folder, "village.yaml", root, report)
    village = RawVillage(folder.name, folder, rel(folder, root), read_yaml(folder / "village.yaml", root, report))
    for entry in _entries(folder):
        if entry.name in ("village.yaml", "files"):
            continue
        if entry.name in ("reviews.yaml", "acknowledgements.yaml") and entry.is_file():  # review.py, oversight.py
            setattr(village, entry.stem, read_yaml(entry, root, report))
            continue
        board = BY_FOLDER.get(entry.name)
        if entry.is_dir() and board is not None and board is not POLICIES:
            village.items += _read_items(entry, board, root, report)
            if (entry / "tables").is_dir():  # finance/tables/: the finance tables, same reader as the journal
                village.finance_tables += _read_tables(entry / "tables", root, report)
        elif entry.is_dir() and entry.name in ("journal", "凭证"):
            village.journals += _read_tables(entry, root, report)
        elif entry.is_dir() and entry.name in ("scans", "扫描件"):
            village.scans = _scan_folders(entry)
        else:
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return village


def _scan_folders(folder: Path) -> dict[tuple[str, str], list[Path]]:
    found: dict[tuple[str, str], list[Path]] = {}
    for month in _entries(folder):
        if not month.is_dir():
            continue
        for voucher in _entries(month):
            if voucher.is_dir():
                found[(month.name, voucher.name)] = [p for p in _entries(voucher) if p.is_file()]
    return found


def read_yaml(path: Path, root: Path, report: Report) -> RawDoc | None:
    text = read_text(path, root, report)
    if text is None:
        return None
    try:
        data = parse_yaml(text)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:  # RecursionError: brackets nested thousands deep
        report.error("yaml-syntax", _yaml_location(exc, path, root, 0), detail=_yaml_detail(exc))
        return None
    return RawDoc(path, rel(path, root), data if data is not None else {})


def _yaml_location(exc: Exception, path: Path, root: Path, offset: int) -> Location:
    mark = getattr(exc, "problem_mark", None)
    return Location(rel(path, root), mark.line + 1 + offset if mark is not None else None)


def _yaml_detail(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "括号或缩进嵌套太深 / nested too deeply"
    return str(getattr(exc, "problem", None) or exc).strip()


def read_text(path: Path, root: Path, report: Report) -> str | None:
    """Text as clerks save it: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error("file-unreadable", Location(rel(path, root)), detail=exc.strerror)
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    report.error("encoding", Location(rel(path, root)))
    return None


def _read_items(folder: Path, board: Board, root: Path, report: Report) -> list[RawItem]:
    items = []
    for path in _entries(folder):
        if path.is_dir() or path.suffix.lower() not in (".md", ".markdown"):
            if not path.is_dir() or path.name not in ("files", "tables"):  # tables/: finance.py
                report.warning("stray-file", Location(rel(path, root)), name=path.name)
            continue
        text = read_text(path, root, report)
        if text is None:
            continue
        items.append(_split_item(path, text, board, root, report))
    return items


def _split_item(path: Path, text: str, board: Board, root: Path, report: Report) -> RawItem:
    where = rel(path, root)
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None) \
        if lines and lines[0].strip() == "---" else None
    if end is None:
        report.error("front-matter", Location(where, 1))
        return RawItem(path, where, board, None, text)
    body = "\n".join(lines[end + 1:])
    try:
        front = parse_yaml("\n".join(lines[1:end]))
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        report.error("yaml-syntax", _yaml_location(exc, path, root, 1), detail=_yaml_detail(exc))
        return RawItem(path, where, board, None, body)
    if not isinstance(front, dict):
        report.error("yaml-not-mapping", Location(where, 2))
        return RawItem(path, where, board, None, body)
    return RawItem(path, where, board, front, body)


def read_table(path: Path, root: Path, report: Report) -> RawTable | None:
    """A CSV (UTF-8 or GB18030) or the first visible sheet of an .xlsx, as strings; row 1 is the header."""
    where = rel(path, root)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, where, report)
    text = read_text(path, root, report)
    if text is None:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        report.error("file-unreadable", Location(where), detail=str(exc))
        return None
    return _table(path, where, None, rows, report)


def _read_xlsx(path: Path, where: str, report: Report) -> RawTable | None:
    import openpyxl  # imported here: only clerks with Excel journals pay for it
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file; all mean "cannot read"
        report.error("file-unreadable", Location(where), detail=f"{type(exc).__name__}: {exc}")
        return None
    try:
        # the first sheet the clerk can see: a hidden one holds old drafts or lookups, never the table itself
        sheet = next((s for s in book.worksheets if s.sheet_state == "visible"), book.worksheets[0])
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        return _table(path, where, sheet.title, rows, report)
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, where: str, sheet: str | None, rows: list[list[str]], report: Report) -> RawTable | None:
    numbered = [(n, [c.strip() for c in row]) for n, row in enumerate(rows, start=1)]
    numbered = [(n, row) for n, row in numbered if any(row)]
    if not numbered:
        report.error("table-empty", Location(where, sheet=sheet))
        return None
    (_, header), data = numbered[0], numbered[1:]
    if not data:
        report.error("table-empty", Location(where, sheet=sheet))
        return None
    return RawTable(path, where, sheet, header, data)


def table_columns(table: RawTable, spec: dict[str, tuple[str, ...]], required: tuple[str, ...],
                  report: Report) -> dict[str, int] | None:
    """Field -> column index, headers compared without spaces and case; unknown headers warned about, missing
    required columns reported (each naming the accepted headers). None when a required column is missing."""
    lookup = {h.lower(): f for f, names in spec.items() for h in names}
    index: dict[str, int] = {}
    header_row = table.rows[0][0] - 1 if table.rows else 1
    where = Location(table.where, header_row, sheet=table.sheet)
    for i, header in enumerate(table.header):
        key = re.sub(r"\s+", "", header).lower()
        if key in lookup:
            index.setdefault(lookup[key], i)
        elif key:
            report.warning("table-header-unknown", where, column=header)
    missing = [f for f in required if f not in index]
    for f in missing:
        report.error("table-header", where, column=spec[f][0], choices=" / ".join(spec[f]))
    return None if missing else index


Cell = Callable[[str], str]
Loc = Callable[..., Location]


def table_rows(table: RawTable, index: dict[str, int]) -> Iterator[tuple[int, Cell, Loc]]:
    """Each data row as (row number, cell(field) -> text, loc(field=None) -> Location naming file/sheet/row/column)."""
    for row_no, row in table.rows:
        def cell(f: str, _row: list[str] = row) -> str:
            i = index.get(f)
            return _row[i].strip() if i is not None and i < len(_row) else ""

        def loc(f: str | None = None, _n: int = row_no) -> Location:
            return Location(table.where, _n, table.header[index[f]] if f in index else None, table.sheet)
        yield row_no, cell, loc
