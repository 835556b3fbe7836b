"""The deployment commands (发布到前端): keys, bundle, push, publish (ingest, the headend's, is in cli/ingest.py).
Registered on `sitegen` by cli/main.py.

Operator messages are Chinese first with an English line; exit codes are errors.EXIT_*
(documented in docs/deploy.md), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sitegen.build import lock
from sitegen.build.pipeline import Steps
from sitegen.cli.exits import PATH, exit_codes, fail
from sitegen.content.config import PublishConfig
from sitegen.content.errors import (
    EXIT_CONTENT,
    EXIT_FAILURE,
    EXIT_KEY,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PUSH,
    EXIT_USAGE,
)
from sitegen.content.progress import Progress
from sitegen.deploy import keys
from sitegen.deploy.bundle import Store, make_bundles
from sitegen.deploy.publish import human_size, pick_targets, publish, signing_key, site_config
from sitegen.deploy.push import push


def _publish_config(content: Path) -> PublishConfig:
    config = site_config(content)
    return config.publish if config else PublishConfig()


@click.group("keys")
def keys_group() -> None:
    """Signing keys for bundles."""


@keys_group.command("generate")
@click.argument("private", type=PATH)
def keys_generate(private: Path) -> None:
    """Write a new Ed25519 key pair: PRIVATE (mode 600, keep it outside the content folder) and PRIVATE.pub
    (copy it to each headend as ROOT/publisher.pub)."""
    try:
        pub = keys.generate(private)
    except (keys.KeyProblem, OSError) as exc:
        fail(str(exc), EXIT_KEY)
    click.echo(
        f"已生成私钥 private key: {private}\n已生成公钥 public key: {pub} (key id {keys.key_id(keys.load_public(pub))})"
    )


@click.command("bundle")
@click.argument("output", default="output", type=PATH)
@click.option("--bundles", default="bundles", type=PATH, show_default=True, help="bundle folder (state, archives)")
@click.option("--key", type=PATH, help="signing key (default: publish: signing_key in CONTENT/site.yaml)")
@click.option("--content", default="content", type=PATH, show_default=True, help="where site.yaml is")
def bundle_cmd(output: Path, bundles: Path, key: Path | None, content: Path) -> None:
    """Cut the built OUTPUT into signed bundles: one per village and one for the city."""
    config = _publish_config(content)
    with exit_codes():
        private = signing_key(content, key, config, (content, output, bundles))
        with lock.hold(bundles / ".lock"):
            progress = Progress.for_stream(sys.stderr)  # at a terminal: bundles done of all, time left
            try:
                if progress:
                    progress.step("bundle")
                infos = make_bundles(output, Store(bundles), private, valid_days=config.valid_days)
            finally:
                if progress:
                    progress.done()
    for info in infos:
        mark = "新 new" if info.changed else "未变 same"
        click.echo(
            f"{info.bundle}: v{info.version} {mark}, {info.files} 个文件 files, {human_size(info.size)} -> {info.path}"
        )


@click.command("push")
@click.option("--content", default="content", type=PATH, show_default=True, help="where site.yaml is")
@click.option("--bundles", default="bundles", type=PATH, show_default=True)
@click.option("--key", type=PATH, help="signing key, for delta bundles (default: from site.yaml)")
@click.option("--target", "names", multiple=True, help="only this target (repeatable)")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(1, 20), help="attempts per file")
def push_cmd(content: Path, bundles: Path, key: Path | None, names: tuple[str, ...], retries: int) -> None:
    """Send the bundles to the targets in site.yaml (publish: targets), as deltas where the headend allows."""
    config = _publish_config(content)
    with exit_codes(usage=(ValueError,)):
        private = signing_key(content, key, config, (content, bundles))
        targets = pick_targets(config, names)
        with lock.hold(bundles / ".lock"):
            results = push(Store(bundles), targets, private, content, retries=retries)
    if not targets:
        click.echo("site.yaml 没有配置推送目标 / no push targets configured")
    code = EXIT_OK
    for r in results:
        for line in r.warnings:
            click.echo(f"{r.target}: {line}", err=True)
        for line in r.refused:
            click.echo(f"前端拒收了上次发送的包 the headend refused: {line}", err=True)
            code = EXIT_PUSH
        if not r.ok:
            click.echo(f"推送失败 push FAILED → {r.target}: {r.error}", err=True)
            code = EXIT_PUSH
            continue
        for s in r.sent:
            if s.kind in ("full", "delta"):
                click.echo(
                    f"{r.target}: {s.bundle} v{s.version} {s.kind}"
                    f"{f' from v{s.base}' if s.base else ''}, {human_size(s.sent)} sent"
                    f"{f' (resumed at {s.resumed_from})' if s.resumed_from else ''}"
                )
        click.echo(f"{r.target}: 完成 done, {human_size(r.bytes_sent)}")
    sys.exit(code)


@click.command("publish")
@click.argument("content", default="content", type=PATH)
@click.option("-o", "--output", default="output", type=PATH, show_default=True)
@click.option("--bundles", default="bundles", type=PATH, show_default=True)
@click.option("--key", type=PATH, help="signing key (default: publish: signing_key in site.yaml)")
@click.option("--target", "names", multiple=True, help="only this target (repeatable)")
@click.option("--dry-run", is_flag=True, help="validate, build and plan in a scratch folder; write and send nothing")
@click.option("--wait", is_flag=True, help="wait for a running publish instead of exiting with code 4")
@click.option("--log", "log_path", type=PATH, help="JSON-lines log (default: BUNDLES/publish.log.jsonl)")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(1, 20), help="push attempts per file")
def publish_cmd(
    content: Path,
    output: Path,
    bundles: Path,
    key: Path | None,
    names: tuple[str, ...],
    dry_run: bool,
    wait: bool,
    log_path: Path | None,
    retries: int,
) -> None:
    """The cron job: lock, validate, build, bundle, push. Villages with errors keep their last good version.
    At a terminal the build's and the bundling's progress is shown on stderr; cron's runs log JSON lines only."""
    progress = Progress.for_stream(sys.stderr)
    try:
        result = publish(
            content,
            output,
            bundles,
            key=key,
            targets=names,
            dry_run=dry_run,
            wait=wait,
            log_path=log_path,
            retries=retries,
            steps=Steps(progress.step if progress else None),
        )
    finally:
        if progress:
            progress.done()
    for line in result.summary:
        click.echo(line, err=result.code in (EXIT_CONTENT, EXIT_FAILURE, EXIT_KEY, EXIT_LOCKED, EXIT_USAGE))
    sys.exit(result.code)


COMMANDS = (keys_group, bundle_cmd, push_cmd, publish_cmd)
