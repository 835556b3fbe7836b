"""A run's store of checked villages (村暂存), issue 14: memory at any size.

`sitegen check` and the build go through the city a village at a time (pipeline.check_stored): each village, once
validated, overseen and its images checked, is pickled here and dropped, so that a run never holds every village's
model at once. The build then restores each village in its turn (its pages planned, rendered and dropped) and the
store is removed when the run ends. One file a village, pickled as the memo pickles (memo.pickled), in a folder of
the run's own: under the image cache's `.index/` when there is one (beside the memo, on the same disk), else a
temporary folder (`sitegen check` of a content folder never built). A village whose memo entry holds it as checked
(restored unchanged, or just kept: memo.kept_as) is not pickled again: it is read from its entry.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sitegen.content.model import Village
from sitegen.validate.memo import alive, pickled, unpickled


class VillageStore:
    """The villages of one run by "town/village": `keep` pickles one to disk, `restore` gives a copy of it back
    (new objects each time: the caller holds it for its turn alone); `close` removes the run's folder. `index`:
    the image cache's `.index/` folder (the run's folder is made in it), or None (a temporary folder)."""

    def __init__(self, index: Path | None = None):
        where = index if index is not None and index.is_dir() else None
        if where is not None:
            _sweep(where)
        self.folder = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=where))
        self.files: dict[str, Path] = {}
        self.readers: dict[str, Callable[[], Village]] = {}  # kept elsewhere: how to read it (memo.kept_as)
        self.changes: dict[str, Callable[[Village], Village]] = {}  # made on it as it is restored (`change`)

    def keep(self, key: str, village: Village, kept: Callable[[], Village] | None = None) -> None:
        """Keep `village` as "town/village" `key`; `kept`: how to read it where it is kept already (the memo's
        entry of it: not pickled again)."""
        self.changes.pop(key, None)
        if kept is not None:
            self.readers[key] = kept
            return
        self.readers.pop(key, None)
        path = self.files.get(key) or self.folder / f"{len(self.files)}.pickle"
        path.write_bytes(pickled(village))
        self.files[key] = path

    def change(self, key: str, how: Callable[[Village], Village]) -> None:
        """The village `key` is kept as `how` makes it from what is kept now, each time it is restored: a change
        that is cheaper to make again than to pickle the village again (the check gives a village its hotline
        questions so: pickling it again cost more than its turn in a warm check)."""
        self.changes[key] = how

    def restore(self, key: str) -> Village:
        if key in self.readers:
            village = self.readers[key]()
        else:
            kept = unpickled(self.files[key].read_bytes())
            if not isinstance(kept, Village):
                raise TypeError(f"{self.files[key]}: not a village")
            village = kept
        how = self.changes.get(key)
        return village if how is None else how(village)

    def __contains__(self, key: object) -> bool:
        return key in self.files or key in self.readers

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.files, self.readers, self.changes = {}, {}, {}


def _sweep(index: Path) -> None:
    """Remove the run folders left in `index` by runs that were killed (their process is gone): a run removes its
    own when it ends (close), and never another live run's (two checks of one cache may run at once)."""
    for folder in index.glob("run-*-*"):
        try:
            pid = int(folder.name.split("-")[1])
        except ValueError:
            continue
        if not alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
