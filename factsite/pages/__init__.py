"""The kinds of page the site has, one module each, listed in one table.

Each module has ``plan(site, inputs)``, the pages of its kind as plain
``PageSpec`` values, and ``KINDS``, how each kind is made: a template and a
``context(views, key)`` of the values it receives, or ``data(views, key)``
for a file that is not HTML. ``plan_pages`` asks every module in the order of
``MODULES`` and checks
that no two pages (or a page and a static file) claim one output path, with a
message at the file that asked for the later one. ``render.py`` turns the plan
into bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..diagnostics import Problem
from ..layout import STATIC
from ..model import Site
from . import (
    archive,
    article,
    claim,
    corrections,
    dataset,
    facts,
    feeds,
    home,
    notfound,
    prose,
    search,
    sitemap,
    sources,
    timeline,
    verdicts_css,
    webannotation,
)
from .spec import Inputs, Kind, PageSpec, input_keys, per_site
from .views import Views

__all__ = ["KINDS", "MODULES", "Kind", "PageSpec", "Views", "input_keys", "plan_pages"]


MODULES = (
    home,
    archive,
    timeline,
    sources,
    verdicts_css,
    corrections,
    notfound,
    search,
    feeds,
    sitemap,
    article,
    claim,
    webannotation,
    facts,
    prose,
    dataset,
)
"""Every page-kind module, in planning order: the site's own pages first, so that a content file that
collides with one of them is the one the message names. Each has ``plan(site, inputs)`` and ``KINDS``."""

KINDS: dict[str, Kind] = {name: kind for module in MODULES for name, kind in module.KINDS.items()}
"""Every kind of page, by the name a ``PageSpec`` gives in ``kind``."""


def plan_pages(site: Site, static: Iterable[str] = (), *, with_sitemap: bool = True) -> tuple[list[PageSpec], list[Problem]]:
    """Every page of the site in a fixed order, and a problem for each page whose path is already taken.

    ``static`` lists the paths of the static files copied into the site (``static/style.css``).
    ``with_sitemap=False`` leaves out the sitemap's files (which are planned from the other pages).
    """
    inputs = Inputs(site)
    planned = {module: module.plan(site, inputs) for module in MODULES if module is not sitemap}
    others = [spec for module in MODULES if module is not sitemap for spec in planned[module]]
    if not with_sitemap:
        return _kept(others, static)
    # The sitemap counts the pages it lists (every other page): from these, not from a second plan of them all.
    per_site(site, "plan without the sitemap", lambda: _kept(others, ())[0])
    planned[sitemap] = sitemap.plan(site, inputs)
    return _kept([spec for module in MODULES for spec in planned[module]], static)


def _kept(pages: list[PageSpec], static: Iterable[str]) -> tuple[list[PageSpec], list[Problem]]:
    """``pages`` but those whose path is already taken (by an earlier page or a static file), and a problem
    for each of those."""
    taken: dict[str, str] = {path: f"the static file {STATIC}/{path.removeprefix('static/')}" for path in static}
    problems: list[Problem] = []
    kept: list[PageSpec] = []
    for spec in pages:
        if spec.path in taken:
            where = spec.origin
            problems.append(
                Problem(
                    path=where.path if where else "templates",
                    line=where.line if where else 0,
                    col=where.col if where else 0,
                    message=f"this would make {spec.path}, which is already {taken[spec.path]}; "
                    f"rename it (the name {spec.path.rsplit('/', 1)[-1].removesuffix('.html')!r} is taken)",
                )
            )
            continue
        taken[spec.path] = KINDS[spec.kind].describe
        kept.append(spec)
    return kept, problems
