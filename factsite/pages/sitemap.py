"""``sitemap.xml`` (the sitemaps.org protocol) and ``robots.txt``, which names it.

The sitemap lists every HTML page the site plans (asking every page-kind module, as the build does)
except the 404 page and any page a module declares ``noindex`` in its ``NOINDEX`` set of kinds,
each at its absolute address (``layout.absolute``: ``…/index.html`` is ``…/``), sorted.

``lastmod`` is a content date, never the build's: the newest *record* date of what the page shows,
a review (``review.on``) or a change on the record (``history``):

| page | lastmod |
|---|---|
| a claim | its last change, else its article's review date |
| an article | the newest of its review date and its claims' dates |
| the home page | the newest of every article's |
| the facts index, a fact | the newest of the claims they compare |
| the timeline, the sources | the newest of the claims they list and of their events' changes |
| a source, an event | the newest of the claims citing it (and of the event's changes) |
| the corrections page | its newest change, else the newest review date (which it then shows) |
| prose pages, the archive, and any other | none: they show no dated record of their own |

The protocol allows 50,000 addresses a file: a larger site gets ``sitemap.xml`` as a sitemap index
naming ``sitemaps/<n>.xml``, each of at most 50,000 addresses.

The dates of events and sources are left out on purpose: they say when something happened or was
published elsewhere, not when the page changed, and a planned event may lie in the future.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from .. import layout
from ..model import Claim, Site
from .feeds import article_updated, claim_updated, newest_review
from .spec import Inputs, Kind, PageSpec, per_site
from .views import Views

SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PER_FILE = 50_000
"""The protocol's limit of addresses in one sitemap file."""


def part_path(number: int) -> str:
    return f"sitemaps/{number}.xml"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    pages = [
        PageSpec(path=layout.SITEMAP, kind="sitemap", inputs=inputs.everything),
        PageSpec(path=layout.ROBOTS, kind="robots", inputs=frozenset({"site"})),
    ]
    parts = _parts(len(indexed_pages(site)))
    if parts > 1:
        pages += [PageSpec(path=part_path(n), kind="sitemap", key=str(n), inputs=inputs.everything) for n in range(1, parts + 1)]
    return pages


def _parts(addresses: int) -> int:
    return max(1, -(-addresses // PER_FILE))


def indexed_pages(site: Site) -> list[PageSpec]:
    """The HTML pages search engines may index: every planned ``.html`` page but the 404 page and ``noindex`` kinds."""
    from . import MODULES, plan_pages  # here, not at the top: this module is one of theirs

    noindex = {kind for module in MODULES for kind in getattr(module, "NOINDEX", ())}
    specs = per_site(site, "plan without the sitemap", lambda: plan_pages(site, with_sitemap=False)[0])
    return [s for s in specs if s.path.endswith(".html") and s.path != layout.NOT_FOUND and s.kind not in noindex]


def lastmod(views: Views, spec: PageSpec) -> dt.date | None:
    """The page's content date (see the module's table), or None when it shows no dated record."""
    if spec.kind in _WHOLE_SITE:  # the same for each of its numbered pages: computed once
        memo = views.__dict__.setdefault("_sitemap_kinds", {})
        if spec.kind not in memo:
            memo[spec.kind] = _lastmod(views, spec)
        return memo[spec.kind]
    return _lastmod(views, spec)


_WHOLE_SITE = {"home", "facts", "timeline", "sources", "corrections"}
"""Kinds whose date is made from the whole site, not from the page's key."""


def _lastmod(views: Views, spec: PageSpec) -> dt.date | None:
    site = views.site
    if spec.kind == "claim":
        return claim_updated(views, views.claims_by_id[spec.key])
    if spec.kind == "article":
        return article_updated(views, site.articles[spec.key])
    if spec.kind == "home":
        return _newest(article_updated(views, a) for a in site.articles.values())
    if spec.kind == "facts":
        return _claims(views, (c for c in views.published_claims() if c.fact))
    if spec.kind in ("fact", "source", "event"):
        item = spec.key.rpartition("/")[0]
        changes = [change.date.earliest() for change in site.events[item].history] if spec.kind == "event" else []
        return _newest([_cited_lastmod(views, spec.kind, item), *changes])
    if spec.kind in ("timeline", "sources"):
        field = "events" if spec.kind == "timeline" else "sources"
        listed = _claims(views, (c for c in views.published_claims() if getattr(c, field)))
        changes = (change.date.earliest() for e in site.events.values() for change in e.history)
        return _newest([listed, *changes])
    if spec.kind == "corrections":
        return _newest(e["date"].earliest() for e in views.corrections()) or newest_review(views)
    return None


def _cited_lastmod(views: Views, kind: str, item: str) -> dt.date | None:
    """The newest date of the claims citing an item, once per item (its numbered pages share it)."""
    memo = views.__dict__.setdefault("_sitemap_cited", {})
    if (kind, item) not in memo:
        memo[kind, item] = _claims(views, views.citing(kind, item))
    return memo[kind, item]


def _claims(views: Views, claims: Iterable[Claim]) -> dt.date | None:
    return _newest(claim_updated(views, c) for c in claims)


def _newest(dates: Iterable[dt.date | None]) -> dt.date | None:
    return max((d for d in dates if d), default=None)


def sitemap(views: Views, key: str) -> bytes:
    """The sitemap (``key`` empty), or the index of its parts and part ``key`` when it needs several."""
    base = views.site.settings.base_url
    specs = sorted(indexed_pages(views.site), key=lambda spec: layout.absolute(base, spec.path))
    parts = _parts(len(specs))
    if parts > 1 and not key:
        index = ET.Element("sitemapindex", {"xmlns": SITEMAPS})
        for n in range(1, parts + 1):
            ET.SubElement(ET.SubElement(index, "sitemap"), "loc").text = layout.absolute(base, part_path(n))
        ET.indent(index)
        return ET.tostring(index, encoding="UTF-8", xml_declaration=True) + b"\n"
    if key:
        specs = specs[(int(key) - 1) * PER_FILE : int(key) * PER_FILE]
    rows = [(layout.absolute(base, spec.path), lastmod(views, spec)) for spec in specs]
    urlset = ET.Element("urlset", {"xmlns": SITEMAPS})
    for loc, day in rows:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = loc
        if day:
            ET.SubElement(url, "lastmod").text = day.isoformat()
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="UTF-8", xml_declaration=True) + b"\n"


def robots(views: Views, key: str) -> bytes:
    """Everything may be crawled; the sitemap is named by its absolute address, as the protocol asks.

    Crawlers read ``robots.txt`` only at a host's root: when ``base_url`` has a path, this file takes
    effect only if the host serves it (or its ``Sitemap:`` line) there."""
    url = layout.absolute(views.site.settings.base_url, layout.SITEMAP)
    return f"User-agent: *\nAllow: /\n\nSitemap: {url}\n".encode()


KINDS = {
    "sitemap": Kind(None, None, "the sitemap", data=sitemap),
    "robots": Kind(None, None, "robots.txt", data=robots),
}
