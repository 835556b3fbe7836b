"""Stage 10, ingest (接收, runs at the headend): check bundles, then switch the served site in one step.

Headend layout (ROOT, e.g. /srv/sitegen; see docs/deploy.md):

    publisher.pub                 the publisher's public key (the default of --public-key); neither it nor its
                                  folder may be writable by anyone but their owner (the push account above all)
    drop/                         push uploads here; ingest writes drop/acks.json, moves refused bundles to
                                  drop/rejected/ (with a .reason.txt) and deletes the ones it has taken
    store/xg.cs/v<version>-<digest>/  one village's verified files at one version (tv/xg/cs/…, mobile/xg/cs/…),
                                  with .sitegen-files.json (its file list); immutable once renamed into place
    store/city/v<version>-<digest>/   the same for the city bundle
    releases/r-000012/            one release: the city's files (hard links into store/city/…), and per village and
                                  theme one relative symlink tv/<town>/<village> -> ../../../../store/<village>/…;
                                  .sitegen/release.json names each bundle's version and store folder
    current -> releases/r-000012  what the web server serves (current/tv, current/mobile)
    state.json                    the highest version ever taken, per bundle (rollback protection), the
                                  versions an operator rolled back, and the releases ever served
    .lock                         one ingest at a time

Threat model (docs/deploy.md §10): whoever can write the drop folder is hostile. Drop entries are reached
through the folder's descriptor only: a symlink, folder, FIFO or multiply-linked file is quarantined by name and
never opened, and every file ingest creates there is created with O_EXCL | O_NOFOLLOW under a random name and
renamed into place. Every byte read before the signature is checked has a small hard limit: the archive is read
by a strict ustar reader (our own writer's format only: regular files, no PAX or GNU headers, nothing after the
end-of-archive marker but its zero padding, one gzip member with nothing after it) and the manifest by a strict
JSON parser (size, depth, no duplicate keys). After the signature, the total decompressed bytes are bounded by
what the manifest declares.

Every check happens before anything is activated: the signature (against the configured public key, over
the manifest bytes), the expiry, the version (never older than one already taken, never beyond the clock plus a
small skew: no fast-forward), the manifest's paths (no absolute path, no '..', bounded lengths, each village
bundle inside its own village, each namespace owned by one bundle), and each archive entry (regular files named
objects/<sha256> only, in order; size and SHA-256 as the manifest says). A problem with one file rejects that
file and ingest goes on with the others; only the headend's own faults (a full disk, an unreadable root) stop
the run (HeadendFault), and then no bundle is blamed: it stays in drop for the next run.

A new release is composed next to the live one from store folders: a changed bundle gets a new store folder (its new
objects, and for a delta its unchanged files hard-linked from the live version, re-hashed first), every other bundle
keeps the store folder it has, so installing one village costs that village plus one symlink per village and theme,
never a copy or link of every file of the city. Nothing in a store folder is modified in place. Each bundle is read
once, holding its manifest for that read only: the signed manifest (its first member) is verified whole first, and a
small _Header kept to choose by; then, if the bundle could be chosen (judged by itself), its objects are written
into the ingest's work folder (never served), each straight to its first path in the store folder laid out there,
hashed as it is written; only bundles chosen among all, every object of them matched, are renamed into the store
when the release is assembled, and the work folder is removed whatever happens. So a first ingest of a city reads
and inflates each bundle once and holds per bundle a few names, never its file list (issue 14). Store file lists are
checked against the content digest in their folder's name whenever read. `current` is then replaced by a symlink
swap (a temporary link renamed over it), so the served folder is the old release or the new one, never a mixture.
Every symlink we make is relative, points into ROOT/store and is named from a checked bundle id, and bundles carry
only regular files, so no served path leads out of ROOT. Store folders no kept release names are removed after a
switch (never one the live or an earlier kept release, the rollback target, uses). A killed run leaves only
temporary folders, which the next run removes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sitegen.build import lock
from sitegen.content import progress
from sitegen.content.files import sha256_file
from sitegen.deploy import keys
from sitegen.deploy.bundle import (
    CITY,
    MANIFEST,
    MAX_MANIFEST,
    OBJECTS,
    SHA256,
    SIGNATURE,
    SNAPSHOT,
    USTAR_FIELDS,
    USTAR_TAIL,
    USTAR_TIME,
    VILLAGE_ID,
    BundleError,
    FileEntry,
    Manifest,
    Snapshot,
    content_digest,
    file_list,
    file_stem,
    iso,
    parse_iso,
    safe_path,
    strict_json,
    utc,
)
from sitegen.site.code import THEMES

KEEP = 5
RECORD = ".sitegen/release.json"
FILES = ".sitegen-files.json"  # in a store folder: the bundle's files at that version (path -> [size, sha256])
STORE_NAME = re.compile(r"\A(city|[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*)/v(\d{1,30})-([0-9a-f]{16})\Z")
RELEASE = re.compile(r"\Ar-(\d{6,})\Z")
BLOCK = 512
RECORDSIZE = 20 * BLOCK  # tar pads the archive to a multiple of this
FUTURE_SKEW = timedelta(hours=2)  # a version (a UTC time stamp) may be this far ahead of our clock, no more
MAX_VALIDITY = timedelta(days=400)  # an expiry further ahead than this is refused
MAX_STATE = 16 << 20  # bytes of state.json (it holds the newest snapshot)
MAX_AGE = timedelta(hours=48)  # content not confirmed by a signed snapshot for this long is stale
BEIJING = timedelta(hours=8)  # the notice on the TV home page gives the time as the viewers read it
FRESH_START, FRESH_END = b"<!--sitegen:freshness-->", b"<!--/sitegen:freshness-->"
HOME_PAGES = ("tv/index.html", "mobile/index.html")
MAX_RECORD = 64 << 20  # bytes of a release record
STALE_PART = timedelta(days=2)  # a push's .part file untouched this long is removed
SERVED_KEPT = 100  # release names remembered as served
_KEY_ID = re.compile(rb'"key_id":"([0-9a-f]{1,64})"')
_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_O_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class HeadendFault(Exception):
    """The headend's own fault (disk full, unreadable or unwritable folder, damaged state): the run stops and no
    bundle is blamed. Message: Chinese, newline, English."""


def _fault(what: str, exc: BaseException) -> HeadendFault:
    detail = f"{type(exc).__name__}: {exc}"
    return HeadendFault(
        f"前端自身出错（不是包的问题，包留在 drop 里等下次）：{what}：{detail}\n"
        f"headend fault (not the bundle's; it stays in drop for the next run): {what}: {detail}"
    )


@dataclass
class Outcome:
    """What happened to one bundle file: installed, already (that version is live), superseded (a newer one
    of the same bundle came in the same run, or the newest snapshot names a newer one), waiting (left in drop for
    its snapshot, or for the rest of its snapshot), or rejected (with the reason, Chinese then English)."""

    source: str
    status: str
    bundle: str | None = None
    version: int | None = None
    kind: str | None = None
    reason: str = ""


@dataclass
class IngestResult:
    outcomes: list[Outcome] = field(default_factory=list)
    activated: str | None = None  # the new release, if one was activated
    previous: str | None = None
    fresh: str | None = None  # the time of the newest signed snapshot the live content matches
    stale_hours: int | None = None  # set when that is older than the allowed age
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]


def _reject(zh: str, en: str) -> BundleError:
    return BundleError(zh, en)


def _shown(raw: bytes) -> str:
    """Bytes from a hostile file, made safe to print: ASCII only, at most 100 characters."""
    return ascii(raw[:100].decode("ascii", "replace"))[1:-1]


# ---- reading a bundle: a strict, bounded ustar-in-gzip reader -------------------------------------------------

_TRUNCATED = ("包不完整（压缩流提前结束）", "truncated archive (the compressed stream ends early)")
_TRAILING = ("包的归档结束之后还有数据，拒绝", "data after the end of the archive; refused")


class _Stream:
    """The decompressed bytes of a one-member gzip file read from `fd`, never more than `limit` of them (and a
    proportionate number of compressed bytes): a gzip bomb or an endless stream stops at the limit."""

    def __init__(self, fd: int, limit: int):
        os.lseek(fd, 0, os.SEEK_SET)
        self.fd, self.limit = fd, limit
        self.z = zlib.decompressobj(wbits=31)  # gzip framing, exactly one member
        self.buf = b""
        self.out = 0  # bytes handed out
        self.taken = 0  # compressed bytes read

    def _more(self, want: int) -> None:
        data = self.z.unconsumed_tail
        if not data:
            if self.z.eof:
                raise _reject(*_TRUNCATED)
            data = os.read(self.fd, 1 << 16)
            if not data:
                raise _reject(*_TRUNCATED)
            self.taken += len(data)
            # deflate's worst case is stored blocks: 5 bytes per 64 KiB; the gzip header we write is 10 bytes
            if self.taken > self.limit + self.limit // 1024 + (64 << 10):
                raise _reject(
                    "压缩数据比它的内容应有的大，拒绝", "more compressed data than its content allows; refused"
                )
        try:
            self.buf += self.z.decompress(data, max(want, 1))
        except zlib.error as exc:
            raise _reject(f"包已损坏，无法解压：{exc}", f"damaged archive, cannot be decompressed: {exc}") from None

    def read(self, n: int) -> bytes:
        if self.out + n > self.limit:
            raise _reject("包的内容比清单所说的多，拒绝", "the archive holds more than its manifest declares; refused")
        while len(self.buf) < n:
            self._more(n - len(self.buf))
        data, self.buf = self.buf[:n], self.buf[n:]
        self.out += n
        return data

    def finish(self) -> None:
        """After the end-of-archive marker: only zeros to the record boundary, then the gzip member's end (its
        CRC and length checked by zlib) and nothing after it: no second member, no trailing bytes."""
        pad = (-self.out) % RECORDSIZE
        if pad and self.read(pad).strip(b"\0"):
            raise _reject(*_TRAILING)
        while not self.z.eof:
            if self.buf:
                raise _reject(*_TRAILING)
            self._more(1)
        if self.buf or self.z.unused_data or os.read(self.fd, 1):
            raise _reject(*_TRAILING)


_OUR_FIELDS = (USTAR_FIELDS, USTAR_TIME)  # mode, uid, gid; mtime: as our writer (and tarfile) spell them
# with those, only the name, size and checksum of our writer's header vary (_entry); the rest is USTAR_TAIL
_OUR_SUM = sum(USTAR_FIELDS) + sum(USTAR_TIME) + 8 * 32 + sum(USTAR_TAIL)  # the checksum's fixed part
_OUR_SIZE = re.compile(rb"[0-7]{11}\0")


def _octal(field_: bytes) -> int | None:
    m = re.fullmatch(rb"([0-7]{1,12})[\0 ]*", field_)
    return int(m.group(1), 8) if m else None


def _entry(block: bytes) -> tuple[str, int] | None:
    """One ustar header: (name, size), or None for an end-of-archive block. Only what our writer makes is
    allowed: a regular file, a short ASCII name, no prefix, no link name, mode 644, owner 0:0, mtime 0."""
    if block == bytes(BLOCK):
        return None
    if block[156:] == USTAR_TAIL and (block[100:124], block[136:148]) == _OUR_FIELDS and _OUR_SIZE.match(block, 124):
        # our writer's header (~5,000 a bundle): only the name, size and checksum to check, the checksum summed over
        # the bytes that vary; any other header is checked field by field below
        raw_name, _, rest = block[:100].partition(b"\0")
        if (
            block[148:156] == b"%06o\0 " % (_OUR_SUM + sum(block[:100]) + sum(block[124:136]))
            and raw_name.isascii()
            and not rest.strip(b"\0")
            and not raw_name.startswith(b"/")
            and b".." not in raw_name.split(b"/")
        ):
            return raw_name.decode("ascii"), int(block[124:135], 8)
    if _octal(block[148:156]) != sum(block[:148]) + 8 * 32 + sum(block[156:]):
        raise _reject("包已损坏：条目头的校验和不对", "damaged archive: a header checksum is wrong")
    raw_name, _, rest = block[:100].partition(b"\0")
    name = _shown(raw_name)
    kind = block[156:157]
    if kind in (b"1", b"2"):
        raise _reject(f"包里有链接条目，不允许：{name}", f"link entries are not allowed: {name}")
    if kind in (b"3", b"4", b"6"):
        raise _reject(f"包里有设备或管道条目，不允许：{name}", f"device or FIFO entries are not allowed: {name}")
    if kind != b"0":
        raise _reject(
            f"包里有非普通文件条目（文件夹、PAX 或 GNU 扩展头都不允许）：{name}",
            f"only regular file entries are allowed (no folders, PAX or GNU headers): {name}",
        )
    if raw_name.startswith(b"/") or b".." in raw_name.split(b"/"):
        raise _reject(
            f"包里的条目路径不允许（绝对路径或“..”）：{name}", f"entry path not allowed (absolute or '..'): {name}"
        )
    size = _octal(block[124:136])
    fixed = (
        block[257:265] == b"ustar\x0000"
        and not rest.strip(b"\0")
        and not block[157:257].strip(b"\0")
        and not block[265:329].strip(b"\0")
        and not block[345:512].strip(b"\0")
        and (
            # our writer's exact fields, compared at once (a bundle has ~5,000 headers); any other spelling of the
            # same numbers is still read field by field
            (block[100:124], block[136:148]) == _OUR_FIELDS
            or (_octal(block[100:108]), _octal(block[108:116]), _octal(block[116:124]), _octal(block[136:148]))
            == (0o644, 0, 0, 0)
        )
    )
    if not fixed or size is None or not raw_name.isascii():
        raise _reject(
            f"包的条目头不符合格式（只允许 ustar、权限 644、属主 0:0、时间 0）：{name}",
            f"entry header not in the bundle format (ustar, mode 644, owner 0:0, mtime 0 only): {name}",
        )
    return raw_name.decode("ascii"), size


class _Reader:
    """The one pass over a bundle open at `fd`: the signed manifest first (our writer puts it first, then its
    signature, then the objects in order), then (optionally) its objects, each checked. Reads are bounded before the
    signature by the manifest limit, after it by what the manifest says."""

    def __init__(self, fd: int, public: Ed25519PublicKey, trusted_id: str, now: datetime):
        self.fd, self.public, self.trusted_id, self.now = fd, public, trusted_id, now
        self.stream = _Stream(fd, 4 * BLOCK + MAX_MANIFEST + BLOCK)

    def _next(self) -> tuple[str, int] | None:
        return _entry(self.stream.read(BLOCK))

    def _data(self, size: int) -> bytes:
        data = self.stream.read(size)
        if self.stream.read((-size) % BLOCK).strip(b"\0"):
            raise _reject("包已损坏：条目的填充不是零", "damaged archive: entry padding is not zero")
        return data

    def header(self) -> Manifest:
        """The signed manifest, checked: its signature, then its shape and every path, its expiry and version."""
        entry = self._next()
        if entry is None or entry[0] != MANIFEST:
            raise _reject("包的第一个条目不是 manifest.json", "the first entry is not manifest.json")
        if entry[1] > MAX_MANIFEST:
            raise _reject(f"条目 {MANIFEST} 太大", f"entry {MANIFEST} is too large")
        data = self._data(entry[1])
        entry = self._next()
        if entry is None or entry[0] != SIGNATURE:
            raise _reject("包没有签名（缺少 manifest.sig），拒绝", "unsigned bundle (no manifest.sig); refused")
        if entry[1] != 64:
            raise _reject("签名不是 64 字节，拒绝", "the signature is not 64 bytes; refused")
        signature = self._data(64)
        try:
            self.public.verify(signature, data)
        except InvalidSignature:
            found = _KEY_ID.search(data[:MAX_MANIFEST])  # a regex, not a parser: the bytes are not trusted yet
            claimed = found.group(1).decode() if found else "?"
            if claimed == self.trusted_id:
                raise _reject(
                    f"签名验证失败：清单声称用受信任的密钥 {claimed} 签名，但签名对不上（包被改动过）",
                    f"bad signature: the manifest names the trusted key {claimed} but the signature "
                    f"does not match (tampered with)",
                ) from None
            raise _reject(
                f"签名验证失败：包是用别的密钥签的（包的密钥 {claimed}，受信任的 {self.trusted_id}）",
                f"bad signature: signed with another key (bundle key {claimed}, trusted key {self.trusted_id})",
            ) from None
        manifest = Manifest.from_bytes(data)
        expires = parse_iso(manifest.expires)
        if expires <= self.now:
            raise _reject(
                f"包已过期（有效期到 {manifest.expires}），拒绝",
                f"expired bundle (valid until {manifest.expires}); refused",
            )
        if expires > self.now + MAX_VALIDITY:
            raise _reject(
                f"包的有效期太长（到 {manifest.expires}），拒绝",
                f"bundle valid for too long (until {manifest.expires}); refused",
            )
        check_version(manifest.version, self.now, "包的")
        return manifest

    def objects(self, manifest: Manifest, create: Callable[[str], int]) -> None:
        """Every object of the manifest, in order, each written to the new file `create(sha256)` opens (in a folder
        of the ingest's own) while it is hashed; the bundle is refused at the first object that differs."""
        sizes = {e.sha256: e.size for e in manifest.files.values()}
        expected = sorted(set(manifest.objects))
        wanted = set(expected)
        total = self.stream.out + 2 * BLOCK + sum(BLOCK + sizes[s] + (-sizes[s]) % BLOCK for s in expected)
        self.stream.limit = total + (-total) % RECORDSIZE
        got: list[str] = []
        while (entry := self._next()) is not None:
            name, size = entry
            sha = name[len(OBJECTS) :]
            if not name.startswith(OBJECTS) or not SHA256.match(sha):
                raise _reject(
                    f"包里有不认识的条目：{_shown(name.encode())}", f"unexpected entry: {_shown(name.encode())}"
                )
            if sha not in wanted or (got and sha <= got[-1]):
                raise _reject(
                    f"包里有清单之外、重复或顺序不对的内容：{name}",
                    f"object not in the manifest, or repeated or out of order: {name}",
                )
            if size != sizes[sha]:
                raise _reject(f"文件大小与清单不符：{name}", f"size differs from the manifest: {name}")
            self._object(sha, size, create)
            got.append(sha)
        if self.stream.read(BLOCK) != bytes(BLOCK):
            raise _reject("包的结束标记不完整", "incomplete end-of-archive marker")
        if got != expected:
            raise _reject(
                f"包里缺少 {len(set(expected) - set(got))} 个文件", f"{len(set(expected) - set(got))} object(s) missing"
            )
        self.stream.finish()

    def _object(self, sha: str, size: int, create: Callable[[str], int]) -> None:
        h = hashlib.sha256()
        try:
            out = create(sha)
        except OSError as exc:
            raise _fault("cannot create an object file", exc) from exc
        try:
            left = size
            while left:
                chunk = self.stream.read(min(left, 1 << 20))
                left -= len(chunk)
                h.update(chunk)
                try:
                    _write_all(out, chunk)
                except OSError as exc:
                    raise _fault("cannot write an object file", exc) from exc
        finally:
            os.close(out)
        if self.stream.read((-size) % BLOCK).strip(b"\0"):
            raise _reject("包已损坏：条目的填充不是零", "damaged archive: entry padding is not zero")
        if h.hexdigest() != sha:
            raise _reject(
                f"文件内容的 SHA-256 与清单不符（被改动过）：{OBJECTS}{sha}",
                f"SHA-256 differs from the manifest (tampered): {OBJECTS}{sha}",
            )


def stamp(moment: datetime) -> int:
    return int(moment.strftime("%Y%m%d%H%M%S"))


def check_version(version: int, now: datetime, zh_what: str) -> None:
    """Versions are UTC time stamps (YYYYMMDDHHMMSS, or a little above when bumped within a second): one beyond
    our clock plus FUTURE_SKEW is a fast-forward attempt (it would lock out every later genuine version)."""
    ceiling = stamp(now + FUTURE_SKEW)
    if version > ceiling:
        raise _reject(
            f"{zh_what}版本号 {version} 超出当前时间太多（最大 {ceiling}），拒绝（防止版本快进）；请检查两边的时钟",
            f"version {version} is too far ahead of the clock (at most {ceiling}); refused "
            f"(fast-forward); check both clocks",
        )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# ---- folders reached through descriptors, never through links -------------------------------------------------


def _subdir(parent: int, name: str) -> int:
    """The folder `name` inside `parent`, made if missing. Anything else planted under that name (a symlink
    into the served site, a file) is removed first, never followed."""
    for _ in range(3):
        try:
            return os.open(name, _O_DIR, dir_fd=parent)
        except FileNotFoundError:
            try:
                os.mkdir(name, 0o755, dir_fd=parent)
            except FileExistsError:
                pass
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            os.unlink(name, dir_fd=parent)  # the link itself, not what it points to
    raise OSError(errno.EAGAIN, f"{name} keeps changing")


def _aside(folder: int, name: str) -> None:
    """A folder sitting where we must write a file is renamed out of the way (to a hidden name)."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        os.rename(name, f".{name}.moved-aside-{secrets.token_hex(4)}", src_dir_fd=folder, dst_dir_fd=folder)


def _put(folder: int, name: str, data: bytes) -> None:
    """Replace `name` in `folder` atomically: a new file under a random name, created with O_EXCL | O_NOFOLLOW
    (never through a planted link), synced, then renamed over `name` (which replaces a link, never follows it)."""
    tmp = f".{name}.tmp-{secrets.token_hex(8)}"
    fd = os.open(tmp, _O_NEW, 0o644, dir_fd=folder)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        _aside(folder, name)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=folder)
        except OSError:
            pass
        raise


def _read_limited(folder: int, name: str, limit: int) -> bytes | None:
    """A small file of ours, read without following links and never more than `limit` bytes; None if absent."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"{name} is not a regular file")
        data = os.read(fd, limit + 1)
        if len(data) > limit:
            raise OSError(errno.EFBIG, f"{name} is larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


class _Drop:
    """A folder bundles arrive in, opened once without following links; its entries are reached through the
    descriptor only."""

    def __init__(self, path: Path, create: bool):
        self.path = path
        try:
            if create:
                path.mkdir(exist_ok=True)
            self.fd = os.open(path, _O_DIR)
        except OSError as exc:
            raise _fault(f"cannot open the drop folder {path}", exc) from exc
        self._rejected: int | None = None

    def rejected(self) -> int:
        if self._rejected is None:
            self._rejected = _subdir(self.fd, "rejected")
        return self._rejected

    def close(self) -> None:
        for fd in (self.fd, self._rejected):
            if fd is not None:
                os.close(fd)


@dataclass
class _Item:
    """One bundle file: its name in a drop folder (or a file named on the command line), opened once."""

    name: str
    shown: str
    drop: _Drop | None
    fd: int | None = None
    quarantine: str = ""  # why it is moved aside unopened


def _scan(drop: _Drop, now: datetime) -> list[_Item]:
    items = []
    for name in sorted(os.listdir(drop.fd)):
        shown = _shown(name.encode("utf-8", "surrogateescape"))
        try:
            info = os.stat(name, dir_fd=drop.fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if name.startswith(".") and name.endswith(".part"):
            # a push killed for good leaves its part behind; a live one touches it again within seconds
            if stat.S_ISREG(info.st_mode) and now.timestamp() - info.st_mtime > STALE_PART.total_seconds():
                os.unlink(name, dir_fd=drop.fd)
            continue
        if name.startswith(".") or not name.endswith(".tar.gz"):
            continue
        item = _Item(name, shown, drop)
        items.append(item)
        if not stat.S_ISREG(info.st_mode):
            item.quarantine = "不是普通文件（链接、文件夹或管道），未打开就移走 / not a regular file (a link, folder or FIFO): moved aside unopened"
            continue
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=drop.fd)
        except OSError:
            item.quarantine = "无法以普通文件打开，未读取就移走 / cannot be opened as a plain file: moved aside unread"
            continue
        now_info = os.fstat(fd)
        if (
            not stat.S_ISREG(now_info.st_mode)
            or (now_info.st_dev, now_info.st_ino) != (info.st_dev, info.st_ino)
            or now_info.st_nlink != 1
        ):
            os.close(fd)
            item.quarantine = (
                "有别的硬链接或在检查时被替换，未读取就移走 / has other hard links or was swapped while "
                "being checked: moved aside unread"
            )
            continue
        item.fd = fd
    return items


def _named(path: Path) -> _Item:
    """A file named on the command line (the operator's own): opened normally, but it must be a regular file."""
    item = _Item(path.name, _shown(str(path).encode("utf-8", "surrogateescape")), None)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        item.quarantine = f"无法打开 / cannot be opened: {exc.strerror}"
        return item
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        item.quarantine = "不是普通文件 / not a regular file"
        return item
    item.fd = fd
    return item


def check_trust(key: Path, drops: list[Path]) -> None:
    """The trusted public key decides what is served: it, and the folder holding it (and the folder holding a
    link to it), must be writable by their owner only, that owner being us or root, and it must not live in a
    drop folder. Otherwise whoever can write there (the push account) could replace the trust root."""
    resolved = key.resolve()
    for drop in drops:
        try:
            resolved.relative_to(drop.resolve())
        except ValueError:
            continue
        raise keys.KeyProblem(
            f"受信任的公钥不能放在 drop 文件夹里：{key}\nthe trusted public key must not live in a drop folder: {key}"
        )
    for path in dict.fromkeys((resolved, resolved.parent, key.absolute().parent)):
        try:
            info = os.stat(path)
        except OSError as exc:
            raise keys.KeyProblem(
                f"找不到受信任的公钥：{path}\ncannot read the trusted public key: {path}: {exc.strerror}"
            ) from exc
        if info.st_mode & 0o022 or info.st_uid not in (0, os.geteuid()):
            raise keys.KeyProblem(
                f"受信任的公钥或它所在的文件夹可以被别人改写（{path}，权限 {stat.S_IMODE(info.st_mode):03o}，属主 "
                f"{info.st_uid}），拒绝启动；请 chown 并 chmod go-w\n"
                f"the trusted public key or its folder is writable by others ({path}, mode "
                f"{stat.S_IMODE(info.st_mode):03o}, owner {info.st_uid}); refusing to start: chown it and chmod go-w"
            )


# ---- the headend's own state ----------------------------------------------------------------------------------


@dataclass
class State:
    """state.json: per bundle the highest version ever taken (the floor: nothing older is accepted, and an
    operator rollback does not lower it), the versions an operator rolled back (not re-activated), the releases
    ever served (a rollback goes only to one of them), and the key the floors were taken under."""

    key_id: str | None = None
    floor: dict[str, int] = field(default_factory=dict)
    rolled_back: dict[str, int] = field(default_factory=dict)
    served: list[str] = field(default_factory=list)
    legacy: bool = False  # written by an older sitegen: no list of served releases
    snapshot: dict | None = None  # the newest signed snapshot taken: version, issued, bundles {id: [v, digest]}
    fresh: str | None = None  # when the live content last matched a snapshot (or, without one, was installed)

    @classmethod
    def load(cls, root: int) -> State:
        try:
            data = _read_limited(root, "state.json", MAX_STATE)
            if data is None:
                return cls()
            doc = strict_json(data, MAX_STATE, "state.json")
            if not isinstance(doc, dict):
                raise ValueError("not an object")
            state = cls(
                doc.get("key_id"),
                _versions(doc.get("seen", {})),
                _versions(doc.get("rolled_back", {})),
                doc.get("served", []),
                legacy="served" not in doc,
                snapshot=doc.get("snapshot"),
                fresh=doc.get("fresh"),
            )
            if state.fresh is not None:
                parse_iso(state.fresh)
            snap = state.snapshot
            if snap is not None and not (
                isinstance(snap, dict)
                and isinstance(snap.get("version"), int)
                and isinstance(snap.get("issued"), str)
                and isinstance(snap.get("bundles"), dict)
            ):
                raise ValueError("bad snapshot")
            if not (state.key_id is None or isinstance(state.key_id, str)) or not (
                isinstance(state.served, list) and all(isinstance(n, str) and RELEASE.match(n) for n in state.served)
            ):
                raise ValueError("bad key_id or served")
            return state
        except (OSError, ValueError, TypeError) as exc:
            raise HeadendFault(
                f"前端状态文件 state.json 损坏或无法读取（{exc}）；防回退依赖它，请按 docs/deploy.md 恢复\n"
                f"the headend's state.json is damaged or unreadable ({exc}); rollback protection "
                f"depends on it: recover as docs/deploy.md says"
            ) from exc

    def doc(self) -> bytes:
        doc = {
            "format": 2,
            "key_id": self.key_id,
            "seen": self.floor,
            "rolled_back": self.rolled_back,
            "served": self.served[-SERVED_KEPT:],
            "snapshot": self.snapshot,
            "fresh": self.fresh,
        }
        return json.dumps(doc, sort_keys=True, indent=1).encode() + b"\n"

    def save(self, root: int) -> None:
        try:
            _put(root, "state.json", self.doc())
        except OSError as exc:
            raise _fault("cannot write state.json", exc) from exc


def _versions(value: object) -> dict[str, int]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in value.items()
    ):
        raise ValueError("versions must map bundle ids to integers")
    return dict(value)


class Headend:
    def __init__(self, root: Path):
        self.root = root
        self.releases = root / "releases"
        self.store = root / "store"
        self.current = root / "current"

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
            folder = os.open(self.releases / name / ".sitegen", _O_DIR)
            try:
                data = _read_limited(folder, "release.json", MAX_RECORD)
            finally:
                os.close(folder)
            record = strict_json(data or b"", MAX_RECORD, "the release record")
            if not isinstance(record, dict) or not isinstance(record.get("bundles"), dict):
                raise ValueError("no bundles")
            return record
        except (OSError, ValueError) as exc:
            raise HeadendFault(
                f"发布 {name} 的记录无法读取：{exc}\nthe record of release {name} is unreadable: {exc}"
            ) from exc

    def folder(self, info: dict, release: str | None) -> Path:
        """Where one bundle's files of a release record lie (paths as in the bundle): its store folder, or for
        a record of an older sitegen (files listed inline, a full tree per release) the release folder itself."""
        if "store" not in info:
            assert release is not None
            return self.releases / release
        found = STORE_NAME.match(info["store"]) if isinstance(info["store"], str) else None
        if found is None:  # our own record, yet checked: a name from it becomes a path and a symlink target
            raise HeadendFault(
                f"发布记录里的存储文件夹名不对：{info['store']!r}\nbad store folder in a release record: "
                f"{info['store']!r}"
            )
        return self.store / info["store"]

    def files(self, info: dict, release: str | None) -> dict[str, list]:
        """One bundle's files in a release record: path -> [size, sha256] (read from its store folder). The list
        must have the content digest its folder is named by, which was taken from the verified manifest: a list
        changed after verification (in the work folder, or in the store) is the headend's fault, never used."""
        if "store" not in info:
            return info["files"]
        try:
            folder = os.open(self.folder(info, release), _O_DIR)
            try:
                data = _read_limited(folder, FILES, MAX_RECORD)
            finally:
                os.close(folder)
            files = strict_json(data or b"", MAX_RECORD, FILES)
            if not isinstance(files, dict):
                raise ValueError("not an object")
            for path in files:  # our own file, yet checked: its paths are joined under the release folder
                if not safe_path(path) or path.split("/", 1)[0] not in THEMES:
                    raise ValueError(f"path not allowed: {path[:120]!r}")
            if _listed_digest(files)[:16] != info["store"][-16:]:
                raise ValueError("its content digest is not the one its folder is named by")
            return files
        except (OSError, ValueError) as exc:
            raise HeadendFault(
                f"存储文件夹 {info['store']} 的文件清单无法读取：{exc}\nthe file list of store folder "
                f"{info['store']} is unreadable: {exc}"
            ) from exc

    def names(self) -> list[str]:
        if not self.releases.is_dir():
            return []
        return sorted((p.name for p in self.releases.iterdir() if RELEASE.match(p.name)), key=lambda n: int(n[2:]))

    def cleanup(self) -> None:
        """Leftovers of a killed run: staging folders and temporary links. Never the live release."""
        for leftover in (
            list(self.root.glob(".tmp-*")) + list(self.releases.glob(".tmp-*")) + list(self.store.glob(".tmp-*"))
        ):
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


def _listed_digest(files: dict) -> str:
    """content_digest of a store folder's file list (path -> [size, sha256]); ValueError if malformed."""
    try:
        return content_digest({p: FileEntry(size, sha) for p, (size, sha) in files.items()})
    except (TypeError, ValueError) as exc:
        raise ValueError(f"malformed entry: {exc}") from exc


def _acks(record: dict, floor: dict[str, int], release: str | None) -> bytes:
    bundles: dict[str, dict] = {
        b: {"active": info["version"], "seen": max(floor.get(b, 0), info["version"])}
        for b, info in record["bundles"].items()
    }
    for b, version in floor.items():
        bundles.setdefault(b, {"active": None, "seen": version})
    acks = {"format": 1, "release": release, "bundles": bundles}
    return json.dumps(acks, sort_keys=True, indent=1).encode() + b"\n"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(src: Path | str, dest: Path | str) -> None:
    """`dest` (its folder exists) becomes a hard link to `src`, or a copy where a link cannot be made."""
    try:
        os.link(src, dest)  # unchanged files cost nothing; they are never written in place
    except OSError:
        shutil.copyfile(src, dest)


# ---- choosing what to install ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    """What choosing a bundle needs of its verified manifest (清单), without its file list: a village's lists
    ~14,000 files, and a first ingest holds one header per bundle of the city until the release is assembled
    (issue 14). What its objects are checked against and laid out by is used in the same read and dropped."""

    bundle: str
    version: int
    base: int | None
    digest: str  # content_digest of its files: what a snapshot names
    prefixes: frozenset[str]  # the folders its files need above a village's own (_prefixes)
    paths: frozenset[str]  # the city bundle's paths (none may lie in a village); empty for a village

    @property
    def kind(self) -> str:
        return "full" if self.base is None else "delta"

    @classmethod
    def of(cls, m: Manifest, digest: str) -> _Header:
        paths = frozenset(m.files) if m.bundle == CITY else frozenset()
        # a file's first two parts are its folders' (m.folders, made once by the manifest's check), but for a file
        # of one or two parts: a few hundred folders looked at instead of every file
        prefixes = _prefixes(m.folders) | _prefixes(p for p in m.files if p.count("/") < 2)
        return cls(m.bundle, m.version, m.base, digest, frozenset(prefixes), paths)


def _choose(
    headers: list[tuple[_Item, _Header]], record: dict, state: State, outcomes: dict[int, Outcome]
) -> dict[str, tuple[_Item, _Header]]:
    """Per bundle, the newest file that may be applied to the live release; the rest are explained."""
    chosen: dict[str, tuple[_Item, _Header]] = {}
    for item, m in sorted(headers, key=lambda h: (h[1].bundle, -h[1].version, h[1].base is not None)):
        out = outcomes[id(item)]
        out.bundle, out.version, out.kind = m.bundle, m.version, m.kind
        active = record["bundles"].get(m.bundle, {}).get("version")
        floor = state.floor.get(m.bundle, 0)
        if m.version < floor and m.version != active:  # a replay is reported, even next to a newer bundle
            out.status = "rejected"
            out.reason = (
                f"版本 {m.version} 比已接收的 {floor} 旧，拒绝（防止回退或重放）\n"
                f"version {m.version} is older than {floor} already taken; refused (rollback/replay)"
            )
        elif m.bundle in chosen:
            out.status = "superseded"
        elif m.version == active:
            out.status = "already"
        elif m.version == floor and state.rolled_back.get(m.bundle) == m.version:
            out.status = "already"
            out.reason = (
                f"版本 {m.version} 已接收过，但已被人工回滚，不再启用\n"
                f"version {m.version} was taken before and rolled back by an operator; not re-activated"
            )
        elif m.base is not None and m.base != active:
            out.status = "rejected"
            out.reason = (
                f"增量包基于版本 {m.base}，但这里正在使用 {active}，需要完整包\n"
                f"delta against version {m.base}, but {active} is live here; a full bundle is needed"
            )
        else:
            chosen[m.bundle] = (item, m)
    return chosen


def _intrudes(city: object, village: str, prefixes: set[str]) -> str | None:
    """A city path inside the village's namespace (`<theme>/<town>/<village>`, at any depth, existing yet or
    not), or a city file where the village needs a folder (one of `prefixes`); None when they keep apart."""
    for p in sorted(city):  # type: ignore[call-overload]
        parts = p.split("/")
        if (len(parts) >= 3 and f"{parts[1]}/{parts[2]}" == village) or p in prefixes:
            return p
    return None


def _prefixes(files: object) -> set[str]:
    """The folders a village's files need above its own folder: `<theme>` and `<theme>/<town>`."""
    return {"/".join(p.split("/")[:i]) for p in files for i in (1, 2)}  # type: ignore[attr-defined]


def _check_namespaces(
    chosen: dict[str, tuple[_Item, _Header]],
    record: dict,
    head: Headend,
    active: str | None,
    outcomes: dict[int, Outcome],
) -> None:
    """Each namespace belongs to exactly one bundle: a village's folders to that village, everything else to the
    city. The live release keeps to this, so only a newcomer can break it: a new city bundle that writes into any
    village (live or arriving) is refused, then a new village bundle whose folder the city still writes into.
    A live village is known by the themes it has files in (in the record), so its files are never read here."""

    def prefixes(b: str) -> set[str]:
        if b in chosen:
            return set(chosen[b][1].prefixes)
        info = record["bundles"][b]
        if "store" not in info:
            return _prefixes(info["files"])
        town = b.split("/")[0]
        return {f for t in info.get("themes", THEMES) for f in (t, f"{t}/{town}")}

    villages = sorted(b for b in set(record["bundles"]) | set(chosen) if b != CITY)
    if CITY in chosen:
        city = chosen[CITY][1].paths
        owners = {f"{q[1]}/{q[2]}" for q in (p.split("/") for p in city) if len(q) >= 3}
        paths = set(city)
        for v in villages:
            if v not in owners and not prefixes(v) & paths:  # the common case, without sorting the city's paths
                continue
            p = _intrudes(city, v, prefixes(v))
            if p is not None:
                out = outcomes[id(chosen.pop(CITY)[0])]
                out.status = "rejected"
                out.reason = f"全市包占用了村的文件夹：{p}\nthe city bundle writes inside a village folder: {p}"
                break
    if CITY not in chosen and CITY not in record["bundles"]:
        return
    arriving = [v for v in villages if v in chosen]
    if not arriving:
        return
    city_paths = set(chosen[CITY][1].paths if CITY in chosen else head.files(record["bundles"][CITY], active))
    for v in arriving:
        p = _intrudes(city_paths, v, prefixes(v))
        if p is not None:
            out = outcomes[id(chosen.pop(v)[0])]
            out.status = "rejected"
            out.reason = (
                f"村 {v} 的文件夹已被全市包占用（{p}），需要先有不含它的全市包\n"
                f"the folder of village {v} belongs to the city bundle ({p}); a city bundle without it "
                f"must come first"
            )


def _reused(m: Manifest, record: dict, head: Headend, active: str | None) -> dict[str, Path]:
    """For a delta: sha256 -> the live file it is taken from, each re-hashed (the live copy must be intact).
    Only the files of this bundle are read: the cost follows the changed village."""
    info = record["bundles"].get(m.bundle)
    live = head.files(info, active) if info else {}
    folder = head.folder(info, active) if info else head.root
    by_sha: dict[str, str] = {}
    for p, (_, sha) in sorted(live.items()):
        by_sha.setdefault(sha, p)
    carried = set(m.objects)
    found: dict[str, Path] = {}
    for e in m.files.values():
        if e.sha256 in carried or e.sha256 in found:
            continue
        live_path = by_sha.get(e.sha256)
        if live_path is None or not (folder / live_path).is_file() or sha256_file(folder / live_path) != e.sha256:
            raise _reject(
                f"增量包需要的已有文件缺失或已被改动：{live_path or e.sha256}，需要完整包",
                f"a file the delta relies on is missing or altered here: {live_path or e.sha256}; "
                f"a full bundle is needed",
            )
        found[e.sha256] = folder / live_path
    return found


@dataclass(frozen=True)
class _Staged:
    """One verified bundle, laid out as its store folder in the ingest's work folder (`folder`, None when the store
    already holds that folder) and waiting to be renamed into the store: all a release needs of it, so that no
    manifest or list of sources is held from one bundle to the next (issue 14)."""

    entry: dict  # the release record's entry: version, store folder name, themes
    folder: Path | None


class _Layout:
    """A store folder being laid out in a folder of the ingest's own (`top`, made with the first file): each file
    created or linked at its path, each folder made once (a village has ~13,000 files in a few hundred folders)."""

    def __init__(self, top: Path):
        self.top = top
        self.placed: dict[str, str] = {}  # sha256 -> the path its content was written to
        self._made: set[str] = set()

    def path(self, rel: str) -> str:
        """The absolute path of `rel` in the layout, its folder made if new."""
        dest = f"{self.top}/{rel}"
        folder = dest.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        return dest


def _stage(
    head: Headend,
    bundle_id: str,
    version: int,
    files: dict[str, list],
    sources: dict[str, Path],
    layout: _Layout,
    verified: tuple[str, bytes] | None = None,
) -> _Staged:
    """The store folder of one bundle version, completed in `layout` unless the store has it. `verified`: the
    content digest of the verified manifest's files and its file_list, the bytes that digest was taken from (written
    as the folder's file list); without it both are made from `files` (the same JSON). The content `layout` has
    placed already (a bundle's objects, each written to its first path while it was hashed) is linked to its other
    paths; any other file is linked from its source (a live file, never changed in place)."""
    digest, listed = verified or (
        _listed_digest(files),
        json.dumps(files, sort_keys=True, separators=(",", ":")).encode(),
    )
    name = f"{file_stem(bundle_id)}/v{version}-{digest[:16]}"
    themes = sorted({p.split("/", 1)[0] for p in files})
    entry = {"version": version, "store": name, "themes": themes}
    if (head.store / name).is_dir():
        return _Staged(entry, None)
    top = str(layout.top)
    for p, (_, sha) in sorted(files.items()):
        placed = layout.placed.get(sha)
        if placed is None:
            _link(str(sources[sha]), layout.path(p))
        elif placed != f"{top}/{p}":
            _link(placed, layout.path(p))
    layout.top.mkdir(parents=True, exist_ok=True)
    (layout.top / FILES).write_bytes(listed)
    return _Staged(entry, layout.top)


def _stored(head: Headend, staged: _Staged) -> dict:
    """Rename a staged store folder into place (a store folder is always whole); returns its record entry."""
    dest = head.store / staged.entry["store"]
    if staged.folder is not None and not dest.is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged.folder, dest)
    return staged.entry


def _assemble(
    staging: Path,
    head: Headend,
    active: str | None,
    record: dict,
    accepted: dict[str, _Staged],
) -> dict:
    """The new release in `staging`: the city's files hard-linked from its store folder, then one relative symlink
    per village and theme into the village's store folder; returns its record. Only the accepted bundles' files
    are written (a bundle of a record from an older sitegen is moved into the store once)."""
    new: dict = {"format": 2, "bundles": {}}
    for bundle_id in sorted(set(record["bundles"]) | set(accepted), key=lambda b: (b == CITY, b)):
        if bundle_id in accepted:
            new["bundles"][bundle_id] = _stored(head, accepted[bundle_id])
        elif "store" not in record["bundles"][bundle_id]:
            info = record["bundles"][bundle_id]
            live = head.folder(info, active)
            sources = {sha: live / p for p, (_, sha) in info["files"].items()}
            tmp = _Layout(head.store / f".tmp-{secrets.token_hex(8)}")
            new["bundles"][bundle_id] = _stored(
                head, _stage(head, bundle_id, info["version"], info["files"], sources, tmp)
            )
        else:
            head.folder(record["bundles"][bundle_id], active)  # checks the name
            new["bundles"][bundle_id] = record["bundles"][bundle_id]
    staging.mkdir()
    city = new["bundles"].get(CITY)
    if city is not None:  # first, so that no village link exists yet for a city path to go through
        folder = head.folder(city, None)
        for p in sorted(head.files(city, None)):
            (staging / p).parent.mkdir(parents=True, exist_ok=True)
            _link(folder / p, staging / p)
    for bundle_id, info in sorted(new["bundles"].items()):
        if bundle_id == CITY or not VILLAGE_ID.match(bundle_id):
            continue
        town, village = bundle_id.split("/")
        for theme in info["themes"]:
            if theme not in THEMES:
                raise OSError(errno.EINVAL, f"bad theme in the record of {bundle_id}: {theme!r}")
            parent = staging / theme / town
            parent.mkdir(parents=True, exist_ok=True)
            if parent.is_symlink() or (staging / theme).is_symlink():
                raise OSError(errno.ELOOP, f"{theme}/{town} is a link")
            # ../../../../ climbs from releases/r-N/<theme>/<town>/ to ROOT; the link fails if the name is taken
            os.symlink(f"../../../../store/{info['store']}/{theme}/{town}/{village}", parent / village)
    (staging / RECORD).parent.mkdir(parents=True, exist_ok=True)
    (staging / RECORD).write_bytes(json.dumps(new, sort_keys=True).encode())
    return new


# ---- the snapshot and freshness -------------------------------------------------------------------------------


def _take_snapshots(drops: list[_Drop], public: Ed25519PublicKey, moment: datetime, state: State) -> list[_Item]:
    """The newest valid signed snapshot in the drop folders becomes the one ingest installs by. A bad one, or
    one older than the one already taken (a replay, to freeze the headend on old content), is refused: returned
    as items to be moved to rejected/ with the reason."""
    refused = []
    for drop in drops:
        try:
            raw = _read_limited(drop.fd, SNAPSHOT, MAX_STATE)
            if raw is None:
                continue
            snap = Snapshot.verified(raw, public)
            if parse_iso(snap.expires) <= moment:
                raise _reject(f"快照已过期（{snap.expires}）", f"expired snapshot (valid until {snap.expires})")
            check_version(snap.version, moment, "快照的")
            taken = state.snapshot["version"] if state.snapshot else 0
            if snap.version < taken:
                raise _reject(
                    f"快照版本 {snap.version} 比已接收的 {taken} 旧，拒绝（防止冻结在旧内容上）",
                    f"snapshot version {snap.version} is older than {taken} already taken; refused (freeze/replay)",
                )
            if snap.version > taken:
                state.snapshot = {
                    "version": snap.version,
                    "issued": snap.issued,
                    "bundles": {b: list(e) for b, e in snap.bundles.items()},
                }
        except OSError as exc:
            refused.append(
                _Item(
                    SNAPSHOT,
                    SNAPSHOT,
                    drop,
                    quarantine=f"快照不是可读的普通文件 / the snapshot is not a readable plain file: {exc.strerror}",
                )
            )
        except BundleError as exc:
            refused.append(_Item(SNAPSHOT, SNAPSHOT, drop, quarantine=str(exc)))
    return refused


def _by_snapshot(
    headers: list[tuple[_Item, _Header]], state: State, record: dict, outcomes: dict[int, Outcome]
) -> list[tuple[_Item, _Header]]:
    """Once a snapshot has been taken, only the bundle versions the newest one names (with that content) are
    installed, so the headend never serves a mix that was not published together. A newer bundle waits in drop
    for its snapshot; an older one is superseded (or, below the floor, refused as a replay by _choose)."""
    if state.snapshot is None:
        return headers
    named = state.snapshot["bundles"]
    kept = []
    for item, m in headers:
        out = outcomes[id(item)]
        out.bundle, out.version, out.kind = m.bundle, m.version, m.kind
        version, digest = named.get(m.bundle, (None, None))
        active = record["bundles"].get(m.bundle, {}).get("version")
        if version is None:
            out.reason = (
                f"最新的快照里没有包 {m.bundle}，拒绝\nthe newest snapshot does not name bundle {m.bundle}; refused"
            )
        elif m.version > version:
            out.status = "waiting"
            out.reason = (
                f"比最新快照所列的版本 {version} 新：等待它的快照\nnewer than version {version} the newest "
                f"snapshot names: waiting for its snapshot"
            )
        elif m.version < version and m.version >= state.floor.get(m.bundle, 0) and m.version != active:
            out.status = "superseded"
        elif m.version == version and m.digest != digest:
            out.reason = "内容与快照所列的不符，拒绝\nthe content differs from what the snapshot names; refused"
        else:
            kept.append((item, m))
    return kept


def _whole_snapshot(
    chosen: dict[str, tuple[_Item, _Header]],
    state: State,
    record: dict,
    outcomes: dict[int, Outcome],
    extra: frozenset[str] | set[str] = frozenset(),
) -> None:
    """A snapshot is installed whole or not at all: if some bundle it names at a version not live here is not
    among those chosen (withheld, or refused), the chosen ones wait in drop, so that the headend never serves a
    combination that was not published together (mix-and-match)."""
    if state.snapshot is None or not chosen:
        return
    missing = sorted(
        b
        for b, e in state.snapshot["bundles"].items()
        if record["bundles"].get(b, {}).get("version") != e[0] and b not in chosen
    ) + sorted(extra)
    if not missing:
        return
    for bundle_id in list(chosen):
        out = outcomes[id(chosen.pop(bundle_id)[0])]
        out.status = "waiting"
        out.reason = (
            f"同一快照里的其他包还没到或被拒收（{', '.join(missing)}），等待\nthe rest of its snapshot has not "
            f"arrived or was refused ({', '.join(missing)}): waiting"
        )


def _freshness(state: State, record: dict, moment: datetime, installed: bool) -> None:
    """The live content is fresh as of the newest snapshot it matches in full (without snapshots: as of the last
    install, the best a headend of an older publisher can know)."""
    snap = state.snapshot
    if snap is not None:
        if all(record["bundles"].get(b, {}).get("version") == e[0] for b, e in snap["bundles"].items()):
            state.fresh = max(state.fresh or "", snap["issued"])
    elif installed:
        state.fresh = iso(moment)


def _notice(release: Path, text: bytes) -> None:
    """Put `text` (or nothing) between the freshness markers of the home pages of the live release. The page is
    replaced by rename (a new file), so the same file hard-linked into older releases is never changed."""
    for rel in HOME_PAGES:
        page = release / rel
        try:
            data = page.read_bytes()
        except OSError:
            continue
        start, end = data.find(FRESH_START), data.find(FRESH_END)
        if start < 0 or end < start:
            continue
        new = data[: start + len(FRESH_START)] + text + data[end:]
        if new != data:
            tmp = page.with_name(f".{page.name}.tmp-{secrets.token_hex(8)}")
            tmp.write_bytes(new)
            os.replace(tmp, page)


def _staleness(head: Headend, state: State, moment: datetime, max_age: timedelta, result: IngestResult) -> None:
    result.fresh = state.fresh
    text = b""
    if state.fresh is not None:
        fresh = parse_iso(state.fresh)
        age = moment - fresh
        if age > max_age:
            hours = int(age.total_seconds() // 3600)
            result.stale_hours = hours
            shown = (fresh + BEIJING).strftime("%Y-%m-%d %H:%M")
            text = (
                f'<p class="stale-notice" style="background:#b00;color:#fff;padding:.5em 1em;font-size:1.4em">'
                f"本页内容更新于 {shown}（北京时间），已超过 {hours} 小时未更新</p>"
            ).encode()
    active = head.active()
    if active is not None:
        try:
            _notice(head.releases / active, text)
        except OSError as exc:
            raise _fault("cannot update the freshness notice", exc) from exc


# ---- ingest ---------------------------------------------------------------------------------------------------


@contextmanager
def _the_bundles_fault() -> Iterator[None]:
    """Whatever goes wrong in reading a bundle is that file's problem (BundleError); only writing our own files can
    be the headend's fault (HeadendFault, raised as such)."""
    try:
        yield
    except (BundleError, HeadendFault):
        raise
    except Exception as exc:
        raise _reject(f"包无法读取：{type(exc).__name__}", f"the bundle cannot be read: {type(exc).__name__}") from exc


@dataclass(frozen=True)
class _Read:
    """One bundle after its one read: the facts to choose it by and, if it could be chosen, what taking it gave:
    its store folder laid out in the work folder (`staged`), or why what follows its manifest is refused
    (`refused`, told only if the bundle is chosen: one superseded or waiting is reported as such, as it was when
    only its manifest was read)."""

    header: _Header
    staged: _Staged | None = None
    refused: BundleError | None = None


def _read(
    item: _Item,
    public: Ed25519PublicKey,
    trusted: str,
    moment: datetime,
    could_be_chosen: Callable[[_Header], bool],
    layout: _Layout,
    record: dict,
    head: Headend,
    active: str | None,
) -> _Read:
    """Read one bundle once, from its first byte to its last: the signed manifest (its first member) checked whole
    before any content is read (BundleError if it fails), then, if the bundle could be chosen, its objects written
    into `layout` (the work folder, never served) while each is hashed, and its store folder completed there. The
    manifest is dropped on return, so a first ingest holds one bundle's file list at a time (issue 14)."""
    assert item.fd is not None
    with _the_bundles_fault():
        reader = _Reader(item.fd, public, trusted, moment)
        m = reader.header()
    listed = file_list(m.files)  # hashed for the header, written as the store folder's file list
    header = _Header.of(m, hashlib.sha256(listed).hexdigest())
    if not could_be_chosen(header):
        return _Read(header)
    try:
        return _Read(header, _take(reader, m, (header.digest, listed), layout, record, head, active))
    except BundleError as exc:
        return _Read(header, refused=exc)


def _take(
    reader: _Reader,
    m: Manifest,
    verified: tuple[str, bytes],
    layout: _Layout,
    record: dict,
    head: Headend,
    active: str | None,
) -> _Staged:
    """The rest of a bundle's one read: each object written to its first path in `layout` while it is hashed (no
    object anywhere else, no rename), a delta's unchanged files found live (re-hashed), then the rest of its store
    folder laid out: further paths hard-linked, its file list written."""
    firsts: dict[str, str] = {}
    for p, e in sorted(m.files.items()):
        firsts.setdefault(e.sha256, p)

    def create(sha: str) -> int:
        dest = layout.path(firsts[sha])
        fd = os.open(dest, _O_NEW, 0o644)
        layout.placed[sha] = dest
        return fd

    with _the_bundles_fault():
        reader.objects(m, create)
    sources = _reused(m, record, head, active) if m.base is not None else {}
    files = {p: [e.size, e.sha256] for p, e in m.files.items()}
    try:
        return _stage(head, m.bundle, m.version, files, sources, layout, verified)
    except OSError as exc:
        raise _fault("cannot lay out a store folder in the work folder", exc) from exc


def _could_be_chosen(item: _Item, header: _Header, state: State, record: dict) -> bool:
    """What _by_snapshot and _choose decide of one bundle alone: all they decide but its being superseded by a newer
    file of the same bundle in this run. A bundle chosen among all is chosen alone too, so every bundle chosen was
    taken in its one read; one refused alone (a replay, a version already live, one its snapshot does not name) is
    read no further than its manifest."""
    scratch = {id(item): Outcome(item.shown, "rejected")}
    return bool(_choose(_by_snapshot([(item, header)], state, record, scratch), record, state, scratch))


def _may_be_whole(state: State, record: dict, items: list[_Item]) -> bool:
    """Whether the newest snapshot can go in whole this run, told before any bundle is read: not when it names more
    bundles at versions not live here than there are bundle files to read. Then every bundle chosen would wait for
    the rest (_whole_snapshot), so none is read past its manifest: a snapshot missing a bundle costs each run the
    manifests, not the city's content."""
    if state.snapshot is None:
        return True
    pending = [b for b, e in state.snapshot["bundles"].items() if record["bundles"].get(b, {}).get("version") != e[0]]
    return len(pending) <= sum(1 for i in items if i.fd is not None)


def ingest(
    root: Path,
    sources: list[Path] | None = None,
    public_key: Path | None = None,
    *,
    now: datetime | None = None,
    keep: int = KEEP,
    wait: bool = False,
    max_age: timedelta = MAX_AGE,
    step: Callable[[str], None] | None = None,
) -> IngestResult:
    """Take every bundle found in `sources` (files or folders; default ROOT/drop) into one new release. `step`
    (a terminal's progress line, content/progress.py) is told each step as it starts: take (each bundle read once:
    its signed manifest verified, then its files), activate; the bundles are counted (progress.tell)."""
    root = root.absolute()
    folders = [s for s in sources if s.is_dir()] if sources is not None else [root / "drop"]
    key = public_key or root / "publisher.pub"
    check_trust(key, folders)
    public = keys.load_public(key)
    trusted = keys.key_id(public)
    moment = utc(now)
    head = Headend(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fault(f"cannot make {root}", exc) from exc
    with lock.hold(root / ".lock", wait):
        drops: list[_Drop] = []
        items: list[_Item] = []
        root_fd = os.open(root, _O_DIR)
        try:
            try:
                head.releases.mkdir(exist_ok=True)
                head.cleanup()
                for folder in dict.fromkeys(folders + [root / "drop"]):  # acks always go to ROOT/drop too
                    drops.append(_Drop(folder, create=folder == root / "drop"))
                    if folder in folders:
                        items += _scan(drops[-1], moment)
            except OSError as exc:
                raise _fault("cannot prepare the headend folders", exc) from exc
            items += [_named(s) for s in sources or [] if not s.is_dir()]
            try:
                return _run(root, root_fd, head, drops, items, public, trusted, moment, keep, max_age, step)
            except OSError as exc:  # our own folders failing us (a damaged live release, an I/O error)
                raise _fault("cannot read or write the headend's own files", exc) from exc
        finally:
            for item in items:
                if item.fd is not None:
                    os.close(item.fd)
            for drop in drops:
                drop.close()
            os.close(root_fd)


def _run(
    root: Path,
    root_fd: int,
    head: Headend,
    drops: list[_Drop],
    items: list[_Item],
    public: Ed25519PublicKey,
    trusted: str,
    moment: datetime,
    keep: int,
    max_age: timedelta,
    step: Callable[[str], None] | None = None,
) -> IngestResult:
    tell = step or (lambda name: None)
    active = head.active()
    record = head.record(active)
    state = State.load(root_fd)
    loaded = state.doc()
    changed = state.key_id != trusted
    if state.key_id not in (None, trusted):
        # The operator installed another trusted key (rotation, or recovery from a stolen key): versions taken
        # under the old key no longer bind; the new key's bundles build up their own floors.
        state = State(legacy=state.legacy, served=state.served)
    elif state.key_id is None:
        for bundle_id, info in record["bundles"].items():  # an older sitegen's run killed after activation
            state.floor[bundle_id] = max(state.floor.get(bundle_id, 0), info["version"])
    state.key_id = trusted
    items += _take_snapshots(drops, public, moment, state)
    result = IngestResult(previous=active)
    outcomes = {id(i): Outcome(i.shown, "rejected", reason=i.quarantine) for i in items}
    work = root / f".tmp-{os.getpid()}"  # never served; removed whatever happens (a killed run's: by the next)
    try:
        headers: list[tuple[_Item, _Header]] = []
        reads: dict[int, _Read] = {}
        whole = _may_be_whole(state, record, items)

        def could_be_chosen(item: _Item) -> Callable[[_Header], bool]:
            return lambda header: whole and _could_be_chosen(item, header, state, record)

        tell("take")
        for done, item in enumerate(items):
            progress.tell("bundles", done, len(items))
            if item.fd is None:
                continue
            layout = _Layout(work / str(done))
            try:
                read = _read(item, public, trusted, moment, could_be_chosen(item), layout, record, head, active)
            except BundleError as exc:
                outcomes[id(item)].reason = str(exc)
                continue
            headers.append((item, read.header))
            reads[id(item)] = read
        progress.tell("bundles", len(items), len(items))
        headers = _by_snapshot(headers, state, record, outcomes)
        chosen = _choose(headers, record, state, outcomes)
        _check_namespaces(chosen, record, head, active, outcomes)
        _whole_snapshot(chosen, state, record, outcomes)
        accepted: dict[str, _Staged] = {}
        for bundle_id, (item, _) in sorted(chosen.items()):
            read = reads[id(item)]
            if read.refused is not None:
                outcomes[id(item)].status, outcomes[id(item)].reason = "rejected", str(read.refused)
                continue
            # a bundle chosen among all could be chosen alone, so it was taken; when the snapshot could not go in
            # whole (nothing read past a manifest), _whole_snapshot has left nothing chosen
            assert read.staged is not None
            accepted[bundle_id] = read.staged
        if len(accepted) < len(chosen):  # one refused: the rest of its snapshot must not go in alone
            _whole_snapshot(
                {b: chosen[b] for b in accepted}, state, record, outcomes, extra=set(chosen) - set(accepted)
            )
            accepted = {b: a for b, a in accepted.items() if outcomes[id(chosen[b][0])].status != "waiting"}
        if accepted:
            tell("activate")
            try:
                numbers = [int(n[2:]) for n in head.names()]
                name = f"r-{(max(numbers) + 1 if numbers else 1):06d}"
                staging = head.releases / f".tmp-{name}"
                # the staged store folders' files on disk before _assemble renames them into the store: a later run
                # takes a store folder it finds as whole, so a power cut must not leave one with empty files
                os.sync()
                record = _assemble(staging, head, active, record, accepted)
                os.sync()  # the release on disk before the switch, so a power cut cannot expose an empty file
                os.rename(staging, head.releases / name)
            except OSError as exc:
                raise _fault("cannot assemble the new release", exc) from exc
            for bundle_id in accepted:
                version = chosen[bundle_id][1].version
                state.floor[bundle_id] = max(state.floor.get(bundle_id, 0), version)
                outcomes[id(chosen[bundle_id][0])].status = "installed"
            state.save(root_fd)  # the floors first: a kill after the switch must not leave them behind
            try:
                head.activate(name)
            except OSError as exc:
                raise _fault("cannot switch `current`", exc) from exc
            state.served.append(name)
            state.save(root_fd)
            result.activated = name
            _prune(head, keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _freshness(state, record, moment, bool(result.activated))
    if changed or state.doc() != loaded:
        state.save(root_fd)
    _staleness(head, state, moment, max_age, result)
    acks = _acks(record, state.floor, head.active())
    result.outcomes = [outcomes[id(i)] for i in items]
    try:
        for drop in drops:
            _put(drop.fd, "acks.json", acks)
        _dispose(items, result.outcomes)
    except OSError as exc:
        raise _fault("cannot write acks or move bundles in the drop folder", exc) from exc
    return result


def _dispose(items: list[_Item], outcomes: list[Outcome]) -> None:
    """Files found in a drop folder are removed once dealt with; refused ones go to rejected/ with the reason,
    moved by name (never opened through a link). Files named on the command line are left where they are."""
    for item, out in zip(items, outcomes):
        if item.drop is None:
            continue
        if out.status == "waiting":
            continue
        if out.status != "rejected":
            os.unlink(item.name, dir_fd=item.drop.fd)
            continue
        rejected = item.drop.rejected()
        _aside(rejected, item.name)
        os.rename(item.name, item.name, src_dir_fd=item.drop.fd, dst_dir_fd=rejected)
        _put(rejected, f"{item.name}.reason.txt", out.reason.encode("utf-8", "surrogateescape") + b"\n")


def _prune(head: Headend, keep: int) -> None:
    """Old releases beyond `keep` (never the live one, never fewer than two), then the store folders no remaining
    release names. If a remaining record cannot be read, no store folder is removed."""
    names = head.names()
    active = head.active()
    for name in names[: -max(keep, 2)]:
        if name != active:
            shutil.rmtree(head.releases / name, ignore_errors=True)
    used: set[str] = set()
    for name in head.names():
        try:
            record = head.record(name)
        except HeadendFault:
            return
        used |= {info["store"] for info in record["bundles"].values() if isinstance(info.get("store"), str)}
    if not head.store.is_dir():
        return
    for stem in sorted(os.listdir(head.store)):
        if stem.startswith(".") or not (head.store / stem).is_dir():
            continue
        for version in sorted(os.listdir(head.store / stem)):
            if f"{stem}/{version}" not in used:
                shutil.rmtree(head.store / stem / version, ignore_errors=True)


def rollback(root: Path, wait: bool = False) -> tuple[str, str]:
    """Serve the release before the live one again: the newest earlier release that was really served. The floors
    stay (no older bundle gets in), and the versions rolled away from are marked so they are not re-activated."""
    root = root.absolute()
    head = Headend(root)
    with lock.hold(root / ".lock", wait):
        root_fd = os.open(root, _O_DIR)
        try:
            state = State.load(root_fd)
            active = head.active()
            names = head.names()
            earlier = [
                n
                for n in names
                if active is not None and int(n[2:]) < int(active[2:]) and (state.legacy or n in state.served)
            ]
            if active is None or not earlier:
                raise BundleError("没有更早的发布可以回滚", "there is no earlier release to roll back to")
            previous = earlier[-1]
            record, was = head.record(previous), head.record(active)
            for bundle_id, info in was["bundles"].items():
                if record["bundles"].get(bundle_id, {}).get("version") != info["version"]:
                    state.rolled_back[bundle_id] = info["version"]
                    state.floor[bundle_id] = max(state.floor.get(bundle_id, 0), info["version"])
            state.save(root_fd)
            head.activate(previous)
            drop = root / "drop"
            if drop.is_dir() and not drop.is_symlink():
                d = _Drop(drop, create=False)
                try:
                    _put(d.fd, "acks.json", _acks(record, state.floor, previous))
                finally:
                    d.close()
        finally:
            os.close(root_fd)
    return active, previous
