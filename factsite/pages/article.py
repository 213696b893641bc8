"""The article page: what it got wrong first, then the article's own words with every claim in place and
its note beside it, and the story's timeline beside the text (the events its claims cite)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import layout, vocab
from ..dates import relation
from ..highlight import pieces
from ..model import Anchor, Article, Loc, Site
from .spec import Inputs, Kind, PageSpec
from .views import Views, published_text, window

TEMPLATE = "article.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [
        PageSpec(
            path=layout.article_path(slug),
            kind="article",
            key=slug,
            inputs=inputs.common | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"},
            origin=Loc(path=article.path, line=0, col=0),
        )
        for slug, article in site.articles.items()
    ]


def context(views: Views, slug: str) -> dict[str, Any]:
    site = views.site
    article = site.articles[slug]
    claims = sorted((views.claim_view(c) for c in site.claims.get(slug, ()) if c.id in site.anchors), key=lambda v: v["number"])
    blocks = block_pieces(article, claims, site.anchors)
    return {
        **views.base(),
        "summary": views.article_summary(article),
        "article": article,
        "blocks": blocks,
        "headline": blocks[0]["pieces"] if article.headline_in_text else None,
        "review": site.reviews.get(slug),
        "claims": claims,
        "problems": [c for c in claims if c["tier"] == "problem"],
        "timeline": timeline_items(views, article, claims, cited_only=True),
        "story": site.stories[article.story],
        "story_url": layout.story_path(article.story, default=site.stories[article.story].default),
        "all_events": len(site.story_events(article.story)),
        "original_url": "" if article.url == layout.UNKNOWN else article.url,
        # The original article in its own language, for search engines (base.html's hreflang links); none when unknown.
        "alternates": [] if article.url == layout.UNKNOWN else [{"hreflang": article.lang, "href": article.url}],
        "author": "Unknown" if article.author == layout.UNKNOWN else article.author,
    }


def timeline_items(views: Views, article: Article, claims: list[dict], *, cited_only: bool) -> list[dict[str, Any]]:
    """Events in order (only those the claims cite, if asked), each placed against the article's publication,
    with a marker where the article's own date falls among them."""
    site = views.site
    cited: dict[str, list[dict]] = {}
    for view in claims:
        for event in view["claim"].events:
            cited.setdefault(event, []).append(view)
    known = window(article)
    marker = {"kind": "published", "article": article, "text": published_text(article), "exact": bool(known and known.latest)}
    items: list[dict[str, Any]] = []
    placed = known is None
    # The events its claims cite (of any story), or every event of its story.
    for event in site.events.values() if cited_only else site.story_events(article.story):
        if cited_only and event.id not in cited:
            continue
        where = relation(event.date, event.end, known) if known else layout.UNKNOWN
        if not placed and where in ("after", "later"):
            items.append(marker)
            placed = True
        items.append(
            {
                "kind": "event",
                "event": event,
                "cited_by": cited.get(event.id, []),
                "relation": where,
                "since": article.not_before.display() if article.not_before else "",
                "status": vocab.STATUSES[event.status],
                "sources": [site.sources[s] for s in event.sources],
            }
        )
    if not placed:
        items.append(marker)
    return items


def block_pieces(article: Article, claims: list[dict], anchors: Mapping[str, Anchor]) -> list[dict[str, Any]]:
    """Each block of the article with its text cut into pieces around the claims' passages."""
    by_block: dict[int, list[tuple[Anchor, dict]]] = {}
    for view in claims:
        anchor = anchors[view["id"]]
        by_block.setdefault(anchor.block, []).append((anchor, view))
    return [{"block": block, "pieces": pieces(block.text, by_block.get(n, []))} for n, block in enumerate(article.blocks)]


KINDS = {"article": Kind(TEMPLATE, context, "an article page")}
