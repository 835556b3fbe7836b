"""Stage 1, load (读取): find the content files and parse them into raw records, with their locations.

Nothing here judges the content beyond "can it be read at all" (encoding, YAML syntax, front matter shape);
`validate` turns the raw records into the typed model.
"""

from __future__ import annotations

import csv
import difflib
import errno
import io
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

try:
    from yaml._yaml import CParser  # (where yaml.CSafeLoader's comes from)
except ImportError:  # PyYAML built without libyaml: the pure-Python parser reads everything
    CParser = None  # type: ignore[assignment,misc]

from sitegen.content.errors import Location, Problem, Report, rel
from sitegen.content.files import IGNORED, kernel_stat, within
from sitegen.content.sheets import openpyxl
from sitegen.content.taxonomy import BY_FOLDER, POLICIES, Board

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class DuplicateKey(yaml.MarkedYAMLError):
    """A mapping names the same key twice (YAML's own loader keeps the last silently)."""

    def __init__(self, key: object, first: yaml.Mark, again: yaml.Mark):
        super().__init__(problem=f"duplicate key {key!r}", problem_mark=again)
        self.key, self.first, self.again = key, first, again


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe YAML that leaves dates as text (validate parses them and names a bad one instead of crashing) and
    refuses a key written twice in one mapping, naming the line of the second."""

    first_line = 1  # the file line the parsed text starts on (parse_yaml)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # the base class reports an unhashable key
                if key in seen:
                    raise DuplicateKey(key, seen[key], key_node.start_mark)
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


class _Loader(  # yaml.SafeLoader's parts, with _Constructor
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _Constructor,
    yaml.resolver.Resolver,
):
    """The pure-Python parser: what every document's problems are reported by, in its words (yaml_mistake)."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


class YamlMapping(dict):
    """A YAML mapping that remembers the line each key is written on (1-based, in the file), so that a problem
    with one key (unknown, wrong type, bad value) names its line (config.key_where). A plain dict otherwise."""

    lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines = {}


def _mapping_with_lines(loader: Any, node: yaml.MappingNode) -> Iterator[YamlMapping]:  # loader: either parser
    data = YamlMapping()
    yield data  # first, as SafeLoader's own mapping constructor does: an anchor may refer back to it
    data.update(loader.construct_mapping(node))
    for key_node, _ in node.value:  # merged (<<) keys included: construct_mapping flattened them in
        key = loader.construct_object(key_node, deep=True)
        try:
            data.lines.setdefault(key, key_node.start_mark.line + loader.first_line)
        except TypeError:
            continue  # an unhashable key: construct_mapping has refused it already


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):  # `!!timestamp [..]`: a YAML error naming the line, as PyYAML would
        raise yaml.constructor.ConstructorError(None, None, "expected a scalar node", node.start_mark)
    return loader.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_Constructor.add_constructor("tag:yaml.org,2002:map", _mapping_with_lines)

_CLoader: Callable[[str], Any] | None = None
if CParser is not None:

    class _CParsed(CParser, _Constructor, yaml.resolver.Resolver):  # yaml.CSafeLoader's parts, with _Constructor
        """libyaml's parser (C, ~5x faster) with the same constructor: for the documents it reads as the
        pure-Python parser does (parse_yaml says which)."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _CLoader = _CParsed


# What libyaml and PyYAML's own parser could read differently, or where one fails and the other does not: any
# character but a line feed and the printable ones both accept (tabs, CR, NEL and the line and paragraph
# separators, a BOM, controls, NUL, surrogates), the indicators of tags, anchors, aliases, directives, reserved
# ones, block scalars, complex keys, quoted scalars (escapes, folding) and flow collections (but an empty list
# written `[]` at the end of a line: a quarter of all front matter), document markers, deep nesting (the pure
# parser recurses and runs out of stack where libyaml does not: indentation of 40 columns, eight compact `- `),
# and lines of 1,000 characters or more (the parsers' 1,024-character limit on simple keys).
_PURE_ONLY = re.compile(
    r"[^\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    r"|[!&*%@`|>?\\{}\"']|\[(?!\] *$)|(?<!\[)\]"
    r"|^(?:---|\.\.\.)|^ {40}|(?:- +){8}|^[^\n]{1000}",
    re.M,
)
# A one-line list of plain words and paths as a key's value, `images: [../files/a.jpg, b.jpg]`: both parsers read
# it alike (letters, digits, CJK, `_ . / -`, items after `, `; no `?`, `:`, `#`, quotes or brackets in them), so it
# is checked as the empty list `[]` would be (~70 of a seed-scale village's ~110 texts held one, and went to the
# pure parser only for it). Its line's length is checked as written.
_PLAIN_LIST = re.compile(
    r"(?<=: )\[[0-9A-Za-z_\u4e00-\u9fff.][0-9A-Za-z_\u4e00-\u9fff./-]*"
    r"(?:, [0-9A-Za-z_\u4e00-\u9fff.][0-9A-Za-z_\u4e00-\u9fff./-]*)*\](?= *$)",
    re.M,
)
_LONG_LINE = re.compile(r"^[^\n]{1000}", re.M)


def pure_only(text: str) -> bool:
    """Whether `text` holds anything libyaml and PyYAML's own parser could read differently (_PURE_ONLY), its
    plain one-line lists (_PLAIN_LIST) taken as read alike."""
    listed, lists = _PLAIN_LIST.subn("[]", text)
    return bool(_PURE_ONLY.search(listed)) or (lists > 0 and bool(_LONG_LINE.search(text)))


def parse_yaml(text: str, first_line: int = 1):
    """Safe YAML with dates as text and every mapping a YamlMapping; `first_line`: the file line `text` starts on
    (2 for front matter, after its `---`).

    Read by libyaml when the text holds nothing the two parsers could read differently (pure_only), and by
    PyYAML's pure-Python parser otherwise, or when libyaml finds any problem at all: every problem is reported
    by the pure parser, in today's words and marks, and what libyaml reads is what the pure parser reads
    (tests/test_load.py compares the two on every YAML text of the sample and the fixtures, odd ones and
    thousands of random edits of them)."""
    if _CLoader is not None and not pure_only(text):
        try:
            return _parse(_CLoader, text, first_line)
        except Exception:  # any problem at all: the pure parser reads it again and reports it, as it always has
            pass
    return _parse(_Loader, text, first_line)


def _parse(kind: Callable[[str], Any], text: str, first_line: int):
    loader = kind(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# ---- opening clerk files: one gate for every file the loader or validate opens ------------------------------
MAX_TEXT_BYTES = 16 * 2**20  # Markdown, YAML, CSV: a clerk's text is kilobytes; 16 MB is surely a wrong file
MAX_TABLE_BYTES = 64 * 2**20  # .xlsx (zipped; openpyxl holds the sheet in memory)
MAX_IMAGE_BYTES = 512 * 2**20  # scans and images: pixel counts are checked separately (assets.probe)
# Names of the files sitegen reads: a folder named like one is an error, not a silently skipped folder.
FILE_SUFFIXES = frozenset(
    {
        ".md",
        ".markdown",
        ".yaml",
        ".yml",
        ".csv",
        ".xlsx",
        ".jpg",
        ".jpeg",
        ".png",
        ".tif",
        ".tiff",
        ".pdf",
        ".heic",
        ".heif",
    }
)
MAX_TABLE_ROWS = 200_000  # a village's journal has a few thousand rows a year
MAX_TABLE_COLUMNS = 100  # the widest table has about 20 columns; the rest of a wider sheet is not read
_KINDS = {
    stat.S_IFIFO: ("命名管道", "a named pipe"),
    stat.S_IFSOCK: ("套接字", "a socket"),
    stat.S_IFCHR: ("设备", "a device"),
    stat.S_IFBLK: ("设备", "a device"),
    stat.S_IFDIR: ("文件夹", "a folder"),
}


class FileProblem(Exception):
    """Why a clerk's file may not be opened: a catalogue code and its parameters (besides `value`)."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n} B"


def content_file(path: Path, root: Path, limit: int | None = None) -> Path:
    """The real path of a clerk's file, checked before anything opens it: it must resolve (symbolic links
    followed) to a place inside the content folder `root` (a link pointing inside is accepted, one pointing out
    is `path-outside`), not be a link loop, be a regular file (a named pipe would block the build for ever, a
    device or folder cannot be read) and, with `limit`, be at most that many bytes. Raises FileProblem."""
    return content_stat(path, root, limit)[0]


def content_stat(path: Path, root: Path, limit: int | None = None) -> tuple[Path, os.stat_result]:
    """`content_file`, with what `stat` said of the file: the one stat a scan is given in a check (its stat facts
    for the header and decode records, its size, its kind), taken from the kernel's handle on it (kernel_stat)."""
    found = None
    try:  # where it leads is judged before whether it exists: no probing outside
        found = kernel_stat(path)
        resolved = found[0] if found is not None else path.resolve()
    except RuntimeError:  # Python < 3.13 reports a link loop so
        raise FileProblem("path-loop") from None
    except ValueError:  # a NUL character in a name written in YAML ("a\0.jpg")
        raise FileProblem("path-missing") from None
    except OSError as exc:
        raise FileProblem(
            "path-loop" if exc.errno == errno.ELOOP else "file-unreadable", detail=exc.strerror or str(exc)
        ) from None
    if not within(resolved, root):
        raise FileProblem("path-outside")
    try:
        st = found[1] if found is not None else os.stat(resolved)
    except FileNotFoundError:
        raise FileProblem("path-missing") from None
    except OSError as exc:
        raise FileProblem(
            "path-loop" if exc.errno == errno.ELOOP else "file-unreadable", detail=exc.strerror or str(exc)
        ) from None
    _check_stat(st, limit)
    return resolved, st


def _check_stat(st: os.stat_result, limit: int | None) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), ("特殊文件", "a special file"))
        raise FileProblem("path-not-file", kind=kind[0], kind_en=kind[1])
    if limit is not None and st.st_size > limit:
        raise FileProblem("file-too-large", size=_size(st.st_size), limit=_size(limit))


def report_file_problem(problem: FileProblem, where: Location, value: str, report: Report) -> None:
    """Report it once: a town.yaml that is a named pipe is met by the walk and by the reader."""
    if not any(p.code == problem.code and p.where == where for p in report.problems):
        report.error(problem.code, where, value=value, **problem.params)


def read_content_bytes(path: Path, root: Path, report: Report, limit: int = MAX_TEXT_BYTES) -> bytes | None:
    """A clerk's file's bytes through `content_file`; opened without blocking and checked again on the open
    handle (the file may have been swapped since), never more than `limit` bytes read. None after a report."""
    where = rel(path, root)
    try:
        resolved = content_file(path, root, limit)
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        try:
            _check_stat(os.fstat(fd), limit)
            chunks, total = [], 0
            while total <= limit:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
        if total > limit:
            raise FileProblem("file-too-large", size=f"> {_size(limit)}", limit=_size(limit))
        return b"".join(chunks)
    except FileProblem as problem:
        report_file_problem(problem, Location(where), where, report)
    except OSError as exc:
        report.error("file-unreadable", Location(where), detail=exc.strerror or str(exc))
    return None


# City-wide oversight folders -> the RawContent field their tables go to.
OVERSIGHT_FOLDERS = {"registries": "registries", "名单": "registries", "feedback": "feedback", "群众反映": "feedback"}
# Spreadsheets sitegen cannot read (old Excel, WPS, LibreOffice, Numbers): in a folder of tables they are an
# error, not a stray file, or a clerk's whole journal would drop out of the site with a mere warning.
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".numbers")


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
    reviews: RawDoc | None = None  # reviews.yaml: month -> review of the finance records (review.py)
    acknowledgements: RawDoc | None = None  # acknowledgements.yaml: the township's notes on warnings (oversight.py)
    # memory (issue 14): its folders of records (boards, journal, scans), in the order met, not read yet: `load`
    # leaves them to `read_records` when the village is validated, so one village's rows are held at a time
    unread: list[Path] = field(default_factory=list)


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
    feedback: list[RawTable] = field(default_factory=list)  # feedback/: hotline records (questions.py)


def natural_key(name: str) -> tuple:
    """'2.jpg' before '10.jpg', as a clerk expects."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _utf8(name: str) -> bool:
    """Whether a name read from the disk is text: bytes that are not UTF-8 come back as lone surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _entries(folder: Path, root: Path, report: Report) -> list[Path]:
    """A folder's entries a walk may go on with, in natural order: files and real folders. Refused with an error
    (and left out): links that lead out of the content folder, loop or dangle, linked folders (a second copy of
    a folder, and one that change tracking would not follow), and anything neither a file nor a folder (named
    pipes, sockets, devices). A link to a file inside the content folder is kept: `content_file` follows it."""
    return [path for path, _ in _typed_entries(folder, root, report)]


def _typed_entries(folder: Path, root: Path, report: Report) -> list[tuple[Path, bool]]:
    """`_entries`, each with whether it is a folder (a link kept leads to a file: linked folders are refused).
    What each entry is comes from the folder's listing (os.scandir's file types), not a stat of each: a
    seed-scale village's ~2,200 scans were each stat'ed twice (lstat here, is_dir by the caller)."""
    keep = []
    try:
        with os.scandir(folder) as listing:
            children = sorted((e for e in listing if not IGNORED.match(e.name)), key=lambda e: natural_key(e.name))
    except OSError as exc:
        report.error("file-unreadable", Location(rel(folder, root)), detail=exc.strerror or str(exc))
        return []
    for child in children:
        path = folder / child.name
        if not _utf8(child.name):  # bytes from an old unzip (GBK): every later stage names files in UTF-8
            shown = os.fsencode(child.name).decode("gb18030", "replace")
            report.error("file-name-encoding", Location(rel(folder, root)), name=shown)
            continue
        try:
            is_dir = child.is_dir(follow_symlinks=False)
            if child.is_symlink():
                target = content_file(path, root) if not path.is_dir() else None
                if target is None:  # a linked folder (is_dir follows the link)
                    resolved = path.resolve()
                    raise FileProblem(
                        "path-outside" if not resolved.is_relative_to(root) else "path-not-file",
                        kind="指向文件夹的快捷方式（符号链接），请放真正的文件夹",
                        kind_en="a link to a folder; put the real folder here",
                    )
            elif is_dir and path.suffix.lower() in FILE_SUFFIXES:
                raise FileProblem("path-not-file", kind="文件夹", kind_en="a folder")
            elif not is_dir and not child.is_file(follow_symlinks=False):
                _check_stat(child.stat(follow_symlinks=False), None)
        except FileProblem as problem:
            name = rel(path, root)
            report_file_problem(problem, Location(name), name, report)
            continue
        except (OSError, RuntimeError) as exc:
            report.error(
                "file-unreadable", Location(rel(path, root)), detail=getattr(exc, "strerror", None) or str(exc)
            )
            continue
        keep.append((path, is_dir))
    return keep


def _read_tables(folder: Path, root: Path, report: Report) -> list[RawTable]:
    """Every CSV or Excel file of a folder of tables (journal, finance tables, registries, hotline records) that
    could be read; anything else in it is a stray file."""
    tables = []
    for path in _entries(folder, root, report):
        if path.is_file() and path.suffix.lower() in (".csv", ".xlsx"):
            table = read_table(path, root, report)
            if table is not None:
                tables.append(table)
        elif path.is_file() and path.suffix.lower() in OTHER_SPREADSHEETS:  # an error: its rows would vanish
            report.error("table-old-format", Location(rel(path, root)), name=path.name)
        else:
            report.warning("stray-file", Location(rel(path, root)), name=path.name)
    return tables


class Remembered(Protocol):
    """What load asks of the memo of validated villages (validate/memo.py): a stand-in for a village remembered
    unchanged (its loading's problems reported again), else None; and, for a village loaded afresh, the problems
    its loading reported."""

    def recall(self, folder: Path, root: Path, report: Report) -> RawVillage | None: ...

    def loaded(self, folder: Path, problems: list[Problem]) -> None: ...


def load(root: Path, report: Report, memo: Remembered | None = None) -> RawContent:
    """The content folder `root` as raw records. With `memo`, a village remembered unchanged is not read (its
    stand-in holds only its documents for oversight; validate restores the rest). A village's records (items,
    journal, finance tables, scans) are read by `read_records` when validate comes to it, not here: the raw rows
    of the whole city held at once would be the build's peak of memory (issue 14)."""
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
    for entry in _entries(root, root, report):
        if entry.is_dir() and entry.name in BY_FOLDER and BY_FOLDER[entry.name].categories == ():
            content.items += _read_items(entry, BY_FOLDER[entry.name], root, report)
        elif entry.is_dir() and entry.name in OVERSIGHT_FOLDERS:  # registries/ and feedback/: tables only
            getattr(content, OVERSIGHT_FOLDERS[entry.name]).extend(_read_tables(entry, root, report))
        elif entry.is_dir() and (entry / "town.yaml").exists():
            content.towns.append(_load_town(entry, root, report, memo))
        elif entry.is_dir():
            report.warning("missing-file", Location(rel(entry, root)), name="town.yaml")
        elif entry.name != "site.yaml":
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return content


def _check_slug(folder: Path, yaml_name: str, root: Path, report: Report) -> None:
    if not SLUG.match(folder.name):
        report.error("folder-name", Location(rel(folder, root)), name=folder.name, yaml=yaml_name)


def _load_town(folder: Path, root: Path, report: Report, memo: Remembered | None = None) -> RawTown:
    _check_slug(folder, "town.yaml", root, report)
    town = RawTown(folder.name, folder, rel(folder, root), read_yaml(folder / "town.yaml", root, report))
    for entry in _entries(folder, root, report):
        if entry.name == "town.yaml":
            continue
        if entry.is_dir() and entry.name in BY_FOLDER and BY_FOLDER[entry.name].categories == ():
            town.items += _read_items(entry, BY_FOLDER[entry.name], root, report)
        elif entry.is_dir() and (entry / "village.yaml").exists():
            town.villages.append(_village(entry, root, report, memo))
        elif entry.is_dir():
            report.warning("missing-file", Location(rel(entry, root)), name="village.yaml")
        else:
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return town


def _village(folder: Path, root: Path, report: Report, memo: Remembered | None) -> RawVillage:
    """A village's raw records, or the memo's stand-in when it is remembered unchanged."""
    if memo is None:
        return _load_village(folder, root, report)
    village = memo.recall(folder, root, report)
    if village is None:
        start = len(report.problems)
        village = _load_village(folder, root, report)
        memo.loaded(folder, report.problems[start:])
    return village


def _load_village(folder: Path, root: Path, report: Report) -> RawVillage:
    """A village's documents (village.yaml, reviews.yaml, acknowledgements.yaml), and its folders of records
    found but left unread (`read_records`)."""
    _check_slug(folder, "village.yaml", root, report)
    village = RawVillage(folder.name, folder, rel(folder, root), read_yaml(folder / "village.yaml", root, report))
    for entry in _entries(folder, root, report):
        if entry.name in ("village.yaml", "files"):
            continue
        if entry.name in ("reviews.yaml", "acknowledgements.yaml") and entry.is_file():  # review.py, oversight.py
            setattr(village, entry.stem, read_yaml(entry, root, report))
            continue
        if entry.is_dir() and _records_of(entry) is not None:
            village.unread.append(entry)
        else:
            report.warning("stray-file", Location(rel(entry, root)), name=entry.name)
    return village


def _records_of(folder: Path) -> Board | str | None:
    """What a folder of a village holds: a board's items (Board), "journal" or "scans"; None: a stray folder."""
    board = BY_FOLDER.get(folder.name)
    if board is not None and board is not POLICIES:
        return board
    if folder.name in ("journal", "凭证"):
        return "journal"
    if folder.name in ("scans", "扫描件"):
        return "scans"
    return None


def read_records(village: RawVillage, root: Path, report: Report) -> RawVillage:
    """The village with its records read (items, finance tables, journal, scans), its problems reported as
    loading them; `village` itself is left as it was (light, as `load` made it), so the records are dropped
    with the copy once validated. A village whose records were given (or that has none) is returned as is."""
    if not village.unread:
        return village
    full = replace(  # lists of its own: `village` keeps its
        village,
        items=list(village.items),
        journals=list(village.journals),
        finance_tables=list(village.finance_tables),
        unread=[],
    )
    for entry in village.unread:
        kind = _records_of(entry)
        if isinstance(kind, Board):
            full.items += _read_items(entry, kind, root, report)
            if (entry / "tables").is_dir():  # finance/tables/: the finance tables, same reader as the journal
                full.finance_tables += _read_tables(entry / "tables", root, report)
        elif kind == "journal":
            full.journals += _read_tables(entry, root, report)
        else:
            full.scans = _scan_folders(entry, root, report)
    return full


def _scan_folders(folder: Path, root: Path, report: Report) -> dict[tuple[str, str], list[Path]]:
    found: dict[tuple[str, str], list[Path]] = {}
    for month, is_dir in _typed_entries(folder, root, report):
        if not is_dir:
            continue
        for voucher, is_dir in _typed_entries(month, root, report):
            if is_dir:
                found[(month.name, voucher.name)] = [p for p, d in _typed_entries(voucher, root, report) if not d]
    return found


def read_yaml(path: Path, root: Path, report: Report) -> RawDoc | None:
    text = read_text(path, root, report)
    if text is None:
        return None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        _report_yaml_error(exc, text, path, root, 0, report)
        return None
    except RecursionError:  # brackets nested thousands deep
        report.error("yaml-syntax", Location(rel(path, root)), detail="nested too deeply", hint="括号或缩进嵌套太深")
        return None
    except ValueError as exc:
        report.error("yaml-syntax", Location(rel(path, root)), detail=str(exc), hint=str(exc))
        return None
    if _text_instead_of_mapping(data, text, path, root, 0, report):
        return None
    return RawDoc(path, rel(path, root), data if data is not None else {})


# The YAML mistakes clerks make, each with a test on one source line and the sentence that says what to do.
# PyYAML's mark is often a line late (it notices a full-width colon only on the next key), so `yaml_mistake`
# looks at the lines from the parser's context mark (or two lines up) to its problem mark, earliest first.
_KEY = r"[^\s:：#\-\[\]{}'\"“”][^:：#]*?"
YAML_MISTAKES: tuple[tuple[str, Callable[[str], bool], str, str], ...] = (
    (
        "tab",
        lambda line: "\t" in line,
        "这一行有 Tab 制表符：YAML 只能用空格缩进，请把 Tab 换成空格",
        "a tab character: YAML indents with spaces only",
    ),
    (
        "full-width-colon",
        lambda line: re.match(rf"^\s*(- )?{_KEY}：", line) is not None,
        "键后面用了中文冒号“：”，请改成英文冒号加一个空格，如 title: 会议",
        "a full-width colon '：' after the key; write an ASCII colon and a space, like title: 会议",
    ),
    (
        "missing-space",
        lambda line: re.match(rf"^\s*(- )?{_KEY}:[^\s/]", line) is not None,
        "冒号后面少了一个空格，请写成“键: 值”",
        "no space after the colon; write 'key: value'",
    ),
    (
        "full-width-quote",
        lambda line: re.search(r":\s+[“‘][^”’]*:(\s|$)", line) is not None,
        '用了中文引号“ ”：需要加引号时请用英文引号 "…"（或整句不加引号）',
        'full-width quotes; quote with ASCII "…" (or not at all)',
    ),
    (
        "full-width-bracket",
        lambda line: re.search(r":\s+[【［｛][^】］｝]*[,，、]|\[[^\]]*[】］]", line) is not None,
        "用了中文括号：列表请用英文方括号，如 [a.jpg, b.jpg]",
        "full-width brackets; write a list with ASCII brackets like [a.jpg, b.jpg]",
    ),
    (
        "unclosed-quote",
        lambda line: _unclosed_quote(line),
        "引号没有配对：值的开头有引号，结尾也要有同样的引号",
        "an unclosed quote: a value that starts with a quote must end with the same quote",
    ),
    (
        "unclosed-bracket",
        lambda line: line.count("[") != line.count("]") or line.count("{") != line.count("}"),
        "括号没有配对：[ 要有 ]，{ 要有 }，并写在同一行",
        "unbalanced brackets: each [ needs its ] (and { its }) on the same line",
    ),
)
_INDENTATION = (
    "缩进不对：同一层的键要左边对齐（用空格），下一层的键比上一层多缩进两个空格",
    "bad indentation: keys of one level start in the same column (spaces), a nested level two further",
)


def _unclosed_quote(line: str) -> bool:
    m = re.match(r"^\s*(- )?[^:]*:\s+([\"'])(.*)$", line) or re.match(r"^\s*- ([\"'])()(.*)$", line)
    if not m:
        return False
    quote = m.group(2) or m.group(1)
    rest = m.group(3).replace("\\\\", "").replace('\\"', "") if quote == '"' else m.group(3).replace("''", "")
    return quote not in rest


def yaml_mistake(exc: yaml.YAMLError, lines: list[str]) -> tuple[int | None, str, str]:
    """(0-based line, Chinese sentence, English sentence) for a YAML syntax error in `lines`: the first
    catalogued mistake found on the lines around the parser's marks, else the parser's line with a general
    sentence (and the parser's own words in English)."""
    mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    detail = str(getattr(exc, "problem", None) or exc).strip()
    if mark is None:
        return None, f"请检查冒号、引号、括号和缩进（{detail}）", detail
    last = min(mark.line, len(lines) - 1)
    first = max(0, min(context.line if context is not None else last, last - 2))
    for _name, test, zh, en in YAML_MISTAKES:
        for n in range(first, last + 1):
            if test(lines[n]):
                return n, zh, f"{en} ({detail})"
    if (
        "mapping values are not allowed" in detail
        or "expected <block end>" in detail
        or "did not find expected key" in detail
    ):
        return mark.line, _INDENTATION[0], f"{_INDENTATION[1]} ({detail})"
    return mark.line, "请检查这一行和上一行的冒号、引号、括号和缩进", detail


def _text_instead_of_mapping(data: object, text: str, path: Path, root: Path, offset: int, report: Report) -> bool:
    """A file (or front matter) that YAML reads as one piece of text is usually a mapping with a catalogued
    mistake (`name：夏港街道` has no ASCII colon at all): report that mistake on its line. True when reported."""
    if not isinstance(data, str):
        return False
    lines = text.split("\n")
    for _name, test, zh, en in YAML_MISTAKES:
        for n, line in enumerate(lines):
            if test(line):
                report.error("yaml-syntax", Location(rel(path, root), n + 1 + offset), detail=en, hint=zh)
                return True
    return False


def _report_yaml_error(exc: yaml.YAMLError, text: str, path: Path, root: Path, offset: int, report: Report) -> None:
    where = rel(path, root)
    if isinstance(exc, DuplicateKey):
        report.error(
            "yaml-duplicate-key",
            Location(where, exc.again.line + 1 + offset),
            key=exc.key,
            first=exc.first.line + 1 + offset,
        )
        return
    line, zh, en = yaml_mistake(exc, text.split("\n"))
    report.error("yaml-syntax", Location(where, line + 1 + offset if line is not None else None), detail=en, hint=zh)


def read_text(path: Path, root: Path, report: Report) -> str | None:
    """Text as clerks save it: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312)."""
    data = read_content_bytes(path, root, report)
    if data is None:
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
    for path in _entries(folder, root, report):
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
    end = (
        next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if lines and lines[0].strip() == "---"
        else None
    )
    if end is None:
        report.error("front-matter", Location(where, 1))
        return RawItem(path, where, board, None, text)
    body = "\n".join(lines[end + 1 :])
    try:
        front = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except yaml.YAMLError as exc:
        _report_yaml_error(exc, "\n".join(lines[1:end]), path, root, 1, report)
        return RawItem(path, where, board, None, body)
    except RecursionError:  # brackets nested thousands deep
        report.error("yaml-syntax", Location(where), detail="nested too deeply", hint="括号或缩进嵌套太深")
        return RawItem(path, where, board, None, body)
    except ValueError as exc:
        report.error("yaml-syntax", Location(where), detail=str(exc), hint=str(exc))
        return RawItem(path, where, board, None, body)
    if _text_instead_of_mapping(front, "\n".join(lines[1:end]), path, root, 1, report):
        return RawItem(path, where, board, None, body)
    if not isinstance(front, dict):
        report.error("yaml-not-mapping", Location(where, 2))
        return RawItem(path, where, board, None, body)
    return RawItem(path, where, board, front, body)


def read_table(path: Path, root: Path, report: Report) -> RawTable | None:
    """A CSV (UTF-8 or GB18030) or the first visible sheet of an .xlsx, as strings; row 1 is the header."""
    where = rel(path, root)
    if path.suffix.lower() == ".xlsx":
        try:
            resolved = content_file(path, root, MAX_TABLE_BYTES)
        except FileProblem as problem:
            report_file_problem(problem, Location(where), where, report)
            return None
        return _read_xlsx(resolved, where, report)
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
    """The first visible sheet. openpyxl warns (UserWarning) about parts of a workbook it leaves out: print areas,
    names of a deleted sheet, extensions, drawings. None of them holds the table's cells, and a library's warning text
    is not a message for the clerk, nor a line for cron's log: silenced while the workbook is read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read_book(path, where, report)


def _read_book(path: Path, where: str, report: Report) -> RawTable | None:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file; all mean "cannot read"
        report.error("file-unreadable", Location(where), detail=f"{type(exc).__name__}: {exc}")
        return None
    try:
        # the first sheet the clerk can see: a hidden one holds old drafts or lookups, never the table itself
        sheet = next((s for s in book.worksheets if s.sheet_state == "visible"), book.worksheets[0])
        rows: list[list[str]] = []
        # a zipped sheet can unpack to far more than its file size: bounded rows and columns, like text's bytes
        for row in sheet.iter_rows(values_only=True, max_col=MAX_TABLE_COLUMNS):
            if len(rows) >= MAX_TABLE_ROWS:
                report.error(
                    "file-too-large",
                    Location(where, sheet=sheet.title),
                    value=where,
                    size=f"> {MAX_TABLE_ROWS} 行",
                    limit=f"{MAX_TABLE_ROWS} 行",
                )
                return None
            rows.append([_cell_text(v) for v in row])
        return _table(path, where, sheet.title, rows, report)
    except Exception as exc:  # a damaged sheet fails while its rows are read, as variously as when opened
        report.error("file-unreadable", Location(where), detail=f"{type(exc).__name__}: {exc}")
        return None
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
    if not data and not (path.parent.name == "tables" and path.parent.parent.name == "finance"):
        # a finance table with its header only is one with nothing to list yet (a new village's: scaffold.py)
        report.error("table-empty", Location(where, sheet=sheet))
        return None
    return RawTable(path, where, sheet, header, data)


def _nearest(written: str, accepted: list[str]) -> list[str]:
    """Up to three accepted headers like `written`, one of its length first (审核人 -> 审批人 before 监委审核人)."""
    scored = [
        (abs(len(h) - len(written)), -difflib.SequenceMatcher(None, written.lower(), h.lower()).ratio(), h)
        for h in dict.fromkeys(accepted)
    ]
    return [h for _, minus_ratio, h in sorted(scored) if minus_ratio <= -0.5][:3]


def table_columns(
    table: RawTable, spec: dict[str, tuple[str, ...]], required: tuple[str, ...], report: Report
) -> dict[str, int] | None:
    """Field -> column index, headers compared without spaces and case. An unknown header is an error naming the
    nearest accepted ones (a misspelt 审批人 must not make every row look unapproved), and so is a second column
    for the same field; the known columns are still returned, so the rows are checked too. Missing required
    columns are reported (each naming the accepted headers); a misspelt one (摘耍) stands in for the header it
    most resembles so its rows are checked all the same (the build stops on the header error anyway). None when
    a required column is missing and nothing resembles it."""
    lookup = {re.sub(r"\s+", "", h).lower(): f for f, names in spec.items() for h in names}
    accepted = [h for names in spec.values() for h in names]
    index: dict[str, int] = {}
    standing_in: dict[str, int] = {}  # field -> the unknown column most like its headers
    header_row = table.rows[0][0] - 1 if table.rows else 1
    where = Location(table.where, header_row, sheet=table.sheet)
    for i, header in enumerate(table.header):
        key = re.sub(r"\s+", "", header).lower()
        if key in lookup and lookup[key] in index:
            report.error("table-header-duplicate", where, column=header, other=table.header[index[lookup[key]]])
        elif key in lookup:
            index[lookup[key]] = i
        elif key:
            close = _nearest(re.sub(r"\s+", "", header), accepted)
            report.error(
                "table-header-unknown",
                where,
                column=header,
                hint=f"，是不是“{'”或“'.join(close)}”？" if close else f"（可用的表头：{'、'.join(accepted)}）",
                hint_en="; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
                if close
                else f" (accepted headers: {', '.join(accepted)})",
            )
            if close:
                standing_in.setdefault(lookup[re.sub(r"\s+", "", close[0]).lower()], i)
    missing = [f for f in required if f not in index]
    for f in missing:
        report.error("table-header", where, column=spec[f][0], choices=" / ".join(spec[f]))
    for f, i in standing_in.items():
        index.setdefault(f, i)
    return None if any(f not in index for f in required) else index


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
