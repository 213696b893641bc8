"""The size budget: no page but a paged list grows with the archive, and a paged list's page is bounded.

Two synthetic projects from the benchmark's generator (bench/generate.py), 12 and 48 articles, are
built with small page sizes (4 articles, 10 claims, 20 sources, 5 changes, 3 facts a page), so that
every kind of paged list is split at both sizes, as it is at 16,000 articles with the real sizes.
Then: the largest page of every kind that is not a paged list is the same size at both (give or
take the digits of a count), every paged page holds at most a page of items, and no page is near
the 500 KB budget.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

from factsite.load import read_project
from factsite.pages import paging
from factsite.pipeline import check_project, plan, render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate  # noqa: E402

SMALL = {"articles": 4, "claims": 10, "sources": 20, "corrections": 5, "facts": 3}
PAGED = {"archive", "sources", "source", "event", "facts", "fact", "corrections"}
"""The kinds of page that are paged lists."""
GROWING = {"archive-index"}
"""A list of the archive's months and numbered pages: a line for every 20 articles (80 KB at 16,000)."""
BUDGET = 500_000


@pytest.fixture(scope="module")
def sizes(tmp_path_factory):
    """For each project size, {kind: [(bytes, path), ...]} of every HTML page."""
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        for what, size in SMALL.items():
            patch.setitem(paging.PER_PAGE, what, size)
        for n in (12, 48):
            root = tmp_path_factory.mktemp(f"n{n}")
            generate(n, root)
            project = read_project(root)
            site, pages = plan(project, check_project(project))
            files = render(project, site, pages)
            kinds: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for spec in pages:
                if spec.path.endswith(".html"):
                    kinds[spec.kind].append((len(files[spec.path]), spec.path))
            found[n] = kinds
    return found


def test_every_kind_of_paged_list_is_split_at_both_sizes(sizes):
    for n, kinds in sizes.items():
        assert {k for k in PAGED if any("/page/" in path for _, path in kinds.get(k, ()))} == PAGED, n


def test_no_page_but_a_paged_list_grows_with_the_archive(sizes):
    small, large = sizes[12], sizes[48]
    assert set(small) == set(large)
    for kind in set(small) - PAGED - GROWING:
        before, after = max(small[kind]), max(large[kind])
        # A count's extra digit or two (claims citing an event, articles in the archive) is the only growth.
        assert after[0] <= before[0] * 1.01 + 64, f"{kind}: {before} → {after}"


def test_a_paged_list_page_is_bounded_and_every_page_is_within_the_budget(sizes):
    small, large = sizes[12], sizes[48]
    for kind in PAGED:
        # Four times the articles, the same largest page (each holds at most a page of items).
        assert max(large[kind])[0] <= max(small[kind])[0] * 1.1 + 512, kind
    assert max(max(pages) for pages in large.values())[0] < BUDGET / 5
