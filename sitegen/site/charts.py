"""Charts (图表), drawn at build time as PNG: old set-top boxes lack SVG, and nothing is drawn in the browser.

Deterministic: the same figures give the same bytes (no timestamps or metadata in the PNG, a fixed font,
fixed sizes and compression). Readable at 3 metres: 1280×640 pixels, labels 30 px and up. When no CJK font is
installed the bars are drawn without text (the page shows every figure in a table next to the chart anyway).
"""

from __future__ import annotations

import functools
import io
import json
import os
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from sitegen.images.drawn import Drawing
from sitegen.site.code import font_path

WIDTH, HEIGHT = 1280, 640
BACKGROUND = (11, 26, 42)  # the TV theme's page colour
TEXT = (255, 255, 255)
GRID = (44, 74, 107)
CHART = "chart1"  # the drawing code's version (bar_chart): change when a chart's bytes change
COLOURS = ((159, 245, 176), (255, 207, 207), (255, 235, 153), (214, 226, 238))  # income, expense, budget, other


@dataclass(frozen=True)
class Series:
    """One coloured set of bars, e.g. 收入."""

    name: str
    values: tuple[Decimal, ...]
    colour: int | None = None  # index into COLOURS; by default the series' position (income, expense, …)


def drawing(labels: list[str], series: list[Series]) -> Drawing:
    """bar_chart of these figures as a drawing cached by them (drawn.py): the same chart is not drawn again by the
    next cold build. Its key: CHART, the sizes and colours, the font file (its path, size and time: a font
    replaced in place draws other glyphs) and every label and figure."""
    path = font_path()
    font = f"{path}:{_stamp(path)}" if path else "-"
    figures = [labels, [(s.name, [str(v) for v in s.values], s.colour) for s in series]]
    style = f"{WIDTH}x{HEIGHT}|{BACKGROUND}|{TEXT}|{GRID}|{COLOURS}"
    return Drawing(
        f"{CHART}|{style}|{font}|{json.dumps(figures, ensure_ascii=False)}",
        functools.partial(bar_chart, labels, series),
    )


def _stamp(path: str) -> str:
    """A font file's size and modification time (its identity in a chart's key)."""
    facts = os.stat(path)
    return f"{facts.st_size}:{facts.st_mtime_ns}"


def _font(size: int):
    path = font_path()
    return ImageFont.truetype(path, size) if path else None


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=9)  # no text chunks: same figures, same bytes
    return buf.getvalue()


def _colour(series: Series, position: int) -> tuple[int, int, int]:
    return COLOURS[(series.colour if series.colour is not None else position) % len(COLOURS)]


def _short(value: Decimal) -> str:
    """Axis and bar labels: 万 for large figures so they stay short."""
    if abs(value) >= 10000:
        return f"{(value / 10000).quantize(Decimal('0.1'))}万"
    return f"{value.quantize(Decimal('1'))}"


def bar_chart(labels: list[str], series: list[Series]) -> bytes:
    """Grouped vertical bars: one group per label (a month, a category), one bar per series."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    label_font, small = _font(36), _font(32)  # shown ~1:1 on a 1280-wide TV page: big enough at 3 m
    top, bottom, left, right = 90, HEIGHT - 80, 40, WIDTH - 40
    peak = max((v for s in series for v in s.values), default=Decimal(0))
    peak = peak if peak > 0 else Decimal(1)
    if label_font is not None:  # legend
        x = left
        for i, s in enumerate(series):
            draw.rectangle((x, 24, x + 36, 60), fill=_colour(s, i))
            draw.text((x + 46, 18), s.name, font=label_font, fill=TEXT)
            x += 60 + int(draw.textlength(s.name, font=label_font))
    draw.line((left, bottom, right, bottom), fill=GRID, width=3)
    groups = max(len(labels), 1)
    slot = (right - left) / groups
    bar = min(120, slot * 0.8 / max(len(series), 1))
    for g, label in enumerate(labels):
        x0 = left + slot * g + (slot - bar * len(series)) / 2
        for i, s in enumerate(series):
            value = s.values[g] if g < len(s.values) else Decimal(0)
            h = int((bottom - top - 40) * max(value, Decimal(0)) / peak)
            bx = int(x0 + bar * i)
            draw.rectangle((bx + 4, bottom - h, bx + int(bar) - 4, bottom), fill=_colour(s, i))
            if small is not None and value:
                text = _short(value)
                tw = draw.textlength(text, font=small)
                draw.text((bx + (bar - tw) / 2, bottom - h - 42), text, font=small, fill=TEXT)
        if label_font is not None:
            text = label if draw.textlength(label, font=label_font) <= slot - 8 else label[: max(2, int(slot // 38))]
            tw = draw.textlength(text, font=label_font)
            draw.text((left + slot * g + (slot - tw) / 2, bottom + 14), text, font=label_font, fill=TEXT)
    return _png(image)
