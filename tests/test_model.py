"""The content model's derived values (model.py): a new model shares what is unchanged, and what refers to a
swapped object refers to its replacement, once and everywhere (Rebuild); the old model is left as it was."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import pytest

from sitegen.content.model import City, Rebuild, Town, Village, with_villages


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
