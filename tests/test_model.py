"""The content model's derived values (model.py): a new model shares what is unchanged, and what refers to a
swapped object refers to its replacement, once and everywhere (Rebuild); the old model is left as it was."""

from __future__ import annotations

import collections
import dataclasses
import gc
import importlib
import pickle
import pkgutil
import shutil
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen import oversight
from sitegen.content import model
from sitegen.content.accounts import Account
from sitegen.content.config import OversightConfig
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawItem, RawTable, load, read_records
from sitegen.content.model import City, Rebuild, Town, Village, with_villages
from sitegen.content.taxonomy import Board, Category
from sitegen.finance import ledger, tables
from sitegen.finance.ledger import build_ledgers
from sitegen.images import renditions
from sitegen.validate import city as city_module
from tests.checked import check


@dataclass
class Thing:
    name: str
    tags: list[str] = field(default_factory=list)


@dataclass
class Row:
    """A row that refers to a thing, as a finance table row refers to its voucher."""

    thing: Thing
    others: tuple[Thing, ...] = ()
    by_key: dict[str, Thing] = field(default_factory=dict)


@dataclass
class Node:
    next: Node | None = None


def test_rebuild_points_every_reference_at_the_replacement_and_shares_the_rest():
    a, b = Thing("a"), Thing("b")
    rows = [Row(a, (a, b), {"a": a}), Row(b)]
    new_a = replace(a, tags=["new"])
    rebuild = Rebuild({id(a): new_a})
    new_rows = rebuild(rows)
    assert new_rows is not rows and new_rows[0] is not rows[0]
    assert new_rows[0].thing is new_a and new_rows[0].others[0] is new_a and new_rows[0].by_key["a"] is new_a
    assert new_rows[0].others[1] is b  # unswapped: the same object
    assert new_rows[1] is rows[1]  # nothing swapped in it: shared, not copied
    assert rebuild(rows[0]) is new_rows[0]  # once: the same old object gives the same new one
    assert rows[0].thing is a and rows[0].others == (a, b) and a.tags == []  # the old model as it was


def test_rebuild_leaves_what_holds_nothing_swapped_alone():
    day, amount, text = date(2026, 9, 1), Decimal("1.00"), "x"
    rows = [Row(Thing("a")), (day, amount, text)]
    assert Rebuild({})(rows) is rows


def test_rebuild_refuses_a_cycle_no_swap_breaks():
    first = Node()
    first.next = Node(first)
    with pytest.raises(ValueError):
        Rebuild({})(first)
    swapped = Node()
    assert Rebuild({id(first): swapped})(first.next).next is swapped  # broken by the swap: fine


def test_with_villages_copies_towns_and_city_around_the_changed_villages():
    village = Village("cs", "长寿村", "xg", "", Decimal("0"))
    city = City("测试市", "三务公开", "12345", Decimal("100000"), towns=[Town("xg", "夏港街道", [village])])
    new = with_villages(city, lambda v: replace(v, pending_months=["2026-10"]))
    assert new.villages[0].pending_months == ["2026-10"] and village.pending_months == []
    assert city.towns[0].villages == [village] and new.towns[0] is not city.towns[0]


# ---- memory (issue 14): the model's records are slotted, and what a journal repeats is held once -----------------

# The modules whose dataclasses are the model a build holds for every village (a record per voucher, line, scan,
# warning, ledger line, finance table row) or its planned renditions (a record per tile): each is slotted (no
# per-instance __dict__, ~half the bytes). A new record class in these modules is slotted too, or this fails.
MODEL_MODULES = (
    model,
    ledger,
    tables,
    *(importlib.import_module(m.name) for m in pkgutil.iter_modules(oversight.__path__, "sitegen.oversight.")),
)
PER_RECORD = (Location, renditions.Rendition, renditions.Picture)  # records of other modules held as often


# held once, shared by every record: site.yaml's settings, the boards and categories, the charts' accounts
SHARED = {"OversightConfig", "Board", "Category", "Account"}


def model_dataclasses() -> list[type]:
    found = [
        obj
        for module in MODEL_MODULES
        for obj in vars(module).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
    ]
    return found + list(PER_RECORD)


def test_every_model_record_is_slotted():
    classes = model_dataclasses()
    assert {c.__name__ for c in classes} >= {"Voucher", "EntryLine", "Image", "LedgerLine", "PaymentWarning"}
    unslotted = [c.__qualname__ for c in classes if "__slots__" not in vars(c) or c.__dictoffset__]
    assert not unslotted


def test_a_validated_city_holds_no_record_with_a_dict(mini):
    """Walked from a validated, overseen city with its ledgers (as the build holds it): no object of the model
    modules carries a __dict__; and the words, dates and page sizes a journal repeats are the same objects."""
    city, report = check(mini)
    assert city is not None, report.problems
    city = build_ledgers(city)
    seen: set[int] = set()
    todo: list[object] = [city]
    kinds: set[type] = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, int, Decimal, date, Path)) or obj is None:
            continue
        seen.add(id(obj))
        if dataclasses.is_dataclass(obj):
            kinds.add(type(obj))
            assert type(obj).__name__ in SHARED or not hasattr(obj, "__dict__"), type(obj).__qualname__
            todo.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, dict):
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            todo.extend(obj)
    assert {model.Voucher, model.EntryLine, model.Image, model.LedgerLine, Location} <= kinds
    vouchers = [v for village in city.villages for v in village.vouchers]
    lines = [ln for v in vouchers for ln in v.lines]
    for name in ("account_code", "account_name", "summary", "counterparty", "ref", "payee_id"):
        by_value: dict[str, str] = {}
        for ln in lines:
            assert by_value.setdefault(getattr(ln, name), getattr(ln, name)) is getattr(ln, name), name
    months: dict[str, str] = {}
    days: dict[date, date] = {}
    for v in vouchers:
        assert months.setdefault(v.month, v.month) is v.month
        assert days.setdefault(v.date, v.date) is v.date
    pages: dict[tuple, tuple] = {}
    for scan in (s for v in vouchers for s in v.scans):
        assert pages.setdefault(scan.pages, scan.pages) is scan.pages


def test_slotted_records_pickle_replace_and_compare(mini):
    city, _ = check(mini)
    assert city is not None
    village = city.villages[0]
    again = pickle.loads(pickle.dumps(village))
    # (the whole village is compared in test_memo.py: == recurses, a warning names its voucher and back)
    assert again is not village and [v.lines for v in again.vouchers] == [v.lines for v in village.vouchers]
    assert [v.scans for v in again.vouchers] == [v.scans for v in village.vouchers]
    voucher = village.vouchers[0]
    changed = replace(voucher, label="记-999")
    assert changed.label == "记-999" and changed.lines is voucher.lines and voucher.label != "记-999"
    line = voucher.lines[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.summary = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        voucher.extra = 1  # type: ignore[attr-defined]


# ---- memory, round two (h32): one village's raw rows at a time; what a validated village holds, bounded -----------


def _more_villages(mini: Path, count: int) -> None:
    """The fixture's village copied to `count` villages in all (each its own name)."""
    for n in range(2, count + 1):
        folder = mini / f"xg/cs{n}"
        shutil.copytree(mini / "xg/cs", folder)
        yaml = folder / "village.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace("长寿村", f"长寿{n}村", 1), encoding="utf-8")


def test_load_leaves_a_villages_records_unread_until_validated(mini):
    """load reads a village's documents (oversight reads them) but only finds its folders of records: its items,
    journal and scans are read by read_records, into a copy, as validate comes to the village."""
    report = Report()
    raw = load(mini, report)
    village = raw.towns[0].villages[0]
    assert village.config is not None and village.reviews is not None  # documents: read now
    assert (village.items, village.journals, village.scans, village.finance_tables) == ([], [], {}, [])
    assert {p.name for p in village.unread} == {"affairs", "finance", "journal", "party", "rules", "scans"}
    full = read_records(village, raw.root, report)
    assert full.items and full.journals and full.scans and not full.unread
    assert village.journals == [] and village.unread  # the light village as load left it
    assert read_records(full, raw.root, report) is full  # records given: nothing read again
    assert not report.problems


def test_validation_holds_one_villages_rows_at_a_time(mini, monkeypatch):
    """When a village is validated, the raw rows (journal tables, item files) of no other village are alive:
    the whole city's rows held at once were the check's peak of memory (issue 14: RSS 3.9 -> 2.2 MiB a village)."""
    _more_villages(mini, 4)
    alive: list[tuple[int, int]] = []
    village = city_module._Checker.village

    def counting(self, raw, town_slug):
        gc.collect()
        rows = [o for o in gc.get_objects() if isinstance(o, (RawTable, RawItem))]
        alive.append(
            (
                sum(1 for o in rows if isinstance(o, RawTable) and o.path.parent.name == "journal"),
                sum(1 for o in rows if isinstance(o, RawItem) and o.path.is_relative_to(raw.path)),
            )
        )
        return village(self, raw, town_slug)

    monkeypatch.setattr(city_module._Checker, "village", counting)
    city, report = check(mini)
    assert city is not None and len(city.villages) == 4, report.problems
    items = sum(1 for _ in (mini / "xg/cs").glob("*/*.md"))
    assert alive == [(1, items)] * 4  # its own journal and items only


def test_a_restored_village_reports_its_records_problems_again(mini, tmp_path):
    """A problem found reading a village's records (a stray file in its journal folder) is reported in the
    village's validation now: a village restored from the memo reports it again, and equals the fresh one."""
    (mini / "xg/cs/journal/notes.txt").write_text("x", encoding="utf-8")
    cache = tmp_path / "cache"
    (cache / ".index").mkdir(parents=True)
    fresh, first = check(mini, cache=cache)
    assert len(list((cache / ".index/villages").glob("*.pickle"))) == 1  # kept: a warning only
    again, second = check(mini, cache=cache)
    assert fresh is not None and again is not None
    assert [p.format() for p in first.sorted()] == [p.format() for p in second.sorted()]
    assert any(p.code == "stray-file" and p.where.path.endswith("journal/notes.txt") for p in second.warnings)
    restored, validated = again.villages[0], fresh.villages[0]
    assert [v.lines for v in restored.vouchers] == [v.lines for v in validated.vouchers]
    assert [v.scans for v in restored.vouchers] == [v.scans for v in validated.vouchers]
    assert [i.body for i in restored.items] == [i.body for i in validated.items]


def _held(root: object, stop: tuple[type, ...]) -> tuple[int, collections.Counter[str]]:
    """Bytes (sys.getsizeof) of the objects reachable from `root`, each once, and their count by type; the
    shared constants (`stop`: boards, categories, accounts, site.yaml's settings) and classes left out."""
    seen: set[int] = set()
    size, kinds = 0, collections.Counter[str]()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, *stop)):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        kinds[type(obj).__name__] += 1
        todo.extend(gc.get_referents(obj))
    return size, kinds


def test_a_validated_village_holds_its_model_only_and_within_bounds(mini):
    """What one validated, overseen village holds (as the build holds it for the whole build): no raw record
    (rows, YAML, item files) kept after modelling, a Path only for a published image or an item file, a Location
    only for a voucher, its lines and a few more; and bytes within bounds (sys.getsizeof of what is reachable,
    each object once, the shared constants left out; measured on the fixture with Python 3.11: 2.9 KB a voucher
    with its lines, scans and warnings, 23.9 KB the whole village with its items and ledger)."""
    city, report = check(mini)
    assert city is not None, report.problems
    city = build_ledgers(city)
    village = city.villages[0]
    stop = (Board, Category, Account, OversightConfig)
    size, kinds = _held(village, stop)
    raw = {"RawTable", "RawItem", "RawDoc", "RawVillage", "YamlMapping"}
    assert not raw & set(kinds), kinds
    images = len({id(s) for v in village.vouchers for s in v.scans}) + sum(
        len(i.images) + (i.basis is not None and i.basis.scan is not None) for i in village.items
    )
    assert kinds["PosixPath"] <= images + len(village.items), kinds
    assert kinds["Location"] <= sum(1 + len(v.lines) for v in village.vouchers) + len(village.items) + 8, kinds
    per_voucher = _held(village.vouchers, stop)[0] / len(village.vouchers)
    assert per_voucher < 3_800 and size < 32_000, (per_voucher, size)


def test_a_journal_row_and_an_amount_written_again_are_held_once(mini):
    """A voucher's place is its first line's (one Location object), and an amount written again in a journal
    (a voucher's debit is its credit) is one Decimal: what a seed-scale journal repeats on every voucher."""
    city, report = check(mini)
    assert city is not None, report.problems
    vouchers = city.villages[0].vouchers
    assert all(v.where is v.lines[0].where for v in vouchers)
    for v in vouchers:
        debit, credit = v.lines[0].debit, v.lines[1].credit
        assert debit == credit and debit is credit, v.label
    assert len({id(ln.debit or ln.credit) for v in vouchers for ln in v.lines}) == 3  # 12000, 2500.50, 3000
    again = pickle.loads(pickle.dumps(city.villages[0]))  # (the memo's pickles keep what one village shares)
    assert again.vouchers[0].where is again.vouchers[0].lines[0].where
    assert [v.lines for v in again.vouchers] == [v.lines for v in vouchers]
