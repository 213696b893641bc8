"""The preview server survives malformed and abusive requests, and answers normally after each.

Every server here is a real ``build.py serve --port 0`` on 127.0.0.1 (``Server`` from test_serve_security),
spoken to over raw sockets so that a test can send what no HTTP client would: garbage bytes, a 1 MB header
line, half a request that never ends, a thousand connections at once, a WebSocket message that is not
livereload's, and a content file broken while the server runs. After each, a plain GET of the home page gets
exactly the page it got before, and the server's output has no traceback.

The timeouts are checked on a server whose ``IDLE_TIMEOUT`` and ``BODY_TIMEOUT`` are one second (set in
factsite.serve before ``build.py`` runs), so the tests need not wait the real 30 s; what a burst does when file
descriptors are scarce, on servers whose limit of open files is 256 (macOS's default).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import html
import json
import os
import random
import re
import resource
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES
from sample import FILES, write_project
from test_serve_security import NOT_FOUND, Server, in_own_loop
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from factsite import BuildFailed, check_site
from factsite import serve as serve_module

A = "content/annotations/moon.yaml"
PAGES = ["/", "/articles/moon.html", "/static/style.css", "/claims/c-swiss.html", "/no-such-page"]
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\n\r\n"  # tornado's answer to a request it cannot parse, then it closes
METHOD_NOT_ALLOWED = b"<html><title>405: Method Not Allowed</title><body>405: Method Not Allowed</body></html>"
CLOSED = None
"""What ``exchange`` returns when the server closed the connection without answering a byte."""


class Limited(Server):
    """``build.py serve --port 0`` as ``Server`` runs it, with some of factsite.serve's limits set first
    (``IDLE_TIMEOUT=1.0``) and, with ``files=N``, the process's limit of open files lowered to N."""

    def __init__(self, root: Path, *, files: int | None = None, **limits):
        for name in limits:
            assert hasattr(serve_module, name), name
        code = "\n".join(
            [
                "import runpy, sys",
                "import factsite.serve as serve",
                *(f"serve.{name} = {value!r}" for name, value in limits.items()),
                f"sys.argv = ['build.py', '-C', {str(root)!r}, 'serve', '--port', '0']",
                f"runpy.run_path({str(ROOT / 'build.py')!r}, run_name='__main__')",
            ]
        )

        def lower_the_limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=lower_the_limit if files else None,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()
        self.serving = self.wait_for(r"Serving (.*) at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)")
        self.port = int(self.serving[2])


def start(factory, name: str, **limits) -> Server:
    root = write_project(factory.mktemp(name) / "p", templates=TEMPLATES)
    running = Limited(root, **limits) if limits else Server(root)
    running.pages = {path: running.get(path)[::2] for path in PAGES}  # what it answers before any abuse
    assert [status for status, _ in running.pages.values()] == [200, 200, 200, 200, 404]
    return running


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with the limits it ships with, for the tests that do not edit its project."""
    running = start(tmp_path_factory, "abused")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def impatient(tmp_path_factory):
    """A server that gives a request one second for its head and one for its body."""
    running = start(tmp_path_factory, "impatient", IDLE_TIMEOUT=1.0, BODY_TIMEOUT=1.0)
    yield running
    running.stop()


def still_answers(server: Server, *, busy: bool = False) -> None:
    """The home page is exactly what it was before the abuse, at once; nothing went wrong in the server."""
    started = time.monotonic()
    assert server.get("/")[::2] == server.pages["/"]
    assert time.monotonic() - started < 2
    assert_clean(server, busy=busy)


def assert_clean(server: Server, *, busy: bool = False) -> None:
    """Running, no traceback in its output, no answer 5xx (but for the 503 of a server out of files if ``busy``)."""
    assert server.process.poll() is None, server.output
    assert "Traceback" not in server.output, server.output
    logged = re.compile(r"^5(?!03 )\d\d " if busy else r"^5\d\d ", re.M)  # tornado logs each answer 4xx or 5xx
    assert not logged.search(server.output), server.output


def exchange(server: Server, payload: bytes, *, end: bool = False, timeout: float = 5) -> bytes | None:
    """Send ``payload`` (then, with ``end``, end the sending side); → all the server sent until it closed the
    connection (CLOSED for nothing). A reset (the server closing with the rest of a long payload unread) ends
    the reading too; a connection neither answered nor closed within ``timeout`` seconds fails the test."""
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        try:
            s.sendall(payload)
            if end:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed before reading all of it
        try:
            while chunk := s.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        except TimeoutError:
            pytest.fail(f"neither answered nor closed in {timeout} s; received {received[:200]!r}")
    return received or CLOSED


def status_and_body(reply: bytes) -> tuple[int, bytes]:
    head, _, body = reply.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)\r?$", head)
    assert length and len(body) == int(length[1]), reply[:500]  # the whole answer, not a part
    return int(head.split()[1]), body


def readable(sockets: list[socket.socket], timeout: float) -> list[socket.socket]:
    """Those of ``sockets`` with something to read (or closed), within ``timeout`` seconds (poll: no limit on
    the numbers of the file descriptors, unlike select)."""
    poll = select.poll()
    by_fd = {s.fileno(): s for s in sockets}
    for fd in by_fd:
        poll.register(fd, select.POLLIN)
    return [by_fd[fd] for fd, _ in poll.poll(timeout * 1000)]


def request(port: int, path: str, method: str = "GET", extra: bytes = b"", *, keep_alive: bool = False) -> bytes:
    """A well-formed request's head; the server closes the connection once it has answered, unless ``keep_alive``."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + ("" if keep_alive else "Connection: close\r\n")
    return head.encode() + extra + b"\r\n"


# -- 1. garbage: a 400 or a closed connection, never a traceback ------------------------------------------

NOISE = random.Random(12)  # the same garbage on every run
GARBAGE = {
    "random bytes, then the end": NOISE.randbytes(4096),
    "random bytes ending a head": NOISE.randbytes(4096) + b"\r\n\r\n",
    "a line that is not HTTP": b"HELLO WORLD\r\n\r\n",
    "a NUL in the method": b"G\x00T / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "HTTP/0.9": b"GET /\r\n\r\n",
    "HTTP/2's preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "a space in the path": b"GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "a header line without a colon": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n",
    "two Host headers": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
    "a Content-Length that is not a number": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
    "a negative Content-Length": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
    "a Content-Length of 1 GB": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000\r\n\r\n",
    "a body over MAX_BODY_SIZE": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65537\r\n\r\n",
    "both Transfer-Encoding and Content-Length": (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
    ),
    "a chunk size that is not hexadecimal": (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"
    ),
}


@pytest.mark.parametrize("payload", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_a_bad_request_or_a_closed_connection(server, payload):
    if payload == GARBAGE["random bytes, then the end"]:  # no end of head: the server reads until the client ends
        assert exchange(server, payload, end=True) is CLOSED
    else:
        assert exchange(server, payload) == BAD_REQUEST
    still_answers(server)


@pytest.mark.parametrize("method", ["FOO", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE"])
def test_a_method_the_preview_does_not_have_is_not_allowed(server, method):
    payload = request(server.port, "/", method, b"Content-Length: 3\r\n") + b"abc"
    assert status_and_body(exchange(server, payload)) == (405, METHOD_NOT_ALLOWED)
    still_answers(server)


def test_a_path_of_100_kb_is_cut_off_and_one_just_under_the_limit_is_not_found(server):
    assert exchange(server, request(server.port, "/" + "a" * 100_000)) is CLOSED  # over MAX_HEADER_SIZE: read no further
    still_answers(server)
    status, body = status_and_body(exchange(server, request(server.port, "/" + "a" * 60_000)))
    assert status == 404 and NOT_FOUND in body  # under it: a path like any other (no such page)
    still_answers(server)


def test_a_1_mb_header_line_is_cut_off(server):
    started = time.monotonic()
    assert exchange(server, request(server.port, "/", extra=b"X-Big: " + b"a" * (1 << 20) + b"\r\n")) is CLOSED
    assert exchange(server, request(server.port, "/", extra=b"X-Small: b\r\n" * 100_000)) is CLOSED  # 1.2 MB of lines
    assert exchange(server, b"\r\n" * 500_000) in (CLOSED, BAD_REQUEST)  # 1 MB of empty lines
    assert time.monotonic() - started < 3  # cut off as soon as the limit is passed
    still_answers(server)
    # A big header that fits (a browser's cookies) is a request like any other.
    assert (
        status_and_body(exchange(server, request(server.port, "/", extra=b"Cookie: " + b"c" * 32_000 + b"\r\n")))
        == (server.pages["/"])
    )


def test_bytes_that_are_not_utf_8_in_a_path_or_a_header(server):
    status, body = status_and_body(exchange(server, request(server.port, "/").replace(b"/", b"/\xff\xfe", 1)))
    assert status == 404 and NOT_FOUND in body
    assert status_and_body(exchange(server, request(server.port, "/", extra=b"X-A: \xff\xfe\r\n"))) == server.pages["/"]
    assert exchange(server, request(server.port, "/", extra=b"X-A: a\x00b\r\n")) == BAD_REQUEST  # a NUL: not HTTP
    status, body = status_and_body(exchange(server, request(server.port, "/%ff%fe")))
    assert status == 400 and b"400: Bad Request" in body  # tornado's: the path is not UTF-8
    still_answers(server)


def test_websocket_messages_that_are_not_livereloads_are_ignored(server):
    hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}

    async def talk():
        url = f"ws://127.0.0.1:{server.port}/livereload"
        ws = await websocket_connect(HTTPRequest(url, connect_timeout=5))
        try:
            replies = []
            for garbage in ["not json", "[]", "1", "null", "{}", '{"command": 5}', b"\xff\xfe\x00"]:
                await ws.write_message(garbage, binary=isinstance(garbage, bytes))
                await ws.write_message(json.dumps(hello))  # the same connection still answers the handshake
                replies.append(json.loads(await asyncio.wait_for(ws.read_message(), 5))["command"])
            return replies
        finally:
            ws.close()

    assert in_own_loop(talk()) == ["hello"] * 7
    still_answers(server)


# -- 2. requests that never finish: the others are served meanwhile; they are closed after the timeout -----

UNFINISHED = {
    "half a request line": b"GET /articles/moon.ht",
    "a head without its blank line": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "random bytes with no end of head": random.Random(7).randbytes(2000).replace(b"\n", b" "),
    "half a body": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nhalf",
}


def open_unfinished(server: Server, copies: int) -> list[socket.socket]:
    sockets = []
    for payload in UNFINISHED.values():
        for _ in range(copies):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(payload)
            sockets.append(s)
    return sockets


def test_requests_that_never_finish_do_not_hold_up_the_others(server):
    hanging = open_unfinished(server, 25)  # 100 connections, each waiting for the rest of its request
    try:
        for _ in range(10):
            for path in ("/", "/articles/moon.html"):
                started = time.monotonic()
                assert server.get(path)[::2] == server.pages[path]
                assert time.monotonic() - started < 2, path
        # They are still open, and no answer came on any: the server waits (for IDLE_TIMEOUT, 30 s).
        assert readable(hanging, 0.1) == []
    finally:
        for s in hanging:
            s.close()
    still_answers(server)


def test_unfinished_and_idle_connections_are_closed_after_the_timeout(impatient):
    started = time.monotonic()  # before any is opened: each has a second from when it opened
    hanging = open_unfinished(impatient, 2)
    kept = socket.create_connection(("127.0.0.1", impatient.port), timeout=5)  # a whole request, kept alive
    kept.sendall(request(impatient.port, "/", keep_alive=True))
    trickle = socket.create_connection(("127.0.0.1", impatient.port), timeout=5)  # a head sent a byte at a time
    closed: dict[socket.socket, float] = {}
    received: dict[socket.socket, bytes] = collections.defaultdict(bytes)
    drip = iter(request(impatient.port, "/articles/moon.html", extra=b"X-Slow: " + b"z" * 100 + b"\r\n"))
    next_drip = started
    try:
        while len(closed) < len(hanging) + 2 and time.monotonic() - started < 6:
            if trickle not in closed and time.monotonic() >= next_drip:
                try:
                    trickle.send(bytes([next(drip)]))
                except (BrokenPipeError, ConnectionResetError):
                    closed[trickle] = time.monotonic() - started
                next_drip += 0.1  # 10 bytes a second: the head would take 15 s
            open_ = [s for s in (*hanging, kept, trickle) if s not in closed]
            for s in readable(open_, 0.05):
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                received[s] += chunk
                if not chunk:
                    closed[s] = time.monotonic() - started
            if time.monotonic() - started < 0.9:  # meanwhile the others are served
                assert impatient.get("/articles/moon.html")[::2] == impatient.pages["/articles/moon.html"]
    finally:
        for s in (*hanging, kept, trickle):
            s.close()
    assert len(closed) == len(hanging) + 2, f"{len(closed)} of {len(hanging) + 2} closed in 6 s"
    assert all(0.95 <= after <= 3 for after in closed.values()), sorted(closed.values())
    assert [received[s] for s in hanging] == [b""] * len(hanging) and received[trickle] == b""  # no answer, closed
    assert status_and_body(received[kept]) == impatient.pages["/"]  # answered, then closed once idle
    still_answers(impatient)


def test_a_tabs_websocket_outlives_the_timeout(impatient):
    async def talk():
        url = f"ws://127.0.0.1:{impatient.port}/livereload"
        ws = await websocket_connect(HTTPRequest(url, connect_timeout=5))
        try:
            hello = json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
            await ws.write_message(hello)
            first = json.loads(await asyncio.wait_for(ws.read_message(), 5))
            await asyncio.sleep(2)  # twice IDLE_TIMEOUT, with nothing said
            await ws.write_message(hello)
            return first["command"], json.loads(await asyncio.wait_for(ws.read_message(), 5))["command"]
        finally:
            ws.close()

    assert in_own_loop(talk()) == ("hello", "hello")
    still_answers(impatient)


# -- 3. a thousand requests at once -------------------------------------------------------------------------

BURST = 1000


def burst(server: Server, count: int = BURST) -> collections.Counter:
    """``count`` clients connect, wait until all have (or 3 s passed: some wait in the listening queue), then
    each sends its GET (cycling through PAGES) and reads the answer; a client not answered within 30 s of the
    start is given up. → how many got each kind of answer: "right" is the whole page it got before the burst,
    "busy" the 503 of a server out of file descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 200:  # this process holds every connection too
        if hard != resource.RLIM_INFINITY and hard < count + 200:
            pytest.skip(f"this process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count + 200, hard))
    busy = serve_module.BUSY.encode()

    async def client(path: str, connected: list, everyone: asyncio.Event) -> str:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        except OSError as err:
            refused = f"refused ({type(err).__name__})"
        else:
            refused = None
        connected.append(refused)
        if len(connected) == count:
            everyone.set()
        if refused:
            return refused
        try:
            await everyone.wait()
            writer.write(request(server.port, path))
            await writer.drain()
            reply = await reader.read()
        except ConnectionError as err:
            return f"reset ({type(err).__name__})"
        finally:
            writer.close()
        try:
            status, body = status_and_body(reply)
        except (AssertionError, IndexError, ValueError):
            return f"incomplete: {reply[:80]!r}"
        if (status, body) == server.pages[path]:
            return "right"
        overlay = re.search(rb'<div class="preview-problems" role="alert" lang="en">.*?</div>', body, re.S)
        if overlay and b"Too many open files" in overlay[0] and (status, body.replace(overlay[0], b"")) == server.pages[path]:
            return "with problems"  # the last good page, with the files the rebuild could not read
        return "busy" if (status, body) == (503, busy) else f"wrong: {status} {body[:80]!r}"

    async def main():
        connected: list = []
        everyone = asyncio.Event()
        asyncio.get_running_loop().call_later(3, everyone.set)
        clients = [asyncio.create_task(client(PAGES[n % len(PAGES)], connected, everyone)) for n in range(count)]
        done, pending = await asyncio.wait(clients, timeout=30)
        for task in pending:  # the burst ends by itself: what is not answered by then counts as such
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return [task.result() for task in done] + ["unanswered in 30 s"] * len(pending)

    # In a thread of its own: Playwright's sync API, used earlier in the same run, may hold this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return collections.Counter(pool.submit(asyncio.run, main()).result())


def test_a_thousand_requests_at_once_are_all_answered(server):
    started = time.monotonic()
    assert burst(server) == {"right": BURST}
    assert time.monotonic() - started < 30
    still_answers(server)


def test_a_thousand_requests_with_room_for_256_files(tmp_path_factory):
    # macOS's default limit: the server keeps FILES_KEPT of the 256 for its own files, so the rebuild and the
    # pages never find the descriptors gone; the clients beyond the rest wait their turn in the listening queue.
    running = start(tmp_path_factory, "few-files", files=256)
    try:
        builds = running.status()["builds"]
        started = time.monotonic()
        assert burst(running) == {"right": BURST}
        assert time.monotonic() - started < 30
        assert "Too many open files" not in running.output
        status = running.status()
        assert (status["builds"], status["problems"]) == (builds, [])  # no rebuild (no file "changed"), no problem
        still_answers(running)
    finally:
        running.stop()


def test_a_thousand_requests_when_the_files_run_out_all_the_same(tmp_path_factory):
    # With no file descriptor kept (as when another part of the process takes them): accepting pauses at
    # EMFILE, without a traceback; a page that cannot be opened is a 503 that says to try again, not a 404.
    running = start(tmp_path_factory, "no-files-kept", files=256, FILES_KEPT=0)
    try:
        answers = burst(running)
        assert sum(answers.values()) == BURST and set(answers) <= {"right", "busy", "with problems"}, answers
        assert answers["right"] > 0, answers
        running.wait_status(lambda status: status["ok"])  # the next poll reads the files again
        still_answers(running, busy=True)
    finally:
        running.stop()


# -- 4. a content file broken while the server runs ------------------------------------------------------------

BROKEN = {
    "invalid YAML": FILES[A].replace("claims:", "claims: [", 1).encode(),
    "not UTF-8": b"review:\n  by: \xff\xfe\x00 garbage\n",
    "cut off half way": FILES[A][:150].encode(),
    "empty": b"",
}


def check(root: Path) -> list[str]:
    """What ``build.py check`` reports for the project at ``root``."""
    try:
        check_site(root)
    except BuildFailed as failed:
        return [p.format() for p in failed.problems]
    return []


def test_a_broken_content_file_is_shown_and_its_fix_recovers(project):
    root = project()
    original = (root / A).read_bytes()
    running = Server(root)
    try:
        running.wait_watching(A)
        good = {path: running.get(path)[::2] for path in ("/", "/articles/moon.html")}
        for name, broken in BROKEN.items():
            alone = project()  # the same file in a project of its own, for what check says of it
            (alone / A).write_bytes(broken)
            expected = check(alone)
            assert expected and all(p.startswith(f"{A}:") for p in expected), (name, expected)  # located
            (root / A).write_bytes(broken)
            running.wait_status(lambda status, expected=expected: status["problems"] == expected)
            for path, (_, page) in good.items():
                status, served = running.get(path)[::2]
                overlay = re.search(rb'<div class="preview-problems" role="alert" lang="en">.*?</div>', served, re.S)
                assert status == 200 and overlay, (name, path)
                n = len(expected)
                assert f"<strong>{n} problem{'s' if n > 1 else ''} in the last save".encode() in overlay[0], name
                assert f"<pre>{html.escape(chr(10).join(expected))}</pre>".encode() in overlay[0], name
                assert served.replace(overlay[0], b"") == page, (name, path)  # the last good page, and the problems
            assert_clean(running)
            (root / A).write_bytes(original)  # fixed
            running.wait_status(lambda status: status["ok"])
            assert {path: running.get(path)[::2] for path in good} == good, name
    finally:
        output = running.stop()
    assert running.process.returncode == 0 and "Traceback" not in output, output
