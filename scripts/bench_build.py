"""Benchmark (issue 14): the whole city, cold and warm, at several sizes, in one run.

    python scripts/bench_build.py [--villages 5,50,252] [--keep DIR] [--warm-only]

For each size a seed-scale city is made (scripts/make_city.py: ~445 vouchers with 2-3 scans, 40 党务 and 49 村务
items a village) and measured, each run in a process of its own (so peak memory is that run's):

- cold build (empty output and image cache): wall and CPU seconds (the workers' CPU included), peak RSS, pages
  per theme, output size (hard links counted once), and the image step's scans/s and CPU ms a scan;
- build with nothing changed (the memo: nothing read but stat facts); `sitegen check` the first time after the
  build (a full check) and again with nothing changed (its verdict remembered);
- build with every village carried over (one shared file rewritten with the same bytes: the memo cannot answer,
  everything is validated and planned again, no village rendered): what a build costs when the memo misses;
- build with one voucher added to one village;
- `sitegen publish` (validate, build, bundle, sign, push to a folder headend) the first time (every bundle made and
  pushed whole, then `sitegen ingest`), and again with nothing changed;
- one voucher added to another village -> its delta live at the folder headend: `sitegen publish` then
  `sitegen ingest`, end to end wall (one run each, as cron runs them).

With `--warm-only` (and `--keep DIR`) the city and output an earlier run left in DIR are measured as they are: no
city made, no cold build, every warm row above (the publish section is added to site.yaml when missing).

The scans are hard links to the sample's few hundred JPEGs, so a cold build makes renditions only for those
distinct files (the cache is by content): the image figures are per distinct file processed. If Hugo is installed,
the same number of Markdown pages is built with it in the same run, for the ratios of CPU times: the whole cold
build's, its text steps' (check, plan, reuse, render, write) and its page-making's (the same without the check),
each against Hugo's; the images step (renditions, charts and QR codes made or found, and linked into the output)
and the check's decode of every scan (in worker processes: image work, decode_cpu) are reported apart. Hugo is
given at most HUGO_SHARD pages a site.
Not a test: it prints figures for docs/scale.md.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from make_city import make_city

import sitegen
from sitegen.build.pipeline import Steps, build, default_cache
from sitegen.deploy import keys
from sitegen.images import renditions as assets


def _measure_one(what: str, content: Path, out: Path) -> dict:
    """Inside a child process: one build or check; its figures as a dict. A build's CPU counts this process's
    start-up (its imports: what a cron `sitegen build` pays); a command run as `python -m sitegen` (check,
    publish, ingest) counts its own process only, not this one's imports."""
    start = resource.getrusage(resource.RUSAGE_SELF)
    jobs: list[int] = []
    real = assets.run
    assets.run = lambda todo, *a, **k: jobs.append(len(todo)) or real(todo, *a, **k)  # rendition jobs
    rss: dict[str, float] = {}  # MiB resident as each step starts (the first time), and at the end
    started: list[tuple[str, float]] = []  # each step as it starts, with the image workers' CPU then (decode_cpu)

    def told(name: str) -> None:
        rss.setdefault(name, _rss_mib())
        started.append((name, assets.worker_cpu()))

    steps = Steps(progress=told)
    wall = time.perf_counter()
    figures: dict = {}
    if what == "build":
        result = build(content, out, hold_back=True, steps=steps)
        figures.update(
            pages=result.pages,
            reused=len(result.reused),
            villages=len(result.villages),
            unchanged=result.unchanged,
            held=sorted(result.held),
        )
    elif what == "check":
        figures["exit"] = _sitegen("check", str(content), "-o", str(out))["exit"]
    elif what == "publish":  # cron's run: validate, build, bundle, sign, push
        figures.update(_sitegen("publish", str(content), "-o", str(out), "--bundles", str(bundles_of(out))))
    else:  # "live": publish, then the headend's ingest, one after the other: the change live end to end
        published = _sitegen("publish", str(content), "-o", str(out), "--bundles", str(bundles_of(out)))
        figures["publish_wall"] = time.perf_counter() - wall
        ingested = _sitegen("ingest", "--root", str(headend_of(out)))
        figures.update(exit=max(published["exit"], ingested["exit"]), said=published["said"] + ingested["said"])
    figures["wall"] = time.perf_counter() - wall
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # (+ the image pools' workers, which getrusage never counts: assets.worker_cpu; a command run as `python -m
    # sitegen` counts its own process and waited-for children only)
    figures["cpu"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + assets.worker_cpu()
    if what != "build":
        figures["cpu"] -= start.ru_utime + start.ru_stime
    figures["rss_mib"] = max(me.ru_maxrss, kids.ru_maxrss) / 1024
    figures["rss_steps"] = {**rss, "end": _rss_mib()}
    figures["steps"] = {n: [steps.wall[n], steps.cpu[n]] for n in steps.wall}
    figures["decode_cpu"] = decode_cpu(started, assets.worker_cpu())
    figures["scan_jobs"] = sum(jobs)
    return figures


def _sitegen(*args: str) -> dict:
    """Run `python -m sitegen ARGS` (its own start-up counted, as cron's is); its exit code and last lines."""
    run = subprocess.run(
        [sys.executable, "-m", "sitegen", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    return {"exit": run.returncode, "said": (run.stdout + run.stderr).strip().splitlines()[-4:]}


def bundles_of(out: Path) -> Path:
    return out.parent / f"{out.name}.bundles"


def headend_of(out: Path) -> Path:
    return out.parent / f"{out.name}.headend"


def with_headend(content: Path, out: Path) -> bool:
    """A signing key, a folder headend (its public key, its drop folder) and the publish: section of site.yaml
    naming them; kept when there (a section already there is left alone). True when site.yaml was changed."""
    work = out.parent
    key = work / "keys" / "signing.key"
    if not key.is_file():
        keys.generate(key)
    headend_of(out).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(keys.public_path(key), headend_of(out) / "publisher.pub")
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    if "\npublish:" not in text:
        site.write_text(
            text.rstrip("\n") + f"\npublish:\n  signing_key: {key}\n  targets:\n    - name: bench\n      type: folder\n"
            f"      path: {headend_of(out) / 'drop'}\n",
            encoding="utf-8",
        )
        return True
    return False


def _rss_mib() -> float:
    """This process's resident memory now (Linux), MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def measure(what: str, content: Path, out: Path) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--one", what, str(content), str(out)],
        capture_output=True,
        check=False,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if run.returncode:
        raise SystemExit(f"{what} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def du(folder: Path) -> int:
    """Bytes on disk under `folder`, each inode counted once (hard links)."""
    seen, total = set(), 0
    for top, _, files in os.walk(folder):
        for f in files:
            st = os.lstat(os.path.join(top, f))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total


def add_voucher(content: Path, which: int = 0) -> str:
    """A clerk adds one voucher (and its two scans) to a village of the first town (`which`: its place, from 0),
    numbered 999 down (a number not used yet: a city can be measured again, --warm-only). Returns "town/village"."""
    village = [p for p in sorted((content / "t00").iterdir()) if (p / "village.yaml").is_file()][which]
    journal = sorted((village / "journal").glob("*.csv"))[-1]
    number = next(n for n in range(999, 0, -1) if not (village / "scans" / journal.stem / str(n)).exists())
    data = journal.read_bytes()
    encoding = "utf-8" if not data.startswith(b"\xef\xbb\xbf") else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text, encoding = data.decode("gb18030"), "gb18030"
    header = text.splitlines()[0].split(",")
    month = journal.stem
    rows = []
    for account, name, dr, cr in (("513", "管理费用", "100.00", ""), ("102", "银行存款", "", "100.00")):
        cells = {
            "日期": f"{month}-28",
            "凭证字号": f"记-{number}",
            "摘要": "付村道修理款",
            "科目编码": account,
            "科目名称": name,
            "借方金额": dr,
            "贷方金额": cr,
            "往来单位": "江阴市夏港文具商店",
            "附件张数": "1",
        }
        rows.append(",".join(cells.get(h, "") for h in header))
    journal.write_bytes(data + ("\n".join(rows) + "\n").encode("utf-8" if encoding == "utf-8-sig" else encoding))
    folder = village / "scans" / month / str(number)
    folder.mkdir(parents=True)
    scans = sorted((village / "scans").rglob("*.jpg"))
    for n in (1, 2):  # new files, as a clerk's scans are: a hard link would change the ctime of a file the synthetic
        shutil.copyfile(scans[n], folder / f"{n:02d}.jpg")  # city shares between all its villages (all "changed")
    return f"t00/{village.name}"


# Hugo builds one site in memory whole: 786,386 pages (252 villages, both themes) grew it past 21 GB and the kernel
# killed it. Above this many pages it is given shards of at most this size, each a site of its own built in turn,
# and their CPU is summed; 156,050 pages (50 villages) ran whole. Sharding can only flatter Hugo (no site-wide
# work grows past a shard), so a ratio against the sum errs in Hugo's favour.
HUGO_SHARD = 160_000


def hugo_cpu(pages: int, work: Path) -> float | None:
    """CPU seconds of `hugo` building `pages` Markdown pages of a few paragraphs each (in shards of at most
    HUGO_SHARD pages, each a site of its own, summed); None without Hugo."""
    hugo = shutil.which("hugo")
    if not hugo:
        return None
    shards = -(-pages // HUGO_SHARD)
    cpu, first = 0.0, 0
    for shard in range(shards):
        count = pages // shards + (shard < pages % shards)
        cpu += _hugo_site(hugo, work / f"hugo-{pages}-{shard}", first, count)
        first += count
    return cpu


def _hugo_site(hugo: str, site: Path, first: int, count: int) -> float:
    """Make a Hugo site of pages `first` .. `first + count - 1` in `site` and build it: its CPU seconds."""
    shutil.rmtree(site, ignore_errors=True)  # (a crashed run's; removed at the run's end, drop_hugo_sites: see there)
    (site / "content" / "p").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n', encoding="utf-8"
    )
    layout = "<html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>"
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(layout, encoding="utf-8")
    body = "村务公开事项说明。" * 40
    for n in range(first, first + count):
        folder = site / "content" / "p" / f"{n // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{n}.md").write_text(
            f"---\ntitle: 第{n}页\n---\n\n{body}\n\n| 科目 | 金额 |\n|---|---|\n| 513 | {n}.00 |\n", encoding="utf-8"
        )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([hugo, "--quiet", "-s", str(site)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


# The text pipeline's steps (issue 14: "text pipeline <= Hugo's CPU"), and of them the page-making ones (check aside:
# validation, which Hugo does not do); "images" (renditions, charts, QR codes made or found, and linked into
# staging) is image work, reported apart.
TEXT_STEPS = ("check", "plan", "reuse", "render", "write")
PAGE_STEPS = ("plan", "reuse", "render", "write")


def step_cpu(run: dict, names: tuple[str, ...]) -> float:
    """CPU seconds of a measured build's steps `names` together; the check's without its decode workers'
    (decode_cpu: image work, every scan decoded once, reported apart)."""
    return sum(run["steps"].get(n, [0.0, 0.0])[1] for n in names) - (
        run.get("decode_cpu", 0.0) if "check" in names else 0.0
    )


def decode_cpu(started: list[tuple[str, float]], now: float) -> float:
    """CPU seconds of the decode check's workers in a build: the image workers' CPU (renditions.worker_cpu) spent
    from each start of the check step to the next step's start (`started`: each step as it starts, with that CPU
    then; `now`: the CPU at the end, when the check was the last step). No other step runs inside the check's."""
    spans = [(cpu, started[k + 1][1] if k + 1 < len(started) else now) for k, (name, cpu) in enumerate(started)]
    return sum(end - begin for (name, _), (begin, end) in zip(started, spans) if name == "check")


def drop_hugo_sites(work: Path) -> None:
    """Remove the Hugo sites once every size is measured. Not after each: on ext4 a large delete makes the files
    created in the next minutes dearer (the kernel skips inodes it freed recently, up to ~5 minutes while their
    blocks are unwritten: 150-260 µs of system CPU a file instead of ~25 µs on this machine), which would tax the
    next size's city and cold build, and not Hugo's."""
    for site in work.glob("hugo-*"):
        shutil.rmtree(site, ignore_errors=True)


WARM_ROWS = ("same", "check_first", "check_same", "carried", "one", "publish_first", "publish_same", "live")


def bench(
    villages: int,
    work: Path,
    images_from: Path | None = None,
    hugo: bool = True,
    cold_only: bool = False,
    warm_only: bool = False,
    rows: tuple[str, ...] = WARM_ROWS,
) -> dict:
    content, out = work / f"city-{villages}", work / f"out-{villages}"
    if warm_only:
        if not (content / "site.yaml").is_file() or not (out / "tv" / "index.html").is_file():
            raise SystemExit(f"--warm-only: no city and output of {villages} villages in {work} (an earlier run's)")
        return warm(villages, content, out, {"villages": villages, "images_from": ""}, rows)
    shutil.rmtree(content, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(default_cache(out), ignore_errors=True)
    for deploy in (bundles_of(out), headend_of(out)):
        shutil.rmtree(deploy, ignore_errors=True)
    t = time.perf_counter()
    make_city(content, villages)
    with_headend(content, out)  # before the cold build: the publish rows find the build's memo as it left it
    row: dict = {"villages": villages, "made_s": time.perf_counter() - t, "images_from": str(images_from or "")}
    if images_from:  # the renditions made already (same distinct scans): the cold build is the text pipeline's
        shutil.copytree(images_from, default_cache(out), ignore=shutil.ignore_patterns(".index"))
    print(f"[{villages}] city made in {row['made_s']:.0f} s; cold build ...", file=sys.stderr, flush=True)
    row["cold"] = measure("build", content, out)
    row["output_bytes"] = du(out)
    row["cache_bytes"] = du(default_cache(out))
    told(villages, row, "cold", "output_bytes", "cache_bytes")
    if cold_only:
        return row
    print(f"[{villages}] cold {row['cold']['wall']:.0f} s; warm runs ...", file=sys.stderr, flush=True)
    row = warm(villages, content, out, row, rows)
    try:
        row["hugo_cpu"] = hugo_cpu(sum(row["cold"]["pages"].values()), work) if hugo else None
    except subprocess.CalledProcessError as exc:  # (killed for memory, say: HUGO_SHARD)
        row["hugo_cpu"], row["hugo_failed"] = None, str(exc)
    told(villages, row, "hugo_cpu")
    return row


def told(villages: int, row: dict, *names: str) -> None:
    """Each figure on stderr as soon as it is measured, one JSON line: a long run stopped later (a big city's
    Hugo killed for memory, a session's end) keeps what it measured (the report comes only at each size's end)."""
    print(json.dumps({"villages": villages, **{n: row.get(n) for n in names}}), file=sys.stderr, flush=True)


def warm(villages: int, content: Path, out: Path, row: dict, rows: tuple[str, ...] = WARM_ROWS) -> dict:
    """The warm rows (`rows`: which, in this order; the live row needs publish_first before it): on a city built
    already (cold, or by an earlier run: --warm-only)."""
    if with_headend(content, out):  # (--warm-only on a city made without it) built once more, not measured, so
        print(f"[{villages}] publish: section added to site.yaml; building it in ...", file=sys.stderr, flush=True)
        row["settle"] = measure("build", content, out)  # that "nothing changed" below is so
    for name in rows:
        print(f"[{villages}] {name} ...", file=sys.stderr, flush=True)
        if name in ("same", "one"):
            if name == "one":
                add_voucher(content)
            row[name] = measure("build", content, out)
        elif name in ("check_first", "check_same"):  # the first check after a build is a full one; then remembered
            row[name] = measure("check", content, out)
        elif name == "carried":
            site = content / "site.yaml"
            site.write_bytes(site.read_bytes())  # rewritten, same bytes: the memo misses, every village is carried
            row[name] = measure("build", content, out)
        elif name == "publish_first":
            row[name] = measure("live", content, out)  # bundles made (all, the first time), pushed, ingested
        elif name == "publish_same":
            row[name] = measure("publish", content, out)
        elif name == "live":
            if "publish_first" not in rows and not (headend_of(out) / "current").exists():
                raise SystemExit(f"[{villages}] live: no release served at {headend_of(out)} (publish_first first)")
            row["live_village"] = add_voucher(content, 1)
            row[name] = measure("live", content, out)
        told(villages, row, name)
    return row


def report(rows: list[dict]) -> None:
    def t(r: dict) -> str:
        return f"{r['wall']:7.1f} s wall {r['cpu']:7.1f} s CPU {r['rss_mib']:6.0f} MiB"

    for row in rows:
        if "cold" not in row:  # --warm-only
            print(f"== {row['villages']} villages (warm rows only: the city and output of an earlier run)")
            _warm_lines(row, t)
            continue
        cold = row["cold"]
        img_wall, img_cpu = cold["steps"].get("images", [0, 0])
        jobs = cold["scan_jobs"]
        print(
            f"== {row['villages']} villages ({cold['villages']} built; pages {cold['pages']}; "
            f"output {row['output_bytes'] / 2**20:,.0f} MiB, image cache {row['cache_bytes'] / 2**20:,.0f} MiB)"
        )
        print(
            f"cold build:                 {t(cold)}"
            + ("  (image cache copied in: renditions not made)" if row.get("images_from") else "")
        )
        print(
            "   steps: " + ", ".join(f"{n} {w:.1f}/{c:.1f}" for n, (w, c) in cold["steps"].items()) + "  (wall/CPU s)"
        )
        print(
            f"   text steps ({', '.join(TEXT_STEPS)}) {step_cpu(cold, TEXT_STEPS):.1f} s CPU, of them page-making "
            f"({', '.join(PAGE_STEPS)}) {step_cpu(cold, PAGE_STEPS):.1f} s; images {img_cpu:.1f} s CPU, and the "
            f"check's decode of every scan (its workers) {cold.get('decode_cpu', 0.0):.1f} s CPU"
        )
        print("   RSS as each step starts: " + ", ".join(f"{n} {m:.0f}" for n, m in cold["rss_steps"].items()) + " MiB")
        if jobs:
            print(
                f"   images: {jobs} distinct scans processed, {jobs / img_wall:.1f} scans/s, "
                f"{img_cpu / jobs * 1000:.0f} CPU ms a scan"
            )
        if "same" not in row:
            continue  # --cold-only
        _warm_lines(row, t)
        if row.get("hugo_failed"):
            print(f"Hugo failed ({row['hugo_failed']}); no ratio")
        elif row["hugo_cpu"] is None:
            print("Hugo: not installed (or --no-hugo); no ratio")
        else:
            hugo = max(row["hugo_cpu"], 1e-3)
            print(
                f"Hugo, same page count: {row['hugo_cpu']:.1f} s CPU; sitegen cold / Hugo = {cold['cpu'] / hugo:.1f}; "
                f"text steps / Hugo = {step_cpu(cold, TEXT_STEPS) / hugo:.2f}; "
                f"page-making / Hugo = {step_cpu(cold, PAGE_STEPS) / hugo:.2f}"
            )
    print(json.dumps(rows, ensure_ascii=False), file=sys.stderr)


def _warm_lines(row: dict, t: Callable[[dict], str]) -> None:
    """The warm rows measured, one line each (and the steps of the builds that did work)."""
    if "settle" in row:
        print(f"first build, publish section added (all made again): {t(row['settle'])}")
        print("   steps: " + ", ".join(f"{n} {w:.1f}/{c:.1f}" for n, (w, c) in row["settle"]["steps"].items()))
    if "same" in row:
        print(f"nothing changed, build:     {t(row['same'])}  (unchanged: {row['same']['unchanged']})")
    if "check_first" in row:
        print(f"check, first after build:   {t(row['check_first'])}  (exit {row['check_first']['exit']})")
    if "check_same" in row:
        print(f"check again, nothing changed: {t(row['check_same'])}  (exit {row['check_same']['exit']})")
    if "carried" in row:
        print(f"all carried (memo missed): {t(row['carried'])}  ({row['carried']['reused']} villages carried)")
        print("   steps: " + ", ".join(f"{n} {w:.1f}/{c:.1f}" for n, (w, c) in row["carried"]["steps"].items()))
    if "one" in row:
        print(f"one voucher added:          {t(row['one'])}  ({row['one']['reused']} villages carried)")
        print("   steps: " + ", ".join(f"{n} {w:.1f}/{c:.1f}" for n, (w, c) in row["one"]["steps"].items()))
    if "publish_first" in row:
        first = row["publish_first"]
        print(
            f"publish, first + ingest:    {t(first)}  (exit {first['exit']}; publish {first['publish_wall']:.1f} s "
            f"wall, the rest ingest)"
        )
    if "publish_same" in row:
        same = row["publish_same"]
        print(
            f"publish, nothing changed:   {t(same)}  (exit {same['exit']}; {same['said'][0] if same['said'] else ''})"
        )
    if "live" in row:
        live = row["live"]
        print(
            f"one voucher -> live:        {t(live)}  (exit {live['exit']}; {row['live_village']}: publish "
            f"{live['publish_wall']:.1f} s + ingest {live['wall'] - live['publish_wall']:.1f} s wall)"
        )
        for line in live["said"]:
            print(f"   {line}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", default="5,50,252", help="sizes, comma-separated")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one, removed)")
    ap.add_argument(
        "--images-from",
        type=Path,
        help="an image cache to start from (the same distinct scans: the "
        "cold build then measures the text pipeline; machines too busy for the whole image work)",
    )
    ap.add_argument("--no-hugo", action="store_true", help="do not measure Hugo")
    ap.add_argument("--cold-only", action="store_true", help="only the cold build (its time and peak RSS)")
    ap.add_argument(
        "--warm-only",
        action="store_true",
        help="only the warm rows, on the city and output an earlier run left in --keep DIR (no city made, no cold build)",
    )
    ap.add_argument(
        "--rows",
        default=",".join(WARM_ROWS),
        help="the warm rows to measure, in order (a big city: the ones that matter; live needs publish_first, or "
        "--warm-only on a headend an earlier run left serving)",
    )
    ap.add_argument("--one", nargs=3, metavar=("WHAT", "CONTENT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_measure_one(args.one[0], Path(args.one[1]), Path(args.one[2]))))
        return
    if args.warm_only and (not args.keep or args.cold_only):
        ap.error("--warm-only measures what an earlier run left in --keep DIR (and not with --cold-only)")
    # sitegen's bytecode made once, as a pip install makes it: each measured process then starts as a deployed one
    # does (an editable checkout under PYTHONDONTWRITEBYTECODE would compile the package again in every run).
    compileall.compile_dir(Path(sitegen.__file__).parent, quiet=1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    chosen = tuple(r for r in args.rows.split(",") if r)
    if set(chosen) - set(WARM_ROWS) or ("live" in chosen and "publish_first" not in chosen and not args.warm_only):
        ap.error(f"--rows: some of {','.join(WARM_ROWS)} (live after publish_first, or --warm-only on a live headend)")
    rows = []
    try:
        for n in [int(v) for v in args.villages.split(",")]:
            hugo = not args.no_hugo and not args.cold_only
            rows.append(bench(n, work, args.images_from, hugo, args.cold_only, args.warm_only, chosen))
            report(rows[-1:])
    finally:
        drop_hugo_sites(work)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
