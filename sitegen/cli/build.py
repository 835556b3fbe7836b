"""`sitegen build` (生成): validate and build the sites, holding back a village with errors (pipeline.build).

A command of its own module, loaded when named (main.LAZY_COMMANDS): what it needs, the whole pipeline, is not
loaded by the commands that do not build.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sitegen.build import lock
from sitegen.build.pipeline import Steps
from sitegen.build.pipeline import build as run_build
from sitegen.content.errors import EXIT_CONTENT, EXIT_FAILURE, EXIT_LOCKED, ContentError, OutputError, Report
from sitegen.content.progress import Progress
from sitegen.site.render import THEMES


def print_report(report: Report) -> None:
    """The problems found, one line each, on stderr (here, not in cli/report.py: `sitegen build` does not load the
    reports' writers, openpyxl's write-only sheets and their templates)."""
    for line in report.lines():
        click.echo(line, err=True)


@click.command("build")
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
def build_command(
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
        print_report(exc.report)
        click.echo("构建失败，上一次的网站保持不变 / build failed; the previous output is unchanged", err=True)
        sys.exit(EXIT_CONTENT)
    except OutputError as exc:
        click.echo(f"无法写入输出 / cannot write output: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    print_report(result.report)
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
