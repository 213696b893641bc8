"""``content/timeline.yaml``: the dated events of the story, in date order."""

from __future__ import annotations

from ..model import Event
from .context import Context

PATH = "content/timeline.yaml"


def read(ctx: Context) -> dict[str, Event]:
    doc, bad = ctx.load(PATH, "timeline")
    out: dict[str, Event] = {}
    for i, e in ctx.items(doc, bad, "events", "event"):
        start = ctx.date(doc, ("events", i, "date"), e["date"])
        end = ctx.date(doc, ("events", i, "end"), e["end"]) if "end" in e else None
        if start and end and end.latest() < start.earliest():
            ctx.problems.append(
                doc.problem(("events", i, "end"), f"the end ({end.source_text()}) is before the date ({start.source_text()})")
            )
        ctx.resolver.refer(doc, ("events", i, "sources"), "source", e["sources"])
        if start:
            out.setdefault(
                e["id"],
                Event(
                    id=e["id"],
                    date=start,
                    end=end,
                    status=e["status"],
                    title=e["title"],
                    body=e["body"],
                    sources=tuple(e["sources"]),
                    tags=tuple(e.get("tags", ())),
                    history=ctx.history(doc, ("events", i, "history"), e.get("history")),
                ),
            )
    return dict(sorted(out.items(), key=lambda kv: _order(kv[1])))


def _order(event: Event) -> tuple:
    return event.date.earliest(), (event.end or event.date).latest(), event.id
