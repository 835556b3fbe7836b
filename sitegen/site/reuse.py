"""Build only what changed (增量生成): the villages whose pages are taken unchanged from the last build.

A village's pages are made from:
- its own folder (items, journal, scans, finance tables, reviews) and any image file it publishes from elsewhere;
- everything outside the village folders ("shared": site.yaml, the city's and towns' items, the hotline records,
  the registries), the list of villages, and what renders (sitegen's code, its themes, the libraries and the
  chart font, the build options);
- two things of other villages: the folders its Markdown links point into (recorded when its pages are made),
  and its reference codes, which a collision with another village's code can lengthen (refcode.py; the codes
  feedback.plan gave the pages).

Its fingerprint hashes all of these. Each theme folder keeps the fingerprints its villages' pages were made from
(RECORD: hidden, so never bundled, and swapped in with the theme, so it always describes the pages beside it). A
village whose fingerprint equals the recorded one in every theme is carried over from the last build (hard
links), not rendered again; the result is byte for byte what a full build makes (tested).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sitegen.content.load import IGNORED
from sitegen.content.model import City
from sitegen.images.digests import Digests
from sitegen.site.code import RECORD, renderer
from sitegen.site.plan import Site

FORMAT = 1  # of the record, and of what the fingerprints hash: change when either changes


@dataclass
class Fingerprints:
    shared: str  # everything outside the village folders, and what renders
    own: dict[str, str]  # "town/village" -> its files and the image files it publishes
    codes: dict[str, str]  # "town/village" -> its reference codes

    def village(self, key: str, linked: list[str]) -> str:
        """The fingerprint of a village's pages, given the other villages its Markdown links point into."""
        h = hashlib.sha256(f"{FORMAT}|{self.shared}|{self.own[key]}|{self.codes[key]}".encode())
        for other in sorted(linked):
            h.update(f"|{other}:{self.own.get(other, 'gone')}".encode())
        return h.hexdigest()


def _walk(folder: Path, root: Path, skip: set[str]) -> list[tuple[str, str]]:
    """(name from `root`, path) of every file under `folder` in a fixed order, leaving out the folders in `skip`
    and what load ignores (hidden files, Office lock files): those never reach a page. Strings, not Paths: a
    city has hundreds of thousands of files."""
    found = []
    start = len(str(root)) + 1
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not IGNORED.match(d) and os.path.join(top, d) not in skip)
        found += [
            (full[start:].replace(os.sep, "/"), full)
            for full in (os.path.join(top, f) for f in sorted(files) if not IGNORED.match(f))
        ]
    return found


def _hash_files(files: list[tuple[str, str]], known: Digests) -> str:
    h = hashlib.sha256()
    for name, path in files:
        try:
            h.update(f"{name}\0{known.get(path)}\n".encode())
        except OSError:  # vanished or unreadable since load (validate has said so): hashed as such
            h.update(f"{name}\0?\n".encode())
    return h.hexdigest()


def fingerprints(
    content: Path,
    city: City,
    site: Site,
    codes: dict[int, str],
    known: Digests,
    options: str,
    skip: frozenset[Path] = frozenset(),
) -> Fingerprints:
    """Every village's fingerprint parts; `site` is the planned site (its images say which files each village
    publishes), `codes` the reference codes its pages show (feedback.plan), `options` the build options that
    change pages (e.g. preview), `skip` folders that are not content (an output folder inside the content
    folder)."""
    root = content.resolve()
    folders = {f"{v.town_slug}/{v.slug}": root / v.town_slug / v.slug for v in city.villages}
    outside: dict[str, set[Path]] = {key: set() for key in folders}
    for path, rendition in site.images.items():
        key = "/".join(path.split("/")[:2])
        source = rendition.image.source
        if key in folders and not source.is_relative_to(folders[key]):
            outside[key].add(source)

    def name(f: Path) -> str:  # validate keeps every file inside the content folder; if not, its full path
        return f.relative_to(root).as_posix() if f.is_relative_to(root) else str(f)

    own = {
        key: _hash_files(_walk(folder, root, set()) + [(name(f), str(f)) for f in sorted(outside[key])], known)
        for key, folder in sorted(folders.items())
    }
    shared = hashlib.sha256(f"{renderer()}|{options}|{sorted(folders)}|".encode())
    not_shared = {str(f) for f in [*folders.values(), *skip]}
    shared.update(_hash_files(_walk(root, root, not_shared), known).encode())
    by_village = {}
    for v in city.villages:
        mine = [codes.get(id(x), "") for x in v.items] + [codes.get(id(x), "") for x in v.vouchers]
        by_village[f"{v.town_slug}/{v.slug}"] = hashlib.sha256("|".join(mine).encode()).hexdigest()
    return Fingerprints(shared.hexdigest(), own, by_village)


def linked_villages(content: Path, city: City, targets: set[tuple[str, Path]]) -> dict[str, list[str]]:
    """ "town/village" -> the other villages whose folders its pages' Markdown links point into (whether or not
    the link found an item: one that appears later must be linked then), from (page path, target file) pairs."""
    root = content.resolve()
    villages = {(v.town_slug, v.slug) for v in city.villages}
    found: dict[str, set[str]] = {}
    for page, target in targets:
        key = "/".join(page.split("/")[:2])
        if not target.is_relative_to(root):
            continue
        parts = target.relative_to(root).parts
        if len(parts) >= 2 and tuple(parts[:2]) in villages and "/".join(parts[:2]) != key:
            found.setdefault(key, set()).add("/".join(parts[:2]))
    return {key: sorted(others) for key, others in found.items()}


def _read(theme_folder: Path) -> dict:
    try:
        record = json.loads((theme_folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("format") != FORMAT or not isinstance(record.get("villages"), dict):
        return {}
    return record


def read_record(theme_folder: Path) -> dict[str, dict]:
    """ "town/village" -> {"fingerprint", "linked", "listing"} as recorded with a theme's pages; {} when there is
    none. "listing": how the town page listed the village ({"title", "sub"}; pipeline.py lists a held village so)."""
    villages = _read(theme_folder).get("villages", {})
    return {
        k: v
        for k, v in villages.items()
        if isinstance(v, dict) and isinstance(v.get("fingerprint"), str) and isinstance(v.get("linked"), list)
    }


def read_towns(theme_folder: Path) -> dict[str, dict]:
    """Town slug -> {"title"} as recorded with a theme's pages (a held town is listed so); {} when none."""
    towns = _read(theme_folder).get("towns")
    return {k: v for k, v in towns.items() if isinstance(v, dict)} if isinstance(towns, dict) else {}


def unchanged(previous: Path, themes: tuple[str, ...], prints: Fingerprints) -> dict[str, dict]:
    """The villages whose pages in `previous` (every theme) were made from what they would be made from now:
    "town/village" -> its record entry."""
    records = [read_record(previous / theme) for theme in themes]
    same = {}
    for key in prints.own:
        entries = [r.get(key) for r in records]
        if (
            entries
            and all(e == entries[0] for e in entries)
            and entries[0] is not None
            and entries[0]["fingerprint"] == prints.village(key, entries[0]["linked"])
            and all((previous / theme / key / "index.html").is_file() for theme in themes)
        ):
            same[key] = entries[0]
    return same


def record(entries: dict[str, dict], towns: dict[str, dict] | None = None) -> bytes:
    """The RECORD file: "town/village" -> {"fingerprint", "linked", "listing"}, and town slug -> {"title"}."""
    doc: dict = {"format": FORMAT, "villages": entries}
    if towns is not None:
        doc["towns"] = towns
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"
