"""The `sitegen` command line (click).

Exit codes: 0 success; 1 content errors (all listed): either nothing was written, or (build) every village but
the ones named as held back was built, those keeping their last good pages; 2 command-line usage error;
3 the output could not be written or an internal failure (one log line; the previous output is untouched);
4 another build or publish holds the output folder or image cache (lock.py; `--wait` waits for it).
The deployment commands (keys, bundle, push, ingest, publish; sitegen/cli/deploy.py) add 5-8, see docs/deploy.md.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

import click

from sitegen import __version__
from sitegen.build import lock, pipeline
from sitegen.build.pipeline import Steps, check_state, default_cache, recall_check, remember_check
from sitegen.build.pipeline import build as run_build
from sitegen.build.scope import ScopeError, locate, others_line, split, unpublished
from sitegen.cli import scaffold
from sitegen.content.errors import (
    EXIT_CONTENT,
    EXIT_FAILURE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    ContentError,
    OutputError,
    Report,
)
from sitegen.content.model import City
from sitegen.content.progress import Progress
from sitegen.images.digests import Checked, Probes, facts_file
from sitegen.images.renditions import CHECK, PROBE
from sitegen.site.render import THEMES


def _print_report(report: Report) -> None:
    """Every problem in the one format (errors.Problem.format), then the count, on stderr."""
    for line in report.lines():
        click.echo(line, err=True)


# The commands in modules of their own, by name -> "module:attribute": the deployment commands (keys, bundle, push,
# ingest, publish; their exit codes 5-9 in docs/deploy.md), the reports, the notice-board poster and the clerk's live
# preview. Each module is loaded only when its command runs (or --help lists them all), so `sitegen build` and
# `sitegen check`, the commands cron and the clerks run most, do not start up WeasyPrint (print), paramiko (push)
# or watchdog (serve).
LAZY_COMMANDS = {
    "keys": "sitegen.cli.deploy:keys_group",
    "bundle": "sitegen.cli.deploy:bundle_cmd",
    "push": "sitegen.cli.deploy:push_cmd",
    "ingest": "sitegen.cli.deploy:ingest_cmd",
    "publish": "sitegen.cli.deploy:publish_cmd",
    "report": "sitegen.cli.report:report_group",
    "print": "sitegen.cli.poster:print_command",
    "serve": "sitegen.cli.serve:serve_command",
}


class LazyGroup(click.Group):
    """A click group that loads the commands of LAZY_COMMANDS from their modules when asked for them by name
    (click's documented pattern for lazily loaded subcommands); the commands defined here are ordinary ones."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = LAZY_COMMANDS[cmd_name].split(":")
        # the one import by name in the package (tests/test_architecture.py allows exactly this one): a declared
        # table of command modules, not an import hidden to dodge a cycle
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
def cli() -> None:
    """sitegen: 三务公开 static sites for cable TV and phones."""


@cli.command()
@click.argument("content", default="content", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(path_type=Path),
    help="output folder (default: output, or output-preview with --preview)",
)
@click.option("--theme", type=click.Choice(["tv", "mobile", "all"]), default="all", show_default=True)
@click.option("--preview", is_flag=True, help="also show drafts (records not yet approved), marked 草稿")
@click.option("--wait", is_flag=True, help="wait for another build or publish of OUTPUT instead of exiting (4)")
@click.option(
    "--cache",
    default=None,
    type=click.Path(path_type=Path),
    help="the image cache folder (default: OUTPUT.cache beside OUTPUT)",
)
@click.option("--timings", is_flag=True, help="print each step's wall and CPU time (to stderr)")
def build(
    content: Path, output: Path | None, theme: str, preview: bool, wait: bool, cache: Path | None, timings: bool
) -> None:
    """Validate CONTENT and build the sites into OUTPUT (tv/ and mobile/).

    A village with errors keeps its last good pages (exit 1, the others are built); an error outside the
    villages' folders stops the build with nothing written (exit 1). At a terminal, a long build shows its
    progress on stderr (cron's runs stay quiet)."""
    started = time.monotonic()
    themes = THEMES if theme == "all" else (theme,)
    # a preview holds drafts: never into the published folder unless asked for by name
    output = output or Path("output-preview" if preview else "output")
    progress = Progress.for_stream(sys.stderr)
    steps = Steps(progress.step if progress else None)
    try:
        try:
            result = run_build(
                content, output, themes, cache=cache, preview=preview, hold_back=True, wait=wait, steps=steps
            )
        finally:
            if progress:
                progress.done()
            if timings:
                click.echo("\n".join(["步骤 steps:", *steps.lines()]), err=True)
    except lock.Busy as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_LOCKED)
    except ContentError as exc:
        _print_report(exc.report)
        click.echo("构建失败，上一次的网站保持不变 / build failed; the previous output is unchanged", err=True)
        sys.exit(EXIT_CONTENT)
    except OutputError as exc:
        click.echo(f"无法写入输出 / cannot write output: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    _print_report(result.report)
    took = time.monotonic() - started
    for name, pages in result.pages.items():
        index = (output / name / "index.html").resolve()
        click.echo(f"{name}: {pages} 个网页 pages -> {index.as_uri()}")
    made = len(result.villages) - len(result.reused)
    if result.unchanged:
        click.echo(
            "内容和程序都没有变化，网站保持上次的版本 / nothing changed since the last build; output left as it was"
        )
    click.echo(
        f"完成 done in {took:.1f}s ({result.images} images; {made - len(result.held)} 个村重新生成 villages "
        f"made, {len(result.reused)} 个村没有变化、沿用上次 unchanged, carried over)"
    )
    if result.held:
        for village, problems in sorted(result.held.items()):
            kept = village in result.villages
            click.echo(
                (
                    f"保留上次的版本 held back, last good pages kept: {village}"
                    if kept
                    else f"未生成（从未生成过）not built, never built before: {village}"
                )
                + f"（{len(problems)} 个错误 error(s): "
                + ", ".join(sorted({p.code for p in problems}))
                + "）",
                err=True,
            )
        click.echo(
            f"有 {len(result.held)} 个村有错误，没有更新；其他村已生成 / {len(result.held)} village(s) held back "
            f"with errors (listed above); every other village was built",
            err=True,
        )
        sys.exit(EXIT_CONTENT)


@cli.command()
@click.argument("content", default="content", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default="output",
    type=click.Path(path_type=Path),
    show_default=True,
    help="the output a build would replace: its villages must still be readable, and images it found sound and unchanged since are not decoded again",
)
def check(content: Path, output: Path) -> None:
    """Validate CONTENT and list every problem a build would stop on or hold a village back for; writes nothing
    (but its verdict, in the image cache a build has made: asked again with nothing changed, it is told again).
    CONTENT may be one village's or town's folder inside a content folder: then only its problems are listed
    (scope.py)."""
    try:
        scope = locate(content)
    except ScopeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    cache = default_cache(output)
    state = check_state(scope.content, output, cache, scope.part)
    verdict = recall_check(cache, state)  # nothing changed since the last check: its verdict, not read again
    if verdict is None:
        verdict = _check(scope, output, cache)
        remember_check(cache, state, verdict)
    for line in verdict["err"]:
        click.echo(line, err=True)
    for line in verdict["out"]:
        click.echo(line)
    if verdict["exit"]:
        sys.exit(verdict["exit"])


def _check(scope, output: Path, cache: Path) -> dict:
    """Check's verdict: {"err": lines for stderr, "out": lines for stdout, "exit": code}."""
    hidden: list[str] = []  # what will not be published, listed from the city before the build takes drafts out

    def validated(city: City, report: Report) -> None:
        hidden.extend(unpublished(city, split(report, scope)[0], scope))

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
    return {
        "err": err,
        "out": [
            f"检查通过 / OK: {len(city.towns)} 个镇, {len(city.villages)} 个村, "
            f"{sum(len(v.vouchers) for v in city.villages)} 张凭证"
        ],
        "exit": EXIT_OK,
    }


@cli.group()
def new() -> None:
    """Scaffold new content."""


@new.command("town")
@click.argument("town")
@click.option("--title", required=True, help="the town's name in Chinese, e.g. 夏港街道")
@click.option("--content", default="content", type=click.Path(path_type=Path), show_default=True)
def new_town(town: str, title: str, content: Path) -> None:
    """Create CONTENT/TOWN (a folder name: a-z, 0-9, -) with its town.yaml naming it TITLE."""
    try:
        folder = scaffold.new_town(content, town, title)
    except scaffold.ScaffoldError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"已创建 created {folder}")


@new.command("village")
@click.argument("town")
@click.argument("name")
@click.option("--title", help="village name in Chinese, e.g. 长寿村 (default: NAME)")
@click.option("--town-title", help="the town's name in Chinese, when TOWN is new, e.g. 夏港街道")
@click.option("--content", default="content", type=click.Path(path_type=Path), show_default=True)
def new_village(town: str, name: str, title: str | None, town_title: str | None, content: Path) -> None:
    """Create CONTENT/TOWN/NAME with one commented example per board, the finance tables, reviews.yaml and an
    Excel journal template; `sitegen check` passes on it (every example a draft until approved)."""
    try:
        folder = scaffold.new_village(content, town, name, title or name, town_title)
    except scaffold.ScaffoldError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"已创建 created {folder}")
    click.echo(f"下一步 next: sitegen serve {content} --village {town}/{name}   然后 then: sitegen check {folder}")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except Exception as exc:  # never a traceback for a clerk: one line, and a non-zero exit
        click.echo(
            f"内部错误 internal error: {type(exc).__name__}: {exc} (run with SITEGEN_DEBUG=1 for details)", err=True
        )
        if os.environ.get("SITEGEN_DEBUG"):
            raise
        sys.exit(EXIT_FAILURE)
