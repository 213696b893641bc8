"""The shared facts: an index, and a page per fact comparing every article's wording and verdict."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "facts.html"
FACT_TEMPLATE = "fact.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    if not site.facts:
        return []
    pages = [PageSpec(path=layout.FACTS_INDEX, kind="facts", inputs=inputs.common | inputs.all_articles | inputs.all_claims)]
    pages += [
        PageSpec(path=layout.fact_path(fact_id), kind="fact", key=fact_id, inputs=inputs.everything, origin=fact.at)
        for fact_id, fact in site.facts.items()
    ]
    return pages


def context(views: Views, key: str) -> dict[str, Any]:
    return {**views.base(), "facts": [views.fact_summary(f) for f in views.site.facts.values()]}


def fact_context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    fact = site.facts[key]
    return {
        **views.base(),
        **views.fact_summary(fact),
        "sources": [site.sources[s] for s in fact.sources],
        "events": [site.events[e] for e in fact.events],
        "history": [views.change_view(change) for change in fact.history],
    }


KINDS = {
    "facts": Kind(TEMPLATE, context, "the index of shared facts"),
    "fact": Kind(FACT_TEMPLATE, fact_context, "a shared fact's page"),
}
