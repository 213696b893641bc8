"""``content/articles/<slug>.md``: front matter (YAML) and the article's text, checked against its seed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from ..diagnostics import Problem, did_you_mean
from ..layout import ANNOTATIONS_DIR, ARTICLES_DIR, DEFAULT_STORY, SEEDS, STORIES_DIR
from ..model import Article, Story
from ..seedtext import TextChecker, seed_words
from ..yamlsrc import YamlDoc
from .context import Context, split_front_matter


def read(ctx: Context, stories: Mapping[str, Story]) -> dict[str, Article]:
    out: dict[str, Article] = {}
    default = next((s.id for s in stories.values() if s.default), DEFAULT_STORY)
    for rel in sorted(ctx.project.files):
        if rel.startswith(ARTICLES_DIR + "/"):
            article = (
                _article(ctx, rel, stories, default) if rel.endswith(".md") else ctx.unexpected(rel, "article files end in .md")
            )
            if article:
                out[article.slug] = article  # the slug is the file's name, even when front matter disagrees
    return out


def _article(ctx: Context, rel: str, stories: Mapping[str, Story], default: str) -> Article | None:
    slug = ctx.slug_of(rel, "an article")
    parts = split_front_matter(ctx.project.files[rel])
    if parts is None:
        ctx.problems.append(
            Problem(
                path=rel,
                line=1,
                col=1,
                message="an article file starts with a '---' line, then its front matter "
                "(YAML), then another '---' line, then the text",
            )
        )
        return None
    front, body, body_line = parts
    doc, bad = ctx.load(rel, "article", text=front, line_offset=1)
    draft = doc is not None and isinstance(doc.data, dict) and doc.data.get("draft") is True
    if draft:
        # Work in progress: its problems are warnings, and it is shown (marked) wherever its fields allow.
        ctx.draft_files.update({rel, f"{ANNOTATIONS_DIR}/{PurePosixPath(rel).stem}.yaml"})
    if slug is None or (bad and not (draft and _readable(doc.data))):
        return None
    d = doc.data
    if d["slug"] != slug:
        ctx.problems.append(
            doc.problem(
                ("slug",),
                f"the slug '{d['slug']}' differs from the file name '{slug}.md'; "
                "make them the same (the slug is the page's address)",
            )
        )
    ctx.check_markdown(doc, (), d)
    story = d.get("story", default)
    # A story whose own file has a problem (or could not be read) is reported there, not again at every article
    # that names it.
    named = "story" in d or default in stories  # an unnamed default story that is broken is reported at its file
    file = f"{STORIES_DIR}/{story}.yaml"
    has_file = file in ctx.project.files or file in ctx.project.unreadable
    if named and story not in stories and ("story",) not in bad and not has_file:
        known = ", ".join(stories) or "none"
        ctx.problems.append(
            doc.problem(
                ("story",),
                f"unknown story '{story}'{did_you_mean(story, stories)}; the stories are {known} "
                "(content/timeline.yaml's, and one per file in content/stories/)",
            )
        )
    dates = {k: ctx.date(doc, (k,), d[k]) if k in d else None for k in ("published", "not_before", "not_after")}
    _check_bounds(ctx, doc, dates)
    seeds = ctx.project.seeds
    seed = seeds.get(d["seed"]["file"])
    unreadable = {r.removeprefix(SEEDS + "/") for r in ctx.project.unreadable if r.startswith(SEEDS + "/")}
    # A missing seed's message suggests the closest name (or is not given, if the seed could not be read),
    # so then the names are part of the key.
    key = ("text", rel, ctx.project.files[rel], seed.sha256 if seed else (tuple(seeds), d["seed"]["file"] in unreadable))
    blocks, problems = ctx.memo.get(
        key, lambda: TextChecker(ctx.body_parser, seeds, unreadable).check(doc, body, body_line, seed)
    )
    ctx.problems += problems
    return Article(
        slug=slug,
        title=d["title"],
        title_en=d.get("title_en", ""),
        lang=d["lang"],
        published=dates["published"],
        not_before=dates["not_before"],
        not_after=dates["not_after"],
        outlet=d["outlet"],
        author=d["author"],
        url=d["url"],
        seed_file=d["seed"]["file"],
        seed_sha256=d["seed"]["sha256"],
        seed_text=seed_words(seed)[1] if seed else "",
        notes=d.get("notes", ""),
        draft=d.get("draft", False),
        blocks=tuple(blocks),
        path=rel,
        story=story,
    )


def _readable(d: dict) -> bool:
    """Whether a draft's front matter, though it has problems (a TODO left by the importer), has every field
    the page needs as text, so that it can be previewed."""
    fields = ("slug", "title", "lang", "published", "outlet", "author", "url")
    seed = d.get("seed")
    return (
        all(isinstance(d.get(f), str) for f in fields)
        and isinstance(seed, dict)
        and all(isinstance(seed.get(f), str) for f in ("file", "sha256"))
    )


def _check_bounds(ctx: Context, doc: YamlDoc, dates: dict) -> None:
    published, lo, hi = dates["published"], dates["not_before"], dates["not_after"]
    if lo and hi and hi.latest() < lo.earliest():
        ctx.problems.append(doc.problem(("not_after",), "not_after is before not_before"))
    if published and published.precision == "day" and (lo or hi):
        ctx.problems.append(
            doc.problem(
                ("not_before",) if lo else ("not_after",),
                "bounds only make sense when 'published' is unknown or imprecise; remove them",
            )
        )
    elif published and lo and lo.earliest() > published.latest():
        ctx.problems.append(
            doc.problem(("not_before",), f"not_before ({lo.source_text()}) is after published ({published.source_text()})")
        )
    elif published and hi and hi.latest() < published.earliest():
        ctx.problems.append(
            doc.problem(("not_after",), f"not_after ({hi.source_text()}) is before published ({published.source_text()})")
        )
