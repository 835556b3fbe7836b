"""`sitegen serve`: the clerk's live preview (预览) while editing.

Builds the content with drafts shown (marked 草稿) into a preview folder through the ordinary pipeline
(`pipeline.build(preview=True, hold_back=True)`: an unchanged village is carried over, so a save remakes only
the village it touched, and another village's mistakes never stop this one's preview), serves the TV and phone
sites on 127.0.0.1 only (a small stdlib ThreadingHTTPServer), and watches the content folder (watchdog): a burst
of saves becomes one rebuild, one at a time.

The open page reloads by itself, on the same page, scroll and focus: every HTML response gets a tiny ES5 script
(`RELOAD_SCRIPT`, no websockets, so an old browser works too) that long-polls `/__sitegen/version` and reloads
when the version moves. The script is added when a page is sent, never written into the build output. While the
content has errors, the pages they concern (a village's, or every page for a shared file's) are replaced by a page
listing them in Chinese (file, row, what to fix); it turns back into the site when the clerk saves the fix.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from sitegen.build import pipeline
from sitegen.build.scope import Scope, ScopeError, in_scope, locate, mirror, split
from sitegen.content.errors import ContentError, Location, OutputError, Problem, make_problem
from sitegen.site import output, render

VERSION_PATH = "/__sitegen/version"
QUIET = 0.15  # seconds without a file event before a burst of saves is rebuilt
LONG_POLL = 20.0  # seconds a version request is held open when nothing changes

# ES5 only (set-top boxes): long-poll the version; on a change remember where the viewer was and reload.
RELOAD_SCRIPT = """<script>
(function () {
  var seen = %(version)d, KEY = 'sitegen-serve:' + location.pathname;
  function restore() {
    var saved = null, list, i;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || 'null'); sessionStorage.removeItem(KEY); } catch (e) {}
    if (!saved) { return; }
    window.scrollTo(0, saved.y);
    if (saved.href === null) { return; }
    list = document.getElementsByTagName('a');
    for (i = 0; i < list.length; i++) {
      if (list[i].getAttribute('href') === saved.href) { try { list[i].focus(); } catch (e) {} break; }
    }
    window.scrollTo(0, saved.y);
  }
  function reload() {
    var el = document.activeElement, href = el && el.getAttribute ? el.getAttribute('href') : null;
    try { sessionStorage.setItem(KEY, JSON.stringify({y: window.pageYOffset || 0, href: href})); } catch (e) {}
    location.reload();
  }
  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.onreadystatechange = function () {
      var v;
      if (xhr.readyState !== 4) { return; }
      if (xhr.status === 200) {
        try { v = JSON.parse(xhr.responseText).version; } catch (e) { v = seen; }
        if (v !== seen) { reload(); return; }
        setTimeout(poll, 50);
      } else {
        setTimeout(poll, 1000);  /* the server restarts: ask again in a moment */
      }
    };
    xhr.open('GET', '%(path)s?since=' + seen + '&t=' + new Date().getTime(), true);
    xhr.send(null);
  }
  if (window.addEventListener) { window.addEventListener('load', function () { setTimeout(restore, 0); }, false); }
  poll();
})();
</script>"""


def inject(page: bytes, version: int) -> bytes:
    """The page with the reload script before its closing </body> (at the end when it has none)."""
    script = (RELOAD_SCRIPT % {"version": version, "path": VERSION_PATH}).encode("utf-8")
    at = page.rfind(b"</body>")
    return page[:at] + script + page[at:] if at >= 0 else page + script


def error_page(problems: list[Problem], version: int, label: str) -> bytes:
    """The page shown instead of the site while `problems` (errors) stand: each with its file, row and message."""
    rows = "".join(
        f"<li><p class=where>{html.escape(p.where.zh())}</p><p class=zh>{html.escape(p.zh)}</p>"
        f"<p class=en>{html.escape(p.where.en())}: {html.escape(p.en)} [{html.escape(p.code)}]</p></li>"
        for p in problems
    )
    body = (
        f"<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>预览：内容有错误</title>"
        "<style>body{font:20px/1.5 sans-serif;margin:32px;background:#fff8f0;color:#222}"
        "h1{color:#b00;font-size:28px}li{margin:0 0 18px}.where{font-weight:bold;margin:0}"
        ".zh{margin:4px 0}.en{color:#666;font-size:16px;margin:0}</style></head><body>"
        f"<h1 id=sitegen-errors>{html.escape(label)}：内容有 {len(problems)} 个错误，预览暂停</h1>"
        "<p>请按下面的提示改好文件并保存，这一页会自动变回网页。 / Fix these and save: the page comes back "
        "by itself.</p>"
        f"<ol>{rows}</ol></body></html>"
    )
    return inject(body.encode("utf-8"), version)


def waiting_page(version: int) -> bytes:
    return inject(
        "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>预览</title></head><body>"
        "<h1 id=sitegen-waiting>正在生成预览，请稍候… / Building the preview…</h1></body></html>".encode(),
        version,
    )


@dataclass
class State:
    """What the server shows: the build version, and the errors that replace the pages while they stand."""

    version: int = 0
    errors: list[Problem] = field(default_factory=list)  # a shared file's: every page
    held: dict[str, list[Problem]] = field(default_factory=dict)  # "town/village" -> its errors: its pages
    built: bool = False
    last_seconds: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition)


class Preview:
    """The preview of `scope` (the whole content, a town or a village) in `out`, rebuilt on every save.

    `start()` builds once, then serves and watches; `stop()` undoes it all. `url` is the server's address."""

    def __init__(
        self,
        scope: Scope,
        out: Path,
        port: int = 8000,
        themes: tuple[str, ...] = render.THEMES,
        log: Callable[[str], None] = lambda line: None,
    ):
        self.scope, self.out, self.themes, self.log = scope, out.resolve(), themes, log
        self.state = State()
        self._pending = threading.Event()
        self.stopping = threading.Event()
        self._discarded = 0
        self._removers: list[threading.Thread] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._observer = Observer()
        self._threads: list[threading.Thread] = []
        self._remove_old = output.remove_old

    # ---- building ------------------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """One build of the preview. Errors confined to villages replace those villages' pages only (the others are
        shown as usual); any other error (a shared file) replaces every page, until the next build."""
        started = time.monotonic()
        held: dict[str, list[Problem]] = {}
        errors: list[Problem] = []
        try:
            # one village or town: built from a view holding only it and the shared files (scope.mirror)
            content = mirror(self.scope, self.out / ".scope") if self.scope.part else self.scope.content
            result = pipeline.build(content, self.out, self.themes, preview=True, hold_back=True)
            held = {key: _ordered(found) for key, found in result.held.items()}
        except ContentError as exc:
            own, _ = split(exc.report, self.scope)
            errors = own.errors or exc.report.errors
        except (OutputError, OSError) as exc:
            errors = [make_problem("output-write", Location(str(self.out)), detail=str(exc))]
        took = time.monotonic() - started
        with self.state.changed:
            self.state.errors = _ordered(errors)
            self.state.held = held
            self.state.built = True
            self.state.version += 1
            self.state.last_seconds = took
            self.state.changed.notify_all()
        count = len(errors) + sum(len(found) for found in held.values())
        self.log(
            f"预览已更新 preview rebuilt in {took:.1f}s"
            + (f"：{count} 个错误 error(s), shown in the browser" if count else "")
        )

    def problems_for(self, path: str) -> tuple[list[Problem], str]:
        """The errors that replace the page at `path` (/THEME/...), and whose they are: every page's while a shared
        file is wrong; a held village's pages' while that village is wrong."""
        state = self.state
        if state.errors:
            return state.errors, self.scope.label
        parts = path.strip("/").split("/")
        key = "/".join(parts[1:3])
        return state.held.get(key, []), key

    def _discard(self, folder: str | Path) -> None:
        """The previous theme folder after a swap: renamed out of the way now, deleted in the background, so the
        page reloads without waiting for thousands of unlinks."""
        self._discarded += 1
        parked = self.out / f".discard-{os.getpid()}-{self._discarded}"
        os.rename(folder, parked)
        remover = threading.Thread(target=shutil.rmtree, args=(parked, True), daemon=True)
        remover.start()
        self._removers.append(remover)

    def _builder(self) -> None:
        while not self.stopping.is_set():
            self._pending.wait()
            if self.stopping.is_set():
                return
            self._pending.clear()
            while self._pending.wait(QUIET):  # a burst of events (an editor's save is several): one rebuild
                self._pending.clear()
            self.rebuild()

    # ---- watching ------------------------------------------------------------------------------------------

    def changed(self, path: str) -> None:
        """A file event: content changes start a rebuild; the preview folder's own writes do not."""
        try:
            resolved = Path(path).resolve()
        except (OSError, RuntimeError):
            return
        if resolved == self.out or self.out in resolved.parents:
            return
        try:
            parts = resolved.relative_to(self.scope.content.resolve()).parts
        except ValueError:
            parts = ()
        if not in_scope(parts, self.scope):
            return  # another village's or town's file: this preview is not made from it
        name = resolved.name
        if name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return  # editors' scratch files
        self._pending.set()

    # ---- life ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        for leftover in self.out.glob(".discard-*") if self.out.is_dir() else ():
            shutil.rmtree(leftover, ignore_errors=True)
        output.remove_old = self._discard
        serving = threading.Thread(target=self.server.serve_forever, daemon=True)
        serving.start()
        self._threads.append(serving)
        self._observer.schedule(_Events(self), str(self.scope.content), recursive=True)
        self._observer.start()
        self._pending.set()  # the first build
        builder = threading.Thread(target=self._builder, daemon=True)
        builder.start()
        self._threads.append(builder)

    def stop(self) -> None:
        self.stopping.set()
        self._pending.set()
        self._observer.stop()
        self._observer.join(5)
        self.server.shutdown()
        self.server.server_close()
        with self.state.changed:
            self.state.changed.notify_all()
        for thread in self._threads + self._removers:
            thread.join(60)
        output.remove_old = self._remove_old

    def wait_version(self, above: int, timeout: float) -> int:
        """Wait until the version is above `above` (or `timeout` seconds); the version then."""
        with self.state.changed:
            self.state.changed.wait_for(lambda: self.state.version > above or self.stopping.is_set(), timeout)
            return self.state.version

    def start_page(self) -> str:
        """Where a clerk's browser starts: their village's (or town's) TV home, else the city's."""
        return f"{self.url}tv/{self.scope.part + '/' if self.scope.part else ''}index.html"


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.where.sort_key(), p.code))


class _Events(FileSystemEventHandler):
    def __init__(self, preview: Preview):
        self.preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing (the build itself reads every file)
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.preview.changed(os.fsdecode(path))


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """GET only: the version (long-poll), the themes' files from the preview folder, HTML with the script."""

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == VERSION_PATH:
                self._version(url.query)
                return
            state = preview.state
            if url.path == "/":
                self._send(302, b"", "text/plain", location=preview.start_page())
                return
            path = unquote(url.path)
            is_html = path.endswith(("/", ".html"))
            if is_html and not state.built:
                self._send(200, waiting_page(state.version), "text/html; charset=utf-8")
                return
            problems, whose = preview.problems_for(path) if is_html else ([], "")
            if problems:
                self._send(200, error_page(problems, state.version, whose), "text/html; charset=utf-8")
                return
            target = (preview.out / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            first = path.lstrip("/").split("/")[0]
            if first not in preview.themes or not target.is_relative_to(preview.out / first) or not target.is_file():
                self._send(404, "找不到这一页 / not found".encode(), "text/plain; charset=utf-8")
                return
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix == ".html":
                self._send(200, inject(data, state.version), "text/html; charset=utf-8")
            else:
                self._send(
                    200,
                    data,
                    kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else ""),
                )

        def _version(self, query: str) -> None:
            since = None
            for pair in query.split("&"):
                if pair.startswith("since="):
                    try:
                        since = int(pair[6:])
                    except ValueError:
                        since = None
            state = preview.state
            with state.changed:
                if since is not None:
                    state.changed.wait_for(lambda: state.version != since or preview.stopping.is_set(), LONG_POLL)
                body = json.dumps(
                    {
                        "version": state.version,
                        "errors": len(state.errors) + sum(len(found) for found in state.held.values()),
                        "seconds": round(state.last_seconds, 2),
                    }
                ).encode("utf-8")
            self._send(200, body, "application/json")

        def _send(self, status: int, body: bytes, kind: str, location: str | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser left (a reload) before the answer

    return Handler


@click.command("serve")
@click.argument("content", default="content", type=click.Path(path_type=Path))
@click.option(
    "--village", default=None, metavar="TOWN/VILLAGE", help="preview and report only this village (or TOWN) of CONTENT"
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "-o",
    "--output",
    default=Path("output-preview"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="the preview folder (drafts included: never the published output)",
)
def serve_command(content: Path, village: str | None, port: int, output: Path) -> None:
    """Live preview while editing: build CONTENT with drafts (草稿), serve it on http://127.0.0.1:PORT/, rebuild on
    every save; the open page reloads by itself. CONTENT may be a village's folder. Stop with Ctrl-C."""
    try:
        scope = locate(content / village if village else content)
    except ScopeError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None
    try:
        preview = Preview(scope, output, port, log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        click.echo(
            f"无法在端口 {port} 上启动预览（换一个：--port 8001） / cannot listen on port {port}: {exc.strerror}",
            err=True,
        )
        raise SystemExit(2) from None
    preview.start()
    click.echo(f"预览 preview: {preview.start_page()}  （手机版 phone: {preview.url}mobile/；按 Ctrl-C 结束 / stop）")
    try:
        while not preview.stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        click.echo("预览已结束 / preview stopped", err=True)
    finally:
        preview.stop()
