"""The sources: an index of every source, grouped (primary documents first) and paged, and a page per
source with its details, its archived copy, and every claim and event that cites it (paged when long)."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site, Source
from .paging import PER_PAGE, chunks, citing_page, count, item_pages, pager, split_key
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
    for source in ordered:
        pages += item_pages("source", source.id, layout.source_url(source.id), site, inputs.common)
    return pages


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
    events = views.events_citing_source.get(source_id, [])
    return {
        **views.base(),
        **citing_page(views, "source", source_id, number, layout.source_url(source_id)),
        "source": views.site.sources[source_id],
        "events": events if number == 1 else [],
        "events_total": len(events),
    }


def _order(source: Source) -> tuple:
    date = source.published.earliest().isoformat() if source.published else "9999"
    return (date, source.publisher.lower(), source.id)


KINDS = {
    "sources": Kind(TEMPLATE, context, "the sources page"),
    "source": Kind(SOURCE_TEMPLATE, source_context, "a source's page"),
}
