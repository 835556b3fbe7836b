"""Stage 10, ingest at the headend: only signed, intact, current bundles are served, and always atomically."""

from __future__ import annotations

import errno
import gc
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build.pipeline import build
from sitegen.deploy import ingest as ingest_module
from sitegen.deploy import keys
from sitegen.deploy.bundle import BundleError, Manifest, Store, make_bundles, make_delta
from sitegen.deploy.ingest import Headend, HeadendFault, ingest, rollback
from tests.deploykit import (
    NOW,
    at_a_terminal,
    bundle_now,
    clone,
    craft,
    deploy,
    env,
    kill,
    manifest_doc,
    paused,
    sitegen,
    snapshot,
    touch_page,
)

V = int((NOW + timedelta(minutes=30)).strftime("%Y%m%d%H%M%S"))  # newer than the live bundles, not in the future


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    d = deploy(tmp_path_factory.mktemp("ingest") / "base")
    build(d.content, d.output)
    infos = bundle_now(d)
    result = ingest(d.headend, [i.path for i in infos], now=NOW)
    assert result.activated == "r-000001" and not result.rejected
    return d


@pytest.fixture
def live(base, tmp_path):
    """A headend serving the first build of the two-village city; the publisher's bundles are in its store."""
    return clone(base, tmp_path / "live")


def releases(d):
    return sorted(p.name for p in (d.headend / "releases").iterdir())


def site_of(output):
    return {k: v for k, v in snapshot(output).items() if not k.startswith(".cache/")}


def test_first_ingest_serves_the_build_through_current(live):
    assert os.readlink(live.headend / "current") == "releases/r-000001"
    assert live.served() == site_of(live.output)
    acks = json.loads((live.headend / "drop" / "acks.json").read_text())
    assert set(acks["bundles"]) == {"city", "xg/cs", "xg/cs2"} and acks["release"] == "r-000001"


def test_delta_from_the_drop_folder_then_rollback(live):
    before = live.served()
    touch_page(live)
    infos = {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=1))}
    base = json.loads((live.headend / "drop/acks.json").read_text())["bundles"]["xg/cs"]["active"]
    delta = make_delta(live.store, "xg/cs", base, live.private())
    live.drop.mkdir(exist_ok=True)
    (live.drop / delta.name).write_bytes(delta.read_bytes())
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert [(o.bundle, o.kind, o.status) for o in result.outcomes] == [("xg/cs", "delta", "installed")]
    assert live.served() == site_of(live.output) != before
    assert not (live.drop / delta.name).exists()  # taken: removed from the drop folder
    acks = json.loads((live.drop / "acks.json").read_text())
    assert acks["bundles"]["xg/cs"]["active"] == infos["xg/cs"].version
    was, now = rollback(live.headend)
    assert (was, now) == ("r-000002", "r-000001") and live.served() == before
    # the rolled-back version stays 'seen': re-sending it does not bring it back, an older one is refused
    (live.drop / delta.name).write_bytes(delta.read_bytes())
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert result.activated is None and result.outcomes[0].status == "already"
    assert live.served() == before


def test_old_releases_are_pruned(live):
    for n in range(1, 4):
        touch_page(live, note=str(n))
        info = {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=n))}["xg/cs"]
        ingest(live.headend, [info.path], now=NOW + timedelta(hours=n), keep=2)
    assert releases(live) == ["r-000003", "r-000004"]
    assert live.served() == site_of(live.output)


# ---- refusals: each with a clear message, and nothing activated ----------------------------------------------


def refused(live, bundle, match, now=NOW):
    before, names, store = live.served(), releases(live), _tree(live.headend / "store")
    live.drop.mkdir(exist_ok=True)
    dropped = live.drop / bundle.name
    if bundle != dropped:
        dropped.write_bytes(bundle.read_bytes())
    result = ingest(live.headend, now=now, max_age=timedelta(days=3650))  # freshness is tested on its own
    assert result.activated is None
    assert [o.status for o in result.outcomes] == ["rejected"], result.outcomes
    reason = result.outcomes[0].reason
    assert any(m in reason for m in ((match,) if isinstance(match, str) else match)), reason
    assert live.served() == before and releases(live) == names
    assert _tree(live.headend / "store") == store and not list(live.headend.glob(".tmp-*"))  # nothing left behind
    assert (live.drop / "rejected" / bundle.name).is_file() and not dropped.exists()
    assert (live.drop / "rejected" / f"{bundle.name}.reason.txt").read_text("utf-8").strip() == reason
    return result.outcomes[0].reason


def newer_bundle(live, hours=1):
    touch_page(live, note=str(hours))
    return {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=hours))}["xg/cs"].path


def test_a_flipped_byte_is_refused(live, tmp_path, monkeypatch):
    original = newer_bundle(live)
    # in the compressed stream
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "a").mkdir()
    flipped = tmp_path / "a" / original.name
    flipped.write_bytes(bytes(data))
    reason = refused(live, flipped, ("damaged archive", "SHA-256 differs"))
    assert reason.startswith(("包已损坏", "文件内容"))
    # inside the bytes of an object in the middle of the bundle, recompressed so that only its hash can tell: the
    # objects before it have been written to the work folder by then, and refused() finds nothing left of them
    members = _members(gzip.decompress(original.read_bytes()))
    middle = len(members) // 2 + 1
    name, blob = members[middle]
    members[middle] = (name, bytes([blob[0] ^ 0x01]) + blob[1:])
    (tmp_path / "b").mkdir()
    tampered = tmp_path / "b" / original.name
    tampered.write_bytes(gzip.compress(_ustar(members), mtime=0))
    written: list[str] = []
    real_object = ingest_module._Reader._object

    def counted(reader, sha, size, create):
        real_object(reader, sha, size, create)
        written.append(sha)

    monkeypatch.setattr(ingest_module._Reader, "_object", counted)
    refused(live, tampered, f"SHA-256 differs from the manifest (tampered): {name}")
    assert len(written) == middle - 2 > 0  # the manifest and its signature come first
    monkeypatch.undo()
    # cut short (a push interrupted), anywhere after the manifest
    (tmp_path / "d").mkdir()
    cut = tmp_path / "d" / original.name
    cut.write_bytes(original.read_bytes()[: original.stat().st_size * 2 // 3])
    refused(live, cut, "truncated archive")
    # inside the manifest: the signature no longer matches
    tar = bytearray(gzip.decompress(original.read_bytes()))
    at = tar.index(b'"expires":"') + len('"expires":"')
    tar[at + 3] ^= 0x01  # 2026 -> 2027
    (tmp_path / "c").mkdir()
    forged = tmp_path / "c" / original.name
    forged.write_bytes(gzip.compress(bytes(tar), mtime=0))
    refused(live, forged, "bad signature")


def test_a_replayed_older_bundle_is_refused(live, tmp_path):
    old = {i.bundle: i for i in bundle_now(live)}["xg/cs"].path
    saved = tmp_path / old.name
    saved.write_bytes(old.read_bytes())
    ingest(live.headend, [newer_bundle(live)], now=NOW + timedelta(hours=1))
    reason = refused(live, saved, "older than", now=NOW + timedelta(hours=1))
    assert "rollback/replay" in reason and "防止回退" in reason


def test_a_bundle_signed_with_another_key_is_refused(live, tmp_path):
    other = tmp_path / "other.key"
    keys.generate(other)
    touch_page(live)
    infos = make_bundles(live.output, Store(tmp_path / "rogue"), keys.load_private(other), now=NOW + timedelta(hours=1))
    rogue = {i.bundle: i for i in infos}["xg/cs"].path
    reason = refused(live, rogue, "signed with another key")
    assert keys.key_id(keys.load_public(keys.public_path(other))) in reason


def test_an_expired_bundle_is_refused(live):
    refused(live, newer_bundle(live), "expired bundle", now=NOW + timedelta(days=45))


def test_an_unsigned_bundle_is_refused(live, tmp_path):
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    refused(live, craft(tmp_path / "unsigned.tar.gz", doc, None, [], with_signature=False), "unsigned bundle")


def _signed(live):
    return keys.load_private(live.key)


def test_an_entry_named_dotdot_is_refused(live, tmp_path):
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    bad = craft(tmp_path / "dotdot.tar.gz", doc, _signed(live), [("../x", b"x")])
    refused(live, bad, "entry path not allowed (absolute or '..'): ../x")
    assert not (live.headend / "x").exists() and not (live.headend.parent / "x").exists()


def test_a_manifest_path_with_dotdot_or_absolute_is_refused(live, tmp_path):
    for n, path in enumerate(("tv/xg/cs/../../../../x", "/etc/passwd")):
        doc = manifest_doc("city", V + n, {path: b"x"})
        bad = craft(tmp_path / f"path{n}.tar.gz", doc, _signed(live), [(f"objects/{doc['objects'][0]}", b"x")])
        refused(live, bad, "path not allowed in the manifest")


@pytest.mark.parametrize(
    "paths, match",
    [
        (("tv/xg/cs/a.html", "tv/xg/cs/a.html"), "repeats a key"),
        (("tv/xg/cs/.a.html",), "path not allowed"),
        (("tv/xg/cs/a\tb.html",), "path not allowed"),
        (("tv/xg/cs2/a.html",), "outside the village"),
    ],
    ids=["repeated", "hidden", "control", "other-village"],
)
def test_a_signed_manifest_in_our_writers_form_with_a_bad_path_is_refused(live, tmp_path, paths, match):
    """The manifest as our writer spells it, which is checked by one match (bundle._CANONICAL), signed with the
    trusted key: a path repeated (json keeps one of them), hidden, with a control character or in another village."""
    doc = manifest_doc("xg/cs", V, {p.replace("a.html", f"{n}.html"): b"x" for n, p in enumerate(paths)})
    data = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    for n, p in enumerate(paths):
        data = data.replace(json.dumps(p.replace("a.html", f"{n}.html")).encode(), json.dumps(p).encode())
    bad = craft(tmp_path / "path.tar.gz", data, _signed(live), [(f"objects/{doc['objects'][0]}", b"x")])
    refused(live, bad, match)


def test_a_village_bundle_may_only_write_inside_its_village(live, tmp_path):
    doc = manifest_doc("xg/cs", V, {"tv/index.html": b"x"})
    bad = craft(tmp_path / "scope.tar.gz", doc, _signed(live), [(f"objects/{doc['objects'][0]}", b"x")])
    refused(live, bad, "outside the village")


@pytest.mark.parametrize(
    "path, message",
    [
        ("tv/xg/cs/index.html", "writes inside a village folder"),
        ("tv/xg", "writes inside a village folder"),
        ("tv/a", "both a file and a folder"),
    ],
)
def test_the_city_bundle_may_not_take_a_village_folder(live, tmp_path, path, message):
    files = {path: b"x", "tv/index.html": b"y"} if path != "tv/a" else {"tv/a": b"x", "tv/a/b.html": b"y"}
    doc = manifest_doc("city", V, files)
    bad = craft(
        tmp_path / "city.tar.gz",
        doc,
        _signed(live),
        [(f"objects/{sha}", blob) for sha, blob in sorted((_sha(b), b) for b in set(files.values()))],
    )
    refused(live, bad, message)


def _sha(blob: bytes) -> str:
    import hashlib

    return hashlib.sha256(blob).hexdigest()


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "device"])
def test_link_and_device_entries_are_refused(live, tmp_path, kind):
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    sha = doc["objects"][0]
    entry = tarfile.TarInfo(f"objects/{sha}")
    if kind == "symlink":
        entry.type, entry.linkname = tarfile.SYMTYPE, "/etc/passwd"
    elif kind == "hardlink":
        entry.type, entry.linkname = tarfile.LNKTYPE, "manifest.json"
    else:
        entry.type, entry.devmajor, entry.devminor = tarfile.CHRTYPE, 1, 3
    bad = craft(tmp_path / f"{kind}.tar.gz", doc, _signed(live), [entry])
    refused(live, bad, "link entries are not allowed" if kind != "device" else "device or FIFO entries")


def test_an_extra_or_missing_object_is_refused(live, tmp_path):
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    bad = craft(
        tmp_path / "extra.tar.gz",
        doc,
        _signed(live),
        [(f"objects/{doc['objects'][0]}", b"x"), ("objects/" + "0" * 64, b"y")],
    )
    refused(live, bad, "object not in the manifest")
    bad = craft(tmp_path / "missing.tar.gz", doc, _signed(live), [])
    refused(live, bad, "object(s) missing")


def test_a_good_bundle_next_to_a_bad_one_is_still_taken(live, tmp_path):
    good = newer_bundle(live)
    doc = manifest_doc("xg/cs2", V, {"tv/xg/cs2/index.html": b"x"})
    craft(live.drop / "bad.tar.gz", doc, None, [], with_signature=False)
    (live.drop / good.name).write_bytes(good.read_bytes())
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert result.activated == "r-000002"
    assert sorted(o.status for o in result.outcomes) == ["installed", "rejected"]
    assert live.served() == site_of(live.output)


def test_cli_ingest_exit_codes(live, tmp_path):
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    craft(live.drop / "bad.tar.gz", doc, None, [], with_signature=False)
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 7 and "unsigned bundle" in r.stderr and "Traceback" not in r.stderr
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 0 and "no bundles" in r.stdout
    r = sitegen("ingest", "--root", live.headend, "--rollback")
    assert r.returncode == 3 and "no earlier release" in r.stderr


def test_killed_during_ingest_the_previous_release_stays_served(live, tmp_path):
    before, store = live.served(), _tree(live.headend / "store")
    bundle = newer_bundle(live)
    (live.drop / bundle.name).write_bytes(bundle.read_bytes())
    # stop once the bundle has been read and verified, its store folder laid out in the work folder, before the
    # release is assembled: nothing of it is in store/ yet, only in the work folder the next run removes
    proc = paused(
        tmp_path / "marker0", "sitegen.deploy.ingest:_check_namespaces", "ingest", "--root", live.headend, when="before"
    )
    kill(proc)
    (work,) = live.headend.glob(".tmp-*")
    assert any(p.name == "index.html" for p in work.rglob("*"))
    assert _tree(live.headend / "store") == store and live.served() == before
    # stop right after the new release is fully staged, just before the switch
    proc = paused(tmp_path / "marker", "sitegen.deploy.ingest:_assemble", "ingest", "--root", live.headend)
    kill(proc)
    assert any((live.headend / "releases").glob(".tmp-*"))  # the staged release it was about to switch to
    assert live.served() == before and os.readlink(live.headend / "current") == "releases/r-000001"
    # during extraction too (the first object written)
    proc = paused(
        tmp_path / "marker2", "sitegen.deploy.ingest:_Reader._object", "ingest", "--root", live.headend, when="before"
    )
    kill(proc)
    assert live.served() == before
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 0, r.stdout + r.stderr
    assert live.served() == site_of(live.output) != before
    assert not list((live.headend / "releases").glob(".tmp-*")) and not list(live.headend.glob(".tmp-*"))
    assert releases(live) == ["r-000001", "r-000002"]


def test_a_huge_manifest_is_refused_before_it_is_read(live, tmp_path):
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        info = tarfile.TarInfo("manifest.json")
        info.size = (8 << 30) - 1  # claimed only (the largest plain ustar size): the data is not there
        tar.addfile(info)
    path = tmp_path / "big.tar.gz"
    path.write_bytes(raw.getvalue())
    refused(live, path, "too large")


# ---- the drop folder is hostile (issue 12) ---------------------------------------------------------------------


def _bad(live, name="bad.tar.gz"):
    """An unsigned bundle dropped under `name`: always refused."""
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    return craft(live.drop / name, doc, None, [], with_signature=False)


def _page(live):
    return live.headend / "current" / "tv" / "index.html"


def test_a_reason_file_planted_as_a_link_does_not_overwrite_a_live_page(live):
    page, before = _page(live), _page(live).read_bytes()
    _bad(live, "x.tar.gz")
    (live.drop / "rejected").mkdir()
    os.symlink(page.resolve(), live.drop / "rejected" / "x.tar.gz.reason.txt")
    result = ingest(live.headend, now=NOW)
    assert [o.status for o in result.outcomes] == ["rejected"]
    assert page.read_bytes() == before
    reason = live.drop / "rejected" / "x.tar.gz.reason.txt"
    assert not reason.is_symlink() and "unsigned bundle" in reason.read_text("utf-8")


def test_a_rejected_folder_planted_as_a_link_into_the_site_is_not_written_through(live):
    served = live.served()
    _bad(live)
    os.symlink((live.headend / "current" / "tv").resolve(), live.drop / "rejected")
    ingest(live.headend, now=NOW)
    assert live.served() == served and not list((live.headend / "current" / "tv").glob("bad.tar.gz*"))
    assert (live.drop / "rejected").is_dir() and not (live.drop / "rejected").is_symlink()
    assert (live.drop / "rejected" / "bad.tar.gz").is_file()


def test_links_named_like_the_acks_file_or_its_temporary_do_not_write_outside(live, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (live.drop / "acks.json").unlink()
    os.symlink(outside, live.drop / "acks.json")
    for pid in {os.getpid(), os.getpid() + 1}:  # the temporary name an older ingest used
        os.symlink(outside, live.drop / f".acks.json.tmp-{pid}")
    ingest(live.headend, now=NOW)
    assert outside.read_text() == "precious"
    acks = live.drop / "acks.json"
    assert not acks.is_symlink() and json.loads(acks.read_text())["release"] == "r-000001"


def test_drop_entries_that_are_not_plain_files_are_quarantined_unopened(live, tmp_path):
    genuine = newer_bundle(live)  # a real, newer bundle, but reached only through a link
    os.symlink(genuine, live.drop / "link.tar.gz")
    os.mkfifo(live.drop / "fifo.tar.gz")  # opening it would block for ever
    (live.drop / "folder.tar.gz").mkdir()
    secret = tmp_path / "secret.tar.gz"
    secret.write_bytes(b"SECRET-BYTES" * 10)
    os.link(secret, live.drop / "hardlink.tar.gz")  # a second name of a file outside
    before = live.served()
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert result.activated is None and live.served() == before
    assert sorted(o.source for o in result.rejected) == [
        "fifo.tar.gz",
        "folder.tar.gz",
        "hardlink.tar.gz",
        "link.tar.gz",
    ]
    rejected = live.drop / "rejected"
    assert (rejected / "link.tar.gz").is_symlink() and (rejected / "fifo.tar.gz").exists()
    assert genuine.is_file() and secret.read_bytes() == b"SECRET-BYTES" * 10
    for name in ("link", "fifo", "folder", "hardlink"):
        text = (rejected / f"{name}.tar.gz.reason.txt").read_text("utf-8")
        assert "unopened" in text or "unread" in text
        assert "SECRET" not in text


def _gzip_of_zeros(megabytes: int) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(z.compress(block) for _ in range(megabytes)) + z.flush()


def _raw_header(name: bytes, size: int, kind: bytes) -> bytes:
    """A ustar header block made by hand, with any size and type (tarfile refuses to write some of these)."""
    block = bytearray(512)
    block[: len(name)] = name
    block[100:108], block[108:116], block[116:124] = b"0000644\0", b"0000000\0", b"0000000\0"
    block[124:136] = b"%011o\0" % size
    block[136:148] = b"00000000000\0"
    block[156:157] = kind
    block[257:265] = b"ustar\x0000"
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def _hostile(live, tmp_path):
    """Files that used to crash ingest (exit 3: RecursionError, MemoryError) before any signature was checked."""
    files = {
        "deep.tar.gz": craft(tmp_path / "deep.tar.gz", b"[" * 200_000, None, [], signature=bytes(64)).read_bytes(),
        "gnu-longname.tar.gz": gzip.compress(_raw_header(b"././@LongLink", 3 << 30, b"L"), mtime=0),
        "pax.tar.gz": gzip.compress(_raw_header(b"././@PaxHeader", 3 << 30, b"x"), mtime=0),
    }
    for name, data in files.items():
        (live.drop / name).write_bytes(data)
    return set(files)


def test_hostile_files_are_each_rejected_and_the_good_bundle_still_installs(live, tmp_path):
    hostile = _hostile(live, tmp_path)
    good = newer_bundle(live)
    (live.drop / good.name).write_bytes(good.read_bytes())
    r = sitegen("ingest", "--root", live.headend, memory=512 << 20)
    assert r.returncode == 7, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert live.served() == site_of(live.output)  # the good bundle went in
    assert {p.name for p in (live.drop / "rejected").glob("*.tar.gz")} == hostile
    assert not list(live.drop.glob("*.tar.gz"))
    reasons = {n: (live.drop / "rejected" / f"{n}.reason.txt").read_text("utf-8") for n in hostile}
    assert "signature" in reasons["deep.tar.gz"]
    assert "only regular file entries" in reasons["gnu-longname.tar.gz"] and "PAX" in reasons["pax.tar.gz"]


@pytest.mark.parametrize("tail", ["gzip-member", "garbage", "entry-after-end", "pax-header"])
def test_a_genuine_bundle_with_anything_the_format_forbids_is_refused_quickly(live, tmp_path, tail):
    genuine = newer_bundle(live).read_bytes()
    if tail == "gzip-member":  # 1 GiB of zeros in more gzip members: they used to be decompressed, then accepted
        data = genuine + _gzip_of_zeros(64) * 16  # (decompressing them all: ~3 s of CPU here)
    elif tail == "garbage":
        data = genuine + b"\0" * 4096 + b"junk"
    elif tail == "entry-after-end":  # tar readers stop at the end marker; what follows must not be there
        data = gzip.compress(gzip.decompress(genuine) + _raw_header(b"objects/x", 0, b"0") + bytes(1024), mtime=0)
    else:  # the same members, but written with a PAX header on each: the format has none
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(genuine))) as tar:
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:
                for member in tar:
                    member.pax_headers = {"comment": "x"}
                    out.addfile(member, tar.extractfile(member))
        data = gzip.compress(raw.getvalue(), mtime=0)
    path = tmp_path / "g" / "xg.cs_v1.tar.gz"
    path.parent.mkdir()
    path.write_bytes(data)
    cpu = time.process_time()  # (ingest runs in this process, in this thread: its CPU, whatever the machine's load)
    reason = refused(live, path, ("after the end of the archive", "PAX"), now=NOW + timedelta(hours=1))
    assert time.process_time() - cpu < 1, reason  # refused at the first byte too many: ~0.05-0.1 s, idle or loaded


def test_a_full_disk_is_the_headends_fault_and_the_bundle_stays_for_the_next_run(live):
    good = newer_bundle(live)
    (live.drop / good.name).write_bytes(good.read_bytes())
    before = live.served()
    r = sitegen("ingest", "--root", live.headend, file_size=2048)  # writes beyond 2 KiB fail (EFBIG)
    assert r.returncode == 3 and "headend fault" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert (live.drop / good.name).is_file() and not (live.drop / "rejected").exists()
    assert live.served() == before
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 0, r.stdout + r.stderr
    assert live.served() == site_of(live.output)


@pytest.mark.parametrize("where", ["root", "key", "owner", "in-drop"])
def test_ingest_refuses_a_trust_root_others_could_replace(live, where):
    key = live.headend / "publisher.pub"
    args = []
    if where == "root":
        live.headend.chmod(0o777)
    elif where == "key":
        key.chmod(0o664)
    elif where == "owner":
        os.chown(key, 65534, 65534)
    else:
        shutil.copyfile(key, live.drop / "publisher.pub")
        args = ["--public-key", live.drop / "publisher.pub"]
    r = sitegen("ingest", "--root", live.headend, *args)
    assert r.returncode == 8 and ("writable by others" in r.stderr or "drop folder" in r.stderr), r.stderr


# ---- signed but unacceptable: names, namespaces, versions, rollback (issue 12 Medium/Low, issue 11) ------------


def _crafted(live, tmp_path, bundle, version, files, name=None):
    doc = manifest_doc(bundle, version, files)
    blobs = {_sha(b): b for b in files.values()}
    path = tmp_path / (name or f"{bundle.replace('/', '.')}_v{version}.tar.gz")
    return craft(path, doc, _signed(live), [(f"objects/{sha}", blobs[sha]) for sha in sorted(blobs)])


@pytest.mark.parametrize(
    "path",
    ["tv/xg/cs/" + "a" * 256 + ".html", "tv/xg/cs/" + "/".join(["b" * 250] * 17)],
    ids=["name-over-255", "path-over-4096"],
)
def test_a_path_too_long_for_the_file_system_is_refused_at_verification(live, tmp_path, path):
    refused(live, _crafted(live, tmp_path, "xg/cs", V, {path: b"x"}), "too long")


def _record_matches_served(live):
    """Every file the live release's record names is served with the bytes the record says."""
    current = live.headend / "current"
    head = Headend(live.headend)
    record = head.record(head.active())
    for info in record["bundles"].values():
        for p, (_, sha) in head.files(info, head.active()).items():
            assert _sha((current / p).read_bytes()) == sha, p


def test_a_village_folder_belongs_to_one_bundle_only(live, tmp_path):
    city = {p: (live.headend / "current" / p).read_bytes() for p in ("tv/index.html", "mobile/index.html")}
    # a city bundle with a page inside a village folder that does not exist yet
    taken = _crafted(live, tmp_path, "city", V, {**city, "tv/xg/new/index.html": b"city's"})
    assert ingest(live.headend, [taken], now=NOW).activated
    village = _crafted(live, tmp_path, "xg/new", V + 1, {"tv/xg/new/index.html": b"village's"})
    result = ingest(live.headend, [village], now=NOW)
    assert [o.status for o in result.outcomes] == ["rejected"]
    assert "belongs to the city bundle" in result.outcomes[0].reason
    _record_matches_served(live)
    # a city bundle that gives the folder up, with the village's bundle in the same run: both go in
    freed = _crafted(live, tmp_path, "city", V + 2, city)
    result = ingest(live.headend, [freed, village], now=NOW)
    assert sorted(o.status for o in result.outcomes) == ["installed", "installed"]
    assert (live.headend / "current/tv/xg/new/index.html").read_bytes() == b"village's"
    _record_matches_served(live)
    # and from now on the city may not write there
    again = _crafted(live, tmp_path, "city", V + 3, {**city, "tv/xg/new/index.html": b"city's"})
    refused(live, again, "writes inside a village folder")


@pytest.mark.parametrize("version", [2**63, 10**30, int((NOW + timedelta(days=2)).strftime("%Y%m%d%H%M%S"))])
def test_a_version_from_the_future_is_refused_and_later_genuine_ones_still_go_in(live, tmp_path, version):
    reason = refused(
        live, _crafted(live, tmp_path, "xg/cs", version, {"tv/xg/cs/index.html": b"x"}), "too far ahead of the clock"
    )
    assert "fast-forward" in reason
    good = newer_bundle(live)
    assert ingest(live.headend, [good], now=NOW + timedelta(hours=1)).activated
    assert live.served() == site_of(live.output)


def test_key_rotation_and_recovery_from_a_stolen_key(live, tmp_path):
    # the thief signs a bundle with the publisher's (stolen) key, as far ahead as the clock allows
    stolen = _crafted(
        live,
        tmp_path,
        "xg/cs",
        int((NOW + timedelta(hours=2)).strftime("%Y%m%d%H%M%S")),
        {"tv/xg/cs/index.html": b"defaced"},
    )
    assert ingest(live.headend, [stolen], now=NOW).activated
    # recovery (docs/deploy.md): a new key pair; root installs the new public key at the headend
    later = _crafted(
        live,
        tmp_path,
        "xg/cs",
        int((NOW + timedelta(hours=2, minutes=5)).strftime("%Y%m%d%H%M%S")),
        {"tv/xg/cs/index.html": b"defaced again"},
    )
    new_key = tmp_path / "keys2" / "signing.key"
    keys.generate(new_key)
    shutil.copyfile(keys.public_path(new_key), live.headend / "publisher.pub")
    live.key.unlink()
    shutil.copyfile(new_key, live.key)
    live.key.chmod(0o600)
    # the thief's key no longer opens the door, even for a version above everything taken
    assert "signed with another key" in refused(live, later, "bad signature", now=NOW + timedelta(minutes=10))
    # the publisher's next bundle, signed with the new key, replaces the defaced page at once: the floors the
    # old key raised do not bind the new one
    touch_page(live, note="recovered")
    infos = {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(minutes=10))}
    result = ingest(live.headend, [infos["xg/cs"].path], now=NOW + timedelta(minutes=10))
    assert result.activated, result.outcomes
    assert live.served() == site_of(live.output)


def _versions_of_cs(live, hours):
    touch_page(live, note=f"v{hours}")
    return {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=hours))}["xg/cs"].path


def test_after_a_rollback_a_version_between_the_active_and_the_highest_taken_is_refused(live, tmp_path):
    middle = tmp_path / "middle.tar.gz"
    middle.write_bytes(_versions_of_cs(live, 0.5).read_bytes())
    newest = _versions_of_cs(live, 1)
    live.drop.joinpath(newest.name).write_bytes(newest.read_bytes())
    # killed right after the switch, before anything else was written
    proc = paused(tmp_path / "marker", "sitegen.deploy.ingest:Headend.activate", "ingest", "--root", live.headend)
    kill(proc)
    assert os.readlink(live.headend / "current") == "releases/r-000002"
    assert rollback(live.headend) == ("r-000002", "r-000001")
    result = ingest(live.headend, now=NOW + timedelta(hours=1))  # the newest, still in drop, stays rolled back
    assert [o.status for o in result.outcomes] == ["already"] and result.activated is None
    reason = refused(live, middle, "older than", now=NOW + timedelta(hours=1))
    assert "rollback/replay" in reason


def test_a_rollback_goes_only_to_a_release_that_was_served(live, tmp_path):
    first = newer_bundle(live, 1)
    live.drop.joinpath(first.name).write_bytes(first.read_bytes())
    # killed after the new release is in place, before the switch: r-000002 was never served
    proc = paused(
        tmp_path / "marker", "sitegen.deploy.ingest:Headend.activate", "ingest", "--root", live.headend, when="before"
    )
    kill(proc)
    assert (live.headend / "releases" / "r-000002").is_dir()
    r = sitegen("ingest", "--root", live.headend)  # the same bundle is still in drop: it goes in now
    assert r.returncode == 0 and os.readlink(live.headend / "current") == "releases/r-000003", r.stdout + r.stderr
    assert rollback(live.headend) == ("r-000003", "r-000001")


def test_a_tampered_manifest_is_called_tampered_and_names_the_key_once(live, tmp_path):
    original = newer_bundle(live)
    tar = bytearray(gzip.decompress(original.read_bytes()))
    at = tar.index(b'"expires":"') + len('"expires":"')
    tar[at + 3] ^= 0x01
    forged = tmp_path / original.name
    forged.write_bytes(gzip.compress(bytes(tar), mtime=0))
    reason = refused(live, forged, "tampered")
    trusted = keys.key_id(keys.load_public(live.headend / "publisher.pub"))
    assert reason.count(trusted) == 2  # once in the Chinese line, once in the English one


def test_a_part_left_by_a_killed_push_is_removed_when_stale(live):
    old, fresh = live.drop / ".xg.cs_v1.tar.gz.part", live.drop / ".xg.cs_v2.tar.gz.part"
    old.write_bytes(b"x" * 100)
    fresh.write_bytes(b"y" * 100)
    week_ago = (NOW - timedelta(days=7)).timestamp()
    os.utime(old, (week_ago, week_ago))
    ingest(live.headend, now=NOW)
    assert not old.exists() and fresh.exists()


# ---- fuzzing: mutated manifests, tar headers and gzip streams of a real bundle ---------------------------------

FUZZ_WORKER = r"""
import json, resource, signal, sys, time, traceback
from datetime import datetime
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
from sitegen.deploy.ingest import ingest

def over(signum, _):
    raise TimeoutError("over the CPU cap" if signum == signal.SIGPROF else "hung (the wall-clock bound)")

signal.signal(signal.SIGPROF, over)
signal.signal(signal.SIGALRM, over)
for line in sys.stdin:
    job = json.loads(line)
    signal.setitimer(signal.ITIMER_PROF, job["cap"])  # this process's CPU (user + system), not the machine's load
    signal.alarm(job["cap"] * 30)  # a hang that uses no CPU: a bound, far beyond any load
    cpu = time.process_time()
    try:
        r = ingest(Path(job["root"]), now=datetime.fromisoformat(job["now"]))
        reply = {"code": 7 if r.rejected else 0, "statuses": [o.status for o in r.outcomes]}
    except BaseException:
        reply = {"code": 3, "error": traceback.format_exc()}
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
    reply["cpu"] = time.process_time() - cpu
    print(json.dumps(reply), flush=True)
"""


FUZZ_CPU = 5  # seconds of CPU a fuzzed bundle's ingest may take (0.02-0.06 s each here, idle or beside CPU hogs)


class _Worker:
    """One ingest process under RLIMIT_AS = 512 MiB and a cap of CPU per run (ITIMER_PROF: a case that makes ingest
    compute for ever fails, a busy machine does not), fed job after job (a process per example would spend the time
    budget on start-up)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", FUZZ_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env()
        )

    def ingest(self, root, now):
        self.proc.stdin.write(json.dumps({"root": str(root), "now": now.isoformat(), "cap": FUZZ_CPU}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the ingest worker died (memory cap?)"
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def fuzz_base(base, tmp_path_factory):
    """A live headend, a genuine newer xg/cs bundle (bytes), and what is served once that bundle is in."""
    d = clone(base, tmp_path_factory.mktemp("fuzz") / "live")
    genuine = newer_bundle(d).read_bytes()
    expected = clone(d, d.base.parent / "expected")
    (expected.drop / "good.tar.gz").write_bytes(genuine)
    assert ingest(expected.headend, now=NOW + timedelta(hours=1)).activated
    worker = _Worker()
    yield d, genuine, expected.served(), worker
    worker.close()


def _members(tar: bytes) -> list[tuple[str, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        return [(m.name, t.extractfile(m).read()) for m in t]


def _ustar(members: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def _edit(data: bytes, op: str, where: float, blob: bytes, n: int) -> bytes:
    at = min(int(where * len(data)), max(len(data) - 1, 0))
    if op == "flip":
        return data[:at] + bytes([data[at] ^ (blob[0] or 1)]) + data[at + 1 :] if data else blob
    if op == "insert":
        return data[:at] + blob + data[at:]
    if op == "delete":
        return data[:at] + data[at + n :]
    if op == "truncate":
        return data[:at]
    if op == "nest":  # deep JSON nesting: it used to end in a RecursionError
        return data[:at] + b"[" * (n * 100) + data[at:]
    return data + blob * n  # append


def _header_field(tar: bytes, index: int, kind: int | None, size: int | None) -> bytes:
    """Set one header's type and/or size field, with a correct checksum so the reader looks further."""
    at = 0
    for _ in range(index):  # skip to the index-th header
        size = int(tar[at + 124 : at + 136].rstrip(b"\0 ") or b"0", 8)
        at += 512 + (size + 511) // 512 * 512
    block = bytearray(tar[at : at + 512].ljust(512, b"\0"))
    if size is not None:
        block[124:136] = (b"%011o\0" % size) if size < 8**11 else b"\x80" + size.to_bytes(11, "big")
    if kind is not None:
        block[156:157] = bytes([kind])
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return tar[:at] + bytes(block) + tar[at + 512 :]


@st.composite
def _mutation(draw):
    layer = draw(st.sampled_from(["gzip", "tar", "header", "manifest", "manifest-resigned"]))
    if layer == "header":  # e.g. a GNU long-name or PAX header claiming 3 GiB
        return (
            layer,
            draw(st.integers(0, 3)),
            draw(st.none() | st.sampled_from(list(b"0123456789xgLKSAD\0 "))),
            draw(st.none() | st.sampled_from([0, 1, 63, 65, 511, 513, 8**11 - 1, 3 << 30, 1 << 70])),
        )
    return (
        layer,
        draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append", "nest"])),
        draw(st.floats(0, 1)),
        draw(st.binary(min_size=1, max_size=40)),
        draw(st.integers(1, 2000)),
    )


def _mutate(genuine: bytes, key, mutation) -> bytes:
    layer, *args = mutation
    if layer == "gzip":
        return _edit(genuine, *args)
    tar = gzip.decompress(genuine)
    if layer == "tar":
        return gzip.compress(_edit(tar, *args), mtime=0)
    if layer == "header":
        return gzip.compress(_header_field(tar, *args), mtime=0)
    members = _members(tar)
    manifest = _edit(members[0][1], *args)
    signature = key.sign(manifest) if layer == "manifest-resigned" else members[1][1]
    return gzip.compress(_ustar([("manifest.json", manifest), ("manifest.sig", signature)] + members[2:]), mtime=0)


@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(_mutation(), min_size=1, max_size=2))
def test_fuzzed_bundles_never_crash_ingest_nor_change_the_live_site(fuzz_base, tmp_path_factory, mutations):
    """Ingest exits 0 or 7, never 3, under a 512 MiB address-space cap and a CPU cap; the live release is
    unchanged after every refusal, and the next good bundle installs. Derandomized: the same cases on every run
    (50 of them, one or two mutations each: about 15 s, within the suite's time budget)."""
    d, genuine, after, worker = fuzz_base
    key = keys.load_private(d.key)
    data = genuine
    for mutation in mutations:
        try:
            data = _mutate(data, key, mutation)
        except (OSError, EOFError, tarfile.TarError, zlib.error, ValueError, IndexError):
            break  # an earlier mutation left nothing the next layer can take apart: fuzz what we have
    root = tmp_path_factory.mktemp("case") / "headend"
    shutil.copytree(d.headend, root, symlinks=True, copy_function=os.link)  # ingest never writes in place
    before = snapshot(root / "current")
    (root / "drop" / "fuzzed.tar.gz").write_bytes(data)
    reply = worker.ingest(root, NOW + timedelta(hours=1))
    assert reply["code"] in (0, 7), reply.get("error")
    assert reply["cpu"] < FUZZ_CPU
    served = snapshot(root / "current")
    resigned = any(m[0] == "manifest-resigned" for m in mutations)
    if "installed" in reply["statuses"] and resigned:  # signed with the real key: what it names, within the themes
        assert all(path.split("/")[0] in ("tv", "mobile") for path in served), sorted(set(served) - set(after))
    elif "installed" in reply["statuses"]:  # a change the format tolerates (e.g. the gzip header's time): the same site
        assert served == after
    else:
        assert served == before and reply["statuses"] == ["rejected"]
        (root / "drop" / "good.tar.gz").write_bytes(genuine)  # and the next good bundle still goes in
        reply = worker.ingest(root, NOW + timedelta(hours=1))
        assert reply["code"] == 0 and reply["statuses"] == ["installed"], reply
        assert snapshot(root / "current") == after
    # (no rmtree: pytest's tmp_path retention removes the cases; unlinking them here costs more than ingest)


def test_a_signed_path_outside_the_theme_folders_is_refused(live, tmp_path):
    """A bundle holds tv/ and mobile/ and nothing beside them: a signed 'lobile/…' (found by the fuzz test with a
    re-signed manifest) would have been served as a new top-level folder."""
    doc = manifest_doc("xg/cs", V, {"lobile/xg/cs/index.html": b"x"})
    bad = craft(tmp_path / "other-folder.tar.gz", doc, _signed(live), [])
    refused(live, bad, "outside the theme folders")


def test_a_directory_entry_is_refused(live, tmp_path):
    """Only plain files: a directory (or any other special) entry is refused, not merely skipped (a mutant letting
    such entries through went unnoticed)."""
    doc = manifest_doc("xg/cs", V, {"tv/xg/cs/index.html": b"x"})
    entry = tarfile.TarInfo(f"objects/{doc['objects'][0]}")
    entry.type = tarfile.DIRTYPE
    bad = craft(tmp_path / "directory.tar.gz", doc, _signed(live), [entry])
    refused(live, bad, "only regular file entries are allowed")


# ---- issue 14: releases composed from per-village store folders; cost follows the changed village ----------------


def _tree(root):
    """Every path below `root` (links not followed): path -> (kind, inode)."""
    found = {}
    for top, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(top, name)
            info = os.lstat(path)
            kind = "link" if os.path.islink(path) else "dir" if os.path.isdir(path) else "file"
            found[os.path.relpath(path, root)] = (kind, info.st_ino)
    return found


def _delta(live, hours=1, village="cs"):
    touch_page(live, village, note=str(hours))
    bundle_now(live, now=NOW + timedelta(hours=hours))
    bundle = f"xg/{village}"
    base = json.loads((live.headend / "drop/acks.json").read_text())["bundles"][bundle]["active"]
    return make_delta(live.store, bundle, base, live.private())


def test_a_release_is_the_city_files_and_one_link_per_village_into_the_store(live):
    root = live.headend.resolve()
    release = root / "releases" / "r-000001"
    links = {p: os.readlink(release / p) for p, (kind, _) in _tree(release).items() if kind == "link"}
    assert sorted(links) == ["mobile/xg/cs", "mobile/xg/cs2", "tv/xg/cs", "tv/xg/cs2"]
    for p, target in links.items():
        assert not os.path.isabs(target) and target.startswith("../../../../store/")
        assert (release / p).resolve().is_relative_to(root / "store")
    files = [p for p, (kind, _) in _tree(release).items() if kind == "file" and not p.startswith(".sitegen")]
    assert files and not [p for p in files if len(p.split("/")) > 3 and p.split("/")[2] in ("cs", "cs2")]
    # everything the web server can reach through `current` lies inside the headend root
    for top, _, names in os.walk(root / "current", followlinks=True):
        for name in names:
            assert Path(top, name).resolve().is_relative_to(root), Path(top, name)


def test_one_villages_delta_creates_and_links_nothing_of_the_others(live):
    before = _tree(live.headend)
    delta = _delta(live)
    result = ingest(live.headend, [delta], now=NOW + timedelta(hours=1))
    assert result.activated == "r-000002" and live.served() == site_of(live.output)
    after = _tree(live.headend)
    created = sorted(set(after) - set(before))
    stored = [p for p in created if p.startswith("store/")]
    # in the store: only a new folder of the changed village
    assert stored and all(p.startswith("store/xg.cs/") for p in stored), stored
    # in the release: the city's files (hard links to the store's, no new content) and one link per village
    # and theme; no file of any village is created or linked there
    release = [p for p in created if p.startswith("releases/r-000002/")]
    village_paths = [p for p in release if len(p.split("/")) > 5 and p.split("/")[4] in ("cs", "cs2")]
    assert village_paths == []
    for p in release:
        kind, ino = after[p]
        if kind == "file" and "/.sitegen" not in p:
            rel = p.split("/", 2)[2]
            city = [q for q in after if q.startswith("store/city/") and q.endswith("/" + rel)]
            assert any(after[q][1] == ino for q in city), p
    # the untouched village keeps its store folder, the same one the previous release links to
    old, new = (os.readlink(live.headend / f"releases/{r}/tv/xg/cs2") for r in ("r-000001", "r-000002"))
    assert old == new
    assert os.readlink(live.headend / "releases/r-000001/tv/xg/cs") != os.readlink(
        live.headend / "releases/r-000002/tv/xg/cs"
    )


def test_store_folders_no_kept_release_uses_are_removed_and_rollback_still_works(live):
    for n in range(1, 4):
        (live.drop / "d.tar.gz").write_bytes(_delta(live, n).read_bytes())
        assert ingest(live.headend, now=NOW + timedelta(hours=n), keep=2).activated
    assert releases(live) == ["r-000003", "r-000004"]
    head = Headend(live.headend)
    used = {info["store"] for r in ("r-000003", "r-000004") for info in head.record(r)["bundles"].values()}
    stored = {f"{s.name}/{v.name}" for s in (live.headend / "store").iterdir() for v in s.iterdir()}
    assert stored == used and len([u for u in used if u.startswith("xg.cs/")]) == 2
    served = live.served()
    assert rollback(live.headend) == ("r-000004", "r-000003")
    assert live.served() != served and live.served() == snapshot(live.headend / "releases" / "r-000003")
    assert all((live.headend / "current" / p).is_file() for p in live.served())


def test_a_city_path_through_a_village_link_never_writes_into_the_store(live, tmp_path, monkeypatch):
    """Were the namespace check ever bypassed, laying the release out still cannot write through a village's
    link: the city's files go first, and the village's link then finds its name taken."""
    monkeypatch.setattr(ingest_module, "_check_namespaces", lambda *a, **k: None)
    city = {p: (live.headend / "current" / p).read_bytes() for p in ("tv/index.html", "mobile/index.html")}
    evil = _crafted(live, tmp_path, "city", V, {**city, "tv/xg/cs/evil.html": b"city's"})
    store, served = _tree(live.headend / "store"), live.served()
    with pytest.raises(HeadendFault):
        ingest(live.headend, [evil], now=NOW)
    now = _tree(live.headend / "store")
    assert {p: now[p] for p in store} == store and live.served() == served  # nothing there changed
    assert all(p.startswith("city/") for p in set(now) - set(store))  # the refused city's own folder, if any
    assert not list((live.headend / "store" / "xg.cs").rglob("evil.html"))


@pytest.mark.parametrize("name", ["../../../etc", "xg.cs/v1-0123456789abcdef/../../..", "/etc/v1-0123456789abcdef"])
def test_a_release_record_naming_a_folder_outside_the_store_is_the_headends_fault(live, name):
    head = Headend(live.headend)
    record_path = live.headend / "releases" / "r-000001" / ".sitegen" / "release.json"
    record = json.loads(record_path.read_text())
    record["bundles"]["xg/cs2"]["store"] = name
    record_path.write_text(json.dumps(record))
    served = live.served()
    with pytest.raises(HeadendFault):
        ingest(live.headend, [_delta(live)], now=NOW + timedelta(hours=1))
    assert head.active() == "r-000001" and live.served() == served


def test_a_release_of_an_older_sitegen_is_moved_into_the_store_once(live):
    """A headend upgraded in place: its live release is a full tree with the files listed in the record."""
    head = Headend(live.headend)
    release = live.headend / "releases" / "r-000001"
    record = head.record("r-000001")
    legacy = {
        "bundles": {
            b: {"version": i["version"], "files": head.files(i, "r-000001")} for b, i in record["bundles"].items()
        }
    }
    full = live.headend / "full"
    shutil.copytree(release, full, symlinks=False)
    shutil.rmtree(release)
    full.rename(release)
    (release / ".sitegen" / "release.json").write_text(json.dumps(legacy))
    shutil.rmtree(live.headend / "store")
    served = live.served()
    result = ingest(live.headend, [_delta(live)], now=NOW + timedelta(hours=1))
    assert result.activated == "r-000002" and live.served() == site_of(live.output) != served
    assert os.path.islink(live.headend / "releases/r-000002/tv/xg/cs2")
    assert rollback(live.headend) == ("r-000002", "r-000001") and live.served() == served


def test_a_store_file_list_with_a_path_out_of_the_release_is_the_headends_fault(live):
    """The store's file lists are ours, yet their paths are checked before anything is linked by them."""
    head = Headend(live.headend)
    city = head.folder(head.record("r-000001")["bundles"]["city"], "r-000001")
    files = json.loads((city / ".sitegen-files.json").read_text())
    files["../../../../outside.html"] = files["tv/index.html"]
    (city / ".sitegen-files.json").write_text(json.dumps(files))
    with pytest.raises(HeadendFault):
        ingest(live.headend, [_delta(live)], now=NOW + timedelta(hours=1))
    assert head.active() == "r-000001" and not (live.headend.parent / "outside.html").exists()
    assert not list(live.headend.parent.parent.glob("outside.html"))


# ---- a first ingest's memory, and what is read twice (issue 14) -------------------------------------------------


def test_a_first_ingest_holds_one_bundles_manifest_at_a_time(live, tmp_path, monkeypatch):
    """A release is assembled all or nothing, yet a first ingest must not hold every bundle's file list until then
    (~8 MiB a village: 2 GiB at 252 villages). Choosing keeps a small _Header per bundle; each bundle is then taken
    in its turn (its store folder laid out in the work folder) and its manifest dropped. When a bundle's objects
    are read, no other bundle's manifest is alive, and none is when the release is assembled."""
    root = tmp_path / "fresh"
    root.mkdir()
    shutil.copyfile(live.headend / "publisher.pub", root / "publisher.pub")
    paths = [i.path for i in bundle_now(live)]
    gc.collect()
    before = [o for o in gc.get_objects() if type(o) is Manifest]  # held here, so never counted below
    seen: list[tuple[str, list[str]]] = []

    def alive() -> list[str]:
        gc.collect()
        return sorted(o.bundle for o in gc.get_objects() if type(o) is Manifest and not any(o is b for b in before))

    real_objects, real_assemble = ingest_module._Reader.objects, ingest_module._assemble

    def objects(reader, manifest, create):
        seen.append((manifest.bundle, alive()))
        return real_objects(reader, manifest, create)

    def assemble(*args):
        seen.append(("assembling", alive()))
        return real_assemble(*args)

    monkeypatch.setattr(ingest_module._Reader, "objects", objects)
    monkeypatch.setattr(ingest_module, "_assemble", assemble)
    result = ingest(root, paths, now=NOW)
    assert result.activated == "r-000001" and not result.rejected
    assert seen == [("city", ["city"]), ("xg/cs", ["xg/cs"]), ("xg/cs2", ["xg/cs2"]), ("assembling", [])]
    assert snapshot(root / "current") == live.served()


def test_a_bundle_is_read_once_so_rewriting_it_after_its_read_changes_nothing(live, tmp_path, monkeypatch):
    """Each bundle is read once, its objects checked into the work folder in that read; nothing is read from the
    bundle file again. A bundle file rewritten in place once it has been read (here by another genuine, newer
    bundle of the same village, while bundles are chosen) changes nothing: what was verified is what goes live."""
    first, second = (tmp_path / n for n in ("first.tar.gz", "second.tar.gz"))
    first.write_bytes(newer_bundle(live, hours=1).read_bytes())
    expected = site_of(live.output)
    second.write_bytes(newer_bundle(live, hours=2).read_bytes())
    real_check = ingest_module._check_namespaces

    def check(*args):
        with open(live.drop / "xg.cs.tar.gz", "r+b") as f:  # the same file, as ingest holds it open
            f.write(second.read_bytes())
            f.truncate()
        return real_check(*args)

    monkeypatch.setattr(ingest_module, "_check_namespaces", check)
    (live.drop / "xg.cs.tar.gz").write_bytes(first.read_bytes())
    result = ingest(live.headend, now=NOW + timedelta(hours=2), max_age=timedelta(days=3650))
    one_hour = int((NOW + timedelta(hours=1)).strftime("%Y%m%d%H%M%S"))  # the first bundle's version
    assert [(o.status, o.version) for o in result.outcomes] == [("installed", one_hour)], result.outcomes
    assert result.activated == "r-000002" and live.served() == expected != site_of(live.output)


@pytest.mark.parametrize("change", ["drop a page", "add a page"])
def test_a_store_file_list_changed_after_verification_is_never_used(live, tmp_path, monkeypatch, change):
    """A verified bundle's file list is written to its store folder in the work folder and the city's is read
    back when the release is laid out; every read checks it against the content digest in the folder's name
    (taken from the verified manifest), so a list changed in between (a page dropped from the served site,
    another file served under a new name) is the headend's fault and nothing is activated."""
    real_stage = ingest_module._stage

    def stage(*args):
        staged = real_stage(*args)
        if staged.folder is not None and staged.entry["store"].startswith("city/"):
            listed = staged.folder / ".sitegen-files.json"
            files = json.loads(listed.read_text())
            if change == "drop a page":
                del files["tv/index.html"]
            else:
                files["tv/extra.html"] = files["tv/index.html"]
                os.link(staged.folder / "tv/index.html", staged.folder / "tv/extra.html")
            listed.write_text(json.dumps(files))
        return staged

    monkeypatch.setattr(ingest_module, "_stage", stage)
    city = {p: (live.headend / "current" / p).read_bytes() for p in ("tv/index.html", "mobile/index.html")}
    new_city = _crafted(live, tmp_path, "city", V, {**city, "tv/new.html": b"new"})
    served = live.served()
    with pytest.raises(HeadendFault, match="content digest"):
        ingest(live.headend, [new_city], now=NOW)
    assert Headend(live.headend).active() == "r-000001" and live.served() == served


def test_a_fault_after_some_bundles_are_staged_leaves_the_store_and_the_site_as_they_were(live, monkeypatch):
    """Verified bundles wait for the release as store folders laid out in the work folder, not in store/: a
    headend fault while the next bundle is taken (here its store folder cannot be laid out) leaves store/, the
    releases and `current` as they were, removes the work folder, and both bundles stay in drop for the next run."""
    for village in ("cs", "cs2"):
        touch_page(live, village, note="staged")
    infos = {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=1))}
    for bundle in ("xg/cs", "xg/cs2"):
        (live.drop / infos[bundle].path.name).write_bytes(infos[bundle].path.read_bytes())
    real_stage, calls = ingest_module._stage, []

    def stage(*args):
        calls.append(args[1])
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_stage(*args)

    monkeypatch.setattr(ingest_module, "_stage", stage)
    store, served, names = _tree(live.headend / "store"), live.served(), releases(live)
    with pytest.raises(HeadendFault, match="store folder"):
        ingest(live.headend, now=NOW + timedelta(hours=1))
    assert sorted(calls) == ["xg/cs", "xg/cs2"]  # in the drop folder's order
    assert _tree(live.headend / "store") == store and live.served() == served and releases(live) == names
    assert not list(live.headend.glob(".tmp-*"))
    assert sorted(p.name for p in live.drop.glob("*.tar.gz")) == sorted(infos[b].path.name for b in ("xg/cs", "xg/cs2"))
    monkeypatch.undo()
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert result.activated == "r-000002" and live.served() == site_of(live.output)


# ---- a first ingest's CPU (issue 14, h50) -------------------------------------------------------------------------


def _header_with(mode: bytes, uid: bytes, gid: bytes, mtime: bytes) -> bytes:
    block = bytearray(_raw_header(b"objects/" + b"a" * 64, 5, b"0"))
    block[100:108], block[108:116], block[116:124], block[136:148] = mode, uid, gid, mtime
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


@pytest.mark.parametrize(
    "fields, accepted",
    [
        ((b"0000644\0", b"0000000\0", b"0000000\0", b"00000000000\0"), True),  # what tarfile writes
        (
            (b"000644 \0", b"000000 \0", b"0\0\0\0\0\0\0\0", b"0000000000 \0"),
            True,
        ),  # the same numbers spelled otherwise
        ((b"0000755\0", b"0000000\0", b"0000000\0", b"00000000000\0"), False),
        ((b"0000644\0", b"0000001\0", b"0000000\0", b"00000000000\0"), False),
        ((b"0000644\0", b"0000000\0", b"0000000\0", b"00000000001\0"), False),
        ((b"0000644\0", b"0000000\0", b"0000000\0", b"0000000000x\0"), False),
    ],
)
def test_an_entry_header_is_compared_at_once_yet_read_field_by_field_when_spelled_otherwise(fields, accepted):
    """Our writer's mode, owner and time fields are compared as one byte string (a bundle has ~5,000 headers);
    anything else is still read as octal numbers, so the same values spelled otherwise pass and others fail."""
    block = _header_with(*fields)
    if accepted:
        assert ingest_module._entry(block) == ("objects/" + "a" * 64, 5)
    else:
        with pytest.raises(BundleError, match="mode 644"):
            ingest_module._entry(block)


def _ours_with(offset: int, blob: bytes, checksum: bool = True) -> bytes:
    """Our writer's header of an object (tarfile's bytes), changed at `offset`, its checksum made right again."""
    block = bytearray(tarfile.TarInfo("objects/" + "a" * 64).tobuf(tarfile.USTAR_FORMAT))
    block[offset : offset + len(blob)] = blob
    if checksum:
        block[148:156] = b" " * 8
        block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


@pytest.mark.parametrize(
    "offset, blob, checksum, match",
    [
        (148, b"077777", False, "checksum"),
        (99, b"x", True, "entry header not in the bundle format"),  # the name's NUL padding
        (0, b"/", True, "absolute or '..'"),
        (0, b"objects/../x\0", True, "absolute or '..'"),
        (0, "村".encode(), True, "entry header not in the bundle format"),
        (124, b"0000000000x\0", True, "entry header not in the bundle format"),
        (156, b"2", True, "link entries"),
        (156, b"5", True, "only regular file entries"),
        (157, b"x", True, "entry header not in the bundle format"),  # a link name
        (257, b"ustar ", True, "entry header not in the bundle format"),
        (265, b"root", True, "entry header not in the bundle format"),  # an owner name
        (345, b"x", True, "entry header not in the bundle format"),  # a prefix
        (100, b"0000755\0", True, "mode 644"),
    ],
    ids=[
        *("checksum", "name-padding", "absolute", "dotdot", "non-ascii", "size", "link", "folder", "link-name"),
        *("magic", "owner-name", "prefix", "mode"),
    ],
)
def test_our_writers_entry_headers_are_read_at_once_and_any_change_is_still_refused(offset, blob, checksum, match):
    """A header exactly as our writer makes it (all but its name, size and checksum fixed) is read without parsing
    its fields; any header that differs from that in one place is read field by field and refused as before."""
    ours = _ours_with(0, b"objects/" + b"a" * 64)
    assert ingest_module._entry(ours) == ("objects/" + "a" * 64, 0)
    assert ingest_module._entry(_ours_with(124, b"%011o\0" % 70000)) == ("objects/" + "a" * 64, 70000)
    with pytest.raises(BundleError, match=re.escape(match)):
        ingest_module._entry(_ours_with(offset, blob, checksum))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest_module, "_octal", None)  # not called for our writer's header
        assert ingest_module._entry(ours) == ("objects/" + "a" * 64, 0)


def test_a_first_ingest_reads_each_bundle_once_and_writes_each_object_at_its_place(live, tmp_path, monkeypatch):
    """A first ingest reads each bundle once (h55): its signed manifest, checked path by path, then its objects in
    the same read. Each object is written straight to its first path in the store folder laid out in the work
    folder (no file is renamed: only whole folders are, into store/ and releases/), its further paths linked to it;
    the served site is the build's."""
    root = tmp_path / "fresh"
    root.mkdir()
    shutil.copyfile(live.headend / "publisher.pub", root / "publisher.pub")
    paths = [i.path for i in bundle_now(live)]
    parsed: list[str] = []
    real_from_bytes = Manifest.from_bytes.__func__  # type: ignore[attr-defined]

    def from_bytes(cls, data):
        m = real_from_bytes(cls, data)
        parsed.append(m.bundle)
        return m

    monkeypatch.setattr(Manifest, "from_bytes", classmethod(from_bytes))
    opened: list[int] = []
    real_stream = ingest_module._Stream.__init__

    def stream(self, fd, limit):
        opened.append(fd)
        real_stream(self, fd, limit)

    monkeypatch.setattr(ingest_module._Stream, "__init__", stream)
    renamed: list[str] = []
    real_rename, real_sync = os.rename, os.sync

    def rename(src, dest, *args, **kwargs):
        renamed.append(f"folder into {Path(dest).parent.parent.name}" if os.path.isdir(src) else str(src))
        return real_rename(src, dest, *args, **kwargs)

    monkeypatch.setattr(ingest_module.os, "rename", rename)
    monkeypatch.setattr(ingest_module.os, "sync", lambda: renamed.append("sync") or real_sync())
    result = ingest(root, paths, now=NOW)
    assert result.activated == "r-000001" and not result.rejected
    assert sorted(parsed) == ["city", "xg/cs", "xg/cs2"] and len(opened) == 3  # one read a bundle
    # no file renamed; the store folders synced before they are renamed into store/, the release before releases/
    assert renamed == ["sync", *["folder into store"] * 3, "sync", "folder into fresh"]
    assert snapshot(root / "current") == live.served()


def test_ingest_shows_its_progress_at_a_terminal_and_nothing_more_for_cron(live, tmp_path):
    """An operator's `sitegen ingest` (stderr a terminal) shows the bundles verified and taken, of all, redrawn in
    place and cleared at the end; cron's (stderr not a terminal) prints the outcomes only, on the same stdout."""
    paths = [i.path for i in bundle_now(live)]
    runs = {}
    for how in ("terminal", "cron"):
        root = tmp_path / how
        root.mkdir()
        shutil.copyfile(live.headend / "publisher.pub", root / "publisher.pub")
        if how == "terminal":
            runs[how] = at_a_terminal("ingest", "--root", root, *paths)
        else:
            r = sitegen("ingest", "--root", root, *paths)
            runs[how] = (r.returncode, r.stdout, r.stderr)
        assert runs[how][0] == 0, runs[how]
        assert snapshot(root / "current") == live.served()
    code, out, shown = runs["terminal"]
    assert "\r接收 take: 3/3 个包 bundles" in shown and "verify" not in shown  # one read a bundle: one step
    assert "启用 activate" in shown and shown.endswith("\r")  # the line cleared: the outcomes stay alone on stdout
    assert out == runs["cron"][1] and "installed" in out
    assert runs["cron"][2] == ""
