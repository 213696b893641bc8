"""Read the project from disk: the only stage that reads files.

``read_project`` returns the text of every content file and template, and the
bytes of every seed and static file, keyed by path relative to the project
root, so the later stages are pure functions of plain data (and tests can feed
them without a disk). ``refresh_project`` re-reads only the paths that changed,
which is what the live preview does on each save.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .diagnostics import Problem
from .layout import CONTENT, MAX_FILE_BYTES, SEEDS, STATIC, TEMPLATES

__all__ = ["CONTENT", "SEEDS", "TEMPLATES", "Project", "Seed", "classify", "read_project", "read_seed", "refresh_project"]


@dataclass(frozen=True, kw_only=True)
class Seed:
    """A raw article in ``seeds/``."""

    name: str
    sha256: str
    text: str


@dataclass(frozen=True, kw_only=True)
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
        missing = (
            []
            if (self.root / CONTENT).is_dir()
            else [
                Problem(
                    path=CONTENT,
                    line=0,
                    col=0,
                    message=f"no content/ folder in {self.root.resolve()}; run from a project root or pass -C DIR",
                )
            ]
        )
        return missing + sorted(set(self.unreadable.values()))  # the files under one link share its problem


def read_project(root: Path) -> Project:
    """Project root → every content file, seed, template and static file in it."""
    root = Path(root)
    rels = (p.relative_to(root).as_posix() for top in (CONTENT, SEEDS, TEMPLATES) for p in (root / top).rglob("*"))
    return refresh_project(Project(root=root), sorted(rels))


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
        problem = _outside(project.root, rel)
        if problem:
            parts["unreadable"][rel] = problem
        elif path.is_file():
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
        return "static", "static/" + rel[len(STATIC) + 1 :]
    if rel.startswith(TEMPLATES + "/"):
        return "templates", rel[len(TEMPLATES) + 1 :]
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
    return Seed(name=path.name, sha256=hashlib.sha256(data).hexdigest(), text=data.decode("utf-8", "replace"))


def _outside(root: Path, rel: str) -> Problem | None:
    """A problem when ``rel`` (or a folder above it) is a link that leads outside the project root.

    A symbolic link could otherwise publish any file the build can read (``/etc/passwd``,
    ``/proc/self/environ`` and the tokens in it); a link to another file inside the project is fine.
    The problem is the outermost such link's, so every file read through a linked folder gives the
    same problem, reported once (a linked ``content/`` is one mistake, not one per file).
    """
    parts = PurePosixPath(rel).parts
    prefixes = [PurePosixPath(*parts[:n]).as_posix() for n in range(1, len(parts) + 1)]
    if not any((root / p).is_symlink() for p in prefixes):
        return None
    base = root.resolve()
    for prefix in prefixes:  # the first one that resolves outside is a link (a plain name stays where its folder is)
        try:
            target = (root / prefix).resolve(strict=False)
            inside = target.is_relative_to(base)
        except (OSError, RuntimeError):  # a loop of links
            target, inside = "a loop of links", False
        if not inside:
            return Problem(
                path=prefix,
                line=0,
                col=0,
                message=f"this is a symbolic link to {target}, outside the project; the build reads only files "
                "inside the project folder: replace the link with a copy of the file",
            )
    return None


_STATIC_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


def _read(path: Path, rel: str, kind: str):
    limit = MAX_FILE_BYTES["static" if kind == "static" else rel.split("/", 1)[0]]
    if kind == "static" and not all(_STATIC_NAME.fullmatch(part) for part in PurePosixPath(rel).parts[2:]):
        return None, Problem(
            path=rel,
            line=0,
            col=0,
            message="a static file's name becomes its address in the site, so it may hold only letters, digits, "
            "'.', '-' and '_'; rename it",
        )
    try:
        size = path.stat().st_size
        if size > limit:
            return None, Problem(
                path=rel,
                line=0,
                col=0,
                message=f"this file is {size:,} bytes, over the limit of {limit // 2**20} MiB for a "
                f"file in {rel.split('/', 1)[0]}/; split it, or remove what does not belong in it",
            )
        if kind == "seeds":
            return read_seed(path), None
        data = path.read_bytes()
    except OSError as err:
        return None, Problem(path=rel, line=0, col=0, message=f"cannot read this file: {err.strerror}")
    if kind == "static":
        return data, None
    try:
        # A byte-order mark (Notepad writes one) is not text: without it a '---' first line is found.
        return data.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, err.start) + 1
        head = data[start : err.start].decode("utf-8")
        col = len(head.removeprefix("\ufeff") if start == 0 else head) + 1  # characters, not bytes
        return None, Problem(path=rel, line=line, col=col, message="this file is not UTF-8 text; save it with UTF-8 encoding")
