"""Charts are PNG drawn at build time, byte for byte the same for the same figures, with or without a font."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from sitegen.site import charts

SERIES = [
    charts.Series("收入", (Decimal("478440.00"), Decimal("56500.00"))),
    charts.Series("支出", (Decimal("136905.26"), Decimal("0"))),
]


def test_deterministic_png():
    a = charts.bar_chart(["7月", "8月"], SERIES)
    assert a == charts.bar_chart(["7月", "8月"], SERIES)
    assert a != charts.bar_chart(["7月", "8月"], SERIES[:1])
    with Image.open(io.BytesIO(a)) as im:
        assert im.format == "PNG" and im.size == (charts.WIDTH, charts.HEIGHT) and not im.info.get("dpi")


def test_without_a_font_bars_are_still_drawn(monkeypatch):
    monkeypatch.setattr(charts, "_font", lambda size: None)
    data = charts.bar_chart(["7月"], SERIES)
    with Image.open(io.BytesIO(data)) as im:
        assert len(im.getcolors(1 << 16) or []) >= 3  # background, axis, bars


def test_empty_and_zero_figures():
    assert charts.bar_chart([], [])
    assert charts.bar_chart(["x"], [charts.Series("a", (Decimal(0),))])


def test_a_charts_cache_entry_is_its_figures_and_how_it_is_drawn(monkeypatch, tmp_path):
    """charts.drawing: the same figures, the same entry (drawn.py); any label, figure, series name or colour, the
    chart's version or the font file (a font replaced in place) changed, another."""
    entry = charts.drawing(["7月", "8月"], SERIES).entry
    assert charts.drawing(["7月", "8月"], list(SERIES)).entry == entry
    assert charts.drawing(["7月", "8月"], SERIES)() == charts.bar_chart(["7月", "8月"], SERIES)
    other = charts.Series("收入", (Decimal("478440.01"), Decimal("56500.00")))
    for labels, series in [
        (["7月", "9月"], SERIES),
        (["7月"], SERIES),
        (["7月", "8月"], SERIES[:1]),
        (["7月", "8月"], [other, SERIES[1]]),
        (["7月", "8月"], [charts.Series("收 入", SERIES[0].values), SERIES[1]]),
        (["7月", "8月"], [charts.Series("收入", SERIES[0].values, 2), SERIES[1]]),
    ]:
        assert charts.drawing(labels, series).entry != entry, (labels, series)
    monkeypatch.setattr(charts, "CHART", "chart-next")
    assert charts.drawing(["7月", "8月"], SERIES).entry != entry
    font = tmp_path / "font.ttf"
    font.write_bytes(b"one")
    monkeypatch.setattr(charts, "font_path", lambda: str(font))
    with_font = charts.drawing(["7月", "8月"], SERIES).entry
    font.write_bytes(b"other")
    assert charts.drawing(["7月", "8月"], SERIES).entry != with_font
    monkeypatch.setattr(charts, "font_path", lambda: None)
    assert charts.drawing(["7月", "8月"], SERIES).entry != with_font
