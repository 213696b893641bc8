"""What several page kinds show: the navigation, a claim's card, an article's verdict summary.

One ``Views`` is made per render of a site; the page kinds ask it for the
pieces they share, so a claim looks the same on its article, the timeline, the
sources and the fact pages. Templates receive these plain values and only
loop, test and format; addresses come from ``layout``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from .. import layout, vocab
from ..dates import PartialDate, Window, publication_window
from ..model import Article, Change, Claim, Fact, Site


class Views:
    """Builds the template values shared by page kinds (one instance per render)."""

    def __init__(self, site: Site):
        self.site = site
        # Computed when first asked for, article by article: rendering one page of a large archive (the
        # preview does) costs that page, not the archive.
        self.numbers = _Lazy(lambda slug: number_claims(site, site.claims.get(slug, ())))
        self.article_order = _Lazy(lambda slug: (pub_order(site.articles[slug]), slug))
        self._sorted: dict[tuple[str, str], list[Claim]] = {}

    @cached_property
    def claims_by_id(self) -> dict[str, Claim]:
        return {c.id: c for claims in self.site.claims.values() for c in claims}

    @cached_property
    def _citing(self) -> dict[tuple[str, str], list[Claim]]:
        """(``source``/``event``/``fact``, id) → the published claims that cite it, in no particular order."""
        index: dict[tuple[str, str], list[Claim]] = {}
        for claim in self.published_claims():
            for source in claim.sources:
                index.setdefault(("source", source), []).append(claim)
            for event in claim.events:
                index.setdefault(("event", event), []).append(claim)
            if claim.fact:
                index.setdefault(("fact", claim.fact), []).append(claim)
        return index

    def citing(self, kind: str, item_id: str) -> list[Claim]:
        """The published claims citing a source, an event or a shared fact (``kind``), oldest article first,
        then in reading order: a fixed order, so the pages of a long list keep their addresses."""
        key = (kind, item_id)
        if key not in self._sorted:  # once per item: every page of a long list asks for the same order
            claims = self._citing.get(key, [])
            self._sorted[key] = sorted(claims, key=lambda c: (self.article_order[c.article], self.numbers[c.article][c.id]))
        return self._sorted[key]

    def citing_count(self, kind: str, item_id: str) -> int:
        return len(self._citing.get((kind, item_id), ()))

    @cached_property
    def events_citing_source(self) -> dict[str, list]:
        """Source id → the timeline events that cite it, in timeline order."""
        index: dict[str, list] = {}
        for event in self.site.events.values():
            for source in event.sources:
                index.setdefault(source, []).append(event)
        return index

    def base(self) -> dict[str, Any]:
        nav = [(layout.HOME, "Articles"), (layout.TIMELINE, "Timeline")]
        nav += [(layout.STORIES, "Stories")] if len(self.site.stories) > 1 else []
        nav += [(layout.FACTS_INDEX, "Shared facts")] if self.site.facts else []
        nav += [(layout.SOURCES, "Sources"), (layout.SEARCH, "Search")]
        nav += [(layout.page_path(p.slug), p.title) for p in sorted(self.site.pages.values(), key=_page_order)]
        return {
            "settings": self.site.settings,
            "verdicts": list(self.site.verdicts.values()),
            "nav": nav,
            "statuses": list(vocab.STATUSES.values()),
            "basis": list(vocab.BASIS.values()),
        }

    def claim_view(self, claim: Claim) -> dict[str, Any]:
        article = self.site.articles[claim.article]
        return {
            "id": claim.id,
            "number": self.numbers[claim.article][claim.id],
            "claim": claim,
            "article": article,
            "url": layout.claim_path(claim.id),
            "note_url": layout.claim_note_url(article.slug, claim.id),
            "quote_url": layout.quote_url(article.slug, claim.id),
            "verdict": self.site.verdicts[claim.verdict],
            "tier": self.site.verdicts[claim.verdict].tier,
            "summary": one_line(claim),
            "basis": vocab.BASIS[claim.basis],
            "sources": [self.site.sources[s] for s in claim.sources],
            "events": [self.site.events[e] for e in claim.events],
            "fact": self.site.facts.get(claim.fact),
            "history": [self.change_view(change) for change in claim.history],
            "draft": claim.draft or article.draft,
            "updated": claim.history[-1].date if claim.history else None,
            "corrected": any(change.kind == "correction" for change in claim.history),
            "qualifier": vocab.QUALIFIERS.get(claim.basis, ""),
        }

    def change_view(self, change: Change) -> dict[str, Any]:
        previous = self.site.verdicts.get(change.previous_verdict) if change.previous_verdict else None
        return {
            "kind": change.kind,
            "label": change.kind.capitalize(),
            "date": change.date,
            "note": change.note,
            "previous_verdict": previous,
        }

    def corrections(self) -> list[dict[str, Any]]:
        """Every change on the record, newest first: each with the claim (its view), the shared fact or the
        event it concerns, and the site path of the page that shows it."""
        entries: list[dict[str, Any]] = []

        def record(owner_id: str, changes, *, url: str, title: str, claim=None, fact=None, event=None) -> None:
            for n, change in enumerate(changes, start=1):
                entries.append({**self.change_view(change), "claim": claim, "fact": fact, "event": event,
                                "url": url, "id": f"{owner_id}-{n}", "title": title})  # fmt: skip

        for claim in self.published_claims():
            if claim.history:  # a claim's view is made only when it has something on the record
                view = self.claim_view(claim)
                record(claim.id, claim.history, url=view["url"], title=claim.claim, claim=view)
        for fact in self.site.facts.values():
            record(fact.id, fact.history, url=layout.fact_path(fact.id), title=fact.title, fact=fact)
        for event in self.site.events.values():
            record(event.id, event.history, url=layout.event_url(event.id), title=event.title, event=event)
        return sorted(entries, key=lambda e: (e["date"].earliest(), e["id"]), reverse=True)

    def claim_modified(self, claim: Claim) -> PartialDate | None:
        """When a claim's check last changed: its last change on the record, else its article's review date."""
        if claim.history:
            return claim.history[-1].date
        review = self.site.reviews.get(claim.article)
        return review.on if review else None

    def published_claims(self) -> Iterable[Claim]:
        """Every claim that is on the site, article by article."""
        for claims in self.site.claims.values():
            yield from (c for c in claims if c.id in self.site.anchors)

    def article_summary(self, article: Article) -> dict[str, Any]:
        claims = [c for c in self.site.claims.get(article.slug, ()) if c.id in self.site.anchors]
        counts = Counter(c.verdict for c in claims)
        return {
            "article": article,
            "url": layout.article_path(article.slug),
            "claims": len(claims),
            "counts": [(v, counts[v.id]) for v in self.site.verdicts.values() if counts[v.id]],
            "published": published_text(article),
        }

    def fact_summary(self, fact: Fact) -> dict[str, Any]:
        """A shared fact with how many claims state it, in how many articles, and their verdicts' counts."""
        claims = self._citing.get(("fact", fact.id), [])
        counts = Counter(c.verdict for c in claims)
        return {
            "fact": fact,
            "url": layout.fact_path(fact.id),
            "claims": len(claims),
            "articles": len({c.article for c in claims}),
            "counts": [(v, counts[v.id]) for v in self.site.verdicts.values() if counts[v.id]],
        }


class _Lazy(dict):
    """A dictionary whose values are made by ``make(key)`` when first asked for."""

    def __init__(self, make: Callable[[str], Any]):
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> Any:
        value = self[key] = self._make(key)
        return value


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def one_line(claim: Claim, limit: int = 200) -> str:
    """The claim's one-line reason: its ``summary``, else the first sentence of its explanation, as plain text."""
    if claim.summary:
        return claim.summary
    paragraph = re.split(r"\n\s*\n|\n\s*[-*] ", claim.explanation.strip(), maxsplit=1)[0]
    text = " ".join(_MARKUP.sub(r"\1", paragraph).split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]+")


def _page_order(page) -> tuple:
    """Methodology before About, then the rest by slug: the order readers look for them."""
    return ({"methodology": 0, "about": 1}.get(page.slug, 2), page.slug)


def number_claims(site: Site, claims: Iterable[Claim]) -> dict[str, int]:
    """Claim id → 1-based number, in reading order of the quotes (outer before inner)."""
    placed = [site.anchors[c.id] for c in claims if c.id in site.anchors]
    placed.sort(key=lambda a: (a.block, a.start, -a.end, a.claim))
    return {a.claim: n for n, a in enumerate(placed, start=1)}


def window(article: Article) -> Window | None:
    """The days the article can have been published on (see ``dates.publication_window``)."""
    return publication_window(article.published, article.not_before, article.not_after)


def published_text(article: Article) -> str:
    """``22 August 2025``; ``January 2025, not before 23 January 2025``; ``date unknown (not before …)``."""
    bounds = [
        f"not before {article.not_before.display()}" if article.not_before else "",
        f"not after {article.not_after.display()}" if article.not_after else "",
    ]
    known = " and ".join(b for b in bounds if b)
    if article.published:
        return article.published.display() + (f", {known}" if known else "")
    return f"date unknown ({known})" if known else "date unknown"


def pub_order(article: Article) -> str:
    """Sort key: the earliest day the article can be from (undated articles last)."""
    known = window(article)
    day = known and (known.earliest or known.latest)
    return day.isoformat() if day else "9999"
