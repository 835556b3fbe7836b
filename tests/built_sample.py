"""The sample city (content/) built once per test session, for every test that needs the real site (the browser
tests, test_build_e2e.py, test_feedback.py, test_finance.py, test_images.py, ...): a cold build makes every image
rendition, which takes most of its time. Not a test module; tests/conftest.py has it as the `sample_site` fixture.

The build is shared: read it, don't change it (copy it first). A test that changes it all the same costs the next
caller a fresh build, not a wrong answer: every call checks that no file was added, removed or rewritten.

A test that builds the sample again (changed, or to compare) starts from `image_cache`: a copy of the shared
build's image cache, hard-linked, so only the images it changed are processed anew.

With pytest-xdist (scripts/test.sh runs the tests in two worker processes) the workers share one build too: the
first to need it builds it in their common temporary folder, holding a lock (flock) there; another one waits on
that lock and then takes the finished build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import warnings
from pathlib import Path

from sitegen.build.pipeline import build

REPO = Path(__file__).resolve().parent.parent  # (not from conftest, which imports this module)
CONTENT = REPO / "content"
_built: dict[str, tuple[Path, dict]] = {}


def _fingerprint(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime in ns) of every file below folder."""
    found, todo = {}, [str(folder)]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[entry.path] = (st.st_size, st.st_mtime_ns)
    return found


def sample_output(tmp_path_factory) -> Path:
    """output/ of the sample city (both themes), built on first use in this session (and again only if a test
    changed it)."""
    cached = _built.get("out")
    if cached is None:
        top = _shared_build(tmp_path_factory)
    elif _fingerprint(cached[0]) != cached[1]:  # a right answer still, but a slow one: say which test did it
        warnings.warn("a test changed the shared sample build (or its image cache): built again", stacklevel=2)
        top = tmp_path_factory.mktemp("sample-site")  # this process's own build from now on
        _cold_build(top)
    else:
        return cached[0]
    out, cache = top / "output", top / "image-cache"
    _built["out"], _built["cache"] = (out, _fingerprint(out)), (cache, _fingerprint(cache))
    return out


def _cold_build(top: Path) -> None:
    build(CONTENT, top / "output", cache=top / "image-cache")  # a fresh cache: this build is a cold one


def _shared_build(tmp_path_factory) -> Path:
    """The folder holding the build (output/, image-cache/) all the session's processes share: made by the first
    that asks, in their common temporary folder (the workers' own folders' parent under pytest-xdist), while it
    holds the lock; the others wait on the lock, then find it done."""
    base = tmp_path_factory.getbasetemp()
    common = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    top, done = common / "sample-site", common / "sample-site.done"
    with open(common / "sample-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if not done.exists():
            shutil.rmtree(top, ignore_errors=True)  # (a build a killed worker left half done)
            _cold_build(top)
            done.touch()
    return top


def image_cache(tmp_path_factory, dest: Path) -> Path:
    """A warm image cache at `dest` for another build of the sample (as is or changed): the shared build's cache,
    its renditions hard-linked file by file. A build only ever replaces a rendition (a new file renamed over it)
    or unlinks one it no longer needs, never writes into one, so the shared ones stay as they were whatever the
    build does. The index (.index/: hashes, checks, the lock file a build writes its pid into) is copied."""
    sample_output(tmp_path_factory)
    cache, shot = _built["cache"]
    if _fingerprint(cache) != shot:  # (cannot happen through this function; a test that wrote there directly)
        _built["out"] = (_built["out"][0], {})
        sample_output(tmp_path_factory)
        cache = _built["cache"][0]
    return linked_cache(cache, dest)


def shared_cache(tmp_path_factory) -> Path:
    """The shared build's image cache (read it, never change it)."""
    sample_output(tmp_path_factory)
    return _built["cache"][0]


def jpeg_renditions(tmp_path_factory, dest: Path) -> Path:
    """An image cache at `dest` holding only the shared build's JPEG renditions (hard links, as image_cache) and
    no index: a build of the sample with it validates, plans and renders every village anew, hashes, probes and
    decode-checks every source, draws every QR code and chart and makes every PNG rendition (line art) anew,
    and takes only the JPEG scans' renditions as made (h41: most of a cold build's CPU, shown deterministic
    apart, on one source of each kind)."""
    cache = shared_cache(tmp_path_factory)
    dest.mkdir(parents=True)
    with os.scandir(cache) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as fh:
                    if fh.read(2) == b"\xff\xd8":  # a JPEG: a rendition (drawings and line art are PNG)
                        os.link(entry.path, dest / entry.name)
    return dest


def linked_cache(cache: Path, dest: Path) -> Path:
    """A warm copy at `dest` of the image cache `cache`, for another build that must not change it: the
    renditions hard-linked (a build never writes into one, see image_cache), the index copied."""
    shutil.copytree(cache, dest, copy_function=os.link, ignore=shutil.ignore_patterns(".index"))
    shutil.copytree(cache / ".index", dest / ".index")
    return dest
