"""The image pipeline (assets.py) on every source format, its readability work, its limits and its failures.

Fixtures are made here, small, in temporary folders: JPEG (EXIF-rotated, CMYK), PNG (transparent), TIFF
(several pages, 16-bit, bilevel), PDF (two pages), HEIC; and broken ones: random bytes, a truncated JPEG,
decompression bombs (a PNG header claiming 10^10 pixels, a real 64 Mpx PNG, a PDF page of 200 inches), a TIFF
of 51 pages, a GIF dressed as PNG. Each broken file is an error naming it; none crashes or hangs the build.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import struct
import time
import warnings
import zlib
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageStat

from sitegen.build.pipeline import build, default_cache
from sitegen.content.errors import ContentError, OutputError, Report
from sitegen.content.model import Image
from sitegen.images import digests, drawn, jpeg
from sitegen.images import renditions as assets
from sitegen.site import charts, feedback
from tests.built_sample import sample_output
from tests.checked import check
from tests.conftest import FIXTURES, add_second_village, published

RED = (220, 30, 30)


def page_image(size=(600, 800), mode="RGB", ink=0, paper=250, marker=True) -> PILImage.Image:
    """A document-like page: lines of dark 'text' on paper, a red square at the top left (to see orientation)."""
    im = PILImage.new(mode, size, paper if mode == "L" else (paper,) * 3)
    draw = ImageDraw.Draw(im)
    for y in range(size[1] // 8, size[1] - 20, max(12, size[1] // 40)):
        draw.rectangle((size[0] // 10, y, size[0] * 8 // 10, y + 3), fill=ink if mode == "L" else (ink,) * 3)
    if marker and mode == "RGB":
        draw.rectangle((0, 0, size[0] // 8, size[0] // 8), fill=RED)
    return im


def probed(path: Path, where: str | None = None) -> Image:
    found = assets.probe(path)
    return Image(path, where or f"content/{path.name}", path.stem.replace(".", "-"), found.pages, found.line_art)


def render(tmp_path: Path, img: Image) -> tuple[list[assets.Picture], dict[str, Path], Report]:
    pics = assets.pictures(f"m/{img.name}", img)
    report = Report()
    out = assets.renditions({r.path: r for p in pics for r in p.renditions()}, tmp_path / "cache", report)
    return pics, out, report


def near(rgb, target, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, target))


# ---- formats --------------------------------------------------------------------------------------------------


def test_jpeg_turned_upright_and_cmyk(tmp_path):
    upright = page_image((600, 800))
    stored = upright.transpose(PILImage.Transpose.ROTATE_90)  # what a phone stores, with orientation 6
    exif = PILImage.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "turned.jpg", exif=exif.tobytes(), quality=90)
    img = probed(tmp_path / "turned.jpg")
    assert img.pages == ((600, 800),)
    pics, out, report = render(tmp_path, img)
    assert not report.problems
    with PILImage.open(out[pics[0].tv[0].path]) as tv:
        assert tv.size == (1280, round(800 * 1280 / 600)) and near(tv.convert("RGB").getpixel((20, 20)), RED)
        assert "exif" not in tv.info and not (tv.info.get("progressive") or tv.info.get("progression"))
    page_image((500, 700)).convert("CMYK").save(tmp_path / "cmyk.jpg")
    pics, out, report = render(tmp_path, probed(tmp_path / "cmyk.jpg"))
    assert not report.problems and PILImage.open(out[pics[0].phone[0].path]).mode == "RGB"


def test_png_transparency_on_white_paper_and_line_art_stays_png(tmp_path):
    im = PILImage.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((100, 100, 300, 200), fill=(0, 0, 200, 255))
    im.save(tmp_path / "chart.png")
    img = probed(tmp_path / "chart.png")
    assert img.line_art
    pics, out, _ = render(tmp_path, img)
    with PILImage.open(out[pics[0].tv[0].path]) as tv:
        assert tv.format == "PNG" and near(tv.convert("RGB").getpixel((5, 5)), (255, 255, 255), 5)
        assert near(tv.convert("RGB").getpixel((640, 480)), (0, 0, 200))


def test_tiff_every_page_16_bit_and_bilevel(tmp_path):
    pages = [page_image((600, 800)), page_image((800, 600)), page_image((300, 400))]
    pages[0].save(tmp_path / "three.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    img = probed(tmp_path / "three.tif")
    assert img.pages == ((600, 800), (800, 600), (300, 400))
    pics, out, report = render(tmp_path, img)
    assert not report.problems and len(pics) == 3
    assert [PILImage.open(out[p.tv[0].path]).size for p in pics] == [(1280, 1707), (1280, 960), (1200, 1600)]
    ramp = PILImage.new("I;16", (256, 64))
    ramp.putdata([x * 257 for _ in range(64) for x in range(256)])
    ramp.save(tmp_path / "deep.tif")
    pics, out, report = render(tmp_path, probed(tmp_path / "deep.tif"))
    with PILImage.open(out[pics[0].tv[0].path]) as tv:
        lo, hi = lightness_range(tv)
        assert not report.problems and lo < 30 and hi > 225  # the tones kept, not clipped to white
    page_image((600, 800), mode="L").convert("1").save(tmp_path / "fax.tif", compression="group4")
    img = probed(tmp_path / "fax.tif")
    assert img.line_art
    pics, out, _ = render(tmp_path, img)
    assert all(PILImage.open(out[r.path]).format == "PNG" for r in pics[0].renditions())


def test_pdf_every_page_at_a_fixed_scale(tmp_path):
    one, two = page_image((827, 1169)), page_image((1169, 827))  # A4 at 100 dpi, portrait and landscape
    one.save(tmp_path / "scan.pdf", save_all=True, append_images=[two], resolution=100)
    img = probed(tmp_path / "scan.pdf")
    scale = assets.PDF_DPI / 100
    assert [(round(w / scale), round(h / scale)) for w, h in img.pages] == [(827, 1169), (1169, 827)]
    pics, out, report = render(tmp_path, img)
    assert not report.problems and len(pics) == 2
    with PILImage.open(out[pics[1].tv[0].path]) as tv:
        assert tv.size == (1280, round(827 * 1280 / 1169)) and near(tv.convert("RGB").getpixel((15, 15)), RED)
    specs = tuple((r.kind, r.width, r.scaled[1], r.top, r.height, r.png, r.path) for r in pics[1].renditions())
    assert assets.process(img.source, 1, specs) == assets.process(img.source, 1, specs)  # same bytes every time


def test_heic_from_a_phone(tmp_path):
    upright = page_image((300, 400))
    exif = PILImage.Exif()
    exif[0x0112] = 6
    pillow_heif.from_pillow(upright.transpose(PILImage.Transpose.ROTATE_90)).save(
        tmp_path / "photo.heic", quality=90, exif=exif.tobytes()
    )
    img = probed(tmp_path / "photo.heic")
    assert img.pages == ((300, 400),)
    pics, out, report = render(tmp_path, img)
    with PILImage.open(out[pics[0].tv[0].path]) as tv:
        assert not report.problems and tv.size == (1200, 1600) and near(tv.convert("RGB").getpixel((30, 30)), RED)


# ---- readability ------------------------------------------------------------------------------------------------


def sharpness(im: PILImage.Image) -> float:
    return ImageStat.Stat(im.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_small_scan_enlarged_and_sharpened(tmp_path, mode):
    small = page_image((420, 594), mode=mode, ink=30, paper=235).filter(ImageFilter.GaussianBlur(1.2))
    small.save(tmp_path / "small.jpg", quality=90)
    pics, out, _ = render(tmp_path, probed(tmp_path / "small.jpg"))
    with PILImage.open(tmp_path / "small.jpg") as src:
        for r in (pics[0].tv[0], pics[0].phone[0]):  # both enlarged (3x, 1.7x): both crisper than plain LANCZOS
            with PILImage.open(out[r.path]) as made:
                assert made.size == (r.width, r.height) and made.width > src.width and made.mode == mode
                plain = src.resize(made.size, PILImage.Resampling.LANCZOS)
                assert sharpness(made) > 1.2 * sharpness(plain), r.kind
                if mode == "RGB":  # sharpened on lightness only (in YCbCr): the red seal keeps its colour
                    seal = made.crop((5, 5, made.width // 10, made.width // 10)).resize((1, 1), PILImage.Resampling.BOX)
                    assert near(seal.getpixel((0, 0)), RED, 20), seal.getpixel((0, 0))
    assert (pics[0].tv[0].width, pics[0].tv[0].height) == (1280, 1810)


def lightness_range(im: PILImage.Image) -> tuple[int, int]:
    """The darkest and lightest lightness of an image (getextrema of one band: two ints)."""
    lo, hi = im.convert("L").getextrema()
    assert isinstance(lo, int) and isinstance(hi, int)
    return lo, hi


def test_faded_scan_gets_contrast_the_original_untouched(tmp_path):
    faded = page_image((600, 800), mode="L", ink=120, paper=230)
    faded.save(tmp_path / "faded.png")
    before = hashlib.sha256((tmp_path / "faded.png").read_bytes()).hexdigest()
    pics, out, _ = render(tmp_path, probed(tmp_path / "faded.png"))
    with PILImage.open(out[pics[0].tv[0].path]) as tv:
        lo, hi = lightness_range(tv)
        assert lo <= 20 and hi >= 245
    assert hashlib.sha256((tmp_path / "faded.png").read_bytes()).hexdigest() == before
    crisp = page_image((600, 800), mode="L", ink=0, paper=250)
    crisp.save(tmp_path / "crisp.png")
    pics, out, _ = render(tmp_path, probed(tmp_path / "crisp.png"))
    with PILImage.open(out[pics[0].phone[0].path]) as phone:
        assert abs(ImageStat.Stat(phone).mean[0] - ImageStat.Stat(crisp).mean[0]) < 3  # left as it was


# ---- broken files -------------------------------------------------------------------------------------------------


def png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG that claims width x height in its header and holds almost nothing (a decompression bomb's face)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def broken_files(folder: Path) -> dict[str, str]:
    """name -> the error code it must give."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-random.jpg").write_bytes(os.urandom(3000))
    png_header_only(folder / "02-bomb.png", 100_000, 100_000)
    PILImage.new("1", (8000, 8000), 1).save(folder / "03-64mpx.png")  # over the limit, under Pillow's 2x
    PILImage.new("RGB", (100, 100), "white").save(folder / "04-huge-page.pdf", resolution=0.5)  # 200 inches
    frames = [PILImage.new("L", (8, 8), i) for i in range(assets.MAX_PAGES + 1)]
    frames[0].save(folder / "05-pages.tif", save_all=True, append_images=frames[1:])
    PILImage.new("RGB", (50, 50)).save(folder / "06-gif.png", "GIF")
    (folder / "07-garbage.heic").write_bytes(b"\0\0\0\x18ftypheic" + os.urandom(500))
    data = io.BytesIO()
    page_image((600, 800)).save(data, "JPEG", quality=90)
    (folder / "08-truncated.jpg").write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    return {
        "01-random.jpg": "image-bad",
        "02-bomb.png": "image-too-large",
        "03-64mpx.png": "image-too-large",
        "04-huge-page.pdf": "image-too-large",
        "05-pages.tif": "image-pages",
        "06-gif.png": "path-type",
        "07-garbage.heic": "image-bad",
        "08-truncated.jpg": "image-bad",
    }


def _probe_by_path(path: Path) -> assets.Probe:
    """assets.probe as it was (h49 reads the file once): the reference its answers are compared with."""
    try:
        if assets._is_pdf(path):
            return assets._isolated(assets._probe_pdf, path)
        if assets._is_heif(path):
            return assets._isolated(assets._probe_raster, path)
        return assets._probe_raster(path)
    except assets.ImageProblem:
        raise
    except Exception as exc:
        raise assets.ImageProblem("image-bad", detail=type(exc).__name__) from None


def _answer(probe, path: object) -> object:
    try:
        return probe(path)
    except assets.ImageProblem as exc:
        return exc.code, exc.params


def test_a_header_is_probed_from_one_open_file_with_the_same_answers(tmp_path, monkeypatch):
    """probe opens each file once (its first bytes tell PDF and HEIC apart and answer for a plain JPEG; Pillow
    reads the rest from the same file) and answers what it answered reading the file by its path three times:
    sizes as shown (EXIF turned), formats, line art, every page, every refusal, and files that are no file at all.
    Pillow reads no JPEG the header reader answers for (jpeg.py): not the EXIF-turned ones, not the truncated one."""
    broken_files(tmp_path)
    stored = page_image((60, 80)).transpose(PILImage.Transpose.ROTATE_90)
    for orientation in (1, 3, 6, 8):
        exif = PILImage.Exif()
        exif[0x0112] = orientation
        stored.save(tmp_path / f"turned-{orientation}.jpg", exif=exif.tobytes())
    stored.save(tmp_path / "damaged-exif.jpg", exif=b"Exif\0\0MM\0*" + os.urandom(40))
    PILImage.new("RGBA", (40, 30)).save(tmp_path / "a.png")
    page_image((30, 40)).save(tmp_path / "camera.jpg", "MPO", save_all=True, append_images=[page_image((30, 40))])
    frames = [PILImage.new("1", (8, 9 + i)) for i in range(3)]
    frames[0].save(tmp_path / "pages.tif", save_all=True, append_images=frames[1:])
    page_image((100, 120)).save(tmp_path / "two.pdf", save_all=True, append_images=[page_image((120, 100))])
    pillow_heif.from_pillow(page_image((64, 48))).save(tmp_path / "photo.heic")
    (tmp_path / "pdf-named.jpg").write_bytes((tmp_path / "two.pdf").read_bytes())
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "short.jpg").write_bytes(b"%PD")
    (tmp_path / "folder.jpg").mkdir()
    files = sorted(tmp_path.iterdir()) + [tmp_path / "missing.jpg"]
    opened: list[Path] = []
    by_fd: dict[int, Path] = {}  # each file given to Pillow by its descriptor
    by_pillow: list[str] = []
    real_open, real_pillow = os.open, assets._open

    def counted(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        by_fd[fd] = path
        opened.append(path)
        return fd

    def pillow(fh):
        by_pillow.append(by_fd[fh.fileno()].name)
        return real_pillow(fh)

    monkeypatch.setattr(os, "open", counted)
    monkeypatch.setattr(assets, "_open", pillow)  # (a HEIC is read in a worker: not counted)
    answers = [_answer(assets.probe, f) for f in files]
    monkeypatch.undo()
    assert opened == files[:-1]  # each opened once (but the missing one)
    assert answers == [_answer(_probe_by_path, f) for f in files]
    assert not [name for name in by_pillow if name.startswith("turned-") or "truncated" in name]
    assert {"damaged-exif.jpg", "camera.jpg", "a.png", "pages.tif", "01-random.jpg"} <= set(by_pillow)
    found = dict(zip((f.name for f in files), answers))
    assert found["turned-6.jpg"] == found["turned-8.jpg"] == assets.Probe("JPEG", ((60, 80),), False)
    assert found["turned-1.jpg"] == found["turned-3.jpg"] == assets.Probe("JPEG", ((80, 60),), False)
    assert found["pages.tif"] == assets.Probe("TIFF", ((8, 9), (8, 10), (8, 11)), True)
    assert found["camera.jpg"] == assets.Probe("MPO", ((30, 40),), False)
    assert found["two.pdf"].pages == found["pdf-named.jpg"].pages and found["photo.heic"].format == "HEIF"
    assert found["05-pages.tif"][0] == "image-pages" and found["missing.jpg"] == (
        "image-bad",
        {"detail": "FileNotFoundError"},
    )


def _tiff_block(order: str, entries: list[tuple[int, int, int, bytes]], tail: bytes = b"") -> bytes:
    """An EXIF block (after its "Exif\\0\\0"): a TIFF header in byte `order` and one directory of `entries` (tag,
    type, count, the 4 bytes of its value or offset), then `tail` (the values that do not fit in 4 bytes)."""
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(order + "L", 8)
    rows = b"".join(struct.pack(order + "HHL", tag, kind, n) + value for tag, kind, n, value in entries)
    return head + struct.pack(order + "H", len(entries)) + rows + b"\0\0\0\0" + tail


def _jpegs() -> dict[str, bytes]:
    """JPEGs as cameras, scanners and editors lay them out (Pillow writes them), some with segments put in."""
    made: dict[str, bytes] = {}

    def save(name: str, im: PILImage.Image, **options) -> None:
        data = io.BytesIO()
        im.save(data, "JPEG", **options)
        made[name] = data.getvalue()

    page = page_image((40, 30))
    save("rgb", page)
    save("grey-progressive", page.convert("L"), progressive=True, quality=95)
    save("cmyk", page.convert("CMYK"))
    save("dpi", page, dpi=(300, 300))
    save("icc", page, icc_profile=b"\0" * 300)
    save("comment", page, comment=b"scanned")
    save("xmp", page, xmp=b'<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>')
    for order in "<>":
        for orientation in range(10):
            short = struct.pack(order + "H", orientation) + b"\0\0"
            block = _tiff_block(
                order, [(0x010F, 2, 6, struct.pack(order + "L", 26)), (0x0112, 3, 1, short)], b"Maker\0"
            )
            save(f"exif{order}{orientation}", page, exif=b"Exif\0\0" + block)
        six, one = struct.pack(order + "H", 6) + b"\0\0", struct.pack(order + "H", 1) + b"\0\0"
        twice = [(0x0112, 3, 1, six), (0x0112, 3, 1, one)]
        for name, entries in {"twice": twice, "long": [(0x0112, 4, 1, struct.pack(order + "L", 6))]}.items():
            save(f"orientation-{name}{order}", page, exif=b"Exif\0\0" + _tiff_block(order, entries))
        pair = [(0x0112, 3, 2, struct.pack(order + "HH", 6, 6))]
        save(f"orientation-pair{order}", page, exif=b"Exif\0\0" + _tiff_block(order, pair))
        rational = struct.pack(order + "L", 38)
        unit = struct.pack(order + "H", 3) + b"\0\0"
        resolution = [(0x011A, 5, 1, rational), (0x0128, 3, 1, unit), (0x0112, 3, 1, unit)]
        save(
            f"resolution{order}",
            page,
            exif=b"Exif\0\0" + _tiff_block(order, resolution, struct.pack(order + "LL", 300, 0)),
        )
        odd = [(0x011A, 2, 2, b"1\0\0\0"), (0x0128, 3, 1, unit)]  # a resolution Pillow cannot read
        save(f"odd-resolution{order}", page, exif=b"Exif\0\0" + _tiff_block(order, odd))
        save(f"odd-resolution-dpi{order}", page, dpi=(72, 72), exif=b"Exif\0\0" + _tiff_block(order, odd))
    exif = PILImage.Exif()
    exif[0x0112] = 8
    save("pillow-exif", page, exif=exif.tobytes())
    mpo = io.BytesIO()
    page.save(mpo, "MPO", save_all=True, append_images=[page])
    made["mpo"] = mpo.getvalue()
    rgb = made["rgb"]
    made["fill-bytes"] = rgb[:2] + b"\xff\xff" + rgb[2:]
    made["photoshop"] = rgb[:2] + b"\xff\xed\0\x14Photoshop 3.0\x008BIM" + rgb[2:]
    made["short-icc"] = rgb[:2] + b"\xff\xe2\0\x0fICC_PROFILE\0\x01" + rgb[2:]
    frame = rgb.index(b"\xff\xc0") + 5
    made["huge"] = rgb[:frame] + struct.pack(">HH", 9000, 9000) + rgb[frame + 4 :]  # a bomb's face
    turned = made["exif<6"]
    at = turned.index(b"\xff\xe1")
    made["two-exif"] = turned[:2] + turned[at : at + 4 + struct.unpack_from(">H", turned, at + 2)[0] - 2] + turned[2:]
    return made


def _reading(data: bytes) -> jpeg.Read:
    return lambda size, at: data[at : at + size]


def _mutations(data: bytes, rng) -> Iterator[bytes]:
    """`data` cut short at every third length up to its scan's start and a little past, and with bytes of its
    header changed at random (a length, a marker, a count, an offset, a type)."""
    scan = data.index(b"\xff\xda") + 14
    for cut in range(rng.randrange(3), min(len(data), scan + 40), 3):
        yield data[:cut]
    for _ in range(120):
        changed = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 3))):
            at = rng.randrange(2, scan)
            changed[at] = rng.choice((0, 1, 2, 3, 5, 8, 0x12, 0xFF, rng.randrange(256), changed[at] ^ 1))
        yield bytes(changed)


def test_the_jpeg_header_reader_answers_as_pillow_or_leaves_it_to_pillow():
    """jpeg.header answers only as Pillow's reading of the file would (its size as shown, EXIF turned, in either
    byte order), or not at all (None: Pillow reads it): on JPEGs laid out in many ways, each cut short at every
    length and with bytes of its header changed at random (~16,000 files). Both kinds of answer occur."""
    rng = random.Random(14)
    answered = left = 0
    for name, base in _jpegs().items():
        for data in [base, *_mutations(base, rng)]:
            found = jpeg.header(data[: assets.HEADER_BUFFER], _reading(data), assets.MAX_PIXELS)
            if found is None:
                left += 1
                continue
            answered += 1
            assert _answer(assets._probe_raster, io.BytesIO(data)) == assets.Probe("JPEG", (found,), False), name
    assert answered > 1000 and left > 1000
    made = _jpegs()
    assert [jpeg.header(made[name], _reading(b""), assets.MAX_PIXELS) for name in ("exif<6", "exif>8", "exif>3")] == [
        (30, 40),
        (30, 40),
        (40, 30),
    ]


def test_a_file_pillow_warns_about_is_read_with_no_warning_shown(tmp_path):
    """Pillow warns (UserWarning) about a damaged EXIF block or odd TIFF tags and reads the file anyway. Each reader
    of a clerk's file (the header probe, the decode check, the decoding for renditions) reads it as before and no
    library text reaches the clerk's terminal or cron's log; a decompression bomb is still refused (broken_files)."""
    page_image((60, 80)).save(tmp_path / "damaged-exif.jpg", exif=b"Exif\0\0MM\0*" + bytes(range(40)))
    tiff = io.BytesIO()
    PILImage.new("L", (40, 30), 200).save(tiff, "TIFF", dpi=(72, 72))
    data = bytearray(tiff.getvalue())  # little-endian: its first directory's entries, 12 bytes each
    entries = struct.unpack_from("<I", data, 4)[0] + 2
    tag = next(
        entries + 12 * i
        for i in range(data[entries - 2])
        if data[entries + 12 * i : entries + 12 * i + 2] == b"\x1a\x01"
    )
    struct.pack_into("<I", data, tag + 4, 2)  # XResolution (282) said to hold two values: "too many entries"
    (tmp_path / "odd-tags.tif").write_bytes(data)
    for path in sorted(tmp_path.iterdir()):
        with warnings.catch_warnings(record=True) as by_pillow:  # the file does make Pillow warn
            warnings.simplefilter("always")
            with PILImage.open(path) as im:
                im.getexif()
                im.load()
                size = im.size
        assert by_pillow, path.name
        with warnings.catch_warnings(record=True) as shown:
            warnings.simplefilter("always")
            found = assets.probe(path)
            assets.decodes(path)
            page = assets._load(path, 0, found.pages[0])
        assert [str(w.message) for w in shown] == [], path.name
        assert page.size == found.pages[0] == size, path.name


def test_each_broken_file_is_an_error_naming_it(tmp_path, monkeypatch):
    """As the scans of one voucher: validation (`check`) catches all eight, the truncated JPEG by decoding it
    (issue 11: check found seven and only the build found the eighth); the build stops with every file named and
    the previous output left as it was."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    folder = content / "xg" / "cs" / "scans" / "2026-09" / "1"
    expected = broken_files(folder)
    _, report = check(content)
    found = {p.where.path.rsplit("/", 1)[-1]: p.code for p in report.errors if p.code.startswith(("image", "path"))}
    assert found == expected
    for p in report.errors:
        assert p.where.path.startswith("content/xg/cs/scans/2026-09/1/") or p.code == "scan-missing"
    for name in list(expected)[:7]:
        (folder / name).unlink()
    stopped: list[object] = []  # pools stopped: a worker crashed, or hung for JOB_TIMEOUT (a fixed time bound on
    real_stop = assets._stop  # the build failed on a busy machine; this fails whenever the decoder did either)
    monkeypatch.setattr(assets, "_stop", lambda pool: (stopped.append(pool), real_stop(pool)))
    out = tmp_path / "out"
    with pytest.raises(ContentError) as caught:
        build(content, out)
    (problem,) = caught.value.report.errors
    assert problem.code == "image-bad" and problem.where.path.endswith("/08-truncated.jpg")
    assert "08-truncated.jpg" in problem.format() and not out.joinpath("tv").exists()
    assert stopped == [] and "崩溃或超时" not in problem.format()  # an error from the decoder, not a hang or crash


def _hang() -> None:
    """A decoder stuck in a loop: it says so (a file named by its pid, in SITEGEN_TEST_HANGING), then sleeps until
    the pool kills it (were it not stopped, the job would then succeed, or the test wait for it: the test fails)."""
    Path(os.environ["SITEGEN_TEST_HANGING"], str(os.getpid())).touch()
    time.sleep(600)


def _hanging_now() -> bool:
    """A worker hangs at this moment: it said so and has not been killed yet."""
    for said in Path(os.environ["SITEGEN_TEST_HANGING"]).iterdir():
        try:
            state = Path(f"/proc/{said.name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone
            continue
        if state not in ("Z", "X"):  # (killed, not reaped yet)
            return True
    return False


def stall_only_while_hanging(monkeypatch, tmp_path: Path) -> None:
    """The pool's stall timer (JOB_TIMEOUT with no job finished) counts only while a worker really hangs: a good
    job slowed by a busy machine is then never the one named, however short JOB_TIMEOUT is (it may be retried
    alone among the suspects, where it finishes). A condition instead of a bet on the machine's speed."""
    said = tmp_path / "hanging"
    said.mkdir()
    monkeypatch.setenv("SITEGEN_TEST_HANGING", str(said))  # forked workers see it
    real_wait = assets.wait

    def wait(fs, timeout=None, return_when=FIRST_COMPLETED):
        while True:
            done, pending = real_wait(fs, timeout=timeout, return_when=return_when)
            if done or not pending or _hanging_now():
                return done, pending

    monkeypatch.setattr(assets, "wait", wait)


def _crash_or_hang(source, page, specs):
    name = Path(source).name
    if name == "crash.jpg":
        os._exit(3)  # a decoder bug that kills its process
    if name == "hang.jpg":
        _hang()
    return _real_process(source, page, specs)


_real_process = assets.process


def test_a_crashing_or_hanging_decoder_is_named_and_the_rest_is_done(tmp_path, monkeypatch):
    images = {}
    for i, name in enumerate(["a.jpg", "crash.jpg", "b.jpg", "hang.jpg", "c.jpg", "d.jpg"]):
        page_image((200 + i, 260)).save(tmp_path / name)  # different bytes: one job each
        img = probed(tmp_path / name, f"content/{name}")
        for pic in assets.pictures(f"m/{img.name}", img):
            images.update({r.path: r for r in pic.renditions()})
    monkeypatch.setattr(assets, "START_METHOD", "fork")  # forked workers see the patched function
    monkeypatch.setattr(assets, "process", _crash_or_hang)
    monkeypatch.setattr(assets, "JOB_TIMEOUT", 0.5)
    stall_only_while_hanging(monkeypatch, tmp_path)
    report = Report()
    # no bound on the time (a busy machine took longer than one): hang.jpg is named only if its worker was stopped
    out = assets.renditions(images, tmp_path / "cache", report, workers=2)
    assert sorted(p.where.path for p in report.errors) == ["content/crash.jpg", "content/hang.jpg"]
    assert {p.split("/")[1].split("-")[0] for p in out} == {"a", "b", "c", "d"} and all(
        f.exists() for f in out.values()
    )


# ---- several pages, several scans ----------------------------------------------------------------------------------


def test_a_multi_page_file_is_several_scans(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    folder = content / "xg" / "cs" / "scans" / "2026-09" / "1"
    for f in folder.iterdir():
        f.unlink()
    # voucher 记-1 has 1 attachment: one PDF of three pages (the voucher, the invoice, the contract) is enough
    page_image((827, 1169)).save(
        folder / "all.pdf",
        save_all=True,
        resolution=100,
        append_images=[page_image((1169, 827)), page_image((827, 1169), marker=False)],
    )
    city, report = check(content)
    assert not report.errors, [p.format() for p in report.errors]
    build(content, tmp_path / "out")
    for theme in ("tv", "mobile"):
        vouchers = tmp_path / "out" / theme / "xg" / "cs" / "finance" / "vouchers"
        # at most three pages a voucher: the first scan's viewer, and one viewer for the others, each at #s-N
        assert [p.name for p in sorted(vouchers.glob("2026-09-001-*.html"))] == [
            "2026-09-001-1.html",
            "2026-09-001-2.html",
        ]
        html = (vouchers / "2026-09-001.html").read_text(encoding="utf-8")
        assert html.count('class="scan-thumb"') == 3 and "第3张" in html
        second = (vouchers / "2026-09-001-2.html").read_text(encoding="utf-8")
        kind = "tv" if theme == "tv" else "m"
        assert f"-p2-{kind}1.jpg" in second and f"-p3-{kind}1.jpg" in second and "-p1-" not in second
        assert 'id="s-2"' in second and 'id="s-3"' in second


# ---- what ships ------------------------------------------------------------------------------------------------------


def test_every_shipped_image_is_within_the_limits(tmp_path_factory):
    out = sample_output(tmp_path_factory)
    limits = {"tv": (assets.TV_WIDTH, assets.TV_TILE), "mobile": (assets.TV_WIDTH, assets.PHONE_TILE)}
    for theme, (max_w, max_h) in limits.items():
        count = 0
        for path in (out / theme).rglob("*"):
            if path.suffix not in (".jpg", ".png") or "/static/" in path.as_posix():
                continue
            with PILImage.open(path) as im:
                zoom = theme == "tv" and path.name.rsplit("-", 1)[-1][:1] == "z"
                if zoom:  # the viewer's 放大: twice as wide, no more pixels than a TV tile
                    assert im.width <= assets.ZOOM_WIDTH and im.height <= assets.ZOOM_TILE, (path, im.size)
                else:
                    assert im.width <= max_w and im.height <= max_h, (path, im.size)
                assert "exif" not in im.info and not im.info.get("icc_profile"), path
                if im.format == "JPEG":  # phone renditions progressive; what a box decodes baseline
                    assert bool(im.info.get("progressive") or im.info.get("progression")) == (
                        theme == "mobile" and path.name.rsplit("-", 1)[-1][:1] == "m"
                    ), path
            name = path.name
            if "-tv" in name and theme == "mobile" or "-m" in name.rsplit("-", 1)[-1] and theme == "tv":
                pytest.fail(f"{theme} ships another theme's rendition: {path}")
            count += 1
        assert count > 300


def test_a_second_build_processes_no_scan_and_stale_entries_go(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    out = tmp_path / "out"
    build(content, out)
    cache = default_cache(out)
    entries = set(cache.iterdir())
    jobs = []
    real = assets.run
    monkeypatch.setattr(assets, "run", lambda todo, *a, **k: jobs.append(len(todo)) or real(todo, *a, **k))
    build(content, out)
    assert jobs == [] and set(cache.iterdir()) == entries  # nothing changed: nothing read (the build's memo)
    yaml = content / "xg" / "cs" / "village.yaml"
    yaml.write_bytes(yaml.read_bytes())  # the same bytes: the memo misses, the village is made again
    build(content, out)
    assert jobs == [0] and set(cache.iterdir()) == entries  # its scans are not
    scan = content / "xg" / "cs" / "scans" / "2026-09" / "2" / "01.jpg"
    before = sum(len(p.renditions()) for p in assets.pictures("x", probed(scan)))
    page_image((500, 700)).save(scan)
    made = sum(len(p.renditions()) for p in assets.pictures("x", probed(scan)))  # TV, zoom, phone, thumbnail
    build(content, out)
    assert jobs[-1] == 1  # only the changed scan
    after = set(cache.iterdir())
    assert len(after - entries) == made and len(entries - after) == before  # its renditions replaced


def test_unchanged_scans_are_not_read_again_to_be_hashed(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    out = tmp_path / "out"
    build(content, out)
    hashed = []
    real = digests.sha256_file
    monkeypatch.setattr(digests, "sha256_file", lambda src: hashed.append(Path(src).name) or real(src))
    build(content, out)
    assert hashed == []  # every source known by its stat facts from the last build
    scan = content / "xg" / "cs" / "scans" / "2026-09" / "2" / "01.jpg"
    before = scan.stat()
    data = bytearray(scan.read_bytes())
    data[-3] ^= 0xFF  # same size; mtime set back as `cp -p` would: ctime still tells
    scan.write_bytes(bytes(data))
    os.utime(scan, ns=(before.st_atime_ns, before.st_mtime_ns))
    jobs = []
    real_run = assets.run
    monkeypatch.setattr(assets, "run", lambda todo, *a, **k: jobs.append(len(todo)) or real_run(todo, *a, **k))
    build(content, out)
    assert hashed == ["01.jpg"] and sum(jobs) == 1  # one scan processed (the pool is asked per village made)


def _double(job, _cache):
    """A worker's job for the pool tests: 'crash' kills its process, anything else answers at once."""
    if job == "crash":
        os._exit(3)
    return None if job % 7 else f"bad {job}"


def test_the_pool_keeps_a_few_jobs_in_flight_whatever_their_number(monkeypatch):
    """A first import is ~300,000 scans: the pool waits on a bounded window of jobs, not on all of them (waiting
    on every submitted future each time one finishes is quadratic), and every job's answer comes back in order."""
    seen: list[int] = []
    real_wait = assets.wait
    monkeypatch.setattr(assets, "START_METHOD", "fork")
    monkeypatch.setattr(assets, "wait", lambda pending, **kw: seen.append(len(pending)) or real_wait(pending, **kw))
    jobs = list(range(1, 301))
    results = assets._run_all(jobs, Path(), 2, _double)
    assert results == [None if j % 7 else f"bad {j}" for j in jobs]
    assert seen and max(seen) <= 2 * assets.IN_FLIGHT and len(seen) >= len(jobs) // (2 * assets.IN_FLIGHT)


def test_a_crash_makes_suspects_of_the_running_jobs_only(monkeypatch):
    """After a worker crashes, the jobs that were running are retried alone (so the culprit is named); the jobs
    not yet started go on together in a new pool, not one pool each."""
    pools: list[int] = []
    real_pool = assets._pool
    monkeypatch.setattr(assets, "START_METHOD", "fork")
    monkeypatch.setattr(assets, "_pool", lambda workers: pools.append(workers) or real_pool(workers))
    jobs: list = [*range(1, 21), "crash", *range(21, 201)]
    results = assets._run_all(jobs, Path(), 2, _double)
    assert results[20] == "解码程序崩溃或超时 the decoder crashed or hung"
    assert [r for k, r in enumerate(results) if k != 20] == [
        None if j % 7 else f"bad {j}" for j in jobs if j != "crash"
    ]
    assert pools.count(1) <= 2 * assets.IN_FLIGHT + 1 and len(pools) <= 2 * assets.IN_FLIGHT + 3


class _BreakingPool:
    """A pool whose futures are already settled when submitted: the job "crash" as a broken pool leaves it."""

    _processes: dict = {}

    def submit(self, fn, *args):  # (fn: the job's work, as the pool's caller wraps it: _timed)
        fut: Future = Future()
        if "crash" in args:
            fut.set_exception(BrokenProcessPool("a worker died"))
        else:
            fut.set_result(fn(*args))
        return fut

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_job_whose_future_reports_the_broken_pool_is_a_suspect_not_lost(monkeypatch):
    """When the pool breaks, the future of the job that broke it can come back among the finished ones (holding
    the BrokenProcessPool): that job must be tried alone and named, not dropped from the round and run again in
    round after round until nothing is left to blame."""
    monkeypatch.setattr(assets, "_pool", lambda workers: _BreakingPool())
    jobs: list = [1, 2, "crash", 3]
    assert assets._run_all(jobs, Path(), 2, _double) == [
        None,
        None,
        "解码程序崩溃或超时 the decoder crashed or hung",
        None,
    ]


# ---- h49: the decode check's scans in batches ------------------------------------------------------------------------


def _decoded_unless_odd(source: Path) -> None:
    """`decodes` for the batch tests (forked workers see it): a name says what the file does to its decoder."""
    if source.name.startswith("crash"):
        os._exit(3)
    if source.name.startswith("hang"):
        _hang()
    if source.name.startswith("bad"):
        raise ValueError("damaged")


def test_the_decode_check_sends_scans_in_batches_a_big_or_many_page_file_alone():
    small, big = (20_000, 1), (assets.CHECK_BATCH_BYTES + 1, 1)
    assert assets._batches([small] * 100, 2) == [range(k, min(k + 12, 100)) for k in range(0, 100, 12)]
    assert assets._batches([small] * 1000, 2)[0] == range(assets.CHECK_BATCH)  # at most CHECK_BATCH a job
    assert assets._batches([small] * 6, 2) == [range(k, k + 1) for k in range(6)]  # few scans: one a job
    sizes = [small] * 10 + [big] + [small] * 3 + [(300, 3)] + [small] * 10
    assert assets._batches(sizes, 1) == [
        range(6),
        range(6, 10),
        range(10, 11),
        range(11, 14),
        range(14, 15),
        range(15, 21),
        range(21, 25),
    ]
    half = assets.CHECK_BATCH_BYTES // 2  # bytes in all: two halves fill a job
    assert assets._batches([(half, 1)] * 40, 1) == [range(k, k + 2) for k in range(0, 40, 2)]


def test_a_bad_scan_in_a_batch_is_named_and_the_others_are_still_checked(tmp_path, monkeypatch):
    """A scan that crashes or hangs its decoder stops its whole batch: the batch's scans are decoded again one job
    each, so that scan is named as before (the decoder crashed or hung), a damaged one by its own error, and every
    other scan of those batches is still checked and recorded as sound."""
    names = [f"{n:02d}.jpg" for n in range(60)]
    names[10], names[24], names[40] = "crash.jpg", "bad.jpg", "hang.jpg"  # each in the middle of a batch of 7
    images = []
    for name in names:
        (tmp_path / name).write_bytes(b"x" * 100)
        images.append(Image(tmp_path / name, f"content/{name}", name[:-4], ((10, 10),)))
    monkeypatch.setattr(assets, "START_METHOD", "fork")  # forked workers see the patched function
    monkeypatch.setattr(assets, "decodes", _decoded_unless_odd)
    monkeypatch.setattr(assets, "JOB_TIMEOUT", 0.5)
    stall_only_while_hanging(monkeypatch, tmp_path)
    sent: list[list[int]] = []
    real_run_all = assets._run_all
    monkeypatch.setattr(
        assets, "_run_all", lambda jobs, *a, **k: sent.append([len(j) for j in jobs]) or real_run_all(jobs, *a, **k)
    )
    checked = digests.Checked(tmp_path / "checked.sqlite", assets.CHECK, create=True)
    report = Report()
    failed = assets.check_images(images, report, checked, workers=2)
    assert sent[0] == [7] * 8 + [4]  # in batches
    problems = {p.where.path: p.format() for p in report.errors}
    assert sorted(problems) == ["content/bad.jpg", "content/crash.jpg", "content/hang.jpg"]
    assert failed == {tmp_path / n for n in ("bad.jpg", "crash.jpg", "hang.jpg")}
    assert "崩溃或超时" in problems["content/crash.jpg"] and "崩溃或超时" in problems["content/hang.jpg"]
    assert "ValueError: damaged" in problems["content/bad.jpg"]
    for img in images:
        assert checked.passed_before(img.source, digests.stat_facts(img.source)) == (img.source not in failed)


# ---- h39: charts and QR codes cached by what they are drawn from (drawn.py) ------------------------------------------


def _counted(calls: list[str], name: str, data: bytes = b"png") -> drawn.Drawing:
    return drawn.Drawing(name, lambda: calls.append(name) or data + name.encode())


def test_a_drawing_is_drawn_once_by_its_key_and_found_again(tmp_path):
    calls: list[str] = []
    plan = {"a/ask-1.png": _counted(calls, "k1"), "b/ask-1.png": _counted(calls, "k1"), "c.png": _counted(calls, "k2")}
    files, failed = drawn.drawn(plan, tmp_path)
    assert failed == {} and sorted(calls) == ["k1", "k2"]  # two paths of one key: drawn once
    assert files["a/ask-1.png"] == files["b/ask-1.png"] == tmp_path / plan["a/ask-1.png"].entry
    assert files["c.png"].read_bytes() == b"pngk2" and {p.name for p in tmp_path.iterdir()} == {
        plan["a/ask-1.png"].entry,
        plan["c.png"].entry,
    }
    calls.clear()
    again, _ = drawn.drawn({"elsewhere.png": _counted(calls, "k2")}, tmp_path)  # the next build: found, not drawn
    assert calls == [] and again == {"elsewhere.png": files["c.png"]}
    # the entry's name is the key's hash and the drawing code's version: another key or version, another entry
    assert drawn.Drawing("k3", bytes).entry != plan["c.png"].entry == drawn.Drawing("k2", bytes).entry
    assert len(plan["c.png"].entry) == 40 and plan["c.png"]() == b"pngk2"


def test_a_drawing_that_fails_is_its_paths_failure_and_leaves_no_entry(tmp_path):
    def broken() -> bytes:
        raise ValueError("no figures")

    calls: list[str] = []
    plan = {"x/chart.png": drawn.Drawing("bad", broken), "y/chart.png": drawn.Drawing("bad", broken)}
    files, failed = drawn.drawn({**plan, "z.png": _counted(calls, "good")}, tmp_path)
    assert failed == {"x/chart.png": "ValueError: no figures", "y/chart.png": "ValueError: no figures"}
    assert list(files) == ["z.png"] and [p.name for p in tmp_path.iterdir()] == [files["z.png"].name]


def test_a_cache_that_cannot_be_written_is_an_output_error_not_a_failed_page(tmp_path):
    (tmp_path / "cache").write_text("a file, not a folder")
    with pytest.raises(OutputError):
        drawn.drawn({"a.png": _counted([], "k")}, tmp_path / "cache")


def _with_feedback(tmp_path: Path) -> Path:
    """The mini fixture with a feedback_url (QR codes) and its village copied (xg/hx: the same charts as xg/cs)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    with open(content / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write('feedback_url: "https://12345.example.gov.cn/ask?code={code}"\n')
    return add_second_village(content)


def _drawings(out: Path) -> dict[str, Path]:
    """Every QR code and chart of both themes."""
    return {
        p.relative_to(out).as_posix(): p
        for theme in ("tv", "mobile")
        for p in sorted((out / theme).rglob("*.png"))
        if p.name.startswith("ask-") or p.parent.name == "charts"
    }


def _cached(out: Path, cache: Path) -> None:
    """Every QR code and chart of `out` is a cache entry linked in (same file), and the cache holds no entry
    that no page of `out` uses (every entry is linked into `out`: a hard link each)."""
    entries = {(p.stat().st_dev, p.stat().st_ino) for p in cache.iterdir() if p.is_file()}
    shown = _drawings(out)
    assert shown and all((p.stat().st_dev, p.stat().st_ino) in entries for p in shown.values())
    assert all(p.stat().st_nlink > 1 for p in cache.iterdir() if p.is_file())


def test_a_cold_build_with_the_cache_draws_no_qr_code_or_chart_and_makes_the_same_bytes(tmp_path, monkeypatch):
    content, cache = _with_feedback(tmp_path), tmp_path / "cache"
    drawn_now: list[str] = []
    qr, chart = feedback.qr_png.__wrapped__, charts.bar_chart
    monkeypatch.setattr(feedback, "qr_png", lambda text: drawn_now.append(text) or qr(text))
    monkeypatch.setattr(charts, "bar_chart", lambda *a: drawn_now.append("chart") or chart(*a))
    build(content, tmp_path / "first", cache=cache)
    first = _drawings(tmp_path / "first")
    assert {p.split("/")[-2] for p in first} >= {"charts"} and any("/ask-" in p for p in first)
    # the villages' two copies have the same charts: drawn once (one entry)
    assert drawn_now.count("chart") < sum(1 for p in first if p.startswith("tv/") and "/charts/" in p)
    _cached(tmp_path / "first", cache)
    drawn_now.clear()
    build(content, tmp_path / "second", cache=cache)  # a fresh output, the same cache
    # (but the one check's fit test draws: the longest code possible, pipeline._qr_fits, no page's)
    assert [text for text in drawn_now if not text.endswith("-999")] == [] and len(drawn_now) == 1
    second = _drawings(tmp_path / "second")
    assert {p: f.read_bytes() for p, f in second.items()} == {p: f.read_bytes() for p, f in first.items()}
    assert sorted(_published(tmp_path / "second")) == sorted(_published(tmp_path / "first"))
    assert all(
        (tmp_path / "second" / p).read_bytes() == (tmp_path / "first" / p).read_bytes()
        for p in _published(tmp_path / "first")
    )


def _published(out: Path) -> list[str]:
    return [p.relative_to(out).as_posix() for p in out.rglob("*") if published(p, out)]


def test_qr_codes_and_charts_no_longer_shown_leave_the_cache_and_a_carried_villages_stay(tmp_path):
    content = _with_feedback(tmp_path)
    out = tmp_path / "out"
    build(content, out)
    cache = default_cache(out)
    before = {p.name for p in cache.iterdir()}
    journal = content / "xg" / "hx" / "journal" / "2026-09.csv"
    journal.write_text(journal.read_text(encoding="utf-8").replace("12000.00", "13000.00"), encoding="utf-8")
    assert build(content, out).reused == ["xg/cs"]  # hx's charts drawn again; cs's (hx's old ones) kept
    _cached(out, cache)
    cold = build(content, tmp_path / "cold", cache=tmp_path / "cold-cache")
    assert cold.reused == [] and {p.name for p in cache.iterdir()} == {
        p.name for p in (tmp_path / "cold-cache").iterdir()
    }
    assert {p.name for p in cache.iterdir()} - before  # (hx's new charts)
    site = content / "site.yaml"  # every QR code changes: the old ones are dropped
    site.write_text(site.read_text(encoding="utf-8").replace("12345.example", "12345.elsewhere"), encoding="utf-8")
    build(content, out)
    _cached(out, cache)  # (an old QR code's entry left in the cache would be linked nowhere)


def test_a_chart_that_cannot_be_drawn_holds_its_village_and_is_drawn_once_it_can(tmp_path, monkeypatch):
    """A drawing's failure is its village's (held with its old pages, the chart named), no entry is cached for
    it, and the first build that can draw it does (the failure is not remembered)."""
    content = _with_feedback(tmp_path)
    out = tmp_path / "out"
    build(content, out)
    journal = content / "xg" / "hx" / "journal" / "2026-09.csv"
    journal.write_text(journal.read_text(encoding="utf-8").replace("12000.00", "13000.00"), encoding="utf-8")
    before = {p.name for p in default_cache(out).iterdir()}
    real = charts.bar_chart

    def broken(labels, series):
        if any(v == Decimal("13000.00") for s in series for v in s.values):
            raise ValueError("a chart that fails")
        return real(labels, series)

    monkeypatch.setattr(charts, "bar_chart", broken)
    result = build(content, out, hold_back=True)
    assert list(result.held) == ["xg/hx"]
    assert {p.code for p in result.held["xg/hx"]} == {"render-failed"}
    assert all("/charts/" in p.where.path and "ValueError: a chart that fails" in p.en for p in result.held["xg/hx"])
    assert {p.name for p in default_cache(out).iterdir()} == before  # nothing cached for what failed
    monkeypatch.setattr(charts, "bar_chart", real)
    os.utime(journal, ns=(0, 0))  # (touched: the build's memo would tell the last result again, the content same)
    assert build(content, out, hold_back=True).held == {}
    _cached(out, default_cache(out))
