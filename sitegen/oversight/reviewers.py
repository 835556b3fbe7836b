"""Who may review (审核资格): a review counts only from the department responsible for the board, and never from the
people whose work it checks.

- 党务 is reviewed by the town's 组织办, 村务 by its 民政办, 财务 (items, and each month of the journal in reviews.yaml)
  by its 农经站 (`config.DEFAULT_REVIEW_DEPARTMENTS`). site.yaml `oversight: review_departments` changes this for
  every town, a town.yaml `review_departments` for that town's villages, board by board. "本镇" in a name stands for
  the village's own town: 本镇组织办 is 夏港街道组织办 for a village of 夏港街道.
- The reviewer is never the item's author (`author:`), a cadre of the village (village.yaml `cadres:`) or a cadre's
  close relative; for a month of the journal, nor anyone who handled, witnessed or approved one of its payments, or
  checked it for the village supervisory committee (the approval trail, review.JOURNAL_COLUMNS).
- An approved review names both its department and its reviewer.

Only approvals are checked: a pending or rejected review holds the record back whoever wrote it. Each breach is an error naming the file and the line of the review: the village is held back rather than publishing
a record as approved by someone who may not approve it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.content.config import TOWN_PLACEHOLDER, OversightConfig, parse_review_departments
from sitegen.content.errors import Location, Report
from sitegen.content.load import RawDoc, RawTown
from sitegen.content.model import City, Review, Town, Village
from sitegen.content.taxonomy import BOARDS, FINANCE
from sitegen.oversight.registries import norm_name

TRAIL_ROLES = {
    "handler": ("经手人", "handler"),
    "witness": ("证明人", "witness"),
    "approver": ("审批人", "approver"),
    "supervisor": ("村监委审核人", "village supervisory reviewer"),
}


@dataclass(frozen=True, slots=True)
class Role:
    """Why someone may not review a record, in words (Chinese, English)."""

    zh: str
    en: str


def departments(config: OversightConfig, town: Town, override: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Board name -> the department names that may review it in `town` (本镇 replaced by the town's name)."""
    return {
        b.name: [n.replace(TOWN_PLACEHOLDER, town.name) for n in override.get(b.name, config.departments(b.name))]
        for b in BOARDS
    }


def village_people(village: Village) -> dict[str, Role]:
    """Normalised name -> role, for the village's cadres and their close relatives."""
    people: dict[str, Role] = {}
    for cadre in village.cadres:
        for rel in cadre.relatives:
            people.setdefault(
                norm_name(rel.name),
                Role(
                    f"本村干部{cadre.name}的{rel.relation or '近亲属'}",
                    f"a close relative of the village cadre {cadre.name}",
                ),
            )
    for cadre in village.cadres:  # a cadre's own post wins over being someone's relative
        people[norm_name(cadre.name)] = Role(f"本村干部（{cadre.post or '村干部'}）", "a cadre of the village")
    return people


def month_people(village: Village, month: str) -> dict[str, Role]:
    """Normalised name -> role, for everyone on the approval trail of the month's vouchers (the township's own
    online reviewer excepted: that is the 农经站's part)."""
    people: dict[str, Role] = {}
    for v in village.vouchers:
        if v.month != month:
            continue
        for field, (zh, en) in TRAIL_ROLES.items():
            who = getattr(v.trail, field)
            if who:
                people.setdefault(
                    norm_name(who), Role(f"{month} 凭证 {v.label} 的{zh}", f"the {en} of voucher {v.label}")
                )
    return people


def review_line(text: str, anchor: str, key: str) -> int | None:
    """The line of `key` inside the mapping written under the top-level key `anchor` (`review` in an item's front
    matter, a month in reviews.yaml); the anchor's own line when the mapping is on one line or lacks `key`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"^(['\"]?){re.escape(anchor)}\1\s*:(.*)$", line)
        if not m:
            continue
        if m.group(2).split("#")[0].strip():  # {department: …, reviewer: …} on the same line
            return i + 1
        for j in range(i + 1, len(lines)):
            if lines[j].strip() and not lines[j][0].isspace():
                break  # the next top-level key
            if re.match(rf"^\s+{re.escape(key)}\s*:", lines[j]):
                return j + 1
        return i + 1
    return None


def _text(path: Path) -> str:
    """The file as load read it (UTF-8, else GB18030), only to find line numbers."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def check_review(
    review: Review,
    board: str,
    allowed: list[str],
    people: dict[str, Role],
    what: tuple[str, str],
    where: str,
    lines: Path | None,
    anchor: str,
    report: Report,
) -> None:
    """One review against the rules above; `what` names the record (Chinese, English), `lines` is the file to find
    the review's lines in."""
    if not review.recorded or review.status != "approved":
        return  # a pending or rejected review holds the record whoever wrote it: only an approval publishes
    text = _text(lines) if lines is not None and lines.is_file() else ""

    def loc(key: str) -> Location:
        return Location(where, review_line(text, anchor, key))

    department = norm_name(review.department)
    if department and department not in {norm_name(a) for a in allowed}:
        report.error(
            "review-department",
            loc("department"),
            value=review.department,
            what=what[0],
            what_en=what[1],
            board=board,
            allowed="、".join(allowed) or "（未设定）",
        )
    missing = [
        (zh, en)
        for zh, en, value in (
            ("审核部门", "department", department),
            ("审核人", "reviewer", norm_name(review.reviewer)),
        )
        if not value
    ]
    if missing:
        report.error(
            "review-unnamed",
            loc("status"),
            what=what[0],
            what_en=what[1],
            missing="和".join(zh for zh, _ in missing),
            missing_en=" or ".join(en for _, en in missing),
        )
    role = people.get(norm_name(review.reviewer)) if review.reviewer.strip() else None
    if role is not None:
        report.error(
            "review-person",
            loc("reviewer"),
            value=review.reviewer,
            role=role.zh,
            role_en=role.en,
            what=what[0],
            what_en=what[1],
        )


def town_departments(raw_town: RawTown | None, town: Town, city: City, report: Report) -> dict[str, list[str]]:
    """Board name -> who may review it in `town`: site.yaml's settings, or its town.yaml's `review_departments`
    (whose problems are reported here, once a town)."""
    config = city.oversight if isinstance(city.oversight, OversightConfig) else OversightConfig()
    override: dict[str, tuple[str, ...]] = {}
    if raw_town is not None and raw_town.config is not None and isinstance(raw_town.config.data, dict):
        override = dict(
            parse_review_departments(
                raw_town.config.data.get("review_departments"),
                Location(raw_town.config.where),
                report,
                "review_departments",
            )
        )
    return departments(config, town, override)


def check_village(village: Village, allowed: dict[str, list[str]], doc: RawDoc | None, report: Report) -> None:
    """The reviews of one village's items and journal months (`doc`: its reviews.yaml) against `allowed`
    (town_departments): they read nothing outside the village but its town's and the site's settings."""
    people = village_people(village)
    for item in village.items:
        if not item.board.department:
            continue  # 制度建设: no reviewing department
        mine = dict(people)
        if item.author.strip():
            mine[norm_name(item.author)] = Role("这条事项的填报人", "the item's author")
        check_review(
            item.review,
            item.board.name,
            allowed[item.board.name],
            mine,
            (f"这条{item.board.name}事项", f"this {item.board.name} item"),
            item.where,
            item.source,
            "review",
            report,
        )
    for month, review in sorted(village.month_reviews.items()):
        check_review(
            review,
            FINANCE.name,
            allowed[FINANCE.name],
            {**month_people(village, month), **people},
            (f"{month} 的财务", f"the finance of {month}"),
            doc.where if doc else village.where,
            doc.path if doc else None,
            month,
            report,
        )
