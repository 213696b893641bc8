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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site served by a plain HTTP server on 127.0.0.1 (port chosen by the system)."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_pages(built_site) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    return sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
