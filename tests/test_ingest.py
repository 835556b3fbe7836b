"""Stage 10, ingest at the headend: only signed, intact, current bundles are served, and always atomically."""
from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from datetime import timedelta

import pytest

from sitegen import keys
from sitegen.bundle import Store, make_bundles, make_delta
from sitegen.ingest import ingest, rollback
from sitegen.pipeline import build
from tests.deploykit import (NOW, bundle_now, clone, craft, deploy, kill, manifest_doc, paused, sitegen, snapshot,
                             touch_page)


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
    before, names = live.served(), releases(live)
    live.drop.mkdir(exist_ok=True)
    dropped = live.drop / bundle.name
    if bundle != dropped:
        dropped.write_bytes(bundle.read_bytes())
    result = ingest(live.headend, now=now)
    assert result.activated is None
    assert [o.status for o in result.outcomes] == ["rejected"], result.outcomes
    reason = result.outcomes[0].reason
    assert any(m in reason for m in ((match,) if isinstance(match, str) else match)), reason
    assert live.served() == before and releases(live) == names
    assert (live.drop / "rejected" / bundle.name).is_file() and not dropped.exists()
    assert (live.drop / "rejected" / f"{bundle.name}.reason.txt").read_text("utf-8").strip() == reason
    return result.outcomes[0].reason


def newer_bundle(live, hours=1):
    touch_page(live, note=str(hours))
    return {i.bundle: i for i in bundle_now(live, now=NOW + timedelta(hours=hours))}["xg/cs"].path


def test_a_flipped_byte_is_refused(live, tmp_path):
    original = newer_bundle(live)
    # in the compressed stream
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "a").mkdir()
    flipped = tmp_path / "a" / original.name
    flipped.write_bytes(bytes(data))
    reason = refused(live, flipped, ("damaged archive", "SHA-256 differs"))
    assert reason.startswith(("包已损坏", "文件内容"))
    # inside a file's bytes, recompressed so that only the hash can tell
    tar = bytearray(gzip.decompress(original.read_bytes()))
    at = tar.index(b"<!DOCTYPE html>") if b"<!DOCTYPE html>" in tar else tar.index(b"<html")
    tar[at + 3] ^= 0x01
    (tmp_path / "b").mkdir()
    tampered = tmp_path / "b" / original.name
    tampered.write_bytes(gzip.compress(bytes(tar), mtime=0))
    refused(live, tampered, "SHA-256 differs from the manifest (tampered)")
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
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
    refused(live, craft(tmp_path / "unsigned.tar.gz", doc, None, [], with_signature=False), "unsigned bundle")


def _signed(live):
    return keys.load_private(live.key)


def test_an_entry_named_dotdot_is_refused(live, tmp_path):
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
    bad = craft(tmp_path / "dotdot.tar.gz", doc, _signed(live), [("../x", b"x")])
    refused(live, bad, "entry path not allowed (absolute or '..'): ../x")
    assert not (live.headend / "x").exists() and not (live.headend.parent / "x").exists()


def test_a_manifest_path_with_dotdot_or_absolute_is_refused(live, tmp_path):
    for n, path in enumerate(("tv/xg/cs/../../../../x", "/etc/passwd")):
        doc = manifest_doc("city", 2099010100000000 + n, {path: b"x"})
        bad = craft(tmp_path / f"path{n}.tar.gz", doc, _signed(live), [(f"objects/{doc['objects'][0]}", b"x")])
        refused(live, bad, "path not allowed in the manifest")


def test_a_village_bundle_may_only_write_inside_its_village(live, tmp_path):
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/index.html": b"x"})
    bad = craft(tmp_path / "scope.tar.gz", doc, _signed(live), [(f"objects/{doc['objects'][0]}", b"x")])
    refused(live, bad, "outside the village")


@pytest.mark.parametrize("path, message", [("tv/xg/cs/index.html", "writes inside a village folder"),
                                           ("tv/xg", "writes inside a village folder"),
                                           ("tv/a", "both a file and a folder")])
def test_the_city_bundle_may_not_take_a_village_folder(live, tmp_path, path, message):
    files = {path: b"x", "tv/index.html": b"y"} if path != "tv/a" else {"tv/a": b"x", "tv/a/b.html": b"y"}
    doc = manifest_doc("city", 2099010100000000, files)
    bad = craft(tmp_path / "city.tar.gz", doc, _signed(live), [(f"objects/{sha}", blob) for sha, blob in
                                                               sorted((_sha(b), b) for b in set(files.values()))])
    refused(live, bad, message)


def _sha(blob: bytes) -> str:
    import hashlib
    return hashlib.sha256(blob).hexdigest()


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "device"])
def test_link_and_device_entries_are_refused(live, tmp_path, kind):
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
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
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
    bad = craft(tmp_path / "extra.tar.gz", doc, _signed(live),
                [(f"objects/{doc['objects'][0]}", b"x"), ("objects/" + "0" * 64, b"y")])
    refused(live, bad, "object not in the manifest")
    bad = craft(tmp_path / "missing.tar.gz", doc, _signed(live), [])
    refused(live, bad, "object(s) missing")


def test_a_good_bundle_next_to_a_bad_one_is_still_taken(live, tmp_path):
    good = newer_bundle(live)
    doc = manifest_doc("xg/cs2", 2099010100000000, {"tv/xg/cs2/index.html": b"x"})
    craft(live.drop / "bad.tar.gz", doc, None, [], with_signature=False)
    (live.drop / good.name).write_bytes(good.read_bytes())
    result = ingest(live.headend, now=NOW + timedelta(hours=1))
    assert result.activated == "r-000002"
    assert sorted(o.status for o in result.outcomes) == ["installed", "rejected"]
    assert live.served() == site_of(live.output)


def test_cli_ingest_exit_codes(live, tmp_path):
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
    craft(live.drop / "bad.tar.gz", doc, None, [], with_signature=False)
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 7 and "unsigned bundle" in r.stderr and "Traceback" not in r.stderr
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 0 and "no bundles" in r.stdout
    r = sitegen("ingest", "--root", live.headend, "--rollback")
    assert r.returncode == 3 and "no earlier release" in r.stderr


def test_killed_during_ingest_the_previous_release_stays_served(live, tmp_path):
    before = live.served()
    bundle = newer_bundle(live)
    (live.drop / bundle.name).write_bytes(bundle.read_bytes())
    # stop right after the new release is fully staged, just before the switch
    proc = paused(tmp_path / "marker", "sitegen.ingest:_assemble", "ingest", "--root", live.headend)
    kill(proc)
    assert any((live.headend / "releases").glob(".tmp-*"))  # the staged release it was about to switch to
    assert live.served() == before and os.readlink(live.headend / "current") == "releases/r-000001"
    # during extraction too (the first object written)
    proc = paused(tmp_path / "marker2", "sitegen.ingest:_Reader._objects", "ingest", "--root", live.headend,
                  when="before")
    kill(proc)
    assert live.served() == before
    r = sitegen("ingest", "--root", live.headend)
    assert r.returncode == 0, r.stdout + r.stderr
    assert live.served() == site_of(live.output) != before
    assert not list((live.headend / "releases").glob(".tmp-*")) and not list(live.headend.glob(".tmp-*"))
    assert releases(live) == ["r-000001", "r-000002"]


def test_a_huge_manifest_is_refused_before_it_is_read(live, tmp_path):
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = 100 << 30  # claimed only: the data is not there
        tar.addfile(info)
    path = tmp_path / "big.tar.gz"
    path.write_bytes(raw.getvalue())
    refused(live, path, "too large")


def test_a_directory_entry_is_refused(live, tmp_path):
    """Only plain files: a directory (or any other special) entry is refused, not merely skipped (a mutant letting
    such entries through went unnoticed)."""
    doc = manifest_doc("xg/cs", 2099010100000000, {"tv/xg/cs/index.html": b"x"})
    entry = tarfile.TarInfo(f"objects/{doc['objects'][0]}")
    entry.type = tarfile.DIRTYPE
    bad = craft(tmp_path / "directory.tar.gz", doc, _signed(live), [entry])
    refused(live, bad, "only regular file entries are allowed")
