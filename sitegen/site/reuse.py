"""Build only what changed (增量生成): the villages whose pages are taken unchanged from the last build.

A village's pages are made from:
- its own folder (items, journal, scans, finance tables, reviews) and any image file it publishes from elsewhere;
- everything outside the village folders ("shared": site.yaml, the city's and towns' items, the hotline records,
  the registries), the list of villages, and what renders (sitegen's code, its themes, the libraries and the
  chart font, the build options);
- two things of other villages: the folders its Markdown links point into (recorded when its pages are made),
  and its reference codes, which a collision with another village's code can lengthen (refcode.py; the codes
  feedback.plan gave the pages).

Its fingerprint hashes all of these; its own files' hash is taken when first asked (Fingerprints.own_of). Each
theme folder keeps the fingerprints its villages' pages were made from (RECORD: hidden, so never bundled, and
swapped in with the theme, so it always describes the pages beside it). A village whose fingerprint equals the
recorded one in every theme is carried over from the last build (hard links), not rendered again; the result is
byte for byte what a full build makes (tested).

A carried village is never planned: which villages are unchanged is decided before planning, and its entry in
the record keeps what the build needs of it: its stat-fact stamp and own hash (a village whose folder's stat
facts, and those of the files it publishes from outside it, are the recorded ones has the recorded own hash: its
files are not read), its page count per theme, its number of images and the rendition cache entries its pages
use (a list kept in the cache's `.index/uses/`, named by its hash: the image cache keeps them).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.content.files import IGNORED
from sitegen.content.model import VillageListing
from sitegen.images.digests import Digests, path_facts
from sitegen.site.code import RECORD, renderer

FORMAT = 2  # of the record, and of what the fingerprints hash: change when either changes
USES = "uses"  # the folder of the cache's `.index/` keeping each village's rendition cache entries


@dataclass
class Fingerprints:
    """A build's fingerprint parts. A village's own hash is taken when first asked (`own_of`): before planning
    for a village that may be carried (it has a record entry: `unchanged`), and for one linked into from such a
    village; in its turn for a village made again without one (every village of a cold build, which can carry
    none), from the digests its images step took of its scans (the image cache's keys: the same hash), so each
    scan is hashed and looked up once a build."""

    shared: str  # everything outside the village folders, and what renders
    own: dict[str, str]  # "town/village" -> its files and the image files it publishes (as taken so far)
    codes: dict[str, str]  # "town/village" -> its reference codes
    stamps: dict[str, str]  # "town/village" -> the stat facts its own hash was taken at ("": not known)
    outside: dict[str, list[str]]  # "town/village" -> the files it publishes from outside its folder
    recalled: set[str]  # the villages whose own hash is the recorded one (their stat facts are), files unread
    root: Path  # the content folder, resolved
    known: Digests  # the files' digests, remembered between builds
    keys: tuple[str, ...]  # every village listed, sorted

    def village(self, key: str, linked: list[str]) -> str:
        """The fingerprint of a village's pages, given the other villages its Markdown links point into."""
        h = hashlib.sha256(f"{FORMAT}|{self.shared}|{self.own_of(key)}|{self.codes[key]}".encode())
        for other in sorted(linked):
            h.update(f"|{other}:{self.own_of(other) if other in self.codes else 'gone'}".encode())
        return h.hexdigest()

    def own_of(self, key: str, found: Mapping[str, str] | None = None) -> str:
        """The hash of a village's files and of the image files it publishes from outside its folder, taken now
        if not yet; `found`: path -> digest of files whose digest this build has taken already (its images
        step's), used without asking `known` again."""
        own = self.own.get(key)
        if own is None:
            files = _walk(self.root / key, self.root, set()) + [(self._name(f), f) for f in self.outside[key]]
            own = self.own[key] = _hash_files(files, self.known, found or {})
        return own

    def forget(self, keys: set[str], listed: Mapping[str, VillageListing], facts: Mapping[str, str]) -> None:
        """Take the own hash of villages recalled from the record again from their files when next asked (a
        village made again: a record that lied is not copied into the new one), with their listing's outside
        files."""
        for key in keys:
            self.own.pop(key, None)
            self.recalled.discard(key)
            self.outside[key] = list(listed[key].outside)
            self.stamps[key] = _stamp(facts[key], self.outside[key]) if key in facts else ""

    def _name(self, f: str) -> str:  # validate keeps every file inside the content folder; if not, its full path
        return Path(f).relative_to(self.root).as_posix() if Path(f).is_relative_to(self.root) else f


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


def _hash_files(files: list[tuple[str, str]], known: Digests, found: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for name, path in files:
        try:
            h.update(f"{name}\0{found.get(path) or known.get(path)}\n".encode())
        except OSError:  # vanished or unreadable since load (validate has said so): hashed as such
            h.update(f"{name}\0?\n".encode())
    return h.hexdigest()


def _stamp(folder_facts: str, outside: list[str]) -> str:
    """A village's stat facts: its folder's (digests.tree_facts) and those of each file it publishes from
    outside it (digests.path_facts)."""
    h = hashlib.sha256(folder_facts.encode("utf-8", "surrogateescape"))
    for path in outside:
        h.update(f"|{path_facts(path)}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _known_own(entry: object, folder_facts: str | None) -> tuple[str, str, list[str]] | None:
    """(stamp, own hash, outside files) recorded for a village, when its stat facts are still the recorded ones."""
    if folder_facts is None or not isinstance(entry, dict):
        return None
    stamp, own, outside = entry.get("facts"), entry.get("own"), entry.get("outside")
    if not (isinstance(stamp, str) and stamp and isinstance(own, str) and isinstance(outside, list)):
        return None
    if not all(isinstance(p, str) for p in outside) or _stamp(folder_facts, outside) != stamp:
        return None
    return stamp, own, outside


def fingerprints(
    content: Path,
    listed: Sequence[VillageListing],
    known: Digests,
    options: str,
    skip: frozenset[Path] = frozenset(),
    facts: Mapping[str, str] | None = None,
    recorded: Mapping[str, object] | None = None,
) -> Fingerprints:
    """Every village's fingerprint parts, without planning any page, from its listing as published (`listed`:
    the hash of the reference codes its pages show, the files it publishes from outside its folder, which are its
    files too; no village's model is read), `options` the build options that change pages (e.g. preview), `skip`
    folders that are not content (an output folder inside the content folder). `facts`: "town/village" -> its
    folder's stat facts taken before the content was read (pipeline.content_state); a village whose facts (and
    its outside files') are those its `recorded` entry was made at keeps the recorded own hash, unread; any other
    is hashed file by file when first asked (Fingerprints.own_of; a file touched but unchanged hashes the same:
    the village is still carried over)."""
    root = content.resolve()
    facts, recorded = facts or {}, recorded or {}
    codes = {v.key: v.codes for v in listed}
    prints = Fingerprints("", {}, codes, {}, {}, set(), root, known, tuple(sorted(codes)))
    for v in sorted(listed, key=lambda v: (v.town, v.slug)):
        key = v.key
        found = _known_own(recorded.get(key), facts.get(key))
        if found is not None:
            prints.stamps[key], prints.own[key], prints.outside[key] = found
            prints.recalled.add(key)
            continue
        prints.outside[key] = list(v.outside)
        prints.stamps[key] = _stamp(facts[key], prints.outside[key]) if key in facts else ""
    shared = hashlib.sha256(f"{renderer()}|{options}|{list(prints.keys)}|".encode())
    not_shared = {*(str(root / key) for key in prints.keys), *(str(f) for f in skip)}
    shared.update(_hash_files(_walk(root, root, not_shared), known, {}).encode())
    prints.shared = shared.hexdigest()
    return prints


def linked_villages(
    content: Path, listed: Iterable[VillageListing], targets: set[tuple[str, Path]]
) -> dict[str, list[str]]:
    """ "town/village" -> the other villages (of those `listed`) whose folders its pages' Markdown links point into
    (whether or not the link found an item: one that appears later must be linked then), from (page path, target
    file) pairs."""
    root = content.resolve()
    villages = {(v.town, v.slug) for v in listed}
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
    for key in prints.keys:
        entries = [r.get(key) for r in records]
        if (
            entries
            and all(e == entries[0] for e in entries)
            and entries[0] is not None
            and entries[0]["fingerprint"] == prints.village(key, entries[0]["linked"])
            and carried_facts(entries[0], themes)
            and all((previous / theme / key / "index.html").is_file() for theme in themes)
        ):
            same[key] = entries[0]
    return same


def carried_facts(entry: dict, themes: tuple[str, ...]) -> bool:
    """Whether a record entry says what the build needs of a village it carries over without planning it: its
    pages per theme, its number of images, the key of its rendition cache entries (uses_key)."""
    pages, images, uses = entry.get("pages"), entry.get("images"), entry.get("renditions")
    return (
        isinstance(pages, dict)
        and all(isinstance(pages.get(t), int) for t in themes)
        and isinstance(images, int)
        and isinstance(uses, str)
    )


def uses_key(names: list[str]) -> str:
    """The name of a list of rendition cache entries (sorted) in the cache's `.index/uses/`: its hash."""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def save_uses(index: Path, names: list[str]) -> None:
    """Keep a village's rendition cache entries (sorted) in `index`/uses/, named by uses_key (written once)."""
    path = index / USES / uses_key(names)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text("\n".join(names), encoding="ascii")
        os.replace(tmp, path)


def read_uses(index: Path, key: str) -> set[str] | None:
    """The rendition cache entries kept under `key` (save_uses); None when missing or not what its name says."""
    try:
        text = (index / USES / key).read_text(encoding="ascii")
    except (OSError, ValueError):
        return None
    names = text.split("\n") if text else []
    return set(names) if uses_key(names) == key else None


def read_shared(theme_folder: Path) -> str:
    """The uses_key of the rendition cache entries the city's and towns' pages used, as recorded ("" if none)."""
    shared = _read(theme_folder).get("shared")
    return shared if isinstance(shared, str) else ""


def prune_uses(index: Path, keys: set[str]) -> None:
    """Drop the lists in `index`/uses/ no village (nor the city's and towns' pages) uses now (`keys`)."""
    try:
        names = os.listdir(index / USES)
    except OSError:
        return
    for name in names:
        if name not in keys:
            try:
                os.unlink(index / USES / name)
            except OSError:
                pass


def record(entries: dict[str, dict], towns: dict[str, dict] | None = None, shared: str = "") -> bytes:
    """The RECORD file: "town/village" -> {"fingerprint", "linked", "listing", "facts", "own", "outside", "pages",
    "images", "renditions"}, town slug -> {"title"}, and "shared": the uses_key of the city's and towns' pages'
    rendition cache entries."""
    doc: dict = {"format": FORMAT, "villages": entries}
    if towns is not None:
        doc["towns"] = towns
    if shared:
        doc["shared"] = shared
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8") + b"\n"
