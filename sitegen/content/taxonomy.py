"""The boards (板块) and categories (类别) of 三务公开, as on Jiangyin's 户户通 platform.

Boards and their seven categories are fixed; sub-items (小项) are configurable per site. Each has an ASCII
slug because it becomes part of every page's relative URL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """类别 One of a board's seven categories."""

    slug: str
    name: str


@dataclass(frozen=True)
class Board:
    """板块 A board: 党务, 村务, 财务, or the two uncategorised sections 制度建设 and 政策法规."""

    slug: str
    name: str
    folders: tuple[str, ...]  # accepted folder names, ASCII first
    categories: tuple[Category, ...]
    department: str  # who reviews it (审核部门), per the Jiangyin article

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)


PARTY = Board(
    "party",
    "党务",
    ("party", "党务"),
    (
        Category("political", "政治建设"),
        Category("ideological", "思想建设"),
        Category("organisation", "组织建设"),
        Category("conduct", "作风建设"),
        Category("discipline", "纪律建设"),
        Category("major-decisions", "三重一大"),
        Category("other", "其他事项"),
    ),
    "组织部门",
)

AFFAIRS = Board(
    "affairs",
    "村务",
    ("affairs", "村务"),
    (
        Category("plans", "村经济和社会事业发展规划"),
        Category("compacts", "村规民约及各类规约"),
        Category("events", "村务发生事项"),
        Category("meetings", "村民会议及实施"),
        Category("cadres", "村干部"),
        Category("supervision", "村务监督委员会履职情况"),
        Category("other", "其他事项"),
    ),
    "民政部门",
)

FINANCE = Board(
    "finance",
    "财务",
    ("finance", "财务"),
    (
        Category("net-worth", "本村家底"),
        Category("funds", "资金"),
        Category("assets", "资产"),
        Category("resources", "资源"),
        Category("projects", "工程项目"),
        Category("income-expense", "收支情况"),
        Category("reports", "村务报表"),
    ),
    "农经部门",
)

RULES = Board("rules", "制度建设", ("rules", "制度建设"), (), "")
POLICIES = Board("policies", "政策法规", ("policies", "政策法规"), (), "")

BOARDS: tuple[Board, ...] = (PARTY, AFFAIRS, FINANCE)
SECTIONS: tuple[Board, ...] = (RULES, POLICIES)  # published by the city or town once for all villages
ALL: tuple[Board, ...] = BOARDS + SECTIONS

BY_FOLDER: dict[str, Board] = {folder: b for b in ALL for folder in b.folders}
BY_NAME: dict[str, Board] = {b.name: b for b in ALL}
