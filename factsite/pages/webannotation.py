"""W3C Web Annotations: each article's checked claims as an ``AnnotationCollection`` in JSON-LD.

``annotations/<slug>.jsonld`` holds one ``Annotation`` per published claim, in reading order, embedded
in the collection's one ``AnnotationPage`` (Web Annotation Data Model §5, Protocol §4). Each has:

* ``motivation`` ``assessing``; ``created`` the review's date, ``modified`` the claim's last recorded
  change (both at midnight UTC: the content knows days, and the clock is never read); ``creator`` the
  publisher (``content/site.yaml``).
* Two targets, the same passage in two documents:

  1. the original article (left out when its address is ``unknown``): a ``TextQuoteSelector`` and a
     ``TextPositionSelector`` over the article's text as its seed gives it (see :func:`seed_text`);
  2. the article's page on this site: a ``CssSelector`` naming the element whose text the quote is in
     (``.article-body``, or ``.article-header h1`` for a claim in the headline, which the page shows as
     its ``h1``), ``refinedBy`` a ``TextQuoteSelector`` over that element's text as a browser has it
     (its ``textContent``; see :func:`page_texts`).

  Prefix and suffix are the 32 characters before and after the passage (fewer only at the text's ends,
  and left out when empty), as Hypothesis's anchoring libraries take and make them.
* Two bodies: a ``TextualBody`` "<verdict>: <one-line reason>" (purpose ``assessing``), and the claim's
  own page, the full check, as a ``SpecificResource`` whose ``source`` is that page, also with purpose
  ``assessing``: the page is the assessment in full (verdict, reasoning, sources). ``describing`` would
  say it describes the passage, and ``linking`` only that it is related. The model gives a purpose to an
  External Web Resource by wrapping it in a Specific Resource (§3.3.5).

Where each passage lies comes from the anchoring stage (``site.anchors``), never from searching the text
again: an ``Anchor`` gives offsets within its block's text, which are mapped exactly onto the seed's
text and onto the page's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import layout
from ..anchor import normal_text
from ..dates import PartialDate, display_range
from ..model import Anchor, Article, Loc, Site
from .article import block_pieces
from .jsonld import encode
from .spec import Inputs, Kind, PageSpec
from .views import Views

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_LENGTH = 32
"""Characters of prefix and suffix, as Hypothesis (dom-anchor-text-quote) stores them."""

BODY_ROOT = ".article-body"
HEADLINE_ROOT = ".article-header h1"
"""CSS selectors of the page elements a claim's passage can be in: the article's text, or its headline."""


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [
        PageSpec(
            path=layout.annotations_path(slug),
            kind="web-annotations",
            key=slug,
            # Notes on the page (part of its text, so of the selectors' context) show event dates and titles.
            inputs=frozenset({"site", "verdicts", "sources", "timeline", "seeds", f"article:{slug}", f"claims:{slug}"}),
            origin=Loc(path=article.path, line=0, col=0),
        )
        for slug, article in site.articles.items()
    ]


def collection(views: Views, slug: str) -> dict[str, Any]:
    """The article's ``AnnotationCollection``, its annotations embedded in its one page."""
    site = views.site
    article = site.articles[slug]
    url = layout.absolute(site.settings.base_url, layout.annotations_path(slug))
    claims = sorted((views.claim_view(c) for c in site.claims.get(slug, ()) if c.id in site.anchors), key=lambda v: v["number"])
    original = original_selectors(article, [site.anchors[v["id"]] for v in claims])
    on_page = page_selectors(article, claims, site.anchors)
    items = [annotation(views, view, url, original.get(view["id"]), on_page[view["id"]]) for view in claims]
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "id": url,
        "type": "AnnotationCollection",
        "label": f"Claims checked in “{article.title}” ({article.outlet})",
        "total": len(items),
    }
    if items:  # a collection with no annotations has no pages
        page_id = f"{url}#page_1"  # '_' is never in a claim id, so never an annotation's fragment
        out["first"] = {"id": page_id, "type": "AnnotationPage", "partOf": url, "startIndex": 0, "items": items}
        out["last"] = page_id
    return out


def annotation(
    views: Views, view: dict[str, Any], collection_url: str, original: list[dict] | None, on_page: dict[str, Any]
) -> dict[str, Any]:
    """One claim's ``Annotation``: ``original`` are the selectors of its passage in the original article (None
    when the article's address is unknown), ``on_page`` the selector of its passage on the article's page."""
    settings = views.site.settings
    article = view["article"]
    review = views.site.reviews.get(article.slug)
    out: dict[str, Any] = {"id": f"{collection_url}#{view['id']}", "type": "Annotation", "motivation": "assessing"}
    if review:
        out["created"] = timestamp(review.on)
    if view["updated"]:
        out["modified"] = timestamp(view["updated"])
    out["creator"] = {"type": "Organization", "name": settings.publisher}
    if settings.publisher_url:
        out["creator"]["homepage"] = settings.publisher_url
    out["body"] = [
        {
            "type": "TextualBody",
            "value": f"{view['verdict'].label}: {view['summary']}",
            "format": "text/plain",
            "language": settings.lang,
            "purpose": "assessing",
        },
        {
            "type": "SpecificResource",
            "source": {
                "id": layout.absolute(settings.base_url, view["url"]),
                "type": "Text",
                "format": "text/html",
                "language": settings.lang,
            },
            "purpose": "assessing",
        },
    ]
    page = {
        "type": "SpecificResource",
        "source": layout.absolute(settings.base_url, layout.article_path(article.slug)),
        "selector": on_page,
    }
    out["target"] = ([{"type": "SpecificResource", "source": article.url, "selector": original}] if original else []) + [page]
    return out


def timestamp(day: PartialDate) -> str:
    """A day as the xsd:dateTime the model asks for, in UTC: ``2026-11-23T00:00:00Z``."""
    return f"{day.earliest().isoformat()}T00:00:00Z"


def quote_selector(text: str, start: int, end: int) -> dict[str, Any]:
    """``text[start:end]`` with up to 32 characters of context each side (an empty one is left out)."""
    selector = {"type": "TextQuoteSelector", "exact": text[start:end]}
    prefix, suffix = text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]
    if prefix:
        selector["prefix"] = prefix
    if suffix:
        selector["suffix"] = suffix
    return selector


# -- the original article's text: the seed ---------------------------------------------------------------


def original_selectors(article: Article, anchors: list[Anchor]) -> dict[str, list[dict[str, Any]]]:
    """Claim id → the selectors of its passage in the original article: a ``TextQuoteSelector`` and a
    ``TextPositionSelector`` that agree, over the seed's text (see :func:`seed_text`). Empty when the
    article's address is unknown (there is no target to select in)."""
    if article.url == layout.UNKNOWN:
        return {}
    seed = seed_text(article)
    spans = seed_offsets(article, seed, anchors) if seed is not None else None
    if spans is None:  # not rebuilt exactly: the quote and its context in the words, whitespace normalised
        joined = normal_text("\n".join(b.text for b in article.blocks))
        at = {origin: i for i, origin in enumerate(joined.origin[:-1])}
        starts = _block_starts(article)
        return {
            a.claim: [quote_selector(joined.text, at[starts[a.block] + a.start], at[starts[a.block] + a.end - 1] + 1)]
            for a in anchors
        }
    return {
        claim: [quote_selector(seed, start, end), {"type": "TextPositionSelector", "start": start, "end": end}]
        for claim, (start, end) in spans.items()
    }


def _block_starts(article: Article) -> list[int]:
    """Where each block starts in the blocks' texts joined by line ends."""
    starts = [0]
    for block in article.blocks:
        starts.append(starts[-1] + len(block.text) + 1)
    return starts


def seed_text(article: Article) -> str | None:
    """The text the original article's selectors count: the seed file's text after its leading
    `` date YYYY-MM[-DD] `` marker (``seedtext.seed_words``), exactly as in the file, every character
    counted: line ends, blank lines and any trailing newline included, and nothing normalised (seeds
    are NFC, which a test checks).

    Offsets are Unicode code points, the characters of a Python string, which is what the W3C model
    prescribes for a ``TextPositionSelector``. Hypothesis, in JavaScript, counts UTF-16 code units; the two
    agree as long as the text has no character beyond U+FFFF (no seed has one; an emoji would be one).
    None when the article has no seed text (then the selectors fall back to the whitespace-normalised words).
    """
    return article.seed_text or None


def seed_offsets(article: Article, seed: str, anchors: Iterable[Anchor]) -> dict[str, tuple[int, int]] | None:
    """Claim id → (start, end) of its passage in ``seed`` (see :func:`seed_text`), mapped exactly from its anchor.

    The blocks, joined, equal the seed up to whitespace (the build checks it), so both texts normalise to
    the same characters; an anchor's first and last characters (never spaces) are found in the blocks'
    normal form and taken back to the seed through its map of origins. None if the two differ after all.
    """
    joined = normal_text("\n".join(b.text for b in article.blocks))
    original = normal_text(seed)
    if joined.text != original.text:
        return None
    at = {origin: i for i, origin in enumerate(joined.origin[:-1])}
    block_starts = _block_starts(article)
    spans = {}
    for anchor in anchors:
        base = block_starts[anchor.block]
        first, last = at[base + anchor.start], at[base + anchor.end - 1]
        spans[anchor.claim] = (original.origin[first], original.origin[last] + 1)
    return spans


# -- the article's page on this site ---------------------------------------------------------------------

_SIGNS = {"sound": "✓", "caution": "≈", "problem": "✗"}
_INDENT = "      "


def page_texts(
    article: Article, claims: list[dict[str, Any]], anchors: Mapping[str, Anchor]
) -> dict[str, tuple[str, dict[str, tuple[int, int]]]]:
    """For each page element passages are in (a CSS selector): its text as a browser has it (``textContent``),
    and claim id → (start, end) of the claim's ``<mark>`` in that text.

    The page shows each block of the article as an element of ``.article-body``, one a line, so the text
    has the template's line end and indentation between blocks (and a boilerplate block's label before
    it); after each passage come the claim's number and verdict label and its note, so a passage's
    suffix begins with them, and a passage that holds another holds that one's label and note too. The
    headline is the page's ``h1``, with the labels but not the notes (or, when the seed has none, the
    title our editors wrote).

    The text is cut into pieces by the function the article page uses (``article.block_pieces``); the
    words the page adds around them mirror ``templates/_macros.html`` (``claim_ref``, ``note``) and
    ``templates/article.html``. tests/test_webannotation.py compares the result with the built pages'
    text, in Python and in Chromium, so a template change that moves it fails there.
    """
    blocks = block_pieces(article, claims, anchors)
    body = _Text()
    body.add("\n")
    headline = _Text()
    for n, item in enumerate(blocks):
        block = item["block"]
        if n == 0 and article.headline_in_text:
            headline.pieces(item["pieces"], notes=False)
            continue
        body.add(_INDENT)
        if block.boilerplate:
            body.add(f"Not part of the article: {block.boilerplate}")
        body.pieces(item["pieces"], notes=True)
        body.add("\n")
    body.add(_INDENT[:4])
    if not article.headline_in_text:  # the title our editors wrote, with no claims in it
        headline.add(article.title)
    return {BODY_ROOT: (body.text(), body.spans), HEADLINE_ROOT: (headline.text(), headline.spans)}


def page_selectors(article: Article, claims: list[dict[str, Any]], anchors: Mapping[str, Anchor]) -> dict[str, dict[str, Any]]:
    """Claim id → the selector of its passage on the article's page: the element it is in (CSS), refined by a
    ``TextQuoteSelector`` over that element's text (see :func:`page_texts`)."""
    out = {}
    for root, (text, spans) in page_texts(article, claims, anchors).items():
        for claim, (start, end) in spans.items():
            out[claim] = {"type": "CssSelector", "value": root, "refinedBy": quote_selector(text, start, end)}
    return out


class _Text:
    """Text being laid out, with where each claim's mark starts and ends in it."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[str, tuple[int, int]] = {}
        self.open: dict[str, int] = {}

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def pieces(self, pieces, *, notes: bool) -> None:
        for piece in pieces:
            if piece.kind == "text":
                self.add(piece.text)
            elif piece.kind == "open":
                self.open[piece.claim["id"]] = self.length
            else:
                view = piece.claim
                self.spans[view["id"]] = (self.open.pop(view["id"]), self.length)
                self.add(_label(view))
                if notes:
                    self.add(_note(view))

    def text(self) -> str:
        return "".join(self.parts)


def _verdict(view: dict[str, Any]) -> str:
    """``✓ Accurate (as reported)``: the sign, the label and the qualifier, as ``badge`` and ``claim_ref`` show them."""
    qualifier = f" ({view['qualifier']})" if view["qualifier"] else ""
    return f"{_SIGNS[view['tier']]} {view['verdict'].label}{qualifier}"


def _label(view: dict[str, Any]) -> str:
    """The text of the claim's label after its passage (``claim_ref``)."""
    return f"Claim {view['number']} {_verdict(view)}"


def _note(view: dict[str, Any]) -> str:
    """The text of the claim's note beside its passage (``note``)."""
    text = f"Claim {view['number']} {_verdict(view)}"
    if view["history"]:
        last = view["history"][-1]
        text += f" {last['label']} {display_range(last['date'], None)}"
    text += f" {view['summary']}"
    if view["events"]:
        text += " Timeline: " + "; ".join(f"{display_range(e.date, e.end)}: {e.title}" for e in view["events"])
    return text + f" Full check of claim {view['number']} →"


def data(views: Views, slug: str) -> bytes:
    """The collection as JSON-LD: UTF-8, indented, each object's keys in a fixed order (``@context``, ``id``
    and ``type`` first), so the same content always gives the same bytes."""
    return (encode(collection(views, slug), indent=2, sort_keys=False) + "\n").encode("utf-8")


KINDS = {"web-annotations": Kind(None, None, "an article's Web Annotation collection", data=data)}
