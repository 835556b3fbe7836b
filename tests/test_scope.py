"""One village at a time: `sitegen check TOWN/VILLAGE` finds site.yaml above it, lists that village's problems
only (the others in one line), and says what will not be published and why."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build.scope import Scope, ScopeError, locate, mirror, split, unpublished
from tests.checked import check
from tests.conftest import sitegen_here
from tests.test_validate import edit


def run(*args, cwd=None):
    """`sitegen ARGS` as its own process (conftest.sitegen_here: the same in this process, for the tests of what a
    scoped check says rather than how its process ends)."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def two(mini: Path) -> Path:
    """mini with a second village, xg/ds, that has an error and a warning of its own."""
    shutil.copytree(mini / "xg/cs", mini / "xg/ds")
    edit(mini, "xg/ds/village.yaml", "name: 长寿村", "name: 东山村")
    edit(mini, "xg/ds/journal/2026-09.csv", ",,2500.50,王五,0", ",,2500.00,王五,0")  # unbalanced: an error
    (mini / "xg/ds/stray.txt").write_text("x", encoding="utf-8")  # a warning
    return mini


def test_locate_finds_the_content_folder_above(mini):
    assert locate(mini / "xg/cs") == Scope(mini.resolve(), "xg/cs")
    assert locate(mini / "xg") == Scope(mini.resolve(), "xg")
    assert locate(mini) == Scope(mini.resolve(), "")
    for wrong in (mini / "xg/cs/party", mini / "policies"):
        with pytest.raises(ScopeError):
            locate(wrong)


def test_check_one_village_lists_only_its_own_problems(two):
    r = run("check", two / "xg/cs")
    assert r.returncode == 0, r.stderr  # ds's error is not cs's
    assert "missing file" not in r.stderr and "town.yaml" not in r.stderr  # no false "missing town.yaml"
    assert "xg/ds" not in r.stderr
    assert re.search(r"其他 1 个镇村另有 [1-9]\d* 个错误、[1-9]\d* 个提醒", r.stderr), r.stderr
    assert "检查通过 / OK: xg/cs" in r.stdout
    r = sitegen_here("check", two / "xg/ds")
    assert r.returncode == 1 and "借贷不平衡" in r.stderr and "stray.txt" in r.stderr
    assert "content/xg/cs/" not in r.stderr
    whole = sitegen_here("check", two)
    assert whole.returncode == 1 and "借贷不平衡" in whole.stderr and "其他" not in whole.stderr


def test_a_shared_file_is_every_villages_concern(two):
    edit(two, "xg/town.yaml", "name:", "nmae:")
    r = sitegen_here("check", two / "xg/cs")
    assert r.returncode == 1 and "town.yaml" in r.stderr


def test_a_folder_that_is_not_a_village_is_a_usage_error(mini):
    r = run("check", mini / "xg/cs/party")
    assert r.returncode == 2 and "不是镇或村的文件夹" in r.stderr and "Traceback" not in r.stderr


def test_check_says_what_will_not_be_published(mini):
    edit(mini, "xg/cs/party/meeting.md", "status: 已通过", "status: 待审核")
    edit(mini, "xg/cs/reviews.yaml", "status: 已通过", "status: 退回")
    city, report = check(mini)
    own, _ = split(report, locate(mini / "xg/cs"))
    lines = unpublished(city, own, locate(mini / "xg/cs"))
    assert any("meeting.md" in line and "第三季度党员大会" in line and "待审核" in line for line in lines), lines
    assert any("2026-09 记账凭证" in line and "退回" in line for line in lines), lines
    r = sitegen_here("check", mini / "xg/cs")
    assert r.returncode == 0 and "不会公开" in r.stderr and "reviews.yaml" not in r.stderr.split("不会公开")[0]


def test_missing_scans_are_named_as_not_published(mini):
    shutil.rmtree(mini / "xg/cs/scans/2026-09/2")
    r = sitegen_here("check", mini / "xg/cs")
    assert r.returncode == 1
    assert any(line.startswith("不会公开") and "缺少扫描件" in line for line in r.stderr.splitlines()), r.stderr


def test_the_mirror_holds_one_village_and_the_shared_files_and_follows_changes(two, tmp_path):
    (two / "zz").mkdir()
    (two / "zz/town.yaml").write_text("name: [broken\n", encoding="utf-8")  # another town's mistake
    scope = locate(two / "xg/cs")
    root = mirror(scope, tmp_path / "view")
    assert root.name == two.name  # messages name the files as the clerk knows them
    assert (root / "site.yaml").is_file() and (root / "policies/law.md").is_file() and (root / "xg/town.yaml").is_file()
    assert not (root / "xg/ds").exists() and not (root / "zz").exists()
    city, report = check(root)
    assert report.errors == [] and [v.slug for v in city.villages] == ["cs"]
    meeting = two / "xg/cs/party/meeting.md"
    fresh = meeting.with_name("new.md")
    fresh.write_text(meeting.read_text(encoding="utf-8").replace("第三季度党员大会", "新的会议"), encoding="utf-8")
    fresh.replace(meeting)  # an editor's save: a new file renamed over the old one
    (two / "xg/cs/rules/own.md").unlink()
    mirror(scope, tmp_path / "view")
    assert "新的会议" in (root / "xg/cs/party/meeting.md").read_text(encoding="utf-8")
    assert not (root / "xg/cs/rules/own.md").exists()
    assert (root / "xg/cs/party/meeting.md").stat().st_ino == meeting.stat().st_ino  # a link, not a copy


def test_a_link_leading_out_of_the_content_folder_stays_out_of_the_mirror(mini, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (mini / "xg/cs/party/leak.md").symlink_to(outside)
    root = mirror(locate(mini / "xg/cs"), tmp_path / "view")
    assert not (root / "xg/cs/party/leak.md").exists()


def test_a_preview_folder_inside_the_content_folder_is_not_mirrored_into_itself(mini):
    out = mini / "output-preview"
    (out / "tv").mkdir(parents=True)
    (out / "tv/index.html").write_text("old", encoding="utf-8")
    root = mirror(locate(mini / "xg/cs"), out / ".scope")
    assert not (root / "output-preview").exists() and (root / "xg/cs/village.yaml").is_file()
