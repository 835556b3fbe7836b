"""scripts/make_city.py: a seed-scale synthetic city that is deterministic and passes `sitegen check`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.checked import check

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "make_city.py"


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_make_city_is_deterministic_at_seed_volumes_and_passes_check(tmp_path):
    # A copy of the sample as the seed: the city hard-links the seed's scans, which changes their ctime and link
    # count, and tests running beside this one (pytest-xdist) rely on the sample's stat facts standing still.
    seed = tmp_path / "seed"
    shutil.copytree(REPO / "content", seed)
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        subprocess.run(
            [sys.executable, str(SCRIPT), "--villages", "2", "--seed", str(seed), str(out)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
        )
    assert _tree(outs[0]) == _tree(outs[1])
    city, report = check(outs[0])
    assert city is not None and not report.errors, [p.format() for p in report.errors[:3]]
    assert len(city.villages) == 2
    for village in city.villages:
        assert len(village.vouchers) == 445
        assert all(len(v.scans) >= 2 for v in village.vouchers[-100:])
        boards = [i.board.name for i in village.items]
        assert boards.count("党务") == 40 and boards.count("村务") == 49
    assert any(v.questions for village in city.villages for v in village.vouchers)  # hotline records moved along
