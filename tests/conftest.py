"""Shared fixtures: a sample project in a temporary folder, and a way to check it."""

from __future__ import annotations

from pathlib import Path

import pytest

from factsite import BuildFailed, check_site
from sample import FILES, write_project

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


@pytest.fixture
def project(tmp_path):
    """A function: ``project({path: new text or None})`` → root of a fresh sample project."""
    counter = iter(range(1000))

    def make(changes: dict[str, str | None] | None = None) -> Path:
        root = tmp_path / f"p{next(counter)}"
        return write_project(root, changes, templates=TEMPLATES)

    return make


@pytest.fixture
def problems(project):
    """A function: ``problems({path: new text})`` → the formatted problems ``check`` reports."""

    def run(changes: dict[str, str | None] | None = None) -> list[str]:
        try:
            check_site(project(changes))
        except BuildFailed as failed:
            return [p.format() for p in failed.problems]
        return []

    return run


def edit(path: str, old: str, new: str, count: int = 1) -> dict[str, str]:
    """A change to one sample file: ``old`` replaced by ``new`` (it must occur ``count`` times)."""
    text = FILES[path]
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {path}"
    return {path: text.replace(old, new)}
