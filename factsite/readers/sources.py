"""``content/sources.yaml``: every document the fact checks rely on, defined once."""

from __future__ import annotations

from ..model import Source
from .context import Context

PATH = "content/sources.yaml"


def read(ctx: Context) -> dict[str, Source]:
    doc, bad = ctx.load(PATH, "sources")
    out: dict[str, Source] = {}
    for i, s in ctx.items(doc, bad, "sources", "source"):
        published = ctx.date(doc, ("sources", i, "published"), s["published"])
        copy = s.get("copy", {})
        out.setdefault(
            s["id"],
            Source(
                id=s["id"],
                title=s["title"],
                publisher=s["publisher"],
                url=s["url"],
                published=published,
                lang=s["lang"],
                kind=s["kind"],
                copy_kind=copy.get("kind", ""),
                copy_of=copy.get("of", ""),
                archived_url=s.get("archived_url", ""),
                notes=s.get("notes", ""),
            ),
        )
    return dict(sorted(out.items()))
