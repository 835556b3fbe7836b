"""Review and basis (审核与依据): what may be published, and what each record must name.

Every item of the three boards is reviewed by the responsible department (党务: the town's 组织办; 村务: 民政办;
财务: 农经站; `taxonomy.Board.department`), and every month of the journal by the 农经站 (`reviews.yaml` in the
village folder, month -> review). Publication rule:

- an approved record is published;
- a record whose review is written and says pending (待审核) or rejected (退回) is a draft;
- a record with no review at all is a draft too (`oversight: {review_required: true}`, the default); a site whose
  content predates reviews may say `review_required: false`, and then only written pending/rejected reviews hold;
- months are published in order: once a month is a draft, every later month is too, because the ledger's
  running balance of a later month would otherwise reveal the unpublished one.

Drafts are left out of a normal build; `sitegen build --preview` keeps them, marked 草稿 (`Item.draft`,
`Voucher.draft`). Each board item must name its basis (依据), and each project stage (工程项目 sub-item) the
documents that stage produces (`PROJECT_DOCUMENTS`); `sitegen check` lists what is missing as warnings.

The journal may also carry each payment's approval trail (`JOURNAL_COLUMNS`, read by validate via `read_trail`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sitegen.content.dates import read_day
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawDoc
from sitegen.content.model import City, Item, PaymentWarning, Question, Review, Village, Voucher, with_villages
from sitegen.content.taxonomy import FINANCE
from sitegen.finance import tables as finance
from sitegen.oversight.attach import attached, same_objects, village_key

# Optional journal columns (validate.COLUMNS): the payee's ID and the approval trail. One value per voucher; the
# first row of the voucher that fills a column wins, so a clerk may write it on the first line only.
JOURNAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "payee_id": ("收款人证件号", "收款人证件号码", "统一社会信用代码", "证件号码", "payee_id"),
    "handler": ("经手人", "handler"),
    "witness": ("证明人", "witness"),
    "approver": ("审批人", "approver"),
    "supervisor": ("监委审核人", "村监委审核人", "supervisor"),
    "supervisor_date": ("监委审核日期", "村监委审核日期", "supervisor_date"),
    "township": ("农经审核人", "镇农经审核人", "township"),
    "township_date": ("农经审核日期", "镇农经审核日期", "township_date"),
}
TRAIL_FIELDS = ("handler", "witness", "approver", "supervisor", "supervisor_date", "township", "township_date")

# 工程项目 stage (sub-item) -> documents it must name: (document, words any one of which its title contains).
PROJECT_DOCUMENTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "立项": (("立项决议", ("决议", "立项")),),
    "招投标": (("招标或比选文件", ("招标", "比选", "决议")), ("中标或成交通知书", ("中标", "成交"))),
    "合同": (("施工合同", ("合同",)),),
    "进度": (("工程进度确认单", ("进度", "监理")),),
    "增减项目": (("变更签证或决议", ("变更", "签证", "决议")),),
    "验收": (("竣工验收报告", ("验收",)),),
    "决算": (("工程决算审计报告", ("决算", "审计")),),
}


def read_trail(voucher: Voucher, cell: Callable[[str], str], where: Callable[[str], Location], report: Report) -> None:
    """Fill `voucher.trail` from one journal row (`cell(field)` is "" where the column is absent or empty)."""
    changes: dict[str, Any] = {}  # TRAIL_FIELDS name -> a date or text, as ApprovalTrail declares
    for name in TRAIL_FIELDS:
        text = cell(name)
        if not text or getattr(voucher.trail, name):
            continue
        if name.endswith("_date"):
            day = read_day(text, where(name), JOURNAL_COLUMNS[name][0], report)
            if day is None:
                continue
            changes[name] = day
        else:
            changes[name] = text
    if changes:
        voucher.trail = replace(voucher.trail, **changes)


# ---- reviews -------------------------------------------------------------------------------------------------


def month_reviews(
    doc: RawDoc | None, parse_review: Callable[[object, Location], Review], village: Village, report: Report
) -> dict[str, Review]:
    """reviews.yaml: `2026-09: {department: …, reviewer: …, date: …, status: 已通过}` per month."""
    if doc is None:
        return {}
    where = Location(doc.where)
    if not isinstance(doc.data, dict):
        report.error("yaml-not-mapping", where)
        return {}
    out: dict[str, Review] = {}
    for key, value in doc.data.items():
        month = str(key).strip()
        try:
            date.fromisoformat(f"{month}-01")
            ok = len(month) == 7
        except ValueError:
            ok = False
        if not ok:
            report.error("month-format", where, value=key)
            continue
        out[month] = parse_review(value if value is not None else {}, where)
    return out


def approved(review: Review, required: bool) -> bool:
    if review.status == "approved":
        return True
    return not review.recorded and not required


def month_review(village: Village, month: str) -> Review:
    return village.month_reviews.get(month, Review(recorded=False))


def draft_months(village: Village, required: bool) -> set[str]:
    """Months of the village's journal that are drafts: the first unapproved month and every month after it."""
    drafts: set[str] = set()
    for month in sorted({v.month for v in village.vouchers}):
        if drafts or not approved(month_review(village, month), required):
            drafts.add(month)
    return drafts


def item_is_draft(item: Item, required: bool) -> bool:
    # 制度建设 and 政策法规 have no reviewing department: only a review written as pending or rejected holds them
    return not approved(item.review, required and bool(item.board.department))


def publish(city: City, preview: bool) -> City:
    """The city with its drafts marked (`draft`) and, without `preview`, taken out with what hangs on them: a
    new city, `city` is left as it was (attach.attached).

    Without `preview`, a village whose drafts can simply be left out (`_plain`: nothing it keeps names one) is
    not copied through attach at all: its published form is its kept items and vouchers, the very objects, with
    its warnings and questions filtered and its finance tables cut to the published months, the same values
    attach and Rebuild would make (they copy each draft only to mark it, and whatever holds one, all of which is
    then left out). A build after one change publishes every carried village again: this keeps that O(city)
    pass to a scan of each village's lists, not a copy of its model."""
    required = city.oversight.review_required
    drafts: set[int] = set()  # ids of the draft items and vouchers
    for items in [city.items] + [t.items for t in city.towns] + [v.items for v in city.villages]:
        drafts.update(id(item) for item in items if item_is_draft(item, required))
    for village in city.villages:
        months = draft_months(village, required)
        drafts.update(id(v) for v in village.vouchers if v.month in months)
    warnings: dict[str, list[PaymentWarning]] = {}
    village_questions: dict[str, list[Question]] = {}
    for village in city.villages:
        key = village_key(village.town_slug, village.slug)
        # a warning naming a payment of a held month (split over the month's end) waits for that month too
        warnings[key] = [
            w
            for w in village.warnings
            if preview or (id(w.voucher) not in drafts and not any(id(o) in drafts for o in w.others))
        ]
        village_questions[key] = [q for q in village.questions if preview or id(q.target) not in drafts]
    plain: dict[str, tuple[list[PaymentWarning], list[Question]]] = {}  # left out as they are (_plain)
    if not preview:
        about: dict[int, list[Question]] = {}
        for q in city.questions:
            about.setdefault(id(q.target), []).append(q)
        for village in city.villages:
            key = village_key(village.town_slug, village.slug)
            if _plain(village, drafts, warnings[key], about):
                plain[key] = (warnings.pop(key), village_questions.pop(key))
                warnings[key], village_questions[key] = village.warnings, village.questions  # shared by attach
    # the drafts attach marks: a plain village's are left out below by their ids, not marked
    marking = drafts - {
        id(thing)
        for village in city.villages
        if village_key(village.town_slug, village.slug) in plain
        for thing in [*village.items, *village.vouchers]
    }
    # (a draft already taken out by an earlier publish, still named by a question, stays one)
    marked = attached(
        city, lambda thing: id(thing) in marking or thing.draft, warnings, village_questions, city.questions
    )
    if preview:
        return marked

    def published(village: Village) -> Village:
        kept = plain.get(village_key(village.town_slug, village.slug))

        def out(thing: Item | Voucher) -> bool:
            return thing.draft or (kept is not None and id(thing) in drafts)

        vouchers = [v for v in village.vouchers if not out(v)]
        warned, asked = (village.warnings, village.questions) if kept is None else kept
        return replace(
            village,
            items=[i for i in village.items if not out(i)],
            vouchers=vouchers,
            pending_months=sorted({v.month for v in village.vouchers if out(v)}),
            # the finance tables too: every finance page reads them, and no figure of a held month may show
            finance=finance.published(village.finance, {v.key for v in vouchers}),
            warnings=warned,
            questions=asked,
        )

    marked = with_villages(marked, published)
    return replace(
        marked,
        items=[i for i in marked.items if not i.draft],
        towns=[replace(t, items=[i for i in t.items if not i.draft]) for t in marked.towns],
    )


def _plain(village: Village, drafts: set[int], kept: list[PaymentWarning], about: dict[int, list[Question]]) -> bool:
    """Whether the village's drafts (`drafts`: ids) can be left out without copying anything of it: none of its
    items and vouchers carries a draft mark yet, each already holds the questions attach would give it (`about`:
    the city's, by target) and each voucher its warnings (the village's), those it keeps exactly the warnings kept
    (`kept`: none naming a draft), no question is about a draft (the city lists a question with its target marked),
    and no ledger is made yet. So attach, given the village's own warnings, copies nothing of it, and what else
    names a draft (the finance tables) is cut by finance.published: the objects kept are those attach and Rebuild
    would have shared anyway."""
    if village.ledgers:
        return False
    every: dict[int, list[PaymentWarning]] = {}
    for w in village.warnings:
        every.setdefault(id(w.voucher), []).append(w)
    shown: dict[int, list[PaymentWarning]] = {}
    for w in kept:
        shown.setdefault(id(w.voucher), []).append(w)
    for voucher in village.vouchers:
        if voucher.draft or not same_objects(voucher.questions, about.get(id(voucher), ())):
            return False
        if not same_objects(voucher.warnings, every.get(id(voucher), ())):
            return False
        if id(voucher) in drafts and id(voucher) in about:
            return False  # the city's question about it names a draft: its copy, marked, is what the city lists
        if id(voucher) not in drafts and not same_objects(voucher.warnings, shown.get(id(voucher), ())):
            return False
    return all(
        not item.draft
        and same_objects(item.questions, about.get(id(item), ()))
        and not (id(item) in drafts and id(item) in about)
        for item in village.items
    )


# ---- basis and documents ------------------------------------------------------------------------------------


def missing_documents(item: Item) -> list[str]:
    """The documents a project stage must name that neither its basis nor its documents mention."""
    if item.board is not FINANCE or item.category is None or item.category.name != "工程项目":
        return []
    titles = [d.title for d in ([item.basis] if item.basis else []) + item.documents]
    return [
        doc for doc, words in PROJECT_DOCUMENTS.get(item.subitem, ()) if not any(w in t for t in titles for w in words)
    ]


def lacks_basis(item: Item) -> bool:
    return bool(item.board.department) and (item.basis is None or not item.basis.title)


def check_items_basis(items: list[Item], report: Report) -> None:
    """Warnings for board items without a basis and project stages without their documents (one village's items,
    or the city's, or a town's: what it reports depends on those items alone)."""
    for item in items:
        if lacks_basis(item):
            report.warning("basis-missing", Location(item.where))
        missing = missing_documents(item)
        if missing:
            report.warning("documents-missing", Location(item.where), stage=item.subitem, missing="、".join(missing))


# ---- the review queue (sitegen report review) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    """待审核 One record waiting for, or lacking something for, its review."""

    town: str  # "" for what the city publishes
    village: str  # "" for what the city or a town publishes for all its villages
    kind: str  # 事项 / 月度财务
    title: str
    department: str  # who reviews it
    status: str  # 待审核 / 退回 / 未送审 / 已通过
    missing: str  # what it still lacks, in words ("" if nothing)
    where: str


def queue(city: City) -> list[QueueRow]:
    """Every record not approved, and every approved one that lacks its basis or documents, per town and village."""
    required = city.oversight.review_required
    rows: list[QueueRow] = []
    # 制度建设 and 政策法规 the city or a town publishes for every village: a written pending/rejected review holds them
    for town_name, items, publisher in [("", city.items, city.name)] + [(t.name, t.items, t.name) for t in city.towns]:
        for item in sorted(items, key=lambda i: (i.board.slug, i.date, i.where)):
            if item_is_draft(item, required):
                rows.append(
                    QueueRow(
                        town_name,
                        "",
                        f"{item.board.name}（{'全市' if not town_name else '全镇'}）",
                        item.title,
                        item.review.department or publisher,
                        item.review.status_label,
                        "",
                        item.where,
                    )
                )
    for town in city.towns:
        for village in town.villages:
            for item in sorted(village.items, key=lambda i: (i.board.slug, i.date, i.where)):
                lacks = (["依据"] if lacks_basis(item) else []) + missing_documents(item)
                draft = item_is_draft(item, required)
                if not draft and not lacks:
                    continue
                status = item.review.status_label if item.review.recorded else "未送审"
                rows.append(
                    QueueRow(
                        town.name,
                        village.name,
                        f"{item.board.name}事项",
                        item.title,
                        item.review.department or f"{town.name}{_office(item.board.name)}",
                        status,
                        "、".join(lacks),
                        item.where,
                    )
                )
            drafts = draft_months(village, required)
            for month in sorted({v.month for v in village.vouchers}):
                review = month_review(village, month)
                if month not in drafts:
                    continue
                status = review.status_label if review.recorded else "未送审"
                if approved(review, required):
                    status = "等待前一个月"
                rows.append(
                    QueueRow(
                        town.name,
                        village.name,
                        "月度财务",
                        f"{month} 记账凭证及收支流水",
                        review.department or f"{town.name}农经站",
                        status,
                        "",
                        village.where,
                    )
                )
    return rows


def queued(village: Village, required: bool, drafts: bool | None = None) -> bool:
    """Whether `queue` lists any record of `village` as not approved (a row whose status is not 已通过: what
    `sitegen check` says will not be published, scope.unpublished), without making its rows: a draft month, a
    draft item, or an item never sent for review that lacks its basis or documents (listed as 未送审 though it
    is published). `drafts`: whether the village has a draft month or item, when the caller knows already."""
    if drafts is None:
        drafts = bool(draft_months(village, required)) or any(item_is_draft(i, required) for i in village.items)
    return drafts or any(
        not i.review.recorded and (lacks_basis(i) or bool(missing_documents(i))) for i in village.items
    )


def _office(board: str) -> str:
    return {"党务": "组织办", "村务": "民政办", "财务": "农经站"}.get(board, "")


# ---- the fixed "as of" day ----------------------------------------------------------------------------------


def as_of(city: City, questions: list[Question] | None = None, villages: date | None = None) -> date:
    """The day time limits and reports are measured at: site.yaml `oversight: as_of`, else the latest date written
    anywhere in the content (items, reviews, vouchers, trails, hotline records: `questions`, or the city's).
    Never the wall clock. `villages`: the latest of villages gone through and dropped (latest_day), when `city`
    no longer holds them."""
    if city.oversight.as_of is not None:
        return city.oversight.as_of
    days: list[date] = [] if villages is None else [villages]
    for items in [city.items] + [t.items for t in city.towns]:
        days += _item_days(items)
    days += [day for day in map(latest_day, city.villages) if day is not None]
    for q in city.questions if questions is None else questions:
        days += [q.date] + ([q.reply_date] if q.reply_date else [])
    return max(days, default=date(2000, 1, 1))


def latest_day(village: Village) -> date | None:
    """The latest date written in a village (its items and their reviews, its month reviews, vouchers and their
    trails; None: none), for as_of."""
    days = _item_days(village.items) + [r.date for r in village.month_reviews.values() if r.date]
    for v in village.vouchers:
        days += [v.date] + [when for _, _, when in v.trail.steps if when]
    return max(days, default=None)


def _item_days(items: list[Item]) -> list[date]:
    return [day for item in items for day in [item.date] + ([item.review.date] if item.review.date else [])]
