"""Reference codes: short, unique, stable across rebuilds and content edits."""

from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter
from copy import deepcopy
from itertools import product

import pytest

from sitegen.oversight import refcode
from tests.checked import check


def codes_of(root):
    city, report = check(root)
    assert city is not None
    assert not report.errors
    return city, refcode.assign(city)


def test_codes_are_unique_and_well_formed(mini):
    city, codes = codes_of(mini)
    assert (
        len(set(codes.values()))
        == len(codes)
        == len(city.items) + len(city.towns[0].items) + len(city.villages[0].items) + len(city.villages[0].vouchers)
    )
    assert all(re.fullmatch(r"[PAFRZV]-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", c) for c in codes.values())


def test_codes_survive_edits(mini):
    city, codes = codes_of(mini)
    before = {v.key: codes[id(v)] for v in city.villages[0].vouchers}
    meeting = mini / "xg/cs/party/meeting.md"
    meeting.write_text(
        meeting.read_text(encoding="utf-8").replace("第三季度党员大会", "第三季度党员大会（更正）"), encoding="utf-8"
    )
    journal = mini / "xg/cs/journal/2026-09.csv"
    journal.write_text(
        journal.read_text(encoding="utf-8").replace("付保洁员八月工资", "付保洁员8月工资"), encoding="utf-8"
    )
    city2, codes2 = codes_of(mini)
    assert {v.key: codes2[id(v)] for v in city2.villages[0].vouchers} == before
    item = lambda c: next(i for i in c.villages[0].items if i.slug == "meeting")  # noqa: E731
    assert codes2[id(item(city2))] == codes[id(item(city))]


def test_collisions_get_longer_codes(monkeypatch, mini):
    city, _ = check(mini)
    assert city is not None
    monkeypatch.setattr(refcode, "voucher_code", lambda town, village, voucher: "V-SAME-CODE")
    codes = refcode.assign(city)
    vouchers = [codes[id(v)] for v in city.villages[0].vouchers]
    assert vouchers[0] == "V-SAME-CODE" and len(set(vouchers)) == 4
    assert all(len(c) == len("V-XXXX-XXXXXX") for c in vouchers[1:])


def test_codes_do_not_depend_on_the_content_folder_name(mini, tmp_path):
    city, codes = codes_of(mini)
    moved = mini.rename(tmp_path / "another-name")
    city2, codes2 = codes_of(moved)
    assert sorted(codes.values()) == sorted(codes2.values())


def _divided(kind: str, identity: str, length: int = 8) -> str:
    """A code as refcode first made it, a character a division (the codes published must never change)."""
    n = int.from_bytes(hashlib.sha256(identity.encode("utf-8")).digest()[:8], "big")
    chars = []
    for _ in range(length):
        n, r = divmod(n, 32)
        chars.append(refcode._ALPHABET[r])
    body = "".join(chars)
    return f"{kind}-{body[:4]}-{body[4:]}"


def test_codes_read_by_table_equal_the_codes_first_published():
    """refcode._code reads the hash 10 bits at a time from a table (h40: it is asked for every item and voucher
    of the city twice a build): the same codes, of either length, as one division a character made."""
    identities = [
        f"t{t:02d}/v{v:03d}/voucher/2026-{m:02d}-{n:03d}"
        for t, v, m, n in product(range(3), range(4), range(1, 13), range(0, 999, 97))
    ]
    identities += ["/city/rules/规章.md", "xg/cs/party/organisation/meeting.md", "", "龍" * 300, "\u0000"]
    for identity in identities:
        for kind in ("V", "P", "A"):
            for length in (8, 10):
                assert refcode._code(kind, identity, length) == _divided(kind, identity, length), identity


def _assigned_as_first_written(city) -> dict[int, str]:
    """refcode.assign as first written (before Collisions): every entry of the city sorted, a code met before with
    another identity lengthened: the reference the codes published must keep to."""
    codes: dict[int, str] = {}
    seen: dict[str, str] = {}
    entries = [(f"/{i.where}", i, refcode.item_code(i, ""), refcode.KINDS[i.board.name]) for i in city.items]
    for town in city.towns:
        entries += [
            (f"{town.slug}/{i.where}", i, refcode.item_code(i, town.slug), refcode.KINDS[i.board.name])
            for i in town.items
        ]
        for village in town.villages:
            owner = f"{town.slug}/{village.slug}"
            entries += [
                (f"{owner}/{i.where}", i, refcode.item_code(i, owner), refcode.KINDS[i.board.name])
                for i in village.items
            ]
            entries += [
                (f"{owner}/voucher/{v.key}", v, refcode.voucher_code(town.slug, village.slug, v), refcode.VOUCHER)
                for v in village.vouchers
            ]
    for identity, obj, code, kind in sorted(entries, key=lambda e: e[0]):
        if code in seen and seen[code] != identity:
            code = refcode._code(kind, identity, 10)
        seen[code] = identity
        codes[id(obj)] = code
    return codes


@pytest.mark.parametrize("collide", ["none", "vouchers", "items", "all"])
def test_a_village_s_codes_are_made_alone_even_from_a_copy_of_it(monkeypatch, mini, collide):
    """Issue 14 (memory): a village restored in its turn (a pickle, a copy: other objects) is given its codes from
    itself and the city's Collisions alone, the very codes `assign` gives the whole city's objects, whatever
    collides with what (a code shared within the village, or with the city's and town's items)."""
    city, _ = check(mini)
    assert city is not None
    voucher_code = refcode.voucher_code
    if collide in ("items", "all"):  # every item of a board one code: the city's and town's items sort first
        monkeypatch.setattr(refcode, "item_code", lambda item, owner: refcode._code("P", item.board.slug))
    if collide in ("vouchers", "all"):  # half of the vouchers one code
        monkeypatch.setattr(
            refcode,
            "voucher_code",
            lambda town, village, v: "V-SAME-CODE" if v.number % 2 else voucher_code(town, village, v),
        )
    codes = refcode.assign(city)
    assert codes == _assigned_as_first_written(city)
    if collide != "none":
        assert any(len(c) == len("V-XXXX-XXXXXX") for c in codes.values())
    parts = list(refcode.entries(city))
    found, asked = refcode.Collisions(), []
    for part in parts:
        found.add(part)
    # while parts are added: no identity or code held but the least (arrays of hashes and part numbers)
    held = [x for x in gc.get_referents(*vars(found).values()) if isinstance(x, str)]
    assert found.least is not None and set(held) <= set(found.least)
    found.settled(lambda n: asked.append(n) or parts[n])
    # then asked again only of the parts that hold a short code held more than once
    times = Counter(code for part in parts for _, _, code, _ in part)
    assert asked == [n for n, part in enumerate(parts) if any(times[code] > 1 for _, _, code, _ in part)]
    assert (asked == []) == (collide == "none")
    assert found.longer == refcode.collisions(city).longer
    town = city.towns[0]
    for village in town.villages:
        copy = deepcopy(village)
        alone = refcode.village_codes(found, town.slug, copy)
        mine = [*village.items, *village.vouchers]
        theirs = [*copy.items, *copy.vouchers]
        assert alone == {id(b): codes[id(a)] for a, b in zip(mine, theirs)}
