"""What the pages that list claims show of them: an input key finer than the claims file, for the digests.

A page's digest covers its input keys, and an article's claims are one key,
``claims:<slug>``, the digest of its annotations file. Most pages list claims
from many articles (the home page, the timeline, the sources and facts pages,
the feeds, the data files, the sitemap), and none of them shows an explanation
beyond its first sentence (``views.one_line``): only a claim's own page
renders the whole text. So these pages depend on ``claims-listed:<slug>``
instead, a digest of the article's claims (as shown, with their anchors) and
review in which each explanation is cut to what a list can show of it. An
edit further down an explanation, the commonest edit a reviewer makes, then
renders the claim's page and its article's, not every list of the archive.

Templates are content: a template may show ``explanation`` anywhere. The
split is made only while the templates that read the field (its name in a
template's code, not its text) are the pages' own templates that no other
template extends, imports or includes; the kinds rendered with them keep the
whole file as their key. Otherwise every page keeps ``claims:<slug>``. The
data kinds (feeds, data files, annotations) are code, and a test asserts
that a page whose digest is unchanged is unchanged, edit by edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import jinja2

from .cache import key_digest
from .model import Claim, Site
from .pages import KINDS
from .pages.views import one_line

FIELD = "explanation"
PREFIX = "claims-listed:"
_UNBOUNDED = 10**9

_readers: dict[tuple, frozenset[str] | None] = {}
_digests: dict[tuple, str] = {}


def full_kinds(templates: Mapping[str, str]) -> frozenset[str] | None:
    """The page kinds that may show the whole explanation (their pages keep ``claims:<slug>``), or None when
    the templates do not let lists be told apart (every page keeps it)."""
    key = tuple(sorted(templates.items()))
    if key not in _readers:
        if len(_readers) > 8:
            _readers.clear()
        _readers[key] = _full_kinds(templates)
    return _readers[key]


def _full_kinds(templates: Mapping[str, str]) -> frozenset[str] | None:
    env = jinja2.Environment()
    reading, named = set(), set()  # templates whose code names the field; template names any code names
    for name, source in templates.items():
        try:
            env.parse(source)
            tokens = list(env.lexer.tokenize(source))
        except jinja2.TemplateSyntaxError:
            return None  # it will fail to render, with its own problem: no split meanwhile
        for token in tokens:
            if token.type in ("name", "string") and token.value == FIELD:
                reading.add(name)
            elif token.type == "string":
                named.add(token.value)
    own = {kind.template for kind in KINDS.values() if kind.template}
    if not reading <= own or reading & named:
        return None
    return frozenset(name for name, kind in KINDS.items() if kind.template in reading)


def listed_keys(keys: frozenset[str]) -> frozenset[str]:
    """A list page's input keys: each article's claims file (``claims:<slug>``) as what a list shows of it."""
    return frozenset(f"{PREFIX}{k.removeprefix('claims:')}" if k.startswith("claims:") else k for k in keys)


def listed_digest(site: Site, slug: str, full: str, article: str) -> str:
    """``claims-listed:<slug>``: the digest of what a list shows of the article's claims as ``site`` shows them.
    ``full`` and ``article`` are the digests of its claims file and article file: the result is kept under
    them, so the preview works it out again only for the article a save changed."""
    key = (slug, full, article)
    found = _digests.get(key)
    if found is None:
        if len(_digests) > 4 * len(site.claims) + 1000:
            _digests.clear()
        claims = site.claims.get(slug, ())
        shown = tuple((_listed(claim), site.anchors.get(claim.id)) for claim in claims)
        found = _digests[key] = key_digest(("claims-listed", shown, site.reviews.get(slug))) or full
    return found


def _listed(claim: Claim) -> Claim:
    """The claim with its explanation cut to what a list shows of it: the first sentence, whole (or nothing,
    when the claim has its own summary)."""
    return dataclasses.replace(claim, explanation="" if claim.summary else one_line(claim, limit=_UNBOUNDED))
