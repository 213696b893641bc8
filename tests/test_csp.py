"""No third-party requests, and a Content-Security-Policy on every page that allows only the site's own origin.

Read from the files: every HTML page of the real site carries one policy, in its <head> before anything that
loads or runs, and it is exactly the site's policy (the search page alone adds 'wasm-unsafe-eval', for
Pagefind's WebAssembly); no page has anything that policy would block (inline script, event-handler
attributes, style attributes or elements, javascript: addresses) or anything that would load from elsewhere.
Links to sources (<a href>) and the page's own published and original addresses (<link rel=canonical or
alternate>) are not requests.

In Chromium, one page of every kind (factsite.pages.KINDS) is opened with the network limited to the local
server: a request anywhere else is aborted and recorded, and so are the page's policy violations (its
``securitypolicyviolation`` events), console errors and broken loads. The search page runs a search, so
Pagefind's JavaScript, workers and WebAssembly all run; and once more with workers unavailable, when Pagefind
compiles its WebAssembly on the page itself, which is what 'wasm-unsafe-eval' is for (a worker's policy is
its own script's response's, not the page's <meta>). The test of the guards shows that each of them does see
what it guards against.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import html5lib
import pytest
from conftest import ROOT, TEMPLATES
from playwright.sync_api import BrowserContext, Page, expect

from factsite.load import read_project
from factsite.pages import KINDS
from factsite.pipeline import check_project, plan

POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}
SEARCH_POLICY = {**POLICY, "script-src": ["'self'", "'wasm-unsafe-eval'"]}
KEYWORDS = {"'self'", "'none'", "'wasm-unsafe-eval'"}  # every other source expression would widen the policy
NOT_FETCHED_RELS = {"canonical", "alternate"}  # a <link> with only these rels is an address, not a request
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}  # other types are inert data blocks
SEARCH_WORDS = "huawei"
MISSING = "articles/no-such-article/page.html"  # served with the 404 page, from a folder below the root
HTML_KINDS = sorted(name for name, kind in KINDS.items() if kind.template and kind.template.endswith(".html"))


# -- the built files ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kinds(site_pages) -> dict[str, str]:
    """Every HTML page of the real site → its kind (a key of factsite.pages.KINDS), as the build plans it."""
    project = read_project(ROOT)
    _, specs = plan(project, check_project(project))
    found = {spec.path: spec.kind for spec in specs if spec.path.endswith(".html")}
    assert sorted(found) == site_pages
    return found


@pytest.fixture(scope="module")
def trees(built_site, site_pages) -> dict:
    """Every HTML page parsed as a browser parses it (html5lib), so that <head> is the head the browser sees."""
    return {p: html5lib.parse((built_site / p).read_bytes(), namespaceHTMLElements=False) for p in site_pages}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # svg elements and xlink attributes come with their namespace


def policy_metas(tree) -> list:
    return [m for m in tree.iter("meta") if (m.get("http-equiv") or "").strip().lower() == "content-security-policy"]


def directives(policy: str) -> dict[str, list[str]]:
    """The policy's directives, name → source list; a repeated directive (which browsers ignore) is an error."""
    found: dict[str, list[str]] = {}
    for part in filter(str.strip, policy.split(";")):
        name, *sources = part.split()
        assert name.lower() not in found, f"{name} is given twice in {policy!r}"
        found[name.lower()] = sources
    return found


def widening(policy: dict[str, list[str]]) -> list[str]:
    """Every source expression that lets in more than this site's own files: hosts, schemes, wildcards, the
    unsafe keywords, nonces and hashes ('data:' is let through only as an image source)."""
    return [
        f"{name} {source}"
        for name, sources in policy.items()
        for source in sources
        if source.lower() not in KEYWORDS and not (name == "img-src" and source == "data:")
    ]


def misplaced(tree) -> str | None:
    """Why the page's policy does not cover all of it, if it does not: a policy must be one, in <head> (one in
    <body> is ignored), and before anything that loads or runs (it applies only to what comes after it). Only
    <meta charset> (which must come first) and the viewport, which neither load nor run, may come before it."""
    head, metas = list(tree.find("head")), policy_metas(tree)
    if len(metas) != 1 or metas[0] not in head:
        return f"{len(metas)} policies, {sum(m in head for m in metas)} of them in <head>"
    before = head[: head.index(metas[0])]
    if not before or local(before[0].tag) != "meta" or before[0].get("charset", "").lower() != "utf-8":
        return "<head> does not begin with <meta charset>"
    if any(local(e.tag) != "meta" or set(e.attrib) != {"name", "content"} or e.get("name") != "viewport" for e in before[1:]):
        return f"before the policy: {[local(e.tag) + str(dict(e.attrib)) for e in before]}"
    return None


def test_every_page_has_one_policy_in_its_head_before_anything_that_loads_or_runs(trees):
    assert len(trees) > 100
    assert {path: misplaced(tree) for path, tree in trees.items() if misplaced(tree)} == {}
    csp = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
    for head, body, why in [
        ('<meta charset="utf-8">', csp, "1 policies, 0 of them in <head>"),
        (f'<meta charset="utf-8">{csp}{csp}', "", "2 policies, 2 of them in <head>"),
        (f'{csp}<meta charset="utf-8">', "", "<head> does not begin with <meta charset>"),
        (f'<meta charset="utf-8"><link rel="stylesheet" href="a.css">{csp}', "", "before the policy: "),
        (f'<meta charset="utf-8"><title>t</title>{csp}', "", "before the policy: "),
    ]:
        tree = html5lib.parse(f"<!doctype html><html><head>{head}</head><body>{body}</body></html>", namespaceHTMLElements=False)
        assert (misplaced(tree) or "").startswith(why), (head, body, misplaced(tree))


def test_every_page_has_exactly_the_sites_policy_and_only_the_search_page_may_run_webassembly(trees, kinds):
    policies = {path: directives(policy_metas(tree)[0].get("content")) for path, tree in trees.items()}
    searches = [path for path, kind in kinds.items() if kind == "search"]
    assert searches == ["search.html"]
    assert {p: widening(policy) for p, policy in policies.items() if widening(policy)} == {}
    assert {p: policy for p, policy in policies.items() if policy != (SEARCH_POLICY if p in searches else POLICY)} == {}
    # Scripts, as the browser decides them: script-src, or default-src where there is none.
    scripts = {p: policy.get("script-src", policy["default-src"]) for p, policy in policies.items()}
    assert {p: s for p, s in scripts.items() if s != ["'self'"]} == {"search.html": ["'self'", "'wasm-unsafe-eval'"]}


def same_origin(url: str) -> bool:
    """An address inside the site: relative or root-absolute (no scheme, no host, not protocol-relative)."""
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc


def loads_or_runs(element) -> list[str]:
    """What of ``element`` the policy would block, or what would load from another origin."""
    tag, attrs = local(element.tag), {local(k).lower(): v for k, v in element.attrib.items()}
    found = [f"{name}= handler" for name in attrs if name.startswith("on")]
    found += ["style attribute"] * ("style" in attrs)
    found += [f"{name}={value!r}" for name, value in attrs.items() if value.strip().lower().startswith("javascript:")]
    if tag == "style":
        found.append("<style> element")
    if tag == "base" or (tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh"):
        found.append(f"<{tag}> {attrs}")
    if tag == "script" and "src" not in attrs and (attrs.get("type") or "").strip().lower() in SCRIPT_TYPES:
        found.append("inline <script>")
    if "ping" in attrs:
        found.append("ping= (a request on every click)")
    urls = []
    for name, value in attrs.items():
        if name in ("src", "poster", "data", "action", "formaction", "background", "manifest"):
            urls.append(value)
        elif name in ("srcset", "imagesrcset"):
            urls += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
        elif name == "href" and tag not in ("a", "area"):
            rels = set((attrs.get("rel") or "").lower().split())
            if not (tag == "link" and rels and rels <= NOT_FETCHED_RELS):
                urls.append(value)
    images = tag in ("img", "source") or (tag == "link" and "icon" in (attrs.get("rel") or "").lower().split())
    found += [f"<{tag}> loads {url}" for url in urls if not same_origin(url) and not (images and url.startswith("data:"))]
    return found


def test_no_page_has_inline_code_or_styles_or_loads_anything_from_elsewhere(trees):
    found = {path: [f for e in tree.iter() if isinstance(e.tag, str) for f in loads_or_runs(e)] for path, tree in trees.items()}
    assert {path: f for path, f in found.items() if f} == {}
    # What is left to other origins is not a request: links to the sources, the page's published address and
    # the original article's (the browser test shows that nothing is fetched from them).
    elsewhere = {
        local(e.tag) if local(e.tag) == "a" else f"{local(e.tag)} rel={e.get('rel')}"
        for tree in trees.values()
        for e in tree.iter()
        if isinstance(e.tag, str) and e.get("href") and not same_origin(e.get("href")) and not e.get("href").startswith("mailto:")
    }
    assert elsewhere == {"a", "link rel=canonical", "link rel=alternate"}


def test_the_page_check_finds_what_it_looks_for():
    bad = html5lib.parse(
        """<!doctype html><html><head><meta charset="utf-8"><base href="https://x.example/"><style>p{}</style>
        <link rel="stylesheet" href="https://cdn.example/a.css"><link rel="alternate stylesheet" href="//cdn.example/b.css">
        <script>alert(1)</script><script type="application/ld+json">{}</script><script src="data:,alert(1)"></script>
        </head><body onload="go()"><p style="color: red">x</p><a href="javascript:go()">y</a><a href="https://a.example/" ping="/p">z</a>
        <img src="https://img.example/i.png" srcset="i.png 1x, https://img.example/j.png 2x"><img src="data:image/png;base64,AA">
        <svg><use href="https://svg.example/s.svg#i"/></svg><form action="https://f.example/"></form></body></html>""",
        namespaceHTMLElements=False,
    )
    assert [f for e in bad.iter() if isinstance(e.tag, str) for f in loads_or_runs(e)] == [
        "<base> {'href': 'https://x.example/'}",
        "<base> loads https://x.example/",
        "<style> element",
        "<link> loads https://cdn.example/a.css",
        "<link> loads //cdn.example/b.css",
        "inline <script>",
        "<script> loads data:,alert(1)",
        "onload= handler",
        "style attribute",
        "href='javascript:go()'",
        "ping= (a request on every click)",
        "<img> loads https://img.example/i.png",
        "<img> loads https://img.example/j.png",
        "<use> loads https://svg.example/s.svg#i",
        "<form> loads https://f.example/",
    ]


def test_the_style_sheets_load_nothing_from_elsewhere(built_site):
    sheets = sorted(built_site.rglob("*.css"))
    assert {p.name for p in sheets} >= {"style.css", "verdicts.css", "print.css"}
    found = {}
    for sheet in sheets:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        urls = [u.strip("'\" ") for u in re.findall(r"url\(([^)]*)\)", text)]
        urls += re.findall(r"@import\s+['\"]([^'\"]+)", text)
        found[sheet.name] = [u for u in urls if not same_origin(u) and not u.startswith("data:")]
    assert {name: urls for name, urls in found.items() if urls} == {}


def test_every_page_template_takes_the_policy_from_base_and_only_search_changes_it():
    """Covers the kinds the real site has no page of (the list of stories, made only with two stories or more)."""
    pages = {kind.template: (TEMPLATES / kind.template).read_text(encoding="utf-8") for kind in map(KINDS.get, HTML_KINDS)}
    assert {name for name, text in pages.items() if not re.match(r'\{%-? extends "base\.html"', text.lstrip())} == set()
    assert {name for name, text in pages.items() if "csp_script" in text or "Content-Security-Policy" in text} == {"search.html"}
    assert re.search(r"\{% block csp_script %\}script-src 'self' 'wasm-unsafe-eval'; \{% endblock %\}", pages["search.html"])
    assert (TEMPLATES / "base.html").read_text(encoding="utf-8").count("Content-Security-Policy") == 1


# -- in Chromium, with the network limited to the local server ---------------------------------------------

RECORD_VIOLATIONS = """
(() => {
  const seen = [];
  Object.defineProperty(window, "__violations", { value: seen });
  addEventListener("securitypolicyviolation", (e) => seen.push(
    `${e.effectiveDirective} refused ${e.blockedURI || "(inline)"} at ${e.sourceFile || "?"}:${e.lineNumber} ${e.sample}`.trim()
  ), true);
})();
"""


class Guarded:
    """A browser context whose every request outside ``site_url`` is aborted and recorded, with what each visit
    saw: its requests, console errors, broken loads and (read from the page) policy violations. What happens
    after the test has moved on to the next page is put down to that page: it is still seen."""

    def __init__(self, context: BrowserContext, site_url: str):
        self.site_url, self.context, self.at = site_url, context, ""
        self.seen: dict[str, dict[str, list[str]]] = {}
        context.add_init_script(RECORD_VIOLATIONS)
        context.route("**/*", self._route)
        context.on("request", lambda r: self.note("requests", r.url))
        context.on("requestfailed", self._failed)
        context.on("response", lambda r: self.note("broken", f"{r.url}: {r.status}") if r.status >= 400 else None)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.note("errors", str(e)))
        self.page.on("worker", self._worker)

    def note(self, what: str, text: str) -> None:
        self.seen.setdefault(self.at, {}).setdefault(what, []).append(text)

    def of(self, what: str, path: str | None = None) -> list[str]:
        return self.seen.get(self.at if path is None else path, {}).get(what, [])

    def _route(self, route):
        if route.request.url.startswith(self.site_url):
            route.continue_()
        else:
            self.note("foreign", route.request.url)
            route.abort("blockedbyclient")

    def _failed(self, request):
        # A load the browser drops when the test goes to the next page (the icon, often) is not broken.
        if request.url.startswith(self.site_url) and request.failure != "net::ERR_ABORTED":
            self.note("broken", f"{request.url}: {request.failure}")

    def _worker(self, worker):
        self.note("workers", worker.url)
        worker.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            self.note("errors", message.text)

    def visit(self, path: str) -> Page:
        self.at = path
        self.page.goto(self.site_url + path)
        return self.page

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations.slice()")

    def record_violations(self) -> None:
        """The violations of the page shown, before it is left (they are kept in the page)."""
        for violation in self.violations():
            self.note("violations", violation)

    def problems(self, path: str, *, missing: bool = False) -> list[str]:
        """What went wrong on the visit of ``path``; a page served as missing may have (only) its own 404."""
        broken = [b for b in self.of("broken", path) if not (missing and b == f"{self.site_url}{path}: 404")]
        errors = [e for e in self.of("errors", path) if not (missing and "status of 404" in e)]
        return (
            [f"request elsewhere: {u}" for u in self.of("foreign", path)]
            + [f"policy violation: {v}" for v in self.of("violations", path)]
            + [f"console: {e}" for e in errors]
            + [f"broken: {b}" for b in broken]
        )


@pytest.fixture
def guarded(browser, site_url):
    made: list[Guarded] = []

    def make(**options) -> Guarded:
        made.append(Guarded(browser.new_context(**options), site_url))
        return made[-1]

    yield make
    for g in made:
        g.context.close()


@pytest.fixture(scope="module")
def one_page_per_kind(kinds) -> dict[str, str]:
    """The first page of every kind the site has pages of."""
    found: dict[str, str] = {}
    for path in sorted(kinds):
        found.setdefault(kinds[path], path)
    return found


def test_one_page_of_every_kind_loads_only_from_the_local_server_with_no_policy_violation(guarded, site_url, one_page_per_kind):
    assert set(HTML_KINDS) - set(one_page_per_kind) <= {"stories"}  # with one story, there is no list of stories
    # The search page is visited with a search (the next test); the page not found as a host serves it, at an
    # address that is not there, where its root-absolute links and files must still be the site's.
    visits = [p for k, p in sorted(one_page_per_kind.items()) if k not in ("search", "notfound")] + [MISSING]
    g = guarded()
    for path in visits:
        page = g.visit(path)
        if path == MISSING:
            expect(page.locator("h1")).to_have_text(re.compile("not found", re.I))
        g.record_violations()
    g.page.wait_for_load_state("networkidle")  # anything the last page loads late
    g.record_violations()
    assert {p: g.problems(p, missing=p == MISSING) for p in visits if g.problems(p, missing=p == MISSING)} == {}
    # The guards saw each visit: the page itself, and the script and style sheet every page loads.
    static = {p: {u.split("/static/")[-1] for u in g.of("requests", p) if "/static/" in u} for p in visits}
    assert {p: s for p, s in static.items() if not s >= {"site.js", "style.css"}} == {}
    assert all(site_url + p in g.of("requests", p) for p in visits)


def search_page(g: Guarded) -> Page:
    page = g.visit("search.html")
    page.fill("#search-input", SEARCH_WORDS)
    page.press("#search-input", "Enter")  # the form is not submitted (form-action 'none'): the script searches
    return page


def test_the_search_page_runs_pagefind_and_its_webassembly_under_its_own_policy(guarded, site_url):
    g = guarded()
    page = search_page(g)
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ results for “huawei”"), timeout=20_000)
    assert page.locator("#search-results > li").count() == 10
    assert page.url == site_url + "search.html?q=huawei"
    wasm = sorted(u.removeprefix(site_url) for u in g.of("requests") if re.search(r"/wasm\.\w+\.pagefind$", u))
    assert wasm == ["pagefind/es/wasm.es.pagefind", "pagefind/it/wasm.it.pagefind", "pagefind/wasm.en.pagefind"]
    assert sorted(w.removeprefix(site_url) for w in g.of("workers")) == [
        "pagefind/es/pagefind-worker.js",
        "pagefind/it/pagefind-worker.js",
        "pagefind/pagefind-worker.js",
    ]
    g.record_violations()
    assert g.problems("search.html") == []


NO_WORKERS = "delete window.Worker;"  # Pagefind then runs its WebAssembly on the page, under the page's policy


@pytest.mark.parametrize("allowed", [True, False], ids=["as-built", "without-wasm-unsafe-eval"])
def test_without_workers_the_search_runs_on_the_page_only_by_its_wasm_unsafe_eval(guarded, site_url, built_site, allowed):
    """Pagefind compiles its WebAssembly in a worker, whose policy is that of the worker script's own response
    (none, from a static host), not the page's <meta>; where a worker cannot start, it falls back to the page,
    and that is what 'wasm-unsafe-eval' is for. The same page without it cannot search there."""
    g = guarded()
    g.context.add_init_script(NO_WORKERS)
    if not allowed:
        html = (built_site / "search.html").read_text(encoding="utf-8")
        assert html.count(" 'wasm-unsafe-eval'") == 1
        html = html.replace(" 'wasm-unsafe-eval'", "")
        g.page.route(site_url + "search.html*", lambda route: route.fulfill(body=html, content_type="text/html"))
    page = search_page(g)
    status = page.locator("#search-status")
    if allowed:
        expect(status).to_have_text(re.compile(r"^\d+ results for “huawei”"), timeout=20_000)
        g.record_violations()
        assert g.problems("search.html") == []
    else:
        expect(status).to_have_text(re.compile(r"^Search could not load its index"), timeout=20_000)
        expect(page.locator("#search-results > li")).to_have_count(0)
        assert g.violations() and all(v.startswith("script-src refused wasm-eval") for v in g.violations()), g.violations()
    assert g.of("workers") == [] and page.evaluate("typeof Worker") == "undefined"


def test_the_guards_see_what_they_guard_against(guarded, site_url):
    """An inline script and a request elsewhere are refused by the policy and reported; with the policy bypassed,
    the request elsewhere reaches the route, which aborts and records it."""
    provoke = """async () => {
        const s = document.createElement("script");
        s.textContent = "window.ran = true";
        document.head.append(s);
        const fetched = await fetch("https://example.org/x").then(() => "fetched", () => "refused");
        return [window.ran === true, fetched];
    }"""
    g = guarded()
    page = g.visit("index.html")
    assert page.evaluate(provoke) == [False, "refused"]
    page.wait_for_function("window.__violations.length >= 2")
    assert [v.split()[0] for v in g.violations()] == ["script-src-elem", "connect-src"]
    assert g.of("foreign") == []  # refused before any request was made
    loose = guarded(bypass_csp=True)
    page = loose.visit("index.html")
    assert page.evaluate(provoke) == [True, "refused"]
    assert loose.of("foreign") == ["https://example.org/x"] and loose.violations() == []
