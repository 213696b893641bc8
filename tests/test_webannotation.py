"""The W3C Web Annotation export (annotations/<slug>.jsonld): read back as JSON, checked against the seeds,
anchored in Chromium by Hypothesis's own libraries, and served by the preview as JSON-LD."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, edit, need
from sample import SEED_NAME, SEED_SHA, SEED_TEXT
from test_serve import free_port, start_server

from factsite import build_site, check_site
from factsite.anchor import normalize
from factsite.load import read_project
from factsite.pages import Views
from factsite.pages.webannotation import BODY_ROOT, CONTEXT, HEADLINE_ROOT, page_texts
from factsite.readers import published_only
from factsite.seedtext import seed_words

ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ANCHORING = "module.exports = {quote: require('dom-anchor-text-quote'), position: require('dom-anchor-text-position')};"
"""The bundle's entry: Hypothesis's anchoring libraries (CommonJS, from node_modules) as one browser global."""
SAMPLE_URL = "https://example.org/test/annotations/moon.jsonld"
ARTICLE = "content/articles/moon.md"


def collections(site: Path) -> dict[str, dict]:
    """Article slug → its collection, parsed from the built file (strict UTF-8)."""
    return {p.stem: json.loads(p.read_bytes().decode("utf-8")) for p in sorted((site / "annotations").glob("*.jsonld"))}


def items(collection: dict) -> list[dict]:
    return collection["first"]["items"] if collection["total"] else []


def claim_id(annotation: dict) -> str:
    return annotation["id"].rsplit("#", 1)[1]


def page_target(annotation: dict) -> tuple[str, dict]:
    """(CSS selector of the element, TextQuoteSelector) of the annotation's target on this site's page."""
    selector = annotation["target"][-1]["selector"]
    assert selector["type"] == "CssSelector" and selector["refinedBy"]["type"] == "TextQuoteSelector"
    return selector["value"], selector["refinedBy"]


# -- reading a built page's text as a browser has it (textContent), with where each mark lies ---------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TextContent(HTMLParser):
    """The text of the first element matching ``wanted(tag, attrs)``, and each ``<mark>``'s (start, end) in it."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.stack, self.parts, self.length = wanted, [], [], 0
        self.done, self.marks, self.opened = False, {}, {}

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        inside = bool(self.stack and self.stack[-1][1]) or (not self.done and self.wanted(tag, attrs))
        self.stack.append((tag, inside, attrs.get("id") if tag == "mark" else None))
        if inside and tag == "mark":
            self.opened[attrs["id"]] = self.length

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        open_tag, inside, mark = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>: the page's markup is not what this reader expects"
        if inside and mark:
            self.marks[mark.removeprefix("quote-")] = (self.opened.pop(mark), self.length)
        if inside and not (self.stack and self.stack[-1][1]):
            self.done = True

    def handle_data(self, data):
        if self.stack and self.stack[-1][1]:
            self.parts.append(data)
            self.length += len(data)


def text_content(html: str, root: str) -> tuple[str, dict[str, tuple[int, int]]]:
    wanted = {
        BODY_ROOT: lambda tag, attrs: "article-body" in (attrs.get("class") or "").split(),
        HEADLINE_ROOT: lambda tag, attrs: tag == "h1",
    }[root]
    parser = _TextContent(wanted)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts), parser.marks


# -- the real site, built ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    """The real content as published: (site model, seeds)."""
    project = read_project(ROOT)
    return published_only(check_site(ROOT)), project.seeds


def test_every_collection_is_json_ld_with_one_annotation_per_mark(built_site, real):
    site, _ = real
    found = collections(built_site)
    assert sorted(found) == sorted(site.articles)
    for slug, collection in found.items():
        url = f"https://example.org/r2-fact-check/annotations/{slug}.jsonld"
        assert collection["@context"] == CONTEXT == "http://www.w3.org/ns/anno.jsonld"
        assert (collection["id"], collection["type"]) == (url, "AnnotationCollection")
        html = (built_site / "articles" / f"{slug}.html").read_text(encoding="utf-8")
        marks = [m for root in (HEADLINE_ROOT, BODY_ROOT) for m in text_content(html, root)[1]]
        assert collection["total"] == len(items(collection)) == len(marks) == html.count('<mark class="claim"'), slug
        page = collection["first"]
        assert (page["id"], page["type"], page["partOf"], page["startIndex"]) == (url + "#page_1", "AnnotationPage", url, 0)
        assert collection["last"] == page["id"]
        # In reading order: the headline's mark first, then the text's, as the claims are numbered.
        assert [claim_id(a) for a in items(collection)] == marks, slug
        for annotation in items(collection):
            claim = claim_id(annotation)
            assert annotation["id"] == f"{url}#{claim}"
            assert (annotation["type"], annotation["motivation"]) == ("Annotation", "assessing")
            assert annotation["created"] == "2026-11-23T00:00:00Z"  # every article's review date
            assert annotation["creator"] == {"type": "Organization", "name": "R2 Delay Fact Check editorial team"}
            text, link = annotation["body"]
            assert text["value"].split(": ", 1)[0] in {v.label for v in site.verdicts.values()}
            assert link["source"]["id"] == f"https://example.org/r2-fact-check/claims/{claim}.html"
            sources = [t["source"] for t in annotation["target"]]
            assert sources == [site.articles[slug].url, f"https://example.org/r2-fact-check/articles/{slug}.html"]


def test_each_position_and_quote_matches_the_seed_text(built_site, real):
    site, seeds = real
    checked = 0
    for slug, collection in collections(built_site).items():
        article = site.articles[slug]
        text = seed_words(seeds[article.seed_file])[1]
        quotes = {c.id: c.quote for c in site.claims[slug]}
        for annotation in items(collection):
            quote, position = annotation["target"][0]["selector"]
            assert (quote["type"], position["type"]) == ("TextQuoteSelector", "TextPositionSelector")
            start, end = position["start"], position["end"]
            assert text[start:end] == quote["exact"], claim_id(annotation)
            assert quote.get("prefix", "") == text[max(0, start - 32) : start]
            assert quote.get("suffix", "") == text[end : end + 32]
            assert normalize(quote["exact"]) == normalize(quotes[claim_id(annotation)])
            checked += 1
    assert checked == sum(len(c) for c in site.claims.values()) >= 93


def test_each_page_quote_matches_the_built_pages_text(built_site, real):
    site, _ = real
    views = Views(site)
    for slug, collection in collections(built_site).items():
        html = (built_site / "articles" / f"{slug}.html").read_text(encoding="utf-8")
        claims = sorted((views.claim_view(c) for c in site.claims[slug]), key=lambda v: v["number"])
        model = page_texts(site.articles[slug], claims, site.anchors)
        for root in (BODY_ROOT, HEADLINE_ROOT):
            assert model[root] == text_content(html, root), f"{slug} {root}: the page's text is not what the module lays out"
        for annotation in items(collection):
            root, quote = page_target(annotation)
            text, marks = model[root]
            start, end = marks[claim_id(annotation)]
            assert (quote["exact"], quote.get("prefix", ""), quote.get("suffix", "")) == (
                text[start:end],
                text[max(0, start - 32) : start],
                text[end : end + 32],
            )


# -- the sample project: exact values, nested quotes, an unknown address, what re-renders it ----------------


def test_the_sample_annotation_in_full(project):
    files = build_site(project())
    collection = json.loads(files["annotations/moon.jsonld"].decode("utf-8"))
    assert {k: v for k, v in collection.items() if k != "first"} == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": SAMPLE_URL,
        "type": "AnnotationCollection",
        "label": "Claims checked in “La Luna è fatta di formaggio” (Test Outlet)",
        "total": 3,
        "last": SAMPLE_URL + "#page_1",
    }
    swiss = collection["first"]["items"][1]
    assert swiss == {
        "id": SAMPLE_URL + "#c-swiss",
        "type": "Annotation",
        "motivation": "assessing",
        "created": "2026-11-23T00:00:00Z",
        "creator": {"type": "Organization", "name": "Test desk"},
        "body": [
            {
                "type": "TextualBody",
                "value": "Misleading: No evidence.",
                "format": "text/plain",
                "language": "en",
                "purpose": "assessing",
            },
            {
                "type": "SpecificResource",
                "source": {
                    "id": "https://example.org/test/claims/c-swiss.html",
                    "type": "Text",
                    "format": "text/html",
                    "language": "en",
                },
                "purpose": "assessing",
            },
        ],
        "target": [
            {
                "type": "SpecificResource",
                "source": "https://outlet.example/moon",
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "svizzero",
                        "prefix": "e, la Luna è fatta di formaggio ",
                        "suffix": ". La missione è prevista per mag",
                    },
                    {"type": "TextPositionSelector", "start": 86, "end": 94},
                ],
            },
            {
                "type": "SpecificResource",
                "source": "https://example.org/test/articles/moon.html",
                "selector": {
                    "type": "CssSelector",
                    "value": ".article-body",
                    "refinedBy": {
                        "type": "TextQuoteSelector",
                        "exact": "svizzero",
                        "prefix": "e, la Luna è fatta di formaggio ",
                        "suffix": "Claim 2 ✗ MisleadingClaim 2 ✗ Mi",
                    },
                },
            },
        ],
    }
    # The quote that holds c-swiss holds its label and note on the page (they follow its words there).
    cheese = collection["first"]["items"][0]
    assert page_target(cheese)[1]["exact"] == (
        "la Luna è fatta di formaggio svizzeroClaim 2 ✗ MisleadingClaim 2 ✗ Misleading No evidence. Full check of claim 2 →"
    )
    assert files["annotations/moon.jsonld"] == build_site(project())["annotations/moon.jsonld"]  # byte for byte


def test_an_article_whose_address_is_unknown_has_only_the_page_target(project):
    files = build_site(project(edit(ARTICLE, "url: https://outlet.example/moon", "url: unknown")))
    for annotation in json.loads(files["annotations/moon.jsonld"])["first"]["items"]:
        assert [t["source"] for t in annotation["target"]] == ["https://example.org/test/articles/moon.html"]


def test_offsets_count_the_seed_as_written_even_with_trailing_spaces(project):
    # Trailing spaces on a line: the article's text still equals the seed's (whitespace aside); the selectors
    # count the seed file's own characters, so the spaces are in the suffix and the offsets still slice exactly.
    seed = SEED_TEXT.replace(
        "svizzero. La missione è prevista per maggio.\n", "svizzero. La missione è prevista per maggio.   \n"
    )
    sha = hashlib.sha256(seed.encode()).hexdigest()
    files = build_site(project({f"seeds/{SEED_NAME}": seed, **edit(ARTICLE, SEED_SHA, sha)}))
    cost = items(json.loads(files["annotations/moon.jsonld"]))[2]["target"][0]["selector"]
    quote, position = cost
    assert seed[position["start"] : position["end"]] == quote["exact"] == "la missione costerà 5 milioni di euro"
    assert quote["prefix"] == seed[: position["start"]][-32:] == "a per maggio.   \nGli esperti dicono che "[-32:]


def test_a_corrected_claim_is_modified_on_its_last_change(project):
    history = "    history:\n      - kind: correction\n        date: 2026-12-02\n        note: Fixed.\n"
    changed = edit(
        "content/annotations/moon.yaml", "    sources: [daily-mirror-copy]\n", "    sources: [daily-mirror-copy]\n" + history
    )
    found = items(json.loads(build_site(project(changed))["annotations/moon.jsonld"]))
    assert (found[1]["created"], found[1]["modified"]) == ("2026-11-23T00:00:00Z", "2026-12-02T00:00:00Z")
    assert "modified" not in found[0]  # never changed


def test_a_claims_edit_or_a_timeline_edit_renders_the_collection_again(project):
    from factsite.preview import Preview

    root = project()
    preview = Preview(root, root / "site")
    preview.start()
    path = root / "content/annotations/moon.yaml"
    path.write_text(path.read_text().replace("explanation: No evidence.", "explanation: None at all."))
    outcome = preview.update(["content/annotations/moon.yaml"])
    assert "annotations/moon.jsonld" in outcome.written  # the note's reason is in the body
    assert "None at all." in (root / "site/annotations/moon.jsonld").read_text()
    path = root / "content/timeline.yaml"
    path.write_text(path.read_text().replace("title: Agency publishes its report", "title: Agency reports"))
    outcome = preview.update(["content/timeline.yaml"])
    assert "annotations/moon.jsonld" in outcome.rendered  # an event's title is in a note, so in the page's text


# -- Hypothesis's anchoring, in Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def anchoring_js(tmp_path_factory) -> Path:
    """dom-anchor-text-quote and dom-anchor-text-position (npm, CommonJS), bundled by esbuild into one script that
    defines ``webAnnotationAnchoring = {quote, position}``. Both come from node_modules, pinned by package-lock.json."""
    need(ESBUILD.exists(), "node_modules/.bin/esbuild missing: run scripts/test (npm ci)")
    out = tmp_path_factory.mktemp("anchoring") / "anchoring.js"
    subprocess.run(
        [
            str(ESBUILD),
            "--bundle",
            "--format=iife",
            "--global-name=webAnnotationAnchoring",
            "--log-level=warning",
            f"--outfile={out}",
        ],
        input=ANCHORING,
        text=True,
        cwd=ROOT,  # where the entry's require() calls are resolved
        check=True,
    )
    return out


ANCHOR_ALL = """(annotations) => {
  const {quote, position} = webAnnotationAnchoring;
  return annotations.map(({id, root: css, selector}) => {
    const root = document.querySelector(css);
    const mark = document.getElementById('quote-' + id);
    const range = quote.toRange(root, selector);
    const whole = document.createRange();
    whole.selectNodeContents(mark);
    return {
      id,
      found: range === null ? null : range.toString(),
      mark: mark.textContent,
      made: quote.fromRange(root, whole),            // what Hypothesis would store for the mark
      position: position.fromRange(root, whole),
      at: range === null ? null : position.fromRange(root, range),
    };
  });
}"""


def anchor_in_page(browser, url: str, collection: dict, anchoring_js: Path) -> tuple[list[str], int]:
    """Anchor every annotation's page target on the page at ``url``: (failures, how many anchored exactly)."""
    context = browser.new_context(bypass_csp=True)  # the pages' CSP allows no injected script
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(path=str(anchoring_js))
        wanted = [{"id": claim_id(a), "root": page_target(a)[0], "selector": page_target(a)[1]} for a in items(collection)]
        results = page.evaluate(ANCHOR_ALL, wanted)
    finally:
        context.close()
    failures = []
    for want, got in zip(wanted, results, strict=True):
        selector = want["selector"]
        ours = {"exact": selector["exact"], "prefix": selector.get("prefix", ""), "suffix": selector.get("suffix", "")}
        if got["found"] != got["mark"] or got["at"] != got["position"]:
            failures.append(
                f"{url} claim {want['id']}: anchored {got['found']!r} at {got['at']}, its mark has {got['mark']!r} at {got['position']}"
            )
        elif got["made"] != ours:
            failures.append(f"{url} claim {want['id']}: Hypothesis makes {got['made']!r} for the mark, the file has {ours!r}")
    return failures, len(results) - len(failures)


@pytest.mark.browser
def test_hypothesis_anchors_every_page_quote_on_its_mark(browser, site_url, built_site, anchoring_js, project):
    failures, anchored = [], {}
    for slug, collection in collections(built_site).items():
        found, anchored[slug] = anchor_in_page(browser, f"{site_url}articles/{slug}.html", collection, anchoring_js)
        failures += found
    # The sample's nested quotes: the outer passage holds the inner one's label and note.
    root = project()
    sample = build_site(root)
    for path, data in sample.items():
        (root / "out" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "out" / path).write_bytes(data)
    moon = json.loads(sample["annotations/moon.jsonld"])
    found, anchored["sample:moon"] = anchor_in_page(browser, (root / "out/articles/moon.html").as_uri(), moon, anchoring_js)
    failures += found
    print("anchored exactly:", anchored)
    assert failures == [], "\n".join(failures)
    assert sum(anchored.values()) >= 96  # 93 claims of the real site, 3 of the sample


# -- the preview ------------------------------------------------------------------------------------------------


def test_the_preview_serves_a_collection_as_json_ld(project):
    root = project()
    port = free_port()
    server = start_server(root, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/annotations/moon.jsonld", timeout=5) as response:
            content_type, body = response.headers["Content-Type"], response.read()
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert content_type == "application/ld+json"
    assert json.loads(body.decode("utf-8"))["id"] == SAMPLE_URL
    assert body == (root / "site/annotations/moon.jsonld").read_bytes()


def test_the_preview_knows_json_ld_without_the_systems_mime_table():
    # Python's own table has no .jsonld; Debian's /etc/mime.types does, a slim container image has none.
    script = (
        "import mimetypes; mimetypes.knownfiles[:] = []; mimetypes.init(); "
        "before = mimetypes.guess_type('x.jsonld')[0]; import factsite.serve; "
        "print(before, mimetypes.guess_type('x.jsonld')[0])"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert run.stdout.split() == ["None", "application/ld+json"]
