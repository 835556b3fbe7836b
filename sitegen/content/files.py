"""One of each for files written or hashed anywhere in sitegen: an atomic write (fsync'd), a file's SHA-256, and a
path kept inside a root. Every stage uses these rather than its own copy, so a fix (an fsync, a chunk size, a link
check) is made once."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

CHUNK = 1 << 20  # 1 MiB: hashing a scan never holds it whole in memory
# Names in a content folder that are no clerk's file: hidden ones, Office's lock files, Windows' thumbnails (load.py
# skips them, reuse.py leaves them out of a village's fingerprint). Here, not in load.py, so that reading a build's
# record (the deployment commands) does not load the spreadsheet reader.
IGNORED = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` so that a reader, or a crash at any moment, sees the old bytes or the new ones, never a part:
    the bytes go to a hidden temporary file beside it, are flushed to disk, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
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
