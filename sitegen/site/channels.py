"""Channel words (各渠道的说法): each channel tells its viewers how to act in its own words.

The article's 一栏一网三屏 reaches the same pages on a TV (a remote control: 选中 with the arrows, then 按确定键),
on the web and phones, and on touch-screen kiosks (点击). A sentence that says how to open something is therefore
made per theme: templates take the theme's `Words` (render.py sets `words`), and a sentence computed in Python is
a `Said`, which render.py turns into the theme's text as it is written out (the Jinja finalize hook). As a plain
string a `Said` is the TV's text, so code that only reads it (tests, logs) sees a normal sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class Words:
    """How one channel says "choose" and "open" (the theme's `words` in templates)."""

    pick: str  # choose a thing on screen: 选中 (arrows) / 点击 (a tap or a click)
    open_row: str  # open a list's line: 选中一行按确定键 / 点击一行


WORDS: dict[str, Words] = {
    "tv": Words(pick="选中", open_row="选中一行按确定键"),
    "mobile": Words(pick="点击", open_row="点击一行"),
}


def words_for(theme: str) -> Words:
    """The theme's words; a theme not listed here (a printed notice, say) takes the web's."""
    return WORDS.get(theme, WORDS["mobile"])


# Words only a remote control means: none of them may reach a page of another theme (tests/test_mobile_site.py).
TV_ONLY = ("确定键", "方向键", "返回键", "数字键", "翻页键", "上下键", "左右键", "遥控", "选中")


class Said(str):
    """A sentence made per theme by `make(words)`; its str value is the TV's (render.py writes each theme's)."""

    by_theme: dict[str, str]

    def __new__(cls, make: Callable[[Words], str]) -> Self:
        texts = {theme: make(words) for theme, words in WORDS.items()}
        said = super().__new__(cls, texts["tv"])
        said.by_theme = texts
        return said

    def for_theme(self, theme: str) -> str:
        return self.by_theme.get(theme, self.by_theme["mobile"])

    def __reduce__(self) -> tuple:  # a copy or pickle keeps every theme's text
        return _said_from, (self.by_theme,)


def _said_from(texts: dict[str, str]) -> Said:
    return Said(lambda w: texts[next(t for t, words in WORDS.items() if words is w)])
