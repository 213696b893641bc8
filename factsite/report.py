"""The editor's worklist: what in a checked site still needs an editor's attention.

``python build.py report`` prints it. Nothing here is an error (``check`` has already stopped on those) and
nothing is a warning (those are ``Site.warnings``, which ``check`` reports): every item is a ``note``, a
located suggestion an editor can jump to, such as a claim that rests on a single source or a source with no
archived copy. Notes never fail a build, even with ``--strict``. The worklist is computed from the checked
model (``pipeline.check_project``), plus the positions in the YAML that the model does not keep (of the
sources, of a ``draft:`` line, of a value still holding ``TODO``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .dates import display_range, publication_window, relation
from .diagnostics import Problem
from .layout import ANNOTATIONS_DIR, ARTICLES_DIR, CONTENT, PAGES_DIR
from .load import Project
from .model import Article, Claim, Loc, Site
from .readers.context import split_front_matter
from .yamlsrc import YamlDoc, parse_yaml

SOURCES_FILE = f"{CONTENT}/sources.yaml"
NOTE = "note"
_TODO = re.compile(r"\bTODO\b")


def worklist(project: Project, site: Site) -> list[Problem]:
    """Every worklist item for ``site`` (checked from ``project``), as notes sorted by path, line, column."""
    claims = [c for cs in site.claims.values() for c in cs]
    items = [
        *_todos(project),
        *_drafts(project, site),
        *_sources(project, site),
        *_evidence(site, claims),
        *_late_events(site, claims),
        *_none_found(site, claims),
        *_distribution(site),
        *_facts(site, claims),
    ]
    return sorted(set(items))


def summary(problems: Iterable[Problem]) -> str:
    """The worklist's last line: ``Worklist: 12 notes, 0 warnings``."""
    counts = Counter(p.severity for p in problems)
    notes, warnings = counts["note"], counts["warning"]
    return f"Worklist: {notes} note{'s' if notes != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


# -- helpers ---------------------------------------------------------------------------------------


def _note(path: str, line: int, col: int, message: str) -> Problem:
    return Problem(path=path, line=line, col=col, message=message, severity=NOTE)


def _at(loc: Loc, message: str) -> Problem:
    return _note(loc.path, loc.line, loc.col, message)


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


def _yaml(project: Project, rel: str) -> YamlDoc | None:
    """The YAML of a content file, or of an article's or page's front matter, with its positions."""
    text = project.files.get(rel)
    if text is None:
        return None
    if rel.endswith(".md"):
        parts = split_front_matter(text)
        if parts is None:
            return None
        doc, _ = parse_yaml(parts[0], rel, line_offset=1)
    else:
        doc, _ = parse_yaml(text, rel)
    return doc


def _article_date(article: Article) -> str:
    """The article's publication date as a reader would say it (or the bound that limits it)."""
    if article.published:
        return article.published.display()
    if article.not_after:
        return f"no later than {article.not_after.display()}"
    return "date unknown"  # pragma: no cover - no window then, so no event can be after it


# -- the items ---------------------------------------------------------------------------------------


# What each placeholder the importer writes stands for (``importer.py``), keyed by the field's path.
_TODO_HINTS = {
    ("title",): "write the title in the article's language",
    ("title_en",): "write the English title",
    ("published",): "write the date (YYYY-MM-DD, YYYY-MM or YYYY) or unknown",
    ("outlet",): "write the publication, or unknown",
    ("author",): "write the byline, or unknown",
    ("url",): "write the address of the original, or unknown",
    ("review", "by"): "write who checked these claims",
    ("review", "on"): "write the day they were checked, YYYY-MM-DD",
}


def _todos(project: Project) -> list[Problem]:
    """``TODO`` left in a value of a YAML file or of a front matter (comments are not values).

    The importer writes ``TODO`` for what only an editor knows. Outside a draft, a field that starts with
    it is an error ``check`` reports; what is left is a draft's placeholders and a TODO further into a value.
    """
    out = []
    for rel in sorted(project.files):
        yaml_file = rel.endswith(".yaml") and rel.startswith(CONTENT + "/")
        front = rel.endswith(".md") and rel.startswith((ARTICLES_DIR + "/", PAGES_DIR + "/"))
        doc = _yaml(project, rel) if yaml_file or front else None
        if doc is None:
            continue
        for path, value in _strings(doc.data, ()):
            if _TODO.search(value):
                imported = rel.startswith((ARTICLES_DIR + "/", ANNOTATIONS_DIR + "/"))  # files the importer writes
                hint = (_TODO_HINTS.get(path) if imported else None) or "write what it stands for"
                out.append(
                    _note(
                        rel,
                        *doc.where(path),
                        f"'{_field(doc.data, path)}' still holds a TODO placeholder; {hint}, then delete the TODO",
                    )
                )
    return out


def _strings(data, path: tuple) -> Iterable[tuple[tuple, str]]:
    """(path, text) of every string value in parsed YAML, in document order."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def _field(data, path: tuple) -> str:
    """A field's path as an editor reads it: ``author``, ``review.by``, ``claims[c-swiss].explanation``."""
    words = []
    for key in path:
        if isinstance(key, int):
            item = data[key]
            name = item.get("id") if isinstance(item, dict) else None
            index = f"[{name if isinstance(name, str) else key}]"
            words[-1:] = [(words[-1] if words else "") + index]
        else:
            words.append(str(key))
        data = data[key]
    return ".".join(words)


def _drafts(project: Project, site: Site) -> list[Problem]:
    out = []
    for slug, article in site.articles.items():
        if article.draft:
            doc = _yaml(project, article.path)
            line, col = doc.where(("draft",)) if doc else (0, 0)
            out.append(
                _note(
                    article.path,
                    line,
                    col,
                    f"article '{slug}' is a draft, so it and its claims are left off the published site; "
                    "when it is ready, set draft: false",
                )
            )
    for claims in site.claims.values():
        doc = None
        for i, claim in enumerate(claims):
            if not claim.draft:
                continue
            doc = doc or _yaml(project, claim.quote_at.path)
            index = _claim_index(doc, claim.id, i)
            line, col = doc.where(("claims", index, "draft")) if doc else (claim.quote_at.line, claim.quote_at.col)
            out.append(
                _note(
                    claim.quote_at.path,
                    line,
                    col,
                    f"claim '{claim.id}' is a draft, so it is left off the published site; when it is ready, set draft: false",
                )
            )
    return out


def _claim_index(doc: YamlDoc | None, claim_id: str, default: int) -> int:
    items = doc.data.get("claims") if doc and isinstance(doc.data, dict) else None
    for i, item in enumerate(items or ()):
        if isinstance(item, dict) and item.get("id") == claim_id:
            return i
    return default  # pragma: no cover - the checked site's claims all come from this file


def _sources(project: Project, site: Site) -> list[Problem]:
    doc = _yaml(project, SOURCES_FILE)
    index = {}
    if doc and isinstance(doc.data, dict):
        index = {s.get("id"): i for i, s in enumerate(doc.data.get("sources") or ()) if isinstance(s, dict)}

    def where(source_id: str, field: str) -> tuple[int, int]:
        return doc.where(("sources", index[source_id], field)) if doc and source_id in index else (0, 0)

    out = []
    for source in site.sources.values():
        if not source.archived_url:
            out.append(
                _note(
                    SOURCES_FILE,
                    *where(source.id, "id"),
                    f"source '{source.id}' has no archived copy; save the page (in the Wayback Machine or "
                    "archive.today) and add its address as archived_url, so readers can check it if the page changes or goes",
                )
            )
        if source.published is None:
            out.append(
                _note(
                    SOURCES_FILE,
                    *where(source.id, "published"),
                    f"source '{source.id}' has no date (published: unknown); add the date it was published, "
                    "at the precision known, if the page or an archive shows one",
                )
            )
    return out


def _evidence(site: Site, claims: list[Claim]) -> list[Problem]:
    """Claims resting on one source, on one publisher, or only on secondary reports."""
    out = []
    for claim in claims:
        sources = [site.sources[s] for s in claim.sources]
        ids = _ids(claim.sources)
        if len(sources) == 1:
            out.append(
                _at(
                    claim.quote_at,
                    f"claim '{claim.id}' rests on one source ({ids}); add a second, independent one if there is one",
                )
            )
        publishers = {s.publisher for s in sources}
        if len(sources) > 1 and len(publishers) == 1:
            out.append(
                _at(
                    claim.quote_at,
                    f"claim '{claim.id}' rests on {len(sources)} sources all from one publisher, "
                    f"{sources[0].publisher} ({ids}); add one from another publisher if there is one",
                )
            )
        if sources and all(s.kind == "secondary" for s in sources):
            out.append(
                _at(
                    claim.quote_at,
                    f"claim '{claim.id}' rests only on secondary reports ({ids}); cite the primary document "
                    "or on-the-record statement they report, if there is one",
                )
            )
    return out


def _late_events(site: Site, claims: list[Claim]) -> list[Problem]:
    """Claims citing events that began after their article can have been published."""
    out = []
    for claim in claims:
        article = site.articles[claim.article]
        window = publication_window(article.published, article.not_before, article.not_after)
        if window is None:
            continue
        late = [site.events[e] for e in claim.events if relation(site.events[e].date, site.events[e].end, window) == "after"]
        if not late:
            continue
        listed = "; ".join(f"{e.id} ({display_range(e.date, e.end)})" for e in late)
        what = "an event" if len(late) == 1 else f"{len(late)} events"
        out.append(
            _at(
                claim.quote_at,
                f"claim '{claim.id}' cites {what} dated after its article was published "
                f"({_article_date(article)}): {listed}; the article could not have known "
                f"{'it' if len(late) == 1 else 'them'}, so make sure the explanation says the evidence came later",
            )
        )
    return out


def _none_found(site: Site, claims: list[Claim]) -> list[Problem]:
    """Claims rated anything but unsupported although no evidence was found."""
    unsupported = site.verdicts.get("unsupported")
    if unsupported:
        fix = f"rate it {unsupported.label} (verdict: unsupported), or set basis to what the verdict rests on"
    else:
        fix = "set basis to what the verdict rests on, or, if there is none, add an 'unsupported' verdict to content/verdicts.yaml and rate the claim so"
    out = []
    for claim in claims:
        if claim.basis == "none-found" and claim.verdict != "unsupported":
            label = site.verdicts[claim.verdict].label
            out.append(
                _at(
                    claim.quote_at,
                    f"claim '{claim.id}' is rated {label}, but its basis is none-found (no evidence was found); " + fix,
                )
            )
    return out


def _distribution(site: Site) -> list[Problem]:
    """One note per article: how many claims it has, and how many of each verdict (worst first)."""
    scale = list(site.verdicts)[::-1]  # verdicts.yaml lists best first; the editor reads the worst first
    out = []
    for slug in site.articles:
        claims = site.claims.get(slug, ())
        path = claims[0].quote_at.path if claims else f"{ANNOTATIONS_DIR}/{slug}.yaml"
        if not claims:
            out.append(_note(path, 0, 0, "0 claims: none checked yet; add the article's checkable claims"))
            continue
        counts = Counter(c.verdict for c in claims)
        parts = ", ".join(f"{counts[v]} {site.verdicts[v].label}" for v in scale if counts[v])
        drafts = sum(c.draft for c in claims)
        also = f" ({drafts} of them draft{'s' if drafts != 1 else ''})" if drafts else ""
        out.append(_note(path, 0, 0, f"{len(claims)} claim{'s' if len(claims) != 1 else ''}{also}: {parts}"))
    return out


def _facts(site: Site, claims: list[Claim]) -> list[Problem]:
    """Shared facts whose claims have different verdicts in different articles."""
    out = []
    for fact in site.facts.values():
        stating = [c for c in claims if c.fact == fact.id]
        differ = any(a.article != b.article and a.verdict != b.verdict for a in stating for b in stating)
        if not differ:
            continue
        scale = list(site.verdicts)[::-1]
        parts = []
        for verdict in scale:
            with_it = [c for c in stating if c.verdict == verdict]
            if not with_it:
                continue
            label = site.verdicts[verdict].label
            if len(with_it) <= 3:
                parts.append(f"{label}: " + ", ".join(f"{c.id} in {c.article}" for c in with_it))
            else:
                articles = len({c.article for c in with_it})
                parts.append(f"{label}: {len(with_it)} claims in {articles} article{'s' if articles != 1 else ''}")
        listed = "; ".join(parts)
        out.append(
            _at(
                fact.at,
                f"fact '{fact.id}' has different verdicts in different articles ({listed}); make sure each "
                "difference comes from what the articles say, and that the explanations say how they differ",
            )
        )
    return out
