"""Per-village validation memo (村校验缓存), issue 14: a village whose folder is unchanged is not read or validated
again.

A build after any change used to load and validate the whole city (~0.6 s CPU a village). Here each village's
validated `Village`, and the problems its loading and its validation reported (in order, with their places and
severities), are kept in the image cache's `.index/villages/`, one file a village, and given back the next time
when nothing they were made from has changed. What a village's load and validation read, all in the key:

- every file and folder of the village's folder: names and stat facts (size, mtime, ctime, inode; a link's target
  and the real path it leads to), `digests.tree_facts`: an edited row, an added or removed scan, a touched file;
- every path its records name outside it or through a link (an item's `images: [../../files/a.jpg]`, a basis
  scan, a finance table's scan), with the real path it leads to and its stat facts, or that it was missing:
  `_Checker.inside` notes each one (`deps`) before the file is opened;
- site.yaml (subitems, the year the new chart of accounts starts, oversight settings: any change, every village),
  the town's town.yaml (the village is validated within its town), the town's folder name;
- the content folder's real path (every `Location` names the content folder; images keep absolute paths);
- sitegen's code (`code`: reuse.renderer(), given by the build: the charts of accounts, the catalogue's words,
  the rules), the Python version and the readers' versions (PyYAML, openpyxl);
- today's date (dates.today(): a date more than 60 days ahead is an error until it is not).

What crosses villages is not kept: unique names, links between items (`check_body_links`), the town's and city's
items and the hotline records are checked over the whole model every time, so their results are the same. A
village whose load or validation reported an error is not kept (as digests.Checked keeps only passes): the clerk
is fixing it, and an error may not last (an unreadable file, a decoder that hung on a busy machine).

Oversight's findings of a village (oversight/supervise.py: its payment warnings, and the problems its
acknowledgements, basis checks and reviews gave) are kept in its entry too (`keep_findings`): the entry is written
again holding the village as oversight left it (its warnings on it and its vouchers, no hotline question), with
the key of what the findings read besides what the village's own key holds (`inputs`: every registry entry and
the oversight settings). A village restored with an equal key comes back ready: oversight gives it its findings
without running a rule, and attach.attached shares it whole. With another key (a registry edited) the rules run
on it as on a fresh village, and its warnings are replaced.

Entries are Python pickles written by the build itself into its own cache folder (never a file from the content
folder or from elsewhere), each written atomically, versioned (`FORMAT`), its key read and compared before the
village is unpickled. Any doubt (a missing, damaged or foreign entry, an object it names that no longer exists)
and the village is read and validated as usual: the memo can make a run cheaper, never change its result. The
shared constants the model points at (boards, categories, accounts of the charts) are pickled by name and given
back as the very same objects, as a fresh validation gives them (code compares accounts by identity).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import operator
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PosixPath
from typing import Any

import yaml

from sitegen.content import accounts, dates, taxonomy
from sitegen.content.errors import Problem, Report, rel
from sitegen.content.load import RawDoc, RawVillage
from sitegen.content.model import Item, Village
from sitegen.content.sheets import openpyxl
from sitegen.images.digests import path_facts, tree_facts
from sitegen.oversight.supervise import VillageFindings

FORMAT = 5  # of an entry, and of what its key hashes: change when either changes


@dataclass
class _Entry:
    """What is kept of one village: the problems its loading reported, the raw documents oversight reads after
    validation (village.yaml, reviews.yaml, acknowledgements.yaml), the validated village, the problems its
    validation reported, the places of its items in the order validation registered them for body links
    (`assigned`: indices into village.items), its items' body link targets (`links`, by item source), the
    image files whose headers it read (`probed`)."""

    loaded: list[Problem]
    config: RawDoc | None
    reviews: RawDoc | None
    acknowledgements: RawDoc | None
    village: Village
    problems: list[Problem]
    assigned: list[int]
    links: dict[Path, list[str]]
    probed: list[str]
    # oversight's findings (oversight/supervise.py): the key of what they were made from besides the village, and
    # the problems its acknowledgements, basis checks and reviews gave; `village` then carries its warnings
    oversight: tuple[str, list[Problem], list[Problem], list[Problem]] | None = None


@dataclass
class _Front:
    """What load reads of a village's entry (memo.recall): its loading's problems and the raw documents oversight
    reads. Pickled ahead of the entry, so that load reads it alone and the village is unpickled in its turn."""

    loaded: list[Problem]
    config: RawDoc | None
    reviews: RawDoc | None
    acknowledgements: RawDoc | None


@dataclass
class Restored:
    """A village given back by the memo: the model, its validation's problems (to be reported again), the items
    to register for body links in order, their body links, and the image files it had probed."""

    village: Village
    problems: list[Problem]
    items: list[Item]
    links: dict[Path, list[str]]
    probed: list[str]


def _constants() -> dict[tuple[str, ...], object]:
    """Every shared constant a village's model may point at, by name."""
    named: dict[tuple[str, ...], object] = {}
    for board in taxonomy.ALL:
        named["board", board.slug] = board
        for category in board.categories:
            named["category", board.slug, category.slug] = category
    for system, chart in accounts.CHARTS.items():
        for code, account in chart.items():
            named["account", system, code] = account
    return named


_CONSTANTS = _constants()  # (the charts and boards are fixed when sitegen is imported)
_NAMES = {id(obj): name for name, obj in _CONSTANTS.items()}  # a constant's id -> its name (_Pickler)
# a model class -> how to read its constructor's arguments off an object, when its constructor takes every field
_VALUES: dict[type, Callable[[Any], tuple[Any, ...]] | None] = {}


def _values(kind: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """For one of sitegen's dataclasses whose generated constructor takes every field and does nothing else (no
    __post_init__): what gives an object's field values in order (operator.attrgetter, in C: a generator over
    the field names cost ~1 µs an object, ~7,000 objects a village); None: pickled as Python pickles it."""
    if kind not in _VALUES:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else ()
        plain = (
            kind.__module__.startswith("sitegen.")
            and bool(fields)
            and kind.__dataclass_params__.init  # type: ignore[attr-defined]
            and all(f.init for f in fields)
            and not hasattr(kind, "__post_init__")
        )
        names = [f.name for f in fields]
        _VALUES[kind] = None if not plain else operator.attrgetter(*names) if len(names) > 1 else _one(names[0])
    return _VALUES[kind]


def _one(name: str) -> Callable[[Any], tuple[Any, ...]]:
    """The values of a dataclass of one field `name`, as a tuple (attrgetter of one name gives the value)."""
    get = operator.attrgetter(name)

    def values(obj: Any) -> tuple[Any, ...]:
        return (get(obj),)

    return values


# pathlib's parsed parts of a path (private: 3.11's names; _parses_once checks them before they are used)
_PARTS = operator.attrgetter("_drv", "_root", "_parts")
_FROM_PARTS = "_from_parsed_parts"


def _path(drv: str, root: str, parts: list[str]) -> PosixPath:
    """A path from the parts pathlib parsed it into when it was pickled, not parsed again (_Pickler)."""
    made: PosixPath = getattr(PosixPath, _FROM_PARTS)(drv, root, parts)
    return made


def _parses_once() -> bool:
    """Whether this Python's pathlib makes a path from its parsed parts (its private `_from_parsed_parts`, as in
    3.11) and gives the very path back; else paths are pickled as their text. (The memo's key holds the Python
    version: an entry is only ever read by the Python that wrote it.)"""
    try:
        probe = PosixPath("/a/b/c.jpg")
        drv, root, parts = _PARTS(probe)
        again = _path(drv, root, list(parts))
        return (
            type(again) is PosixPath
            and again == probe
            and str(again) == "/a/b/c.jpg"
            and again.parent == PosixPath("/a/b")
            and hash(again) == hash(probe)
        )
    except Exception:
        return False


_PARSED = _parses_once()


def _constant(*name: str) -> object:
    """The shared constant named `name` (_constants), given back by unpickling; KeyError: none of that name (an
    entry from another sitegen: read afresh)."""
    return _CONSTANTS[name]


class _Pickler(pickle.Pickler):
    """Pickles the shared constants by name (a call of `_constant`); the model's dataclasses as a call of their
    constructor with their fields, paths as their parsed parts (`_path`; as their text where this Python cannot):
    unpickled ~40% faster than by dataclasses' `__setstate__` (which looks up the fields of every object), and a
    path is not parsed again (a seed-scale village holds ~1,300 paths: parsing them was a third of its unpickling).
    (A cycle in the model passes through a list, memoized before its items: the object met again inside its own
    fields is the same one.) The constants are told apart here, not by `persistent_id`: pickle asks that of every
    object, strings and numbers too (~140,000 Python calls a seed-scale village), this only of other objects."""

    def __init__(self, file: io.BytesIO, names: dict[int, tuple[str, ...]]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = names

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is PosixPath:
            if _PARSED:
                return _path, _PARTS(obj)
            return kind, (str(obj),)
        name = self.names.get(id(obj))
        if name is not None:
            return _constant, name
        values = None if isinstance(obj, type) else _values(kind)
        if values is None:
            return NotImplemented
        return kind, values(obj)


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: unpickling makes thousands of objects a village and none is garbage,
    yet each few hundred made start a collection, and the older generations hold the whole city: unpickling a
    village took ~2-3x as long, growing with the city."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_HOLDERS = [0]  # builds and checks of this process under way inside `holding`
_COUNTING = threading.Lock()
_KEPT = [0]  # objects the process kept after the last full collection a run's end made (see holding)
# While a run holds its city, a full collection comes after this many collections of the middle generation at
# most often (Python's is 10). CPython skips a full pass while the objects promoted since the last one are fewer
# than a quarter of those it walked, and frozen objects are not walked: with the city frozen that quarter is of
# the village in its turn alone, so nearly every 10th middle pass was a full one (19 in a cold 10-village build,
# 0.65 CPU s; with 100: 2, 0.25 s, peak RSS +6 MiB: the cyclic garbage that waits longer, a village's model
# whose vouchers and warnings name each other, Jinja's macro contexts; bounded by the allocations between two
# full passes, not by the city's size).
FULL_EVERY = 100
_THRESHOLDS: list[tuple[int, int, int]] = []  # the collector's thresholds before the outermost run


@contextmanager
def holding() -> Iterator[None]:
    """A build or check holding its city for the rest of the run (冻结): while inside, each village the memo
    restores, and what `settle` is called on, is taken out of the cyclic garbage collector's sight (gc.freeze);
    everything is given back to it (gc.unfreeze) when the outermost run ends. Meanwhile full passes come less
    often (FULL_EVERY says why), as before once it ends.

    Why: a build after one change holds every carried village's model, restored, for the whole run (~1.8 MiB and
    tens of thousands of objects a village) while it makes the changed village's objects. Each full collection
    then walked the whole city: at 50 villages three of ~0.3-0.45 s in one such build, at 252 villages seconds
    each, so the build's CPU grew faster than the city. A frozen object is still freed by its reference count;
    only a cycle among frozen objects waits for the unfreeze, so nothing outlives the run (sitegen serve builds
    many times in one process).

    What the process held before the run is frozen too, from its start (h52): the imported modules' ~250,000
    objects (a pytest worker's heap, a long-lived caller's objects) are not the run's, and every collection the
    run made, settle's included, walked them again (~60 ms each; a quarter of the test suite's in-process build
    CPU). A cycle that was garbage before the run, or became so in it, is then seen by no collection of the run:
    the outermost run's end collects in full, as CPython itself does, once the objects it held grew by a quarter
    since the last such collection (a preview server building after each save keeps no more garbage than that)."""
    with _COUNTING:  # (sitegen serve builds in a thread of its own)
        _HOLDERS[0] += 1
        if _HOLDERS[0] == 1:
            gc.freeze()  # what the process held before the run: not the run's (see above)
            young, middle, full = gc.get_threshold()
            _THRESHOLDS.append((young, middle, full))
            gc.set_threshold(young, middle, max(full, FULL_EVERY))
    try:
        yield
    finally:
        with _COUNTING:
            _HOLDERS[0] -= 1
            if not _HOLDERS[0]:
                held = gc.get_freeze_count()
                gc.unfreeze()
                gc.set_threshold(*_THRESHOLDS.pop())
                if held > _KEPT[0] * 5 // 4:
                    _KEPT[0] = held - gc.collect()


def settle(collect: bool = False) -> None:
    """Inside `holding`: what is alive now is long-lived, out of the collector's sight until the run ends.
    `collect`: garbage collected first (what is frozen is never collected before the run ends): where a run's long
    work begins (the build's city checked), so that a cold build freezes no garbage of its validation; after one
    change it walks only what is not frozen yet (the changed villages' models)."""
    if _HOLDERS[0]:
        if collect:
            gc.collect()
        gc.freeze()


def pickled(obj: object) -> bytes:
    """`obj` (a village's model) pickled as the memo pickles it: shared constants by name, the model's dataclasses
    by their fields (store.VillageStore keeps a run's villages so)."""
    buffer = io.BytesIO()
    _Pickler(buffer, _NAMES).dump(obj)
    return buffer.getvalue()


def unpickled(data: bytes) -> object:
    """What `pickled` gave, back: the shared constants the very same objects (the collector paused meanwhile)."""
    with _no_collection():
        return pickle.loads(data)


def alive(pid: int) -> bool:
    """Whether process `pid` is running (this one is): what a run may remove of another's in a shared cache."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive (another user's), or not ours to ask
    return True


def _mark(head: tuple[int, str, list[tuple[str, str]]]) -> bytes:
    """A digest of an entry's head (FORMAT, key, the paths it names with their facts), to tell it again."""
    return hashlib.sha256(pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)).digest()


class VillageMemo:
    """The villages validated before, in `folder` (the image cache's `.index/villages/`). `code` names sitegen's
    code (reuse.renderer()). Used by load (`recall`, `loaded`) and validate (`restore`, `keep`); `finish`
    removes the entries of villages no longer there. `facts`: "town/village" -> its folder's stat facts
    (digests.tree_facts, resolved) when the caller took them before anything was read (the build's content_state
    walks the whole content anyway), else taken here."""

    def __init__(self, folder: Path, code: str, facts: dict[str, str] | None = None):
        self.folder, self.code, self.facts = folder, code, facts or {}
        self.names = _NAMES
        self._base: str | None = None
        self.keys: dict[Path, str] = {}  # village folder -> its key, taken before it was read
        self.loads: dict[Path, list[Problem]] = {}  # village folder -> its loading's problems (validated afresh)
        self.found: dict[Path, _Front] = {}  # village folder -> its entry (restored; until `release`)
        self.recalled: set[Path] = set()  # the village folders restored this run
        self.digests: dict[Path, str] = {}  # village folder -> its entry's digest, as load read it
        self.entries: dict[Path, _Entry] = {}  # village folder -> its entry as on disk (restored, or kept this run)
        self.heads: dict[Path, tuple[int, str, list[tuple[str, str]]]] = {}  # village folder -> its entry's head
        # village folder -> a digest of its entry's head, once the village is let go (`release`): all that restoring
        # it asks of the head then (_village), not the paths it names with their facts (~8 KiB a village, issue 14)
        self.marks: dict[Path, bytes] = {}
        self.folders: dict[int, tuple[Path, Village]] = {}  # id(village) -> its folder, restored or kept this run
        self.used: set[str] = set()  # entry file names of this run
        self.unwritten: set[Path] = set()  # village folders kept this run whose entry is not written yet (keep)

    # ---- keys ---------------------------------------------------------------------------------------------
    def _file(self, folder: Path) -> Path:
        return self.folder / (hashlib.sha256(os.fsencode(folder)).hexdigest()[:32] + ".pickle")

    def _key(self, folder: Path, root: Path) -> str:
        if self._base is None:
            self._base = hashlib.sha256(
                "|".join(
                    (
                        str(FORMAT),
                        self.code,
                        sys.version,
                        yaml.__version__,
                        openpyxl.__version__,
                        dates.today().isoformat(),
                        str(root),
                        path_facts(root / "site.yaml"),
                    )
                ).encode("utf-8", "surrogateescape")
            ).hexdigest()
        town = folder.parent
        h = hashlib.sha256(
            f"{self._base}|{rel(folder, root)}|{path_facts(town / 'town.yaml')}|".encode("utf-8", "surrogateescape")
        )
        known = self.facts.get(f"{town.name}/{folder.name}")  # taken by the build's content_state, before reading
        h.update((known or tree_facts(folder, resolved=True)).encode())
        return h.hexdigest()

    # ---- load -------------------------------------------------------------------------------------------------
    def recall(self, folder: Path, root: Path, report: Report) -> RawVillage | None:
        """A stand-in for the village in `folder` when it is remembered unchanged: its loading's problems reported
        again, the documents oversight reads, nothing else read. None: load it (its key is taken now, before)."""
        key = self.keys[folder] = self._key(folder, root)
        entry = self._read(folder, key)
        if entry is None:
            return None
        self.found[folder] = entry
        self.recalled.add(folder)
        report.problems.extend(entry.loaded)
        return RawVillage(
            folder.name,
            folder,
            rel(folder, root),
            entry.config,
            reviews=entry.reviews,
            acknowledgements=entry.acknowledgements,
        )

    def loaded(self, folder: Path, problems: list[Problem]) -> None:
        """The village in `folder` was loaded afresh and its loading reported `problems`."""
        self.loads[folder] = problems

    def _read(self, folder: Path, key: str) -> _Front | None:
        """What load reads of the entry of the village in `folder` when its key is `key` (its front: the village
        itself is unpickled when validation restores it, in its turn: `_village`), or None."""
        path = self._file(folder)
        try:
            with path.open("rb") as f:
                head = pickle.load(f)  # (FORMAT, key, deps, digest): plain values, read before the village
                if not (isinstance(head, tuple) and len(head) == 4 and head[0] == FORMAT and head[1] == key):
                    return None
                if any(path_facts(p) != facts for p, facts in head[2]):
                    return None
                body = f.read()
            if hashlib.sha256(body).hexdigest() != head[3]:
                return None  # damaged: whole before anything of it is trusted (its village is read in its turn)
            front = pickle.loads(body)
        except Exception:  # none yet, damaged, from another sitegen: validated afresh, nothing lost
            return None
        if not isinstance(front, _Front):
            return None
        self.used.add(path.name)
        self.heads[folder], self.digests[folder] = head[:3], head[3]
        return front

    def _village(self, folder: Path) -> _Entry | None:
        """The whole entry of the village in `folder`, recalled at load (its head the one read then), or None."""
        try:
            with self._file(folder).open("rb") as f:
                head = pickle.load(f)
                body = f.read()
            known = head[:3] == self.heads[folder] if folder in self.heads else _mark(head[:3]) == self.marks[folder]
            if not known or head[3] != self.digests[folder] or hashlib.sha256(body).hexdigest() != head[3]:
                return None  # written again since load read it: validated afresh
            with _no_collection():  # (not frozen: dropped after its turn, its cycles are the collector's)
                data = io.BytesIO(body)
                pickle.load(data)  # (its front, read at load)
                entry = pickle.load(data)
        except Exception:
            return None
        if not isinstance(entry, _Entry) or not isinstance(entry.village, Village):
            return None
        return entry

    # ---- validate ---------------------------------------------------------------------------------------------
    def restore(self, raw: RawVillage) -> Restored | None:
        """The remembered village `raw` stands in for, or None (validate it): unpickled now, in its turn, not at
        load (issue 14: a check holds one village at a time)."""
        if raw.path not in self.found:
            return None
        entry = self._village(raw.path)
        if entry is None:
            return None
        self.entries[raw.path] = entry
        try:
            items = [entry.village.items[i] for i in entry.assigned]
        except (IndexError, TypeError):
            return None
        self.folders[id(entry.village)] = (raw.path, entry.village)
        return Restored(entry.village, entry.problems, items, entry.links, entry.probed)

    def keep(
        self,
        raw: RawVillage,
        village: Village,
        problems: list[Problem],
        assigned: Iterable[Item],
        links: dict[Path, list[str]],
        deps: list[tuple[str, str]],
        probed: list[str],
    ) -> None:
        """Remember a village just validated afresh (before anything after validation touches it): `problems`
        its validation reported, `assigned` its items in the order they were registered for body links, `links`
        their body links, `deps` the paths it named (with their facts, taken before reading), `probed` the image
        headers it read."""
        key, loaded = self.keys.get(raw.path), self.loads.get(raw.path)
        if key is None or loaded is None:
            return
        if any(p.severity == "error" for p in [*loaded, *problems]):
            return  # not kept: validated again next time (module docstring)
        index = {id(item): n for n, item in enumerate(village.items)}
        entry = _Entry(
            loaded,
            raw.config,
            raw.reviews,
            raw.acknowledgements,
            village,
            problems,
            [index[id(item)] for item in assigned],
            links,
            probed,
        )
        self.heads[raw.path], self.entries[raw.path] = (FORMAT, key, sorted(set(deps))), entry
        self.folders[id(village)] = (raw.path, village)
        # written once oversight has gone through it (keep_findings: the entry with its findings), or when it is
        # next asked for or let go (_written): a village validated afresh is pickled once a run, not twice
        self.unwritten.add(raw.path)

    def _written(self, folder: Path) -> None:
        """The entry of the village in `folder` kept this run and not written yet, written now (as `keep` made
        it); not kept when it cannot be (its village then has no entry: kept_as answers None)."""
        if folder not in self.unwritten:
            return
        self.unwritten.discard(folder)
        if not self._write(folder, self.heads[folder], self.entries[folder]):
            self._forget(folder)

    def _forget(self, folder: Path) -> None:
        """Hold nothing more of the village in `folder`'s entry this run (its key stays)."""
        for held in [k for k, (f, _) in self.folders.items() if f == folder]:
            del self.folders[held]
        self.entries.pop(folder, None)
        self.found.pop(folder, None)

    def _write(self, folder: Path, head: tuple[int, str, list[tuple[str, str]]], entry: _Entry) -> bool:
        """The entry of the village in `folder` written (atomically); False: not kept (next time afresh)."""
        body, buffer = io.BytesIO(), io.BytesIO()
        try:
            _Pickler(body, self.names).dump(_Front(entry.loaded, entry.config, entry.reviews, entry.acknowledgements))
            _Pickler(body, self.names).dump(entry)
            digest = hashlib.sha256(body.getvalue()).hexdigest()  # (load trusts nothing of a damaged entry)
            pickle.dump((*head, digest), buffer, protocol=pickle.HIGHEST_PROTOCOL)
            buffer.write(body.getvalue())
        except (pickle.PicklingError, TypeError, AttributeError, KeyError, RecursionError):
            return False  # something in the model cannot be kept: validated afresh next time
        path = self._file(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(buffer.getvalue())
            os.replace(tmp, path)
        except OSError:
            return False  # only a shortcut
        self.used.add(path.name)
        self.digests[folder] = digest
        return True

    # ---- oversight (oversight/supervise.oversee: FindingsMemo) ------------------------------------------------
    def findings(self, village: Village, key: str) -> VillageFindings | None:
        """The oversight findings of `village` (one restored this run) when they were made with `key` (the
        registries and oversight settings; the rest they read is in the village's own key): the village came back
        as oversight left it, carrying those very warnings (keep_findings). None: gone through afresh."""
        mine = self.folders.get(id(village))
        entry = self.entries.get(mine[0]) if mine is not None and mine[1] is village else None
        if entry is None or entry.village is not village or entry.oversight is None or entry.oversight[0] != key:
            return None
        _, acknowledged, basis, reviews = entry.oversight
        return VillageFindings(village.warnings, acknowledged, basis, reviews)

    def keep_findings(self, village: Village, key: str, findings: VillageFindings, supervised: Village) -> None:
        """Oversight went through `village` (one restored or kept this run) with `key`: its entry is written again
        holding `supervised` (the village as oversight left it, its warnings on it and its vouchers, no hotline
        question: those are read again every run) with the findings' problems, so that the next run restores the
        village ready and oversight neither runs nor copies anything of it (attach.attached shares it)."""
        mine = self.folders.get(id(village))
        if mine is None or mine[1] is not village or mine[0] not in self.entries or mine[0] not in self.heads:
            return
        folder = mine[0]
        entry = self.entries[folder]
        if len(supervised.items) != len(village.items):
            return  # not the village it stands for (`assigned`: places of its items)
        kept = replace(
            entry,
            village=supervised,
            oversight=(key, findings.acknowledged, findings.basis, findings.reviews),
        )
        if self._write(folder, self.heads[folder], kept):
            self.unwritten.discard(folder)  # (what `keep` left to write is in this one)
            self.entries[folder] = kept
            self.folders[id(supervised)] = (folder, supervised)

    def kept_as(self, village: Village) -> Callable[[], Village] | None:
        """How to restore `village` from its entry when the entry holds this very village (restored unchanged, or
        kept this run as oversight left it): the run's store reads it there rather than pickling it again
        (store.VillageStore.keep). None: no entry holds it. Ask before `release`."""
        mine = self.folders.get(id(village))
        if mine is not None and mine[1] is village:
            self._written(mine[0])
            mine = self.folders.get(id(village))
        if mine is None or mine[1] is not village or mine[0] not in self.digests:
            return None
        folder = mine[0]
        entry = self.entries.get(folder)
        if entry is None or entry.village is not village:
            return None

        def restore() -> Village:
            again = self._village(folder)
            if again is None:
                raise OSError(f"{self._file(folder)}: its entry changed during the run")
            return again.village

        return restore

    def release(self, village: Village) -> None:
        """Hold nothing more of `village` (restored or kept this run), once the check has gone through it: its
        entry's model is let go (its key, a digest of its head, and what the decode check asks, stay), so that the
        memo does not hold every village to the end of the run (issue 14: memory at any size)."""
        mine = self.folders.get(id(village))
        if mine is None or mine[1] is not village:
            return
        self._written(mine[0])
        self._forget(mine[0])
        head = self.heads.pop(mine[0], None)
        if head is not None:
            self.marks[mine[0]] = _mark(head)

    # ---- the decode check (build/pipeline.check_stored) -----------------------------------------------------------
    def _marker(self, folder: Path) -> Path:
        return self._file(folder).with_suffix(".images")

    def images_passed(self) -> set[str]:
        """ "town/village" of the villages restored this run whose every published image decoded when they were
        last checked with this very key (`images_checked`): the key holds the stat facts of every file in the
        village's folder and of every outside file it names, and the code's version (the check's with it), so
        those images are the same files and the check would pass again. Call before `finish`."""
        passed = set()
        for folder in sorted(self.recalled):
            marker = self._marker(folder)
            try:
                if marker.read_text("ascii") != self.keys[folder]:
                    continue
            except (OSError, ValueError, KeyError):
                continue
            self.used.add(marker.name)
            passed.add(f"{folder.parent.name}/{folder.name}")
        return passed

    def images_checked(self, villages: Iterable[str]) -> None:
        """The villages named ("town/village") had every image they publish checked this run and none failed:
        remembered for each one whose entry (restored or just kept) holds this run's key. A failed check is
        never remembered: that village's images are checked again next time."""
        wanted = set(villages)
        for folder, key in self.keys.items():
            if f"{folder.parent.name}/{folder.name}" not in wanted or self._file(folder).name not in self.used:
                continue
            marker = self._marker(folder)
            try:
                tmp = marker.with_name(f"{marker.name}.tmp-{os.getpid()}")
                tmp.write_text(key, "ascii")
                os.replace(tmp, marker)
                self.used.add(marker.name)
            except OSError:
                pass  # only a shortcut

    def finish(self) -> None:
        """Write what is kept and not written yet; remove the entries of villages not in this run (deleted, renamed,
        moved) and the temporary files of runs that were killed."""
        for folder in sorted(self.unwritten):
            self._written(folder)
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            _, tmp, pid = name.rpartition(".tmp-")
            if tmp and pid.isdigit() and int(pid) != os.getpid() and alive(int(pid)):
                continue  # another live run's entry on its way in (`sitegen check` runs beside a build unlocked)
            if name not in self.used:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass
