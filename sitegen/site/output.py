"""Stage 7, write (发布): put a finished theme site in place atomically, or not at all.

A theme is written in full to a hidden sibling folder, then swapped with the live one in a single
renameat2(RENAME_EXCHANGE) call where the kernel offers it (Linux >= 3.15), so a reader sees either the old
site or the new one, never a mixture or nothing. Elsewhere it falls back to two renames.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path
from typing import Callable

from sitegen.content.errors import OutputError

# Removes a theme's previous folder once the new one is in place. `sitegen serve` swaps in a background remover
# (serve.Preview._discard), so its page reloads do not wait for thousands of unlinks.
remove_old: Callable[[str | Path], None] = shutil.rmtree

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def clean_leftovers(output: Path) -> None:
    """Temporary folders of a run that was killed half-way."""
    if output.is_dir():
        for leftover in output.glob(".*.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def write_theme(output: Path, theme: str, files: dict[str, bytes], copies: dict[str, Path | str]) -> None:
    """Write `files` (path -> bytes) and `copies` (path -> file to hard-link or copy) as output/<theme>.

    Plain strings and one mkdir per folder: a city's output is millions of files, and pathlib's per-call cost
    was most of the time of writing them."""
    target = output / theme
    staging = output / f".{theme}.tmp-{os.getpid()}"
    made: set[str] = set()

    def place(path: str) -> str:
        dest = os.path.join(staging, path)
        folder = os.path.dirname(dest)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        return dest

    try:
        output.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        for path, data in sorted(files.items()):
            with open(place(path), "wb") as fh:
                fh.write(data)
        for path, source in sorted(copies.items()):
            dest = place(path)
            try:
                os.link(source, dest)  # renditions live in the cache; a hard link costs no space or time
            except OSError:
                shutil.copyfile(source, dest)
        if target.exists() and _exchange(staging, target):
            remove_old(staging)  # now holds the previous site
            return
        if target.exists():
            old = output / f".{theme}.old-tmp-{os.getpid()}"
            os.rename(target, old)
            os.rename(staging, target)
            remove_old(old)
        else:
            os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{exc.filename or output}: {exc.strerror}") from exc
