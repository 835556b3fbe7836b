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
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

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
    none). Made from the city's identities one part at a time (`add`: the city's items, a town's, a village's),
    then `settled`, so that the codes of one village can be made in its turn from the village alone
    (`village_codes`), even from a copy of its model (a village restored from a pickle: objects with other ids),
    without the whole city held (issue 14: memory at any size).

    While parts are added it holds, of each identity, only the hash of its short code and the number of its part,
    in arrays (12 bytes an identity, in BUCKETS by the hash's low bits): a table of every short code and its least
    identity held ~170 bytes an identity, ~94 KiB a seed-scale village, to the check's end. `settled` finds the
    hashes met more than once (a collision, almost always none), asks the parts holding them for their entries
    again, and decides among the identities whose very code is shared."""

    BUCKETS = 256  # (each bucket's hashes counted apart at `settled`: what that counting holds is a bucket's)

    def __init__(self) -> None:
        self.hashes = [array("q") for _ in range(self.BUCKETS)]  # hash(short code) of each identity added
        self.parts = [array("I") for _ in range(self.BUCKETS)]  # ... and the number of the part it came in
        self.added = 0  # the parts added
        self.longer: frozenset[str] = frozenset()
        self.least: tuple[str, str] | None = None  # the least identity added and its code
        self.longest_code = "0" * 10

    def add(self, entries: Iterable[tuple[str, object, str, str]]) -> int:
        """One part's (identity, object, code, kind): its number (what `settled` asks `again` for)."""
        part, self.added = self.added, self.added + 1
        hashes, parts, mask = self.hashes, self.parts, self.BUCKETS - 1
        least = self.least
        for identity, _, code, _ in entries:
            h = hash(code)
            hashes[h & mask].append(h)
            parts[h & mask].append(part)
            if least is None or identity < least[0]:
                least = (identity, code)
        self.least = least
        return part

    def settled(self, again: Callable[[int], Iterable[tuple[str, object, str, str]]]) -> None:
        """The identities given a longer code and the longest code (`longest`), once every part was added. `again`:
        a part's entries again, by its number (`add`), asked only of the parts holding a hash met twice (a shared
        short code, or two codes of one hash): the check restores those villages from its store. The arrays are
        dropped."""
        shared: set[int] = set()  # the hashes met more than once
        named: set[int] = set()  # the parts holding one
        for hashes, parts in zip(self.hashes, self.parts, strict=True):
            if len(set(hashes)) == len(hashes):
                continue
            count = Counter(hashes)
            for h, part in zip(hashes, parts, strict=True):
                if count[h] > 1:
                    shared.add(h)
                    named.add(part)
        self.hashes, self.parts = [], []
        holders: dict[str, set[str]] = {}  # a short code whose hash is shared -> the identities that have it
        for part in sorted(named):
            for identity, _, code, _ in again(part):
                if hash(code) in shared:
                    holders.setdefault(code, set()).add(identity)
        # every identity but the least of its code: its kind is its code's letter
        passed = {i: code[0] for code, found in holders.items() for i in sorted(found)[1:]}
        self.longer = frozenset(passed)
        if self.longer:
            least = min(self.longer)
            self.longest_code = _code(passed[least], least, 10)
        elif self.least is not None:
            self.longest_code = self.least[1]

    def longest(self) -> str:
        """The longest code, the first of them `assign` gives (by identity), once `settled`: the one the 我有疑问
        QR code must hold (pipeline._qr_fits)."""
        return self.longest_code

    def code(self, identity: str, code: str, kind: str) -> str:
        return _code(kind, identity, 10) if identity in self.longer else code


def collisions(city: City) -> Collisions:
    """The city's Collisions."""
    found = Collisions()
    parts = list(entries(city))
    for part in parts:
        found.add(part)
    found.settled(parts.__getitem__)
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
