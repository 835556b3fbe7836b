"""The command line as a clerk and the cron job meet it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sitegen import __version__
from sitegen.build import pipeline
from sitegen.cli.main import INTERNAL_COMMANDS, LAZY_COMMANDS, cli
from sitegen.site import code
from sitegen.site.code import RECORD
from tests.conftest import sitegen_here, snapshot


def run(*args, cwd=None):
    """`sitegen ARGS` as its own process: what a clerk or the cron job starts (conftest.sitegen_here runs the same
    in this process, for the tests about what a command does rather than how its process ends)."""
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_version():
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout


def test_build_prints_where_to_open(mini, tmp_path):
    r = run("build", mini, "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out/tv/index.html").as_uri() in r.stdout
    assert (tmp_path / "out/mobile/index.html").as_uri() in r.stdout


def test_theme_option_builds_one_theme(mini, tmp_path):
    r = sitegen_here("build", mini, "-o", tmp_path / "out", "--theme", "tv")
    assert r.returncode == 0 and (tmp_path / "out/tv").is_dir() and not (tmp_path / "out/mobile").exists()


def test_content_errors_exit_1_with_every_problem(mini, tmp_path):
    out = tmp_path / "out"
    assert sitegen_here("build", mini, "-o", out).returncode == 0
    before = snapshot(out)
    journal = mini / "xg/cs/journal/2026-09.csv"
    journal.write_text(journal.read_text(encoding="utf-8").replace("12000.00,,,1", "1e3,,,1"), encoding="utf-8")
    (mini / "site.yaml").write_text("city: 测试市\ntheme_colour: red\n", encoding="utf-8")
    r = run("build", mini, "-o", out)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "content/xg/cs/journal/2026-09.csv 第2行 “借方金额”列" in r.stderr and "1e3" in r.stderr
    assert "content/site.yaml" in r.stderr and "theme_colour" in r.stderr
    assert "上一次的网站保持不变" in r.stderr
    assert snapshot(out) == before
    r = sitegen_here("check", mini)
    assert r.returncode == 1 and "theme_colour" in r.stderr


def test_check_ok(mini):
    r = run("check", mini)
    assert r.returncode == 0 and "1 个村" in r.stdout


def test_usage_error_exits_2(mini):
    assert run("build", mini, "--theme", "radio").returncode == 2
    assert run("frobnicate").returncode == 2


def test_unwritable_output_exits_3(mini, tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    r = run("build", mini, "-o", blocker)
    assert r.returncode == 3 and "Traceback" not in r.stderr and "cannot write output" in r.stderr


def test_new_village_scaffold_passes_check(mini):
    r = run("new", "village", "xg", "dongxin", "--title", "东新村", "--content", mini)
    assert r.returncode == 0, r.stderr
    assert (mini / "xg/dongxin/village.yaml").read_text(encoding="utf-8").startswith("# 村的基本信息")
    assert "sitegen serve" in r.stdout  # the next step
    for target in (mini / "xg/dongxin", mini):
        r = sitegen_here("check", target)
        assert r.returncode == 0, r.stderr
        assert "\n错误" not in "\n" + r.stderr and "dongxin/" not in r.stderr.split("不会公开")[0]
        assert "不会公开" in r.stderr and "2026-01 记账凭证" in r.stderr  # the examples are drafts, and said so
    assert run("new", "village", "xg", "dongxin", "--content", mini).returncode == 1  # exists
    bad = run("new", "village", "xg", "东新", "--content", mini)
    assert bad.returncode == 1 and "小写拼音" in bad.stderr


def test_new_town_takes_its_chinese_name_from_title(mini):
    r = run("new", "town", "zt", "--title", "周庄镇", "--content", mini)
    assert r.returncode == 0, r.stderr
    assert 'name: "周庄镇"' in (mini / "zt/town.yaml").read_text(encoding="utf-8")
    assert run("new", "town", "zs", "--content", mini).returncode == 2  # --title is required
    r = run("new", "village", "hx", "hexiang", "--title", "河湘村", "--content", mini)
    assert r.returncode == 1 and "--town-title" in r.stderr
    r = run("new", "village", "hx", "hexiang", "--title", "河湘村", "--town-title", "华士镇", "--content", mini)
    assert r.returncode == 0 and "华士镇" in (mini / "hx/town.yaml").read_text(encoding="utf-8")
    assert sitegen_here("check", mini / "hx/hexiang").returncode == 0


# ---- h22: commands loaded when named (cli/main.py LAZY_COMMANDS) ----------------------------------------------

HEAVY = ("weasyprint", "paramiko", "watchdog")  # what only print, push/publish and serve need


def loaded_after(*args) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run `sitegen ARGS` in a fresh interpreter; which of HEAVY it had loaded when it exited."""
    code = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: print('LOADED', json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr))\n"
        "from sitegen.cli.main import main\n"
        f"sys.argv = ['sitegen', *{[str(a) for a in args]!r}]\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return r, json.loads(r.stderr.rsplit("LOADED ", 1)[1])


def test_build_and_check_do_not_load_the_print_push_or_serve_libraries(mini, tmp_path):
    r, loaded = loaded_after("check", mini)
    assert r.returncode == 0 and loaded == [], r.stderr
    r, loaded = loaded_after("build", mini, "-o", tmp_path / "out", "--theme", "tv")
    assert r.returncode == 0 and loaded == [], r.stderr
    r, loaded = loaded_after("print", "--help")  # (and the command that needs one does load it)
    assert r.returncode == 0 and loaded == ["weasyprint"], r.stderr


def test_every_lazy_command_is_the_command_of_its_name():
    """Each LAZY_COMMANDS entry loads a click command of the name it is listed under, and --help lists them all
    with the commands defined in cli/main.py."""
    ctx = click.Context(cli)
    for name in LAZY_COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name
    listed = sitegen_here("--help").stdout
    for name in [*LAZY_COMMANDS, "build", "check", "new"]:
        assert f"\n  {name} " in listed


# ---- h25: check asked again with nothing changed: one stat walk, no pipeline loaded -------------------------------

PIPELINE = (
    "pypinyin",
    "jinja2",
    "PIL",
    "openpyxl",
    "yaml",
    "segno",
    "sitegen.build.pipeline",
)  # what a check reads with


def loaded_by(*args, watch: tuple[str, ...] = PIPELINE) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run `sitegen ARGS` in a fresh interpreter; which of `watch` (PIPELINE) it had loaded when it exited."""
    code = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: print('LOADED', json.dumps([m for m in {watch!r} if m in sys.modules]), file=sys.stderr))\n"
        "from sitegen.cli.main import main\n"
        f"sys.argv = ['sitegen', *{[str(a) for a in args]!r}]\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    return r, json.loads(r.stderr.rsplit("LOADED ", 1)[1])


def test_a_check_asked_again_loads_nothing_of_the_pipeline(mini, tmp_path):
    """The remembered verdict is found with the content's stat facts alone (build/state.py): no template engine,
    image or spreadsheet library, no pinyin dictionary is loaded, and the verdict is told as it was. When it
    cannot answer (a file changed), the full check is loaded and run."""
    out = tmp_path / "out"
    assert sitegen_here("build", mini, "-o", out, "--theme", "tv").returncode == 0
    first, loaded = loaded_by("check", mini, "-o", out)
    assert first.returncode == 0 and "sitegen.build.pipeline" in loaded, first.stderr
    again, loaded = loaded_by("check", mini, "-o", out)
    assert (again.returncode, again.stdout) == (0, first.stdout) and loaded == [], again.stderr
    (mini / "xg" / "cs" / "notes.md").write_text("clerk's note\n", encoding="utf-8")
    changed, loaded = loaded_by("check", mini, "-o", out)
    assert "sitegen.build.pipeline" in loaded, changed.stderr


def test_the_internal_commands_are_loaded_by_name_and_never_listed():
    ctx = click.Context(cli)
    for name in INTERNAL_COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name and command.hidden
        assert f"\n  {name} " not in sitegen_here("--help").stdout


def _rewrite(path: Path) -> None:
    path.write_bytes(path.read_bytes())  # same bytes, same size: only the ctime tells


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _retarget(path: Path) -> None:
    path.unlink()
    path.symlink_to("../journal/2026-09.csv")


EDITS = {  # each kind of change the remembered verdict must not survive
    "a journal row edited": lambda c, o, mp: (c / "xg/cs/journal/2026-09.csv").write_text(
        (c / "xg/cs/journal/2026-09.csv").read_text(encoding="utf-8").replace("2500.50", "2500.00"), encoding="utf-8"
    ),
    "the same bytes written again": lambda c, o, mp: _rewrite(c / "xg/cs/village.yaml"),
    "a file's time changed": lambda c, o, mp: _touch(c / "site.yaml"),
    "a file added deep down": lambda c, o, mp: (c / "xg/cs/scans/note.txt").write_text("x", encoding="utf-8"),
    "a file renamed": lambda c, o, mp: (c / "policies").rename(c / "policies-old"),
    "a link retargeted": lambda c, o, mp: _retarget(c / "xg/cs/files/link.csv"),
    "a folder removed": lambda c, o, mp: shutil.rmtree(c / "xg/cs/rules"),
    "the output's build record changed": lambda c, o, mp: (o / "tv" / RECORD).write_text("{}", encoding="utf-8"),
    "another day": lambda c, o, mp: mp.setenv("SITEGEN_TODAY", "2031-01-05"),
    "another sitegen": lambda c, o, mp: mp.setattr(code, "_renderer", lambda: "sitegen upgraded"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_the_remembered_verdict_does_not_survive_a_change(mini, tmp_path, monkeypatch, edit):
    """Asked again with nothing changed, check tells its verdict without reading the content; after any change
    to what it reads (the content's files and folders, by their stat facts; the output it would replace; the date;
    sitegen's code) it checks again, and then remembers the new verdict."""
    out = tmp_path / "out"
    (mini / "xg/cs/files/link.csv").symlink_to("../../../site.yaml")
    pipeline.build(mini, out, ("tv",))
    real, calls = pipeline.rehearse, []
    monkeypatch.setattr(pipeline, "rehearse", lambda *a, **k: calls.append(edit) or real(*a, **k))
    check = [str(a) for a in ("check", mini, "-o", out)]
    CliRunner().invoke(cli, check)
    CliRunner().invoke(cli, check)
    assert calls == [edit]  # the second one remembered
    EDITS[edit](mini, out, monkeypatch)
    CliRunner().invoke(cli, check)
    assert calls == [edit, edit]
    CliRunner().invoke(cli, check)
    assert calls == [edit, edit]


# ---- h38: `sitegen ingest`, the headend's command, loads what ingesting needs only -------------------------------


def test_ingest_loads_neither_the_build_nor_the_publishing_libraries(tmp_path):
    """A headend runs `sitegen ingest` every few minutes (the tests some dozens of times): it loads the bundle
    format, the keys and the lock (cli/ingest.py), not the build's template, image, spreadsheet and pinyin
    libraries nor SFTP, which cost ~0.8 s of CPU a start (cli/deploy.py loads them for bundle, push, publish)."""
    watch = (*PIPELINE, *HEAVY, "numpy", "sitegen.site.render", "sitegen.content.load", "sitegen.deploy.publish")
    r, loaded = loaded_by("ingest", "--root", tmp_path, watch=watch)
    assert r.returncode == 8 and "publisher.pub" in r.stderr and loaded == [], r.stderr  # (no trusted key there)
    r, loaded = loaded_by("ingest", "--root", tmp_path, "--rollback", watch=watch)
    assert r.returncode == 3 and "no earlier release" in r.stderr and loaded == [], r.stderr
    r, loaded = loaded_by("publish", "--help", watch=watch)  # (the publishing side loads them)
    assert r.returncode == 0 and "paramiko" in loaded and "sitegen.deploy.publish" in loaded, r.stderr
