"""The kinds of page the site has, one module each, listed in one table.

Each module has ``plan(site, inputs)``, the pages of its kind as plain
``PageSpec`` values, and ``context(views, key)``, the values its template
receives. ``plan_pages`` asks every kind in the order of ``KINDS`` and checks
that no two pages (or a page and a static file) claim one output path, with a
message at the file that asked for the later one. ``render.py`` turns the plan
into bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ..diagnostics import Problem
from ..layout import STATIC
from ..model import Site
from . import article, claim, facts, home, prose, sources, timeline, verdicts_css
from .spec import Inputs, PageSpec, input_keys
from .views import Views

__all__ = ["KINDS", "PageSpec", "Views", "input_keys", "plan_pages"]


class Kind(NamedTuple):
    """A kind of page: its template, and the function that makes a page's template values."""

    template: str
    context: Callable[[Views, str], dict[str, Any]]
    describe: str
    """How the collision message names a page of this kind."""


KINDS: dict[str, Kind] = {
    "home": Kind(home.TEMPLATE, home.context, "the home page"),
    "timeline": Kind(timeline.TEMPLATE, timeline.context, "the timeline page"),
    "sources": Kind(sources.TEMPLATE, sources.context, "the sources page"),
    "verdicts-css": Kind(verdicts_css.TEMPLATE, verdicts_css.context, "the generated verdict style sheet"),
    "article": Kind(article.TEMPLATE, article.context, "an article page"),
    "claim": Kind(claim.TEMPLATE, claim.context, "a claim's page"),
    "facts": Kind(facts.TEMPLATE, facts.context, "the index of shared facts"),
    "fact": Kind(facts.FACT_TEMPLATE, facts.fact_context, "a shared fact's page"),
    "page": Kind(prose.TEMPLATE, prose.context, "a prose page"),
}
"""Every kind of page, by the name a ``PageSpec`` gives in ``kind``."""

_PLANNERS = (home.plan, timeline.plan, sources.plan, verdicts_css.plan, article.plan, claim.plan, facts.plan, prose.plan)
"""In this order: the site's own pages first, so a content file that collides with one is the one named."""


def plan_pages(site: Site, static: Iterable[str] = ()) -> tuple[list[PageSpec], list[Problem]]:
    """Every page of the site in a fixed order, and a problem for each page whose path is already taken.

    ``static`` lists the paths of the static files copied into the site (``static/style.css``).
    """
    inputs = Inputs(site)
    pages = [spec for planner in _PLANNERS for spec in planner(site, inputs)]
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
