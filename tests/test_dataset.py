"""The open dataset: a Frictionless Data Package of every published claim (CSV and JSON) and a schema.org
DataFeed of their ClaimReviews, read back with frictionless, the csv module, json and extruct."""

from __future__ import annotations

import csv
import html as html_module
import importlib.util
import io
import json
import re

import extruct
import frictionless
import pytest
from conftest import edit, need

from factsite import build_site
from factsite.write import write_site

LISTS = ("sources", "events")
A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def page_jsonld(html: str) -> dict:
    (data,) = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    return data


def validate(package_path) -> frictionless.Report:
    need(
        importlib.util.find_spec("ijson") is not None,
        "frictionless reads JSON tables with ijson: pip install 'frictionless[json]'",
    )
    return frictionless.validate(str(package_path))


def assert_valid(report: frictionless.Report) -> None:
    assert report.valid, report.flatten(["title", "type", "fieldName", "rowNumber", "note"])


def as_csv(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


# -- the real site -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(built_site):
    d = built_site / "data"
    return {
        "csv": (d / "claims.csv").read_bytes(),
        "json": json.loads((d / "claims.json").read_bytes()),
        "package": json.loads((d / "datapackage.json").read_bytes()),
        "feed": json.loads((d / "claimreview-feed.json").read_bytes()),
        "pages": {p.stem: p.read_text(encoding="utf-8") for p in sorted((built_site / "claims").glob("*.html"))},
    }


def test_the_data_package_is_valid(built_site, data):
    report = validate(built_site / "data/datapackage.json")
    assert_valid(report)
    assert [(t.name, t.stats["rows"], t.stats["fields"]) for t in report.tasks] == [
        ("claims", len(data["pages"]), 20),
        ("claims-json", len(data["pages"]), 20),
    ]


def test_the_package_describes_both_files_and_declares_no_licence(data):
    package = data["package"]
    assert package["name"] == "r2-delay-fact-check-claims"
    assert package["homepage"] == "https://example.org/r2-fact-check/"
    # content/site.yaml and content/pages/about.md declare no licence, so the package claims none.
    assert "licenses" not in package
    assert [(r["name"], r["path"], r["format"], r["mediatype"], r["encoding"]) for r in package["resources"]] == [
        ("claims", "claims.csv", "csv", "text/csv", "utf-8"),
        ("claims-json", "claims.json", "json", "application/json", "utf-8"),
    ]
    csv_fields, json_fields = ([(f["name"], f["type"]) for f in r["schema"]["fields"]] for r in package["resources"])
    assert [n for n, _ in csv_fields] == [n for n, _ in json_fields] == next(csv.reader(io.StringIO(data["csv"].decode())))
    assert {n: t for n, t in csv_fields if n in LISTS} == {"sources": "string", "events": "string"}
    assert {n: t for n, t in json_fields if n in LISTS} == {"sources": "array", "events": "array"}
    assert all(f["description"] for r in package["resources"] for f in r["schema"]["fields"])
    assert {s["path"] for s in package["sources"]} >= {"https://example.org/r2-fact-check/"}


def test_the_csv_is_rfc4180_and_equals_the_json(data):
    raw = data["csv"]
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    rows, objects = read_csv(raw), data["json"]
    assert raw.count(b"\r\n") == len(rows) + 1  # CRLF after the header and every record (no field has a CR)
    assert len(rows) == len(objects) == len(data["pages"])
    for row, obj in zip(rows, objects, strict=True):
        assert list(row) == list(obj)
        assert row == {k: as_csv(v) for k, v in obj.items()}, obj["id"]
        assert all(isinstance(obj[k], list) for k in LISTS)
        assert isinstance(obj["rating_value"], int)


def test_rows_follow_article_then_claim_number_and_agree_with_each_page(data):
    order = []
    for obj in data["json"]:
        html = data["pages"][obj["id"]]
        review = page_jsonld(html)
        number = int(re.search(r"Fact check · claim (\d+) in ", html).group(1))
        order.append((obj["article"], number))
        item = review["itemReviewed"]
        assert (obj["claim_reviewed"], obj["verdict_label"], obj["rating_value"]) == (
            review["claimReviewed"],
            review["reviewRating"]["alternateName"],
            review["reviewRating"]["ratingValue"],
        ), obj["id"]
        assert (obj["reviewed"], obj["modified"], obj["permalink"]) == (
            review["datePublished"],
            review["dateModified"],
            review["url"],
        ), obj["id"]
        assert (obj["outlet"], obj["article_published"], obj["original_url"]) == (
            item["author"]["name"],
            item.get("datePublished", ""),
            item["appearance"]["url"],
        ), obj["id"]
        assert f'<link rel="canonical" href="{obj["permalink"]}">' in html
        assert html_module.unescape(re.search(r'<h1 id="claim-heading">(.*?)</h1>', html).group(1)) == obj["paraphrase"]
    assert order == sorted(order)


def test_the_feed_has_every_claim_page_s_claimreview(data):
    text = json.dumps(data["feed"])
    feed = json.loads(text)
    assert (feed["@context"], feed["@type"]) == ("https://schema.org", "DataFeed")
    assert feed["url"] == "https://example.org/r2-fact-check/data/claimreview-feed.json"
    elements = feed["dataFeedElement"]
    assert len(elements) == len(data["pages"])
    pages = {page_jsonld(html)["url"]: page_jsonld(html) for html in data["pages"].values()}
    assert {e["url"] for e in elements} == set(pages)
    for element in elements:
        assert element["@type"] == "DataFeedItem"
        (review,) = element["item"]
        assert review == pages[element["url"]]
        assert (element["dateCreated"], element["dateModified"]) == (review["datePublished"], review["dateModified"])
    assert feed["dateModified"] == max(e["item"][0]["dateModified"] for e in elements)


def test_the_feed_reads_back_as_json_ld_with_extruct(built_site, data):
    """The feed as a search engine would read it inside a page: one DataFeed with every ClaimReview."""
    raw = (built_site / "data/claimreview-feed.json").read_text(encoding="utf-8")
    html = f'<html><head><script type="application/ld+json">{raw}</script></head></html>'
    (feed,) = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert feed == data["feed"]


# -- the sample project ---------------------------------------------------------------------


def _build(project, tmp_path, changes: dict | None = None):
    pages = build_site(project(changes))
    out = tmp_path / "site"
    write_site(pages, out)
    return pages, out


def test_a_correction_moves_modified_and_the_feed_date(project, tmp_path):
    changes = edit(
        A,
        "    explanation: No evidence.\n",
        "    explanation: No evidence.\n    history:\n      - kind: correction\n        date: 2026-12-01\n"
        "        note: We had the wrong verdict.\n        previous_verdict: accurate\n",
    )
    pages, out = _build(project, tmp_path, changes)
    rows = read_csv(pages["data/claims.csv"])
    assert [(r["id"], r["reviewed"], r["modified"]) for r in rows] == [
        ("c-cheese", "2026-11-23", "2026-11-23"),
        ("c-swiss", "2026-11-23", "2026-12-01"),
        ("c-cost", "2026-11-23", "2026-11-23"),
    ]
    feed = json.loads(pages["data/claimreview-feed.json"])
    assert feed["dateModified"] == "2026-12-01"
    assert_valid(validate(out / "data/datapackage.json"))


def test_a_sample_row_in_full_with_commas_quotes_and_line_breaks(project, tmp_path):
    changes = edit(A, "    claim: The cheese is Swiss.\n", '    claim: "The cheese, they say, is \\"Swiss\\";\\nreally."\n')
    pages, out = _build(project, tmp_path, changes)
    raw = pages["data/claims.csv"].decode("utf-8")
    assert raw.splitlines()[0] == (
        "id,article,article_title,outlet,language,article_published,quote,paraphrase,claim_reviewed,summary,verdict,"
        "verdict_label,rating_value,basis,sources,events,reviewed,modified,permalink,original_url"
    )
    assert '"The cheese, they say, is ""Swiss"";\nreally."' in raw
    row = read_csv(pages["data/claims.csv"])[1]
    assert row == {
        "id": "c-swiss",
        "article": "moon",
        "article_title": "La Luna è fatta di formaggio",
        "outlet": "Test Outlet",
        "language": "it",
        "article_published": "2025-08-14",
        "quote": "svizzero",
        "paraphrase": 'The cheese, they say, is "Swiss";\nreally.',
        "claim_reviewed": 'The cheese, they say, is "Swiss";\nreally.',
        "summary": "No evidence.",
        "verdict": "misleading",
        "verdict_label": "Misleading",
        "rating_value": "2",
        "basis": "none-found",
        "sources": "daily-mirror-copy",
        "events": "",
        "reviewed": "2026-11-23",
        "modified": "2026-11-23",
        "permalink": "https://example.org/test/claims/c-swiss.html",
        "original_url": "https://outlet.example/moon",
    }
    assert json.loads(pages["data/claims.json"])[1] == {**row, "rating_value": 2, "sources": ["daily-mirror-copy"], "events": []}
    assert_valid(validate(out / "data/datapackage.json"))


def test_a_month_date_and_an_unknown_address_are_written_as_known_and_still_valid(project, tmp_path):
    changes = edit(ART, "published: 2025-08-14\n", "published: 2025-08\n")
    changes[ART] = changes[ART].replace("url: https://outlet.example/moon\n", "url: unknown\n")
    pages, out = _build(project, tmp_path, changes)
    rows = read_csv(pages["data/claims.csv"])
    assert {(r["article_published"], r["original_url"]) for r in rows} == {("2025-08", "")}
    # The package names the site as its source, and no article (its address is not known).
    assert json.loads(pages["data/datapackage.json"])["sources"] == [
        {"title": "Test Fact Check", "path": "https://example.org/test/"}
    ]
    assert_valid(validate(out / "data/datapackage.json"))


def test_the_package_names_the_publisher_and_the_article(project, tmp_path):
    changes = edit("content/site.yaml", "  name: Test desk\n", "  name: Test desk\n  url: https://desk.example/\n")
    pages, _ = _build(project, tmp_path, changes)
    package = json.loads(pages["data/datapackage.json"])
    assert package["name"] == "test-fact-check-claims"
    assert package["contributors"] == [{"title": "Test desk", "role": "publisher", "path": "https://desk.example/"}]
    assert package["sources"] == [
        {"title": "Test Fact Check", "path": "https://example.org/test/"},
        {"title": "La Luna è fatta di formaggio — Test Outlet", "path": "https://outlet.example/moon"},
    ]
