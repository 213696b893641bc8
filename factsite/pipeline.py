"""The build, stage by stage: read → validate → anchor → plan → render (→ write, by the caller).

Each stage is a function of plain data. Problems from reading, validating and
anchoring are collected together, so one run reports all of them (and two
pages on one path among the valid items with them); the pages are rendered
only when there are none, and nothing is written until every page is
rendered. ``check_site`` is the build minus the write: it plans and renders
every page too, so whatever would stop ``build`` stops ``check``. A ``Memo``
passed in keeps parsed files and anchors between runs (the live preview does
this); without one, every run starts fresh.

``build_project`` holds every output file in memory, which the preview and
the tests want; the command line builds through ``engine``, which runs the
same stages with a persistent cache (a ``DiskMemo``), renders only the pages
whose inputs changed, on every core, and writes each file as it is rendered.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import jinja2

from . import search_index
from .anchor import anchor_claims
from .cache import Memo
from .diagnostics import BuildFailed, Problem
from .load import Project, read_project
from .model import Claim, Site, frozen_map
from .pages import PageSpec, plan_pages
from .readers import published_only, read_site
from .render import make_env, render_pages


def check_project(project: Project, memo: Memo | None = None, *, strict: bool = False) -> Site:
    """Validate and anchor everything (drafts included) → the site, carrying its anchors.

    Raises BuildFailed with every error found, two pages on one path too; warnings (a draft's problems, a missing
    short form) and notes ride along in ``Site.warnings``. ``strict`` makes every warning an error (for CI and
    publication).
    """
    memo = memo or Memo()
    problems = project.problems()
    site, found = read_site(project, memo)
    problems += found
    anchors = {}
    for slug, claims in site.claims.items():
        article = site.articles[slug]
        placed, found = memo.get(("anchor", article, claims), lambda a=article, c=claims: anchor_claims(a, c))
        anchors.update(placed)
        drafts = {(c.quote_at.path, c.quote_at.line) for c in claims if c.draft or article.draft}
        problems += [replace(p, severity="warning") if (p.path, p.line) in drafts else p for p in found]
    site = replace(site, anchors=frozen_map(anchors))
    stopping = ("error", "warning") if strict else ("error",)
    if any(p.severity in stopping for p in problems):
        raise BuildFailed(problems + _collisions(project, site))
    return replace(site, warnings=tuple(sorted(set(problems))))


def _collisions(project: Project, site: Site) -> list[Problem]:
    """Two pages on one path in the valid part of a site that has other problems, so that one run lists
    them with the rest (``plan`` will not run). A claim id used twice is reported where it is defined, so
    its second page is not planned: that would say the same mistake again."""
    first: dict[str, Claim] = {}
    for claims in site.claims.values():
        for claim in claims:
            first.setdefault(claim.id, claim)
    kept = {slug: tuple(c for c in claims if first[c.id] is c) for slug, claims in site.claims.items()}
    return plan_pages(published_only(replace(site, claims=frozen_map(kept))), project.static)[1]


def plan(project: Project, site: Site, *, drafts: bool = False) -> tuple[Site, list[PageSpec]]:
    """The site as published (drafts left out unless asked for) and every page it will have.

    Raises BuildFailed when two pages, or a page and a static file, would have one path.
    """
    shown = site if drafts else published_only(site)
    pages, problems = plan_pages(shown, project.static)
    if problems:
        raise BuildFailed(problems)
    return shown, pages


def render(project: Project, site: Site, pages: list[PageSpec], env: jinja2.Environment | None = None) -> dict[str, bytes]:
    """Render ``pages`` → {path: bytes}. Raises BuildFailed for a template error, located in its file."""
    return render_pages(env or make_env(project.templates), site, pages)


def build_project(
    project: Project, *, drafts: bool = False, memo: Memo | None = None, strict: bool = False
) -> tuple[dict[str, bytes], Site]:
    """Every output file in memory ({path inside site/: bytes}) and the checked site (its warnings too).

    Raises BuildFailed.
    """
    site = check_project(project, memo, strict=strict)
    shown, pages = plan(project, site, drafts=drafts)
    files = render(project, shown, pages)
    files.update(search_index.build(shown, memo))  # the search page's index: pagefind/
    return {**files, **project.static}, site


def build_site(root: Path, *, drafts: bool = False) -> dict[str, bytes]:
    """Read the project at ``root`` and build it in memory. Raises BuildFailed."""
    return build_project(read_project(Path(root)), drafts=drafts)[0]


def check_site(root: Path, *, strict: bool = False) -> Site:
    """Everything ``build`` does but the write: read, validate, anchor, plan and render. Raises BuildFailed."""
    return build_project(read_project(Path(root)), strict=strict)[1]
