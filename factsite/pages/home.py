"""The home page: the newest articles with their verdict summaries, and the way into the archive."""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .archive import article_keys, newest_first, older_page
from .paging import PER_PAGE
from .spec import Inputs, Kind, PageSpec, listing
from .views import Views

TEMPLATE = "index.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    shown = newest_first(site)[: PER_PAGE["articles"]]
    # Which articles are newest depends on every article's date: the listing key names them, and the total.
    # A draft claim is left out when a source or event it cites breaks: those files feed the summaries too.
    listed = listing("home", len(site.articles), shown)
    return [PageSpec(path=layout.HOME, kind="home", inputs=inputs.common | article_keys(shown) | {"sources", "timeline", listed})]


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    shown = newest_first(site)[: PER_PAGE["articles"]]
    return {
        **views.base(),
        "articles": [views.article_summary(site.articles[slug]) for slug in shown],
        "total": len(site.articles),
        "older": older_page(site, len(shown)),
        "facts": [{"fact": f, "url": layout.fact_path(f.id)} for f in site.facts.values()],
    }


KINDS = {"home": Kind(TEMPLATE, context, "the home page")}
