"""The search page: a search box over the articles (in their own languages) and the English annotations.

The index itself is made after rendering, by ``factsite/search_index.py``, as one Pagefind bundle per
language (cut in shards: see there); this page lists those bundles, each as its shards' folders, for its
script (``static/search.js``) to open one search instance each and merge its other shards into it. It
alone allows WebAssembly (``'wasm-unsafe-eval'``), which Pagefind runs.
"""

from __future__ import annotations

from typing import Any

from .. import layout, search_index, vocab
from ..model import Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "search.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    # Which bundles there are depends on which languages have records: the articles and every annotation.
    return [PageSpec(path=layout.SEARCH, kind="search", inputs=inputs.everything)]


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    found = search_index.bundles(site)
    article_langs = sorted({a.lang for a in site.articles.values()})
    return {
        **views.base(),
        "bundles": " ".join(f"{lang}={','.join(folders)}" for lang, folders in found),
        "article_languages": [vocab.language_name(lang) for lang in article_langs],
        "annotation_language": vocab.language_name(site.settings.lang),
    }


KINDS = {"search": Kind(TEMPLATE, context, "the search page")}
