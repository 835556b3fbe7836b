"""sitegen/images/renditions.py: the worker pool that makes renditions (渲染图) does not outlive its build."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.images import renditions
from tests.conftest import REPO

# Makes the renditions' pool as a build does (the forkserver, as in production), gets every worker started, prints
# the pids, then dies as a killed build does: no clean-up of any kind.
KILLED_BUILD = """
import os, signal, sys
from sitegen.images import renditions
renditions.START_METHOD = sys.argv[1]
pool = renditions._pool(2)
assert len({f.result() for f in [pool.submit(os.getpid) for _ in range(8)]}) >= 1
workers = sorted(pool._processes)  # every worker started (one a job submitted while none was idle, up to 2)
print(os.getpid(), *workers, flush=True)
sys.stdin.readline()  # the test has taken its note of the process tree
os.kill(os.getpid(), signal.SIGKILL)
"""


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie is the container's init's to reap, not ours)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfds (Linux 5.3+)")
@pytest.mark.parametrize("method", ["forkserver", "fork"])
def test_a_killed_builds_pool_workers_forkserver_and_tracker_end_with_it(method):
    """A build SIGKILLed with its pool up (cron's timeout, the OOM killer) leaves no process behind: its workers end,
    and with them the forkserver they came from and multiprocessing's resource tracker (they used to wait for ever,
    ppid 1, each a Python with Pillow loaded)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, method], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None and proc.stdin is not None
    build, *workers = map(int, proc.stdout.readline().split())
    left = _descendants(build)  # the workers, and the forkserver and tracker under forkserver
    assert set(workers) <= left and len(workers) == 2
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 120  # a bound for processes that never end, not a time they are given
    while any(_running(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.05)
    still = sorted(p for p in left if _running(p))
    for p in still:  # (a failure leaves none behind either)
        os.kill(p, signal.SIGKILL)
    assert still == [], "processes outlived the killed build"


def _spin(seconds: float, _cache: str) -> None:
    """In a pool worker: spend `seconds` of CPU."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_the_cpu_of_a_forkservers_workers_is_counted(monkeypatch):
    """The workers of a forkserver pool (production's) are the server's children: this process's rusage never
    counts them, so the build's step timings would miss the decode check's and the renditions' CPU. Each job's
    worker measures its own, and worker_cpu adds it up; a forked worker (this process's child) is left to rusage."""
    monkeypatch.setattr(renditions, "START_METHOD", "forkserver")
    before, children = renditions.worker_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    assert renditions._run_all([0.2, 0.2, 0.2], Path(), 2, _spin) == [None, None, None]
    spent = renditions.worker_cpu() - before
    assert 0.6 <= spent < 3
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime) < 0.3  # rusage saw none of it
    monkeypatch.setattr(renditions, "START_METHOD", "fork")
    before = renditions.worker_cpu()
    assert renditions._run_all([0.2], Path(), 1, _spin) == [None]
    assert renditions.worker_cpu() == before  # counted by rusage when the forked worker ended
