"""Stage 11, publish (the cron job): lock, partial publishing around a village with errors, log, exit codes, dry
run, and a run killed during the build."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from sitegen.build import lock
from sitegen.build.pipeline import build
from sitegen.content.errors import EXIT_HELD
from sitegen.deploy import bundle
from sitegen.deploy.publish import publish as publish_run
from tests.conftest import sitegen_here
from tests.deploykit import (
    at_a_terminal,
    clone,
    deploy,
    env,
    kill,
    paused,
    sitegen,
    snapshot,
    unbalance,
    wait_until_blocked,
)


@pytest.fixture
def d(tmp_path):
    """The two-village city with a folder target; nothing built yet."""
    return deploy(tmp_path / "d")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    d = deploy(tmp_path_factory.mktemp("publish") / "base")
    r = publish(d)
    assert r.returncode == 0, r.stdout + r.stderr
    FIRST_RUN["stdout"] = r.stdout
    ingest(d, run=sitegen)
    return d


FIRST_RUN: dict[str, str] = {}


@pytest.fixture
def live(base, tmp_path):
    """Published once and taken by the headend."""
    return clone(base, tmp_path / "live")


def publish(d, *args, run=sitegen):
    """`sitegen publish` as the cron job starts it, its own process; with run=sitegen_here, the same command in
    this process (conftest.sitegen_here: ~1.5 s of CPU less a run), where how the process ends is not the test's
    subject (the module's first run, the exit codes 4, 5 and 8, the lock and the killed runs keep their own)."""
    return run("publish", d.content, "-o", d.output, "--bundles", d.bundles, *args)


def ingest(d, run=sitegen_here):
    """The headend takes what was pushed (in this process; the module's first ingest is a real one)."""
    r = run("ingest", "--root", d.headend)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def site(d):
    return {k: v for k, v in snapshot(d.output).items() if not k.startswith(".cache/")}


def everything(d):
    """The publisher's output and bundle folder and the headend's drop folder, as they are now."""
    return site(d), snapshot(d.bundles / "xg.cs"), (d.bundles / "state.json").read_bytes(), sorted(os.listdir(d.drop))


def log_events(d):
    return [json.loads(line) for line in (d.bundles / "publish.log.jsonl").read_text("utf-8").splitlines()]


def test_publish_then_ingest_serves_the_build(live):
    d = live  # published and ingested by the module fixture; its first run printed FIRST_RUN
    assert "3 个包，3 个已更新" in FIRST_RUN["stdout"] and "pushed → headend: 3" in FIRST_RUN["stdout"]
    assert d.served() == site(d)
    events = log_events(d)
    assert [e["event"] for e in events][0] == "start" and events[-1] == {**events[-1], "event": "end", "code": 0}
    assert len({e["run"] for e in events}) == 1 and all("ts" in e for e in events)
    r = publish(d, run=sitegen_here)  # nothing changed: nothing new is sent
    assert r.returncode == 0 and "0 个已更新" in r.stdout and "pushed → headend: 0" in r.stdout


def test_a_village_with_errors_keeps_its_last_good_version(live):
    d = live
    good_cs2 = {k: v for k, v in d.served().items() if "/xg/cs2/" in k}
    state = json.loads((d.bundles / "state.json").read_text())["bundles"]
    unbalance(d.content, "cs2")
    change_voucher_amount = d.content / "xg/cs/village.yaml"
    change_voucher_amount.write_text(change_voucher_amount.read_text("utf-8").replace("东部", "东北部"), "utf-8")
    r = publish(d, run=sitegen_here)
    assert r.returncode == 5, r.stdout + r.stderr
    assert "held back: xg/cs2" in r.stdout and "voucher-unbalanced" in r.stdout and "2026-09.csv" in r.stdout
    after = json.loads((d.bundles / "state.json").read_text())["bundles"]
    # the same version, the same bytes (the seal, the files' stat the last look saw, may be new: a clone's copy)
    assert {k: v for k, v in after["xg/cs2"].items() if k != "seal"} == {
        k: v for k, v in state["xg/cs2"].items() if k != "seal"
    }
    assert after["xg/cs"]["version"] > state["xg/cs"]["version"]
    ingest(d)
    served = d.served()
    assert {k: v for k, v in served.items() if "/xg/cs2/" in k} == good_cs2
    town = (d.headend / "current/tv/xg/index.html").read_text("utf-8")
    assert "长寿二村" in town and 'href="cs2/index.html"' in town  # still listed, and the link still works
    assert "东北部" in (d.headend / "current/tv/xg/cs/index.html").read_text("utf-8")
    held = [e for e in log_events(d) if e["event"] == "held-back"]
    assert held[-1]["village"] == "xg/cs2" and held[-1]["kept_last_good"]
    assert "voucher-unbalanced" in held[-1]["errors"][0]


def test_a_village_never_published_with_errors_is_left_out(d):
    unbalance(d.content, "cs2")
    r = publish(d)
    assert r.returncode == 5 and "never built: xg/cs2" in r.stdout
    ingest(d)
    assert not (d.headend / "current/tv/xg/cs2").exists()
    assert "长寿二村" not in (d.headend / "current/tv/xg/index.html").read_text("utf-8")


def test_errors_outside_villages_stop_everything(live):
    d = live
    before, bundles = site(d), snapshot(d.bundles / "xg.cs")
    site_yaml = d.content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8") + "titel: typo\n", "utf-8")
    r = publish(d, run=sitegen_here)
    assert r.returncode == 1 and "titel" in r.stderr and "nothing was published" in r.stderr
    assert site(d) == before and snapshot(d.bundles / "xg.cs") == bundles


def test_publish_section_is_checked_strictly(d):
    site_yaml = d.content / "site.yaml"
    text = site_yaml.read_text("utf-8")
    site_yaml.write_text(text.replace("      type: folder", "      type: folder\n      hots: x"), "utf-8")
    r = sitegen_here("check", d.content)
    assert r.returncode == 1 and "hots" in r.stderr and "host" in r.stderr


def test_dry_run_writes_and_sends_nothing(live):
    d = live
    unbalance(d.content, "cs2")
    d.content.joinpath("xg/cs/village.yaml").write_text(
        d.content.joinpath("xg/cs/village.yaml").read_text("utf-8").replace("东部", "西部"), "utf-8"
    )
    before = everything(d)
    r = publish(d, "--dry-run", run=sitegen_here)
    assert r.returncode == 5, r.stdout + r.stderr
    assert "would update" in r.stdout and "xg/cs v" in r.stdout and "would push → headend: xg/cs delta" in r.stdout
    assert "dry run" in r.stdout
    assert everything(d) == before


def test_missing_or_exposed_key_exit_8(d):
    os.chmod(d.key, 0o604)
    r = publish(d)
    assert r.returncode == 8 and "chmod 600" in r.stderr and not d.output.exists()
    os.chmod(d.key, 0o600)
    r = publish(d, "--key", d.base / "nope.key")
    assert r.returncode == 8 and "cannot read the private key" in r.stderr


# ---- the lock -------------------------------------------------------------------------------------------------


def test_a_second_run_exits_with_a_clear_message(d):
    with lock.hold(d.bundles / ".lock"):
        r = publish(d)
    assert r.returncode == 4 and "another run holds" in r.stderr and "--wait" in r.stderr
    assert not d.output.exists()


def test_wait_waits_for_the_running_one(d):
    """The lock is held until the test lets go (not for a fixed time a busy machine could outlast): the second run
    waits for it, still running, and publishes once it is free."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys; from pathlib import Path; from sitegen.build import lock\n"
                "with lock.hold(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.readline()\n"
            ),
            d.bundles / ".lock",
        ],
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        waiting = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "publish", d.content, "-o", d.output, "--bundles", d.bundles, "--wait"],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until_blocked(waiting)
    finally:
        holder.stdin.close()  # lets go of the lock
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, out + err
    assert holder.wait(timeout=60) == 0


def test_a_lock_left_by_a_killed_run_is_recovered(d, tmp_path):
    proc = paused(
        tmp_path / "marker",
        "sitegen.deploy.publish:_run",
        "publish",
        d.content,
        "-o",
        d.output,
        "--bundles",
        d.bundles,
        when="before",
    )
    try:
        assert publish(d).returncode == 4  # it really holds the lock
    finally:
        kill(proc)
    r = publish(d)
    assert r.returncode == 0, r.stdout + r.stderr


def test_killed_during_build_the_headend_keeps_serving_and_the_next_run_completes(live, tmp_path):
    d = live
    before = d.served()
    d.content.joinpath("xg/cs/village.yaml").write_text(
        d.content.joinpath("xg/cs/village.yaml").read_text("utf-8").replace("东部", "南部"), "utf-8"
    )
    # killed between the two themes' swaps: tv is new, mobile still old, nothing bundled or pushed
    proc = paused(
        tmp_path / "marker",
        "sitegen.site.output:write_theme",
        "publish",
        d.content,
        "-o",
        d.output,
        "--bundles",
        d.bundles,
    )
    kill(proc)
    assert "南部" in (d.output / "tv/xg/cs/index.html").read_text("utf-8")
    assert "南部" not in (d.output / "mobile/xg/cs/index.html").read_text("utf-8")
    ingest(d)
    assert d.served() == before
    r = publish(d, run=sitegen_here)
    assert r.returncode == 0, r.stdout + r.stderr
    ingest(d)
    assert d.served() == site(d) != before
    assert "南部" in (d.headend / "current/mobile/xg/cs/index.html").read_text("utf-8")


def test_hold_back_build_option_unit(live):
    """pipeline.build(hold_back=True) alone: errors mapped to their village via the location's path."""
    d = live
    unbalance(d.content, "cs")
    result = build(d.content, d.output, hold_back=True)
    assert set(result.held) == {"xg/cs"} and result.held["xg/cs"][0].code == "voucher-unbalanced"
    assert result.villages == ["xg/cs", "xg/cs2"]


# ---- failures after validation (issue 11): held to their village, in publish as in build -----------------------


def test_a_village_failing_after_validation_is_held_and_the_other_published(live, monkeypatch):
    """A render error in one village's pages (found only when its pages are made) holds back that village alone:
    exit 5, its bundle unchanged, the other village published with its change."""
    from sitegen.deploy.publish import EXIT_HELD
    from sitegen.deploy.publish import publish as run_publish
    from sitegen.site import render

    d = live
    state = json.loads((d.bundles / "state.json").read_text())["bundles"]
    for village in ("cs", "cs2"):
        yaml = d.content / "xg" / village / "village.yaml"
        yaml.write_text(yaml.read_text("utf-8").replace("东部", "东北部"), "utf-8")
    real = render.body_html

    def body(item, page, *a, **k):
        if page.path.startswith("xg/cs2/"):
            raise RuntimeError("template bug")
        return real(item, page, *a, **k)

    monkeypatch.setattr(render, "body_html", body)
    result = run_publish(d.content, d.output, d.bundles)
    assert result.code == EXIT_HELD, result.summary
    assert any("held back: xg/cs2" in line for line in result.summary)
    after = json.loads((d.bundles / "state.json").read_text())["bundles"]
    assert {k: v for k, v in after["xg/cs2"].items() if k != "seal"} == {
        k: v for k, v in state["xg/cs2"].items() if k != "seal"
    }  # the seal is the stat of the files last seen
    assert after["xg/cs"]["version"] > state["xg/cs"]["version"]
    assert "东北部" not in (d.output / "tv/xg/cs2/index.html").read_text("utf-8")
    assert "东北部" in (d.output / "tv/xg/cs/index.html").read_text("utf-8")


def test_publish_waits_for_or_leaves_a_running_build(live, tmp_path):
    """`sitegen build` and `publish` of the same output exclude each other (the output folder's lock)."""
    d = live
    with lock.hold(d.output / ".cache" / "build.lock"):
        r = publish(d)
    assert r.returncode == 4 and "another run holds" in r.stdout + r.stderr


# ---- h25: publish with nothing changed costs the stat facts, held villages included ----------------------------


def test_nothing_changed_walks_reads_and_signs_no_village(live, monkeypatch):
    """Publish asked again with nothing changed: the build's memo answers, and no village bundle (the held one
    included) is walked, read, hashed or signed again; the push sends nothing but the fresh snapshot."""
    d = live
    unbalance(d.content, "cs2")
    assert publish_run(d.content, d.output, d.bundles).code == EXIT_HELD  # cs2 held: its last good version kept
    walked: list[str] = []
    real_walk, real_entries, real_sign = bundle._walk, bundle._entries, bundle.sign
    monkeypatch.setattr(bundle, "_walk", lambda output, top, *a: walked.append(str(top)) or real_walk(output, top, *a))
    monkeypatch.setattr(bundle, "_entries", lambda files: walked.append("read") or real_entries(files))
    monkeypatch.setattr(bundle, "sign", lambda m, k: walked.append(f"sign {m.bundle}") or real_sign(m, k))
    for _ in range(2):
        walked.clear()
        result = publish_run(d.content, d.output, d.bundles)
        assert result.code == EXIT_HELD and "3 bundles, 0 changed" in result.summary[0], result.summary
        assert [w for w in walked if "/xg/" in w or w == "read" or w.startswith("sign")] == [], walked


def test_publish_shows_the_bundling_at_a_terminal_and_only_logs_for_cron(live):
    """At a terminal `sitegen publish` shows the build's steps and then the bundles made of all (content/progress.py,
    the build's own line); cron's run prints its summary only, and both log the same JSON-lines events."""
    code, out, shown = at_a_terminal("publish", live.content, "-o", live.output, "--bundles", live.bundles)
    assert code == 0, out + shown
    assert "\r检查 check" in shown and "\r推送 push" in shown
    assert re.search(r"\r打包 bundle: (\d)/\1 个包 bundles", shown), shown
    r = publish(live, run=sitegen_here)  # stderr not a terminal (a pipe for cron)
    assert r.returncode == 0 and "\r" not in r.stderr and "个包 bundles" not in r.stderr
    runs: dict[str, list[str]] = {}
    for line in (live.bundles / "publish.log.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        runs.setdefault(record["run"], []).append(record["event"])
    assert list(runs.values())[-1] == list(runs.values())[-2]
