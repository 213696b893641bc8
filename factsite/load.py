"""Read the project from disk: the only stage that reads files.

``read_project`` returns the raw text of every content file and the bytes of
every seed, keyed by path relative to the project root, so the later stages
are pure functions of plain data (and tests can feed them without a disk).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .diagnostics import Problem

CONTENT = "content"
SEEDS = "seeds"
TEMPLATES = "templates"
# The YAML files of content/ and the schema each one follows.
SINGLE_FILES = {
    "content/site.yaml": "site",
    "content/verdicts.yaml": "verdicts",
    "content/sources.yaml": "sources",
    "content/timeline.yaml": "timeline",
}
# Optional: a site need not share facts across articles.
OPTIONAL_FILES = {"content/facts.yaml": "facts"}
ARTICLES_DIR = "content/articles"
PAGES_DIR = "content/pages"
ANNOTATIONS_DIR = "content/annotations"


@dataclass(frozen=True)
class Seed:
    """A raw article in ``seeds/``."""

    name: str
    sha256: str
    text: str


@dataclass(frozen=True)
class Project:
    """Every input file's content, keyed by path relative to the project root."""

    root: Path
    files: Mapping[str, str]
    """content/ files (text)."""
    seeds: Mapping[str, Seed]
    """seeds/ files by file name."""
    static: Mapping[str, bytes]
    """templates/static/ files (style sheet, script), keyed by their path in the site: ``static/x.css``."""


def read_project(root: Path) -> tuple[Project, list[Problem]]:
    """Project root → (its content and seeds, problems such as a missing or unreadable file)."""
    root = Path(root)
    problems: list[Problem] = []
    files: dict[str, str] = {}
    content = root / CONTENT
    if not content.is_dir():
        problems.append(Problem(CONTENT, 0, 0, f"no content/ folder in {root.resolve()}; run from a project root or pass -C DIR"))
    for path in sorted(content.rglob("*")) if content.is_dir() else ():
        rel = path.relative_to(root).as_posix()
        if path.is_dir() or any(part.startswith(".") for part in path.relative_to(content).parts):
            continue  # folders, and editors' dot-files (swap files, .DS_Store)
        text, problem = _read_text(path, rel)
        if problem:
            problems.append(problem)
        else:
            files[rel] = text
    for rel in SINGLE_FILES:
        if rel not in files and content.is_dir():
            problems.append(Problem(rel, 0, 0, "this file is missing; the README's 'Content' section shows what it holds"))
    seeds: dict[str, Seed] = {}
    for path in sorted((root / SEEDS).glob("*")):
        if path.is_file() and not path.name.startswith("."):
            data = path.read_bytes()
            seeds[path.name] = Seed(path.name, hashlib.sha256(data).hexdigest(), data.decode("utf-8", "replace"))
    static_dir = root / TEMPLATES / "static"
    static = {
        "static/" + p.relative_to(static_dir).as_posix(): p.read_bytes()
        for p in sorted(static_dir.rglob("*")) if p.is_file() and not p.name.startswith(".")
    }
    return Project(root, files, seeds, static), problems


def _read_text(path: Path, rel: str) -> tuple[str, Problem | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        return "", Problem(rel, line, 1, "this file is not UTF-8 text; save it with UTF-8 encoding")
    except OSError as err:
        return "", Problem(rel, 0, 0, f"cannot read this file: {err.strerror}")
