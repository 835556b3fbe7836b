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
    that folder alone), from the same walk: the validation memo's keys without a second walk."""
    h = hashlib.sha256()
    start = len(str(root)) + 1
    part: dict[str, hashlib._Hash] = {}
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if os.path.realpath(os.path.join(top, d)) not in skip)
        name = top[start:]
        inner = name.split("/", 2)
        sub = part.setdefault("/".join(inner[:2]), hashlib.sha256()) if parts is not None and len(inner) >= 2 else None
        cut = len(inner[0]) + len(inner[1]) + 2 if sub is not None else 0
        line = f"\0{_facts(top, resolved)}\n"
        h.update(f"D{name}{line}".encode("utf-8", "surrogateescape"))  # a name not UTF-8
        if sub is not None:
            sub.update(f"D{name[cut:]}{line}".encode("utf-8", "surrogateescape"))
        for entry in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            full = os.path.join(top, entry)
            line = f"\0{_facts(full, resolved)}\n"
            h.update(f"F{full[start:]}{line}".encode("utf-8", "surrogateescape"))
            if sub is not None:
                sub.update(f"F{full[start + cut :]}{line}".encode("utf-8", "surrogateescape"))
    if parts is not None:
        parts.update((key, sub.hexdigest()) for key, sub in part.items())
    return h.hexdigest()


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
