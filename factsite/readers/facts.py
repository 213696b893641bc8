"""``content/facts.yaml`` (optional): facts several articles state, each in its own words."""

from __future__ import annotations

from ..model import Fact, Loc
from .context import Context

PATH = "content/facts.yaml"


def read(ctx: Context) -> dict[str, Fact]:
    if PATH not in ctx.project.files and PATH not in ctx.project.unreadable:
        return {}
    # A file that could not be read loads as nothing, and ``items`` marks the facts broken: their references
    # are then not reported as unknown.
    doc, bad = ctx.load(PATH, "facts")
    out: dict[str, Fact] = {}
    for i, f in ctx.items(doc, bad, "facts", "fact"):
        ctx.resolver.refer(doc, ("facts", i, "sources"), "source", f["sources"])
        ctx.resolver.refer(doc, ("facts", i, "events"), "event", f.get("events", ()))
        line, col = doc.where(("facts", i, "id"))
        out.setdefault(
            f["id"],
            Fact(
                id=f["id"],
                title=f["title"],
                summary=f["summary"],
                sources=tuple(f["sources"]),
                events=tuple(f.get("events", ())),
                at=Loc(path=PATH, line=line, col=col),
                history=ctx.history(doc, ("facts", i, "history"), f.get("history")),
            ),
        )
    return dict(sorted(out.items()))
