"""The TV test pages of tests/test_tv_js.py, rendered at test time through the real TV theme (电视测试页).

tests/fixtures/tvpages/ holds only each page's body (its `main`, and the blocks a real page kind sets: a body
class, the top line's extras, the key hints); the frame around it (head, <body> with its class and data-back /
data-home, the top line, the key hints, the script) is the real themes/tv/templates/base.html, through the same
Jinja environment the build uses (site/render.environment). So a change to the theme reaches these pages, and the
pages cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader

from sitegen.site.render import environment

BODIES = Path(__file__).resolve().parent / "fixtures" / "tvpages"


@dataclass(frozen=True)
class FixturePage:
    """What base.html reads of a page (site/plan.Page's frame fields), without a planned site behind it."""

    title: str
    kind: str  # the page kind: a class on <body> (page-village: digit 0 stays on the page)
    back: str  # data-back: where Back goes without history ("": nowhere, as on a home page)
    place: tuple[str, ...]  # the top line's crumbs
    home: str = "index.html"
    home_label: str = "本村首页"

    @property
    def tv_title(self) -> str:
        return self.title


@dataclass(frozen=True)
class FixtureCity:
    title: str = "三务公开户户通"
    hotline: str = "12345"


VILLAGE = ("夏港街道", "长寿村")
PAGES = {
    "index.html": FixturePage("长寿村", "village", "", ("夏港街道",)),
    "list.html": FixturePage("收支流水（500 笔）", "ledger", "index.html", VILLAGE),
    "item.html": FixturePage("记-12　支付路灯电费", "voucher", "list.html", (*VILLAGE, "收支流水")),
    "scan.html": FixturePage("记-12 第2张", "scan", "item.html", (*VILLAGE, "记-12")),
    "text.html": FixturePage("长寿村村规民约", "item", "index.html", (*VILLAGE, "村务")),
}


def ledger_rows(count: int = 500) -> list[dict[str, object]]:
    """list.html's rows: one line each, dates through the year, every third an income."""
    return [
        {
            "n": n,
            "date": f"2026-{(n - 1) // 28 % 12 + 1:02d}-{(n - 1) % 28 + 1:02d}",
            "kind": "收入" if n % 3 == 0 else "支出",
            "amount": f"{100 + n * 37 % 500:.2f}",
        }
        for n in range(1, count + 1)
    ]


def render(dest: Path) -> list[str]:
    """Write every test page into `dest` (static/ is the caller's); their names."""
    theme = environment("tv")
    assert theme.loader is not None
    env = theme.overlay(loader=ChoiceLoader([FileSystemLoader(str(BODIES)), theme.loader]))
    data = {"list.html": {"rows": ledger_rows()}}
    for name, page in PAGES.items():
        context = {**data.get(name, {}), "page": page, "city": FixtureCity(), "url": lambda target: target}
        (dest / name).write_text(env.get_template(name).render(context), encoding="utf-8")
    return list(PAGES)
