"""The live preview never loses a save: 200 saves at random, each shown, and the end equal to a fresh build.

A real ``build.py serve`` (a subprocess on 127.0.0.1, port 0) gets 200 saves of annotation, article, timeline,
template, style and prose files, each writing a marker of its own (``S007z``) that shows on a served page:

* the first save lands while the server is starting, before its first build has read the files;
* saves come 0 to 300 ms apart, so most land while the previous one is being rebuilt (a rebuild of the sample
  project takes about 50 to 150 ms here; with the 20 ms quiet time of the watcher, 0 to 300 ms covers saves
  before, during and after a rebuild, and keeps the test under a minute);
* one save in three is an editor's (a hidden temporary file renamed over the file), one in six writes the file in
  two parts with a pause between them, a quarter of the prose page's saves replace its whole folder (renamed
  away, a new one renamed in: inotify reports the folder, not the files in it), and one in eight is a burst
  touching every kind of file at once;
* a few saves add new prose pages, files the first build never read.

Before a file is saved again, the marker of its previous save must be served (within 10 s): so every save is seen
by a reader, not only the last. At the end the served site equals, byte for byte, a fresh ``build.py build`` of
the same project (drafts as the preview shows them), the preview's injected scripts and the digests it adds to
the addresses of static files aside (each of which is checked to be the digest of the file served). The seed is printed;
``STRESS_SEED=N`` repeats a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from playwright.sync_api import expect

SAVES = 200
TIMEOUT = 10.0
# kind → (file, text replaced, its replacement with {m} for the marker, page that shows it)
KINDS = {
    "annotation": ("content/annotations/moon.yaml", "explanation: No evidence.", "explanation: No evidence {m}.", "claims/c-swiss.html"),
    "article": ("content/articles/moon.md", "outlet: Test Outlet", "outlet: Test Outlet {m}", "articles/moon.html"),
    "timeline": ("content/timeline.yaml", "body: Reported later.", "body: Reported later {m}.", "timeline.html"),
    "template": ("templates/base.html", "Found an error?", "Found an error {m}?", "index.html"),
    "style": ("templates/static/style.css", "/* Fact-check site:", "/* {m} */\n/* Fact-check site:", "static/style.css"),
    "page": ("content/pages/about.md", "Who we are.", "Who we are {m}.", "about.html"),
}  # fmt: skip
INJECTED = re.compile(
    rb'<meta name="factsite-preview-page" content="[0-9a-f]{12}">'
    rb'<link rel="stylesheet" href="/_preview/preview\.css\?v=[0-9a-f]{12}">'
    rb'<script src="/_preview/preview\.js\?v=[0-9a-f]{12}" defer></script><script src="/livereload\.js\?port=\d+&v=[0-9a-f]{12}" defer></script>'
)
VERSIONED = re.compile(rb'((?:href|src)="(?:\.\./)*static/(?P<name>[^"?#]+))\?v=(?P<v>[0-9a-f]{12})"')
"""The digest the preview adds to the address of a page's style sheets, scripts and icon (for the browser's cache)."""


def get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        return err.read()


def save(path: Path, text: str, how: str) -> None:
    if how == "rename":  # what most editors do: write a temporary file beside it, then rename it over the file
        temporary = path.with_name(f".{path.name}.{os.getpid()}.swp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    elif how == "folder":  # the whole folder replaced by a new one (a sync tool, a checkout of a folder)
        new, old = path.parent.with_name(f".{path.parent.name}.new"), path.parent.with_name(f".{path.parent.name}.old")
        shutil.copytree(path.parent, new)
        (new / path.name).write_text(text, encoding="utf-8")
        os.rename(path.parent, old)
        os.rename(new, path.parent)
        shutil.rmtree(old)
    elif how == "parts":  # a plain write that the watcher may see half done
        with path.open("w", encoding="utf-8") as f:
            f.write(text[: len(text) // 2])
            f.flush()
            time.sleep(0.005)
            f.write(text[len(text) // 2 :])
    else:
        path.write_text(text, encoding="utf-8")


class Server:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "-C", str(root), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.base = None

    def wait_started(self) -> None:
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline and self.base is None:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r" at (http://127\.0\.0\.1:\d+/) ", line)
            if found:
                self.base = found[1]
        if self.base is None:
            self.process.kill()
            pytest.fail("build.py serve did not start:\n" + "".join(lines) + self.process.communicate()[0])

    def status(self) -> dict:
        return json.loads(get(self.base + "_preview/status.json"))

    def wait_for(self, page: str, marker: str, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while marker.encode() not in get(self.base + page):
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: {marker} not served on {page} within {TIMEOUT} s; status: {self.status()}")
            time.sleep(0.01)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[0]


def test_no_save_is_lost_and_the_end_equals_a_fresh_build(project, tmp_path):
    seed = int(os.environ.get("STRESS_SEED", time.time_ns() % 1_000_000))
    print(f"STRESS_SEED={seed}")
    rng = random.Random(seed)
    root = project()
    original = {kind: (root / rel).read_text(encoding="utf-8") for kind, (rel, *_) in KINDS.items()}
    for kind, (rel, old, _, _) in KINDS.items():
        assert old in original[kind], (rel, old)
    waiting: dict[str, tuple[str, str, str]] = {}  # kind → (page, marker, what) of its latest save, not yet seen
    n = 0

    def save_kind(kind: str, how: str) -> None:
        nonlocal n
        rel, old, new, page = KINDS[kind]
        if kind in waiting:
            server.wait_for(*waiting.pop(kind))
        n += 1
        marker = f"S{n:03d}z"
        save(root / rel, original[kind].replace(old, new.format(m=marker), 1), how)
        waiting[kind] = (page, marker, f"save {n} ({kind}, {how})")

    server = Server(root)
    try:
        save_kind("template", "rename")  # during start-up: the first build may or may not have read it yet
        server.wait_started()
        new_pages = []
        while n < SAVES:
            roll = rng.random()
            if roll < 1 / 8 and n + len(KINDS) <= SAVES:  # a burst: every kind of file at once
                for kind in rng.sample(sorted(KINDS), len(KINDS)):
                    save_kind(kind, rng.choice(["direct", "rename"]))
            elif roll < 1 / 8 + 1 / 40:  # a file the first build never read
                n += 1
                slug = f"stress-{n:03d}"
                save(root / f"content/pages/{slug}.md", f"---\ntitle: Stress {n}\n---\nNew page S{n:03d}z.\n", "rename")
                new_pages.append((f"{slug}.html", f"S{n:03d}z", f"save {n} (new page)"))
            else:
                kind = rng.choice(sorted(KINDS))
                how = rng.choices(["direct", "rename", "parts", "folder"], weights=[3, 2, 1, 2 if kind == "page" else 0])[0]
                save_kind(kind, how)
            time.sleep(rng.uniform(0, 0.3))
        for page, marker, what in list(waiting.values()) + new_pages:
            server.wait_for(page, marker, what)

        deadline = time.monotonic() + TIMEOUT
        while not ((status := server.status())["ok"] and status["search"] == "current"):
            assert time.monotonic() < deadline, f"the preview never settled: {status}"
            time.sleep(0.05)
        assert status["problems"] == []

        fresh = tmp_path / "fresh"
        built = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "-C", str(root), "build", "-o", str(fresh)]
            + (["--drafts"] if status["drafts"] else []),
            capture_output=True,
            text=True,
        )
        assert built.returncode == 0, built.stdout + built.stderr
        expected = {p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
        expected.pop(".factsite-site", None)
        on_disk = {p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*") if p.is_file()}
        assert on_disk - {".factsite-site"} == set(expected)  # no file missing, none left over
        differ = []
        for rel, data in sorted(expected.items()):
            served = get(server.base + rel)
            if rel.endswith(".html"):
                for ref in VERSIONED.finditer(served):  # the digest of the file as served, so a reload never keeps an old one
                    static = "static/" + ref["name"].decode()
                    if hashlib.sha256(expected[static]).hexdigest()[:12] != ref["v"].decode():
                        differ.append(f"{rel} → {static}")
                served = VERSIONED.sub(rb'\1"', INJECTED.sub(b"", served, count=1))
            if served != data:
                differ.append(rel)
        assert differ == [], f"served differently from a fresh build: {differ}"
    finally:
        output = server.stop()
    print(output[-3000:])
    assert server.process.returncode == 0, output


# -- a reload keeps the reader's place ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}], ids=["phone", "wide"])
def test_a_reload_keeps_the_open_note_and_the_scroll_position(project, browser, viewport):
    root = project()
    rel, old, new, _ = KINDS["annotation"]
    original = (root / rel).read_text(encoding="utf-8")
    server = Server(root)
    try:
        server.wait_started()
        page = browser.new_page(viewport=viewport)
        page.goto(server.base + "articles/moon.html")
        page.wait_for_timeout(300)  # livereload.js connects
        if viewport["width"] < 600:  # a phone: a tap on a label opens its note in place
            page.locator("a.claim-ref").nth(1).click()
            note = page.evaluate("document.querySelector('.note.open').id")
        y = page.evaluate("Math.min(250, document.documentElement.scrollHeight - innerHeight)")
        assert y > 50
        page.evaluate(f"scrollTo(0, {y})")
        page.wait_for_timeout(200)  # the note beside the text follows the reading line
        if viewport["width"] >= 600:
            note = page.evaluate("document.querySelector('.note.current').id")
        y = page.evaluate("scrollY")
        for n in (1, 2):  # two reloads in a row: what one restored, the next keeps
            save(root / rel, original.replace(old, new.format(m=f"K{n}z"), 1), "rename")
            expect(page.locator("body")).to_contain_text(f"K{n}z", timeout=10_000)  # reloaded
            page.wait_for_load_state("load")
            page.wait_for_timeout(200)
            state = page.evaluate("[scrollY, document.querySelector('.note.open, .note.current')?.id]")
            assert abs(state[0] - y) <= 3 and state[1] == note, (state, y, note)
            if viewport["width"] < 600:
                assert page.evaluate(f"document.getElementById('{note}').classList.contains('open')")
    finally:
        server.stop()
