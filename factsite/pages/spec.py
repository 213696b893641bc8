"""A page to render, as plain data: where it goes, which kind of page it is, and what it depends on.

The plan of a site is a list of these, with nothing in it that cannot be
pickled, so a worker process can take a share of it. ``input_keys`` says which
inputs a project file feeds, so the preview re-renders only the pages a save
affects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from ..layout import ANNOTATIONS_DIR, ARTICLES_DIR, PAGES_DIR, STORIES_DIR, TEMPLATES
from ..model import Loc, Site
from ..readers import facts, settings, sources, timeline, verdicts


@dataclass(frozen=True, kw_only=True)
class PageSpec:
    """One output file of the site."""

    path: str
    """Output path relative to the site root, e.g. ``articles/x.html``."""
    kind: str
    """Its kind, a key of ``pages.KINDS``."""
    key: str = ""
    """Which one of its kind: the article slug, fact id or page slug."""
    inputs: frozenset[str]
    """Input keys (see :func:`input_keys`) whose change means the page must be rendered again."""
    origin: Loc | None = None
    """The file that asks for this page (a prose page, a fact), for the message when two pages collide."""


_SINGLE = {
    settings.PATH: "site",
    verdicts.PATH: "verdicts",
    sources.PATH: "sources",
    timeline.PATH: "timeline",
    facts.PATH: "facts",
}


def input_keys(path: str) -> set[str]:
    """The input keys a project file feeds (``content/annotations/x.yaml`` → ``claims:x``)."""
    stem = PurePosixPath(path).stem
    if path.startswith(TEMPLATES + "/"):
        return {"templates"}
    if path.startswith(ARTICLES_DIR + "/"):
        return {f"article:{stem}"}
    if path.startswith(ANNOTATIONS_DIR + "/"):
        return {f"claims:{stem}"}
    if path.startswith(PAGES_DIR + "/"):
        return {"pages"}
    if path.startswith("seeds/"):
        return {"seeds"}
    if path.startswith(STORIES_DIR + "/"):
        return {"timeline"}  # every story's timeline is one input: event ids are shared across stories
    return {_SINGLE.get(path, "other")}


class Inputs:
    """The input sets pages share: what every page shows (navigation), every article, every claim."""

    def __init__(self, site: Site):
        # With several stories, every page's navigation links to their list, which the timeline files make.
        several = {"timeline"} if len(site.stories) > 1 else set()
        self.common = frozenset({"site", "verdicts", "templates", "pages", "facts"} | several)
        self.all_articles = frozenset(f"article:{slug}" for slug in site.articles)
        self.all_claims = frozenset(f"claims:{slug}" for slug in site.articles)
        self.everything = self.common | self.all_articles | self.all_claims | {"sources", "timeline"}


class Kind(NamedTuple):
    """A kind of page: its template and the function that makes its template values (given the shared
    ``Views`` and the page's key), or, for data (JSON, XML, CSV, text), ``data``, which makes the file's
    bytes itself."""

    template: str | None
    context: Callable[[Any, str], dict[str, Any]] | None
    describe: str
    """How the collision message names a page of this kind."""
    data: Callable[[Any, str], bytes] | None = None


def listing(*parts: object) -> str:
    """An input key standing for what a list page shows of the items it does not show itself (their order,
    their count), made from those values: a page whose share of a long list is unchanged keeps its digest
    when an item elsewhere in the list changes. The values are plain (strings, numbers, lists of them)."""
    return "=" + hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode("ascii")).hexdigest()[:40]


_last: dict[str, tuple[Site, Any]] = {}


def per_site(site: Site, what: str, make: Callable[[], Any]) -> Any:
    """``make()`` once per site for ``what`` (every page of the archive asks for the same order; the sitemap
    for the same plan): kept until a different site asks."""
    kept = _last.get(what)
    if kept is None or kept[0] is not site:
        kept = _last[what] = (site, make())
    return kept[1]
