"""Benchmark: `sitegen serve` on the sample city, from a one-file save to the changed page reloaded in Chromium.

    python scripts/bench_serve.py [--content content] [--village xiagang/changshou] [--saves 5] [--keep DIR]

The content is copied as hard links (each edit replaces its file, so the original is never touched), the preview
is built once (cold), then each save edits the village's intro in village.yaml and times, in a real Chromium page
showing that village's TV home, the moment the new text is on the screen. The target is at most 2 s.
Not a test: it prints figures for the issue notes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.build.scope import locate
from sitegen.cli.serve import Preview
from tests import browser


def replace_text(path: Path, old: str, new: str) -> None:
    """Write the edited file under a new name and rename it over the old one (as many editors save)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    fresh = path.with_name(path.name + ".bench")
    fresh.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(fresh, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=REPO / "content")
    parser.add_argument("--village", default="xiagang/changshou")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    content = work / args.content.resolve().name
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(args.content, content, copy_function=os.link)
    village_yaml = content / args.village / "village.yaml"
    preview = Preview(locate(content / args.village), work / "preview", port=0)
    started = time.monotonic()
    preview.start()
    preview.wait_version(0, 3600)
    print(f"first build (cold unless --keep was built before): {time.monotonic() - started:.1f}s")
    chromium = browser.launch()
    times: list[float] = []
    try:
        page = chromium.new_page()
        page.goto(preview.start_page())
        browser.ready(page)
        old = "intro: "
        for n in range(args.saves):
            mark = f"（第{n + 1}次修改）"
            before = preview.state.version
            t0 = time.monotonic()
            replace_text(village_yaml, old, "intro: " + mark)
            page.wait_for_function(f"document.body.innerText.indexOf({mark!r}) >= 0", timeout=60000)
            took = time.monotonic() - t0
            times.append(took)
            print(
                f"save {n + 1}: page reloaded with the change in {took:.2f}s "
                f"(rebuild {preview.state.last_seconds:.2f}s, version {before} -> {preview.state.version})"
            )
            old = "intro: " + mark
    finally:
        chromium.close()
        preview.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"save -> reload: median {statistics.median(times):.2f}s, max {max(times):.2f}s over {len(times)} saves "
        f"(target <= 2 s)"
    )


if __name__ == "__main__":
    main()
