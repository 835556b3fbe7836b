"""The finance pages of a built fixture, in headless Chromium at 1280x720, with the remote's keys only: from a
village home to an asset, its voucher or source document and the scans, and to a project stage's document;
Back returns the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.build.pipeline import build
from tests import browser
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fintv") / "output"
    build(FIXTURES / "finance", out, themes=("tv",))
    return out / "tv"


@pytest.fixture(scope="module")
def page(site, chromium):
    context = chromium.new_context(viewport=dict(browser.VIEWPORT))  # (the session's Chromium, conftest)
    p = context.new_page()
    p.errors = browser.collect_errors(p)
    with browser.serve(site) as base:
        p.base = base
        yield p
    assert not p.errors, p.errors.errors
    context.close()


def href(page) -> str:
    return (browser.focused(page) or {}).get("href") or ""


def _found(page, pattern: str) -> bool:
    return bool(re.search(pattern, href(page)))


def _walk(page, key: str, pattern: str, limit: int = 12) -> bool:
    """Press `key` until the focus matches, or stops moving."""
    for _ in range(limit):
        before = href(page), page.evaluate("() => document.activeElement && document.activeElement.outerHTML")
        browser.press(page, key)
        if _found(page, pattern):
            return True
        if (href(page), page.evaluate("() => document.activeElement && document.activeElement.outerHTML")) == before:
            return False
    return False


def seek(page, pattern: str, grid: bool = False) -> None:
    """Arrow keys only until the focused link's href matches `pattern`: down a list, or through a grid of tiles
    row by row (right along one row, down, left along the next)."""
    if _found(page, pattern):
        return
    if not grid:
        assert _walk(page, "ArrowDown", pattern), f"never reached {pattern}; focus on {href(page)} at {page.url}"
        return
    for across in ("ArrowRight", "ArrowLeft") * 4:
        if _walk(page, across, pattern):
            return
        browser.press(page, "ArrowDown")
        if _found(page, pattern):
            return
    raise AssertionError(f"never reached {pattern}; focus is on {href(page)} at {page.url}")


def ok(page) -> None:
    with page.expect_navigation():
        browser.press(page, "Enter")
    page.wait_for_load_state("load")


def back(page) -> None:
    with page.expect_navigation():
        browser.press(page, "Backspace")
    page.wait_for_load_state("load")


def shows_image(page) -> bool:
    return page.evaluate(
        "() => Array.prototype.some.call(document.images, function (i) { return i.complete && i.naturalWidth > 0; })"
    )


def test_village_to_asset_voucher_document_and_back(page):
    page.goto(page.base + "xg/cs/index.html")
    village = page.url
    seek(page, r"(^|/)finance/index\.html$", grid=True)
    ok(page)
    board = page.url
    seek(page, r"assets/index\.html$", grid=True)
    ok(page)
    assert page.url.endswith("/finance/assets/index.html")
    register = page.url

    # from before the journal, its value opens the scanned register page it came from
    seek(page, r"/docs/.+\.html$")
    ok(page)
    assert "/finance/docs/" in page.url and shows_image(page)
    assert page.evaluate("() => document.querySelector('figure img').getAttribute('width') > 0")
    back(page)
    assert page.url == register and "/docs/" in href(page)  # Back returns to the row it was left on

    # bought with a voucher; the voucher page shows its scans and names the asset
    seek(page, r"vouchers/2026-09-006\.html$")
    ok(page)
    assert page.url.endswith("/vouchers/2026-09-006.html")
    assert "scan-thumb" in browser.focused(page)["cls"] and shows_image(page)
    voucher = page.url
    ok(page)  # the first scan, full screen
    assert page.evaluate("() => document.querySelector('img.viewer-img').naturalWidth") > 0
    back(page)
    assert page.url == voucher
    seek(page, r"assets/index\.html#asset-a-02$")  # the row that points at this voucher
    ok(page)
    assert page.url.endswith("/assets/index.html#asset-a-02")
    back(page)
    assert page.url == voucher
    back(page)
    assert page.url == register
    back(page)
    assert page.url == board
    back(page)
    assert page.url == village


def test_village_to_project_stage_document_and_back(page):
    page.goto(page.base + "xg/cs/index.html")
    village = page.url
    seek(page, r"(^|/)finance/index\.html$", grid=True)
    ok(page)
    seek(page, r"projects/index\.html$", grid=True)
    ok(page)
    projects = page.url
    seek(page, r"(^|/)p1\.html$")
    ok(page)
    assert page.url.endswith("/finance/projects/p1.html")
    project = page.url
    seek(page, r"/docs/.+\.html$")  # 合同: its scanned contract
    ok(page)
    assert "/finance/docs/" in page.url and shows_image(page)
    back(page)
    assert page.url == project
    seek(page, r"vouchers/2026-09-005\.html$")  # the payment
    ok(page)
    assert "工程项目 村道修补工程" in page.inner_text("main")
    back(page)
    assert page.url == project
    back(page)
    assert page.url == projects
    back(page)
    back(page)
    assert page.url == village
