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

from sitegen.content.model import City, Item, Voucher

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


def scan_code(voucher_ref: str, n: int) -> str:
    return f"{voucher_ref}-{n}"


def assign(city: City) -> dict[int, str]:
    """id(object) -> code for every item and voucher of the city; collisions get longer codes.

    A collision among 40-bit codes is rare (about 1 in 200 for a city's year of vouchers) but possible; the
    object whose identity sorts later gets a 10-character code, so every earlier code stays as it was.
    """
    codes: dict[int, str] = {}
    seen: dict[str, str] = {}

    def put(obj: object, code: str, identity: str, kind: str) -> None:
        if code in seen and seen[code] != identity:
            code = _code(kind, identity, 10)
        seen[code] = identity
        codes[id(obj)] = code

    entries: list[tuple[str, object, str, str]] = []
    for item in city.items:
        entries.append((f"/{item.where}", item, item_code(item, ""), KINDS[item.board.name]))
    for town in city.towns:
        for item in town.items:
            entries.append((f"{town.slug}/{item.where}", item, item_code(item, town.slug), KINDS[item.board.name]))
        for village in town.villages:
            owner = f"{town.slug}/{village.slug}"
            for item in village.items:
                entries.append((f"{owner}/{item.where}", item, item_code(item, owner), KINDS[item.board.name]))
            for voucher in village.vouchers:
                entries.append(
                    (f"{owner}/voucher/{voucher.key}", voucher, voucher_code(town.slug, village.slug, voucher), VOUCHER)
                )
    for identity, obj, code, kind in sorted(entries, key=lambda e: e[0]):
        put(obj, code, identity, kind)
    return codes
