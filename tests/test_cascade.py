"""An invalid id does not cascade (issue #10): one typo where an item is defined gives one error.

An id mistyped where its item is defined (``EV02``, ``ev 02``, ``Space-agency``) is reported there, by the
schema. The references elsewhere that mean it are not reported as unknown too: the first one gets a note that
points at the definition, the others are counted in it. Each test makes the mistake in the sample project
(tests/sample.py, whose line numbers the expectations refer to) and asserts the exact ``path:line:col: message``.
"""

from __future__ import annotations

import pytest
from conftest import edit
from sample import FILES
from test_messages import numbered_events

from factsite.resolve import Resolver
from factsite.yamlsrc import parse_yaml

A = "content/annotations/moon.yaml"
FACTS = "content/facts.yaml"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"
VERDICTS = "content/verdicts.yaml"

NOT_AN_ID = "'id' must be an id: lower-case letters and digits joined by '-' or '.', for example 'ft-2025-08-14' or 'c000-01'"


def with_event_02(written: str) -> dict[str, str]:
    """The sample with numbered events (ev01…ev03), the second one's id written ``written`` where it is defined."""
    changes = numbered_events()
    assert changes[TL].count("- id: ev02\n") == 1
    changes[TL] = changes[TL].replace("- id: ev02\n", f"- id: {written}\n")
    return changes


# -- one typo, one error ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["EV02", "Ev02", "ev 02", "ev_02", "EV-02", "ev\u201302"])
def test_a_mistyped_event_id_is_one_error_and_its_reference_one_note(problems, written):
    assert problems(with_event_02(written)) == [
        f"{A}:28:14: note: claim 'c-cost': 'events[1]' refers to 'ev02', whose definition at {TL}:8:9 has a problem; "
        "fix it there",
        f"{TL}:8:9: event '{written}': {NOT_AN_ID}",
    ]


def test_a_definition_that_is_a_valid_id_is_not_rejected(problems):
    # ev-02 is an id, only not the one the claim cites: the reference is unknown, with a did-you-mean.
    assert problems(with_event_02("ev-02")) == [
        f"{A}:28:14: unknown event 'ev02' (did you mean 'ev-02', “Mission planned”, 2025-05?); "
        "events are defined in content/timeline.yaml"
    ]


def test_a_source_id_with_a_capital_is_one_error_and_one_note_for_its_five_references(problems):
    found = problems(edit(SRC, "id: space-agency", "id: Space-agency"))
    assert found == [
        f"{A}:11:15: note: claim 'c-cheese': 'sources[1]' refers to 'space-agency', whose definition at {SRC}:2:9 "
        "has a problem; fix it there (4 more references to it wait on that fix)",
        f"{SRC}:2:9: source 'Space-agency': {NOT_AN_ID}",
    ]
    assert [p for p in found if not p.split(": ", 1)[1].startswith("note: ")] == [found[1]]  # one error


def test_a_source_cited_by_a_claim_and_two_events(problems):
    assert problems(edit(SRC, "id: daily-mirror-copy", "id: daily mirror copy")) == [
        f"{A}:20:15: note: claim 'c-swiss': 'sources[1]' refers to 'daily-mirror-copy', whose definition at {SRC}:9:9 "
        "has a problem; fix it there (2 more references to it wait on that fix)",
        f"{SRC}:9:9: source 'daily mirror copy': {NOT_AN_ID}",
    ]


def test_a_fact_id_with_a_capital(problems):
    assert problems(edit(FACTS, "id: moon-made-of", "id: Moon-made-of")) == [
        f"{A}:13:11: note: claim 'c-cheese': 'fact' refers to 'moon-made-of', whose definition at {FACTS}:2:9 "
        "has a problem; fix it there",
        f"{FACTS}:2:9: fact 'Moon-made-of': {NOT_AN_ID}",
    ]


def test_a_verdict_id_with_a_capital_is_not_a_did_you_mean_of_another_verdict(problems):
    # Before: "unknown verdict 'accurate' (did you mean 'inaccurate', “Inaccurate”?)", the opposite verdict.
    assert problems(edit(VERDICTS, "id: accurate", "id: Accurate")) == [
        f"{A}:24:14: note: claim 'c-cost': 'verdict' refers to 'accurate', whose definition at {VERDICTS}:2:9 "
        "has a problem; fix it there",
        f"{VERDICTS}:2:9: verdict 'Accurate': {NOT_AN_ID}",
    ]


def test_a_claim_id_with_a_space_is_one_error(problems):
    # Nothing refers to a claim by its id, so there is nothing to cascade; the claim is left out.
    assert problems(edit(A, "id: c-cost", "id: c cost")) == [f"{A}:21:9: claim 'c cost': {NOT_AN_ID}"]
    assert problems(edit(A, "id: c-cost", "id: C-cost")) == [f"{A}:21:9: claim 'C-cost': {NOT_AN_ID}"]


def test_two_typos_are_two_errors(problems):
    changes = with_event_02("EV02")
    changes[SRC] = FILES[SRC].replace("id: space-agency", "id: space agency")
    assert problems(changes) == [
        # The event EV02 is left out for its id, so its own reference to space-agency is not counted.
        f"{A}:11:15: note: claim 'c-cheese': 'sources[1]' refers to 'space-agency', whose definition at {SRC}:2:9 "
        "has a problem; fix it there (3 more references to it wait on that fix)",
        f"{A}:28:14: note: claim 'c-cost': 'events[1]' refers to 'ev02', whose definition at {TL}:8:9 has a problem; "
        "fix it there",
        f"{SRC}:2:9: source 'space agency': {NOT_AN_ID}",
        f"{TL}:8:9: event 'EV02': {NOT_AN_ID}",
    ]


def test_fixing_the_definition_clears_every_message(problems):
    assert problems(with_event_02("ev02")) == []


# -- what is still reported --------------------------------------------------------------------------------------


def test_a_reference_that_means_another_id_is_still_unknown(problems):
    changes = with_event_02("EV02")
    changes[FACTS] = changes[FACTS].replace("events: [ev01]", "events: [ev04]")
    assert problems(changes) == [
        f"{A}:28:14: note: claim 'c-cost': 'events[1]' refers to 'ev02', whose definition at {TL}:8:9 has a problem; "
        "fix it there",
        f"{FACTS}:6:14: unknown event 'ev04'; the events are ev01…ev03 in content/timeline.yaml",
        f"{TL}:8:9: event 'EV02': {NOT_AN_ID}",
    ]


def test_a_reference_with_the_same_typo_needs_its_own_fix(problems):
    # Both places are wrong: fixing the definition alone would leave the reference wrong.
    changes = with_event_02("EV02")
    changes[A] = changes[A].replace("events: [ev02]", "events: [EV02]")
    assert problems(changes) == [
        f"{A}:28:14: claim 'c-cost': 'events[1]' must be an id: lower-case letters and digits joined by '-' or '.', "
        "for example 'ft-2025-08-14' or 'c000-01'",
        f"{TL}:8:9: event 'EV02': {NOT_AN_ID}",
    ]


def test_a_number_that_is_not_the_id_cited_is_still_unknown(problems):
    assert problems(edit(TL, "id: ev-mission", "id: 2025")) == [
        f"{A}:28:14: unknown event 'ev-mission'; events are defined in content/timeline.yaml",
        f"{TL}:8:9: 'events[2].id' is 2025, which YAML reads as the number 2025; put it in double quotes: \"2025\"",
    ]


# -- the resolver alone --------------------------------------------------------------------------------------------


def resolve(defined: str, refs: list[str], kind: str = "event") -> list[str]:
    """``items: [{id: <defined>}]`` rejected as ``kind``, ``refs: [...]`` cited as ``kind``: the formatted problems."""
    defs, _ = parse_yaml(f"items:\n  - id: {defined}\n", "defs.yaml")
    citing, _ = parse_yaml("refs: [" + ", ".join(refs) + "]\n", "refs.yaml")
    resolver = Resolver()
    resolver.reject(defs.data["items"][0]["id"], kind, defs, ("items", 0, "id"))
    resolver.refer(citing, ("refs",), kind, [str(r) for r in citing.data["refs"]])
    return [p.format() for p in sorted(resolver.check())]


def test_the_resolver_notes_the_first_reference_and_counts_the_others():
    assert resolve("EV05", ["ev05", "ev05", "ev-05", "ev06"]) == [
        "refs.yaml:1:8: note: 'refs[1]' refers to 'ev05', whose definition at defs.yaml:2:9 has a problem; fix it there "
        "(2 more references to it wait on that fix)",
        "refs.yaml:1:27: unknown event 'ev06'; events are defined in content/timeline.yaml",
    ]


def test_one_more_reference_is_counted_in_the_singular():
    assert resolve("Ev 05", ["ev05", "ev05"]) == [
        "refs.yaml:1:8: note: 'refs[1]' refers to 'ev05', whose definition at defs.yaml:2:9 has a problem; fix it there "
        "(1 more reference to it waits on that fix)"
    ]


def test_a_rejected_id_of_another_kind_is_not_meant():
    assert resolve("EV05", ["ev05"], kind="event")[0].startswith("refs.yaml:1:8: note: ")
    defs, _ = parse_yaml("items:\n  - id: EV05\n", "defs.yaml")
    citing, _ = parse_yaml("refs: [ev05]\n", "refs.yaml")
    resolver = Resolver()
    resolver.reject("EV05", "event", defs, ("items", 0, "id"))
    resolver.refer(citing, ("refs",), "source", ["ev05"])
    assert [p.format() for p in resolver.check()] == [
        "refs.yaml:1:8: unknown source 'ev05'; sources are defined in content/sources.yaml"
    ]


def test_a_number_typed_as_an_id_is_matched_as_typed():
    assert resolve("1.10", ['"1.10"']) == [
        "refs.yaml:1:8: note: 'refs[1]' refers to '1.10', whose definition at defs.yaml:2:9 has a problem; fix it there"
    ]


def test_a_file_that_could_not_be_read_is_still_not_reported_again():
    defs, _ = parse_yaml("items:\n  - id: EV05\n", "defs.yaml")
    citing, _ = parse_yaml("refs: [ev05]\n", "refs.yaml")
    resolver = Resolver()
    resolver.reject("EV05", "event", defs, ("items", 0, "id"))
    resolver.broken.add("event")
    resolver.refer(citing, ("refs",), "event", ["ev05"])
    assert resolver.check() == []
