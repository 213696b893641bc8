"""Corrections on the record: a claim's or an event's dated history shows on its page, on the article page
and on the corrections page, newest first."""

from __future__ import annotations

import re

from conftest import edit

from factsite import build_site

A = "content/annotations/moon.yaml"
TL = "content/timeline.yaml"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_changes_are_listed_newest_first_with_what_they_concern(project):
    changes = edit(
        A,
        "    explanation: No evidence.\n",
        "    explanation: No evidence.\n    history:\n      - kind: correction\n        date: 2026-12-01\n"
        "        note: We had the wrong verdict.\n        previous_verdict: accurate\n",
    )
    changes.update(
        edit(
            TL,
            "    body: Reported later.\n",
            "    body: Reported later.\n    history:\n      - kind: clarification\n"
            "        date: 2026-11-30\n        note: The date is approximate.\n",
        )
    )
    pages = build_site(project(changes))
    listing = pages["corrections.html"].decode()
    items = re.findall(r'<li class="change" id="change-([^"]+)" data-kind="([a-z]+)">(.*?)</li>', listing, re.S)
    assert [(i, k) for i, k, _ in items] == [("c-swiss-1", "correction"), ("ev-later-1", "clarification")]
    assert _text(items[0][2]) == (
        "Correction, 1 December 2026: verdict changed from Accurate to ✗ Misleading Claim 2 in La Luna è fatta di "
        "formaggio (Test Outlet): The cheese is Swiss. We had the wrong verdict."
    )
    assert '<a href="claims/c-swiss.html">The cheese is Swiss.</a>' in items[0][2]
    assert '<a href="events/ev-later.html">Mission delayed</a>' in items[1][2]
    assert "Clarification, 30 November 2026" in _text(items[1][2])


def test_with_no_changes_the_page_says_so(project):
    listing = build_site(project())["corrections.html"].decode()
    assert "No corrections or updates yet: every fact check stands as first published" in _text(listing)
