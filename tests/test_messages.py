"""Messages that name the real mistake and its fix, at the line where the mistake is (issue "the reviewer's day").

Each test makes one mistake a new reviewer makes, in the sample project (tests/sample.py, whose line numbers
the expectations refer to) or in a YAML text read directly, and asserts the exact ``path:line:col: message``.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import edit
from sample import FILES

from factsite import yamlsrc
from factsite.resolve import Resolver
from factsite.yamlsrc import parse_yaml

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"
VERDICTS = "content/verdicts.yaml"

LOADERS = pytest.mark.parametrize("loader", ["libyaml", "pure-python"])


def yaml_problems(text: str, monkeypatch, loader: str, **kwargs) -> list[str]:
    if loader == "pure-python":
        monkeypatch.setattr(yamlsrc, "_Loader", yaml.SafeLoader)  # as on a machine without libyaml
    doc, problems = parse_yaml(text, "x.yaml", **kwargs)
    return [p.format() for p in problems]


# -- 1. indentation -----------------------------------------------------------------------------------


def test_a_key_indented_3_spaces_instead_of_4(problems):
    found = problems(edit(A, "    claim: The cheese is Swiss.", "   claim: The cheese is Swiss."))
    assert found == [f"{A}:16:4: this line is indented 3 spaces, but the line above it (15) is indented 4; line them up"]


def test_a_key_outdented_by_2(problems):
    found = problems(edit(A, "    claim: The cheese is Swiss.", "  claim: The cheese is Swiss."))
    assert found == [f"{A}:16:3: this line is indented 2 spaces, but the line above it (15) is indented 4; line them up"]


def test_a_key_indented_5_spaces_instead_of_4_is_not_a_colon_in_the_value(problems):
    # YAML reads it as more of the value above ('svizzero claim'), then trips over its colon.
    found = problems(edit(A, "    claim: The cheese is Swiss.", "     claim: The cheese is Swiss."))
    assert found == [f"{A}:16:6: this line is indented 5 spaces, but the line above it (15) is indented 4; line them up"]


def test_a_list_item_out_of_line_with_the_items_above_it(problems):
    found = problems(edit(A, "  - id: c-swiss", "   - id: c-swiss"))
    assert found == [f"{A}:14:4: this line is indented 3 spaces, but line 5 above it is indented 2; line them up"]


def test_front_matter_key_indented_3_spaces_instead_of_2(problems):
    # Front matter starts on line 2 of the article file: the lines named are the file's.
    found = problems(edit(ART, "  sha256:", "   sha256:"))
    assert found == [f"{ART}:12:4: this line is indented 3 spaces, but the line above it (11) is indented 2; line them up"]


def test_front_matter_key_indented_3_spaces_instead_of_4(problems):
    found = problems(edit(ART, "    label: Newsletter plug", "   label: Newsletter plug"))
    assert found == [f"{ART}:15:4: this line is indented 3 spaces, but the line above it (14) is indented 4; line them up"]


def test_front_matter_key_outdented_by_2(problems):
    found = problems(edit(ART, "    label: Newsletter plug", "  label: Newsletter plug"))
    assert found == [f"{ART}:15:3: this line is indented 2 spaces, but the line above it (14) is indented 4; line them up"]


@LOADERS
def test_indentation_messages_do_not_depend_on_the_parser(monkeypatch, loader):
    text = "items:\n  - id: a\n    title: A\n\n   note: B\n  - id: b\n  title: C\n"
    assert yaml_problems(text, monkeypatch, loader, line_offset=1) == [
        "x.yaml:6:4: this line is indented 3 spaces, but the line above it (4) is indented 4; line them up"
    ]


def test_a_colon_inside_a_value_still_gets_the_quoting_hint(problems):
    found = problems(edit(SRC, "title: Moon composition report", "title: Moon: composition report"))
    assert found == [
        f"{SRC}:3:16: YAML syntax error: mapping values are not allowed in this context; "
        "a value contains ': '; put the whole value in double quotes"
    ]


# -- 2. an unclosed quote -------------------------------------------------------------------------------


def test_unclosed_quote_followed_by_more_lines_is_reported_where_it_opens(problems):
    changes = edit(A, "claim: The cheese is Swiss.", 'claim: "The cheese is Swiss.')
    changes[A] = changes[A].replace("explanation: As stated.", 'explanation: "As stated."')
    assert problems(changes) == [
        f'{A}:16:12: YAML syntax error: this quoted value is not closed on its line, so it runs on to the next " '
        "on line 26; close the quote on this line"
    ]


@LOADERS
def test_unclosed_single_quote_followed_by_more_lines(monkeypatch, loader):
    text = "a:\n  b: 'open\n  c: d\n  e: it's\n  f: g\n"
    assert yaml_problems(text, monkeypatch, loader) == [
        "x.yaml:2:6: YAML syntax error: this quoted value is not closed on its line, so it runs on to the next ' "
        "on line 4; close the quote on this line"
    ]


def test_unclosed_quote_at_the_end_of_the_file_is_still_reported_where_it_opens(problems):
    found = problems(edit(TL, "title: Mission delayed", 'title: "Mission delayed'))
    assert found == [f"{TL}:18:12: YAML syntax error: this quoted value is never closed"]


# -- 3. a line outdented inside a block of text ---------------------------------------------------------

BLOCK = "    explanation: |\n      No evidence.\n      More text.\n"


def test_a_line_of_a_block_indented_like_the_keys_is_reported_at_its_own_line(problems):
    found = problems(edit(A, "    explanation: No evidence.\n", BLOCK + "    a line that lost its indent.\n      Back.\n"))
    assert found == [
        f"{A}:22:5: this line is indented less than the text of 'explanation: |' above it (which starts at column 7); "
        "indent it to column 7, or end the text before it"
    ]


def test_a_line_of_a_block_indented_a_little_less_than_the_text(problems):
    found = problems(edit(A, "    explanation: No evidence.\n", BLOCK + "     one space short.\n      Back.\n"))
    assert found == [
        f"{A}:22:6: this line is indented less than the text of 'explanation: |' above it (which starts at column 7); "
        "indent it to column 7, or end the text before it"
    ]


@LOADERS
def test_a_folded_block_in_front_matter(monkeypatch, loader):
    text = "title: T\nnote: >-\n    First line.\n  second line.\nlang: it\n"
    assert yaml_problems(text, monkeypatch, loader, line_offset=1) == [
        "x.yaml:5:3: this line is indented less than the text of 'note: >-' above it (which starts at column 5); "
        "indent it to column 5, or end the text before it"
    ]


def test_a_block_whose_first_line_is_indented_like_its_key(problems):
    found = problems(edit(A, "    explanation: No evidence.\n", "    explanation: |\n    No evidence.\n      More text.\n"))
    assert found == [
        f"{A}:20:5: this line is indented no more than 'explanation: |' above it, so YAML reads the text of "
        "'explanation: |' as empty; indent the text, to column 7 like the lines below it"
    ]


def test_a_block_of_one_line_indented_like_its_key(problems):
    found = problems(edit(A, "    explanation: No evidence.\n", "    explanation: |\n    No evidence.\n"))
    assert found == [
        f"{A}:20:5: this line is indented no more than 'explanation: |' above it, so YAML reads the text of "
        "'explanation: |' as empty; indent the text, to column 7 for example"
    ]


def test_an_outdented_line_of_a_block_that_runs_on_into_a_colon(problems):
    # YAML reads the outdented line and the ones below it as one value, and trips over the ': ' two lines down.
    found = problems(edit(A, "    explanation: No evidence.\n", BLOCK + "    this lost its indent,\n      and runs on: so.\n"))
    assert found == [
        f"{A}:22:5: this line is indented less than the text of 'explanation: |' above it (which starts at column 7); "
        "indent it to column 7, or end the text before it"
    ]


def test_a_block_that_ends_before_the_next_key_is_fine(problems):
    assert problems(edit(A, "    explanation: No evidence.\n", BLOCK)) == []


# -- 4. a verdict's label, or its id misspelt in case, '_' or spaces ------------------------------------

MOSTLY = (
    "  - id: mostly-accurate\n    label: Mostly accurate\n    meaning: Right in substance.\n    rating: 2\n"
    '    colour: "#7a6a00"\n    tier: caution\n'
)
THE_VERDICTS = (
    "(the verdicts are: accurate “Accurate”, inaccurate “Inaccurate”, misleading “Misleading”, "
    "mostly-accurate “Mostly accurate”; see content/verdicts.yaml)"
)


def with_mostly(verdict: str) -> dict[str, str]:
    changes = edit(A, "verdict: misleading", f"verdict: {verdict}")
    changes[VERDICTS] = FILES[VERDICTS] + MOSTLY
    return changes


def test_a_verdict_label_names_the_id_to_write(problems):
    assert problems(with_mostly("Mostly accurate")) == [
        f"{A}:17:14: claim 'c-swiss': 'verdict' is 'Mostly accurate', the label of the verdict 'mostly-accurate'; "
        f"write its id: verdict: mostly-accurate {THE_VERDICTS}"
    ]


@pytest.mark.parametrize("written", ["mostly_accurate", "Mostly-Accurate", "MOSTLY ACCURATE", "mostly accurate"])
def test_a_verdict_id_in_other_case_or_with_underscores_or_spaces(problems, written):
    assert problems(with_mostly(written)) == [
        f"{A}:17:14: claim 'c-swiss': 'verdict' is '{written}'; write the verdict's id: verdict: mostly-accurate {THE_VERDICTS}"
    ]


def test_a_verdict_that_is_neither_an_id_nor_a_label_lists_the_verdicts(problems):
    assert problems(with_mostly("Half true")) == [
        f"{A}:17:14: claim 'c-swiss': 'verdict' is 'Half true', which is not a verdict's id; the verdicts are: "
        "accurate “Accurate”, inaccurate “Inaccurate”, misleading “Misleading”, mostly-accurate “Mostly accurate” "
        "(see content/verdicts.yaml)"
    ]


def test_a_verdict_label_in_a_claim_with_another_problem_is_still_reported(problems):
    # The claim is skipped for its other problem, so the resolver never sees it: the schema says it.
    changes = with_mostly("Mostly accurate")
    changes[A] = changes[A].replace("basis: none-found", "basis: none-fond")
    assert problems(changes) == [
        f"{A}:17:14: claim 'c-swiss': 'verdict' must be a verdict id from content/verdicts.yaml, such as "
        "'mostly-accurate' (the id, not the label shown on the page)",
        f"{A}:18:12: claim 'c-swiss': 'basis' is 'none-fond', which is not one of 'analyst-estimate', "
        "'anonymous-sources', 'none-found', 'official-statement', 'primary-document' (did you mean 'none-found'?)",
    ]


def test_a_fact_title_names_the_id_to_write(problems):
    assert problems(edit(A, "fact: moon-made-of", "fact: What is the Moon made of?")) == [
        f"{A}:13:11: claim 'c-cheese': 'fact' is 'What is the Moon made of?', the title of the fact 'moon-made-of'; "
        "write its id: fact: moon-made-of"
    ]


def test_a_fact_that_is_not_an_id(problems):
    assert problems(edit(A, "fact: moon-made-of", "fact: Cheese or rock")) == [
        f"{A}:13:11: claim 'c-cheese': 'fact' is 'Cheese or rock', which is not a fact's id (lower-case letters and "
        "digits joined by '-' or '.'); facts are defined in content/facts.yaml"
    ]


# -- 5. unknown sources and events: a did-you-mean only when it is really close --------------------------

NUMBERED = {"ev-report": "ev01", "ev-mission": "ev02", "ev-later": "ev03"}


def numbered_events() -> dict[str, str]:
    changes = {}
    for path in (TL, A, "content/facts.yaml"):
        text = FILES[path]
        for old, new in NUMBERED.items():
            text = text.replace(old, new)
        changes[path] = text
    return changes


def test_the_sample_with_numbered_events_is_valid(problems):
    assert problems(numbered_events()) == []


def test_an_event_number_past_the_last_gives_the_range_not_a_neighbour(problems):
    changes = numbered_events()
    changes[A] = changes[A].replace("events: [ev02]", "events: [ev04]")
    assert problems(changes) == [f"{A}:28:14: unknown event 'ev04'; the events are ev01…ev03 in content/timeline.yaml"]


def test_a_real_typo_of_a_numbered_event_gets_its_title_and_date(problems):
    changes = numbered_events()
    changes[A] = changes[A].replace("events: [ev02]", "events: [ev-02]")
    assert problems(changes) == [
        f"{A}:28:14: unknown event 'ev-02' (did you mean 'ev02', “Mission planned”, 2025-05?); "
        "events are defined in content/timeline.yaml"
    ]


def test_a_source_suggestion_shows_its_publisher_and_date(problems):
    assert problems(
        edit(A, "sources: [space-agency]\n    events: [ev-mission]", "sources: [space-agncy]\n    events: [ev-mission]")
    ) == [
        f"{A}:27:15: unknown source 'space-agncy' (did you mean 'space-agency', “Moon composition report”, Space Agency, "
        "2025-05?); sources are defined in content/sources.yaml"
    ]


def test_an_id_far_from_every_other_gets_no_suggestion(problems):
    assert problems(edit(A, "events: [ev-mission]", "events: [mission-delay]")) == [
        f"{A}:28:14: unknown event 'mission-delay'; events are defined in content/timeline.yaml"
    ]


def resolver_with(kind: str, ids: list[str], refs: list[str]) -> list[str]:
    """Define ``ids`` of ``kind`` (each with a title and a date), refer to ``refs``: the formatted problems."""
    items = "".join(f"  - id: {i}\n    title: T {i}\n    date: 2025-01\n" for i in ids)
    defined, _ = parse_yaml("items:\n" + items, "defs.yaml")
    citing, _ = parse_yaml("refs: [" + ", ".join(refs) + "]\n", "refs.yaml")
    resolver = Resolver()
    for n, i in enumerate(ids):
        resolver.define(i, kind, defined, ("items", n, "id"), title=f"T {i}")
    resolver.refer(citing, ("refs",), kind, refs)
    return [p.format() for p in resolver.check()]


def test_ids_that_differ_only_in_a_number_are_never_suggested():
    events = [f"ev{n:02}" for n in range(1, 32)]
    assert resolver_with("event", events, ["ev32", "ev99", "ev-31"]) == [
        "refs.yaml:1:8: unknown event 'ev32'; the events are ev01…ev31 in content/timeline.yaml",
        "refs.yaml:1:14: unknown event 'ev99'; the events are ev01…ev31 in content/timeline.yaml",
        "refs.yaml:1:20: unknown event 'ev-31' (did you mean 'ev31', “T ev31”, 2025-01?); "
        "events are defined in content/timeline.yaml",
    ]


def test_numbered_ids_with_two_numbers_are_ranged_by_both():
    claims = [f"c000-{n:02}" for n in range(1, 19)] + ["c001-01", "c001-02"]
    assert resolver_with("claim", claims, ["c000-19"]) == [
        "refs.yaml:1:8: unknown claim 'c000-19'; the claims are c000-01…c001-02 in content/annotations/"
    ]


# -- 6. what YAML makes of yes, no, on, off and 1.10 ----------------------------------------------------


@pytest.mark.parametrize("written", ["yes", "no", "on", "off", "true", "False"])
def test_a_yes_or_no_where_text_is_expected(problems, written):
    assert problems(edit(TL, "title: Mission planned", f"title: {written}")) == [
        f"{TL}:12:12: event 'ev-mission': 'title' is {written}, which YAML reads as true/false; "
        f'put it in double quotes: "{written}"'
    ]


def test_a_version_number_where_text_is_expected(problems):
    assert problems(edit(TL, "title: Mission planned", "title: 1.10")) == [
        f"{TL}:12:12: event 'ev-mission': 'title' is 1.10, which YAML reads as the number 1.1; put it in double quotes: \"1.10\""
    ]


def test_a_version_number_where_an_id_is_expected(problems):
    assert problems(edit(TL, "sources: [space-agency]", "sources: [space-agency, 1.10]")) == [
        f"{TL}:7:29: event 'ev-report': 'sources[2]' is 1.10, which YAML reads as the number 1.1; "
        'put it in double quotes: "1.10"'
    ]


def test_no_for_a_language_code(problems):
    changes = edit(SRC, "    lang: en\n    kind: primary", "    lang: no\n    kind: primary")
    assert problems(changes) == [
        f"{SRC}:7:11: source 'space-agency': 'lang' is no, which YAML reads as true/false; put it in double quotes: \"no\""
    ]


def test_a_yes_where_one_of_a_few_words_is_expected_shows_what_was_typed(problems):
    assert problems(edit(TL, "status: planned", "status: yes")) == [
        f"{TL}:11:13: event 'ev-mission': 'status' is 'yes', which is not one of 'announced', 'confirmed', "
        "'disputed', 'estimate', 'planned', 'reported'"
    ]
