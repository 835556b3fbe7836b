"""Image renditions: the plan (tiles, phone, thumbnail), bounded sizes, orientation, cache, damaged files by name."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from PIL import Image as PILImage

from sitegen.content.errors import Report
from sitegen.content.model import Image
from sitegen.images import renditions as assets


def make(path, size, fmt="JPEG", exif_orientation=None, mode="RGB"):
    im = PILImage.new(mode, size, (200, 200, 190) if mode == "RGB" else 200)
    kwargs = {}
    if exif_orientation:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    im.save(path, fmt, **kwargs)
    found = assets.probe(path)
    return Image(path, f"content/{path.name}", path.stem, found.pages, found.line_art)


def planned(*images):
    return {r.path: r for img in images for pic in assets.pictures(f"m/{img.name}", img) for r in pic.renditions()}


def sizes(out):
    return {k: PILImage.open(v).size for k, v in out.items()}


def test_plan_tiles_tall_scans_and_sizes_every_rendition():
    a4 = Image(Path("a4"), "a4", "a4", ((2480, 3508),))
    (pic,) = assets.pictures("v/media/a4", a4)
    assert [(r.path, r.width, r.height) for r in pic.tv] == [("v/media/a4-tv1.jpg", 1280, 1811)]
    assert [(r.width, r.height) for r in pic.phone] == [(960, 1358)]
    assert (pic.thumb.path, pic.thumb.height) == ("v/media/a4-s.jpg", 240)
    roll = Image(Path("roll"), "roll", "roll", ((800, 6000),))  # a till roll: enlarged to 1280 x 9600, four tiles
    (pic,) = assets.pictures("m/roll", roll)
    assert [(r.top, r.height) for r in pic.tv] == [(0, 2400), (2400, 2400), (4800, 2400), (7200, 2400)]
    assert all(r.width == 1280 for r in pic.tv) and max(r.height for r in pic.phone) <= assets.PHONE_TILE
    assert pic.tiles("tv") == pic.tv and pic.tiles("mobile") == pic.phone
    # the viewer's zoom: twice the TV width, tiles no bigger in pixels than a TV tile
    assert all(r.width == 2560 and r.height <= assets.ZOOM_TILE for r in pic.zoom)
    assert sum(r.height for r in pic.zoom) == 2 * sum(r.height for r in pic.tv)
    tiny = Image(Path("t"), "t", "t", ((100, 50),))  # enlarged at most MAX_ENLARGE times
    (pic,) = assets.pictures("m/t", tiny)
    assert (pic.tv[0].width, pic.tv[0].height) == (400, 200)
    two = Image(Path("p"), "p", "p", ((1240, 1754), (1754, 1240)), line_art=True)  # two pages, line art
    pics = assets.pictures("m/p", two)
    assert [p.tv[0].path for p in pics] == ["m/p-p1-tv1.png", "m/p-p2-tv1.png"]
    assert (pics[1].tv[0].height, pics[1].tv[0].pad) == (905, f"{100 * 905 / 1280:.3f}")


def test_renditions_are_bounded_and_cached(tmp_path):
    big = make(tmp_path / "big.jpg", (2480, 3508))
    small = make(tmp_path / "small.png", (300, 400), "PNG", mode="L")
    turned = make(tmp_path / "turned.jpg", (400, 300), exif_orientation=6)  # a phone photo held upright
    assert turned.pages == ((300, 400),)
    cache = tmp_path / "cache"
    report = Report()
    images = planned(big, small, turned)
    out = assets.renditions(images, cache, report)
    assert not report.problems and set(out) == set(images)
    got = sizes(out)
    assert got["m/big-tv1.jpg"] == (1280, 1811) and got["m/big-m1.jpg"] == (960, 1358)
    assert got["m/small-tv1.png"] == (1200, 1600) and PILImage.open(out["m/small-tv1.png"]).format == "PNG"
    assert got["m/turned-tv1.jpg"] == (1200, 1600) and got["m/turned-s.jpg"] == (180, 240)
    assert "exif" not in PILImage.open(out["m/turned-tv1.jpg"]).info
    # a box decodes baseline row by row (progressive needs a whole-image buffer): TV, zoom and thumbnail baseline
    assert not PILImage.open(out["m/big-tv1.jpg"]).info.get("progressive")
    assert not PILImage.open(out["m/big-z1.jpg"]).info.get("progressive")
    assert not PILImage.open(out["m/big-s.jpg"]).info.get("progressive")
    assert PILImage.open(out["m/big-m1.jpg"]).info.get("progressive")  # a phone shows it whole, then sharpens
    # zoom tiles: twice the TV width, no more pixels than a TV tile
    assert [got[f"m/big-z{i}.jpg"] for i in (1, 2, 3, 4)] == [(2560, 905), (2560, 905), (2560, 906), (2560, 905)]
    assert all(w * h <= 1280 * 2400 for w, h in got.values())
    assert all(w <= 1280 and h <= 2400 for p, (w, h) in got.items() if "-z" not in p)
    mtimes = {p: p.stat().st_mtime_ns for p in out.values()}
    again = assets.renditions(planned(big, small, turned), cache, Report())
    assert again == out and {p: p.stat().st_mtime_ns for p in again.values()} == mtimes  # not processed again
    assets.prune(cache, {p.name for p in out.values()} - {out["m/big-s.jpg"].name})
    assert not out["m/big-s.jpg"].exists() and out["m/big-tv1.jpg"].exists()


def test_a_plain_image_is_one_file_within_the_tv_box(tmp_path):
    tall = make(tmp_path / "tall.jpg", (1000, 4000))
    out = assets.renditions({"x/tall.jpg": tall}, tmp_path / "cache", Report())
    assert sizes(out) == {"x/tall.jpg": (600, 2400)}


def test_damaged_image_is_reported_by_name(tmp_path):
    good = make(tmp_path / "good.jpg", (100, 100))
    data = io.BytesIO()
    PILImage.new("RGB", (800, 800), "white").save(data, "JPEG")
    broken_path = tmp_path / "truncated.jpg"
    broken_path.write_bytes(data.getvalue()[: len(data.getvalue()) // 3])
    broken = Image(broken_path, "content/xg/cs/scans/2026-09/1/01.jpg", "b", ((800, 800),))
    report = Report()
    out = assets.renditions(planned(good, broken), tmp_path / "cache", report)
    assert out and all(p.startswith("m/good") for p in out)
    (p,) = report.errors
    assert p.code == "image-bad" and p.where.path == "content/xg/cs/scans/2026-09/1/01.jpg"


def test_deterministic_bytes(tmp_path):
    img = make(tmp_path / "a.jpg", (1500, 900))
    specs = tuple(
        (r.kind, r.width, r.scaled[1], r.top, r.height, r.png, r.path)
        for r in assets.pictures("m/a", img)[0].renditions()
    )
    one = assets.process(img.source, 0, specs)
    assert one == assets.process(img.source, 0, specs) and len(one) == 5  # TV, zoom x2, phone, thumbnail


def test_image_problem_takes_a_message_field_called_code_and_survives_a_worker_process():
    """ImageProblem's own `code` is positional-only: a catalogue field of the same name cannot clash with it, and
    the problem crosses the worker-process boundary (pickle) with its fields intact."""
    problem = assets.ImageProblem("image-bad", code="102", detail="x")
    back = pickle.loads(pickle.dumps(problem))
    assert (back.code, back.params) == ("image-bad", {"code": "102", "detail": "x"})


def test_pictures_of_equal_sizes_share_their_sizes_and_tile_bounds():
    """Memory (issue 14): scans of the same size (a scanner's A4 pages) plan renditions that hold the very same
    size tuples and tile bounds, not a copy each; the plan itself is as before. CPU: their renditions are laid out
    (sizes, tiles, names) once for both (_layout), the second scan's only made."""
    a = Image(Path("/c/a.jpg"), "c/a.jpg", "a", pages=((2480, 3508),))
    b = Image(Path("/c/b.jpg"), "c/b.jpg", "b", pages=((2480, 3508),))
    assets._layout.cache_clear()
    (pa,), (pb,) = assets.pictures("x/a", a), assets.pictures("x/b", b)
    assert (assets._layout.cache_info().misses, assets._layout.cache_info().hits) == (1, 1)
    for kind in ("tv", "zoom", "phone"):
        ta, tb = getattr(pa, kind), getattr(pb, kind)
        assert [r.path.replace("x/a", "x/b") for r in ta] == [r.path for r in tb]
        assert all(ra.scaled is rb.scaled and ra.height is rb.height for ra, rb in zip(ta, tb))
    assert pa.thumb.scaled is pb.thumb.scaled
    assert [(r.top, r.height, r.scaled) for r in pa.tv] == [(0, 1811, (1280, 1811))]
    assert [(r.top, r.height) for r in pa.zoom] == [(0, 905), (905, 905), (1810, 906), (2716, 905)]
