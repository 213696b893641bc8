"""The article page: the article's own words with every claim highlighted in place, the claim cards,
and the story's timeline beside them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from .. import layout, vocab
from ..dates import relation
from ..model import Anchor, Article, Loc, Site
from .spec import Inputs, PageSpec
from .views import Views, publication_window, published_text

TEMPLATE = "article.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [PageSpec(path=layout.article_path(slug), kind="article", key=slug,
                     inputs=inputs.common | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"},
                     origin=Loc(path=site.articles[slug].path, line=0, col=0)) for slug in site.articles]


def context(views: Views, slug: str) -> dict[str, Any]:
    site = views.site
    article = site.articles[slug]
    claims = sorted((views.claim_view(c) for c in site.claims.get(slug, ()) if c.id in site.anchors),
                    key=lambda v: v["number"])
    blocks = _render_blocks(article, claims, site.anchors)
    return {
        **views.base(), "summary": views.article_summary(article), "article": article, "blocks": blocks,
        "headline": blocks[0]["html"] if article.headline_in_text else None,
        "review": site.reviews.get(slug), "claims": claims,
        "timeline": _timeline(views, article, claims),
        "original_url": "" if article.url == layout.UNKNOWN else article.url,
        "author": "Unknown" if article.author == layout.UNKNOWN else article.author,
    }


def _timeline(views: Views, article: Article, claims: list[dict]) -> list[dict[str, Any]]:
    """Events in order, each marked cited/after publication, with the article's own date placed among them."""
    site = views.site
    cited: dict[str, list[dict]] = {}
    for view in claims:
        for event in view["claim"].events:
            cited.setdefault(event, []).append(view)
    window = publication_window(article)
    items: list[dict[str, Any]] = []
    placed = window is None
    for event in site.events.values():
        where = relation(event.date, event.end, *window) if window else layout.UNKNOWN
        if not placed and where == "after":
            items.append({"kind": "published", "article": article, "text": published_text(article)})
            placed = True
        items.append({"kind": "event", "event": event, "cited_by": cited.get(event.id, []), "relation": where,
                      "status": vocab.STATUSES[event.status], "sources": [site.sources[s] for s in event.sources]})
    if not placed:
        items.append({"kind": "published", "article": article, "text": published_text(article)})
    return items


def _render_blocks(article: Article, claims: list[dict], anchors: Mapping[str, Anchor]) -> list[dict[str, Any]]:
    """Article blocks with each claim's quote wrapped in a mark, followed by its numbered verdict link."""
    by_block: dict[int, list[tuple[Anchor, dict]]] = {}
    for view in claims:
        anchor = anchors[view["id"]]
        by_block.setdefault(anchor.block, []).append((anchor, view))
    return [{"block": block, "html": _highlight(block.text, by_block.get(n, []))}
            for n, block in enumerate(article.blocks)]


def _highlight(text: str, spans: list[tuple[Anchor, dict]]) -> Markup:
    """Escape ``text``, wrapping each (properly nested) span in ``<mark>`` plus a link to its claim card."""
    opens = sorted(spans, key=lambda s: (s[0].start, -s[0].end))
    out: list[str] = []
    stack: list[tuple[Anchor, dict]] = []
    pos = 0

    def close_until(limit: int) -> None:
        nonlocal pos
        while stack and stack[-1][0].end <= limit:
            anchor, view = stack.pop()
            out.append(str(escape(text[pos:anchor.end])) + "</mark>" + _claim_ref(view))
            pos = anchor.end

    for anchor, view in opens:
        close_until(anchor.start)
        out.append(str(escape(text[pos:anchor.start])))
        out.append(f'<mark class="claim" id="quote-{escape(anchor.claim)}" data-verdict="{escape(view["verdict"].id)}">')
        pos = anchor.start
        stack.append((anchor, view))
    close_until(len(text))
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _claim_ref(view: dict) -> str:
    """The numbered verdict label after a quote; ``data-annotation`` marks words the site adds."""
    verdict = view["verdict"]
    qualifier = f'<span class="qualifier"> ({escape(view["qualifier"])})</span>' if view["qualifier"] else ""
    return (f'<a class="claim-ref" href="#claim-{escape(view["id"])}" lang="en" data-annotation '
            f'data-verdict="{escape(verdict.id)}"><span class="visually-hidden">Claim </span>'
            f'<span class="claim-num">{view["number"]}</span> '
            f'<span class="claim-verdict">{escape(verdict.label)}{qualifier}</span></a>')
