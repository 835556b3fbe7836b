"""画图缓存 (drawings): files drawn at build time from a little text (the 我有疑问 QR codes, the finance charts),
cached in the image cache by what they are drawn from.

A cold build of the city draws ~1,230 QR codes and a few charts a village, the same ones every time the content
is the same. Each is planned as a `Drawing`: `key`, the text that decides its bytes (what is drawn and how), and
`draw`, the function that draws it. Its cache entry is named by the hash of DRAW and the key, beside the
renditions (renditions.py) and kept or dropped with them: the build lists every entry a village's pages use
(`.index/uses/`) and prunes the rest. Same key, same bytes: a build that finds the entry links it into the output
(a hard link, like a rendition) and draws nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import PIL

from sitegen.content.errors import OutputError

# the drawing code's version, and the library that encodes the PNGs: change when a drawing's bytes change
DRAW = f"draw1-pillow{PIL.__version__}"


@dataclass(frozen=True, slots=True)
class Drawing:
    """画 One file drawn at build time: `key` is everything that decides its bytes (kind, version, sizes and the
    figures or text drawn), `draw` draws them. Called like the function it wraps (a plan's generated file)."""

    key: str
    draw: Callable[[], bytes]

    def __call__(self) -> bytes:
        return self.draw()

    @property
    def entry(self) -> str:
        """Its cache file's name: the hash of DRAW and its key (40 hex digits, like a rendition's)."""
        return hashlib.sha256(f"{DRAW}|{self.key}".encode()).hexdigest()[:40]


def drawn(drawings: Mapping[str, Drawing], cache: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Output path -> the cache file of its drawing, drawn and written to `cache` only when no entry has its name
    (two paths with one key are drawn once). Returns the files, and path -> error text for each drawing that
    could not be drawn (its page's failure). A cache that cannot be written to: OutputError."""
    files: dict[str, Path] = {}
    failed: dict[str, str] = {}
    made: dict[str, Path | str] = {}  # entry -> its file, or the error drawing it gave
    for path, drawing in sorted(drawings.items()):
        name = drawing.entry
        if name not in made:
            made[name] = _entry(cache, name, drawing)
        result = made[name]
        if isinstance(result, Path):
            files[path] = result
        else:
            failed[path] = result
    return files, failed


def _entry(cache: Path, name: str, drawing: Drawing) -> Path | str:
    """The cache file `name`, drawn and written (atomically) if it is not there; the error text if drawing fails."""
    dest = cache / name
    if dest.is_file():
        return dest
    try:
        data = drawing()
    except Exception as exc:  # a chart that cannot be drawn: its village's failure, not the build's
        return f"{type(exc).__name__}: {exc}"[:200]
    tmp = cache / f"{name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)  # a killed run never leaves a half-written entry under its name
    except OSError as exc:
        raise OutputError(f"{exc.filename or dest}: {exc.strerror}") from exc
    return dest
