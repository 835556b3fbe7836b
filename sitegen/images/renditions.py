"""Stage 6, assets (图片): the published renditions of every scan and item image, made once and cached.

Sources are JPEG, PNG, TIFF (every page), PDF (every page, drawn by pdfium at a fixed scale) and HEIC phone
photos. Each page of a source becomes a `Picture` (图): TV tiles, phone tiles and a thumbnail. A set-top box
has little memory, so the TV rendition is at most 1280 px wide and a tall scan is cut into tiles no taller than
2400 px: no image the box decodes is bigger than about 1280x2400.

Readability for elderly viewers at 3 m: a small or low-resolution scan is sharpened once (unsharp mask over a
3x3 blur, on lightness only) and enlarged with BICUBIC; a faded scan gets automatic contrast. Reductions use
LANCZOS. The originals are never touched. Renditions are re-encoded without metadata (no phone GPS or camera
data ships): TV tiles, zoom tiles and thumbnails as baseline JPEG with optimal Huffman tables (a box decodes
baseline row by row; progressive needs a whole-image coefficient buffer), phone renditions as progressive JPEG;
PNG for line art. The TV viewer's 放大 loads zoom tiles twice the TV width, cut to the pixel count of a TV tile.

The plan (sizes, tiles, file names) is made from the header facts validate records on each `Image`, before
anything is decoded, so the link stage knows every tile; this stage then makes exactly those files. They are
cached by the hash of the source bytes and the processing parameters: an unchanged scan is never processed
twice, and (`digests.Digests`) not even read again to be hashed while its file is untouched. Processing runs on all
cores in worker processes; a file that crashes or hangs its decoder is reported by name, like a damaged one,
and never takes the build down with it.

Validation decodes every published image too, small and once per change (`check_images`), so that `sitegen check`
finds every file this stage would fail on (a truncated JPEG decodes its header fine).
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import multiprocessing
import os
import select
import threading
import time
import warnings
from collections.abc import Callable, Container, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pillow_heif
import pypdfium2 as pdfium
from PIL import Image as PILImage
from PIL import ImageFilter, ImageOps

from sitegen.content import progress
from sitegen.content.errors import Location, Report
from sitegen.content.model import Image
from sitegen.images import jpeg
from sitegen.images.digests import Checked, Digests, Probes, facts_file, stat_facts

pillow_heif.register_heif_opener()  # HEIC photos from phones open like any other image

# A4 scanned at 600 dpi is 35 Mpx; anything far beyond is a mistake or a decompression bomb.
MAX_PIXELS = 60_000_000
MAX_PAGES = 50  # pages of one TIFF or PDF; more is a mistake (or a file built to exhaust us)
PDF_DPI = 200  # PDF pages are drawn at this fixed resolution, then scaled like any scan
PDF_SCALE = PDF_DPI / 72  # PDF sizes are in points (1/72 inch)

TV_WIDTH, TV_TILE = 1280, 2400  # the box decodes no more than it shows: 720p width, ~3 screens a tile
TV_MAX_HEIGHT = TV_TILE * 12  # a strip taller than this is narrowed instead (a till roll)
# 放大 (the viewer's zoom): twice the TV width, loaded only when zoomed. Tiles of the same pixel count as a TV tile
# (2560x1200 = 1280x2400), so the box's budget of three decoded tiles holds zoomed in too.
ZOOM_WIDTH, ZOOM_TILE = 2 * TV_WIDTH, TV_TILE // 2
PHONE_WIDTH, PHONE_TILE = 960, 3200  # a phone is ~390 css px at 2-3 device pixels each
PHONE_MIN = 720  # phones zoom by pinching: enlarge only scans narrower than this
THUMB_HEIGHT, THUMB_MAX_WIDTH = 240, 480  # 10rem on the voucher page at 1080p
MAX_ENLARGE = 4.0  # a tiny picture is enlarged at most this much (beyond, detail is invented)
SHARPEN_FROM = 1.15  # enlarged by more than this: sharpen
SHARPEN = 1.8  # unsharp mask: 1.8 x the page - 0.8 x its 3x3 blur (80 %)
THUMB_GAP = 2.0  # thumbnails: Pillow's reducing_gap (an integer reduce first when >= 4x smaller)
FADED_INK, FADED_SPREAD = 64, 128  # faded: the darkest ink lighter than this, or ink and paper this close (0-255)
JPEG_QUALITY, THUMB_QUALITY = 82, 75
JOB_TIMEOUT = 60.0  # seconds without any job finishing before the running ones count as hung
IN_FLIGHT = 4  # jobs submitted a worker ahead: enough to keep it busy, few enough to wait on cheaply
PARAMS = (
    f"v5-tv{TV_WIDTH}x{TV_TILE}-z{ZOOM_WIDTH}x{ZOOM_TILE}-m{PHONE_WIDTH}x{PHONE_TILE}-s{THUMB_HEIGHT}-e{MAX_ENLARGE}-sh{SHARPEN}-"
    f"f{FADED_INK}/{FADED_SPREAD}-q{JPEG_QUALITY}/{THUMB_QUALITY}-pdf{PDF_DPI}"
)  # change when processing changes

# The decode check validation runs on every image (check_images): JPEGs decoded at 1/8 scale (every byte is still
# read and entropy-decoded, so a truncated or corrupt file fails as it would at full size), PDF pages drawn small.
CHECK_NEED = (64, 64)
CHECK_PDF_SCALE = 0.25
CHECK = f"check1-{PARAMS}-{MAX_PIXELS}-{MAX_PAGES}-{CHECK_NEED}-{CHECK_PDF_SCALE}"  # its version (digests.Checked)

KINDS = {"tv": ("tv", "zoom", "thumb", "whole"), "mobile": ("phone", "thumb", "whole")}  # what each theme ships
ACCEPTED = ("JPEG", "MPO", "PNG", "TIFF", "HEIF", "PDF")  # MPO: a camera JPEG with a preview image appended


# ---- the plan ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendition:
    """成图 One published file made from one page of a source image: a TV or phone tile, or a thumbnail.

    `kind` "whole" is one file for the whole page, fitted into 1280x2400 (for pages that link straight to an
    image); its size is known only once it is made."""

    path: str  # output path, relative to a theme's root (templates use Page.url)
    image: Image  # the source file
    page: int  # 0-based page of the source (TIFF and PDF have several)
    kind: str  # "tv" | "zoom" | "phone" | "thumb" | "whole"
    tile: int  # 0-based, top to bottom
    scaled: tuple[int, int]  # the whole page scaled to this size before cutting
    top: int  # where this tile starts in the scaled page
    height: int  # this file's height; its width is scaled[0]

    @property
    def width(self) -> int:
        return self.scaled[0]

    @property
    def png(self) -> bool:
        return self.path.endswith(".png")

    @property
    def pad(self) -> str:
        """Height as a percentage of width: the CSS box that holds the tile's place before it loads."""
        return f"{100 * self.height / self.width:.3f}"


@dataclass(frozen=True, slots=True)
class Picture:
    """图 One page of a source image as published: TV tiles, the TV viewer's zoom tiles (twice as wide), phone
    tiles and a thumbnail."""

    image: Image
    page: int
    tv: tuple[Rendition, ...]
    phone: tuple[Rendition, ...]
    thumb: Rendition
    zoom: tuple[Rendition, ...] = ()

    def tiles(self, theme: str) -> tuple[Rendition, ...]:
        return self.tv if theme == "tv" else self.phone

    def renditions(self) -> tuple[Rendition, ...]:
        return self.tv + self.zoom + self.phone + (self.thumb,)


# The sizes a plan computes are remembered (functools.lru_cache): scans of equal size (a scanner's A4 pages) then
# hold the very same size tuples and tile bounds, not a copy a rendition (memory, issue 14).


@functools.lru_cache(maxsize=4096)
def _fit(size: tuple[int, int], width: int, max_height: int | None = None) -> tuple[int, int]:
    """Scale to `width`, enlarging at most MAX_ENLARGE times, and no taller than max_height."""
    w0, h0 = max(1, size[0]), max(1, size[1])
    w = min(width, round(w0 * MAX_ENLARGE))
    if max_height and h0 * w / w0 > max_height:
        w = max(1, math.floor(w0 * max_height / h0))
    return w, max(1, round(h0 * w / w0))


@functools.lru_cache(maxsize=4096)
def _thumb(size: tuple[int, int]) -> tuple[int, int]:
    """THUMB_HEIGHT high, or THUMB_MAX_WIDTH wide when that is less; never bigger than `size`."""
    w, h = size
    if h <= THUMB_HEIGHT and w <= THUMB_MAX_WIDTH:
        return w, h
    if w * THUMB_HEIGHT > THUMB_MAX_WIDTH * h:
        return THUMB_MAX_WIDTH, max(1, round(h * THUMB_MAX_WIDTH / w))
    return max(1, round(w * THUMB_HEIGHT / h)), THUMB_HEIGHT


@functools.lru_cache(maxsize=4096)
def _cut(height: int, tile: int) -> tuple[tuple[int, int], ...]:
    """(top, height) of equal tiles no taller than `tile` (equal, so no thin sliver at the end)."""
    n = max(1, math.ceil(height / tile))
    bounds = [round(i * height / n) for i in range(n + 1)]
    return tuple((bounds[i], bounds[i + 1] - bounds[i]) for i in range(n))


# One page's renditions as the plan lays them out, but for the source and the output path's stem: its TV tiles,
# phone tiles, thumbnail and zoom tiles, each as (path suffix, kind, tile, scaled, top, height).
_Spec = tuple[str, str, int, tuple[int, int], int, int]
_PageLayout = tuple[tuple[_Spec, ...], tuple[_Spec, ...], _Spec, tuple[_Spec, ...]]


@functools.lru_cache(maxsize=4096)
def _layout(pages: tuple[tuple[int, int], ...], line_art: bool) -> tuple[_PageLayout, ...]:
    """The renditions of a source with these page sizes, laid out once for all sources of the same sizes (the
    scans of one scanner setting, the photos of one phone), so planning a scan's renditions is making them, not
    computing their sizes, tiles and names again."""
    ext = ".png" if line_art else ".jpg"
    out = []
    for page, size in enumerate(pages):
        sub = f"-p{page + 1}" if len(pages) > 1 else ""
        tv_size = _fit(size, TV_WIDTH, TV_MAX_HEIGHT)
        zoom_size = _fit(size, ZOOM_WIDTH, 2 * TV_MAX_HEIGHT)
        phone_size = _fit(size, min(PHONE_WIDTH, max(PHONE_MIN, size[0])), TV_MAX_HEIGHT)
        thumb_size = _thumb(tv_size)

        def tiles(kind: str, short: str, scaled: tuple[int, int], tile: int) -> tuple[_Spec, ...]:
            return tuple(
                (f"{sub}-{short}{i + 1}{ext}", kind, i, scaled, top, h)  # noqa: B023 (called at once)
                for i, (top, h) in enumerate(_cut(scaled[1], tile))
            )

        thumb = (f"{sub}-s{ext}", "thumb", 0, thumb_size, 0, thumb_size[1])
        out.append(
            (
                tiles("tv", "tv", tv_size, TV_TILE),
                tiles("phone", "m", phone_size, PHONE_TILE),
                thumb,
                tiles("zoom", "z", zoom_size, ZOOM_TILE),
            )
        )
    return tuple(out)


def pictures(stem: str, img: Image) -> list[Picture]:
    """Plan the renditions of every page of `img`; `stem` is the output path without extension."""
    pages = img.pages or ((TV_WIDTH, TV_WIDTH),)  # unknown (not probed): plan one square page
    out = []
    for page, (tv, phone, thumb, zoom) in enumerate(_layout(pages, img.line_art)):
        made = [
            tuple(
                [
                    Rendition(stem + suffix, img, page, kind, i, scaled, top, h)
                    for suffix, kind, i, scaled, top, h in specs
                ]
            )
            for specs in (tv, phone, zoom)
        ]
        suffix, kind, i, scaled, top, h = thumb
        out.append(
            Picture(img, page, made[0], made[1], Rendition(stem + suffix, img, page, kind, i, scaled, top, h), made[2])
        )
    return out


def whole(path: str, img: Image) -> Rendition:
    """One file for the first page, fitted into TV_WIDTH x TV_TILE (a page that links straight to an image)."""
    return Rendition(path, img, 0, "whole", 0, (0, 0), 0, 0)


def for_theme(copies: dict[str, Path], images: dict[str, Rendition], theme: str) -> dict[str, Path]:
    """The renditions a theme ships: TV tiles on the TV site, phone tiles on the phone site, thumbnails on both."""
    kinds = KINDS.get(theme, KINDS["tv"])
    return {p: f for p, f in copies.items() if p not in images or images[p].kind in kinds}


# ---- reading sources -------------------------------------------------------------------------------------------


class ImageProblem(Exception):
    """A source that cannot be published; `code` is an errors.CATALOGUE code, `params` fill its message."""

    def __init__(self, code: str, /, **params: object):  # positional-only: a message field may be called `code`
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params

    def __reduce__(self):  # raised in a worker process, re-raised here
        return _problem, (self.code, self.params)


def _problem(code: str, params: dict) -> ImageProblem:
    return ImageProblem(code, **params)


@dataclass(frozen=True)
class Probe:
    """What a header tells about a source, before any pixel is decoded."""

    format: str
    pages: tuple[tuple[int, int], ...]  # (width, height) of each page as shown: EXIF orientation applied
    line_art: bool  # PNG or bilevel: published as PNG (JPEG would smear the lines)


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(5) == b"%PDF-"


def _is_heif(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(12)[4:8] == b"ftyp"


_probe_pool: ProcessPoolExecutor | None = None
# Workers are started from a clean server process, not forked from this one: a fork taken while another thread
# holds a lock (a test's browser driver, an HTTP server) can deadlock the child. Tests that patch this module's
# functions into the workers switch it to "fork".
START_METHOD = "forkserver"


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":  # the server imports this module (and Pillow) once; workers fork from it ready
        context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))


def _end_with(parent: int) -> None:
    """(In a pool worker, first thing) end this worker when `parent`, the process that made the pool, ends, however
    it ends. A worker waits for its next job on a queue whose writing end it holds itself, so it never learns that a
    build was killed (SIGKILL, the OOM killer, cron's timeout); it would wait for ever, and keep the forkserver it
    was forked from and multiprocessing's resource tracker alive with it (orphans, ppid 1, on the publishing machine
    and after a test run). A pidfd is readable once its process has ended: a thread sleeps on it, no polling."""
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:  # ended already
        os._exit(1)
    except (AttributeError, OSError):  # no pidfds (not Linux, or a kernel before 5.3): left as before
        return
    threading.Thread(target=_exit_on_ready, args=(handle,), daemon=True, name="end-with-parent").start()


def _exit_on_ready(handle: int) -> None:
    select.select([handle], [], [])
    os._exit(1)  # no clean-up: the job in hand is for a build that is gone (its staging is discarded)


def _isolated(fn, path: Path):
    """Run a header check that goes through a C library parsing the whole file structure (pdfium, libheif)
    in a worker process, so a file that crashes or hangs it is reported, not fatal. One worker, reused."""
    global _probe_pool
    if _probe_pool is None:
        _probe_pool = _pool(1)
    future = _probe_pool.submit(fn, path)
    try:
        return future.result(timeout=JOB_TIMEOUT)
    except ImageProblem:
        raise
    except Exception as exc:  # BrokenProcessPool (it crashed), TimeoutError (it hung), anything else
        if not isinstance(exc, (BrokenProcessPool, TimeoutError)):
            raise ImageProblem("image-bad", detail=type(exc).__name__) from None
        _stop(_probe_pool)
        _probe_pool = None
        raise ImageProblem("image-bad", detail="读取程序崩溃或超时 the reader crashed or hung") from None


def _pixels_ok(w: int, h: int) -> None:
    if w * h > MAX_PIXELS:
        raise ImageProblem("image-too-large", pixels=w * h, limit=MAX_PIXELS)


@contextmanager
def _reading() -> Iterator[None]:
    """Pillow's warnings while a clerk's file is read: its decompression-bomb warning is an error (image-too-large);
    every other one (a damaged EXIF block, a malformed MPO, odd TIFF tags) is about a file Pillow reads anyway, as
    it would without the warning, so it is not shown. A library's warning text is not a message for the clerk, nor a
    line for cron's log. Every read of a clerk's file runs inside one (decorated: _probe_raster, _probe_pdf, _load,
    decodes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        yield


def _open(path: Path | BinaryIO) -> PILImage.Image:
    """Open with Pillow's decompression-bomb limit (inside _reading: its warning is an error too). `path`: or a file
    open for reading (Pillow reads it from its start)."""
    PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        return PILImage.open(path)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ImageProblem("image-too-large", pixels="?", limit=MAX_PIXELS) from None


def _turned(im: PILImage.Image) -> bool:
    """EXIF orientations 5-8 swap width and height."""
    try:
        return im.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except Exception:  # a damaged EXIF block is ignored, as exif_transpose ignores it
        return False


HEADER_BUFFER = 1 << 14  # a probe's reads: most headers (markers, EXIF, a TIFF's first IFD) in one system call


def probe(path: Path) -> Probe:
    """Format, page sizes and kind from the header only (cheap). Raises ImageProblem. The file is opened once
    and its first bytes read once: they tell a PDF or HEIC (read in a worker, _isolated) from the rest, and answer
    for most JPEGs (jpeg.header: as Pillow would, without its costs a file); Pillow reads any other file from the
    same open file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # (no file object: one read is all most headers need)
        try:
            head = os.read(fd, HEADER_BUFFER)
            if head[:5] == b"%PDF-":  # (as _is_pdf)
                return _isolated(_probe_pdf, path)
            if head[4:8] == b"ftyp":  # (as _is_heif)
                return _isolated(_probe_raster, path)
            found = jpeg.header(head, functools.partial(os.pread, fd), MAX_PIXELS)
            if found is None:  # (Pillow reads it from its start; a size given: no isatty asked of a file)
                with open(fd, "rb", buffering=HEADER_BUFFER, closefd=False) as fh:
                    return _probe_raster(fh)
        finally:
            os.close(fd)
        return Probe("JPEG", (found,), False)
    except ImageProblem:
        raise
    except Exception as exc:  # Pillow raises many types for damaged files; each means "cannot read"
        raise ImageProblem("image-bad", detail=type(exc).__name__) from None


PROBE = f"probe1-{MAX_PIXELS}-{MAX_PAGES}-{ACCEPTED}"  # the header reading's version (digests.Probes)


def probe_known(path: Path, probes: Probes | None, facts: list[int] | None = None) -> Probe:
    """probe(), or what the header said when this file (its stat facts unchanged) was read before. Raises
    ImageProblem (a file that failed is read again: its problem is reported every time). `facts`: the file's stat
    facts when the caller has just taken them (validation's one stat a scan: load.content_stat), else taken here."""
    if probes is None:
        return probe(path)
    if facts is None:
        try:
            facts = stat_facts(path)
        except OSError:
            return probe(path)  # reported there, as without the record
    header = probes.header(path, facts)
    if header is not None:
        try:
            return Probe(str(header[0]), tuple((int(w), int(h)) for w, h in header[1]), bool(header[2]))
        except (TypeError, ValueError, IndexError):
            pass  # a damaged record: read the header again
    found = probe(path)
    probes.read(path, facts, [found.format, [list(p) for p in found.pages], found.line_art])
    return found


@_reading()
def _probe_raster(path: Path | BinaryIO) -> Probe:
    try:
        with _open(path) as im:
            fmt = im.format or ""
            if fmt not in ACCEPTED:
                raise ImageProblem("path-type")
            pages, bilevel = [], im.mode == "1"
            while True:  # every page of a TIFF, counted without walking a file built with millions
                w, h = im.size
                _pixels_ok(w, h)
                pages.append((h, w) if _turned(im) else (w, h))
                if fmt != "TIFF" or len(pages) > 20 * MAX_PAGES:
                    break
                try:
                    im.seek(len(pages))
                except EOFError:
                    break
            if len(pages) > MAX_PAGES:
                raise ImageProblem("image-pages", pages=len(pages), limit=MAX_PAGES)
            return Probe(fmt, tuple(pages), fmt == "PNG" or bilevel)
    except ImageProblem:
        raise
    except Exception as exc:  # Pillow raises many types for damaged files; each means "cannot read"
        raise ImageProblem("image-bad", detail=type(exc).__name__) from None


@_reading()
def _probe_pdf(path: Path) -> Probe:
    pdf = pdfium.PdfDocument(str(path))
    try:
        n = len(pdf)
        if n == 0:
            raise ImageProblem("image-bad", detail="PDF 没有页面 no pages")
        if n > MAX_PAGES:
            raise ImageProblem("image-pages", pages=n, limit=MAX_PAGES)
        pages = []
        for i in range(n):
            page = pdf[i]
            w, h = page.get_size()  # points, rotation applied
            page.close()
            size = (max(1, round(w * PDF_SCALE)), max(1, round(h * PDF_SCALE)))
            _pixels_ok(*size)
            pages.append(size)
        return Probe("PDF", tuple(pages), False)
    finally:
        pdf.close()


@_reading()
def _load(source: Path, page: int, need: tuple[int, int]) -> PILImage.Image:
    """Decode one page as L or RGB, orientation applied, transparency flattened onto white paper.

    `need` is the largest size wanted: a JPEG much bigger than that is decoded at a reduced scale (draft)."""
    if _is_pdf(source):
        pdf = pdfium.PdfDocument(str(source))
        try:
            pg = pdf[page]
            w, h = pg.get_size()
            _pixels_ok(round(w * PDF_SCALE), round(h * PDF_SCALE))
            im = pg.render(scale=PDF_SCALE, may_draw_forms=True).to_pil()
            pg.close()
        finally:
            pdf.close()
    else:
        with _open(source) as src:
            if page:
                src.seek(page)
            _pixels_ok(*src.size)
            if src.format in ("JPEG", "MPO"):
                w, h = (need[1], need[0]) if _turned(src) else need
                src.draft(src.mode, (w, h))  # decode at 1/2, 1/4 or 1/8 when that is still big enough
            src.load()
            im = ImageOps.exif_transpose(src)  # a copy, turned upright
    return _plain(im)


def _plain(im: PILImage.Image) -> PILImage.Image:
    if im.mode in ("L", "RGB"):
        return im
    if im.mode == "1":
        return im.convert("L")
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):  # 16-bit scanner output: keep the tones
        return im.convert("I").point(lambda v: v / 257).convert("L") if im.mode != "F" else im.convert("L")
    if im.mode == "P" and "transparency" in im.info or "A" in im.getbands():
        rgba = im.convert("RGBA")
        paper = PILImage.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return im.convert("L" if im.mode == "LA" else "RGB")


FADED_CUT = (0.1, 0.5)  # percent of pixels ignored at the dark (ink is a small share of a page) and light end


def _percentile(hist: list[int], share: float, from_dark: bool) -> int:
    limit, seen = sum(hist) * share / 100, 0
    for v in range(256) if from_dark else range(255, -1, -1):
        seen += hist[v]
        if seen > limit:
            return v
    return 0 if from_dark else 255


def _contrast(im: PILImage.Image) -> list[int] | None:
    """None for a page with contrast enough; for a faded one (the darkest ink is grey, or ink and paper are close;
    measured at full size: strokes are thin) the tone curve that stretches ink to black and paper to white.

    The curve is ImageOps.autocontrast's with cutoff FADED_CUT and preserve_tone (one curve for every channel:
    no colour cast), taken from the histogram made for the check, so it can be applied later to fewer pixels."""
    hist = (im if im.mode == "L" else im.convert("L")).histogram()
    ink, paper = _percentile(hist, FADED_CUT[0], True), _percentile(hist, FADED_CUT[1], False)
    if ink <= FADED_INK and paper - ink >= FADED_SPREAD or paper <= ink:  # crisp, or blank: left as it is
        return None
    scale = 255.0 / (paper - ink)
    offset = -ink * scale
    return [min(255, max(0, int(v * scale + offset))) for v in range(256)]


class _Sizes:
    """One decoded page and the sizes made from it so far, each with the page's tone curve (a faded page's
    contrast) applied where it costs least: to the page before enlarging it, after reducing it.

    A reduction is made with LANCZOS from the smallest image already made that is at least as big (cheap, and
    no quality lost; never from an enlargement). An enlargement is made straight from the page with BICUBIC,
    from the page sharpened once when it grows by more than SHARPEN_FROM: sharpening the small page costs a
    fraction of sharpening the enlargement, and looks the same. Measured on a text page reduced to 800 and
    420 px and enlarged to 1280 again, this is as close to the original as UnsharpMask + LANCZOS (within
    0.2 dB), its strokes as crisp, in 40 % less time."""

    def __init__(self, im: PILImage.Image, curve: list[int] | None):
        self.source, self.curve = im, curve
        self.made: dict[tuple[int, int], PILImage.Image] = {}
        self.sharp: PILImage.Image | None = None

    def _toned(self, im: PILImage.Image) -> PILImage.Image:
        return im.point(self.curve * len(im.getbands())) if self.curve else im

    def get(self, size: tuple[int, int], gap: float = 3.0) -> PILImage.Image:
        if size in self.made:
            return self.made[size]
        src = self.source
        if size == src.size:
            out = self._toned(src)
        elif size[0] <= src.width and size[1] <= src.height:
            bigger = [s for s in self.made if s[0] >= size[0] and s[1] >= size[1]]
            if bigger:
                out = self.made[min(bigger)].resize(size, PILImage.Resampling.LANCZOS, reducing_gap=gap)
            else:
                out = self._toned(src.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=gap))
        else:
            page = self.get(src.size)
            if size[0] / src.width > SHARPEN_FROM:  # enlarged: keep the strokes' edges
                if self.sharp is None:
                    self.sharp = _sharpened(page)
                page = self.sharp
            out = page.resize(size, PILImage.Resampling.BICUBIC)
        self.made[size] = out
        return out


def _sharpened(page: PILImage.Image) -> PILImage.Image:
    """Unsharp mask on lightness only: Y + 0.8 x (Y - its 3x3 blur), clipped to 0-255.

    A colour page is sharpened in YCbCr, on Y alone, and stays YCbCr: no coloured halo round a red seal, a third
    of the work of sharpening R, G and B, and the JPEG encoder takes YCbCr as it is."""
    if page.mode == "L":
        return PILImage.blend(page.filter(ImageFilter.BoxBlur(1)), page, SHARPEN)
    y, cb, cr = page.convert("YCbCr").split()
    return PILImage.merge("YCbCr", (PILImage.blend(y.filter(ImageFilter.BoxBlur(1)), y, SHARPEN), cb, cr))


def _encode(im: PILImage.Image, png: bool, kind: str) -> bytes:
    """TV tiles, zoom tiles and thumbnails are baseline JPEG (optimal Huffman tables): a set-top box decodes
    baseline row by row, while progressive needs a coefficient buffer for the whole image (~9 MB for a
    1280x2400 tile). Phone renditions stay progressive: a phone shows the whole page at once, sharpening as it
    loads, and has the memory for it."""
    buf = io.BytesIO()
    if png:
        (im.convert("RGB") if im.mode == "YCbCr" else im).save(buf, "PNG", compress_level=6)
    elif kind == "phone":
        im.save(buf, "JPEG", quality=JPEG_QUALITY, progressive=True)
    else:
        im.save(buf, "JPEG", quality=THUMB_QUALITY if kind == "thumb" else JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def fit_box(size: tuple[int, int]) -> tuple[int, int]:
    """A "whole" rendition: within TV_WIDTH x TV_TILE."""
    w, h = _fit(size, TV_WIDTH)
    if h > TV_TILE:
        w, h = max(1, round(w * TV_TILE / h)), TV_TILE
    return w, h


# A job: one page of one source, and the files to make from it.
Spec = tuple[str, int, int, int, int, bool, str]  # kind, scaled w, scaled h, top, height, png, cache file
Job = tuple[str, int, tuple[Spec, ...]]  # source, page, specs


def process(source: Path, page: int, specs: tuple[Spec, ...]) -> dict[str, bytes]:
    """Make the renditions of one page: cache file name -> bytes. Raises on a damaged or oversized file."""
    need = max((((s[1], s[2]) if s[0] != "whole" else (TV_WIDTH, TV_TILE)) for s in specs), default=(1, 1))
    im = _load(source, page, need)
    sizes = _Sizes(im, _contrast(im))
    out: dict[str, bytes] = {}
    for kind, w, h, top, height, png, name in sorted(specs, key=lambda s: (-s[1], s[3])):  # biggest first
        if kind == "whole":
            w, h = fit_box(im.size)
        full = sizes.get((w, h), THUMB_GAP if kind == "thumb" else 3.0)
        part = full if kind == "whole" or (top, height) == (0, h) else full.crop((0, top, w, top + height))
        out[name] = _encode(part, png, kind)
    return out


def _work(job: Job, cache: str) -> str | None:
    """In a worker process: make a job's files in the cache. Returns an error text, or None."""
    source, page, specs = job
    try:
        made = process(Path(source), page, specs)
    except ImageProblem as exc:
        return f"{exc.code}: {exc.params.get('pixels', '')}"
    except Exception as exc:  # any decoder failure is the clerk's damaged file, reported by name
        return f"{type(exc).__name__}: {exc}"[:200]
    for name, data in made.items():
        dest = os.path.join(cache, name)
        tmp = f"{dest}.tmp-{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)  # a killed run never leaves a half-written cache entry
    return None


@_reading()
def decodes(source: Path) -> None:
    """Decode every page of a source, small (cheap), as the assets stage will decode it big: raises on a file that
    stage would fail on (a truncated JPEG, a broken TIFF page, PDF or HEIC), and on a PNG whose chunk checksums are
    wrong (Pillow's decoder does not look at them; the bytes are damaged all the same)."""
    if _is_pdf(source):
        pdf = pdfium.PdfDocument(str(source))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                page.render(scale=CHECK_PDF_SCALE).to_pil()
                page.close()
        finally:
            pdf.close()
        return
    with _open(source) as im:
        pages = min(getattr(im, "n_frames", 1), MAX_PAGES) if im.format == "TIFF" else 1
        if im.format == "PNG":
            im.verify()
    for page in range(pages):
        _load(source, page, CHECK_NEED)


def _check_job(source: str, _cache: str) -> str | None:
    """In a worker process: decode one source (decodes). Returns an error text, or None."""
    try:
        decodes(Path(source))
    except ImageProblem as exc:
        return f"{exc.code}: {exc.params.get('pixels', '')}"
    except Exception as exc:  # any decoder failure is the clerk's damaged file, reported by name
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def _check_batch(sources: tuple[str, ...], cache: str) -> list[str | None]:
    """In a worker process: decode several sources, one after the other (_check_job): each one's error text or
    None, in order."""
    return [_check_job(source, cache) for source in sources]


# The decode check's jobs hold several scans each (_batches): a job costs the build's own process ~90 µs (a future,
# its pickling and its answer), as much as decoding a small scan. A batch holds at most CHECK_BATCH scans of one
# page and CHECK_BATCH_BYTES in all, so that it ends long before JOB_TIMEOUT; a bigger file or one of several pages
# is a job of its own.
CHECK_BATCH = 32
CHECK_BATCH_BYTES = 4 << 20


def _batches(sizes: list[tuple[int, int]], workers: int) -> list[range]:
    """The decode check's jobs: consecutive runs of scans, given each scan's (bytes, pages). Few scans make jobs of
    one (a pool's IN_FLIGHT jobs a worker are kept busy, and a failure costs nothing again)."""
    most = max(1, min(CHECK_BATCH, len(sizes) // (workers * IN_FLIGHT)))
    found: list[range] = []
    start, held = 0, 0
    for i, (size, pages) in enumerate(sizes):
        alone = pages > 1 or size > CHECK_BATCH_BYTES
        if i > start and (alone or i - start >= most or held + size > CHECK_BATCH_BYTES):
            found.append(range(start, i))
            start, held = i, 0
        held += size
        if alone:
            found.append(range(i, i + 1))
            start, held = i + 1, 0
    if start < len(sizes):
        found.append(range(start, len(sizes)))
    return found


def _decode_all(sources: list[str], sizes: list[tuple[int, int]], workers: int | None, done_hook: Done) -> list:
    """Every source's decode error text (None: decodes), given each one's (bytes, pages); `done_hook` (index,
    error) told of each as it finishes. Sources go to the workers in batches (_batches); a batch that crashed or
    hung its worker is not tried again as a whole: its scans are, one job each, as they were before batching, so
    the file to blame is named (alone, `_run_all`) and the others are still checked."""
    if not sources:
        return []
    batches = _batches(sizes, max(1, min(workers or os.cpu_count() or 1, len(sources))))
    found: list[str | None] = [None] * len(sources)

    def batch_done(b: int, answer: object) -> None:
        if isinstance(answer, list):  # (a text: the batch crashed or hung; its scans are run again below)
            for i, error in zip(batches[b], answer):
                found[i] = error
                done_hook(i, error)

    jobs = [tuple(sources[i] for i in batch) for batch in batches]
    answers = _run_all(jobs, Path(), workers, _check_batch, batch_done, alone=False, weights=[len(b) for b in batches])
    again = [i for batch, answer in zip(batches, answers) if not isinstance(answer, list) for i in batch]

    def single_done(k: int, error: str | None) -> None:
        found[again[k]] = error
        done_hook(again[k], error)

    _run_all([sources[i] for i in again], Path(), workers, _check_job, single_done)
    return found


def check_images(
    images: list[Image],
    report: Report,
    checked: Checked,
    workers: int | None = None,
    facts: Mapping[Path, list[int]] | None = None,
) -> set[Path]:
    """验图 Part of validation: every published image decodes (decodes), so `sitegen check` finds each file the
    build would fail on, and the build finds it before anything is made. A file that passed before and is
    unchanged since (its stat facts, digests.Checked) is not decoded again. Problems are reported at the file.
    Runs in worker processes like the assets stage: a file that crashes or hangs a decoder is named, not fatal.
    Each pass is recorded as it comes in (Checked commits them in batches): a first import of a city's scans,
    killed half way, decodes only the rest when run again. Returns the files that failed (a problem each).
    `facts`: the stat facts validation took of the sources (by path), so that a file is not stat'ed again."""
    by_source: dict[Path, Image] = {}
    failed: set[Path] = set()
    for img in images:
        by_source.setdefault(img.source, img)
    todo: list[tuple[Path, list[int]]] = []
    for src, img in sorted(by_source.items()):
        known = facts.get(src) if facts is not None else None
        try:
            found = known if known is not None else stat_facts(src)
        except OSError as exc:
            report.error("image-bad", Location(img.where), value=img.where, detail=exc.strerror or type(exc).__name__)
            failed.add(src)
            continue
        if not checked.passed_before(src, found):
            todo.append((src, found))

    def done(i: int, error: str | None) -> None:
        if error is None:
            checked.passed(*todo[i])

    sizes = [(found[0], len(by_source[src].pages)) for src, found in todo]
    results = _decode_all([str(src) for src, _ in todo], sizes, workers, done)
    checked.flush()
    for (src, _), error in zip(todo, results):
        if error is not None:
            img = by_source[src]
            report.error("image-bad", Location(img.where), value=img.where, detail=error)
            failed.add(src)
    return failed


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose workers may hang: kill them, then shut down without waiting."""
    kill = getattr(pool, "terminate_workers", None)  # Python 3.14
    if kill:
        kill()
    else:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


Done = Callable[[int, Any], None]  # told each finished job's index and answer (an error text; None: done)
CRASHED = "解码程序崩溃或超时 the decoder crashed or hung"  # a job's answer when it crashed or hung its worker
NOT_STARTED = "解码程序无法启动 the decoder could not start"


# CPU seconds the pools' workers have spent on the jobs whose answers came back (worker_cpu)
_WORKER_CPU = [0.0]


def worker_cpu() -> float:
    """CPU seconds (user and system) this process's worker pools have spent on jobs so far, as each worker measured
    its own (`_timed`), of the workers that are not this process's children. A forkserver's workers (START_METHOD)
    are the server's children: neither os.times() nor getrusage(RUSAGE_CHILDREN) ever counts them (the server
    outlives the pools and is never waited for), so the build's step timings (pipeline.Steps) and the benchmark add
    this. A forked worker (tests) is this process's child, counted by those when it ends: not counted here too."""
    return _WORKER_CPU[0]


def _timed(work: Callable[[Any, str], Any], job: Any, cache: str) -> tuple[float, int, Any]:
    """In a worker process: the CPU seconds `work(job, cache)` took, the worker's parent, and the answer."""
    start = time.process_time()
    answer = work(job, cache)
    return time.process_time() - start, os.getppid(), answer


def _answer(fut: Future) -> Any:
    """A finished job's answer (raises as the job raised, or the pool broke), its worker's CPU counted when the
    worker is not this process's child (worker_cpu)."""
    spent, parent, answer = fut.result()
    if parent != os.getpid():
        _WORKER_CPU[0] += spent
    return answer


def _run_pool(
    jobs: list, cache: Path, workers: int, work=_work, done_hook: Done | None = None, weights: list[int] | None = None
) -> tuple[dict[int, Any], list[int]]:
    """Run jobs on a pool, at most IN_FLIGHT a worker submitted at a time: a city's first import is ~300,000 scans,
    and waiting on every submitted future each time one finishes is quadratic (hours at that size), besides
    holding a future per job. Returns (index -> error or None) for the jobs that finished, and the indexes that
    were running when the pool broke (a worker crashed) or stalled for JOB_TIMEOUT (a decoder hung): the suspects.
    Jobs never started are in neither (the caller runs them on a new pool). `done_hook` is told each job's index
    and result as it finishes. `weights`: how many scans each job is (one each without), for the progress line."""
    done: dict[int, Any] = {}
    told, total = 0, sum(weights) if weights is not None else len(jobs)
    pool = _pool(workers)
    futures: dict[Future, int] = {}
    pending: set[Future] = set()
    queued = iter(range(len(jobs)))
    try:
        while True:
            for i in itertools.islice(queued, max(0, workers * IN_FLIGHT - len(pending))):
                fut = pool.submit(_timed, work, jobs[i], str(cache))
                futures[fut] = i
                pending.add(fut)
            if not pending:
                break
            finished, pending = wait(pending, timeout=JOB_TIMEOUT, return_when=FIRST_COMPLETED)
            if not finished:
                _stop(pool)
                break
            for fut in finished:
                error = _answer(fut)  # raises when the pool broke: the job stays among the suspects
                i = futures.pop(fut)
                done[i] = error
                if done_hook is not None:
                    done_hook(i, error)
                told += weights[i] if weights is not None else 1
            progress.tell("scans", told, total)  # a terminal's progress line (progress.py)
    except BrokenProcessPool:
        _stop(pool)
    else:
        pool.shutdown(wait=not pending, cancel_futures=True)
    suspects = []
    for fut, i in futures.items():  # finished before the pool broke: keep; the others were running
        if fut.done() and not fut.cancelled() and fut.exception() is None:
            done[i] = _answer(fut)
            if done_hook is not None:
                done_hook(i, done[i])
        else:
            suspects.append(i)
    return done, sorted(suspects)


def run(jobs: list[Job], cache: Path, workers: int | None = None) -> list[str | None]:
    """Every rendition job's error text (None: done)."""
    return _run_all(jobs, cache, workers, _work)


def _told(numbers: list[int], tell: Done, k: int, error: Any) -> None:
    """Tell `tell` of a round's job `k` by its number among all jobs."""
    tell(numbers[k], error)


def _run_all(
    jobs: list,
    cache: Path,
    workers: int | None,
    work,
    done_hook: Done | None = None,
    alone: bool = True,
    weights: list[int] | None = None,
) -> list:
    """Every job's answer (`work`'s: an error text, None when done); `work` runs one job in a worker. A job that was
    running when a worker crashed or hung is retried alone, in a pool of its own, so it is named (without `alone`,
    not tried again: its answer is the crash's text); the jobs not yet started go on in a new pool. `done_hook`
    (index, answer) is told of each job as it finishes; `weights` as _run_pool's."""
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    done: dict[int, Any] = {}
    left = list(range(len(jobs)))

    def tell(i: int, error: Any) -> None:
        done[i] = error
        if done_hook is not None:
            done_hook(i, error)

    while left:
        now = left  # this round's jobs: its pool numbers them from 0
        finished, suspects = _run_pool(
            [jobs[i] for i in now],
            cache,
            workers,
            work,
            functools.partial(_told, now, tell),
            [weights[i] for i in now] if weights is not None else None,
        )
        for i in (now[k] for k in suspects):
            again, _ = _run_pool([jobs[i]], cache, 1, work) if alone else ({}, [])
            tell(i, again[0] if again else CRASHED)
        if not finished and not suspects:  # the pool did nothing at all: name every job rather than loop
            for i in now:
                tell(i, NOT_STARTED)
        left = [i for i in now if i not in done]
    return [done[i] for i in range(len(jobs))]


def _entry(digest: str, r: Rendition) -> str:
    """Cache file name: the source's content hash and everything that decides the rendition's bytes."""
    key = f"{PARAMS}|{digest}|{r.page}|{r.kind}|{r.scaled}|{r.top}|{r.height}|{r.png}"
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def renditions(
    images: Mapping[str, Rendition | Image],
    cache: Path,
    report: Report,
    workers: int | None = None,
    known: Digests | None = None,
    noted: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Output path -> cached rendition file. Damaged images are reported with the clerk's file name.

    A plain `Image` value (a page linking straight to an image file) is published as one "whole" rendition.
    `known`: the build's source hashes (digests.py), saved by the build; without it, the cache's own index.
    `noted`, when given, receives each source's hash as taken here (path -> hash): the build's fingerprint of a
    village (reuse.py) is made with them, not by asking the index again."""
    cache.mkdir(parents=True, exist_ok=True)
    plan = {p: (r if isinstance(r, Rendition) else whole(p, r)) for p, r in images.items()}
    digests: dict[Path, str] = {}
    failed: dict[Path, str] = {}
    index = known if known is not None else Digests(facts_file(cache), create=True)
    for r in plan.values():
        src = r.image.source
        if src not in digests and src not in failed:
            try:
                digests[src] = index.get(src)
            except OSError as exc:
                failed[src] = exc.strerror or type(exc).__name__
    if known is None:
        index.save()
    if noted is not None:
        noted.update((str(src), digest) for src, digest in digests.items())
    out: dict[str, Path] = {}
    jobs: dict[tuple[str, int], tuple[Path, dict[str, Spec]]] = {}  # (content hash, page) -> source, specs
    for path, r in sorted(plan.items()):
        src = r.image.source
        if src in failed:
            continue
        name = _entry(digests[src], r)
        out[path] = cache / name
        if not out[path].exists():
            _, specs = jobs.setdefault((digests[src], r.page), (src, {}))
            specs[name] = (r.kind, r.scaled[0], r.scaled[1], r.top, r.height, r.png, name)
    keys = sorted(jobs)
    todo = [(str(jobs[k][0]), k[1], tuple(sorted(jobs[k][1].values()))) for k in keys]
    bad = {k[0]: error for k, error in zip(keys, run(todo, cache, workers)) if error}
    for src, digest in digests.items():  # the same bytes under another name failed with it
        if digest in bad:
            failed[src] = bad[digest]
    by_source = {r.image.source: r.image for r in plan.values()}
    for src in sorted(failed):
        img = by_source[src]
        report.error("image-bad", Location(img.where), value=img.where, detail=failed[src])
    return {p: f for p, f in out.items() if plan[p].image.source not in failed}


def prune(cache: Path, keep: Container[str], only: set[str] | None = None) -> None:
    """Drop cache entries no current image uses (content changed or removed), and stray temporary files: those
    whose names (in `cache`) are not in `keep`. With `only`, just those of `only` not kept (a build that made some
    villages again knows which entries those villages stopped using; the cache's other entries are not even
    listed). The cache is read an entry at a time, never listed whole (a city's is ~300,000 names: issue 14)."""
    if only is not None:
        for name in sorted(n for n in only if n not in keep):
            entry = cache / name
            if entry.parent == cache and entry.is_file():
                entry.unlink()
    elif cache.is_dir():
        with os.scandir(cache) as entries:
            for found in entries:
                if found.name not in keep and found.is_file():
                    os.unlink(found.path)
