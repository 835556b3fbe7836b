"""Stage 7, write (发布): put a finished theme site in place atomically, or not at all.

A theme's new files are staged (Stage) in a hidden sibling folder as they are made (the render step hands them
over page by page, so they are never all in memory), then, once every check has passed, swapped with the live
folder (the whole theme, or village by village in place) in a single renameat2(RENAME_EXCHANGE) call where the
kernel offers it (Linux >= 3.15), so a reader sees either the old site or the new one, never a mixture or
nothing. Elsewhere it falls back to two renames. A failure before then throws the staging folder away.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import filecmp
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
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
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


class Stage:
    """暂存 A theme's new files on their way in: each written to disk as soon as it is made (the render step hands
    over page by page, so a city's pages are never all held in memory), and put in place only by write_theme, once
    every check has passed; until then nothing visible changes, and `discard` (any failure) leaves the live theme
    exactly as it was.

    Staged as write_theme will put them in place: with `villages` ("town/village" folders made again) and a live
    theme folder, in place: each village in a folder of its own inside a hidden scratch folder beside the theme
    (`.THEME.update.tmp-PID/N`, swapped in whole), the city's and towns' own files in its `shared/`; otherwise the
    whole theme in one hidden staging folder beside it (`.THEME.tmp-PID`), swapped in whole. Never inside the
    theme folder: a killed run leaves nothing there (clean_leftovers removes the rest)."""

    def __init__(self, output: Path, theme: str, villages: set[str] | None = None):
        self.output, self.theme = output, theme
        self.whole = villages is None or not (output / theme / "index.html").is_file()
        self.villages: set[str] = set() if villages is None else villages
        tag = f".tmp-{os.getpid()}"
        self.folder = os.path.join(output, f".{theme}{tag}" if self.whole else f".{theme}.update{tag}")
        self.slots: dict[str, str] = {}  # "town/village" -> its staging folder (in place)
        self.shared: set[str] = set()  # paths of the staged files outside the villages (in place)
        self.open = True  # False once put in place or discarded
        self._made: set[str] = set()
        try:
            output.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(self.folder, ignore_errors=True)
            os.makedirs(self.folder)
        except OSError as exc:
            raise OutputError(f"{exc.filename or output}: {exc.strerror}") from exc

    def _place(self, path: str) -> str:
        """Where `path` of the theme is staged (its folder made)."""
        if self.whole:
            dest = os.path.join(self.folder, path)
        else:
            key = _key(path, self.villages)
            if key is None:
                self.shared.add(path)
                dest = os.path.join(self.folder, "shared", path)
            else:
                slot = self.slots.setdefault(key, os.path.join(self.folder, str(len(self.slots))))
                dest = os.path.join(slot, path[len(key) + 1 :])
        parent = os.path.dirname(dest)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        return dest

    def put(self, path: str, data: bytes) -> None:
        """Stage one file's bytes (the caller may drop them now). os.open/os.write: open() adds a file object, an
        fstat and an isatty ioctl to each of a city's hundreds of thousands of pages; the mode is the same (0o666
        less the umask)."""
        try:
            fd = os.open(self._place(path), _CREATE, 0o666)
            try:
                view = memoryview(data)
                while view:  # a regular file takes it all at once; a signal or a full disk may cut a write short
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        except OSError as exc:
            raise OutputError(f"{exc.filename or self.output}: {exc.strerror}") from exc

    def link(self, path: str, source: Path | str) -> None:
        """Stage a file that exists already (a rendition in the cache, a carried page): hard-linked, which costs no
        space or time, or copied where a link cannot be made."""
        try:
            dest = self._place(path)
            try:
                os.link(source, dest)
            except OSError:
                shutil.copyfile(source, dest)
        except OSError as exc:
            raise OutputError(f"{exc.filename or self.output}: {exc.strerror}") from exc

    def drop(self, path: str) -> None:
        """Throw away what is staged of one village ("town/village": its folder, which is then not swapped in and
        may be staged again) or of one file of the city's or towns' own, keeping the rest (a village held back
        within the round, pipeline._Round). In place, the villages' folders stay numbered 0..n-1 (the last one
        takes the dropped one's number), as `_place` numbers a new one n."""
        gone = [os.path.join(self.folder, path) if self.whole else os.path.join(self.folder, "shared", path)]
        if not self.whole and path in self.villages:
            self.villages.discard(path)
            slot = self.slots.pop(path, None)
            gone = [slot] if slot is not None else []
            last = os.path.join(self.folder, str(len(self.slots)))
            moved = next((key for key, folder in self.slots.items() if folder == last), None)
            if slot is not None:
                shutil.rmtree(slot, ignore_errors=True)
                if moved is not None:
                    try:
                        os.rename(last, slot)
                    except OSError as exc:
                        raise OutputError(f"{exc.filename or self.output}: {exc.strerror}") from exc
                    self.slots[moved] = slot
                    gone.append(last)
        else:
            self.shared.discard(path)
            if os.path.isdir(gone[0]):
                shutil.rmtree(gone[0], ignore_errors=True)
            else:
                try:
                    os.unlink(gone[0])
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise OutputError(f"{exc.filename or self.output}: {exc.strerror}") from exc
        # folders made under what is gone are made again if anything is staged there later
        self._made = {d for d in self._made if not any(d == g or d.startswith(g + os.sep) for g in gone)}

    def discard(self) -> None:
        """Throw the staged files away (a failure, or what a swap left behind); the live theme is untouched."""
        if self.open:
            self.open = False
            shutil.rmtree(self.folder, ignore_errors=True)


def write_theme(
    output: Path,
    theme: str,
    files: dict[str, bytes],
    copies: dict[str, Path | str],
    villages: set[str] | None = None,
    kept: AbstractSet[str] = frozenset(),
    record: str = "",
    staged: Stage | None = None,
) -> None:
    """Write `files` (path -> bytes) and `copies` (path -> file to hard-link or copy) as output/<theme>, together
    with what `staged` holds already (the pages the render step staged as it made them; a Stage made with the same
    `villages`).

    With `villages` (the "town/village" folders made again) and a live theme folder, only what changed is
    written, village by village (update_theme; `kept`, `record` as there). Otherwise the theme is written whole
    to a staging folder and swapped in.

    Plain strings and one mkdir per folder: a city's output is millions of files, and pathlib's per-call cost
    was most of the time of writing them."""
    stage = staged or Stage(output, theme, villages)
    try:
        for path, data in sorted(files.items()):
            stage.put(path, data)
        if stage.whole:
            for path, source in sorted(copies.items()):
                stage.link(path, source)
            _swap_whole(stage)
        else:
            update_theme(stage, copies, kept, record)
    except OSError as exc:
        raise OutputError(f"{exc.filename or output}: {exc.strerror}") from exc
    finally:
        stage.discard()  # (a no-op once swapped in: the folder then holds the old site, being removed)


def _swap_whole(stage: Stage) -> None:
    """The whole theme, staged, exchanged with the live one (or renamed into place)."""
    output, target, staging = stage.output, stage.output / stage.theme, Path(stage.folder)
    if target.exists() and _exchange(staging, target):
        stage.open = False
        remove_old(staging)  # now holds the previous site
        return
    if target.exists():
        old = output / f".{stage.theme}.old-tmp-{os.getpid()}"
        os.rename(target, old)
        os.rename(staging, target)
        stage.open = False
        remove_old(old)
    else:
        os.rename(staging, target)
        stage.open = False


def _key(path: str, villages: set[str]) -> str | None:
    """The village ("town/village") a file of a theme is in, or None (the city's or a town's own files)."""
    parts = path.split("/", 2)
    key = "/".join(parts[:2]) if len(parts) == 3 else ""
    return key if key in villages else None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.getsize(a) == os.path.getsize(b) and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def update_theme(stage: Stage, copies: dict[str, Path | str], kept: AbstractSet[str], record: str) -> None:
    """Bring output/<theme> up to date in place (逐村更新) from what `stage` holds, touching only what changed:
    every village staged (its pages, and its `copies` linked in) is swapped in with one renameat2(RENAME_EXCHANGE)
    (a reader sees the village's old pages or its new ones); then the city's and towns' own files (everything
    outside the village folders) are replaced one by one, each atomically (renamed over it from the staging
    folder, on the same file system), unchanged ones left alone; then folders of villages gone from the site and
    files no longer made are removed; the build record (`record`, a staged path) last, so that it never speaks of
    pages not yet in place. `kept`: "town/village" folders (or a held town's slug) left exactly as they are
    (carried over unchanged). Called by write_theme.

    A failure stops it with OutputError: every village already swapped is complete (its new pages), every other
    one as it was, and the build record still the old one, so the next build makes again every village whose
    pages do not match it."""
    target = stage.output / stage.theme
    root = str(target)
    villages = stage.villages
    shared_copies: dict[str, Path | str] = {}
    for path, source in sorted(copies.items()):
        if _key(path, villages) is None:
            shared_copies[path] = source
        else:
            stage.link(path, source)
    scratch = stage.folder
    for n, (key, staging) in enumerate(sorted(stage.slots.items())):
        town, village = key.split("/")
        live = os.path.join(root, town, village)
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
    staged = os.path.join(scratch, "shared")
    for path in sorted(stage.shared):
        if path != record:
            _replace_staged(os.path.join(root, path), os.path.join(staged, path))
    for path, source in sorted(shared_copies.items()):
        _replace(os.path.join(root, path), source, scratch)
    keep = {k + "/" for k in [*villages, *kept]}
    wanted = stage.shared | set(shared_copies)
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
    if record in stage.shared:
        _replace_staged(os.path.join(root, record), os.path.join(staged, record))


def _replace_staged(dest: str, staged: str) -> None:
    """One staged file put in place atomically (renamed over it); left alone when the same bytes."""
    if _same_file(staged, dest):
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    os.replace(staged, dest)


def _leftover(name: str) -> bool:
    """A staging or old folder or file of a run (this one's is gone by now; a killed one's: clean_leftovers)."""
    return name.startswith(".") and ".tmp-" in name


def _holds(prefix: str, keep: set[str], wanted: set[str]) -> bool:
    return any(k.startswith(prefix) for k in keep) or any(w.startswith(prefix) for w in wanted)


def _replace(dest: str, source: Path | str, scratch: str) -> None:
    """One file that exists already (a rendition) put in place atomically (linked in `scratch`, on the same file
    system, renamed over it); left alone when it is that very file."""
    try:
        if os.path.samefile(source, dest):
            return
    except OSError:
        pass
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = os.path.join(scratch, "file")
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, dest)
