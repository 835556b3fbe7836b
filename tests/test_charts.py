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
