"""Who may review (reviewers.py): edits to the mini fixture, each naming who reviewed, and what `check` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.oversight.reviewers import review_line
from tests.checked import check
from tests.test_validate import JOURNAL, MEETING, edit

COMPACT = "xg/cs/affairs/compact.md"
REPORT = "xg/cs/finance/report.md"
REVIEWS = "xg/cs/reviews.yaml"
VILLAGE = "xg/cs/village.yaml"
TOWN = "xg/town.yaml"
MONTH_REVIEW = "2026-09: {department: 夏港街道农经站, reviewer: 张永刚"

CADRES = """cadres:
  - name: 徐建明
    post: 党委书记
    relatives:
      - {name: 沈梅英, relation: 配偶}
"""


def add_cadres(root: Path) -> None:
    with open(root / VILLAGE, "a", encoding="utf-8") as f:
        f.write(CADRES)


def trail_column(root: Path, who: str) -> None:
    """The journal gains a 经手人 column, `who` on the first voucher's first row."""
    path = root / JOURNAL
    rows = path.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",经手人", rows[1] + f",{who}"] + [r + "," for r in rows[2:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def meeting(old: str, new: str):
    return lambda root: edit(root, MEETING, old, new)


def steps(*mutations):
    def run(root: Path) -> None:
        for m in mutations:
            m(root)

    return run


CASES = [
    # (id, mutation, code, file, line, words in the Chinese message)
    (
        "own-office-and-own-secretary",
        steps(add_cadres, meeting("夏港街道组织办", "长寿村会计室"), meeting("reviewer: 王建华", "reviewer: 徐建明")),
        "review-department",
        MEETING,
        11,
        "长寿村会计室",
    ),
    (
        "own-secretary",
        steps(add_cadres, meeting("reviewer: 王建华", "reviewer: 徐 建明")),
        "review-person",
        MEETING,
        12,
        "本村干部（党委书记）",
    ),
    (
        "cadre-spouse",
        steps(add_cadres, meeting("reviewer: 王建华", "reviewer: 沈梅英")),
        "review-person",
        MEETING,
        12,
        "徐建明的配偶",
    ),
    (
        "author-reviews-own-item",
        meeting("title: 第三季度党员大会", "title: 第三季度党员大会\nauthor: 王建华"),
        "review-person",
        MEETING,
        13,
        "填报人",
    ),
    (
        "another-towns-office",
        meeting("夏港街道组织办", "祝塘镇组织办"),
        "review-department",
        MEETING,
        11,
        "夏港街道组织办",
    ),
    ("another-boards-office", meeting("夏港街道组织办", "夏港街道农经站"), "review-department", MEETING, 11, "党务"),
    ("approved-without-reviewer", meeting("  reviewer: 王建华\n", ""), "review-unnamed", MEETING, 13, "审核人"),
    (
        "approved-without-anyone",
        meeting("  department: 夏港街道组织办\n  reviewer: 王建华\n", ""),
        "review-unnamed",
        MEETING,
        12,
        "审核部门和审核人",
    ),
    (
        "one-line-review-by-village",
        lambda r: edit(r, COMPACT, "夏港街道民政办", "长寿村村委会"),
        "review-department",
        COMPACT,
        6,
        "民政办",
    ),
    (
        "finance-item-by-party-office",
        lambda r: edit(r, REPORT, "夏港街道农经站", "夏港街道组织办"),
        "review-department",
        REPORT,
        5,
        "农经站",
    ),
    (
        "month-by-village-accountant",
        lambda r: edit(r, REVIEWS, "夏港街道农经站", "长寿村会计室"),
        "review-department",
        REVIEWS,
        2,
        "长寿村会计室",
    ),
    (
        "month-by-cadre",
        steps(add_cadres, lambda r: edit(r, REVIEWS, "张永刚", "徐建明")),
        "review-person",
        REVIEWS,
        2,
        "本村干部",
    ),
    ("month-by-its-own-handler", lambda r: trail_column(r, "张永刚"), "review-person", REVIEWS, 2, "记-1 的经手人"),
    (
        "site-names-another-office",
        lambda r: edit(
            r, "site.yaml", 'hotline: "12345"', 'hotline: "12345"\noversight:\n  review_departments: {党务: 本镇党建办}'
        ),
        "review-department",
        MEETING,
        11,
        "夏港街道党建办",
    ),
    (
        "town-names-another-office",
        lambda r: edit(r, TOWN, "name: 夏港街道", "name: 夏港街道\nreview_departments:\n  村务: [江阴市民政局]"),
        "review-department",
        COMPACT,
        6,
        "江阴市民政局",
    ),
    (
        "town-setting-not-a-list",
        lambda r: edit(r, TOWN, "name: 夏港街道", "name: 夏港街道\nreview_departments: [组织办]"),
        "bad-value",
        TOWN,
        None,
        "review_departments",
    ),
    (
        "town-setting-unknown-board",
        lambda r: edit(r, TOWN, "name: 夏港街道", "name: 夏港街道\nreview_departments: {党委: 组织办}"),
        "unknown-key",
        TOWN,
        2,
        "党委",
    ),
    (
        "town-setting-empty",
        lambda r: edit(r, TOWN, "name: 夏港街道", "name: 夏港街道\nreview_departments: {党务: []}"),
        "bad-value",
        TOWN,
        2,
        "党务",
    ),
]


@pytest.mark.parametrize("mutate,code,rel,line,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_review_by_someone_who_may_not_review_is_an_error(mini, mutate, code, rel, line, words):
    mutate(mini)
    _, report = check(mini)
    problems = [p for p in report.errors if p.code == code]
    assert problems, [p.format() for p in report.errors]
    p = problems[0]
    assert p.where.path == f"content/{rel}", p.format()
    assert p.where.line == line, p.format()
    assert words in p.zh and p.en, p.format()


ALLOWED = [
    # (id, mutation): reviews that stay valid
    ("the-fixture-as-it-is", lambda r: None),
    ("cadres-listed-but-not-reviewing", add_cadres),
    ("spaces-and-full-width-in-the-department", meeting("夏港街道组织办", "夏港街道 组织办")),
    (
        "a-pending-review-without-a-reviewer",
        meeting("  reviewer: 王建华\n  date: 2026-09-16\n  status: 已通过", "  status: 待审核"),
    ),
    (
        "pending-with-the-village-office",
        meeting(
            "  department: 夏港街道组织办\n  reviewer: 王建华\n  date: 2026-09-16\n  status: 已通过",
            "  department: 长寿村会计室\n  status: 待审核",
        ),
    ),
    ("the-author-is-someone-else", meeting("title: 第三季度党员大会", "title: 第三季度党员大会\nauthor: 李会计")),
    ("the-township-reviewer-on-the-trail", lambda r: trail_column(r, "李会计")),
    (
        "town-allows-another-office",
        steps(
            lambda r: edit(
                r, TOWN, "name: 夏港街道", "name: 夏港街道\nreview_departments:\n  党务: [本镇组织办, 本镇党建办]"
            ),
            meeting("夏港街道组织办", "夏港街道党建办"),
        ),
    ),
    (
        "site-allows-the-city-bureau",
        steps(
            lambda r: edit(
                r,
                "site.yaml",
                'hotline: "12345"',
                'hotline: "12345"\noversight:\n  review_departments:\n    财务: [本镇农经站, 江阴市农业农村局]',
            ),
            lambda r: edit(r, REVIEWS, "夏港街道农经站", "江阴市农业农村局"),
        ),
    ),
]


@pytest.mark.parametrize("mutate", [c[1] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_a_review_by_the_responsible_department_passes(mini, mutate):
    mutate(mini)
    _, report = check(mini)
    assert not report.errors, [p.format() for p in report.errors]


def test_a_town_setting_applies_to_its_own_villages_only(mini):
    """Another town keeps the defaults: 祝塘镇's override does not let 夏港街道's villages be reviewed by its bureau."""
    other = mini / "zt"
    other.mkdir()
    (other / "town.yaml").write_text("name: 祝塘镇\nreview_departments: {村务: [江阴市民政局]}\n", encoding="utf-8")
    edit(mini, COMPACT, "夏港街道民政办", "江阴市民政局")
    _, report = check(mini)
    assert [p.where.path for p in report.errors if p.code == "review-department"] == [f"content/{COMPACT}"]


LINES = [
    # (text, anchor, key, line)
    ("---\ntitle: t\nreview:\n  department: a\n  reviewer: b\n---\nreview: x\n", "review", "reviewer", 5),
    ("---\nreview: {department: a, reviewer: b}\n---\n", "review", "reviewer", 2),
    ("---\nreview:\n  department: a\ntitle: t\n  reviewer: b\n", "review", "reviewer", 2),  # not past the block
    ("'2026-09':\n  department: a\n", "2026-09", "department", 2),
    ("2026-08: {department: a}\n2026-09: {department: b}\n", "2026-09", "department", 2),
    ("title: t\n", "review", "reviewer", None),
]


@pytest.mark.parametrize("text,anchor,key,line", LINES)
def test_review_line(text, anchor, key, line):
    assert review_line(text, anchor, key) == line
