"""The timeline page: every event of the story, its sources, and the claims that cite it."""

from __future__ import annotations

from typing import Any

from .. import layout, vocab
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "timeline.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.TIMELINE, kind="timeline", inputs=inputs.everything)]


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    cited: dict[str, list[dict]] = {}
    for claim in views.published_claims():
        for event in claim.events:
            cited.setdefault(event, []).append(views.claim_view(claim))
    events = [
        {
            "event": e,
            "status": vocab.STATUSES[e.status],
            "cited_by": cited.get(e.id, []),
            "sources": [site.sources[s] for s in e.sources],
        }
        for e in site.events.values()
    ]
    return {**views.base(), "events": events}


KINDS = {"timeline": Kind(TEMPLATE, context, "the timeline page")}
