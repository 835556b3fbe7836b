"""Stage 10, ingest (接收, runs at the headend): check bundles, then switch the served site in one step.

Headend layout (ROOT, e.g. /srv/sitegen; see docs/deploy.md):

    publisher.pub                 the publisher's public key (the default of --public-key)
    drop/                         push uploads here; ingest writes drop/acks.json, moves refused bundles to
                                  drop/rejected/ (with a .reason.txt) and deletes the ones it has taken
    releases/r-000012/            one complete site per release: tv/, mobile/, .sitegen/release.json
    current -> releases/r-000012  what the web server serves (current/tv, current/mobile)
    state.json                    the highest version ever taken, per bundle (rollback protection)
    .lock                         one ingest at a time

Every check happens before anything is activated: the signature (against the configured public key, over
the manifest bytes), the expiry, the version (never older than one already taken), the manifest's paths
(no absolute path, no '..', each village bundle inside its own village), and each archive entry (regular
files named objects/<sha256> only: no links, devices or folders; size and SHA-256 as the manifest says).
A new release is assembled next to the live one (unchanged files hard-linked from it, never modified in
place), then `current` is replaced by a symlink swap (a temporary link renamed over it), so the served folder
is the old release or the new one, never a mixture. A killed run leaves only temporary folders, which the
next run removes.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tarfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sitegen import keys, lock
from sitegen.bundle import (CITY, MANIFEST, MAX_MANIFEST, OBJECTS, SHA256, SIGNATURE, BundleError, Manifest,
                            atomic_write, parse_iso, sha256_file, utc)

KEEP = 5
RECORD = ".sitegen/release.json"
RELEASE = re.compile(r"^r-(\d{6,})$")


@dataclass
class Outcome:
    """What happened to one bundle file: installed, already (that version is live), superseded (a newer one
    of the same bundle came in the same run), or rejected (with the reason, Chinese then English)."""

    source: str
    status: str
    bundle: str | None = None
    version: int | None = None
    kind: str | None = None
    reason: str = ""


@dataclass
class IngestResult:
    outcomes: list[Outcome] = field(default_factory=list)
    activated: str | None = None   # the new release, if one was activated
    previous: str | None = None

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]


def _reject(zh: str, en: str) -> BundleError:
    return BundleError(zh, en)


# ---- reading a bundle -----------------------------------------------------------------------------------------

def _member_problem(member: tarfile.TarInfo) -> BundleError | None:
    name = member.name
    if member.issym() or member.islnk():
        return _reject(f"包里有链接条目，不允许：{name}", f"link entries are not allowed: {name}")
    if member.ischr() or member.isblk() or member.isfifo():
        return _reject(f"包里有设备或管道条目，不允许：{name}", f"device or FIFO entries are not allowed: {name}")
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        return _reject(f"包里有非普通文件条目：{name}", f"only regular file entries are allowed: {name}")
    if name.startswith("/") or ".." in name.split("/"):
        return _reject(f"包里的条目路径不允许（绝对路径或“..”）：{name}",
                       f"entry path not allowed (absolute or '..'): {name}")
    return None


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if member.size > limit:
        raise _reject(f"条目 {member.name} 太大", f"entry {member.name} is too large")
    stream = tar.extractfile(member)
    assert stream is not None
    return stream.read()


class _Reader:
    """One pass over a bundle: the signed manifest first, then (optionally) its objects, each checked."""

    def __init__(self, path: Path, public: Ed25519PublicKey, trusted_id: str, now: datetime):
        self.path, self.public, self.trusted_id, self.now = path, public, trusted_id, now

    def run(self, objects_to: Path | None = None, expect: Manifest | None = None) -> Manifest:
        try:
            with gzip.open(self.path, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
                manifest = self._header(tar)
                if expect is not None and manifest.to_bytes() != expect.to_bytes():
                    raise _reject("包在检查期间被替换", "the bundle changed while it was being checked")
                if objects_to is not None:
                    self._objects(tar, manifest, objects_to)
                    while gz.read(1 << 20):  # to the end, so that gzip checks its CRC and length too
                        pass
                return manifest
        except BundleError:
            raise
        except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            raise _reject(f"包已损坏，无法读取：{exc}", f"damaged archive, cannot be read: {exc}") from exc

    @staticmethod
    def _next(tar: tarfile.TarFile, name: str, limit: int, missing: BundleError) -> bytes:
        """The next entry's bytes; it must be `name` (else `missing` is raised), a plain file, at most `limit`."""
        member = tar.next()
        if member is None or member.name != name:
            raise missing
        problem = _member_problem(member)
        if problem:
            raise problem
        return _read_member(tar, member, limit)

    def _header(self, tar: tarfile.TarFile) -> Manifest:
        data = self._next(tar, MANIFEST, MAX_MANIFEST,
                          _reject("包的第一个条目不是 manifest.json", "the first entry is not manifest.json"))
        signature = self._next(tar, SIGNATURE, 64,
                               _reject("包没有签名（缺少 manifest.sig），拒绝", "unsigned bundle (no manifest.sig); refused"))
        try:
            self.public.verify(signature, data)
        except InvalidSignature:
            claimed = "?"
            try:
                claimed = json.loads(data).get("key_id", "?")
            except (ValueError, AttributeError):
                pass
            raise _reject(f"签名验证失败：包不是用受信任的密钥签的，或已被改动（包的密钥 {claimed}，受信任的 "
                          f"{self.trusted_id}）",
                          f"bad signature: signed with another key or tampered with (bundle key {claimed}, "
                          f"trusted key {self.trusted_id})") from None
        manifest = Manifest.from_bytes(data)
        if parse_iso(manifest.expires) <= self.now:
            raise _reject(f"包已过期（有效期到 {manifest.expires}），拒绝", f"expired bundle (valid until "
                          f"{manifest.expires}); refused")
        return manifest

    def _objects(self, tar: tarfile.TarFile, manifest: Manifest, dest: Path) -> None:
        sizes = {e.sha256: e.size for e in manifest.files.values()}
        expected = set(manifest.objects)
        got: set[str] = set()
        dest.mkdir(parents=True, exist_ok=True)
        while (member := tar.next()) is not None:
            problem = _member_problem(member)
            if problem:
                raise problem
            sha = member.name[len(OBJECTS):]
            if not member.name.startswith(OBJECTS) or not SHA256.match(sha):
                raise _reject(f"包里有不认识的条目：{member.name}", f"unexpected entry: {member.name}")
            if sha not in expected or sha in got:
                raise _reject(f"包里有清单之外或重复的内容：{member.name}",
                              f"object not in the manifest, or repeated: {member.name}")
            if member.size != sizes[sha]:
                raise _reject(f"文件大小与清单不符：{member.name}", f"size differs from the manifest: {member.name}")
            stream = tar.extractfile(member)
            assert stream is not None
            h = hashlib.sha256()
            target = dest / sha
            with open(target, "wb") as out:
                while chunk := stream.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
            if h.hexdigest() != sha:
                raise _reject(f"文件内容的 SHA-256 与清单不符（被改动过）：{member.name}",
                              f"SHA-256 differs from the manifest (tampered): {member.name}")
            got.add(sha)
        if got != expected:
            raise _reject(f"包里缺少 {len(expected - got)} 个文件", f"{len(expected - got)} object(s) missing")


# ---- the headend folder ---------------------------------------------------------------------------------------

class Headend:
    def __init__(self, root: Path):
        self.root = root
        self.releases = root / "releases"
        self.current = root / "current"
        self.state_path = root / "state.json"

    def active(self) -> str | None:
        try:
            target = os.readlink(self.current)
        except OSError:
            return None
        name = Path(target).name
        return name if RELEASE.match(name) and (self.releases / name).is_dir() else None

    def record(self, name: str | None) -> dict:
        if name is None:
            return {"bundles": {}}
        try:
            return json.loads((self.releases / name / RECORD).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise _reject(f"当前发布的记录无法读取：{name}", f"the active release record is unreadable: {exc}") from exc

    def seen(self, record: dict) -> dict[str, int]:
        try:
            seen = json.loads(self.state_path.read_text("utf-8")).get("seen", {})
        except (OSError, ValueError):
            seen = {}
        for bundle_id, info in record["bundles"].items():  # a run killed right after activation: trust the record
            seen[bundle_id] = max(seen.get(bundle_id, 0), info["version"])
        return seen

    def names(self) -> list[str]:
        if not self.releases.is_dir():
            return []
        return sorted((p.name for p in self.releases.iterdir() if RELEASE.match(p.name)),
                      key=lambda n: int(n[2:]))

    def cleanup(self) -> None:
        """Leftovers of a killed run: staging folders and temporary links. Never the live release."""
        for leftover in list(self.root.glob(".tmp-*")) + list(self.releases.glob(".tmp-*")):
            shutil.rmtree(leftover, ignore_errors=True)
        for link in self.root.glob(".current.tmp-*"):
            link.unlink(missing_ok=True)

    def activate(self, name: str) -> None:
        """The atomic switch: a new symlink under a temporary name, renamed over `current`."""
        tmp = self.root / f".current.tmp-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(f"releases/{name}", tmp)  # relative, so the whole root can be moved
        os.replace(tmp, self.current)
        _fsync_dir(self.root)

    def write_acks(self, folders: set[Path], record: dict, seen: dict[str, int], release: str | None) -> None:
        acks: dict[str, Any] = {"format": 1, "release": release,
                "bundles": {b: {"active": info["version"], "seen": max(seen.get(b, 0), info["version"])}
                            for b, info in record["bundles"].items()}}
        for b, version in seen.items():
            acks["bundles"].setdefault(b, {"active": None, "seen": version})
        data = json.dumps(acks, sort_keys=True, indent=1).encode() + b"\n"
        for folder in folders:
            atomic_write(folder / "acks.json", data)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)  # unchanged files cost nothing; they are never written in place
    except OSError:
        shutil.copyfile(src, dest)


# ---- ingest ---------------------------------------------------------------------------------------------------

def _sources(sources: list[Path]) -> tuple[list[Path], set[Path]]:
    files: list[Path] = []
    folders: set[Path] = set()
    for src in sources:
        if src.is_dir():
            folders.add(src)
            files += sorted(p for p in src.iterdir()
                            if p.is_file() and p.name.endswith(".tar.gz") and not p.name.startswith("."))
        elif src.is_file():
            files.append(src)
    return files, folders


def _choose(headers: list[tuple[Path, Manifest]], record: dict, seen: dict[str, int],
            outcomes: dict[Path, Outcome]) -> dict[str, tuple[Path, Manifest]]:
    """Per bundle, the newest file that may be applied to the live release; the rest are explained."""
    chosen: dict[str, tuple[Path, Manifest]] = {}
    for path, m in sorted(headers, key=lambda h: (h[1].bundle, -h[1].version, h[1].base is not None)):
        out = outcomes[path]
        out.bundle, out.version, out.kind = m.bundle, m.version, m.kind
        active = record["bundles"].get(m.bundle, {}).get("version")
        newest = seen.get(m.bundle, 0)
        if m.bundle in chosen:
            out.status = "superseded"
        elif m.version == active:
            out.status = "already"
        elif m.version < newest:
            out.status = "rejected"
            out.reason = (f"版本 {m.version} 比已接收的 {newest} 旧，拒绝（防止回退或重放）\n"
                          f"version {m.version} is older than {newest} already taken; refused (rollback/replay)")
        elif m.version == newest:
            out.status = "already"
            out.reason = (f"版本 {m.version} 已接收过，但已被人工回滚，不再启用\n"
                          f"version {m.version} was taken before and rolled back by an operator; not re-activated")
        elif m.base is not None and m.base != active:
            out.status = "rejected"
            out.reason = (f"增量包基于版本 {m.base}，但这里正在使用 {active}，需要完整包\n"
                          f"delta against version {m.base}, but {active} is live here; a full bundle is needed")
        else:
            chosen[m.bundle] = (path, m)
    return chosen


def _check_city_scope(chosen: dict[str, tuple[Path, Manifest]], record: dict, outcomes: dict[Path, Outcome]) -> None:
    """The city bundle must not write inside any village's folder (village bundles own those), nor put a file
    where a village needs a folder."""
    if CITY not in chosen:
        return
    villages = {b for b in set(record["bundles"]) | set(chosen) if b != CITY}
    towns = {v.split("/")[0] for v in villages}
    path, m = chosen[CITY]
    for p in m.files:
        parts = p.split("/")
        if (len(parts) >= 3 and f"{parts[1]}/{parts[2]}" in villages) or (len(parts) == 2 and parts[1] in towns):
            outcomes[path].status = "rejected"
            outcomes[path].reason = (f"全市包占用了村的文件夹：{p}\n"
                                     f"the city bundle writes inside a village folder: {p}")
            del chosen[CITY]
            return


def _reused(m: Manifest, record: dict, release: Path) -> dict[str, Path]:
    """For a delta: sha256 -> the live file it is taken from, each re-hashed (the live copy must be intact)."""
    live = record["bundles"].get(m.bundle, {}).get("files", {})
    by_sha: dict[str, str] = {}
    for p, (_, sha) in sorted(live.items()):
        by_sha.setdefault(sha, p)
    carried = set(m.objects)
    found: dict[str, Path] = {}
    for e in m.files.values():
        if e.sha256 in carried or e.sha256 in found:
            continue
        p = by_sha.get(e.sha256)
        if p is None or not (release / p).is_file() or sha256_file(release / p) != e.sha256:
            raise _reject(f"增量包需要的已有文件缺失或已被改动：{p or e.sha256}，需要完整包",
                          f"a file the delta relies on is missing or altered here: {p or e.sha256}; "
                          f"a full bundle is needed")
        found[e.sha256] = release / p
    return found


def _assemble(staging: Path, head: Headend, active: str | None, record: dict,
              accepted: dict[str, tuple[Manifest, dict[str, Path]]]) -> dict:
    """The new release: every bundle's files linked into `staging`; returns its record."""
    live = head.releases / active if active else None
    new: dict[str, Any] = {"bundles": {}}
    order = sorted(set(record["bundles"]) | set(accepted), key=lambda b: (b == CITY, b))  # villages, then city
    for bundle_id in order:
        if bundle_id in accepted:
            m, sources = accepted[bundle_id]
            files = {p: [e.size, e.sha256] for p, e in m.files.items()}
            for p, e in m.files.items():
                _link(sources[e.sha256], staging / p)
            new["bundles"][bundle_id] = {"version": m.version, "files": files}
        else:
            info = record["bundles"][bundle_id]
            assert live is not None
            for p in info["files"]:
                _link(live / p, staging / p)
            new["bundles"][bundle_id] = info
    atomic_write(staging / RECORD, json.dumps(new, sort_keys=True).encode())
    return new


def ingest(root: Path, sources: list[Path] | None = None, public_key: Path | None = None, *,
           now: datetime | None = None, keep: int = KEEP, wait: bool = False) -> IngestResult:
    """Take every bundle found in `sources` (files or folders; default ROOT/drop) into one new release."""
    root = root.absolute()
    public = keys.load_public(public_key or root / "publisher.pub")
    trusted = keys.key_id(public)
    moment = utc(now)
    head = Headend(root)
    root.mkdir(parents=True, exist_ok=True)
    with lock.hold(root / ".lock", wait):
        head.releases.mkdir(exist_ok=True)
        head.cleanup()
        drop = root / "drop"
        drop.mkdir(exist_ok=True)
        files, folders = _sources(sources if sources is not None else [drop])
        active = head.active()
        record = head.record(active)
        seen = head.seen(record)
        result = IngestResult(previous=active)
        outcomes = {f: Outcome(f.name, "rejected") for f in files}
        headers: list[tuple[Path, Manifest]] = []
        for f in files:
            try:
                headers.append((f, _Reader(f, public, trusted, moment).run()))
            except BundleError as exc:
                outcomes[f].reason = str(exc)
        chosen = _choose(headers, record, seen, outcomes)
        _check_city_scope(chosen, record, outcomes)
        work = root / f".tmp-{os.getpid()}"
        try:
            accepted: dict[str, tuple[Manifest, dict[str, Path]]] = {}
            for bundle_id, (path, m) in sorted(chosen.items()):
                objects = work / "objects" / bundle_id.replace("/", ".")
                try:
                    _Reader(path, public, trusted, moment).run(objects_to=objects, expect=m)
                    sources_ = {sha: objects / sha for sha in m.objects}
                    if m.base is not None:
                        if active is None:  # _choose refuses a delta with nothing live; said again, not assumed
                            raise _reject("没有正在使用的版本，增量包无从更新，需要完整包",
                                          "no live release for the delta to apply to; a full bundle is needed")
                        sources_.update(_reused(m, record, head.releases / active))
                    accepted[bundle_id] = (m, sources_)
                except BundleError as exc:
                    outcomes[path].status, outcomes[path].reason = "rejected", str(exc)
            if accepted:
                numbers = [int(n[2:]) for n in head.names()]
                name = f"r-{(max(numbers) + 1 if numbers else 1):06d}"
                staging = head.releases / f".tmp-{name}"
                record = _assemble(staging, head, active, record, accepted)
                os.sync()  # every file on disk before the switch, so a power cut cannot expose an empty file
                os.rename(staging, head.releases / name)
                head.activate(name)
                for bundle_id, (m, _) in accepted.items():
                    seen[bundle_id] = max(seen.get(bundle_id, 0), m.version)
                    outcomes[chosen[bundle_id][0]].status = "installed"
                atomic_write(head.state_path, json.dumps({"seen": seen}, sort_keys=True, indent=1).encode())
                result.activated = name
                _prune(head, keep)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        head.write_acks(folders | {drop}, record, seen, head.active())
        result.outcomes = [outcomes[f] for f in files]
        _dispose(result.outcomes, files, sources)
    return result


def _dispose(outcomes: list[Outcome], files: list[Path], sources: list[Path] | None) -> None:
    """Files found in a drop folder are removed once dealt with; refused ones go to rejected/ with the reason.
    Files named on the command line are left where they are."""
    named = {s for s in (sources or []) if not s.is_dir()}
    for out, f in zip(outcomes, files):
        if f in named:
            continue
        if out.status == "rejected":
            dest = f.parent / "rejected"
            dest.mkdir(exist_ok=True)
            os.replace(f, dest / f.name)
            (dest / f"{f.name}.reason.txt").write_text(out.reason + "\n", "utf-8")
        else:
            f.unlink(missing_ok=True)


def _prune(head: Headend, keep: int) -> None:
    names = head.names()
    active = head.active()
    for name in names[:-max(keep, 2)]:
        if name != active:
            shutil.rmtree(head.releases / name, ignore_errors=True)


def rollback(root: Path, wait: bool = False) -> tuple[str, str]:
    """Serve the release before the live one again. Versions taken stay 'seen': no older bundle gets in."""
    root = root.absolute()
    head = Headend(root)
    with lock.hold(root / ".lock", wait):
        active = head.active()
        names = head.names()
        if active is None or names.index(active) == 0:
            raise BundleError("没有更早的发布可以回滚", "there is no earlier release to roll back to")
        previous = names[names.index(active) - 1]
        head.activate(previous)
        drop = root / "drop"
        if drop.is_dir():
            record = head.record(previous)
            head.write_acks({drop}, record, head.seen(record), previous)
    return active, previous
