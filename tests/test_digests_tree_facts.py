"""digests.tree_facts: one scandir walk, one stat a file, and the very hash of the os.walk it replaced (the memos
of builds, checks and validated villages are keyed by it: a different hash would throw them all away)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from sitegen.images.digests import _facts, tree_facts


def _walked(root, skip=frozenset(), resolved=False, parts=None) -> str:
    """tree_facts as it was (os.walk, a stat and an islink a file): the reference its hash must equal."""
    h = hashlib.sha256()
    start = len(str(root)) + 1
    part: dict = {}
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if os.path.realpath(os.path.join(top, d)) not in skip)
        name = top[start:]
        inner = name.split("/", 2)
        sub = part.setdefault("/".join(inner[:2]), hashlib.sha256()) if parts is not None and len(inner) >= 2 else None
        cut = len(inner[0]) + len(inner[1]) + 2 if sub is not None else 0
        line = f"\0{_facts(top, resolved)}\n"
        h.update(f"D{name}{line}".encode("utf-8", "surrogateescape"))
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


def _city(tmp_path: Path) -> Path:
    """A content folder with every kind of entry tree_facts meets: nested folders, a name that is not UTF-8,
    links to files, folders (inside and outside), a dangling link, an output folder and a link into it."""
    root = tmp_path / "content"
    for rel in (
        "site.yaml",
        "t/town.yaml",
        "t/a/village.yaml",
        "t/a/scans/2026-01/1/01.jpg",
        "t/a/scans/2026-01/1/02.jpg",
        "t/a/scans/2026-01/10/01.jpg",
        "t/a/journal/2026-01.csv",
        "t/b/village.yaml",
        "t/b/deep/er/x.md",
        "u/c/x.md",
        "out/tv/index.html",
        "shared/a.jpg",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (root / "t/b/link.jpg").symlink_to("../a/scans/2026-01/1/01.jpg")
    (root / "t/b/shared").symlink_to("../../shared")  # a link to a folder: listed, never walked into
    (root / "t/b/gone.jpg").symlink_to("nowhere.jpg")  # dangling
    (root / "t/a/out-link").symlink_to("../../out")  # into the skipped output: left out
    (root / "u/c/empty").mkdir()
    with open(os.path.join(os.fsencode(root / "t/a"), b"\xff\xfe.txt"), "wb"):  # a name that is not UTF-8
        pass
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "photo.jpg").write_text("p")
    (root / "t/a/outside").symlink_to(tmp_path / "elsewhere")
    return root


@pytest.mark.parametrize("resolved", [False, True])
@pytest.mark.parametrize("skipped", [False, True])
def test_the_hash_is_the_one_os_walk_gave(tmp_path, resolved, skipped):
    root = _city(tmp_path)
    skip = {os.path.realpath(root / "out")} if skipped else set()
    (tmp_path / "via").symlink_to(root)  # a root reached through a link, as a caller may pass it
    for start in (root, str(root), tmp_path / "via", root / "t" / "a"):
        parts: dict[str, str] = {}
        expected: dict[str, str] = {}
        assert tree_facts(start, skip, resolved, parts) == _walked(str(start), skip, resolved, expected)
        assert parts == expected
    parts = {}
    tree_facts(root, skip, resolved, parts)
    assert set(parts) == {"t/a", "t/b", "u/c", "out/tv"} - ({"out/tv"} if skipped else set())


def test_one_stat_a_file_and_no_path_lookups(tmp_path, monkeypatch):
    """Regular files and folders are stat'ed through the listing (DirEntry), never looked up again by path:
    the os.walk version paid an islink and a stat a file and a realpath a folder, three times the system calls.
    The lookups by path (the root's own facts and real path) do not grow with the files."""
    root = tmp_path / "content"
    calls: list[str] = []
    for name in ("stat", "lstat", "readlink"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    real_path = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda *a, **k: calls.append("realpath") or real_path(*a, **k))
    counted = []
    for files in (3, 60):
        for n in range(files):
            (root / f"t/v{n % 3}/scans/{n}").mkdir(parents=True, exist_ok=True)
            (root / f"t/v{n % 3}/scans/{n}/01.jpg").write_text(str(n))
        calls.clear()
        parts: dict[str, str] = {}
        tree_facts(root, {str(tmp_path / "out")}, True, parts)
        assert len(parts) == 3
        counted.append(len(calls))
    assert counted[0] == counted[1], counted


def test_a_change_deep_in_a_village_changes_its_part_only(tmp_path):
    root = _city(tmp_path)
    before: dict[str, str] = {}
    whole = tree_facts(root, frozenset(), True, before)
    (root / "t/a/scans/2026-01/10/01.jpg").write_text("rescanned")
    after: dict[str, str] = {}
    assert tree_facts(root, frozenset(), True, after) != whole
    assert {k for k in before if before[k] != after[k]} == {"t/a"}
