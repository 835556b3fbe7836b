"""Stage 8, bundle: deterministic signed archives per village and for the city, versions, deltas, keys."""

from __future__ import annotations

import functools
import gc
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import tarfile
import zlib
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from sitegen.deploy import bundle as bundle_module
from sitegen.deploy import keys
from sitegen.deploy.bundle import (
    CITY,
    BundleError,
    Manifest,
    Store,
    make_bundles,
    make_delta,
    plan,
    renewal_margin,
)
from tests.conftest import published
from tests.deploykit import NOW, bundle_now, change_voucher, clone, deploy, sitegen, snapshot, touch_page


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    d = deploy(tmp_path_factory.mktemp("bundle") / "base")
    build(d.content, d.output)
    return d


@pytest.fixture
def built(base, tmp_path):
    """The two-village city, built (not yet bundled)."""
    return clone(base, tmp_path / "built")


def members(path):
    with tarfile.open(path, "r:gz") as tar:
        return tar.getmembers(), {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_one_bundle_per_village_and_one_for_the_city(built):
    bundles = plan(built.output)
    assert set(bundles) == {CITY, "xg/cs", "xg/cs2"}
    everything = {
        p.relative_to(built.output).as_posix()
        for theme in ("tv", "mobile")
        for p in (built.output / theme).rglob("*")
        if published(p, built.output)
    }
    assert set().union(*(set(files) for files in bundles.values())) == everything
    for village in ("xg/cs", "xg/cs2"):
        paths = set(bundles[village])
        assert {p.split("/")[0] for p in paths} == {"tv", "mobile"}
        assert all(p.split("/")[1:3] == village.split("/") for p in paths)
    city = set(bundles[CITY])
    assert {"tv/index.html", "mobile/index.html", "tv/xg/index.html", "tv/static/tv.js"} <= city
    assert not any(p.startswith(("tv/xg/cs/", "tv/xg/cs2/")) for p in city)


def test_two_bundles_of_the_same_build_are_byte_identical(built, tmp_path):
    first = bundle_now(built)
    other = Store(tmp_path / "other-bundles")
    second = make_bundles(built.output, other, built.private(), now=NOW)
    assert [(i.bundle, i.version) for i in first] == [(i.bundle, i.version) for i in second]
    for a, b in zip(first, second):
        assert a.path.read_bytes() == b.path.read_bytes(), a.bundle
    # and again in the same bundle folder, even after the archive is lost: the same version, the same bytes
    before = {i.bundle: i.path.read_bytes() for i in first}
    for i in first:
        i.path.unlink()
    again = bundle_now(built, now=NOW + timedelta(hours=3))
    assert all(not i.changed for i in again)
    assert {i.bundle: i.path.read_bytes() for i in again} == before


def test_archive_is_deterministic_ustar_with_fixed_owners_and_times(built):
    info = next(i for i in bundle_now(built) if i.bundle == "xg/cs")
    raw = info.path.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip header: mtime 0
    assert not raw[3] & 0x08  # no file name in the gzip header
    entries, data = members(info.path)
    names = [m.name for m in entries]
    assert names[:2] == ["manifest.json", "manifest.sig"]
    assert names[2:] == sorted(names[2:]) and all(n.startswith("objects/") for n in names[2:])
    for m in entries:
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) == (0, 0, 0, "", "", 0o644)
        assert m.type == tarfile.REGTYPE and not m.pax_headers
    assert b"PaxHeader" not in gzip.decompress(raw)
    manifest = Manifest.from_bytes(data["manifest.json"])
    keys.load_public(keys.public_path(built.key)).verify(data["manifest.sig"], data["manifest.json"])
    doc = json.loads(data["manifest.json"])
    assert list(doc) == sorted(doc) and doc["village"] == "xg/cs" and doc["kind"] == "full"
    assert manifest.version == info.version == int(NOW.strftime("%Y%m%d%H%M%S"))
    assert manifest.expires == (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for path, entry in manifest.files.items():
        blob = (built.output / path).read_bytes()
        assert entry.size == len(blob) and entry.sha256 == hashlib.sha256(blob).hexdigest()
        assert data[f"objects/{entry.sha256}"] == blob
    # each distinct content is carried once: the TV and phone sites share their images
    assert len(names) - 2 == len({e.sha256 for e in manifest.files.values()}) < len(manifest.files)


def test_version_grows_only_when_the_content_changes(built):
    first = {i.bundle: i.version for i in bundle_now(built)}
    touch_page(built)
    # a clock that went backwards still gives a bigger version
    second = {i.bundle: (i.version, i.changed) for i in bundle_now(built, now=NOW - timedelta(days=2))}
    assert second["xg/cs"] == (first["xg/cs"] + 1, True)
    assert second["xg/cs2"] == (first["xg/cs2"], False)
    assert second[CITY] == (first[CITY], False)


def test_a_bundle_is_renewed_before_it_expires(built):
    first = {i.bundle: i.version for i in bundle_now(built)}
    assert not any(i.changed for i in bundle_now(built, now=NOW + timedelta(days=14)))  # over half of 30 days left
    later = bundle_now(built, now=NOW + timedelta(days=23))  # under a quarter left: every bundle renewed
    assert all(i.changed and i.version > first[i.bundle] for i in later)


def test_the_bundles_of_one_first_publish_renew_on_different_days_and_stay_spread(built):
    """Made together, the bundles are renewed each at its own margin (renewal_margin), not all in one run; a
    renewed bundle's next renewal is a full margin later again, and none comes under a quarter of its validity."""
    valid = timedelta(days=30)
    expires = {i.bundle: NOW + valid for i in bundle_now(built)}
    days_renewed: dict[str, list[int]] = {b: [] for b in expires}
    for day in range(1, 50):
        moment = NOW + timedelta(days=day)
        for info in bundle_now(built, now=moment):
            left = expires[info.bundle] - moment
            assert left > valid / 4
            assert info.changed == (left < renewal_margin(info.bundle, valid)), (info.bundle, day)
            if info.changed:
                expires[info.bundle] = moment + valid
                days_renewed[info.bundle].append(day)
    for days in days_renewed.values():  # each at its own pace, run after run: they stay apart
        assert len(days) >= 2 and len({b - a for a, b in zip(days, days[1:], strict=False)}) == 1, days_renewed
    assert len({days[0] for days in days_renewed.values()}) == len(days_renewed)  # no two on the same day


def test_renewal_margins_fill_a_quarter_of_the_validity_evenly():
    valid = timedelta(days=30)
    margins = [renewal_margin(f"t{n:02d}.v{n * 7 % 1000:03d}", valid) for n in range(2000)]
    assert all(valid / 4 < m <= valid / 2 for m in margins)
    eighths = Counter(int((valid / 2 - m) / (valid / 32)) for m in margins)
    assert sorted(eighths) == list(range(8)) and min(eighths.values()) > 2000 / 8 * 0.7


def test_delta_carries_changed_files_and_deletions(built, monkeypatch):
    base = {i.bundle: i for i in bundle_now(built)}["xg/cs"]
    touch_page(built)
    for theme in ("tv", "mobile"):  # a page goes away
        (built.output / theme / "xg/cs/rules/index.html").unlink()
    new = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1))}["xg/cs"]
    with monkeypatch.context() as patch:  # the full archive is read by its headers' slices (_objects_in)
        patch.setattr(bundle_module.tarfile, "open", None)
        delta = make_delta(built.store, "xg/cs", base.version, built.private())
    assert delta is not None and delta.stat().st_size < new.size
    _, data = members(delta)
    m = Manifest.from_bytes(data["manifest.json"])
    old = Manifest.from_bytes((built.store.manifest_path("xg/cs", base.version)).read_bytes())
    assert (m.kind, m.base, m.version) == ("delta", base.version, new.version)
    assert m.deleted == sorted(set(old.files) - set(m.files)) and m.deleted
    carried = {n[len("objects/") :] for n in data if n.startswith("objects/")}
    assert carried == set(m.objects) == {e.sha256 for e in m.files.values()} - {e.sha256 for e in old.files.values()}
    assert all(hashlib.sha256(data[f"objects/{sha}"]).hexdigest() == sha for sha in carried)
    assert make_delta(built.store, "xg/cs", base.version, built.private()) == delta  # cached, same file
    delta.unlink()
    new.path.write_bytes(new.path.read_bytes()[: new.size // 2])  # a full archive cut short: an error, no delta
    with pytest.raises((OSError, EOFError)):
        make_delta(built.store, "xg/cs", base.version, built.private())
    assert not delta.exists() and not list(delta.parent.glob(".*tmp*"))


def test_a_removed_village_gets_an_empty_last_version(built):
    bundle_now(built)
    for theme in ("tv", "mobile"):
        shutil.rmtree(built.output / theme / "xg/cs2")
    info = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1))}["xg/cs2"]
    assert info.retired and info.changed and info.files == 0
    _, data = members(info.path)
    assert Manifest.from_bytes(data["manifest.json"]).files == {}


def test_private_key_must_not_be_readable_by_others(built, tmp_path):
    os.chmod(built.key, 0o640)
    with pytest.raises(keys.KeyProblem, match="chmod 600"):
        keys.load_private(built.key)
    os.chmod(built.key, 0o600)
    inside = built.content / "signing.key"
    shutil.copyfile(built.key, inside)
    os.chmod(inside, 0o600)
    with pytest.raises(keys.KeyProblem, match="outside the published folder"):
        keys.load_private(inside, (built.content,))
    with pytest.raises(keys.KeyProblem, match="not overwritten"):
        keys.generate(built.key)
    for mode in (0o777, 0o775, 0o1777):  # a folder others can write: they could swap the key
        built.key.parent.chmod(mode)
        with pytest.raises(keys.KeyProblem, match="folder holding the private key is writable by others"):
            keys.load_private(built.key)
    built.key.parent.chmod(0o700)
    keys.load_private(built.key)


def test_cli_bundle_and_keys(built, tmp_path):
    r = sitegen("keys", "generate", tmp_path / "k2" / "new.key")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "k2/new.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "k2/new.key.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    r = sitegen("bundle", built.output, "--bundles", built.bundles, "--content", built.content)
    assert r.returncode == 0, r.stderr
    assert "xg/cs2: v" in r.stdout and "新 new" in r.stdout
    os.chmod(built.key, 0o644)
    r = sitegen("bundle", built.output, "--bundles", built.bundles, "--content", built.content)
    assert r.returncode == 8 and "chmod 600" in r.stderr and "Traceback" not in r.stderr
    os.chmod(built.key, 0o600)
    r = sitegen("bundle", tmp_path / "nothing-built", "--bundles", built.bundles, "--key", built.key)
    assert r.returncode == 3 and "sitegen build" in r.stderr and "Traceback" not in r.stderr


def test_bundles_cover_exactly_the_build(built):
    infos = bundle_now(built)
    seen: dict[str, str] = {}
    for info in infos:
        _, data = members(info.path)
        for path, entry in Manifest.from_bytes(data["manifest.json"]).files.items():
            seen[path] = entry.sha256
    assert seen == {k: v for k, v in snapshot(built.output).items() if not k.startswith(".cache/")}


# ---- compressed content is stored, not deflated again (issue 14, h50) ---------------------------------------------


def _blobs() -> list[bytes]:
    """Objects of every kind a bundle carries: a JPEG bigger than a stored block, PNG and GIF, pages, an empty file,
    and random bytes that are no known format (deflated; zlib stores them itself)."""
    noise = random.Random(14)
    return [
        b"\xff\xd8\xff\xe0" + noise.randbytes(3 * 0xFFFF + 17),
        b"\x89PNG\r\n\x1a\n" + noise.randbytes(900),
        b"GIF89a" + bytes(300),  # compressible, but a GIF: stored
        b"RIFF\0\0\0\0WEBPVP8 " + bytes(100),
        "<html><p>村务公开</p></html>\n".encode() * 400,
        b"",
        b"x",
        noise.randbytes(5000),
    ]


def _objects(blobs):
    return sorted((hashlib.sha256(b).hexdigest(), len(b), functools.partial(io.BytesIO, b)) for b in blobs)


def test_an_archive_is_the_ustar_tarfile_writes_in_one_gzip_member_with_compressed_content_stored(tmp_path):
    """write_archive's archive holds the very ustar bytes tarfile writes (what every headend reads), in one gzip
    member; content compressed already (JPEG, PNG, GIF, WebP) is in stored blocks, so its bytes appear verbatim
    in the file, while pages are deflated. The same objects give the same bytes."""
    blobs = _blobs()
    bundle_module.write_archive(tmp_path / "a.tar.gz", b'{"m":1}\n', bytes(64), _objects(blobs))
    raw = (tmp_path / "a.tar.gz").read_bytes()
    reference = io.BytesIO()
    with tarfile.open(fileobj=reference, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, blob in [("manifest.json", b'{"m":1}\n'), ("manifest.sig", bytes(64))] + [
            (f"objects/{sha}", blob) for sha, blob in sorted((hashlib.sha256(b).hexdigest(), b) for b in blobs)
        ]:
            tar.addfile(bundle_module._info(name, len(blob)), io.BytesIO(blob))
    inflate = zlib.decompressobj(wbits=31)
    assert inflate.decompress(raw) == reference.getvalue() and inflate.eof and not inflate.unused_data
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0
    jpeg, png, gif, webp, page = blobs[:5]
    for stored in (jpeg[:0xFFFF], jpeg[0xFFFF : 2 * 0xFFFF], jpeg[3 * 0xFFFF :], png, gif, webp):  # block by block
        assert stored in raw
    assert page[:2000] not in raw and len(raw) < sum(map(len, blobs)) - len(page) + len(page) // 10
    bundle_module.write_archive(tmp_path / "b.tar.gz", b'{"m":1}\n', bytes(64), _objects(blobs))
    assert (tmp_path / "b.tar.gz").read_bytes() == raw


def test_stored_blocks_stay_within_what_ingest_allows_for_the_content(tmp_path):
    """Ingest bounds the compressed bytes by the content the manifest declares (stored blocks' 5 bytes per 64 KiB
    and a little); many small stored objects, each starting a new run, must stay well inside that bound."""
    blobs = [b"\xff\xd8\xff" + i.to_bytes(4, "big") for i in range(3000)]
    bundle_module.write_archive(tmp_path / "a.tar.gz", b"{}", bytes(64), _objects(blobs))
    content = len(zlib.decompress((tmp_path / "a.tar.gz").read_bytes(), wbits=31))
    assert (tmp_path / "a.tar.gz").stat().st_size < content // 4


def test_an_object_shorter_than_its_listed_size_is_an_error_not_a_short_archive(tmp_path):
    sha = hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(OSError, match="shorter"):
        bundle_module.write_archive(tmp_path / "a.tar.gz", b"{}", bytes(64), [(sha, 4, lambda: io.BytesIO(b"abc"))])
    assert not list(tmp_path.iterdir())


# ---- the manifest is parsed strictly: anything the format does not allow is refused (issue 12) ----------------


def _doc():
    return {
        "format": "sitegen-bundle/1",
        "bundle": "xg/cs",
        "village": "xg/cs",
        "kind": "full",
        "version": 1,
        "base": None,
        "expires": "2026-12-01T00:00:00Z",
        "key_id": "k",
        "files": {"tv/xg/cs/index.html": {"size": 1, "sha256": "a" * 64}},
        "objects": ["a" * 64],
        "deleted": [],
    }


def _encoded(doc):
    """As Manifest.to_bytes writes a manifest: the form from_bytes matches at once (bundle._CANONICAL)."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _with_path(path, bundle="xg/cs"):
    doc = {**_doc(), "bundle": bundle, "village": None if bundle == CITY else bundle}
    doc["files"] = {path: {"size": 1, "sha256": "a" * 64}}
    return _encoded(doc)


def _with(**changes):
    return _encoded({**_doc(), **changes})


_TWO = {"tv/xg/cs/a.html": {"size": 1, "sha256": "a" * 64}, "tv/xg/cs/b.html": {"size": 1, "sha256": "a" * 64}}
_LONG_TOWN = "t" * 256 + "/cs"


@pytest.mark.parametrize(
    "data, match",
    [
        (_encoded({**_doc(), "bundle": "xg/cs\n", "village": "xg/cs\n"}), "bundle id"),
        (_encoded(_doc()).replace(b'"base":null', b'"base":null,"base":null'), "repeats a key"),
        (_encoded(_doc()).replace(b'"version":1', b'"version":NaN'), "NaN"),
        (b"[" * 200_000 + b"]" * 200_000, "nested deeper"),
        (_with_path("tv/xg/cs/" + "a" * 256 + ".html"), "too long"),
        (_with_path("tv/xg/cs/" + "/".join(["b" * 200] * 6) + "/x.html"), "too long"),
        (_with_path("tv/xg/cs/a\nb.html"), "control characters"),
        (_with_path("tv/xg/cs/a\x7fb.html"), "control characters"),
        (_with(files=_TWO).replace(b"tv/xg/cs/b.html", b"tv/xg/cs/a.html"), "repeats a key"),
        (_with_path("tv/xg/cs/.hidden/a.html"), "path not allowed"),
        (_with_path("tv/xg/cs/../cs2/a.html"), "path not allowed"),
        (_with_path("tv/xg/cs//a.html"), "path not allowed"),
        (_with_path("tv/xg/cs/a\\b.html"), "path not allowed"),
        (_with_path("tv/xg/cs2/a.html"), "outside the village"),
        (_with_path("tv/xg/cs"), "outside the village"),
        (_with_path("static/xg/cs/a.html"), "outside the theme folders"),
        (_with_path("/tv/a.html", CITY), "path not allowed"),
        (_with_path("tv/" + "t" * 256 + "/cs/a.html", _LONG_TOWN), "too long"),
        (_with(village="xg/cs2"), "village does not match"),
        (_with(version=0), "version"),
        (_with(base=1, kind="delta"), "version"),
        (_with(kind="delta"), "kind"),
        (_with(expires="2026-12-01"), "expires"),
        (_with(files={"tv/xg/cs/a.html": {"size": -1, "sha256": "a" * 64}}), "entry for"),
        (_with(files={"tv/xg/cs/a.html": {"size": 1.0, "sha256": "a" * 64}}), "entry for"),
        (_with(files={"tv/xg/cs/a.html": {"size": 1, "sha256": "A" * 64}}), "entry for"),
        (_with(files={"tv/xg/cs/a.html": {"size": 1, "sha256": "a" * 64, "x": 1}}), "entry for"),
        (
            _with(
                files={
                    "tv/xg/cs/a": {"size": 1, "sha256": "a" * 64},
                    "tv/xg/cs/a/b": _doc()["files"]["tv/xg/cs/index.html"],
                }
            ),
            "both a file and a folder",
        ),
        (_with(objects=["a" * 64, "a" * 64]), "objects"),
        (_with(objects=["b" * 64]), "objects"),
        (_with(objects=[]), "must carry every object"),
        (_with(deleted=["tv/xg/cs/../../x"]), "path not allowed"),
        (_with(deleted=["tv/xg/cs2/x"]), "outside the village"),
        (_with(deleted=["tv/xg/cs/index.html"]), "deleted"),
        (_with(key_id=1), "key_id"),
        (_with(format="sitegen-bundle/2"), "unknown format"),
    ],
    ids=[
        *("id-newline", "duplicate-key", "nan", "deep", "long-name", "long-path", "newline", "delete-char"),
        *("duplicate-path", "hidden", "dotdot", "empty-part", "backslash", "other-village", "village-folder"),
        *("no-theme", "absolute", "long-town", "village", "version-0", "base-not-below", "kind", "expires"),
        *("size-negative", "size-float", "sha-upper", "entry-key", "file-and-folder", "objects-twice"),
        *("object-not-listed", "objects-missing", "deleted-dotdot", "deleted-other-village", "deleted-listed"),
        *("key-id", "format"),
    ],
)
@pytest.mark.parametrize("spelled", ["as written", "otherwise"])
def test_manifest_parsing_is_strict_and_bounded(data, match, spelled):
    """Each manifest is refused, as our writer would spell it (which from_bytes matches at once, bundle._CANONICAL)
    and spelled otherwise (with spaces: parsed by strict_json and checked path by path), with the same reason."""
    if spelled == "otherwise":
        data = data.replace(b'":', b'": ')
    with pytest.raises(BundleError, match=match):
        Manifest.from_bytes(data)
    assert Manifest.from_bytes(_encoded(_doc())).bundle == "xg/cs"


@pytest.mark.parametrize(
    "data, matched",
    [
        (_encoded(_doc()), True),
        (_with(files=_TWO), True),
        (_with(base=1, version=2, kind="delta", objects=[], deleted=["mobile/xg/cs/gone.html"]), True),
        (_with_path("tv/a.html", CITY), True),
        (_with_path("tv/xg/cs/村务/" + "村" * 85), True),  # UTF-8, a part of 255 bytes
        (_with_path('tv/xg/cs/a"b.html'), False),  # escaped in JSON: parsed the strict way, and safe
        (_with_path("tv", CITY), False),  # safe, if odd: left to the strict way
    ],
    ids=["village", "two-files", "delta", "city", "utf-8", "quote", "theme-only"],
)
def test_a_manifest_as_our_writer_spells_it_is_matched_at_once_and_parsed_as_the_strict_way_does(
    data, matched, monkeypatch
):
    """A manifest as Manifest.to_bytes writes it is checked by one match over its bytes and parsed by the plain JSON
    parser (strict_json is not called); it gives the Manifest the strict parser gives (the same manifest spelled
    with spaces). What the match leaves out goes the strict way and is accepted all the same."""
    strictly = Manifest.from_bytes(data.replace(b'":', b'": '))
    assert Manifest.to_bytes(strictly) == data
    if matched:
        monkeypatch.setattr(bundle_module, "strict_json", None)  # not called: the match stands for it
    assert Manifest.from_bytes(data) == strictly


@pytest.mark.parametrize(
    "path, safe",
    [
        ("tv/xg/cs/index.html", True),
        ("tv/xg/cs/" + "a" * 255, True),  # a part of NAME_MAX bytes
        ("tv/xg/cs/" + "a" * 256, False),
        ("tv/xg/cs/" + "村" * 85, True),  # 255 bytes of UTF-8
        ("tv/xg/cs/" + "村" * 85 + "a", False),  # 256 bytes, 86 characters
        ("tv/" + "/".join(["b" * 250] * 4), True),  # 1,006 bytes
        ("tv/" + "/".join(["b" * 250] * 4) + "/" + "c" * 18, False),  # 1,025 bytes
        ("", False),
        (".", False),
        ("tv/..", False),
        ("tv/./a", False),
        ("tv/.hidden", False),
        ("tv/a..b", True),
        ("/tv/a", False),
        ("tv//a", False),
        ("tv/a/", False),
        ("tv\\a", False),
        ("tv/a\x00b", False),
        ("tv/a\tb", False),
        ("tv/a\x1fb", False),
        ("tv/a\x7fb", False),
        ("tv/a\x80b", True),  # a C1 character is not one of the refused
        ("tv/\ud800", False),  # a lone surrogate: no UTF-8 at all
    ],
)
def test_safe_path_checks_every_part_in_one_match(path, safe):
    """safe_path is one regular expression over the UTF-8 bytes (a manifest has 10^4 paths, read at every ingest):
    every part 1..NAME_MAX bytes, none hidden, no backslash or control character, the whole at most MAX_PATH."""
    assert bundle_module.safe_path(path) is safe


# ---- issue 14: bundling follows the change; an unchanged village's files are neither read nor hashed -----------


def _reads(monkeypatch):
    """Every file the bundle module opens or hashes, as paths relative to nothing in particular (strings)."""
    seen: list[str] = []
    real_hash, real_open = bundle_module.sha256_file, open

    def hashed(path):
        seen.append(str(path))
        return real_hash(path)

    def opened(path, *args, **kwargs):
        seen.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(bundle_module, "sha256_file", hashed)
    monkeypatch.setattr(bundle_module, "open", opened, raising=False)
    return seen


def _of_village(paths, output, village):
    return [p for p in paths if any(p.startswith(str(output / t / village) + "/") for t in ("tv", "mobile"))]


def test_after_one_village_changes_only_its_files_are_read(built, monkeypatch):
    first = {i.bundle: i for i in bundle_now(built)}
    touch_page(built, "cs", note="changed")
    seen = _reads(monkeypatch)
    again = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1))}
    assert [b for b, i in again.items() if i.changed] == ["xg/cs"]
    assert _of_village(seen, built.output, "xg/cs") and not _of_village(seen, built.output, "xg/cs2")
    assert again["xg/cs2"].version == first["xg/cs2"].version and again["xg/cs2"].size == first["xg/cs2"].size
    assert again["xg/cs2"].files == first["xg/cs2"].files and again["xg/cs2"].path.is_file()
    seen.clear()
    assert not [i for i in bundle_now(built, now=NOW + timedelta(hours=2)) if i.changed]
    assert not _of_village(seen, built.output, "xg/cs") and not _of_village(seen, built.output, "xg/cs2")


@pytest.mark.parametrize("edit", ["rewrite", "same-size", "new-file", "removed", "replaced"])
def test_any_change_to_a_villages_files_is_noticed_without_hashing_the_others(built, edit):
    bundle_now(built)
    folder = built.output / "mobile" / "xg" / "cs2"
    page = folder / "index.html"
    data = page.read_bytes()
    if edit == "rewrite":
        page.write_bytes(data + b"<!-- x -->")
    elif edit == "same-size":  # the same length, written later: its time (or inode) differs
        page.write_bytes(data[:-1] + (b"X" if data[-1:] != b"X" else b"Y"))
    elif edit == "new-file":
        (folder / "extra.html").write_bytes(b"<p>x</p>")
    elif edit == "removed":
        next(p for p in sorted(folder.rglob("*.html")) if p != page).unlink()
    else:  # the same bytes in a new file put in its place (a rebuild that did not carry it over)
        tmp = folder / "new.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, page)
    infos = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1))}
    assert infos["xg/cs2"].changed == (edit != "replaced") and not infos["xg/cs"].changed
    assert not infos[CITY].changed


def test_a_rebuild_carries_unchanged_villages_over_so_they_are_not_read_again(built, monkeypatch):
    build(built.content, built.output, hold_back=True)  # the reuse record as publish makes it
    bundle_now(built)
    change_voucher(built.content, "cs")
    build(built.content, built.output, hold_back=True)
    seen = _reads(monkeypatch)
    infos = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1))}
    assert infos["xg/cs"].changed and not infos["xg/cs2"].changed
    assert not _of_village(seen, built.output, "xg/cs2")


def test_right_after_a_build_an_unchanged_village_is_not_even_walked(built, monkeypatch):
    """publish bundles right after its build: a village whose build fingerprints are the ones it was last bundled
    with is skipped without listing its folders; the changed one is walked and bundled."""
    build(built.content, built.output, hold_back=True)
    first = {i.bundle: i for i in bundle_now(built, just_built=True)}
    change_voucher(built.content, "cs")
    build(built.content, built.output, hold_back=True)
    walked: list[str] = []
    real = os.scandir
    monkeypatch.setattr(bundle_module.os, "scandir", lambda path: walked.append(str(path)) or real(path))
    seen = _reads(monkeypatch)
    infos = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=1), just_built=True)}
    assert [b for b, i in infos.items() if i.changed] == ["xg/cs"]
    assert (infos["xg/cs2"].version, infos["xg/cs2"].size) == (first["xg/cs2"].version, first["xg/cs2"].size)
    assert list(infos) == sorted(infos)
    assert _of_village([w + "/" for w in walked], built.output, "xg/cs")
    assert not _of_village([w + "/" for w in walked], built.output, "xg/cs2")
    assert not _of_village(seen, built.output, "xg/cs2")
    # without the build's word (a hand-edited output), the village's files are looked at again
    touch_page(built, "cs2", note="by hand")
    again = {i.bundle: i for i in bundle_now(built, now=NOW + timedelta(hours=2))}
    assert [b for b, i in again.items() if i.changed] == ["xg/cs2"]


class _Listing(dict):
    """A bundle's listing, told apart from any other dict by its class (gc.get_objects)."""

    bundle = ""


def test_each_bundle_is_listed_in_its_turn_and_its_listing_dropped_before_the_next(built, monkeypatch):
    """make_bundles lists a bundle's files when its turn comes (_listings) and drops the listing before it lists
    the next: listed all at once, a city's files (hundreds of thousands) were held for the whole run, ~1 GiB at
    50 villages (issue 14). When each bundle is sealed, no listing of another bundle is alive; the bundles made
    hold what the whole output's listing says."""
    alive: list[tuple[str, list[str]]] = []
    real_listings, real_seal = bundle_module._listings, bundle_module._seal

    def listing(bundle_id, list_it):
        found = _Listing(list_it())
        found.bundle = bundle_id
        return found

    def watched(*args, **kwargs):
        return {b: functools.partial(listing, b, f) for b, f in real_listings(*args, **kwargs).items()}

    def seal(found):
        gc.collect()
        others = [o.bundle for o in gc.get_objects() if type(o) is _Listing and o is not found]
        alive.append((found.bundle, sorted(others)))
        return real_seal(found)

    monkeypatch.setattr(bundle_module, "_listings", watched)
    monkeypatch.setattr(bundle_module, "_seal", seal)
    infos = bundle_now(built)
    assert alive == [(CITY, []), ("xg/cs", []), ("xg/cs2", [])]
    monkeypatch.undo()
    whole = bundle_module._scan_all(built.output, None)
    assert {i.bundle: i.files for i in infos} == {b: len(files) for b, files in whole.items()}


def test_a_bundle_lists_the_same_paths_from_a_relative_output_folder(built, monkeypatch):
    """Listing cuts each path below the folder walked (not Path.relative_to for each file): from `.` or a relative
    OUTPUT it must name the same paths as from the absolute one."""
    absolute = {b: sorted(files) for b, files in plan(built.output).items()}
    monkeypatch.chdir(built.output)
    assert {b: sorted(files) for b, files in plan(Path(".")).items()} == absolute
    monkeypatch.chdir(built.output.parent)
    assert {b: sorted(files) for b, files in plan(Path(built.output.name)).items()} == absolute
