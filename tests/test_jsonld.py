"""Each claim page carries one schema.org ClaimReview in JSON-LD, and it says what the page shows.

The JSON-LD is read back with extruct (what search engines' tooling does) and the page with html5lib (how
browsers parse it); what the page is checked against comes from the content files, read with PyYAML, not
through the generator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import extruct
import html5lib
import pytest
import yaml
from conftest import ROOT, edit

from factsite import build_site
from factsite.pages.jsonld import script_json

CLAIM_REVIEWED_MAX = 75
OPEN = '<script type="application/ld+json">'
HOSTILE = "</script><script>alert(1)</script> <!-- & > '\""


# -- reading the content files and the pages ---------------------------------------------


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def iso(value) -> str | None:
    """A front-matter date as PartialDate.iso() writes it (PyYAML reads full days as dates)."""
    text = str(value)
    return None if text == "unknown" else text.removeprefix("~")


@pytest.fixture(scope="module")
def content():
    site = yaml.safe_load((ROOT / "content/site.yaml").read_text(encoding="utf-8"))
    verdicts = yaml.safe_load((ROOT / "content/verdicts.yaml").read_text(encoding="utf-8"))["verdicts"]
    articles, claims, reviews = {}, {}, {}
    for path in sorted((ROOT / "content/articles").glob("*.md")):
        articles[path.stem] = front_matter(path)
        doc = yaml.safe_load((ROOT / f"content/annotations/{path.stem}.yaml").read_text(encoding="utf-8"))
        review = doc.get("review")
        # PyYAML reads YAML 1.1, where the key `on` is the boolean true.
        reviews[path.stem] = review and {"by": review["by"], "on": review.get("on", review.get(True))}
        for claim in doc.get("claims") or ():
            claims[claim["id"]] = {**claim, "article": path.stem}
    return {"site": site, "verdicts": verdicts, "articles": articles, "claims": claims, "reviews": reviews}


def parse(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


def by_class(tree, cls: str, tag: str = "*") -> list:
    return [e for e in tree.iter(tag) if cls in (e.get("class") or "").split()]


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def own_text(element) -> str:
    """The element's text without its child elements' (a badge's label without its sign and qualifier)."""
    return " ".join(((element.text or "") + "".join(child.tail or "" for child in element)).split())


def shown(html: str) -> dict:
    """What a claim page shows a reader, read with html5lib."""
    tree = parse(html)
    box = by_class(tree, "verdict-box")
    assert len(box) == 1
    (badge,) = by_class(box[0], "badge", "span")
    (kicker,) = by_class(tree, "kicker", "p")
    (back,) = by_class(tree, "back-link", "p")
    link = back.find("a")
    time = back.find("time")
    (canonical,) = [e.get("href") for e in tree.iter("link") if e.get("rel") == "canonical"]
    return {
        "h1": text(tree.find(".//h1")),
        "label": own_text(badge),
        "meaning_label": text(by_class(box[0], "verdict-meaning")[0].find("span")),
        "number": int(re.match(r"Fact check · claim (\d+) in ", text(kicker)).group(1)),
        "outlet": re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)$", text(kicker)).group(1),
        "article": re.fullmatch(r"\.\./articles/([a-z0-9.-]+)\.html#quote-[a-z0-9.-]+", link.get("href")).group(1),
        "published": time.get("datetime") if time is not None else None,
        "canonical": canonical,
        "scripts": [(e.get("type"), e.get("src"), e.text or "") for e in tree.iter("script")],
    }


def jsonld(html: str, url: str) -> list[dict]:
    return extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]


def raw_script(html: str) -> str:
    """The raw text between the JSON-LD element's start tag and the first ``</script>`` after it."""
    start = html.index(OPEN) + len(OPEN)
    return html[start : html.index("</script>", start)]


# -- the real site -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def claim_pages(built_site) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((built_site / "claims").glob("*.html"))}


def test_every_claim_page_has_one_claimreview_that_says_what_the_page_shows(claim_pages, content):
    base = content["site"]["base_url"]
    ratings = [v["rating"] for v in content["verdicts"]]
    by_label = {v["label"]: v for v in content["verdicts"]}
    published = {cid for cid, c in content["claims"].items() if not c.get("draft")}
    assert set(claim_pages) == published
    for cid, html in claim_pages.items():
        page, claim = shown(html), content["claims"][cid]
        article, review = content["articles"][claim["article"]], content["reviews"][claim["article"]]
        items = jsonld(html, page["canonical"])
        assert [i["@type"] for i in items] == ["ClaimReview"], cid
        assert [t for t, _, _ in page["scripts"]].count("application/ld+json") == 1, cid
        (data,) = items
        assert data["@context"] == "https://schema.org"
        assert data["url"] == page["canonical"] == f"{base}claims/{cid}.html", cid
        assert data["url"].startswith(base) and base.startswith("https://")

        # The claim: the h1 is the paraphrase; claimReviewed is its short form when it has one.
        assert page["h1"] == claim["claim"], cid
        assert data["claimReviewed"] == (claim.get("short") or page["h1"]), cid

        # The verdict, as the verdict box shows it, and its place on the scale.
        rating = data["reviewRating"]
        assert rating["alternateName"] == page["label"] == page["meaning_label"], cid
        assert rating == {
            "@type": "Rating",
            "ratingValue": by_label[page["label"]]["rating"],
            "bestRating": max(ratings),
            "worstRating": min(ratings),
            "alternateName": page["label"],
        }, cid
        assert by_label[page["label"]]["id"] == claim["verdict"], cid

        # Who checked it and when (never the clock).
        publisher = content["site"]["publisher"]
        assert data["author"] == {
            "@type": "Organization",
            "name": publisher["name"],
            **({"url": publisher["url"]} if "url" in publisher else {}),
        }
        assert data["datePublished"] == str(review["on"]), cid
        history = claim.get("history") or []
        assert data["dateModified"] == str(history[-1]["date"] if history else review["on"]), cid

        # The article the claim appeared in: the back link's article, the outlet the kicker names.
        assert page["article"] == claim["article"], cid
        item = data["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"] == {"@type": "Organization", "name": page["outlet"]}, cid
        assert page["outlet"] == article["outlet"], cid
        assert item.get("datePublished") == iso(article["published"]) == page["published"], cid
        appearance = {"@type": "CreativeWork", "url": article["url"], "name": article["title"]}
        assert item["appearance"] == item["firstAppearance"] == appearance, cid


def test_claim_reviewed_is_at_most_75_characters_on_every_claim_page(claim_pages):
    """Google's guidance for ClaimReview; a paraphrase longer than that needs ``short:`` in its annotation."""
    too_long = {}
    for cid, html in claim_pages.items():
        (data,) = jsonld(html, "https://example.org/")
        if len(data["claimReviewed"]) > CLAIM_REVIEWED_MAX:
            too_long[cid] = len(data["claimReviewed"])
    assert not too_long, f"{len(too_long)} claims need 'short:' (id: characters): {too_long}"


def test_the_json_ld_element_is_exactly_what_extruct_reads(claim_pages):
    for cid, html in claim_pages.items():
        raw = raw_script(html)
        assert "<" not in raw and ">" not in raw, cid
        assert json.loads(raw) == jsonld(html, "https://example.org/")[0], cid


# -- the sample project: hostile text, corrections, unknowns ---------------------------------

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"


def _page(project, changes: dict, claim_id: str = "c-cheese") -> str:
    return build_site(project(changes))[f"claims/{claim_id}.html"].decode("utf-8")


def test_hostile_paraphrase_and_outlet_cannot_leave_the_script_element(project):
    paraphrase = f"The Moon {HOSTILE} is cheese."
    outlet = f"Outlet {HOSTILE}"
    changes = edit(A, "    claim: The Moon is made of Swiss cheese.\n", f"    claim: {json.dumps(paraphrase)}\n")
    changes.update(edit(ART, "outlet: Test Outlet\n", f"outlet: {json.dumps(outlet)}\n"))
    html = _page(project, changes)

    raw = raw_script(html)
    data = json.loads(raw)
    assert data["claimReviewed"] == paraphrase
    assert data["itemReviewed"]["author"]["name"] == outlet
    assert "<" not in raw and ">" not in raw and "&" not in raw
    # A browser's parser ends the element where we do, and the hostile text made no element of its own.
    page = shown(html)
    ld = [(src, body) for kind, src, body in page["scripts"] if kind == "application/ld+json"]
    assert ld == [(None, raw)]
    assert all(src and not body for kind, src, body in page["scripts"] if kind != "application/ld+json")
    assert page["h1"] == paraphrase and page["outlet"] == outlet
    assert jsonld(html, page["canonical"]) == [data]


def test_the_encoder_escapes_what_could_end_a_script_element_and_keeps_the_values():
    value = {"a": "</script><!--<script>&\u2028\u2029é", "b": [1, "x"]}
    out = str(script_json(value))
    assert not re.search("[<>&\u2028\u2029]", out)
    assert "é" in out  # UTF-8, not \u escapes, for everything else
    assert json.loads(out) == value
    assert out == '{"a":"\\u003c/script\\u003e\\u003c!--\\u003cscript\\u003e\\u0026\\u2028\\u2029é","b":[1,"x"]}'


def test_a_correction_date_becomes_date_modified(project):
    changes = edit(
        A,
        "    fact: moon-made-of\n",
        "    fact: moon-made-of\n    history:\n      - kind: update\n        date: 2026-11-28\n"
        "        note: Added a source.\n      - kind: correction\n        date: 2026-12-01\n"
        "        note: We had the wrong verdict.\n        previous_verdict: misleading\n",
    )
    pages = build_site(project(changes))
    cheese = jsonld(pages["claims/c-cheese.html"].decode(), "https://example.org/test/")[0]
    cost = jsonld(pages["claims/c-cost.html"].decode(), "https://example.org/test/")[0]
    assert (cheese["datePublished"], cheese["dateModified"]) == ("2026-11-23", "2026-12-01")
    assert (cost["datePublished"], cost["dateModified"]) == ("2026-11-23", "2026-11-23")


def test_the_sample_claimreview_in_full(project):
    """Every field, exactly: the short form as claimReviewed, the publisher's site, the article's day."""
    changes = edit(
        A,
        "    claim: The Moon is made of Swiss cheese.\n",
        "    claim: The Moon is made of Swiss cheese.\n    short: Moon is cheese.\n",
    )
    changes.update(edit("content/site.yaml", "  name: Test desk\n", "  name: Test desk\n  url: https://desk.example/\n"))
    html = _page(project, changes)
    assert shown(html)["h1"] == "The Moon is made of Swiss cheese."
    assert jsonld(html, "https://example.org/test/claims/c-cheese.html") == [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://example.org/test/claims/c-cheese.html",
            "claimReviewed": "Moon is cheese.",
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": 1,
                "bestRating": 3,
                "worstRating": 1,
                "alternateName": "Inaccurate",
            },
            "author": {"@type": "Organization", "name": "Test desk", "url": "https://desk.example/"},
            "datePublished": "2026-11-23",
            "dateModified": "2026-11-23",
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Organization", "name": "Test Outlet"},
                "datePublished": "2025-08-14",
                "appearance": {
                    "@type": "CreativeWork",
                    "url": "https://outlet.example/moon",
                    "name": "La Luna è fatta di formaggio",
                },
                "firstAppearance": {
                    "@type": "CreativeWork",
                    "url": "https://outlet.example/moon",
                    "name": "La Luna è fatta di formaggio",
                },
            },
        }
    ]


@pytest.mark.parametrize(("published", "expected"), [('"2025"', "2025"), ("2025-01", "2025-01"), ("~2025-03", "2025-03")])
def test_the_article_date_keeps_its_precision(project, published, expected):
    html = _page(project, edit(ART, "published: 2025-08-14\n", f"published: {published}\n"))
    assert jsonld(html, "https://example.org/")[0]["itemReviewed"]["datePublished"] == expected


def test_unknown_date_and_address_are_left_out(project):
    changes = edit(ART, "published: 2025-08-14\n", "published: unknown\n")
    changes[ART] = changes[ART].replace("url: https://outlet.example/moon\n", "url: unknown\n")
    item = jsonld(_page(project, changes), "https://example.org/")[0]["itemReviewed"]
    assert item == {"@type": "Claim", "author": {"@type": "Organization", "name": "Test Outlet"}}
