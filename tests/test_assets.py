"""Image renditions: bounded size, orientation applied, cached, damaged files reported by name."""
from __future__ import annotations

import io

from PIL import Image as PILImage

from sitegen import assets
from sitegen.errors import Report
from sitegen.model import Image


def make(path, size, fmt="JPEG", exif_orientation=None):
    im = PILImage.new("RGB", size, (200, 200, 190))
    kwargs = {}
    if exif_orientation:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    im.save(path, fmt, **kwargs)
    return Image(path, f"content/{path.name}", path.stem)


def test_renditions_are_bounded_and_cached(tmp_path):
    big = make(tmp_path / "big.jpg", (2480, 3508))
    small = make(tmp_path / "small.png", (300, 400), "PNG")
    turned = make(tmp_path / "turned.jpg", (400, 300), exif_orientation=6)  # a phone photo held upright
    cache = tmp_path / "cache"
    report = Report()
    out = assets.renditions({"m/big.jpg": big, "m/small.png": small, "m/turned.jpg": turned}, cache, report)
    assert not report.problems
    sizes = {k: PILImage.open(v).size for k, v in out.items()}
    assert sizes["m/big.jpg"] == (1280, 1811)
    assert sizes["m/small.png"] == (300, 400) and PILImage.open(out["m/small.png"]).format == "PNG"
    assert sizes["m/turned.jpg"] == (300, 400)
    assert "exif" not in PILImage.open(out["m/turned.jpg"]).info
    mtimes = {p: p.stat().st_mtime_ns for p in out.values()}
    again = assets.renditions({"m/big.jpg": big, "m/small.png": small, "m/turned.jpg": turned}, cache, Report())
    assert again == out and {p: p.stat().st_mtime_ns for p in again.values()} == mtimes  # not processed again


def test_damaged_image_is_reported_by_name(tmp_path):
    good = make(tmp_path / "good.jpg", (100, 100))
    data = io.BytesIO()
    PILImage.new("RGB", (800, 800), "white").save(data, "JPEG")
    broken_path = tmp_path / "truncated.jpg"
    broken_path.write_bytes(data.getvalue()[: len(data.getvalue()) // 3])
    broken = Image(broken_path, "content/xg/cs/scans/2026-09/1/01.jpg", "b")
    report = Report()
    out = assets.renditions({"a.jpg": good, "b.jpg": broken}, tmp_path / "cache", report)
    assert list(out) == ["a.jpg"]
    (p,) = report.errors
    assert p.code == "image-bad" and p.where.path == "content/xg/cs/scans/2026-09/1/01.jpg"


def test_deterministic_bytes(tmp_path):
    img = make(tmp_path / "a.jpg", (1500, 900))
    one = assets.render_image(img.source)
    assert one == assets.render_image(img.source)
