"""The live preview: which pages a change re-renders (and in what order), the page a save is about, the
worklist page, and the whole loop in a real browser."""

from __future__ import annotations

import hashlib
import html
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from playwright.sync_api import expect
from sample import FILES, d

from factsite.preview import Preview

SUN_SEED = "Il Sole è una stella nana gialla. La sua luce arriva in otto minuti.\n"
SUN = {
    "seeds/101_sun.txt": SUN_SEED,
    "content/articles/sun.md": d(f"""
        ---
        slug: sun
        title: Il Sole
        lang: it
        published: 2025-09
        outlet: Test Outlet
        author: unknown
        url: unknown
        seed:
          file: 101_sun.txt
          sha256: {hashlib.sha256(SUN_SEED.encode()).hexdigest()}
        ---
        Il Sole è una stella nana gialla. La sua luce arriva in otto minuti.
        """),
    "content/annotations/sun.yaml": d("""
        review:
          by: Test desk
          on: 2026-11-23
        claims:
          - id: c-light
            quote: La sua luce arriva in otto minuti
            claim: Sunlight takes eight minutes to arrive.
            verdict: accurate
            basis: primary-document
            explanation: About 8 minutes 20 seconds.
            sources: [space-agency]
        """),
}
A = "content/annotations/moon.yaml"
EVERY_CLAIMS_PAGE = {"index.html", "timeline.html", "sources.html", "facts/index.html", "facts/moon-made-of.html"}
# Pages and files made from every claim of the site.
SITE_WIDE = {"corrections.html", "search.html", "sitemap.xml", "feeds/fact-checks.xml", "feeds/corrections.xml"} | {
    f"data/{name}" for name in ("claims.csv", "claims.json", "datapackage.json", "claimreview-feed.json")
}


def rewrite(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_change_re_renders_only_the_pages_that_use_it(project):
    root = project(SUN)
    preview = Preview(root, root / "site")
    first = preview.start()
    assert first.ok and "articles/sun.html" in first.rendered and "articles/moon.html" in first.rendered

    nothing = preview.update([])
    assert (nothing.ok, nothing.rendered, nothing.written) == (True, [], [])

    # One article's claims: that article, its claim pages and the pages that list every claim; not the other
    # article, nor the claim pages of the sun article.
    rewrite(root, A, "explanation: No evidence.", "explanation: Still no evidence.")
    claims_edit = preview.update([A])
    moon_claims = {"claims/c-cheese.html", "claims/c-swiss.html", "claims/c-cost.html", "annotations/moon.jsonld"}
    # and the pages of what the moon claims cite, and the archive's lists of the moon article's month
    moon_lists = {"events/ev-report.html", "events/ev-mission.html", "sources/space-agency.html"}
    moon_lists |= {"sources/daily-mirror-copy.html", "archive/2025-08.html", "archive/page/1.html"}
    assert set(claims_edit.rendered) == {"articles/moon.html"} | moon_claims | moon_lists | EVERY_CLAIMS_PAGE | SITE_WIDE
    assert "articles/sun.html" not in claims_edit.rendered and "archive/2025-09.html" not in claims_edit.rendered
    # The other pages rendered the same bytes; the note beside the passage shows the explanation's first line,
    # which the data, the annotations and the fact-checks feed carry too, and the search index changes with it.
    assert [p for p in claims_edit.written if not p.startswith("pagefind/")] == [
        "annotations/moon.jsonld", "articles/moon.html", "claims/c-swiss.html", "data/claims.csv", "data/claims.json",
        "feeds/fact-checks.xml",
    ]  # fmt: skip
    assert any(p.startswith("pagefind/") for p in claims_edit.written)
    assert "Still no evidence." in (root / "site/claims/c-swiss.html").read_text()
    assert "Still no evidence." in (root / "site/articles/moon.html").read_text()

    # The timeline is shown beside every article.
    rewrite(root, "content/timeline.yaml", "body: Reported later.", "body: Reported much later.")
    timeline_edit = preview.update(["content/timeline.yaml"])
    assert {"articles/moon.html", "articles/sun.html", "timeline.html"} <= set(timeline_edit.rendered)
    assert "about.html" not in timeline_edit.rendered  # a prose page shows no event

    # A style sheet is copied; no page is rendered again.
    (root / "templates/static/style.css").write_text("body { color: black; }\n")
    css_edit = preview.update(["templates/static/style.css"])
    assert (css_edit.rendered, css_edit.written) == ([], ["static/style.css"])

    # A template is used by every page.
    rewrite(root, "templates/base.html", "Found an error?", "Spotted an error?")
    template_edit = preview.update(["templates/base.html"])
    # (robots.txt and the annotation collections are made without templates)
    untemplated = {"robots.txt", "annotations/moon.jsonld", "annotations/sun.jsonld"}
    assert set(template_edit.rendered) == set(preview.page_digests) - untemplated


def test_a_broken_save_writes_nothing_and_the_fix_recovers(project):
    root = project()
    preview = Preview(root, root / "site")
    preview.start()
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / A).write_text((root / A).read_text().replace("claims:", "claims: [", 1))
    broken = preview.update([A])
    assert not broken.ok and broken.problems[0].format().startswith(f"{A}:")
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    (root / A).write_text(FILES[A])
    assert preview.update([A]).ok and preview.problems == []


def test_editor_backup_and_lock_files_are_ignored(project):
    root = project()
    preview = Preview(root, root / "site")
    preview.start()
    for name in ("moon.yaml~", ".#moon.yaml", "#moon.yaml#", ".moon.yaml.swp"):
        (root / "content/annotations" / name).write_text("not: [yaml")
    outcome = preview.update([f"content/annotations/{n}" for n in ("moon.yaml~", ".#moon.yaml", "#moon.yaml#", ".moon.yaml.swp")])
    assert outcome.ok, [p.format() for p in outcome.problems]


# -- the whole loop: a real server, a real browser -------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-C", str(root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_preview/status.json", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("build.py serve did not start: " + process.communicate()[0])


def wait_for_search_index(port: int, timeout: float = 10) -> None:
    """Until status.json says the search index is that of the latest good save."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/_preview/status.json", timeout=2).read())
        if status["search"] == "current":
            return
        time.sleep(0.02)
    pytest.fail(f"the search index was never brought up to date: {status}")


@pytest.mark.browser
def test_preview_follows_saves_and_shows_problems_in_the_page(project, browser):
    root = project()
    port = free_port()
    server = start_server(root, port)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/articles/moon.html")
        page.wait_for_timeout(300)  # livereload.js connects
        body = page.locator("body")
        # When it connects, the tab says which version of the page it shows (see test_serve_security): the
        # preview's plugin reads it from the mark the preview put in the page, the digest of the file served.
        said = page.evaluate(
            "window.LiveReload.plugins.filter(p => p.constructor.identifier === 'factsite-follow')[0].analyze().page"
        )
        assert said == hashlib.sha256((root / "site/articles/moon.html").read_bytes()).hexdigest()[:12]

        rewrite(root, A, "explanation: No evidence.", "explanation: First edit.")
        expect(body).to_contain_text("First edit.", timeout=5000)
        time.sleep(1)  # a second save one second later must reach the page too (livereload alone drops it)
        rewrite(root, A, "explanation: First edit.", "explanation: Second edit.")
        expect(body).to_contain_text("Second edit.", timeout=5000)

        wait_for_search_index(port)  # made after the page is served: let it finish before comparing
        site_before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
        rewrite(root, A, "    quote: svizzero", "    quote: svizzera")
        overlay = page.locator(".preview-problems")
        expect(overlay).to_contain_text(
            f"{A}:15:12: claim 'c-swiss': the quote does not occur in content/articles/moon.md", timeout=5000
        )
        expect(body).to_contain_text("Second edit.")  # still the last good build
        assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == site_before

        rewrite(root, A, "    quote: svizzera", "    quote: svizzero")
        expect(overlay).to_have_count(0, timeout=5000)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        output = server.communicate(timeout=10)[0]
    assert server.returncode == 0, output
    assert output.rstrip().endswith("Stopped.")
    assert re.search(r"Rebuilt \(content/annotations/moon.yaml\): \d+ pages rendered, \d+ files written", output)
    assert f"{A}:15:12: claim 'c-swiss': the quote does not occur" in output  # the terminal shows it too


def test_port_in_use_gives_a_clear_error(project):
    root = project()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "-C", str(root), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert run.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is already in use" in run.stderr
    assert f"--port {port + 1}" in run.stderr
    assert not (root / "site").exists()  # it failed before building anything


# -- the page a save is about (what serve takes the open tabs to) -------------------------------------------


def test_the_target_of_a_save_is_its_one_changed_claim_or_else_its_article(project):
    root = project(SUN)
    preview = Preview(root, root / "site")
    assert preview.start().ok

    rewrite(root, A, "explanation: No evidence.", "explanation: Still no evidence.")
    one = preview.update([A])
    assert one.target == "claims/c-swiss.html"
    assert one.focus == {"articles/moon.html", "claims/c-cheese.html", "claims/c-swiss.html", "claims/c-cost.html"}

    rewrite(root, A, "explanation: As stated.", "explanation: As stated, twice.")
    rewrite(root, A, "explanation: Still no evidence.", "explanation: No evidence at all.")
    assert preview.update([A]).target == "articles/moon.html"  # two claims: the article

    # A claim added above the others moves them down the file, which does not make them changed claims.
    rewrite(root, A, "claims:\n", "claims:\n  - id: c-may\n    quote: La missione è prevista per maggio\n"
            "    claim: The mission is planned for May.\n    verdict: accurate\n    basis: primary-document\n"
            "    explanation: So the agency says.\n    sources: [space-agency]\n")  # fmt: skip
    added = preview.update([A])
    assert added.ok and added.target == "claims/c-may.html", [p.format() for p in added.problems]

    rewrite(root, "content/articles/moon.md", "outlet: Test Outlet", "outlet: Test Outlet Two")
    assert preview.update(["content/articles/moon.md"]).target == "articles/moon.html"
    # an editor's temporary file, already renamed over the real one when the batch is read, does not count
    rewrite(root, "content/articles/sun.md", "outlet: Test Outlet", "outlet: Sun Outlet")
    assert preview.update(["content/articles/sun.md", "content/articles/sun.md.saving"]).target == "articles/sun.html"

    for rel, old, new in [
        ("templates/base.html", "Found an error?", "Spotted an error?"),
        ("content/timeline.yaml", "body: Reported later.", "body: Reported much later."),
    ]:
        rewrite(root, rel, old, new)
        assert preview.update([rel]).target is None, rel
    rewrite(root, A, "explanation: No evidence at all.", "explanation: None.")
    rewrite(root, "content/annotations/sun.yaml", "About 8 minutes", "About eight minutes")
    assert preview.update([A, "content/annotations/sun.yaml"]).target is None  # two articles: no one page


def test_first_only_writes_the_target_first_and_finish_the_rest(project):
    root = project(SUN)
    preview = Preview(root, root / "site")
    assert preview.start().ok
    rewrite(root, A, "explanation: No evidence.", "explanation: Still no evidence.")
    first = preview.update([A], search=False, first_only=True, first=["index.html"])
    assert first.ok and first.rendered == ["claims/c-swiss.html", "index.html"] and preview.unfinished
    assert "articles/moon.html" in first.deferred and not preview.search_current
    rest = []
    while preview.unfinished:
        step = preview.finish(budget=0)  # one page at a time
        assert step.ok and len(step.rendered) == 1
        rest += step.rendered
    assert set(rest) == set(first.deferred) and "Still no evidence." in (root / "site/articles/moon.html").read_text()
    assert preview.update([]).rendered == []  # nothing left stale
    preview.request_search()
    assert not preview.search_current  # until the search thread has made the index


# -- the worklist, in the preview only ---------------------------------------------------------------------

NOTE = "content/annotations/moon.yaml:22:12: note: claim 'c-cost' rests on one source (space-agency)"


def worklist_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_worklist", timeout=5) as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        return html.unescape(re.sub(r"<[^>]+>", "", response.read().decode()))


def test_the_worklist_is_a_page_of_the_preview_only(project, tmp_path):
    root = project()
    port = free_port()
    server = start_server(root, port)
    try:
        text = worklist_text(port)
        assert NOTE in text and "Worklist: 9 notes, 0 warnings" in text
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/_worklist", timeout=5).read().decode()
        csp = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
        home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert csp.findall(page) == csp.findall(home) and len(csp.findall(page)) == 1  # the site's own policy
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing from another host
        assert '<a href="/articles/moon.html">its page</a>' in page
        status = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/_preview/status.json", timeout=5).read())
        assert status["worklist"] == "/_worklist"

        # A second source for c-cost: its note goes, after the save that changes it.
        rewrite(
            root,
            A,
            "    sources: [space-agency]\n    events: [ev-mission]",
            "    sources: [space-agency, daily-mirror-copy]\n    events: [ev-mission]",
        )
        deadline = time.monotonic() + 10
        while NOTE in (text := worklist_text(port)):
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        assert "Worklist: 8 notes, 0 warnings" in text
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-C", str(root), "build", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    files = [p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")]
    assert files and not [f for f in files if "worklist" in f.lower()]
    for name in ("sitemap.xml", "index.html", "search.html"):
        assert "_worklist" not in (tmp_path / "out" / name).read_text()
    assert not [p for p in (tmp_path / "out/pagefind").rglob("*") if p.is_file() and b"_worklist" in p.read_bytes()]
