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

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .. import layout
from ..model import Claim, Loc, Site
from .spec import PageSpec

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


def citing_articles(site: Site, cited: Callable[[Claim], Iterable[str]]) -> dict[str, tuple[frozenset[str], int]]:
    """Item id → (the input keys of the articles whose published claims cite it, how many claims do), for the
    ids ``cited(claim)`` gives: what a page listing an item's claims depends on (besides the sources and the
    timeline), and how many pages it needs. A claims file that cites the item only in a claim that is not
    shown counts as well: publishing that claim changes the page. One pass over every claim."""
    keys: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for slug, claims in site.claims.items():
        for claim in claims:
            for item in cited(claim):
                keys.setdefault(item, {"sources", "timeline"}).update((f"article:{slug}", f"claims:{slug}"))
                counts[item] = counts.get(item, 0) + (claim.id in site.anchors)
    return {item: (frozenset(found), counts[item]) for item, found in keys.items()}


def item_pages(
    kind: str, item_id: str, first: str, citing: dict[str, tuple[frozenset[str], int]], common: frozenset[str],
    origin: Loc | None = None,
) -> list[PageSpec]:  # fmt: skip
    """The pages of one item (its ``first`` page, then ``…/page/<n>.html``), 50 citing claims a page."""
    articles, claims = citing.get(item_id, (frozenset({"sources", "timeline"}), 0))
    return [
        PageSpec(path=layout.paged(first, n), kind=kind, key=page_key(item_id, n), inputs=common | articles, origin=origin)
        for n in range(1, count(claims, PER_PAGE["claims"]) + 1)
    ]


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
