"""Prose pages (``content/pages/<slug>.md``): About, Methodology, and any other the desk writes."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Loc, Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "page.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [
        PageSpec(
            path=layout.page_path(slug), kind="page", key=slug, inputs=inputs.common, origin=Loc(path=page.path, line=0, col=0)
        )
        for slug, page in site.pages.items()
    ]


def context(views: Views, key: str) -> dict[str, Any]:
    best = max((v.rating for v in views.site.verdicts.values()), default=0)
    return {**views.base(), "page": views.site.pages[key], "best_rating": best}


KINDS = {"page": Kind(TEMPLATE, context, "a prose page")}
