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
