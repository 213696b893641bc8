"""``build.py serve``: the live preview for reviewers.

The browser side is livereload's (its WebSocket handler and its livereload.js
client); the rest is replaced, because livereload as it ships stands in the way:
its watcher polls every 0.8 s and it drops a reload that comes within about
3 s of the previous one, so a second save soon after the first never reaches
the page. Here watchfiles (inotify) reports changes as they happen, grouped
into one batch per burst of saves (and a poll every second catches whatever
it missed); ``Preview`` renders first the pages that are open in a browser and
the page the save is about, and as soon as they are on disk the tabs showing a
changed page are told to reload (with no throttle), or, when the save changed
one article or its claims, the tabs on other pages are taken to that article's
page (Hugo's navigateToChanged; ``follow=False`` turns it off). The rest of the
save's pages are made once those tabs have reloaded, in slices that leave the
IO loop free for requests, and only then the search index, in a thread of its
own, from the latest good save. Static files are served with their digest in
the address, so a reload takes the style sheets and scripts from the browser's
cache unless they changed. When a save breaks the build, the last good site
keeps being served and each page shows the problems at its top, the same text
``check`` prints. ``/_worklist`` shows the editor's worklist (``build.py
report``) of the latest good save; it exists only in the preview.

What a hostile page or request can do is refused: a request whose ``Host`` is
not an address this server listens on (what a DNS-rebinding page sends) gets
403 on every route, the livereload WebSocket accepts only its own origin, and
paths with a NUL, a dot-file or temporary file, a name too long to exist or a
way out of the site folder are answered 400 or 404, never 500. What a broken or
abusive client can do is bounded: a request must send its head within
``IDLE_TIMEOUT`` seconds and its body within ``BODY_TIMEOUT`` (else the
connection is closed), a head is at most ``MAX_HEADER_SIZE`` bytes and a body
``MAX_BODY_SIZE``, a WebSocket message that is not livereload's is ignored, and
a burst of connections never takes the file descriptors the rebuild needs: the
connections beyond what the process's limit of open files leaves room for wait
in the listening queue (see ``_Listener``), and a page that cannot be opened for
want of one anyway is answered 503, not 404.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
import urllib.parse
import webbrowser
from pathlib import Path, PurePosixPath

try:
    import resource
except ImportError:  # Windows: no limit of open files to read
    resource = None

import livereload.handlers
from livereload.handlers import LiveReloadHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.iostream import IOStream
from tornado.netutil import bind_sockets
from watchfiles._rust_notify import RustNotify

from .diagnostics import BuildFailed, Problem, visible
from .layout import ANNOTATIONS_DIR, ARTICLES_DIR, article_path
from .load import CONTENT, SEEDS, TEMPLATES, classify
from .preview import Outcome, Preview
from .write import check_output_dir

_BODY_OPEN = re.compile(rb"<body[^>]*>")
_PREVIEW_CSS = b"""
.preview-problems { position: sticky; top: 0; z-index: 1000; max-height: 60vh; overflow: auto;
  margin: 0; padding: 0.8rem 1.2rem; background: #fff4f4; color: #5a0000; border-bottom: 3px solid #c21f2c;
  font: 0.9rem/1.45 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
.preview-problems pre { margin: 0.5rem 0 0; white-space: pre-wrap; font: 0.85rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
.preview-problems a { color: inherit; }
.preview-worklist { max-width: 60rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
.preview-worklist ul { padding-left: 1.2rem; }
.preview-worklist li { margin: 0.35rem 0; overflow-wrap: anywhere; }
.preview-worklist .where { font: 0.85rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
.preview-worklist pre { margin: 0.2rem 0 0; white-space: pre-wrap; font: 0.85rem/1.4 ui-monospace, Menlo, Consolas, monospace; }
"""
_PREVIEW_JS = b"""/* The preview's own script (never part of the published site): a livereload.js plugin that takes the tab to
   the page a save changed when the server says so (build.py serve, unless --no-follow). */
(function () {
  "use strict";
  function Follow(win) { this.window = win; }
  Follow.identifier = "factsite-follow";
  Follow.version = "1";
  Follow.prototype.reload = function (path, options) {
    if (!options || options.originalPath !== "factsite:navigate") return false; /* livereload.js reloads in place */
    var here = this.window.location, url = new URL(path, here.href);
    if (url.origin !== here.origin) return true; /* only a page of this server, never another host */
    if (url.pathname === here.pathname) here.reload();
    else here.assign(url.href);
    return true;
  };
  /* Sent with livereload's info when the tab connects: the version of the page it shows, so that a page
     rewritten between its load and this connection (a save in that gap) is reloaded at once. */
  Follow.prototype.analyze = function () {
    var meta = this.window.document.querySelector('meta[name="factsite-preview-page"]');
    return { page: meta ? meta.getAttribute("content") : "" };
  };
  if (window.LiveReload && window.LiveReload.addPlugin) window.LiveReload.addPlugin(Follow);
  else window.LiveReloadPluginFactsiteFollow = Follow; /* livereload.js adds it when it starts */
})();
"""
_ASSETS = {
    "preview.css": ("text/css; charset=utf-8", _PREVIEW_CSS),
    "preview.js": ("text/javascript; charset=utf-8", _PREVIEW_JS),
}
_ASSET_VERSION = {name: hashlib.sha256(body).hexdigest()[:12] for name, (_, body) in _ASSETS.items()}
_IMMUTABLE = "public, max-age=31536000, immutable"
WORKLIST = "_worklist"
"""The worklist's address in the preview (``/_worklist``): no page of the site can have it (no slug has ``_``)."""
NAVIGATE = "factsite:navigate"
"""What a reload message's ``originalPath`` says when the tab is to go to its ``path`` (see ``_PREVIEW_JS``)."""

IDLE_TIMEOUT = 30.0
"""Seconds a connection has to send the head of a request, from when it opens or its previous response was
sent; then it is closed. A request that never finishes, or a kept-alive connection left idle, costs a file
descriptor for at most this long (tornado's default is an hour). A tab's livereload WebSocket is not concerned:
once upgraded, a connection is no longer read as HTTP."""
BODY_TIMEOUT = 30.0
"""Seconds a request has to send its body (the preview needs none: every route is a GET)."""
MAX_HEADER_SIZE = 64 * 1024
"""Bytes of a request's head (request line and headers); a longer one is cut off (tornado's default)."""
MAX_BODY_SIZE = 64 * 1024
"""Bytes of a request's body; a longer Content-Length is answered 400 at once (tornado would buffer 100 MB)."""
FILES_KEPT = 64
"""File descriptors kept from the connections for the rest of the preview (the files a rebuild reads and
writes, the watcher's, the search index's): the process's limit of open files (256 by default on macOS, 1,024
on Linux) may be below a burst of connections."""
ACCEPT_PAUSE = 0.1
"""Seconds the server stops accepting connections when it has as many open as it keeps room for, or the process
has no file descriptor left: those that arrive meanwhile wait in the listening queue."""


def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    drafts: bool = True,
    follow: bool = True,
) -> int:
    """Build, serve the site on ``host:port``, rebuild on every save, reload the open pages. Returns an exit code.

    Drafts are shown (a reviewer previews work in progress) unless ``drafts=False``. A save that changes one
    article or its claims takes the open tabs to that article's page (or its one changed claim's) unless
    ``follow=False``; any other save reloads the tabs in place."""
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
    tabs = _Tabs(out)
    server = HTTPServer(
        make_app(preview, out, hosts, tabs),
        idle_connection_timeout=IDLE_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
        max_header_size=MAX_HEADER_SIZE,
        max_body_size=MAX_BODY_SIZE,
    )
    listener = _Listener(server, sockets)
    loop = IOLoop.current()
    stop = threading.Event()
    rebuilder = _Rebuilder(preview, loop, tabs, follow=follow)
    # Watching starts before the first build reads the files (the inotify watches are in place when
    # _watch returns its thread), so a save made meanwhile is not lost.
    watcher = _watch(root, rebuilder, stop)
    _report(preview.start(), first=True)
    # What the first build made lives as long as the server: the collector need not go through it again on every
    # full collection (25 to 35 ms, which could land between a save and its reload).
    gc.freeze()
    search = threading.Thread(
        target=preview.run_search,
        args=(stop, lambda changed: changed and loop.add_callback(rebuilder.problems_changed)),  # show or clear them
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
        listener.stop()
        watcher.join(timeout=2)
        search.join(timeout=2)
        print("Stopped.", flush=True)
    return 0


_OUT_OF_FILES = (errno.EMFILE, errno.ENFILE)


class _Listener:
    """Accepts connections on ``sockets`` for ``server`` (what ``server.add_sockets`` does), leaving ``FILES_KEPT``
    file descriptors to the rest of the preview: at most the process's limit of open files less that many
    connections (HTTP or WebSocket) are open at once, and those that come meanwhile wait in the listening queue
    until some have closed. Else a burst of connections takes every descriptor, and the rebuild reads no file
    (every input "cannot be read: Too many open files" on every page), a page cannot be opened, and tornado's
    accept handler, letting the EMFILE out while the listening socket stays readable, has the IO loop log a
    traceback and call it again at once, at full CPU. Should the descriptors run out all the same (another
    program's, the system's limit), accepting stops for ``ACCEPT_PAUSE`` seconds."""

    def __init__(self, server: HTTPServer, sockets: list[socket.socket]):
        self.server, self.sockets, self.loop = server, sockets, IOLoop.current()
        files = resource.getrlimit(resource.RLIMIT_NOFILE)[0] if resource else None
        self.limit = None if files in (None, getattr(resource, "RLIM_INFINITY", None)) else max(files - FILES_KEPT, 16)
        self.open: set[IOStream] = set()  # and some closed ones, pruned from time to time
        self.pruned = 0  # how many were open when last pruned
        self.resume: object | None = None  # the timer that starts accepting again, while paused
        for sock in sockets:
            self.loop.add_handler(sock, lambda fd, events, sock=sock: self._accept(sock), IOLoop.READ)

    def _accept(self, sock: socket.socket) -> None:
        if self.resume is not None:  # paused (by the other socket's handler, in the same turn of the loop)
            return
        for _ in range(128):  # then the loop's other work gets a turn (tornado's own bound)
            if self.limit is not None and len(self.open) >= self.limit and len(self._prune()) >= self.limit:
                self._pause()
                return
            try:
                connection, address = sock.accept()
            except BlockingIOError:  # every waiting connection accepted
                return
            except ConnectionAbortedError:  # closed while in the queue
                continue
            except OSError as err:
                if err.errno not in _OUT_OF_FILES:
                    raise
                self._pause()
                return
            server = self.server
            stream = IOStream(connection, max_buffer_size=server.max_buffer_size, read_chunk_size=server.read_chunk_size)
            self.open.add(stream)  # the same stream carries a WebSocket once upgraded
            if len(self.open) > 2 * self.pruned + 64:
                self._prune()
            server.handle_stream(stream, address)

    def _prune(self) -> set[IOStream]:
        self.open = {stream for stream in self.open if not stream.closed()}
        self.pruned = len(self.open)
        return self.open

    def _pause(self) -> None:
        for sock in self.sockets:
            self.loop.remove_handler(sock)
        self.resume = self.loop.call_later(ACCEPT_PAUSE, self._resume)

    def _resume(self) -> None:
        self.resume = None
        for sock in self.sockets:
            self.loop.add_handler(sock, lambda fd, events, sock=sock: self._accept(sock), IOLoop.READ)

    def stop(self) -> None:
        """Stop listening and close the sockets."""
        if self.resume is not None:
            self.loop.remove_timeout(self.resume)
        else:
            for sock in self.sockets:
                self.loop.remove_handler(sock)
        for sock in self.sockets:
            sock.close()


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


def make_app(preview: Preview, out: Path, hosts: _Hosts, tabs: _Tabs | None = None) -> web.Application:
    """The preview server: livereload's WebSocket and client script, the preview's own style sheet and script,
    a status endpoint, the worklist, and the site."""
    LiveReloadHandler.live_css = False
    return _App(
        [
            (r"/livereload", _ReloadSocket),
            (r"/livereload.js", _LiveReloadScript),
            (r"/_preview/(preview\.css|preview\.js)", _AssetHandler),
            (r"/_preview/status.json", _StatusHandler, {"preview": preview}),
            (rf"/{WORKLIST}(?:\.html)?", _WorklistHandler, {"preview": preview, "out": out}),
            (r"/(.*)", _SiteHandler, {"preview": preview, "out": out}),
        ],
        hosts=hosts,
        tabs=tabs or _Tabs(out),
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

    page: str | None = None
    """The site path of the page this connection comes from (``articles/x.html``), once it has said (``info``)."""

    def on_message(self, message) -> None:
        try:
            data = json.loads(message)
        except ValueError:  # not JSON (or not UTF-8)
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("command"), str):
            return  # not livereload's: ignored (livereload's own handler would raise, and log a traceback)
        super().on_message(message)  # livereload's handshake; an 'info' makes this connection a waiter
        if data["command"] == "info" and isinstance(data.get("url"), str):
            tabs: _Tabs = self.application.settings["tabs"]
            self.page = tabs.page_of(data["url"])
            plugins = data.get("plugins")
            follow = plugins.get("factsite-follow") if isinstance(plugins, dict) else None
            shown = follow.get("page") if isinstance(follow, dict) else None
            if isinstance(shown, str) and tabs.stale(self.page, shown):
                # The page changed after this tab loaded it and before it connected: a save in that gap was
                # told to no one. It connects again once reloaded, and counts then.
                self.write_message(json.dumps({"command": "reload", "path": data["url"], "liveCSS": False, "liveImg": False}))
                return
            tabs.arrived()


STEP_MS = 10
"""Quiet time that ends a burst of saves: an editor's write-temp-then-rename or a ``git checkout`` arrives as
one batch (watchfiles returns a batch once a step of this length added no new path to it, so a save waits 10
to 20 ms). A burst cut in two costs a second rebuild, never a save: the next batch brings the rest, and a file
read half written is read again, its signature having changed."""


RELOAD_WAIT = 0.5
"""Longest wait, in seconds, for the tabs told to reload to connect again (livereload.js does when the new page
has run its scripts) before the rest of a save's pages are made: until then the IO loop is left to their
requests (page, style sheets, scripts), and the CPU to the browser. A tab that never comes back (closed, or
taken to a page without the script) costs this wait once."""

SLICE = 0.02
"""Seconds of rendering between two turns of the IO loop while the rest of a save's pages are made, so a
request (another tab's page, status.json) waits at most about this long."""


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


class _Tabs:
    """The open pages (livereload's connections, each knowing the page it shows) and the reloads under way."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self._waiting = 0
        self._then = None

    def page_of(self, url: str) -> str | None:
        """The site path a tab's address shows: ``http://host/facts/`` → ``facts/index.html``."""
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        except ValueError:
            return None
        if path in (WORKLIST, WORKLIST + ".html"):
            return WORKLIST
        if path == "" or path.endswith("/"):
            return path + "index.html"
        try:
            folder = _CONTROL.search(path) is None and (self.out / path).is_dir()
        except (OSError, ValueError):
            folder = False
        return path + "/index.html" if folder else path

    def stale(self, page: str | None, shown: str) -> bool:
        """Whether the site's file for ``page`` is no longer the version ``shown`` (``_sha12`` of its bytes, as
        ``_send_html`` marks a page it serves); False when there is no such file, or no version was given."""
        if not page or page == WORKLIST or not shown:
            return False
        try:
            target = (self.out / page).resolve()
            inside = target.relative_to(self.out).parts
            if any(p.startswith(".") for p in inside) or not target.is_file():
                return False
            return _sha12(target.read_bytes()) != shown
        except (OSError, ValueError, RuntimeError):
            return False

    def tabs(self) -> list[_ReloadSocket]:
        return list(LiveReloadHandler.waiters)

    def pages(self) -> set[str]:
        return {getattr(tab, "page", None) for tab in self.tabs()} - {None, WORKLIST}

    def when_back(self, count: int, then) -> None:
        """Call ``then`` once ``count`` tabs have connected again (each reloaded page does), unless cancelled."""
        self._waiting, self._then = count, then

    def cancel(self) -> None:
        self._then = None

    def arrived(self) -> None:
        """A page has connected and said which it is (livereload's ``info``)."""
        if self._then is None:
            return
        self._waiting -= 1
        if self._waiting <= 0:
            then, self._then = self._then, None
            IOLoop.current().add_callback(then)  # after this message is handled


class _Rebuilder:
    """Rebuilds on the IO loop, one at a time: the changes that arrive during a rebuild wait for the next one,
    which takes them all. A rebuild renders first what the open tabs show and the page the save is about, tells
    those tabs, and makes the rest once they have reloaded (``Preview.finish``, a slice per turn of the loop),
    then asks for the search index."""

    def __init__(self, preview: Preview, loop: IOLoop, tabs: _Tabs | None = None, *, follow: bool = True):
        self.preview, self.loop, self.follow = preview, loop, follow
        self.tabs = tabs or _Tabs(preview.out)
        self.lock = threading.Lock()
        self.pending: set[str] = set()
        self.scheduled = False
        self.generation = 0  # a continuation of an older rebuild (a timer, a tab coming back) does nothing
        self.shown: list[str] = []  # the problems the open pages show (formatted)
        self.rest = [0, 0, 0.0]  # pages rendered, files written, seconds: what finish did since the last update

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
        self.generation += 1
        self.tabs.cancel()
        # No cyclic garbage collection (5 to 30 ms when it comes) between the save and the tabs' reload: what
        # a rebuild drops is freed as it goes (reference counts); the collector runs again once they are back.
        gc.disable()
        # Preview.update turns every failure, expected or not, into problems (and prints a traceback for a bug).
        try:
            outcome = self.preview.update(rels, search=False, first_only=True, first=self._first)
        except Exception as err:  # noqa: BLE001 - reading failed: it is read again on the next poll
            print(f"reading the changes failed ({type(err).__name__}: {err}); trying again", file=sys.stderr)
            gc.enable()
            self.loop.call_later(0.2, self.add, set(rels))
            return
        told = self._tell(outcome, follow=self.follow)  # the pages first,
        _report(outcome, changed=[r for r in rels if self._known(r)] or rels or ["a file the watcher missed"])
        self.rest = [0, 0, 0.0]
        if outcome.ok:
            self._then(told)  # then the rest, then the search index
        if not (outcome.ok and told and self.preview.unfinished):  # else once the tabs are back (_step)
            gc.enable()

    def _first(self, target: str | None, focus: frozenset[str]) -> set[str]:
        """What to render before telling the tabs (besides the save's target): the pages they show, but for
        those a tab is to leave for the target."""
        pages = self.tabs.pages()
        return pages & focus if self.follow and target else pages

    def _known(self, rel: str) -> bool:
        project = self.preview.project
        part, key = classify(rel)
        return key in {"files": project.files, "templates": project.templates, "static": project.static}.get(part, {key})

    def _then(self, told: int) -> None:
        """After the tabs told to reload have connected again: the rest of the pages, slice by slice."""
        generation = self.generation
        if not self.preview.unfinished:
            self._settled()
        elif told:
            self.tabs.when_back(told, lambda: self._step(generation))
            self.loop.call_later(RELOAD_WAIT, self._step, generation)
        else:
            self.loop.add_callback(self._step, generation)

    def _step(self, generation: int) -> None:
        if generation != self.generation or self.scheduled:  # an older rebuild's, or a newer save is waiting
            return
        gc.enable()
        self.generation += 1
        self.tabs.cancel()
        # The first slice is one page, the likeliest to be read next (an article's): on disk as soon as can be.
        outcome = self.preview.finish(budget=SLICE if self.rest[0] else 0)
        if not outcome.ok:
            self._tell(outcome, follow=False)
            _report(outcome)
            return
        self.rest[0] += len(outcome.rendered)
        self.rest[1] += len(outcome.written)
        self.rest[2] += outcome.seconds
        self._then(self._tell(outcome, follow=False))

    def _settled(self) -> None:
        """Every page of the latest save is written: say so, refresh the worklist, make the search index."""
        gc.enable()
        pages, files, seconds = self.rest
        if pages:
            print(
                f"Rebuilt (the other pages): {pages} pages rendered, {files} files written in {seconds * 1000:.0f} ms", flush=True
            )
        self.rest = [0, 0, 0.0]
        for tab in self.tabs.tabs():
            if getattr(tab, "page", None) == WORKLIST:
                _send(tab, _RELOAD)
        self.preview.request_search()  # in its own thread

    def problems_changed(self) -> None:
        """On the IO loop, from the search thread: its problems changed; every page shows them."""
        self._tell(None, follow=False)

    def _tell(self, outcome: Outcome | None, *, follow: bool) -> int:
        """Reload the tabs whose page ``outcome`` wrote (every tab when the problems shown changed or a static
        file did), or take them to the save's target page; returns how many were told."""
        problems = [p.format() for p in self.preview.all_problems()]
        everyone = problems != self.shown
        self.shown = problems
        written = set(outcome.written) if outcome else set()
        everyone = everyone or any(p.startswith("static/") for p in written)  # a style sheet or script of every page
        target = outcome.target if follow and outcome and (outcome.written or outcome.deferred) else None
        told = 0
        for tab in self.tabs.tabs():
            page = getattr(tab, "page", None)
            if page == WORKLIST:  # reloaded once the save is settled (see _settled), unless the problems changed
                message = _RELOAD if everyone else None
            elif target and page != target and not (page in outcome.focus and page in written):
                message = {**_RELOAD, "path": "/" + urllib.parse.quote(target), "originalPath": NAVIGATE}
            elif everyone or page is None or page in written:
                message = _RELOAD
            else:
                continue
            if message and _send(tab, message):
                told += 1
        return told


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


_RELOAD = {"command": "reload", "path": "/", "liveCSS": False, "liveImg": False}


def _send(tab, message: dict) -> bool:
    """One livereload message to one tab; False when the tab is gone."""
    try:
        tab.write_message(message)
    except Exception:  # noqa: BLE001 - a closed tab must not stop the others
        LiveReloadHandler.waiters.discard(tab)
        return False
    return True


BUSY = "busy: too many connections at once (the system's limit of open files); try again in a moment\n"
_NOT_FOUND = b"<!doctype html><html lang=en><head><title>Not found</title></head><body><p>Not found.</p></body></html>"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_STATIC_REF = re.compile(rb'(<(?:link|script)\b[^>]*?\s(?:href|src)=")((?:\.\./)*static/([^"?#]+))"')
"""A style sheet, script or icon of the site in a page's head (``href="../static/style.css"``)."""
# Static files get their type from mimetypes, which reads the system's table; not every system's names
# JSON-LD, the type of the Web Annotation collections (annotations/<slug>.jsonld).
mimetypes.add_type("application/ld+json", ".jsonld")


class _SiteHandler(web.RequestHandler):
    """Serves the built site, adding the reload script and, after a failed save, the problems.

    Pages are never cached (every save may change them). A page's style sheets, scripts and icon are addressed
    with their digest (``static/style.css?v=1a2b3c4d5e6f``): at that address a file is cached for good, so a reload
    takes it from the browser's cache, and a file that changed has a new address, so it is never stale."""

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
        except OSError as err:
            if err.errno in _OUT_OF_FILES:  # a burst of connections took every file descriptor: not a missing page
                self.set_header("Retry-After", "1")
                _plain(self, 503, BUSY)
                return
            self.set_status(404)  # removed since _find looked
            self._send_html(_NOT_FOUND)
            return
        if target.suffix == ".html":
            self._send_html(data)
            return
        version = self.get_query_argument("v", None)
        if version and version == self._version(path) == _sha12(data):  # the bytes that address names
            self.set_header("Cache-Control", _IMMUTABLE)
        self.set_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        self.finish(data)

    def _version(self, path: str) -> str | None:
        """The digest a static file's address carries (its bytes as last written), or None."""
        digest = self.preview.on_disk.get(path) if path.startswith("static/") else None
        return digest[:12] if digest else None

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
            f'<meta name="factsite-preview-page" content="{_sha12(page)}">'
            f'<link rel="stylesheet" href="/_preview/preview.css?v={_ASSET_VERSION["preview.css"]}">'
            f'<script src="/_preview/preview.js?v={_ASSET_VERSION["preview.js"]}" defer></script>'
            f'<script src="/livereload.js?port={port}&v={_LIVERELOAD_VERSION}" defer></script>'
        ).encode()
        end = page.find(b"</head>")
        if end >= 0:
            page = self._versioned(page[:end]) + head + page[end:]
        problems = self.preview.all_problems()
        if problems:
            match = _BODY_OPEN.search(page)
            at = match.end() if match else 0
            page = page[:at] + _problems_html(problems).encode() + page[at:]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)

    def _versioned(self, head: bytes) -> bytes:
        def add(match: re.Match) -> bytes:
            version = self._version("static/" + match[3].decode("utf-8", "replace"))
            return match[1] + match[2] + (b"?v=" + version.encode() if version else b"") + b'"'

        return _STATIC_REF.sub(add, head)


def _sha12(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _problems_html(problems) -> str:
    n = len(problems)
    text = "\n".join(p.format() for p in problems)
    return (
        f'<div class="preview-problems" role="alert" lang="en"><strong>{n} problem{"s" if n != 1 else ""} '
        f"in the last save: showing the last good build.</strong> Fix the file and save; this page reloads by itself. "
        f'(<a href="/{WORKLIST}">The worklist</a> is that of the last good build too.)'
        f"<pre>{html.escape(text)}</pre></div>"
    )


class _WorklistHandler(_SiteHandler):
    """``/_worklist``: the editor's worklist (``build.py report``) of the latest good save, as a page of the
    preview only (the build never writes it, so it is in no sitemap, feed or search index)."""

    async def get(self) -> None:
        # Made in a thread (it reads every YAML file again for positions): the IO loop keeps serving meanwhile.
        items, line = await IOLoop.current().run_in_executor(None, self.preview.worklist)
        self._send_html(_worklist_html(items, line, self.preview.on_disk).encode())


CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'"
"""The site's Content-Security-Policy (templates/base.html), which the worklist page carries too."""


def _worklist_html(items: list[Problem], line: str, on_disk: dict[str, str]) -> str:
    esc = html.escape
    groups: dict[str, list[Problem]] = {}
    for item in items:
        groups.setdefault(item.path, []).append(item)
    body = []
    for n, (path, found) in enumerate(groups.items(), 1):
        page = _page_of_file(path)
        link = f' <a href="/{esc(page)}">its page</a>' if page in on_disk else ""
        body.append(
            f'<section aria-labelledby="file-{n}"><h2 id="file-{n}"><code>{esc(visible(path))}</code> ({len(found)})</h2>'
        )
        body.append(f"<p>{link.strip()}</p>" if link else "")
        body.append("<ul>")
        for item in found:
            where = f"{item.path}:{item.line}:{item.col}" if item.line else item.path
            label = {"warning": "warning", "note": "note"}.get(item.severity, item.severity)
            detail = f"<pre>{esc(chr(10).join(visible(d) for d in item.detail))}</pre>" if item.detail else ""
            body.append(
                f'<li><code class="where">{esc(visible(where))}</code>: <strong>{esc(label)}</strong>: '
                f"{esc(visible(item.message))}{detail}</li>"
            )
        body.append("</ul></section>")
    if not items:
        body.append("<p>Nothing on the worklist: no notes and no warnings.</p>")
    version = _ASSET_VERSION["preview.css"]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP, quote=False)}">\n'
        '<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex, nofollow">\n'
        "<title>Worklist · preview</title>\n"
        + ('<link rel="icon" href="static/favicon.svg" type="image/svg+xml">\n' if "static/favicon.svg" in on_disk else "")
        + '<link rel="stylesheet" href="static/style.css">\n'
        f'<link rel="stylesheet" href="/_preview/preview.css?v={version}">\n'
        '</head>\n<body class="page-worklist">\n<main id="main" class="preview-worklist">\n<h1>Worklist</h1>\n'
        "<p>What still needs an editor's attention, as <code>python build.py report</code> prints it: drafts and "
        "TODOs, thin sourcing, sources without an archived copy or a date, and more, each at its "
        "<code>path:line:col</code>. It is that of the last good save, and this page reloads after every save. "
        'Only the preview has this page: the published site does not. <a href="/">The site</a>.</p>\n'
        f'<p class="worklist-summary">{esc(line)}</p>\n' + "\n".join(b for b in body if b) + "\n</main>\n</body>\n</html>\n"
    )


def _page_of_file(path: str) -> str | None:
    """The page that shows a content file: an article's or its claims' → the article page."""
    name = PurePosixPath(path)
    if name.parent.as_posix() in (ARTICLES_DIR, ANNOTATIONS_DIR):
        return article_path(name.stem)
    return None


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
                "worklist": f"/{WORKLIST}",
                "tabs": sorted(getattr(tab, "page", None) or "?" for tab in LiveReloadHandler.waiters),  # open pages
            }
        )


class _AssetHandler(web.RequestHandler):
    """The preview's own style sheet and script; cached for good at the address with their digest."""

    def get(self, name: str) -> None:
        kind, body = _ASSETS[name]
        self.set_header("Content-Type", kind)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", _IMMUTABLE if self.get_query_argument("v", None) == _ASSET_VERSION[name] else "no-cache")
        self.finish(body)


_LIVERELOAD_JS = (Path(livereload.handlers.__file__).parent / "vendors" / "livereload.js").read_bytes()
_LIVERELOAD_VERSION = _sha12(_LIVERELOAD_JS)


class _LiveReloadScript(web.RequestHandler):
    """livereload's client script (livereload.js reads its options, the port, from its own address), cached for
    good at the address with its digest."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", _IMMUTABLE if self.get_query_argument("v", None) == _LIVERELOAD_VERSION else "no-cache")
        self.finish(_LIVERELOAD_JS)
