"""Reference codes (查询码): a short, stable code for every item, voucher (and its ledger line) and scan.

A villager reads it to the 12345 hotline or sends it from a phone; the hotline's records carry it back, so
answers can be published under the right thing. The code is a hash of what the thing *is* (town, village,
kind, key), not of its content, so it survives edits and rebuilds. Crockford's base32 avoids letters that
read like digits (I, L, O, U).

Format: kind letter + 8 base32 characters, shown grouped: ``V-7K3Q-9TX2``; a scan is its voucher's code
plus the page: ``V-7K3Q-9TX2-3``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from sitegen.content.model import City, Item, Village, Voucher

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KINDS = {"党务": "P", "村务": "A", "财务": "F", "制度建设": "R", "政策法规": "Z"}
VOUCHER = "V"


# every 10 bits as their two characters, the lower 5 bits first: _code reads a hash's bits 10 at a time
_PAIRS = [_ALPHABET[i & 31] + _ALPHABET[i >> 5] for i in range(1024)]


def _code(kind: str, identity: str, length: int = 8) -> str:
    """The hash's 64-bit prefix in base32, its lowest 5 bits first, `length` characters (even). Asked for every
    item and voucher of the city at every build, twice (check's codes, then the published city's): so two
    characters a table lookup, not a division each."""
    n = int.from_bytes(hashlib.sha256(identity.encode("utf-8")).digest()[:8], "big")
    body = "".join([_PAIRS[(n >> shift) & 1023] for shift in range(0, 5 * length, 10)])
    return f"{kind}-{body[:4]}-{body[4:]}"


def item_code(item: Item, owner: str) -> str:
    """`owner` is where the item is published: '' (city), 'town' or 'town/village'.

    Hashes the file's path inside the content folder (not the folder's own name), so renaming or moving the
    content folder keeps every code."""
    inside = item.where.split("/", 1)[-1]
    return _code(KINDS[item.board.name], f"{owner}/{item.board.slug}/{inside}")


def voucher_code(town: str, village: str, voucher: Voucher) -> str:
    return _code(VOUCHER, f"{town}/{village}/voucher/{voucher.key}")


def long_code(kind: str, identity: str) -> str:
    """The longer code an identity is given when another's short code is its own (Collisions)."""
    return _code(kind, identity, 10)


def scan_code(voucher_ref: str, n: int) -> str:
    return f"{voucher_ref}-{n}"


def village_entries(town: str, village: Village) -> list[tuple[str, object, str, str]]:
    """(identity, object, code, kind) of a village's items and vouchers, in the model's order."""
    owner = f"{town}/{village.slug}"
    found: list[tuple[str, object, str, str]] = [
        (f"{owner}/{item.where}", item, item_code(item, owner), KINDS[item.board.name]) for item in village.items
    ]
    found += [
        (f"{owner}/voucher/{voucher.key}", voucher, voucher_code(town, village.slug, voucher), VOUCHER)
        for voucher in village.vouchers
    ]
    return found


def entries(city: City) -> Iterator[list[tuple[str, object, str, str]]]:
    """(identity, object, code, kind) of every item and voucher of the city: the city's items, then each town's
    and each of its villages' (one list at a time: a village's alone is all that is asked of it, Collisions)."""
    yield [(f"/{item.where}", item, item_code(item, ""), KINDS[item.board.name]) for item in city.items]
    for town in city.towns:
        yield [
            (f"{town.slug}/{item.where}", item, item_code(item, town.slug), KINDS[item.board.name])
            for item in town.items
        ]
        for village in town.villages:
            yield village_entries(town.slug, village)


class Collisions:
    """碰撞 What the city-wide rule of `assign` (a code shared by two identities: the identity that sorts later is
    given a longer code) decides, kept apart from the objects: the identities given a longer code (almost always
    none). Made from the city's identities one village at a time (`add`, then `settle`), so that the codes of one
    village can be made in its turn from the village alone (`village_codes`), even from a copy of its model (a
    village restored from a pickle: objects with other ids), without the whole city held (issue 14: memory)."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}  # short code -> the least identity that has it
        self.longer: frozenset[str] = frozenset()
        # the identities a lesser one with their short code was added before (add) -> their kind
        self.passed: dict[str, str] = {}
        self.least: tuple[str, str] | None = None  # the least identity added and its code
        self.longest_code = "0" * 10

    def add(self, entries: Iterable[tuple[str, object, str, str]]) -> None:
        for identity, _, code, _ in entries:
            known = self.first.get(code)
            if known is None or identity < known:
                self.first[code] = identity
                if known is not None and known != identity:
                    self.passed[known] = code[0]
            elif known != identity:
                self.passed[identity] = code[0]
            if self.least is None or identity < self.least[0]:
                self.least = (identity, code)

    def settled(self) -> None:
        """The identities given a longer code, from what `add` was given alone (no second pass over the city's
        identities: a check that drops each village once gone through has them no more), and the longest code
        (`longest`); the table of every short code is dropped."""
        self.longer = frozenset(self.passed)
        if self.longer:
            least = min(self.longer)
            self.longest_code = _code(self.passed[least], least, 10)
        elif self.least is not None:
            self.longest_code = self.least[1]
        self.first, self.passed = {}, {}

    def longest(self) -> str:
        """The longest code, the first of them `assign` gives (by identity), once `settled`: the one the 我有疑问
        QR code must hold (pipeline._qr_fits)."""
        return self.longest_code

    def settle(self, entries: Iterable[Iterable[tuple[str, object, str, str]]]) -> None:
        """The identities given a longer code (`entries`: the same identities again, as `add` was given them);
        the table of every short code is dropped."""
        first = self.first
        self.longer = frozenset(i for part in entries for i, _, code, _ in part if first[code] != i)
        self.first = {}

    def code(self, identity: str, code: str, kind: str) -> str:
        return _code(kind, identity, 10) if identity in self.longer else code


def collisions(city: City) -> Collisions:
    """The city's Collisions."""
    found = Collisions()
    for part in entries(city):
        found.add(part)
    found.settle(entries(city))
    return found


def village_codes(found: Collisions, town: str, village: Village) -> dict[int, str]:
    """id(object) -> code for every item and voucher of `village` (of the town `town`), as `assign` gives them for
    the city `found` was made from."""
    return {id(obj): found.code(identity, code, kind) for identity, obj, code, kind in village_entries(town, village)}


def assign(city: City) -> dict[int, str]:
    """id(object) -> code for every item and voucher of the city; collisions get longer codes.

    A collision among 40-bit codes is rare (about 1 in 200 for a city's year of vouchers) but possible; the
    object whose identity sorts later gets a 10-character code, so every earlier code stays as it was
    (Collisions: the same rule, kept for a village's codes made alone).
    """
    found = collisions(city)
    every = [entry for part in entries(city) for entry in part]
    return {
        id(obj): found.code(identity, code, kind) for identity, obj, code, kind in sorted(every, key=lambda e: e[0])
    }
