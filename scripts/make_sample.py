#!/usr/bin/env python3
"""Generate the sample content folder for sitegen: a fictional but realistic 江阴市 "三务公开户户通" site.

    python scripts/make_sample.py [OUT_DIR]        (default: the repository's content/)

OUT_DIR is deleted and written again. The output is byte-for-byte the same on every run (fixed seeds, fixed
dates, sorted iteration, no timestamps, no image metadata), so it can be checked in and diffed.

What it writes (see docs/content-format.md for the format):

* site.yaml, city-wide policies/ (政策法规) and rules/ (制度建设);
* two towns (夏港街道, 祝塘镇), each with town.yaml, policies/ and rules/, and two villages;
* per village: items for all 21 categories of 党务/村务/财务, village rules/, a quarter's journal
  (journal/2026-07.csv .. 2026-09.csv, one village in UTF-8 with BOM, one in GB18030 as Excel saves it),
  voucher scans (scans/2026-MM/<n>/01.jpg = the 记账凭证 sheet, 02.jpg.. = invoices, receipts, lists,
  contracts) and files/ (basis scans, meeting and site photos, a chart).
* oversight: registries/ (bad enterprises, 失信 persons, death register), feedback/ (12345 hotline records), and per
  village cadres and 低保 recipients in village.yaml, reviews.yaml, acknowledgements.yaml, payee IDs and approval
  trails in the journal, payments that trip every warning rule, and two drafts (see "Oversight" below).

The people, ID numbers, phone and bank card numbers are invented (check digits are valid so that masking is
exercised); any likeness to real persons is accidental. Account codes come from sitegen/content/accounts.py (the 2024
chart, looked up by name); one village (河湘村) writes sub-account codes such as 10201 银行存款—基本户.

The scans are tuned so that the whole folder stays under 12 MB (du): A4 pages are drawn at 840 px and delivered
800 px wide, JPEG quality 60 (65-70 for the 420 px low-resolution ones), baseline, no EXIF. Identical bytes are
guaranteed for the same Pillow/libjpeg/FreeType and font files; another Pillow build may encode slightly
differently, which is why the test compares two runs rather than fixed checksums.

Where things are: the words and numbers (villages, people, firms, accounts, the city's, towns' and villages'
items, asset and land figures, the journal's amounts) are in scripts/sample_data/*.yaml; sample_world.py gives them
types and builds each village's people; sample_journal.py writes the journal, finance tables and oversight files;
sample_items.py draws each village's figures into the items; sample_scans.py draws every scan, photo and chart. This file only puts them
together, in a fixed order.

Needs Pillow, PyYAML and a CJK font (Debian: fonts-noto-cjk). Without a CJK font it stops with an error,
because the scans would show empty boxes instead of Chinese text.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sample_* modules beside this file

from sample_items import (
    city_items,
    complete_items,
    site_yaml,
    town_items,
    village_items,
    village_yaml,
    write_item,
)
from sample_journal import (
    build_journal,
    write_city_oversight,
    write_finance_tables,
    write_journal,
    write_village_oversight,
)
from sample_scans import (
    Fonts,
    PictureRenderer,
    Scanner,
    ScanRenderer,
    finance_documents,
    find_cjk_fonts,
)
from sample_world import (
    REPO,
    TOWNS,
    VILLAGES,
    YEAR,
    Village,
    build_village,
    id_check,
    load_accounts,
    luhn_ok,
    write_text,
)

# What tests/test_sample_script.py takes from this driver besides running it: the font finder, and the checks it runs
# on the sample's ID and bank-card numbers (valid, so that masking is exercised on real-looking numbers).
__all__ = ["DEFAULT_OUT", "find_cjk_fonts", "id_check", "luhn_ok"]

DEFAULT_OUT = REPO / "content"


def prepare_out(out: Path) -> None:
    out = out.resolve()
    if out in (Path("/"), Path.home().resolve(), REPO) or (out / ".git").exists():
        raise SystemExit(f"make_sample: refusing to delete {out}")
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"make_sample: {out} is not a folder")
        if any(out.iterdir()) and not (out / "site.yaml").is_file():
            raise SystemExit(f"make_sample: {out} is not empty and has no site.yaml; refusing to delete it")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def generate(out: Path, fonts: Fonts) -> dict:
    """Write the whole sample city into out (deleted first); returns counts for the closing line."""
    accounts = load_accounts()
    prepare_out(out)
    out = out.resolve()
    scanner = Scanner()
    stats = {"items": 0, "vouchers": 0, "scans": 0}
    made: list[Village] = []  # for the city-wide oversight files, written last
    write_text(out / "site.yaml", site_yaml())
    for it in city_items():
        write_item(out, it, None)
        stats["items"] += 1
    for town in TOWNS:
        tdir = out / town.slug
        write_text(tdir / "town.yaml", f"name: {town.name}\n")
        for it in town_items(town):
            write_item(tdir, it, None)
            stats["items"] += 1
        for spec in (s for s in VILLAGES if s.town == town.slug):
            v = build_village(spec, accounts)
            build_journal(v)
            write_village(v, tdir / spec.slug, fonts, scanner, stats)
            made.append(v)
    write_city_oversight(out, made)  # registries/, feedback/
    return stats


def write_village(v: Village, vdir: Path, fonts: Fonts, scanner: Scanner, stats: dict) -> None:
    """One village's folder: village.yaml, items and their pictures, journal, finance tables, oversight files and
    voucher scans (in this order: each scan draws from its own generator, but files/ is filled as items ask)."""
    write_text(vdir / "village.yaml", village_yaml(v))
    items = complete_items(v, village_items(v))  # bases, project documents, two drafts (oversight)
    renderer = ScanRenderer(fonts, scanner, v)
    pictures = PictureRenderer(fonts, scanner)
    for it in items:
        write_item(vdir, it, v.town)
        stats["items"] += 1
        pictures.item_pictures(v, it, vdir / "files", renderer)
    write_journal(v, vdir / "journal")
    write_finance_tables(v, vdir / "finance" / "tables")
    finance_documents(fonts, scanner, v, vdir / "files", renderer)
    write_village_oversight(v, vdir)  # reviews.yaml, acknowledgements.yaml
    for x in v.vouchers:
        renderer.write_voucher(x, vdir / "scans" / f"{YEAR}-{x.month:02d}" / str(x.no))
        stats["vouchers"] += 1
        stats["scans"] += 1 + len(x.atts) + len(x.extra)


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(
            __doc__.strip() if len(argv) == 2 else "usage: make_sample.py [OUT_DIR]",
            file=sys.stdout if len(argv) == 2 else sys.stderr,
        )
        return 0 if len(argv) == 2 else 2
    out = Path(argv[1]) if len(argv) == 2 else DEFAULT_OUT
    paths = find_cjk_fonts()
    if paths is None:
        print(
            "make_sample: no CJK font found. The scans need one to show Chinese text.\n"
            "  Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or point SITEGEN_CJK_FONT at a .ttc/.otf/.ttf "
            "file with Chinese glyphs.",
            file=sys.stderr,
        )
        return 3
    stats = generate(out, Fonts(paths))
    n, size = tree_size(out)
    print(
        f"make_sample: wrote {out}: {n} files, {size / 1024 / 1024:.1f} MB "
        f"({stats['items']} items, {stats['vouchers']} vouchers, {stats['scans']} voucher scans)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
