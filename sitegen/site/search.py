"""Search (搜索): the index a search page loads, made at build time (link stage).

Villagers search on the TV with a remote (arrows, OK, Back, digits) and on a phone with its keyboard: a payment by
who was paid, its amount, its month or its reference code (查询码); a project by name; a subsidy or 低保 list by a
recipient's name; a notice or rule by words of its title. The village's own records come first, then its town's,
then the city's.

The index is a small ES5 script (`search-index.js`) assigning one object to `window.SEARCH_INDEX`, loaded by a
<script> tag on the search page only: a page opened from file:// may not fetch JSON. Letters are matched by the
pinyin initials of each name and title (张永刚 -> ZYG, computed here with pypinyin, phrase-aware); digits by T9
(2 = ABC) against those initials and literally against amounts and codes (themes/common/static/search.js).
Every text goes through `privacy.mask` first, as on the pages, and the finished script is scanned again with
`privacy.find_unmasked`: an unmasked ID, phone or card number can be neither found nor shown. Drafts (review.py)
are never indexed, even in a --preview build. Deterministic: records in model order, keys sorted, no clock.

Record layout (one array each, to stay compact; `search.js` reads it by position):
  [kind, board, flow, month, scope, path, title, sub, name initials, title initials, code, amount, pinyin]
  kind: 0 payment (voucher), 1 notice (item), 2 project, 3 person on a payout list
  board: index into BOARD_NAMES; flow: 0 neither, 1 income, 2 expense; month: index into `months`, -1 none
  scope: 0 village, 1 town, 2 city; path: relative to the search page; initials: '|'-separated tokens
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin

from sitegen.content.errors import OutputError
from sitegen.content.model import Item, Village, Voucher
from sitegen.content.money import yuan
from sitegen.content.privacy import find_unmasked, mask
from sitegen.content.taxonomy import BOARDS, POLICIES, RULES

FORMAT = 1
INDEX_NAME = "search-index.js"
PAGE_NAME = "search.html"
BOARD_NAMES = [b.name for b in BOARDS] + [RULES.name, POLICIES.name]
PAYMENT, NOTICE, PROJECT, PERSON = 0, 1, 2, 3
VILLAGE, TOWN, CITY = 0, 1, 2
CENT = Decimal("0.01")
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Entry:
    """One searchable thing before it is written: what is shown, where it leads, what finds it."""

    kind: int
    board: int
    flow: int
    month: str
    scope: int
    path: str  # root-relative; made relative to the search page when written
    title: str  # masked
    sub: str  # masked
    names: tuple[str, ...] = ()  # people and payees (masked)
    code: str = ""  # 查询码 without dashes
    amount: Decimal | None = None


def initials(text: str) -> str:
    """Pinyin initials of the Han characters, letters and digits as they are, upper case, nothing else:
    '张永刚' -> 'ZYG', '保洁费3月' -> 'BJF3Y'. Phrase-aware (重庆 -> CQ)."""
    out = []
    for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: s):
        for ch in part:
            if ch.isascii() and ch.isalnum():
                out.append(ch.upper())
    return "".join(out)


def name_initials(name: str) -> list[str]:
    """A person's initials, with every reading of the surname (曾 is Zeng as a surname, 单 Shan): 曾国藩 -> CGF, ZGF.
    Pinyin cannot tell a name from a word, so a villager who says it either way finds it."""
    base = initials(name)
    if not base or not _HAN.match(name):
        return [base] if base else []
    readings = pinyin(name[0], style=Style.FIRST_LETTER, heteronym=True)[0]
    return list(dict.fromkeys([base] + [r.upper() + base[1:] for r in readings if r.isascii() and r.isalpha()]))


def board_index(name: str) -> int:
    return BOARD_NAMES.index(name)


def item_entry(item: Item, path: str, scope: int, code: str) -> Entry:
    sub = f"{item.date.isoformat()} · {item.board.name}" + (f" · {item.category.name}" if item.category else "")
    return Entry(
        NOTICE,
        board_index(item.board.name),
        0,
        item.date.strftime("%Y-%m"),
        scope,
        path,
        mask(item.title),
        mask(sub),
        code=code.replace("-", ""),
    )


def voucher_entries(v: Village, path_of: Callable[[Voucher], str], codes: dict[int, str]) -> list[Entry]:
    """A payment per voucher: who was paid (对方), the cash/bank movement, its month; drafts left out."""
    lines = {line.voucher.key: line for lg in v.ledgers for m in lg.months for line in m.lines}
    out = []
    for voucher in v.vouchers:
        if voucher.draft:
            continue
        line = lines.get(voucher.key)
        flow, amount = 0, voucher.debit_total
        if line is not None and not line.transfer and (line.income or line.expense):
            flow, amount = (1, line.income) if line.income else (2, line.expense)
        payees = tuple(dict.fromkeys(mask(ln.counterparty) for ln in voucher.lines if ln.counterparty))
        how = {0: "", 1: "收入 ", 2: "支出 "}[flow]
        sub = " · ".join(
            x for x in (voucher.date.isoformat(), voucher.label, "、".join(payees), f"{how}{yuan(amount)} 元") if x
        )
        out.append(
            Entry(
                PAYMENT,
                board_index("财务"),
                flow,
                voucher.month,
                VILLAGE,
                path_of(voucher),
                mask(voucher.summary or voucher.label),
                mask(sub),
                payees,
                codes.get(id(voucher), "").replace("-", ""),
                amount,
            )
        )
    return out


def finance_entries(v: Village, base: str, planned: set[str], slug: Callable[[str], str]) -> list[Entry]:
    """Projects by name, and every person on a payout list (补助, 低保 …) by name, each leading to its page."""
    fin = v.finance
    out: list[Entry] = []
    if fin is None:
        return out
    for proj in fin.projects:
        path = f"{base}/finance/projects/{slug(proj.id)}.html"
        if path in planned:
            out.append(
                Entry(
                    PROJECT,
                    board_index("财务"),
                    0,
                    "",
                    VILLAGE,
                    path,
                    mask(proj.name),
                    mask(f"工程项目 · 合同价 {yuan(proj.contract)} 元 · 已付 {yuan(proj.paid)} 元"),
                    amount=proj.contract,
                )
            )
    for lst in fin.payouts:
        path = f"{base}/finance/lists/{lst.slug}.html"
        if lst.voucher.draft or path not in planned:
            continue
        for p in lst.payees:
            name = mask(p.name)
            out.append(
                Entry(
                    PERSON,
                    board_index("财务"),
                    2,
                    lst.voucher.month,
                    VILLAGE,
                    path,
                    name,
                    mask(" · ".join(x for x in (lst.name, p.group, p.period, f"{yuan(p.amount)} 元") if x)),
                    (name,),
                    amount=p.amount,
                )
            )
    return out


def _order(entries: Iterable[Entry]) -> list[Entry]:
    """Latest first within each scope (the village's own first): what an empty query lists."""
    return sorted(entries, key=lambda e: (e.scope, _neg(e.month), e.kind, e.path, e.title))


def _neg(month: str) -> str:
    return "".join(chr(0x7F - ord(c)) for c in month) if month else "\x7f"


def _pinyin_map(texts: Iterable[str]) -> str:
    """Each Han character used, followed by its usual full pinyin (phone search by pinyin): '张zhang永yong…'."""
    chars = sorted({ch for t in texts for ch in _HAN.findall(t)})
    return "".join(
        ch + pinyin(ch, style=Style.NORMAL, errors="ignore")[0][0]
        for ch in chars
        if pinyin(ch, style=Style.NORMAL, errors="ignore")
    )


def script(entries: list[Entry], relative: Callable[[str], str], scope_names: list[str]) -> bytes:
    """The index as an ES5 script; `relative` makes a root path relative to the search page."""
    entries = _order(entries)
    months = sorted({e.month for e in entries if e.month}, reverse=True)
    at = {m: i for i, m in enumerate(months)}
    rows: list[list[Any]] = []
    # each text's initials once a script (pypinyin: ~0.1 ms a text): a village's payees, people and titles repeat
    # from voucher to voucher and month to month
    named: dict[str, str] = {}
    titled: dict[str, str] = {}
    for e in entries:
        for n in e.names:
            if n not in named:
                named[n] = "|".join(name_initials(n))
        if e.title not in titled:
            titled[e.title] = initials(e.title)
        rows.append(
            [
                e.kind,
                e.board,
                e.flow,
                at.get(e.month, -1),
                e.scope,
                relative(e.path),
                e.title,
                e.sub,
                "|".join(named[n] for n in e.names if named[n]),
                titled[e.title],
                e.code,
                f"{e.amount.quantize(CENT):f}" if e.amount is not None else "",
            ]
        )  # never 1.2E+4
    data = {
        "v": FORMAT,
        "boards": BOARD_NAMES,
        "scopes": scope_names,
        "months": months,
        "r": rows,
        "py": _pinyin_map([e.title for e in entries] + [n for e in entries for n in e.names]),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # JSON allows U+2028/U+2029 inside strings, ES5 does not
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    leaks = find_unmasked(text)
    if leaks:  # a last line of defence, like the page scan in pipeline.build
        raise OutputError(f"unmasked personal data in the search index: {leaks[0][:4]}…")
    return f"window.SEARCH_INDEX={text};\n".encode()
