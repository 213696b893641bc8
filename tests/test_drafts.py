"""Work in progress never blocks the site: a draft's problems are warnings, the published build leaves it
out, a --drafts build (and the preview) shows it marked, and --strict makes its warnings errors."""

from __future__ import annotations

from conftest import edit
from sample import FILES

import build
from factsite import build_site

ART = "content/articles/moon.md"
A = "content/annotations/moon.yaml"
# A second article, as the importer leaves it: a draft with fields still to fill in, and an empty claims file.
DRAFT = (
    FILES[ART]
    .replace("slug: moon\n", "slug: moon-draft\n")
    .replace("outlet: Test Outlet\n", "outlet: TODO\n")
    .replace("author: unknown\n", "author: unknown\ndraft: true\n")
)
DRAFT_CLAIMS = "review:\n  by: TODO\n  on: 2026-11-30\nclaims: []\n"
NEW = {"content/articles/moon-draft.md": DRAFT, "content/annotations/moon-draft.yaml": DRAFT_CLAIMS}


def _run(root, *args, capsys):
    code = build.main(["-C", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def test_an_imported_draft_does_not_stop_check_or_build(project, capsys):
    root = project(NEW)
    code, out, err = _run(root, "check", capsys=capsys)
    assert code == 0
    assert err == [
        "content/annotations/moon-draft.yaml:2:7: warning: 'review.by' must be filled in (it is empty, or still the "
        "importer's TODO placeholder)",
        "content/articles/moon-draft.md:7:9: warning: 'outlet' must be filled in (it is empty, or still the importer's "
        "TODO placeholder)",
    ]
    assert out == "OK: 2 articles (1 draft), 3 claims (3 anchored), 3 events, 2 sources; 2 warnings\n"
    assert _run(root, "build", capsys=capsys)[0] == 0
    assert not (root / "site/articles/moon-draft.html").exists()
    assert (root / "site/articles/moon.html").exists()


def test_strict_makes_a_drafts_warnings_errors(project, capsys):
    root = project(NEW)
    code, _, err = _run(root, "check", "--strict", capsys=capsys)
    assert code == 1
    assert err[-1] == "2 warnings found, and --strict makes them errors; nothing was written."
    assert _run(root, "build", "--strict", capsys=capsys)[0] == 1
    assert not (root / "site").exists()


def test_a_drafts_build_shows_the_draft_marked(project):
    pages = build_site(project(NEW), drafts=True)
    page = pages["articles/moon-draft.html"].decode()
    assert '<p class="kicker"><span class="draft-mark">Draft</span> Fact check · Italian article · TODO</p>' in page
    index = pages["index.html"].decode()
    assert '<h3 id="article-moon-draft"><span class="draft-mark">Draft</span> <a href="articles/moon-draft.html">' in index
    assert "articles/moon-draft.html" not in build_site(project(NEW))["index.html"].decode()


def test_a_draft_claim_with_a_broken_reference_is_left_out_and_the_rest_builds(project, capsys):
    changes = edit(A, "    sources: [daily-mirror-copy]\n", "    sources: [no-such-source]\n    draft: true\n")
    root = project(changes)
    code, out, err = _run(root, "check", capsys=capsys)
    assert code == 0
    assert err == [
        f"{A}:20:15: warning: unknown source 'no-such-source'; sources are defined in content/sources.yaml",
    ]
    assert out == "OK: 1 articles, 2 claims (2 anchored), 3 events, 2 sources; 1 warning\n"  # the broken draft is out
    pages = build_site(root, drafts=True)
    assert "claims/c-swiss.html" not in pages and "claims/c-cheese.html" in pages


def test_the_same_problem_outside_a_draft_is_an_error(project, capsys):
    root = project(edit(A, "    sources: [daily-mirror-copy]\n", "    sources: [no-such-source]\n"))
    code, _, err = _run(root, "check", capsys=capsys)
    assert code == 1
    assert err == [
        f"{A}:20:15: unknown source 'no-such-source'; sources are defined in content/sources.yaml",
        "1 problem found; nothing was written.",
    ]
