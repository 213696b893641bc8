"""The build end to end: pages, determinism, atomic output, and nothing lost on failure."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import edit
from htmltext import article_text
from sample import SEED_TEXT

import build
from factsite import build_site, layout
from factsite.write import MARKER, recover, swap_paths, write_site


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_every_page(project):
    root = project()
    assert build.main(["-C", str(root)]) == 0
    files = sorted(tree_digest(root / "site"))
    assert [f for f in files if not f.startswith("pagefind/")] == [
        ".factsite-site", "404.html", "about.html", "annotations/moon.jsonld",
        "archive/2025-08.html", "archive/index.html", "archive/page/1.html", "articles/moon.html",
        "claims/c-cheese.html", "claims/c-cost.html", "claims/c-swiss.html", "corrections.html",
        "data/claimreview-feed.json", "data/claims.csv", "data/claims.json", "data/datapackage.json",
        "events/ev-later.html", "events/ev-mission.html", "events/ev-report.html", "facts/index.html", "facts/moon-made-of.html", "feeds/corrections.xml", "feeds/fact-checks.xml",
        "index.html", "methodology.html", "robots.txt", "search.html", "sitemap.xml", "sources.html",
        "sources/daily-mirror-copy.html", "sources/space-agency.html",
        "static/favicon.svg", "static/print.css", "static/search.js", "static/site.js", "static/style.css",
        "static/verdicts.css", "timeline.html",
    ]  # fmt: skip
    # The search index: an English one for the annotations, an Italian one for the article's words.
    assert {"pagefind/pagefind.js", "pagefind/it/pagefind.js"} <= set(files)


def test_two_builds_are_byte_identical(project, tmp_path):
    root = project()
    first, second = build_site(root), build_site(root)
    assert first == second
    build.main(["-C", str(root), "build", "-o", str(tmp_path / "one")])
    build.main(["-C", str(root), "build", "-o", str(tmp_path / "two")])
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_failed_build_leaves_the_previous_site_and_the_content_untouched(project, capsys):
    root = project()
    assert build.main(["-C", str(root)]) == 0
    before_site = tree_digest(root / "site")
    annotations = root / "content/annotations/moon.yaml"
    annotations.write_text(annotations.read_text().replace("quote: svizzero", "quote: svizzera"))
    before_content = tree_digest(root / "content")
    assert build.main(["-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/annotations/moon.yaml:15:12: claim 'c-swiss': the quote does not occur" in err
    assert err.rstrip().endswith("1 problem found; nothing was written.")
    assert tree_digest(root / "site") == before_site
    assert tree_digest(root / "content") == before_content
    assert not any(p.exists() for p in swap_paths(root / "site"))


def test_build_never_modifies_content_or_seeds(project):
    root = project()
    before = tree_digest(root / "content"), tree_digest(root / "seeds")
    build.main(["-C", str(root)])
    assert (tree_digest(root / "content"), tree_digest(root / "seeds")) == before


def test_interrupted_swap_is_undone_or_finished(tmp_path):
    out = tmp_path / "site"
    new, old = swap_paths(out)
    # Cut between the two renames: the previous site is parked, no site in place.
    for folder in (old, new):  # the build marks the swap folders as its own
        folder.mkdir()
        (folder / MARKER).write_text("")
    (old / "index.html").write_text("previous")
    (new / "index.html").write_text("half")
    recover(out)
    assert (out / "index.html").read_text() == "previous" and not old.exists() and not new.exists()
    # Cut after the swap: only the clean-up is left.
    old.mkdir()
    (old / MARKER).write_text("")
    (old / "index.html").write_text("older")
    recover(out)
    assert (out / "index.html").read_text() == "previous" and not old.exists()


def test_write_refuses_paths_outside_the_site(tmp_path):
    with pytest.raises(ValueError):
        write_site({"../evil.html": b"x"}, tmp_path / "site")


def test_output_folder_that_holds_the_project_is_refused(project, capsys):
    root = project()
    assert build.main(["-C", str(root), "build", "-o", str(root / "content")]) == 1
    assert "content/: this is, or is inside, the project's content/ folder" in capsys.readouterr().err
    assert (root / "content/site.yaml").exists()


def test_links_are_relative_so_the_site_works_from_any_folder(project):
    pages = build_site(project())
    for path, data in pages.items():
        if path.endswith(".html") and path != layout.NOT_FOUND:  # a 404 page is served at any address
            for url in re.findall(r'(?:href|src)="([^"]*)"', data.decode()):
                assert not url.startswith("/"), f"{path}: root-absolute link {url}"


def test_article_page_shows_the_seed_text_exactly(project):
    html = build_site(project())["articles/moon.html"].decode()
    headline, body = article_text(html)
    lines = SEED_TEXT.splitlines()
    assert headline == lines[0]  # the headline is shown once, as the page's h1
    assert body == " ".join(" ".join(lines[1:]).split())


def test_drafts_stay_off_the_site_unless_asked_for(project):
    root = project(edit("content/annotations/moon.yaml", "    fact: moon-made-of\n", "    fact: moon-made-of\n    draft: true\n"))
    public = build_site(root)["articles/moon.html"].decode()
    assert 'id="claim-c-cheese"' not in public and 'id="claim-c-swiss"' in public
    assert 'id="claim-c-cheese"' in build_site(root, drafts=True)["articles/moon.html"].decode()


def test_no_page_loads_anything_from_another_host(project):
    outbound = []
    for path, data in build_site(project()).items():
        if path.endswith(".html"):
            html = data.decode()
            assert not re.search(r'<(script|img|iframe)[^>]+src="(https?:)?//', html), path
            assert not re.search(r'<link rel="(stylesheet|icon|preload|modulepreload|manifest)"[^>]+href="(https?:)?//', html), (
                path
            )
            assert "Content-Security-Policy" in html
            outbound += re.findall(r'<a [^>]*href="https?://[^>]*>', html)
    assert outbound and all('rel="noopener noreferrer"' in a for a in outbound)


def test_a_verdict_change_is_on_the_record_and_the_as_reported_qualifier_is_shown(project):
    changes = edit(
        "content/annotations/moon.yaml",
        "    basis: none-found\n",
        "    basis: anonymous-sources\n    history:\n      - kind: correction\n        date: 2026-12-01\n"
        "        note: Added a second source.\n        previous_verdict: accurate\n",
    )
    pages = build_site(project(changes))
    claim_page, article = pages["claims/c-swiss.html"].decode(), pages["articles/moon.html"].decode()
    assert (
        '<li class="change" data-kind="correction"><p class="label">Correction, <time datetime="2026-12-01">1 December 2026'
        '</time>: verdict changed from <span class="badge" data-verdict="accurate">Accurate</span> to <span class="badge" '
        'data-verdict="misleading" data-tier="problem"><span class="tier-sign" aria-hidden="true">✗</span> Misleading'
        "</span></p><p>Added a second source.</p>"
    ) in claim_page
    assert '<span class="note-changed">Correction <time datetime="2026-12-01">1 December 2026</time></span>' in article
    assert (
        '<span class="claim-verdict"><span class="tier-sign" aria-hidden="true">✗</span> Misleading'
        '<span class="qualifier"> (as reported)</span></span>'
    ) in article
