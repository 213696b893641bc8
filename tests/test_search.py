"""Search: the Pagefind bundles made in memory (one per language), the search page in a real Chromium, its
Content-Security-Policy, the page without JavaScript, byte-identical rebuilds and the preview's index.

The bundles are read back with Pagefind's own formats (``pagefind-entry.json``; gzip'd fragments, each a JSON
record after Pagefind's ``pagefind_dcd`` signature); the searches run Pagefind's JavaScript and WebAssembly
under the page's own policy.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, need
from playwright.sync_api import Page, expect

from factsite import BuildFailed, build_site, search_index
from factsite.cache import Memo
from factsite.load import read_project
from factsite.pipeline import check_project, plan
from factsite.preview import Preview

SEARCH = "search.html"
BASE_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
SEARCH_POLICY = {**BASE_POLICY, "script-src": "'self' 'wasm-unsafe-eval'"}
OMEGANEXT = "articles/omeganext-r2-retrasado.html"
IHAL = "articles/ihal-deepseek-ascend-nvidia.html"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NOSCRIPT = (
    "Search needs JavaScript, which is off in this browser. Everything it finds is also a link or two away: "
    "the list of articles, each with its claims; the timeline of events; and the list of sources."
)


@pytest.fixture(scope="module")
def real_site():
    """The real content as published, read and checked once (other people may edit content/ meanwhile)."""
    project = read_project(ROOT)
    return plan(project, check_project(project))[0]


@pytest.fixture(scope="module")
def real_records(real_site) -> list[search_index.Record]:
    return search_index.records(real_site)


def bundle_records(files: dict[str, bytes], folder: str) -> list[dict]:
    """The records of one bundle, as Pagefind's fragments hold them."""
    found = []
    for path, data in sorted(files.items()):
        if path.startswith(folder + "fragment/"):
            raw = gzip.decompress(data)
            assert raw.startswith(b"pagefind_dcd"), path
            found.append(json.loads(raw[len(b"pagefind_dcd") :]))
    return found


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def only_record_with(records: list[search_index.Record], word: str) -> search_index.Record:
    """The one record whose words (content or meta, which Pagefind indexes too) include ``word``."""
    having = [r for r in records if word in words(r.content + " " + " ".join(r.meta().values()))]
    assert len(having) == 1, f"{word!r} should occur in one record only, not in {[r.url for r in having]}"
    return having[0]


# -- the records and the bundles ------------------------------------------------------------------------


def test_each_part_is_a_record_in_its_own_language(real_site, real_records):
    by_url = {r.url: r for r in real_records}
    spanish = by_url[OMEGANEXT]
    assert (spanish.lang, spanish.kind, spanish.title) == (
        "es",
        "Article",
        "DeepSeek R2 Retrasado: Chips Huawei Obligan a Usar NVIDIA",
    )
    article = real_site.articles["omeganext-r2-retrasado"]
    assert spanish.content == "\n".join(" ".join(b.text.split()) for b in article.blocks if not b.boilerplate)
    assert {r.lang for r in real_records if r.kind == "Article"} == {"it", "es"}
    assert sorted(r.url for r in real_records if r.kind == "Article") == sorted(f"articles/{s}.html" for s in real_site.articles)

    claim = next(c for c in real_site.claims["tecnoandroid-r2-ritardo"] if c.id == "c000-09")
    record = by_url["claims/c000-09.html"]
    assert (record.lang, record.kind, record.title) == ("en", "Claim", claim.claim)
    assert record.content.split("\n")[:2] == [claim.claim, claim.summary]
    assert "the place and the number of teams are embellished" in record.content
    assert "*" not in record.content and "](" not in record.content  # Markdown read as plain words

    published = [c for cs in real_site.claims.values() for c in cs if c.id in real_site.anchors]
    assert sorted(r.url for r in real_records if r.kind == "Claim") == sorted(f"claims/{c.id}.html" for c in published)
    assert [r.url for r in real_records if r.kind == "Event"] == [f"events/{e}.html" for e in real_site.events]
    assert [r.url for r in real_records if r.kind == "Source"] == [f"sources/{s}.html" for s in real_site.sources]
    assert {r.lang for r in real_records if r.kind != "Article"} == {"en"}
    source = by_url["sources/seed000-tecnoandroid.html"]
    assert source.content == f"{source.title}\n{real_site.sources['seed000-tecnoandroid'].publisher}"


def test_records_kept_in_a_memo_are_the_records_made_afresh(real_site, real_records):
    memo = Memo()
    assert search_index.records(real_site, memo) == real_records
    # one entry an article (the plain text of its explanations), found again on the next pass
    assert (memo.misses, memo.hits) == (len(real_site.claims), 0)
    search_index.plain_text.cache_clear()  # not from the per-text cache either
    assert search_index.records(real_site, memo) == real_records and memo.hits == len(real_site.claims)


def test_one_bundle_per_language_with_only_what_the_search_api_loads(built_site, real_records):
    files = {p.relative_to(built_site).as_posix(): p.read_bytes() for p in (built_site / "pagefind").rglob("*") if p.is_file()}
    for folder, lang in (("pagefind/", "en"), ("pagefind/it/", "it"), ("pagefind/es/", "es")):
        entry = json.loads(files[folder + "pagefind-entry.json"])
        expected = [r for r in real_records if r.lang == lang]
        assert list(entry["languages"]) == [lang]
        assert entry["languages"][lang]["wasm"] == lang  # its own stemmer
        assert entry["languages"][lang]["page_count"] == len(expected)
        found = bundle_records(files, folder)
        assert sorted(f["url"] for f in found) == sorted(r.url for r in expected)
        assert {f["url"]: f["meta"] for f in found} == {r.url: r.meta() for r in expected}
        own = sorted(p.removeprefix(folder) for p in files if p.startswith(folder) and "/" not in p.removeprefix(folder))
        hashed = entry["languages"][lang]["hash"]
        assert own == sorted(
            ["pagefind-entry.json", "pagefind-worker.js", "pagefind.js", f"pagefind.{hashed}.pf_meta", f"wasm.{lang}.pagefind"]
        )
    assert {p.split("/")[1] for p in files if p.count("/") == 2} == {"es", "fragment", "index", "it"}
    assert not [p for p in files if "-ui" in p or "highlight" in p or "playground" in p]


def test_the_same_site_gives_byte_identical_bundles(real_site, project):
    # Two Pagefind processes index the same records: the files are the same, byte for byte.
    first, second = search_index.build(real_site), search_index.build(real_site)
    assert sorted(first) == sorted(second) and first == second
    # And the whole build of a project, twice.
    root = project()
    one, two = build_site(root), build_site(root)
    pagefind = sorted(p for p in one if p.startswith("pagefind/"))
    assert pagefind and pagefind == sorted(p for p in two if p.startswith("pagefind/"))
    assert all(one[p] == two[p] for p in pagefind)


def test_a_missing_pagefind_is_one_located_problem(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-pagefind"))
    with pytest.raises(BuildFailed) as failed:
        build_site(project())
    [problem] = failed.value.problems
    assert problem.format() == (
        f"build: the search index could not be made: pagefind could not be started ({tmp_path / 'no-pagefind'}: "
        "No such file or directory); is pagefind[bin] installed (pip install -e .)?"
    )


def pagefind_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}


def test_the_preview_remakes_a_bundle_only_when_its_words_change(project):
    root = project()
    preview = Preview(root, root / "site")
    assert preview.start().ok
    before = pagefind_files(root / "site")
    assert sorted({p.split("/")[1] for p in before if p.count("/") == 2}) == ["fragment", "index", "it"]

    # A change no record holds (a claim's evidence basis): no bundle is made again, nothing is written under pagefind/.
    annotations = root / "content/annotations/moon.yaml"
    text = annotations.read_text(encoding="utf-8")
    assert text.count("basis: official-statement") == 1
    annotations.write_text(text.replace("basis: official-statement", "basis: primary-document"), encoding="utf-8")
    unsearched = preview.update(["content/annotations/moon.yaml"])
    assert unsearched.ok and [p for p in unsearched.written if p.startswith("pagefind/")] == []
    assert pagefind_files(root / "site") == before

    # An explanation's words: the English bundle follows, the Italian one is kept as it was.
    text = annotations.read_text(encoding="utf-8")
    assert text.count("explanation: No evidence.") == 1
    annotations.write_text(
        text.replace("explanation: No evidence.", "explanation: No evidence, say the selenologists."), encoding="utf-8"
    )
    searched = preview.update(["content/annotations/moon.yaml"])
    assert searched.ok
    after = pagefind_files(root / "site")
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed and all(p.startswith("pagefind/") and not p.startswith("pagefind/it/") for p in changed)
    assert {p for p in after if p.startswith("pagefind/it/")} == {p for p in before if p.startswith("pagefind/it/")}
    assert any("selenologists" in f["content"] for f in bundle_records(after, "pagefind/"))
    # The files no longer in the bundle are gone from the folder, as a fresh build would leave it.
    assert after == {p: d for p, d in build_site(root).items() if p.startswith("pagefind/")}


# -- the policy ----------------------------------------------------------------------------------------


class _Policy(HTMLParser):
    def __init__(self):
        super().__init__()
        self.policies: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(attrs.get("content") or "")


def policy_of(html: str) -> dict[str, str]:
    parser = _Policy()
    parser.feed(html)
    [policy] = parser.policies
    directives = [d.split(None, 1) for d in policy.split(";") if d.strip()]
    return {name: " ".join(value.split()) for name, value in directives}


def test_only_the_search_page_may_run_webassembly(built_site, site_pages):
    policies = {path: policy_of((built_site / path).read_text(encoding="utf-8")) for path in site_pages}
    assert len(policies) > 100 and SEARCH in policies
    assert {path: p for path, p in policies.items() if p != BASE_POLICY} == {SEARCH: SEARCH_POLICY}


# -- in the browser ------------------------------------------------------------------------------------


def open_search(browser, site_url, **options) -> Page:
    page = browser.new_context(**options).new_page()
    page.problems = []
    page.workers_started = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("worker", lambda w: page.workers_started.append(w.url.removeprefix(site_url)))
    page.goto(site_url + SEARCH)
    return page


def search(page: Page, words: str, status: str | re.Pattern) -> list[dict]:
    page.fill("#search-input", words)
    expect(page.locator("#search-status")).to_have_text(status, timeout=20_000)
    return page.locator("#search-results > li").evaluate_all(
        """items => items.map(li => ({
             href: li.querySelector('h2 a').getAttribute('href'),
             lang: li.querySelector('h2 a').lang,
             kind: li.querySelector('.search-kind').textContent,
             marked: [...li.querySelectorAll('.search-excerpt mark')].map(m => m.textContent)}))"""
    )


@pytest.mark.browser
def test_a_word_of_one_italian_article_finds_that_article(browser, site_url, real_records):
    assert only_record_with(real_records, "campanello").url == IHAL
    page = open_search(browser, site_url)
    [hit] = search(page, "campanello", "1 result for “campanello”.")
    assert (hit["href"], hit["lang"], hit["marked"]) == (site_url + IHAL, "it", ["campanello"])
    assert hit["kind"].startswith("Article · IHAL · ")
    # Italian stemming, from the Italian bundle's own WebAssembly: a plural finds the singular, and more.
    results = search(page, "ritardi", "3 results for “ritardi”.")
    assert {r["href"].removeprefix(site_url) for r in results} == {
        "articles/criptospia-r2-posticipato.html",
        IHAL,
        "articles/tecnoandroid-r2-ritardo.html",
    }
    assert {m for r in results for m in r["marked"]} == {"ritardato", "ritardi", "ritardo"}
    assert sorted(page.workers_started) == [
        "pagefind/es/pagefind-worker.js",
        "pagefind/it/pagefind-worker.js",
        "pagefind/pagefind-worker.js",
    ]
    assert page.problems == []  # no policy violation, no worker falling back to the main thread


@pytest.mark.browser
def test_a_word_of_one_explanation_finds_that_claim(browser, site_url, real_site, real_records):
    having = [c.id for cs in real_site.claims.values() for c in cs if "embellished" in words(c.explanation)]
    assert having == ["c000-09"]
    assert only_record_with(real_records, "embellished").url == "claims/c000-09.html"
    page = open_search(browser, site_url)
    [hit] = search(page, "embellished", "1 result for “embellished”.")
    assert (hit["href"], hit["lang"], hit["marked"]) == (site_url + "claims/c000-09.html", "", ["embellished,"])
    assert hit["kind"] == "Claim · Mostly accurate · claim 11 of the TecnoAndroid article"
    assert page.problems == []


@pytest.mark.browser
def test_a_spanish_word_finds_the_omeganext_article(browser, site_url, real_records):
    assert only_record_with(real_records, "autosuficiencia").url == OMEGANEXT
    page = open_search(browser, site_url)
    [hit] = search(page, "autosuficiencia", "1 result for “autosuficiencia”.")
    assert (hit["href"], hit["lang"], hit["marked"]) == (site_url + OMEGANEXT, "es", ["autosuficiencia"])
    # The words stay in the address: the page opened again searches them again.
    assert page.url == site_url + SEARCH + "?q=autosuficiencia"
    page.reload()
    expect(page.locator("#search-status")).to_have_text("1 result for “autosuficiencia”.", timeout=20_000)
    assert page.problems == []


@pytest.mark.browser
def test_a_word_being_typed_shows_partial_matches_then_more(browser, site_url, real_records):
    # Every record with a word that begins "huaw" (Huawei, Huawei's), in each language's bundle.
    n = sum(any(w.startswith("huaw") for w in words(r.content + " " + " ".join(r.meta().values()))) for r in real_records)
    assert n > 20
    page = open_search(browser, site_url)
    results = search(page, "huaw", f"No result has the word “huaw”; {n} results match it in part, 10 shown.")
    assert len(results) == 10 and all("huaw" in " ".join(r["marked"]).lower() for r in results)
    page.click("#search-more")
    expect(page.locator("#search-status")).to_have_text(f"No result has the word “huaw”; {n} results match it in part, 20 shown.")
    expect(page.locator("#search-results > li:nth-child(11) h2 a")).to_be_focused()
    # Every word in some form comes first; a word found nowhere leaves only partial matches.
    [hit] = search(page, "autosuficiencia tecnologías", "1 result for “autosuficiencia tecnologías”.")
    assert (hit["href"], hit["marked"]) == (site_url + OMEGANEXT, ["autosuficiencia", "tecnologías"])
    # (The English bundle, with no word beginning "autosuficiencia", matches the longest word it begins with: "a".)
    partial = search(
        page,
        "autosuficiencia zzzzqqq",
        re.compile(r"No result has all the words “autosuficiencia zzzzqqq”; \d+ results match them in part, 10 shown\."),
    )
    assert (partial[0]["href"], partial[0]["marked"]) == (site_url + OMEGANEXT, ["autosuficiencia"])
    assert {m.lower() for r in partial[1:] for m in r["marked"]} == {"a"}
    search(page, "zzzzqqq", "No results for “zzzzqqq”. Try fewer words, or another form of the word.")
    assert page.problems == []


@pytest.mark.browser
def test_webassembly_compiles_on_the_search_page_only(browser, site_url):
    # The smallest valid module (its 8-byte header), compiled under each page's own policy.
    compile_ = "() => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', e => e.name)"
    page = browser.new_context().new_page()
    results = {}
    for path in (SEARCH, "index.html", IHAL, "claims/c000-09.html"):
        page.goto(site_url + path)
        results[path] = page.evaluate(compile_)
    assert results == {
        SEARCH: "compiled",
        "index.html": "CompileError",
        IHAL: "CompileError",
        "claims/c000-09.html": "CompileError",
    }


@pytest.mark.browser
def test_without_javascript_the_page_says_search_needs_it(browser, site_url):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(site_url + SEARCH)
    message = page.locator(".search-noscript")
    expect(message).to_be_visible()
    assert " ".join(message.inner_text().split()) == NOSCRIPT
    assert message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "index.html",
        "timeline.html",
        "sources.html",
    ]
    expect(page.locator("#search")).to_be_hidden()
    expect(page.locator("#search-unavailable")).to_be_hidden()


@pytest.mark.browser
def test_opened_from_a_file_the_page_says_search_cannot_start(browser, built_site):
    page = browser.new_context().new_page()
    page.goto((built_site / SEARCH).as_uri())
    expect(page.locator("#search-unavailable")).to_be_visible()
    expect(page.locator("#search")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_search_page_with_results(browser, site_url, scheme):
    need(AXE.exists(), "node_modules/axe-core missing: run scripts/test (npm ci)")
    page = browser.new_context(color_scheme=scheme, bypass_csp=True).new_page()  # axe is injected as a script
    page.goto(site_url + SEARCH + "?q=huawei")
    expect(page.locator("#search-results > li")).to_have_count(10, timeout=20_000)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))
             .violations.map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
    )
    assert violations == []


# -- shards: a language's index in parts, merged in the browser ---------------------------------------------


@pytest.fixture(scope="module")
def one_article_a_shard(real_site, tmp_path_factory):
    """The real site with every article in a search shard of its own: its files, and it served."""
    import functools
    import http.server
    import threading

    from conftest import _SiteHandler

    from factsite.write import write_site

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_ARTICLES", 1)
        files = build_site(ROOT)
    out = tmp_path_factory.mktemp("sharded") / "site"
    write_site(files, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield files, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def entry_folders(files: dict[str, bytes]) -> list[str]:
    return sorted(path.removesuffix("pagefind-entry.json") for path in files if path.endswith("pagefind-entry.json"))


def test_each_shard_is_an_index_and_only_each_languages_first_has_the_code(real_site, one_article_a_shard):
    files, _ = one_article_a_shard
    langs = [a.lang for a in real_site.articles.values()]
    assert sorted(langs) == ["es", "it", "it", "it", "it"]
    # English: one shard an article (each has published claims; the events and sources are in the first);
    # Italian: the first Italian article's shard is pagefind/it/, the others shard-<its position>.
    first_it = langs.index("it")
    italian = ["pagefind/it/", *(f"pagefind/it/shard-{n}/" for n, lang in enumerate(langs) if lang == "it" and n != first_it)]
    assert entry_folders(files) == sorted(["pagefind/", "pagefind/es/", *(f"pagefind/shard-{n}/" for n in range(1, 5)), *italian])
    page = files[SEARCH].decode()
    [listed] = re.findall(r'data-bundles="([^"]*)"', page)
    bundles = dict(pair.split("=") for pair in listed.split())
    assert sorted(f for folders in bundles.values() for f in folders.split(",")) == entry_folders(files)
    assert bundles["en"].split(",")[0] == "pagefind/" and bundles["it"].split(",")[0] == "pagefind/it/"
    code = {"pagefind.js", "pagefind-worker.js"}
    for folder in entry_folders(files):
        inside = {p.removeprefix(folder) for p in files if p.startswith(folder) and "/" not in p.removeprefix(folder)}
        first = folder in ("pagefind/", "pagefind/it/", "pagefind/es/")
        has_code = code <= inside and any(p.startswith("wasm.") for p in inside)
        assert has_code if first else not (inside & code) and not any(p.startswith("wasm.") for p in inside), folder


def test_the_shards_hold_every_record_once(real_site, real_records, one_article_a_shard):
    files, _ = one_article_a_shard
    found = [r["url"] for folder in entry_folders(files) for r in bundle_records(files, folder)]
    assert sorted(found) == sorted(r.url for r in real_records)


def test_an_edit_re_indexes_the_one_shard_it_is_in(real_site, monkeypatch):
    import dataclasses

    from factsite.cache import Memo

    monkeypatch.setattr(search_index, "SHARD_ARTICLES", 2)
    made = []
    real_bundle = search_index._bundle
    monkeypatch.setattr(
        search_index, "_bundle", lambda lang, found, **kw: made.append((lang, found[0].url)) or real_bundle(lang, found, **kw)
    )
    memo = Memo()
    before = search_index.build(real_site, memo)
    slugs = list(real_site.articles)
    assert len(made) == len(entry_folders(before)) > 3
    made.clear()
    last = slugs[-1]  # with two articles a shard, the fifth article's shard is the third: shard-2/
    claims = real_site.claims[last]
    n = next(i for i, c in enumerate(claims) if c.id in real_site.anchors)
    edited = dataclasses.replace(claims[n], explanation=claims[n].explanation + " Selenologists agree.")
    edited_site = dataclasses.replace(real_site, claims={**real_site.claims, last: (*claims[:n], edited, *claims[n + 1 :])})
    after = search_index.build(edited_site, memo)
    first_in_shard = next(r.url for r in search_index.records(real_site) if r.lang == "en" and r.shard == 2)
    assert made == [("en", first_in_shard)]  # that shard alone was indexed again
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed and all(p.startswith("pagefind/shard-2/") for p in changed)
    assert any("Selenologists" in r["content"] for r in bundle_records(after, "pagefind/shard-2/"))


@pytest.mark.browser
def test_a_search_over_shards_finds_what_one_index_finds(browser, one_article_a_shard, real_records):
    _, url = one_article_a_shard
    page = open_search(browser, url)
    [hit] = search(page, "campanello", "1 result for “campanello”.")
    assert (hit["href"], hit["lang"]) == (url + IHAL, "it")
    results = search(page, "ritardi", "3 results for “ritardi”.")  # in three Italian shards
    assert len({r["href"] for r in results}) == 3
    [hit] = search(page, "embellished", "1 result for “embellished”.")
    assert hit["href"] == url + "claims/c000-09.html"
    n = sum(any(w.startswith("huaw") for w in words(r.content + " " + " ".join(r.meta().values()))) for r in real_records)
    search(page, "huaw", f"No result has the word “huaw”; {n} results match it in part, 10 shown.")
    # One worker (and one WebAssembly module) a language, whatever its shards.
    assert sorted(page.workers_started) == [
        "pagefind/es/pagefind-worker.js",
        "pagefind/it/pagefind-worker.js",
        "pagefind/pagefind-worker.js",
    ]
    assert page.problems == []
