"""The shared facts: an index (paged when long), and a page per fact comparing every article's wording
and verdict, its comparisons paged when long."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .paging import PER_PAGE, chunks, count, page_key, pager, split_key
from .sources import citing_articles
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
    citing = citing_articles(site, lambda claim: (claim.fact,) if claim.fact else ())
    for fact_id, fact in site.facts.items():
        articles, claims = citing.get(fact_id, (frozenset({"sources", "timeline"}), 0))
        first = layout.fact_path(fact_id)
        pages += [
            PageSpec(
                path=layout.paged(first, n),
                kind="fact",
                key=page_key(fact_id, n),
                inputs=inputs.common | articles | {"sources", "timeline"},
                origin=fact.at,
            )
            for n in range(1, count(claims, PER_PAGE["claims"]) + 1)
        ]
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
    claims = views.citing("fact", fact_id)
    first = layout.fact_path(fact_id)
    return {
        **views.base(),
        **views.fact_summary(fact),
        "claims": [views.claim_view(c) for c in chunks(claims, PER_PAGE["claims"])[number - 1]],
        "first_claim": (number - 1) * PER_PAGE["claims"] + 1,
        "claims_total": len(claims),
        "sources": [site.sources[s] for s in fact.sources],
        "events": [site.events[e] for e in fact.events],
        "history": [views.change_view(change) for change in fact.history],
        "pager": pager(number, count(len(claims), PER_PAGE["claims"]), lambda n: layout.paged(first, n)),
    }


KINDS = {
    "facts": Kind(TEMPLATE, context, "the index of shared facts"),
    "fact": Kind(FACT_TEMPLATE, fact_context, "a shared fact's page"),
}
