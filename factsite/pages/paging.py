"""Long lists cut into numbered pages, as Hugo's paginators do, with addresses that stay put.

A list page shows at most ``PER_PAGE[what]`` items. The pages of a list
are counted from its oldest item (or its first, for lists in a fixed order),
so a page's address and, once full, its content do not change as newer items
arrive: a link to ``archive/page/3.html`` keeps pointing at the same
articles. ``pager`` makes the navigation a list page shows: the previous and
next pages (``rel="prev"``/``rel="next"``) and numbered links, the first, the
last and the neighbours of the current page, with gaps between.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .. import layout
from ..model import Loc, Site
from .spec import PageSpec, listing, per_site

T = TypeVar("T")

PER_PAGE = {"articles": 20, "claims": 50, "sources": 50, "corrections": 50, "facts": 50}
"""How many items a page of each kind of list holds: small enough that no page grows past a few hundred
kilobytes whatever the archive's size."""


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` in pages of ``size`` (at least one page, maybe empty)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def count(total: int, size: int) -> int:
    """How many pages ``total`` items fill."""
    return max(1, -(-total // size))


def page_key(key: str, number: int) -> str:
    """The ``PageSpec.key`` of page ``number`` of the list of ``key`` (``ev01/2``); ids never hold ``/``."""
    return f"{key}/{number}"


def split_key(key: str) -> tuple[str, int]:
    """``ev01/2`` → (``ev01``, 2)."""
    item, _, number = key.rpartition("/")
    return item, int(number)


def pager(number: int, total: int, path_of: Callable[[int], str], *, around: int = 2) -> dict[str, Any] | None:
    """The navigation of page ``number`` of ``total`` (site paths from ``path_of``), or None for a single page.

    ``links`` lists (page number, path, is current) with ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20.
    """
    if total <= 1:
        return None
    shown = sorted({1, total, *range(max(1, number - around), min(total, number + around) + 1)})
    links: list[tuple[int, str, bool] | None] = []
    for previous, n in zip([0, *shown], shown, strict=False):
        if n - previous > 1:
            links.append(None)
        links.append((n, path_of(n), n == number))
    return {
        "number": number,
        "total": total,
        "prev": path_of(number - 1) if number > 1 else None,
        "next": path_of(number + 1) if number < total else None,
        "links": links,
    }


# -- an item's page listing the claims that cite it (a source, an event, a shared fact) -----------------------


def plan_views(site: Site) -> Any:
    """The ``Views`` the planner asks for the order of a list (one per site, as rendering has its own)."""
    from .views import Views  # views imports nothing of the planner's; imported here to keep the order plain

    return per_site(site, "plan-views", lambda: Views(site))


def item_pages(
    kind: str, item_id: str, first: str, site: Site, common: frozenset[str], origin: Loc | None = None
) -> list[PageSpec]:
    """The pages of one item (its ``first`` page, then ``…/page/<n>.html``), 50 citing claims a page.

    Each page depends on the articles whose claims it shows and on a ``listing`` key naming those claims,
    in order, and the list's length (what the pager and the heading show of the others): editing a claim
    renders the one page that shows it, and a claim added, removed, published or moved by a date renders
    the pages whose share of the list changed, and the others only when the total changes."""
    claims = plan_views(site).citing(kind, item_id)
    parts = chunks(claims, PER_PAGE["claims"])
    pages = []
    for n, part in enumerate(parts, start=1):
        slugs = sorted({c.article for c in part})
        keys = {f"article:{s}" for s in slugs} | {f"claims:{s}" for s in slugs}
        shown = listing(kind, item_id, len(claims), [c.id for c in part])
        inputs = common | keys | {"sources", "timeline", shown}
        pages.append(PageSpec(path=layout.paged(first, n), kind=kind, key=page_key(item_id, n), inputs=inputs, origin=origin))
    return pages


def citing_page(views: Any, kind: str, item_id: str, number: int, first: str) -> dict[str, Any]:
    """Template values of page ``number`` of the claims citing an item: ``claims`` (their views),
    ``claims_total``, ``first_claim`` (the number of the page's first, for ``<ol start>``) and ``pager``."""
    claims = views.citing(kind, item_id)
    size = PER_PAGE["claims"]
    return {
        "claims": [views.claim_view(c) for c in chunks(claims, size)[number - 1]],
        "claims_total": len(claims),
        "first_claim": (number - 1) * size + 1,
        "pager": pager(number, count(len(claims), size), lambda n: layout.paged(first, n)),
    }
