"""`sitegen serve`: real HTTP on 127.0.0.1, a rebuild on every save, the reload script only in what is served,
errors as a Chinese page until fixed, and a real Chromium page that reloads by itself on the same focus."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sitegen.build.scope import locate
from sitegen.cli.serve import RELOAD_SCRIPT, VERSION_PATH, Preview
from sitegen.site import output
from tests import browser
from tests.test_validate import MEETING, edit


@pytest.fixture
def preview(mini, tmp_path):
    p = Preview(locate(mini), tmp_path / "preview", port=0)
    p.start()
    assert p.wait_version(0, 120) == 1, "the first build never finished"
    yield p
    p.stop()


@pytest.fixture
def preview_two(mini, tmp_path):
    """The preview of a city of two villages: one village's error is that village's alone (with one village, its
    error is every village's, and a build stops whole: pipeline._stops)."""
    shutil.copytree(mini / "xg/cs", mini / "xg/ds")
    edit(mini, "xg/ds/village.yaml", "name: 长寿村", "name: 东山村")
    p = Preview(locate(mini), tmp_path / "preview", port=0)
    p.start()
    assert p.wait_version(0, 120) == 1, "the first build never finished"
    yield p
    p.stop()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read().decode("utf-8")


def save(p: Preview, root: Path, rel: str, old: str, new: str) -> int:
    """Edit a content file as a clerk's editor would; the version of the rebuild it caused."""
    before = p.state.version
    edit(root, rel, old, new)
    version = p.wait_version(before, 60)
    assert version > before, "the save was not noticed"
    return version


def test_serves_the_preview_with_the_reload_script_never_written(preview, tmp_path):
    assert preview.url.startswith("http://127.0.0.1:")
    page = get(preview.url)  # redirected to the TV home
    assert "sitegen-serve:" in page and VERSION_PATH in page and "</body>" in page.split("sitegen-serve:")[1]
    assert "sitegen-serve:" in get(preview.url + "mobile/index.html")
    script = get(preview.url + "tv/static/tv.js")  # not HTML: served as it is
    assert "function" in script and "sitegen-serve" not in script
    written = [f for f in (tmp_path / "preview").rglob("*.html")]
    assert written and not any(b"sitegen-serve" in f.read_bytes() for f in written)
    with pytest.raises(urllib.error.HTTPError):
        get(preview.url + "tv/../../../etc/passwd")


def test_drafts_are_shown_marked(preview, mini):
    save(preview, mini, MEETING, "status: 已通过", "status: 待审核")
    assert "草稿" in get(preview.url + "tv/xg/cs/index.html") or "草稿" in "".join(
        f.read_text(encoding="utf-8") for f in (Path(preview.out) / "tv/xg/cs").rglob("*.html")
    )


def test_listens_on_loopback_only(preview):
    port = preview.server.server_address[1]
    assert preview.server.server_address[0] == "127.0.0.1"
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    for address in addresses:
        with pytest.raises(OSError):
            socket.create_connection((str(address), port), timeout=2).close()


def test_version_long_polls_until_a_save(preview, mini):
    now = json.loads(get(preview.url + VERSION_PATH.lstrip("/")))["version"]
    assert json.loads(get(f"{preview.url}{VERSION_PATH.lstrip('/')}?since={now - 1}"))["version"] == now  # at once
    save(preview, mini, MEETING, "第三季度党员大会", "第三季度党员大会（改）")
    assert json.loads(get(f"{preview.url}{VERSION_PATH.lstrip('/')}?since={now}"))["version"] > now


def test_an_error_replaces_the_pages_until_fixed(preview_two, mini):
    """A village's error replaces that village's pages (the city's stay); a shared file's replaces every page."""
    preview = preview_two
    save(preview, mini, MEETING, "category: 组织建设", "category: [组织建设")
    page = get(preview.url + "tv/xg/cs/index.html")
    assert "内容有 1 个错误" in page and "meeting.md 第4行" in page and "括号没有配对" in page
    assert "sitegen-serve:" in page  # so it turns back by itself
    assert "内容有" in get(preview.url + "mobile/xg/cs/party/index.html")
    assert "内容有" not in get(preview.url + "tv/index.html")
    save(preview, mini, MEETING, "category: [组织建设", "category: 组织建设")
    assert "内容有" not in get(preview.url + "tv/xg/cs/index.html")
    save(preview, mini, "xg/town.yaml", "name:", "nmae:")
    page = get(preview.url + "tv/index.html")
    assert "内容有" in page and "town.yaml" in page
    save(preview, mini, "xg/town.yaml", "nmae:", "name:")
    assert "内容有" not in get(preview.url + "tv/index.html")


def test_another_villages_error_does_not_stop_this_villages_preview(mini, tmp_path):
    shutil.copytree(mini / "xg/cs", mini / "xg/ds")
    edit(mini, "xg/ds/village.yaml", "name: 长寿村", "name: 东山村")
    edit(mini, "xg/ds/journal/2026-09.csv", ",,2500.50,王五,0", ",,2500.00,王五,0")
    p = Preview(locate(mini / "xg/cs"), tmp_path / "preview", port=0)
    p.start()
    try:
        assert p.wait_version(0, 120) == 1
        page = get(p.url)
        assert "内容有" not in page and "长寿村" in page
    finally:
        p.stop()


def test_stop_restores_the_output_remover(mini, tmp_path):
    p = Preview(locate(mini), tmp_path / "preview", port=0)
    p.start()
    assert output.remove_old == p._discard
    p.wait_version(0, 120)
    p.stop()
    assert output.remove_old is shutil.rmtree
    assert not list((tmp_path / "preview").glob(".discard-*"))


def test_cli_serve_starts_and_stops(mini, tmp_path):
    """The command itself: it prints its address, answers, and Ctrl-C (SIGINT) ends it cleanly."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitegen",
            "serve",
            mini,
            "--village",
            "xg/cs",
            "--port",
            "0",
            "-o",
            tmp_path / "preview",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as at a terminal: a test run started in the background (a shell without job control) ignores
        # SIGINT, and a child inherits that, so the signal below would never reach the preview
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("预览 preview: http://127.0.0.1:") and "/tv/xg/cs/index.html" in line, line
        assert "sitegen-serve:" in get(line.split()[2])
    finally:
        proc.send_signal(2)
        assert proc.wait(60) == 0
    assert "Traceback" not in proc.stderr.read()


def test_a_browser_page_reloads_after_a_save_on_the_same_focus(preview, mini, chromium):
    """Chromium on the TV preview at 1280x720: move the focus with the keyboard, save an edit, the page shows it
    by itself with the focus where it was."""
    context = chromium.new_context(viewport=dict(browser.VIEWPORT))  # (the session's Chromium, conftest)
    try:
        page = context.new_page()
        page.errors = browser.collect_errors(page)
        page.goto(preview.url + "tv/xg/cs/index.html")
        browser.ready(page)
        browser.press(page, "ArrowDown")
        before = browser.focused_href(page)
        assert before
        save(preview, mini, "xg/cs/village.yaml", "位于夏港街道东部。", "位于夏港街道东部（已修改）。")
        page.wait_for_function("document.body.innerText.indexOf('（已修改）') >= 0")
        browser.ready(page)
        page.wait_for_function(
            "document.activeElement && document.activeElement.getAttribute('href') === %s" % json.dumps(before)
        )
        save(preview, mini, MEETING, "category: 组织建设", "category: [组织建设")  # an error: the error page
        page.wait_for_selector("#sitegen-errors")
        assert "meeting.md" in page.inner_text("body")
        save(preview, mini, MEETING, "category: [组织建设", "category: 组织建设")  # fixed: the page again
        page.wait_for_function("document.body.innerText.indexOf('（已修改）') >= 0")
        browser.ready(page)
        home = page.url
        page.wait_for_function(
            "document.activeElement && document.activeElement.getAttribute('href') === %s" % json.dumps(before)
        )
        browser.navigate(page, "Enter")  # the keyboard works the TV preview: Enter opens, Backspace goes back
        assert page.url == preview.url + "tv/xg/cs/" + before
        browser.navigate(page, "Backspace")
        assert page.url == home
        assert page.errors.errors == []
    finally:
        context.close()


def test_a_village_preview_ignores_other_villages_saves_and_other_towns_mistakes(mini, tmp_path):
    (mini / "zz").mkdir()
    (mini / "zz/town.yaml").write_text("name: [broken\n", encoding="utf-8")
    shutil.copytree(mini / "xg/cs", mini / "xg/ds")
    p = Preview(locate(mini / "xg/cs"), tmp_path / "preview", port=0)
    p.start()
    try:
        assert p.wait_version(0, 120) == 1 and p.state.errors == []
        assert "长寿村" in get(p.url)
        p.changed(str(mini / "xg/ds/party/meeting.md"))
        p.changed(str(mini / "zz/town.yaml"))
        assert not p._pending.is_set()  # not this preview's files
        p.changed(str(mini / "xg/town.yaml"))
        assert p.wait_version(1, 60) == 2  # a shared file is: rebuilt
    finally:
        p.stop()


def test_the_reload_script_is_es5():
    """Set-top boxes and old phones run ES5: no arrow functions, let/const, template strings, fetch or classes."""
    script = RELOAD_SCRIPT
    for token in ("=>", "let ", "const ", "`", "fetch(", "class ", "Promise", "async "):
        assert token not in script, token
    assert "XMLHttpRequest" in script and "sessionStorage" in script
