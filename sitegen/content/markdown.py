"""Clerk Markdown, made safe: CommonMark plus tables, raw HTML off (shown as text), links only between items.

A body link is rewritten by a resolver to the target item's page, or dropped to plain text (web addresses,
anything unknown); body images are shown as their description, since images belong in front matter where
they are checked and resized. Personal data in text is masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sitegen.content.privacy import mask

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")  # a scheme (http:, tel:, javascript:) or a network path


def is_external(href: str) -> bool:
    """A link that leaves the site (any scheme, or //host): never a file of the site, in a body or a page."""
    return bool(_EXTERNAL.match(href))


def link_target(source: Path, href: str) -> Path | None:
    """The file a relative link in the Markdown file `source` points at, resolved (its #fragment dropped); None for
    an external link or a bare #fragment. The one resolver for validate (is the target an item?) and render."""
    path = href.partition("#")[0]
    if is_external(href) or not path:
        return None
    return (source.parent / path).resolve()


# What every link of a body is written with: `[` (inline and reference links, `[text](href)`, `[text][ref]`) or `<`
# (autolinks, `<https://...>`). Raw HTML and linkify are off, and an entity (`&#91;`) never makes markup.
LINK_MARKS = ("[", "<")


def body_links(text: str) -> list[str]:
    """Every link target written in a body, in order. A body with neither of LINK_MARKS has none: not parsed (most
    bodies; a parse costs ~1 ms a body, and validation asks for every item's)."""
    if not any(mark in text for mark in LINK_MARKS):
        return []
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


def paragraph_text(text: str) -> str:
    """A body's paragraphs and headings as plain text (no markup, link words kept, tables and code left out), for a
    one-line excerpt (the notice-board poster, reports/notice_board.py). Masked."""
    words: list[str] = []
    tokens = _MD.parse(text)
    for before, token in zip([None, *tokens], tokens):
        if token.type != "inline" or before is None or before.type not in ("paragraph_open", "heading_open"):
            continue
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        words.append(" ")
    return mask(" ".join("".join(words).split()))
