"""Benchmark: validate and build a synthetic city, report time, pages per second and peak memory.

    python scripts/bench_build.py [--villages 25] [--vouchers 440] [--keep DIR]

A city is ~250 villages and ~110,000 vouchers a year (440 per village); the default is a tenth of that.
Every voucher gets two scans, hard links to one small JPEG: the figures are for the text pipeline
(load, validate, ledger, links, render, link check, write); image throughput is measured separately.
Not a test: it prints figures for the issue notes.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.build.pipeline import build, check  # noqa: E402

MINI = REPO / "tests" / "fixtures" / "mini"
PAYEES = ["江阴市澄江建筑有限公司", "王五", "李四", "江阴农商银行", "夏港水电站", "张三"]
LINES = [("付村道修理款", "513", "101"), ("收到土地发包款", "102", "501"), ("付保洁工资", "513", "102"),
         ("收到上级补助", "102", "503"), ("村务卡报销办公用品", "513", "102")]


def make_city(root: Path, villages: int, vouchers: int) -> None:
    shutil.copytree(MINI, root)
    template = root / "xg" / "cs"
    scan = template / "files" / "basis.jpg"
    rng = random.Random(7)
    for n in range(villages):
        village = root / "xg" / f"v{n:03d}"
        shutil.copytree(template, village, ignore=shutil.ignore_patterns("journal", "scans"))
        (village / "village.yaml").write_text(f"name: 第{n}村\nopening_balance: \"500000.00\"\n", encoding="utf-8")
        (village / "journal").mkdir()
        rows = ["日期,凭证字号,摘要,科目编码,借方金额,贷方金额,往来单位,附件张数"]
        for i in range(vouchers):
            month = 1 + i * 12 // vouchers
            number = i - (month - 1) * vouchers // 12 + 1
            day = f"2026-{month:02d}-{1 + i % 28:02d}"
            summary, debit, credit = rng.choice(LINES)
            amount = f"{rng.randint(100, 80000)}.{rng.randint(0, 99):02d}"
            payee = rng.choice(PAYEES)
            rows.append(f"{day},记-{number},{summary},{debit},{amount},,{payee},1")
            rows.append(f"{day},记-{number},{summary},{credit},,{amount},{payee},1")
            folder = village / "scans" / f"2026-{month:02d}" / str(number)
            folder.mkdir(parents=True, exist_ok=True)
            for name in ("01.jpg", "02.jpg"):
                (folder / name).hardlink_to(scan)
        (village / "journal" / "2026.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        # every month approved by the 农经站, or it would be a draft and not built (review.py)
        (village / "reviews.yaml").write_text("".join(
            f"2026-{m:02d}: {{department: 夏港街道农经站, reviewer: 张永刚, date: 2026-{m:02d}-28, status: 已通过}}\n"
            for m in range(1, 13)), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=25)
    ap.add_argument("--vouchers", type=int, default=440)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    content, out = work / "content", work / "output"
    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    make_city(content, args.villages, args.vouchers)
    t1 = time.perf_counter()
    city, report = check(content)
    t2 = time.perf_counter()
    assert city is not None and not report.errors, [p.format() for p in report.errors[:5]]
    result = build(content, out)
    t3 = time.perf_counter()
    again = build(content, out)
    t4 = time.perf_counter()
    one = content / "xg" / "v000" / "journal" / "2026.csv"  # a clerk adds one voucher to one village
    one.write_text(one.read_text(encoding="utf-8") + "2026-12-28,记-999,付村道修理款,513,100.00,,张三,0\n"
                   "2026-12-28,记-999,付村道修理款,101,,100.00,张三,0\n", encoding="utf-8")
    (content / "xg" / "v000" / "scans" / "2026-12" / "999").mkdir()
    (content / "xg" / "v000" / "scans" / "2026-12" / "999" / "01.jpg").hardlink_to(content / "xg" / "cs" / "files" /
                                                                                    "basis.jpg")
    t5 = time.perf_counter()
    changed = build(content, out)
    t6 = time.perf_counter()
    pages = sum(result.pages.values())
    vouchers = sum(len(v.vouchers) for v in city.villages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic city: {args.villages} villages, {vouchers} vouchers (made in {t1 - t0:.1f}s)")
    print(f"check (load+validate):     {t2 - t1:7.2f} s  ({vouchers / (t2 - t1):,.0f} vouchers/s)")
    print(f"build, cold image cache:   {t3 - t2:7.2f} s  ({pages:,} pages, {pages / (t3 - t2):,.0f} pages/s)")
    print(f"build again, nothing changed: {t4 - t3:7.2f} s  ({len(again.reused)} of {args.villages + 1} villages "
          "carried over)")
    print(f"build again, one voucher added in one village: {t6 - t5:7.2f} s  ({len(changed.reused)} carried over)")
    print(f"peak memory (RSS):         {peak:7.0f} MiB")
    scale = 250 / args.villages
    one_changed = (t4 - t3) * scale + (t6 - t5) - (t4 - t3)  # every village carried over, plus one made again
    print(f"projected full city (x{scale:.0f}): cold ~{(t3 - t2) * scale / 60:.1f} min; nothing changed "
          f"~{(t4 - t3) * scale / 60:.1f} min; one village changed ~{one_changed / 60:.1f} min; "
          f"~{peak * scale / 1024:.1f} GiB if memory grows linearly")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
