"""An incremental build is byte for byte a clean build: random sequences of edits, each followed by an engine
build that reuses the cache and the previous site, compared with a clean build (no cache) into a fresh folder.

The edits are the ones editors make: an explanation, the article's text outside the quotes (with its seed and
the seed's sha256), an event's title, a source's title, an article's date, a template, the style sheet, a claim deleted, an
article renamed with its claims file, an article deleted. Each build renders with one process or two, so the
workers' output is compared with a clean single-process build too. Every list holds one item a page, so that
each edit moves, adds or removes items on the pages of long lists, whose digests name only their own share.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample import FILES, SEED_NAME

from factsite import BuildFailed, engine
from factsite.load import read_project
from factsite.pages.paging import PER_PAGE
from factsite.pipeline import build_project
from factsite.write import MARKER, MARKER_TEXT

ARTICLES, ANNOTATIONS = "content/articles", "content/annotations"
BASE, STYLE = "templates/base.html", "templates/static/style.css"

# A second article on the same seed, with claims of its own, so that deleting or renaming one leaves another.
SECOND = {
    f"{ARTICLES}/moon-b.md": FILES[f"{ARTICLES}/moon.md"]
    .replace("slug: moon\n", "slug: moon-b\n")
    .replace("published: 2025-08-14\n", "published: 2025-08-20\n")
    .replace("outlet: Test Outlet\n", "outlet: Other Outlet\n"),
    f"{ANNOTATIONS}/moon-b.yaml": (
        "review:\n  by: Test desk\n  on: 2026-11-24\nclaims:\n"
        "  - id: c-b-cost\n    quote: la missione costerà 5 milioni di euro\n    claim: The mission costs €5 million.\n"
        "    verdict: misleading\n    basis: official-statement\n    explanation: Only an estimate.\n"
        "    sources: [space-agency]\n    events: [ev-mission]\n\n"
        "  - id: c-b-unlikely\n    quote: che è improbabile\n    claim: Experts think it unlikely.\n"
        "    verdict: accurate\n    basis: none-found\n    explanation: As the experts said.\n"
        "    sources: [daily-mirror-copy]\n    events: [ev-later]\n    fact: moon-made-of\n"
    ),
}


def initial_files() -> dict[str, str]:
    files = {**FILES, **SECOND}
    for rel in (BASE, STYLE):
        files[rel] = (TEMPLATES.parent / rel).read_text(encoding="utf-8")
    return files


# -- the edits: each takes the project's files and a number, and gives the files after it (None: not possible) --


def _articles(files):
    return sorted(rel.removeprefix(f"{ARTICLES}/").removesuffix(".md") for rel in files if rel.startswith(f"{ARTICLES}/"))


def _claims_files(files):
    return [rel for rel in sorted(files) if rel.startswith(f"{ANNOTATIONS}/") and "\n  - id: " in files[rel]]


def edit_explanation(files, n, pick):
    found = [(rel, m) for rel in _claims_files(files) for m in re.finditer(r"(?m)^    explanation: .*$", files[rel])]
    if not found:
        return None
    rel, m = found[pick % len(found)]
    return {**files, rel: files[rel][: m.end()] + f" Edited {n}." + files[rel][m.end() :]}


def edit_article_text(files, n, pick):
    """Change the article's words outside its quotes: the seed too (the text must stay the seed's), and the
    seed's sha256 in every article that reviews it."""
    old = files[f"seeds/{SEED_NAME}"]
    sentence = re.search(r"La missione è prevista per maggio[^.]*\.", old).group()
    new = old.replace(sentence, f"La missione è prevista per maggio, versione {n}.")
    old_sha, new_sha = hashlib.sha256(old.encode()).hexdigest(), hashlib.sha256(new.encode()).hexdigest()
    out = {**files, f"seeds/{SEED_NAME}": new}
    for slug in _articles(files):
        rel = f"{ARTICLES}/{slug}.md"
        out[rel] = files[rel].replace(sentence, f"La missione è prevista per maggio, versione {n}.").replace(old_sha, new_sha)
    return out


def edit_event_title(files, n, pick):
    rel = "content/timeline.yaml"
    titles = list(re.finditer(r"(?m)^    title: .*$", files[rel]))
    m = titles[pick % len(titles)]
    return {**files, rel: files[rel][: m.end()] + f" ({n})" + files[rel][m.end() :]}


def edit_source_title(files, n, pick):
    rel = "content/sources.yaml"
    titles = list(re.finditer(r"(?m)^    title: .*$", files[rel]))
    m = titles[pick % len(titles)]
    return {**files, rel: files[rel][: m.end()] + f" (v{n})" + files[rel][m.end() :]}


def edit_article_date(files, n, pick):
    """Move an article in time: the archive's, the home page's and every citing list's order change."""
    slugs = _articles(files)
    rel = f"{ARTICLES}/{slugs[pick % len(slugs)]}.md"
    text, count = re.subn(r"(?m)^published: \S+$", f"published: 2024-{1 + n % 12:02d}-{1 + n % 28:02d}", files[rel], count=1)
    return {**files, rel: text} if count else None


def edit_template(files, n, pick):
    text = files[BASE]
    return {
        **files,
        BASE: text.replace('<footer class="site-footer">\n', f'<footer class="site-footer">\n<!-- edit {n} -->\n', 1),
    }


def edit_style(files, n, pick):
    return {**files, STYLE: files[STYLE] + f"\n/* edit {n} */\n"}


def delete_claim(files, n, pick):
    found = [(rel, m) for rel in _claims_files(files) for m in re.finditer(r"(?ms)^  - id: .*?(?=^  - id: |\Z)", files[rel])]
    if not found:
        return None
    rel, m = found[pick % len(found)]
    text = files[rel][: m.start()] + files[rel][m.end() :]
    if "\n  - id: " not in text:
        text = text.replace("claims:\n", "claims: []\n")
    return {**files, rel: text}


def rename_article(files, n, pick):
    slugs = _articles(files)
    if not slugs:
        return None
    old = slugs[pick % len(slugs)]
    new = f"{old.split('-r', 1)[0]}-r{n}"
    out = dict(files)
    out[f"{ARTICLES}/{new}.md"] = out.pop(f"{ARTICLES}/{old}.md").replace(f"slug: {old}\n", f"slug: {new}\n")
    out[f"{ANNOTATIONS}/{new}.yaml"] = out.pop(f"{ANNOTATIONS}/{old}.yaml")
    return out


def delete_article(files, n, pick):
    slugs = _articles(files)
    if len(slugs) < 2:  # keep one: a site with no article at all is its own test
        return None
    old = slugs[pick % len(slugs)]
    out = dict(files)
    del out[f"{ARTICLES}/{old}.md"], out[f"{ANNOTATIONS}/{old}.yaml"]
    return out


EDITS = [
    edit_explanation,
    edit_article_text,
    edit_event_title,
    edit_source_title,
    edit_article_date,
    edit_template,
    edit_style,
    delete_claim,
    rename_article,
    delete_article,
]


# -- building and comparing --------------------------------------------------------------------------------------


def write_files(root: Path, files: dict[str, str], before: dict[str, str] | None = None) -> None:
    """Bring the project at ``root`` from ``before`` to ``files``: changed files written, removed ones deleted."""
    before = before or {}
    for rel in sorted(set(before) - set(files)):
        (root / rel).unlink()
    for rel, text in sorted(files.items()):
        if before.get(rel) != text:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode("utf-8"))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, out: Path) -> dict[str, bytes] | list[str]:
    """A build with no cache into a fresh folder → its files, or the problems it stopped at."""
    shutil.rmtree(out, ignore_errors=True)
    try:
        engine.build(root, out, cache=False, jobs=1)
    except BuildFailed as failed:
        return [p.format() for p in failed.problems]
    return tree(out)


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(TEMPLATES, root / "templates")
    return root, tmp_path


@settings(max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 5), st.sampled_from([1, 2])), min_size=1, max_size=5))
def test_an_incremental_build_equals_a_clean_build_after_any_edits(workspace, steps, monkeypatch):
    monkeypatch.setattr(engine, "POOL_MIN_PAGES", 1)  # two jobs really fork two workers, even for this small site
    for what in PER_PAGE:  # one item a page: every list is split, so a page's share of its list is what changes
        monkeypatch.setitem(PER_PAGE, what, 1)
    base, tmp = workspace
    root = base.parent / f"run-{len(list(base.parent.glob('run-*')))}"
    shutil.copytree(base, root)
    files = initial_files()
    write_files(root, files)
    out = tmp / f"{root.name}-site"
    engine.build(root, out, jobs=1)
    for n, (edit, pick, jobs) in enumerate(steps, start=1):
        changed = edit(files, n, pick)
        if changed is None:
            continue
        write_files(root, changed, files)
        files = changed
        expected = clean_build(root, tmp / "clean")
        before = tree(out)
        try:
            result = engine.build(root, out, jobs=jobs)
        except BuildFailed as failed:
            assert [p.format() for p in failed.problems] == expected, f"after {edit.__name__}"
            assert tree(out) == before, "a failed build changed the site"
            continue
        assert isinstance(expected, dict), f"after {edit.__name__}, only the clean build failed: {expected}"
        assert sorted(tree(out)) == sorted(expected), f"after {edit.__name__}: other files"
        for path, data in expected.items():
            assert tree(out)[path] == data, f"after {edit.__name__}: {path} differs from a clean build"
        assert result.rendered + result.unchanged + result.written == len(expected) - 1  # every file but the marker
        if edit is edit_style:  # a style sheet feeds no page: nothing is rendered again
            assert result.rendered == 0


def test_the_sample_with_a_second_article_builds(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(TEMPLATES, root / "templates")
    write_files(root, initial_files())
    result = engine.build(root, tmp_path / "site", cache=False)
    assert result.site.warnings == () and len(result.site.articles) == 2


def test_one_and_two_processes_and_build_project_make_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "POOL_MIN_PAGES", 1)
    root = tmp_path / "p"
    shutil.copytree(TEMPLATES, root / "templates")
    write_files(root, initial_files())
    one = engine.build(root, tmp_path / "one", jobs=1, cache=False)
    two = engine.build(root, tmp_path / "two", jobs=2, cache=False)
    assert (one.jobs, two.jobs) == (1, _two())
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    files, _ = build_project(read_project(root))
    assert tree(tmp_path / "one") == {**files, MARKER: MARKER_TEXT.encode()}


def test_every_edit_applies_to_the_sample():
    files = initial_files()
    for n, edit in enumerate(EDITS):
        assert edit(files, n, 0) not in (None, files), edit.__name__


def test_an_archive_with_paged_lists_rebuilds_as_a_clean_build(tmp_path, monkeypatch):
    """A generated archive (bench/generate.py): lists long enough to be paged, nested folders, many sources."""
    generate = pytest.importorskip("bench.generate").generate
    monkeypatch.setattr(engine, "POOL_MIN_PAGES", 1)
    root, out = tmp_path / "archive", tmp_path / "site"
    generate(26, root)
    engine.build(root, out, jobs=2)
    annotations = sorted((root / ANNOTATIONS).glob("*.yaml"))
    annotations[3].write_text(annotations[3].read_text().replace("Archive variant", "Archive edited variant", 1))
    result = engine.build(root, out, jobs=2)
    assert 0 < result.rendered < result.pages
    assert tree(out) == clean_build(root, tmp_path / "clean")
    gone = annotations[7].stem  # an article deleted: its pages go, the lists close up
    (root / ARTICLES / f"{gone}.md").unlink()
    annotations[7].unlink()
    engine.build(root, out, jobs=1)
    assert tree(out) == clean_build(root, tmp_path / "clean")


def test_a_draft_claim_left_out_for_a_reference_in_another_file_leaves_every_page(tmp_path):
    """With drafts shown, a draft claim whose source is deleted from sources.yaml is left out: the pages that
    showed it (its article's annotations, the home page's counts) change though their own files did not."""
    extra = "  - id: only-draft\n    title: Draft source\n    publisher: Someone\n    url: https://x.example/d\n"
    extra += "    published: unknown\n    lang: en\n    kind: primary\n"
    files = initial_files()
    files["content/sources.yaml"] += extra
    files[f"{ANNOTATIONS}/moon.yaml"] = files[f"{ANNOTATIONS}/moon.yaml"].replace(
        "    basis: none-found\n    explanation: No evidence.\n    sources: [daily-mirror-copy]",
        "    basis: none-found\n    draft: true\n    explanation: No evidence.\n    sources: [daily-mirror-copy, only-draft]",
    )
    root, out = tmp_path / "p", tmp_path / "site"
    shutil.copytree(TEMPLATES, root / "templates")
    write_files(root, files)
    engine.build(root, out, drafts=True, jobs=1)
    changed = {**files, "content/sources.yaml": files["content/sources.yaml"].replace(extra, "")}
    write_files(root, changed, files)
    result = engine.build(root, out, drafts=True, jobs=1)
    assert [p.message for p in result.site.warnings] == [
        "unknown source 'only-draft'; sources are defined in content/sources.yaml"
    ]
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    engine.build(root, tmp_path / "clean", drafts=True, cache=False, jobs=1)
    assert tree(out) == tree(tmp_path / "clean")


def _two() -> int:
    """The workers a two-job build uses: two, unless this test process has other threads (the engine then
    renders in-process rather than fork a threaded process), as when browser tests ran earlier in the session."""
    import threading

    return 2 if threading.active_count() == 1 else 1
