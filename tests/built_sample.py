"""The sample city (content/) built once per test session for the browser tests that need the real site
(test_reachability.py, test_viewer.py, test_feedback.py): a cold build makes every rendition, which takes a while.
Not a test module."""
from __future__ import annotations

from pathlib import Path

from sitegen.pipeline import build
from tests.conftest import REPO

CONTENT = REPO / "content"
_built: dict[str, Path] = {}


def sample_output(tmp_path_factory) -> Path:
    """output/ of the sample city (both themes), built on first use in this session."""
    if "out" not in _built:
        out = tmp_path_factory.mktemp("sample-site") / "output"
        build(CONTENT, out)
        _built["out"] = out
    return _built["out"]
