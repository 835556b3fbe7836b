"""Build only what changed (reuse.py): unchanged villages are carried over, and the output is always byte for
byte what a full build of the same content makes.

The fixture is `mini` with its village copied once (xg/cs 长寿村 and xg/hx 红星村)."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage

from sitegen.build.pipeline import BuildResult, build, default_cache
from sitegen.images import renditions as assets
from sitegen.images.digests import Digests
from sitegen.oversight import refcode
from sitegen.site import code, reuse
from sitegen.site import plan as links
from tests.checked import check
from tests.conftest import FIXTURES, add_second_village


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    return add_second_village(root)


def tree(out: Path) -> dict[str, bytes]:
    """Every file of both theme folders, the record included."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for theme in ("tv", "mobile")
        for p in sorted((out / theme).rglob("*"))
        if p.is_file()
    }


def inodes(out: Path, key: str) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_ino
        for theme in ("tv", "mobile")
        for p in (out / theme / key).rglob("*")
        if p.is_file()
    }


def same_as_full_build(content: Path, out: Path, tmp_path: Path) -> BuildResult:
    """`out` is what a full build of `content` makes (with the image cache tmp_path/full-cache: a cold one at a
    test's first call); that build's result."""
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    result = build(content, full, cache=tmp_path / "full-cache")
    assert tree(out) == tree(full)
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_unchanged_village_is_carried_over_and_the_output_is_a_full_builds(content, tmp_path):
    out = tmp_path / "out"
    assert build(content, out).reused == []  # nothing to reuse yet
    hx_before, cs_before = inodes(out, "xg/hx"), inodes(out, "xg/cs")
    assert build(content, out).reused == ["xg/cs", "xg/hx"]  # nothing changed: nothing rendered
    assert inodes(out, "xg/hx") == hx_before

    edit(content / "xg" / "cs" / "affairs" / "compact.md", "爱护公共设施", "爱护公共设施和绿化")
    result = build(content, out)
    assert result.reused == ["xg/hx"] and result.pages["tv"] == same_as_full_build(content, out, tmp_path).pages["tv"]
    assert inodes(out, "xg/hx") == hx_before  # the same files, linked from the last build: not made again
    changed = [p for p, ino in inodes(out, "xg/cs").items() if cs_before.get(p) != ino]
    assert any(p.endswith(".html") for p in changed)
    page = out / "tv" / "xg" / "cs" / "affairs" / "compacts" / "compact.html"
    assert "爱护公共设施和绿化" in page.read_text("utf-8")


def test_shared_content_the_code_or_the_options_render_every_village(content, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(content, out)
    edit(content / "policies" / "law.md", "---\n", "---\n")  # rewritten, same bytes: nothing changed
    assert build(content, out).reused == ["xg/cs", "xg/hx"]
    law = content / "policies" / "law.md"
    law.write_text(law.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")  # a city item: every
    assert build(content, out).reused == []  # village lists it
    assert build(content, out, preview=True).reused == []  # drafts shown: other pages
    assert build(content, out).reused == []  # and back
    monkeypatch.setattr(code, "_renderer", lambda: "sitegen upgraded")
    assert build(content, out).reused == []
    same_as_full_build(content, out, tmp_path)


def test_a_changed_scan_renders_its_village_again(content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    scan = content / "xg" / "hx" / "scans" / "2026-09" / "1" / "01.jpg"
    with PILImage.open(scan) as im:
        im.convert("RGB").rotate(180).save(scan)  # same name, other pages (and, tall or wide, other tiles)
    assert build(content, out).reused == ["xg/cs"]
    same_as_full_build(content, out, tmp_path)


def test_a_village_linking_into_another_is_made_again_when_that_one_changes(content, tmp_path):
    edit(
        content / "xg" / "cs" / "affairs" / "compact.md",
        "爱护公共设施。",
        "爱护公共设施。见[红星村的公约](../../hx/affairs/compact.md)。",
    )
    out = tmp_path / "out"
    build(content, out)
    record = json.loads((out / "tv" / reuse.RECORD).read_text(encoding="utf-8"))
    assert record["villages"]["xg/cs"]["linked"] == ["xg/hx"] and record["villages"]["xg/hx"]["linked"] == []
    page = out / "tv" / "xg" / "cs" / "affairs" / "compacts" / "compact.html"
    assert 'href="../../../hx/affairs/compacts/compact.html"' in page.read_text("utf-8")

    hx_item = content / "xg" / "hx" / "affairs" / "compact.md"
    edit(hx_item, "category: 村规民约及各类规约", "category: 其他事项")
    assert build(content, out).reused == []  # hx changed, and cs links into it: its link moves too
    assert 'href="../../../hx/affairs/other/compact.html"' in page.read_text("utf-8")
    same_as_full_build(content, out, tmp_path)
    edit(content / "xg" / "cs" / "village.yaml", "长寿村", "长寿新村")  # cs changed: hx does not link into it
    assert build(content, out).reused == ["xg/hx"]
    same_as_full_build(content, out, tmp_path)


def test_a_code_lengthened_by_a_collision_renders_its_village_again(content, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(content, out)
    whole, _ = check(content)
    assert whole is not None
    hx = next(v for v in whole.villages if v.slug == "hx")
    identity = f"xg/hx/voucher/{hx.vouchers[0].key}"
    real = refcode.Collisions.settled

    def collided(self, again):  # as if another village's new voucher had taken hx's first voucher's short code
        real(self, again)
        self.longer = self.longer | {identity}

    monkeypatch.setattr(refcode.Collisions, "settled", collided)
    _rewrite_same(content / "site.yaml")  # (the other village's change behind it: the build's memo cannot answer)
    assert build(content, out).reused == ["xg/cs"]
    longer = refcode.long_code(refcode.VOUCHER, identity)
    assert any(longer in p.read_text("utf-8") for p in (out / "tv" / "xg" / "hx").rglob("*.html"))
    same_as_full_build(content, out, tmp_path)


def test_no_usable_record_means_every_village_is_made(content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    (out / "tv" / reuse.RECORD).write_text("{not json", encoding="utf-8")
    assert build(content, out).reused == []
    assert build(content, out).reused == ["xg/cs", "xg/hx"]  # the record is whole again
    shutil.rmtree(out / "mobile" / "xg" / "hx")  # pages gone from one theme: that village is made again
    assert build(content, out).reused == ["xg/cs"]
    same_as_full_build(content, out, tmp_path)
    assert build(content, out, themes=("tv",)).reused == ["xg/cs", "xg/hx"]


def test_a_held_village_keeps_its_record_and_is_reused_once_mended(content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    before = json.loads((out / "tv" / reuse.RECORD).read_text(encoding="utf-8"))["villages"]["xg/hx"]
    journal = content / "xg" / "hx" / "journal" / "2026-09.csv"
    good = journal.read_bytes()
    journal.write_text(good.decode("utf-8").replace("12000.00,,", "1e3,,", 1), encoding="utf-8")
    result = build(content, out, hold_back=True)
    assert "xg/hx" in result.held and result.reused == ["xg/cs"]
    assert json.loads((out / "tv" / reuse.RECORD).read_text(encoding="utf-8"))["villages"]["xg/hx"] == before
    journal.write_bytes(good)  # mended as it was: its kept pages are the ones this content makes
    assert build(content, out).reused == ["xg/cs", "xg/hx"]
    same_as_full_build(content, out, tmp_path)


# ---- issue 14: a carried village is never planned; its record says what the build needs of it --------------------


@pytest.fixture
def work(monkeypatch) -> dict[str, list[str]]:
    """What a build plans, makes and reads, by village: the villages planned (plan._Planner.village), the
    villages whose images are made (renditions.renditions), the village folders hashed file by file (reuse)."""
    seen: dict[str, list[str]] = {"planned": [], "images": [], "hashed": []}
    village, renditions, walk = links._Planner.village, assets.renditions, reuse._walk

    def planned(self, v, town, parent):
        seen["planned"].append(f"{town.slug}/{v.slug}")
        return village(self, v, town, parent)

    def made(images, *args, **kwargs):
        seen["images"] += sorted({"/".join(p.split("/")[:2]) for p in images if p.count("/") > 2})
        return renditions(images, *args, **kwargs)

    def hashed(folder, root, skip):
        if folder != root:
            seen["hashed"].append(Path(folder).relative_to(root).as_posix())
        return walk(folder, root, skip)

    monkeypatch.setattr(links._Planner, "village", planned)
    monkeypatch.setattr(assets, "renditions", made)
    monkeypatch.setattr(reuse, "_walk", hashed)
    return seen


def test_a_village_left_out_of_the_plan_keeps_its_item_paths(content):
    """plan(city, only=...): the city's and towns' pages and the named villages' are those of a whole plan; every
    village's item paths are there (a Markdown link into a village that is not planned resolves)."""
    city, report = check(content)
    assert city is not None, report.problems
    whole = links.plan(city)
    part = links.plan(city, only={"xg/cs"})
    assert part.item_paths == whole.item_paths and any(p.startswith("xg/hx/") for p in part.item_paths.values())
    kept = [p.path for p in whole.pages if not p.path.startswith("xg/hx/")]
    assert [p.path for p in part.pages] == kept and not any(p.startswith("xg/hx/") for p in part.images)
    assert {p: r.path for p, r in part.images.items()} == {
        p: r.path for p, r in whole.images.items() if not p.startswith("xg/hx/")
    }
    assert [p.path for p in links.plan(city, only=set()).pages] == [
        p for p in kept if not p.startswith(("xg/cs/", "xg/hx/"))
    ]


def _cache_entries(cache: Path) -> set[str]:
    return {p.name for p in cache.iterdir() if p.is_file()}


def test_a_one_village_change_plans_and_makes_only_that_village(content, tmp_path, work):
    out = tmp_path / "out"
    first = build(content, out)
    assert sorted(work["planned"]) == ["xg/cs", "xg/hx"] and sorted(work["hashed"]) == ["xg/cs", "xg/hx"]
    for seen in work.values():
        seen.clear()
    _same_size_other_scan(content / "xg/hx/scans/2026-09/2/01.jpg")  # hx: new pixels (new cache entries)
    result = build(content, out)
    assert result.reused == ["xg/cs"]
    assert work["planned"] == ["xg/hx"] and work["images"] == ["xg/hx"]
    assert work["hashed"] == ["xg/hx"]  # cs: its folder's stat facts are the recorded ones, its files not read
    cold = same_as_full_build(content, out, tmp_path)  # (a cold build: the test's first)
    assert (result.pages, result.images) == (cold.pages, cold.images) == (first.pages, first.images)
    # the entries hx no longer uses are dropped, cs's kept although cs was never planned: the cache holds what
    # a cold build's holds
    assert _cache_entries(default_cache(out)) == _cache_entries(tmp_path / "full-cache")


def test_a_touched_village_is_hashed_and_still_carried_over(content, tmp_path, work):
    out = tmp_path / "out"
    build(content, out)
    _rewrite_same(content / "xg/cs/journal/2026-09.csv")  # stat facts changed, content not
    edit(content / "xg/hx/party/meeting.md", "---\n", "---\n\n")
    work["hashed"].clear()
    assert build(content, out).reused == ["xg/cs"]
    assert sorted(work["hashed"]) == ["xg/cs", "xg/hx"]  # cs's facts are not the recorded ones: hashed
    same_as_full_build(content, out, tmp_path)
    work["hashed"].clear()
    edit(content / "xg/hx/party/meeting.md", "---\n\n", "---\n")
    assert build(content, out).reused == ["xg/cs"] and work["hashed"] == ["xg/hx"]  # cs's new facts recorded


def test_a_cold_build_asks_each_village_files_hash_once(content, tmp_path, monkeypatch):
    """A cold build can carry no village, so a village's own hash is taken in its turn, with the hashes its
    images step took of its scans (the image cache's keys): each scan is asked of the index once (before: by
    reuse, then again by the images step), and the hash recorded is the one taken file by file."""
    asked: list[str] = []
    get = Digests.get
    monkeypatch.setattr(Digests, "get", lambda self, source: asked.append(str(source)) or get(self, source))
    out = tmp_path / "out"
    build(content, out)
    root = content.resolve()
    scans = [a for a in asked if a.startswith((f"{root}/xg/cs/scans/", f"{root}/xg/hx/scans/"))]
    assert len(scans) == len(set(scans)) == len(list((root / "xg").glob("*/scans/*/*/*.jpg"))) > 0
    for key, entry in reuse.read_record(out / "tv").items():
        files = reuse._walk(root / key, root, set()) + [(f, f) for f in entry["outside"]]
        assert entry["own"] == reuse._hash_files(files, Digests(None), {})


def _lie(out: Path, key: str, field: str, value: object) -> None:
    for theme in ("tv", "mobile"):
        path = out / theme / reuse.RECORD
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["villages"][key][field] = value
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


LIES = {
    # the cache's entries deleted by hand: the carried pages are in the output already; a village made again
    # makes its entries again
    "cache emptied": lambda out, cache: [p.unlink() for p in cache.iterdir() if p.is_file()],
    # the lists of each village's entries gone: nothing is pruned that may be used
    "uses lists gone": lambda out, cache: shutil.rmtree(cache / ".index" / reuse.USES),
    "a list edited": lambda out, cache: [
        p.write_text("0" * 40, encoding="ascii") for p in (cache / ".index" / reuse.USES).iterdir()
    ],
    # a wrong own hash under the right stat facts: the fingerprint is not the recorded one, the village is made
    "own hash": lambda out, cache: _lie(out, "xg/cs", "own", "0" * 64),
    "stat facts": lambda out, cache: _lie(out, "xg/cs", "facts", "0" * 64),
    "no page count": lambda out, cache: _lie(out, "xg/cs", "pages", None),
}


@pytest.mark.parametrize("name", LIES)
def test_a_record_or_cache_that_lies_still_gives_a_full_builds_bytes(name, content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    LIES[name](out, default_cache(out))
    _same_size_other_scan(content / "xg/hx/scans/2026-09/2/01.jpg")
    result = build(content, out)
    assert result.reused == ([] if name in ("own hash", "no page count") else ["xg/cs"])
    cold = same_as_full_build(content, out, tmp_path)  # (a cold build: the test's first)
    assert (result.pages, result.images) == (cold.pages, cold.images)
    edit(content / "xg/cs/village.yaml", "长寿村", "长寿新村")  # cs made again: its images cached or made anew
    build(content, out)
    same_as_full_build(content, out, tmp_path)


# ---- issue 14: nothing changed is cheap; every change is noticed ---------------------------------------------------


def _same_size_other_scan(path: Path) -> None:
    """Other pixels, the same size in bytes and the same mtime: only ctime tells (a JPEG ignores bytes after its
    end marker, so a smaller encoding is padded to the old length)."""
    st = path.stat()
    with PILImage.open(path) as im:
        size = im.size
    buf = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buf, "JPEG", quality=30)
    data = buf.getvalue()
    assert len(data) < st.st_size
    path.write_bytes(data + b"\0" * (st.st_size - len(data)))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def _rewrite_same(path: Path) -> None:
    """The same bytes written again (mtime set back too): nothing to publish differently, but noticed."""
    st = path.stat()
    path.write_bytes(path.read_bytes())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


SMALL_EDITS = {
    "a voucher row": (
        lambda c: edit(c / "xg/hx/journal/2026-09.csv", "付保洁员八月工资", "付保洁员8月工资"),
        ["xg/cs"],
    ),
    "a scan's bytes, same size and mtime": (
        lambda c: _same_size_other_scan(c / "xg/hx/scans/2026-09/2/01.jpg"),
        ["xg/cs"],
    ),
    "a scan renamed": (
        lambda c: (c / "xg/hx/scans/2026-09/1/02.jpg").rename(c / "xg/hx/scans/2026-09/1/03.jpg"),
        ["xg/cs"],
    ),
    "a file deleted": (lambda c: (c / "xg/hx/rules/own.md").unlink(), ["xg/cs"]),
    "a file added": (lambda c: shutil.copy(c / "xg/hx/party/meeting.md", c / "xg/hx/party/meeting-2.md"), ["xg/cs"]),
    "site.yaml changed": (lambda c: edit(c / "site.yaml", "三务公开户户通", "三务公开"), []),
    "town.yaml changed": (lambda c: edit(c / "xg/town.yaml", "name: 夏港街道", "name: 夏港街道  # 街道"), []),
    "a town's item": (lambda c: edit(c / "xg/rules/town-rule.md", "---\n", "---\n\n"), []),
    "village.yaml rewritten, same bytes": (lambda c: _rewrite_same(c / "xg/hx/village.yaml"), ["xg/cs", "xg/hx"]),
}


@pytest.mark.parametrize("name", SMALL_EDITS)
def test_every_small_edit_is_noticed_and_the_output_is_a_cold_builds(name, content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    again = build(content, out)
    assert again.unchanged and again.reused == ["xg/cs", "xg/hx"]
    change, reused = SMALL_EDITS[name]
    change(content)
    result = build(content, out)
    assert not result.unchanged and result.reused == reused
    same_as_full_build(content, out, tmp_path)
    assert build(content, out).unchanged  # and then nothing changed again


def test_the_code_or_todays_date_or_the_options_are_noticed(content, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(content, out)
    assert build(content, out).unchanged
    assert not build(content, out, themes=("tv",)).unchanged
    assert not build(content, out).unchanged  # the other theme's record: the options are in the state
    assert build(content, out).unchanged
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-05")  # a date far in the future may not be so any more
    assert not build(content, out).unchanged
    monkeypatch.setattr(code, "_renderer", lambda: "sitegen upgraded")
    assert not build(content, out).unchanged


def test_an_output_changed_by_hand_is_built_again(content, tmp_path):
    out = tmp_path / "out"
    build(content, out)
    record = out / "mobile" / reuse.RECORD
    record.write_text(record.read_text(encoding="utf-8").replace('"format"', '"format" '), encoding="utf-8")
    assert not build(content, out).unchanged
    shutil.rmtree(out / "tv")
    result = build(content, out)
    assert not result.unchanged and (out / "tv" / "index.html").is_file()
    same_as_full_build(content, out, tmp_path)


def test_a_held_village_is_told_again_when_nothing_changed(content, tmp_path):
    out = tmp_path / "out"
    build(content, out, hold_back=True)
    edit(content / "xg/hx/journal/2026-09.csv", "2500.50,,王五", "2500.00,,王五")  # no longer balances
    first = build(content, out, hold_back=True)
    again = build(content, out, hold_back=True)
    assert list(first.held) == ["xg/hx"] and again.unchanged
    assert list(again.held) == ["xg/hx"] and [p.format() for p in again.held["xg/hx"]] == [
        p.format() for p in first.held["xg/hx"]
    ]
    assert [p.format() for p in again.report.sorted()] == [p.format() for p in first.report.sorted()]
    assert again.pages == first.pages and again.reused == ["xg/cs"]
