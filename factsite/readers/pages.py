"""``content/pages/<slug>.md``: prose pages such as About and Methodology."""

from __future__ import annotations

from ..diagnostics import Problem
from ..layout import PAGES_DIR
from ..model import Page
from .context import Context, split_front_matter


def read(ctx: Context) -> dict[str, Page]:
    out: dict[str, Page] = {}
    for rel in sorted(r for r in ctx.project.files if r.startswith(PAGES_DIR + "/")):
        if not rel.endswith(".md"):
            ctx.unexpected(rel, "page files end in .md")
            continue
        slug = ctx.slug_of(rel, "a page")
        parts = split_front_matter(ctx.project.files[rel])
        if parts is None:
            ctx.problems.append(
                Problem(
                    path=rel,
                    line=1,
                    col=1,
                    message="a page file starts with a '---' line, then its front matter "
                    "(YAML), then another '---' line, then the text (Markdown)",
                )
            )
            continue
        front, body, body_line = parts
        doc, bad = ctx.load(rel, "page", text=front, line_offset=1)
        ctx.check_body_links(rel, body, body_line)
        if not bad and slug:
            d = doc.data
            out[slug] = Page(
                slug=slug,
                title=d["title"],
                description=d.get("description", ""),
                layout=d.get("layout", "page"),
                body=body,
                path=rel,
            )
    return out
