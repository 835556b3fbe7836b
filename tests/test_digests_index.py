"""digests.py: the stat-fact indexes (Digests, Checked, Probes) in one SQLite file, looked up a file at a time,
written in batches (a killed first import keeps what it finished), swept of rows that can never match again,
never fatal when damaged or locked, never made by `sitegen check`."""

from __future__ import annotations

import builtins
import json
import os
import shutil
import sqlite3
import tracemalloc
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sitegen.build import pipeline
from sitegen.build.pipeline import build
from sitegen.cli.main import cli
from sitegen.content.files import sha256_file
from sitegen.images import digests
from sitegen.images import renditions as assets
from sitegen.images.digests import Checked, Digests, Probes, facts_file, stat_facts
from tests.checked import check
from tests.conftest import FIXTURES, snapshot
from tests.deploykit import kill, paused

V = "v1"
HEADER = ["JPEG", [[600, 800]], False]
SCANS = 6  # the published images of tests/fixtures/mini (five scans and a basis scan)


def rows(db: Path, table: str) -> list[str]:
    """The paths `table` holds in the database `db`, read as another process would."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return sorted(os.fsdecode(p) for (p,) in conn.execute(f"SELECT path FROM {table}"))


class Decodes:
    """Counts what validation decodes (check_images' jobs), probes (headers read) and hashes (Digests)."""

    def __init__(self, monkeypatch):
        self.decoded: list[str] = []
        self.probed: list[str] = []
        self.hashed: list[str] = []
        decode_all, probe, sha = assets._decode_all, assets.probe, digests.sha256_file

        def counted_decode_all(sources, *a):
            self.decoded.extend(sources)
            return decode_all(sources, *a)

        monkeypatch.setattr(assets, "_decode_all", counted_decode_all)
        monkeypatch.setattr(assets, "probe", lambda path: self.probed.append(str(path)) or probe(path))
        monkeypatch.setattr(digests, "sha256_file", lambda src: self.hashed.append(str(src)) or sha(src))

    def clear(self) -> None:
        self.decoded.clear()
        self.probed.clear()
        self.hashed.clear()


# ---- each index: an entry is used only while its file's stat facts match ----------------------------------------


def _remember(kind: str, db: Path, f: Path) -> None:
    if kind == "digests":
        Digests(db, create=True).get(f)  # written when the object goes (the finalizer), as in `sitegen check`
    elif kind == "checked":
        index = Checked(db, V, create=True)
        index.passed(f, stat_facts(f))
        index.save()
    else:
        probes = Probes(db, V, create=True)
        probes.read(f, stat_facts(f), HEADER)
        probes.save()


def _known(kind: str, db: Path, f: Path, monkeypatch) -> bool:
    if kind == "digests":
        hashed: list[str] = []
        monkeypatch.setattr(digests, "sha256_file", lambda src: hashed.append(src) or sha256_file(src))
        assert Digests(db).get(f) == sha256_file(f)
        return not hashed
    if kind == "checked":
        return Checked(db, V).passed_before(f, stat_facts(f))
    found = Probes(db, V).header(f, stat_facts(f))
    assert found in (None, HEADER)
    return found == HEADER


def _same_bytes_mtime_kept(f: Path) -> None:
    st = f.stat()
    f.write_bytes(f.read_bytes())  # only ctime tells
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))


def _replaced(f: Path) -> None:
    st = f.stat()
    f.with_suffix(".new").write_bytes(f.read_bytes())
    os.replace(f.with_suffix(".new"), f)  # another inode
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))


CHANGES = {
    "unchanged": (lambda f: None, True),
    "rewritten, same bytes and mtime": (_same_bytes_mtime_kept, False),
    "replaced by a copy (rename)": (_replaced, False),
    "appended to": (lambda f: f.open("ab").write(b"x"), False),
    "touched": (lambda f: os.utime(f, ns=(1, 1)), False),
}


@pytest.mark.parametrize("kind", ["digests", "checked", "probes"])
@pytest.mark.parametrize("change", CHANGES)
def test_an_entry_is_used_only_while_its_files_stat_facts_match(tmp_path, monkeypatch, kind, change):
    f, db = tmp_path / "scan.jpg", tmp_path / ".index" / digests.FILE
    f.write_bytes(b"\xff\xd8 a scan")
    _remember(kind, db, f)
    edit, kept = CHANGES[change]
    edit(f)
    assert _known(kind, db, f, monkeypatch) == kept


@pytest.mark.parametrize("index", [Checked, Probes])
def test_entries_of_another_version_are_never_used_and_the_build_drops_them(tmp_path, index):
    f, db = tmp_path / "scan.jpg", tmp_path / digests.FILE
    f.write_bytes(b"scan")
    _remember("checked" if index is Checked else "probes", db, f)
    table = "checked" if index is Checked else "probes"

    def known(version: str, create: bool = False) -> bool:
        found = index(db, version, create)
        return found.passed_before(f, stat_facts(f)) if isinstance(found, Checked) else found.header(f, stat_facts(f))

    assert known(V) and not known("v2")
    assert rows(db, table) == [str(f)]  # a reader of another version leaves them
    assert not known("v2", create=True)
    assert not known(V) and rows(db, table) == []  # the build's version took the table


def test_only_passes_are_kept_and_a_failure_is_decoded_again(mini, tmp_path, monkeypatch):
    scan = mini / "xg/cs/scans/2026-09/2/01.jpg"
    scan.write_bytes(scan.read_bytes()[:2000])  # its header reads fine: only a decode finds it cut
    db = tmp_path / digests.FILE
    counted = Decodes(monkeypatch)
    _, report = check(mini, Checked(db, assets.CHECK, create=True))
    assert [p.code for p in report.errors] == ["image-bad"] and len(counted.decoded) == SCANS
    assert len(rows(db, "checked")) == SCANS - 1 and str(mini / "xg/cs/scans/2026-09/2/01.jpg") not in rows(
        db, "checked"
    )
    counted.clear()
    _, report = check(mini, Checked(db, assets.CHECK, create=True))
    assert counted.decoded == [str(mini / "xg/cs/scans/2026-09/2/01.jpg")]


class Syscalls:
    """The stats and opens of each file whose path holds `part`, as sitegen's Python code asks for them (os.stat,
    os.lstat and Path.stat by path; os.fstat of a handle on it; an open to read it, or a bare O_PATH handle)."""

    def __init__(self, monkeypatch, part: str):
        self.calls: dict[str, list[str]] = {}
        handles: dict[int, str] = {}
        real: dict[str, Callable[..., Any]] = {
            "stat": os.stat,
            "lstat": os.lstat,
            "fstat": os.fstat,
            "os.open": os.open,
            "open": builtins.open,
        }

        def note(kind: str, where: Any) -> None:
            name = handles.get(where, "") if isinstance(where, int) else os.fsdecode(os.fspath(where))
            if part in name:
                self.calls.setdefault(name, []).append(kind)

        def by_path(kind: str):
            def call(path, *a, **k):
                note(kind, path)
                return real[kind](path, *a, **k)

            return call

        def os_open(path, flags, *a, **k):
            note("handle" if flags & getattr(os, "O_PATH", 0) else "read", path)
            fd = real["os.open"](path, flags, *a, **k)
            handles[fd] = os.fsdecode(os.fspath(path))
            return fd

        def fstat(fd, *a, **k):
            note("fstat", fd)
            return real["fstat"](fd, *a, **k)

        def opened(file, *a, **k):
            if not isinstance(file, int):
                note("read", file)
            return real["open"](file, *a, **k)

        monkeypatch.setattr(os, "stat", by_path("stat"))
        monkeypatch.setattr(os, "lstat", by_path("lstat"))
        monkeypatch.setattr(os, "fstat", fstat)
        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(builtins, "open", opened)


def test_a_cold_check_stats_each_scan_once_and_opens_it_once(mini, tmp_path, monkeypatch):
    """(h64) A cold check (empty indexes) takes one stat of each scan, from the kernel's bare handle on it (where it
    leads, its kind and size, its stat facts for the header record and the decode check), and opens it once to
    read its header; the build's saves of the two indexes then stat none (a table the run found empty is not
    swept). Before: four stats by path (content_file, the header record, the decode check's two), two more saving."""
    db = tmp_path / digests.FILE
    checked, probes = Checked(db, assets.CHECK, create=True), Probes(db, assets.PROBE, create=True)
    counted = Syscalls(monkeypatch, "/scans/")
    _, report = check(mini, checked, probes=probes)
    checked.save()
    probes.save()
    monkeypatch.undo()
    assert not report.errors and len(counted.calls) == SCANS - 1  # (the basis scan is not in scans/)
    for calls in counted.calls.values():
        assert sorted(calls) == ["fstat", "handle", "read"], calls
    assert len(rows(db, "checked")) == len(rows(db, "probes")) == SCANS  # recorded with those facts
    assert all(Checked(db, assets.CHECK).passed_before(p, stat_facts(p)) for p in rows(db, "checked"))


# ---- `sitegen check` reads, never makes ---------------------------------------------------------------------------


def _no_cache(out: Path) -> None:
    pass


def _index_folder(out: Path) -> None:
    (pipeline.default_cache(out) / ".index").mkdir(parents=True)


def _legacy_json(out: Path) -> None:
    _index_folder(out)
    (pipeline.default_cache(out) / ".index" / "checked.json").write_text('{"version": "x", "files": {}}')


@pytest.mark.parametrize("before", [_no_cache, _index_folder, _legacy_json])
def test_check_never_makes_the_index(mini, tmp_path, before):
    out = tmp_path / "out"
    before(out)
    cache = pipeline.default_cache(out)
    made = cache.exists()
    result = CliRunner().invoke(cli, ["check", str(mini), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert cache.exists() == made and not list(tmp_path.rglob(f"{digests.FILE}*"))  # nor its -wal, -shm
    assert (cache / ".index" / "checked.json").exists() == (before is _legacy_json)  # left for the build


def test_check_adds_to_the_index_a_build_made(mini, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(mini, out)
    scan = mini / "xg/cs/scans/2026-09/2/01.jpg"
    _same_bytes_mtime_kept(scan)
    counted = Decodes(monkeypatch)
    assert CliRunner().invoke(cli, ["check", str(mini), "-o", str(out)]).exit_code == 0
    assert counted.decoded == [str(scan)]
    counted.clear()
    build(mini, out)
    assert counted.decoded == [] and counted.probed == []  # what the check found is the build's too


# ---- rows that can never match again do not pile up ---------------------------------------------------------------


def test_rows_of_files_gone_or_changed_are_swept_a_slice_a_save(tmp_path, monkeypatch):
    files = [tmp_path / f"f{n:02d}.jpg" for n in range(30)]
    for f in files:
        f.write_bytes(f.name.encode())
    db = tmp_path / digests.FILE
    first: tuple[Digests, Checked, Probes] = (
        Digests(db, create=True),
        Checked(db, V, create=True),
        Probes(db, V, True),
    )
    for f in files:
        first[0].get(f)
        first[1].passed(f, stat_facts(f))
        first[2].read(f, stat_facts(f), HEADER)
    for made in first:
        made.save()  # (the run that filled the tables sweeps none of their rows: every one is its own)
    for f in files[:10]:
        f.unlink()  # gone
    for f in files[10:15]:
        _same_bytes_mtime_kept(f)  # changed, and not asked about again
    kept = sorted(str(f) for f in files[15:])
    monkeypatch.setattr(digests, "SWEEP_ROWS", 7)
    indexes = (Digests(db, create=True), Checked(db, V, create=True), Probes(db, V, True))  # the next build's
    for table, swept in zip(("digests", "checked", "probes"), indexes):
        swept.save()
        assert len(rows(db, table)) >= 30 - 7  # a slice a save: a build pays for a bounded part of the table
        for _ in range(4):
            swept.save()
        assert rows(db, table) == kept
    assert Checked(db, V).passed_before(files[20], stat_facts(files[20]))


def test_a_moved_content_folder_leaves_no_rows_behind(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    build(content, out)
    content.rename(tmp_path / "moved")
    build(tmp_path / "moved", out)
    db = facts_file(pipeline.default_cache(out))
    for table in ("digests", "checked", "probes"):
        paths = rows(db, table)
        assert paths and all(p.startswith(str(tmp_path / "moved")) for p in paths), table


# ---- a damaged, foreign or locked database is never fatal ---------------------------------------------------------


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _garbage(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _foreign(db: Path) -> None:
    db.unlink()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE checked (x)")


def _other_layout(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")


def _table_dropped(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("DROP TABLE probes")


def _rows_damaged(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("UPDATE probes SET value = '{not json'")
        conn.execute("UPDATE digests SET value = x'00'")


DAMAGE = {
    "truncated": _truncated,
    "garbage": _garbage,
    "empty file": _empty,
    "another program's database": _foreign,
    "another layout": _other_layout,
    "a table missing": _table_dropped,
    "damaged values": _rows_damaged,
}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, str]:
    """The published files of the mini city built with a fresh cache."""
    base = tmp_path_factory.mktemp("reference")
    shutil.copytree(FIXTURES / "mini", base / "content")
    build(base / "content", base / "out")
    return snapshot(base / "out", published_only=True)


def _built_once(tmp_path: Path) -> tuple[Path, Path, Path]:
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    build(content, out)
    shutil.rmtree(out)
    return content, out, facts_file(pipeline.default_cache(out))


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_is_treated_as_empty_and_made_again(tmp_path, monkeypatch, reference, damage):
    content, out, db = _built_once(tmp_path)
    DAMAGE[damage](db)
    before = db.read_bytes()
    assert CliRunner().invoke(cli, ["check", str(content), "-o", str(out)]).exit_code == 0
    if damage != "damaged values":
        assert db.read_bytes() == before  # check never remakes it
    build(content, out)
    assert snapshot(out, published_only=True) == reference
    counted = Decodes(monkeypatch)
    shutil.rmtree(out)
    build(content, out)  # made again, filled: nothing decoded, probed or hashed
    assert counted.decoded == counted.probed == counted.hashed == []
    assert snapshot(out, published_only=True) == reference


def test_an_index_path_that_cannot_be_a_file_costs_only_time(tmp_path, reference):
    content, out, db = _built_once(tmp_path)
    db.unlink()
    db.mkdir()
    build(content, out)
    assert snapshot(out, published_only=True) == reference


def test_a_locked_index_is_waited_for_then_made_again(tmp_path, monkeypatch, reference):
    content, out, db = _built_once(tmp_path)
    monkeypatch.setattr(digests, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a process stuck in a write (WAL: readers still read)
    holder.execute("INSERT INTO meta VALUES ('held', 'x')")
    try:
        result = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
        assert result.exit_code == 0, result.output
        build(content, out)
        assert snapshot(out, published_only=True) == reference
    finally:
        holder.close()
    counted = Decodes(monkeypatch)
    shutil.rmtree(out)
    build(content, out)
    assert counted.decoded == counted.probed == []


def test_check_reads_while_a_build_writes(tmp_path, monkeypatch):
    """A build in the middle of a batch holds the write lock: check reads what is committed, and what it would
    add itself is dropped after the busy timeout, never an error."""
    content, out, db = _built_once(tmp_path)
    build(content, out)
    scan = content / "xg/cs/scans/2026-09/2/01.jpg"
    _same_bytes_mtime_kept(scan)  # check has one pass of its own to write
    monkeypatch.setattr(digests, "BUSY_SECONDS", 0.1)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM checked")  # not committed: invisible to the check
    counted = Decodes(monkeypatch)
    try:
        result = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    finally:
        writer.close()
    assert result.exit_code == 0 and result.exception is None, result.output
    assert counted.decoded == [str(scan)]


# ---- the JSON files of earlier versions ---------------------------------------------------------------------------


def test_the_old_json_indexes_are_moved_in_once_and_removed(tmp_path, monkeypatch, reference):
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    index = pipeline.default_cache(out) / ".index"
    index.mkdir(parents=True)
    images = sorted(p for p in content.rglob("*.jpg"))
    assert len(images) == SCANS
    facts = {str(p): stat_facts(p) for p in images}
    headers = {str(p): (lambda h: [h.format, [list(s) for s in h.pages], h.line_art])(assets.probe(p)) for p in images}
    (index / "checked.json").write_text(json.dumps({"version": assets.CHECK, "files": facts}))
    (index / "probes.json").write_text(
        json.dumps({"version": assets.PROBE, "files": {k: [facts[k], headers[k]] for k in facts}})
    )
    (index / "digests.json").write_text(json.dumps({k: facts[k] + [sha256_file(k)] for k in facts}))
    (index / "digests.tmp").write_text("{")  # a write the old build never finished
    counted = Decodes(monkeypatch)
    build(content, out)
    assert counted.decoded == counted.probed == [] and not set(counted.hashed) & set(facts)
    assert not {"checked.json", "probes.json", "digests.json", "digests.tmp"} & {p.name for p in index.iterdir()}
    assert snapshot(out, published_only=True) == reference


def test_an_unreadable_old_json_index_is_removed(tmp_path, monkeypatch, reference):
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    index = pipeline.default_cache(out) / ".index"
    index.mkdir(parents=True)
    (index / "checked.json").write_bytes(b"\x00{not json")
    (index / "probes.json").write_text('{"version": "another", "files": {"x": [[1, 2, 3, 4], []]}}')
    build(content, out)
    assert not (index / "checked.json").exists() and not (index / "probes.json").exists()
    assert snapshot(out, published_only=True) == reference


# ---- a first import killed half way keeps what it finished --------------------------------------------------------


def test_each_pass_is_recorded_as_its_decode_finishes(mini, tmp_path, monkeypatch):
    """Not when the whole decode check ends: a run killed while the pool works keeps what finished."""
    finished = [False]  # whether the decode check under way has finished (one a village: check)
    real = assets._decode_all

    def decode_all(*a):
        finished[0] = False
        found = real(*a)
        finished[0] = True
        return found

    monkeypatch.setattr(assets, "_decode_all", decode_all)
    when: list[bool] = []
    checked = Checked(tmp_path / digests.FILE, assets.CHECK, create=True)
    monkeypatch.setattr(checked, "passed", lambda source, facts: when.append(finished[0]))
    _, report = check(mini, checked)
    # each told while its pool still ran (each scan once at least; passes are not kept here, so one the city's
    # pages show too is decoded again with them)
    assert not report.errors and len(when) >= SCANS and not any(when)


def _killed(tmp_path: Path, at: str, done: int, *args) -> None:
    """Run `sitegen ARGS` committing each entry (BATCH_ROWS=1) and SIGKILL it once `at` has run `done` times,
    paused before the next call (tests/fixtures/pause_run.py)."""
    run = paused(
        tmp_path / "marker", at, *args, call=done + 1, when="before", setting="sitegen.images.digests:BATCH_ROWS=1"
    )
    kill(run)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_decode_check_killed_half_way_decodes_only_the_rest(tmp_path, monkeypatch, command):
    content, out, db = _built_once(tmp_path)
    build(content, out)
    for scan in content.rglob("*.jpg"):
        _same_bytes_mtime_kept(scan)  # a clerk replaced every scan: all to be decoded again (check too)
    done = 2
    _killed(tmp_path, "sitegen.images.digests:Checked.passed", done, command, content, "-o", out)
    assert len([p for p in rows(db, "checked") if Checked(db, assets.CHECK).passed_before(p, stat_facts(p))]) == done
    counted = Decodes(monkeypatch)
    if command == "build":
        build(content, out)
    else:
        assert CliRunner().invoke(cli, ["check", str(content), "-o", str(out)]).exit_code == 0
    assert len(counted.decoded) == SCANS - done


def test_hashing_killed_half_way_hashes_only_the_rest(tmp_path, monkeypatch, reference):
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(FIXTURES / "mini", content)
    done = 5
    _killed(tmp_path, "sitegen.images.digests:sha256_file", done, "build", content, "-o", out)
    db = facts_file(pipeline.default_cache(out))
    committed = set(rows(db, "digests"))
    assert len(committed) == done
    counted = Decodes(monkeypatch)
    build(content, out)
    assert counted.hashed and not set(counted.hashed) & committed
    assert set(rows(db, "digests")) == committed | set(counted.hashed)
    assert snapshot(out, published_only=True) == reference


# ---- memory: a lookup reads a row, not the index ------------------------------------------------------------------


def test_a_lookup_does_not_read_the_whole_index(tmp_path):
    db, scan = tmp_path / digests.FILE, tmp_path / "scan.jpg"
    scan.write_bytes(b"scan")
    first = Checked(db, V, create=True)
    first.passed(scan, stat_facts(scan))
    first.flush()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:  # a city's worth of other files' entries
        vid = conn.execute("SELECT v FROM checked").fetchone()[0]
        conn.execute("BEGIN")  # one transaction: not 100,000 commits, each waiting for the disk
        conn.executemany(
            "INSERT INTO checked VALUES (?, 1, 2, 3, 4, ?, NULL)",
            ((f"/city/town/village/scans/{n:07d}/01.jpg".encode(), vid) for n in range(100_000)),
        )
        conn.execute("COMMIT")
    tracemalloc.start()
    try:
        index = Checked(db, V)
        assert index.passed_before(scan, stat_facts(scan))
        assert not index.passed_before("/city/town/village/scans/0000007/01.jpg", [1, 2, 3, 5])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024  # (a dictionary of 100,000 entries: ~20 MiB)


def test_a_table_empty_when_opened_is_asked_only_for_what_the_run_wrote(tmp_path):
    """A cold index (a first build, a new version of the check): a file never written this run is known missing
    without a query (a cold build asked ~3 a scan, every answer a miss); one written is found in the table; a
    table that held rows when opened is asked as before."""
    db, written, other = tmp_path / digests.FILE, tmp_path / "a.jpg", tmp_path / "b.jpg"
    written.write_bytes(b"a")
    other.write_bytes(b"b")
    index = Checked(db, V, create=True)
    assert not index.passed_before(written, stat_facts(written))  # (opened: empty)
    asked: list[str] = []
    index.table.db.set_trace_callback(asked.append)
    assert not index.passed_before(other, stat_facts(other))
    assert not [q for q in asked if q.startswith("SELECT")]
    index.passed(written, stat_facts(written))
    index.flush()
    assert index.passed_before(written, stat_facts(written))  # (flushed: no longer pending, read from the table)
    assert [q for q in asked if q.startswith("SELECT")]
    again = Checked(db, V)  # rows there when opened: asked
    assert again.passed_before(written, stat_facts(written))
    again.table.db.set_trace_callback(asked.append)
    asked.clear()
    assert not again.passed_before(other, stat_facts(other))
    assert [q for q in asked if q.startswith("SELECT")]
