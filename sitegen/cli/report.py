"""`sitegen report warnings|feedback|review|coverage` (reports/tables.py): documents made from the content (the
notice-board poster, `sitegen print`, is in cli/poster.py). A content error lists the problems and writes
nothing (exit 1); a bad --month is a usage error (exit 2); what cannot be written exits 3."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from sitegen.build.pipeline import check_stored
from sitegen.cli.build import print_report
from sitegen.content.errors import CATALOGUE, EXIT_CONTENT, EXIT_FAILURE, ContentError, OutputError
from sitegen.reports.tables import KINDS, make

MONTHLY = ("warnings", "feedback")  # the kinds made for one month (--month)
DOCS = {
    "warnings": "The month's 异常资金支付报表 (payment warnings), per town and for the city.",
    "feedback": "The month's hotline questions and replies, for the discipline commission (纪委).",
    "review": "The review queue per town: records not yet approved, and what they lack.",
    "coverage": "Per village: empty and stale categories, days late of each month's finance.",
}


def month_option(ctx: Any, param: Any, value: str | None) -> str | None:
    """--month YYYY-MM, a real month; else a usage error (exit 2) in the catalogue's words."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        zh, en = CATALOGUE["month-format"]
        raise click.BadParameter(f"{zh.format(value=value)} / {en.format(value=value)}")
    return value.strip()


def _command(kind: str) -> click.Command:
    @click.argument("content", default="content", type=click.Path(path_type=Path))
    @click.option(
        "-o",
        "--output",
        default=Path("output/reports"),
        type=click.Path(path_type=Path),
        show_default=True,
        help="folder for the reports",
    )
    def run(content: Path, output: Path, month: str | None = None) -> None:
        checked, report = check_stored(content)  # a village at a time, each kept in the run's store
        try:
            if checked is None or report.errors:
                print_report(report)
                click.echo("内容有错误，没有生成报表 / content errors; no report written", err=True)
                sys.exit(EXIT_CONTENT)
            try:
                paths = make(checked, kind, output, month)
            except (OutputError, ContentError) as exc:
                click.echo(f"无法写入报表 / cannot write the report: {exc}", err=True)
                sys.exit(EXIT_FAILURE)
        finally:
            if checked is not None:
                checked.close()  # the run's store removed
        for path in paths:
            click.echo(str(path))

    run.__doc__ = DOCS[kind]
    if kind in MONTHLY:
        run = click.option("--month", required=True, callback=month_option, help="YYYY-MM")(run)
    return click.command(kind)(run)


@click.group("report")
def report_group() -> None:
    """Monthly and inspection reports (HTML, CSV, Excel) into OUTPUT (default output/reports)."""


for _kind in KINDS:
    report_group.add_command(_command(_kind))
