"""sitegen/images/renditions.py: the worker pool that makes renditions (渲染图) does not outlive its build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
