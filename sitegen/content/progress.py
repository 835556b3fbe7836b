"""进度 A long build's progress, shown at a terminal only.

A cold build of a city takes minutes: at a terminal (stderr is a tty) one line on stderr, redrawn in place, says
the step, how far it is (villages read, scans checked or made, pages rendered) and about how long is left. Cron
runs (stderr not a tty) print nothing of it: their log stays the build's messages only.

Stages call `tell(what, done, total)`; it does nothing unless a Progress is showing (one per process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

# what -> (Chinese, English) for the line
KINDS = {
    "villages": ("村", "villages"),
    "scans": ("张图", "scans"),
    "pages": ("页", "pages"),
    "bundles": ("个包", "bundles"),
}
STEP_NAMES = {"check": "检查", "plan": "规划", "reuse": "比对", "images": "图片", "render": "生成网页", "write": "写入"}
# the deploy side's steps (publish after its build, the headend's ingest): bundles counted
STEP_NAMES |= {"bundle": "打包", "push": "推送", "take": "接收", "activate": "启用"}
EVERY = 0.25  # seconds between redraws
ROUND_STEPS = ("plan", "images", "render")  # the steps a build repeats for each village it makes

_sink: Callable[[str, int, int], None] | None = None


def tell(what: str, done: int, total: int) -> None:
    """`done` of `total` (of KINDS[what]) are finished; shown only while a Progress is."""
    if _sink is not None:
        _sink(what, done, total)


def _left(seconds: float) -> str:
    if seconds < 90:
        return f"约 {seconds:.0f} 秒 ~{seconds:.0f} s left"
    return f"约 {seconds / 60:.0f} 分钟 ~{seconds / 60:.0f} min left"


class Progress:
    """The progress line on `stream`. `for_stream` gives one only when the stream is a terminal."""

    def __init__(self, stream: TextIO):
        global _sink
        self.stream = stream
        self.name = ""
        self.counting: tuple[str, float] | None = None  # (what, when it started)
        self.drawn = 0.0
        self.width = 0
        # a build that makes villages one at a time (pipeline._Round) counts them across its steps: (done, total,
        # when the count started), kept at the head of the line while each village's own steps come and go
        self.villages: tuple[int, int, float] | None = None
        _sink = self.count

    @classmethod
    def for_stream(cls, stream: TextIO) -> Progress | None:
        try:
            return cls(stream) if stream.isatty() else None
        except (AttributeError, ValueError):  # a closed or odd stream: no progress
            return None

    def step(self, name: str) -> None:
        self.name = name
        self.counting = None
        self._draw(f"{STEP_NAMES.get(name, name)} {name} …")

    def count(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if what == "villages" and self.name in ROUND_STEPS:  # one at a time: the count outlives each step
            if self.villages is None or done < self.villages[0] or total != self.villages[1]:
                self.villages = (done, total, now)
            self.villages = (done, total, self.villages[2])
            if now - self.drawn < EVERY and done < total:
                return
            self._draw(STEP_NAMES.get(self.name, self.name) + f" {self.name}")
            return
        if self.counting is None or self.counting[0] != what:
            self.counting = (what, now)
        if now - self.drawn < EVERY and done < total:
            return
        zh, en = KINDS.get(what, (what, what))
        line = f"{STEP_NAMES.get(self.name, self.name)} {self.name}: {done}/{total} {zh} {en}"
        took = now - self.counting[1]
        if 0 < done < total and took > 1:
            line += f"，{_left(took / done * (total - done))}"
        self._draw(line)

    def _draw(self, line: str) -> None:
        if self.villages is not None and self.name in ROUND_STEPS:
            done, total, start = self.villages
            head = f"{done}/{total} {KINDS['villages'][0]} {KINDS['villages'][1]}"
            took = time.monotonic() - start
            if 0 < done < total and took > 1:
                head += f"，{_left(took / done * (total - done))}"
            line = f"{head} · {line}"
        self.drawn = time.monotonic()
        pad = max(0, self.width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self.width = len(line)

    def done(self) -> None:
        """Clear the line and stop listening."""
        global _sink
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        _sink = None
