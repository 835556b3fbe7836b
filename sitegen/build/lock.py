"""One run at a time (运行锁): an flock(2) on a lock file, used by build (on its output folder and image cache:
two builds of one output would delete each other's staging folders), publish, bundle, push and ingest.

The kernel drops an flock when its process dies, however it dies (SIGKILL included), so a lock left by a
crashed run is recovered by the next run with nothing to clean up. The file keeps the holder's pid and start
time only so that the "busy" message can name them.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """Another run holds the lock. Message: Chinese, newline, English."""


@contextmanager
def hold(path: Path, wait: bool = False) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "?"
            raise Busy(
                f"另一个运行正在进行（{holder}），本次退出；可加 --wait 等它结束\n"
                f"another run holds {path} ({holder}); exiting (use --wait to wait for it)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
