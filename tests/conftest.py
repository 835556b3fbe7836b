"""Shared fixtures: copies of the small content folders under tests/fixtures/, and tree snapshots."""

from __future__ import annotations

import gc
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from click.testing import CliRunner

from sitegen.cli.main import main
from sitegen.content.model import Item, Village, Voucher
from tests import browser, built_sample

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini (1 town, 1 village, 4 vouchers)."""
    dest = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


def add_second_village(content: Path) -> Path:
    """`content` (a copy of the mini fixture) with its village xg/cs copied as a second one, xg/hx (红星村): the
    same vouchers, scans and charts, so what two villages share (a cache entry, a carried village) shows."""
    shutil.copytree(content / "xg" / "cs", content / "xg" / "hx")
    yaml = content / "xg" / "hx" / "village.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("长寿村", "红星村"), encoding="utf-8")
    return content


def published(path: Path, folder: Path) -> bool:
    """A file bundles carry: no hidden name on its way down from `folder` (the build's record of what its pages
    were made from, the image cache, the headend's .sitegen are never published)."""
    return path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)


def snapshot(folder: Path, published_only: bool = False) -> dict[str, str]:
    """Relative path -> sha256 of every file below folder but the image cache; with `published_only`, of the
    published files only."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if (published(p, folder) if published_only else p.is_file() and ".cache" not in p.parts)
    }


def sitegen_here(*args: object) -> subprocess.CompletedProcess:
    """`sitegen ARGS` run in this process the way `python -m sitegen ARGS` runs it (cli.main.main: its exit codes,
    its one line for an internal error), stdout and stderr apart, as a CompletedProcess. For tests about what a
    command does and says, not about its process: a new interpreter costs ~1 s of CPU importing the pipeline and
    starting its image workers' server (h52). Each command keeps tests of its real process (test_cli.py, and the
    stage's own test file for the deploy commands)."""
    argv = ["sitegen", *map(str, args)]
    with CliRunner().isolation() as (out, err, _), mock.patch.object(sys, "argv", argv):
        try:
            main()
            code = 0
        except SystemExit as exc:  # as the interpreter turns it into an exit status
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        return subprocess.CompletedProcess(argv, code, out.getvalue().decode(), err.getvalue().decode())


# ---- issue 11 (h2): dates are judged against a pinned "today" ------------------------------------------------


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """A date more than 60 days after today is refused (sitegen/content/dates.py); the tests judge against one fixed day
    (SITEGEN_TODAY, inherited by the CLI subprocesses too), so they give the same answer whatever the clock says."""
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-29")


# ---- h15: browser fixtures (helpers in tests/browser.py) -------------------------------------------------------
# Here rather than imported from tests/browser.py into each module: pytest finds conftest fixtures by name, and an
# imported fixture shadows itself as a test's argument (ruff F811).


@pytest.fixture(scope="session")
def session_chromium():
    """One Chromium for the session's process (a launch costs ~1 s of CPU; a worker runs a dozen browser modules)."""
    b = browser.launch()
    yield b
    b.close()


@pytest.fixture(scope="module")
def chromium(session_chromium):
    """The Chromium for the test module (skipped without one, failed with REQUIRE_BROWSER=1): the session's, each
    test in contexts of its own; whatever context the module left open (a test that failed before closing its
    own) is closed after it, so the next module starts with none."""
    yield session_chromium
    for context in session_chromium.contexts:
        context.close()


@pytest.fixture
def page(chromium):
    """A fresh context (own history and sessionStorage) at 1280x720; its console and page errors are in
    page.errors, and any fails the test."""
    context = chromium.new_context(viewport=dict(browser.VIEWPORT))
    pg = context.new_page()
    pg.errors = browser.collect_errors(pg)
    yield pg
    context.close()
    assert pg.errors.errors == [], f"console/page errors: {pg.errors.errors}"


# ---- h15: the sample city (content/) built once per session (tests/built_sample.py) ----------------------------


@pytest.fixture
def sample_site(tmp_path_factory) -> Path:
    """output/ of the sample city, both themes, built once per session: read it, never change it (copy first)."""
    return built_sample.sample_output(tmp_path_factory)


# ---- h22: the slowest test files first (pytest-xdist, scripts/test.sh) -------------------------------------------
# scripts/test.sh gives each worker whole files (--dist loadfile) in collection order (--no-loadscope-reorder): the
# longest files start first, so no worker is left with a long one at the end while the other has nothing to do.
# By measured time, highest first. The first goes to one worker, the second to the other: that one needs no sample
# build, so it runs while the first builds the shared sample (tests/built_sample.py) for both.
SLOWEST_FILES = (  # (every file above ~10 s, so the run ends on short files; seconds in one of two workers: CI at
    # ed0e216, less what h41 took off; test_corpus before test_build_e2e: the second worker then waits for no lock)
    "test_reachability.py",  # the walk over the whole sample TV site (284 s)
    "test_sample_script.py",  # 25
    "test_corpus.py",  # 83
    "test_build_e2e.py",  # ~60 with the shared sample build (98 with a second cold build of the sample)
    "test_pipeline.py",  # 58
    "test_cli.py",  # 47
    "test_finance.py",  # ~45 (53)
    "test_reuse.py",  # ~37 (42)
    "test_ingest.py",  # 32
    "test_publish.py",  # 29
    "test_tv_js.py",  # 26
    "test_mobile_site.py",  # 25
    "test_memo.py",  # 21
    "test_tv_sweep.py",  # 19
    "test_validate.py",  # 18
    "test_tv_site.py",  # 22
    "test_serve.py",  # 18
    "test_print.py",  # 18
    "test_push.py",  # 16
    "test_digests_index.py",  # 16
    "test_search.py",  # 15
    "test_viewer.py",  # 14
    "test_images.py",  # 12
    "test_bundle.py",  # 11
)


def pytest_collection_modifyitems(items):
    """The files of SLOWEST_FILES first, in that order; the others after them as collected (a stable sort)."""
    rank = {name: n for n, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


# ---- h45: streaming validation (issue 14) ----


def model_reached(root: object) -> list[str]:
    """The model's objects (items, vouchers, villages) reachable from `root`, by class name."""
    found, seen, todo = [], set(), [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, ModuleType)):
            continue
        seen.add(id(obj))
        if isinstance(obj, (Item, Voucher, Village)):
            found.append(type(obj).__name__)
            continue
        todo.extend(gc.get_referents(obj))
    return found
