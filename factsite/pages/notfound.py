"""``404.html``: the page a host serves for any address the site does not have, in the site's design.

A host serves it at whatever address was asked for (``/r2-fact-check/a/b/c/missing``), so, unlike
every other page, its links and style sheets cannot be relative: this page alone gets absolute paths
from the path of ``base_url`` (``/r2-fact-check/static/style.css``). Its context replaces ``link``
and ``root`` (which ``base.html`` and the macros use) with versions that give those paths. It is
``noindex``, so the sitemap leaves it out, and it has no canonical address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .. import layout
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "404.html"

NOINDEX = frozenset({"notfound"})
"""Kinds of page search engines must not index (``<meta name="robots" content="noindex">``): the sitemap omits them."""


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.NOT_FOUND, kind="notfound", inputs=inputs.common)]


def rooted(base_url: str, path: str) -> str:
    """A site path as an absolute path on the host: ``static/style.css`` → ``/r2-fact-check/static/style.css``."""
    parts = urlsplit(layout.absolute(base_url, path))
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def context(views: Views, key: str) -> dict[str, Any]:
    base_url = views.site.settings.base_url

    def link(kind: str, key: str = "") -> str:
        return rooted(base_url, layout.url_for(kind, key))

    return {**views.base(), "root": rooted(base_url, ""), "link": link}


KINDS = {"notfound": Kind(TEMPLATE, context, "the page not found")}
