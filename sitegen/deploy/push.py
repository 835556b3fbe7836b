"""Stage 9, push (推送): deliver bundles to each headend's drop folder, a local/mounted folder or SFTP.

Per bundle and target: the headend's acks.json (written by `sitegen ingest`) says which version is live
there; if it is older than ours, we send a delta from it (or a full bundle when we no longer know that
version). Each file is uploaded under a temporary name (`.NAME.part`), its size and SHA-256 are read back
and checked, and only then is it renamed to NAME (posix-rename: atomic, replaces), so ingest never sees a
part. An interrupted upload is resumed from the part's size on the next try (a part whose bytes turn out
wrong is discarded at the check and sent again). Network errors are retried with exponential backoff.
What each target acknowledged is remembered in the bundle folder (targets/<name>.json), for when the
headend cannot be read.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import paramiko
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.content.config import Target
from sitegen.content.files import sha256_file
from sitegen.deploy.bundle import CITY, SNAPSHOT, VALID_DAYS, Store, make_delta, make_snapshot, strict_json

CHUNK = 256 * 1024
RETRIES = 4  # attempts per target and per file
BACKOFF = 1.0  # seconds before the 2nd attempt; doubled each time
ACKS = "acks.json"
MAX_ACKS = 1 << 20  # bytes of a headend's acks.json we are willing to read
MAX_REASON = 64 << 10  # bytes of a refusal reason


class PushError(Exception):
    """An upload that did not verify; retried like a network error."""


class Remote(Protocol):
    def size(self, name: str) -> int | None: ...
    def read(self, name: str, limit: int) -> bytes | None: ...
    def write_from(self, name: str, offset: int, src, on_chunk: Callable[[int], None]) -> None: ...
    def sha256(self, name: str) -> str: ...
    def rename(self, src: str, dest: str) -> None: ...
    def remove(self, name: str) -> None: ...
    def close(self) -> None: ...


class FolderRemote:
    """A local or mounted drop folder."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def size(self, name: str) -> int | None:
        try:
            return (self.path / name).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, name: str, limit: int) -> bytes | None:
        """At most `limit` + 1 bytes (so the caller can tell a file that is too big), None when absent."""
        try:
            with open(self.path / name, "rb") as f:
                return f.read(limit + 1)
        except FileNotFoundError:
            return None

    def write_from(self, name: str, offset: int, src, on_chunk) -> None:
        with open(self.path / name, "r+b" if offset else "wb") as out:
            out.seek(offset)
            out.truncate()
            while chunk := src.read(CHUNK):
                out.write(chunk)
                on_chunk(len(chunk))
            out.flush()
            os.fsync(out.fileno())

    def sha256(self, name: str) -> str:
        return sha256_file(self.path / name)

    def rename(self, src: str, dest: str) -> None:
        os.replace(self.path / src, self.path / dest)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class SftpRemote:
    """A headend drop folder over SFTP (paramiko). The host key must be in `known_hosts`: never trust on
    first use, a cable headend is exactly what someone would impersonate."""

    def __init__(self, target: Target, base: Path):
        self.client = paramiko.SSHClient()
        known = _resolve(target.known_hosts, base)
        if known is None or not known.is_file():
            raise PushError(f"缺少 known_hosts 文件：{known}\nknown_hosts file missing: {known}")
        self.client.load_host_keys(str(known))
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        key_file = _resolve(target.key_file, base)
        self.client.connect(
            target.host,
            port=target.port,
            username=target.user,
            key_filename=str(key_file) if key_file else None,
            look_for_keys=False,
            allow_agent=False,
            timeout=15,
            banner_timeout=15,
            auth_timeout=15,
        )
        self.sftp = self.client.open_sftp()
        channel = self.sftp.get_channel()
        if channel is not None:  # always set on a connected client
            channel.settimeout(60)
        self.dir = target.path.rstrip("/") or "/"

    def _p(self, name: str) -> str:
        return f"{self.dir}/{name}"

    def size(self, name: str) -> int | None:
        try:
            return self.sftp.stat(self._p(name)).st_size
        except FileNotFoundError:
            return None

    def read(self, name: str, limit: int) -> bytes | None:
        try:
            with self.sftp.open(self._p(name), "rb") as f:
                return f.read(limit + 1)
        except FileNotFoundError:
            return None

    def write_from(self, name: str, offset: int, src, on_chunk) -> None:
        with self.sftp.open(self._p(name), "r+b" if offset else "wb") as out:
            out.set_pipelined(True)
            out.seek(offset)
            while chunk := src.read(CHUNK):
                out.write(chunk)
                on_chunk(len(chunk))

    def sha256(self, name: str) -> str:
        h = hashlib.sha256()
        with self.sftp.open(self._p(name), "rb") as f:
            f.prefetch()
            while chunk := f.read(CHUNK):
                h.update(chunk)
        return h.hexdigest()

    def rename(self, src: str, dest: str) -> None:
        self.sftp.posix_rename(self._p(src), self._p(dest))

    def remove(self, name: str) -> None:
        try:
            self.sftp.remove(self._p(name))
        except FileNotFoundError:
            pass

    def close(self) -> None:
        self.client.close()


def _resolve(value: str, base: Path) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def connect(target: Target, base: Path) -> Remote:
    """`base`: the folder relative paths in the site config are relative to (the one holding site.yaml)."""
    if target.type == "folder":
        folder = _resolve(target.path, base)
        if folder is None:
            raise PushError(f"目标 {target.name} 没有写 path\ntarget {target.name} has no path")
        return FolderRemote(folder)
    return SftpRemote(target, base)


# ---- one upload -----------------------------------------------------------------------------------------------


def upload(remote: Remote, src: Path, name: str) -> dict:
    """Put `src` at NAME via `.NAME.part`: resume, check size and hash, rename. Returns what was sent."""
    size, sha = src.stat().st_size, sha256_file(src)
    if remote.size(name) == size and remote.sha256(name) == sha:
        return {"sent": 0, "resumed_from": 0, "already": True}
    part = f".{name}.part"
    have = remote.size(part) or 0
    if have > size:
        remote.remove(part)
        have = 0
    sent = 0

    def count(n: int) -> None:
        nonlocal sent
        sent += n
        _progress(name, have + sent)

    with open(src, "rb") as f:
        f.seek(have)
        remote.write_from(part, have, f, count)
    if remote.size(part) != size or remote.sha256(part) != sha:
        remote.remove(part)  # the kept part was not ours after all: next attempt starts from zero
        raise PushError(f"上传后校验不符，重新上传：{name}\nverification failed after upload, resending: {name}")
    remote.rename(part, name)
    return {"sent": sent, "resumed_from": have, "already": False}


def _progress(name: str, done: int) -> None:
    """Called after every chunk (a seam for tests that interrupt an upload half-way)."""


# ---- a push run -----------------------------------------------------------------------------------------------


@dataclass
class Sent:
    bundle: str
    version: int
    kind: str  # full | delta | none (up to date) | waiting (sent, not yet taken by the headend)
    base: int | None = None
    size: int = 0  # bytes of the file to send
    sent: int = 0  # bytes actually transferred in this run
    resumed_from: int = 0
    seconds: float = 0.0


@dataclass
class TargetResult:
    target: str
    ok: bool = True
    error: str = ""
    sent: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # bundles we sent that the headend refused, with its reason
    warnings: list[str] = field(default_factory=list)  # e.g. the headend's acks.json was unreadable

    @property
    def bytes_sent(self) -> int:
        return sum(s.sent for s in self.sent)


NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, PushError, socket.timeout, paramiko.SSHException)


def _retry(action: Callable[[], object], retries: int, backoff: float, log: Callable[..., None], what: str):
    errors = NETWORK_ERRORS
    for attempt in range(1, retries + 1):
        try:
            return action()
        except errors as exc:
            if attempt == retries:
                raise
            delay = backoff * 2 ** (attempt - 1)
            log("retry", what=what, attempt=attempt, delay=delay, error=f"{type(exc).__name__}: {exc}")
            time.sleep(delay)


def _order(bundles: dict) -> list[str]:
    """Villages first, the city last: city pages should not point at a village the headend lacks."""
    return sorted(bundles, key=lambda b: (b == CITY, b))


class _Session:
    """One target's connection, opened on first use and dropped after a network error, so that the next
    attempt (after the backoff) reconnects."""

    def __init__(self, target: Target, base: Path, retries: int, backoff: float, log: Callable[..., None]):
        self.target, self.base, self.retries, self.backoff, self.log = target, base, retries, backoff, log
        self.remote: Remote | None = None

    def call(self, action: Callable[[Remote], object], what: str = ""):
        def attempt():
            try:
                if self.remote is None:
                    self.remote = connect(self.target, self.base)
                return action(self.remote)
            except NETWORK_ERRORS:
                self.close()
                raise

        return _retry(attempt, self.retries, self.backoff, self.log, f"{self.target.name}: {what}")

    def close(self) -> None:
        remote, self.remote = self.remote, None
        if remote is not None:
            try:
                remote.close()
            except Exception:
                pass


def _version(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def parse_acks(raw: bytes) -> dict[str, dict]:
    """A headend's acks.json, parsed strictly with limits: bundle id -> {active, seen} (versions or None).
    Anything else is a ValueError: the caller then knows nothing of that headend."""
    doc = strict_json(raw, MAX_ACKS, ACKS)
    bundles = doc.get("bundles") if isinstance(doc, dict) else None
    if not isinstance(bundles, dict):
        raise ValueError("no bundles")
    for bundle_id, ack in bundles.items():
        if not (
            isinstance(ack, dict)
            and set(ack) <= {"active", "seen"}
            and _version(ack.get("active"))
            and _version(ack.get("seen"))
        ):
            raise ValueError(f"bad entry for {bundle_id!r}")
    return bundles


def _acknowledged(session: _Session, known: dict, result: TargetResult) -> None:
    """Update what we know of the headend from its acks.json, which is authoritative when it is there (a bundle
    it does not list is not there); without one, what we remembered stands. A damaged or huge one means we know
    nothing: every bundle goes as a full bundle, and it is reported."""
    raw = session.call(lambda r: r.read(ACKS, MAX_ACKS), ACKS)
    if raw is None:
        return
    try:
        acks = parse_acks(raw)
    except ValueError as exc:
        acks = {}
        for entry in known.values():
            entry.pop("sent", None)  # nothing we sent can be trusted to be there either
        result.warnings.append(
            f"前端的 {ACKS} 损坏或太大，改发完整包 / the headend's {ACKS} is damaged or too "
            f"large ({exc}); sending full bundles"
        )
        session.log("acks-unreadable", target=result.target, error=str(exc))
    for bundle_id in set(known) | set(acks):
        ack = acks.get(bundle_id) or {}
        entry = known.setdefault(bundle_id, {})
        entry["active"], entry["seen"] = ack.get("active"), ack.get("seen")


def push(
    store: Store,
    targets: list[Target],
    key: Ed25519PrivateKey,
    base: Path,
    *,
    retries: int = RETRIES,
    backoff: float = BACKOFF,
    dry_run: bool = False,
    versions: dict[str, int] | None = None,
    log: Callable[..., None] = lambda event, **fields: None,
    valid_days: int | None = None,
    now: datetime | None = None,
) -> list[TargetResult]:
    """Push every bundle of the store to each target. `base`: the folder of site.yaml (relative paths).
    `versions` (dry runs) overrides the store's versions with the ones a bundle run would make. After the bundles,
    each target gets a freshly signed snapshot (every bundle's version and digest, and the time): the headend
    installs only what the newest snapshot names, and knows from its time how fresh its content is."""
    ours_by_id = {b: e["version"] for b, e in store.load_state()["bundles"].items()}
    ours_by_id.update(versions or {})
    results = []
    valid = valid_days if valid_days is not None else VALID_DAYS
    snapshot = make_snapshot(store, key, now, valid_days=valid) if targets and not dry_run else None
    for target in targets:
        result = TargetResult(target.name)
        results.append(result)
        session = _Session(target, base, retries, backoff, log)
        try:
            tstate = store.load_target(target.name)
            known = tstate.setdefault("bundles", {})
            _acknowledged(session, known, result)
            for bundle_id in _order(ours_by_id):
                sent = _push_one(
                    store,
                    key,
                    session,
                    bundle_id,
                    ours_by_id[bundle_id],
                    known.setdefault(bundle_id, {}),
                    result,
                    dry_run,
                )
                result.sent.append(sent)
                if sent.kind in ("full", "delta") and not dry_run:
                    store.save_target(target.name, tstate)  # after each file: a killed run forgets nothing sent
            if not dry_run:
                store.save_target(target.name, tstate)
                if snapshot is not None:  # last: the headend installs only what it names, once it is there
                    session.call(lambda r: upload(r, snapshot, SNAPSHOT), SNAPSHOT)
        except Exception as exc:
            result.ok = False
            result.error = f"{type(exc).__name__}: {exc}"
            log("push-failed", target=target.name, error=result.error)
        finally:
            session.close()
    return results


def _push_one(
    store: Store,
    key: Ed25519PrivateKey,
    session: _Session,
    bundle_id: str,
    ours: int,
    entry: dict,
    result: TargetResult,
    dry_run: bool,
) -> Sent:
    """Decide what one bundle needs at one target (nothing, a delta or a full bundle) and send it."""
    if (entry.get("seen") or 0) > ours:  # taken there, yet never made here: signed with our key by someone else?
        result.warnings.append(
            f"前端已接收 {bundle_id} 的版本 {entry['seen']}，比这里的 {ours} 还新：私钥可能被盗，请按 "
            f"docs/deploy.md §10 换密钥 / the headend has taken {bundle_id} version {entry['seen']}, "
            f"newer than ours ({ours}): was the signing key stolen? rotate it (docs/deploy.md §10)"
        )
    if (entry.get("seen") or 0) >= ours:
        return Sent(bundle_id, ours, "none")
    base_version = entry.get("active")
    name = entry.get("sent_file")
    if entry.get("sent") == ours and name and not dry_run:
        if session.call(lambda r: r.size(name), name) == entry.get("sent_size"):
            return Sent(bundle_id, ours, "waiting")  # sent, not taken by ingest yet
        reason = session.call(lambda r: r.read(f"rejected/{name}.reason.txt", MAX_REASON), name)
        if reason is not None:  # refused there: say why, and send a full bundle this time
            text = " / ".join(reason[:MAX_REASON].decode("utf-8", "replace").split("\n")).strip(" /")
            result.refused.append(f"{name}: {text}")
            session.log("refused-by-headend", target=result.target, bundle=bundle_id, file=name, reason=text)
            base_version = None
    if dry_run:
        kind = "delta" if base_version and store.manifest(bundle_id, base_version) else "full"
        return Sent(bundle_id, ours, kind, base_version if kind == "delta" else None)
    path = make_delta(store, bundle_id, base_version, key) if base_version else None
    full = store.full_path(bundle_id, ours)
    if path is None or path.stat().st_size >= full.stat().st_size:
        path, kind, base_v = full, "full", None
    else:
        kind, base_v = "delta", base_version
    started = time.monotonic()
    info = session.call(lambda r: upload(r, path, path.name), path.name)
    sent = Sent(
        bundle_id,
        ours,
        kind,
        base_v,
        path.stat().st_size,
        info["sent"],
        info["resumed_from"],
        time.monotonic() - started,
    )
    entry.update(sent=ours, sent_file=path.name, sent_size=sent.size)
    session.log(
        "pushed",
        target=result.target,
        bundle=bundle_id,
        version=ours,
        kind=kind,
        base=base_v,
        size=sent.size,
        sent=sent.sent,
        resumed_from=sent.resumed_from,
        seconds=round(sent.seconds, 3),
    )
    return sent
