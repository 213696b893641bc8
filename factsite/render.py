"""Turn the checked, anchored site into HTML pages, in memory.

``plan_pages`` lists every page with its template, the inputs it depends on (for
the preview's partial rebuilds) and a function that builds its context;
``render_pages`` renders them. Templates receive plain data and only loop, test
and format: URLs, numbering, highlighting and date wording are computed here.
Autoescape is on; the only HTML marked safe is what this module and
``markdown.render_markdown`` generate.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
from markupsafe import Markup, escape

from . import vocab
from .anchor import Anchor
from .dates import display_range, relation
from .markdown import make_markdown, render_markdown
from .model import Article, Claim, Event, Site, Source


@dataclass(frozen=True)
class PageSpec:
    """A page to render: where it goes, with which template, from which inputs."""

    path: str
    """Output path relative to the site root, e.g. ``articles/x.html``."""
    template: str
    inputs: frozenset[str]
    """Input keys (see :func:`input_keys`) whose change means the page must be rendered again."""
    context: Callable[[], dict[str, Any]]


def make_env(templates_dir: Path) -> jinja2.Environment:
    """The jinja2 environment: autoescape on, undefined names are errors, no stray whitespace."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    md = make_markdown()
    env.filters["markdown"] = lambda text: render_markdown(md, text)
    env.filters["date"] = lambda d, end=None: display_range(d, end) if d else "date unknown"
    return env


def plan_pages(site: Site, anchors: Mapping[str, Anchor]) -> list[PageSpec]:
    """Every page of the site, in a fixed order."""
    all_claims = frozenset(f"claims:{slug}" for slug in site.articles)
    all_articles = frozenset(f"article:{slug}" for slug in site.articles)
    common = frozenset({"site", "verdicts", "templates"})
    views = _Views(site, anchors)
    pages = [
        PageSpec("index.html", "index.html", common | all_articles | all_claims, views.index),
        PageSpec("timeline.html", "timeline.html", common | {"timeline", "sources"} | all_articles | all_claims, views.timeline),
        PageSpec("sources.html", "sources.html", common | {"sources", "timeline"} | all_articles | all_claims, views.sources),
    ]
    for slug in site.articles:
        inputs = common | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"}
        pages.append(PageSpec(f"articles/{slug}.html", "article.html", frozenset(inputs), lambda s=slug: views.article(s)))
    return pages


def render_pages(env: jinja2.Environment, pages: Iterable[PageSpec]) -> dict[str, bytes]:
    """Render each page → {output path: UTF-8 bytes}. Raises ValueError if two pages share a path."""
    out: dict[str, bytes] = {}
    for page in pages:
        if page.path in out:
            raise ValueError(f"two pages would be written to {page.path}")
        root = posixpath.relpath(".", posixpath.dirname(page.path) or ".")
        context = {"root": "" if root == "." else root + "/", "page_path": page.path, **page.context()}
        out[page.path] = env.get_template(page.template).render(context).encode("utf-8")
    return out


def input_keys(path: str) -> set[str]:
    """The input keys a project file feeds (``content/annotations/x.yaml`` → ``claims:x``)."""
    p = Path(path)
    if path.startswith("templates/"):
        return {"templates"}
    if path.startswith("content/articles/"):
        return {f"article:{p.stem}"}
    if path.startswith("content/annotations/"):
        return {f"claims:{p.stem}"}
    if path.startswith("seeds/"):
        return {"seeds"}
    return {{"content/site.yaml": "site", "content/verdicts.yaml": "verdicts", "content/sources.yaml": "sources",
             "content/timeline.yaml": "timeline"}.get(path, "other")}


class _Views:
    """Builds each page's template context from the site (one instance per build)."""

    def __init__(self, site: Site, anchors: Mapping[str, Anchor]):
        self.site, self.anchors = site, anchors
        self.numbers = {slug: _number_claims(claims, anchors) for slug, claims in site.claims.items()}

    def base(self) -> dict[str, Any]:
        return {"settings": self.site.settings, "verdicts": list(self.site.verdicts.values()), "vocab": vocab}

    def claim_view(self, claim: Claim) -> dict[str, Any]:
        article = self.site.articles[claim.article]
        return {
            "id": claim.id, "number": self.numbers[claim.article][claim.id], "claim": claim,
            "article": article, "url": f"articles/{article.slug}.html#claim-{claim.id}",
            "verdict": self.site.verdicts[claim.verdict], "basis": vocab.BASIS[claim.basis],
            "sources": [self.site.sources[s] for s in claim.sources],
            "events": [self.site.events[e] for e in claim.events],
        }

    def article_summary(self, article: Article) -> dict[str, Any]:
        claims = [c for c in self.site.claims.get(article.slug, ()) if c.id in self.anchors]
        counts = Counter(c.verdict for c in claims)
        return {
            "article": article, "url": f"articles/{article.slug}.html", "claims": len(claims),
            "counts": [(v, counts[v.id]) for v in self.site.verdicts.values() if counts[v.id]],
            "published": _published_text(article),
        }

    def index(self) -> dict[str, Any]:
        summaries = [self.article_summary(a) for a in self.site.articles.values()]
        summaries.sort(key=lambda s: (_pub_order(s["article"]), s["article"].slug))
        return {**self.base(), "articles": summaries}

    def article(self, slug: str) -> dict[str, Any]:
        article = self.site.articles[slug]
        claims = sorted((self.claim_view(c) for c in self.site.claims.get(slug, ()) if c.id in self.anchors),
                        key=lambda v: v["number"])
        return {
            **self.base(), "summary": self.article_summary(article), "article": article,
            "blocks": _render_blocks(article, claims, self.anchors),
            "claims": claims, "timeline": self.article_timeline(article, claims),
            "sources_used": self.sources_used(claims),
        }

    def article_timeline(self, article: Article, claims: list[dict]) -> list[dict[str, Any]]:
        """Events in order, each marked cited/after publication, with the article's own date placed among them."""
        cited: dict[str, list[int]] = {}
        for view in claims:
            for event in view["claim"].events:
                cited.setdefault(event, []).append(view["number"])
        window = _publication_window(article)
        items: list[dict[str, Any]] = []
        placed = window is None
        for event in self.site.events.values():
            where = relation(event.date, event.end, *window) if window else "unknown"
            if not placed and where == "after":
                items.append({"kind": "published", "article": article, "text": _published_text(article)})
                placed = True
            items.append({"kind": "event", "event": event, "cited_by": cited.get(event.id, []), "relation": where,
                          "status": vocab.STATUSES[event.status]})
        if not placed:
            items.append({"kind": "published", "article": article, "text": _published_text(article)})
        return items

    def sources_used(self, claims: list[dict]) -> list[Source]:
        seen: dict[str, Source] = {}
        for view in claims:
            for source in view["sources"]:
                seen.setdefault(source.id, source)
        return sorted(seen.values(), key=lambda s: s.id)

    def timeline(self) -> dict[str, Any]:
        cited: dict[str, list[dict]] = {}
        for claims in self.site.claims.values():
            for claim in claims:
                if claim.id in self.anchors:
                    for event in claim.events:
                        cited.setdefault(event, []).append(self.claim_view(claim))
        events = [{"event": e, "status": vocab.STATUSES[e.status], "cited_by": cited.get(e.id, []),
                   "sources": [self.site.sources[s] for s in e.sources]} for e in self.site.events.values()]
        return {**self.base(), "events": events}

    def sources(self) -> dict[str, Any]:
        claims_for: dict[str, list[dict]] = {}
        for claims in self.site.claims.values():
            for claim in claims:
                if claim.id in self.anchors:
                    for source in claim.sources:
                        claims_for.setdefault(source, []).append(self.claim_view(claim))
        events_for: dict[str, list[Event]] = {}
        for event in self.site.events.values():
            for source in event.sources:
                events_for.setdefault(source, []).append(event)
        rows = [{"source": s, "claims": claims_for.get(s.id, []), "events": events_for.get(s.id, [])}
                for s in self.site.sources.values()]
        return {**self.base(), "sources": rows}


def _number_claims(claims: Iterable[Claim], anchors: Mapping[str, Anchor]) -> dict[str, int]:
    """Claim id → 1-based number, in reading order of the quotes (outer before inner)."""
    placed = [anchors[c.id] for c in claims if c.id in anchors]
    placed.sort(key=lambda a: (a.block, a.start, -a.end, a.claim))
    return {a.claim: n for n, a in enumerate(placed, start=1)}


def _publication_window(article: Article):
    """(earliest, latest) possible publication day, or None when nothing bounds it."""
    lo = article.published or article.not_before
    hi = article.published or article.not_after
    if lo is None and hi is None:
        return None
    return (lo or hi).earliest(), (hi or lo).latest()


def _published_text(article: Article) -> str:
    if article.published:
        return article.published.display()
    bounds = [f"not before {article.not_before.display()}" if article.not_before else "",
              f"not after {article.not_after.display()}" if article.not_after else ""]
    known = " and ".join(b for b in bounds if b)
    return f"date unknown ({known})" if known else "date unknown"


def _pub_order(article: Article):
    window = _publication_window(article)
    return window[0].isoformat() if window else "9999"


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
        out.append(f'<mark class="claim" id="quote-{anchor.claim}" data-verdict="{escape(view["verdict"].id)}">')
        pos = anchor.start
        stack.append((anchor, view))
    close_until(len(text))
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _claim_ref(view: dict) -> str:
    """The numbered verdict label after a quote; ``data-annotation`` marks words the site adds."""
    verdict = view["verdict"]
    return (f'<a class="claim-ref" href="#claim-{escape(view["id"])}" lang="en" data-annotation '
            f'data-verdict="{escape(verdict.id)}"><span class="visually-hidden">Claim </span>'
            f'<span class="claim-num">{view["number"]}</span> '
            f'<span class="claim-verdict">{escape(verdict.label)}</span></a>')
