"""The build, stage by stage: read → validate → anchor → render (→ write, by the caller).

Each stage is a function of plain data. Problems from reading, validating and
anchoring are collected together, so one run reports all of them; the site is
rendered only when there are none, and nothing is written until it is rendered
in full. A ``Memo`` passed in keeps parsed files and anchors between runs (the
live preview does this); without one, every run starts fresh.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from .anchor import Anchor, anchor_claims
from .cache import Memo
from .diagnostics import BuildFailed, Problem
from .load import TEMPLATES, Project, read_project
from .model import Site
from .render import PageSpec, make_env, plan_pages, render_pages
from .validate import make_site, published_only


def check_project(project: Project, memo: Memo | None = None) -> tuple[Site, dict[str, Anchor]]:
    """Validate and anchor everything (drafts included). Raises BuildFailed with every problem."""
    memo = memo or Memo()
    problems = project.problems()
    site, found = make_site(project, memo)
    problems += found
    anchors: dict[str, Anchor] = {}
    for slug, claims in site.claims.items():
        article = site.articles[slug]
        placed, found = memo.get(("anchor", article, claims), lambda a=article, c=claims: anchor_claims(a, c))
        anchors.update(placed)
        problems += found
    if problems:
        raise BuildFailed(problems)
    return site, anchors


def check_site(root: Path) -> tuple[Project, Site, dict[str, Anchor]]:
    """Read a project root and check it. Raises BuildFailed with every problem."""
    project = read_project(Path(root))
    site, anchors = check_project(project)
    return project, site, anchors


def plan(site: Site, anchors: dict[str, Anchor], *, drafts: bool = False) -> list[PageSpec]:
    """Every page the site will have (drafts left out unless asked for)."""
    return plan_pages(site if drafts else published_only(site), anchors)


def render(project: Project, pages: list[PageSpec], env: jinja2.Environment | None = None) -> dict[str, bytes]:
    """Render ``pages`` → {path: bytes}. Raises BuildFailed for a template error, located in its file."""
    env = env or make_env(project.templates)
    try:
        return render_pages(env, pages)
    except jinja2.TemplateError as err:
        raise BuildFailed([template_problem(err)]) from None


def build_site(root: Path, *, drafts: bool = False) -> dict[str, bytes]:
    """The whole site in memory: {path inside site/: bytes}. Raises BuildFailed."""
    project, site, anchors = check_site(root)
    return {**render(project, plan(site, anchors, drafts=drafts)), **project.static}


def template_problem(err: jinja2.TemplateError) -> Problem:
    """A template error located in its template (syntax errors carry a line; others are found in the traceback)."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return Problem(err.filename, err.lineno, 1, f"template error: {err.message}")
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.startswith(TEMPLATES + "/"):
            return Problem(frame.filename, frame.lineno or 0, 1, f"template error: {err}")
    return Problem(TEMPLATES, 0, 0, f"template error: {err}")
