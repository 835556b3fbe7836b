"""One of each for files (sitegen/content/files.py): the atomic write, the file hash, the path kept in a root."""

from __future__ import annotations

import hashlib
import os

import pytest

from sitegen.content.files import inside, sha256_file, write_atomic


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
