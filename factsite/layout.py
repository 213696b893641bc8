"""Where everything is: the project's folders and files, the one slug pattern, and every page's address.

This module is the single source of truth for paths. The reader (``load``),
the file readers, the page kinds, the preview and the templates (through the
``url`` global) all ask it, so an address is spelt in one place only.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

# -- the project ------------------------------------------------------------------

CONTENT = "content"
SEEDS = "seeds"
TEMPLATES = "templates"
STATIC = "templates/static"
SITE = "site"
"""The default output folder, inside the project root."""

# The YAML files of content/ and the schema each one follows.
SINGLE_FILES = {
    "content/site.yaml": "site",
    "content/verdicts.yaml": "verdicts",
    "content/sources.yaml": "sources",
    "content/timeline.yaml": "timeline",
}
OPTIONAL_FILES = {"content/facts.yaml": "facts"}
"""Optional: a site need not share facts across articles."""
STORIES_DIR = "content/stories"
"""A story's timeline besides the default one (``content/timeline.yaml``): ``content/stories/<id>.yaml``."""
DEFAULT_STORY = "main"
"""The default story's id when ``content/timeline.yaml`` does not name it."""
ARTICLES_DIR = "content/articles"
PAGES_DIR = "content/pages"
ANNOTATIONS_DIR = "content/annotations"

MAX_FILE_BYTES = {"content": 16 * 2**20, "seeds": 4 * 2**20, "templates": 2**20, "static": 16 * 2**20}
"""Largest file read, by part of the project: generous for real content (the largest content file
today is 60 KB), small enough that a mistake cannot make the build read or publish gigabytes."""

UNKNOWN = "unknown"
"""How every file writes a value that is not known (a date, an address, an author): one spelling."""

# -- slugs --------------------------------------------------------------------------

_COMMON_SCHEMA = Path(__file__).parent / "schemas" / "common.schema.json"
_ID = json.loads(_COMMON_SCHEMA.read_text(encoding="utf-8"))["$defs"]["id"]
SLUG_PATTERN: str = _ID["pattern"]
"""The one pattern every id and every file-name slug follows (``$defs.id`` in common.schema.json)."""
SLUG_MAX = _ID["maxLength"]
_SLUG = re.compile(SLUG_PATTERN.removeprefix("^").removesuffix("$"))
SLUG_RULE = f"at most {SLUG_MAX} lower-case letters and digits joined by single '-' or '.', such as 'about' or 'c000-01'"


def is_slug(text: str) -> bool:
    """True when ``text`` is a valid id or file-name slug (matched whole: no trailing newline slips through)."""
    return isinstance(text, str) and len(text) <= SLUG_MAX and _SLUG.fullmatch(text) is not None


# -- the site's addresses (paths inside the output folder) ---------------------------

HOME = "index.html"
TIMELINE = "timeline.html"
SOURCES = "sources.html"
FACTS_INDEX = "facts/index.html"
VERDICTS_CSS = "static/verdicts.css"
CORRECTIONS = "corrections.html"
NOT_FOUND = "404.html"
SEARCH = "search.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
FEED_CHECKS = "feeds/fact-checks.xml"
FEED_CORRECTIONS = "feeds/corrections.xml"
DATA_DIR = "data"
DATA_CSV = "data/claims.csv"
DATA_JSON = "data/claims.json"
DATA_PACKAGE = "data/datapackage.json"
CLAIMREVIEW_FEED = "data/claimreview-feed.json"
MARKER = ".factsite-site"
"""The file that marks an output folder as one this tool built (see ``write``); a dot-file, which hosts rarely serve."""


def article_path(slug: str) -> str:
    return f"articles/{slug}.html"


def fact_path(fact_id: str) -> str:
    return f"facts/{fact_id}.html"


def page_path(slug: str) -> str:
    return f"{slug}.html"


def static_path(name: str) -> str:
    return f"static/{name}"


def annotations_path(article_slug: str) -> str:
    """The W3C Web Annotation collection of one article's claims."""
    return f"annotations/{article_slug}.jsonld"


def claim_path(claim_id: str) -> str:
    """A claim's own page, named by its id (never its number, which moves when claims are added)."""
    return f"claims/{claim_id}.html"


def claim_note_url(article_slug: str, claim_id: str) -> str:
    """The claim's note beside its passage in the article."""
    return f"{article_path(article_slug)}#claim-{claim_id}"


def quote_url(article_slug: str, claim_id: str) -> str:
    """The claim's passage in the article's text."""
    return f"{article_path(article_slug)}#quote-{claim_id}"


def event_url(event_id: str) -> str:
    """A timeline event's own page: its account, its sources and the claims that cite it."""
    return f"events/{event_id}.html"


def source_url(source_id: str) -> str:
    """A source's own page: its details, its archived copy and every claim and event that cites it."""
    return f"sources/{source_id}.html"


STORIES = "stories/index.html"
"""Every story the desk follows (made only when there is more than one)."""


def story_path(story_id: str, *, default: bool) -> str:
    """A story's timeline page: ``timeline.html`` for the default story, ``stories/<id>.html`` for any other."""
    return TIMELINE if default else f"stories/{story_id}.html"


ARCHIVE = "archive/index.html"
"""The archive: every month with its articles, and the numbered pages of every article."""


def paged(first: str, number: int) -> str:
    """Page ``number`` of a list whose first page is ``first``: ``sources.html`` → ``sources/page/2.html``,
    ``facts/index.html`` → ``facts/page/2.html``, ``events/ev01.html`` → ``events/ev01/page/2.html``.
    Page 1 is ``first`` itself. (No id contains ``/``, so these never collide with an item's own page.)"""
    if number == 1:
        return first
    stem = first.removesuffix("/index.html") if first.endswith("/index.html") else first.removesuffix(".html")
    return f"{stem}/page/{number}.html"


def archive_page(number: int) -> str:
    """The ``number``-th page of every article, counted from the oldest: its address never changes as
    newer articles arrive (page 1 holds the oldest)."""
    return f"archive/page/{number}.html"


def month_path(month: str, number: int = 1) -> str:
    """The articles of one month (``2025-08``, or ``undated``), counted from the oldest when paged."""
    return paged(f"archive/{month}.html", number)


def url_for(kind: str, key: str = "") -> str:
    """The site path of a thing by kind: ``url_for("fact", "may-launch")`` → ``facts/may-launch.html``."""
    return _URLS[kind](key)


_URLS = {
    "home": lambda _: HOME,
    "corrections": lambda _: CORRECTIONS,
    "search": lambda _: SEARCH,
    "feed": lambda key: FEED_CORRECTIONS if key == "corrections" else FEED_CHECKS,
    "data": lambda name: f"{DATA_DIR}/{name}",
    "annotations": annotations_path,
    "timeline": lambda _: TIMELINE,
    "sources": lambda _: SOURCES,
    "facts": lambda _: FACTS_INDEX,
    "article": article_path,
    "fact": fact_path,
    "claim": claim_path,
    "page": page_path,
    "static": static_path,
    "event": event_url,
    "source": source_url,
    "archive": lambda _: ARCHIVE,
    "path": lambda path: path,
}


def absolute(base_url: str, path: str) -> str:
    """A site path as the absolute URL formats such as feeds, sitemaps and JSON-LD need, from ``base_url``.

    ``index.html`` pages are addressed by their folder (``https://example.org/r2/``), as hosts serve them.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    if path == HOME or path.endswith("/" + HOME):
        path = path.removesuffix(HOME)
    return base + path


def relative(target: str, from_page: str) -> str:
    """``target`` (a site path, maybe with ``#fragment``) as a link from the page at ``from_page``."""
    path, hash_, fragment = target.partition("#")
    if path == from_page and hash_:
        return "#" + fragment
    return _relpath(path, posixpath.dirname(from_page)) + hash_ + fragment


def _relpath(path: str, folder: str) -> str:
    """``posixpath.relpath(path, folder or ".")`` for two site paths, without its two calls of
    ``os.getcwd()`` (a link is made some 100,000 times a build at 200 articles)."""
    if ".." in path or ".." in folder or path.startswith("/") or folder.startswith("/") or not path:
        return posixpath.relpath(path, folder or ".")
    start = [part for part in folder.split("/") if part and part != "."]
    target = [part for part in path.split("/") if part and part != "."]
    common = 0
    while common < len(start) and common < len(target) and start[common] == target[common]:
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    return "/".join(parts) if parts else "."


def root_prefix(from_page: str) -> str:
    """``""`` for a top-level page, ``"../"`` for one a folder down: what leads back to the site root."""
    up = posixpath.relpath(".", posixpath.dirname(from_page) or ".")
    return "" if up == "." else up + "/"
