"""``build.py serve``: the live preview for reviewers.

The browser side is livereload's (its WebSocket handler and its livereload.js
client); the rest is replaced, because livereload as it ships stands in the way:
its watcher polls every 0.8 s and it drops a reload that comes within about
3 s of the previous one, so a second save soon after the first never reaches
the page. Here watchfiles (inotify) reports changes as they happen, grouped
into one batch per burst of saves; ``Preview`` rebuilds what the batch
affects; and every open page is told to reload, with no throttle. When a save
breaks the build, the last good site keeps being served and each page shows
the problems at its top, the same text ``check`` prints.
"""

from __future__ import annotations

import errno
import html
import mimetypes
import re
import signal
import sys
import threading
import webbrowser
from pathlib import Path

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.ioloop import IOLoop

from .diagnostics import BuildFailed
from .load import CONTENT, SEEDS, TEMPLATES
from .preview import Outcome, Preview
from .write import check_output_dir

_BODY_OPEN = re.compile(rb"<body[^>]*>")
_PREVIEW_CSS = b"""
.preview-problems { position: sticky; top: 0; z-index: 1000; max-height: 60vh; overflow: auto;
  margin: 0; padding: 0.8rem 1.2rem; background: #fff4f4; color: #5a0000; border-bottom: 3px solid #c21f2c;
  font: 0.9rem/1.45 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
.preview-problems pre { margin: 0.5rem 0 0; white-space: pre-wrap; font: 0.85rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
"""


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          drafts: bool = False) -> int:
    """Build, serve the site on ``host:port``, rebuild on every save, reload the open pages. Returns an exit code."""
    root = Path(root)
    out = root / "site"
    unsafe = check_output_dir(out, root)
    if unsafe:
        print(f"error: {unsafe}", file=sys.stderr)
        return 2
    preview = Preview(root, out, drafts=drafts)
    app = make_app(preview, out)
    try:
        server = app.listen(port, address=host)  # before building: a busy port should fail fast
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            print(f"error: port {port} on {host} is already in use (is another `build.py serve` running?). "
                  f"Stop it, or choose another port: python build.py serve --port {port + 1}", file=sys.stderr)
            return 2
        raise
    _report(preview.start(), first=True)
    url = f"http://{host}:{port}/"
    print(f"Serving {out} at {url} (Ctrl-C to stop)", flush=True)
    loop = IOLoop.current()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(root, preview, loop, stop), daemon=True, name="watch")
    watcher.start()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    # Ctrl-C stops cleanly even when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stop()
        watcher.join(timeout=2)
        print("Stopped.", flush=True)
    return 0


def make_app(preview: Preview, out: Path) -> web.Application:
    """The preview server: livereload's WebSocket and client script, a status endpoint, and the site."""
    LiveReloadHandler.live_css = False
    return web.Application([
        (r"/livereload", LiveReloadHandler),
        (r"/livereload.js", LiveReloadJSHandler),
        (r"/_preview/preview.css", _CssHandler),
        (r"/_preview/status.json", _StatusHandler, {"preview": preview}),
        (r"/(.*)", _SiteHandler, {"preview": preview, "out": out}),
    ])


def _watch(root: Path, preview: Preview, loop: IOLoop, stop: threading.Event) -> None:
    """Watch the inputs (inotify); hand each burst of changes to the IO loop as one rebuild."""
    folders = [root / name for name in (CONTENT, TEMPLATES, SEEDS) if (root / name).is_dir()]
    # step: wait 30 ms of quiet before yielding, so an editor's write-temp-then-rename
    # or a git checkout arrives as one batch (never a half-written file).
    for changes in watchfiles.watch(*folders, stop_event=stop, step=30, debounce=1600, raise_interrupt=False):
        rels = sorted({Path(path).resolve().relative_to(root.resolve()).as_posix() for _, path in changes})
        loop.add_callback(_rebuild, preview, rels)


def _rebuild(preview: Preview, rels: list[str]) -> None:
    try:
        outcome = preview.update(rels)
    except Exception as err:  # noqa: BLE001 - the preview must survive anything a save can cause
        outcome = Outcome(False)
        print(f"error: the rebuild failed unexpectedly: {err!r}", file=sys.stderr)
    _report(outcome, changed=rels)
    _reload_browsers()


def _report(outcome: Outcome, *, changed: list[str] | None = None, first: bool = False) -> None:
    what = ", ".join(changed[:3]) + (" …" if changed and len(changed) > 3 else "") if changed else "everything"
    if outcome.ok:
        print(f"{'Built' if first else 'Rebuilt'} ({what}): {len(outcome.rendered)} pages rendered, "
              f"{len(outcome.written)} files written in {outcome.seconds * 1000:.0f} ms", flush=True)
    elif outcome.problems:
        print(BuildFailed(outcome.problems).report().replace("nothing was written.", "still serving the last good build."),
              file=sys.stderr, flush=True)


def _reload_browsers() -> None:
    """Tell every open page to reload (the livereload protocol), without livereload's 3-second throttle."""
    message = {"command": "reload", "path": "/", "liveCSS": False, "liveImg": False}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # noqa: BLE001 - a closed tab must not stop the others
            LiveReloadHandler.waiters.discard(waiter)


class _SiteHandler(web.RequestHandler):
    """Serves the built site, adding the reload script and, after a failed save, the problems."""

    def initialize(self, preview: Preview, out: Path) -> None:
        self.preview, self.out = preview, out.resolve()

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def get(self, path: str) -> None:
        target = (self.out / path).resolve()
        if target.is_dir():
            target = target / "index.html"
        if self.out not in target.parents or not target.is_file():
            self.set_status(404)
            page = b"<!doctype html><html lang=en><head><title>Not found</title></head><body><p>Not found.</p></body></html>"
            self._send_html(page)
            return
        data = target.read_bytes()
        if target.suffix == ".html":
            self._send_html(data)
        else:
            self.set_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            self.finish(data)

    def _send_html(self, page: bytes) -> None:
        port = self.request.host.rpartition(":")[2] or "80"
        head = (f'<script src="/livereload.js?port={port}" defer></script>'
                '<link rel="stylesheet" href="/_preview/preview.css">').encode()
        page = page.replace(b"</head>", head + b"</head>", 1)
        if self.preview.problems:
            match = _BODY_OPEN.search(page)
            at = match.end() if match else 0
            page = page[:at] + _problems_html(self.preview.problems).encode() + page[at:]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)


def _problems_html(problems) -> str:
    n = len(problems)
    text = "\n".join(p.format() for p in problems)
    return (f'<div class="preview-problems" role="alert" lang="en"><strong>{n} problem{"s" if n != 1 else ""} '
            f'in the last save: showing the last good build.</strong> Fix the file and save; this page reloads by itself.'
            f"<pre>{html.escape(text)}</pre></div>")


class _StatusHandler(web.RequestHandler):
    """The state of the latest rebuild, for scripts (the benchmark waits on it)."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish({"builds": self.preview.builds, "ok": not self.preview.problems,
                     "problems": [p.format() for p in self.preview.problems]})


class _CssHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css")
        self.finish(_PREVIEW_CSS)
