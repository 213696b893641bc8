"""The build, stage by stage: read → validate → anchor → render (→ write, by the caller).

Each stage is a function of plain data. Problems from reading, validating and
anchoring are collected together, so one run reports all of them; the site is
rendered only when there are none, and nothing is written until it is rendered
in full.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from .anchor import Anchor, anchor_claims
from .diagnostics import BuildFailed, Problem
from .load import TEMPLATES, Project, read_project
from .model import Site
from .render import make_env, plan_pages, render_pages
from .validate import make_site, published_only


def check_site(root: Path) -> tuple[Project, Site, dict[str, Anchor]]:
    """Read, validate and anchor everything (drafts included). Raises BuildFailed with every problem."""
    project, problems = read_project(Path(root))
    site, found = make_site(project)
    problems += found
    anchors: dict[str, Anchor] = {}
    for slug, claims in site.claims.items():
        placed, found = anchor_claims(site.articles[slug], claims)
        anchors.update(placed)
        problems += found
    if problems:
        raise BuildFailed(problems)
    return project, site, anchors


def build_site(root: Path, *, drafts: bool = False) -> dict[str, bytes]:
    """The whole site in memory: {path inside site/: bytes}. Raises BuildFailed."""
    root = Path(root)
    project, site, anchors = check_site(root)
    if not drafts:
        site = published_only(site)
    env = make_env(root / TEMPLATES)
    try:
        pages = render_pages(env, plan_pages(site, anchors))
    except jinja2.TemplateError as err:
        raise BuildFailed([template_problem(err, root)]) from None
    return {**pages, **project.static}


def template_problem(err: jinja2.TemplateError, root: Path) -> Problem:
    """A template error located in its template file (syntax errors carry a line; others are found in the traceback)."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return Problem(_relative(err.filename, root), err.lineno, 1, f"template error: {err.message}")
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if Path(frame.filename).suffix == ".html":
            return Problem(_relative(frame.filename, root), frame.lineno or 0, 1, f"template error: {err}")
    return Problem(TEMPLATES, 0, 0, f"template error: {err}")


def _relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename
