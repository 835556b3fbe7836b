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
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

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


def write_theme(
    output: Path,
    theme: str,
    files: dict[str, bytes],
    copies: dict[str, Path | str],
    villages: set[str] | None = None,
    kept: AbstractSet[str] = frozenset(),
    record: str = "",
) -> None:
    """Write `files` (path -> bytes) and `copies` (path -> file to hard-link or copy) as output/<theme>.

    With `villages` (the "town/village" folders made again) and a live theme folder, only what changed is
    written, village by village (update_theme; `kept`, `record` as there). Otherwise the theme is written whole
    to a staging folder and swapped in.

    Plain strings and one mkdir per folder: a city's output is millions of files, and pathlib's per-call cost
    was most of the time of writing them."""
    target = output / theme
    if villages is not None and (target / "index.html").is_file():
        update_theme(output, theme, files, copies, villages, kept, record)
        return
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


def _key(path: str, villages: set[str]) -> str | None:
    """The village ("town/village") a file of a theme is in, or None (the city's or a town's own files)."""
    parts = path.split("/", 2)
    key = "/".join(parts[:2]) if len(parts) == 3 else ""
    return key if key in villages else None


def _write_files(folder: str, files: dict[str, bytes], copies: dict[str, Path | str], strip: int) -> None:
    """Write files and hard-link (or copy) copies into `folder`, each path cut by `strip` characters."""
    made: set[str] = set()

    def place(path: str) -> str:
        dest = os.path.join(folder, path[strip:])
        parent = os.path.dirname(dest)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        return dest

    for path, data in sorted(files.items()):
        with open(place(path), "wb") as fh:
            fh.write(data)
    for path, source in sorted(copies.items()):
        dest = place(path)
        try:
            os.link(source, dest)
        except OSError:
            shutil.copyfile(source, dest)


def _same(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def update_theme(
    output: Path,
    theme: str,
    files: dict[str, bytes],
    copies: dict[str, Path | str],
    villages: set[str],
    kept: AbstractSet[str],
    record: str,
) -> None:
    """Bring output/<theme> up to date in place (逐村更新), touching only what changed: every village in `villages`
    ("town/village") that has files here is written to a hidden staging folder beside the theme and swapped in
    with one renameat2(RENAME_EXCHANGE) (a reader sees the village's old pages or its new ones); then the city's
    and towns' own files (everything outside the village folders) are replaced one by one, each atomically
    (written beside it, renamed over it), unchanged ones left alone; then folders of villages gone from the site
    and files no longer made are removed; the build record (`record`, a path in `files`) last, so that it never
    speaks of pages not yet in place. `kept`: "town/village" folders (or a held town's slug) left exactly as they
    are (carried over unchanged). Without a live folder the theme is written whole (write_theme).

    A failure stops it with OutputError: every village already swapped is complete (its new pages), every other
    one as it was, and the build record still the old one, so the next build makes again every village whose
    pages do not match it. Called by write_theme."""
    target = output / theme
    root = str(target)
    tag = f".tmp-{os.getpid()}"
    by_village: dict[str, tuple[dict[str, bytes], dict[str, Path | str]]] = {}
    shared_files: dict[str, bytes] = {}
    shared_copies: dict[str, Path | str] = {}
    for path, data in files.items():
        key = _key(path, villages)
        if key is None:
            shared_files[path] = data
        else:
            by_village.setdefault(key, ({}, {}))[0][path] = data
    for path, source in copies.items():
        key = _key(path, villages)
        if key is None:
            shared_copies[path] = source
        else:
            by_village.setdefault(key, ({}, {}))[1][path] = source
    # staged outside the theme folder (a killed run leaves nothing inside it; clean_leftovers removes this)
    scratch = os.path.join(output, f".{theme}.update{tag}")
    staging = ""
    try:
        shutil.rmtree(scratch, ignore_errors=True)
        for n, (key, (own, linked)) in enumerate(sorted(by_village.items())):
            town, village = key.split("/")
            live = os.path.join(root, town, village)
            staging = os.path.join(scratch, str(n))
            os.makedirs(staging)
            _write_files(staging, own, linked, len(key) + 1)
            if os.path.isdir(live) and _exchange(Path(staging), Path(live)):
                remove_old(staging)  # now holds the village's previous pages
            elif os.path.isdir(live):
                old = os.path.join(scratch, f"old-{n}")
                os.rename(live, old)
                try:
                    os.rename(staging, live)
                except OSError:
                    os.rename(old, live)  # the village's old pages back in place
                    raise
                remove_old(old)
            else:
                os.makedirs(os.path.dirname(live), exist_ok=True)
                os.rename(staging, live)
        staging = ""
        for path, data in sorted(shared_files.items()):
            if path == record:
                continue
            _replace(os.path.join(root, path), data, None, scratch)
        for path, source in sorted(shared_copies.items()):
            _replace(os.path.join(root, path), None, source, scratch)
        keep = {k + "/" for k in [*villages, *kept]}
        wanted = set(shared_files) | set(shared_copies)
        visited: list[str] = []
        for top, dirs, names in os.walk(root, topdown=True):
            rel = os.path.relpath(top, root).replace(os.sep, "/")
            rel = "" if rel == "." else rel + "/"
            visited.append(top)
            for d in list(dirs):
                if f"{rel}{d}/" in keep:
                    dirs.remove(d)  # a village's folder: swapped or kept whole, above
                elif _leftover(d):
                    dirs.remove(d)
                    shutil.rmtree(os.path.join(top, d), ignore_errors=True)  # a killed run's staging folder
                elif not _holds(f"{rel}{d}/", keep, wanted):
                    dirs.remove(d)
                    remove_old(os.path.join(top, d))  # a village (or town) no longer in the site
            for name in names:
                if f"{rel}{name}" not in wanted:
                    os.unlink(os.path.join(top, name))  # a page no longer made (or a killed run's temporary file)
        for top in reversed(visited[1:]):
            if not os.listdir(top):
                os.rmdir(top)  # a folder left empty by a removed page
        if record in files:
            _replace(os.path.join(root, record), files[record], None, scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise OutputError(f"{exc.filename or output}: {exc.strerror}") from exc


def _leftover(name: str) -> bool:
    """A staging or old folder or file of a run (this one's is gone by now; a killed one's: clean_leftovers)."""
    return name.startswith(".") and ".tmp-" in name


def _holds(prefix: str, keep: set[str], wanted: set[str]) -> bool:
    return any(k.startswith(prefix) for k in keep) or any(w.startswith(prefix) for w in wanted)


def _replace(dest: str, data: bytes | None, source: Path | str | None, scratch: str) -> None:
    """One file put in place atomically (written in `scratch`, on the same file system, renamed over it); left
    alone when the same."""
    if data is not None and _same(dest, data):
        return
    if source is not None:
        try:
            if os.path.samefile(source, dest):
                return
        except OSError:
            pass
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    os.makedirs(scratch, exist_ok=True)
    tmp = os.path.join(scratch, "file")
    if data is not None:
        with open(tmp, "wb") as fh:
            fh.write(data)
    else:
        assert source is not None  # a file is either bytes or a file to link
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
    os.replace(tmp, dest)
