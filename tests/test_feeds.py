"""The publishing outputs: the two Atom feeds, the sitemap and robots.txt, the 404 page and every page's head tags.

Read back with the real parsers (feedparser, xml.etree, html.parser); the expected dates are read from
the content's YAML with PyYAML, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import http.server
import json
import posixpath
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import yaml
from conftest import ROOT, edit
from sample import FILES, SEED_NAME, SEED_SHA, SEED_TEXT

from factsite import build_site, layout

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
A = "content/annotations/moon.yaml"
SWISS_CORRECTION = edit(
    A,
    "    basis: none-found\n",
    "    basis: none-found\n    history:\n      - kind: correction\n        date: 2026-12-01\n"
    "        note: We had the wrong verdict; see the [sources](sources.html).\n        previous_verdict: accurate\n",
)


# -- what the content says, read independently with PyYAML --------------------------------------------


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class Content:
    """The real content's dates and front matter, straight from its files."""

    def __init__(self, root: Path):
        self.settings = yaml.safe_load((root / "content/site.yaml").read_text(encoding="utf-8"))
        self.base_url = self.settings["base_url"]
        self.tiers = {v["id"]: v["tier"] for v in yaml.safe_load((root / "content/verdicts.yaml").read_text())["verdicts"]}
        self.articles: dict[str, dict] = {}
        for path in sorted((root / "content/articles").glob("*.md")):
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
            if not front.get("draft"):
                self.articles[front["slug"]] = front
        self.reviews: dict[str, dt.date] = {}
        self.claims: dict[str, list[dict]] = {}
        for slug in self.articles:
            data = yaml.safe_load((root / f"content/annotations/{slug}.yaml").read_text(encoding="utf-8"))
            review = data["review"]
            self.reviews[slug] = _day(review["on"] if "on" in review else review[True])  # YAML 1.1 reads `on` as true
            self.claims[slug] = [c for c in data.get("claims") or () if not c.get("draft")]
        events = yaml.safe_load((root / "content/timeline.yaml").read_text(encoding="utf-8"))["events"]
        self.event_changes = [_day(h["date"]) for e in events for h in e.get("history") or ()]
        facts = yaml.safe_load((root / "content/facts.yaml").read_text(encoding="utf-8"))["facts"]
        self.fact_changes = [_day(h["date"]) for f in facts for h in f.get("history") or ()]

    def claim_date(self, slug: str, claim: dict) -> dt.date:
        history = claim.get("history") or ()
        return max(_day(h["date"]) for h in history) if history else self.reviews[slug]

    def article_date(self, slug: str) -> dt.date:
        return max([self.reviews[slug], *(self.claim_date(slug, c) for c in self.claims[slug])])

    def changes(self) -> int:
        claims = sum(len(c.get("history") or ()) for cs in self.claims.values() for c in cs)
        return claims + len(self.event_changes) + len(self.fact_changes)


@pytest.fixture(scope="module")
def content() -> Content:
    return Content(ROOT)


def site_path(base_url: str, url: str) -> str:
    """An absolute URL of the site → the file it is in the built site (``…/`` → ``…/index.html``)."""
    assert url.startswith(base_url), url
    path = urlsplit(url).path[len(urlsplit(base_url).path) :]
    return path + layout.HOME if path == "" or path.endswith("/") else path


def ts(day: dt.date | str) -> str:
    return f"{day}T00:00:00Z"


def parse(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "li", "ol", "ul", "div"):
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def text_of(markup: str) -> str:
    """The text an HTML fragment shows, whitespace collapsed."""
    reader = _Text()
    reader.feed(markup)
    reader.close()
    return " ".join("".join(reader.parts).split())


# -- the fact-checks feed --------------------------------------------------------------------------------


def test_fact_checks_feed_has_one_entry_per_article_newest_review_first(built_site, content):
    data = (built_site / layout.FEED_CHECKS).read_bytes()
    feed = parse(data)
    base = content.base_url
    expected = sorted(content.articles, key=lambda s: (-content.reviews[s].toordinal(), s))
    assert [e.link for e in feed.entries] == [layout.absolute(base, layout.article_path(s)) for s in expected]
    assert len(feed.entries) == 5
    assert feed.feed.title == content.settings["title"]
    assert feed.feed.id == layout.absolute(base, layout.FEED_CHECKS)
    links = {(link.rel, link.href) for link in feed.feed.links}
    assert links == {("self", layout.absolute(base, layout.FEED_CHECKS)), ("alternate", base)}
    for entry, slug in zip(feed.entries, expected, strict=True):
        front = content.articles[slug]
        assert (built_site / site_path(base, entry.link)).is_file()
        assert entry.id == entry.link
        assert entry.title == front["title"]
        assert entry.title_detail.language == front["lang"]  # Italian or Spanish, in an English feed
        assert entry.updated == ts(content.article_date(slug))  # a content date, never the clock
        assert entry.author == content.settings["publisher"]["name"]
    assert feed.feed.updated == ts(max(content.article_date(s) for s in content.articles))
    assert len({e.id for e in feed.entries}) == 5
    # Raw check that the language is written on the title element, as RFC 4287 §2 has it.
    root = ET.fromstring(data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    langs = [e.find(f"{ATOM}title").get("{http://www.w3.org/XML/1998/namespace}lang") for e in root.iter(f"{ATOM}entry")]
    assert langs == [content.articles[s]["lang"] for s in expected]


def test_each_entry_names_the_claims_rated_below_mostly_accurate_with_their_reasons(built_site, content):
    feed = parse((built_site / layout.FEED_CHECKS).read_bytes())
    base = content.base_url
    for entry in feed.entries:
        slug = posixpath.basename(entry.link).removesuffix(".html")
        claims = content.claims[slug]
        problems = [c for c in claims if content.tiers[c["verdict"]] == "problem"]
        markup = entry.content[0].value
        text = text_of(markup)
        assert f"{len(claims)} claims checked" in entry.summary
        assert f"{len(problems)} rated below “mostly accurate”" in text
        for claim in problems:
            assert f'href="{layout.absolute(base, layout.claim_path(claim["id"]))}"' in markup
            assert " ".join(claim["summary"].split()) in text, claim["id"]
        others = [c for c in claims if c not in problems]
        assert not any(layout.claim_path(c["id"]) in markup for c in others)
        assert re.findall(r"<li>", markup) == ["<li>"] * len(problems)


def test_feeds_and_sitemap_are_the_same_bytes_in_a_second_build(built_site):
    again = build_site(ROOT)
    for path in (layout.FEED_CHECKS, layout.FEED_CORRECTIONS, layout.SITEMAP, layout.ROBOTS, layout.NOT_FOUND):
        assert again[path] == (built_site / path).read_bytes(), path


# -- the corrections feed ---------------------------------------------------------------------------------


def test_corrections_feed_of_the_real_site_has_every_change_on_the_record(built_site, content):
    feed = parse((built_site / layout.FEED_CORRECTIONS).read_bytes())
    base = content.base_url
    assert len(feed.entries) == content.changes()
    assert feed.feed.id == layout.absolute(base, layout.FEED_CORRECTIONS)
    for entry in feed.entries:
        assert (built_site / site_path(base, entry.link.partition("#")[0])).is_file()
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    # The newest change, or with none yet the newest review: a content date either way.
    assert feed.feed.updated == (dates[0] if dates else ts(max(content.reviews.values())))


def test_an_empty_corrections_feed_is_valid_atom_dated_by_the_newest_review(project):
    pages = build_site(project())
    feed = parse(pages[layout.FEED_CORRECTIONS])
    assert feed.entries == []
    assert feed.feed.updated == ts("2026-11-23")
    assert feed.feed.title == "Test Fact Check: corrections and updates"
    assert [(link.rel, link.href) for link in feed.feed.links] == [
        ("self", "https://example.org/test/feeds/corrections.xml"),
        ("alternate", "https://example.org/test/corrections.html"),
    ]
    assert feed.feed.author == "Test desk"


def test_a_change_on_the_record_is_an_entry_and_dates_its_article(project):
    changes = dict(SWISS_CORRECTION)
    changes.update(
        edit(
            "content/timeline.yaml",
            "    body: Reported later.\n",
            "    body: Reported later.\n    history:\n      - kind: clarification\n"
            "        date: 2026-11-30\n        note: The date is approximate.\n",
        )
    )
    pages = build_site(project(changes))
    feed = parse(pages[layout.FEED_CORRECTIONS])
    first, second = feed.entries
    assert first.title == "Correction: The cheese is Swiss."
    assert first.updated == first.published == ts("2026-12-01")
    assert first.link == "https://example.org/test/claims/c-swiss.html"
    assert first.id == "https://example.org/test/corrections.html#change-c-swiss-1"
    assert first.tags[0].term == "correction"
    assert text_of(first.content[0].value) == (
        "Correction, 1 December 2026, to claim 2 in La Luna è fatta di formaggio (Test Outlet): The cheese is Swiss. "
        "Verdict changed from Accurate to Misleading. We had the wrong verdict; see the sources."
    )
    # The note's in-site link resolves against the site's root (xml:base), not the feed's folder.
    assert 'href="https://example.org/test/sources.html"' in first.content[0].value
    assert second.title == "Clarification: Mission delayed"
    assert second.updated == ts("2026-11-30")
    assert second.link == "https://example.org/test/events/ev-later.html"
    assert feed.feed.updated == ts("2026-12-01")
    checks = parse(pages[layout.FEED_CHECKS])
    assert [e.updated for e in checks.entries] == [ts("2026-12-01")]  # the newest of the review and the change
    assert checks.entries[0].published == ts("2026-11-23")
    assert checks.feed.updated == ts("2026-12-01")


HOSTILE = "<script>alert(1)</script> ]]> & Co"


def hostile_changes() -> dict[str, str]:
    """The sample with hostile strings in the site title, the article's title (seed and all), a claim, its
    reason and a change's note."""
    headline = f"La Luna {HOSTILE}"
    seed = SEED_TEXT.replace("La Luna è fatta di formaggio\n", headline + "\n", 1)
    article = FILES["content/articles/moon.md"]
    article = article.replace("title: La Luna è fatta di formaggio", f"title: {json.dumps(headline)}")
    article = article.replace("# La Luna è fatta di formaggio", f"# {headline}")
    article = article.replace(SEED_SHA, hashlib.sha256(seed.encode()).hexdigest())
    changes = {f"seeds/{SEED_NAME}": seed, "content/articles/moon.md": article}
    changes.update(edit("content/site.yaml", "title: Test Fact Check", f"title: {json.dumps(HOSTILE)}"))
    text = FILES[A].replace("claim: The cheese is Swiss.", f"claim: {json.dumps('Swiss ' + HOSTILE)}")
    text = text.replace("explanation: No evidence.", f"summary: {json.dumps('Reason ' + HOSTILE)}\n    explanation: x")
    changes[A] = text.replace(
        "    basis: none-found\n",
        "    basis: none-found\n    history:\n      - kind: correction\n        date: 2026-12-01\n"
        f"        note: {json.dumps('Note ' + HOSTILE)}\n        previous_verdict: accurate\n",
    )
    return changes


def test_hostile_strings_come_out_as_text_in_both_feeds(project):
    headline = f"La Luna {HOSTILE}"
    changes = hostile_changes()
    pages = build_site(project(changes))
    for path in (layout.FEED_CHECKS, layout.FEED_CORRECTIONS):
        data = pages[path]
        assert b"<script>" not in data and b"]]>" not in data, path
        ET.fromstring(data)  # well-formed
        feed = parse(data)
        assert feed.feed.title.startswith(HOSTILE)
        assert "<script>" not in feed.entries[0].content[0].value
    checks = parse(pages[layout.FEED_CHECKS]).entries[0]
    assert checks.title == headline
    assert f"Reason {HOSTILE}" in text_of(checks.content[0].value)
    assert "&lt;script&gt;" in checks.content[0].value
    correction = parse(pages[layout.FEED_CORRECTIONS]).entries[0]
    assert correction.title == f"Correction: Swiss {HOSTILE}"
    assert f"Note {HOSTILE}" in text_of(correction.content[0].value)
    root = ET.fromstring(pages[layout.FEED_CHECKS])
    assert root.find(f"{ATOM}title").text == HOSTILE
    assert root.find(f"{ATOM}entry/{ATOM}title").text == headline


# -- sitemap.xml and robots.txt ---------------------------------------------------------------------------


def sitemap_rows(data: bytes) -> list[tuple[str, str | None]]:
    root = ET.fromstring(data)
    assert root.tag == f"{SITEMAP}urlset"
    return [(url.findtext(f"{SITEMAP}loc"), url.findtext(f"{SITEMAP}lastmod")) for url in root.findall(f"{SITEMAP}url")]


def noindex(page: Path) -> bool:
    return '<meta name="robots" content="noindex">' in page.read_text(encoding="utf-8")


def test_sitemap_lists_every_indexable_page_with_content_dates(built_site, content):
    rows = sitemap_rows((built_site / layout.SITEMAP).read_bytes())
    base = content.base_url
    locs = [loc for loc, _ in rows]
    assert locs == sorted(locs)
    paths = {site_path(base, loc) for loc in locs}
    html_pages = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")}
    assert paths == {p for p in html_pages if not noindex(built_site / p)}
    assert layout.NOT_FOUND not in paths and layout.NOT_FOUND in html_pages
    assert all((built_site / p).is_file() for p in paths)
    assert f"{base}" in locs and f"{base}facts/" in locs and f"{base}index.html" not in locs
    lastmod = {site_path(base, loc): day for loc, day in rows}
    for slug, claims in content.claims.items():
        assert lastmod[layout.article_path(slug)] == content.article_date(slug).isoformat()
        for claim in claims:
            assert lastmod[layout.claim_path(claim["id"])] == content.claim_date(slug, claim).isoformat()
    assert lastmod[layout.HOME] == max(content.article_date(s) for s in content.articles).isoformat()
    assert lastmod["about.html"] is None and lastmod["methodology.html"] is None  # they show no dated record
    # Two exact values, as the content has them today (reviewed 23 November 2026).
    assert content.reviews["tecnoandroid-r2-ritardo"] == dt.date(2026, 11, 23)
    if not any(c.get("history") for c in content.claims["tecnoandroid-r2-ritardo"]):
        assert lastmod["articles/tecnoandroid-r2-ritardo.html"] == "2026-11-23"


def test_sitemap_of_the_sample_project(project):
    pages = build_site(project(SWISS_CORRECTION))
    lastmod = {site_path("https://example.org/test/", loc): day for loc, day in sitemap_rows(pages[layout.SITEMAP])}
    assert {
        path: lastmod[path]
        for path in (
            "index.html",
            "articles/moon.html",
            "claims/c-swiss.html",
            "claims/c-cost.html",
            "facts/moon-made-of.html",
            "timeline.html",
            "corrections.html",
            "about.html",
        )
    } == {
        "index.html": "2026-12-01",
        "articles/moon.html": "2026-12-01",
        "claims/c-swiss.html": "2026-12-01",
        "claims/c-cost.html": "2026-11-23",
        "facts/moon-made-of.html": "2026-11-23",  # c-cheese only
        "timeline.html": "2026-11-23",  # c-swiss cites no event
        "corrections.html": "2026-12-01",
        "about.html": None,
    }
    assert layout.NOT_FOUND not in lastmod


def test_robots_txt_names_the_sitemap(built_site, content):
    text = (built_site / layout.ROBOTS).read_text(encoding="utf-8")
    assert text == f"User-agent: *\nAllow: /\n\nSitemap: {content.base_url}sitemap.xml\n"
    assert (built_site / site_path(content.base_url, text.rsplit(" ", 1)[1].strip())).is_file()


# -- the 404 page ------------------------------------------------------------------------------------------


class _Head(HTMLParser):
    """The ``<link>`` and ``<meta>`` elements of a page, its ``<html lang>`` and every href and src."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.meta: list[dict] = []
        self.urls: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.meta.append(attrs)
        self.urls += [attrs[a] for a in ("href", "src") if a in attrs]

    def property(self, name: str) -> list[str]:
        return [m["content"] for m in self.meta if m.get("property") == name or m.get("name") == name]

    def rel(self, rel: str) -> list[dict]:
        return [link for link in self.links if link.get("rel") == rel]


def head_of(page: Path) -> _Head:
    reader = _Head()
    reader.feed(page.read_text(encoding="utf-8"))
    reader.close()
    return reader


def test_404_page_is_noindex_and_links_by_absolute_paths_under_the_base(built_site, content):
    head = head_of(built_site / layout.NOT_FOUND)
    assert head.property("robots") == ["noindex"]
    assert head.rel("canonical") == [] and head.property("og:url") == []  # served at any address: none is its own
    prefix = urlsplit(content.base_url).path  # /r2-fact-check/
    local = [u for u in head.urls if not u.startswith(("https://", "mailto:", "#"))]
    assert local and all(u.startswith(prefix) for u in local), local
    for url in local:  # each resolves, whatever the depth of the missing address it is served at
        path = url[len(prefix) :].partition("#")[0]
        assert (built_site / (path or layout.HOME)).is_file(), url
    for target in (layout.HOME, layout.TIMELINE, layout.SOURCES, layout.static_path("style.css")):
        assert any(u == prefix + target.removesuffix(layout.HOME) for u in local), target
    html_text = (built_site / layout.NOT_FOUND).read_text(encoding="utf-8")
    assert "Page not found" in html_text and "<title>Page not found · " in html_text


def test_404_page_works_when_served_at_a_deep_address(built_site, content):
    """A host that serves the site at base_url's path answers /r2-fact-check/a/b/c/missing with 404.html:
    every address on that page, resolved as a browser would against the missing one, is found."""
    prefix = urlsplit(content.base_url).path

    class Host(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            path = urlsplit(self.path).path
            rel = path[len(prefix) :] if path.startswith(prefix) else None
            rel = rel + layout.HOME if rel is not None and (rel == "" or rel.endswith("/")) else rel
            found = rel is not None and ".." not in rel.split("/") and (built_site / rel).is_file()
            body = (built_site / (rel if found else layout.NOT_FOUND)).read_bytes()
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        missing = f"http://127.0.0.1:{server.server_address[1]}{prefix}a/b/c/missing"
        local_only = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy from the environment
        with pytest.raises(urllib.error.HTTPError) as answer:
            local_only.open(missing, timeout=10)
        assert answer.value.code == 404
        page = answer.value.read().decode()
        assert page == (built_site / layout.NOT_FOUND).read_text(encoding="utf-8")
        reader = _Head()
        reader.feed(page)
        local = [u for u in reader.urls if not u.startswith(("https://", "mailto:", "#"))]
        assert len(local) > 10
        for url in local:
            with local_only.open(urljoin(missing, url), timeout=10) as response:
                assert response.status == 200, url
    finally:
        server.shutdown()
        server.server_close()


# -- head tags on every page ------------------------------------------------------------------------------


def test_every_page_has_its_canonical_address_feeds_and_language(built_site, content):
    base = content.base_url
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        head = head_of(built_site / path)
        assert head.lang == content.settings["lang"], path
        feeds = [link for link in head.rel("alternate") if link.get("type") == "application/atom+xml"]
        if path == layout.NOT_FOUND:
            prefix = urlsplit(base).path
            assert [f["href"] for f in feeds] == [prefix + layout.FEED_CHECKS, prefix + layout.FEED_CORRECTIONS]
            continue
        assert [c["href"] for c in head.rel("canonical")] == [layout.absolute(base, path)], path
        assert head.property("og:url") == [layout.absolute(base, path)], path
        assert [f["href"] for f in feeds] == [
            layout.relative(layout.FEED_CHECKS, path),
            layout.relative(layout.FEED_CORRECTIONS, path),
        ], path
        assert all(f["title"] for f in feeds)
        for feed in feeds:
            assert (built_site / posixpath.normpath(posixpath.join(posixpath.dirname(path), feed["href"]))).is_file()
        # og:locale is a locale (en_GB) or absent; site.yaml's bare "en" names no territory.
        assert all(re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", v) for v in head.property("og:locale")), path
        hreflang = [(link["hreflang"], link["href"]) for link in head.rel("alternate") if "hreflang" in link]
        slug = path.removeprefix("articles/").removesuffix(".html")
        if path == layout.article_path(slug) and slug in content.articles:
            front = content.articles[slug]
            assert hreflang == ([] if front["url"] == layout.UNKNOWN else [(front["lang"], front["url"])]), path
        else:
            assert hreflang == [], path


def test_an_article_with_no_known_address_has_no_hreflang(project):
    changes = edit("content/articles/moon.md", "url: https://outlet.example/moon", "url: unknown")
    page = build_site(project(changes))["articles/moon.html"].decode()
    assert "hreflang" not in page
    page = build_site(project())["articles/moon.html"].decode()
    assert '<link rel="alternate" hreflang="it" href="https://outlet.example/moon">' in page
    assert html.unescape(page).count('<html lang="en">') == 1


def test_og_locale_is_given_only_when_the_site_language_names_a_territory(project):
    assert '<meta property="og:locale"' not in build_site(project())["index.html"].decode()  # lang: en
    page = build_site(project(edit("content/site.yaml", "lang: en", "lang: en-GB")))["index.html"].decode()
    assert '<meta property="og:locale" content="en_GB">' in page and '<html lang="en-GB">' in page
