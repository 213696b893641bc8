"""Every validation case reports its exact ``path:line:col`` and a message a reviewer can act on.

Each test breaks one thing in the sample project (tests/sample.py, whose line
numbers the expectations refer to) and asserts the problem ``check`` reports.
"""

from __future__ import annotations

from conftest import edit

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"


def test_sample_project_is_valid(problems):
    assert problems() == []


# -- YAML itself ----------------------------------------------------------------


def test_yaml_syntax_error_points_at_the_bad_character(problems):
    found = problems(edit(SRC, "title: Moon composition report", "title: Moon: composition report"))
    assert found == [
        f"{SRC}:3:16: YAML syntax error: mapping values are not allowed in this context; "
        "a value contains ': '; put the whole value in double quotes"
    ]


def test_unclosed_quote_points_where_the_value_begins(problems):
    found = problems(edit(TL, "title: Mission delayed", 'title: "Mission delayed'))
    assert found == [f"{TL}:18:12: YAML syntax error: this quoted value is never closed"]


def test_duplicate_key_is_rejected_not_silently_dropped(problems):
    found = problems(edit(A, "    claim: The cheese is Swiss.\n", "    claim: The cheese is Swiss.\n    claim: Again.\n"))
    assert found == [
        f"{A}:17:5: duplicate key 'claim' (first defined on line 16); YAML would silently keep "
        "only the last one: delete or rename one of them"
    ]


def test_yaml_syntax_error_in_front_matter_counts_lines_in_the_article_file(problems):
    found = problems(edit(ART, "outlet: Test Outlet", "outlet: [Test Outlet"))
    assert found[0].startswith(f"{ART}:8:")
    assert "YAML syntax error" in found[0]


# -- shape (JSON Schema) ------------------------------------------------------------


def test_unknown_key_suggests_the_right_one(problems):
    found = problems(edit(A, "    explanation: No evidence.", "    explanaton: No evidence."))
    assert found == [
        f"{A}:14:5: claim 'c-swiss' is missing the required field 'explanation' (Why the verdict: what the best source says, with numbers, dates and names)",
        f"{A}:19:5: unknown field 'explanaton' (did you mean 'explanation'?)",
    ]


def test_missing_field_points_at_the_item(problems):
    found = problems(edit(SRC, "    lang: en\n    kind: secondary\n", "    kind: secondary\n"))
    assert found == [f"{SRC}:9:5: source 'daily-mirror-copy' is missing the required field 'lang'"]


def test_mistyped_field_says_to_quote_it(problems):
    found = problems(edit(TL, "title: Mission planned", "title: no"))
    assert found == [
        f"{TL}:12:12: event 'ev-mission': 'title' is no, which YAML reads as true/false; put it in double quotes: \"no\""
    ]


def test_wrong_enum_value_suggests_the_closest(problems):
    found = problems(edit(A, "basis: none-found", "basis: none-fond"))
    assert found == [
        f"{A}:18:12: claim 'c-swiss': 'basis' is 'none-fond', which is not one of 'analyst-estimate', "
        "'anonymous-sources', 'none-found', 'official-statement', 'primary-document' (did you mean 'none-found'?)"
    ]


def test_todo_placeholder_is_an_error(problems):
    found = problems(edit(ART, "author: unknown", "author: TODO  # the byline"))
    assert found == [f"{ART}:8:9: 'author' must be filled in (it is empty, or still the importer's TODO placeholder)"]


def test_claim_needs_a_source(problems):
    found = problems(edit(A, "    sources: [daily-mirror-copy]\n", "    sources: []\n"))
    assert found == [f"{A}:20:14: claim 'c-swiss': 'sources' must list at least one source id"]


# -- ids and references -------------------------------------------------------------


def test_duplicate_id_across_kinds_names_both_places(problems):
    found = problems(edit(TL, "- id: ev-later", "- id: space-agency"))
    assert found == [
        f"{TL}:15:9: id 'space-agency' is already used by the source at {SRC}:2:9; "
        "ids must be unique across claims, events, sources and facts"
    ]


def test_duplicate_claim_id_in_another_article_file(problems, project):
    found = problems(edit(A, "- id: c-cost", "- id: c-cheese"))
    assert found == [
        f"{A}:21:9: id 'c-cheese' is already used by the claim at {A}:5:9; "
        "ids must be unique across claims, events, sources and facts"
    ]


def test_unknown_source_suggests_the_closest_id(problems):
    found = problems(edit(A, "sources: [daily-mirror-copy]", "sources: [daily-mirror-cpy]"))
    assert found == [
        f"{A}:20:15: unknown source 'daily-mirror-cpy' (did you mean 'daily-mirror-copy', “Agency says moon is rock”, "
        "Mirror Site, date unknown?); "
        "sources are defined in content/sources.yaml"
    ]


def test_unknown_event_and_verdict(problems):
    changes = edit(A, "events: [ev-mission]", "events: [ev-misson]")
    changes[A] = changes[A].replace("verdict: accurate", "verdict: acurate")
    assert problems(changes) == [
        f"{A}:24:14: unknown verdict 'acurate' (did you mean 'accurate', “Accurate”?); the verdicts are: accurate “Accurate”, "
        "inaccurate “Inaccurate”, misleading “Misleading” (see content/verdicts.yaml)",
        f"{A}:28:14: unknown event 'ev-misson' (did you mean 'ev-mission', “Mission planned”, 2025-05?); "
        "events are defined in content/timeline.yaml",
    ]


def test_reference_to_a_broken_source_is_not_reported_twice(problems):
    # The source has a bad URL; the claims citing it must not also say "unknown source".
    found = problems(edit(SRC, "url: https://mirror.example/moon", "url: ftp://mirror.example/moon"))
    assert found == [f"{SRC}:12:10: source 'daily-mirror-copy': 'url' must be a full http:// or https:// address with no spaces"]


# -- quotes -------------------------------------------------------------------------


def test_quote_not_found_shows_the_closest_passage(problems):
    found = problems(edit(A, "quote: la missione costerà 5 milioni di euro", "quote: la missione costerà 6 milioni di euro"))
    assert found == [
        f"{A}:22:12: claim 'c-cost': the quote does not occur in {ART}; copy the words exactly from the article\n"
        f"    closest passage (97% similar), {ART} line 21: «la missione costerà 5 milioni di euro»"
    ]


def test_quote_with_straight_apostrophe_gets_a_did_you_mean(problems):
    found = problems(edit(A, "quote: svizzero", 'quote: "Secondo l\'agenzia spaziale"'))
    assert found == [
        f"{A}:15:12: claim 'c-swiss': the quote differs from the article only in apostrophes or "
        f"quotation marks; did you mean: Secondo l’agenzia spaziale\n"
        f"    copy it from {ART} line 19"
    ]


def test_quote_matches_across_different_spacing(problems):
    assert (
        problems(edit(A, "quote: la missione costerà 5 milioni di euro", 'quote: "la  missione\\n costerà 5 milioni di euro"'))
        == []
    )


def test_ambiguous_quote_asks_for_prefix_and_suggests_one(problems):
    found = problems(edit(A, "quote: svizzero", "quote: Gli esperti dicono che"))
    assert found == [
        f"{A}:15:12: claim 'c-swiss': the quote occurs 2 times in {ART}; add a prefix or suffix "
        "(the words just before or after it) to choose one\n"
        f'    line 21: add  suffix: "la missione costerà"  to pick this one\n'
        f'    line 21: add  prefix: "milioni di euro."  to pick this one'
    ]


def test_prefix_picks_one_occurrence(problems):
    changes = edit(A, "quote: svizzero", "quote: Gli esperti dicono che\n    prefix: di euro.")
    assert problems(changes) == []


def test_prefix_that_matches_nothing(problems):
    changes = edit(A, "quote: svizzero", "quote: Gli esperti dicono che\n    prefix: di dollari.")
    assert problems(changes) == [
        f"{A}:15:12: claim 'c-swiss': the quote occurs (line 21, 21 of {ART}) but not with "
        "this prefix/suffix; check them against the article text"
    ]


def test_partial_overlap_is_rejected_and_nesting_allowed(problems):
    found = problems(edit(A, "quote: svizzero", "quote: formaggio svizzero. La missione"))
    assert found == [
        f"{A}:15:12: claim 'c-swiss' partly overlaps claim 'c-cheese'; quotes may nest (one wholly inside "
        "the other) or stay apart: shorten one of them"
    ]


def test_quote_across_two_paragraphs(problems):
    found = problems(edit(A, "quote: svizzero", "quote: per maggio. Gli esperti"))
    assert found == [
        f"{A}:15:12: claim 'c-swiss': the quote runs across two paragraphs of {ART}; quote one paragraph "
        "(make two claims if both parts need checking)"
    ]


# -- dates and URLs -----------------------------------------------------------------


def test_malformed_date(problems):
    found = problems(edit(TL, "date: 2025-05-02", "date: 2025/05/02"))
    assert found == [
        f"{TL}:3:11: event 'ev-report': 'date' must be a date written YYYY, YYYY-MM or YYYY-MM-DD, with a leading '~' if it is approximate"
    ]


def test_impossible_date(problems):
    found = problems(edit(TL, "date: 2025-05-02", "date: 2025-02-30"))
    assert found == [f"{TL}:3:11: '2025-02-30' is not a real date (day is out of range for month)"]


def test_range_ending_before_it_starts(problems):
    found = problems(edit(TL, "end: 2025-06", "end: 2025-04"))
    assert found == [f"{TL}:10:10: the end (2025-04) is before the date (2025-05)"]


def test_non_http_url_in_markdown_is_rejected(problems):
    found = problems(
        edit(A, "explanation: No evidence.", "explanation: See [this](javascript:alert(1)) and [that](ftp://x.example/).")
    )
    assert found == [
        f"{A}:19:18: link 'ftp://x.example/' is not allowed: links must be http(s), mailto or a path inside the site",
        f"{A}:19:18: link 'javascript:alert(1)' is not allowed: links must be http(s), mailto or a path inside the site",
    ]


# -- articles and seeds ---------------------------------------------------------------


def test_seed_changed_since_import(problems):
    found = problems({"seeds/100_sample.txt": "Testo cambiato.\n"})
    assert len(found) == 1
    assert found[0].startswith(f"{ART}:12:11: seeds/100_sample.txt has changed since it was imported (its sha256 is now ")
    assert found[0].endswith("seeds are evidence and must never be edited: restore the original file")


def test_missing_seed_suggests_the_closest(problems):
    found = problems(edit(ART, "file: 100_sample.txt", "file: 100_sampel.txt"))
    assert found == [f"{ART}:11:9: seeds/100_sampel.txt does not exist (did you mean '100_sample.txt'?)"]


def test_article_text_must_equal_its_seed(problems):
    found = problems(edit(ART, "costerà 5 milioni", "costerà 50 milioni"))
    # The edited words also break the claim quoting them: both are reported.
    assert found[0].startswith(f"{A}:22:12: claim 'c-cost': the quote does not occur in {ART}")
    assert found[1:] == [
        f"{ART}:21:1: the article text differs from seeds/100_sample.txt: the site must show the article's "
        "words exactly; undo the edit (or re-import the seed)\n"
        "    text here: «cono che la missione costerà 50 milioni di euro. Gli esperti»\n"
        "    seed has:  «cono che la missione costerà 5 milioni di euro. Gli esperti »"
    ]


def test_slug_must_match_file_name(problems):
    found = problems(edit(ART, "slug: moon", "slug: luna"))
    assert found == [
        f"{ART}:2:7: the slug 'luna' differs from the file name 'moon.md'; make them the same (the slug is the page's address)"
    ]


def test_title_must_match_the_headline_line(problems):
    found = problems(edit(ART, "title: La Luna è fatta di formaggio", "title: La Luna è di formaggio"))
    assert found == [
        f"{ART}:3:8: the title differs from the text's headline (line 17: 'La Luna è fatta di formaggio'); make them the same"
    ]


def test_boilerplate_marker_must_start_one_paragraph(problems):
    found = problems(edit(ART, "starts: Iscriviti", "starts: Abbonati"))
    assert found == [f"{ART}:14:13: no paragraph starts with these words; give the first words of exactly one paragraph"]


def test_annotations_without_article(problems):
    found = problems({"content/annotations/mon.yaml": "review:\n  by: x\n  on: 2026-01-01\nclaims: []\n"})
    assert found == [
        "content/annotations/mon.yaml:1:1: there is no article 'mon' (content/articles/mon.md) for these "
        "claims (did you mean 'moon'?); the file name must be the article's slug"
    ]


def test_missing_and_unexpected_files(problems):
    found = problems({"content/verdicts.yaml": None, "content/timline.yaml": "events: []\n"})
    assert "content/verdicts.yaml: this file is missing; the README's 'Content' section shows what it holds" in found
    assert any(
        p.startswith("content/timline.yaml: unexpected file: content/ holds") and "(did you mean 'content/timeline.yaml'?)" in p
        for p in found
    )


def test_every_problem_is_reported_in_one_run(problems):
    changes = edit(SRC, "title: Moon composition report", "title: Moon: composition report")
    changes.update(edit(A, "quote: svizzero", "quote: svizzera"))
    changes.update(edit(TL, "date: 2025-05-02", "date: 2025-5-2"))
    found = problems(changes)
    assert [p.split(": ")[0] for p in found] == [f"{A}:15:12", f"{SRC}:3:16", f"{TL}:3:11"]


def test_a_change_needs_a_full_date_and_a_previous_verdict_that_exists(problems):
    found = problems(
        edit(
            A,
            "    explanation: No evidence.\n",
            "    explanation: No evidence.\n    history:\n      - kind: update\n        date: 2026-12\n"
            "        note: Fixed a typo.\n        previous_verdict: acurate\n",
        )
    )
    assert found == [
        f"{A}:22:15: must be a full date, YYYY-MM-DD",
        f"{A}:24:27: unknown verdict 'acurate' (did you mean 'accurate', “Accurate”?); the verdicts are: accurate “Accurate”, "
        "inaccurate “Inaccurate”, misleading “Misleading” (see content/verdicts.yaml)",
    ]


def test_a_long_paraphrase_without_a_short_form_is_a_warning_not_an_error(project, capsys):
    import build

    root = project(edit(A, "    claim: The cheese is Swiss.\n", "    claim: " + "The cheese is Swiss, " * 4 + "or so.\n"))
    assert build.main(["-C", str(root), "check"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"{A}:16:12: warning: claim 'c-swiss': the paraphrase is 90 characters; add 'short:', at most 75, for "
        "ClaimReview's claimReviewed\n"
    )
    assert captured.out.endswith("sources; 1 warning\n")


def test_unsafe_link_in_a_page_points_at_its_line(problems):
    found = problems(edit("content/pages/about.md", "Who we are.", "Who we are.\n\nSee [this](javascript:alert(1))."))
    assert found == [
        "content/pages/about.md:6:1: link 'javascript:alert(1)' is not allowed: links must be http(s), "
        "mailto or a path inside the site"
    ]


def test_a_duplicate_claim_id_suggests_the_next_free_one(problems):
    changes = edit(A, "  - id: c-swiss\n", "  - id: c100-01\n")
    changes[A] = changes[A].replace("  - id: c-cost\n", "  - id: c100-01\n")
    found = problems(changes)
    assert found == [
        f"{A}:21:9: id 'c100-01' is already used by the claim at {A}:14:9; ids must be unique across claims, events, "
        "sources and facts; the next free id is c100-02"
    ]
