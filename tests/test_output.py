"""Writing: a theme appears atomically and completely, or the old one stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.content.errors import OutputError
from sitegen.site import output


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

    opened = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(output.os, "write", fail)  # the module's files are written with os.write (Stage.put)
    with pytest.raises(OutputError):
        output.write_theme(out, "tv", {"index.html": b"new"}, {})
    monkeypatch.undo()
    assert len(os.listdir("/proc/self/fd")) == opened  # the file written to is closed
    assert (out / "tv/index.html").read_bytes() == b"old"
    assert sorted(p.name for p in out.iterdir()) == ["tv"]


def test_a_short_write_is_written_on(tmp_path, monkeypatch):
    """Stage.put writes with os.write, which may write part of the bytes (a signal, a nearly full disk): the rest
    follows, and each file is closed."""
    write, calls = os.write, []

    def short(fd, data):
        calls.append(len(data))
        return write(fd, bytes(data[:3]))

    opened = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(output.os, "write", short)
    output.write_theme(tmp_path / "out", "tv", {"a/index.html": b"0123456789", "empty.html": b""}, {})
    monkeypatch.undo()
    assert (tmp_path / "out/tv/a/index.html").read_bytes() == b"0123456789"
    assert (tmp_path / "out/tv/empty.html").read_bytes() == b""
    assert calls == [10, 7, 4, 1]  # empty.html needs no write
    assert len(os.listdir("/proc/self/fd")) == opened


def test_staged_files_have_the_mode_open_gives(tmp_path):
    """os.open with 0o666 less the umask, as open(path, "wb") made them: the published files' modes do not change."""
    output.write_theme(tmp_path / "out", "tv", {"index.html": b"x"}, {})
    (tmp_path / "ref").write_bytes(b"x")
    assert (tmp_path / "out/tv/index.html").stat().st_mode == (tmp_path / "ref").stat().st_mode


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


# ---- issue 14: in place, village by village ------------------------------------------------------------------------


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _site(cs: bytes, hx: bytes, city: bytes) -> dict[str, bytes]:
    return {
        "index.html": city,
        "xg/index.html": b"town",
        "xg/cs/index.html": cs,
        "xg/cs/a/1.html": cs,
        "xg/hx/index.html": hx,
        "static/x.css": b"css",
        ".sitegen-build.json": b"record " + city,
    }


def test_in_place_only_the_villages_made_again_are_swapped_and_the_city_pages_follow(tmp_path):
    out = tmp_path / "out"
    output.write_theme(out, "tv", _site(b"cs1", b"hx1", b"city1"), {})
    hx_inode = (out / "tv/xg/hx/index.html").stat().st_ino
    css_inode = (out / "tv/static/x.css").stat().st_ino
    cs_folder = (out / "tv/xg/cs").stat().st_ino
    new = {p: d for p, d in _site(b"cs2", b"hx1", b"city2").items() if not p.startswith("xg/hx/")}
    del new["xg/cs/a/1.html"]  # a page no longer made
    new["xg/cs/b/2.html"] = b"new page"
    output.write_theme(out, "tv", new, {}, villages={"xg/cs"}, kept={"xg/hx"}, record=".sitegen-build.json")
    expected = {**_site(b"cs2", b"hx1", b"city2"), "xg/cs/b/2.html": b"new page"}
    del expected["xg/cs/a/1.html"]
    assert _files(out / "tv") == expected
    assert (out / "tv/xg/hx/index.html").stat().st_ino == hx_inode  # kept: not touched
    assert (out / "tv/static/x.css").stat().st_ino == css_inode  # the same bytes: not rewritten
    assert (out / "tv/xg/cs").stat().st_ino != cs_folder  # swapped whole
    assert not [p for p in (out / "tv").rglob("*") if ".tmp-" in p.name] and sorted(os.listdir(out)) == ["tv"]


def test_in_place_a_village_gone_from_the_site_is_removed(tmp_path):
    out = tmp_path / "out"
    output.write_theme(out, "tv", _site(b"cs1", b"hx1", b"city1"), {})
    new = {p: d for p, d in _site(b"cs1", b"-", b"city2").items() if not p.startswith("xg/hx/")}
    output.write_theme(out, "tv", new, {}, villages={"xg/cs"}, kept=set(), record=".sitegen-build.json")
    assert not (out / "tv/xg/hx").exists() and _files(out / "tv") == new


def test_in_place_a_failure_leaves_each_village_whole_and_the_record_old(tmp_path, monkeypatch):
    out = tmp_path / "out"
    output.write_theme(out, "tv", {**_site(b"cs1", b"hx1", b"city1"), "xg/zz/index.html": b"zz1"}, {})
    real = os.rename
    seen = []

    def rename(a, b):  # the second village's swap fails (a full disk, say)
        seen.append(b)
        if "zz" in str(b) and "old-" not in os.path.basename(str(a)):  # (putting the old pages back works)
            raise OSError(28, "No space left on device", str(b))
        return real(a, b)

    monkeypatch.setattr(output.os, "rename", rename)
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)  # through os.rename
    with pytest.raises(OutputError):
        output.write_theme(
            out,
            "tv",
            {**_site(b"cs2", b"hx2", b"city2"), "xg/zz/index.html": b"zz2"},
            {},
            villages={"xg/cs", "xg/hx", "xg/zz"},
            record=".sitegen-build.json",
        )
    monkeypatch.undo()
    tree = _files(out / "tv")
    assert tree["xg/cs/index.html"] == b"cs2" and tree["xg/hx/index.html"] == b"hx2"  # swapped whole before
    assert tree["xg/zz/index.html"] == b"zz1"  # the old one, whole
    assert tree["index.html"] == b"city1" and tree[".sitegen-build.json"] == b"record city1"  # city pages last
    assert sorted(os.listdir(out)) == ["tv"] and not [p for p in tree if ".tmp-" in p]  # no staging left


@pytest.mark.parametrize("villages", [None, {"xg/cs", "xg/hx"}], ids=["whole", "in place"])
def test_staged_files_stay_out_of_sight_until_written_and_go_when_discarded(tmp_path, villages):
    """A Stage (pages written as they are rendered) puts nothing in the theme folder: beside it, hidden, until
    write_theme; discarded, the theme is byte for byte as it was and nothing is left."""
    out = tmp_path / "out"
    output.write_theme(out, "tv", _site(b"cs1", b"hx1", b"city1"), {})
    before = _files(out / "tv")
    stage = output.Stage(out, "tv", villages)
    for path, data in _site(b"cs2", b"hx2", b"city2").items():
        stage.put(path, data)
    assert _files(out / "tv") == before and Path(stage.folder).parent == out and Path(stage.folder).name[0] == "."
    stage.discard()
    assert _files(out / "tv") == before and sorted(os.listdir(out)) == ["tv"]
    stage = output.Stage(out, "tv", villages)
    for path, data in _site(b"cs3", b"hx3", b"city3").items():
        stage.put(path, data)
    output.write_theme(out, "tv", {}, {}, villages, record=".sitegen-build.json", staged=stage)
    assert _files(out / "tv") == _site(b"cs3", b"hx3", b"city3") and sorted(os.listdir(out)) == ["tv"]
