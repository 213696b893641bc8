"""Read the project from disk: the only stage that reads files.

``read_project`` returns the text of every content file and template, and the
bytes of every seed and static file, keyed by path relative to the project
root, so the later stages are pure functions of plain data (and tests can feed
them without a disk). ``refresh_project`` re-reads only the paths that changed,
which is what the live preview does on each save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .diagnostics import Problem

CONTENT = "content"
SEEDS = "seeds"
TEMPLATES = "templates"
STATIC = "templates/static"
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
    files: Mapping[str, str] = field(default_factory=dict)
    """content/ files (text)."""
    seeds: Mapping[str, Seed] = field(default_factory=dict)
    """seeds/ files by file name."""
    templates: Mapping[str, str] = field(default_factory=dict)
    """templates/ files other than static/, by name: ``article.html``."""
    static: Mapping[str, bytes] = field(default_factory=dict)
    """templates/static/ files, keyed by their path in the site: ``static/style.css``."""
    unreadable: Mapping[str, Problem] = field(default_factory=dict)
    """Files that exist but could not be read, with the reason."""

    def problems(self) -> list[Problem]:
        """What stopped files from being read."""
        missing = [] if (self.root / CONTENT).is_dir() else [
            Problem(CONTENT, 0, 0, f"no content/ folder in {self.root.resolve()}; run from a project root or pass -C DIR")]
        return missing + sorted(self.unreadable.values())


def read_project(root: Path) -> Project:
    """Project root → every content file, seed, template and static file in it."""
    root = Path(root)
    rels = (p.relative_to(root).as_posix() for top in (CONTENT, SEEDS, TEMPLATES) for p in (root / top).rglob("*"))
    return refresh_project(Project(root), sorted(rels))


def refresh_project(project: Project, rels: Iterable[str]) -> Project:
    """``project`` with the files at ``rels`` (project-relative paths) read again, or dropped if gone."""
    parts = {name: dict(getattr(project, name)) for name in ("files", "seeds", "templates", "static", "unreadable")}
    for rel in rels:
        kind, key = classify(rel)
        if kind is None:
            continue
        for mapping in parts.values():
            mapping.pop(key, None)
            mapping.pop(rel, None)
        path = project.root / rel
        if path.is_file():
            value, problem = _read(path, rel, kind)
            if problem:
                parts["unreadable"][rel] = problem
            else:
                parts[kind][key] = value
    return replace(project, **{name: dict(sorted(m.items())) for name, m in parts.items()})


def classify(rel: str) -> tuple[str | None, str]:
    """Which part of the project a path belongs to, and its key there; (None, rel) for what the build ignores."""
    path = PurePosixPath(rel)
    if any(_ignored(part) for part in path.parts):
        return None, rel
    if rel.startswith(STATIC + "/"):
        return "static", "static/" + rel[len(STATIC) + 1:]
    if rel.startswith(TEMPLATES + "/"):
        return "templates", rel[len(TEMPLATES) + 1:]
    if rel.startswith(CONTENT + "/"):
        return "files", rel
    if path.parent.as_posix() == SEEDS:
        return "seeds", path.name
    return None, rel


def _ignored(name: str) -> bool:
    """Editors' temporary and backup files: dot-files (.swp, .DS_Store, .#lock), ``x~`` and ``#x#``."""
    return name.startswith((".", "#")) or name.endswith("~")


def read_seed(path: Path) -> Seed:
    """A seed file: its name, the sha256 of its bytes, and its text (undecodable bytes shown as U+FFFD)."""
    data = path.read_bytes()
    return Seed(path.name, hashlib.sha256(data).hexdigest(), data.decode("utf-8", "replace"))


def _read(path: Path, rel: str, kind: str):
    try:
        if kind == "seeds":
            return read_seed(path), None
        data = path.read_bytes()
    except OSError as err:
        return None, Problem(rel, 0, 0, f"cannot read this file: {err.strerror}")
    if kind == "static":
        return data, None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, Problem(rel, line, 1, "this file is not UTF-8 text; save it with UTF-8 encoding")
