"""schema.org ClaimReview for a claim, and the one JSON encoder for everything the site prints as JSON-LD.

``claim_review(views, claim)`` says exactly what the claim's page shows: the paraphrase (or its short
form, ClaimReview's ``claimReviewed``), the verdict and its place on the scale, who checked it and when,
and the article the claim appeared in. The claim page embeds it, the ClaimReview feed lists it and the
open dataset is made from it, so the three cannot disagree.

``script_json`` serializes for a ``<script type="application/ld+json">`` element. Its text is raw in
HTML: nothing is unescaped, and ``</script>`` or ``<!--`` anywhere in it would end or derail the element.
JSON lets any character be written ``\\uXXXX``, so ``<``, ``>`` and ``&`` are written that way (a value
keeps its meaning, and the markup cannot leave the element), and so are U+2028 and U+2029, which are
line ends to older JavaScript parsers.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .. import layout
from ..model import Claim
from .views import Views

CONTEXT = "https://schema.org"

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def encode(data: Any, *, indent: int | None = None, sort_keys: bool = True) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element (see the module's notes). Keys are sorted
    unless ``sort_keys`` is false (for tables, whose objects keep their column order); either way the same
    data always gives the same bytes."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators, indent=indent)
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return text


def script_json(data: Any) -> Markup:
    """``data`` as the text of a ``<script type="application/ld+json">`` element, marked safe for the template."""
    return Markup(encode(data))  # escaped for the script element's raw text by encode()


def organization(name: str, url: str = "") -> dict[str, Any]:
    """A schema.org Organization: its name, and its address when it has one."""
    return {"@type": "Organization", "name": name, **({"url": url} if url else {})}


def claim_review(views: Views, claim: Claim) -> dict[str, Any]:
    """The schema.org ClaimReview of a published claim, as its page (``claims/<id>.html``) shows it."""
    site = views.site
    settings = site.settings
    article = site.articles[claim.article]
    verdict = site.verdicts[claim.verdict]
    ratings = [v.rating for v in site.verdicts.values()]
    review = site.reviews.get(claim.article)

    item: dict[str, Any] = {"@type": "Claim", "author": organization(article.outlet)}
    if article.published:
        item["datePublished"] = article.published.iso()
    if article.url != layout.UNKNOWN:
        appearance = {"@type": "CreativeWork", "url": article.url, "name": article.title}
        item["appearance"] = appearance
        item["firstAppearance"] = dict(appearance)

    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": layout.absolute(settings.base_url, layout.claim_path(claim.id)),
        "claimReviewed": claim.short or claim.claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": verdict.rating,
            "bestRating": max(ratings),
            "worstRating": min(ratings),
            "alternateName": verdict.label,
        },
        "author": organization(settings.publisher, settings.publisher_url),
        "itemReviewed": item,
    }
    if review:
        data["datePublished"] = review.on.iso()
    modified = views.claim_modified(claim)
    if modified:
        data["dateModified"] = modified.iso()
    return data
