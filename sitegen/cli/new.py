"""`sitegen new town|village` (新建): scaffold a town's or village's folder (scaffold.py). Loaded when named
(main.LAZY_COMMANDS): the scaffolds write Excel and images, which no other command needs at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sitegen.cli import scaffold
from sitegen.content.errors import EXIT_CONTENT


@click.group("new")
def new_group() -> None:
    """Scaffold new content."""


@new_group.command("town")
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


@new_group.command("village")
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
