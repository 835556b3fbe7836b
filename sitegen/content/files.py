"""One of each for files written or hashed anywhere in sitegen: an atomic write (fsync'd; of bytes, or of a file
written as it is made), a file's SHA-256, and a path kept inside a root. Every stage uses these rather than its own copy, so a fix (an fsync, a chunk size, a link
check) is made once."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # 1 MiB: hashing a scan never holds it whole in memory
# Names in a content folder that are no clerk's file: hidden ones, Office's lock files, Windows' thumbnails (load.py
# skips them, reuse.py leaves them out of a village's fingerprint). Here, not in load.py, so that reading a build's
# record (the deployment commands) does not load the spreadsheet reader.
IGNORED = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_O_PATH = getattr(os, "O_PATH", 0)  # Linux: a handle on a path that opens nothing (a named pipe does not block)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` so that a reader, or a crash at any moment, sees the old bytes or the new ones, never a part:
    the bytes go to a hidden temporary file beside it, are flushed to disk, then renamed over it."""
    with atomic(path) as f:
        f.write(data)


@contextmanager
def atomic(path: Path) -> Iterator[BinaryIO]:
    """`path` written as write_atomic writes it, from a file the caller writes as it goes (a report's document made
    as its rows come, never held whole): renamed over `path` once the block ends, removed if it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sha256_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes, hex, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, with every symbolic link followed, is `root` or lies under it (root resolved too)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop on older Pythons
        return False
    return True


def within(path: Path, root: Path) -> bool:
    """`path.is_relative_to(root)`, told from their text (both are normalized, POSIX paths compare as written): the
    check asks it of every file it opens, and `is_relative_to` parses both paths again each time (~5 µs a scan)."""
    top, here = str(root), str(path)
    if top == "." or top.startswith("//") or here.startswith("//"):  # (rare: "." and POSIX's "//" root, as it says)
        return path.is_relative_to(root)
    return here == top or here.startswith(top if top.endswith("/") else top + "/")


def kernel_stat(path: Path) -> tuple[Path, os.stat_result] | None:
    """`kernel_path`, with what `stat` says of the file it leads to, taken from the same bare handle (fstat of the
    O_PATH handle: the very file the kernel resolved, no second walk of the path): four system calls where
    `kernel_path` and a stat took five. None whenever `kernel_path` would give None."""
    found = _kernel(path, True)
    return (found[0], found[1]) if found is not None and found[1] is not None else None


def kernel_path(path: Path) -> Path | None:
    """Where `path` leads, every symbolic link followed, as the kernel found it: `path` opened as a bare handle
    (O_PATH, which reads nothing) and its /proc/self/fd link read, three system calls in C instead of
    `Path.resolve`'s lstat and Python work for each part of the path (~35 µs a scan). The same answer as
    `path.resolve()` for a path that exists; None whenever it cannot tell (no such path, a link loop, a name the
    kernel marks deleted, no O_PATH or no /proc): `resolve` is then asked."""
    found = _kernel(path, False)
    return found[0] if found is not None else None


def _kernel(path: Path, with_stat: bool) -> tuple[Path, os.stat_result | None] | None:
    if not _O_PATH:
        return None
    try:
        handle = os.open(path, _O_PATH | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        real = os.readlink(f"/proc/self/fd/{handle}")
        st = os.fstat(handle) if with_stat else None
    except OSError:
        return None
    finally:
        os.close(handle)
    if not real.startswith("/") or real.endswith(" (deleted)"):
        return None
    return Path(real), st
