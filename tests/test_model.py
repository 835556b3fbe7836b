"""The content model's derived values (model.py): a new model shares what is unchanged, and what refers to a
swapped object refers to its replacement, once and everywhere (Rebuild); the old model is left as it was."""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import pkgutil
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sitegen import oversight
from sitegen.build import pipeline
from sitegen.content import model
from sitegen.content.errors import Location
from sitegen.content.model import City, Rebuild, Town, Village, with_villages
from sitegen.finance import ledger, tables
from sitegen.finance.ledger import build_ledgers
from sitegen.images import renditions


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
    city, report = pipeline.check(mini)
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
    city, _ = pipeline.check(mini)
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
