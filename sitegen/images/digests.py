"""Content hashes of the clerks' files (内容指纹), remembered between builds.

Two stages ask what a file holds: assets (an unchanged scan is never processed again) and reuse (a village whose
files are unchanged is not rendered again). Both ask here, so each file is read at most once per change.

The stat-fact indexes (状态索引: Digests, Checked, Probes) are tables of one SQLite file in the image cache's
`.index/` (facts_file), looked up a file at a time. SQLite (the standard library's sqlite3) because a city has
~300,000 scans and a province fifty times that: JSON dictionaries read whole and written whole held ~2.2 KiB a
scan in memory (24 MiB at 11,233 scans: ~600 MiB at a city) and were written only when a step ended, so a first
import killed half way kept nothing of hours of work. SQLite is on every machine Python
is, looks a key up without reading the rest, commits a batch atomically (a killed run keeps every batch it
committed: BATCH_ROWS, BATCH_SECONDS), and lets `sitegen check` read while a build writes (write-ahead log,
busy timeout). Nothing in it is needed for a correct build: every entry is used only while its file's stat
facts match, so an unreadable, corrupt, locked or foreign file is treated as empty (and made again by the
build: `create`). The JSON files of earlier versions (digests.json, checked.json, probes.json) are read once by
the build, their sound entries moved in, and removed.

Rows are kept while their file is unchanged (a village carried over unasked keeps its scans' entries), and no
longer: each save sweeps a slice of its table (SWEEP_ROWS, round the table over successive builds) and deletes
the rows whose file is gone or changed, which can never match again. A table holds at most one row a path, so
it is bounded by the files that exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from urllib.parse import quote

from sitegen.content.files import sha256_file

FILE = "stat-facts.sqlite"  # in the image cache's .index/ (facts_file)
SCHEMA = "1"  # the tables' layout: a file of another layout is made again
BATCH_ROWS = 500  # entries written in one transaction; a killed run loses at most the batch it was making
BATCH_SECONDS = 2.0  # ... or what it found in this many seconds
BUSY_SECONDS = 5.0  # how long to wait for another process's write before giving up (treated as empty)
SWEEP_ROWS = 10_000  # rows a save checks for files gone or changed (a city's ~300,000: once in ~30 builds)
# Errors that say nothing about the file itself (another writer, a full disk): the batch is dropped, the file kept.
_PASSING = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PERM,
}


class _Written:
    """The keys a run wrote to a table that held no row when it was opened (a cold index: a first build or
    import, a new version of the check), as a Bloom filter of fixed size (1 MiB): a key not in it was never
    written, so the table is not asked (a cold build asked SQLite ~3 times a scan, ~10 µs each, every answer a
    miss); a key in it, or a false positive (~1 % at 300,000 keys), is looked up as before. Fixed size: a city's
    keys are not held (issue 14: memory at any size)."""

    BITS = 1 << 23

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS // 8)

    def _places(self, key: str) -> tuple[int, int]:
        h = hash(key)
        return h & (self.BITS - 1), (h >> 23) & (self.BITS - 1)

    def add(self, key: str) -> None:
        for place in self._places(key):
            self.bits[place >> 3] |= 1 << (place & 7)

    def __contains__(self, key: str) -> bool:
        return all(self.bits[place >> 3] >> (place & 7) & 1 for place in self._places(key))


def facts_file(cache: Path) -> Path:
    """The stat-fact indexes' database of the image cache `cache`."""
    return cache / ".index" / FILE


def stat_facts(source: Path | str) -> list[int]:
    """What `stat` says of a file that changes whenever its bytes may have: size, mtime, ctime, inode."""
    return facts_of(os.stat(source))


def facts_of(st: os.stat_result) -> list[int]:
    """stat_facts of a stat the caller has taken already."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class _Table:
    """One index's table in the database at `path`: path -> (stat facts, value), entries of `version` only.

    Looked up a row at a time; what is found is written in batches (`pending`, at most BATCH_ROWS), each in a
    transaction of its own. Opened on first use. Without `create` the file is used only if it exists (`sitegen
    check` makes no file of its own). Any failure of the database makes it empty for this run, never fatal: a
    corrupt, foreign or locked file is deleted and made again when `create`, else left alone."""

    def __init__(self, path: Path | None, name: str, version: str, create: bool, legacy: str):
        self.path, self.name, self.version, self.create, self.legacy = path, name, version, create, legacy
        self.db: sqlite3.Connection | None = None
        self.vid = 0  # this version's number in the file (rows of other versions are never read)
        self.opened = path is None
        self.pending: dict[str, tuple] = {}
        self.written: _Written | None = None  # a table empty when opened: what this run wrote to it (_Written)
        self.since = time.monotonic()
        self.select = f"SELECT size, mtime, ctime, ino, value FROM {name} WHERE path = ? AND v = ?"  # (made once)

    # -- opening -----------------------------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection | None:
        if not self.opened:
            self.opened = True
            self.db = self._open()
            if self.db is None and self.create:
                self._remove()  # corrupt, foreign or locked past BUSY_SECONDS: made again
                self.db = self._open()
        return self.db

    def _open(self) -> sqlite3.Connection | None:
        assert self.path is not None
        db = None
        try:
            if self.create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            mode = "rwc" if self.create else "rw"
            uri = f"file:{quote(os.fsencode(self.path.absolute()))}?mode={mode}"
            db = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            if self.create:
                db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer, nor it for them
            db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed (WAL)
            found = self._prepare(db)
            if found is None:
                db.close()
                return None
            self.vid = found
            if self.create:
                self._migrate(db)
            empty = not db.execute(f"SELECT EXISTS (SELECT 1 FROM {self.name})").fetchone()[0]
            self.written = _Written() if empty else None
            return db
        except (sqlite3.Error, OSError, ValueError):
            if db is not None:
                db.close()
            return None

    def _prepare(self, db: sqlite3.Connection) -> int | None:
        """The number of this table's version; tables made in a new file. None: nothing of this version (and,
        without `create`, nothing to make). Raises sqlite3.Error on a file of another layout."""
        db.execute("BEGIN IMMEDIATE" if self.create else "BEGIN")
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables and self.create:
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.execute("CREATE TABLE versions (id INTEGER PRIMARY KEY, tab TEXT NOT NULL, name TEXT NOT NULL)")
                for name in ("digests", "checked", "probes"):
                    db.execute(
                        f"CREATE TABLE {name} (path BLOB PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, "
                        "ino INTEGER, v INTEGER, value) WITHOUT ROWID"
                    )
            (schema,) = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() or ("",)
            if schema != SCHEMA:
                raise sqlite3.DatabaseError(f"{self.path}: layout {schema!r}, not {SCHEMA!r}")
            known = dict(db.execute("SELECT name, id FROM versions WHERE tab = ?", (self.name,)).fetchall())
            vid = known.get(self.version)
            if self.create and (vid is None or len(known) > 1):  # entries of another version: never read again
                if vid is None:
                    added = db.execute("INSERT INTO versions (tab, name) VALUES (?, ?)", (self.name, self.version))
                    vid = added.lastrowid
                db.execute(f"DELETE FROM {self.name} WHERE v != ?", (vid,))
                db.execute("DELETE FROM versions WHERE tab = ? AND id != ?", (self.name, vid))
            db.execute("COMMIT")
            return vid
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Move the entries of the JSON file an earlier version kept (`legacy`, beside this one) in, then remove
        it: read once, by the build."""
        assert self.path is not None
        old = self.path.parent / self.legacy
        if not old.is_file():
            return
        try:
            doc = json.loads(old.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = None
        rows = []
        for key, facts, value in _legacy_rows(doc, self.name, self.version):
            rows.append((os.fsencode(key), *facts, self.vid, self._encode(value)))
        if rows:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT OR REPLACE INTO {self.name} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        for stale in (old, old.with_suffix(".tmp")):
            stale.unlink(missing_ok=True)

    def _remove(self) -> None:
        assert self.path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass  # then it cannot be opened either: the run goes on without the index

    def _failed(self, exc: sqlite3.Error) -> None:
        """A database error in use: a passing one (busy, disk full) costs only what it was doing; any other (a
        file gone corrupt, a table missing) makes the index empty, and the file is made again when `create`."""
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _PASSING and not isinstance(exc, sqlite3.ProgrammingError):
            return
        if self.db is not None:
            self.db.close()
        self.db = None
        if self.create:
            self._remove()
            self.db = self._open()

    # -- use -----------------------------------------------------------------------------------------------------

    def _encode(self, value: object) -> object:
        return value

    def _decode(self, value: object) -> object:
        return value

    def find(self, key: str, facts: list[int]) -> tuple[bool, object]:
        """(True, value) when `key` is known with these stat facts, else (False, None)."""
        entry = self.pending.get(key)
        if entry is None:
            db = self._conn()
            if db is None or (self.written is not None and key not in self.written):
                return False, None
            try:
                row = db.execute(self.select, (os.fsencode(key), self.vid)).fetchone()
            except sqlite3.Error as exc:
                self._failed(exc)
                return False, None
            if row is None or row[0] != facts[0] or row[1] != facts[1] or row[2] != facts[2] or row[3] != facts[3]:
                return False, None
            return True, self._decode(row[4])
        if entry[0] != facts:
            return False, None
        return True, entry[1]

    def put(self, key: str, facts: list[int], value: object = None) -> None:
        """Remember `value` for `key` with these stat facts (taken before the file was read)."""
        self.pending[key] = (list(facts), value)
        if len(self.pending) >= BATCH_ROWS or time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is pending, in one transaction."""
        pending, self.pending, self.since = self.pending, {}, time.monotonic()
        db = self._conn() if pending else None
        if db is None:
            return
        rows = [(os.fsencode(k), *facts, self.vid, self._encode(v)) for k, (facts, v) in pending.items()]
        if self.written is not None:
            for key in pending:
                self.written.add(key)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(f"INSERT OR REPLACE INTO {self.name} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._failed(exc)

    def sweep(self, rows: int | None = None) -> None:
        """Delete the rows of the next `rows` paths (after the last one swept) whose file is gone or changed, or of
        another version: they can never be used again. Back to the first path after the last. Not in a run that
        found the table empty (`written`: a cold build): every row in it was written since, its stat facts taken
        in this run (or in another run meanwhile), so none can be swept yet; a stat a row (two a scan after a cold
        check, a third after the render step's digests) would find each as it was written."""
        db = self._conn() if self.create else None
        if db is None or self.written is not None:
            return
        rows = rows or SWEEP_ROWS
        try:
            found = db.execute("SELECT value FROM meta WHERE key = ?", (f"swept:{self.name}",)).fetchone()
            start = bytes.fromhex(found[0]) if found else b""
            slice_ = db.execute(
                f"SELECT path, size, mtime, ctime, ino, v FROM {self.name} WHERE path > ? ORDER BY path LIMIT ?",
                (start, rows),
            ).fetchall()
            dead = [(path,) for path, *facts, v in slice_ if v != self.vid or not _same(path, facts)]
            end = slice_[-1][0].hex() if len(slice_) == rows else ""
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(f"DELETE FROM {self.name} WHERE path = ?", dead)
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"swept:{self.name}", end))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, ValueError) as exc:
            if isinstance(exc, sqlite3.Error):
                self._failed(exc)

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None


def _same(path: bytes, facts: list[int]) -> bool:
    try:
        return stat_facts(os.fsdecode(path)) == facts
    except (OSError, ValueError):
        return False


def _legacy_rows(doc: object, name: str, version: str) -> Iterator[tuple[str, list[int], object]]:
    """The sound entries of an earlier version's JSON index (digests.json, checked.json, probes.json)."""
    if name == "digests":
        files = doc if isinstance(doc, dict) else {}
        for key, entry in files.items():
            if isinstance(entry, list) and len(entry) == 5 and _is_facts(entry[:4]) and isinstance(entry[4], str):
                yield key, entry[:4], entry[4]
        return
    if not isinstance(doc, dict) or doc.get("version") != version or not isinstance(doc.get("files"), dict):
        return
    for key, entry in doc["files"].items():
        if name == "checked" and _is_facts(entry):
            yield key, entry, None
        elif name == "probes" and isinstance(entry, list) and len(entry) == 2 and _is_facts(entry[0]):
            yield key, entry[0], entry[1]


def _is_facts(value: object) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(type(n) is int for n in value)


class _Index:
    """What the three indexes share: a table (_Table), written at the end of the process at the latest."""

    def __init__(self, path: Path | None, name: str, version: str, create: bool, legacy: str):
        self.path, self.version = path, version
        self.table = self._table(path, name, version, create, legacy)
        weakref.finalize(self, self.table.close)  # the last batch, when the caller never saves (sitegen check)

    def _table(self, path: Path | None, name: str, version: str, create: bool, legacy: str) -> _Table:
        return _Table(path, name, version, create, legacy)

    def flush(self) -> None:
        """Commit what was found so far (a killed run keeps it)."""
        self.table.flush()

    def save(self) -> None:
        """Commit what was found, and delete a slice of the entries that can never be used again (_Table.sweep)."""
        self.table.flush()
        self.table.sweep()


class _DigestTable(_Table):
    def _encode(self, value: object) -> object:
        return bytes.fromhex(value) if isinstance(value, str) else None

    def _decode(self, value: object) -> object:
        return value.hex() if isinstance(value, bytes) and len(value) == 32 else None


class Digests(_Index):
    """Files' content hashes, remembered from the last build by what `stat` says of each file (size, mtime,
    ctime, inode): a build every few minutes over a city's hundreds of thousands of scans reads only the files
    that changed. ctime is set by the kernel on every write and cannot be set back (touch, cp -p and rsync -t
    set mtime only), so a rewritten file is always hashed again. Kept in the image cache's `.index/` (facts_file;
    prune removes files only), made there when `create` (the build); committed in batches as files are hashed."""

    def __init__(self, path: Path | None, create: bool = False):
        super().__init__(path, "digests", "sha256", create, "digests.json")

    def _table(self, path: Path | None, name: str, version: str, create: bool, legacy: str) -> _Table:
        return _DigestTable(path, name, version, create, legacy)

    def get(self, source: Path | str) -> str:
        key = str(source)
        facts = stat_facts(source)
        known, digest = self.table.find(key, facts)
        if known and isinstance(digest, str):
            return digest
        digest = sha256_file(source)
        self.table.put(key, facts, digest)
        return digest


class Checked(_Index):
    """图片检查记录 The images that decoded cleanly, remembered between runs by their stat facts (as Digests
    remembers hashes), so validation decodes each scan once per change, not on every build.

    `version` names the check (what is decoded, and how): a record made by another version is ignored. Only
    passes are kept: a file that failed is checked again next time (the clerk is about to replace it). Kept beside
    the digests (facts_file), committed in batches as images pass (a first import killed half way keeps what it
    decoded); the file is made by the build only (`create`): `sitegen check` adds to it when it exists."""

    def __init__(self, path: Path | None, version: str, create: bool = False):
        super().__init__(path, "checked", version, create, "checked.json")

    def passed_before(self, source: Path | str, facts: list[int]) -> bool:
        """True when this file, with these stat facts, decoded cleanly in an earlier run (or this one)."""
        return self.table.find(str(source), facts)[0]

    def passed(self, source: Path | str, facts: list[int]) -> None:
        """The file decoded cleanly; `facts` taken before it was read (a change while reading is seen next run)."""
        self.table.put(str(source), facts)


class _ProbeTable(_Table):
    def _encode(self, value: object) -> object:
        return json.dumps(value, separators=(",", ":"))

    def _decode(self, value: object) -> object:
        try:
            header = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            return None
        return header if isinstance(header, list) else None


class Probes(_Index):
    """图片头信息记录 What each image's header said (format, page sizes, line art: assets.Probe), remembered by the
    file's stat facts like Checked, so validation opens an unchanged scan's header once per change, not on every
    build. `version` names how headers are read (assets.PROBE). Only files whose header was sound are kept."""

    def __init__(self, path: Path | None, version: str, create: bool = False):
        super().__init__(path, "probes", version, create, "probes.json")
        # the files asked about, in order: what a village's validation probed (memo.py; cleared before each village)
        self.asked: list[str] = []

    def _table(self, path: Path | None, name: str, version: str, create: bool, legacy: str) -> _Table:
        return _ProbeTable(path, name, version, create, legacy)

    def header(self, source: Path | str, facts: list[int]) -> list | None:
        """The remembered header facts of this file with these stat facts, or None."""
        key = str(source)
        self.asked.append(key)
        known, header = self.table.find(key, facts)
        return header if known and isinstance(header, list) else None

    def read(self, source: Path | str, facts: list[int], header: list) -> None:
        """The file's header said `header`; `facts` taken before it was read."""
        self.table.put(str(source), facts, header)

    def carry(self, sources: list[str]) -> None:
        """Keep these files' headers for the next run, unasked (a village restored from the validation memo,
        validate/memo.py, probes nothing): nothing to do, a header is kept while its file is unchanged (and used
        only then: header)."""


def tree_facts(
    root: Path | str,
    skip: AbstractSet[str] = frozenset(),
    resolved: bool = False,
    parts: dict[str, str] | None = None,
) -> str:
    """内容状态 One hash of what `stat` says of every file and folder under `root` (names, size, mtime, ctime,
    inode; a symbolic link's target), leaving out the folders in `skip` (real paths: an output or cache folder
    inside the content folder). Any write, rename, addition or deletion under `root` changes it, including a
    rewrite that keeps size and mtime (ctime cannot be set back). Only stats: a city's ~300,000 files in about a
    second, no file opened. With `resolved`, a link's facts name the real path it leads to as well (a link whose
    target is unchanged but reached through another folder: the validation memo keeps real paths). `parts`, when
    given, receives the hash of each folder two levels down ("town/village" -> the hash tree_facts would give of
    that folder alone), from the same walk: the validation memo's keys without a second walk.

    It is asked on every `sitegen check`, build and publish, so it is one `os.scandir` walk with one stat a file
    (the one the listing's lstat gives; a link is stat'ed through), each folder's lines hashed in one update. The
    hash is that of the walk it replaced, os.walk's order (a folder, its files sorted and the links to folders
    among its folders, then each folder below, sorted): the memos keyed by it stay valid."""
    top = os.fspath(root)
    h = hashlib.sha256()
    start = len(top) + 1
    part: dict[str, hashlib._Hash] = {}
    # (folder, its real path ("" when nothing is skipped: not needed), its own facts ("" for the root: taken here))
    todo: list[tuple[str, str, str]] = [(top, os.path.realpath(top) if skip else "", "")]
    while todo:
        folder, real, facts = todo.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError:
            continue  # a folder that cannot be listed is left out, as os.walk leaves it
        name = folder[start:]
        inner = name.split("/", 2)
        sub = part.setdefault("/".join(inner[:2]), hashlib.sha256()) if parts is not None and len(inner) >= 2 else None
        cut = start + len(inner[0]) + len(inner[1]) + 2 if sub is not None else 0
        line = f"\0{facts or _facts(folder, resolved)}\n"
        lines = [f"D{name}{line}"]
        own = [f"D{name[cut - start :]}{line}"] if sub is not None else None
        linked: list[os.DirEntry[str]] = []  # links to folders: listed as files, never walked into
        below: list[tuple[str, str, str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                link = _is_link(entry)
                if skip:
                    where = os.path.realpath(entry.path) if link else os.path.join(real, entry.name)
                    if where in skip:
                        continue
                else:
                    where = ""
                if link:
                    linked.append(entry)
                else:
                    below.append((entry.path, where, _entry_facts(entry, resolved)))
                continue
            if _is_link(entry):
                facts = _facts(entry.path, resolved)
            else:  # inline: this line runs for every file of the city
                try:
                    st = entry.stat()
                    facts = f"|{st.st_mode}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"
                except OSError as exc:
                    facts = f"?{exc.errno}"
            path = entry.path
            lines.append(f"F{path[start:]}\0{facts}\n")
            if own is not None:
                own.append(f"F{path[cut:]}\0{facts}\n")
        for entry in linked:
            line = f"\0{_entry_facts(entry, resolved)}\n"
            lines.append(f"F{entry.path[start:]}{line}")
            if own is not None:
                own.append(f"F{entry.path[cut:]}{line}")
        h.update("".join(lines).encode("utf-8", "surrogateescape"))  # a name not UTF-8
        if sub is not None and own is not None:
            sub.update("".join(own).encode("utf-8", "surrogateescape"))
        todo.extend(reversed(below))  # the first folder is walked next, as os.walk would
    if parts is not None:
        parts.update((key, sub.hexdigest()) for key, sub in part.items())
    return h.hexdigest()


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _entry_facts(entry: os.DirEntry[str], resolved: bool) -> str:
    """_facts of a listed entry: a file's from the stat its listing gives (one system call), a link's as _facts."""
    if _is_link(entry):
        return _facts(entry.path, resolved)
    try:
        st = entry.stat()
    except OSError as exc:
        return f"?{exc.errno}"
    return f"|{st.st_mode}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"


def _facts(path: str, resolved: bool = False) -> str:
    try:
        link = os.readlink(path) if os.path.islink(path) else ""
        if link and resolved:
            link += f">{os.path.realpath(path)}"
        st = os.stat(path)
        return f"{link}|{st.st_mode}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"
    except OSError as exc:  # a dangling link, a loop: validation says so; its state is what it is
        return f"?{exc.errno}"


def path_facts(path: Path | str) -> str:
    """What `stat` says of one path (as tree_facts) and the real path it leads to: a path a clerk wrote
    (`images: [../files/a.jpg]`) is known unchanged when both are. "?" for a name no file can have (a NUL)."""
    try:
        return f"{os.path.realpath(path)}>{_facts(os.fspath(path))}"
    except ValueError:
        return "?"
