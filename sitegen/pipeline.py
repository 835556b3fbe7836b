"""The build, top to bottom: load -> validate -> model -> link -> (reuse) -> render -> assets -> write.

Nothing is written until every stage has succeeded for every theme; then each theme is swapped in whole.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import assets, feedback, links, output, render, reuse
from sitegen.digests import Digests
from sitegen.errors import ContentError, OutputError, Problem, Report
from sitegen.ledger import build_ledgers
from sitegen.load import load
from sitegen.model import City
from sitegen.oversight import supervise
from sitegen.privacy import find_unmasked
from sitegen.review import publish
from sitegen.validate import validate


@dataclass
class BuildResult:
    report: Report
    pages: dict[str, int] = field(default_factory=dict)  # theme -> number of pages
    images: int = 0
    held: dict[str, list[Problem]] = field(default_factory=dict)  # "town/village" -> its errors (hold_back)
    villages: list[str] = field(default_factory=list)            # "town/village" of every village in the site
    reused: list[str] = field(default_factory=list)  # "town/village" carried over unchanged from the last build


def check(content: Path) -> tuple[City | None, Report]:
    """Load and validate only: every problem, nothing written."""
    report = Report()
    raw = load(content, report)
    city = validate(raw, report) if raw.site is not None else None
    if city is not None:  # oversight: warnings, acknowledgements, basis checks, hotline questions (oversight.py)
        supervise(raw, city, report)
    return city, report


def village_errors(report: Report, city: City, content: Path) -> dict[str, list[Problem]]:
    """Errors found in a village's own folder (a location `<content>/<town>/<village>/…`), by "town/village"."""
    root = content.resolve().name  # locations name files from the content folder's name down
    villages = {f"{v.town_slug}/{v.slug}" for v in city.villages}
    found: dict[str, list[Problem]] = {}
    for problem in report.errors:
        parts = problem.where.path.split("/")
        if len(parts) >= 3 and parts[0] == root and f"{parts[1]}/{parts[2]}" in villages:
            found.setdefault(f"{parts[1]}/{parts[2]}", []).append(problem)
    return found


def _drop_never_built(city: City, held: dict[str, list[Problem]], previous: Path, themes: tuple[str, ...]) -> None:
    """A held village that was never built has no pages to keep: it is left out of the city altogether."""
    for key in held:
        if not all((previous / theme / key / "index.html").is_file() for theme in themes):
            for town in city.towns:
                town.villages = [v for v in town.villages if f"{town.slug}/{v.slug}" != key]


def _carry(keys: set[str], previous: Path, themes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """These villages' files in the previous output, per theme (path -> file), to be written unchanged."""
    carried: dict[str, dict[str, str]] = {theme: {} for theme in themes}
    for key in sorted(keys):
        for theme in themes:
            root = os.path.join(previous, theme)
            for top, _, names in os.walk(os.path.join(root, key)):
                rel = os.path.relpath(top, root).replace(os.sep, "/")
                carried[theme].update((f"{rel}/{name}", os.path.join(top, name)) for name in names)
    return carried


def build(content: Path, out: Path, themes: tuple[str, ...] = render.THEMES, cache: Path | None = None,
          hold_back: bool = False, previous: Path | None = None, preview: bool = False) -> BuildResult:
    """With `hold_back` (sitegen publish), errors confined to some villages' folders do not stop the build: those
    villages keep their pages from the previous output (`previous`, default `out`) byte for byte, and the city
    and town pages still list them; an error anywhere else still stops everything.

    Only what changed is rendered: a village whose pages would be made from the same files, code and shared
    content as those in the previous output is carried over from it (reuse.py)."""
    city, report = check(content)
    held = village_errors(report, city, content) if hold_back and city is not None else {}
    if city is None or len(report.errors) > sum(len(errors) for errors in held.values()):
        raise ContentError(report)
    known = len(report.errors)  # the held villages' errors; any new error stops the build
    previous = previous or out
    _drop_never_built(city, held, previous, themes)
    publish(city, preview)  # drafts (unapproved records) out, or kept and marked with `preview` (review.py)
    build_ledgers(city)
    site = links.plan(city)
    codes = feedback.plan(site, city)  # 我有疑问 pages: reference code, hotline, QR code
    cache = cache or out / ".cache" / "images"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{exc.filename}: {exc.strerror}") from exc
    digests = Digests(cache / ".index" / "digests.json")
    prints = reuse.fingerprints(content, city, site, codes, digests, f"preview={preview}",
                                skip=frozenset({out.resolve(), previous.resolve(), cache.resolve()}))
    recorded = [reuse.read_record(previous / theme) for theme in themes]
    unchanged = {k: e for k, e in reuse.unchanged(previous, themes, prints).items() if k not in held}
    if held or unchanged:  # planned (the city and town pages list them), but their pages are not made again
        prefixes = tuple(f"{key}/" for key in [*held, *unchanged])
        site.pages = [p for p in site.pages if not p.path.startswith(prefixes)]
        site.generated = {p: data for p, data in site.generated.items() if not p.startswith(prefixes)}
    if held:  # an unchanged village's images stay in the plan: their cache entries are kept
        prefixes = tuple(f"{key}/" for key in held)
        site.images = {p: img for p, img in site.images.items() if not p.startswith(prefixes)}
    charts = {p: draw() if callable(draw) else draw for p, draw in site.generated.items()}
    site.generated = {**charts}
    carried = _carry(set(held) | set(unchanged), previous, themes)
    copies = assets.renditions(site.images, cache, report, known=digests)
    digests.save()
    if len(report.errors) > known:
        raise ContentError(report)
    result = BuildResult(report, images=len(copies), held=held,
                         villages=[f"{v.town_slug}/{v.slug}" for v in city.villages])
    rendered: dict[str, dict[str, bytes]] = {}
    for theme, before in zip(themes, recorded):
        linked: set[tuple[str, Path]] = set()
        files = render.render_theme(theme, site, city, linked)
        files.update(render.static_files(theme))
        files.update(charts)  # charts drawn at build time (charts.py)
        shipped = assets.for_theme(copies, site.images, theme)  # TV tiles on TV, phone tiles on phones
        links.check_links(files, report, theme, {**shipped, **carried[theme]})
        for path, data in files.items():
            for leak in find_unmasked(data.decode("utf-8", "replace")) if path.endswith(".html") else ():
                raise OutputError(f"unmasked personal data in {theme}/{path}: {leak[:4]}…")
        others = reuse.linked_villages(content, city, linked)
        entries = {key: {"fingerprint": prints.village(key, others.get(key, [])), "linked": others.get(key, [])}
                   for key in prints.own if key not in held and key not in unchanged}
        entries.update(unchanged)
        entries.update({key: before[key] for key in held if key in before})  # its pages are the old ones
        files[reuse.RECORD] = reuse.record(entries)
        rendered[theme] = files
        result.pages[theme] = sum(1 for p in [*files, *carried[theme]] if p.endswith(".html"))
    result.reused = sorted(unchanged)
    if len(report.errors) > known:
        raise ContentError(report)
    output.clean_leftovers(out)
    for theme, files in rendered.items():
        output.write_theme(out, theme, files, {**assets.for_theme(copies, site.images, theme), **carried[theme]})
    assets.prune(cache, set(copies.values()))
    return result
