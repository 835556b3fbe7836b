"""The sample city (content/) built once per test session, for the tests that need the real site (the browser
tests, test_feedback.py, test_images.py): a cold build makes every rendition, which takes a while. Not a test module.

The build is shared: read it, don't change it (copy it first). A test that changes it all the same costs the next
caller a fresh build, not a wrong answer: every call checks that no file was added, removed or rewritten.
"""
from __future__ import annotations

import os
from pathlib import Path

from sitegen.build.pipeline import build
from tests.conftest import REPO

CONTENT = REPO / "content"
_built: dict[str, tuple[Path, dict]] = {}


def _fingerprint(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime in ns) of every file below folder."""
    found, todo = {}, [str(folder)]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[entry.path] = (st.st_size, st.st_mtime_ns)
    return found


def sample_output(tmp_path_factory) -> Path:
    """output/ of the sample city (both themes), built on first use in this session (and again only if a test
    changed it)."""
    cached = _built.get("out")
    if cached is None or _fingerprint(cached[0]) != cached[1]:
        out = tmp_path_factory.mktemp("sample-site") / "output"
        build(CONTENT, out)
        _built["out"] = (out, _fingerprint(out))
    return _built["out"][0]
