"""Shared fixtures: copies of the small content folders under tests/fixtures/, and tree snapshots."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini (1 town, 1 village, 4 vouchers)."""
    dest = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


def published(path: Path, folder: Path) -> bool:
    """A file bundles carry: no hidden name on its way down from `folder` (the build's record of what its pages
    were made from, the image cache, the headend's .sitegen are never published)."""
    return path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)


def snapshot(folder: Path, published_only: bool = False) -> dict[str, str]:
    """Relative path -> sha256 of every file below folder but the image cache; with `published_only`, of the
    published files only."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if (published(p, folder) if published_only else p.is_file() and ".cache" not in p.parts)}


# ---- issue 11 (h2): dates are judged against a pinned "today" ------------------------------------------------

@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """A date more than 60 days after today is refused (sitegen/content/dates.py); the tests judge against one fixed day
    (SITEGEN_TODAY, inherited by the CLI subprocesses too), so they give the same answer whatever the clock says."""
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-29")
