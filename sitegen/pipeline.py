"""The build, top to bottom: load -> validate -> model -> link -> render -> assets -> write.

Nothing is written until every stage has succeeded for every theme; then each theme is swapped in whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sitegen import assets, links, output, render
from sitegen.errors import ContentError, OutputError, Report
from sitegen.ledger import build_ledgers
from sitegen.load import load
from sitegen.model import City
from sitegen.privacy import find_unmasked
from sitegen.validate import validate


@dataclass
class BuildResult:
    report: Report
    pages: dict[str, int] = field(default_factory=dict)  # theme -> number of pages
    images: int = 0


def check(content: Path) -> tuple[City | None, Report]:
    """Load and validate only: every problem, nothing written."""
    report = Report()
    raw = load(content, report)
    city = validate(raw, report) if raw.site is not None else None
    return city, report


def build(content: Path, out: Path, themes: tuple[str, ...] = render.THEMES, cache: Path | None = None) -> BuildResult:
    city, report = check(content)
    if city is None or report.errors:
        raise ContentError(report)
    build_ledgers(city)
    site = links.plan(city)
    cache = cache or out / ".cache" / "images"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{exc.filename}: {exc.strerror}") from exc
    copies = assets.renditions(site.images, cache, report)
    if report.errors:
        raise ContentError(report)
    result = BuildResult(report, images=len(copies))
    rendered: dict[str, dict[str, bytes]] = {}
    for theme in themes:
        files = render.render_theme(theme, site, city)
        files.update(render.static_files(theme))
        links.check_links({**files, **dict.fromkeys(copies, b"")}, report, theme)
        for path, data in files.items():
            for leak in find_unmasked(data.decode("utf-8", "replace")) if path.endswith(".html") else ():
                raise OutputError(f"unmasked personal data in {theme}/{path}: {leak[:4]}…")
        rendered[theme] = files
        result.pages[theme] = sum(1 for p in files if p.endswith(".html"))
    if report.errors:
        raise ContentError(report)
    output.clean_leftovers(out)
    for theme, files in rendered.items():
        output.write_theme(out, theme, files, copies)
    assets.prune(cache, set(copies.values()))
    return result

