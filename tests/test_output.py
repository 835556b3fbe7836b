"""Writing: a theme appears atomically and completely, or the old one stays."""
from __future__ import annotations

import os

import pytest

from sitegen.site import output
from sitegen.content.errors import OutputError


def test_first_write_and_swap(tmp_path):
    out = tmp_path / "out"
    output.write_theme(out, "tv", {"index.html": b"one", "a/b.html": b"b"}, {})
    assert (out / "tv/index.html").read_bytes() == b"one"
    inode = (out / "tv").stat().st_ino
    output.write_theme(out, "tv", {"index.html": b"two"}, {})
    assert (out / "tv/index.html").read_bytes() == b"two"
    assert not (out / "tv/a/b.html").exists()  # the new site replaces, it does not merge
    assert (out / "tv").stat().st_ino != inode
    assert sorted(p.name for p in out.iterdir()) == ["tv"]  # no staging folder left behind


def test_exchange_is_atomic_when_the_kernel_offers_it(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("a")
    (b / "f").write_text("b")
    if not output._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) unavailable here")
    assert (a / "f").read_text() == "b" and (b / "f").read_text() == "a"


def test_failed_write_keeps_the_old_site(tmp_path, monkeypatch):
    out = tmp_path / "out"
    output.write_theme(out, "tv", {"index.html": b"old"}, {})

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device", "index.html")

    monkeypatch.setattr(output, "open", fail, raising=False)  # the module's files are written with open()
    with pytest.raises(OutputError):
        output.write_theme(out, "tv", {"index.html": b"new"}, {})
    monkeypatch.undo()
    assert (out / "tv/index.html").read_bytes() == b"old"
    assert sorted(p.name for p in out.iterdir()) == ["tv"]


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path):
    out = tmp_path / "out"
    (out / f".tv.tmp-{os.getpid() + 1}").mkdir(parents=True)
    output.clean_leftovers(out)
    assert list(out.iterdir()) == []


def test_copies_are_linked_or_copied(tmp_path):
    source = tmp_path / "cached"
    source.write_bytes(b"jpeg")
    output.write_theme(tmp_path / "out", "tv", {}, {"media/x.jpg": source})
    assert (tmp_path / "out/tv/media/x.jpg").read_bytes() == b"jpeg"
