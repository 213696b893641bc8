"""The editor's worklist (``factsite/report.py``): every item's exact text and location, on the sample project
(tests/sample.py, whose line numbers the expectations refer to) and, counted by kind, on the real content."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import ROOT, edit
from sample import FILES

from factsite.diagnostics import Problem
from factsite.importer import annotations_stub
from factsite.load import read_project
from factsite.pipeline import check_project
from factsite.report import summary, worklist

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"
FACTS = "content/facts.yaml"
VERDICTS = "content/verdicts.yaml"

NO_ARCHIVE = (
    "source '{}' has no archived copy; save the page (in the Wayback Machine or archive.today) and add its "
    "address as archived_url, so readers can check it if the page changes or goes"
)
ONE_SOURCE = "claim '{}' rests on one source ({}); add a second, independent one if there is one"
SECONDARY = (
    "claim '{}' rests only on secondary reports ({}); cite the primary document or on-the-record statement "
    "they report, if there is one"
)
NONE_FOUND_NO_SCALE = (
    "claim 'c-swiss' is rated Misleading, but its basis is none-found (no evidence was found); set basis to what "
    "the verdict rests on, or, if there is none, add an 'unsupported' verdict to content/verdicts.yaml and rate "
    "the claim so"
)
NO_DATE = (
    "source 'daily-mirror-copy' has no date (published: unknown); add the date it was published, at the "
    "precision known, if the page or an archive shows one"
)

# The sample project as it is: every item it has, in order.
SAMPLE = [
    (A, 0, 0, "3 claims: 1 Inaccurate, 1 Misleading, 1 Accurate"),
    (A, 6, 12, ONE_SOURCE.format("c-cheese", "space-agency")),
    (A, 15, 12, NONE_FOUND_NO_SCALE),
    (A, 15, 12, ONE_SOURCE.format("c-swiss", "daily-mirror-copy")),
    (A, 15, 12, SECONDARY.format("c-swiss", "daily-mirror-copy")),
    (A, 22, 12, ONE_SOURCE.format("c-cost", "space-agency")),
    (SRC, 2, 9, NO_ARCHIVE.format("space-agency")),
    (SRC, 9, 9, NO_ARCHIVE.format("daily-mirror-copy")),
    (SRC, 13, 16, NO_DATE),
]


def _items(project, changes=None) -> list[tuple[str, int, int, str]]:
    """The worklist of the sample project with ``changes``: (path, line, column, message), all notes."""
    root = project(changes)
    loaded = read_project(root)
    found = worklist(loaded, check_project(loaded))
    assert {p.severity for p in found} <= {"note"}
    return [(p.path, p.line, p.col, p.message) for p in found]


def _added(project, changes) -> list[tuple[str, int, int, str]]:
    """What ``changes`` add to the sample's worklist."""
    return [item for item in _items(project, changes) if item not in SAMPLE]


def _merge(*changes: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for change in changes:
        out.update(change)
    return out


def _edits(path: str, *pairs: tuple[str, str]) -> dict[str, str]:
    """Several replacements in one sample file."""
    text = FILES[path]
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return {path: text}


def test_the_sample_projects_worklist(project):
    assert _items(project) == SAMPLE


def test_items_format_as_notes_and_sort_by_path_line_and_column(project):
    root = project()
    loaded = read_project(root)
    found = worklist(loaded, check_project(loaded))
    assert found == sorted(found)
    assert found[0].format() == f"{A}: note: 3 claims: 1 Inaccurate, 1 Misleading, 1 Accurate"
    assert found[1].format() == f"{A}:6:12: note: " + ONE_SOURCE.format("c-cheese", "space-agency")
    assert summary(found) == "Worklist: 9 notes, 0 warnings"


def test_summary_counts_notes_and_warnings():
    def p(severity):
        return Problem(path="x", line=1, col=1, message="m", severity=severity)

    assert summary([]) == "Worklist: 0 notes, 0 warnings"
    assert summary([p("note")]) == "Worklist: 1 note, 0 warnings"
    assert summary([p("note"), p("warning"), p("note")]) == "Worklist: 2 notes, 1 warning"


# -- drafts and placeholders -----------------------------------------------------------------------------


def test_draft_articles_and_claims(project):
    changes = _merge(
        edit(ART, "url: https://outlet.example/moon\n", "url: https://outlet.example/moon\ndraft: true\n"),
        edit(A, "    events: [ev-mission]\n", "    events: [ev-mission]\n    draft: true\n"),
    )
    assert _added(project, changes) == [
        (A, 0, 0, "3 claims (1 of them draft): 1 Inaccurate, 1 Misleading, 1 Accurate"),
        (
            A,
            29,
            12,
            "claim 'c-cost' is a draft, so it is left off the published site; when it is ready, set draft: false",
        ),
        (
            ART,
            10,
            8,
            "article 'moon' is a draft, so it and its claims are left off the published site; when it is ready, set draft: false",
        ),
    ]


def test_an_imported_drafts_todo_placeholders(project):
    """An article as the importer leaves it (a draft whose fields say TODO) and its claims stub: each TODO value is
    an item, with what to write; the stub's commented example claim (TODO in comments) is not."""
    article = (
        FILES[ART]
        .replace("slug: moon\n", "slug: moon-new\n")
        .replace("title_en: The Moon is made of cheese\n", "title_en: TODO  # English title\n")
        .replace("author: unknown\n", "author: TODO  # the byline, or unknown\ndraft: true\n")
    )
    stub = annotations_stub("moon-new")
    assert "#    quote: TODO" in stub
    changes = {"content/articles/moon-new.md": article, "content/annotations/moon-new.yaml": stub}
    new = "content/annotations/moon-new.yaml"
    new_art = "content/articles/moon-new.md"
    assert _added(project, changes) == [
        (new, 0, 0, "0 claims: none checked yet; add the article's checkable claims"),
        (new, 4, 7, "'review.by' still holds a TODO placeholder; write who checked these claims, then delete the TODO"),
        (
            new,
            5,
            7,
            "'review.on' still holds a TODO placeholder; write the day they were checked, YYYY-MM-DD, then delete the TODO",
        ),
        (
            new_art,
            4,
            11,
            "'title_en' still holds a TODO placeholder; write the English title, then delete the TODO",
        ),
        (
            new_art,
            8,
            9,
            "'author' still holds a TODO placeholder; write the byline, or unknown, then delete the TODO",
        ),
        (
            new_art,
            9,
            8,
            "article 'moon-new' is a draft, so it and its claims are left off the published site; when it is ready, "
            "set draft: false",
        ),
    ]


def test_a_todo_inside_a_value_of_a_published_file(project):
    """Only a value that starts with TODO is an error; one further in is left for the worklist, named by its item."""
    change = edit(
        SRC, "    of: Daily News, 3 May 2025\n", "    of: Daily News, 3 May 2025\n    notes: Mirror; TODO find the original.\n"
    )
    assert _added(project, change) == [
        (
            SRC,
            19,
            12,
            "'sources[daily-mirror-copy].notes' still holds a TODO placeholder; write what it stands for, then delete the TODO",
        ),
    ]


# -- the evidence --------------------------------------------------------------------------------------


AGENCY_PRESS = (
    "  - id: agency-press\n"
    "    title: Agency press release\n"
    "    publisher: Space Agency\n"
    "    url: https://agency.example/press\n"
    "    published: 2025-05-02\n"
    "    lang: en\n"
    "    kind: primary\n"
    "    archived_url: https://web.archive.org/web/2025/https://agency.example/press\n"
)


def test_a_claim_whose_sources_are_all_from_one_publisher(project):
    changes = _merge(
        {SRC: FILES[SRC] + AGENCY_PRESS},
        edit(
            A,
            "    sources: [space-agency]\n    events: [ev-report]\n",
            "    sources: [space-agency, agency-press]\n    events: [ev-report]\n",
        ),
    )
    items = _items(project, changes)
    assert (A, 6, 12, ONE_SOURCE.format("c-cheese", "space-agency")) not in items
    assert [i for i in items if i not in SAMPLE] == [
        (
            A,
            6,
            12,
            "claim 'c-cheese' rests on 2 sources all from one publisher, Space Agency (space-agency, agency-press); "
            "add one from another publisher if there is one",
        ),
    ]


def test_sources_of_two_publishers_and_a_primary_one_are_enough(project):
    change = edit(
        A,
        "    sources: [space-agency]\n    events: [ev-report]\n",
        "    sources: [space-agency, daily-mirror-copy]\n    events: [ev-report]\n",
    )
    items = _items(project, change)
    assert not [i for i in items if "'c-cheese'" in i[3]]
    assert [i for i in SAMPLE if i not in items] == [(A, 6, 12, ONE_SOURCE.format("c-cheese", "space-agency"))]


def test_an_archived_and_dated_source_needs_nothing(project):
    change = edit(
        SRC,
        "    published: unknown\n",
        "    published: 2025-05-03\n    archived_url: https://web.archive.org/web/2025/https://mirror.example/moon\n",
    )
    items = _items(project, change)
    assert [i for i in SAMPLE if i not in items] == [
        (SRC, 9, 9, NO_ARCHIVE.format("daily-mirror-copy")),
        (SRC, 13, 16, NO_DATE),
    ]
    assert [i for i in items if i not in SAMPLE] == []


def test_a_claim_citing_an_event_after_its_article(project):
    change = edit(A, "    events: [ev-mission]\n", "    events: [ev-mission, ev-later]\n")
    assert _added(project, change) == [
        (
            A,
            22,
            12,
            "claim 'c-cost' cites an event dated after its article was published (14 August 2025): ev-later (about "
            "September 2025); the article could not have known it, so make sure the explanation says the evidence "
            "came later",
        ),
    ]


def test_two_late_events_and_an_article_known_only_by_its_latest_date(project):
    changes = _merge(
        edit(A, "    events: [ev-report]\n", "    events: [ev-report, ev-mission, ev-later]\n"),
        edit(ART, "published: 2025-08-14\n", "published: unknown\nnot_after: 2025-04\n"),
    )
    assert _added(project, changes) == [
        (
            A,
            6,
            12,
            "claim 'c-cheese' cites 3 events dated after its article was published (no later than April 2025): "
            "ev-report (2 May 2025); ev-mission (May 2025 – June 2025); ev-later (about September 2025); the "
            "article could not have known them, so make sure the explanation says the evidence came later",
        ),
        (
            A,
            22,
            12,
            "claim 'c-cost' cites an event dated after its article was published (no later than April 2025): "
            "ev-mission (May 2025 – June 2025); the article could not have known it, so make sure the explanation "
            "says the evidence came later",
        ),
    ]


def test_an_event_possibly_before_publication_is_not_listed(project):
    """With only ``not_before`` known, a later event may have come before publication: not an item."""
    changes = _merge(
        edit(A, "    events: [ev-mission]\n", "    events: [ev-mission, ev-later]\n"),
        edit(ART, "published: 2025-08-14\n", "published: unknown\nnot_before: 2025-08\n"),
    )
    assert _added(project, changes) == []


def test_none_found_with_an_unsupported_verdict_in_the_scale(project):
    unsupported = (
        "  - id: unsupported\n"
        "    label: Unsupported\n"
        "    meaning: No evidence either way.\n"
        "    rating: 1\n"
        '    colour: "#6e7781"\n'
        "    tier: problem\n"
    )
    scale = {VERDICTS: FILES[VERDICTS] + unsupported}
    items = _items(project, scale)
    assert NONE_FOUND_NO_SCALE not in [i[3] for i in items]
    assert (
        A,
        15,
        12,
        "claim 'c-swiss' is rated Misleading, but its basis is none-found (no evidence was found); rate it "
        "Unsupported (verdict: unsupported), or set basis to what the verdict rests on",
    ) in items
    rated = _items(project, _merge(scale, edit(A, "    verdict: misleading\n", "    verdict: unsupported\n")))
    assert not [i for i in rated if "none-found" in i[3]]
    assert (A, 0, 0, "3 claims: 1 Unsupported, 1 Inaccurate, 1 Accurate") in rated  # worst first: the scale is best first


# -- facts -----------------------------------------------------------------------------------------------


def _second_article(verdict: str) -> dict[str, str]:
    """A second article (on the same seed) whose one claim states the shared fact 'moon-made-of' as ``verdict``."""
    article = FILES[ART].replace("slug: moon\n", "slug: moon-two\n")
    claims = (
        "review:\n"
        "  by: Test desk\n"
        "  on: 2026-11-23\n"
        "claims:\n"
        "  - id: c2-cheese\n"
        "    quote: la Luna è fatta di formaggio svizzero\n"
        "    claim: The Moon is made of Swiss cheese.\n"
        f"    verdict: {verdict}\n"
        "    basis: primary-document\n"
        "    explanation: The agency says rock.\n"
        "    sources: [space-agency, daily-mirror-copy]\n"
        "    fact: moon-made-of\n"
    )
    return {"content/articles/moon-two.md": article, "content/annotations/moon-two.yaml": claims}


def test_a_shared_fact_rated_differently_in_two_articles(project):
    added = _added(project, _second_article("misleading"))
    assert added == [
        ("content/annotations/moon-two.yaml", 0, 0, "1 claim: 1 Misleading"),
        (
            FACTS,
            2,
            9,
            "fact 'moon-made-of' has different verdicts in different articles (Inaccurate: c-cheese in moon; "
            "Misleading: c2-cheese in moon-two); make sure each difference comes from what the articles say, and "
            "that the explanations say how they differ",
        ),
    ]


def test_a_shared_fact_rated_alike_or_within_one_article_is_not_listed(project):
    assert _added(project, _second_article("inaccurate")) == [
        ("content/annotations/moon-two.yaml", 0, 0, "1 claim: 1 Inaccurate"),
    ]
    # c-swiss (misleading) states the fact too, in the article where c-cheese (inaccurate) does: nothing added.
    same_article = edit(A, "    basis: none-found\n", "    basis: none-found\n    fact: moon-made-of\n")
    shifted = [(p, line + (p == A and line > 17), col, m) for p, line, col, m in SAMPLE]  # c-cost moves down a line
    assert _items(project, same_article) == shifted


# -- the real content ------------------------------------------------------------------------------------


KINDS = {
    "no archived copy": "no archive",
    "has no date": "no date",
    "rests on one source": "one source",
    "from one publisher": "one publisher",
    "only on secondary": "secondary only",
    "dated after its article": "late events",
    "basis is none-found": "none-found",
    "different verdicts": "fact verdicts differ",
    "TODO placeholder": "TODO",
    "is a draft": "draft",
    " claim": "verdict distribution",
}


def _kind(message: str) -> str:
    return next(kind for words, kind in KINDS.items() if words in message)


def test_the_real_contents_worklist():
    loaded = read_project(Path(ROOT))
    site = check_project(loaded)
    found = worklist(loaded, site)
    assert Counter(_kind(p.message) for p in found) == {
        "no archive": 99,
        "secondary only": 75,
        "late events": 18,
        "no date": 11,
        "fact verdicts differ": 7,
        "verdict distribution": 5,
        "one source": 3,
    }
    assert {p.severity for p in found} == {"note"}
    assert summary(found) == "Worklist: 218 notes, 0 warnings"
    assert (
        "content/annotations/tecnoandroid-r2-ritardo.yaml: note: 19 claims: 1 Inaccurate, 3 Misleading, 2 Disputed, "
        "4 Mostly accurate, 9 Accurate"
    ) in [p.format() for p in found]


def test_build_py_report_prints_the_worklist_and_never_fails(project, capsys):
    import build

    root = project()
    assert build.main(["-C", str(root), "report"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("Worklist: ") and out[-1].endswith(" notes, 0 warnings")
    assert all(": note: " in line for line in out[:-1])
    assert "content/annotations/moon.yaml: note: 3 claims: 1 Inaccurate, 1 Misleading, 1 Accurate" in out
