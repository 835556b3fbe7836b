"""One of each for files (sitegen/content/files.py): the atomic write, the file hash, the path kept in a root."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from sitegen.content import files
from sitegen.content.files import inside, kernel_path, sha256_file, write_atomic
from sitegen.content.load import FileProblem, content_file


def test_write_atomic_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "deep" / "report.html"
    write_atomic(target, b"old")
    write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_write_atomic_failure_keeps_the_old_bytes(tmp_path, monkeypatch):
    target = tmp_path / "index.json"
    write_atomic(target, b"good")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomic(target, b"half")
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.json"]  # the temporary is cleaned up


def test_sha256_file_reads_in_chunks(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # more than one chunk, not a multiple of it
    path = tmp_path / "scan.jpg"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_inside_follows_links_and_refuses_what_leaves(tmp_path):
    root = tmp_path / "content"
    (root / "a").mkdir(parents=True)
    (tmp_path / "secret").write_text("x")
    (root / "a" / "ok.txt").write_text("x")
    (root / "a" / "out").symlink_to(tmp_path / "secret")
    (root / "loop").symlink_to(root / "loop")
    assert inside(root, root / "a" / "ok.txt")
    assert inside(root, root)
    assert not inside(root, root / "a" / "out")  # a link out of the root
    assert not inside(root, root / ".." / "secret")  # dot-dot
    assert not inside(root, tmp_path / "content-other")  # a sibling whose name starts alike
    assert not inside(root, root / "loop")  # a link loop is not inside anything


# ---- h49: where a clerk's file leads, asked of the kernel (kernel_path) ----------------------------------------------


def _answer(path: Path, root: Path) -> Any:
    try:
        return content_file(path, root, 1000)
    except FileProblem as problem:
        return problem.code, problem.params


def test_content_file_asks_the_kernel_and_answers_as_resolve(tmp_path, monkeypatch):
    """content_file finds where a path leads from the kernel (kernel_path) and gives what `Path.resolve` gave for
    every kind of path: inside, through links in and out, a folder swapped for a link out, link chains and loops,
    `..`, relative, missing, dangling, a named pipe (not blocked on), a folder, too big, odd names."""
    root, out = tmp_path / "root", tmp_path / "out"
    (root / "sub" / "deeper").mkdir(parents=True)
    out.mkdir()
    (out / "x.jpg").write_bytes(b"x")
    for name in ("a.jpg", "sub/b.jpg", "sub/deeper/c.jpg", "空 格 (deleted)", "new\nline.jpg", "凭证.jpg"):
        (root / name).write_bytes(b"scan")
    (root / "big.jpg").write_bytes(b"x" * 1001)
    (root / "link-in.jpg").symlink_to("a.jpg")
    (root / "link-out.jpg").symlink_to("../out/x.jpg")
    (root / "swapped").symlink_to(out)  # a folder that a link to outside took the place of
    (root / "linked-sub").symlink_to("sub")
    (root / "chain1").symlink_to("chain2")
    (root / "chain2").symlink_to("sub/deeper/c.jpg")
    (root / "loop1").symlink_to("loop2")
    (root / "loop2").symlink_to("loop1")
    (root / "dangling.jpg").symlink_to("nowhere.jpg")
    os.mkfifo(root / "pipe.jpg")
    paths = [root / n for n in sorted(os.listdir(root))] + [
        root / "sub" / ".." / "a.jpg",
        root / "sub" / "deeper" / ".." / ".." / ".." / "out" / "x.jpg",
        root / "swapped" / "x.jpg",
        root / "linked-sub" / "deeper" / "c.jpg",
        root / "linked-sub" / ".." / "a.jpg",
        root / "missing.jpg",
        root / "missing" / ".." / "a.jpg",
        root / "a.jpg" / "not-a-folder.jpg",
        root / "a\0.jpg",
        Path("root/sub/b.jpg"),
    ]
    monkeypatch.chdir(tmp_path)
    answers = [_answer(p, root) for p in paths]
    with monkeypatch.context() as m:
        m.setattr(files, "_O_PATH", 0)  # Path.resolve alone, as before
        assert answers == [_answer(p, root) for p in paths]
    found = dict(zip(map(str, paths), answers))
    assert found[str(root / "swapped" / "x.jpg")] == found[str(root / "link-out.jpg")] == ("path-outside", {})
    assert (
        found[str(root / "chain1")] == root / "sub" / "deeper" / "c.jpg"
        and found["root/sub/b.jpg"] == root / "sub/b.jpg"
    )
    assert found[str(root / "loop1")][0] == "path-loop" and found[str(root / "pipe.jpg")][0] == "path-not-file"

    def no_resolve(self, strict=False):
        raise AssertionError("resolve asked")

    monkeypatch.setattr(Path, "resolve", no_resolve)  # a file that exists: the kernel alone answers
    assert content_file(root / "linked-sub" / "b.jpg", root) == root / "sub" / "b.jpg"
    assert kernel_path(root / "missing.jpg") is None and kernel_path(root / "空 格 (deleted)") is None
