"""A page for each claim, at ``claims/<id>.html``: the passage in its paragraph, the verdict and why, the
sources, the events, and a link to what other articles said of the same fact (on the fact's page, so
that the page's size and the cost of an edit do not grow with the archive). The page a reader shares."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..highlight import pieces
from ..model import Site
from .jsonld import claim_review, script_json
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "claim.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    pages = []
    for slug, claims in site.claims.items():
        shared = inputs.common | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"}  # one set per article
        for claim in claims:
            if claim.id not in site.anchors:
                continue
            pages.append(
                PageSpec(
                    path=layout.claim_path(claim.id),
                    kind="claim",
                    key=claim.id,
                    origin=claim.quote_at,
                    inputs=shared,
                )
            )
    return pages


def context(views: Views, claim_id: str) -> dict[str, Any]:
    site = views.site
    claim = views.claims_by_id[claim_id]
    view = views.claim_view(claim)
    anchor = site.anchors[claim_id]
    block = view["article"].blocks[anchor.block]
    return {
        **views.base(),
        "c": view,
        "paragraph": pieces(block.text, [(anchor, view)]),
        "heading": block.level > 0,
        "review": site.reviews.get(claim.article),
        "jsonld": script_json(claim_review(views, claim)),
    }


KINDS = {"claim": Kind(TEMPLATE, context, "a claim's page")}
