"""What renders (程序指纹): sitegen's code and themes, the libraries that shape pages and images, the chart font,
as one hash; the theme names.

Kept apart from reuse.py (which holds the villages' fingerprints) and charts.py (which draws) so that asking for
it loads neither a template engine nor an image library: every `sitegen check` and build starts by comparing
the content's state with the last one (build/state.py), and `renderer()` is part of that state.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # sitegen/, every subpackage
THEMES_DIR = PACKAGE.parent / "themes"
THEMES = ("tv", "mobile")  # the sites built (render.THEMES)
RECORD = ".sitegen-build.json"  # each theme's build record (reuse.py): hashed by the check's state
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "pillow", "pypdfium2", "pillow-heif", "segno")
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@lru_cache(maxsize=1)
def font_path() -> str | None:
    """The Chinese font the charts are drawn with (charts.py), None when there is none."""
    for path in FONT_PATHS:
        if os.path.isfile(path):
            return path
    try:  # other distributions: ask fontconfig for a Chinese font
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found.lower().endswith((".ttc", ".ttf", ".otf")) and os.path.isfile(found) else None


def renderer() -> str:
    """What renders, as one hash (below); keys the villages' fingerprints (reuse.py), the validation memo and the
    build's and check's memos (build/state.py)."""
    return _renderer()


@lru_cache(maxsize=1)
def _renderer() -> str:
    """sitegen's code and themes, the versions of the libraries that shape pages and images, the chart font."""
    h = hashlib.sha256()
    for f in sorted(PACKAGE.rglob("*.py")) + sorted(p for p in THEMES_DIR.rglob("*") if p.is_file()):
        h.update(f"{f.relative_to(PACKAGE.parent).as_posix()}\0".encode() + hashlib.sha256(f.read_bytes()).digest())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-\n".encode())
    font = font_path()
    if font:
        st = os.stat(font)
        h.update(f"{font}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()
