"""The shared facts: an index (paged when long), and a page per fact comparing every article's wording
and verdict, its comparisons paged when long."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .paging import PER_PAGE, chunks, citing_page, count, item_pages, pager, split_key
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "facts.html"
FACT_TEMPLATE = "fact.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    if not site.facts:
        return []
    # The index counts each fact's claims: any claims file may change it.
    pages = [
        PageSpec(path=layout.paged(layout.FACTS_INDEX, n), kind="facts", key=str(n), inputs=inputs.common | inputs.all_claims)
        for n in range(1, count(len(site.facts), PER_PAGE["facts"]) + 1)
    ]
    for fact_id, fact in site.facts.items():
        pages += item_pages("fact", fact_id, layout.fact_path(fact_id), site, inputs.common, origin=fact.at)
    return pages


def context(views: Views, key: str) -> dict[str, Any]:
    number = int(key)
    facts = list(views.site.facts.values())
    shown = chunks(facts, PER_PAGE["facts"])[number - 1]
    return {
        **views.base(),
        "facts": [views.fact_summary(f) for f in shown],
        "pager": pager(number, count(len(facts), PER_PAGE["facts"]), lambda n: layout.paged(layout.FACTS_INDEX, n)),
    }


def fact_context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    fact_id, number = split_key(key)
    fact = site.facts[fact_id]
    return {
        **views.base(),
        **views.fact_summary(fact),
        **citing_page(views, "fact", fact_id, number, layout.fact_path(fact_id)),
        "sources": [site.sources[s] for s in fact.sources],
        "events": [site.events[e] for e in fact.events],
        "history": [views.change_view(change) for change in fact.history],
    }


KINDS = {
    "facts": Kind(TEMPLATE, context, "the index of shared facts"),
    "fact": Kind(FACT_TEMPLATE, fact_context, "a shared fact's page"),
}
