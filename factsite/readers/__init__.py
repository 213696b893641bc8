"""Read every content file into the model: one reader per file kind, one resolver for ids.

Each reader (a module here) parses its files, checks them against their
schema and what a schema cannot say, and returns model objects for the items
that are valid; the resolver (``factsite.resolve``) then checks every id and
reference across files; ``factsite.seedtext`` checks article texts against
their seeds. Every problem is collected; items that are broken are left out,
and references *to* broken items are not reported again, so one mistake gives
one message. ``read_site`` calls the readers in the order files depend on
each other: settings, verdicts, sources, timeline, facts, articles, their
annotations, prose pages.
"""

from __future__ import annotations

from dataclasses import replace

from ..cache import Memo
from ..diagnostics import Problem, did_you_mean
from ..layout import ANNOTATIONS_DIR, ARTICLES_DIR, OPTIONAL_FILES, PAGES_DIR, SINGLE_FILES, STORIES_DIR
from ..load import Project
from ..model import Site, frozen_map
from . import articles, claims, facts, pages, settings, sources, timeline, verdicts
from .context import Context


def read_site(project: Project, memo: Memo | None = None) -> tuple[Site, list[Problem]]:
    """Project files → (the site built from every valid item, drafts included; every problem found).

    ``memo`` keeps parsed files between calls (the preview passes the same one each time).
    """
    ctx = Context(project, memo or Memo())
    parts = {
        "settings": settings.read(ctx),
        "verdicts": verdicts.read(ctx),
        "sources": sources.read(ctx),
    }
    parts["events"], found_stories = timeline.read(ctx)
    parts["facts"] = facts.read(ctx)
    found_articles = articles.read(ctx, found_stories)
    found_claims, reviews = claims.read(ctx, found_articles)
    found_pages = pages.read(ctx)
    _unexpected_files(ctx)
    site = Site(
        settings=parts["settings"],
        verdicts=frozen_map(parts["verdicts"]),
        sources=frozen_map(parts["sources"]),
        events=frozen_map(parts["events"]),
        facts=frozen_map(parts["facts"]),
        articles=frozen_map(sorted(found_articles.items())),
        claims=frozen_map(found_claims),
        reviews=frozen_map(reviews),
        pages=frozen_map(sorted(found_pages.items())),
        stories=frozen_map(found_stories),
    )
    return drafts_aside(site, ctx, ctx.problems + ctx.resolver.check())


def drafts_aside(site: Site, ctx: Context, problems: list[Problem]) -> tuple[Site, list[Problem]]:
    """Work in progress never blocks the rest: a problem in a draft article's files, or inside a draft claim,
    is a warning; a claim with such a problem is left out (it could not be shown), the rest of its draft
    article is kept so that the preview can show it."""
    out, broken = [], set()
    for p in problems:
        claim = _claim_at(ctx, p)
        in_draft = p.path in ctx.draft_files or (claim is not None and claim[1])
        if p.severity == "error" and in_draft:
            p = replace(p, severity="warning")
            if claim is not None:
                broken.add(claim[0])
        out.append(p)
    if broken:
        kept = {slug: tuple(c for c in cs if c.id not in broken) for slug, cs in site.claims.items()}
        site = replace(site, claims=frozen_map(kept))
    return site, out


def _claim_at(ctx: Context, problem: Problem) -> tuple[str, bool] | None:
    """(claim id, draft) of the claim item a problem is located in, if any."""
    for first, last, claim_id, draft in ctx.claim_lines.get(problem.path, ()):
        if first <= problem.line <= last:
            return claim_id, draft
    return None


def published_only(site: Site) -> Site:
    """The site without draft articles and draft claims (what the public sees)."""
    shown = {slug: a for slug, a in site.articles.items() if not a.draft}
    kept_claims = {slug: tuple(c for c in cs if not c.draft) for slug, cs in site.claims.items() if slug in shown}
    reviews = {slug: r for slug, r in site.reviews.items() if slug in shown}
    kept = {c.id for cs in kept_claims.values() for c in cs}
    anchors = {cid: a for cid, a in site.anchors.items() if cid in kept}
    return replace(
        site, articles=frozen_map(shown), claims=frozen_map(kept_claims), reviews=frozen_map(reviews), anchors=frozen_map(anchors)
    )


def _unexpected_files(ctx: Context) -> None:
    project = ctx.project
    if (project.root / "content").is_dir():
        for rel in sorted(set(SINGLE_FILES) - set(project.files) - set(project.unreadable)):
            ctx.problems.append(
                Problem(
                    path=rel, line=0, col=0, message="this file is missing; the README's 'Content' section shows what it holds"
                )
            )
    known = set(SINGLE_FILES) | set(OPTIONAL_FILES)
    folders = (ARTICLES_DIR + "/", ANNOTATIONS_DIR + "/", PAGES_DIR + "/", STORIES_DIR + "/")
    for rel in project.files:
        if rel not in known and not rel.startswith(folders):
            expected = sorted(known) + [f"{folder}*" for folder in folders]
            ctx.unexpected(rel, f"content/ holds {', '.join(expected)}{did_you_mean(rel, known)}")
