"""The reader's pages in a real headless Chromium (Debian's), with axe-core and the Nu Html Checker.

The real site is built once into a temporary folder and served on 127.0.0.1
(see conftest.py). Screenshots of every page at desk and phone sizes go to
artifacts/screenshots/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, need
from playwright.sync_api import Page, expect

sys.path.insert(0, str(ROOT / "tools"))
import linkcheck  # noqa: E402

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOTS = ROOT / "artifacts" / "screenshots"  # not test-results/: pytest-playwright empties that at every run
ARTICLE = "articles/tecnoandroid-r2-ritardo.html"
SIZES = {"desk": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


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
    """A function: ``open_page(path, **context options)`` → a Playwright page that records console errors."""
    contexts = []

    def open_(path: str, **options) -> Page:
        context = browser.new_context(**{"viewport": SIZES["desk"], **options})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(site_url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def test_every_page_at_desk_and_phone_size(open_page, site_pages):
    """Screenshots for people; no horizontal scrolling, no console errors, nothing fetched from elsewhere."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        for path in site_pages:
            page = open_page(path, viewport=viewport)
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.reload()
            name = path.replace("/", "_").removesuffix(".html")
            page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} at {size}: {overflow}px of horizontal scrolling"
            assert page.errors == [], f"{path}: {page.errors}"
            assert [u for u in requests if not u.startswith(page.url.split(path)[0])] == [], path


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page(open_page, site_pages, scheme):
    found = {}
    for path in site_pages:
        page = open_page(path, color_scheme=scheme, bypass_csp=True)  # axe is injected as a script
        found[path] = axe_violations(page)
    assert {p: v for p, v in found.items() if v} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_a_claim_card_open(open_page, scheme):
    page = open_page(ARTICLE, color_scheme=scheme, bypass_csp=True)
    page.locator("a.claim-ref").nth(1).click()
    expect(page.locator(".claim-popover")).to_be_visible()
    page.locator(".claim-popover details, .timeline-aside details").first.evaluate("d => d.open = true")
    assert axe_violations(page) == []


def test_html_is_valid_by_the_nu_checker(built_site):
    need(shutil.which("java") is not None and VNU.exists(), "java or node_modules/vnu-jar missing: run scripts/test")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", "--skip-non-html", str(built_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stdout)["messages"]
    assert messages == [], "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages)


def test_keyboard_only_reader_opens_a_card_reaches_a_source_and_closes_it(open_page):
    page = open_page(ARTICLE)
    first_ref = page.locator("a.claim-ref").first
    for _ in range(60):  # Tab from the top of the page until the first claim has focus
        page.keyboard.press("Tab")
        if first_ref.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the first claim could not be reached with Tab")
    expect(first_ref).to_have_css("outline-style", "solid")  # focus is visible
    page.keyboard.press("Enter")
    card = page.locator(".claim-popover")
    expect(card).to_be_visible()
    expect(card.locator("h3")).to_be_focused()
    expect(first_ref).to_have_attribute("aria-expanded", "true")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.claim-popover .source-list') !== null"):
            break
    else:
        pytest.fail("no source link reachable with Tab inside the open card")
    href = page.evaluate("document.activeElement.href")
    assert href.startswith("http"), href
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(first_ref).to_be_focused()
    expect(first_ref).to_have_attribute("aria-expanded", "false")


def test_without_javascript_every_claim_card_is_reachable_and_readable(browser, site_url, site_pages):
    # Reduced motion: jumps are instant (smooth scrolling would make this test wait on every claim).
    context = browser.new_context(java_script_enabled=False, viewport=SIZES["phone"], reduced_motion="reduce")
    page = context.new_page()
    for path in [p for p in site_pages if p.startswith("articles/")]:
        page.goto(site_url + path)
        refs = page.locator("a.claim-ref")
        assert refs.count() >= 2, path
        for i in range(refs.count()):
            ref = refs.nth(i)
            target = ref.get_attribute("href")
            ref.click()
            card = page.locator(target)
            assert page.url.endswith(target)
            expect(card).to_be_in_viewport()
            expect(card.locator(".explanation")).not_to_be_empty()
            assert card.locator(".source-list a").first.get_attribute("href").startswith("http")
    context.close()


def test_claim_and_its_events_are_paired_on_hover(open_page):
    page = open_page(ARTICLE)
    mark = page.locator("mark.claim").nth(1)
    claim_id = mark.get_attribute("id").removeprefix("quote-")
    events = page.locator(f"#claim-{claim_id}").get_attribute("data-events").split()
    assert events, "this claim should refer to timeline events"
    mark.hover()
    for event in events:
        expect(page.locator(f".timeline-aside #event-{event}")).to_have_class(re.compile(r"\bpaired\b"))
    page.mouse.move(0, 0)
    expect(page.locator(".paired")).to_have_count(0)


def test_reduced_motion_is_respected(open_page):
    smooth = open_page(ARTICLE, reduced_motion="no-preference")
    still = open_page(ARTICLE, reduced_motion="reduce")
    scroll = "getComputedStyle(document.documentElement).scrollBehavior"
    assert (smooth.evaluate(scroll), still.evaluate(scroll)) == ("smooth", "auto")


def test_article_page_structure(open_page):
    page = open_page(ARTICLE)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".article-body")).to_have_attribute("lang", "it")
    expect(page.locator("h1")).to_have_attribute("lang", "it")
    assert page.locator(".article-body a.claim-ref[lang=en]").count() == page.locator("mark.claim").count()
    # Wide screen: the article and the timeline stand side by side.
    text, aside = page.locator(".article-main").bounding_box(), page.locator(".timeline-aside").bounding_box()
    assert aside["x"] >= text["x"] + text["width"] and abs(aside["y"] - text["y"]) < 5
    # The article's own date is placed on its timeline, with later events marked as later.
    marker = page.locator(".timeline-aside .published-marker")
    expect(marker).to_contain_text("This article was published here (22 August 2025)")
    later = page.locator(".timeline-aside .event.after")
    assert later.count() > 0
    expect(later.first.locator(".later")).to_have_text("After publication")


def test_phone_layout_stacks_article_then_timeline(open_page):
    page = open_page(ARTICLE, viewport=SIZES["phone"])
    text, aside = page.locator(".article-main").bounding_box(), page.locator(".timeline-aside").bounding_box()
    assert aside["y"] > text["y"] + text["height"] - 1


def test_print_turns_highlights_into_underlines_and_prints_link_addresses(open_page):
    page = open_page(ARTICLE)
    page.emulate_media(media="print")
    mark = page.locator("mark.claim").first
    assert mark.evaluate("m => getComputedStyle(m).textDecorationLine") == "underline"
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") in ("rgba(0, 0, 0, 0)", "transparent")
    ref = page.locator(".article-body a.claim-ref").first
    assert ref.locator(".claim-verdict").evaluate("e => getComputedStyle(e).display") == "none"
    after = page.locator(".source-list a[href^=http]").first.evaluate("a => getComputedStyle(a, '::after').content")
    assert after.startswith('" <http'), after


def test_content_security_policy_blocks_nothing_the_site_needs(open_page):
    page = open_page(ARTICLE)  # CSP enforced (no bypass): the site's own script must still run
    page.locator("a.claim-ref").first.click()
    expect(page.locator(".claim-popover")).to_be_visible()
    assert page.errors == []


def test_every_internal_link_and_fragment_resolves(built_site):
    assert linkcheck.check(built_site) == []
