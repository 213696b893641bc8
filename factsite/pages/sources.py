"""The sources: an index of every source, grouped (primary documents first) and paged, and a page per
source with its details, its archived copy, and every claim and event that cites it (paged when long)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .. import layout
from ..model import Claim, Site, Source
from .paging import PER_PAGE, chunks, count, page_key, pager, split_key
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "sources.html"
SOURCE_TEMPLATE = "source.html"
GROUPS = (("primary", "Primary documents"), ("secondary", "Reports and other secondary sources"))


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    ordered = ordered_sources(site)
    # The index shows how many claims cite each source: any claims file may change it.
    index_inputs = inputs.common | inputs.all_claims | {"sources", "timeline"}
    pages = [
        PageSpec(path=layout.paged(layout.SOURCES, n), kind="sources", key=str(n), inputs=index_inputs)
        for n in range(1, count(len(ordered), PER_PAGE["sources"]) + 1)
    ]
    citing = citing_articles(site, lambda claim: claim.sources)
    for source in ordered:
        articles, claims = citing.get(source.id, (frozenset({"sources", "timeline"}), 0))
        first = layout.source_url(source.id)
        pages += [
            PageSpec(path=layout.paged(first, n), kind="source", key=page_key(source.id, n), inputs=inputs.common | articles)
            for n in range(1, count(claims, PER_PAGE["claims"]) + 1)
        ]
    return pages


def citing_articles(site: Site, cited: Callable[[Claim], Iterable[str]]) -> dict[str, tuple[frozenset[str], int]]:
    """Item id → (the input keys of the articles whose published claims cite it, how many claims do), for the
    ids ``cited(claim)`` gives: what a page listing an item's claims depends on (besides the sources and the
    timeline), and how many pages it needs. A claims file that cites the item only in a claim that is not
    shown counts as well: publishing that claim changes the page. One pass over every claim."""
    keys: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for slug, claims in site.claims.items():
        for claim in claims:
            for item in cited(claim):
                keys.setdefault(item, {"sources", "timeline"}).update((f"article:{slug}", f"claims:{slug}"))
                counts[item] = counts.get(item, 0) + (claim.id in site.anchors)
    return {item: (frozenset(found), counts[item]) for item, found in keys.items()}


def ordered_sources(site: Site) -> list[Source]:
    """Primary documents first, then in date order like the timeline; undated sources last."""
    kinds = {kind: n for n, (kind, _) in enumerate(GROUPS)}
    return sorted(site.sources.values(), key=lambda s: (kinds.get(s.kind, len(kinds)), *_order(s)))


def context(views: Views, key: str) -> dict[str, Any]:
    number = int(key)
    ordered = ordered_sources(views.site)
    shown = chunks(ordered, PER_PAGE["sources"])[number - 1]
    rows = [
        {
            "source": s,
            "url": layout.source_url(s.id),
            "claims": views.citing_count("source", s.id),
            "events": len(views.events_citing_source.get(s.id, ())),
        }
        for s in shown
    ]
    groups = [{"kind": kind, "title": title, "rows": [r for r in rows if r["source"].kind == kind]} for kind, title in GROUPS]
    totals = {kind: sum(1 for s in ordered if s.kind == kind) for kind, _ in GROUPS}
    return {
        **views.base(),
        "groups": [{**g, "total": totals[g["kind"]]} for g in groups if g["rows"]],
        "total": len(ordered),
        "pager": pager(number, count(len(ordered), PER_PAGE["sources"]), lambda n: layout.paged(layout.SOURCES, n)),
    }


def source_context(views: Views, key: str) -> dict[str, Any]:
    source_id, number = split_key(key)
    source = views.site.sources[source_id]
    claims = views.citing("source", source_id)
    first = layout.source_url(source_id)
    return {
        **views.base(),
        "source": source,
        "claims": [views.claim_view(c) for c in chunks(claims, PER_PAGE["claims"])[number - 1]],
        "claims_total": len(claims),
        "first_claim": (number - 1) * PER_PAGE["claims"] + 1,
        "events": views.events_citing_source.get(source_id, []) if number == 1 else [],
        "events_total": len(views.events_citing_source.get(source_id, ())),
        "pager": pager(number, count(len(claims), PER_PAGE["claims"]), lambda n: layout.paged(first, n)),
    }


def _order(source: Source) -> tuple:
    date = source.published.earliest().isoformat() if source.published else "9999"
    return (date, source.publisher.lower(), source.id)


KINDS = {
    "sources": Kind(TEMPLATE, context, "the sources page"),
    "source": Kind(SOURCE_TEMPLATE, source_context, "a source's page"),
}
