"""The real content: it passes every check, shows each seed's words exactly, and cannot silently shrink."""

from __future__ import annotations

import json
import unicodedata

import pytest
from conftest import ROOT
from htmltext import article_text

from factsite import build_site, check_site, vocab
from factsite.load import read_project
from factsite.seedtext import seed_words

# Floors: raise them when content grows; a drop below one is a failure, not a surprise.
MIN_CLAIMS_PER_ARTICLE = 12
MIN_EVENTS = 30
MIN_SOURCES = 77
# Every claim of the research dossier (research/facts.md), by its id.
DOSSIER_CLAIMS = {f"c00{n}-{i:02d}" for n, count in enumerate([14, 14, 14, 12, 10]) for i in range(1, count + 1)}


@pytest.fixture(scope="module")
def checked():
    site = check_site(ROOT)
    return read_project(ROOT), site, site.anchors


@pytest.fixture(scope="module")
def pages():
    return build_site(ROOT)


def test_every_seed_is_imported_and_unchanged(checked):
    project, site, _ = checked
    assert sorted(a.seed_file for a in site.articles.values()) == sorted(project.seeds)
    for seed in project.seeds.values():
        assert unicodedata.is_normalized("NFC", seed.text), seed.name  # anchoring relies on it


def test_each_article_page_shows_its_seed_word_for_word(checked, pages):
    project, site, _ = checked
    for article in site.articles.values():
        headline, body = article_text(pages[f"articles/{article.slug}.html"].decode())
        seed = " ".join(seed_words(project.seeds[article.seed_file])[1].split())
        shown = f"{headline} {body}" if article.headline_in_text else body
        assert shown == seed, article.slug
        if not article.headline_in_text:
            assert headline == article.title  # an editor's title, said so on the page


def test_content_floors(checked):
    _, site, anchors = checked
    for slug, claims in site.claims.items():
        assert len(claims) >= MIN_CLAIMS_PER_ARTICLE, slug
    assert len(site.events) >= MIN_EVENTS
    assert len(site.sources) >= MIN_SOURCES
    every_claim = [c for claims in site.claims.values() for c in claims]
    assert all(c.sources and c.explanation.strip() and c.claim.strip() for c in every_claim)
    assert set(anchors) == {c.id for c in every_claim}  # every claim is anchored in its article


def test_every_dossier_claim_is_on_the_site(checked):
    _, site, _ = checked
    published = {c.id for claims in site.claims.values() for c in claims if not c.draft}
    assert DOSSIER_CLAIMS - published == set()


def test_every_verdict_can_be_followed_to_a_source_a_reader_can_open(checked):
    _, site, _ = checked
    for claims in site.claims.values():
        for claim in claims:
            assert all(site.sources[s].url.startswith(("http://", "https://")) for s in claim.sources), claim.id


def test_every_shared_fact_is_stated_by_more_than_one_article(checked):
    _, site, _ = checked
    for fact in site.facts:
        articles = {slug for slug, claims in site.claims.items() for c in claims if c.fact == fact}
        assert len(articles) >= 2, fact


def test_code_vocabularies_match_the_schemas():
    schemas = ROOT / "factsite" / "schemas"
    annotations = json.loads((schemas / "annotations.schema.json").read_text())
    timeline = json.loads((schemas / "timeline.schema.json").read_text())
    assert annotations["properties"]["claims"]["items"]["properties"]["basis"]["enum"] == list(vocab.BASIS)
    assert timeline["properties"]["events"]["items"]["properties"]["status"]["enum"] == list(vocab.STATUSES)


def test_readme_schema_reference_is_up_to_date():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "tools" / "schema_doc.py"), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
