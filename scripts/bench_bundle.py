"""Benchmark: bundles of the sample city, full and after one voucher changes.

    python scripts/bench_bundle.py [CONTENT] [--keep DIR]

Copies CONTENT (default: the sample city in content/, or tests/fixtures/mini when that is missing) to a scratch
folder, builds it, and reports: the full bundle set (size, time to bundle), the full push to a folder target and
its ingest; then changes one voucher (the summary of the first voucher in the first village's journal), builds
again, and reports which bundles changed, the delta size, the delta push time and the ingest time.
The push target is a local folder, so push time here is disk time plus verification, not network time.
Not a test: it prints figures for the issue notes.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.build.pipeline import build
from sitegen.content.config import Target
from sitegen.deploy import keys
from sitegen.deploy.bundle import Store, make_bundles
from sitegen.deploy.ingest import ingest
from sitegen.deploy.push import push


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def change_one_voucher(content: Path, village: str = "*/*") -> str:
    """Append （更正） to the 摘要 of every line of the first voucher of the first journal found (of `village`)."""
    journal = sorted(content.glob(f"{village}/journal/*.csv"))[0]
    raw = journal.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    rows = list(csv.reader(io.StringIO(raw.decode(encoding))))
    header = rows[0]
    number, summary = header.index("凭证字号"), header.index("摘要")
    first = rows[1][number]
    for row in rows[1:]:
        if row and row[number] == first:
            row[summary] += "（更正）"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    journal.write_text(out.getvalue(), encoding)
    return f"{journal.relative_to(content).as_posix()} {first}"


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO / "content" if (REPO / "content" / "site.yaml").is_file() else REPO / "tests" / "fixtures" / "mini"
    parser.add_argument("content", nargs="?", type=Path, default=default)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-bundle-"))
    try:
        content, output, store = work / "content", work / "output", Store(work / "bundles")
        headend, drop = work / "headend", work / "headend" / "drop"
        shutil.copytree(args.content, content)
        key_path = work / "keys" / "signing.key"
        keys.generate(key_path)
        headend.mkdir()
        shutil.copyfile(keys.public_path(key_path), headend / "publisher.pub")
        key = keys.load_private(key_path)
        target = Target("bench", "folder", str(drop))
        print(f"content: {args.content} ({sum(1 for _ in content.rglob('*') if _.is_file())} files)")

        result, t_build = timed(lambda: build(content, output))
        print(f"build: {sum(result.pages.values())} pages, {result.images} images in {t_build:.2f}s")

        infos, t_bundle = timed(lambda: make_bundles(output, store, key))
        total = sum(i.size for i in infos)
        content_bytes = sum(i.content_bytes for i in infos)
        files = sum(i.files for i in infos)
        print(
            f"full bundles: {len(infos)} bundles ({len(infos) - 1} villages + city), {files} files, "
            f"{kb(content_bytes)} of site -> {kb(total)} of archives, in {t_bundle:.2f}s"
        )
        for i in infos:
            print(f"    {i.bundle:<24} v{i.version}  {i.files:>5} files  {kb(i.size):>12}")
        _, t_again = timed(lambda: make_bundles(output, store, key))
        print(f"bundle again, nothing changed: {t_again:.2f}s (same versions, same bytes)")

        pushed, t_push = timed(lambda: push(store, [target], key, content))
        print(f"full push (folder target): {kb(pushed[0].bytes_sent)} in {t_push:.2f}s")
        taken, t_ingest = timed(lambda: ingest(headend))
        print(f"full ingest: {len(taken.outcomes)} bundles -> {taken.activated} in {t_ingest:.2f}s")

        changed_voucher = change_one_voucher(content)
        print(f"\nchanged one voucher: {changed_voucher}")
        result, t_build = timed(lambda: build(content, output))
        print(f"rebuild: {t_build:.2f}s")
        infos, t_bundle = timed(lambda: make_bundles(output, store, key))
        changed = [i for i in infos if i.changed]
        print(f"bundle: {len(changed)} changed ({', '.join(i.bundle for i in changed)}) in {t_bundle:.2f}s")
        pushed, t_push = timed(lambda: push(store, [target], key, content))
        for s in pushed[0].sent:
            if s.kind in ("full", "delta"):
                full = store.full_path(s.bundle, s.version).stat().st_size
                print(
                    f"    {s.bundle}: {s.kind} v{s.version} from v{s.base}: {kb(s.size)} "
                    f"(full bundle {kb(full)}, {100 * s.size / full:.0f}%)"
                )
        print(
            f"delta push (folder target, incl. making the delta and read-back check): "
            f"{kb(pushed[0].bytes_sent)} in {t_push:.2f}s"
        )
        taken, t_ingest = timed(lambda: ingest(headend))
        print(
            f"delta ingest: -> {taken.activated} in {t_ingest:.2f}s "
            f"({', '.join(f'{o.bundle} {o.status}' for o in taken.outcomes)})"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
