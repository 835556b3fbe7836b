"""Content hashes of the clerks' files (内容指纹), remembered between builds.

Two stages ask what a file holds: assets (an unchanged scan is never processed again) and reuse (a village whose
files are unchanged is not rendered again). Both ask here, so each file is read at most once per change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Set as AbstractSet
from pathlib import Path

from sitegen.content.files import sha256_file


class Digests:
    """Files' content hashes, remembered from the last build by what `stat` says of each file (size, mtime,
    ctime, inode): a build every few minutes over a city's hundreds of thousands of scans reads only the files
    that changed. ctime is set by the kernel on every write and cannot be set back (touch, cp -p and rsync -t
    set mtime only), so a rewritten file is always hashed again. Kept in the image cache's `.index/` (prune
    removes files only); written atomically, with only the files of this build."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.known: dict[str, list] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}  # none yet, or unreadable: every file is hashed, nothing is lost
        self.now: dict[str, list] = {}

    def get(self, source: Path | str) -> str:
        key = str(source)
        if key in self.now:
            return self.now[key][4]
        st = os.stat(source)
        facts = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        entry = self.known.get(key)
        digest = entry[4] if isinstance(entry, list) and len(entry) == 5 and entry[:4] == facts else sha256_file(source)
        self.now[key] = facts + [digest]
        return digest

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.now, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # only a shortcut: without it the next build hashes every file again


def stat_facts(source: Path | str) -> list[int]:
    """What `stat` says of a file that changes whenever its bytes may have: size, mtime, ctime, inode."""
    st = os.stat(source)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class Checked:
    """图片检查记录 The images that decoded cleanly, remembered between runs by their stat facts (as Digests
    remembers hashes), so validation decodes each scan once per change, not on every build.

    `version` names the check (what is decoded, and how): a record made by another version is ignored. Only
    passes are kept: a file that failed is checked again next time (the clerk is about to replace it). Kept beside
    the digests in the image cache's `.index/`; written by the build only (`sitegen check` reads it)."""

    def __init__(self, path: Path | None, version: str):
        self.path, self.version = path, version
        known: dict = {}
        if path is not None:
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                known = doc.get("files", {}) if isinstance(doc, dict) and doc.get("version") == version else {}
            except (OSError, ValueError):
                pass  # none yet, or unreadable: every image is checked again, nothing is lost
        self.known: dict[str, list] = known if isinstance(known, dict) else {}
        self.now: dict[str, list] = {}

    def passed_before(self, source: Path | str, facts: list[int]) -> bool:
        """True when this file, with these stat facts, decoded cleanly in an earlier run (kept for this one)."""
        key = str(source)
        if self.known.get(key) == facts or self.now.get(key) == facts:
            self.now[key] = facts
            return True
        return False

    def passed(self, source: Path | str, facts: list[int]) -> None:
        """The file decoded cleanly; `facts` taken before it was read (a change while reading is seen next run)."""
        self.now[str(source)] = facts

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"version": self.version, "files": self.now}, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # only a shortcut: without it the next run checks every image again


class Probes(Checked):
    """图片头信息记录 What each image's header said (format, page sizes, line art: assets.Probe), remembered by the
    file's stat facts like Checked, so validation opens an unchanged scan's header once per change, not on every
    build. `version` names how headers are read (assets.PROBE). Only files whose header was sound are kept."""

    def __init__(self, path: Path | None, version: str):
        super().__init__(path, version)
        self.asked: list[str] = []  # every file asked about, in order: what a village's validation probed (memo.py)

    def header(self, source: Path | str, facts: list[int]) -> list | None:
        """The remembered header facts of this file with these stat facts (kept for this run), or None."""
        key = str(source)
        self.asked.append(key)
        for known in (self.now, self.known):
            entry = known.get(key)
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == facts:
                self.now[key] = entry
                return entry[1]
        return None

    def read(self, source: Path | str, facts: list[int], header: list) -> None:
        """The file's header said `header`; `facts` taken before it was read."""
        self.now[str(source)] = [facts, header]

    def carry(self, sources: list[str]) -> None:
        """Keep these files' headers for the next run, unasked: a village restored from the validation memo
        (validate/memo.py) probes nothing, and what is not kept now would be opened again after its next change.
        A header is still only used when its file's stat facts match (header)."""
        for key in sources:
            entry = self.known.get(key)
            if key not in self.now and entry is not None:
                self.now[key] = entry


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
