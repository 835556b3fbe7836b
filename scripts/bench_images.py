"""Benchmark the image stage (assets.py); prints figures, asserts nothing (not a timed test).

    python scripts/bench_images.py [CONTENT] [--full-res] [--repeat N]

1. Scans per second, cold cache, all cores: the pipeline (per scan: TV tiles, phone rendition, thumbnail, faded
   scans stretched, small ones sharpened and enlarged with BICUBIC, reductions with LANCZOS, progressive JPEG
   for TV and phone, baseline for thumbnails) against plain Pillow open-resize-save loops over the same files
   on the same cores. The target is at least 0.8 of the plain loop; three plain loops are timed, because "the
   plain loop" can be read three ways:
   - same files: for each file, open, turn upright, and for each file the pipeline makes, resize the page to
     that size (LANCZOS), cut the tile and save it with the pipeline's encoder settings. The same job without
     what the pipeline adds (sharpening, contrast, the cache, the source hashes, the isolation of each file in
     a worker that a bad file cannot take down): the reading the target is measured against.
   - TV only, progressive: open, turn upright, resize to the TV width, save as progressive JPEG, one file.
   - TV only, baseline: the same saved as baseline JPEG: the cheapest possible loop, for reference.
   Each gets the same warm-up first (the first 8 files: disk cache, worker start-up), then all are timed
   alternately N times (default 1); the best run of each counts, so a busy machine hurts none more than another.
   Then the CPU time per scan of each, in one process on every 4th file: the steadier figure when the machine
   is shared with other work.
2. A second run with the warm cache: how many scans were processed again (target 0) and how long it took;
   then a whole second `sitegen build` of the content with its warm cache.

The sample city's scans are small on purpose (800 and 420 px wide, to keep content/ small), so every one of
them is enlarged. `--full-res` adds the same pages as a scanner or phone delivers them (A4 at 300 dpi,
2480 px wide; photos 4000x3000), made once in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build.pipeline import build
from sitegen.content.errors import Report
from sitegen.content.model import Image
from sitegen.images import renditions as assets

# The plain loops. A job: (source, the files to make: specs as the pipeline gets them, folder to write to).
PlainJob = tuple[str, tuple[assets.Spec, ...], str]


def _opened(src: str) -> PILImage.Image:
    with PILImage.open(src) as im:
        im = ImageOps.exif_transpose(im)
        return im if im.mode in ("L", "RGB") else im.convert("RGB")


def plain_same(job: PlainJob) -> None:
    """Same files: each file the pipeline makes, resized from the page and saved with the same settings."""
    src, specs, folder = job
    page = _opened(src)
    sized: dict[tuple[int, int], PILImage.Image] = {}
    for kind, w, h, top, height, png, name in specs:
        if (w, h) not in sized:
            sized[w, h] = page if (w, h) == page.size else page.resize((w, h), PILImage.Resampling.LANCZOS)
        part = sized[w, h].crop((0, top, w, top + height))
        Path(folder, name).write_bytes(assets._encode(part, png, kind))


def _tv_only(job: PlainJob, progressive: bool) -> None:
    src, specs, folder = job
    im = _opened(src)
    im = im.resize((assets.TV_WIDTH, round(im.height * assets.TV_WIDTH / im.width)), PILImage.Resampling.LANCZOS)
    im.save(os.path.join(folder, specs[0][-1]), "JPEG", quality=assets.JPEG_QUALITY, progressive=progressive)


def plain_tv_progressive(job: PlainJob) -> None:
    _tv_only(job, True)


def plain_tv_baseline(job: PlainJob) -> None:
    _tv_only(job, False)


PLAIN = (
    ("same files", plain_same),
    ("TV only, progressive", plain_tv_progressive),
    ("TV only, baseline", plain_tv_baseline),
)


def specs(files: list[Path]) -> dict[Path, tuple[assets.Spec, ...]]:
    """Each file's renditions as the pipeline is handed them (the sample's files have one page each)."""
    out: dict[Path, list[assets.Spec]] = {f: [] for f in files}
    for path, r in sorted(plan(files).items()):
        assert r.page == 0, r.image.source
        out[r.image.source].append((r.kind, r.scaled[0], r.scaled[1], r.top, r.height, r.png, path.replace("/", "_")))
    return {f: tuple(s) for f, s in out.items()}


def plain_rate(loop, files: list[Path], made: dict[Path, tuple[assets.Spec, ...]], workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(str(f), made[f], tmp) for f in files]
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(loop, jobs, chunksize=4))
        return len(files) / (time.perf_counter() - start)


def cpu_per_scan(files: list[Path], made: dict[Path, tuple[assets.Spec, ...]]) -> list[float]:
    """CPU milliseconds per scan in one process (time.process_time): each plain loop, then the pipeline, taking
    turns file by file, each writing its files: on a machine shared with other work this moves far less than
    scans/s."""
    spent = [0.0] * (len(PLAIN) + 1)
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            for i, (_, loop) in enumerate(PLAIN):
                start = time.process_time()
                loop((str(f), made[f], tmp))
                spent[i] += time.process_time() - start
            start = time.process_time()
            for name, data in assets.process(f, 0, made[f]).items():
                Path(tmp, name).write_bytes(data)
            spent[-1] += time.process_time() - start
    return [1000 * s / len(files) for s in spent]


def plan(files: list[Path]) -> dict[str, assets.Rendition]:
    images = {}
    for i, f in enumerate(files):
        found = assets.probe(f)
        img = Image(f, f.name, f"s{i}", found.pages, found.line_art)
        for pic in assets.pictures(f"m/s{i}", img):
            for r in pic.renditions():
                images[r.path] = r
    return images


class Counting:
    """Counts the jobs (one per page of a source) assets.run is handed."""

    def __init__(self) -> None:
        self.jobs = 0
        self.real = assets.run

    def __call__(self, jobs, cache, workers=None):
        self.jobs += len(jobs)
        return self.real(jobs, cache, workers)


def pipeline_rates(files: list[Path], workers: int) -> tuple[float, int, float, int, int]:
    """(scans/s cold, renditions, warm seconds, jobs in the warm run, pages)"""
    images = plan(files)
    pages = len({(r.image.source, r.page) for r in images.values()})
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        start = time.perf_counter()
        report = Report()
        assets.renditions(images, cache, report, workers)
        cold = time.perf_counter() - start
        assert not report.errors, [p.format() for p in report.errors]
        counter = Counting()
        assets.run = counter
        try:
            start = time.perf_counter()
            assets.renditions(images, cache, Report(), workers)
            warm = time.perf_counter() - start
        finally:
            assets.run = counter.real
    return len(files) / cold, len(images), warm, counter.jobs, pages


def full_res(files: list[Path], folder: Path) -> list[Path]:
    """The sample pages at a scanner's resolution (A4 300 dpi) and photos at a phone's (4000x3000)."""
    out = []
    for i, f in enumerate(files):
        with PILImage.open(f) as im:
            photo = im.width > im.height
            size = (4000, 3000) if photo else (2480, round(im.height * 2480 / im.width))
            big = im.convert("RGB" if photo else im.mode).resize(size, PILImage.Resampling.BICUBIC)
        dest = folder / f"{i:04d}.jpg"
        big.save(dest, "JPEG", quality=90)
        out.append(dest)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default=str(Path(__file__).resolve().parent.parent / "content"))
    parser.add_argument("--full-res", action="store_true", help="also time full-resolution copies of the scans")
    parser.add_argument("--repeat", type=int, default=1, help="time each side N times, alternately; keep the best")
    args = parser.parse_args()
    content = Path(args.content).resolve()
    workers = os.cpu_count() or 1
    files = sorted(
        p
        for p in content.rglob("*")
        if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png") and ("scans" in p.parts or "files" in p.parts)
    )
    sets = [("sample scans (as shipped)", files)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-images-"))
    try:
        if args.full_res:
            print(f"making full-resolution copies of {len(files[::4])} scans …", flush=True)
            sets.append(
                ("full-resolution scans (300 dpi A4, 12 Mpx photos; every 4th file)", full_res(files[::4], tmp))
            )
        print(f"{workers} cores; {PILImage.__version__=}")
        for label, group in sets:
            made = specs(group)
            for _, loop in PLAIN:  # the same warm-up for all: disk cache, worker start-up
                plain_rate(loop, group[:8], made, workers)
            pipeline_rates(group[:8], workers)
            bases, rate = [0.0] * len(PLAIN), 0.0
            for _ in range(max(1, args.repeat)):
                for i, (_, loop) in enumerate(PLAIN):
                    bases[i] = max(bases[i], plain_rate(loop, group, made, workers))
                cold, renditions, warm, again, pages = pipeline_rates(group, workers)
                rate = max(rate, cold)
            print(f"\n{label}: {len(group)} files, {pages} pages, {renditions} renditions")
            print(f"  sitegen assets stage (cold):        {rate:7.1f} scans/s")
            for (name, _), base in zip(PLAIN, bases):
                print(
                    f"  plain loop, {name + ':':22s} {base:7.1f} scans/s; sitegen = {rate / base:.2f} of it"
                    + ("  (target >= 0.8)" if name == PLAIN[0][0] else "")
                )
            print(f"  warm cache: {again} scans processed again (target 0), {warm:.2f} s")
            *cpu_plain, cpu_ours = cpu_per_scan(group[::4], made)
            print(
                f"  CPU per scan, one process, every 4th file: sitegen {cpu_ours:.1f} ms; "
                + "; ".join(f"{name} {ms:.1f} ms ({ms / cpu_ours:.2f})" for (name, _), ms in zip(PLAIN, cpu_plain))
            )
        out = tmp / "site"
        start = time.perf_counter()
        build(content, out)
        first = time.perf_counter() - start
        counter = Counting()
        assets.run = counter
        try:
            start = time.perf_counter()
            build(content, out)
            second = time.perf_counter() - start
        finally:
            assets.run = counter.real
        print(
            f"\nsitegen build of {content.name}: first {first:.1f} s (cold cache), second {second:.1f} s "
            f"(warm cache, {counter.jobs} scans processed again)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
