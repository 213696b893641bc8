"""The corrections: every correction, update and clarification on the record, newest first.

``corrections.html`` shows the newest 50; the whole record is on numbered pages counted from the oldest
(``corrections/page/<n>.html``, page 1 the oldest), so a page's address never changes as entries arrive.
"""

from __future__ import annotations

from typing import Any

from .. import layout
from ..model import Site
from .paging import PER_PAGE, chunks, count, pager
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "corrections.html"


def record_page(number: int) -> str:
    return f"corrections/page/{number}.html"


def _total(site: Site) -> int:
    changes = sum(len(c.history) for claims in site.claims.values() for c in claims if c.id in site.anchors)
    return changes + sum(len(f.history) for f in site.facts.values()) + sum(len(e.history) for e in site.events.values())


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    pages = [PageSpec(path=layout.CORRECTIONS, kind="corrections", key="", inputs=inputs.everything)]
    total = _total(site)
    if total > PER_PAGE["corrections"]:
        pages += [
            PageSpec(path=record_page(n), kind="corrections", key=str(n), inputs=inputs.everything)
            for n in range(1, count(total, PER_PAGE["corrections"]) + 1)
        ]
    return pages


def context(views: Views, key: str) -> dict[str, Any]:
    entries = views.corrections()  # newest first
    size = PER_PAGE["corrections"]
    reviewed = sorted({r.on for r in views.site.reviews.values()})
    total = count(len(entries), size)
    if not key:  # the newest, and the way to the rest
        older = len(entries) - size - 1
        shown = entries[:size]
        return {**views.base(), "entries": shown, "reviewed": reviewed, "pager": None, "total": len(entries),
                "older": record_page(older // size + 1) if older >= 0 else None}  # fmt: skip
    number = int(key)
    shown = list(reversed(chunks(entries[::-1], size)[number - 1]))
    return {**views.base(), "entries": shown, "reviewed": reviewed, "total": len(entries), "older": None,
            "pager": pager(number, total, record_page)}  # fmt: skip


KINDS = {"corrections": Kind(TEMPLATE, context, "the corrections page")}
