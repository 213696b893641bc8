"""A page for each claim, at ``claims/<id>.html``: the passage in its paragraph, the verdict and why, the
sources, the events, and what other articles said of the same fact. The page a reader shares."""

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
        for claim in claims:
            if claim.id not in site.anchors:
                continue
            # A claim that states a shared fact lists the other articles' claims: any of them may change it.
            wide = inputs.all_articles | inputs.all_claims if claim.fact else frozenset()
            pages.append(
                PageSpec(
                    path=layout.claim_path(claim.id),
                    kind="claim",
                    key=claim.id,
                    origin=claim.quote_at,
                    inputs=inputs.common | wide | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"},
                )
            )
    return pages


def context(views: Views, claim_id: str) -> dict[str, Any]:
    site = views.site
    claim = views.claims_by_id[claim_id]
    view = views.claim_view(claim)
    anchor = site.anchors[claim_id]
    block = view["article"].blocks[anchor.block]
    others = [v for v in views.fact_claims(claim.fact) if v["id"] != claim_id] if claim.fact else []
    return {
        **views.base(),
        "c": view,
        "paragraph": pieces(block.text, [(anchor, view)]),
        "heading": block.level > 0,
        "others": others,
        "review": site.reviews.get(claim.article),
        "jsonld": script_json(claim_review(views, claim)),
    }


KINDS = {"claim": Kind(TEMPLATE, context, "a claim's page")}
