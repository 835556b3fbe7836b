"""Stage 11, publish (发布, the cron job): lock, validate, build, bundle, push; one command, one exit code.

A village whose own folder has errors, or whose pages fail after validation (pipeline.build's hold_back), is held
back: it keeps its last good pages and bundle (nothing new of it goes out), it is reported with every error, and
every other village is published. Errors anywhere else
(site.yaml, a town, city-wide items) stop the run before anything is written, as `sitegen build` does.

Every step is appended to a JSON-lines log (one object per line: ts, run, event, fields); a short summary in
Chinese and English goes to the terminal (or cron's mail). Exit codes, also in docs/deploy.md:

    0 published (or nothing to do)          5 published, but some villages were held back
    1 content errors: nothing published     6 a push target failed (after retries) or refused a bundle
    2 command-line usage error              7 (ingest) at least one bundle was refused
    3 internal or output failure            8 signing key missing, unreadable or too widely readable
    4 another run holds the lock

When several apply, publish exits with the highest.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sitegen.build import lock
from sitegen.build.pipeline import Steps, build, default_cache
from sitegen.content.config import PublishConfig, SiteConfig, Target, parse_site_config
from sitegen.content.errors import (
    EXIT_CONTENT,
    EXIT_FAILURE,
    EXIT_HELD,
    EXIT_KEY,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PUSH,
    EXIT_USAGE,
    ContentError,
    Location,
    OutputError,
    Report,
)
from sitegen.content.load import read_yaml
from sitegen.deploy import keys
from sitegen.deploy.bundle import BundleError, Store, make_bundles
from sitegen.deploy.push import BACKOFF, RETRIES, push


class JsonLog:
    """发布日志 Appends one JSON object per event; each line is written with a single write() and flushed."""

    def __init__(self, path: Path | None, run: str):
        self.path, self.run = path, run

    def __call__(self, event: str, /, **fields: object) -> None:  # positional-only: a field may be called `event`
        if self.path is None:
            return
        record = {"ts": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "run": self.run, "event": event, **fields}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


@dataclass
class PublishResult:
    code: int
    summary: list[str] = field(default_factory=list)


def resolve(value: str, base: Path) -> Path | None:
    """A path from site.yaml: `~` expanded, relative ones taken from the folder that holds site.yaml."""
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def site_config(content: Path) -> SiteConfig | None:
    """site.yaml alone (for the publish: section); its problems are reported again, in full, by the build."""
    report = Report()
    doc = read_yaml(content / "site.yaml", content.resolve(), report) if (content / "site.yaml").is_file() else None
    return parse_site_config(doc.data, Location(doc.where), report) if doc is not None else None


def signing_key(content: Path, key: Path | None, config: PublishConfig, published: tuple[Path, ...]):
    path = key or resolve(config.signing_key, content)
    if path is None:
        raise keys.KeyProblem(
            "没有指定签名私钥：在 site.yaml 的 publish: signing_key 里写明，或用 --key\n"
            "no signing key: set publish: signing_key in site.yaml or pass --key"
        )
    return keys.load_private(path, published)


def pick_targets(config: PublishConfig, names: tuple[str, ...]) -> list[Target]:
    unknown = set(names) - {t.name for t in config.targets}
    if unknown:
        raise ValueError(
            f"site.yaml 里没有这个推送目标：{', '.join(sorted(unknown))}\n"
            f"no such target in site.yaml: {', '.join(sorted(unknown))}"
        )
    return [t for t in config.targets if not names or t.name in names]


def human_size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MB"


def publish(
    content: Path,
    output: Path,
    bundles: Path,
    *,
    key: Path | None = None,
    targets: tuple[str, ...] = (),
    dry_run: bool = False,
    wait: bool = False,
    log_path: Path | None = None,
    now: datetime | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    steps: Steps | None = None,
) -> PublishResult:
    """The cron job (see the module's docstring). `steps` (Steps) times the build's steps, then bundle and push,
    and tells a terminal's progress line (content/progress.py) each as it starts; bundles are counted."""
    run = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    log = JsonLog(log_path or bundles / "publish.log.jsonl", run)
    try:
        with lock.hold(bundles / ".lock", wait):
            log("start", content=str(content), output=str(output), dry_run=dry_run)
            result = _run(content, output, bundles, key, targets, dry_run, now, retries, backoff, log, wait, steps)
    except lock.Busy as exc:
        log("locked", message=str(exc))
        return PublishResult(EXIT_LOCKED, str(exc).splitlines())
    log("end", code=result.code)
    result.summary.append(f"日志 log: {log.path}")
    return result


def _run(
    content: Path,
    output: Path,
    bundles: Path,
    key: Path | None,
    names: tuple[str, ...],
    dry_run: bool,
    now: datetime | None,
    retries: int | None,
    backoff: float | None,
    log: JsonLog,
    wait: bool = False,
    steps: Steps | None = None,
) -> PublishResult:
    steps = steps or Steps()
    started = time.monotonic()
    config = site_config(content)
    pconf = config.publish if config else PublishConfig()
    try:
        private = signing_key(content, key, pconf, (content, output, bundles))
        chosen = pick_targets(pconf, names)
    except keys.KeyProblem as exc:
        log("key-problem", message=str(exc))
        return PublishResult(EXIT_KEY, str(exc).splitlines())
    except ValueError as exc:
        log("usage", message=str(exc))
        return PublishResult(EXIT_USAGE, str(exc).splitlines())

    scratch = Path(tempfile.mkdtemp(prefix="sitegen-dry-run-")) if dry_run else None
    try:
        built_in = scratch or output
        try:
            cache = default_cache(output)  # `sitegen build`'s; a dry run reuses the renditions, if there are any
            built = build(
                content,
                built_in,
                hold_back=True,
                previous=output,  # a `sitegen build` of output: lock.Busy
                cache=cache if cache.is_dir() or not dry_run else None,
                wait=wait,
                steps=steps,
            )
        except ContentError as exc:
            for problem in exc.report.errors:
                log("content-error", code=problem.code, where=problem.where.en(), message=problem.format())
            lines = [p.format() for p in exc.report.sorted() if p.severity == "error"]
            n = len(exc.report.errors)
            return PublishResult(
                EXIT_CONTENT,
                lines
                + [
                    f"共 {n} 个错误，本次没有发布任何内容，各村保持上次的版本",
                    f"{n} error(s); nothing was published this time",
                ],
            )
        except OutputError as exc:
            log("output-error", message=str(exc))
            return PublishResult(EXIT_FAILURE, [f"无法写入输出 / cannot write output: {exc}"])
        log(
            "built",
            pages=built.pages,
            images=built.images,
            reused=len(built.reused),
            seconds=round(time.monotonic() - started, 3),
        )
        summary: list[str] = []
        for village, problems in sorted(built.held.items()):
            kept = village in built.villages
            log("held-back", village=village, kept_last_good=kept, errors=[p.format() for p in problems])
            summary.append(
                f"保留上次的版本 held back: {village}（{len(problems)} 个错误 error(s)）"
                if kept
                else f"未发布（从未发布过）not published, never built: {village}（{len(problems)} 个错误 error(s)）"
            )
            summary += ["    " + line for p in problems for line in p.format().splitlines()]

        with steps.step("bundle"):
            infos = make_bundles(
                built_in,
                Store(bundles),
                private,
                now=now,
                valid_days=pconf.valid_days,
                villages=built.villages,
                keep=built.held,
                dry_run=dry_run,
                just_built=True,
            )
        changed = [i for i in infos if i.changed]
        for info in infos:
            log(
                "bundle",
                bundle=info.bundle,
                version=info.version,
                changed=info.changed,
                files=info.files,
                size=info.size,
                retired=info.retired,
            )
        verb = "将更新 would update" if dry_run else "已更新 updated"
        summary.insert(
            0,
            f"{len(infos)} 个包，{len(changed)} 个{verb}："
            + (", ".join(f"{i.bundle} v{i.version}" for i in changed) or "—")
            + f" / {len(infos)} bundles, {len(changed)} changed",
        )

        code = EXIT_HELD if built.held else EXIT_OK
        if not chosen:
            summary.append("site.yaml 没有配置推送目标，未推送 / no push targets configured; nothing pushed")
        else:
            override = {i.bundle: i.version for i in changed} if dry_run else None
            with steps.step("push"):
                results = push(
                    Store(bundles),
                    chosen,
                    private,
                    content,
                    dry_run=dry_run,
                    log=log,
                    retries=RETRIES if retries is None else retries,
                    backoff=BACKOFF if backoff is None else backoff,
                    versions=override,
                )
            for r in results:
                moved = [s for s in r.sent if s.kind in ("full", "delta")]
                if r.ok and dry_run:
                    summary.append(
                        f"将推送 would push → {r.target}: " + (", ".join(f"{s.bundle} {s.kind}" for s in moved) or "—")
                    )
                elif r.ok:
                    deltas = sum(1 for s in moved if s.kind == "delta")
                    summary.append(
                        f"推送 pushed → {r.target}: {len(moved)} 个包 bundles（{deltas} 个增量 delta），"
                        f"{human_size(r.bytes_sent)}"
                    )
                summary += [f"    前端拒收了上次发送的包 the headend refused: {line}" for line in r.refused]
                if r.refused:
                    code = max(code, EXIT_PUSH)
                if not r.ok:
                    code = max(code, EXIT_PUSH)
                    summary.append(
                        f"推送失败 push FAILED → {r.target}: {r.error}（上次的版本仍在使用 / the headend "
                        f"keeps what it has）"
                    )
        if dry_run:
            summary.append(
                "演习模式：除日志外没有写入或上传任何东西 / dry run: nothing written or uploaded but the log"
            )
        summary.append(f"用时 took {time.monotonic() - started:.1f}s")
        return PublishResult(code, summary)
    except BundleError as exc:
        log("bundle-error", message=str(exc))
        return PublishResult(EXIT_FAILURE, str(exc).splitlines())
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
