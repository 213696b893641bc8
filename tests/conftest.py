"""Shared fixtures: a sample project in a temporary folder, and a way to check it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample import FILES, write_project

from factsite import BuildFailed, check_site

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


@pytest.fixture
def project(tmp_path):
    """A function: ``project({path: new text or None})`` → root of a fresh sample project."""
    counter = iter(range(1000))

    def make(changes: dict[str, str | None] | None = None) -> Path:
        root = tmp_path / f"p{next(counter)}"
        return write_project(root, changes, templates=TEMPLATES)

    return make


@pytest.fixture
def problems(project):
    """A function: ``problems({path: new text})`` → the formatted problems ``check`` reports."""

    def run(changes: dict[str, str | None] | None = None) -> list[str]:
        try:
            check_site(project(changes))
        except BuildFailed as failed:
            return [p.format() for p in failed.problems]
        return []

    return run


def edit(path: str, old: str, new: str, count: int = 1) -> dict[str, str]:
    """A change to one sample file: ``old`` replaced by ``new`` (it must occur ``count`` times)."""
    text = FILES[path]
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {path}"
    return {path: text.replace(old, new)}


# -- the real site, built once per test session into a temporary folder, for the browser tests --------

import functools
import http.server
import os
import shutil
import sys
import threading

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# scripts/test installs every tool, so there a missing one is a failure, not a skip.
REQUIRE_TOOLS = os.environ.get("FACTSITE_REQUIRE_TOOLS") == "1"


def need(condition: bool, message: str) -> None:
    if not condition:
        (pytest.fail if REQUIRE_TOOLS else pytest.skip)(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's fixture, pointed at Debian's chromium (a Playwright browser download cannot work here)."""
    need(Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM}: run scripts/test, or apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real content/ built into a temporary folder (the working tree's site/ is left alone)."""
    from factsite import build_site
    from factsite.write import write_site

    out = tmp_path_factory.mktemp("real") / "site"
    write_site(build_site(ROOT), out)
    return out


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site as a host would: at the root and also under the path it is published at (that of
    index.html's canonical address, which the 404 page's root-absolute links use), with 404.html, status 404,
    for any address that is not there."""

    base = "/"

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        if self.base != "/" and path.startswith(self.base):
            path = "/" + path[len(self.base) :]
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        missing = Path(self.directory) / "404.html"
        if code != 404 or not missing.is_file():
            return super().send_error(code, message, explain)
        body = missing.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site served by a plain HTTP server on 127.0.0.1 (port chosen by the system)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from linkcheck import site_path

    handler = type("Handler", (_SiteHandler,), {"base": site_path(built_site) or "/"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_pages(built_site) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    return sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
