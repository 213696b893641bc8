"""The sources page: every source, primary documents first, with the claims and events that cite it."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Event, Site, Source
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "sources.html"
GROUPS = (("primary", "Primary documents"), ("secondary", "Reports and other secondary sources"))


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.SOURCES, kind="sources", inputs=inputs.everything)]


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    claims_for: dict[str, list[dict]] = {}
    for claim in views.published_claims():
        for source in claim.sources:
            claims_for.setdefault(source, []).append(views.claim_view(claim))
    events_for: dict[str, list[Event]] = {}
    for event in site.events.values():
        for source in event.sources:
            events_for.setdefault(source, []).append(event)
    rows = [
        {"source": s, "claims": claims_for.get(s.id, []), "events": events_for.get(s.id, [])}
        for s in sorted(site.sources.values(), key=_order)
    ]
    groups = [{"kind": kind, "title": title, "rows": [r for r in rows if r["source"].kind == kind]} for kind, title in GROUPS]
    return {**views.base(), "groups": [g for g in groups if g["rows"]]}


def _order(source: Source) -> tuple:
    """In date order like the timeline; undated sources last."""
    date = source.published.earliest().isoformat() if source.published else "9999"
    return (date, source.publisher.lower(), source.id)


KINDS = {"sources": Kind(TEMPLATE, context, "the sources page")}
