"""The two small fixed vocabularies: what evidence a verdict rests on, and an event's status.

Their ids are the ``enum`` values in ``schemas/annotations.schema.json`` and
``schemas/timeline.schema.json`` (a test keeps the two in step); the labels and
meanings here are what readers see. The verdict scale itself is editorial data
in ``content/verdicts.yaml``.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    id: str
    label: str
    meaning: str


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {row[0]: Term(*row) for row in rows}


BASIS = _terms(
    (
        "primary-document",
        "Primary document",
        "The verdict rests on the document itself: a technical report, a model card, a filing or a transcript.",
    ),
    (
        "official-statement",
        "On-the-record statement",
        "The verdict rests on what a company, a government or a named person said publicly.",
    ),
    (
        "anonymous-sources",
        "Press reports (unnamed sources)",
        "The verdict rests on press reports citing people who were not named; we rate whether the article "
        "reports them faithfully, not whether they are true.",
    ),
    ("analyst-estimate", "Analyst's estimate", "The verdict rests on an outside estimate that the company never confirmed."),
    ("none-found", "No evidence found", "We found no public evidence for or against the claim."),
)

# Shown with the verdict wherever it appears: a verdict on anonymously sourced reporting rates the
# article's faithfulness to the reports, not the underlying fact (see the methodology page).
QUALIFIERS = {"anonymous-sources": "as reported"}

STATUSES = _terms(
    ("confirmed", "Confirmed", "On the record, or in a primary document."),
    ("announced", "Announced", "Announced by the company itself."),
    ("reported", "Reported", "Reported by the press and not confirmed by those involved."),
    ("estimate", "Estimate", "An analyst's or reporter's estimate."),
    ("planned", "Planned", "An intention or a plan, which may not have happened."),
    ("disputed", "Disputed", "Sources disagree."),
)

# Names of the languages the articles and sources are in, for readers.
LANGUAGES = {
    "it": "Italian",
    "es": "Spanish",
    "en": "English",
    "zh": "Chinese",
    "fr": "French",
    "de": "German",
    "hi": "Hindi",
    "ru": "Russian",
    "ja": "Japanese",
    "ko": "Korean",
    "pt": "Portuguese",
}


def language_name(code: str) -> str:
    """``"it"`` → ``"Italian"``; ``"zh-Hant"`` → ``"Chinese"``; unknown codes are shown as written."""
    return LANGUAGES.get(code.split("-")[0], code)
