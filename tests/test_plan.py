"""The plan of pages: one slug rule for every file name and id, no two pages on one path, and `check`
finds whatever would stop `build` (it is the build minus the write)."""

from __future__ import annotations

import pickle

import pytest
from conftest import edit
from sample import FILES

import build
from factsite.diagnostics import visible
from factsite.layout import SLUG_PATTERN, is_slug
from factsite.load import read_project
from factsite.pages import KINDS
from factsite.pipeline import check_project, plan

ABOUT = FILES["content/pages/about.md"]
RULE = "at most 80 lower-case letters and digits joined by single '-' or '.', such as 'about' or 'c000-01'"


def _check(root, capsys) -> tuple[int, list[str]]:
    code = build.main(["-C", str(root), "check"])
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "name",
    [
        "javascript:alert(1)",
        "data:text",
        "VBScript:x",
        " about2",
        'a"b',
        "a<b",
        "new\nline",
        "\u202eevil",
        "Capital",
        "two--dashes",
        "ends-",
    ],
)
def test_a_page_file_name_that_is_not_a_slug_is_refused(project, capsys, name):
    root = project({f"content/pages/{name}.md": ABOUT})
    code, err = _check(root, capsys)
    assert code == 1
    # Control and bidi characters are shown as escapes, so the message stays on one line.
    assert err[0] == visible(
        f"content/pages/{name}.md: the file name {name!r} cannot be a page's address: a name is {RULE}; rename the file"
    )
    assert build.main(["-C", str(root)]) == 1
    assert not (root / "site").exists()


def test_an_article_file_name_follows_the_same_rule(project, capsys):
    root = project({"content/articles/moon.md": None, "content/articles/Moon Landing.md": FILES["content/articles/moon.md"]})
    code, err = _check(root, capsys)
    assert (
        f"content/articles/Moon Landing.md: the file name 'Moon Landing' cannot be an article's address: a name is {RULE}; "
        "rename the file" in err
    )


def test_the_slug_rule_is_the_schemas_id_pattern_matched_whole():
    assert SLUG_PATTERN.startswith("^") and SLUG_PATTERN.endswith("$")
    assert is_slug("government-push") and is_slug("c000-01") and is_slug("ft-2025.08")
    assert not is_slug("government-push\n") and not is_slug("") and not is_slug("a/b") and not is_slug("..")


@pytest.mark.parametrize(
    ("page", "taken"), [("index", "the home page"), ("timeline", "the timeline page"), ("sources", "the sources page")]
)
def test_a_page_that_would_replace_one_of_the_sites_own_is_refused_by_check(project, capsys, page, taken):
    root = project({f"content/pages/{page}.md": ABOUT})
    code, err = _check(root, capsys)
    assert code == 1
    assert err == [
        f"content/pages/{page}.md: this would make {page}.html, which is already {taken}; rename it (the name '{page}' is taken)",
        "1 problem found; nothing was written.",
    ]


def test_a_fact_whose_id_is_index_is_refused_at_its_id(project, capsys):
    root = project(
        edit("content/facts.yaml", "id: moon-made-of", "id: index")
        | edit("content/annotations/moon.yaml", "fact: moon-made-of", "fact: index")
    )
    code, err = _check(root, capsys)
    assert (
        err[0] == "content/facts.yaml:2:9: this would make facts/index.html, which is already the index of shared facts; "
        "rename it (the name 'index' is taken)"
    )


def test_a_static_file_and_a_generated_one_cannot_share_a_path(project, capsys):
    root = project({"templates/static/verdicts.css": "body{}"})
    code, err = _check(root, capsys)
    assert err[0].startswith(
        "templates: this would make static/verdicts.css, which is already the static file templates/static/verdicts.css"
    )


def test_a_template_error_at_run_time_fails_check_not_only_build(project, capsys):
    root = project()
    base = root / "templates/base.html"
    base.write_text(base.read_text().replace('<main id="main"', '{{ 1 / 0 }}<main id="main"', 1))
    code, err = _check(root, capsys)
    line = base.read_text().splitlines().index(next(x for x in base.read_text().splitlines() if "1 / 0" in x)) + 1
    assert (code, err) == (
        1,
        [
            f"templates/base.html:{line}:1: template error: ZeroDivisionError: division by zero",
            "1 problem found; nothing was written.",
        ],
    )


def test_a_missing_template_is_named(project, capsys):
    root = project()
    (root / "templates/fact.html").unlink()
    code, err = _check(root, capsys)
    assert err[0] == "templates/fact.html: template error: this template is missing; restore it"


def test_the_plan_is_plain_data_that_a_worker_process_can_take(project):
    project_ = read_project(project())
    site, pages = plan(project_, check_project(project_))
    assert pickle.loads(pickle.dumps(pages)) == pages
    assert [p.path for p in pages] == [
        "index.html", "archive/index.html", "archive/page/1.html", "archive/2025-08.html",
        "timeline.html", "events/ev-mission.html", "events/ev-report.html", "events/ev-later.html",
        "sources.html", "sources/space-agency.html", "sources/daily-mirror-copy.html",
        "static/verdicts.css", "corrections.html", "404.html",
        "search.html", "feeds/fact-checks.xml", "feeds/corrections.xml", "sitemap.xml", "robots.txt",
        "articles/moon.html", "claims/c-cheese.html", "claims/c-swiss.html", "claims/c-cost.html",
        "annotations/moon.jsonld", "facts/index.html", "facts/moon-made-of.html", "about.html", "methodology.html",
        "data/claims.csv", "data/claims.json", "data/datapackage.json", "data/claimreview-feed.json",
    ]  # fmt: skip
    assert {p.kind for p in pages} <= set(KINDS)


def test_a_link_between_site_paths_is_what_posixpath_relpath_makes():
    import posixpath

    from factsite.layout import _relpath

    paths = ["index.html", "claims/c1.html", "claims/", "facts/index.html", "archive/page/2.html", "a/b/c/d.html",
             "claims", "x.html", "./claims/c1.html", "claims//c2.html", "../up.html", "archive/page/"]  # fmt: skip
    folders = ["", ".", "claims", "facts", "archive/page", "a/b", "a/b/c", "archive", "claims/", "../x"]
    for path in paths:
        for folder in folders:
            assert _relpath(path, folder) == posixpath.relpath(path, folder or "."), (path, folder)


def test_each_page_kind_is_planned_once_the_sitemap_counting_the_others_from_that_plan(project, monkeypatch):
    from factsite import pages
    from factsite.pipeline import check_project

    project_ = read_project(project())
    site = check_project(project_)
    calls = []
    real = pages.article.plan
    monkeypatch.setattr(pages.article, "plan", lambda *a: calls.append(1) or real(*a))
    planned, problems = pages.plan_pages(site, project_.static)
    assert calls == [1] and problems == []
    listed = pages.sitemap.indexed_pages(site)  # what the sitemap lists: every other HTML page, as planned once
    assert calls == [1] and {s.path for s in listed} <= {s.path for s in planned}
    assert "articles/moon.html" in {s.path for s in listed} and "sitemap.xml" not in {s.path for s in listed}
