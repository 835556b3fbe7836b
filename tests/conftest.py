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


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below folder (hidden cache folders excluded)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts}
