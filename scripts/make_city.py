"""A seed-scale synthetic city (合成城市) for benchmarks: the sample content's villages copied to N villages, each
grown to the seed's volumes for a year.

    python scripts/make_city.py --villages 50 OUT

Deterministic (same N, same bytes). Every village is one of the sample's four villages (content/, round robin),
renamed, its 党务 and 村务 items repeated to ~40 and ~49, its journal grown to ~445 vouchers with 2-3 scans each
(the finance tables, reviews, registries and the hotline records as in the sample). Villages are grouped 15 to a
town. Scans are hard links to the sample's own scan files (a few thousand distinct JPEGs at most), so a city of
252 villages takes little disk; the pipeline reads each by its own path and does not know (image work is
measured per distinct file, see bench_build.py). The result passes `sitegen check`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.oversight.refcode import _code

SEED = REPO / "content"
PER_TOWN = 15
PARTY, AFFAIRS, VOUCHERS = 40, 49, 445
# (summary, debit account, its name, credit account, its name): balanced pairs that keep the bank balance up
PAIRS = [
    ("收到土地发包款", "102", "银行存款", "501", "经营收入"),
    ("付保洁员工资", "513", "管理费用", "102", "银行存款"),
    ("收到上级补助", "102", "银行存款", "503", "补助收入"),
    ("村务卡报销办公用品", "513", "管理费用", "102", "银行存款"),
]
PAYEES = ["江阴市夏港文具商店", "江阴市澄江保洁服务社", "江阴市夏港街道财政所", "江阴市长寿葡萄专业合作社"]


def seed_villages(seed: Path = SEED) -> list[tuple[Path, Path]]:
    """(town folder, village folder) of every village of the seed, in a fixed order."""
    return [
        (town, village)
        for town in sorted(p for p in seed.iterdir() if (p / "town.yaml").is_file())
        for village in sorted(p for p in town.iterdir() if (p / "village.yaml").is_file())
    ]


def _link_tree(source: Path, dest: Path) -> None:
    """Copy a folder, hard-linking its image files (shared bytes on disk; distinct paths to the pipeline)."""
    for top, dirs, files in os.walk(source):
        dirs.sort()
        rel = Path(top).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            src, dst = Path(top) / name, dest / rel / name
            if src.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"):
                os.link(src, dst)
            else:
                shutil.copyfile(src, dst)


def _grow_items(folder: Path, target: int) -> None:
    """Repeat a board's items (their copies named -b, -c, ...) until it holds `target`."""
    items = sorted(folder.glob("*.md"))
    if not items:
        return
    n, round_ = len(items), 1
    while n < target:
        for item in items:
            if n >= target:
                break
            text = item.read_text(encoding="utf-8")
            (folder / f"{item.stem}-{chr(ord('a') + round_)}.md").write_text(text, encoding="utf-8")
            n += 1
        round_ += 1


def _read(table: Path) -> tuple[str, str]:
    """A table's text and its encoding (the sample has clerks' GB18030 files as well as UTF-8)."""
    data = table.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _grow_journal(village: Path, target: int, rng: random.Random) -> None:
    """Add simple balanced vouchers to the village's monthly journals until it holds `target` vouchers, each with
    2-3 scans linked from the village's own scans."""
    journals = sorted((village / "journal").glob("*.csv"))
    scans = sorted((village / "scans").rglob("*.jpg"))
    counts = {}
    for journal in journals:
        rows = _read(journal)[0].splitlines()[1:]
        counts[journal] = len({r.split(",")[1] for r in rows if r})
    missing = target - sum(counts.values())
    for i, journal in enumerate(journals):
        month = journal.stem  # 2026-07
        text, encoding = _read(journal)
        header = text.splitlines()[0].split(",")
        add = missing // len(journals) + (1 if i < missing % len(journals) else 0)
        lines = []
        for k in range(add):
            number = counts[journal] + k + 1
            day = f"{month}-{1 + k % 28:02d}"
            summary, debit, debit_name, credit, credit_name = PAIRS[k % len(PAIRS)]
            amount = f"{rng.randint(100, 9000)}.{rng.randint(0, 99):02d}"
            payee = PAYEES[k % len(PAYEES)]
            pages = 2 + (k % 2)  # the voucher and one or two attachments
            for account, name, dr, cr in ((debit, debit_name, amount, ""), (credit, credit_name, "", amount)):
                cells = {
                    "日期": day,
                    "凭证字号": f"记-{number}",
                    "摘要": summary,
                    "科目编码": account,
                    "科目名称": name,
                    "借方金额": dr,
                    "贷方金额": cr,
                    "往来单位": payee,
                    "附件张数": str(pages - 1),
                }
                lines.append(",".join(cells.get(h, "") for h in header))
            folder = village / "scans" / month / str(number)
            folder.mkdir(parents=True, exist_ok=True)
            for p in range(pages):
                os.link(scans[(number * 3 + p) % len(scans)], folder / f"{p + 1:02d}.jpg")
        with open(journal, "a", encoding=encoding) as fh:
            fh.write("".join(line + "\n" for line in lines))


def _identities(town: str, village: str, folder: Path) -> list[str]:
    """Every identity a reference code of this village's vouchers and items is a hash of (refcode.py)."""
    found = [
        f"{town}/{village}/voucher/{month.name}-{int(n.name):03d}"
        for month in sorted((folder / "scans").iterdir())
        for n in sorted(month.iterdir())
        if n.name.isdigit()
    ]
    for item in sorted(folder.rglob("*.md")):
        inside = item.relative_to(folder).as_posix()
        board = inside.split("/")[0]
        found.append(f"{town}/{village}/{board}/{town}/{village}/{inside}")
    return found


def _rename_text(folder: Path, old: str, new: str) -> None:
    """Put the new town's name where the seed's town name was (review departments are the town's)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml", ".csv"):
            text, encoding = _read(path)
            if old in text:
                path.unlink()  # not a hard link's other end
                path.write_bytes(text.replace(old, new).encode(encoding))


def _town_name(town: Path) -> str:
    return next(
        line.split(":", 1)[1].strip()
        for line in (town / "town.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("name:")
    )


def _hotline(out: Path, seed: Path, copies: dict[tuple[str, str], tuple[str, str, str, str]]) -> None:
    """The seed's hotline records, each moved to the copy of the village its reference code names (and its
    department to that copy's town); a record of a village not copied is dropped."""
    old_codes = {}
    for (town, village), (new_town, new_village, old_name, new_name) in copies.items():
        for identity in _identities(town, village, seed / town / village):
            twin = identity.replace(f"{town}/{village}/", f"{new_town}/{new_village}/")
            for kind in "VPAFRZ":
                old_codes[_code(kind, identity)] = (_code(kind, twin), old_name, new_name)
    for table in sorted((seed / "feedback").glob("*.csv")):
        text, encoding = _read(table)
        rows = text.splitlines()
        kept = [rows[0]]
        for row in rows[1:]:
            cells = row.split(",")
            code = cells[2]
            parts = code.split("-")
            key = "-".join(parts[:3])
            if key in old_codes:
                new_code, old_name, new_name = old_codes[key]
                cells[2] = "-".join([new_code, *parts[3:]])
                kept.append(",".join(cells).replace(old_name, new_name))
            elif key[:1] not in "VPAF":
                kept.append(row)  # the city's own items: the same code
        (out / "feedback" / table.name).unlink()
        (out / "feedback" / table.name).write_bytes(("\n".join(kept) + "\n").encode(encoding))


def make_city(out: Path, villages: int, seed: Path = SEED) -> None:
    """Write a city of `villages` villages into `out` (which must not exist)."""
    if out.exists():
        raise SystemExit(f"{out} exists")
    templates = seed_villages(seed)
    out.mkdir(parents=True)
    for entry in sorted(seed.iterdir()):  # site.yaml and the city's shared folders
        if entry.is_file():
            shutil.copyfile(entry, out / entry.name)
        elif not (entry / "town.yaml").is_file():
            _link_tree(entry, out / entry.name)
    rng = random.Random(7)
    copies: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for n in range(villages):
        town_no, (seed_town, seed_village) = n // PER_TOWN, templates[n % len(templates)]
        town = out / f"t{town_no:02d}"
        if not town.exists():
            town.mkdir()
            (town / "town.yaml").write_text(f"name: 第{town_no + 1}街道\n", encoding="utf-8")
            for shared in sorted(p for p in seed_town.iterdir() if p.is_dir() and not (p / "village.yaml").exists()):
                _link_tree(shared, town / shared.name)
        village = town / f"v{n:03d}"
        _link_tree(seed_village, village)
        _rename_text(village, _town_name(seed_town), f"第{town_no + 1}街道")
        if n < len(templates):
            copies[(seed_town.name, seed_village.name)] = (
                town.name,
                village.name,
                _town_name(seed_town),
                f"第{town_no + 1}街道",
            )
        yaml = (village / "village.yaml").read_text(encoding="utf-8").splitlines()
        yaml = [f"name: 第{n + 1}村" if line.startswith("name:") else line for line in yaml]
        (village / "village.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
        _grow_items(village / "party", PARTY)
        _grow_items(village / "affairs", AFFAIRS)
        _grow_journal(village, VOUCHERS, rng)
    _hotline(out, seed, copies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--villages", type=int, default=50)
    ap.add_argument(
        "--seed",
        type=Path,
        default=SEED,
        help="the content folder whose villages are copied (default: the sample); its scans are hard-linked, which "
        "changes their stat facts (ctime, link count): the build's memos then see them as changed",
    )
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    make_city(args.out, args.villages, args.seed)
    print(f"{args.out}: {args.villages} villages", file=sys.stderr)


if __name__ == "__main__":
    main()
