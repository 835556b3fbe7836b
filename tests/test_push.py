"""Stage 9, push: temporary name, size and hash check, atomic rename, resume, retries, deltas; over a folder and
over SFTP to a real OpenSSH server started here on 127.0.0.1 with throwaway keys."""

from __future__ import annotations

import getpass
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sitegen.build.pipeline import build
from sitegen.content.config import Target
from sitegen.deploy import ingest as ingest_module
from sitegen.deploy import push as push_module
from sitegen.deploy.ingest import ingest
from sitegen.deploy.push import FolderRemote, PushError, connect, push, upload
from tests.deploykit import (
    NOW,
    bundle_now,
    change_voucher,
    clone,
    deploy,
    kill,
    paused,
    set_targets,
    sitegen,
    snapshot,
    touch_page,
)

SSHD = Path("/usr/sbin/sshd")


# ---- a real OpenSSH server -----------------------------------------------------------------------------------


def _openssh_key(path: Path) -> str:
    """Write an Ed25519 private key in OpenSSH format (mode 600); return its public line."""
    key = Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    )
    path.chmod(0o600)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path, port: int, proc: subprocess.Popen, host_line: str):
        self.folder, self.port, self.proc, self.host_line = folder, port, proc, host_line
        self.user_key = folder / "user_key"
        self.known_hosts = folder / "known_hosts"

    def target(self, name: str, path: Path, known_hosts: Path | None = None) -> Target:
        return Target(
            name,
            "sftp",
            str(path),
            "127.0.0.1",
            self.port,
            getpass.getuser(),
            str(self.user_key),
            str(known_hosts or self.known_hosts),
        )

    def yaml(self, name: str, path: Path) -> str:
        return (
            f"    - name: {name}\n      type: sftp\n      path: {path}\n      host: 127.0.0.1\n"
            f"      port: {self.port}\n      user: {getpass.getuser()}\n      key_file: {self.user_key}\n"
            f"      known_hosts: {self.known_hosts}\n"
        )


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    if not SSHD.exists():
        if os.environ.get("REQUIRE_SSHD"):
            pytest.fail("OpenSSH server missing: apt-get install openssh-server (scripts/test.sh does)")
        pytest.skip("OpenSSH server (/usr/sbin/sshd) not installed")
    folder = tmp_path_factory.mktemp("sshd")
    host_pub = _openssh_key(folder / "host_key")
    (folder / "authorized_keys").write_text(_openssh_key(folder / "user_key") + "\n")
    port = _free_port()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub}\n")
    (folder / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / "host_key"}
PidFile {folder / "sshd.pid"}
AuthorizedKeysFile {folder / "authorized_keys"}
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
Subsystem sftp internal-sftp
LogLevel ERROR
""")
    try:
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation folder, normally made by the service unit
    except PermissionError:
        pass  # not root: sshd then runs without privilege separation for our own user
    proc = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60  # sshd's start on a busy machine (a bound, not a wait)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"sshd did not start: {proc.communicate()[0]}")
            time.sleep(0.05)
    yield Server(folder, port, proc, host_pub)
    proc.kill()
    proc.wait(timeout=10)


# ---- uploads --------------------------------------------------------------------------------------------------


def test_upload_goes_through_a_part_file_and_is_verified(tmp_path):
    src = tmp_path / "b.tar.gz"
    src.write_bytes(os.urandom(700_000))
    remote = FolderRemote(tmp_path / "drop")
    info = upload(remote, src, "b.tar.gz")
    assert info == {"sent": 700_000, "resumed_from": 0, "already": False}
    assert (tmp_path / "drop/b.tar.gz").read_bytes() == src.read_bytes()
    assert sorted(os.listdir(tmp_path / "drop")) == ["b.tar.gz"]
    assert upload(remote, src, "b.tar.gz")["already"]


def test_an_interrupted_upload_is_resumed(tmp_path):
    src = tmp_path / "b.tar.gz"
    src.write_bytes(os.urandom(700_000))
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop/.b.tar.gz.part").write_bytes(src.read_bytes()[:300_000])
    info = upload(FolderRemote(tmp_path / "drop"), src, "b.tar.gz")
    assert info["resumed_from"] == 300_000 and info["sent"] == 400_000
    assert (tmp_path / "drop/b.tar.gz").read_bytes() == src.read_bytes()


def test_a_wrong_part_is_discarded_and_sent_again(tmp_path):
    src = tmp_path / "b.tar.gz"
    src.write_bytes(os.urandom(100_000))
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop/.b.tar.gz.part").write_bytes(b"\0" * 50_000)  # not a prefix of ours
    remote = FolderRemote(tmp_path / "drop")
    with pytest.raises(PushError, match="verification failed"):
        upload(remote, src, "b.tar.gz")
    assert not (tmp_path / "drop/b.tar.gz").exists() and not (tmp_path / "drop/.b.tar.gz.part").exists()
    assert upload(remote, src, "b.tar.gz")["resumed_from"] == 0
    assert (tmp_path / "drop/b.tar.gz").read_bytes() == src.read_bytes()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    d = deploy(tmp_path_factory.mktemp("push") / "base")
    build(d.content, d.output)
    bundle_now(d)
    return d


@pytest.fixture
def published(base, tmp_path):
    """The two-village city built and bundled; nothing pushed yet."""
    return clone(base, tmp_path / "pub")


def sftp_setup(published, sshd, tmp_path):
    """`published`, pushing over SFTP to a headend that is a folder of this machine (so ingest can run here)."""
    d = published
    remote_drop = tmp_path / "remote-headend" / "drop"
    remote_drop.mkdir(parents=True)
    set_targets(d, sshd.yaml("cable", remote_drop))
    shutil.copyfile(d.key.with_name("signing.key.pub"), remote_drop.parent / "publisher.pub")
    d.headend = remote_drop.parent
    return d, remote_drop


def folder_target(d):
    return Target("headend", "folder", str(d.drop))


def test_push_sends_full_then_deltas_after_the_headend_acknowledges(published):
    d = published
    first = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert first.ok and sorted((s.bundle, s.kind) for s in first.sent) == [
        ("city", "full"),
        ("xg/cs", "full"),
        ("xg/cs2", "full"),
    ]
    assert [s.bundle for s in first.sent][-1] == "city"  # villages first, the city last
    # not taken yet: nothing is sent twice
    again = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert {s.kind for s in again.sent} == {"waiting"} and again.bytes_sent == 0
    ingest(d.headend, now=NOW)
    touch_page(d)
    bundle_now(d, now=NOW + timedelta(hours=1))
    second = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    kinds = {s.bundle: s.kind for s in second.sent}
    assert kinds == {"city": "none", "xg/cs": "delta", "xg/cs2": "none"}
    assert second.bytes_sent < first.bytes_sent
    ingest(d.headend, now=NOW + timedelta(hours=1))
    assert d.served() == {k: v for k, v in snapshot(d.output).items() if not k.startswith(".cache/")}
    state = d.store.load_target("headend")["bundles"]["xg/cs"]
    assert state["active"] < state["sent"]  # remembered: what was live there when we last looked


def test_a_refusal_at_the_headend_is_reported_and_a_full_bundle_sent(published):
    d = published
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    ingest(d.headend, now=NOW)
    touch_page(d)
    bundle_now(d, now=NOW + timedelta(hours=1))
    first = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert [s.kind for s in first.sent if s.bundle == "xg/cs"] == ["delta"]
    other = d.base / "other.key"
    from sitegen.deploy import keys

    keys.generate(other)
    shutil.copyfile(keys.public_path(other), d.headend / "publisher.pub")  # the headend now trusts another key
    assert ingest(d.headend, now=NOW + timedelta(hours=1)).rejected
    again = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert len(again.refused) == 1 and "signed with another key" in again.refused[0]
    assert [s.kind for s in again.sent if s.bundle == "xg/cs"] == ["full"]


def test_retries_with_backoff(published, monkeypatch):
    d = published
    calls = {"n": 0}
    real = FolderRemote.write_from

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise ConnectionResetError("link down")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FolderRemote, "write_from", flaky)
    events = []
    result = push(
        d.store,
        [folder_target(d)],
        d.private(),
        d.content,
        backoff=0.01,
        log=lambda event, **f: events.append((event, f)),
    )[0]
    assert result.ok
    retries = [f for e, f in events if e == "retry"]
    assert [r["delay"] for r in retries] == [0.01, 0.02] and "link down" in retries[0]["error"]
    monkeypatch.setattr(FolderRemote, "write_from", lambda *a, **k: (_ for _ in ()).throw(OSError("disk gone")))
    d.drop.joinpath("acks.json").unlink(missing_ok=True)
    for f in d.drop.glob("*.tar.gz"):
        f.unlink()
    tstate = d.store.target_path("headend")
    tstate.unlink()
    failed = push(d.store, [folder_target(d)], d.private(), d.content, retries=3, backoff=0.001)[0]
    assert not failed.ok and "disk gone" in failed.error


# ---- SFTP ----------------------------------------------------------------------------------------------------


def test_push_over_sftp_to_openssh(sshd, tmp_path, published):
    d, remote_drop = sftp_setup(published, sshd, tmp_path)
    r = sitegen("push", "--content", d.content, "--bundles", d.bundles)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "cable: xg/cs v" in r.stdout and " full, " in r.stdout
    names = sorted(n for n in os.listdir(remote_drop) if n != "snapshot.json")  # the snapshot comes last
    assert len(names) == 3 and all(n.endswith(".tar.gz") and not n.startswith(".") for n in names)
    for n in names:  # the bytes arrived intact
        assert (remote_drop / n).read_bytes() == next(d.bundles.rglob(n)).read_bytes()
    assert not ingest(d.headend, now=NOW).rejected
    touch_page(d)
    bundle_now(d, now=NOW + timedelta(hours=1))
    result = push(d.store, [sshd.target("cable", remote_drop)], d.private(), d.content)[0]
    assert result.ok, result.error
    assert {s.bundle: s.kind for s in result.sent}["xg/cs"] == "delta"  # acks.json read over SFTP
    ingest(d.headend, now=NOW + timedelta(hours=1))
    assert d.served() == {k: v for k, v in snapshot(d.output).items() if not k.startswith(".cache/")}


def test_sftp_refuses_an_unknown_or_changed_host_key(sshd, tmp_path, published):
    (tmp_path / "drop").mkdir()
    changed = tmp_path / "known_hosts_changed"
    changed.write_text(f"[127.0.0.1]:{sshd.port} " + _openssh_key(tmp_path / "other") + "\n")
    unknown = tmp_path / "known_hosts_empty"
    unknown.write_text("")
    for known, message in ((changed, "does not match"), (unknown, "not found in known_hosts")):
        result = push(
            published.store,
            [sshd.target("cable", tmp_path / "drop", known)],
            published.private(),
            published.content,
            retries=2,
            backoff=0.01,
        )[0]
        assert not result.ok and message in result.error, result.error
    assert os.listdir(tmp_path / "drop") == []


def test_killed_during_sftp_push_resumes_and_headend_keeps_serving(sshd, tmp_path, published):
    d, remote_drop = sftp_setup(published, sshd, tmp_path)
    assert push(d.store, [sshd.target("cable", remote_drop)], d.private(), d.content)[0].ok
    ingest(d.headend, now=NOW)
    before = d.served()
    # the second village changes; push its delta in tiny chunks and kill the push half-way through
    change_voucher(d.content, "cs2")  # a real change, built for real this time
    build(d.content, d.output)
    bundle_now(d, now=NOW + timedelta(hours=1))
    proc = paused(
        tmp_path / "marker",
        "sitegen.deploy.push:_progress",
        "push",
        "--content",
        d.content,
        "--bundles",
        d.bundles,
        call=3,
        setting="sitegen.deploy.push:CHUNK=4096",
    )
    kill(proc)
    parts = [p for p in os.listdir(remote_drop) if p.endswith(".part")]
    assert len(parts) == 1 and parts[0].startswith(".xg.cs2_") and (remote_drop / parts[0]).stat().st_size > 0
    ingest(d.headend, now=NOW + timedelta(hours=1))  # the headend ignores the part file
    assert d.served() == before
    r = sitegen("push", "--content", d.content, "--bundles", d.bundles)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "resumed at" in r.stdout
    assert not [p for p in os.listdir(remote_drop) if p.endswith(".part")]
    result = ingest(d.headend, now=NOW + timedelta(hours=1))
    assert not result.rejected and result.activated
    assert d.served() == {k: v for k, v in snapshot(d.output).items() if not k.startswith(".cache/")}


def test_push_failure_exit_code(published):
    d = published
    set_targets(
        d,
        "    - name: cable\n      type: sftp\n      path: /srv/drop\n      host: 127.0.0.1\n"
        "      port: 1\n      user: nobody\n      key_file: k\n      known_hosts: kh\n",
    )
    (d.content / "kh").write_text("")
    r = sitegen("push", "--content", d.content, "--bundles", d.bundles, "--retries", "1")
    assert r.returncode == 6 and "push FAILED" in r.stderr and "cable" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("path", ["", "  "])
def test_folder_target_without_a_path_is_a_push_error_not_a_crash(tmp_path, path):
    """A folder target whose path is empty (`path: ""` in site.yaml) is refused with a message naming the target,
    never a TypeError on None, and never the folder of site.yaml itself."""
    with pytest.raises(PushError, match="headend-a"):
        connect(Target("headend-a", "folder", path.strip()), tmp_path)


# ---- the push account confined by the sshd configuration docs/deploy.md gives ----------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"


def _documented_block() -> str:
    text = DOCS.read_text("utf-8")
    block = text.split("```sshd_config\n", 1)[1].split("```", 1)[0]
    assert block.startswith("Match User sitegen-push\n") and "ChrootDirectory" in block
    return block


def _chroot_parent() -> Path:
    """A folder whose every component is root-owned and writable by no one else, as ChrootDirectory demands."""
    for candidate in (Path("/run"), Path("/var/lib"), Path("/srv")):
        parts = [candidate, *candidate.parents]
        if all(p.stat().st_uid == 0 and not p.stat().st_mode & 0o022 for p in parts):
            return candidate
    pytest.skip("no root-owned folder for a chroot")


@pytest.fixture
def confined(sshd, tmp_path):
    """A second real sshd: the base configuration plus the documented Match block, the push account being us."""
    if os.geteuid() != 0:
        pytest.skip("ChrootDirectory needs sshd to run as root")
    inbox = Path(tempfile.mkdtemp(prefix="sitegen-inbox-", dir=_chroot_parent()))
    inbox.chmod(0o755)
    (inbox / "drop").mkdir()
    port = _free_port()
    config = (
        (sshd.folder / "sshd_config")
        .read_text()
        .replace(f"Port {sshd.port}", f"Port {port}")
        .replace(str(sshd.folder / "sshd.pid"), str(tmp_path / "confined.pid"))
    )
    config += _documented_block().replace("sitegen-push", getpass.getuser()).replace("/srv/sitegen-inbox", str(inbox))
    (tmp_path / "confined_config").write_text(config)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {sshd.host_line}\n")
    proc = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(tmp_path / "confined_config")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60  # sshd's start on a busy machine (a bound, not a wait)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"sshd did not start: {proc.communicate()[0]}")
            time.sleep(0.05)
    try:
        yield Server(sshd.folder, port, proc, sshd.host_line), inbox, known
    finally:
        proc.kill()
        proc.wait(timeout=10)
        shutil.rmtree(inbox, ignore_errors=True)


def test_the_documented_sshd_block_confines_the_push_account_to_drop(confined, published, tmp_path):
    import paramiko

    server, inbox, known = confined
    d = published
    set_targets(d, server.yaml("cable", Path("/drop")).replace(str(server.known_hosts), str(known)))
    r = sitegen("push", "--content", d.content, "--bundles", d.bundles)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(list((inbox / "drop").glob("*.tar.gz"))) == 3
    r = sitegen("ingest", inbox / "drop", "--root", d.headend)
    assert r.returncode == 0, r.stdout + r.stderr
    served, trusted = d.served(), (d.headend / "publisher.pub").read_bytes()
    assert served
    # the attack of issue 12: replace the trust root from the push account
    client = paramiko.SSHClient()
    client.load_host_keys(str(known))
    client.connect(
        "127.0.0.1",
        port=server.port,
        username=getpass.getuser(),
        key_filename=str(server.user_key),
        look_for_keys=False,
        allow_agent=False,
    )
    try:
        sftp = client.open_sftp()
        rogue = tmp_path / "rogue.pub"
        rogue.write_bytes(b"-----BEGIN PUBLIC KEY-----\nrogue\n-----END PUBLIC KEY-----\n")
        for target in (
            "drop/../publisher.pub",
            "../../publisher.pub",
            str(d.headend / "publisher.pub"),
            f"/../../../..{d.headend}/publisher.pub",
        ):
            try:
                sftp.put(str(rogue), target)
            except OSError:
                pass
        assert sorted(sftp.listdir("/")) == ["drop", "publisher.pub"]  # all it reached: its own chroot
        _, out, _ = client.exec_command("id")  # no shell: ForceCommand internal-sftp
        assert b"uid=" not in out.read()
    finally:
        client.close()
    assert (d.headend / "publisher.pub").read_bytes() == trusted and d.served() == served


def test_a_damaged_or_huge_acks_file_on_one_target_does_not_stop_the_others(sshd, tmp_path, published):
    d = published
    huge = tmp_path / "huge" / "drop"  # over SFTP: a 3 GiB sparse acks.json
    huge.mkdir(parents=True)
    with open(huge / "acks.json", "wb") as f:
        f.truncate(3 << 30)
    broken, healthy = tmp_path / "broken" / "drop", tmp_path / "healthy" / "drop"
    broken.mkdir(parents=True)
    (broken / "acks.json").write_text('{"format": 1, "bundles": {"xg/cs": {"active": 1, "seen": "zzz"}}}')
    set_targets(
        d,
        sshd.yaml("huge", huge) + f"    - name: broken\n      type: folder\n      path: {broken}\n"
        f"    - name: healthy\n      type: folder\n      path: {healthy}\n",
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = sitegen("push", "--content", d.content, "--bundles", d.bundles, memory=1 << 30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    # the 3 GiB were not read: the push's own CPU (a busy machine stretches its wall time, not this)
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 10  # ~1 s
    for drop in (huge, broken, healthy):
        assert len(list(drop.glob("*.tar.gz"))) == 3, drop  # every target got a full set
    assert "huge: " in r.stderr and "broken: " in r.stderr and "damaged or too large" in r.stderr
    assert "healthy: " not in r.stderr


# ---- the snapshot: installed whole, and the time it was signed (issue 12: mix-and-match, freeze) --------------


def _round(d, hours, villages=("cs", "cs2"), now=None):
    """The publisher changes `villages`, bundles them `hours` after NOW and pushes (with its signed snapshot)."""
    for v in villages:
        touch_page(d, v, note=f"{v}-{hours}")
    infos = {i.bundle: i for i in bundle_now(d, now=NOW + timedelta(hours=hours))}
    assert push(d.store, [folder_target(d)], d.private(), d.content, now=now)[0].ok
    return infos


def test_only_whole_snapshots_are_installed_never_a_mix(published, tmp_path, monkeypatch):
    d = published
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    assert ingest(d.headend, now=NOW).activated
    first = {i.bundle: i for i in bundle_now(d)}
    saved = tmp_path / "old-cs.tar.gz"
    saved.write_bytes(first["xg/cs"].path.read_bytes())
    _round(d, 1)
    assert ingest(d.headend, now=NOW + timedelta(hours=1)).activated
    published_together = d.served()
    infos = _round(d, 2)
    # whoever can write drop withholds the new xg/cs2: xg/cs alone would make a site never published
    withheld = next(d.drop.glob(f"xg.cs2_v{infos['xg/cs2'].version}*.tar.gz"))
    withheld.unlink()
    read, real_objects = [], ingest_module._Reader.objects
    monkeypatch.setattr(ingest_module._Reader, "objects", lambda *a: read.append(a[1].bundle) or real_objects(*a))
    result = ingest(d.headend, now=NOW + timedelta(hours=2))
    assert not read  # the snapshot names two bundles not live, one file is there: no bundle is read past its manifest
    monkeypatch.undo()
    assert result.activated is None and d.served() == published_together
    assert [(o.bundle, o.status) for o in result.outcomes] == [("xg/cs", "waiting")]
    assert "rest of its snapshot" in result.outcomes[0].reason
    assert list(d.drop.glob(f"xg.cs_v{infos['xg/cs'].version}*.tar.gz"))  # still there, waiting
    # an old bundle of the set is no help either
    (d.drop / "old-cs.tar.gz").write_bytes(saved.read_bytes())
    result = ingest(d.headend, now=NOW + timedelta(hours=2))
    assert result.activated is None and "older than" in next(
        o.reason for o in result.outcomes if o.source == "old-cs.tar.gz"
    )
    # the publisher's next push sends what is missing: the whole snapshot goes in
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    result = ingest(d.headend, now=NOW + timedelta(hours=2))
    assert result.activated and d.served() == {
        k: v for k, v in snapshot(d.output).items() if not k.startswith(".cache/")
    }


def test_stale_content_is_reported_and_shown_on_the_home_page(published):
    d = published
    # the newest snapshot there is was signed 50 hours ago (the publisher stopped, or someone holds pushes back)
    assert push(d.store, [folder_target(d)], d.private(), d.content, now=datetime.now(UTC) - timedelta(hours=50))[0].ok
    r = sitegen("ingest", "--root", d.headend, "--max-age", "48")
    assert r.returncode == 9 and "STALE" in r.stderr and "已启用 installed" in r.stdout, r.stdout + r.stderr
    home = d.headend / "current" / "tv" / "index.html"
    text = home.read_text("utf-8")
    assert "本页内容更新于" in text and "小时未更新" in text
    assert (d.headend / "current/mobile/index.html").read_text("utf-8").count("小时未更新") == 1
    # a fresh push: the notice goes away, and the page is byte for byte the built one again
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    result = ingest(d.headend)
    assert result.stale_hours is None and result.fresh
    built = (d.output / "tv" / "index.html").read_bytes()
    assert home.read_bytes() == built and b"<!--sitegen:freshness--><!--/sitegen:freshness-->" in built
    # then 45 days without a new bundle or snapshot: it used to say nothing
    later = ingest(d.headend, now=datetime.now(UTC) + timedelta(days=45))
    assert later.stale_hours is not None and later.stale_hours >= 45 * 24
    assert f"已超过 {later.stale_hours} 小时未更新" in home.read_text("utf-8")


def test_a_headend_ahead_of_the_publisher_is_reported_as_a_possible_key_theft(published):
    d = published
    d.drop.mkdir(parents=True, exist_ok=True)
    ours = d.store.load_state()["bundles"]["xg/cs"]["version"]
    (d.drop / "acks.json").write_text(
        json.dumps({"format": 1, "release": "r-000002", "bundles": {"xg/cs": {"active": ours + 5, "seen": ours + 5}}})
    )
    result = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert result.ok and any("was the signing key stolen" in w and "xg/cs" in w for w in result.warnings)


def test_an_old_or_forged_snapshot_is_refused_and_reported(published, tmp_path):
    d = published
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    assert ingest(d.headend, now=NOW).activated
    old = (d.drop / "snapshot.json").read_bytes()
    _round(d, 1)
    assert ingest(d.headend, now=NOW + timedelta(hours=1)).activated
    served = d.served()
    # replayed: the headend would freeze on the older set
    (d.drop / "snapshot.json").write_bytes(old)
    result = ingest(d.headend, now=NOW + timedelta(hours=1))
    assert [(o.source, o.status) for o in result.outcomes] == [("snapshot.json", "rejected")]
    assert "freeze" in result.outcomes[0].reason and d.served() == served
    assert (d.drop / "rejected" / "snapshot.json.reason.txt").is_file()
    # altered after signing, or a link to some other file
    line, sig, _ = old.split(b"\n")
    (d.drop / "snapshot.json").write_bytes(line.replace(b'"version":', b'"version":9') + b"\n" + sig + b"\n")
    assert "bad signature" in ingest(d.headend, now=NOW + timedelta(hours=1)).outcomes[0].reason
    os.symlink(d.headend / "publisher.pub", d.drop / "snapshot.json")
    assert "not a readable plain file" in ingest(d.headend, now=NOW + timedelta(hours=1)).outcomes[0].reason
    assert (d.drop / "rejected" / "snapshot.json").is_symlink() and d.served() == served


# ---- issue 14: a push follows the change: only the changed village's file, never a listing of the remote ------


class _Recording:
    """A folder remote that notes every call (method, name)."""

    def __init__(self, inner, calls):
        self.inner, self.calls = inner, calls

    def __getattr__(self, method):
        def call(*args, **kwargs):
            self.calls.append((method, args[0] if args else None))
            return getattr(self.inner, method)(*args, **kwargs)

        return call


def test_after_one_village_changes_push_touches_only_its_file_here_and_there(published, monkeypatch):
    d = published
    assert push(d.store, [folder_target(d)], d.private(), d.content)[0].ok
    ingest(d.headend, now=NOW)
    touch_page(d)
    bundle_now(d, now=NOW + timedelta(hours=1))
    calls: list[tuple[str, str]] = []
    hashed: list[str] = []
    real_connect, real_hash = push_module.connect, push_module.sha256_file
    monkeypatch.setattr(push_module, "connect", lambda t, b: _Recording(real_connect(t, b), calls))
    monkeypatch.setattr(push_module, "sha256_file", lambda p: hashed.append(Path(p).name) or real_hash(p))
    result = push(d.store, [folder_target(d)], d.private(), d.content)[0]
    assert {s.bundle: s.kind for s in result.sent} == {"city": "none", "xg/cs": "delta", "xg/cs2": "none"}
    delta = next(s for s in result.sent if s.kind == "delta")
    name = f"xg.cs_v{delta.version}_from_v{delta.base}.tar.gz"
    assert {n for m, n in calls if m != "close"} == {
        "acks.json",
        name,
        f".{name}.part",
        "snapshot.json",
        ".snapshot.json.part",
    }
    assert {m for m, _ in calls} <= {"size", "read", "write_from", "sha256", "rename", "remove", "close"}
    # here and there only that file (and the snapshot, and their parts) is read back: no other bundle's archive
    assert set(hashed) == {name, f".{name}.part", "snapshot.json", ".snapshot.json.part"}
