"""The `sitegen` command line (click).

Exit codes: 0 success; 1 content errors (all listed): either nothing was written, or (build) every village but
the ones named as held back was built, those keeping their last good pages; 2 command-line usage error;
3 the output could not be written or an internal failure (one log line; the previous output is untouched);
4 another build or publish holds the output folder or image cache (lock.py; `--wait` waits for it).
The deployment commands (keys, bundle, push, publish: sitegen/cli/deploy.py; ingest: sitegen/cli/ingest.py) add 5-9,
see docs/deploy.md.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from sitegen import __version__
from sitegen.build.place import ScopeError, locate
from sitegen.build.state import check_state, default_cache, recall_check, remember_check
from sitegen.content.errors import EXIT_FAILURE, EXIT_USAGE

# The commands in modules of their own, by name -> "module:attribute": the build, the scaffolds, the deployment
# commands (keys, bundle, push, ingest, publish; their exit codes 5-9 in docs/deploy.md), the reports, the
# notice-board poster and the clerk's live preview. Each module is loaded only when its command runs (or --help lists
# them all), so `sitegen build` and `sitegen check`, the commands cron and the clerks run most, do not start up
# WeasyPrint (print), paramiko (push) or watchdog (serve); and `sitegen check` asked again with nothing changed loads
# no more than this module and build/state.py (the content's stat facts, the verdict remembered).
LAZY_COMMANDS = {
    "build": "sitegen.cli.build:build_command",
    "new": "sitegen.cli.new:new_group",
    "keys": "sitegen.cli.deploy:keys_group",
    "bundle": "sitegen.cli.deploy:bundle_cmd",
    "push": "sitegen.cli.deploy:push_cmd",
    "ingest": "sitegen.cli.ingest:ingest_cmd",
    "publish": "sitegen.cli.deploy:publish_cmd",
    "report": "sitegen.cli.report:report_group",
    "print": "sitegen.cli.poster:print_command",
    "serve": "sitegen.cli.serve:serve_command",
}
# Commands that commands here run, loaded by name as LAZY_COMMANDS are, never listed: the full check behind
# `sitegen check` (validation and the build's page work: the whole pipeline), loaded only when the remembered
# verdict cannot answer.
INTERNAL_COMMANDS = {"check-verdict": "sitegen.cli.verdict:verdict_command"}


class LazyGroup(click.Group):
    """A click group that loads the commands of LAZY_COMMANDS from their modules when asked for them by name
    (click's documented pattern for lazily loaded subcommands); the commands defined here are ordinary ones."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        named = LAZY_COMMANDS.get(cmd_name) or INTERNAL_COMMANDS.get(cmd_name)
        if named is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = named.split(":")
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
        ctx = click.get_current_context()
        full = cli.get_command(ctx, "check-verdict")  # the pipeline, loaded only now (INTERNAL_COMMANDS)
        assert full is not None
        verdict = ctx.invoke(full, content=content, output=output)
        remember_check(cache, state, verdict)
    for line in verdict["err"]:
        click.echo(line, err=True)
    for line in verdict["out"]:
        click.echo(line)
    if verdict["exit"]:
        sys.exit(verdict["exit"])


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
