"""How the deployment commands (cli/deploy.py, cli/ingest.py) end on an operator-facing failure: its message (Chinese
first with an English line) and its exit code (errors.EXIT_*, docs/deploy.md), never a traceback. A module of its
own, light, so that `sitegen ingest` at a headend does not load the build's libraries with the publishing commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from sitegen.build import lock
from sitegen.content.errors import EXIT_FAILURE, EXIT_KEY, EXIT_LOCKED, EXIT_USAGE
from sitegen.deploy import keys
from sitegen.deploy.bundle import BundleError

PATH = click.Path(path_type=Path)


def fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def exit_codes(usage: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """The one place an operator-facing failure becomes its message and exit code (docs/deploy.md); `usage`: the
    exceptions that mean a bad option value (e.g. pick_targets' ValueError for an unknown --target)."""
    try:
        yield
    except keys.KeyProblem as exc:
        fail(str(exc), EXIT_KEY)
    except lock.Busy as exc:
        fail(str(exc), EXIT_LOCKED)
    except BundleError as exc:
        fail(str(exc), EXIT_FAILURE)
    except usage as exc:
        fail(str(exc), EXIT_USAGE)
