"""digests.py: what is remembered by stat facts (image headers: Probes) and the content's state (tree_facts)."""

from __future__ import annotations

import os
import shutil

from sitegen.images import renditions as assets
from sitegen.images.digests import Probes, stat_facts, tree_facts
from tests.checked import check
from tests.conftest import FIXTURES


def test_an_unchanged_scans_header_is_not_read_again_a_rewritten_one_is(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    opened = []
    real = assets.probe
    monkeypatch.setattr(assets, "probe", lambda path: opened.append(path.name) or real(path))
    memo = tmp_path / "facts.sqlite"
    first = Probes(memo, assets.PROBE, create=True)
    city, report = check(content, probes=first)
    assert city is not None and not report.errors and len(opened) >= 5
    first.save()
    opened.clear()
    again = Probes(memo, assets.PROBE)
    city2, _ = check(content, probes=again)
    assert opened == []  # every header from the record
    assert [[(s.source, s.pages) for s in v.scans] for v in city2.villages[0].vouchers] == [
        [(s.source, s.pages) for s in v.scans] for v in city.villages[0].vouchers
    ]
    scan = content / "xg/cs/scans/2026-09/2/01.jpg"
    st = scan.stat()
    scan.write_bytes(scan.read_bytes())  # same bytes, same mtime: only ctime tells
    os.utime(scan, ns=(st.st_atime_ns, st.st_mtime_ns))
    check(content, probes=Probes(memo, assets.PROBE))
    assert opened == ["01.jpg"]
    assert Probes(memo, assets.PROBE).header(scan, stat_facts(scan)) is not None
    assert Probes(memo, "another way of reading headers").header(scan, stat_facts(scan)) is None  # nothing trusted


def test_a_header_that_failed_is_read_again_every_time(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    (content / "xg/cs/scans/2026-09/2/01.jpg").write_bytes(b"not a jpeg")
    memo = tmp_path / "facts.sqlite"
    probes = Probes(memo, assets.PROBE, create=True)
    _, report = check(content, probes=probes)
    assert any(p.code == "image-bad" for p in report.errors)
    probes.save()
    _, again = check(content, probes=Probes(memo, assets.PROBE))
    assert [p.format() for p in again.errors] == [p.format() for p in report.errors]


def test_tree_facts_notice_every_kind_of_change(tmp_path):
    root = tmp_path / "c"
    (root / "a").mkdir(parents=True)
    (root / "a" / "f.txt").write_text("one")
    (root / "out").mkdir()
    seen = {tree_facts(root)}

    def changed() -> bool:
        state = tree_facts(root)
        new = state not in seen
        seen.add(state)
        return new

    st = (root / "a" / "f.txt").stat()
    (root / "a" / "f.txt").write_text("two")  # same size
    os.utime(root / "a" / "f.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert changed()
    (root / "a" / "f.txt").rename(root / "a" / "g.txt")
    assert changed()
    (root / "a" / "h.txt").write_text("")
    assert changed()
    (root / "a" / "h.txt").unlink()
    assert changed()
    (root / "a" / "link").symlink_to("g.txt")
    assert changed()
    with open(os.path.join(os.fsencode(root / "a"), b"\xff\xfe.txt"), "wb"):  # a name that is not UTF-8
        pass
    assert changed()
    skip = {os.path.realpath(root / "out")}
    before = tree_facts(root, skip)
    (root / "out" / "page.html").write_text("x")  # an output folder inside: left out
    assert tree_facts(root, skip) == before


def test_tree_facts_gives_each_village_folder_its_own_facts_from_one_walk(tmp_path):
    """`parts`: each folder two levels down hashed as tree_facts would hash it alone (the validation memo's key)."""
    root = tmp_path / "content"
    for rel in ("site.yaml", "t/town.yaml", "t/a/village.yaml", "t/a/scans/1/01.jpg", "t/b/village.yaml", "u/c/x.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (root / "t/b/link.jpg").symlink_to("../a/scans/1/01.jpg")
    parts: dict[str, str] = {}
    assert tree_facts(root, frozenset(), True, parts) == tree_facts(root, resolved=True)
    assert set(parts) == {"t/a", "t/b", "u/c"}
    assert all(parts[k] == tree_facts(root / k, resolved=True) for k in parts)
    assert tree_facts(root / "t/b", resolved=True) != tree_facts(root / "t/b")  # a link's real path counts
