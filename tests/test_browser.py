"""The reader's pages in a real headless Chromium (Debian's), with axe-core and the Nu Html Checker.

The real site is built once into a temporary folder and served on 127.0.0.1
(see conftest.py). Screenshots at desk and phone sizes go to artifacts/screenshots/
(ignored by git) for people to look at, and the measured heights, print pages and
timeline hits to artifacts/browser-measurements.json.

Screenshots and axe cover every page except the claim pages, plus one claim page
per verdict tier (there is one claim page per claim, and they share one template);
the Nu checker and the link check cover the whole site.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import ROOT, need
from playwright.sync_api import Page, expect

sys.path.insert(0, str(ROOT / "tools"))
import linkcheck  # noqa: E402

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"  # not test-results/: pytest-playwright empties that at every run
MEASURED = ARTIFACTS / "browser-measurements.json"
ARTICLE = "articles/tecnoandroid-r2-ritardo.html"
CRIPTOSPIA = "articles/criptospia-r2-posticipato.html"
PUNTO = "articles/puntoinformatico-r1-gpu-nvidia.html"
DESK, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
SIZES = {"desk": DESK, "phone": PHONE}
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIERS = ("sound", "caution", "problem")
TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")
# Every claim passage on an article page: the headline's (if it is a claim) and the text's.
MARKS = ".article-header mark.claim, .article-body mark.claim"


# -- what the built pages hold, read from the files -----------------------------------------------------

MARK_RE = re.compile(r'<mark class="claim" id="quote-([^"]+)"[^>]*>(.*?)</mark>', re.S)


def _html(built_site, path: str) -> str:
    return (built_site / path).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def articles(site_pages) -> list[str]:
    found = [p for p in site_pages if p.startswith("articles/")]
    assert len(found) == 5, found
    return found


@pytest.fixture(scope="session")
def claim_pages(site_pages) -> list[str]:
    return [p for p in site_pages if p.startswith("claims/")]


@pytest.fixture(scope="session")
def tier_of(built_site, claim_pages) -> dict[str, str]:
    """claim page → its verdict tier, as its page says."""
    tiers = {}
    for path in claim_pages:
        found = re.search(r'<article class="claim-page" data-verdict="[^"]+" data-tier="(\w+)"', _html(built_site, path))
        assert found, path
        tiers[path] = found.group(1)
    return tiers


@pytest.fixture(scope="session")
def claim_sample(tier_of) -> list[str]:
    """One claim page per verdict tier (the first of each in claim order)."""
    return [next(p for p, t in tier_of.items() if t == tier) for tier in TIERS]


@pytest.fixture(scope="session")
def sample_pages(site_pages, claim_pages, claim_sample) -> list[str]:
    """Every page that is not a claim, source or event page, the first three source and event pages (one
    template each: the Nu checker and the link test still read every page), and the sample of claim pages."""
    many = ("sources/", "events/")
    kept = [p for p in site_pages if p not in claim_pages and not (p.startswith(many) and "/page/" not in p)]
    return (
        kept
        + [p for prefix in many for p in [q for q in site_pages if q.startswith(prefix) and "/page/" not in q][:3]]
        + claim_sample
    )


@pytest.fixture(scope="session")
def measured():
    """Numbers for people, written to artifacts/ at the end of the session."""
    numbers: dict = {}
    yield numbers
    ARTIFACTS.mkdir(exist_ok=True)
    old = json.loads(MEASURED.read_text()) if MEASURED.exists() else {}
    MEASURED.write_text(json.dumps({**old, **numbers}, indent=1, ensure_ascii=False) + "\n")


def axe_violations(page: Page) -> list[str]:
    need(AXE.exists(), "node_modules/axe-core missing: run scripts/test (npm ci)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
             .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""",
        AXE_RULES,
    )


@pytest.fixture
def open_page(browser, site_url):
    """A function: ``open_page(path, **context options)`` → a Playwright page showing ``path``, with the console
    errors (``page.errors``) and the requests (``page.requests``) of that visit. One page per set of options is
    kept for the test and navigated again for each path (a new browser context for every visit is slow)."""
    pages: dict[str, Page] = {}

    def open_(path: str, **options) -> Page:
        key = json.dumps(options, sort_keys=True)
        if key not in pages:
            page = pages[key] = browser.new_context(**{"viewport": DESK, **options}).new_page()
            page.errors, page.requests = [], []
            page.on("console", lambda m, p=page: p.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, p=page: p.errors.append(str(e)))
            page.on("request", lambda r, p=page: p.requests.append(r.url))
        page = pages[key]
        page.errors.clear()
        page.requests.clear()
        page.goto(site_url + path)
        return page

    yield open_
    for page in pages.values():
        page.context.close()


def claims_with_events(page: Page) -> list[tuple[str, list[str]]]:
    """(claim id, its event ids) of every claim on an article page that cites timeline events, in page order."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].map(m => m.id.replace(/^quote-/, ''))
             .map(id => [id, (document.getElementById('claim-' + id).dataset.events || '').split(' ').filter(Boolean)])
             .filter(([, events]) => events.length)""",
        MARKS,
    )


def centre(page: Page, claim_id: str) -> float:
    """Scroll the claim's passage to the middle of the window at once; the window's scroll position then."""
    return page.evaluate(
        "id => { document.getElementById('quote-' + id).scrollIntoView({block: 'center', behavior: 'instant'}); return scrollY; }",
        claim_id,
    )


# -- every page: screenshots, overflow, errors, requests, accessibility, validity, links ----------------


def test_every_page_at_desk_and_phone_size(open_page, site_url, sample_pages):
    """Screenshots for people; no horizontal scrolling, no console errors, nothing fetched from elsewhere."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        for path in sample_pages:
            page = open_page(path, viewport=viewport)
            name = path.replace("/", "_").removesuffix(".html")
            page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} at {size}: {overflow}px of horizontal scrolling"
            assert page.errors == [], f"{path}: {page.errors}"
            assert [u for u in page.requests if not u.startswith(site_url)] == [], path
            assert site_url + path in page.requests, f"{path}: requests not recorded: {page.requests}"


def test_the_sample_is_every_page_but_the_claim_pages_and_one_claim_page_per_tier(site_pages, sample_pages, tier_of):
    many = [p for p in site_pages if p.startswith(("claims/", "sources/", "events/")) and "/page/" not in p]
    assert [p for p in sample_pages if p not in many] == [p for p in site_pages if p not in many]
    assert [p for p in sample_pages if p.startswith("sources/") and "/page/" not in p] == [
        p for p in site_pages if p.startswith("sources/") and "/page/" not in p
    ][:3]
    assert [tier_of[p] for p in sample_pages if p.startswith("claims/")] == list(TIERS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page(open_page, sample_pages, scheme):
    found = {}
    for path in sample_pages:
        page = open_page(path, color_scheme=scheme, bypass_csp=True)  # axe is injected as a script
        found[path] = axe_violations(page)
    assert {p: v for p, v in found.items() if v} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_a_note_open_and_the_timeline_details_open(open_page, scheme):
    phone = open_page(ARTICLE, viewport=PHONE, color_scheme=scheme, bypass_csp=True)
    ref = phone.locator(".article-body a.claim-ref").nth(1)
    ref.click()
    expect(phone.locator(ref.get_attribute("href"))).to_have_class(re.compile(r"\bopen\b"))
    assert axe_violations(phone) == []
    desk = open_page(ARTICLE, color_scheme=scheme, bypass_csp=True)
    desk.locator(".timeline-aside details").evaluate_all("ds => ds.forEach(d => d.open = true)")
    expect(desk.locator(".timeline-aside details[open]").first).to_be_visible()
    assert axe_violations(desk) == []


def test_html_is_valid_by_the_nu_checker(built_site, site_pages):
    need(shutil.which("java") is not None and VNU.exists(), "java or node_modules/vnu-jar missing: run scripts/test")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", "--skip-non-html", str(built_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stdout)["messages"]
    assert messages == [], "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages)
    assert len(site_pages) > 100  # the whole folder was there to check, claim pages included


def test_every_internal_link_and_fragment_resolves(built_site):
    assert linkcheck.check(built_site) == []


def test_content_security_policy_blocks_nothing_the_site_needs(open_page):
    # CSP enforced (no bypass): the site's own script must still run, on phones and wide screens.
    phone = open_page(ARTICLE, viewport=PHONE)
    ref = phone.locator(".article-body a.claim-ref").first
    ref.click()
    expect(phone.locator(ref.get_attribute("href"))).to_have_class(re.compile(r"\bopen\b"))
    desk = open_page(ARTICLE)
    claim_id, events = claims_with_events(desk)[-1]
    centre(desk, claim_id)
    expect(desk.locator(f".timeline-aside #event-{events[0]}")).to_have_class(re.compile(r"\bcurrent\b"))
    assert phone.errors == [] and desk.errors == []


def test_an_address_that_is_not_there_gets_the_404_page_with_its_styles_and_links(open_page, site_url):
    page = open_page("articles/no-such-article.html")
    expect(page.locator("body.page-notfound")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"  # styled
    assert [e for e in page.errors if "status of 404" not in e] == []  # the address itself is the one 404
    assert [u for u in page.requests if u.endswith((".css", ".js"))]  # fetched from the site's own path
    page.locator(".site-title a").click()
    expect(page.locator("body")).not_to_have_class("page-notfound")
    expect(page.locator(".article-list, main h1").first).to_be_visible()


def test_reduced_motion_is_respected(open_page):
    smooth = open_page(ARTICLE, reduced_motion="no-preference")
    still = open_page(ARTICLE, reduced_motion="reduce")
    scroll = "getComputedStyle(document.documentElement).scrollBehavior"
    assert (smooth.evaluate(scroll), still.evaluate(scroll)) == ("smooth", "auto")


# -- the article page ------------------------------------------------------------------------------------


def test_article_page_structure(open_page, articles):
    for path in articles:
        page = open_page(path)
        lang = page.locator(".article-body").get_attribute("lang")
        assert lang in ("it", "es"), path
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_attribute("lang", lang)
        marks = page.locator(MARKS)
        ids = [m.removeprefix("quote-") for m in marks.evaluate_all("ms => ms.map(m => m.id)")]
        assert len(ids) >= 2, path
        # After each passage: its label (English, linking to its note) and its note (English).
        after = marks.evaluate_all(
            "ms => ms.map(m => [m.nextElementSibling.className, m.nextElementSibling.getAttribute('href'),"
            " m.nextElementSibling.lang, document.getElementById(m.id.replace('quote-', 'claim-')).lang])"
        )
        assert after == [["claim-ref", f"#claim-{i}", "en", "en"] for i in ids], path
        assert page.locator("a.claim-ref").count() == page.locator(".note").count() == len(ids), path
        # The verdict box first, then the text; problem claims listed with a link to their passage.
        problems = page.locator(MARKS).evaluate_all("ms => ms.filter(m => m.dataset.tier === 'problem').map(m => '#' + m.id)")
        listed = page.locator(".verdict-box .problem-list li > a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert listed == problems, path
        assert page.locator(".problem-list .problem-reason").evaluate_all("ps => ps.every(p => p.textContent.trim())")
        # Wide screen: the article and the timeline stand side by side; the timeline column sticks and scrolls.
        text, aside = page.locator(".article-text").bounding_box(), page.locator(".timeline-aside").bounding_box()
        assert aside["x"] >= text["x"] + text["width"] and abs(aside["y"] - text["y"]) < 5, path
        expect(page.locator(".timeline-aside")).to_have_css("position", "sticky")
        scroller = page.locator(".timeline-aside .timeline-scroll")
        expect(scroller).to_have_attribute("tabindex", "0")
        expect(scroller).to_have_attribute("role", "region")
        expect(scroller).to_have_css("overflow-y", "auto")
        clipped = scroller.evaluate(
            """s => [...s.querySelectorAll('.timeline > li')].filter(li => li.getBoundingClientRect().left
                 + parseFloat(getComputedStyle(li, '::before').left) < s.getBoundingClientRect().left).map(li => li.id)"""
        )
        assert clipped == [], f"{path}: the column cuts off the dots of {clipped}"
        # The aside lists exactly the events this article's claims cite, in the timeline's order.
        cited = set(page.locator(".note").evaluate_all("ns => ns.flatMap(n => n.dataset.events.split(' ').filter(Boolean))"))
        shown = [
            e.removeprefix("event-") for e in page.locator(".timeline-aside li.event").evaluate_all("es => es.map(e => e.id)")
        ]
        assert sorted(shown) == sorted(cited) and len(shown) == len(cited), path
        expect(page.locator(".timeline-aside .published-marker")).to_have_count(1)
        # The notes float beside their passages, without their event links (the timeline shows them); too many
        # to stand side by side, they are shown when their claim is in the middle of the window or pointed at.
        first = page.locator(".article-body mark.claim").first.get_attribute("id").removeprefix("quote-")
        body_note = page.locator(f"#claim-{first}")
        expect(body_note).to_have_css("float", "right")
        page.locator(".article-body mark.claim").nth(1).hover()
        expect(body_note).to_be_hidden()
        page.locator(f"#quote-{first}").hover()
        expect(body_note).to_be_visible()
        expect(body_note.locator(".note-events")).to_be_hidden()
        note_box, body_box = body_note.bounding_box(), page.locator(".article-body p").first.bounding_box()
        mark_box, ref_box = (
            page.locator(f"#quote-{first}").bounding_box(),
            page.locator(f"a[href='#claim-{first}']").bounding_box(),
        )
        assert note_box["x"] >= body_box["x"] + body_box["width"], path
        assert mark_box["y"] - 5 <= note_box["y"] <= ref_box["y"] + ref_box["height"], path  # beside its passage and label


def test_phone_layout_stacks_article_then_timeline_and_hides_the_notes(open_page):
    page = open_page(ARTICLE, viewport=PHONE)
    text, aside = page.locator(".article-text").bounding_box(), page.locator(".timeline-aside").bounding_box()
    assert aside["y"] > text["y"] + text["height"] - 1
    expect(page.locator(".timeline-aside")).not_to_have_css("position", "sticky")
    expect(page.locator(".note:visible")).to_have_count(0)
    expect(page.locator("a.claim-ref").first).to_be_visible()


def _event_in_view(page: Page, events: list[str]) -> str | None:
    """The first of these events whose date and title are wholly on screen (in the window and its column)."""
    try:
        handle = page.wait_for_function(
            """ids => {
              const col = document.querySelector('.timeline-scroll').getBoundingClientRect();
              const top = Math.max(0, col.top), bottom = Math.min(innerHeight, col.bottom);
              return ids.find(id => {
                const e = document.querySelector('.timeline-aside #event-' + id);
                const r = e.querySelector('.event-title').getBoundingClientRect();
                const d = e.querySelector('.event-date').getBoundingClientRect();
                return d.top >= top && r.bottom <= bottom && r.width > 0;
              }) || null;
            }""",
            arg=events,
            timeout=3000,
        )
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: none in view
        return None
    return handle.json_value()


def test_at_desk_size_each_claim_has_its_note_and_an_event_in_view(open_page, articles, measured):
    """Passage in the middle of the window: its note beside it and one of its events in the timeline column."""
    hits, misses = {}, []
    for path in articles:
        page = open_page(path, reduced_motion="reduce")  # the column jumps instead of gliding
        claims = claims_with_events(page)
        assert claims, path
        hits[path] = 0
        for claim_id, events in claims:
            y = centre(page, claim_id)
            expect(page.locator(f"#claim-{claim_id}")).to_be_in_viewport(ratio=1)
            expect(page.locator(f"#quote-{claim_id}")).to_be_in_viewport()
            found = _event_in_view(page, events)
            if found is None:
                misses.append(f"{path}: claim {claim_id} (events {events}) has none of them in view")
                continue
            hits[path] += 1
            expect(page.locator(f".timeline-aside #event-{found} .event-title")).to_be_in_viewport(ratio=1)
            # The script scrolls the column, never the window (which moves only if the page got shorter under it at
            # its very end: a note beside the last passages can reach below the text).
            now, end = page.evaluate("[scrollY, document.documentElement.scrollHeight - innerHeight]")
            assert now == y or now == end < y, f"{path}: following claim {claim_id} scrolled the window from {y} to {now}"
            # The script marks the events of the claim nearest the middle as current, and only those, except in
            # the last half screen of the page, where the events of the claim nearest the lowered reading line are too.
            current = set(page.locator(".timeline-aside .event.current").evaluate_all("es => es.map(e => e.id)"))
            ours = {f"event-{e}" for e in events}
            assert ours <= current, f"{path}: claim {claim_id}: {ours - current} not current"
            if current != ours:
                rest = page.evaluate("document.documentElement.scrollHeight - innerHeight - scrollY")
                assert rest < DESK["height"] / 2, f"{path}: claim {claim_id}: {current - ours} current too, {rest}px from the end"
            # At most two notes beside the text at a time (they are too many to stand side by side).
            assert page.locator(".article-body .note:visible").count() <= 2, f"{path}: claim {claim_id}"
        hits[path] = f"{hits[path]} of {len(claims)}"
    measured["desk claims with an event in view"] = hits
    assert misses == []


def test_at_phone_size_each_claim_label_opens_its_note_in_place(open_page, articles):
    """Tap the label after a passage in the middle of the screen: the note opens there, events and all."""
    on_screen = """els => els.map(e => { const r = e.getBoundingClientRect();
                     return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; })"""
    for path in articles:
        page = open_page(path, viewport=PHONE, has_touch=True, is_mobile=True, reduced_motion="reduce")
        for claim_id, events in claims_with_events(page):
            y = centre(page, claim_id)
            ref, note = page.locator(f"a.claim-ref[href='#claim-{claim_id}']"), page.locator(f"#claim-{claim_id}")
            assert note.evaluate("n => getComputedStyle(n).display") == "none", f"{path}: claim {claim_id}"
            expect(ref).to_be_in_viewport(ratio=1)
            ref.tap()
            expect(note).to_have_class(re.compile(r"\bopen\b"))
            expect(note.locator("a.note-more")).to_be_in_viewport(ratio=1)
            links = note.locator(".note-events a")
            assert links.count() == len(events), f"{path}: claim {claim_id}"
            assert links.evaluate_all(on_screen) == [True] * len(events), (
                f"{path}: claim {claim_id}'s event links are not all on screen"
            )
            assert ref.get_attribute("aria-expanded") == "true"
            assert page.locator(f"#quote-{claim_id}").evaluate_all(on_screen) == [True], (
                f"{path}: claim {claim_id}'s passage left the screen"
            )
            assert abs(page.evaluate("scrollY") - y) < 1, f"{path}: opening claim {claim_id}'s note scrolled the page"
            ref.tap()  # a second tap closes it
            expect(note).to_be_hidden()
            assert ref.get_attribute("aria-expanded") == "false"
        assert page.errors == [], path


def test_the_first_screen_shows_what_the_article_got_wrong(open_page, articles, measured):
    numbers = {}
    for path in articles:
        desk, phone = open_page(path), open_page(path, viewport=PHONE)
        box = desk.locator(".verdict-box").bounding_box()
        numbers[path] = {"desk verdict box top": round(box["y"]), "desk verdict box bottom": round(box["y"] + box["height"])}
        if desk.locator(".problem-list li").count():
            bottom = desk.locator(".problem-list").evaluate("l => l.getBoundingClientRect().bottom")
            numbers[path]["desk problem list bottom"] = round(bottom)
            assert bottom <= DESK["height"], f"{path}: the problem list ends at {bottom}px at 1280×800"
        else:
            expect(desk.locator(".no-problems")).to_be_in_viewport(ratio=1)
        top = phone.locator(".verdict-box h2").evaluate("h => h.getBoundingClientRect().bottom")
        numbers[path]["phone verdict heading bottom"] = round(top)
        assert top <= PHONE["height"], f"{path}: the verdict box's heading ends at {top}px at 390×844"
    measured["first screen"] = numbers
    assert any("desk problem list bottom" in n for n in numbers.values())  # some article has problems


def test_article_pages_are_not_much_longer_than_their_text(open_page, articles, measured):
    numbers, too_long = {}, []
    for size, most in (("desk", 4), ("phone", 6)):
        for path in articles:
            page = open_page(path, viewport=SIZES[size])
            total, text = page.evaluate(
                "[document.documentElement.scrollHeight, document.querySelector('.article-body').getBoundingClientRect().height]"
            )
            numbers.setdefault(path, {})[size] = {"page": total, "text": round(text), "ratio": round(total / text, 2)}
            if total > most * text:
                too_long.append(f"{path} at {size}: {total}px page for {text:.0f}px of text (more than {most}×)")
    measured["heights"] = numbers
    assert too_long == []


def _printed_length(html: str) -> int:
    """About how much a page prints: the characters of its main text, and of the addresses printed after links."""
    main = re.sub(r"<script.*?</script>", "", html[html.index("<main") : html.index("</main>")], flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main))
    return len(text) + sum(len(url) for url in re.findall(r'href="(https?://[^"]+)"', main))


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_print_is_short_and_keeps_each_claims_number_and_verdict(
    open_page, built_site, articles, claim_pages, claim_sample, measured
):
    pages = {}
    longest = sorted(claim_pages, key=lambda p: _printed_length(_html(built_site, p)))[-2:]
    for path in articles:
        page = open_page(path)
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        pages[path] = _pdf_pages(pdf)
        page.emulate_media(media="print")
        refs = page.locator("a.claim-ref")
        shown = refs.evaluate_all(
            """rs => rs.map(r => {
              const v = r.querySelector('.claim-verdict'), n = r.querySelector('.claim-num');
              const note = document.getElementById(r.hash.slice(1));
              return [getComputedStyle(v).display !== 'none' && v.getBoundingClientRect().width > 0
                        && getComputedStyle(n).display !== 'none' && n.getBoundingClientRect().width > 0,
                      n.textContent + ' ' + v.textContent.trim(),
                      note.querySelector('.note-head .claim-num').textContent.replace('Claim ', '') + ' '
                        + note.querySelector('.note-head .badge').textContent.trim()];
            })"""
        )
        assert shown and all(visible for visible, _, _ in shown), path
        assert [label for _, label, _ in shown] == [expected for _, _, expected in shown], path
        assert re.fullmatch(r"\d+ [✓≈✗] \S.*", shown[0][1]), shown[0][1]
        page.emulate_media(media="null")  # no emulation: page.pdf() prints in print media again
    for path in dict.fromkeys([*claim_sample, *longest]):
        pages[path] = _pdf_pages(open_page(path).pdf(format="A4"))
    measured["print pages (A4)"] = pages
    assert all(n >= 1 for n in pages.values()), pages
    assert {p: n for p, n in pages.items() if n > (8 if p.startswith("articles/") else 2)} == {}


def test_print_turns_highlights_into_underlines_and_prints_link_addresses(open_page):
    page = open_page(ARTICLE)
    page.emulate_media(media="print")
    marks = page.locator(".article-body mark.claim").evaluate_all(
        "ms => ms.map(m => [getComputedStyle(m).textDecorationLine, getComputedStyle(m).backgroundColor])"
    )
    assert {line for line, _ in marks} == {"underline"} and {bg for _, bg in marks} <= set(TRANSPARENT)
    expect(page.locator(".note").first).to_be_hidden()
    after = page.locator(".source-list a[href^=http], .timeline-aside a[href^=http]").first
    content = after.evaluate("a => getComputedStyle(a, '::after').content")
    assert content.startswith('" <http'), content


def test_highlights_rank_by_tier(open_page, articles):
    seen = set()
    for path in articles:
        page = open_page(path)
        styles = page.locator(MARKS).evaluate_all(
            "ms => ms.map(m => [m.dataset.tier, getComputedStyle(m).backgroundColor, getComputedStyle(m).textDecorationStyle])"
        )
        for tier, background, style in styles:
            seen.add(tier)
            if tier == "problem":
                assert background not in TRANSPARENT and style == "solid", (path, tier, background, style)
            elif tier == "caution":
                assert background not in TRANSPARENT and style == "dashed", (path, tier, background, style)
            else:
                assert tier == "sound" and background in TRANSPARENT and style == "dotted", (path, tier, background, style)
    assert seen == set(TIERS)


def test_claim_and_its_events_are_paired_on_hover_and_focus(open_page):
    page = open_page(ARTICLE)
    claim_id, events = claims_with_events(page)[1]
    page.locator(f"#quote-{claim_id}").hover()
    for event in events:
        expect(page.locator(f".timeline-aside #event-{event}")).to_have_class(re.compile(r"\bpaired\b"))
    expect(page.locator(f"#quote-{claim_id}")).to_have_class(re.compile(r"\bpaired\b"))
    expect(page.locator(".timeline-aside .event.paired")).to_have_count(len(events))
    page.mouse.move(0, 0)
    expect(page.locator(".paired")).to_have_count(0)
    page.locator(f"a.claim-ref[href='#claim-{claim_id}']").focus()
    expect(page.locator(".timeline-aside .event.paired")).to_have_count(len(events))
    expect(page.locator(f".timeline-aside #event-{events[0]}")).to_have_class(re.compile(r"\bpaired\b"))


# -- the timeline beside the text: where the article's own date falls -------------------------------------


def _day_range(iso: str) -> tuple[date, date]:
    """The first and last day a ``<time datetime>`` value can mean: 2025, 2025-05 or 2025-05-06."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        return date(*parts), date(*parts)
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return first, (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _aside(page: Page) -> list[dict]:
    """The aside's items in order: the marker, and each event with its date range and its 'later' label."""
    items = page.locator(".timeline-aside .timeline > li").evaluate_all(
        """lis => lis.map(li => ({
             id: li.id, marker: li.classList.contains('published-marker'), text: li.textContent.trim().replace(/\\s+/g, ' '),
             when: li.querySelector('.event-date time') && li.querySelector('.event-date time').getAttribute('datetime'),
             label: li.querySelector('.later-label') ? li.querySelector('.later-label').textContent : null}))"""
    )
    for item in items:
        if item["when"]:
            item["first"], item["last"] = _day_range(item["when"])
    return items


def test_tecnoandroid_timeline_marks_its_publication_and_what_came_after(open_page):
    """Published 22 August 2025 (content/articles/tecnoandroid-r2-ritardo.md)."""
    page = open_page(ARTICLE)
    expect(page.locator(".timeline-aside .published-marker p")).to_have_text("This article was published here (22 August 2025).")
    items, published = _aside(page), date(2025, 8, 22)
    at = [i["marker"] for i in items].index(True)
    for n, item in enumerate(items):
        if item["marker"]:
            continue
        if item["first"] > published:
            assert (n > at, item["label"]) == (True, "After publication"), item
        elif item["last"] <= published:
            assert (n < at, item["label"]) == (True, None), item
        else:
            assert item["label"] != "After publication", item
    after = [i for i in items if i.get("label") == "After publication"]
    assert len(after) >= 1 and page.locator(".timeline-aside .event.after").count() == len(after)
    assert [i["id"] for i in items if not i["marker"] and i["first"] == date(2025, 8, 14)] == ["event-ev20"]  # the FT report


def test_criptospia_timeline_says_publication_may_come_later(open_page):
    """Date unknown, not before 14 August 2025 (content/articles/criptospia-r2-posticipato.md)."""
    page = open_page(CRIPTOSPIA)
    expect(page.locator(".timeline-aside .published-marker p")).to_have_text(
        "Published here or later: date unknown (not before 14 August 2025)."
    )
    expect(page.locator(".timeline-aside .published-marker strong")).to_have_text("Published here or later")
    items, since = _aside(page), date(2025, 8, 14)
    at = [i["marker"] for i in items].index(True)
    assert not any(i["label"] == "After publication" for i in items)
    expect(page.locator(".timeline-aside")).not_to_contain_text("After publication")
    for n, item in enumerate(items):
        if item["marker"]:
            continue
        if item["first"] > since:
            assert (n > at, item["label"]) == (True, "After 14 August 2025; possibly before publication"), item
        else:
            assert (n < at, item["label"]) == (True, None), item
    assert sum(1 for i in items if i["label"]) >= 1
    assert any(i.get("first") == since for i in items)  # the FT report of 14 August is cited, before the marker


def test_punto_informatico_timeline_keeps_earlier_events_before_publication(open_page):
    """Published in January 2025, not before 23 January (content/articles/puntoinformatico-r1-gpu-nvidia.md)."""
    page = open_page(PUNTO)
    expect(page.locator(".timeline-aside .published-marker p")).to_have_text(
        "This article was published here (January 2025, not before 23 January 2025)."
    )
    items, earliest, latest = _aside(page), date(2025, 1, 23), date(2025, 1, 31)
    at = [i["marker"] for i in items].index(True)
    before = [i for i in items if not i["marker"] and i["last"] < earliest]
    assert len(before) >= 2, items  # the R1 release of 20 January and what came before it
    for n, item in enumerate(items):
        if item["marker"]:
            continue
        if item["last"] < earliest:
            assert (n < at, item["label"]) == (True, None), item
        elif item["first"] > latest:
            assert (n > at, item["label"]) == (True, "After publication"), item
        else:  # within January from the 23rd: may have come before or after the article
            assert item["label"] != "After publication", item


# -- keyboard, and no JavaScript ---------------------------------------------------------------------------


def _tab_to(page: Page, locator, most: int = 80) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{locator} could not be reached with Tab")


def test_keyboard_only_reader_opens_a_note_reaches_the_full_check_and_closes_it(open_page):
    page = open_page(ARTICLE, viewport=PHONE)
    first_ref = page.locator("a.claim-ref").first
    note = page.locator(first_ref.get_attribute("href"))
    _tab_to(page, first_ref)
    expect(note).to_be_hidden()
    page.keyboard.press("Enter")
    expect(note).to_be_visible()
    expect(note).to_have_class(re.compile(r"\bopen\b"))
    expect(note).to_be_focused()
    expect(first_ref).to_have_attribute("aria-expanded", "true")
    expect(first_ref).to_have_attribute("aria-controls", note.get_attribute("id"))
    more = note.locator("a.note-more")
    _tab_to(page, more, most=10)
    expect(more).to_have_text(re.compile(r"^Full check"))
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(first_ref).to_be_focused()
    expect(first_ref).to_have_attribute("aria-expanded", "false")
    # Wide screen: the label's focus is visible.
    desk = open_page(ARTICLE)
    ref = desk.locator("a.claim-ref").first
    _tab_to(desk, ref)
    expect(ref).to_have_css("outline-style", "solid")
    expect(ref).to_have_css("outline-width", "3px")
    desk_note = desk.locator(ref.get_attribute("href"))
    expect(desk_note).to_be_visible()  # focusing the label shows its note beside the text
    desk.keyboard.press("Enter")
    expect(desk_note).to_be_focused()
    expect(desk_note).to_have_css("float", "right")


def test_without_javascript_every_claim_label_opens_its_note(browser, site_url, built_site, articles):
    # Reduced motion: jumps are instant (smooth scrolling would make this test wait on every claim).
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    for path in articles:
        page.goto(site_url + path)
        refs = page.locator("a.claim-ref")
        assert refs.count() >= 2, path
        expect(page.locator(".note:visible")).to_have_count(0)
        for i in range(refs.count()):
            ref = refs.nth(i)
            target = ref.get_attribute("href")
            assert target.startswith("#claim-"), target
            ref.click()
            note = page.locator(target)
            assert page.url.endswith(target)
            expect(note).to_be_in_viewport(ratio=1)
            more = note.locator("a.note-more").get_attribute("href")
            assert more == f"../claims/{target.removeprefix('#claim-')}.html", more
            assert (built_site / "articles" / more).resolve().is_file(), more
    context.close()
    # Wide screens hide the notes too (they are too many to stand side by side); the label shows its note beside.
    context = browser.new_context(java_script_enabled=False, viewport=DESK, reduced_motion="reduce")
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    expect(page.locator(".note:visible")).to_have_count(0)
    refs = page.locator(".article-body a.claim-ref")
    for i in range(refs.count()):
        refs.nth(i).click()
        note = page.locator(refs.nth(i).get_attribute("href"))
        expect(note).to_be_in_viewport(ratio=1)
        expect(note).to_have_css("float", "right")
        expect(page.locator(".note:visible")).to_have_count(1)
    context.close()


def test_without_javascript_a_claim_page_is_complete(browser, site_url, claim_sample):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    for path in claim_sample:
        claim_id = path.removeprefix("claims/").removesuffix(".html")
        page.goto(site_url + path)
        expect(page.locator("h1")).not_to_be_empty()
        expect(page.locator(".claim-page .verdict-box .badge")).to_be_visible()
        expect(page.locator(f"blockquote.in-context mark.claim#quote-{claim_id}")).to_be_visible()
        assert page.locator(".explanation").inner_text().strip(), path
        assert re.match(r"https?://", page.locator(".source-list a").first.get_attribute("href")), path
        back = page.locator(".back-link a")
        assert re.fullmatch(rf"\.\./articles/[a-z0-9-]+\.html#quote-{re.escape(claim_id)}", back.get_attribute("href"))
        back.click()
        expect(page).to_have_url(re.compile(rf"/articles/[a-z0-9-]+\.html#quote-{re.escape(claim_id)}$"))
        expect(page.locator(f"#quote-{claim_id}")).to_be_in_viewport()
    context.close()


# -- the claim pages -------------------------------------------------------------------------------------


def test_one_claim_page_per_published_claim_linked_both_ways(built_site, articles, claim_pages):
    marks, langs = {}, {}  # claim id → (article, passage); article → its language
    for path in articles:
        html = _html(built_site, path)
        langs[path] = re.search(r'<div class="article-body" lang="([a-z-]+)">', html).group(1)
        for claim_id, passage in MARK_RE.findall(html):
            assert claim_id not in marks, claim_id
            marks[claim_id] = (path, passage)
            note = re.search(
                rf'<span class="note" id="claim-{re.escape(claim_id)}".*?<a class="note-more" href="([^"]+)"', html, re.S
            )
            assert note and note.group(1) == f"../claims/{claim_id}.html", claim_id
    assert sorted(f"claims/{c}.html" for c in marks) == claim_pages
    assert len(claim_pages) >= 90
    for claim_id, (article, passage) in marks.items():
        html = _html(built_site, f"claims/{claim_id}.html")
        assert f'<a href="../{article}#quote-{claim_id}">Read it in the article</a>' in html, claim_id
        lang, quoted = re.search(r'<blockquote class="in-context" lang="([a-z-]+)">(.*?)</blockquote>', html, re.S).groups()
        assert MARK_RE.findall(quoted) == [(claim_id, passage)], claim_id
        assert lang == langs[article], claim_id
        assert re.search(r'<h1 id="claim-heading">[^<]+</h1>', html), claim_id
