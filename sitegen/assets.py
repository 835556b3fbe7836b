"""Stage 6, assets (图片): a published rendition of every scan and item image, made once and cached.

Renditions are at most 1280 px wide (a 720p set-top box decodes no more than it shows), EXIF orientation
applied, re-encoded without metadata so no phone GPS or camera data ships. They are cached by the hash of
the source bytes and the processing parameters: an unchanged scan is never processed twice.
"""
from __future__ import annotations

import hashlib
import io
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

from sitegen.errors import Location, Report
from sitegen.model import Image
from sitegen.validate import MAX_PIXELS

MAX_WIDTH = 1280
JPEG_QUALITY = 82
PARAMS = f"w{MAX_WIDTH}-q{JPEG_QUALITY}-v1"  # change when processing changes, so the cache refreshes


def _digest(source: Path) -> str:
    h = hashlib.sha256(PARAMS.encode())
    h.update(source.read_bytes())
    return h.hexdigest()


def render_image(source: Path) -> bytes:
    """One rendition. Raises on a damaged or oversized file (the caller turns that into a clerk's message)."""
    PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with PILImage.open(source) as im:
            im.load()
            png = im.format == "PNG"
            im = ImageOps.exif_transpose(im)
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGBA" if png and "A" in im.getbands() else "RGB")
        if im.mode == "RGBA":  # flatten transparency onto white paper
            paper = PILImage.new("RGB", im.size, "white")
            paper.paste(im, mask=im.getchannel("A"))
            im = paper
    if im.width > MAX_WIDTH:
        im = im.resize((MAX_WIDTH, round(im.height * MAX_WIDTH / im.width)), PILImage.Resampling.LANCZOS)
    buf = io.BytesIO()
    if png:
        im.save(buf, "PNG", optimize=True)
    else:
        im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buf.getvalue()


def _work(job: tuple[str, str]) -> tuple[str, str | None]:
    source, dest = job
    try:
        data = render_image(Path(source))
    except Exception as exc:  # any decoder failure is the clerk's damaged file, reported by name
        return source, f"{type(exc).__name__}: {exc}"[:200]
    tmp = f"{dest}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, dest)  # a killed run never leaves a half-written cache entry
    return source, None


def renditions(images: dict[str, Image], cache: Path, report: Report, workers: int | None = None) -> dict[str, Path]:
    """Output path -> cached rendition file. Damaged images are reported with the clerk's file name."""
    cache.mkdir(parents=True, exist_ok=True)
    by_source: dict[Path, str] = {}
    for img in images.values():
        if img.source not in by_source:
            by_source[img.source] = _digest(img.source)
    todo = sorted({(str(src), str(cache / digest)) for src, digest in by_source.items()
                   if not (cache / digest).exists()})
    failed: dict[str, str] = {}
    if len(todo) > 4 and (workers or os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_work, todo, chunksize=8))
    else:
        results = [_work(job) for job in todo]
    failed = {src: err for src, err in results if err}
    out: dict[str, Path] = {}
    for path, img in sorted(images.items()):
        if str(img.source) in failed:
            continue
        out[path] = cache / by_source[img.source]
    for img in {i.source: i for i in images.values()}.values():
        if str(img.source) in failed:
            report.error("image-bad", Location(img.where), value=img.where, detail=failed[str(img.source)])
    return out


def prune(cache: Path, keep: set[Path]) -> None:
    """Drop cache entries no current image uses (content changed or removed)."""
    if cache.is_dir():
        for entry in cache.iterdir():
            if entry not in keep and entry.is_file():
                entry.unlink()
