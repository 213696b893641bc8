"""The corrections page: every correction, update and clarification on the record, newest first."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "corrections.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.CORRECTIONS, kind="corrections", inputs=inputs.everything)]


def context(views: Views, key: str) -> dict[str, Any]:
    entries = views.corrections()
    return {**views.base(), "entries": entries, "reviewed": sorted({r.on for r in views.site.reviews.values()})}


KINDS = {"corrections": Kind(TEMPLATE, context, "the corrections page")}
