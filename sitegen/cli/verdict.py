"""The full `sitegen check` (检查): validation and the build's page work in memory (pipeline.rehearse), its
verdict as lines and an exit code. Run by `sitegen check` (cli/main.py) only when no verdict is remembered for the
content's state: loaded then, by name (main.INTERNAL_COMMANDS), so that a check asked again with nothing changed
loads none of the pipeline.
"""

from __future__ import annotations

from pathlib import Path

import click

from sitegen.build import pipeline
from sitegen.build.place import Scope, locate
from sitegen.build.scope import others_line, split, unpublished
from sitegen.build.state import default_cache
from sitegen.content.errors import EXIT_CONTENT, EXIT_OK, Report
from sitegen.images.digests import Checked, Probes, facts_file
from sitegen.images.renditions import CHECK, PROBE


@click.command("check-verdict", hidden=True)
@click.argument("content", type=click.Path(path_type=Path))
@click.option("-o", "--output", default="output", type=click.Path(path_type=Path))
def verdict_command(content: Path, output: Path) -> dict:
    """The check of CONTENT against OUTPUT without its remembered verdict: {"err", "out": lines, "exit"}
    (`sitegen check` prints it and remembers it). CONTENT was located by `sitegen check` (a ScopeError is its)."""
    return verdict(locate(content), output, default_cache(output))


def verdict(scope: Scope, output: Path, cache: Path) -> dict:
    """Check's verdict: {"err": lines for stderr, "out": lines for stdout, "exit": code}."""
    hidden: list[str] = []  # what will not be published, listed from the city before the build takes drafts out

    def validated(checked: pipeline.CheckedCity, report: Report) -> None:
        hidden.extend(unpublished(checked.queue(), split(report, scope)[0], scope))

    city, report = pipeline.rehearse(
        scope.content,
        output,
        Checked(facts_file(cache), CHECK),
        validated=validated,
        probes=Probes(facts_file(cache), PROBE),
        cache=cache,
    )
    own, others = split(report, scope)
    err = own.lines() + [line for line in [others_line(others, scope), *hidden] if line]
    if own.errors or city is None:
        return {"err": err, "out": [], "exit": EXIT_CONTENT}
    if scope.part:
        return {"err": err, "out": [f"检查通过 / OK: {scope.part}"], "exit": EXIT_OK}
    listed = city.published  # as published: drafts out
    return {
        "err": err,
        "out": [
            f"检查通过 / OK: {len(city.city.towns)} 个镇, {len(listed)} 个村, {sum(v.vouchers for v in listed)} 张凭证"
        ],
        "exit": EXIT_OK,
    }
