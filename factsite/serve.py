"""``build.py serve``: the live preview for reviewers.

The browser side is livereload's (its WebSocket handler and its livereload.js
client); the rest is replaced, because livereload as it ships stands in the way:
its watcher polls every 0.8 s and it drops a reload that comes within about
3 s of the previous one, so a second save soon after the first never reaches
the page. Here watchfiles (inotify) reports changes as they happen, grouped
into one batch per burst of saves (and a poll every second catches whatever
it missed); ``Preview`` rebuilds what the batch and every other changed input
affect; every open page is told to reload, with no throttle; and only then is
the search index made again, in a thread of its own, from the latest good
save. When a save
breaks the build, the last good site keeps being served and each page shows
the problems at its top, the same text ``check`` prints.

What a hostile page or request can do is refused: a request whose ``Host`` is
not an address this server listens on (what a DNS-rebinding page sends) gets
403 on every route, the livereload WebSocket accepts only its own origin, and
paths with a NUL, a dot-file or temporary file, a name too long to exist or a
way out of the site folder are answered 400 or 404, never 500.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
import urllib.parse
import webbrowser
from pathlib import Path

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.netutil import bind_sockets
from watchfiles._rust_notify import RustNotify

from .diagnostics import BuildFailed
from .load import CONTENT, SEEDS, TEMPLATES, classify
from .preview import Outcome, Preview
from .write import check_output_dir

_BODY_OPEN = re.compile(rb"<body[^>]*>")
_PREVIEW_CSS = b"""
.preview-problems { position: sticky; top: 0; z-index: 1000; max-height: 60vh; overflow: auto;
  margin: 0; padding: 0.8rem 1.2rem; background: #fff4f4; color: #5a0000; border-bottom: 3px solid #c21f2c;
  font: 0.9rem/1.45 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
.preview-problems pre { margin: 0.5rem 0 0; white-space: pre-wrap; font: 0.85rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
"""


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, drafts: bool = True) -> int:
    """Build, serve the site on ``host:port``, rebuild on every save, reload the open pages. Returns an exit code.

    Drafts are shown (a reviewer previews work in progress) unless ``drafts=False``."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        print(f"error: --port must be a whole number from 0 to 65535 (0 picks a free port), not {port}", file=sys.stderr)
        return 1
    if not isinstance(host, str) or not host.strip():
        print("error: --host must name an address: 127.0.0.1 for this machine only, 0.0.0.0 for every network", file=sys.stderr)
        return 1
    root = Path(root)
    out = root / "site"
    unsafe = check_output_dir(out, root)
    if unsafe:
        print(unsafe, file=sys.stderr)
        return 1
    try:
        sockets = bind_sockets(port, address=host)  # before building: a bad address or a busy port fails fast
    except (OSError, ValueError) as err:
        print(_cannot_listen(host, port, err), file=sys.stderr)
        return 1
    hosts = _Hosts(host, [s.getsockname() for s in sockets])
    preview = Preview(root, out, drafts=drafts)
    server = HTTPServer(make_app(preview, out, hosts))
    server.add_sockets(sockets)
    loop = IOLoop.current()
    stop = threading.Event()
    rebuilder = _Rebuilder(preview, loop)
    # Watching starts before the first build reads the files (the inotify watches are in place when
    # _watch returns its thread), so a save made meanwhile is not lost.
    watcher = _watch(root, rebuilder, stop)
    _report(preview.start(), first=True)
    search = threading.Thread(
        target=preview.run_search,
        args=(stop, lambda changed: changed and loop.add_callback(_reload_browsers)),  # show or clear its problems
        daemon=True,
        name="search-index",
    )
    search.start()
    poll = PeriodicCallback(rebuilder.poll, 1000)  # for what the watcher missed; costs a stat per input file
    poll.start()
    url = f"http://{_netloc(host, hosts.port)}/"
    print(f"Serving {out} at {url} (Ctrl-C to stop)", flush=True)
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
        poll.stop()
        server.stop()
        watcher.join(timeout=2)
        search.join(timeout=2)
        print("Stopped.", flush=True)
    return 0


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _cannot_listen(host: str, port: int, err: Exception) -> str:
    """The one-line error for an address ``serve`` cannot listen on, in plain words."""
    if isinstance(err, OSError) and err.errno == errno.EADDRINUSE:
        other = port + 1 if port < 65535 else port - 1
        return (
            f"error: port {port} on {host} is already in use (is another `build.py serve` running?). "
            f"Stop it, or choose another port: python build.py serve --port {other}"
        )
    if isinstance(err, OSError) and err.errno == errno.EACCES:
        return (
            f"error: cannot listen on {_netloc(host, port)}: permission denied (ports below 1024 need "
            f"administrator rights); use --port 8000"
        )
    if isinstance(err, socket.gaierror):
        reason = (
            "there is no host by that name"
            if err.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None))
            else f"the name could not be looked up ({err.strerror})"
        )
    elif isinstance(err, OSError) and err.errno == errno.EADDRNOTAVAIL:
        reason = "this machine has no such address"
    elif isinstance(err, OSError):
        reason = (err.strerror or str(err)).lower()
    else:  # ValueError, UnicodeError (an empty or over-long label, a NUL): the name cannot even be looked up
        reason = "that is not a valid host name"
    return f"error: cannot listen on {_netloc(host, port)}: {reason}; use --host 127.0.0.1"


def make_app(preview: Preview, out: Path, hosts: _Hosts) -> web.Application:
    """The preview server: livereload's WebSocket and client script, a status endpoint, and the site."""
    LiveReloadHandler.live_css = False
    return _App(
        [
            (r"/livereload", _ReloadSocket),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/_preview/preview.css", _CssHandler),
            (r"/_preview/status.json", _StatusHandler, {"preview": preview}),
            (r"/(.*)", _SiteHandler, {"preview": preview, "out": out}),
        ],
        hosts=hosts,
    )


# -- who may talk to the server --------------------------------------------------------------------

_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?")


def _canonical(name: str) -> str:
    """A host name in lower case, an IP literal in its one canonical spelling (``::1``, ``127.0.0.1``)."""
    try:
        return str(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        return name.lower()


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _parse_host(value: str | None) -> tuple[str, int | None] | None:
    """``name[:port]`` or ``[v6]:port`` → (canonical name, port or None); None when malformed."""
    match = _HOST.fullmatch(value or "")
    if not match or (match["port"] and int(match["port"]) > 65535):
        return None
    if match["ip6"]:
        try:
            ipaddress.IPv6Address(match["ip6"])  # only IPv6 goes in brackets
        except ValueError:
            return None
    return _canonical(match["ip6"] or match["name"]), int(match["port"]) if match["port"] else None


class _Hosts:
    """The ``Host`` header values the server answers to: the names it listens on and ``localhost``, and any
    IP literal when it listens on every address (no DNS answer can make an IP literal point elsewhere, which
    is what a DNS-rebinding page relies on). The port is not compared, so an SSH tunnel on another port works."""

    def __init__(self, host: str, bound: list[tuple]):
        self.port: int = bound[0][1]
        addresses = {_canonical(address[0]) for address in bound}
        self.any_ip = any(ipaddress.ip_address(a).is_unspecified for a in addresses)
        self.names = {"localhost", _canonical(host)} | addresses

    def refusal(self, header: str | None) -> tuple[int, str] | None:
        """(status, message) for a ``Host`` header the server does not answer to; None for one it does."""
        parsed = _parse_host(header)
        if parsed is None:
            return 400, "bad request: the Host header is missing or malformed\n"
        name = parsed[0]
        if name in self.names or (self.any_ip and _is_ip(name)):
            return None
        return 403, f"refused: this preview server answers only to {self.describe()}, not to {name!r}\n"

    def describe(self) -> str:
        shown = sorted(n for n in self.names if n != "localhost" and not (self.any_ip and _is_ip(n)))
        shown += ["localhost"] + (["any IP address"] if self.any_ip else [])
        return " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)


class _App(web.Application):
    """The application, refusing a request for a foreign ``Host`` before any route sees it."""

    def find_handler(self, request, **kwargs):
        refusal = self.settings["hosts"].refusal(request.headers.get("Host"))
        if refusal:
            return self.get_handler_delegate(request, _Refused, {"status": refusal[0], "message": refusal[1]})
        return super().find_handler(request, **kwargs)


def _plain(handler: web.RequestHandler, status: int, message: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(message)


class _Refused(web.RequestHandler):
    def initialize(self, status: int, message: str) -> None:
        self.status, self.message = status, message

    def prepare(self) -> None:  # any method
        _plain(self, self.status, self.message)


class _ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket (which accepts any origin), for pages of this server only."""

    def prepare(self) -> None:
        # Checked here rather than only through check_origin: tornado skips check_origin when the request
        # says Sec-Fetch-Site: same-origin, and this gives the refusal the same plain form as the others.
        origin = self.request.headers.get("Origin")
        if origin is not None and not self.check_origin(origin):
            _plain(self, 403, f"refused: this WebSocket accepts only pages from http://{self.request.host}/\n")

    def check_origin(self, origin: str) -> bool:
        """Same origin only: the Origin's host and port are the request's (already allowed) Host."""
        try:
            parts = urllib.parse.urlsplit(origin)
            port = parts.port
        except ValueError:
            return False
        if (
            parts.scheme != self.request.protocol
            or not parts.hostname
            or parts.username is not None
            or parts.path not in ("", "/")
            or parts.query
        ):
            return False
        host = _parse_host(self.request.headers.get("Host"))
        default = 443 if parts.scheme == "https" else 80
        return host is not None and (_canonical(parts.hostname), port or default) == (host[0], host[1] or default)


STEP_MS = 20
"""Quiet time that ends a burst of saves: an editor's write-temp-then-rename or a ``git checkout`` arrives as
one batch. A burst cut in two costs a second rebuild, never a save: the next batch brings the rest."""


REST_AFTER = 0.12
"""Seconds between the reload message and rendering the pages that list every article's claims: time for the
open pages to reload (their page, style sheets and scripts) before the IO loop is busy again. Measured with
scripts/bench_preview.py: at 0.05 s the browser waited for that rendering (396 ms save → reloaded page), at
0.12 s it did not (170 ms)."""


def _watch(root: Path, rebuilder: _Rebuilder, stop: threading.Event) -> threading.Thread:
    """Watch the inputs (inotify) in a thread; hand each burst of changes to ``rebuilder``. The watches are in
    place when this returns (watchfiles' own ``watch`` sets them up in its generator, some time later)."""
    folders = [str(root / name) for name in (CONTENT, TEMPLATES, SEEDS) if (root / name).is_dir()]
    try:
        notify = RustNotify(folders, False, False, 300, True, True)
    except Exception as err:  # noqa: BLE001 - e.g. the system's limit of inotify instances reached: poll only
        print(f"cannot watch the files ({type(err).__name__}: {err}); changes are picked up every second", file=sys.stderr)
        idle = threading.Thread(target=lambda: None, daemon=True)
        idle.start()
        return idle
    prefix = {str(top / name): name for top in {root, root.resolve()} for name in (CONTENT, TEMPLATES, SEEDS)}

    def run() -> None:
        with notify:
            while not stop.is_set():
                try:
                    changes = notify.watch(1600, STEP_MS, 500, stop)
                except Exception as err:  # noqa: BLE001 - the poll keeps the preview going
                    print(f"watching stopped ({type(err).__name__}: {err}); changes are picked up every second", file=sys.stderr)
                    return
                if isinstance(changes, str):  # 'timeout', 'stop', 'signal'
                    continue
                rels = set()
                for _, path in changes:
                    # The reported path starts with the folder watched: no resolve(), which a link would lead out of.
                    for folder, name in prefix.items():
                        rel = name + "/" + Path(path[len(folder) + 1 :]).as_posix()
                        if path.startswith(folder + os.sep) and classify(rel)[0] is not None:  # not an editor's temporary
                            rels.add(rel)
                if rels:
                    rebuilder.add(rels)

    thread = threading.Thread(target=run, daemon=True, name="watch")
    thread.start()
    return thread


class _Rebuilder:
    """Rebuilds on the IO loop, one at a time: the changes that arrive during a rebuild wait for the next one,
    which takes them all."""

    def __init__(self, preview: Preview, loop: IOLoop):
        self.preview, self.loop = preview, loop
        self.lock = threading.Lock()
        self.pending: set[str] = set()
        self.scheduled = False

    def add(self, rels: set[str]) -> None:
        """From any thread."""
        with self.lock:
            self.pending |= rels
            if self.scheduled:
                return
            self.scheduled = True
        self.loop.add_callback(self.run)

    def poll(self) -> None:
        """On the IO loop: any input that changed without the watcher saying so."""
        if not self.scheduled:
            missed = self.preview.rescan()
            if missed:
                self.add(missed)

    def run(self) -> None:
        with self.lock:
            rels, self.pending, self.scheduled = sorted(self.pending), set(), False
        # Preview.update turns every failure, expected or not, into problems (and prints a traceback for a bug).
        # The pages that list every article's claims wait for the next run, right after this one's reload.
        try:
            outcome = self.preview.update(rels, search=False, first_only=True)
        except Exception as err:  # noqa: BLE001 - reading failed: it is read again on the next poll
            print(f"reading the changes failed ({type(err).__name__}: {err}); trying again", file=sys.stderr)
            self.loop.call_later(0.2, self.add, set(rels))
            return
        _report(outcome, changed=rels or ["the pages that list every article's claims"])
        if rels or any(p.endswith((".html", ".css")) for p in outcome.written) or not outcome.ok:
            _reload_browsers()  # the pages first,
        if outcome.deferred:
            # then, once the reloaded pages have been asked for and served, the pages listing every claim,
            self.loop.call_later(REST_AFTER, self.add, set())
        elif outcome.ok:
            self.preview.request_search()  # then the search index, in its own thread


def _report(outcome: Outcome, *, changed: list[str] | None = None, first: bool = False) -> None:
    what = ", ".join(changed[:3]) + (" …" if changed and len(changed) > 3 else "") if changed else "everything"
    if outcome.ok:
        print(
            f"{'Built' if first else 'Rebuilt'} ({what}): {len(outcome.rendered)} pages rendered, "
            f"{len(outcome.written)} files written in {outcome.seconds * 1000:.0f} ms",
            flush=True,
        )
    elif outcome.problems:
        print(
            BuildFailed(outcome.problems).report().replace("nothing was written.", "still serving the last good build."),
            file=sys.stderr,
            flush=True,
        )


def _reload_browsers() -> None:
    """Tell every open page to reload (the livereload protocol), without livereload's 3-second throttle."""
    message = {"command": "reload", "path": "/", "liveCSS": False, "liveImg": False}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # noqa: BLE001 - a closed tab must not stop the others
            LiveReloadHandler.waiters.discard(waiter)


_NOT_FOUND = b"<!doctype html><html lang=en><head><title>Not found</title></head><body><p>Not found.</p></body></html>"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Static files get their type from mimetypes, which reads the system's table; not every system's names
# JSON-LD, the type of the Web Annotation collections (annotations/<slug>.jsonld).
mimetypes.add_type("application/ld+json", ".jsonld")


class _SiteHandler(web.RequestHandler):
    """Serves the built site, adding the reload script and, after a failed save, the problems."""

    def initialize(self, preview: Preview, out: Path) -> None:
        self.preview, self.out = preview, out.resolve()

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def get(self, path: str) -> None:
        if _CONTROL.search(path):  # a NUL cannot be in a file name; no page has a control character
            _plain(self, 400, "bad request: the path contains a control character\n")
            return
        target = self._find(path)
        if target is None:
            self.set_status(404)
            self._send_html(_NOT_FOUND)
            return
        try:
            data = target.read_bytes()
        except OSError:  # removed since _find looked
            self.set_status(404)
            self._send_html(_NOT_FOUND)
            return
        if target.suffix == ".html":
            self._send_html(data)
        else:
            self.set_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            self.finish(data)

    def _find(self, path: str) -> Path | None:
        """The file of the site at URL path ``path``, or None: never outside the site folder, never a
        dot-file (the preview's ``.name.PID.tmp`` files, a marker), never a name no file system allows."""
        parts = path.split("/")
        if len(path.encode()) > 4096 or any(len(p.encode()) > 255 or p.startswith(".") for p in parts):
            return None
        try:
            target = self.out.joinpath(*parts).resolve()
            if target.is_dir():
                target = (target / "index.html").resolve()
            inside = target.relative_to(self.out).parts
            if any(p.startswith(".") for p in inside) or not target.is_file():
                return None
        except (OSError, ValueError, RuntimeError):  # too long, outside the site, a symbolic link loop
            return None
        return target

    def _send_html(self, page: bytes) -> None:
        port = self.application.settings["hosts"].port  # the real one, never the Host header's
        head = (
            f'<script src="/livereload.js?port={port}" defer></script><link rel="stylesheet" href="/_preview/preview.css">'
        ).encode()
        page = page.replace(b"</head>", head + b"</head>", 1)
        problems = self.preview.all_problems()
        if problems:
            match = _BODY_OPEN.search(page)
            at = match.end() if match else 0
            page = page[:at] + _problems_html(problems).encode() + page[at:]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)


def _problems_html(problems) -> str:
    n = len(problems)
    text = "\n".join(p.format() for p in problems)
    return (
        f'<div class="preview-problems" role="alert" lang="en"><strong>{n} problem{"s" if n != 1 else ""} '
        f"in the last save: showing the last good build.</strong> Fix the file and save; this page reloads by itself."
        f"<pre>{html.escape(text)}</pre></div>"
    )


class _StatusHandler(web.RequestHandler):
    """The state of the latest rebuild, for scripts (the benchmark waits on it)."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        problems = self.preview.all_problems()
        self.finish(
            {
                "builds": self.preview.builds,
                "ok": not problems,
                "problems": [p.format() for p in problems],
                "search": "current" if self.preview.search_current else "pending",
                "drafts": self.preview.drafts,
            }
        )


class _CssHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css")
        self.finish(_PREVIEW_CSS)
