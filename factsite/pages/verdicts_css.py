"""``static/verdicts.css``: the verdict colours, generated from the scale (no inline style is allowed)."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "verdicts.css"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.VERDICTS_CSS, kind="verdicts-css", inputs=frozenset({"verdicts", "templates"}))]


def context(views: Views, key: str) -> dict[str, Any]:
    return views.base()


KINDS = {"verdicts-css": Kind(TEMPLATE, context, "the generated verdict style sheet")}
