"""The open dataset: every published claim as CSV and JSON, a Frictionless Data Package describing both,
and a schema.org DataFeed of every claim's ClaimReview.

| file | what it is |
|---|---|
| ``data/claims.csv`` | one row per claim (RFC 4180, a header, UTF-8, CRLF line ends) |
| ``data/claims.json`` | the same rows as an array of objects; ``sources`` and ``events`` are lists |
| ``data/datapackage.json`` | the Data Package: both files, their Table Schemas, the package's sources |
| ``data/claimreview-feed.json`` | the DataFeed of ClaimReviews, in the form Data Commons publishes its fact-check feed |

Every row and every feed item is made from the claim's ClaimReview (``jsonld.claim_review``), the one
the claim's page embeds, so the page, the table and the feed state the same claimReviewed, rating, dates
and address. Rows come in a fixed order: article slug, then the claim's number in the article.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from typing import Any

from .. import layout, vocab
from ..model import Claim, Site
from .jsonld import CONTEXT, claim_review, encode, organization
from .spec import Inputs, Kind, PageSpec
from .views import Views

CSV_NAME = "claims"
JSON_NAME = "claims-json"

LIST_FIELDS = ("sources", "events")
"""Lists in the JSON; ids joined by one space in the CSV."""

_DATE_AT_PRECISION = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [
        PageSpec(path=path, kind=kind, inputs=inputs.everything)
        for path, kind in (
            (layout.DATA_CSV, "data-csv"),
            (layout.DATA_JSON, "data-json"),
            (layout.DATA_PACKAGE, "data-package"),
            (layout.CLAIMREVIEW_FEED, "claimreview-feed"),
        )
    ]


# -- the rows ---------------------------------------------------------------------------


def published(views: Views) -> list[Claim]:
    """Every published claim, in the dataset's order: by article slug, then by number in the article."""
    return sorted(views.published_claims(), key=lambda c: (c.article, views.numbers[c.article][c.id]))


def rows(views: Views) -> list[dict[str, Any]]:
    """One row per published claim (see ``published``); lists stay lists."""
    out = []
    for claim in published(views):
        review = claim_review(views, claim)
        article = views.site.articles[claim.article]
        rating = review["reviewRating"]
        item = review["itemReviewed"]
        out.append(
            {
                "id": claim.id,
                "article": article.slug,
                "article_title": article.title,
                "outlet": item["author"]["name"],
                "language": article.lang,
                "article_published": item.get("datePublished", ""),
                "quote": claim.quote,
                "paraphrase": claim.claim,
                "claim_reviewed": review["claimReviewed"],
                "summary": views.claim_view(claim)["summary"],
                "verdict": claim.verdict,
                "verdict_label": rating["alternateName"],
                "rating_value": rating["ratingValue"],
                "basis": claim.basis,
                "sources": list(claim.sources),
                "events": list(claim.events),
                "reviewed": review.get("datePublished", ""),
                "modified": review.get("dateModified", ""),
                "permalink": review["url"],
                "original_url": item["appearance"]["url"] if "appearance" in item else "",
            }
        )
    return out


def _fields(site: Site, lists: str) -> list[dict[str, Any]]:
    """The Table Schema fields, in column order; ``lists`` is the type of ``sources`` and ``events``
    (``string`` in the CSV, ``array`` in the JSON)."""
    base = site.settings.base_url
    ratings = [v.rating for v in site.verdicts.values()]
    listed = "space-separated ids" if lists == "string" else "a list of ids"

    def field(name: str, type_: str, description: str, **more: Any) -> dict[str, Any]:
        return {"name": name, "type": type_, "description": description, **more}

    return [
        field(
            "id",
            "string",
            f"The claim's permanent id; its page is {layout.absolute(base, layout.claim_path('{id}'))}.",
            constraints={"required": True, "unique": True},
        ),
        field("article", "string", "Slug of the article the claim is quoted from.", constraints={"required": True}),
        field("article_title", "string", "The article's headline, in its own language."),
        field("outlet", "string", "The news outlet that published the article."),
        field("language", "string", "The article's language (BCP 47 code)."),
        field(
            "article_published",
            "string",
            "When the article was published, at the precision known: YYYY, YYYY-MM or YYYY-MM-DD (ISO 8601); empty when unknown.",
            constraints={"pattern": _DATE_AT_PRECISION},
        ),
        field("quote", "string", "The claim's words exactly as in the article, in its language."),
        field("paraphrase", "string", "What the article asserts, paraphrased in English, without the verdict."),
        field(
            "claim_reviewed",
            "string",
            "The paraphrase in at most 75 characters when it is longer (ClaimReview's claimReviewed).",
        ),
        field("summary", "string", "One line: why the verdict."),
        field(
            "verdict",
            "string",
            "The verdict's id on the site's scale (see its methodology page).",
            constraints={"enum": list(site.verdicts)},
        ),
        field("verdict_label", "string", "The verdict as the site shows it (ClaimReview's alternateName)."),
        field(
            "rating_value",
            "integer",
            f"ClaimReview's ratingValue: {max(ratings)} is the best rating, {min(ratings)} the worst.",
            constraints={"minimum": min(ratings), "maximum": max(ratings)},
        ),
        field(
            "basis",
            "string",
            "What the best evidence is: " + "; ".join(f"{t.id} ({t.label})" for t in vocab.BASIS.values()) + ".",
            constraints={"enum": list(vocab.BASIS)},
        ),
        field(
            "sources",
            lists,
            f"The sources the verdict rests on, {listed}; each is described at "
            f"{layout.absolute(base, layout.source_url('{id}'))}.",
        ),
        field(
            "events",
            lists,
            f"The timeline events the claim is about, {listed}; each is at {layout.absolute(base, layout.event_url('{id}'))}.",
        ),
        field("reviewed", "date", "When the article's claims were checked (ClaimReview's datePublished)."),
        field(
            "modified",
            "date",
            "The date of the claim's latest correction or update, else the date it was checked (ClaimReview's dateModified).",
        ),
        field("permalink", "string", "The claim's page (ClaimReview's url).", format="uri"),
        field("original_url", "string", "The original article's address; empty when unknown.", format="uri"),
    ]


# -- the files --------------------------------------------------------------------------


def claims_csv(views: Views, key: str) -> bytes:
    """RFC 4180: a header row, every field quoted when it needs to be, CRLF line ends, UTF-8 without a BOM."""
    table = rows(views)
    names = [f["name"] for f in _fields(views.site, "string")]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(names)
    for row in table:
        writer.writerow(" ".join(row[n]) if n in LIST_FIELDS else row[n] for n in names)
    return buffer.getvalue().encode("utf-8")


def claims_json(views: Views, key: str) -> bytes:
    return (encode(rows(views), indent=2, sort_keys=False) + "\n").encode("utf-8")


def _relative(path: str) -> str:
    """A data file's path as the package names it: relative to ``datapackage.json``."""
    return posixpath.relpath(path, posixpath.dirname(layout.DATA_PACKAGE))


def package(views: Views) -> dict[str, Any]:
    """The Data Package descriptor (Frictionless Data, Data Package v1 with Table Schema)."""
    site = views.site
    settings = site.settings
    home = layout.absolute(settings.base_url, layout.HOME)
    slug = re.sub(r"[^a-z0-9]+", "-", settings.title.lower()).strip("-") or "fact-checks"

    def resource(name: str, path: str, fmt: str, mediatype: str, lists: str, title: str) -> dict[str, Any]:
        return {
            "name": name,
            "title": title,
            "path": _relative(path),
            "profile": "tabular-data-resource",
            "format": fmt,
            "mediatype": mediatype,
            "encoding": "utf-8",
            "schema": {"fields": _fields(site, lists), "primaryKey": ["id"]},
        }

    articles = [{"title": f"{a.title} — {a.outlet}", "path": a.url} for a in site.articles.values() if a.url != layout.UNKNOWN]
    data: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"{slug}-claims",
        "title": f"{settings.title}: every claim checked",
        "description": "Every claim checked on the site, one row each: the article's words, the English "
        "paraphrase, the verdict and its rating, the evidence basis, the sources and timeline events, and "
        "the claim's permanent page. " + settings.tagline,
        "homepage": home,
        "contributors": [
            {
                "title": settings.publisher,
                "role": "publisher",
                **({"path": settings.publisher_url} if settings.publisher_url else {}),
            }
        ],
        "sources": [{"title": settings.title, "path": home}, *articles],
        "resources": [
            resource(CSV_NAME, layout.DATA_CSV, "csv", "text/csv", "string", "Every claim checked (CSV)"),
            resource(JSON_NAME, layout.DATA_JSON, "json", "application/json", "array", "Every claim checked (JSON)"),
        ],
    }
    return data


def datapackage_json(views: Views, key: str) -> bytes:
    return (encode(package(views), indent=2, sort_keys=False) + "\n").encode("utf-8")


def feed(views: Views) -> dict[str, Any]:
    """A schema.org DataFeed of every published claim's ClaimReview.

    Each element is a DataFeedItem whose ``item`` holds the ClaimReview, as in the fact-check feed Data
    Commons publishes (its readers take ``dataFeedElement[n].item[0]``)."""
    settings = views.site.settings
    reviews = [claim_review(views, claim) for claim in published(views)]
    elements = []
    for review in reviews:
        element: dict[str, Any] = {"@type": "DataFeedItem", "url": review["url"], "item": [review]}
        if "datePublished" in review:
            element["dateCreated"] = review["datePublished"]
        if "dateModified" in review:
            element["dateModified"] = review["dateModified"]
        elements.append(element)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "DataFeed",
        "name": f"{settings.title}: ClaimReview feed",
        "url": layout.absolute(settings.base_url, layout.CLAIMREVIEW_FEED),
        "publisher": organization(settings.publisher, settings.publisher_url),
        "dataFeedElement": elements,
    }
    modified = [r["dateModified"] for r in reviews if "dateModified" in r]
    if modified:
        data["dateModified"] = max(modified)
    return data


def claimreview_feed(views: Views, key: str) -> bytes:
    return (encode(feed(views), indent=2) + "\n").encode("utf-8")


KINDS = {
    "data-csv": Kind(None, None, "the open dataset's CSV", data=claims_csv),
    "data-json": Kind(None, None, "the open dataset's JSON", data=claims_json),
    "data-package": Kind(None, None, "the open dataset's data package", data=datapackage_json),
    "claimreview-feed": Kind(None, None, "the ClaimReview data feed", data=claimreview_feed),
}
