"""Turn the checked, anchored site into HTML pages, in memory.

``plan_pages`` lists every page with its template, the inputs it depends on (for
the preview's partial rebuilds) and a function that builds its context;
``render_pages`` renders them. Templates receive plain data and only loop, test
and format: URLs, numbering, highlighting and date wording are computed here.
Autoescape is on; the only HTML marked safe is what this module and
``markdown.render_markdown`` generate.
"""

from __future__ import annotations

import functools
import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def make_env(templates: Mapping[str, str]) -> jinja2.Environment:
    """The jinja2 environment over the project's templates ({name: source}, read by ``load``):
    autoescape on, undefined names are errors, no stray whitespace."""

    def source(name: str):
        # The file name jinja reports in errors is the path a reviewer can open.
        return (templates[name], f"templates/{name}", lambda: True) if name in templates else None

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    md = make_markdown()
    # Event bodies appear on every article page: render each text once per environment.
    env.filters["markdown"] = functools.lru_cache(maxsize=8192)(lambda text: render_markdown(md, text))
    env.filters["date"] = lambda d, end=None: display_range(d, end) if d else "date unknown"
    env.filters["truncate_url"] = _short_url
    env.globals["vocab_lang"] = vocab.language_name
    return env


def _short_url(url: str, limit: int = 60) -> str:
    """An address for display: without the scheme, shortened in the middle if long."""
    text = url.split("://", 1)[-1]
    return text if len(text) <= limit else text[: limit - 21] + "…" + text[-20:]


def plan_pages(site: Site, anchors: Mapping[str, Anchor]) -> list[PageSpec]:
    """Every page of the site, in a fixed order."""
    all_claims = frozenset(f"claims:{slug}" for slug in site.articles)
    all_articles = frozenset(f"article:{slug}" for slug in site.articles)
    common = frozenset({"site", "verdicts", "templates"})
    views = _Views(site, anchors)
    common = common | {"pages", "facts"}  # the navigation lists pages, and shared facts if any
    everything = common | all_articles | all_claims | {"sources", "timeline"}
    pages = [
        PageSpec("index.html", "index.html", common | all_articles | all_claims, views.index),
        PageSpec("timeline.html", "timeline.html", everything, views.timeline),
        PageSpec("sources.html", "sources.html", everything, views.sources),
        PageSpec("static/verdicts.css", "verdicts.css", frozenset({"verdicts", "templates"}), views.base),
    ]
    for slug in site.articles:
        inputs = common | {"sources", "timeline", f"article:{slug}", f"claims:{slug}"}
        pages.append(PageSpec(f"articles/{slug}.html", "article.html", frozenset(inputs), lambda s=slug: views.article(s)))
    if site.facts:
        pages.append(PageSpec("facts/index.html", "facts.html", common | all_articles | all_claims, views.fact_index))
    for fact_id in site.facts:
        pages.append(PageSpec(f"facts/{fact_id}.html", "fact.html", everything, lambda f=fact_id: views.fact(f)))
    for slug in site.pages:
        pages.append(PageSpec(f"{slug}.html", "page.html", common, lambda s=slug: views.page(s)))
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
    if path.startswith("content/pages/"):
        return {"pages"}
    if path.startswith("seeds/"):
        return {"seeds"}
    return {{"content/site.yaml": "site", "content/verdicts.yaml": "verdicts", "content/sources.yaml": "sources",
             "content/timeline.yaml": "timeline", "content/facts.yaml": "facts"}.get(path, "other")}


class _Views:
    """Builds each page's template context from the site (one instance per build)."""

    def __init__(self, site: Site, anchors: Mapping[str, Anchor]):
        self.site, self.anchors = site, anchors
        self.numbers = {slug: _number_claims(claims, anchors) for slug, claims in site.claims.items()}

    def base(self) -> dict[str, Any]:
        nav = [("index.html", "Articles"), ("timeline.html", "Timeline")]
        nav += [("facts/index.html", "Shared facts")] if self.site.facts else []
        nav += [("sources.html", "Sources")]
        nav += [(f"{p.slug}.html", p.title) for p in sorted(self.site.pages.values(), key=_page_order)]
        return {"settings": self.site.settings, "verdicts": list(self.site.verdicts.values()), "nav": nav,
                "statuses": list(vocab.STATUSES.values()), "basis": list(vocab.BASIS.values())}

    def claim_view(self, claim: Claim) -> dict[str, Any]:
        article = self.site.articles[claim.article]
        return {
            "id": claim.id, "number": self.numbers[claim.article][claim.id], "claim": claim,
            "article": article, "url": f"articles/{article.slug}.html#claim-{claim.id}",
            "verdict": self.site.verdicts[claim.verdict], "basis": vocab.BASIS[claim.basis],
            "sources": [self.site.sources[s] for s in claim.sources],
            "events": [self.site.events[e] for e in claim.events],
            "fact": self.site.facts.get(claim.fact), "updated": claim.updated, "update_note": claim.update_note,
            "qualifier": vocab.QUALIFIERS.get(claim.basis, ""),
        }

    def published_claims(self) -> Iterable[Claim]:
        """Every claim that is on the site, article by article."""
        for claims in self.site.claims.values():
            yield from (c for c in claims if c.id in self.anchors)

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
        facts = [self.fact_summary(f) for f in self.site.facts.values()]
        return {**self.base(), "articles": summaries, "facts": facts}

    def article(self, slug: str) -> dict[str, Any]:
        article = self.site.articles[slug]
        claims = sorted((self.claim_view(c) for c in self.site.claims.get(slug, ()) if c.id in self.anchors),
                        key=lambda v: v["number"])
        blocks = _render_blocks(article, claims, self.anchors)
        return {
            **self.base(), "summary": self.article_summary(article), "article": article, "blocks": blocks,
            "headline": blocks[0]["html"] if article.headline_in_text else None,
            "review": self.site.reviews.get(slug), "claims": claims,
            "timeline": self.article_timeline(article, claims),
        }

    def article_timeline(self, article: Article, claims: list[dict]) -> list[dict[str, Any]]:
        """Events in order, each marked cited/after publication, with the article's own date placed among them."""
        cited: dict[str, list[dict]] = {}
        for view in claims:
            for event in view["claim"].events:
                cited.setdefault(event, []).append(view)
        window = _publication_window(article)
        items: list[dict[str, Any]] = []
        placed = window is None
        for event in self.site.events.values():
            where = relation(event.date, event.end, *window) if window else "unknown"
            if not placed and where == "after":
                items.append({"kind": "published", "article": article, "text": _published_text(article)})
                placed = True
            items.append({"kind": "event", "event": event, "cited_by": cited.get(event.id, []), "relation": where,
                          "status": vocab.STATUSES[event.status], "sources": [self.site.sources[s] for s in event.sources]})
        if not placed:
            items.append({"kind": "published", "article": article, "text": _published_text(article)})
        return items

    def timeline(self) -> dict[str, Any]:
        cited: dict[str, list[dict]] = {}
        for claim in self.published_claims():
            for event in claim.events:
                cited.setdefault(event, []).append(self.claim_view(claim))
        events = [{"event": e, "status": vocab.STATUSES[e.status], "cited_by": cited.get(e.id, []),
                   "sources": [self.site.sources[s] for s in e.sources]} for e in self.site.events.values()]
        return {**self.base(), "events": events}

    def sources(self) -> dict[str, Any]:
        claims_for: dict[str, list[dict]] = {}
        for claim in self.published_claims():
            for source in claim.sources:
                claims_for.setdefault(source, []).append(self.claim_view(claim))
        events_for: dict[str, list[Event]] = {}
        for event in self.site.events.values():
            for source in event.sources:
                events_for.setdefault(source, []).append(event)
        rows = [{"source": s, "claims": claims_for.get(s.id, []), "events": events_for.get(s.id, [])}
                for s in sorted(self.site.sources.values(), key=_source_order)]
        groups = [{"kind": kind, "title": title, "rows": [r for r in rows if r["source"].kind == kind]}
                  for kind, title in (("primary", "Primary documents"), ("secondary", "Reports and other secondary sources"))]
        return {**self.base(), "groups": [g for g in groups if g["rows"]]}

    def fact_claims(self, fact_id: str) -> list[dict]:
        views = [self.claim_view(c) for c in self.published_claims() if c.fact == fact_id]
        return sorted(views, key=lambda v: (_pub_order(v["article"]), v["article"].slug, v["number"]))

    def fact_index(self) -> dict[str, Any]:
        return {**self.base(), "facts": [self.fact_summary(f) for f in self.site.facts.values()]}

    def fact_summary(self, fact) -> dict[str, Any]:
        claims = self.fact_claims(fact.id)
        counts = Counter(v["verdict"].id for v in claims)
        return {"fact": fact, "claims": claims, "articles": len({v["article"].slug for v in claims}),
                "counts": [(v, counts[v.id]) for v in self.site.verdicts.values() if counts[v.id]]}

    def fact(self, fact_id: str) -> dict[str, Any]:
        fact = self.site.facts[fact_id]
        return {**self.base(), **self.fact_summary(fact),
                "sources": [self.site.sources[s] for s in fact.sources],
                "events": [self.site.events[e] for e in fact.events]}

    def page(self, slug: str) -> dict[str, Any]:
        best = max((v.rating for v in self.site.verdicts.values()), default=0)
        return {**self.base(), "page": self.site.pages[slug], "best_rating": best}


def _page_order(page) -> tuple:
    """Methodology before About, then the rest by slug: the order readers look for them."""
    return ({"methodology": 0, "about": 1}.get(page.slug, 2), page.slug)


def _source_order(source: Source) -> tuple:
    """In date order like the timeline; undated sources last."""
    date = source.published.earliest().isoformat() if source.published else "9999"
    return (date, source.publisher.lower(), source.id)


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
            f'<span class="claim-verdict">{escape(verdict.label)}{_qualifier(view["qualifier"])}</span></a>')


def _qualifier(text: str) -> str:
    return f'<span class="qualifier"> ({escape(text)})</span>' if text else ""
