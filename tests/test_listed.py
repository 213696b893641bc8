"""The digests' finer key for pages that list claims (``factsite/listed.py``): an edit further down an
explanation renders the claim's page and its article's, not the lists; and a page whose digest an edit leaves
as it was is, byte for byte, the page a clean build of the edited project makes. That second property is what
makes any finer key safe; it is checked for each edit below, on every page of the sample project."""

from __future__ import annotations

import pytest
from sample import FILES

from factsite import listed
from factsite.engine import Digests
from factsite.load import read_project
from factsite.pipeline import build_project, plan

A = "content/annotations/moon.yaml"
FACT_LOOP = '      <p class="verdict-line">{{ badge(c.verdict, c.qualifier) }}'


def pages_and_digests(root):
    project = read_project(root)
    files, site = build_project(project)
    shown, pages = plan(project, site)
    digests = Digests(project, drafts=False, site=shown)
    return files, {spec.path: digests.page(spec) for spec in pages}, digests


def changed(project, changes):
    """(pages whose digest changed, pages whose bytes changed, the digests after) for ``changes``."""
    files_before, before, _ = pages_and_digests(project())
    files_after, after, digests = pages_and_digests(project(changes))
    moved = {path for path in after if before.get(path) != after[path]}
    differ = {path for path in after if files_before.get(path) != files_after[path]}
    return moved, differ, digests


EDITS = {
    "later sentence": {A: FILES[A].replace("explanation: No evidence.", "explanation: No evidence. None was found.")},
    "first sentence": {A: FILES[A].replace("explanation: No evidence.", "explanation: No evidence at all.")},
    "link in the first sentence": {
        A: FILES[A].replace("[report](https://agency.example/moon)", "[report](https://agency.example/moon-2)")
    },
    "verdict": {A: FILES[A].replace("verdict: misleading", "verdict: inaccurate")},
    "quote": {A: FILES[A].replace("    quote: svizzero", "    quote: formaggio svizzero")},
}


@pytest.mark.parametrize("name", EDITS)
def test_a_page_whose_digest_an_edit_leaves_is_the_page_a_clean_build_makes(project, name):
    moved, differ, _ = changed(project, EDITS[name])
    assert differ and differ <= moved, sorted(differ - moved)


def test_a_later_sentence_of_an_explanation_renders_the_claim_and_its_article_not_the_lists(project):
    moved, differ, digests = changed(project, EDITS["later sentence"])
    assert digests.full_kinds == {"claim"}
    assert differ == {"claims/c-swiss.html"}
    # the article's claim pages (each shows the article's other claims); not its page, its annotations (they
    # show the first sentence), nor any list
    assert moved == {"claims/c-cheese.html", "claims/c-swiss.html", "claims/c-cost.html"}


def test_a_template_showing_explanations_in_a_list_keeps_the_whole_file_as_the_key(project):
    root = project()
    fact = root / "templates/fact.html"  # the fact page's list of claims, now each with its whole explanation
    assert FACT_LOOP in fact.read_text(encoding="utf-8")
    fact.write_text(fact.read_text(encoding="utf-8").replace(FACT_LOOP, "      {{ c.claim.explanation }}\n" + FACT_LOOP))
    files_before, before, digests = pages_and_digests(root)
    (root / A).write_text(FILES[A].replace("rock.", "rock. It was checked twice."), encoding="utf-8")  # c-cheese
    files_after, after, _ = pages_and_digests(root)
    assert digests.full_kinds == {"claim", "fact"}  # the fact page keeps the whole file as its key
    differ = {path for path in after if files_before.get(path) != files_after[path]}
    assert "facts/moon-made-of.html" in differ and all(before[path] != after[path] for path in differ)


@pytest.mark.parametrize(
    ("templates", "expected"),
    [
        ({"claim.html": "{{ claim.explanation | markdown }}", "fact.html": "read the explanation"}, {"claim"}),
        ({"claim.html": "{{ claim.explanation }}", "_macros.html": "{{ c['explanation'] }}"}, None),  # shared
        ({"claim.html": "{{ claim.explanation }}", "event.html": '{% extends "claim.html" %}'}, None),  # inherited
        ({"index.html": "{{ c | attr('explanation') }}"}, {"home"}),
        ({"claim.html": "{% if x %}"}, None),  # does not compile: no split until it does
        ({"claim.html": "{{ claim.quote }}"}, set()),
    ],
)
def test_which_kinds_may_show_a_whole_explanation(templates, expected):
    found = listed.full_kinds(templates)
    assert found == (None if expected is None else frozenset(expected))
