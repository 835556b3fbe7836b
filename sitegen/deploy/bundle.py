"""Stage 8, bundle (打包): cut the built site into signed, deterministic archives the headend can trust.

One bundle per village (its pages and media under every theme, `<theme>/<town>/<village>/`) and one for the
city (everything else: city and town pages, policies, static assets). A bundle is a gzip'd ustar archive:

    manifest.json    every file of the bundle: path -> size, sha256; bundle id, version, expiry, key id
    manifest.sig     Ed25519 signature (64 bytes) of manifest.json exactly as stored
    objects/<sha256> each distinct file content once (a TV page and a phone page often share an image)

Deterministic: entries sorted, mtime 0, owner 0:0, mode 644, no pax headers, gzip without name or time, and
Ed25519 signatures are deterministic too; so the same build and the same bundle state give the same bytes.
Content compressed already (JPEG, PNG, ...) is stored in the gzip stream, not deflated again (_Member): the
same one-member gzip any headend reads, about half the CPU of a first bundling.

The version (版本号) only grows: it is bumped when the bundle's content digest changes (or its expiry draws
near: renewal_margin, spread over the bundles), to max(previous + 1, the time as YYYYMMDDHHMMSS), so it keeps
growing even if the state is lost. The state lives in the bundle folder (`state.json`), with the manifest of each
recent version, which is what a delta bundle (增量包) is computed from: only the objects the base version lacks,
plus the deleted paths.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import os
import re
import stat
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.content import progress
from sitegen.content.files import sha256_file, write_atomic
from sitegen.content.taxonomy import FINANCE
from sitegen.deploy import keys
from sitegen.site.code import THEMES
from sitegen.site.reuse import read_record

FORMAT = "sitegen-bundle/1"
MANIFEST, SIGNATURE, OBJECTS = "manifest.json", "manifest.sig", "objects/"
CITY = "city"
VALID_DAYS = 30  # a bundle older than this is refused by the headend (a replayed old capture)
KEEP_MANIFESTS = 50  # versions a delta can still start from
MAX_MANIFEST = 16 << 20  # bytes; a bigger manifest is refused before it is read or parsed
MAX_FILES = 200_000  # paths in one manifest
MAX_DEPTH = 8  # JSON nesting allowed in any signed document (a manifest needs 3)
MAX_NAME = 255  # bytes of one path component (NAME_MAX)
BLOCK, RECORD = tarfile.BLOCKSIZE, tarfile.RECORDSIZE  # ustar: 512-byte blocks, the archive a multiple of 10 KiB
MAX_PATH = 1024  # bytes of a whole path in a bundle; the headend root and release folder come on top

# \Z, not $: `$` also matches before a final newline, and "xg/cs\n" is not a bundle id.
VILLAGE_ID = re.compile(r"\A[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*\Z")
SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
# unrolled (a run of plain characters, then escapes each followed by such a run): one step per run, not per character
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")
# A safe path's UTF-8 bytes (safe_path): parts of 1 to MAX_NAME bytes, none starting with ".", without "/", "\\" or a
# control character (in UTF-8 those are single bytes, never inside a multi-byte character). One match, not a test
# per part and character: a manifest has 10^4 paths, read at every ingest.
_PART = rb"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,%d}" % (MAX_NAME - 1)
_SAFE = re.compile(rb"\A(?:%s/)*%s\Z" % (_PART, _PART))

# A manifest exactly as Manifest.to_bytes writes it (keys sorted, no spaces, no escapes in a path), recognised by one
# match over its bytes (Manifest.from_bytes): every path's form (as _SAFE, and no '"', so a path ends at the first
# quote; MAX_PATH by the lookahead) and scope (a theme folder; a village bundle's own folder, by backreference to its
# id), every hash and size, the keys in order, once each. Anything else (a path that needs an escape, a key repeated
# in `files`, which the match cannot see and is counted) takes the strict parser, which decides. Possessive
# repetitions: a manifest that fails the match is not retried entry by entry.
_PATH_PART = rb'[^./\\"\x00-\x1f\x7f][^/\\"\x00-\x1f\x7f]{0,%d}' % (MAX_NAME - 1)
_THEME = b"(?:%s)" % b"|".join(re.escape(t.encode()) for t in THEMES)
_IN_SCOPE = rb'"(?=[^"]{1,%d}")%s(?(town)/(?P=town)/(?P=village))(?:/%s)++"' % (MAX_PATH, _THEME, _PATH_PART)
_HEX = rb'"[0-9a-f]{64}"'
_NUMBER = rb"(?:0|[1-9][0-9]*+)"
_TEXT = rb'"[^"\\\x00-\x1f]*+"'
_ENTRY = _IN_SCOPE + rb':\{"sha256":' + _HEX + rb',"size":' + _NUMBER + rb"\}"
_NAME = rb"[a-z0-9][a-z0-9-]{0,%d}" % (MAX_NAME - 1)
_CANONICAL = re.compile(
    rb'\{"base":(?:null|[1-9][0-9]*+),"bundle":"(?:city|(?P<town>%s)/(?P<village>%s))",'
    rb'"deleted":\[(?:%s(?:,%s)*+)?\],"expires":%s,"files":\{(?:%s(?:,%s)*+)?\},'
    rb'"format":"%s","key_id":%s,"kind":"(?:full|delta)","objects":\[(?:%s(?:,%s)*+)?\],'
    rb'"version":[1-9][0-9]*+,"village":(?:null|%s)\}\n'
    % (_NAME, _NAME, _IN_SCOPE, _IN_SCOPE, _TEXT, _ENTRY, _ENTRY, FORMAT.encode(), _TEXT, _HEX, _HEX, _TEXT)
)
_ENTRY_START = b'{"sha256":"'  # once per entry of a canonical manifest, nowhere else (no '"' inside its strings)


class BundleError(Exception):
    """A bundle that cannot be made or must not be trusted. Message: Chinese, newline, English."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh}\n{en}")
        self.zh, self.en = zh, en


# ---- small shared helpers -------------------------------------------------------------------------------------


def strict_json(data: bytes, limit: int, what: str = "JSON") -> object:
    """Parse JSON that may be hostile: at most `limit` bytes, UTF-8, nesting at most MAX_DEPTH, no duplicate keys,
    no NaN/Infinity. Any breach is a ValueError (never a RecursionError or MemoryError from the parser)."""
    if len(data) > limit:
        raise ValueError(f"{what} is larger than {limit} bytes")
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", data)):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            raise ValueError(f"{what} is nested deeper than {MAX_DEPTH}")

    def pairs(items: list[tuple[str, object]]) -> dict:
        doc = dict(items)
        if len(doc) != len(items):
            raise ValueError(f"{what} repeats a key")
        return doc

    def constant(name: str) -> object:
        raise ValueError(f"{what} holds {name}")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def safe_path(path: str) -> bool:
    """A relative POSIX path with no '..', '.', empty or hidden part, backslash, control character or NUL, and
    short enough for any file system (MAX_PATH bytes, MAX_NAME per part): safe to join under a root."""
    try:
        raw = path.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return len(raw) <= MAX_PATH and _SAFE.match(raw) is not None


def in_village(path: str, village: str) -> bool:
    """Does a bundle path (`<theme>/<town>/<village>/…`) belong to the village bundle `town/village`?"""
    parts = path.split("/")
    return len(parts) > 3 and f"{parts[1]}/{parts[2]}" == village


def utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def file_stem(bundle_id: str) -> str:
    return bundle_id.replace("/", ".")


# ---- the manifest ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    size: int
    sha256: str


@dataclass
class Manifest:
    """清单 What a bundle holds, signed. `files` is always the bundle's complete file set at `version`;
    a delta (`base` set) carries only the objects the base lacks and names the paths it deletes."""

    bundle: str
    version: int
    expires: str
    key_id: str
    files: dict[str, FileEntry]
    objects: list[str]
    base: int | None = None
    deleted: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "full" if self.base is None else "delta"

    @property
    def village(self) -> str | None:
        return None if self.bundle == CITY else self.bundle

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "bundle": self.bundle,
            "village": self.village,
            "kind": self.kind,
            "version": self.version,
            "base": self.base,
            "expires": self.expires,
            "key_id": self.key_id,
            "files": {p: {"size": e.size, "sha256": e.sha256} for p, e in self.files.items()},
            "objects": sorted(self.objects),
            "deleted": sorted(self.deleted),
        }
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse and check the shape strictly; path safety and scope are checked here too. A manifest in the form
        our writer gives it (_CANONICAL) has its paths, entries and keys checked by that one match and is parsed
        by the plain JSON parser; any other goes through strict_json and a check of each path and entry. Both ways
        accept the same manifests, refuse the same with the same message, and give the same Manifest."""

        def bad(detail: str) -> BundleError:
            return BundleError(f"清单格式不对：{detail}", f"malformed manifest: {detail}")

        canonical = len(data) <= MAX_MANIFEST and _CANONICAL.fullmatch(data) is not None
        try:
            doc = json.loads(data.decode("utf-8")) if canonical else strict_json(data, MAX_MANIFEST, "the manifest")
        except ValueError as exc:
            raise bad(str(exc)) from exc
        keys_ = {
            "format",
            "bundle",
            "village",
            "kind",
            "version",
            "base",
            "expires",
            "key_id",
            "files",
            "objects",
            "deleted",
        }
        if not isinstance(doc, dict) or set(doc) != keys_ or doc["format"] != FORMAT:
            raise bad("unknown format or keys")
        if canonical and data.count(_ENTRY_START) != len(doc["files"]):  # a path twice: json.loads kept one
            raise bad("the manifest repeats a key")
        bundle, version, base = doc["bundle"], doc["version"], doc["base"]
        if not isinstance(bundle, str) or not (bundle == CITY or VILLAGE_ID.match(bundle)):
            raise bad(f"bundle id {bundle!r}")
        if doc["village"] != (None if bundle == CITY else bundle):
            raise bad("village does not match the bundle id")
        if not _int(version) or version <= 0 or not (base is None or (_int(base) and 0 < base < version)):
            raise bad("version")
        if doc["kind"] != ("full" if base is None else "delta"):
            raise bad("kind")
        try:
            parse_iso(doc["expires"])
        except (TypeError, ValueError) as exc:
            raise bad("expires") from exc
        if not isinstance(doc["files"], dict) or len(doc["files"]) > MAX_FILES:
            raise bad("files")
        if canonical:  # every path and entry matched already
            files = {path: FileEntry(entry["size"], entry["sha256"]) for path, entry in doc["files"].items()}
        else:
            files = {}
            for path, entry in doc["files"].items():
                _check_path(path, bundle)
                if (
                    not isinstance(entry, dict)
                    or set(entry) != {"size", "sha256"}
                    or not _int(entry["size"])
                    or entry["size"] < 0
                    or not isinstance(entry["sha256"], str)
                    or not SHA256.match(entry["sha256"])
                ):
                    raise bad(f"entry for {path}")
                files[path] = FileEntry(entry["size"], entry["sha256"])
        manifest = cls(bundle, version, doc["expires"], doc["key_id"], files, doc["objects"], base, doc["deleted"])
        clash = manifest.folders & files.keys()
        if clash:
            raise bad(f"a path is both a file and a folder: {sorted(clash)[0]}")
        objects, deleted = doc["objects"], doc["deleted"]
        contents = {e.sha256 for e in files.values()}
        if (
            not isinstance(objects, list)
            or not (canonical or all(isinstance(o, str) and SHA256.match(o) for o in objects))
            or len(set(objects)) != len(objects)
            or not set(objects) <= contents
        ):
            raise bad("objects")
        if base is None and set(objects) != contents:
            raise bad("a full bundle must carry every object")
        if (
            not isinstance(deleted, list)
            or len(deleted) > MAX_FILES
            or not all(isinstance(p, str) for p in deleted)
            or len(set(deleted)) != len(deleted)
            or set(deleted) & files.keys()
        ):
            raise bad("deleted")
        for path in () if canonical else deleted:
            _check_path(path, bundle)
        if not isinstance(doc["key_id"], str):
            raise bad("key_id")
        return manifest

    @functools.cached_property
    def folders(self) -> frozenset[str]:
        """Every folder the files lie in, at any depth (a path must not be a file and a folder at once)."""
        folders = {p.rsplit("/", 1)[0] for p in self.files if "/" in p}
        folders |= {f.rsplit("/", i)[0] for f in list(folders) for i in range(1, f.count("/") + 1)}
        return frozenset(folders)


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_path(path: object, bundle: str) -> None:
    if not isinstance(path, str) or not safe_path(path):
        shown = repr(path)[:120]
        raise BundleError(
            f"清单里的路径不允许（绝对路径、“..”、隐藏文件、控制字符或过长）：{shown}",
            f"path not allowed in the manifest (absolute, '..', hidden, control characters or too long): {shown}",
        )
    if path.split("/", 1)[0] not in THEMES:  # a bundle carries the themes' folders and nothing beside them
        raise BundleError(
            f"清单里的路径不在 {'、'.join(THEMES)} 文件夹里：{path[:120]}",
            f"manifest path outside the theme folders {', '.join(THEMES)}: {path[:120]}",
        )
    if bundle != CITY and not in_village(path, bundle):
        raise BundleError(
            f"村包 {bundle} 里有不属于本村的路径：{path}",
            f"village bundle {bundle} holds a path outside the village: {path}",
        )


# ---- the snapshot (快照): every bundle of one publish, signed with the time of the push ----------------------------

SNAPSHOT = "snapshot.json"
SNAPSHOT_FORMAT = "sitegen-snapshot/1"
MAX_SNAPSHOT = 8 << 20


@dataclass
class Snapshot:
    """What one push says the headend should serve (TUF's snapshot and timestamp roles in one small file): every
    bundle id with its version and content digest, and the time it was signed (`issued`), which tells the headend
    how fresh its content is. `version` only grows, so an old snapshot cannot be replayed."""

    version: int
    issued: str
    expires: str
    key_id: str
    bundles: dict[str, tuple[int, str]]

    def to_bytes(self) -> bytes:
        doc = {
            "format": SNAPSHOT_FORMAT,
            "version": self.version,
            "issued": self.issued,
            "expires": self.expires,
            "key_id": self.key_id,
            "bundles": {b: {"version": v, "digest": d} for b, (v, d) in self.bundles.items()},
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: Ed25519PrivateKey) -> bytes:
        """The file: the JSON line, then the hex Ed25519 signature of exactly those bytes."""
        data = self.to_bytes()
        return data + b"\n" + key.sign(data).hex().encode() + b"\n"

    @classmethod
    def verified(cls, raw: bytes, public) -> Snapshot:
        """Check the signature, then parse strictly; any problem is a BundleError."""

        def bad(detail: str) -> BundleError:
            return BundleError(f"快照无效：{detail}", f"invalid snapshot: {detail}")

        lines = raw[: MAX_SNAPSHOT + 200].split(b"\n")
        if (
            len(raw) > MAX_SNAPSHOT + 200
            or len(lines) != 3
            or lines[2]
            or not re.fullmatch(rb"[0-9a-f]{128}", lines[1])
        ):
            raise bad("not a signed snapshot file")
        try:
            public.verify(bytes.fromhex(lines[1].decode()), lines[0])
        except Exception as exc:
            raise bad("bad signature (another key, or altered)") from exc
        try:
            doc = strict_json(lines[0], MAX_SNAPSHOT, "the snapshot")
            if (
                not isinstance(doc, dict)
                or set(doc) != {"format", "version", "issued", "expires", "key_id", "bundles"}
                or doc["format"] != SNAPSHOT_FORMAT
            ):
                raise ValueError("unknown format or keys")
            parse_iso(doc["issued"]), parse_iso(doc["expires"])
            bundles = {}
            for b, e in doc["bundles"].items():
                if (
                    not (b == CITY or VILLAGE_ID.match(b))
                    or not isinstance(e, dict)
                    or set(e) != {"version", "digest"}
                    or not _int(e["version"])
                    or e["version"] <= 0
                    or not SHA256.match(str(e["digest"]))
                ):
                    raise ValueError(f"bad entry {b!r}")
                bundles[b] = (e["version"], e["digest"])
            if not _int(doc["version"]) or doc["version"] <= 0 or not isinstance(doc["key_id"], str):
                raise ValueError("version or key_id")
        except (ValueError, TypeError, AttributeError) as exc:
            raise bad(str(exc)) from exc
        return cls(doc["version"], doc["issued"], doc["expires"], doc["key_id"], bundles)


def make_snapshot(
    store: Store, key: Ed25519PrivateKey, now: datetime | None = None, valid_days: int = VALID_DAYS
) -> Path:
    """Sign a snapshot of the bundle folder's current versions, written to BUNDLES/snapshot.json (pushed last)."""
    moment = utc(now)
    state = store.load_state()
    version = max(int(state.get("snapshot", 0)) + 1, _version_stamp(moment))
    bundles = {b: (e["version"], e["digest"]) for b, e in state["bundles"].items()}
    snapshot = Snapshot(
        version, iso(moment), iso(moment + timedelta(days=valid_days)), keys.key_id(key.public_key()), bundles
    )
    state["snapshot"] = version
    store.save_state(state)
    path = store.root / SNAPSHOT
    write_atomic(path, snapshot.signed(key))
    return path


def file_list(files: dict[str, FileEntry]) -> bytes:
    """A file set as canonical JSON, path -> [size, sha256] in path order: what content_digest hashes, and the very
    bytes a headend keeps as a store folder's file list (ingest's .sitegen-files.json)."""
    return json.dumps({p: [e.size, e.sha256] for p, e in sorted(files.items())}, separators=(",", ":")).encode()


def content_digest(files: dict[str, FileEntry]) -> str:
    return hashlib.sha256(file_list(files)).hexdigest()


def sign(manifest: Manifest, key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    data = manifest.to_bytes()
    return data, key.sign(data)


# ---- deterministic archives -----------------------------------------------------------------------------------


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, 0, 0o644, tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


# Our ustar header around its name, size and checksum: mode 644, owner 0:0 (USTAR_FIELDS), mtime 0 (USTAR_TIME); then
# a regular file's type, no link name, the ustar magic, no owner names, device numbers or prefix (USTAR_TAIL).
USTAR_FIELDS, USTAR_TIME = b"0000644\x000000000\x000000000\x00", b"00000000000\x00"
USTAR_TAIL = b"0" + bytes(100) + b"ustar\x0000" + bytes(BLOCK - 265)
_TAIL_SUM = 8 * 32 + sum(USTAR_TAIL)  # the checksum field itself counts as eight spaces


def _header(name: str, size: int) -> bytes:
    """The ustar header tarfile writes for _info(name, size) (a test compares them), made from its parts: a bundle
    has ~5,000 of them, and TarInfo.tobuf builds each field by field. A name or size outside what the parts allow
    is left to tarfile (which refuses what ustar cannot say)."""
    if not name.isascii() or len(name) > 100 or size >= 8**11:
        return _info(name, size).tobuf(tarfile.USTAR_FORMAT)
    head = name.encode("ascii") + bytes(100 - len(name)) + USTAR_FIELDS + b"%011o\0" % size + USTAR_TIME
    return head + b"%06o\0 " % (sum(head) + _TAIL_SUM) + USTAR_TAIL


# Contents that are compressed already (JPEG scans and renditions, PNG charts and QR codes, ...): deflating them
# again costs most of a bundle's CPU (~1 s a village) and saves ~1 % of their size, so they are stored as they are.
COMPRESSED = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\x1f\x8b", b"PK\x03\x04", b"wOF2")
LEVEL = 6  # deflate level of everything else (pages, scripts, style sheets)
CHUNK = 16 * 0xFFFF  # bytes read at a time: whole stored blocks, so the blocks do not depend on how a file is read
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no flags (no name), mtime 0, OS unknown


def compressed_already(head: bytes) -> bool:
    """Do these first bytes of a file show a format that is compressed already (COMPRESSED, or WebP)?"""
    return head.startswith(COMPRESSED) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


class _Member:
    """One gzip member (RFC 1952) whose deflate stream (RFC 1951) mixes compressed runs and stored blocks: what
    gzip.GzipFile writes, but content compressed already goes in stored blocks, copied, never deflated again.
    Each compressed run is a fresh deflate stream ended by a sync flush (byte-aligned, not final), so it refers to
    nothing before it; the stored blocks are 5 bytes of header per 65,535 bytes; the last run ends the stream.
    Any inflater (zlib, gzip, Python's tarfile, an older headend's ingest) reads it as one member. Deterministic:
    what is stored depends on the content only, and the blocks on the sizes only (CHUNK)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.crc = 0
        self.size = 0
        self.z: zlib._Compress | None = None
        raw.write(_GZIP_HEADER)

    def deflate(self, data: bytes) -> None:
        if self.z is None:
            self.z = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
        self.raw.write(self.z.compress(data))
        self._count(data)

    def store(self, data: bytes) -> None:
        if self.z is not None:
            self.raw.write(self.z.flush(zlib.Z_SYNC_FLUSH))
            self.z = None
        view = memoryview(data)
        for start in range(0, len(view), 0xFFFF):
            block = view[start : start + 0xFFFF]
            self.raw.write(struct.pack("<BHH", 0, len(block), 0xFFFF ^ len(block)))  # BFINAL 0, BTYPE 00
            self.raw.write(block)
        self._count(data)

    def _count(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)

    def close(self) -> None:
        if self.z is None:
            self.z = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
        self.raw.write(self.z.flush())  # the final block
        self.raw.write(struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))


def write_archive(
    dest: Path, manifest: bytes, signature: bytes, objects: Iterable[tuple[str, int, Callable[[], BinaryIO]]]
) -> None:
    """Write manifest, signature, then objects (sha256, size, a function opening its bytes) in the order given
    (callers sort them): a ustar archive in one gzip member (_Member), as tarfile writes it. Each object is opened
    only when it is written, so few files are open at a time; its first bytes say whether it is deflated."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as raw:
            out = _Member(raw)
            out.deflate(_header(MANIFEST, len(manifest)) + _padded(manifest))
            out.deflate(_header(SIGNATURE, len(signature)) + _padded(signature))
            written = 2 * BLOCK + len(_padded(manifest)) + len(_padded(signature))
            for sha, size, opener in objects:
                out.deflate(_header(OBJECTS + sha, size))
                with opener() as stream:
                    left = size
                    put: Callable[[bytes], None] | None = None
                    while left:
                        data = stream.read(min(CHUNK, left))
                        if not data:
                            raise OSError(f"{OBJECTS}{sha} is shorter than {size} bytes (changed while bundled)")
                        if put is None:
                            put = out.store if compressed_already(data[:16]) else out.deflate
                        put(data)
                        left -= len(data)
                out.deflate(bytes(-size % BLOCK))
                written += BLOCK + size + (-size % BLOCK)
            written += 2 * BLOCK
            out.deflate(bytes(2 * BLOCK + (-written % RECORD)))  # the end marker, then zeros to the record size
            out.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


# ---- which files go in which bundle ---------------------------------------------------------------------------

# path in a bundle -> (the file in the output, as a string: a city lists 10^5 of them; its lstat from the listing)
Listing = dict[str, tuple[str, os.stat_result]]


def discover_villages(output: Path, themes: tuple[str, ...]) -> set[str]:
    """Village folders of a built site: `<theme>/<town>/<village>/` with a village home and a 财务 board."""
    found: set[str] = set()
    for theme in themes:
        for home in (output / theme).glob(f"*/*/{FINANCE.slug}/index.html"):
            village = home.parent.parent
            if (village / "index.html").is_file() and (village.parent / "index.html").is_file():
                found.add(f"{village.parent.name}/{village.name}")
    return found


def plan(output: Path, villages: Iterable[str] | None = None) -> dict[str, dict[str, Path]]:
    """bundle id -> {path in the bundle: file in output}; every theme must have been built."""
    return {b: {p: Path(f) for p, (f, _) in found.items()} for b, found in _scan_all(output, villages).items()}


def _scan_all(
    output: Path, villages: Iterable[str] | None, skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Listing]:
    """bundle id -> {path: (file in output, its lstat)}: every bundle's listing (_listings) at once."""
    return {bundle_id: listing() for bundle_id, listing in _listings(output, villages, skip).items()}


def _listings(
    output: Path, villages: Iterable[str] | None, skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Callable[[], Listing]]:
    """bundle id -> a function listing its files {path: (file in output, its lstat)}: each village's own folders
    walked apart, then the city (everything else, the village folders left out), so a village's files are reached
    only through its own. The villages in `skip` are not walked at all (and are left out of the result).
    make_bundles lists a bundle when its turn comes and drops the listing after: a city's listings together are
    hundreds of thousands of files (~1 GiB at 50 villages, held for the whole run, issue 14)."""
    for theme in THEMES:
        if not (output / theme / "index.html").is_file():
            raise BundleError(
                f"{output / theme} 里没有建好的网站，请先运行 sitegen build",
                f"no built site in {output / theme}; run sitegen build first",
            )
    village_set = set(villages) if villages is not None else discover_villages(output, THEMES)

    def village(v: str) -> Listing:
        found: Listing = {}
        for theme in THEMES:
            _walk(output, output / theme / v, found, set())
        return found

    def city() -> Listing:
        found: Listing = {}
        for theme in THEMES:
            _walk(output, output / theme, found, village_set)
        return found

    listings: dict[str, Callable[[], Listing]] = {CITY: city}
    for v in sorted(village_set - set(skip)):
        listings[v] = functools.partial(village, v)
    return listings


def _walk(output: Path, top: Path, into: Listing, skip: set[str]) -> None:
    """Regular files below `top` (no hidden name, no link followed), leaving out the village folders in `skip`
    (`<theme>/<town>/<village>` seen from the theme folder)."""
    # paths relative to `output` by slicing below `top`, not by Path.relative_to for each of a city's 10^5 files
    base, head = str(top), top.relative_to(output).as_posix().removeprefix(".")
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                rel = (head + entry.path[len(base) :]).lstrip("/").split("/")
                if not (len(rel) == 3 and f"{rel[1]}/{rel[2]}" in skip):
                    stack.append(entry.path)
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                into[(head + entry.path[len(base) :]).lstrip("/")] = (entry.path, info)  # a str: no Path a file


def _seal(found: Listing) -> str:
    """A digest of every file's path, size, modification time and inode: equal to the last run's, the files are
    the ones bundled then (a build carries an unchanged village over as hard links, same inode and time), so
    they are neither read nor hashed again."""
    h = hashlib.sha256()
    for path, (_, info) in sorted(found.items()):
        h.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_dev}\0{info.st_ino}\n".encode())
    return h.hexdigest()


def _entries(found: Listing) -> dict[str, FileEntry]:
    """Size and hash of every file (`found`: as listed, with the stat of the listing, not taken again); a file
    hard-linked into both themes is read once."""
    seen: dict[tuple[int, int], FileEntry] = {}
    entries: dict[str, FileEntry] = {}
    for path, (full, st) in sorted(found.items()):
        ident = (st.st_dev, st.st_ino)
        if ident not in seen:
            seen[ident] = FileEntry(st.st_size, sha256_file(full))
        entries[path] = seen[ident]
    return entries


# ---- the bundle folder ----------------------------------------------------------------------------------------


class Store:
    """打包目录 The bundle folder: state.json, per bundle its latest archive, recent manifests and cached deltas,
    and per push target what the headend acknowledged (targets/<name>.json)."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def state_path(self) -> Path:
        return self.root / "state.json"

    def load_state(self) -> dict:
        try:
            state = json.loads(self.state_path.read_text("utf-8"))
        except FileNotFoundError:
            return {"format": 1, "bundles": {}}
        except (OSError, ValueError) as exc:
            raise BundleError(f"打包状态文件损坏：{self.state_path}", f"bundle state is unreadable: {exc}") from exc
        state.setdefault("bundles", {})
        return state

    def save_state(self, state: dict) -> None:
        write_atomic(self.state_path, json.dumps(state, sort_keys=True, indent=1).encode() + b"\n")

    def folder(self, bundle_id: str) -> Path:
        return self.root / file_stem(bundle_id)

    def full_path(self, bundle_id: str, version: int) -> Path:
        return self.folder(bundle_id) / f"{file_stem(bundle_id)}_v{version}.tar.gz"

    def delta_path(self, bundle_id: str, version: int, base: int) -> Path:
        return self.folder(bundle_id) / f"{file_stem(bundle_id)}_v{version}_from_v{base}.tar.gz"

    def manifest_path(self, bundle_id: str, version: int) -> Path:
        return self.folder(bundle_id) / "manifests" / f"{version}.json"

    def manifest(self, bundle_id: str, version: int) -> Manifest | None:
        try:
            return Manifest.from_bytes(self.manifest_path(bundle_id, version).read_bytes())
        except (OSError, BundleError):
            return None

    def target_path(self, name: str) -> Path:
        return self.root / "targets" / f"{name}.json"

    def load_target(self, name: str) -> dict:
        """What we remembered of a target; a damaged file means we remember nothing (full bundles go out)."""
        try:
            state = strict_json(self.target_path(name).read_bytes(), 16 << 20, "target state")
        except (OSError, ValueError):
            return {"bundles": {}}
        if (
            not isinstance(state, dict)
            or not isinstance(state.get("bundles"), dict)
            or not all(isinstance(e, dict) for e in state["bundles"].values())
        ):
            return {"bundles": {}}
        return state

    def save_target(self, name: str, state: dict) -> None:
        write_atomic(self.target_path(name), json.dumps(state, sort_keys=True, indent=1).encode() + b"\n")


@dataclass
class BundleInfo:
    bundle: str
    version: int
    changed: bool  # a new version was made in this run
    path: Path
    size: int  # archive bytes
    files: int
    content_bytes: int  # sum of file sizes
    retired: bool = False


def renewal_margin(bundle_id: str, valid: timedelta) -> timedelta:
    """The validity a bundle may have left before it is renewed (续签): between a quarter and a half of `valid`,
    a fixed share for each bundle id (from its SHA-256). All of a city's bundles are made in its first publish;
    renewed at one common margin they would all be re-bundled in one run, every half validity (~190 CPU s at 252
    villages). Spread, each run renews a few; and a renewed bundle keeps its share,
    so they stay spread. No bundle is ever nearer than a quarter of its validity to expiring."""
    share = int.from_bytes(hashlib.sha256(bundle_id.encode()).digest()[:4], "big") / 2**32
    return valid / 2 - valid / 4 * share


def _version_stamp(now: datetime) -> int:
    return int(now.strftime("%Y%m%d%H%M%S"))


def _objects_from(files: dict[str, str], entries: dict[str, FileEntry]):
    """Each distinct content once, sorted by its hash, read from the first file that has it."""
    first: dict[str, str] = {}
    for path in sorted(files):
        first.setdefault(entries[path].sha256, files[path])
    sizes = {e.sha256: e.size for e in entries.values()}
    return [(sha, sizes[sha], lambda f=first[sha]: open(f, "rb")) for sha in sorted(sizes)]


def make_bundles(
    output: Path,
    store: Store,
    key: Ed25519PrivateKey,
    *,
    now: datetime | None = None,
    valid_days: int = VALID_DAYS,
    villages: Iterable[str] | None = None,
    keep: Iterable[str] = (),
    dry_run: bool = False,
    just_built: bool = False,
) -> list[BundleInfo]:
    """Bundle the built site in `output`. A bundle whose content is unchanged keeps its version and bytes.

    `keep`: village ids held back by the build; they are never retired even if absent from `output`.
    A bundle that has disappeared from the site (a village removed) gets one last, empty version, so the
    headend deletes its files too. With `dry_run` nothing is written; `changed` says what would be.

    `just_built` (publish, right after its build, under its lock): `output` is as the build left it, so a village
    whose build fingerprints (reuse.RECORD, every theme) equal the ones it had when it was last bundled has the
    pages bundled then, and is not even walked. Otherwise each village is walked and sealed by its files' stat."""
    moment = utc(now)
    kid = keys.key_id(key.public_key())
    state = store.load_state()
    known: dict = state["bundles"]
    prints = _built_prints(output) if just_built else {}
    village_list = sorted(villages) if villages is not None else None
    valid = timedelta(days=valid_days)
    skip = {
        v
        for v, fp in prints.items()
        if v in known
        and known[v].get("built") == fp
        and (village_list is None or v in village_list)
        and parse_iso(known[v]["expires"]) - moment >= renewal_margin(v, valid)
        and _intact(store.full_path(v, known[v]["version"]), known[v])
    }
    listings = _listings(output, village_list, skip)
    gone = set(known) - set(listings) - set(keep) - skip  # (each gets an empty last version)
    todo = sorted(listings.keys() | gone)
    progress.tell("bundles", 0, len(todo))  # a terminal's progress line (content/progress.py); cron's: nothing
    results: list[BundleInfo] = []
    made: list[str] = []
    for v in sorted(skip):  # as the build left them since they were bundled: not walked, read or signed
        prev = known[v]
        results.append(
            BundleInfo(
                v,
                prev["version"],
                False,
                store.full_path(v, prev["version"]),
                prev["size"],
                prev["files"],
                prev["content_bytes"],
            )
        )
    for done, bundle_id in enumerate(todo):
        if done:
            progress.tell("bundles", done, len(todo))
        found = listings[bundle_id]() if bundle_id in listings else {}  # listed in its turn, dropped after
        files = {p: f for p, (f, _) in found.items()}
        prev = known.get(bundle_id)
        if prev is None and not files:
            continue
        # Renew before expiry, so a headend that is rebuilt from scratch can still take the bundle.
        renew = (
            bool(files) and prev is not None and parse_iso(prev["expires"]) - moment < renewal_margin(bundle_id, valid)
        )
        seal = _seal(found)
        path = store.full_path(bundle_id, prev["version"]) if prev else None
        if (
            prev is not None
            and not renew
            and files
            and prev.get("seal") == seal
            and path is not None
            and _intact(path, prev)
        ):
            # the same files as last time (by their stat): not read, not hashed, not signed again
            if not dry_run and prev.get("built") != prints.get(bundle_id):
                prev["built"] = prints.get(bundle_id)
            results.append(
                BundleInfo(bundle_id, prev["version"], False, path, prev["size"], prev["files"], prev["content_bytes"])
            )
            continue
        entries = _entries(found)
        digest = content_digest(entries)
        changed = prev is None or prev["digest"] != digest or renew
        if changed or prev is None:  # (prev is None makes it changed; said for the type checker)
            version = max(prev["version"] + 1 if prev else 0, _version_stamp(moment))
            expires = iso(moment + timedelta(days=valid_days))
        else:
            version, expires = prev["version"], prev["expires"]
        manifest = Manifest(bundle_id, version, expires, kid, entries, sorted({e.sha256 for e in entries.values()}))
        data, signature = sign(manifest, key)
        path = store.full_path(bundle_id, version)
        info = BundleInfo(
            bundle_id, version, changed, path, 0, len(entries), sum(e.size for e in entries.values()), retired=not files
        )
        results.append(info)
        if dry_run:
            continue
        sha = hashlib.sha256(data).hexdigest()
        current = prev if not changed else None
        if not (
            current and path.is_file() and current.get("size") == path.stat().st_size and current.get("manifest") == sha
        ):
            write_archive(path, data, signature, _objects_from(files, entries))
        info.size = path.stat().st_size
        if not store.manifest_path(bundle_id, version).is_file():
            write_atomic(store.manifest_path(bundle_id, version), data)
        known[bundle_id] = {
            "version": version,
            "digest": digest,
            "expires": expires,
            "size": info.size,
            "manifest": sha,
            "file": path.name,
            "seal": seal,
            "files": info.files,
            "content_bytes": info.content_bytes,
            "built": prints.get(bundle_id),
        }
        made.append(bundle_id)
    progress.tell("bundles", len(todo), len(todo))
    results.sort(key=lambda i: i.bundle)
    if not dry_run:
        store.save_state(state)
        _prune(store, {b: known[b] for b in made})  # only the bundles looked at: the others are as they were
    return results


def _built_prints(output: Path) -> dict[str, str]:
    """ "town/village" -> its build fingerprints in every theme (one string), for the villages every theme's build
    record names."""
    records = [read_record(output / theme) for theme in THEMES]
    common = set(records[0]).intersection(*records[1:])
    return {v: "\n".join(r[v]["fingerprint"] for r in records) for v in common}


def _intact(path: Path, entry: dict) -> bool:
    """The bundle folder still holds the archive the state describes (by its size) and what the seal shortcut
    needs from the state."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return (
        size == entry.get("size")
        and isinstance(entry.get("files"), int)
        and isinstance(entry.get("content_bytes"), int)
    )


def _prune(store: Store, known: dict) -> None:
    """Keep each bundle's current archive, its deltas to the current version, and its recent manifests."""
    for bundle_id, entry in known.items():
        folder = store.folder(bundle_id)
        if not folder.is_dir():
            continue
        current = store.full_path(bundle_id, entry["version"]).name
        prefix = f"{file_stem(bundle_id)}_v{entry['version']}_from_"
        for f in folder.iterdir():
            if f.is_file() and f.name != current and not f.name.startswith(prefix):
                f.unlink(missing_ok=True)
        manifests = sorted(
            (p for p in (folder / "manifests").glob("*.json") if p.stem.isdigit()), key=lambda p: int(p.stem)
        )
        for old in manifests[:-KEEP_MANIFESTS]:
            old.unlink(missing_ok=True)


def make_delta(store: Store, bundle_id: str, base: int, key: Ed25519PrivateKey) -> Path | None:
    """The delta from `base` to the current version, made once and cached; None when `base` is unknown here."""
    entry = store.load_state()["bundles"].get(bundle_id)
    if entry is None or base >= entry["version"]:
        return None
    version = entry["version"]
    old, new = store.manifest(bundle_id, base), store.manifest(bundle_id, version)
    full = store.full_path(bundle_id, version)
    if old is None or new is None or not full.is_file():
        return None
    dest = store.delta_path(bundle_id, version, base)
    if dest.is_file():
        return dest
    have = {e.sha256 for e in old.files.values()}
    needed = sorted({e.sha256 for e in new.files.values()} - have)
    manifest = Manifest(
        bundle_id,
        version,
        new.expires,
        keys.key_id(key.public_key()),
        new.files,
        needed,
        base,
        sorted(set(old.files) - set(new.files)),
    )
    data, signature = sign(manifest, key)
    with gzip.open(full, "rb") as archive:
        write_archive(dest, data, signature, _objects_in(archive, set(needed)))
    return dest


def _objects_in(archive: gzip.GzipFile, wanted: set[str]) -> Iterator[tuple[str, int, Callable[[], BinaryIO]]]:
    """The objects in `wanted` of one of our own archives (`archive`: its inflated bytes), in its order, for
    write_archive; the others skipped. Its headers are our writer's (_header), so each is taken apart by slicing,
    not by tarfile's reader (~5,000 a village); a header of any other form, or an archive cut short, is an error."""
    while (block := archive.read(BLOCK)) != bytes(BLOCK):
        if len(block) != BLOCK or block[156:] != USTAR_TAIL or block[100:124] != USTAR_FIELDS:
            raise OSError(f"not an archive of ours, or cut short: {archive.name}")
        name, size = block[:100].rstrip(b"\0").decode("ascii"), int(block[124:135], 8)
        sha = name.removeprefix(OBJECTS)
        if sha == name or sha not in wanted:
            archive.seek(size + -size % BLOCK, os.SEEK_CUR)
            continue
        content = archive.read(size + -size % BLOCK)[:size]
        if len(content) != size:
            raise OSError(f"an archive cut short: {archive.name}")
        yield sha, size, functools.partial(io.BytesIO, content)
