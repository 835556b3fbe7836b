"""Clerk Markdown, made safe: CommonMark plus tables, raw HTML off (shown as text), links only between items.

A body link is rewritten by a resolver to the target item's page, or dropped to plain text (web addresses,
anything unknown); body images are shown as their description, since images belong in front matter where
they are checked and resized. Personal data in text is masked.
"""
from __future__ import annotations

from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sitegen.privacy import mask

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def body_links(text: str) -> list[str]:
    """Every link target written in a body, in order."""
    out = []
    for token in _MD.parse(text):
        for child in token.children or ():
            if child.type == "link_open":
                out.append(str(child.attrs.get("href", "")))
    return out


def render_markdown(text: str, resolve: Callable[[str], str | None]) -> str:
    """HTML for a body. `resolve(href)` returns the relative URL of the linked page, or None to drop the link."""
    tokens = _MD.parse(text)
    for token in tokens:
        if token.type in ("code_block", "fence"):
            token.content = mask(token.content)
        if token.children:
            token.children = _rewrite(token.children, resolve)
    _label_cells(tokens)
    return _MD.renderer.render(tokens, _MD.options, {})


def _label_cells(tokens: list[Token]) -> None:
    """Each table cell says its column's heading (data-label), so a narrow screen can show the table one record per
    block without a script (the phone theme's CSS; tv.js keeps a label that is there). Headings are masked text."""
    heads: list[str] = []
    column = 0
    for i, tok in enumerate(tokens):
        if tok.type == "thead_open":
            heads = []
        elif tok.type == "th_open" and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            heads.append("".join(c.content for c in tokens[i + 1].children or () if c.type in ("text", "code_inline")))
        elif tok.type == "tr_open":
            column = 0
        elif tok.type == "td_open":
            tok.attrSet("data-label", heads[column] if column < len(heads) else "")
            column += 1


def _rewrite(children: list[Token], resolve: Callable[[str], str | None]) -> list[Token]:
    out: list[Token] = []
    dropped: list[bool] = []  # a stack: was the matching link_open dropped?
    for tok in children:
        if tok.type in ("text", "code_inline"):
            tok.content = mask(tok.content)
        if tok.type == "link_open":
            href = resolve(str(tok.attrs.get("href", "")))
            dropped.append(href is None)
            if href is None:
                continue
            tok.attrs = {"href": href}
        elif tok.type == "link_close":
            if dropped and dropped.pop():
                continue
        elif tok.type == "image":
            alt = "".join(c.content for c in tok.children or ()) or "图片"
            tok = Token("text", "", 0, content=mask(f"〔{alt}〕"))
        out.append(tok)
    return out
