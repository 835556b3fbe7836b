"""The run's store of checked villages (validate/store.py, issue 14): a village kept is restored equal (new
objects, the shared constants the very same), the run's folder is its own and removed at the end, and a killed
run's folder is swept by the next run, never a live run's."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from sitegen.build.pipeline import check_stored
from sitegen.validate.store import VillageStore
from tests.checked import check


def test_a_village_is_restored_equal_and_the_run_folder_removed(mini, tmp_path):
    city, _ = check(mini)
    assert city is not None
    village = city.villages[0]
    index = tmp_path / ".index"
    index.mkdir()
    store = VillageStore(index)
    assert store.folder.parent == index and "xg/cs" not in store
    store.keep("xg/cs", village)
    again = store.restore("xg/cs")
    assert again is not village and pickle.dumps(again) == pickle.dumps(village)
    assert again.items[0].board is village.items[0].board  # a shared constant: the very same object
    store.close()
    assert not store.folder.exists() and list(index.iterdir()) == []
    elsewhere = VillageStore(None)  # no cache's .index: a temporary folder
    assert elsewhere.folder.is_dir() and elsewhere.folder.parent != index
    elsewhere.close()
    assert not elsewhere.folder.exists()


def test_a_killed_run_s_folder_is_swept_never_a_live_one_s(tmp_path):
    index = tmp_path / ".index"
    index.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = index / f"run-{int(gone.stdout)}-abc"
    (dead / "x").mkdir(parents=True)
    live = index / f"run-{os.getppid()}-def"  # (the process that started this test's: alive)
    live.mkdir()
    store = VillageStore(index)
    assert not dead.exists() and live.is_dir() and store.folder.is_dir()
    store.close()


def test_a_village_the_memo_keeps_is_read_from_its_entry_not_pickled_again(mini, tmp_path):
    """Where the build's cache keeps the memo (.index/), a village it holds as checked (just kept, or restored
    unchanged) is read back from its entry: the run's folder stays empty, and the village is the same."""
    cache = tmp_path / "cache"
    (cache / ".index").mkdir(parents=True)
    for _ in range(2):  # kept by the first run, restored by the second
        stored, report = check_stored(mini, cache=cache)
        assert stored is not None and not report.errors
        try:
            assert list(stored.store.readers) == ["xg/cs"] and list(stored.store.folder.iterdir()) == []
            alone = VillageStore(None)
            alone.keep("xg/cs", stored.village("xg/cs"))
            assert pickle.dumps(stored.village("xg/cs")) == pickle.dumps(alone.restore("xg/cs"))
            alone.close()
        finally:
            stored.close()
