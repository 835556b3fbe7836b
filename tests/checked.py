"""The checked city as one model, every village at once: how the tests read it for their assertions.

sitegen itself never holds a whole city: the build, `sitegen check`, the reports and the notice board go through
pipeline.CheckedCity a village at a time (issue 14: memory at any size). A test of a small city asks for it whole.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sitegen.build.pipeline import CheckedCity, check_stored
from sitegen.content.errors import Report
from sitegen.content.model import City, Village


def whole(stored: CheckedCity) -> City:
    """The whole city: every village restored into its town (a stand-in for one `vanished` put back), the hotline
    questions the city's again (those about a village's item or voucher are its restored ones), in order."""
    mine: dict[str, list[Village]] = {}
    for village in stored.each(lambda town, village: village):
        mine.setdefault(village.town_slug, []).append(village)
    towns = [replace(t, villages=mine.get(t.slug, [])) for t in stored.city.towns]
    asked = [q for village in (v for vs in mine.values() for v in vs) for q in village.questions]
    questions = sorted([*stored.city.questions, *asked], key=lambda q: (q.date, q.ticket))
    return replace(stored.city, towns=towns, questions=questions)


def check(content: Path, *args: Any, **kwargs: Any) -> tuple[City | None, Report]:
    """Load and validate only (pipeline.check_stored, whose arguments these are): every problem, nothing written,
    the whole city given back (`whole`), the run's store closed."""
    stored, report = check_stored(content, *args, **kwargs)
    if stored is None:
        return None, report
    try:
        return whole(stored), report
    finally:
        stored.close()
