"""Attach (挂接) what oversight derives from a city (payment warnings, hotline questions, draft marks) to a new
city: the validated city is read once and never changed; each later step (supervise, review.publish) returns a
new city built here, sharing every part it does not change.

Items and vouchers carry their warnings, questions and draft mark (the planner and the templates read them
there), and warnings, questions and the finance tables refer to vouchers and items: so each item and voucher that
changes is copied with its own new lists, and everything that refers to one is pointed at the copy
(model.Rebuild); what does not change is shared, a village with nothing changed not even looked into, so that the
cost follows what changed (a check after one change: the villages restored already carry their warnings).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sitegen.content.model import City, Item, PaymentWarning, Question, Rebuild, Voucher, with_villages


def village_key(town: str, village: str) -> str:
    return f"{town}/{village}"


def attached(
    city: City,
    draft: Callable[[Item | Voucher], bool],
    warnings: Mapping[str, Sequence[PaymentWarning]],
    village_questions: Mapping[str, Sequence[Question]],
    questions: Sequence[Question],
) -> City:
    """A new city: every item and voucher with `draft(it)` as its draft mark; each village's warnings
    (`warnings`, "town/village" -> in voucher order) and questions (`village_questions`), the city's questions
    (`questions`, in date order); each voucher's warnings are its village's warnings about it, each item's and
    voucher's questions the city's questions about it. The warnings and questions given refer to `city`'s
    items and vouchers; the new city's refer to the copies. `city` is left as it was.

    Only what changes is copied: an item or voucher that already carries those very warnings and questions (the
    same objects, in order) and draft mark, and names no copied voucher through them, is shared; so is a
    village none of whose items, vouchers, warnings and questions is copied (a village restored from the memo
    as oversight left it, or one with nothing held back by publish): it is not even looked into."""
    about: dict[int, list[Question]] = {}
    for q in questions:
        about.setdefault(id(q.target), []).append(q)
    on: dict[int, list[PaymentWarning]] = {}
    for found in warnings.values():
        for w in found:
            on.setdefault(id(w.voucher), []).append(w)
    swap: dict[int, Any] = {}
    touched: set[str] = set()  # "town/village" of each village something of which is copied

    def changes(thing: Item | Voucher) -> bool:
        if draft(thing) != thing.draft or not same_objects(thing.questions, about.get(id(thing), ())):
            return True
        return isinstance(thing, Voucher) and not same_objects(thing.warnings, on.get(id(thing), ()))

    def copy(thing: Item | Voucher, owner: str) -> None:
        if id(thing) not in swap:
            if isinstance(thing, Voucher):
                swap[id(thing)] = replace(thing, warnings=[], questions=[], draft=draft(thing))
            else:
                swap[id(thing)] = replace(thing, questions=[], draft=draft(thing))
        touched.add(owner)

    listed: list[tuple[Item | Voucher, str]] = [
        (item, "") for items in [city.items] + [t.items for t in city.towns] for item in items
    ]
    for village in city.villages:
        owner = village_key(village.town_slug, village.slug)
        listed += [(item, owner) for item in village.items]
        listed += [(voucher, owner) for voucher in village.vouchers]
    # and what a question or warning is about that is no longer listed (a draft taken out)
    listed += [(q.target, village_key(q.town, q.village) if q.village else "") for q in questions]
    listed += [(v, key) for key, found in warnings.items() for w in found for v in (w.voucher, *w.others)]
    for thing, owner in listed:
        if id(thing) not in swap and changes(thing):
            copy(thing, owner)
    # a voucher shared so far whose warning names a copied voucher carries a new warning: copied too, until none
    while True:
        more = [
            (w.voucher, key)
            for key, found in warnings.items()
            if key in touched
            for w in found
            if id(w.voucher) not in swap and any(id(o) in swap for o in w.others)
        ]
        if not more:
            break
        for voucher, key in more:
            copy(voucher, key)
    copies = dict(swap)
    for thing, _ in listed:  # the rest shared as they are, never looked into (a question names its item back)
        swap.setdefault(id(thing), thing)
    for village in city.villages:
        key = village_key(village.town_slug, village.slug)
        if (
            key not in touched
            and same_objects(village.warnings, warnings.get(key, ()))
            and same_objects(village.questions, village_questions.get(key, ()))
        ):
            swap[id(village)] = village  # shared whole, not looked into
    staged = with_villages(
        replace(city, questions=list(questions)),
        lambda v: (
            v
            if id(v) in swap
            else replace(
                v,
                warnings=list(warnings.get(village_key(v.town_slug, v.slug), ())),
                questions=list(village_questions.get(village_key(v.town_slug, v.slug), ())),
            )
        ),
    )
    rebuild = Rebuild(swap)
    new: City = rebuild(staged)
    # the copies' own lists, filled before anyone sees them: the same new warning and question objects as above
    for found in warnings.values():
        for w in found:
            if id(w.voucher) in copies:
                copies[id(w.voucher)].warnings.append(rebuild(w))
    for q in questions:
        if id(q.target) in copies:
            copies[id(q.target)].questions.append(rebuild(q))
    return new


def same_objects(held: Sequence[object], wanted: Sequence[object]) -> bool:
    """The very same objects, in order (asked of every item and voucher of the city: kept cheap)."""
    return len(held) == len(wanted) and (not held or all(map(operator.is_, held, wanted)))
