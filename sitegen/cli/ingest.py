"""`sitegen ingest` (接收), the one command a headend runs: verify the bundles dropped there and activate them
(sitegen/deploy/ingest.py). A module of its own, loaded by name (cli/main.py LAZY_COMMANDS), so that it loads only
what ingesting needs (the bundle format, the keys, the lock), not the build's template, image, spreadsheet and
pinyin libraries nor SFTP that the publishing side's commands (cli/deploy.py) load: a headend runs it every few
minutes, the test suite some dozens of times.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from sitegen.cli.exits import PATH, exit_codes, fail
from sitegen.content.errors import EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, EXIT_STALE
from sitegen.content.progress import Progress
from sitegen.deploy.ingest import HeadendFault, ingest
from sitegen.deploy.ingest import rollback as do_rollback


@click.command("ingest")
@click.argument("sources", nargs=-1, type=PATH)
@click.option("--root", required=True, type=PATH, help="headend folder (releases/, current, drop/)")
@click.option("--public-key", type=PATH, help="trusted public key (default: ROOT/publisher.pub)")
@click.option("--keep", default=5, show_default=True, type=click.IntRange(2, 100), help="releases to keep")
@click.option("--wait", is_flag=True, help="wait for a running ingest instead of exiting")
@click.option("--rollback", is_flag=True, help="serve the previous release again")
@click.option(
    "--max-age",
    default=48,
    show_default=True,
    type=click.IntRange(1, 24 * 365),
    help="hours without a fresh signed snapshot before the content counts as stale (exit 9)",
)
def ingest_cmd(
    sources: tuple[Path, ...], root: Path, public_key: Path | None, keep: int, wait: bool, rollback: bool, max_age: int
) -> None:
    """(At the headend) verify bundles from SOURCES (files or folders; default ROOT/drop) and activate them. At a
    terminal the bundles verified and taken, of all, and the time left show on stderr."""
    with exit_codes(usage=()):
        try:
            if rollback:
                was, now = do_rollback(root, wait)
                click.echo(f"已回滚 rolled back: {was} -> {now}")
                return
            progress = Progress.for_stream(sys.stderr)  # at a terminal only: cron's runs print the outcomes alone
            try:
                result = ingest(
                    root,
                    list(sources) or None,
                    public_key,
                    keep=keep,
                    wait=wait,
                    max_age=timedelta(hours=max_age),
                    step=progress.step if progress else None,
                )
            finally:
                if progress:
                    progress.done()
        except HeadendFault as exc:
            fail(str(exc), EXIT_FAILURE)
    labels = {
        "installed": "已启用 installed",
        "already": "已是当前版本 already live",
        "superseded": "被更新的版本取代 superseded",
        "rejected": "拒绝 REJECTED",
        "waiting": "等待快照 waiting for its snapshot",
    }
    for o in result.outcomes:
        what = f"{o.bundle} v{o.version} {o.kind}" if o.bundle else ""
        click.echo(f"{labels[o.status]}: {o.source} {what}", err=o.status == "rejected")
        if o.reason:
            for line in o.reason.splitlines():
                click.echo(f"    {line}", err=o.status == "rejected")
    if result.activated:
        click.echo(f"正在使用 now serving: {result.activated}（上一个 previous: {result.previous or '—'}）")
    elif not result.outcomes:
        click.echo("没有新的包 / no bundles to ingest")
    else:
        click.echo(f"未切换，仍在使用 unchanged, serving: {result.previous or '—'}")
    if result.stale_hours is not None:
        click.echo(
            f"内容已过时 STALE: 最后一次确认的快照时间 {result.fresh}（UTC），已 {result.stale_hours} 小时没有新的快照 / "
            f"content last confirmed by a signed snapshot at {result.fresh} UTC, {result.stale_hours} hours "
            f"ago (limit {max_age})",
            err=True,
        )
        sys.exit(EXIT_STALE)
    sys.exit(EXIT_REJECTED if result.rejected else EXIT_OK)
