"""`sitegen print`, the notice-board poster (公开栏; reports/notice_board.py) as a print-ready PDF. A module of its
own so that only this command loads WeasyPrint (cli/main.py loads each command's module when it is named). A
content error lists the problems (exit 1); a bad --month is a usage error (exit 2); what cannot be written exits 3."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sitegen.cli.build import print_report
from sitegen.cli.report import month_option
from sitegen.content.errors import EXIT_CONTENT, EXIT_FAILURE, EXIT_USAGE, OutputError
from sitegen.reports import notice_board


@click.command("print")
@click.argument("content", default="content", type=click.Path(path_type=Path))
@click.option("--month", required=True, callback=month_option, help="the month to print, YYYY-MM")
@click.option("--village", default=None, metavar="TOWN/VILLAGE", help="only this village (folder names)")
@click.option(
    "--size",
    type=click.Choice(notice_board.SIZES, case_sensitive=False),
    default="A3",
    show_default=True,
    help="paper size of the poster",
)
@click.option(
    "-o",
    "--output",
    default=Path("output"),
    type=click.Path(path_type=Path),
    show_default=True,
    help="posters go to OUTPUT/print/<town>/<village>/<YYYY-MM>.pdf",
)
def print_command(content: Path, month: str, village: str | None, size: str, output: Path) -> None:
    """公开栏 The month's notice-board poster of each village (or one) as a print-ready PDF.

    CONTENT may be a town's or village's folder inside the content folder: only its villages are printed. Only what
    the site publishes: a month not yet approved (待审核) is refused, a village with content errors is not printed
    (exit 1, the others are)."""
    try:
        done = notice_board.run(content, output, month, village, size.upper())
    except notice_board.Refused as exc:
        print_report(exc.report)
        if exc.usage:
            sys.exit(EXIT_USAGE)
        click.echo("内容有错误，没有打印 / content errors; nothing printed", err=True)
        sys.exit(EXIT_CONTENT)
    except OutputError as exc:
        click.echo(f"无法写入 / cannot write: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    print_report(done.report)
    for path in done.written:
        click.echo(f"已生成 written {path}")
    if done.refused:
        click.echo(
            f"有 {len(done.refused)} 个村没有打印（见上面）/ {len(done.refused)} village(s) not printed "
            f"(see above): " + ", ".join(done.refused),
            err=True,
        )
        sys.exit(EXIT_CONTENT)
