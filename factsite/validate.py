"""Check every content file and build the model from what is valid.

Each file is parsed (``yamlsrc``), checked against its schema (``schema``), then
checked for what a schema cannot say: real dates, ids unique across the site,
references to sources, events and verdicts that exist, seeds that are unchanged
and article text that still equals its seed. Every problem is collected; items
that are broken are left out of the model, and references *to* broken items are
not reported again, so one mistake gives one message.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from .anchor import normal_text, normalize
from .cache import Memo
from .dates import PartialDate, parse_date
from .diagnostics import Problem, did_you_mean
from .load import (
    ANNOTATIONS_DIR,
    ARTICLES_DIR,
    OPTIONAL_FILES,
    PAGES_DIR,
    SINGLE_FILES,
    Project,
    Seed,
)
from .markdown import make_body_parser, make_link_scanner, parse_body, unsafe_links
from .model import (
    Article,
    Block,
    Claim,
    Event,
    Fact,
    Loc,
    Page,
    Review,
    Settings,
    Site,
    Source,
    Verdict,
    frozen_map,
)
from .schema import check_shape
from .yamlsrc import YamlDoc, parse_yaml

# A seed may open with " date 2025-08-22 " (or a month); the importer moves it into front matter.
SEED_DATE = re.compile(r"^\s*date (\d{4}(?:-\d{2}){0,2})\s+")
_MARKDOWN_FIELDS = ("explanation", "translation_note", "update_note", "body", "notes", "summary")
_NO_SETTINGS = Settings("", "", "", "", "", "", "en")


def make_site(project: Project, memo: Memo | None = None) -> tuple[Site, list[Problem]]:
    """Project files → (the site built from every valid item, drafts included; every problem found).

    ``memo`` keeps parsed files between calls (the preview passes the same one each time).
    """
    checker = _Checker(project, memo or Memo())
    settings = checker.settings()
    verdicts = checker.verdicts()
    sources = checker.sources()
    events = checker.events()
    facts = checker.facts()
    articles = checker.articles()
    claims, reviews = checker.claims(articles)
    pages = checker.pages()
    checker.unexpected_files()
    checker.check_references()
    site = Site(settings, frozen_map(verdicts), frozen_map(sorted(sources.items())),
                frozen_map(sorted(events.items(), key=lambda kv: _event_order(kv[1]))),
                frozen_map(sorted(articles.items())), frozen_map(sorted(claims.items())),
                frozen_map(sorted(reviews.items())), frozen_map(sorted(facts.items())), frozen_map(sorted(pages.items())))
    return site, checker.problems


def published_only(site: Site) -> Site:
    """The site without draft articles and draft claims (what the public sees)."""
    articles = {slug: a for slug, a in site.articles.items() if not a.draft}
    claims = {slug: tuple(c for c in cs if not c.draft) for slug, cs in site.claims.items() if slug in articles}
    reviews = {slug: r for slug, r in site.reviews.items() if slug in articles}
    return replace(site, articles=frozen_map(articles), claims=frozen_map(claims), reviews=frozen_map(reviews))


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Article file → (front matter YAML, body, line the body starts on), or None if malformed."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for n, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(lines[1:n]), "".join(lines[n + 1:]), n + 2
    return None


def seed_words(seed: Seed) -> tuple[str, str]:
    """A seed's (date marker or '', text without it): what an article's body must reproduce."""
    match = SEED_DATE.match(seed.text)
    return (match.group(1), seed.text[match.end():]) if match else ("", seed.text)


def _parse_and_check(text: str, rel: str, kind: str, line_offset: int):
    """One YAML text → (doc or None, its syntax and shape problems, paths of invalid values)."""
    doc, problems = parse_yaml(text, rel, line_offset=line_offset)
    if doc is None:
        return None, problems, {()}
    shape_problems, bad = check_shape(doc, kind)
    return doc, problems + shape_problems, bad


def _event_order(event: Event) -> tuple:
    return event.date.earliest(), (event.end or event.date).latest(), event.id


class _Checker:
    """Collects problems while turning documents into model objects (one build's worth)."""

    def __init__(self, project: Project, memo: Memo):
        self.project, self.memo = project, memo
        self.problems: list[Problem] = []
        # Every id defined, valid or not → (kind, where). Verdicts have a namespace of their own.
        self.ids: dict[str, dict[str, tuple[str, Loc]]] = {"site": {}, "verdict": {}}
        self.broken: set[str] = set()  # kinds whose file could not be read at all: skip references to them
        self.refs: list[tuple[YamlDoc, tuple, str, str]] = []  # (doc, path, kind wanted, id)
        self.body_parser = make_body_parser()
        self.link_scanner = make_link_scanner()

    # -- parsing ----------------------------------------------------------------

    def load(self, rel: str, kind: str, text: str | None = None, line_offset: int = 0):
        """Parse and shape-check one YAML text → (doc or None, paths of invalid values)."""
        text = self.project.files.get(rel) if text is None else text
        if text is None:
            return None, {()}
        doc, problems, bad = self.memo.get(("yaml", rel, kind, line_offset, text),
                                           lambda: _parse_and_check(text, rel, kind, line_offset))
        self.problems += problems
        return doc, bad

    def items(self, doc: YamlDoc | None, bad: set, key: str, kind: str) -> Iterator[tuple[int, dict]]:
        """The valid items of the list ``doc[key]``, registering every item's id on the way."""
        entries = doc.data.get(key) if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            self.broken.add(kind)
            return
        whole_file_bad = () in bad or (key,) in bad
        for i, item in enumerate(entries):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.define(item["id"], kind, doc, (key, i, "id"))
            if whole_file_bad or any(p[:2] == (key, i) for p in bad):
                continue
            self.check_markdown(doc, (key, i), item)
            yield i, item

    def define(self, id_: str, kind: str, doc: YamlDoc, path: tuple) -> None:
        registry = self.ids["verdict" if kind == "verdict" else "site"]
        line, col = doc.where(path)
        if id_ in registry:
            other_kind, other = registry[id_]
            scope = "verdicts" if kind == "verdict" else "claims, events and sources"
            self.problems.append(Problem(doc.path, line, col,
                                         f"id '{id_}' is already used by the {other_kind} at {other.path}:{other.line}:{other.col}; "
                                         f"ids must be unique across {scope}"))
        else:
            registry[id_] = (kind, Loc(doc.path, line, col))

    def refer(self, doc: YamlDoc, path: tuple, kind: str, ids) -> None:
        """Record references to check once every file is read (``ids`` is one id or a list)."""
        if isinstance(ids, str):
            self.refs.append((doc, path, kind, ids))
        else:
            self.refs.extend((doc, path + (n,), kind, id_) for n, id_ in enumerate(ids))

    def check_markdown(self, doc: YamlDoc, path: tuple, item: dict) -> None:
        for name in _MARKDOWN_FIELDS:
            for url in unsafe_links(self.link_scanner, item[name]) if isinstance(item.get(name), str) else ():
                self.problems.append(doc.problem(path + (name,), f"link '{url}' is not allowed: links must be "
                                                 "http(s), mailto or a path inside the site"))

    def date(self, doc: YamlDoc, path: tuple, text: str) -> PartialDate | None:
        try:
            return parse_date(text)
        except ValueError as err:
            self.problems.append(doc.problem(path, str(err)))
            return None

    # -- one method per file kind ----------------------------------------------

    def settings(self) -> Settings:
        doc, bad = self.load("content/site.yaml", "site")
        if bad:
            return _NO_SETTINGS
        d = doc.data
        return Settings(d["title"], d.get("tagline", ""), d["publisher"]["name"], d["publisher"].get("url", ""),
                        d["contact"], d["base_url"], d["lang"])

    def verdicts(self) -> dict[str, Verdict]:
        doc, bad = self.load("content/verdicts.yaml", "verdicts")
        out: dict[str, Verdict] = {}
        for _, v in self.items(doc, bad, "verdicts", "verdict"):
            out.setdefault(v["id"], Verdict(v["id"], v["label"], v["meaning"], v["rating"], v["colour"]))
        return out

    def sources(self) -> dict[str, Source]:
        doc, bad = self.load("content/sources.yaml", "sources")
        out: dict[str, Source] = {}
        for i, s in self.items(doc, bad, "sources", "source"):
            published = self.date(doc, ("sources", i, "published"), s["published"])
            copy = s.get("copy", {})
            out.setdefault(s["id"], Source(s["id"], s["title"], s["publisher"], s["url"], published, s["lang"], s["kind"],
                                           copy.get("kind", ""), copy.get("of", ""), s.get("archived_url", ""), s.get("notes", "")))
        return out

    def events(self) -> dict[str, Event]:
        doc, bad = self.load("content/timeline.yaml", "timeline")
        out: dict[str, Event] = {}
        for i, e in self.items(doc, bad, "events", "event"):
            start = self.date(doc, ("events", i, "date"), e["date"])
            end = self.date(doc, ("events", i, "end"), e["end"]) if "end" in e else None
            if start and end and end.latest() < start.earliest():
                self.problems.append(doc.problem(("events", i, "end"), f"the end ({end.source_text()}) is before the date ({start.source_text()})"))
            self.refer(doc, ("events", i, "sources"), "source", e["sources"])
            if start:
                out.setdefault(e["id"], Event(e["id"], start, end, e["status"], e["title"], e["body"],
                                              tuple(e["sources"]), tuple(e.get("tags", ()))))
        return out

    def facts(self) -> dict[str, Fact]:
        if "content/facts.yaml" not in self.project.files:
            return {}
        doc, bad = self.load("content/facts.yaml", "facts")
        out: dict[str, Fact] = {}
        for i, f in self.items(doc, bad, "facts", "fact"):
            self.refer(doc, ("facts", i, "sources"), "source", f["sources"])
            self.refer(doc, ("facts", i, "events"), "event", f.get("events", ()))
            out.setdefault(f["id"], Fact(f["id"], f["title"], f["summary"], tuple(f["sources"]), tuple(f.get("events", ()))))
        return out

    def pages(self) -> dict[str, Page]:
        out: dict[str, Page] = {}
        for rel in sorted(r for r in self.project.files if r.startswith(PAGES_DIR + "/")):
            if not rel.endswith(".md"):
                self.unexpected(rel, "page files end in .md")
                continue
            parts = split_front_matter(self.project.files[rel])
            if parts is None:
                self.problems.append(Problem(rel, 1, 1, "a page file starts with a '---' line, then its front matter "
                                             "(YAML), then another '---' line, then the text (Markdown)"))
                continue
            front, body, body_line = parts
            doc, bad = self.load(rel, "page", text=front, line_offset=1)
            for url in unsafe_links(self.link_scanner, body):
                line = body_line + body[:max(body.find(url), 0)].count("\n")
                self.problems.append(Problem(rel, line, 1, f"link '{url}' is not allowed: links must be http(s), mailto "
                                             "or a path inside the site"))
            if not bad:
                d, slug = doc.data, PurePosixPath(rel).stem
                out[slug] = Page(slug, d["title"], d.get("description", ""), d.get("layout", "page"), body)
        return out

    def articles(self) -> dict[str, Article]:
        out: dict[str, Article] = {}
        for rel in sorted(self.project.files):
            if rel.startswith(ARTICLES_DIR + "/"):
                article = self.article(rel) if rel.endswith(".md") else self.unexpected(rel, "article files end in .md")
                if article:
                    out[article.slug] = article  # the slug is the file's name, even when front matter disagrees
        return out

    def article(self, rel: str) -> Article | None:
        parts = split_front_matter(self.project.files[rel])
        if parts is None:
            self.problems.append(Problem(rel, 1, 1, "an article file starts with a '---' line, then its front matter "
                                         "(YAML), then another '---' line, then the text"))
            return None
        front, body, body_line = parts
        doc, bad = self.load(rel, "article", text=front, line_offset=1)
        if bad:
            return None
        d, stem = doc.data, PurePosixPath(rel).stem
        if d["slug"] != stem:
            self.problems.append(doc.problem(("slug",), f"the slug '{d['slug']}' differs from the file name '{stem}.md'; "
                                             "make them the same (the slug is the page's address)"))
        self.check_markdown(doc, (), d)
        dates = {k: self.date(doc, (k,), d[k]) if k in d else None for k in ("published", "not_before", "not_after")}
        self.check_bounds(doc, dates)
        seed = self.project.seeds.get(d["seed"]["file"])
        # A missing seed's message suggests the closest name, so then the names are part of the key.
        key = ("text", rel, self.project.files[rel], seed.sha256 if seed else tuple(self.project.seeds))
        blocks, problems = self.memo.get(key, lambda: _TextChecker(self.body_parser, self.project.seeds).check(doc, body, body_line, seed))
        self.problems += problems
        return Article(stem, d["title"], d.get("title_en", ""), d["lang"], dates["published"], dates["not_before"],
                       dates["not_after"], d["outlet"], d["author"], d["url"], d["seed"]["file"], d["seed"]["sha256"],
                       d.get("notes", ""), d.get("draft", False), tuple(blocks), rel)

    def check_bounds(self, doc: YamlDoc, dates: dict) -> None:
        published, lo, hi = dates["published"], dates["not_before"], dates["not_after"]
        if lo and hi and hi.latest() < lo.earliest():
            self.problems.append(doc.problem(("not_after",), "not_after is before not_before"))
        if published and published.precision == "day" and (lo or hi):
            self.problems.append(doc.problem(("not_before",) if lo else ("not_after",),
                                             "bounds only make sense when 'published' is unknown or imprecise; remove them"))
        elif published and lo and lo.earliest() > published.latest():
            self.problems.append(doc.problem(("not_before",), f"not_before ({lo.source_text()}) is after published ({published.source_text()})"))
        elif published and hi and hi.latest() < published.earliest():
            self.problems.append(doc.problem(("not_after",), f"not_after ({hi.source_text()}) is before published ({published.source_text()})"))

    def claims(self, articles: dict[str, Article]) -> tuple[dict[str, tuple[Claim, ...]], dict[str, Review]]:
        out: dict[str, tuple[Claim, ...]] = {}
        reviews: dict[str, Review] = {}
        slugs = {PurePosixPath(r).stem for r in self.project.files if r.startswith(ARTICLES_DIR + "/")}
        for rel in sorted(self.project.files):
            if not rel.startswith(ANNOTATIONS_DIR + "/"):
                continue
            slug = PurePosixPath(rel).stem
            if not rel.endswith(".yaml"):
                self.unexpected(rel, "annotation files end in .yaml")
                continue
            if slug not in slugs:
                self.problems.append(Problem(rel, 1, 1, f"there is no article '{slug}' (content/articles/{slug}.md) for these "
                                             f"claims{did_you_mean(slug, slugs)}; the file name must be the article's slug"))
            doc, bad = self.load(rel, "annotations")
            claims = tuple(self.claim(doc, i, c, slug) for i, c in self.items(doc, bad, "claims", "claim"))
            review = self.review(doc, bad)
            if slug in articles:
                out[slug] = claims
                if review:
                    reviews[slug] = review
        missing = sorted(set(articles) - set(out))
        for slug in missing:
            self.problems.append(Problem(articles[slug].path, 0, 0, f"no claims file for this article: create "
                                         f"{ANNOTATIONS_DIR}/{slug}.yaml (the importer writes one)"))
        return out, reviews

    def review(self, doc: YamlDoc | None, bad: set) -> Review | None:
        if doc is None or () in bad or any(p[:1] == ("review",) for p in bad) or "review" not in doc.data:
            return None
        on = self.date(doc, ("review", "on"), doc.data["review"]["on"])
        if on and on.precision != "day":
            self.problems.append(doc.problem(("review", "on"), "must be a full date, YYYY-MM-DD"))
        return Review(doc.data["review"]["by"], on) if on else None

    def claim(self, doc: YamlDoc, i: int, c: dict[str, Any], slug: str) -> Claim:
        path = ("claims", i)
        self.refer(doc, path + ("sources",), "source", c["sources"])
        self.refer(doc, path + ("events",), "event", c.get("events", ()))
        self.refer(doc, path + ("verdict",), "verdict", c["verdict"])
        if "fact" in c:
            self.refer(doc, path + ("fact",), "fact", c["fact"])
        updated = self.date(doc, path + ("updated",), c["updated"]) if "updated" in c else None
        line, col = doc.where(path + ("quote",))
        return Claim(c["id"], slug, c["quote"], c.get("prefix", ""), c.get("suffix", ""), c["claim"], c["verdict"],
                     c["basis"], c["explanation"], tuple(c["sources"]), tuple(c.get("events", ())),
                     c.get("translation_note", ""), c.get("fact", ""), updated, c.get("update_note", ""), c.get("draft", False),
                     Loc(doc.path, line, col))

    def unexpected(self, rel: str, hint: str) -> None:
        self.problems.append(Problem(rel, 0, 0, f"unexpected file: {hint}"))

    def unexpected_files(self) -> None:
        if (self.project.root / "content").is_dir():
            for rel in sorted(set(SINGLE_FILES) - set(self.project.files) - set(self.project.unreadable)):
                self.problems.append(Problem(rel, 0, 0, "this file is missing; the README's 'Content' section shows what it holds"))
        known = set(SINGLE_FILES) | set(OPTIONAL_FILES)
        folders = (ARTICLES_DIR + "/", ANNOTATIONS_DIR + "/", PAGES_DIR + "/")
        for rel in self.project.files:
            if rel not in known and not rel.startswith(folders):
                expected = sorted(known) + [f"{folder}*" for folder in folders]
                self.unexpected(rel, f"content/ holds {', '.join(expected)}{did_you_mean(rel, known)}")

    def check_references(self) -> None:
        """Every id a claim or event cites must be defined (even if its definition has problems)."""
        for doc, path, kind, id_ in self.refs:
            if kind in self.broken:
                continue  # its file is unreadable: that problem is already reported
            registry = self.ids["verdict" if kind == "verdict" else "site"]
            defined = registry.get(id_)
            if defined is None:
                where = {"verdict": "content/verdicts.yaml", "source": "content/sources.yaml",
                         "event": "content/timeline.yaml", "fact": "content/facts.yaml"}[kind]
                of_kind = [i for i, (k, _) in registry.items() if k == kind]
                self.problems.append(doc.problem(path, f"unknown {kind} '{id_}'{did_you_mean(id_, of_kind)}; "
                                                 f"{kind}s are defined in {where}"))
            elif defined[0] != kind:
                self.problems.append(doc.problem(path, f"'{id_}' is a {defined[0]}, not a {kind}"))


class _TextChecker:
    """Checks one article's text (its own result is memoised: it depends on the file and its seed only)."""

    def __init__(self, body_parser, seed_names=()):
        self.body_parser = body_parser
        self.seed_names = seed_names
        self.problems: list[Problem] = []

    def check(self, doc: YamlDoc, body: str, body_line: int, seed: Seed | None) -> tuple[list[Block], list[Problem]]:
        """The body's blocks, checked against the seed, the headline rule and boilerplate markers."""
        d = doc.data
        blocks = parse_body(self.body_parser, body, body_line)
        for n, block in enumerate(blocks):
            if block.level == 1 and n > 0:
                self.problems.append(Problem(doc.path, block.line, 1, "only the first line may be a '# ' headline; "
                                             "use '## ' for a subheading"))
        if blocks and blocks[0].level == 1 and normalize(blocks[0].text) != normalize(d["title"]):
            self.problems.append(doc.problem(("title",), f"the title differs from the text's headline "
                                             f"(line {blocks[0].line}: {blocks[0].text!r}); make them the same"))
        self.check_seed(doc, blocks, seed)
        return self.mark_boilerplate(doc, blocks), self.problems

    def check_seed(self, doc: YamlDoc, blocks: list[Block], seed: Seed | None) -> None:
        seed_file, recorded = doc.data["seed"]["file"], doc.data["seed"]["sha256"]
        if seed is None:
            self.problems.append(doc.problem(("seed", "file"), f"seeds/{seed_file} does not exist"
                                             f"{did_you_mean(seed_file, self.seed_names)}"))
            return
        if seed.sha256 != recorded:
            self.problems.append(doc.problem(("seed", "sha256"), f"seeds/{seed_file} has changed since it was imported "
                                             f"(its sha256 is now {seed.sha256}); seeds are evidence and must never be "
                                             "edited: restore the original file"))
            return
        self.compare_text(doc.path, blocks, seed)

    def compare_text(self, rel: str, blocks: list[Block], seed: Seed) -> None:
        """The article's words must be the seed's words, whitespace aside."""
        body = normal_text("\n".join(b.text for b in blocks))
        original = normalize(seed_words(seed)[1])
        if body.text == original:
            return
        # The first difference (or the end of the shorter text), and the block it falls in.
        pairs = zip(body.text, original, strict=False)
        i = next((n for n, (a, b) in enumerate(pairs) if a != b), min(len(body.text), len(original)))
        offset = body.origin[min(i, len(body.origin) - 1)]
        ends = itertools.accumulate(len(b.text) + 1 for b in blocks)
        block = next((b for b, end in zip(blocks, ends, strict=True) if offset < end), blocks[-1] if blocks else None)
        line = block.line if block else 1
        self.problems.append(Problem(rel, line, 1, f"the article text differs from seeds/{seed.name}: the site must show "
                                     "the article's words exactly; undo the edit (or re-import the seed)",
                                     (f"text here: «{body.text[max(0, i - 30):i + 30]}»",
                                      f"seed has:  «{original[max(0, i - 30):i + 30]}»")))

    def mark_boilerplate(self, doc: YamlDoc, blocks: list[Block]) -> list[Block]:
        marked = list(blocks)
        for i, item in enumerate(doc.data.get("boilerplate", ())):
            starts = normalize(item["starts"])
            hits = [n for n, b in enumerate(blocks) if normalize(b.text).startswith(starts)]
            if len(hits) != 1:
                found = "no paragraph starts" if not hits else f"{len(hits)} paragraphs start"
                self.problems.append(doc.problem(("boilerplate", i, "starts"), f"{found} with these words; "
                                                 "give the first words of exactly one paragraph"))
                continue
            b = blocks[hits[0]]
            marked[hits[0]] = Block(b.level, b.text, b.line, item["label"])
        return marked
