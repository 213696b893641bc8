"""The home page: every article with its verdict summary, and the shared facts."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views, pub_order

TEMPLATE = "index.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.HOME, kind="home", inputs=inputs.common | inputs.all_articles | inputs.all_claims)]


def context(views: Views, key: str) -> dict[str, Any]:
    summaries = [views.article_summary(a) for a in views.site.articles.values()]
    summaries.sort(key=lambda s: (pub_order(s["article"]), s["article"].slug))
    facts = [views.fact_summary(f) for f in views.site.facts.values()]
    return {**views.base(), "articles": summaries, "facts": facts}


KINDS = {"home": Kind(TEMPLATE, context, "the home page")}
