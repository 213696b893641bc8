"""The archive: every article, on numbered pages counted from the oldest and on a page per month.

| page | holds |
|---|---|
| ``archive/index.html`` | every month with its count of articles, and links to the numbered pages |
| ``archive/page/<n>.html`` | the ``n``-th 20 articles, counted from the oldest: page 1 holds the oldest, and a full page never changes as newer articles arrive |
| ``archive/<yyyy-mm>.html`` | the articles of one month (``archive/undated.html`` those without a known month), paged the same way (``archive/2025-08/page/2.html``) |

Each list page shows its articles newest first, with links to the older and newer pages
(``rel="prev"``/``rel="next"``), and works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import layout
from ..dates import MONTHS
from ..model import Article, Site
from .paging import PER_PAGE, chunks, count, page_key, pager, split_key
from .spec import Inputs, Kind, PageSpec, listing, per_site
from .views import Views, pub_order

TEMPLATE = "archive.html"
INDEX_TEMPLATE = "archive-index.html"
UNDATED = "undated"


def oldest_first(site: Site) -> list[str]:
    """Every article's slug, oldest first (undated articles after the dated ones, then by slug)."""
    return per_site(site, "order", lambda: sorted(site.articles, key=lambda slug: (pub_order(site.articles[slug]), slug)))


def newest_first(site: Site) -> list[str]:
    return oldest_first(site)[::-1]


def older_page(site: Site, shown: int) -> str | None:
    """The numbered page holding the newest article older than the ``shown`` newest, if there is one."""
    older = len(site.articles) - shown - 1  # its place counted from the oldest, from 0
    return layout.archive_page(older // PER_PAGE["articles"] + 1) if older >= 0 else None


def month_of(article: Article) -> str:
    """``2025-08``, or ``undated`` when the article's month is not known."""
    iso = article.published.iso() if article.published else ""
    return iso[:7] if len(iso) >= 7 else UNDATED


def months(site: Site) -> dict[str, list[str]]:
    """Month → its articles' slugs, oldest first; months in order, ``undated`` last."""

    def make() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for slug in oldest_first(site):
            found.setdefault(month_of(site.articles[slug]), []).append(slug)
        return dict(sorted(found.items(), key=lambda item: (item[0] == UNDATED, item[0])))

    return per_site(site, "months", make)


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    if not site.articles:
        return []
    size = PER_PAGE["articles"]
    # The index shows the months' and the pages' counts; a list page its articles, and the list's length.
    shape = listing("archive-index", [(m, len(s)) for m, s in months(site).items()], len(site.articles))
    pages = [PageSpec(path=layout.ARCHIVE, kind="archive-index", inputs=inputs.common | {shape})]
    lists = [("", oldest_first(site)), *months(site).items()]
    for month, slugs in lists:
        for n, part in enumerate(chunks(slugs, size), start=1):
            shown = listing("archive", month, len(slugs), list(part))
            pages.append(
                PageSpec(
                    path=layout.month_path(month, n) if month else layout.archive_page(n),
                    kind="archive",
                    key=page_key(month, n),
                    inputs=inputs.common | article_keys(part) | {"sources", "timeline", shown},
                )
            )
    return pages


def article_keys(slugs: Iterable[str]) -> frozenset[str]:
    """The input keys of the articles a list shows: their files (title, date) and their claims (the summary)."""
    return frozenset(key for slug in slugs for key in (f"article:{slug}", f"claims:{slug}"))


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    month, number = split_key(key)
    size = PER_PAGE["articles"]
    slugs = months(site)[month] if month else oldest_first(site)
    shown = chunks(slugs, size)[number - 1]
    path_of = (lambda n: layout.month_path(month, n)) if month else layout.archive_page
    if month == UNDATED:
        title = "Articles without a known date"
    elif month:
        title = f"Articles of {_month_name(month)}"
    else:
        title = "All articles"
    first = (number - 1) * size + 1
    return {
        **views.base(),
        "title": title,
        "subtitle": f"{first}–{first + len(shown) - 1} of {len(slugs)}, counted from the oldest" if len(slugs) > size else "",
        "articles": [views.article_summary(site.articles[slug]) for slug in reversed(shown)],
        "pager": pager(number, count(len(slugs), size), path_of),
    }


def index_context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    size = PER_PAGE["articles"]
    total = count(len(site.articles), size)
    return {
        **views.base(),
        "months": [
            {"month": m, "title": "Undated" if m == UNDATED else _month_name(m), "url": layout.month_path(m), "count": len(s)}
            for m, s in reversed(months(site).items())
        ],
        "pages": [
            {"number": n, "url": layout.archive_page(n), "first": (n - 1) * size + 1, "last": min(n * size, len(site.articles))}
            for n in range(total, 0, -1)
        ],
        "total": len(site.articles),
        "per_page": size,
    }


def _month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number)]} {year}"


KINDS = {
    "archive": Kind(TEMPLATE, context, "a page of the archive"),
    "archive-index": Kind(INDEX_TEMPLATE, index_context, "the archive's index"),
}
