"""The preview's start-up with the build's cache: it takes the files a build (or an earlier start-up) left in the
output folder when they are still what they were made as and would be made the same now, parses nothing the
build parsed, and leaves a manifest the next build and start-up use. Whatever it takes, the site it serves is
byte for byte the site a clean build makes."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import edit
from sample import FILES

from factsite import engine
from factsite.cache import DiskMemo, SharedMemo
from factsite.preview import Preview
from factsite.write import swap_paths

A = "content/annotations/moon.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in sorted(folder.rglob("*")) if p.is_file()}


def clean(root: Path, *, drafts: bool = False) -> dict[str, bytes]:
    """The site a build with no cache makes of ``root``, into a folder of its own."""
    out = root.parent / f"{root.name}-clean"
    shutil.rmtree(out, ignore_errors=True)
    engine.build(root, out, cache=False, jobs=1, drafts=drafts)
    return tree(out)


def page_count(root: Path) -> int:
    return engine.build(root, root.parent / f"{root.name}-count", cache=False, jobs=1).pages


def test_a_preview_started_after_a_build_renders_and_writes_nothing(project):
    root = project()
    engine.build(root, jobs=1)
    before, numbers = tree(root / "site"), inodes(root / "site")
    preview = Preview(root, root / "site", drafts=True)  # as build.py serve does: no draft here, the same pages
    outcome = preview.start()
    assert outcome.ok and (outcome.rendered, outcome.written) == ([], [])
    assert preview.adopted == len(before) - 1  # every file but the marker
    assert tree(root / "site") == before and inodes(root / "site") == numbers  # not one file written again
    assert preview.search_current  # the search index taken whole, not waiting to be made
    # and the preview goes on from there as from a start-up of its own
    (root / A).write_text(edit(A, "explanation: No evidence.", "explanation: Still none.")[A])
    saved = preview.update([A])
    assert saved.ok and "claims/c-swiss.html" in saved.written
    assert tree(root / "site") == clean(root)


def test_files_changed_removed_or_added_since_the_build_are_set_right(project):
    root = project()
    engine.build(root, jobs=1)
    site = root / "site"
    (site / "articles/moon.html").write_text("<p>edited by hand</p>")  # changed since the build
    (site / "claims/c-cost.html").unlink()  # removed
    (site / "stray.html").write_text("<p>not the build's</p>")  # not made by the build
    (site / "static/style.css").write_bytes(b"body{}")  # a static file changed
    outcome = Preview(root, site).start()
    assert outcome.ok and set(outcome.rendered) == {"articles/moon.html", "claims/c-cost.html"}
    assert {"articles/moon.html", "claims/c-cost.html", "stray.html", "static/style.css"} <= set(outcome.written)
    assert tree(site) == clean(root)


def test_inputs_changed_since_the_build_render_their_pages_only(project):
    root = project()
    engine.build(root, jobs=1)
    (root / A).write_text(edit(A, "explanation: As stated.", "explanation: As the agency stated.")[A])
    outcome = Preview(root, root / "site").start()
    assert outcome.ok and "claims/c-cost.html" in outcome.rendered and "articles/moon.html" in outcome.rendered
    assert "about.html" not in outcome.rendered and len(outcome.rendered) < page_count(root)
    # a page made again with the same bytes (its inputs include the edited file) is not written again
    assert "claims/c-swiss.html" in outcome.rendered and "claims/c-swiss.html" not in outcome.written
    assert "claims/c-cost.html" in outcome.written
    assert tree(root / "site") == clean(root)


def test_drafts_shown_by_the_preview_are_never_taken_from_a_build_without_them(project):
    root = project(edit(A, "  - id: c-cost\n", "  - id: c-cost\n    draft: true\n"))
    engine.build(root, jobs=1)  # the public site: the draft claim left out
    outcome = Preview(root, root / "site", drafts=True).start()
    assert outcome.ok and {"articles/moon.html", "claims/c-cost.html"} <= set(outcome.rendered)
    assert tree(root / "site") == clean(root, drafts=True)


def test_start_up_leaves_a_manifest_the_next_start_up_and_the_build_use(project):
    root = project()
    first = Preview(root, root / "site").start()  # no build before: every page made
    assert first.ok and len(first.rendered) == page_count(root)
    again = Preview(root, root / "site")
    assert again.start().rendered == [] and again.adopted == len(tree(root / "site")) - 1
    built = engine.build(root, jobs=1)
    assert (built.rendered, built.search) == (0, "linked")
    assert tree(root / "site") == clean(root)


def test_nothing_is_taken_from_a_folder_that_is_not_a_whole_site(project):
    root = project()
    pages = page_count(root)
    engine.build(root, jobs=1)
    (root / "site/link.html").symlink_to(root / "site/about.html")  # no build leaves a link
    assert len(Preview(root, root / "site").start().rendered) == pages
    assert not (root / "site/link.html").is_symlink()
    engine.build(root, jobs=1)
    swap_paths((root / "site").resolve())[0].mkdir()  # a swap left half done by a killed build
    assert len(Preview(root, root / "site").start().rendered) == pages
    shutil.rmtree(swap_paths((root / "site").resolve())[0], ignore_errors=True)  # (the write took it away)
    engine.build(root, jobs=1)
    assert len(Preview(root, root / "site", cache=False).start().rendered) == pages  # asked not to
    assert tree(root / "site") == clean(root)


def test_the_shared_memo_takes_what_a_build_stored_and_stores_what_it_computes(tmp_path):
    build = DiskMemo(tmp_path)
    assert build.get(("parse", "a.yaml", "text a"), lambda: {"a": 1}) == {"a": 1}
    shared = SharedMemo(tmp_path)
    assert shared.get(("parse", "a.yaml", "text a"), lambda: {"a": "computed again"}) == {"a": 1}
    assert (shared.loaded, shared.misses) == (1, 0)
    assert shared.get(("parse", "b.yaml", "text b"), lambda: [2]) == [2] and shared.stored == 1
    shared.prune()
    assert shared.get(("parse", "a.yaml", "text a"), lambda: None) == {"a": 1}  # kept in memory while used
    later = DiskMemo(tmp_path)
    assert later.get(("parse", "b.yaml", "text b"), lambda: "computed again") == [2]
    shared.prune()  # forgets in memory only: the build prunes the folder
    assert DiskMemo(tmp_path).get(("parse", "a.yaml", "text a"), lambda: None) == {"a": 1}


def test_a_sample_file_is_what_the_tests_edit():
    assert "explanation: No evidence." in FILES[A] and "  - id: c-cost\n" in FILES[A]


def test_a_memo_forgets_what_a_rebuild_did_not_ask_for_and_keeps_the_rest():
    from factsite.cache import Memo

    memo, computed = Memo(), []

    def get(key):
        return memo.get(key, lambda: computed.append(key) or key.upper())

    assert [get("a"), get("b"), get("a")] == ["A", "B", "A"] and computed == ["a", "b"]
    memo.prune()
    assert get("a") == "A" and computed == ["a", "b"]  # asked for by the rebuild before: kept
    memo.prune()  # "b" was not asked for by that rebuild: forgotten; "a" was: kept
    assert get("b") == "B" and get("a") == "A" and computed == ["a", "b", "b"]
