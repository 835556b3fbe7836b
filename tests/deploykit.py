"""Helpers shared by the deployment tests (bundle, push, ingest, publish): a two-village city, keys, a headend,
sitegen in a subprocess (optionally paused at a checkpoint so it can be SIGKILLed), and hand-made bundles."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import pty
import re
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sitegen.deploy import keys
from sitegen.deploy.bundle import FORMAT, Store, make_bundles

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
# On the hour, so tests can name times; near the real clock, because sitegen run as a subprocess uses that.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class Deploy:
    """A publisher (content, output, bundles, key) and one headend on the same machine."""

    base: Path
    content: Path
    output: Path
    bundles: Path
    key: Path
    headend: Path

    @property
    def drop(self) -> Path:
        return self.headend / "drop"

    @property
    def store(self) -> Store:
        return Store(self.bundles)

    def private(self):
        return keys.load_private(self.key)

    def served(self) -> dict[str, str]:
        """What the headend serves now: path -> sha256 (empty when nothing is live yet)."""
        current = self.headend / "current"
        if not current.exists():
            return {}
        return snapshot(current)


def snapshot(folder: Path) -> dict[str, str]:
    """The published files under `folder` (a build's output, a headend release): path -> SHA-256. Symlinked
    folders are followed, as the web server does (a release links each village's folder into the store)."""
    found = {}
    for top, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(top, name)
            if not name.startswith(".") and path.is_file():
                found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def two_villages(dest: Path) -> Path:
    """tests/fixtures/mini with a second village (xg/cs2, 长寿二村) copied from the first."""
    shutil.copytree(FIXTURES / "mini", dest)
    shutil.copytree(dest / "xg" / "cs", dest / "xg" / "cs2")
    yaml = dest / "xg" / "cs2" / "village.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("长寿村", "长寿二村"), "utf-8")
    return dest


def deploy(tmp: Path, targets: str | None = None) -> Deploy:
    """Content with a `publish:` section (a folder target at the headend's drop folder unless `targets`)."""
    d = Deploy(
        tmp,
        two_villages(tmp / "content"),
        tmp / "output",
        tmp / "bundles",
        tmp / "keys" / "signing.key",
        tmp / "headend",
    )
    pub = keys.generate(d.key)
    d.headend.mkdir()
    shutil.copyfile(pub, d.headend / "publisher.pub")
    set_targets(d, targets)
    return d


def set_targets(d: Deploy, targets: str | None = None) -> None:
    """(Re)write site.yaml's publish: section; `targets` is YAML for the list items."""
    site = d.content / "site.yaml"
    targets = targets if targets is not None else (f"    - name: headend\n      type: folder\n      path: {d.drop}\n")
    text = site.read_text("utf-8").split("publish:\n")[0]
    site.write_text(text + f"publish:\n  signing_key: {d.key}\n  targets:\n{targets}", "utf-8")


def clone(src: Deploy, dest: Path) -> Deploy:
    """A copy of a whole set-up (content, build, bundles, keys, headend), cheaper than building again."""
    shutil.copytree(src.base, dest, symlinks=True)
    site = dest / "content" / "site.yaml"
    site.write_text(site.read_text("utf-8").replace(str(src.base), str(dest)), "utf-8")
    return Deploy(
        dest, *(dest / p.relative_to(src.base) for p in (src.content, src.output, src.bundles, src.key, src.headend))
    )


def touch_page(d: Deploy, village: str = "cs", note: str = "1") -> None:
    """Change one built page of a village (what a changed voucher does, without building again)."""
    for theme in ("tv", "mobile"):
        page = d.output / theme / "xg" / village / "index.html"
        page.write_text(page.read_text("utf-8") + f"<!-- {note} -->\n", "utf-8")


def change_voucher(content: Path, village: str = "cs", amount: str = "2600.50") -> None:
    """Set voucher 记-2's amount on both its lines (it still balances)."""
    journal = content / "xg" / village / "journal" / "2026-09.csv"
    lines = [
        re.sub(r"\b\d+\.\d\d\b", amount, line) if ",记-2," in line else line
        for line in journal.read_text("utf-8").splitlines()
    ]
    journal.write_text("\n".join(lines) + "\n", "utf-8")


def unbalance(content: Path, village: str) -> None:
    journal = content / "xg" / village / "journal" / "2026-09.csv"
    text = journal.read_text("utf-8")
    journal.write_text(text.replace(",2500.50,,", ",2900.50,,", 1), "utf-8")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("SITEGEN_DEBUG", None)
    return e


def limits(memory: int | None = None, file_size: int | None = None):
    """A preexec_fn capping the child's address space (RLIMIT_AS) and the size of any file it writes
    (RLIMIT_FSIZE: a write beyond it fails with EFBIG, as a full disk fails with ENOSPC); None when neither."""
    if memory is None and file_size is None:
        return None

    def apply() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return apply


def sitegen(
    *args, cwd: Path | None = None, timeout: float = 120, memory: int | None = None, file_size: int | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env(),
        timeout=timeout,
        preexec_fn=limits(memory, file_size),
    )


def at_a_terminal(*args, timeout: float = 120) -> tuple[int, str, str]:
    """sitegen ARGS as an operator runs it: stderr on a pseudo-terminal (a tty), stdout a pipe. Returns the exit
    code, stdout and what the terminal showed (its line ends as the terminal sends them, \\r\\n)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", *map(str, args)], stdout=subprocess.PIPE, stderr=slave, env=env()
    )
    os.close(slave)
    shown = b""
    try:
        while True:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal's last other end
                break
            if not chunk:
                break
            shown += chunk
        out, _ = proc.communicate(timeout=timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(), shown.decode("utf-8", "replace")


def paused(
    marker: Path,
    at: str,
    *args,
    call: int = 1,
    when: str = "after",
    setting: str | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Start sitegen ARGS, wait until it has paused at `at` (module:function), and return the process."""
    e = env()
    e.update(PAUSE_AT=at, PAUSE_CALL=str(call), PAUSE_WHEN=when, PAUSE_MARKER=str(marker))
    if setting:
        e["PAUSE_SET"] = setting
    proc = subprocess.Popen(
        [sys.executable, str(FIXTURES / "pause_run.py"), *map(str, args)],
        cwd=cwd,
        env=e,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300  # a bound for a run that never gets there, not a time it is given
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"exited ({proc.returncode}) before pausing at {at}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"never paused at {at}")
        time.sleep(0.02)
    return proc


def blocked_on_lock(pid: int) -> bool:
    """The process waits in flock(2): /proc/locks shows its request as blocked ("->")."""
    return any(
        re.search(rf"->\s+FLOCK\s+\S+\s+\S+\s+{pid}\s", line) for line in Path("/proc/locks").read_text().splitlines()
    )


def wait_until_blocked(proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until `proc` waits for a lock another process holds (polling its state: however busy the machine, it has
    then got that far and no further); fails if it ends first or never gets there."""
    deadline = time.monotonic() + timeout
    while not blocked_on_lock(proc.pid):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "it never waited for the lock"
        time.sleep(0.02)


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def bundle_now(d: Deploy, now: datetime = NOW, **kwargs):
    return make_bundles(d.output, d.store, d.private(), now=now, **kwargs)


# ---- hand-made (malicious) bundles ---------------------------------------------------------------------------


def craft(
    dest: Path,
    manifest: dict | bytes,
    signer,
    members: list[tarfile.TarInfo | tuple[str, bytes]],
    signature: bytes | None = None,
    with_signature: bool = True,
) -> Path:
    """A bundle archive with exactly the given members after manifest.json and manifest.sig."""
    data = (
        manifest
        if isinstance(manifest, bytes)
        else (json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    )
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:

        def add(name: str, payload: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))

        add("manifest.json", data)
        if with_signature:
            add("manifest.sig", signature if signature is not None else signer.sign(data))
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                add(*member)
    dest.write_bytes(raw.getvalue())
    return dest


def manifest_doc(
    bundle: str,
    version: int,
    files: dict[str, bytes],
    key_id: str = "test",
    expires: str = (NOW + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    objects: list[str] | None = None,
) -> dict:
    entries = {p: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for p, b in files.items()}
    shas = sorted({str(e["sha256"]) for e in entries.values()})
    return {
        "format": FORMAT,
        "bundle": bundle,
        "village": None if bundle == "city" else bundle,
        "kind": "full",
        "version": version,
        "base": None,
        "expires": expires,
        "key_id": key_id,
        "files": entries,
        "objects": shas if objects is None else objects,
        "deleted": [],
    }
