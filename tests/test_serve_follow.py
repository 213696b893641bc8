"""The preview takes the open tabs to the page a save changed (as Hugo's server does with navigateToChanged), and
shows the editor's worklist; in a real ``serve`` and headless Chromium.

A save that changes one article or its claims takes a tab showing another page to that article's page, or to the
page of its one changed claim; a tab already on a page of that article that the save changed reloads in place; a
template, style sheet or timeline save reloads the tabs in place. ``follow=False`` (``--no-follow``) only reloads.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from playwright.sync_api import expect
from test_serve import SUN, A, rewrite

pytestmark = pytest.mark.browser

SERVE = "import sys; from pathlib import Path; from factsite.serve import serve; sys.exit(serve(Path(sys.argv[1]), port=0, follow=sys.argv[2] == 'on'))"


class Server:
    """``serve(root, port=0, follow=...)`` in a process of its own, its output collected as it comes."""

    def __init__(self, root: Path, *, follow: bool = True):
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(root), "on" if follow else "off"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()
        deadline = time.monotonic() + 30
        while not (found := re.search(r" at (http://127\.0\.0\.1:\d+/) ", "".join(self.lines))):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                pytest.fail("serve did not start:\n" + "".join(self.lines))
            time.sleep(0.02)
        self.base = found[1]

    def status(self) -> dict:
        return json.loads(urllib.request.urlopen(self.base + "_preview/status.json", timeout=5).read())

    def open(self, browser, path: str):
        """A new tab on ``path``, once its reload connection is in place."""
        page = browser.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        self.goto(page, path)
        return page

    def goto(self, page, path: str) -> None:
        """``page`` to ``path``, once its reload connection has said it shows that page (status.json lists them)."""
        before = self.status()["tabs"].count(path) - (page.url == self.base + path)  # its old connection closes
        page.goto(self.base + path)
        deadline = time.monotonic() + 10
        while self.status()["tabs"].count(path) <= before:
            assert time.monotonic() < deadline, f"{path}: the page never connected for reloads"
            time.sleep(0.02)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return "".join(self.lines)


def at(page, path: str, marker: str) -> None:
    """``page`` shows ``path`` (of the preview) with ``marker`` in it, soon."""
    expect(page).to_have_url(re.compile(re.escape(path) + "$"), timeout=10_000)
    expect(page.locator("body")).to_contain_text(marker, timeout=10_000)


def test_a_save_takes_the_other_tabs_to_the_page_it_changed(project, browser):
    root = project(SUN)
    server = Server(root)
    try:
        home = server.open(browser, "index.html")
        sun = server.open(browser, "articles/sun.html")
        moon = server.open(browser, "articles/moon.html")

        # One claim: the tabs elsewhere go to its page; the article's own page, which shows it too, reloads.
        rewrite(root, A, "explanation: No evidence.", "explanation: No evidence F1z.")
        at(home, "/claims/c-swiss.html", "F1z")
        at(sun, "/claims/c-swiss.html", "F1z")
        at(moon, "/articles/moon.html", "F1z")

        # The article itself: to its page.
        server.goto(sun, "articles/sun.html")
        server.goto(home, "index.html")
        rewrite(root, "content/articles/moon.md", "outlet: Test Outlet", "outlet: Test Outlet F2z")
        at(sun, "/articles/moon.html", "F2z")
        at(home, "/articles/moon.html", "F2z")

        # Two claims at once: the article's page.
        server.goto(sun, "articles/sun.html")
        rewrite(root, A, "explanation: As stated.", "explanation: As stated F3z.")
        rewrite(root, A, "explanation: No evidence F1z.", "explanation: No evidence F3z.")
        at(sun, "/articles/moon.html", "F3z")

        # A template, a style sheet, the timeline: every tab reloads where it is.
        server.goto(sun, "articles/sun.html")
        timeline = server.open(browser, "timeline.html")
        rewrite(root, "templates/base.html", "Found an error?", "Found an error F4z?")
        at(sun, "/articles/sun.html", "F4z")
        at(moon, "/articles/moon.html", "F4z")
        at(timeline, "/timeline.html", "F4z")
        # No wait for the tabs to be back: one that connects after the next save, still showing the page from
        # before it, says so and is reloaded (serve._Tabs.stale).
        rewrite(root, "content/timeline.yaml", "body: Reported later.", "body: Reported later F5z.")
        at(timeline, "/timeline.html", "F5z")
        assert sun.url.endswith("/articles/sun.html")
        style = root / "templates/static/style.css"
        style.write_text(style.read_text() + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n")
        expect(sun.locator("body")).to_have_css("outline-color", "rgb(1, 2, 3)", timeout=10_000)  # not the cached sheet
        assert sun.url.endswith("/articles/sun.html")
        for page in (home, sun, moon, timeline):
            assert page.errors == [], page.errors  # no policy violation, no script error

        # The plugin takes a tab only to a page of this server.
        before = sun.url
        assert sun.evaluate(
            "new window.LiveReloadPluginFactsiteFollow(window).reload('//evil.example/x', {originalPath: 'factsite:navigate'})"
        )
        sun.wait_for_timeout(200)
        assert sun.url == before
    finally:
        output = server.stop()
    assert server.process.returncode == 0, output


def test_without_follow_a_save_reloads_the_tabs_in_place(project, browser):
    root = project(SUN)
    server = Server(root, follow=False)
    try:
        sun = server.open(browser, "articles/sun.html")
        moon = server.open(browser, "articles/moon.html")
        home = server.open(browser, "index.html")
        rewrite(root, A, "explanation: No evidence.", "explanation: No evidence N1z.")
        at(moon, "/articles/moon.html", "N1z")
        rewrite(root, "templates/base.html", "Found an error?", "Found an error N2z?")
        for page, path in ((sun, "/articles/sun.html"), (moon, "/articles/moon.html"), (home, "/index.html")):
            at(page, path, "N2z")  # reloaded where it was, never taken to the moon article's pages
    finally:
        output = server.stop()
    assert server.process.returncode == 0, output


def test_the_worklist_page_follows_saves_and_is_linked_from_the_problems(project, browser):
    root = project()
    server = Server(root)
    try:
        page = server.open(browser, "_worklist")
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        note = "content/annotations/moon.yaml:22:12: note: claim 'c-cost' rests on one source (space-agency)"
        expect(page.locator("main")).to_contain_text(note)
        expect(page.get_by_role("heading", level=1)).to_have_text("Worklist")

        rewrite(
            root,
            A,
            "    sources: [space-agency]\n    events: [ev-mission]",
            "    sources: [space-agency, daily-mirror-copy]\n    events: [ev-mission]",
        )
        expect(page.locator("main")).not_to_contain_text(note, timeout=10_000)  # the tab reloaded, not taken away
        expect(page.locator("main")).to_contain_text("Worklist: 8 notes, 0 warnings")
        assert page.url.endswith("/_worklist") and page.errors == []
        assert requests and all(url.startswith(server.base) for url in requests)  # nothing from another host

        rewrite(root, A, "    quote: svizzero", "    quote: svizzera")  # a save that fails
        overlay = page.locator(".preview-problems")
        expect(overlay).to_contain_text("the quote does not occur", timeout=10_000)
        overlay.get_by_role("link", name="The worklist").click()
        expect(page).to_have_url(server.base + "_worklist")

        # The page for people: axe-core (injected as a script, so in a context that lets it past the policy).
        axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
        if axe.exists():
            context = browser.new_context(bypass_csp=True)
            checked = context.new_page()
            checked.goto(server.base + "_worklist")
            checked.add_script_tag(path=str(axe))
            violations = checked.evaluate(
                """async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))
                     .violations.map(v => `${v.id}: ${v.help}`)"""
            )
            context.close()
            assert violations == []
    finally:
        output = server.stop()
    assert server.process.returncode == 0, output
