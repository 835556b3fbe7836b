"""Screenshots of every kind of TV page at 1280x720, for people to look at (not compared in tests).

    python scripts/tv_screens.py [SITE] [-o FOLDER] [--per-kind N]

SITE is a built TV site (OUTPUT/tv; default: build the sample city `content/` into a temporary folder first).
For each page kind (the class page-<kind> on <body>: city, town, village, board, list, item, ledger, voucher,
scan, questions, warnings, finance-page) it opens the first and the largest page of that kind in Chromium
(tests/browser.py), as a villager would see it on opening, and saves `<kind>-<n>.png`; for the scan viewer also
the zoomed view (放大, by key presses), for the ledger the screen after one Page Down, and for a voucher its
我有疑问 panel opened (OK on the button).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build.pipeline import build
from tests import browser

KIND = re.compile(rb'<body class="tv page-([a-z-]+)')


def pages_by_kind(site: Path) -> dict[str, list[Path]]:
    """Kind -> its pages, the first (by path) and the largest first."""
    kinds: dict[str, list[Path]] = {}
    for path in sorted(site.rglob("*.html")):
        m = KIND.search(path.read_bytes()[:2000])
        if m:
            kinds.setdefault(m.group(1).decode(), []).append(path)
    return {k: sorted({v[0], max(v, key=lambda p: p.stat().st_size)}, key=v.index) for k, v in kinds.items()}


def shoot(site: Path, folder: Path, per_kind: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    b = browser.launch()
    try:
        with browser.serve(site) as base:
            page = b.new_page()
            for kind, paths in sorted(pages_by_kind(site).items()):
                for n, path in enumerate(paths[:per_kind], 1):
                    page.goto(base + path.relative_to(site).as_posix(), wait_until="load")
                    browser.ready(page)
                    shot = folder / f"{kind}-{n}.png"
                    page.screenshot(path=str(shot))
                    made.append(shot)
                    if kind == "voucher" and n == 1 and page.query_selector("#ask-open"):
                        browser.press_until(page, "ArrowUp", lambda f: f.get("href") == "#ask", limit=8)
                        browser.press(page, "Enter")
                        page.screenshot(path=str(folder / f"{kind}-{n}-ask.png"))
                    if kind == "ledger":
                        browser.press(page, "PageDown")
                        page.screenshot(path=str(folder / f"{kind}-{n}-pagedown.png"))
                    if kind == "scan" and n == 1:
                        browser.press(page, "ArrowUp")  # at the top: into the bar, then to 放大
                        if (browser.focused(page) or {}).get("id") != "viewer-zoom":
                            browser.press_until(page, "ArrowRight", lambda f: f.get("id") == "viewer-zoom", limit=5)
                        browser.press(page, "Enter")
                        page.wait_for_function("document.body.className.indexOf('zoomed') >= 0")
                        page.wait_for_load_state("load")
                        page.wait_for_timeout(300)  # the zoom tiles decode (a picture for people, not a test)
                        page.screenshot(path=str(folder / f"{kind}-{n}-zoomed.png"))
            page.close()
    finally:
        b.close()
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", type=Path, help="a built TV site (OUTPUT/tv)")
    ap.add_argument("-o", "--out", type=Path, default=Path("tv-screens"))
    ap.add_argument("--per-kind", type=int, default=2)
    args = ap.parse_args()
    site = args.site
    if site is None:
        out = Path(tempfile.mkdtemp(prefix="tv-screens-")) / "output"
        build(Path(__file__).resolve().parent.parent / "content", out)
        site = out / "tv"
    for shot in shoot(site, args.out, args.per_kind):
        print(shot)


if __name__ == "__main__":
    main()
