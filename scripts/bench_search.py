#!/usr/bin/env python3
"""Measure the search (issue 17): index sizes, key-press cost with the CPU slowed 6x, JS heap, presses to a payment.

    python scripts/bench_search.py [--site OUTPUT] [--vouchers 500] [--items 100]

A benchmark, not a test (nothing here fails a build). It builds
- the sample city (content/), unless --site names an output folder of it already built, and
- a generated village of N vouchers (payees drawn from a pool of names, every month approved) and M items,
and prints:
- per village: the index's bytes raw and gzipped, and gzipped bytes per 1,000 vouchers;
- on the longest village (the generated one): the cost of each key press on its TV search page in Chromium with
  the CPU slowed 6x (CDP Emulation.setCPUThrottlingRate), from a capturing window listener (before tv.js and
  search.js) to a bubbling one (after them) plus the layout left to do: median and worst; and the JS heap after
  the presses (CDP Performance.getMetrics, after a garbage collection);
- for every payment of the sample city with a payee: the fewest presses from its village home to its page,
  typing the payee's initials by T9 digits: 9 (the search tile), k digits, Down to its place in the results, OK;
  the median and the worst, with the worst case named.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.build.pipeline import build
from tests import browser as B

NAMES = [
    "张永刚",
    "王建华",
    "李秀英",
    "刘德明",
    "陈国平",
    "杨美华",
    "赵志强",
    "黄丽娟",
    "周建国",
    "吴桂英",
    "徐卫东",
    "孙小红",
    "朱宏伟",
    "胡玉兰",
    "郭海涛",
    "何春花",
    "高建军",
    "林秀珍",
    "罗国庆",
    "郑丽萍",
    "江阴市路桥公司",
    "夏港供电所",
    "长江保洁服务部",
    "曾国藩",
    "单雄信",
]
WHAT = [
    "付保洁费",
    "付道路维修款",
    "收土地发包款",
    "付村干部工资",
    "付办公用品费",
    "收厂房租金",
    "付绿化养护费",
    "发放临时救助金",
    "付水电费",
    "收鱼塘承包款",
]
T9 = {
    c: d
    for d, letters in {
        "2": "ABC",
        "3": "DEF",
        "4": "GHI",
        "5": "JKL",
        "6": "MNO",
        "7": "PQRS",
        "8": "TUV",
        "9": "WXYZ",
    }.items()
    for c in letters
}


def big_village(root: Path, vouchers: int, items: int) -> Path:
    """The mini fixture with `vouchers` payments and receipts over a year and `items` more party notices."""
    content = root / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", content)
    village = content / "xg" / "cs"
    shutil.rmtree(village / "journal")
    shutil.rmtree(village / "scans")
    (village / "journal").mkdir()
    scan = (REPO / "tests" / "fixtures" / "mini" / "xg" / "cs" / "scans" / "2026-09" / "1" / "01.jpg").read_bytes()
    per_month = -(-vouchers // 12)
    with open(village / "reviews.yaml", "w", encoding="utf-8") as fh:
        for month in range(1, 13):
            fh.write(
                f"2026-{month:02d}: {{department: 夏港街道农经站, reviewer: 张永刚, date: 2026-{month:02d}-28, "
                f"status: 已通过}}\n"
            )
    with open(village / "journal" / "2026.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "往来单位", "附件张数"]
        )
        for i in range(vouchers):
            month, number = i // per_month + 1, i % per_month + 1
            day = f"2026-{month:02d}-{number % 28 + 1:02d}"
            amount = f"{(i * 7919) % 60000 + 100}.{i % 100:02d}"
            what, who = WHAT[i % len(WHAT)], NAMES[(i * 7) % len(NAMES)]
            if what.startswith("收"):
                out.writerow([day, f"记-{number}", what, "102", "银行存款", amount, "", who, "0"])
                out.writerow([day, f"记-{number}", what, "501", "经营收入", "", amount, who, "0"])
            else:
                out.writerow([day, f"记-{number}", what, "513", "管理费用", amount, "", who, "0"])
                out.writerow([day, f"记-{number}", what, "102", "银行存款", "", amount, who, "0"])
            folder = village / "scans" / f"2026-{month:02d}" / str(number)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "01.jpg").write_bytes(scan)
    meeting = (village / "party" / "meeting.md").read_text(encoding="utf-8")
    topics = ["党员大会", "村民代表会议", "主题党日活动", "三会一课", "民主评议党员", "村务监督委员会会议"]
    for n in range(items):
        text = meeting.replace("第三季度党员大会", f"第{n + 1}次{topics[n % len(topics)]}")
        (village / "party" / f"meeting-{n + 1:03d}.md").write_text(text, encoding="utf-8")
    return content


def sizes(site: Path) -> list[tuple[str, int, int, int]]:
    """(village, vouchers, raw bytes, gzip bytes) of every village's index."""
    rows = []
    for index in sorted(site.glob("*/*/search-index.js")):
        data = index.read_bytes()
        vouchers = len(list((index.parent / "finance" / "vouchers").glob("????-??-???.html")))
        rows.append((index.parent.relative_to(site).as_posix(), vouchers, len(data), len(gzip.compress(data, 9))))
    return rows


TIMER = B._KEY_TIMER  # the one key-timing harness (tests/browser.py)


def key_costs(page, base: str, village: str) -> tuple[list[float], float]:
    """Per-press cost on the village's search page with the CPU slowed 6x, and the JS heap (MB) after."""
    page.goto(f"{base}{village}/search.html")
    page.wait_for_function("window.SEARCH && document.querySelector('.focused')")
    page.evaluate(TIMER)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    sequences = ["994", "2", "50000", "7", "4683", "99"]
    try:
        for _round in range(3):  # three rounds: on a shared machine a stall shows as one slow press
            page.evaluate(
                "() => { var s = SEARCH.state; s.q = ''; s.board = s.month = s.flow = 0; SEARCH.run(false); }"
            )
            for seq in sequences:
                for key in seq:
                    page.keyboard.press(key)
                page.evaluate("() => { SEARCH.type('clear'); SEARCH.run(false); }")  # not timed
            page.evaluate("() => document.querySelector('[data-key=\"A\"]').focus()")  # back to the grid: not timed
            for _ in range(6):  # letters from the grid: Right then OK
                page.keyboard.press("ArrowRight")
                page.keyboard.press("Enter")
            page.keyboard.press("ArrowUp")  # to the filters, and OK cycles them
            for _ in range(3):
                page.keyboard.press("Enter")
        times = page.evaluate("window.__times")
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return times, metrics["JSHeapUsedSize"] / 1e6


PRESSES = """(payees) => {
    var out = [], p, k, q, found, at, j, best;
    for (p = 0; p < payees.length; p++) {
        best = null;
        for (k = 1; k <= payees[p].t9.length; k++) {
            SEARCH.state.q = payees[p].t9.substring(0, k);
            found = SEARCH.results();
            at = -1;
            for (j = 0; j < found.length && j < 20; j++) { if (found[j].rec.r[5] === payees[p].path) { at = j; break; } }
            if (at >= 0 && (best === null || 1 + k + at + 1 < best)) { best = 1 + k + at + 1; }
        }
        out.push(best);
    }
    SEARCH.state.q = '';
    return out;
}"""


def presses(page, base: str, site: Path) -> list[tuple[int | None, str, str]]:
    """(presses, village, payment) for every payment with a payee, typed by the T9 digits of its first payee."""
    rows = []
    for index in sorted(site.glob("*/*/search-index.js")):
        village = index.parent.relative_to(site).as_posix()
        page.goto(f"{base}{village}/search.html")
        page.wait_for_function("window.SEARCH")
        recs = page.evaluate("SEARCH_INDEX.r.filter(function (r) { return r[0] === 0 && r[8]; })")
        payees = [{"path": r[5], "t9": "".join(T9.get(c, c) for c in r[8].split("|")[0])} for r in recs]
        for n, r in zip(page.evaluate(PRESSES, payees), recs):
            rows.append((n, village, f"{r[5]} {r[6]} ({r[8].split('|')[0]})"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, help="an output folder of the sample city already built (else built here)")
    ap.add_argument("--vouchers", type=int, default=500)
    ap.add_argument("--items", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        work = Path(tmp)
        sample = args.site
        if sample is None:
            sample = work / "sample"
            build(REPO / "content", sample, themes=("tv",))
        big = work / "big"
        build(big_village(work, args.vouchers, args.items), big / "out", themes=("tv",))
        print("index per village (raw / gzip bytes, gzip per 1,000 vouchers):")
        for name, site in [("sample", sample / "tv"), ("generated", big / "out" / "tv")]:
            for village, vouchers, raw, gz in sizes(site):
                per = f"{gz * 1000 / vouchers:,.0f}" if vouchers else "-"
                print(f"  {name} {village}: {vouchers} vouchers, {raw:,} / {gz:,} bytes, {per} per 1,000 vouchers")
        browser = B.launch()
        try:
            page = browser.new_page()
            with B.serve(big / "out" / "tv") as base:
                times, heap = key_costs(page, base, "xg/cs")
            ranked = sorted(times)
            print("  per press (ms):", " ".join(f"{t:.0f}" for t in times))
            print(f"  95th percentile {ranked[int(len(ranked) * 0.95)]:.1f} ms")
            print(
                f"key presses on the generated village ({args.vouchers} vouchers, {args.items} items), CPU 6x slower: "
                f"{len(times)} presses, median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms; "
                f"JS heap {heap:.1f} MB"
            )
            with B.serve(sample / "tv") as base:
                found = presses(page, base, sample / "tv")
        finally:
            browser.close()
        counts = [n for n, _, _ in found if n is not None]
        missing = [f"{v} {what}" for n, v, what in found if n is None]
        worst = max(found, key=lambda f: f[0] or 0)
        print(
            f"village home -> payment by its payee's initials (T9), sample city, {len(found)} payments: "
            f"median {statistics.median(counts):.0f} presses, worst {worst[0]} ({worst[1]} {worst[2]}); "
            f"not in the first 20 results by any prefix: {len(missing)}"
        )
        for m in missing[:5]:
            print(f"  not reached: {m}")


if __name__ == "__main__":
    main()
