"""The build as a whole (issue 11): `check` and `build` agree, one village's failure holds back only that village,
one build per output folder at a time, a published village or town that can no longer be read is an error."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner
from PIL import Image as PILImage

from sitegen.build import lock, pipeline
from sitegen.build.pipeline import build
from sitegen.build.place import locate
from sitegen.build.scope import unpublished
from sitegen.cli.main import cli
from sitegen.content import progress
from sitegen.content.errors import ContentError, OutputError, Report
from sitegen.content.model import City, Image, Item, Village, Voucher
from sitegen.content.privacy import find_unmasked, mask
from sitegen.finance import ledger
from sitegen.images import renditions as assets
from sitegen.images.digests import FILE, Checked, facts_file
from sitegen.oversight import refcode, review
from sitegen.site import output, render, reuse
from sitegen.site import plan as links
from sitegen.site.finance_pages import finance_slug
from sitegen.validate.city import item_slug
from sitegen.validate.store import VillageStore
from tests import oversightkit
from tests.checked import check
from tests.conftest import add_second_village, snapshot
from tests.deploykit import env, kill, paused, two_villages, wait_until_blocked

SCAN = "xg/cs/scans/2026-09/2/01.jpg"  # a scan of voucher 2 of the village xg/cs


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two villages (xg/cs, xg/cs2), built once into base/out; each test works on a copy (warm image cache)."""
    base = tmp_path_factory.mktemp("built")
    two_villages(base / "content")
    build(base / "content", base / "out")
    return base


@pytest.fixture
def city(built, tmp_path) -> tuple[Path, Path]:
    shutil.copytree(built, tmp_path / "city")
    return tmp_path / "city" / "content", tmp_path / "city" / "out"


def run(*args) -> int:
    return CliRunner().invoke(cli, [str(a) for a in args]).exit_code


# ---- 1. check finds what build stops on -------------------------------------------------------------------------


def jpeg(size=(600, 800)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, "white").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_bad_crc(path: Path) -> None:
    buf = io.BytesIO()
    PILImage.new("L", (300, 200), 255).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    at = data.find(b"IDAT")
    data[at + 4 + struct.unpack(">I", data[at - 4 : at])[0]] ^= 0xFF  # the IDAT chunk's checksum
    path.write_bytes(bytes(data))


def tiff_second_page_cut(path: Path) -> None:
    pages = [PILImage.new("L", (400, 600), v) for v in (255, 200)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:])
    data = buf.getvalue()
    second = data.rfind(bytes([200] * 64))  # inside the second page's pixels: the header and IFDs are kept
    path.write_bytes(data[:second] + data[second + 60_000 :] if second > 0 else data[:-1000])


def scan(name: str, writer):
    """Replace voucher 2's scan with the file `writer` makes at xg/cs/scans/2026-09/2/NAME."""

    def edit(content: Path) -> None:
        (content / SCAN).unlink()
        writer(content / SCAN.replace("01.jpg", name))

    return edit


BROKEN = {  # name -> (edit, check and build must fail)
    "unchanged": (lambda c: None, False),
    "jpeg truncated": (scan("01.jpg", lambda p: p.write_bytes(jpeg()[: len(jpeg()) // 2])), True),
    "png bad checksum": (scan("01.png", png_bad_crc), True),
    "tiff page cut": (scan("01.tif", tiff_second_page_cut), True),
    "pdf broken": (scan("01.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n" + os.urandom(400))), True),
    "heic broken": (scan("01.heic", lambda p: p.write_bytes(b"\0\0\0\x18ftypheic" + os.urandom(500))), True),
    "zero bytes": (scan("01.jpg", lambda p: p.write_bytes(b"")), True),
    "text named .png": (scan("01.png", lambda p: p.write_text("not an image")), True),
    "gif named .jpg": (scan("01.jpg", lambda p: PILImage.new("RGB", (50, 50)).save(p, "GIF")), True),
    "png named .jpg (sound)": (
        scan("01.jpg", lambda p: PILImage.new("RGB", (300, 400), "white").save(p, "PNG")),
        False,
    ),
    "item image truncated": (lambda c: (c / "xg/cs/files/basis.jpg").write_bytes(jpeg()[:3000]), True),
    "village.yaml gone": (lambda c: (c / "xg/cs2/village.yaml").unlink(), True),
    "feedback_url too long for its QR codes": (
        lambda c: (c / "site.yaml").write_text(
            (c / "site.yaml").read_text("utf-8") + f"feedback_url: https://x.cn/{'a' * 3000}?c={{code}}\n", "utf-8"
        ),
        True,
    ),
    "feedback_url": (
        lambda c: (c / "site.yaml").write_text(
            (c / "site.yaml").read_text("utf-8") + "feedback_url: https://x.cn/q?c={code}\n", "utf-8"
        ),
        False,
    ),
    "journal unbalanced": (
        lambda c: (c / "xg/cs/journal/2026-09.csv").write_text(
            (c / "xg/cs/journal/2026-09.csv").read_text("utf-8").replace(",2500.50,,", ",2900.50,,", 1), "utf-8"
        ),
        True,
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_check_fails_exactly_when_build_fails(city, case):
    content, out = city
    edit, broken = BROKEN[case]
    edit(content)
    checked, made = run("check", content, "-o", out), run("build", content, "-o", out)
    assert (checked != 0, made != 0) == (broken, broken), (checked, made)


def test_check_does_not_decode_again_what_the_build_found_sound(city, monkeypatch):
    content, out = city
    jobs: list[int] = []
    real = assets._decode_all
    monkeypatch.setattr(assets, "_decode_all", lambda todo, *a: jobs.append(len(todo)) or real(todo, *a))
    memo = facts_file(pipeline.default_cache(out))
    build(content, out)  # the copy's files have new inodes: the build checks them again and remembers them
    jobs.clear()
    _, report = check(content, Checked(memo, assets.CHECK))
    assert not report.errors and sum(jobs) == 0  # (a check a village at a time: one call each, none to decode)
    jobs.clear()
    (content / SCAN).write_bytes(jpeg()[:5000])  # changed since: decoded again, and found broken
    _, report = check(content, Checked(memo, assets.CHECK))
    assert sum(jobs) == 1 and [p.code for p in report.errors] == ["image-bad"]
    assert report.errors[0].where.path == f"content/{SCAN}"


def test_every_image_of_the_model_is_found():
    """The model walk finds scans, item images and basis scans (and so any image a new record kind holds)."""
    content = Path(__file__).parent / "fixtures" / "finance"
    city, _ = check(content)
    assert city is not None
    found = {img.where for img in pipeline.published_images(city)}
    planned = {(r.image if isinstance(r, assets.Rendition) else r).where for r in links.plan(city).images.values()}
    assert planned and planned <= found


# ---- 2. one village's failure holds back only that village ---------------------------------------------------------


def move(content: Path, village: str) -> None:
    """A change to a village's pages (its intro)."""
    yaml = content / "xg" / village / "village.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("东部", "南部"), "utf-8")


def files_of(out: Path, village: str) -> dict[str, str]:
    return {p: h for theme in ("tv", "mobile") for p, h in snapshot(out / theme / "xg" / village).items()}


def late_image(content, monkeypatch):  # passes validation (as if its check were skipped), fails when made
    monkeypatch.setattr(assets, "check_images", lambda *a, **k: set())
    (content / SCAN).write_bytes(jpeg()[:6000])


def render_error(content, monkeypatch):
    real = render.body_html

    def body(item, page, *a, **k):
        if page.path.startswith("xg/cs/"):
            raise RuntimeError("template bug")
        return real(item, page, *a, **k)

    monkeypatch.setattr(render, "body_html", body)


def content_error(content, monkeypatch):
    journal = content / "xg/cs/journal/2026-09.csv"
    journal.write_text(journal.read_text("utf-8").replace(",2500.50,,", ",2900.50,,", 1), "utf-8")


def broken_link(content, monkeypatch):
    real = links.LinkCheck.page

    def page(self, path, data, scope=None):  # the link check sees the page with a link to nowhere
        real(self, path, data + b'<a href="nowhere.html">x</a>' if path == "xg/cs/index.html" else data, scope)

    monkeypatch.setattr(links.LinkCheck, "page", page)


def unmasked(content, monkeypatch):
    yaml = content / "xg/cs/village.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("长寿村位于", "LEAK长寿村位于"), "utf-8")
    real = pipeline.find_unmasked_in
    monkeypatch.setattr(pipeline, "find_unmasked_in", lambda data: ["3202811958"] if b"LEAK" in data else real(data))


LATE = {
    "image found late": late_image,
    "render error": render_error,
    "content error": content_error,
    "broken link": broken_link,
    "unmasked personal data": unmasked,
}


@pytest.mark.parametrize("case", LATE)
def test_a_failing_village_is_held_and_the_other_is_built(city, monkeypatch, case):
    content, out = city
    before = files_of(out, "cs")
    move(content, "cs")  # both changed: both would be made again
    move(content, "cs2")
    LATE[case](content, monkeypatch)
    result = build(content, out, hold_back=True)
    assert set(result.held) == {"xg/cs"} and result.held["xg/cs"], result.report.errors
    assert files_of(out, "cs") == before  # its last good pages, byte for byte
    assert "南部" in (out / "tv/xg/cs2/index.html").read_text("utf-8")  # the other village has the change
    for theme in ("tv", "mobile"):
        town = (out / theme / "xg/index.html").read_text("utf-8")
        assert 'href="cs/index.html"' in town and 'href="cs2/index.html"' in town  # both still listed
    with pytest.raises(ContentError):  # without hold_back (the library default) it stops everything
        build(content, out)


@pytest.mark.parametrize("case", ["render error", "broken link", "unmasked personal data"])
def test_check_finds_what_fails_only_when_pages_are_made(city, monkeypatch, case):
    """check rehearses the build's page work in memory (pipeline.rehearse): what would hold a village back in
    the build fails the check too, naming it."""
    content, out = city
    move(content, "cs")
    LATE[case](content, monkeypatch)
    before = snapshot(out)
    r = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    assert r.exit_code == 1 and "xg/cs/" in r.output, r.output
    assert snapshot(out) == before  # check writes nothing
    assert run("build", content, "-o", out) == 1


def test_build_exits_1_naming_the_held_village_and_writes_the_others(city):
    content, out = city
    move(content, "cs2")
    (content / SCAN).write_bytes(jpeg()[:6000])
    r = CliRunner().invoke(cli, ["build", str(content), "-o", str(out)])
    assert r.exit_code == 1
    assert "held back" in r.output and "xg/cs" in r.output and "image-bad" in r.output
    assert "南部" in (out / "tv/xg/cs2/index.html").read_text("utf-8")


@pytest.mark.parametrize("where", ["index.html", "xg/index.html"])
def test_a_failure_in_the_city_or_a_town_page_changes_nothing(city, monkeypatch, where):
    content, out = city
    before = snapshot(out)
    move(content, "cs2")
    real = links.LinkCheck.page

    def page(self, path, data, scope=None):
        real(self, path, data + b'<a href="nowhere.html">x</a>' if path == where else data, scope)

    monkeypatch.setattr(links.LinkCheck, "page", page)
    with pytest.raises(ContentError) as caught:
        build(content, out, hold_back=True)
    assert [p.code for p in caught.value.report.errors] == ["link-broken"] * 2  # one per theme
    assert snapshot(out) == before


def test_every_village_failing_changes_nothing(city):
    content, out = city
    before = snapshot(out)
    for village in ("cs", "cs2"):
        journal = content / "xg" / village / "journal/2026-09.csv"
        journal.write_text(journal.read_text("utf-8").replace(",2500.50,,", ",2900.50,,", 1), "utf-8")
    assert run("build", content, "-o", out) == 1
    assert snapshot(out) == before


# ---- 3. one build at a time ------------------------------------------------------------------------------------------


def sitegen(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *map(str, args)], capture_output=True, text=True, env=env(), timeout=300
    )


@pytest.mark.parametrize("at", ["sitegen.build.pipeline:check_stored", "sitegen.site.output:write_theme"])
def test_a_second_build_of_the_same_output_exits_4_and_loses_nothing(city, tmp_path, at):
    """The first run stopped in its check (which writes the villages' memo entries its build then restores from),
    or in its swap."""
    content, out = city
    move(content, "cs2")
    first = paused(tmp_path / "marker", at, "build", content, "-o", out, when="before")
    try:
        second = sitegen("build", content, "-o", out)
        assert second.returncode == 4, second.stderr
        assert "another run holds" in second.stderr and "--wait" in second.stderr
    finally:
        kill(first)
    third = sitegen("build", content, "-o", out)  # the killed run's lock went with it
    assert third.returncode == 0, third.stderr
    fresh = tmp_path / "fresh"
    build(content, fresh)  # the reference: a full build (in this process: the start of a CLI process spared)
    for theme in ("tv", "mobile"):  # every page there, nothing of another run's staging folder lost
        assert snapshot(out / theme) == snapshot(fresh / theme)
    assert not list(out.glob(".*tmp-*"))


def test_two_builds_started_together_lose_no_page(city, tmp_path):
    """No pause: both race for real. Each either builds or exits 4, and the live site is whole."""
    content, out = city
    move(content, "cs2")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sitegen", "build", str(content), "-o", str(out)],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=300) for p in runs)
    assert codes in ([0, 0], [0, 4]), [p.communicate() for p in runs]
    fresh = tmp_path / "fresh"
    build(content, fresh)  # the reference: a full build (in this process: the start of a CLI process spared)
    for theme in ("tv", "mobile"):
        assert snapshot(out / theme) == snapshot(fresh / theme)


def test_wait_waits_for_the_running_build(city, tmp_path):
    content, out = city
    first = paused(tmp_path / "marker", "sitegen.site.output:write_theme", "build", content, "-o", out, when="before")
    second = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", str(content), "-o", str(out), "--wait"],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_blocked(second)
    finally:
        kill(first)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert (out / "mobile/xg/cs2/index.html").is_file()


def test_the_image_cache_is_locked_too(city, tmp_path):
    content, out = city
    cache = pipeline.default_cache(out)
    with lock.hold(cache / ".index" / "build.lock"):
        with pytest.raises(lock.Busy):
            build(content, tmp_path / "elsewhere", cache=cache)
    assert not (tmp_path / "elsewhere" / "tv").exists()


# ---- 4. a published village or town that cannot be read ----------------------------------------------------------------


def test_a_published_village_that_cannot_be_read_is_held_and_still_listed(city):
    content, out = city
    before, town = files_of(out, "cs"), (out / "tv/xg/index.html").read_text("utf-8")
    move(content, "cs2")
    (content / "xg/cs/village.yaml").unlink()
    r = CliRunner().invoke(cli, ["build", str(content), "-o", str(out)])
    assert r.exit_code == 1 and "content/xg/cs/village.yaml" in r.output and "village-unreadable" in r.output
    assert files_of(out, "cs") == before
    assert "南部" in (out / "tv/xg/cs2/index.html").read_text("utf-8")
    now = (out / "tv/xg/index.html").read_text("utf-8")
    tile = re.search(r'<a[^>]*href="cs/index.html".*?</a>', town, re.S).group(0)
    assert tile in now  # listed exactly as before: name and counts
    r = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    assert r.exit_code == 1 and "content/xg/cs/village.yaml" in r.output


def test_a_published_town_that_cannot_be_read_changes_nothing(city):
    content, out = city
    before = snapshot(out)
    move(content, "cs2")
    (content / "xg/town.yaml").unlink()
    r = CliRunner().invoke(cli, ["build", str(content), "-o", str(out)])
    assert r.exit_code == 1 and "content/xg/town.yaml" in r.output and "town-unreadable" in r.output
    assert snapshot(out) == before
    assert run("check", content, "-o", out) == 1


def test_a_published_town_that_cannot_be_read_is_held_and_the_other_town_built(tmp_path):
    content, out = two_villages(tmp_path / "content"), tmp_path / "out"
    shutil.copytree(content / "xg", content / "nt")
    for path in [*(content / "nt").rglob("*.md"), *(content / "nt").rglob("reviews.yaml")]:  # reviewed by its town
        path.write_text(path.read_text("utf-8").replace("夏港街道", "南塘镇"), "utf-8")
    (content / "nt/town.yaml").write_text("name: 南塘镇\n", "utf-8")
    build(content, out)
    before = {theme: snapshot(out / theme / "nt") for theme in ("tv", "mobile")}
    move(content, "cs2")
    (content / "nt/town.yaml").unlink()
    r = CliRunner().invoke(cli, ["build", str(content), "-o", str(out)])
    assert r.exit_code == 1 and "content/nt/town.yaml" in r.output and "town-unreadable" in r.output, r.output
    assert {theme: snapshot(out / theme / "nt") for theme in ("tv", "mobile")} == before  # the town, whole
    assert "南部" in (out / "tv/xg/cs2/index.html").read_text("utf-8")
    city = (out / "tv/index.html").read_text("utf-8")
    assert "南塘镇" in city and 'href="nt/index.html"' in city and 'href="nt/cs2/index.html"' in city
    r = CliRunner().invoke(cli, ["build", str(content), "-o", str(out)])  # and again: still held, still there
    assert r.exit_code == 1 and {theme: snapshot(out / theme / "nt") for theme in ("tv", "mobile")} == before


def test_a_village_whose_folder_is_deleted_is_taken_down(city):
    content, out = city
    shutil.rmtree(content / "xg/cs2")
    assert run("build", content, "-o", out) == 0
    assert not (out / "tv/xg/cs2").exists() and (out / "tv/xg/cs/index.html").is_file()


# ---- issue 14: named, timed steps; the image cache beside the output; progress; check's verdict remembered -------


def test_the_image_cache_is_beside_the_output_and_can_be_put_elsewhere(city, tmp_path):
    content, out = city
    assert pipeline.default_cache(out) == out.parent / "out.cache"
    assert (out.parent / "out.cache" / ".index" / FILE).is_file()
    assert not (out / ".cache" / "images").exists()  # never inside what is published
    elsewhere = tmp_path / "images"
    shutil.rmtree(out)
    result = CliRunner().invoke(cli, ["build", str(content), "-o", str(out), "--cache", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert (elsewhere / ".index" / FILE).is_file() and len(list(elsewhere.iterdir())) > 1
    assert not (out / ".cache" / "images").exists()


def test_a_build_holding_the_cache_makes_another_exit_4_even_with_nothing_changed(city):
    content, out = city
    assert run("build", content, "-o", out) == 0  # (now the memo would answer)
    with lock.hold(pipeline.default_cache(out) / ".index" / "build.lock"):
        assert run("build", content, "-o", out) == 4
    assert run("build", content, "-o", out) == 0


def test_build_timings_name_every_step_on_stderr(city):
    content, out = city
    (content / "xg" / "cs" / "rules" / "own.md").unlink()
    result = CliRunner().invoke(cli, ["build", str(content), "-o", str(out), "--timings"])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert [name for name in pipeline.STEPS if re.search(rf"^{name} +[\d.]+ s wall +[\d.]+ s CPU$", err, re.M)] == list(
        pipeline.STEPS
    )
    assert "total" in err and "步骤 steps:" not in result.stdout
    again = CliRunner().invoke(cli, ["build", str(content), "-o", str(out), "--timings"])
    assert "没有变化" in again.stdout and re.search(r"^check +[\d.]+ s wall", again.stderr, re.M)


def test_a_villages_renditions_are_placed_in_the_images_step(city, monkeypatch, tmp_path):
    """Linking a village's renditions, charts and QR codes into staging is image work: timed in the images step,
    not in render (where the pages are made), so the text steps are what is set against Hugo (bench_build)."""
    content, out = city
    steps_now: list[str] = []
    placed: dict[str, set[str]] = {}
    real = output.Stage.link

    def link(stage, path, source):
        placed.setdefault(steps_now[-1], set()).add(path.split("/", 2)[1] if path.count("/") > 1 else "")
        return real(stage, path, source)

    monkeypatch.setattr(output.Stage, "link", link)
    build(content, tmp_path / "fresh", cache=pipeline.default_cache(out), steps=pipeline.Steps(steps_now.append))
    assert {"cs", "cs2"} <= placed["images"], placed  # both villages' files placed
    assert "render" not in placed, placed


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_at_a_terminal_only():
    assert progress.Progress.for_stream(io.StringIO()) is None  # cron: not a terminal, nothing shown
    progress.tell("villages", 1, 2)  # nobody listening: nothing happens
    screen = _Terminal()
    shown = progress.Progress.for_stream(screen)
    assert shown is not None
    shown.step("check")
    progress.tell("villages", 1, 250)
    progress.tell("villages", 250, 250)
    assert "1/250" not in screen.getvalue() or "250/250" in screen.getvalue()
    assert "250/250 村 villages" in screen.getvalue()
    shown.done()
    before = screen.getvalue()
    progress.tell("scans", 5, 9)
    assert screen.getvalue() == before and before.endswith("\r")


def test_progress_estimates_what_is_left(monkeypatch):
    clock = iter([0.0, 10.0, 10.0])  # the first count, the second, its drawing
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = _Terminal()
    shown = progress.Progress(screen)
    shown.name = "images"
    shown.count("scans", 0, 100)  # starts counting at t=0
    shown.count("scans", 50, 100)  # half in 10 s: about 10 s left
    assert "50/100 张图 scans，约 10 秒 ~10 s left" in screen.getvalue()
    shown.done()


def test_check_tells_its_verdict_again_when_nothing_changed(city, monkeypatch):
    content, out = city
    first = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    assert first.exit_code == 0
    real = pipeline.rehearse
    calls = []
    monkeypatch.setattr(pipeline, "rehearse", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    assert (again.exit_code, again.stdout, again.stderr, calls) == (0, first.stdout, first.stderr, [])
    journal = content / "xg" / "cs" / "journal" / "2026-09.csv"
    journal.write_text(journal.read_text(encoding="utf-8").replace("2500.50,,王五", "2500.00,,王五"), encoding="utf-8")
    broken = CliRunner().invoke(cli, ["check", str(content), "-o", str(out)])
    assert broken.exit_code == 1 and calls == [1] and "凭证" in broken.stderr
    village = CliRunner().invoke(cli, ["check", str(content / "xg" / "cs2"), "-o", str(out)])
    assert village.exit_code == 0 and calls == [1, 1]  # another scope: another verdict


# ---- h18: read once, then derive (issue 13) ----------------------------------------------------------------------


def _derived_content(tmp_path: Path) -> Path:
    """The oversight fixture with something for every step after validation to derive: payment warnings (one
    acknowledged; a split over a month's end whose second payment is in a month not yet approved), hotline
    questions about an item and a voucher, a draft item and a draft month."""
    root = oversightkit.content(tmp_path)
    oversightkit.journal(
        root,
        "cs",
        [
            oversightkit.Pay("2026-09-03", "60000.00", "工程公司"),  # large payment, acknowledged
            oversightkit.Pay("2026-09-29", "30000.00", "乙公司"),  # split over the month's end: held with 10-02
            oversightkit.Pay("2026-10-02", "30000.00", "乙公司"),  # 2026-10 has no month review: a draft
        ],
    )
    oversightkit.journal(root, "jt", [oversightkit.Pay("2026-09-05", "200.00", "丁")])
    (root / "xg/cs/acknowledgements.yaml").write_text(
        "- {voucher: 2026-09 记-1, rule: 大额支付, by: 夏港街道农经站, date: 2026-09-05, explanation: 按合同支付。}\n",
        encoding="utf-8",
    )
    city, _ = check(root)
    assert city is not None
    codes = refcode.assign(city)
    cs = city.villages[0]
    meeting = next(i for i in cs.items if i.slug == "meeting")
    oversightkit.write_csv(
        root / "feedback/hotline.csv",
        [
            ["工单号", "日期", "查询码", "问题", "承办部门", "答复", "状态", "答复日期"],
            [
                "T1",
                "2026-09-20",
                codes[id(meeting)],
                "几个人参加？",
                "夏港街道组织办",
                "41人。",
                "已答复",
                "2026-09-25",
            ],
            ["T2", "2026-10-03", codes[id(cs.vouchers[2])], "这笔钱？", "夏港街道农经站", "", "办理中", ""],
        ],
    )
    return root


def _validated(monkeypatch) -> list[tuple[City | None, bytes]]:
    """Each city validation makes from now on, with its pickle taken as validation gives it: each village's as it
    is given (the check goes through each in its turn: pipeline.Validation), put back in its town with the city's
    own part at validation's finish (their pickles then must be what they were when given)."""
    made: list[tuple[City | None, bytes]] = []
    real = pipeline.Validation

    class Recorded(real):  # type: ignore[misc, valid-type]
        def villages(self):
            self.given = []
            for town, village in super().villages():
                self.given.append((town.slug, village, pickle.dumps(village)))
                yield town, village

        def finish(self):
            city = super().finish()
            for _, village, before in self.given:
                assert pickle.dumps(village) == before  # not changed while the check went through it
            whole = dataclasses.replace(
                city,
                towns=[
                    dataclasses.replace(t, villages=[v for slug, v, _ in self.given if slug == t.slug])
                    for t in city.towns
                ],
            )
            made.append((whole, pickle.dumps(whole)))
            return city

    monkeypatch.setattr(pipeline, "Validation", Recorded)
    return made


def test_the_validated_city_is_never_changed_by_the_build(tmp_path, monkeypatch):
    """Read once, then derive: oversight, review (drafts out or marked), ledgers, stand-ins for what cannot be
    read and held villages never built each return a new city; the one validation made is left exactly as it
    was (its pickle, taken as validate returns it, is the same after the build, `--preview` and `check` too)."""
    root = _derived_content(tmp_path)
    made = _validated(monkeypatch)
    city, report = check(root)
    assert not report.errors, [p.format() for p in report.errors]
    cs = city.villages[0]
    assert {w.rule for w in cs.warnings} >= {"large-payment", "split-payment"}  # what there is to derive
    assert any(w.acknowledgement for w in cs.warnings) and [q.ticket for q in city.questions] == ["T1", "T2"]
    out = tmp_path / "out"
    build(root, out, themes=("mobile",), hold_back=True)
    assert "T1" in (out / "mobile/xg/cs/party/organisation/meeting.html").read_text(encoding="utf-8")
    build(root, tmp_path / "preview", themes=("mobile",), preview=True)
    pipeline.rehearse(root, out, themes=("mobile",))
    (root / "xg/jt/village.yaml").unlink()  # a published village that cannot be read: a stand-in, held
    assert list(build(root, out, themes=("mobile",), hold_back=True).held) == ["xg/jt"]
    assert len(made) == 5
    for validated, before in made:
        assert pickle.dumps(validated) == before
    first = made[0][0]
    assert first is not None and all(not v.warnings and not v.ledgers for v in first.villages)  # derived: elsewhere


def test_a_held_village_never_built_is_left_out_of_a_new_city(tmp_path, monkeypatch):
    """_drop_never_built and vanished return new cities: the city they are given keeps every village."""
    root = _derived_content(tmp_path)
    (root / "xg/jt/reviews.yaml").write_text("2026-13: {}\n", encoding="utf-8")  # jt held, never built before
    made = _validated(monkeypatch)
    result = build(root, tmp_path / "out", themes=("mobile",), hold_back=True)
    assert list(result.held) == ["xg/jt"] and result.villages == ["xg/cs"]  # left out of the city built
    ((validated, before),) = made
    assert validated is not None and [v.slug for v in validated.villages] == ["cs", "jt"]
    assert pickle.dumps(validated) == before


# ---- 4b. the check keeps no village: each is stored, restored in its turn (issue 14: memory at any size) -------------


def _model_of_villages(root: object, villages: set[str]) -> list[str]:
    """The villages, vouchers and village items (an item whose file is in one of `villages`' folders,
    "town/village") reachable from `root`, named."""
    found, seen, todo = [], set(), [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, type(sys))):
            continue
        seen.add(id(obj))
        if isinstance(obj, (Village, Voucher)):
            found.append(f"{type(obj).__name__} {obj.key if isinstance(obj, Voucher) else obj.slug}")
            continue
        if isinstance(obj, Item) and "/".join(obj.where.split("/")[1:3]) in villages:
            found.append(f"Item {obj.where}")
            continue
        todo.extend(gc.get_referents(obj))
    return found


def test_the_check_keeps_no_village_and_the_round_restores_one_at_a_time(tmp_path, mini, monkeypatch):
    """After the check, nothing of any village is reachable from what it gives the build (a city of listings:
    each village stored, none held), yet the city's and towns' items are; during the build's round only the
    village in its turn is alive (restored, published, its ledgers made), whatever came before it. And `check`,
    which gives the whole city (the reports), restores every village as the stored check left it."""
    root = add_second_village(mini)
    stored, report = pipeline.check_stored(root)
    assert stored is not None and not report.errors
    try:
        keys = {v.key for v in stored.listed}
        assert keys == {"xg/cs", "xg/hx"} and [v.key for v in stored.published] == ["xg/cs", "xg/hx"]
        assert _model_of_villages(stored, keys) == []
        assert stored.city.items and all(not t.villages for t in stored.city.towns)
        assert stored.village("xg/hx").vouchers and stored.village("xg/hx") is not stored.village("xg/hx")
        folder = stored.store.folder
        assert sorted(p.name for p in folder.iterdir()) == ["0.pickle", "1.pickle"]
    finally:
        stored.close()
    assert not folder.exists()
    whole, again = check(root)
    assert whole is not None and [v.slug for v in whole.villages] == ["cs", "hx"]
    assert [p.format() for p in again.problems] == [p.format() for p in report.problems]
    del whole, stored

    alive: list[set[str]] = []
    real = pipeline._Round.plan_village

    def plan_village(self, key):
        site = real(self, key)
        gc.unfreeze()  # (the run freezes what it holds: memo.holding) every object counted
        gc.collect()
        alive.append({f"{o.town_slug}/{o.slug}" for o in gc.get_objects() if isinstance(o, Village)})
        assert alive[-1] == {key}, (key, alive[-1])
        return site

    monkeypatch.setattr(pipeline._Round, "plan_village", plan_village)
    build(root, tmp_path / "out", themes=("mobile",))
    assert alive == [{"xg/cs"}, {"xg/hx"}]


def test_the_check_leaves_no_village_s_garbage_behind(mini, monkeypatch):
    """Issue 14: as each village's turn in the check begins, no voucher of a village gone through is left, alive
    or as garbage. A village's vouchers and its warnings name each other, and inside a run the collector's full
    passes are rare (memo.FULL_EVERY): each village's model waited as garbage (~1 MiB a seed-scale village) until
    one came. The check now collects it, and freezes what is left, before the next village is validated. Nor is a
    `Path` of it held (the body-link index keeps hashes, the listings packed text: a `Path` and a page path an
    item, with its identity and code in refcode.Collisions, were ~0.25 MiB a seed-scale village held to the check's
    end; load's listing of the folders, made before, is another matter)."""
    root = add_second_village(mini)
    gc.collect()
    before = {id(o) for o in gc.get_objects() if isinstance(o, Voucher)}
    left: list[int] = []
    held: list[list[str]] = []
    real = pipeline._Stream.village

    def village(self, town, village, facts=None):
        gc.unfreeze()  # (the run freezes what it holds: memo.holding) every object counted, garbage too
        gc.collect()
        objects = gc.get_objects()
        left.append(sum(1 for o in objects if isinstance(o, Voucher) and id(o) not in before))
        left[-1] -= len(village.vouchers)
        gone = [f"/{v.town}/{v.slug}/" for v in self.listed]  # (not the city's and towns' items: the city's)
        held.append(
            sorted(
                str(o) for o in objects if isinstance(o, Path) and o.suffix == ".md" and any(g in str(o) for g in gone)
            )
        )
        real(self, town, village, facts)

    monkeypatch.setattr(pipeline._Stream, "village", village)
    stored, report = pipeline.check_stored(root)
    assert stored is not None and not report.errors
    stored.close()
    assert left == [0, 0]
    assert held == [[], []]


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# edits to the second village (xg/hx) whose records review.queue lists as not approved, or none (the first
# village, xg/cs, has every record approved: nothing to list)
QUEUED = {
    "nothing": [],
    "an item pending": [("xg/hx/party/meeting.md", "status: 已通过", "status: 待审核")],
    "a month sent back": [("xg/hx/reviews.yaml", "status: 已通过", "status: 退回")],
    "an item never reviewed, reviews not required, lacking its basis": [
        ("site.yaml", 'hotline: "12345"', 'hotline: "12345"\noversight:\n  review_required: false'),
        (
            "xg/hx/affairs/compact.md",
            "review: {department: 夏港街道民政办, reviewer: 李梅, date: 2026-08-02, status: 已通过}\n",
            "",
        ),
    ],
}


@pytest.mark.parametrize("case", list(QUEUED))
def test_the_drafts_list_restores_no_village(mini, monkeypatch, case):
    """`sitegen check`'s list of what will not be published (scope.unpublished over CheckedCity.queue) restores
    no village from the run's store (a warm check restored every village again for it): each village's rows of
    review.queue that are not approved are in its listing (`queued`), exactly those queue gives of it in the
    whole city, and the lines are those listed from the whole city."""
    root = add_second_village(mini)
    for rel, old, new in QUEUED[case]:
        _edit(root, rel, old, new)
    whole, _ = check(root)
    assert whole is not None
    rows = {
        f"{t.slug}/{v.slug}": tuple(
            row for row in review.queue(replace(whole, towns=[replace(t, villages=[v])])) if row.status != "已通过"
        )
        for t in whole.towns
        for v in t.villages
    }
    assert not rows["xg/cs"] and bool(rows["xg/hx"]) == bool(QUEUED[case])
    scope = locate(root)
    expected = unpublished(whole, Report(), scope)
    assert bool(expected) == bool(QUEUED[case])
    restored: list[str] = []
    real = VillageStore.restore

    def restore(self, key):
        restored.append(key)
        return real(self, key)

    stored, _ = pipeline.check_stored(root)
    assert stored is not None
    try:
        assert {v.key: v.queued for v in stored.listed} == rows
        monkeypatch.setattr(VillageStore, "restore", restore)
        assert unpublished(stored.queue(), Report(), scope) == expected
    finally:
        stored.close()
    assert restored == []


# ---- 5. pages streamed to staging (issue 14: memory bounded) -----------------------------------------------------------


def staged_pages(out: Path) -> int:
    """Pages (.html) in the hidden staging folders beside the themes (output.Stage)."""
    return sum(1 for folder in out.glob(".*.tmp-*") for page in folder.rglob("*.html"))


@pytest.mark.parametrize("where", ["first build", "in place"])
def test_each_page_is_staged_before_the_next_is_rendered(city, tmp_path, monkeypatch, where):
    """The build never holds more than the page in hand: when a page is rendered, every page rendered before it
    is on disk in staging already (both themes, every village, the city's and towns' pages), and the link check
    keeps the ids of one village's pages at a time."""
    content, out = city
    if where == "first build":
        out = tmp_path / "fresh"
    else:
        move(content, "cs")
        move(content, "cs2")
    seen: list[tuple[int, int]] = []  # (pages rendered before, pages staged) at each page rendered
    real = jinja2.Template.render

    def render_page(self, *args, **kwargs):
        seen.append((len(seen), staged_pages(out)))
        return real(self, *args, **kwargs)

    villages_in_hand: list[int] = []
    real_page = links.LinkCheck.page

    def check_page(self, path, data, scope=None):
        real_page(self, path, data, scope)
        villages_in_hand.append(len({p.split("/")[1] for p in self.ids if p.startswith(("xg/cs/", "xg/cs2/"))}))

    monkeypatch.setattr(jinja2.Template, "render", render_page)
    monkeypatch.setattr(links.LinkCheck, "page", check_page)
    result = build(content, out)
    assert len(seen) == sum(result.pages.values()) > 100  # every page of both villages was made
    assert [staged for _, staged in seen] == [before for before, _ in seen]
    assert max(villages_in_hand) == 1
    assert not list(out.glob(".*tmp-*"))  # all put in place


def late_link_in_mobile(monkeypatch, village: str, staged: list[int], out: Path) -> None:
    """Every page of `village` on the phone site (the last theme) has a broken link: found after the TV site and
    the other village were staged. `staged` gets the pages staged when the first is found."""
    real = links.LinkCheck.page

    def page(self, path, data, scope=None):
        if self.theme == "mobile" and path.startswith(f"xg/{village}/"):
            staged.append(staged_pages(out))
            data += b'<a href="nowhere.html">x</a>'
        real(self, path, data, scope)

    monkeypatch.setattr(links.LinkCheck, "page", page)


@pytest.mark.parametrize("where", ["in place", "dry run"])
def test_a_page_failing_late_leaves_the_output_untouched(city, tmp_path, monkeypatch, where):
    """A failure found after thousands of pages were staged (the last village of the last theme) changes nothing:
    the staging folders are thrown away, the output is byte for byte as it was, nothing is left behind."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    dest = out if where == "in place" else tmp_path / "dry"
    before, staged = snapshot(out), list[int]()
    late_link_in_mobile(monkeypatch, "cs2", staged, dest)
    with pytest.raises(ContentError) as caught:
        build(content, dest, previous=out)
    assert {p.code for p in caught.value.report.errors} == {"link-broken"}
    assert staged and staged[0] > 100  # the TV site and the other village were on disk when it failed
    assert snapshot(out) == before
    assert not list(dest.glob(".*tmp-*")) and (dest / "tv").exists() == (where == "in place")


def test_a_village_failing_late_is_held_and_the_rest_staged_again(city, monkeypatch):
    """With hold_back, the village that failed late has its staged folders dropped and is held within the round
    (h31; before, the round was thrown away whole and made again): it keeps its last good pages, byte for byte,
    in both themes; the other village has its change."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    before, staged = files_of(out, "cs2"), list[int]()
    late_link_in_mobile(monkeypatch, "cs2", staged, out)
    result = build(content, out, hold_back=True)
    assert set(result.held) == {"xg/cs2"} and staged
    assert files_of(out, "cs2") == before
    assert "南部" in (out / "mobile/xg/cs/index.html").read_text("utf-8")
    assert not list(out.glob(".*tmp-*"))


@pytest.mark.parametrize("at", [1, 60])
def test_a_write_failing_while_staging_leaves_the_output_untouched(city, monkeypatch, at):
    """A file that cannot be staged (disk full) stops the build with OutputError; what was staged is removed."""
    content, out = city
    move(content, "cs")
    before = snapshot(out)
    real = output.Stage.put
    calls = []

    def put(self, path, data):
        calls.append(path)
        if len(calls) == at:
            raise OutputError(f"{path}: No space left on device")
        real(self, path, data)

    monkeypatch.setattr(output.Stage, "put", put)
    with pytest.raises(OutputError):
        build(content, out)
    assert len(calls) == at and snapshot(out) == before and not list(out.glob(".*tmp-*"))


def test_a_dropped_page_is_rendered_again_for_its_ids(city):
    """The link check's `fetch` (pipeline._again): a page rendered again is the page as first rendered; no such
    page, none."""
    content, _ = city
    city_model, _ = check(content)
    assert city_model is not None
    site = links.plan(city_model)
    pages = dict(render.render_theme("tv", site, city_model))
    path = next(p for p in pages if p.startswith("xg/cs2/finance/"))
    again = pipeline._again("tv", site, city_model)
    assert again(path) == pages[path] and again("xg/nowhere.html") is None


def watch_plans(monkeypatch) -> list[str]:
    """Each village's plan watched (weak references to its pages): `events` gets "plan KEY alive=N" as a village
    is planned, N the pages of villages planned before that are still alive, and "render KEY" as each page of a
    village is checked (the link check sees every page as it is rendered)."""
    pages: list[weakref.ref] = []
    events: list[str] = []
    real_plan = links.plan_village

    def plan_village(city_model, key, *args, **kwargs):
        gc.collect()
        events.append(f"plan {key} alive={sum(1 for page in pages if page() is not None)}")
        site = real_plan(city_model, key, *args, **kwargs)
        pages.extend(weakref.ref(page) for page in site.pages)
        return site

    real_page = links.LinkCheck.page

    def check_page(self, path, data, scope=None):
        events.append(f"render {scope}")
        real_page(self, path, data, scope)

    monkeypatch.setattr(links, "plan_village", plan_village)
    monkeypatch.setattr(links.LinkCheck, "page", check_page)
    return events


@pytest.mark.parametrize("where", ["first build", "in place"])
def test_one_village_is_planned_at_a_time_and_dropped_before_the_next(city, tmp_path, monkeypatch, where):
    """A build plans, makes and drops the villages one at a time (pipeline._Round): when a village is planned,
    no page of a village planned before it is alive any more; each village's pages are all rendered before the
    next is planned; the city's and towns' pages come last. The output is a whole build's, byte for byte."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    dest = tmp_path / "fresh" if where == "first build" else out
    events = watch_plans(monkeypatch)
    build(content, dest)
    order = [e for n, e in enumerate(events) if n == 0 or e != events[n - 1]]
    assert order == ["plan xg/cs alive=0", "render xg/cs", "plan xg/cs2 alive=0", "render xg/cs2", "render None"]
    if where == "in place":
        monkeypatch.undo()
        build(content, tmp_path / "whole")
        for theme in ("tv", "mobile"):
            assert snapshot(out / theme) == snapshot(tmp_path / "whole" / theme)


def test_a_villages_ledgers_are_made_in_its_turn_and_dropped_with_its_plan(city, monkeypatch):
    """The ledgers (流水账) of a village made again are made when its turn in the round comes and dropped with its
    plan (pipeline._with_ledgers): when a village is planned, the ledgers of no other village are alive. Made for
    every village before the round, they were held for the whole build and grew its memory with the city (issue
    14)."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    alive: list[tuple[str, list[str]]] = []
    real_plan = links.plan_village

    def plan_village(city_model, key, *args, **kwargs):
        gc.collect()
        with_ledgers = {f"{o.town_slug}/{o.slug}" for o in gc.get_objects() if isinstance(o, Village) and o.ledgers}
        alive.append((key, sorted(with_ledgers)))
        return real_plan(city_model, key, *args, **kwargs)

    monkeypatch.setattr(links, "plan_village", plan_village)
    build(content, out)
    assert alive == [("xg/cs", ["xg/cs"]), ("xg/cs2", ["xg/cs2"])]


def test_a_villages_rendition_entries_go_to_disk_as_it_is_made(city, monkeypatch):
    """Of a village made, the round keeps the name of its rendition cache entries' list and its number of files,
    not the entries' names (thousands a village: held to the end of the build they grew its memory with the city,
    issue 14): the list is in the cache's `.index/uses/` as soon as the village is made (pipeline._uses), where
    the build record names it and the prune reads it."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    rounds: list[pipeline._Round] = []
    kept: dict[str, tuple[str, int]] = {}
    real_init, real_plan = pipeline._Round.__init__, links.plan_village

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        rounds.append(self)

    def plan_village(city_model, key, *args, **kwargs):
        kept.update(rounds[-1].uses)  # what the round holds of the villages made before this one
        return real_plan(city_model, key, *args, **kwargs)

    monkeypatch.setattr(pipeline._Round, "__init__", init)
    monkeypatch.setattr(links, "plan_village", plan_village)
    build(content, out)
    assert list(kept) == ["xg/cs"]
    listed, files = kept["xg/cs"]
    names = (pipeline.default_cache(out) / ".index" / reuse.USES / listed).read_text("ascii").split("\n")
    assert files >= len(names) > 10 and reuse.uses_key(names) == listed
    assert reuse.read_record(out / "tv")["xg/cs"]["renditions"] == listed


def test_entries_lists_that_cannot_be_saved_fail_nothing_and_prune_nothing(city, tmp_path, monkeypatch):
    """The lists of rendition cache entries that cannot be saved (pipeline._uses as each village is made, _prune
    for the city's: a full disk) fail nothing, and since the prune cannot know what a village uses, it drops
    nothing (an entry no page uses stays for the next build's prune)."""
    content, out = city
    cache = pipeline.default_cache(out)
    unused = cache / ("0" * 40 + ".jpg")
    unused.write_bytes(b"x")
    calls = []

    def save_uses(index, names):
        calls.append(names)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reuse, "save_uses", save_uses)
    shutil.rmtree(cache / ".index" / reuse.USES)  # (the lists the first build saved)
    before = set(cache.iterdir())
    build(content, tmp_path / "fresh", cache=cache)  # every village made: a full prune
    assert len(calls) > 2 and unused.is_file() and set(cache.iterdir()) >= before


def test_an_image_failing_in_one_village_holds_it_and_the_round_goes_on(city, monkeypatch):
    """Each village is settled in its turn (h31: the rule "once an image failed, no more pages are rendered" was
    the whole-pass retry's): xg/cs, whose image cannot be made, is held for its images alone (none of its pages
    made); the round goes on with xg/cs2, whose broken links are found in the same round. Both failing, the
    build stops, with or without hold_back, with the same problems (the villages in the city's order)."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    late_image(content, monkeypatch)
    staged: list[int] = []
    late_link_in_mobile(monkeypatch, "cs2", staged, out)
    before = snapshot(out)
    told = []
    for hold_back in (False, True):
        with pytest.raises(ContentError) as caught:
            build(content, out, hold_back=hold_back)
        errors = caught.value.report.errors
        told.append([(p.code, p.where.path) for p in errors])
        assert errors[0].code == "image-bad" and {p.code for p in errors[1:]} == {"link-broken"}
        assert all(p.where.path.startswith("mobile/xg/cs2/") for p in errors[1:])
    assert told[0] == told[1] and staged
    assert snapshot(out) == before and not list(out.glob(".*tmp-*"))


def test_a_link_into_a_village_made_before_is_checked_against_its_plan_made_again(city, tmp_path, monkeypatch):
    """A link from one village's page into another village's page (not an item's, not its home) made earlier in
    the round: that village's plan is gone, so it is planned again to answer, fragment ids included; a link to
    a page it does not have is broken."""
    content, _ = city
    real = links.LinkCheck.page
    extra = {"ok": b'<a href="../cs/search.html#search">x</a>', "bad": b'<a href="../cs/search.html#nowhere">x</a>'}
    for case, link in extra.items():

        def page(self, path, data, scope=None, link=link):
            real(self, path, data + link if path == "xg/cs2/questions.html" else data, scope)

        monkeypatch.setattr(links.LinkCheck, "page", page)
        if case == "ok":
            build(content, tmp_path / case)
        else:
            with pytest.raises(ContentError) as caught:
                build(content, tmp_path / case)
            assert {p.where.path for p in caught.value.report.errors} == {
                "tv/xg/cs2/questions.html",
                "mobile/xg/cs2/questions.html",
            }


def test_a_link_into_a_held_villages_new_item_is_broken(city):
    """A village made again links to an item its neighbour gained in content that failed: the neighbour is held
    back with its last pages, which lack that item's page, so the link is broken (its item path is not taken as
    a page of the round); both villages failing, the build stops and the output stays as it was."""
    content, out = city
    affairs = content / "xg/cs/affairs"
    (affairs / "new.md").write_text((affairs / "compact.md").read_text("utf-8").replace("08-01", "08-03"), "utf-8")
    content_error(content, None)  # xg/cs held for an error in its folder
    item = content / "xg/cs2/affairs/compact.md"
    item.write_text(item.read_text("utf-8") + "\n[见新规约](../../cs/affairs/new.md)\n", "utf-8")
    before = snapshot(out)
    with pytest.raises(ContentError) as caught:
        build(content, out, hold_back=True)
    broken = [p.where.path for p in caught.value.report.errors if p.code == "link-broken"]
    assert broken and all(path.split("/")[1:3] == ["xg", "cs2"] for path in broken), caught.value.report.errors
    assert snapshot(out) == before


def test_a_dry_run_carries_the_unchanged_villages_files_whole(city, tmp_path):
    """A build elsewhere from `previous` (publish --dry-run) holds every file an in-place build does: the villages
    carried over are linked in as their folders are walked (pipeline._Carried), counted as pages as before."""
    content, out = city
    move(content, "cs2")
    dry = build(content, tmp_path / "dry", previous=out)
    assert dry.reused == ["xg/cs"]
    real = build(content, out)
    assert dry.pages == real.pages and real.reused == ["xg/cs"]
    for theme in ("tv", "mobile"):
        assert snapshot(tmp_path / "dry" / theme) == snapshot(out / theme)


def test_progress_counts_villages_made_one_at_a_time_across_their_steps(monkeypatch):
    """A build making villages one at a time (plan, images, render for each) keeps the villages' count and its
    estimate at the head of the line while each village's steps and scans come and go."""
    clock = iter([0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock, 10.0))
    screen = _Terminal()
    shown = progress.Progress(screen)
    shown.step("plan")
    progress.tell("villages", 0, 4)
    shown.step("images")
    progress.tell("villages", 2, 4)  # two made in 10 s: about 10 s left
    shown.step("render")
    assert screen.getvalue().rsplit("\r", 1)[-1].startswith("2/4 村 villages，约 10 秒 ~10 s left · 生成网页 render")
    progress.tell("scans", 9, 9)  # (the last of a count is always drawn)
    assert screen.getvalue().rsplit("\r", 1)[-1].startswith("2/4 村 villages") and "9/9 张图 scans" in screen.getvalue()
    shown.step("write")  # the round is over: no village count on the write step
    assert "村 villages" not in screen.getvalue().rsplit("\r", 1)[-1]
    shown.done()


# ---- h31: a village failing late is held within the round (issue 14) ---------------------------------------------


def bad_image(content, monkeypatch, village):  # passes validation (its check skipped), fails when made
    monkeypatch.setattr(assets, "check_images", lambda *a, **k: set())
    (content / f"xg/{village}/scans/2026-09/2/01.jpg").write_bytes(jpeg()[:6000])


def bad_template(content, monkeypatch, village):
    real = render.body_html

    def body(item, page, *a, **k):
        if page.path.startswith(f"xg/{village}/"):
            raise RuntimeError("template bug")
        return real(item, page, *a, **k)

    monkeypatch.setattr(render, "body_html", body)


def link_to_nowhere(content, monkeypatch, village):
    real = links.LinkCheck.page

    def page(self, path, data, scope=None):
        real(self, path, data + b'<a href="nowhere.html">x</a>' if path == f"xg/{village}/index.html" else data, scope)

    monkeypatch.setattr(links.LinkCheck, "page", page)


def personal_data(content, monkeypatch, village):
    yaml = content / f"xg/{village}/village.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("intro: ", "intro: LEAK"), "utf-8")
    real = pipeline.find_unmasked_in
    monkeypatch.setattr(pipeline, "find_unmasked_in", lambda data: ["3202811958"] if b"LEAK" in data else real(data))


FAILS_LATE = {
    "image": (bad_image, "image-bad"),
    "render": (bad_template, "render-failed"),
    "link": (link_to_nowhere, "link-broken"),
    "personal data": (personal_data, "personal-data-unmasked"),
}


FAILING = [("cs2",), ("cs", "cs2")]  # one village failing late (held), or both (the build stops)


def count_plans(monkeypatch) -> dict[str, int]:
    """How often each village's pages ("town/village") and the city's and towns' pages ("") are planned."""
    planned: dict[str, int] = {}
    real_village, real_plan = links.plan_village, links.plan

    def plan_village(city_model, key, *args, **kwargs):
        planned[key] = planned.get(key, 0) + 1
        return real_village(city_model, key, *args, **kwargs)

    def plan(city_model, only=None, *args, **kwargs):
        planned[""] = planned.get("", 0) + 1
        return real_plan(city_model, only, *args, **kwargs)

    monkeypatch.setattr(links, "plan_village", plan_village)
    monkeypatch.setattr(links, "plan", plan)
    return planned


def told(report) -> list[tuple[str, str]]:
    return [(p.code, p.where.path) for p in report.errors]


def without_record(folder: Path) -> dict[str, str]:
    return {p: h for p, h in snapshot(folder).items() if not p.endswith(".sitegen-build.json")}


@pytest.mark.parametrize(
    "case, village", [*((case, "cs") for case in FAILS_LATE), ("link", "cs2")]
)  # (each late failure in the first village, one in the last: CI time)
def test_a_village_failing_late_is_held_in_the_one_round(city, monkeypatch, case, village):
    """The failing village (first or last in the round) is held back as soon as it fails: its staged folders are
    dropped, its last good pages kept byte for byte, still listed; the other village has its change; no village
    is planned twice (one round, no second pass), the city's and towns' pages twice (again for the held set)."""
    content, out = city
    other = "cs2" if village == "cs" else "cs"
    before = files_of(out, village)
    move(content, "cs")
    move(content, "cs2")
    edit, code = FAILS_LATE[case]
    edit(content, monkeypatch, village)
    planned = count_plans(monkeypatch)
    result = build(content, out, hold_back=True)
    assert planned == {"": 2, "xg/cs": 1, "xg/cs2": 1}
    assert list(result.held) == [f"xg/{village}"] and {p.code for p in result.held[f"xg/{village}"]} == {code}
    assert files_of(out, village) == before
    assert "南部" in (out / "tv" / "xg" / other / "index.html").read_text("utf-8")
    for theme in ("tv", "mobile"):
        town = (out / theme / "xg/index.html").read_text("utf-8")
        assert 'href="cs/index.html"' in town and 'href="cs2/index.html"' in town
    assert not list(out.glob(".*tmp-*"))


def files_of_text(out: Path, village: str) -> str:
    return (out / "tv" / "xg" / village / "index.html").read_text("utf-8")


@pytest.mark.parametrize("case", ["image", "link"])
def test_a_village_never_built_failing_late_is_left_out(city, tmp_path, monkeypatch, case):
    """A first build: the failing village has no pages to keep, so it is left out of the city's and towns' pages
    (listed nowhere, counted nowhere): every theme equals a build of the content without that village's folder,
    build records aside. One round: each village planned once."""
    content, _ = city
    edit, _ = FAILS_LATE[case]
    shutil.copytree(content, tmp_path / "alone")
    shutil.rmtree(tmp_path / "alone/xg/cs2")
    build(tmp_path / "alone", tmp_path / "alone-out")
    edit(content, monkeypatch, "cs2")
    planned = count_plans(monkeypatch)
    result = build(content, tmp_path / "fresh", hold_back=True)
    assert list(result.held) == ["xg/cs2"] and result.villages == ["xg/cs"]
    assert planned == {"": 2, "xg/cs": 1, "xg/cs2": 1}
    for theme in ("tv", "mobile"):
        assert not (tmp_path / "fresh" / theme / "xg/cs2").exists()
        assert without_record(tmp_path / "fresh" / theme) == without_record(tmp_path / "alone-out" / theme)


@pytest.mark.parametrize("case", ["image", "link"])
def test_every_village_failing_late_stops_the_build(city, tmp_path, monkeypatch, case):
    """Both villages fail late, each in its turn: the build stops, nothing is written, the problems of both are
    told in the city's order; a first build leaves no output behind."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    edit, code = FAILS_LATE[case]
    edit(content, monkeypatch, "cs")
    edit(content, monkeypatch, "cs2")
    before = snapshot(out)
    planned = count_plans(monkeypatch)
    for dest in (out, tmp_path / "fresh"):
        with pytest.raises(ContentError) as caught:
            build(content, dest, hold_back=True)
        places = [p.where.path for p in caught.value.report.errors]
        assert {p.code for p in caught.value.report.errors} == {code}
        assert [p for p in places if "/cs/" in p] and [p for p in places if "/cs2/" in p]
        first_cs2 = min(n for n, p in enumerate(places) if "/cs2/" in p)
        assert all("/cs2/" in p for p in places[first_cs2:])  # xg/cs's, then xg/cs2's
    assert planned["xg/cs"] == planned["xg/cs2"] == 2  # once a build
    assert snapshot(out) == before and not list(out.glob(".*tmp-*"))
    assert not list((tmp_path / "fresh").rglob("*.html"))


@pytest.mark.parametrize("case", ["image", "personal data"])
def test_a_city_page_failing_stops_the_build_after_the_villages(city, monkeypatch, case):
    """A village failing late is held, but the city's page failing too stops everything: the village's problems,
    then the city page's; the output as it was."""
    content, out = city
    move(content, "cs")
    move(content, "cs2")
    edit, code = FAILS_LATE[case]
    edit(content, monkeypatch, "cs")
    real = links.LinkCheck.page

    def page(self, path, data, scope=None):
        real(self, path, data + b'<a href="gone.html">x</a>' if path == "index.html" else data, scope)

    monkeypatch.setattr(links.LinkCheck, "page", page)
    before = snapshot(out)
    with pytest.raises(ContentError) as caught:
        build(content, out, hold_back=True)
    codes = [p.code for p in caught.value.report.errors]
    assert set(codes[:-2]) == {code} and codes[-2:] == ["link-broken"] * 2
    assert [p.where.path for p in caught.value.report.errors[-2:]] == ["tv/index.html", "mobile/index.html"]
    assert snapshot(out) == before and not list(out.glob(".*tmp-*"))


@pytest.mark.parametrize(  # (no image: check decodes images, it makes no rendition)
    "case, where, failing",
    [
        *((case, "in place", failing) for case in ("render", "link", "personal data") for failing in FAILING),
        ("render", "first build", ("cs2",)),
        ("personal data", "first build", ("cs", "cs2")),
    ],
)
def test_check_tells_what_the_build_holds_back(city, tmp_path, monkeypatch, case, where, failing):
    """`sitegen check` (pipeline.rehearse) reports exactly the problems the build holds a village back for, in the
    same order; every village failing, exactly those the build stops on."""
    content, out = city
    out = out if where == "in place" else tmp_path / "fresh"
    move(content, "cs")
    move(content, "cs2")
    edit, _ = FAILS_LATE[case]
    for village in failing:
        edit(content, monkeypatch, village)
    _, rehearsed = pipeline.rehearse(content, out)
    assert told(rehearsed)
    if len(failing) == 1:
        result = build(content, out, hold_back=True)
        assert told(rehearsed) == told(result.report) and list(result.held) == ["xg/cs2"]
    else:
        with pytest.raises(ContentError) as caught:
            build(content, out, hold_back=True)
        assert told(rehearsed) == told(caught.value.report)


@pytest.mark.parametrize("where", ["in place", "first build"])
def test_a_village_linking_into_one_held_later_is_made_again(city, tmp_path, monkeypatch, where):
    """xg/cs (made first) links into xg/cs2's items; xg/cs2 fails late after it: xg/cs is made again (its staged
    folder dropped), as if xg/cs2 had been held from the start: in place, its link is to xg/cs2's kept page; never
    built, the link is plain text (no page to link to) and no page links into xg/cs2."""
    content, out = city
    compact = content / "xg/cs/affairs/compact.md"
    compact.write_text(compact.read_text("utf-8") + "\n[见二村规约](../../cs2/affairs/compact.md)\n", "utf-8")
    move(content, "cs")
    move(content, "cs2")
    out = out if where == "in place" else tmp_path / "fresh"
    kept = files_of(out, "cs2") if where == "in place" else {}
    bad_template(content, monkeypatch, "cs2")
    planned = count_plans(monkeypatch)
    result = build(content, out, hold_back=True)
    assert list(result.held) == ["xg/cs2"] and planned == {"": 2, "xg/cs": 2, "xg/cs2": 1}
    page = (out / "mobile/xg/cs/affairs/compacts/compact.html").read_text("utf-8")
    assert "见二村规约" in page and "南部" in files_of_text(out, "cs")
    if where == "first build":
        assert not (out / "mobile/xg/cs2").exists()
        assert not [p for p in out.rglob("*.html") if "cs2/" in p.read_text("utf-8")]
    else:
        assert 'href="../../../cs2/affairs/compacts/compact.html"' in page and files_of(out, "cs2") == kept
    assert not list(out.glob(".*tmp-*"))


def test_a_village_linking_into_a_held_villages_new_item_is_held_too(city, monkeypatch):
    """xg/cs links to an item xg/cs2 gains in content that fails late: xg/cs2's kept pages lack it, so xg/cs, made
    again, has a broken link and is held too; every village held, the build stops and nothing changes."""
    content, out = city
    affairs = content / "xg/cs2/affairs"
    (affairs / "new.md").write_text((affairs / "compact.md").read_text("utf-8").replace("08-01", "08-03"), "utf-8")
    compact = content / "xg/cs/affairs/compact.md"
    compact.write_text(compact.read_text("utf-8") + "\n[见新规约](../../cs2/affairs/new.md)\n", "utf-8")
    bad_template(content, monkeypatch, "cs2")
    before = snapshot(out)
    with pytest.raises(ContentError) as caught:
        build(content, out, hold_back=True)
    places = [(p.code, p.where.path.split("/")[2]) for p in caught.value.report.errors]
    assert ("link-broken", "cs") in places and ("render-failed", "cs2") in places
    assert places.index(("link-broken", "cs")) < places.index(("render-failed", "cs2"))  # the city's order
    assert snapshot(out) == before


# ---- h31: what failed late at 252 villages: a generated name masked as personal data ------------------------------


def digits_only_media_name(content: Path) -> str:
    """A file name in xg/cs/files/ whose image name (CityValidator.media_name: 16 hex digits of the hash of its
    path) is all decimal digits, as 3 of the 4,536 item images of make_city.py's 252 villages are."""
    n = 0
    while not hashlib.sha256(f"xg/cs/files/p{n}.jpg".encode()).hexdigest()[:16].isdigit():
        n += 1
    shutil.copyfile(content / "xg/cs/files/basis.jpg", content / f"xg/cs/files/p{n}.jpg")
    return f"p{n}.jpg"


def test_an_image_whose_hashed_name_is_all_digits_is_published(city):
    """An item image whose hashed output name would be 16 decimal digits (a bank card number to the personal-data
    patterns) is named so that masking leaves it alone: its pages link to its renditions, no village is held (at
    252 villages, three villages were held back for links broken by masking)."""
    content, out = city
    name = digits_only_media_name(content)
    item = content / "xg/cs/affairs/compact.md"
    item.write_text(item.read_text("utf-8").replace("../files/basis.jpg", f"../files/{name}"), "utf-8")
    result = build(content, out, hold_back=True)
    assert not result.held and not result.report.errors, told(result.report)
    for theme in ("tv", "mobile"):
        page = out / theme / "xg/cs/affairs/compacts/compact.html"
        sources = re.findall(r'src="(\.\./\.\./media/f-[^"]+)"', page.read_text("utf-8"))
        assert sources and all((page.parent / src).is_file() and "*" not in src for src in sources)


@pytest.mark.parametrize(
    "make, name",
    [
        (item_slug, "1391234_5678"),  # the stem is no mobile number, its slug 1391234-5678 is
        (item_slug, "6228_4800_1234_5678"),
        (finance_slug, "13912345678"),  # a contract numbered with a mobile number, a card, an ID
        (finance_slug, "合同13912345678"),
        (finance_slug, "6228480012345678"),
        (finance_slug, "320281195803121234"),
    ],
)
def test_a_name_made_for_an_address_never_reads_as_personal_data(make, name):
    """Every page or file name sitegen makes from a clerk's name or a hash survives masking unchanged (masked,
    the links to it would break), and names the same thing each time."""
    slug = make(name)
    assert mask(slug) == slug and not find_unmasked(slug) and make(name) == slug


@pytest.mark.parametrize(
    "label, held",
    [
        ("记-13912345678", True),  # its key 2026-09-13912345678 would hold a mobile number
        ("记-6228480012345678", True),
        ("记-1234567", True),
        ("记-000002", False),  # leading zeros are no digits of the number: voucher 2 as before
        ("记-123456", False),
    ],
)
def test_a_voucher_number_too_long_for_its_pages_address_is_an_error(city, label, held):
    """A voucher's number names its pages, scans and ledger line (its key): one long enough to read as a phone,
    card or ID number is a content error of its village (voucher-number-long, naming the cell), not pages whose
    links masking breaks."""
    content, out = city
    journal = content / "xg/cs/journal/2026-09.csv"
    text = journal.read_text("utf-8")
    journal.write_text(text.replace(",记-2,", f",{label},"), "utf-8")
    assert f",{label}," in journal.read_text("utf-8")
    result = build(content, out, hold_back=True)
    codes = {p.code for p in result.report.errors}
    assert ("voucher-number-long" in codes) == held  # (a short one: its scans folder is another matter)
    if held:
        assert list(result.held) == ["xg/cs"]
        problem = next(p for p in result.report.errors if p.code == "voucher-number-long")
        assert problem.where.path.endswith("xg/cs/journal/2026-09.csv") and problem.where.line and label in problem.zh


# ---- h36: one voucher changed, the build's side: what a carried village still costs -------------------------------


def counted_ledgers(monkeypatch) -> list[str]:
    """ "town/village" of every village whose ledgers (流水账) are made, in order."""
    made: list[str] = []
    real = ledger.village_ledgers

    def counting(village):
        made.append(f"{village.town_slug}/{village.slug}")
        return real(village)

    monkeypatch.setattr(ledger, "village_ledgers", counting)
    monkeypatch.setattr(pipeline, "village_ledgers", counting)
    return made


@pytest.mark.parametrize(
    "edit, made",
    [
        ("summary", ["xg/cs"]),  # one voucher changed: one village's ledgers, the carried one's not made
        ("nothing", []),  # (content touched, every village carried)
        ("held", ["xg/cs2"]),  # xg/cs held back (an error in its journal): its old pages kept, no ledgers
    ],
)
def test_only_the_villages_made_again_have_their_ledgers_made(city, tmp_path, monkeypatch, edit, made):
    """A village's ledgers are read by its own pages only: a build makes those of the villages it makes again, not
    of those it carries over or holds (a cost that grew with the city after one change). The pages are those a
    full build of the same content makes, byte for byte."""
    content, out = city
    journal = content / "xg/cs/journal/2026-09.csv"
    text = journal.read_text("utf-8")
    if edit == "summary":
        journal.write_text(text.replace("付保洁员八月工资", "付保洁员八月份工资"), "utf-8")
    elif edit == "held":
        journal.write_text(text.replace(",记-2,", ",记-13912345678,"), "utf-8")
        (content / "xg/cs2/journal/2026-09.csv").write_text(text.replace("付保洁员八月工资", "付保洁员工资"), "utf-8")
    else:
        os.utime(journal)
    ledgers = counted_ledgers(monkeypatch)
    result = build(content, out, hold_back=True)
    assert ledgers == made
    assert sorted(result.reused) == sorted({"xg/cs", "xg/cs2"} - set(made) - set(result.held))
    if edit == "held":
        assert list(result.held) == ["xg/cs"]
        return
    monkeypatch.undo()
    whole = tmp_path / "whole"
    build(content, whole)
    assert without_record(out) == without_record(whole)


def _published_images_as_first_written(city, skip=()):
    """pipeline.published_images before it told objects apart by class (h44): the reference."""
    found: dict = {}
    seen, names, todo = {id(obj) for obj in skip}, {}, [city]
    while todo:
        obj = todo.pop()
        if obj is None or isinstance(obj, pipeline._LEAVES):
            continue
        if isinstance(obj, Image):
            found.setdefault(obj.source, obj)
        elif id(obj) in seen:
            continue
        elif dataclasses.is_dataclass(obj):
            seen.add(id(obj))
            if type(obj) not in names:
                names[type(obj)] = tuple(f.name for f in dataclasses.fields(obj))
            todo.extend(getattr(obj, name) for name in names[type(obj)])
        elif isinstance(obj, dict):
            seen.add(id(obj))
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            seen.add(id(obj))
            todo.extend(obj)
    return [found[k] for k in sorted(found)]


@dataclasses.dataclass
class _Holder:  # a record of a kind the walk has not seen: its images found all the same
    inner: object
    more: object = None


@dataclasses.dataclass
class _Empty:
    pass


def test_published_images_finds_what_the_walk_as_first_written_found(mini):
    """The walk by class (_WALK) finds the images the first walk found: the mini city (two villages, one
    checked apart), and a model of odd objects: images in dicts, tuples and sets, a dataclass without fields
    and its class, an object of no known kind, shared objects, the same file twice."""
    city, report = check(add_second_village(mini))
    assert city is not None, report.errors
    for skip in ((), city.villages[:1]):
        assert pipeline.published_images(city, skip) == _published_images_as_first_written(city, skip)
    image = lambda n: Image(Path(f"/c/{n}.jpg"), f"c/{n}.jpg", f"i{n}")  # noqa: E731
    shared = [image(2), {"k": (image(3), frozenset({image(4)}))}]
    odd: Any = _Holder(
        {"a": shared, "b": shared, "c": _Holder(image(1), _Empty)},
        [_Empty(), object(), _Empty, 7, "x", Path("/p"), (image(1), _Holder(image(5))), None],
    )
    assert pipeline.published_images(odd) == _published_images_as_first_written(odd)
    assert [i.name for i in pipeline.published_images(odd)] == ["i1", "i2", "i3", "i4", "i5"]
    assert pipeline.published_images(odd, [shared]) == _published_images_as_first_written(odd, [shared])
