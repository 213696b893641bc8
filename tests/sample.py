"""A tiny but complete project, written into a temporary folder by tests.

Every test starts from these files and changes only what it is about, so a
failure points at one thing. Line numbers in test assertions refer to these
texts, so keep them stable: add new content at the end of a file.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

SEED_NAME = "100_sample.txt"
# Italian, like the real seeds: a headline line, a date marker-free body, a repeated phrase.
SEED_TEXT = (
    "La Luna è fatta di formaggio\n"
    "Secondo l’agenzia spaziale, la Luna è fatta di formaggio svizzero. La missione è prevista per maggio.\n"
    "Gli esperti dicono che la missione costerà 5 milioni di euro. Gli esperti dicono che è improbabile.\n"
    "Iscriviti alla nostra newsletter.\n"
)
SEED_SHA = hashlib.sha256(SEED_TEXT.encode()).hexdigest()


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


FILES = {
    "content/site.yaml": d("""
        title: Test Fact Check
        tagline: A sample.
        publisher:
          name: Test desk
        contact: corrections@example.org
        base_url: https://example.org/test/
        lang: en
        """),
    "content/verdicts.yaml": d("""
        verdicts:
          - id: accurate
            label: Accurate
            meaning: Matches the sources.
            rating: 3
            colour: "#1a7f37"
            tier: sound
          - id: misleading
            label: Misleading
            meaning: Gives a wrong impression.
            rating: 2
            colour: "#b34700"
            tier: problem
          - id: inaccurate
            label: Inaccurate
            meaning: Contradicted by the sources.
            rating: 1
            colour: "#c21f2c"
            tier: problem
        """),
    "content/sources.yaml": d("""
        sources:
          - id: space-agency
            title: Moon composition report
            publisher: Space Agency
            url: https://agency.example/moon
            published: 2025-05
            lang: en
            kind: primary
          - id: daily-mirror-copy
            title: Agency says moon is rock
            publisher: Mirror Site
            url: https://mirror.example/moon
            published: unknown
            lang: en
            kind: secondary
            copy:
              kind: mirror
              of: Daily News, 3 May 2025
        """),
    "content/timeline.yaml": d("""
        events:
          - id: ev-report
            date: 2025-05-02
            status: confirmed
            title: Agency publishes its report
            body: The report says the Moon is **rock**.
            sources: [space-agency]
          - id: ev-mission
            date: 2025-05
            end: 2025-06
            status: planned
            title: Mission planned
            body: A mission was planned.
            sources: [space-agency, daily-mirror-copy]
          - id: ev-later
            date: ~2025-09
            status: reported
            title: Mission delayed
            body: Reported later.
            sources: [daily-mirror-copy]
        """),
    "content/facts.yaml": d("""
        facts:
          - id: moon-made-of
            title: What is the Moon made of?
            summary: Rock, according to the agency.
            sources: [space-agency]
            events: [ev-report]
        """),
    "content/articles/moon.md": d(f"""
        ---
        slug: moon
        title: La Luna è fatta di formaggio
        title_en: The Moon is made of cheese
        lang: it
        published: 2025-08-14
        outlet: Test Outlet
        author: unknown
        url: https://outlet.example/moon
        seed:
          file: {SEED_NAME}
          sha256: {SEED_SHA}
        boilerplate:
          - starts: Iscriviti
            label: Newsletter plug
        ---
        # La Luna è fatta di formaggio

        Secondo l’agenzia spaziale, la Luna è fatta di formaggio svizzero. La missione è prevista per maggio.

        Gli esperti dicono che la missione costerà 5 milioni di euro. Gli esperti dicono che è improbabile.

        Iscriviti alla nostra newsletter.
        """),
    "content/annotations/moon.yaml": d("""
        review:
          by: Test desk
          on: 2026-11-23
        claims:
          - id: c-cheese
            quote: la Luna è fatta di formaggio svizzero
            claim: The Moon is made of Swiss cheese.
            verdict: inaccurate
            basis: primary-document
            explanation: The agency's [report](https://agency.example/moon) says rock.
            sources: [space-agency]
            events: [ev-report]
            fact: moon-made-of
          - id: c-swiss
            quote: svizzero
            claim: The cheese is Swiss.
            verdict: misleading
            basis: none-found
            explanation: No evidence.
            sources: [daily-mirror-copy]
          - id: c-cost
            quote: la missione costerà 5 milioni di euro
            claim: The mission will cost €5 million.
            verdict: accurate
            basis: official-statement
            explanation: As stated.
            sources: [space-agency]
            events: [ev-mission]
        """),
    "content/pages/about.md": d("""
        ---
        title: About
        ---
        Who we are. Write to [us](mailto:corrections@example.org).
        """),
    "content/pages/methodology.md": d("""
        ---
        title: Methodology
        layout: methodology
        ---
        How we check.
        """),
    f"seeds/{SEED_NAME}": SEED_TEXT,
}


def write_project(root: Path, changes: dict[str, str | None] | None = None, *, templates: Path | None = None) -> Path:
    """Write the sample project into ``root`` with ``changes`` applied (None deletes a file).

    The real templates are copied in, so tests render what the site renders.
    """
    files = {**FILES, **(changes or {})}
    for rel, text in files.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    if templates is not None:
        import shutil

        shutil.copytree(templates, root / "templates", dirs_exist_ok=True)
    return root
