"""Attach (挂接) what oversight derives from a city (payment warnings, hotline questions, draft marks) to a new
city: the validated city is read once and never changed; each later step (supervise, review.publish) returns a
new city built here, sharing every part it does not change.

Items and vouchers carry their warnings, questions and draft mark (the planner and the templates read them
there), and warnings, questions and the finance tables refer to vouchers and items: so every item and voucher is
copied with its own new lists, and everything that refers to one is pointed at the copy (model.Rebuild).
"""

from __future__ import annotations

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
    """A new city: every item and voucher copied with `draft(it)` as its draft mark; each village's warnings
    (`warnings`, "town/village" -> in voucher order) and questions (`village_questions`), the city's questions
    (`questions`, in date order); each voucher's warnings are its village's warnings about it, each item's and
    voucher's questions the city's questions about it. The warnings and questions given refer to `city`'s
    items and vouchers; the new city's refer to the copies. `city` is left as it was."""
    swap: dict[int, Any] = {}

    def copy(thing: Item | Voucher) -> None:
        if id(thing) not in swap:
            if isinstance(thing, Voucher):
                swap[id(thing)] = replace(thing, warnings=[], questions=[], draft=draft(thing))
            else:
                swap[id(thing)] = replace(thing, questions=[], draft=draft(thing))

    for items in [city.items] + [t.items for t in city.towns] + [v.items for v in city.villages]:
        for item in items:
            copy(item)
    for village in city.villages:
        for voucher in village.vouchers:
            copy(voucher)
    # and what a question or warning is about that is no longer listed (a draft taken out): copied as well
    for q in questions:
        copy(q.target)
    for found in warnings.values():
        for w in found:
            for voucher in (w.voucher, *w.others):
                copy(voucher)
    staged = with_villages(
        replace(city, questions=list(questions)),
        lambda v: replace(
            v,
            warnings=list(warnings.get(village_key(v.town_slug, v.slug), ())),
            questions=list(village_questions.get(village_key(v.town_slug, v.slug), ())),
        ),
    )
    rebuild = Rebuild(swap)
    new: City = rebuild(staged)
    # the copies' own lists, filled before anyone sees them: the same new warning and question objects as above
    for found in warnings.values():
        for w in found:
            swap[id(w.voucher)].warnings.append(rebuild(w))
    for q in questions:
        swap[id(q.target)].questions.append(rebuild(q))
    return new
