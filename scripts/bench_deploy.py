"""Benchmark: publish a synthetic city to a folder headend, then one changed voucher, end to end (build excluded).

    python scripts/bench_deploy.py [--villages 25] [--vouchers 440] [--keep DIR]

Makes the city with scripts/bench_build.py's generator, builds it (timed, but reported apart: the build is not
what this measures), then for three runs measures bundle (sitegen bundle), push (to a folder target, with its
read-back check) and ingest at the headend (verify, compose the release, switch), each as wall time, CPU time and
bytes shipped, and the peak RSS of the ingest (measured in a child process, so the figure is ingest's own):

    cold          the first publish: every bundle made, pushed whole and installed
    nothing       publish again with nothing changed
    one voucher   one voucher's summary changed in one village, rebuilt, then bundle + push + ingest -> live

Not a test: it prints figures for docs/deploy.md and the issue notes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_build import make_city
from bench_bundle import change_one_voucher

from sitegen.build.pipeline import build
from sitegen.content.config import Target
from sitegen.deploy import keys
from sitegen.deploy.bundle import Store, make_bundles
from sitegen.deploy.push import push
from sitegen.site.render import THEMES
from sitegen.site.reuse import RECORD

INGEST = """
import json, re, sys, time
from pathlib import Path
from sitegen.deploy.ingest import ingest
t, c = time.perf_counter(), time.process_time()
r = ingest(Path(sys.argv[1]))
print(json.dumps({"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "activated": r.activated,
                  "statuses": sorted({o.status for o in r.outcomes}),
                  "rss": int(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024}))
"""


def timed(action):
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run_ingest(headend: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", INGEST, str(headend)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)


def step(
    label: str, output: Path, store: Store, key, target: Target, content: Path, headend: Path, villages: list[str]
) -> dict:
    infos, b_wall, b_cpu = timed(lambda: make_bundles(output, store, key, villages=villages, just_built=True))
    pushed, p_wall, p_cpu = timed(lambda: push(store, [target], key, content))
    got = run_ingest(headend)
    changed = [i.bundle for i in infos if i.changed]
    sent = pushed[0].bytes_sent
    total = b_wall + p_wall + got["wall"]
    print(
        f"{label:<12} bundle {b_wall:6.2f}s (cpu {b_cpu:5.2f})  push {p_wall:6.2f}s (cpu {p_cpu:5.2f}, "
        f"{sent / 1024:,.1f} KB)  ingest {got['wall']:6.2f}s (cpu {got['cpu']:5.2f}, rss {got['rss']:.0f} MiB) "
        f"-> {got['activated']}  total {total:6.2f}s  [{len(changed)} bundle(s) changed]"
    )
    return {"bundle": b_wall, "push": p_wall, "ingest": got["wall"], "total": total, "sent": sent}


def pick(villages: list[str]) -> str:
    """The village whose voucher changes: a synthetic one (full size), not the one the copies are made from."""
    synthetic = [v for v in villages if v.split("/")[1].startswith("v")]
    return (synthetic[1:] or synthetic or villages)[0]


def replicate(output: Path, villages: list[str], total: int) -> list[str]:
    """Bring the built site to `total` villages by hard-linking the first synthetic village's folders under new
    names (the build of a big city takes too long on a shared machine; bundle, push and ingest only see files).
    Done again after each build: the copy keeps the files' inodes and times, as a build's carried-over village."""
    source = next((v for v in villages if v.split("/")[1].startswith("v")), villages[0])
    town = source.split("/")[0]
    extra = [f"{town}/c{n:03d}" for n in range(max(total - len(villages), 0))]
    for theme in THEMES:
        for village in extra:
            dest = output / theme / village
            if not dest.exists():
                shutil.copytree(output / theme / source, dest, copy_function=os.link)
        record_path = output / theme / RECORD  # the copies as the build would record them: the same fingerprint
        record = json.loads(record_path.read_text("utf-8"))
        record["villages"].update({village: record["villages"][source] for village in extra})
        record_path.write_text(json.dumps(record), "utf-8")
    return villages + extra


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=25)
    ap.add_argument("--vouchers", type=int, default=440)
    ap.add_argument("--keep", type=Path)
    ap.add_argument(
        "--replicate",
        type=int,
        default=0,
        help="bring the built site to this many villages by copying one (hard links) after each build",
    )
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-deploy-"))
    try:
        content, output, store = work / "content", work / "output", Store(work / "bundles")
        headend = work / "headend"
        for old in (store.root, headend):  # with --keep: the content and output are reused, the deploy is cold
            shutil.rmtree(old, ignore_errors=True)
        if not (content / "site.yaml").is_file():
            make_city(content, args.villages, args.vouchers)
        key_path = work / "keys" / "signing.key"
        if not key_path.is_file():
            keys.generate(key_path)
        headend.mkdir(exist_ok=True)
        shutil.copyfile(keys.public_path(key_path), headend / "publisher.pub")
        key = keys.load_private(key_path)
        target = Target("bench", "folder", str(headend / "drop"))

        built, t_build, _ = timed(lambda: build(content, output, hold_back=True))
        villages = replicate(output, built.villages, args.replicate)
        files = sum(len(names) for _, _, names in os.walk(output))
        print(
            f"city: {args.villages} villages x {args.vouchers} vouchers, {len(villages)} villages in the output; "
            f"build (not counted) {t_build:.1f}s, {files:,} files in output"
        )
        step("cold", output, store, key, target, content, headend, villages)
        step("nothing", output, store, key, target, content, headend, villages)
        changed = change_one_voucher(content, pick(built.villages))
        built, t_build, _ = timed(lambda: build(content, output, hold_back=True))
        villages = replicate(output, built.villages, args.replicate)
        print(f"changed {changed}; rebuild (not counted) {t_build:.1f}s")
        step("one voucher", output, store, key, target, content, headend, villages)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process (build, bundle, push): {peak:.0f} MiB")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
