"""The per-village validation memo (validate/memo.py, issue 14): an unchanged village is neither read nor validated
again, and the memo never changes a result: the model and the problems after a restore equal a fresh validation's,
and each small edit re-validates exactly the villages it can affect."""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import pathlib
import pickle
import shutil
import subprocess
import weakref
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path, PosixPath

import pytest

from sitegen.build import pipeline
from sitegen.build.state import default_cache
from sitegen.content import load as load_module
from sitegen.content.errors import Report
from sitegen.content.model import City, Village, Voucher
from sitegen.images import renditions as assets
from sitegen.images.digests import Checked, Probes, stat_facts
from sitegen.oversight import attach as attach_module
from sitegen.oversight import refcode
from sitegen.oversight import supervise as supervise_module
from sitegen.site import reuse
from sitegen.validate import city as city_module
from sitegen.validate import memo as memo_module
from tests.checked import check
from tests.conftest import FIXTURES, REPO, snapshot

VILLAGES = {"xg/cs", "xg/dq", "hs/cs", "hs/dq"}


def canonical(obj: object) -> list:
    """The model as a flat list of tokens: scalars by value, and every dataclass, list and dict numbered at its
    first visit and named by that number afterwards, so that two models compare equal only when they hold the same
    values and share the same objects the same way (the model has cycles: a warning names its voucher, which lists
    its warnings; `==` would recurse for ever)."""
    out: list = []
    ids: dict[int, int] = {}
    todo: list[object] = [obj]
    while todo:
        o = todo.pop()
        if o is None or isinstance(o, (str, int, float, Decimal, date, Path, bytes)):
            out.append((type(o).__name__, repr(o)))
            continue
        if id(o) in ids:
            out.append(("ref", ids[id(o)]))
            continue
        if isinstance(o, tuple):
            out.append(("tuple", len(o)))
            todo.extend(reversed(o))
            continue
        ids[id(o)] = len(ids)
        if dataclasses.is_dataclass(o):
            out.append(("object", type(o).__qualname__))
            todo.extend(reversed([getattr(o, f.name) for f in dataclasses.fields(o)]))
        elif isinstance(o, dict):
            out.append(("dict", len(o)))
            todo.extend(reversed([x for k, v in o.items() for x in (k, v)]))
        elif isinstance(o, (list, set, frozenset)):
            out.append((type(o).__name__, len(o)))
            todo.extend(reversed(sorted(o, key=repr) if isinstance(o, (set, frozenset)) else o))
        else:
            out.append(("other", type(o).__qualname__, repr(o)))
    return out


class Counted:
    """Which villages a run loaded and validated afresh ("town/village")."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.loaded: set[str] = set()
        self.validated: set[str] = set()
        real_load, real_village = load_module._load_village, city_module._Checker.village

        def loading(folder: Path, root: Path, report: Report):
            self.loaded.add(f"{folder.parent.name}/{folder.name}")
            return real_load(folder, root, report)

        def validating(checker, raw, town_slug: str):
            self.validated.add(f"{town_slug}/{raw.slug}")
            return real_village(checker, raw, town_slug)

        monkeypatch.setattr(load_module, "_load_village", loading)
        monkeypatch.setattr(city_module._Checker, "village", validating)

    def clear(self) -> None:
        self.loaded.clear()
        self.validated.clear()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def towns(tmp_path: Path) -> Path:
    """The mini fixture grown to two towns of two villages each (xg/cs, xg/dq, hs/cs, hs/dq); each dq's meeting
    shows an image from its cs's folder and links to cs's village compact, and xg/cs's second scan of voucher 1
    is a link to xg/dq's basis.jpg (what crosses villages)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    shutil.copytree(content / "xg/cs", content / "xg/dq")
    edit(content, "xg/dq/village.yaml", "name: 长寿村", "name: 大桥村")
    edit(content, "xg/dq/party/meeting.md", "subitem:", "images: [../../cs/files/basis.jpg]\nsubitem:")
    edit(
        content,
        "xg/dq/party/meeting.md",
        "见[村规民约]",
        "见[长寿村的村规民约](../../cs/affairs/compact.md)和[村规民约]",
    )
    (content / "xg/dq/notes.txt").write_text("a clerk's note", encoding="utf-8")  # its loading warns: stray-file
    scan = content / "xg/cs/scans/2026-09/1/02.jpg"  # a scan that is a link to a file in another village
    scan.unlink()
    scan.symlink_to("../../../../dq/files/basis.jpg")
    shutil.copytree(content / "xg", content / "hs")
    for path in (content / "hs").rglob("*"):
        if path.suffix in (".md", ".yaml", ".csv"):  # its name, and its departments' names (reviewers.py)
            path.write_text(path.read_text(encoding="utf-8").replace("夏港街道", "申港街道"), encoding="utf-8")
    return content


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """An image cache a build has made (its `.index/`): where check keeps what it validates."""
    folder = tmp_path / "cache"
    (folder / ".index").mkdir(parents=True)
    return folder


@pytest.fixture
def warm(towns: Path, cache: Path) -> Path:
    """The cache after one check of `towns`: every village validated and kept."""
    run(towns, cache)
    return cache


def run(
    content: Path, cache: Path | None, probes: Probes | None = None, work: Path | None = None
) -> tuple[City | None, Report]:
    """One check, with the image decode check remembered in `work` (default: beside the content) (the decode is
    not what is tested here)."""
    checked = Checked((work or content.parent) / "facts.sqlite", assets.CHECK, create=True)
    found = check(content, checked, probes=probes, cache=cache)
    checked.save()
    return found


def same(a: tuple[City | None, Report], b: tuple[City | None, Report]) -> None:
    assert a[1].problems == b[1].problems  # in order, with their places and severities
    assert canonical(a[0]) == canonical(b[0])


def test_restored_city_equals_a_fresh_validation(towns, cache, monkeypatch):
    counted = Counted(monkeypatch)
    fresh = run(towns, None)
    assert fresh[0] is not None and not fresh[1].errors
    assert {"stray-file", "basis-missing"} <= {p.code for p in fresh[1].warnings}  # from load, from validate
    written: list[Path] = []
    write = memo_module.VillageMemo._write
    monkeypatch.setattr(memo_module.VillageMemo, "_write", lambda m, f, *a: written.append(f) or write(m, f, *a))
    first = run(towns, cache)
    assert counted.validated == counted.loaded == VILLAGES
    assert len(list((cache / ".index/villages").glob("*.pickle"))) == 4
    assert len(written) == len(set(written)) == 4  # each village pickled once, with oversight's findings
    counted.clear()
    parsed: list[str] = []
    real = city_module.body_links
    monkeypatch.setattr(city_module, "body_links", lambda body: parsed.append(body) or real(body))
    again = run(towns, cache)
    assert counted.validated == counted.loaded == set()  # nothing read nor validated again
    city = again[0]
    assert city is not None  # only the city's and towns' items' bodies are parsed for links
    assert len(parsed) == len(city.items) + sum(len(t.items) for t in city.towns)
    same(fresh, first)
    same(fresh, again)


def test_sample_restored_equals_fresh(tmp_path, cache, monkeypatch):
    """The sample city (finance tables, reviews, acknowledgements, payment warnings, hotline questions)."""
    counted = Counted(monkeypatch)
    content = tmp_path / "content"  # a copy: the sample's own files may be hard-linked meanwhile (test_make_city)
    shutil.copytree(REPO / "content", content)
    probes = Probes(None, assets.PROBE)
    fresh = run(content, None, probes, tmp_path)
    run(content, cache, probes, tmp_path)
    counted.clear()
    again = run(content, cache, probes, tmp_path)
    assert fresh[0] is not None and len(fresh[0].villages) > 1
    assert counted.validated == counted.loaded == set()
    same(fresh, again)


def _voucher_row(root: Path, town: str) -> None:
    edit(root, f"{town}/cs/journal/2026-09.csv", "付保洁员八月工资", "付保洁员八月工资（补）")


def _add_scan(root: Path) -> None:
    shutil.copy(root / "xg/cs/scans/2026-09/2/01.jpg", root / "xg/cs/scans/2026-09/2/02.jpg")


def _touch(root: Path) -> None:
    path = root / "xg/cs/village.yaml"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


def _append(root: Path, rel: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as f:
        f.write("\n又及。\n")


def _rewrite(root: Path, rel: str) -> None:
    path = root / rel
    path.write_bytes(path.read_bytes())  # the same bytes: a new ctime, as any rewrite


EDITS: list[tuple[str, Callable[[Path], object], set[str]]] = [
    ("nothing", lambda root: None, set()),
    ("voucher row", lambda root: _voucher_row(root, "xg"), {"xg/cs"}),
    ("voucher row, other town", lambda root: _voucher_row(root, "hs"), {"hs/cs"}),
    ("scan added", _add_scan, {"xg/cs"}),
    ("scan removed", lambda root: (root / "xg/cs/scans/2026-09/1/02.jpg").unlink(), {"xg/cs"}),
    ("village.yaml touched", _touch, {"xg/cs"}),
    ("reviews.yaml edited", lambda root: edit(root, "xg/dq/reviews.yaml", "张永刚", "张永强"), {"xg/dq"}),
    ("site.yaml edited", lambda root: edit(root, "site.yaml", "三务公开户户通", "三务公开"), VILLAGES),
    ("town.yaml edited", lambda root: edit(root, "xg/town.yaml", "夏港街道", "夏港镇"), {"xg/cs", "xg/dq"}),
    # xg/dq shows xg/cs's basis.jpg: both read it
    ("an image another village shows", lambda root: _rewrite(root, "xg/cs/files/basis.jpg"), {"xg/cs", "xg/dq"}),
    ("an image another village shows gone", lambda root: (root / "xg/cs/files/basis.jpg").unlink(), {"xg/cs", "xg/dq"}),
    # xg/cs's linked scan leads to xg/dq's basis.jpg
    ("a linked scan's target rewritten", lambda root: _rewrite(root, "xg/dq/files/basis.jpg"), {"xg/cs", "xg/dq"}),
    ("town item edited", lambda root: _append(root, "xg/rules/town-rule.md"), set()),
    ("city item edited", lambda root: _append(root, "policies/law.md"), set()),
    # cross-village checks run over the restored villages too: dq's link to it is now broken
    ("linked item deleted", lambda root: (root / "xg/cs/affairs/compact.md").unlink(), {"xg/cs"}),
    ("village name taken", lambda root: edit(root, "xg/cs/village.yaml", "长寿村", "大桥村"), {"xg/cs"}),
    ("village deleted", lambda root: shutil.rmtree(root / "hs/dq"), set()),
]


@pytest.mark.parametrize(("change", "expected"), [(e[1], e[2]) for e in EDITS], ids=[e[0] for e in EDITS])
def test_an_edit_revalidates_exactly_what_it_can_affect(towns, warm, monkeypatch, change, expected):
    counted = Counted(monkeypatch)
    change(towns)
    after = run(towns, warm)
    assert counted.validated == counted.loaded == expected
    same(run(towns, None), after)  # what a fresh validation of the edited content says


def _new_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-30")  # a date far ahead is an error until it is not


def _new_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "FORMAT", memo_module.FORMAT + 1)


def _new_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reuse, "renderer", lambda: "another sitegen")


@pytest.mark.parametrize("change", [_new_day, _new_format, _new_code], ids=["day", "format", "code"])
def test_everything_is_validated_again(towns, warm, monkeypatch, change):
    counted = Counted(monkeypatch)
    change(monkeypatch)
    run(towns, warm)
    assert counted.validated == VILLAGES


def test_cross_village_checks_run_over_restored_villages(towns, warm):
    (towns / "xg/cs/affairs/compact.md").unlink()
    edit(towns, "hs/cs/village.yaml", "长寿村", "大桥村")
    _, report = run(towns, warm)
    found = {(p.code, p.where.path) for p in report.errors}
    assert ("link-target", "content/xg/dq/party/meeting.md") in found  # xg/dq restored, its link checked
    assert ("duplicate-name", "content/hs/dq/village.yaml") in found  # hs/dq restored, names still compared


def test_a_village_with_errors_is_validated_every_time(towns, cache, monkeypatch):
    """Only villages without errors are kept: an error may not last (an unreadable file, a decoder that hung)."""
    edit(towns, "xg/cs/journal/2026-09.csv", ",,2500.50,王五,0", ",,2500.00,王五,0")
    run(towns, cache)
    counted = Counted(monkeypatch)
    _, report = run(towns, cache)
    assert counted.validated == {"xg/cs"}
    assert "voucher-unbalanced" in [p.code for p in report.errors]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_entry_is_validated_afresh(towns, cache, monkeypatch, damage):
    fresh = run(towns, cache)
    for entry in (cache / ".index/villages").iterdir():
        data = entry.read_bytes()
        entry.write_bytes({"garbage": b"\x80\x05garbage", "truncated": data[: len(data) // 2], "empty": b""}[damage])
    counted = Counted(monkeypatch)
    same(fresh, run(towns, cache))
    assert counted.validated == VILLAGES


@pytest.mark.parametrize("change", ["damaged", "another run's"])
def test_an_entry_changed_before_its_village_s_turn_holds_that_village(towns, tmp_path, monkeypatch, change):
    """Load reads a remembered village's front alone; the village is unpickled in its turn. When its entry changed
    in between (another check or build of the same cache wrote it), its records were never read: it is an error
    in its folder (the village held, its last pages kept), never a village validated from nothing."""
    out = tmp_path / "out"
    pipeline.build(towns, out)
    before = snapshot(out / "tv" / "xg" / "cs")
    real = memo_module.VillageMemo.restore

    def restore(self, raw):
        if raw.path.name == "cs" and raw.path.parent.name == "xg":
            entry = self._file(raw.path)
            data = entry.read_bytes()
            entry.write_bytes(data[:-10] if change == "damaged" else data[:-1] + bytes([data[-1] ^ 1]))
        return real(self, raw)

    monkeypatch.setattr(memo_module.VillageMemo, "restore", restore)
    _voucher_row(towns, "hs")  # another village changed: xg/cs is remembered
    result = pipeline.build(towns, out, hold_back=True)
    # (xg/dq links into xg/cs, whose items were not read this run: held too, its links unresolved)
    assert list(result.held) == ["xg/cs", "xg/dq"]
    assert [(p.code, p.where.path) for p in result.held["xg/cs"]] == [("village-changed", "content/xg/cs/village.yaml")]
    assert {p.code for p in result.held["xg/dq"]} == {"link-target"}
    assert snapshot(out / "tv" / "xg" / "cs") == before


def test_entries_of_villages_gone_are_removed(towns, warm):
    """And the temporary files of runs killed half way, but never a live run's entry on its way in (a check beside
    a build: the build's entry, its write failed, would have been removed by its own run as not kept)."""
    shutil.rmtree(towns / "hs/dq")
    folder = warm / ".index/villages"
    gone = subprocess.Popen(["true"])
    gone.wait()  # (its pid: a process that has ended)
    live, dead = folder / f"x.pickle.tmp-{os.getppid()}", folder / f"x.pickle.tmp-{gone.pid}"
    for half in (live, dead):
        half.write_bytes(b"half")
    run(towns, warm)
    assert len(list(folder.glob("*.pickle"))) == 3
    assert len(list(folder.glob("*.images"))) == 3  # (decode checks passed, below)
    assert live.exists() and not dead.exists()


def test_check_without_a_build_cache_keeps_nothing(towns, tmp_path):
    """`sitegen check` makes no folder of its own: without a build's cache nothing is kept (and all is read)."""
    cache = tmp_path / "cache"
    run(towns, cache)
    assert not cache.exists()


def test_restored_villages_keep_their_image_headers(towns, tmp_path, cache):
    """A restored village probes nothing, yet its headers are kept for the run after its next change; a run keeps
    the list of what was probed for the village in hand alone."""
    first = Probes(tmp_path / "facts.sqlite", assets.PROBE, create=True)
    asked: list[str] = []  # every file the first run probed (Probes.asked holds the village in hand's alone)
    header = first.header
    first.header = lambda source, facts: asked.append(str(source)) or header(source, facts)  # type: ignore[method-assign]
    run(towns, cache, first)
    first.save()
    # the run holds the last village's probes alone, not every scan of the city (issue 14: memory at any size)
    assert len({a.split("/scans/")[0] for a in asked if "/scans/" in a}) > 1
    assert len({a.split("/scans/")[0] for a in first.asked if "/scans/" in a}) == 1
    second = Probes(tmp_path / "facts.sqlite", assets.PROBE, create=True)
    run(towns, cache, second)
    second.save()
    assert [a for a in asked if "/scans/" in a] and not [a for a in second.asked if "/scans/" in a]  # restored
    third = Probes(tmp_path / "facts.sqlite", assets.PROBE)
    assert all(third.header(path, stat_facts(path)) is not None for path in asked)


def test_shared_objects_of_the_model_are_constants(towns):
    """What two villages' models (or a village's and the rest of the city's) share can only be a constant the memo
    gives back by name (boards, categories, accounts): anything else would be split in two by a restore."""
    city, _ = run(towns, None)
    assert city is not None
    constants = {id(obj) for obj in memo_module._constants().values()}

    def reached(root: object) -> set[int]:
        seen: dict[int, object] = {}
        todo = [root]
        while todo:
            o = todo.pop()
            if isinstance(o, (str, int, float, Decimal, date, Path, bytes, tuple)) or o is None or id(o) in seen:
                if isinstance(o, tuple):
                    todo.extend(o)
                continue
            seen[id(o)] = o
            if dataclasses.is_dataclass(o):
                todo.extend(getattr(o, f.name) for f in dataclasses.fields(o))
            elif isinstance(o, dict):
                todo.extend(x for k, v in o.items() for x in (k, v))
            elif isinstance(o, (list, set, frozenset)):
                todo.extend(o)
        return set(seen)

    villages = [reached(v) for v in city.villages]
    for n, mine in enumerate(villages):
        for other in villages[n + 1 :]:
            assert mine & other <= constants
    assert any(v & constants for v in villages)  # (the walk does reach them)


def test_check_and_build_after_one_change_validate_that_village_only(towns, tmp_path, monkeypatch):
    """`sitegen check -o out` uses the build's cache (rehearse: default_cache), and what it validated the next
    build restores (the keys check takes itself equal those from the build's one walk of the content); the
    output is byte for byte a cold build's."""
    shutil.rmtree(towns / "hs")
    out = tmp_path / "out"
    pipeline.build(towns, out)
    counted = Counted(monkeypatch)
    _voucher_row(towns, "xg")
    _, report = pipeline.rehearse(towns, out)
    assert counted.validated == counted.loaded == {"xg/cs"} and not report.errors
    counted.clear()
    walked: list[Path] = []
    real = memo_module.tree_facts
    monkeypatch.setattr(memo_module, "tree_facts", lambda folder, **k: walked.append(folder) or real(folder, **k))
    result = pipeline.build(towns, out)
    assert counted.validated == set() and not result.report.errors
    assert walked == []  # the villages' facts came with the build's content_state, from one walk
    cold = tmp_path / "cold"
    pipeline.build(towns, cold)
    assert snapshot(out) == snapshot(cold)


# ---- the decode check after one change (build/pipeline._check_images, h30) -----------------------------------


class Decoded:
    """The image files a run gave the decode check (assets.check_images), and the villages whose scans they are."""

    def __init__(self, content: Path, monkeypatch: pytest.MonkeyPatch):
        self.content, self.sources = content, set[Path]()
        real = assets.check_images

        def checking(images, report, checked, workers=None, facts=None):
            self.sources |= {img.source for img in images}
            return real(images, report, checked, workers, facts)

        monkeypatch.setattr(assets, "check_images", checking)

    def villages(self) -> set[str]:
        return {
            "/".join(p.relative_to(self.content).parts[:2])
            for p in self.sources
            if "scans" in p.relative_to(self.content).parts
        }


def _replace_scan(root: Path) -> None:
    """A clerk scans a page again: another picture under the same name."""
    shutil.copy(root / "xg/cs/files/basis.jpg", root / "xg/cs/scans/2026-09/2/01.jpg")


# edit -> the villages whose scans are decode-checked again (restored villages whose images passed are not)
CHECKS: list[tuple[str, Callable[[Path], object], set[str]]] = [
    ("nothing", lambda root: None, set()),
    ("voucher row", lambda root: _voucher_row(root, "xg"), {"xg/cs"}),
    ("scan replaced", _replace_scan, {"xg/cs"}),
    ("scan added", _add_scan, {"xg/cs"}),
    ("reviews.yaml edited", lambda root: edit(root, "xg/dq/reviews.yaml", "张永刚", "张永强"), {"xg/dq"}),
    ("a linked scan's target rewritten", lambda root: _rewrite(root, "xg/dq/files/basis.jpg"), {"xg/cs", "xg/dq"}),
    ("town.yaml edited", lambda root: edit(root, "xg/town.yaml", "夏港街道", "夏港镇"), {"xg/cs", "xg/dq"}),
    ("site.yaml edited", lambda root: edit(root, "site.yaml", "三务公开户户通", "三务公开"), VILLAGES),
    ("city item edited", lambda root: _append(root, "policies/law.md"), set()),
]


@pytest.mark.parametrize(("change", "expected"), [(e[1], e[2]) for e in CHECKS], ids=[e[0] for e in CHECKS])
def test_an_edit_decode_checks_the_images_of_what_changed(towns, warm, monkeypatch, change, expected):
    decoded = Decoded(towns, monkeypatch)
    change(towns)
    after = run(towns, warm)
    assert decoded.villages() == expected
    # what the city and the towns publish is always checked (the city's law shows xg/cs's basis.jpg)
    assert towns / "xg/cs/files/basis.jpg" in decoded.sources
    same(run(towns, None), after)


def test_an_image_a_changed_village_shares_is_checked(towns, warm, monkeypatch):
    """xg/dq's meeting shows xg/cs's basis.jpg: xg/dq changed, xg/cs restored; the file is checked (for xg/dq)."""
    (towns / "policies/law.md").write_text(
        (towns / "policies/law.md").read_text(encoding="utf-8").replace("images: [../xg/cs/files/basis.jpg]\n", ""),
        encoding="utf-8",
    )
    run(towns, warm)  # the city no longer shows it
    decoded = Decoded(towns, monkeypatch)
    edit(towns, "xg/dq/reviews.yaml", "张永刚", "张永强")
    run(towns, warm)
    assert towns / "xg/cs/files/basis.jpg" in decoded.sources
    assert decoded.villages() == {"xg/dq"}


@pytest.mark.parametrize("change", [_new_day, _new_code], ids=["day", "code"])
def test_every_image_is_checked_again(towns, warm, monkeypatch, change):
    decoded = Decoded(towns, monkeypatch)
    change(monkeypatch)
    run(towns, warm)
    assert decoded.villages() == VILLAGES


def test_a_failed_decode_check_is_never_remembered(towns, cache, tmp_path, monkeypatch):
    """A scan whose header reads but whose data is cut short: validation keeps the village (no error of its own),
    the decode check fails; the next run, nothing changed, restores the village and checks that scan again."""
    scan = towns / "hs/dq/scans/2026-09/2/01.jpg"
    data = scan.read_bytes()
    scan.write_bytes(data[: len(data) // 2])
    for n in range(3):
        decoded = Decoded(towns, monkeypatch)
        _, report = run(towns, cache)
        assert [(p.code, p.where.path) for p in report.errors] == [
            ("image-bad", "content/hs/dq/scans/2026-09/2/01.jpg")
        ]
        assert decoded.villages() == (VILLAGES if n == 0 else {"hs/dq"})
    shutil.copy(towns / "hs/cs/scans/2026-09/2/01.jpg", scan)  # scanned again
    _, report = run(towns, cache)
    assert not report.errors
    decoded = Decoded(towns, monkeypatch)
    assert not run(towns, cache)[1].errors and decoded.villages() == set()  # now remembered


def test_a_scan_gone_bad_behind_a_restored_village_is_found(towns, warm, monkeypatch):
    """Cut short in place with its stat facts restored would be a forgery; any real rewrite changes the village's
    key (size, mtime, ctime), so the village is validated and its scans checked again."""
    scan = towns / "xg/cs/scans/2026-09/3/01.jpg"
    data = scan.read_bytes()
    scan.write_bytes(data[: len(data) // 2])
    _, report = run(towns, warm)
    assert ("image-bad", "content/xg/cs/scans/2026-09/3/01.jpg") in [(p.code, p.where.path) for p in report.errors]


def _hotline(root: Path) -> None:
    path = root / "feedback/12345-2026.csv"
    second = path.read_text(encoding="utf-8").splitlines()[2].split(",")
    second[:2] = ["12345-20260902-0001", "2026-09-02"]
    with path.open("a", encoding="utf-8") as f:
        f.write(",".join(second) + "\n")


def test_oversight_inputs_outside_the_villages_reach_restored_villages(tmp_path, monkeypatch):
    """Registries and hotline records are no village's: editing them validates no village again, yet the payment
    warnings and questions of the restored villages are what a fresh validation finds (oversight runs on the
    whole restored model), and no restored village's scans are decode-checked again."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    cache = tmp_path / "cache"
    (cache / ".index").mkdir(parents=True)
    probes = Probes(None, assets.PROBE)
    city, _ = run(content, cache, probes, tmp_path)
    assert city is not None
    payee = next(
        ln.counterparty for v in city.villages for w in v.warnings for ln in w.voucher.lines if ln.counterparty
    )
    counted, decoded = Counted(monkeypatch), Decoded(content, monkeypatch)
    with (content / "registries/失信人员名单.csv").open("a", encoding="utf-8") as f:
        f.write(f"{payee},,2020-01-01,测试\n")
    _hotline(content)
    after = run(content, cache, probes, tmp_path)
    assert counted.validated == set() and decoded.villages() == set()
    assert after[0] is not None
    assert any(w.rule == "dishonest" and payee in w.payee for v in after[0].villages for w in v.warnings)
    assert len(after[0].questions) == len(city.questions) + 1
    same(run(content, None, probes, tmp_path), after)


# ---- oversight's findings after one change (oversight/supervise.py, attach.py, h33) ----------------------------


class Overseen:
    """The villages ("town/village") whose payment rules a run went through, and the vouchers attach copied."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.ruled: set[str] = set()
        self.copied: set[str] = set()  # "town/village" of each voucher attach copied
        real_rules, real_replace = supervise_module.payment_warnings, attach_module.replace

        def ruling(village, registries, config):
            self.ruled.add(f"{village.town_slug}/{village.slug}")
            return real_rules(village, registries, config)

        def copying(obj, **changes):
            if isinstance(obj, Voucher):
                self.copied.add("/".join(obj.where.path.split("/")[1:3]))
            return real_replace(obj, **changes)

        monkeypatch.setattr(supervise_module, "payment_warnings", ruling)
        monkeypatch.setattr(attach_module, "replace", copying)

    def clear(self) -> None:
        self.ruled.clear()
        self.copied.clear()


def _registry(root: Path, name: str = "王五") -> None:
    """A dishonest-persons list naming the payee of every village's voucher 记-2 (a warning in each)."""
    path = root / "registries/失信人员名单.csv"
    path.parent.mkdir(exist_ok=True)
    rows = path.read_text(encoding="utf-8") if path.exists() else "姓名,身份证号,列入日期,说明\n"
    path.write_text(rows + f"{name},,2020-01-01,测试\n", encoding="utf-8")


def _acknowledge(root: Path, village: str = "xg/dq", rule: str = "审批不全") -> None:
    (root / village / "acknowledgements.yaml").write_text(
        f"- voucher: 2026-09 记-2\n  rule: {rule}\n  by: 夏港街道农经站\n  date: 2026-09-20\n  explanation: 已补办手续。\n",
        encoding="utf-8",
    )


# edit -> the villages whose payment rules run again (the others' findings come back with them)
FINDINGS: list[tuple[str, Callable[[Path], object], set[str]]] = [
    ("nothing", lambda root: None, set()),
    ("voucher row", lambda root: _voucher_row(root, "xg"), {"xg/cs"}),
    ("another village's voucher row", lambda root: _voucher_row(root, "hs"), {"hs/cs"}),
    ("registry entry added", lambda root: _registry(root, "赵六"), VILLAGES),
    (
        "registry entry's date changed",
        lambda root: edit(root, "registries/失信人员名单.csv", "2020-01-01", "2026-12-01"),
        VILLAGES,
    ),
    ("registry rewritten, same entries", lambda root: _rewrite(root, "registries/失信人员名单.csv"), set()),
    ("acknowledgement added", _acknowledge, {"xg/dq"}),
    ("acknowledgement of a rule not hit", lambda root: _acknowledge(root, rule="大额支付"), {"xg/dq"}),
    ("site.yaml edited", lambda root: edit(root, "site.yaml", "三务公开户户通", "三务公开"), VILLAGES),
    ("thresholds edited", lambda root: _threshold(root), VILLAGES),
    ("town.yaml edited", lambda root: _comment(root, "xg/town.yaml"), {"xg/cs", "xg/dq"}),
    ("reviews.yaml edited", lambda root: edit(root, "xg/dq/reviews.yaml", "张永刚", "张永强"), {"xg/dq"}),
    ("hotline record added", lambda root: _hotline_mini(root, "hs/dq"), set()),
]


def _comment(root: Path, rel: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as f:
        f.write("# 改过\n")


def _threshold(root: Path) -> None:
    """A large payment is now over 1,000 元: 记-2 warns in every village."""
    with (root / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("oversight:\n  large_payment: 1000\n")


def _hotline_mini(root: Path, village: str) -> None:
    """A hotline record about voucher 记-2 of `village` (its reference code as the pages show it)."""
    town, name = village.split("/")
    code = refcode.voucher_code(town, name, Voucher("2026-09", 2, "记-2", date(2026, 9, 10), 0, []))
    folder = root / "feedback"
    folder.mkdir(exist_ok=True)
    (folder / "12345.csv").write_text(
        f"工单号,日期,查询码,问题,承办部门,答复,状态,答复日期\nT-1,2026-09-20,{code},这笔钱付给谁了？,农经站,,,\n",
        encoding="utf-8",
    )


@pytest.fixture
def overseen(towns: Path, cache: Path) -> Path:
    """`towns` with a registry entry (a dishonest-list warning in every village) after one check: kept."""
    _registry(towns)
    city, _ = run(towns, cache)
    assert city is not None and all(any(w.rule == "dishonest" for w in v.warnings) for v in city.villages)
    return cache


@pytest.mark.parametrize(("name", "change", "expected"), FINDINGS, ids=[e[0] for e in FINDINGS])
def test_an_edit_runs_the_payment_rules_of_what_it_can_affect(towns, overseen, monkeypatch, name, change, expected):
    watch = Overseen(monkeypatch)
    change(towns)
    after = run(towns, overseen)
    assert watch.ruled == expected
    # attach copies vouchers of no village whose findings came back (but the one a hotline record is about)
    assert watch.copied <= expected | ({"hs/dq"} if name.startswith("hotline") else set())
    fresh = run(towns, None)
    same(fresh, after)  # the findings, their problems and the model restored equal a fresh run's
    watch.clear()
    same(fresh, run(towns, overseen))  # and once more, all restored
    assert watch.ruled == set()


def test_the_day_runs_every_village_s_rules_again(towns, overseen, monkeypatch):
    watch = Overseen(monkeypatch)
    _new_day(monkeypatch)
    after = run(towns, overseen)
    assert watch.ruled == VILLAGES
    same(run(towns, None), after)
    watch.clear()
    run(towns, overseen)
    assert watch.ruled == set()  # kept with the new day


def test_findings_with_an_error_are_made_again_every_run(towns, cache, monkeypatch):
    """An acknowledgement naming no rule is an error: that village's findings are not kept (an error may not last,
    as a village with errors is validated every time); the others' are."""
    _acknowledge(towns, "hs/cs", rule="没有这条规则")
    written: list[Path] = []
    write = memo_module.VillageMemo._write
    monkeypatch.setattr(memo_module.VillageMemo, "_write", lambda m, f, *a: written.append(f) or write(m, f, *a))
    run(towns, cache)
    assert len(written) == len(set(written)) == 4  # hs/cs too: as validated, its findings left out
    written.clear()
    watch = Overseen(monkeypatch)
    for _ in range(2):
        _, report = run(towns, cache)
        assert watch.ruled == {"hs/cs"}
        assert [p.code for p in report.errors] == ["ack-rule"]
        watch.clear()


def test_a_restored_village_s_hotline_question_is_attached_afresh(towns, overseen, monkeypatch):
    """Questions are read every run: a restored village's voucher gets a new one without its rules running, and
    the question gone, the village is as before."""
    watch = Overseen(monkeypatch)
    _hotline_mini(towns, "hs/dq")
    city, _ = run(towns, overseen)
    assert city is not None and watch.ruled == set()
    village = next(v for v in city.villages if v.town_slug == "hs" and v.slug == "dq")
    assert [q.ticket for q in village.questions] == ["T-1"]
    assert [q.ticket for v in village.vouchers for q in v.questions] == ["T-1"]
    shutil.rmtree(towns / "feedback")
    after = run(towns, overseen)
    assert watch.ruled == set()
    same(run(towns, None), after)


# ---- restored villages out of the garbage collector's full passes (memo.holding, h40) --------------------------


def test_a_run_keeps_what_it_checked_out_of_full_collections_until_it_ends(towns, tmp_path, monkeypatch):
    """What a build holds for the whole run once checked (the city's part, the villages' listings) is frozen
    (gc.freeze), so the full collections of the plan, images and render steps do not walk it; a village restored
    in its turn (from the memo in the check, from the run's store in the round) is not: it is dropped after its
    turn, and a frozen cycle (a warning names its voucher, which lists it) would outlive it to the end of the run.
    When the build (or `sitegen check`'s rehearsal) ends, everything is given back (gc.unfreeze): nothing stays
    frozen in a process that builds again (sitegen serve). What the process held before the run (its modules,
    a long-lived caller's objects: `before_run`) is out of the run's collections from its start (h52)."""
    out = tmp_path / "out"
    seen: list[tuple[int, bool]] = []  # (objects frozen, the village in its turn among those a collection walks)
    during: list[tuple[int, int, int]] = []  # the collector's thresholds then: full passes rarer (memo.FULL_EVERY)
    before = gc.get_threshold()
    real = pipeline.CheckedCity.publish
    before_run, walked = [out], []  # (a list: one the collector tracks); at each run's start, whether it is walked
    real_load = pipeline.load

    def loading(*args, **kwargs):
        walked.append(any(o is before_run for o in gc.get_objects()))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load", loading)

    def publishing(self: pipeline.CheckedCity, key: str, preview: bool) -> Village:
        village = real(self, key, preview)
        if key == "xg/cs":  # (changed each time: made again)
            seen.append((gc.get_freeze_count(), any(o is village for o in gc.get_objects())))
            during.append(gc.get_threshold())
        return village

    monkeypatch.setattr(pipeline.CheckedCity, "publish", publishing)
    pipeline.build(towns, out)
    assert seen[-1][0] > 0 and seen[-1][1] and gc.get_freeze_count() == 0
    _voucher_row(towns, "xg")
    pipeline.rehearse(towns, out)  # sitegen check: restores three villages, validates one
    assert seen[-1][0] > 0 and seen[-1][1] and gc.get_freeze_count() == 0
    _voucher_row(towns, "xg")
    pipeline.build(towns, out)
    assert len(seen) == 3 and seen[-1][0] > 0 and seen[-1][1] and gc.get_freeze_count() == 0
    check(towns, cache=default_cache(out))  # check alone, as `sitegen check` without an output
    assert gc.get_freeze_count() == 0
    assert len(walked) >= 4 and not any(walked) and any(o is before_run for o in gc.get_objects())
    assert during == [(*before[:2], max(before[2], memo_module.FULL_EVERY))] * 3 and gc.get_threshold() == before
    cold = tmp_path / "cold"
    pipeline.build(towns, cold)
    assert snapshot(out) == snapshot(cold)


class _Node:
    """A cycle (it names itself), for the collector."""


def test_garbage_from_before_a_run_does_not_outlive_the_runs(towns, monkeypatch):
    """A cycle that was garbage when a run started is frozen with everything the process held (h52), so no
    collection of the run sees it; the outermost run's end collects in full once what the process held grew by a
    quarter since that end last did (in a fresh process: at its first run's end), so repeated runs in one process
    (sitegen serve) keep no more garbage than that. The collector's own passes are paused here: only the runs'."""
    monkeypatch.setattr(memo_module, "_KEPT", [0])  # as in a fresh process
    enabled = gc.isenabled()
    gc.disable()
    try:
        node = _Node()
        node.me = node  # type: ignore[attr-defined]
        gone = weakref.ref(node)
        del node  # garbage now, only a collection frees it
        assert gone() is not None
        city, _ = check(towns)
        assert city is not None and gone() is None and memo_module._KEPT[0] > 0
    finally:
        if enabled:
            gc.enable()


@pytest.mark.skipif(not memo_module._PARSED, reason="this Python's pathlib cannot make a path from its parts")
def test_a_restored_villages_paths_are_not_parsed_again(towns, monkeypatch):
    """A seed-scale village holds ~1,300 paths (each scan's source): the memo keeps each as pathlib parsed it, so
    restoring the village parses none of them again (it was a third of its unpickling), and gives the same paths."""
    city, _ = run(towns, None)
    assert city is not None
    village = city.villages[0]
    data = memo_module.pickled(village)

    def parse(cls: type, args: object) -> None:
        raise AssertionError(f"parsed again: {args!r}")

    monkeypatch.setattr(pathlib.PurePath, "_parse_args", classmethod(parse))
    again = memo_module.unpickled(data)
    monkeypatch.undo()
    assert isinstance(again, Village) and canonical(again) == canonical(village)
    sources = [i.source for v in again.vouchers for i in v.scans]
    assert sources and all(type(p) is PosixPath and str(p) == str(PosixPath(str(p))) for p in sources)


@pytest.mark.parametrize("change", ["nothing", "the paths it names"])
def test_a_village_let_go_is_restored_only_while_its_entry_s_head_is_the_same(towns, warm, tmp_path, change):
    """Once the check has gone through a village the memo keeps a digest of its entry's head, not the paths it
    names (issue 14): restored later from that entry (the build's round), it is still refused when another run
    rewrote the head since load read it, as when the whole head was kept."""
    checked = Checked(tmp_path / "facts.sqlite", assets.CHECK, create=True)
    stored, report = pipeline.check_stored(towns, checked, cache=warm)
    assert stored is not None and not report.errors
    try:
        memo_files = sorted((warm / ".index/villages").glob("*.pickle"))
        assert memo_files
        if change != "nothing":
            for path in memo_files:
                with path.open("rb") as f:
                    head = pickle.load(f)
                    body = f.read()
                buffer = io.BytesIO()
                pickle.dump((*head[:2], [*head[2], ("/elsewhere", "0")], head[3]), buffer)
                path.write_bytes(buffer.getvalue() + body)
        for listing in stored.listed:
            if change == "nothing":
                assert stored.village(listing.key).slug == listing.slug
            else:
                with pytest.raises(OSError, match="changed during the run"):
                    stored.village(listing.key)
    finally:
        stored.close()
