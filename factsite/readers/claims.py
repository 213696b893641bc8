"""``content/annotations/<slug>.yaml``: the claims checked in one article, and who checked them when."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..diagnostics import Problem, did_you_mean
from ..layout import ANNOTATIONS_DIR, ARTICLES_DIR
from ..model import Article, Claim, Loc, Review
from ..yamlsrc import YamlDoc
from .context import Context

CLAIM_REVIEWED_MAX = 75
"""ClaimReview's claimReviewed is best kept this short (schema.org's guidance for fact-check markup)."""


def read(ctx: Context, articles: dict[str, Article]) -> tuple[dict[str, tuple[Claim, ...]], dict[str, Review]]:
    out: dict[str, tuple[Claim, ...]] = {}
    reviews: dict[str, Review] = {}
    # An article file that exists but could not be read has its own problem: its claims are not orphans.
    slugs = {PurePosixPath(r).stem for r in (*ctx.project.files, *ctx.project.unreadable) if r.startswith(ARTICLES_DIR + "/")}
    for rel in sorted(ctx.project.files):
        if not rel.startswith(ANNOTATIONS_DIR + "/"):
            continue
        slug = PurePosixPath(rel).stem
        if not rel.endswith(".yaml"):
            ctx.unexpected(rel, "annotation files end in .yaml")
            continue
        if slug not in slugs:
            ctx.problems.append(
                Problem(
                    path=rel,
                    line=1,
                    col=1,
                    message=f"there is no article '{slug}' (content/articles/{slug}.md) for these "
                    f"claims{did_you_mean(slug, slugs)}; the file name must be the article's slug",
                )
            )
        doc, bad = ctx.load(rel, "annotations")
        ctx.claim_lines[rel] = _claim_lines(doc)
        claims = tuple(_claim(ctx, doc, i, c, slug) for i, c in ctx.items(doc, bad, "claims", "claim", title="claim"))
        review = _review(ctx, doc, bad)
        if slug in articles:
            out[slug] = claims
            if review:
                reviews[slug] = review
    for slug in sorted(set(articles) - set(out)):
        if f"{ANNOTATIONS_DIR}/{slug}.yaml" in ctx.project.unreadable:
            continue  # the file is there but could not be read: that problem is already reported
        ctx.problems.append(
            Problem(
                path=articles[slug].path,
                line=0,
                col=0,
                message=f"no claims file for this article: create {ANNOTATIONS_DIR}/{slug}.yaml (the importer writes one)",
            )
        )
    return dict(sorted(out.items())), dict(sorted(reviews.items()))


def _claim_lines(doc: YamlDoc | None) -> list[tuple[int, int, str, bool]]:
    """(first line, last line, id, draft) of each claim item in an annotations file, in file order."""
    entries = doc.data.get("claims") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(entries, list) or not entries:
        return []
    starts = [doc.where(("claims", i))[0] for i in range(len(entries))]
    ends = [n - 1 for n in starts[1:]] + [10**9]
    return [
        (
            start,
            end,
            str(item.get("id", "")) if isinstance(item, dict) else "",
            isinstance(item, dict) and item.get("draft") is True,
        )
        for start, end, item in zip(starts, ends, entries, strict=True)
    ]


def _review(ctx: Context, doc: YamlDoc | None, bad: set) -> Review | None:
    if doc is None or () in bad or any(p[:1] == ("review",) for p in bad) or "review" not in doc.data:
        return None
    on = ctx.date(doc, ("review", "on"), doc.data["review"]["on"])
    if on and on.precision != "day":
        ctx.problems.append(doc.problem(("review", "on"), "must be a full date, YYYY-MM-DD"))
    return Review(by=doc.data["review"]["by"], on=on) if on else None


def _claim(ctx: Context, doc: YamlDoc, i: int, c: dict[str, Any], slug: str) -> Claim:
    path = ("claims", i)
    refer = ctx.resolver.refer
    refer(doc, path + ("sources",), "source", c["sources"])
    refer(doc, path + ("events",), "event", c.get("events", ()))
    refer(doc, path + ("verdict",), "verdict", c["verdict"])
    if "fact" in c:
        refer(doc, path + ("fact",), "fact", c["fact"])
    history = ctx.history(doc, path + ("history",), c.get("history"))
    if len(c["claim"]) > CLAIM_REVIEWED_MAX and "short" not in c:
        line, col = doc.where(path + ("claim",))
        ctx.problems.append(
            Problem(
                path=doc.path,
                line=line,
                col=col,
                severity="warning",
                message=f"claim '{c['id']}': the paraphrase is {len(c['claim'])} characters; add "
                f"'short:', at most {CLAIM_REVIEWED_MAX}, for ClaimReview's claimReviewed",
            )
        )
    line, col = doc.where(path + ("quote",))
    return Claim(
        id=c["id"],
        article=slug,
        quote=c["quote"],
        prefix=c.get("prefix", ""),
        suffix=c.get("suffix", ""),
        claim=c["claim"],
        short=c.get("short", ""),
        summary=c.get("summary", ""),
        verdict=c["verdict"],
        basis=c["basis"],
        explanation=c["explanation"],
        sources=tuple(c["sources"]),
        events=tuple(c.get("events", ())),
        translation_note=c.get("translation_note", ""),
        fact=c.get("fact", ""),
        history=history,
        draft=c.get("draft", False),
        quote_at=Loc(path=doc.path, line=line, col=col),
    )
