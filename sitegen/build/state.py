"""What decides a build's or check's result (构建状态), and the verdicts remembered by it: the cheap first step of
every `sitegen check`, build and publish, asked every few minutes by cron with, most times, nothing changed.

Only stats and small files: this module and what it imports load no template engine, image library or content
reader, so that a check asked again with nothing changed starts and ends in the time of one stat walk of the
content (digests.tree_facts). The build's own memo (what it made) is pipeline.py's.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sitegen.content import dates
from sitegen.images.digests import tree_facts
from sitegen.site.code import RECORD, THEMES, renderer


def default_cache(out: Path) -> Path:
    """The image cache when none is given: `<output>.cache/` beside the output folder (never inside it: the
    output is what is published and bundled; the cache is the build's own, and outlives a deleted output)."""
    out = Path(os.path.abspath(out))
    return out.parent / f"{out.name}.cache"


MEMO = 1  # the format of a build's memo, and of what its state hashes


def content_state(content: Path, skip: set[Path], *options: object, parts: dict[str, str] | None = None) -> str:
    """What decides a build's or check's result besides the previous output: the stat facts of every file in the
    content folder (digests.tree_facts, links' real paths too), sitegen's code, themes and libraries
    (code.renderer), today's date (dates: a date far in the future is an error until it is not) and the options
    given. `parts` receives each village folder's own facts from the same walk (check's validation memo)."""
    h = hashlib.sha256(f"{MEMO}|{renderer()}|{dates.today().isoformat()}|{options!r}|".encode())
    h.update(tree_facts(content.resolve(), {os.path.realpath(p) for p in skip}, True, parts).encode())
    return h.hexdigest()


def records(out: Path, themes: tuple[str, ...]) -> list[str]:
    """The hash of each theme's build record in `out` ("" when missing)."""
    found = []
    for theme in themes:
        try:
            found.append(hashlib.sha256((out / theme / RECORD).read_bytes()).hexdigest())
        except OSError:
            found.append("")
    return found


def check_state(content: Path, output: Path, cache: Path, part: str) -> str:
    """What decides `sitegen check`'s verdict on `content` (or its `part`, scope.py) against `output`: the
    content's state (content_state) and the build records of the output it would replace."""
    return content_state(content, {output, cache}, "check", part, records(output, THEMES))


def recall_check(cache: Path, state: str) -> dict | None:
    """The verdict `sitegen check` gave from this very state ({"out", "err": lines, "exit"}), or None."""
    try:
        doc = json.loads((cache / ".index" / "check-memo.json").read_text(encoding="utf-8")).get(state)
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("out"), list)
            and isinstance(doc.get("err"), list)
            and isinstance(doc.get("exit"), int)
        ):
            return doc
    except (OSError, ValueError, AttributeError):
        pass
    return None


def remember_check(cache: Path, state: str, verdict: dict) -> None:
    """Keep a check's verdict by its state (the last few), only where a build has made the cache: `sitegen
    check` makes no folder of its own."""
    path = cache / ".index" / "check-memo.json"
    if not path.parent.is_dir():
        return
    try:
        try:
            memos = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memos = {}
        memos = dict(list(memos.items())[-7:]) if isinstance(memos, dict) else {}
        memos[state] = verdict
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(memos), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
