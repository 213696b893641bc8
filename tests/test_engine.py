"""The build engine: nothing done twice, the cache never trusted blindly, and a build killed at any moment
leaves the previous site or the new one, whole, and a cache the next build can use."""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import random
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from conftest import TEMPLATES, edit
from sample import FILES, write_project

from factsite import BuildFailed, cache, engine
from factsite.cache import _MISSING, DiskMemo, _DataUnpickler
from factsite.load import read_project
from factsite.pipeline import build_project
from factsite.write import MARKER, recover, swap_paths

A = "content/annotations/moon.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in sorted(folder.rglob("*")) if p.is_file()}


def clean(root: Path, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    engine.build(root, out, cache=False, jobs=1)
    return tree(out)


def cache_entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".factsite/cache/objects").rglob("*") if p.is_file())


@pytest.fixture
def pool(monkeypatch):
    """Two jobs fork two workers even for the sample's few pages."""
    monkeypatch.setattr(engine, "POOL_MIN_PAGES", 1)


# -- nothing done twice ------------------------------------------------------------------------------------------


def test_a_rebuild_with_no_change_does_nothing_at_all(project, tmp_path):
    root = project()
    first = engine.build(root, jobs=1)
    assert not first.reused and first.rendered == first.pages
    site = root / "site"
    before, numbers, folder = tree(site), inodes(site), site.stat().st_ino
    again = engine.build(root, jobs=1)
    assert again.reused and again.site is None and list(again.timings) == ["read", "verify"]
    assert (again.rendered, again.linked, again.written) == (0, 0, 0)
    assert (again.pages, again.html_pages, again.files) == (first.pages, first.html_pages, first.files)
    assert again.warnings == first.warnings
    assert site.stat().st_ino == folder and inodes(site) == numbers  # not swapped: the very same files
    assert tree(site) == before == clean(root, tmp_path / "clean")


@pytest.mark.parametrize(
    "touch",
    [
        pytest.param(lambda site: (site / "stray.html").write_text("mine"), id="a file added"),
        pytest.param(lambda site: (site / "claims/c-cost.html").unlink(), id="a file deleted"),
        pytest.param(lambda site: (site / "index.html").chmod(0o600), id="a file's mode changed"),
        pytest.param(lambda site: os.utime(site / "index.html", ns=(0, 0)), id="a file's time changed"),
        pytest.param(lambda site: (site / "link.html").symlink_to("index.html"), id="a link added"),
    ],
)
def test_a_site_touched_since_the_last_build_is_verified_and_made_whole_again(project, tmp_path, touch):
    root = project()
    engine.build(root, jobs=1)
    touch(root / "site")
    again = engine.build(root, jobs=1)
    assert not again.reused and again.memo["misses"] == 0  # every parsed file, text and anchor from the cache
    assert again.written == 0 and again.search == "linked" and again.rendered <= 1
    assert tree(root / "site") == clean(root, tmp_path / "clean")
    assert engine.build(root, jobs=1).reused  # and then, nothing again


def test_a_rebuild_after_an_interrupted_swap_is_not_skipped(project):
    root = project()
    engine.build(root, jobs=1)
    new, _old = swap_paths(root / "site")
    new.mkdir()
    (new / MARKER).write_text("x")
    assert not engine.build(root, jobs=1).reused
    assert not any(p.exists() for p in swap_paths(root / "site"))


@pytest.mark.parametrize("options", [{"drafts": True}, {"strict": True}, {"cache": False}], ids=["drafts", "strict", "no cache"])
def test_other_options_or_no_cache_build_again(project, options):
    root = project()
    engine.build(root, jobs=1)
    try:
        result = engine.build(root, jobs=1, **options)
    except BuildFailed:  # --strict with the sample's warnings
        assert options == {"strict": True}
        return
    assert not result.reused


def test_with_no_change_but_the_same_inputs_in_another_output_folder_builds_it(project, tmp_path):
    root = project()
    engine.build(root, jobs=1)
    other = engine.build(root, tmp_path / "other", jobs=1)
    assert not other.reused and tree(tmp_path / "other") == tree(root / "site")


def test_a_rebuild_with_no_change_links_every_file_and_computes_nothing(project, tmp_path):
    root = project()
    first = engine.build(root, jobs=1)
    assert first.rendered == first.pages and first.unchanged == 0 and first.search == "made"
    (root / "site/stray.txt").write_text("not the build's")  # so that the build cannot skip everything
    before, numbers = tree(root / "site"), inodes(root / "site")
    del before["stray.txt"], numbers["stray.txt"]
    again = engine.build(root, jobs=1)
    assert (again.rendered, again.written, again.search) == (0, 0, "linked")
    assert again.linked == again.files == len(before) - 1  # all but the marker
    assert again.memo["misses"] == 0 and again.memo["hits"] > 0  # every parsed file, text and anchor from the cache
    assert tree(root / "site") == before == clean(root, tmp_path / "clean")
    assert inodes(root / "site") == {**numbers, MARKER: inodes(root / "site")[MARKER]}  # the same files, linked
    assert not any(p.exists() for p in swap_paths(root / "site"))


def test_an_annotation_edit_renders_the_pages_it_feeds_and_links_the_rest(project, tmp_path):
    root = project()
    engine.build(root, jobs=1)
    (root / A).write_text(edit(A, "explanation: No evidence.", "explanation: No evidence at all.")[A])
    result = engine.build(root, jobs=1)
    assert 0 < result.rendered < result.pages and result.linked > 0 and result.search == "made"
    assert result.memo["misses"] > 0 and result.memo["hits"] > 0  # the other files' results from the cache
    assert tree(root / "site") == clean(root, tmp_path / "clean")


def test_a_style_sheet_edit_renders_nothing(project):
    root = project()
    engine.build(root, jobs=1)
    style = root / "templates/static/style.css"
    style.write_text(style.read_text() + "\n/* edited */\n")
    result = engine.build(root, jobs=1)
    assert (result.rendered, result.written, result.search) == (0, 1, "linked")
    assert (root / "site/static/style.css").read_text().endswith("/* edited */\n")


def test_a_file_edited_by_hand_in_the_site_is_made_again_even_with_its_size_and_time(project):
    root = project()
    engine.build(root, jobs=1)
    page = root / "site/claims/c-cost.html"
    built, st = page.read_bytes(), page.stat()
    page.write_bytes(built.replace(b"</html>", b"</HTML>"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    result = engine.build(root, jobs=1)
    assert result.rendered == 1 and page.read_bytes() == built


def test_the_default_build_uses_the_pool_only_when_worth_it(project):
    root = project()
    result = engine.build(root, jobs=2)
    assert result.jobs == 1  # 24 pages: forking would cost more than it saves


def test_check_renders_what_it_has_not_rendered_before_and_catches_template_errors(project, pool):
    root = project()
    first = engine.check(root, jobs=2)
    assert first.rendered == first.pages and first.jobs == _two() and first.search == "made"
    again = engine.check(root, jobs=2)
    assert (again.rendered, again.skipped, again.search) == (0, again.pages, "skipped")
    claim = root / "templates/claim.html"
    claim.write_text(claim.read_text().replace("{% block main %}", "{% block main %}{{ 1 / 0 }}", 1))
    with pytest.raises(BuildFailed) as failed:
        engine.check(root, jobs=2)
    [problem] = failed.value.problems
    assert problem.path == "templates/claim.html" and problem.message == "template error: ZeroDivisionError: division by zero"
    assert not (root / "site").exists()


# -- both cores ------------------------------------------------------------------------------------------------


def test_a_template_error_in_a_worker_is_located_and_nothing_is_swapped_in(project, pool):
    root = project()
    engine.build(root, jobs=2)
    before = tree(root / "site")
    claim = root / "templates/claim.html"
    lines = claim.read_text().splitlines(keepends=True)
    where = next(n for n, line in enumerate(lines) if "{% block main %}" in line)
    lines.insert(where + 1, "{{ c.no_such_field }}\n")
    claim.write_text("".join(lines))
    with pytest.raises(BuildFailed) as failed:
        engine.build(root, jobs=2)
    [problem] = failed.value.problems
    assert (problem.path, problem.line) == ("templates/claim.html", where + 2)
    assert "has no attribute 'no_such_field'" in problem.message
    assert tree(root / "site") == before
    assert not any(os.path.lexists(p) for p in swap_paths(root / "site"))


def test_one_process_and_two_give_the_same_bytes_incrementally_too(project, tmp_path, pool):
    root = project()
    one, two = tmp_path / "one", tmp_path / "two"
    for n in range(3):
        if n:
            (root / A).write_text(re.sub(r"explanation: As stated.*", f"explanation: As stated ({n}).", (root / A).read_text()))
        r1, r2 = engine.build(root, one, jobs=1), engine.build(root, two, jobs=2)
        assert (r1.jobs, r2.jobs) == (1, _two()) and r1.rendered == r2.rendered
        assert tree(one) == tree(two)


# -- the cache is never trusted blindly ----------------------------------------------------------------------------


def test_corrupted_truncated_and_swapped_cache_entries_are_recomputed(project, tmp_path):
    root = project()
    engine.build(root, jobs=1)
    entries = cache_entries(root)
    assert len(entries) > 5
    entries[0].write_bytes(entries[0].read_bytes()[:-7])  # truncated
    data = bytearray(entries[1].read_bytes())
    data[-3] ^= 0xFF  # one bit flipped
    entries[1].write_bytes(bytes(data))
    entries[2].write_bytes(entries[3].read_bytes())  # another entry's contents under this name
    entries[4].write_bytes(b"")
    shutil.rmtree(root / "site")  # so that every entry is asked for, the search bundles' too
    result = engine.build(root, jobs=1)
    assert result.memo["misses"] == 4  # those four, and only those, computed again
    assert tree(root / "site") == clean(root, tmp_path / "clean")
    shutil.rmtree(root / "site")  # (else this build would find nothing to do, and ask for no entry)
    assert engine.build(root, jobs=1).memo["misses"] == 0  # and written back


def test_a_cache_copied_from_elsewhere_is_not_trusted(project, tmp_path):
    root, other = project(), project()
    first = engine.build(root, jobs=1)
    shutil.copytree(root / ".factsite", other / ".factsite")  # key and all: as if committed to a repository
    result = engine.build(other, jobs=1)
    assert result.memo["misses"] == first.memo["misses"] > 0  # everything computed again, as in a cold build
    assert tree(other / "site") == tree(root / "site")


def test_a_code_change_invalidates_the_cache(project, monkeypatch):
    root = project()
    first = engine.build(root, jobs=1)
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    monkeypatch.setattr(engine, "code_version", lambda: "another version")
    result = engine.build(root, jobs=1)
    assert result.memo["misses"] == first.memo["misses"] and result.rendered == result.pages


def test_the_cache_is_pruned_of_what_the_build_did_not_use(project):
    root = project()
    engine.build(root, jobs=1)
    count = len(cache_entries(root))
    for n in range(3):
        (root / A).write_text((root / A).read_text().replace("explanation: No evidence", f"explanation: No evidence {n}"))
        engine.build(root, jobs=1)
    assert len(cache_entries(root)) == count


def test_entries_are_read_back_without_running_code():
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError):
        _DataUnpickler(__import__("io").BytesIO(pickle.dumps(Evil()))).load()
    with pytest.raises(pickle.UnpicklingError):  # a function of the package is no data class either
        _DataUnpickler(__import__("io").BytesIO(pickle.dumps(shutil.rmtree))).load()


def test_a_cache_that_cannot_be_written_only_makes_the_build_slower(project, tmp_path):
    root = project()
    (root / ".factsite").mkdir()
    (root / ".factsite/cache").write_text("not a folder")
    result = engine.build(root, jobs=1)
    assert result.memo["stored"] == 0
    assert tree(root / "site") == clean(root, tmp_path / "clean")


# -- a build killed at any moment --------------------------------------------------------------------------------


STAGES = ("read", "check", "plan", "digest", "prepare", "link", "search", "render", "swap", "finish")
"""The build's stages in order (``BuildResult.timings``): link and render write the new site's files, swap
puts it in place, finish writes the manifest and the cache's record of pages; check stores cache entries."""


def _killed_build(root: Path, out: Path, jobs: int, delay: float | None) -> tuple[str, dict[str, float]]:
    """Build in a forked child (its own process group, its workers and pagefind in it), SIGKILLed after
    ``delay`` seconds (None: left to finish) → the stage it was in when killed (``done`` if it finished), and
    when it ended each stage it did, in seconds from the start: the child reports them through a pipe."""
    start = time.monotonic()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(reader)
            os.setpgid(0, 0)
            engine.POOL_MIN_PAGES = 1
            ended = engine._Clock.__call__

            def reporting(clock, stage):
                ended(clock, stage)
                os.write(writer, f"{stage} {time.monotonic() - start}\n".encode())

            engine._Clock.__call__ = reporting
            engine.build(root, out, jobs=jobs)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    with contextlib.suppress(OSError):  # unless the child got there first (or is done)
        os.setpgid(pid, pid)
    if delay is not None:
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(reader, "rb") as pipe:
        ends = {stage: float(t) for stage, t in (line.split() for line in pipe.read().decode().splitlines())}
    if delay is None:
        assert os.waitstatus_to_exitcode(status) == 0
    if os.WIFEXITED(status) and os.waitstatus_to_exitcode(status) == 0:
        return "done", ends
    return (STAGES[len(ends)] if len(ends) < len(STAGES) else "after finish"), ends


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site_and_a_usable_cache(project, tmp_path):
    old_files = {**FILES}
    new_files = {
        **edit(A, "explanation: No evidence.", "explanation: No evidence whatsoever."),
        "content/timeline.yaml": FILES["content/timeline.yaml"].replace("title: Mission planned", "title: Mission announced"),
    }
    root, out = project(), tmp_path / "site"
    style = root / "templates/static/style.css"
    styles = [style.read_text(), style.read_text() + "\n/* new */\n"]

    def switch(to: int) -> None:
        for rel in new_files:
            (root / rel).write_text((old_files if to == 0 else new_files)[rel])
        style.write_text(styles[to])

    sites = []
    for version in (0, 1):
        switch(version)
        sites.append(clean(root, tmp_path / f"reference-{version}"))
    assert sites[0] != sites[1]
    switch(0)
    engine.build(root, out)
    switch(1)
    _, warm = _killed_build(root, out, 2, None)  # when a build under test ends each stage
    assert tree(out) == sites[1]
    switch(0)
    shutil.rmtree(root / ".factsite/cache")
    _, cold = _killed_build(root, out, 2, None)  # and one with no cache, storing every entry as it checks
    assert tree(out) == sites[0]
    duration, storing = warm["finish"], (cold["read"], cold["check"])

    rng = random.Random(11)
    state, outcomes, kills, landed = 0, [], 50, collections.Counter()
    for n in range(kills):
        target = 1 - state
        switch(target)
        cold = n % 5 == 4
        if cold:  # a cold build, killed while it stores the cache entries of what it has checked
            shutil.rmtree(root / ".factsite/cache")
            delay = storing[0] + (storing[1] - storing[0]) * rng.uniform(0.2, 0.8)
        else:  # spread over the whole build, a little past its measured length (a loaded machine is slower)
            delay = 1.2 * duration * (n + rng.random()) / kills
        stage, _ = _killed_build(root, out, 1 + n % 2, delay)
        landed["check (cold cache)" if cold and stage == "check" else stage] += 1
        found = tree(out)  # at every moment the output folder is a complete site: the old one or the new one
        assert found in (sites[state], sites[target]), f"kill {n} (in {stage}): a mixed or partial site"
        outcomes.append(found == sites[target])
        recover(out)
        assert tree(out) == found
        memo = DiskMemo(root / ".factsite/cache")  # no entry under its real name is partial
        for entry in cache_entries(root):
            if not entry.name.startswith(".tmp-"):
                assert memo._load(entry.name) is not _MISSING, f"kill {n} (in {stage}): a bad entry {entry}"
        result = engine.build(root, out)  # the next build cleans up and succeeds, and equals a clean build
        assert tree(out) == sites[target], f"after kill {n} (in {stage})"
        assert not any(os.path.lexists(p) for p in swap_paths(out))
        assert result.files == len(sites[target]) - 1
        state = target
    assert any(outcomes) and not all(outcomes), "the kills should land before and after the swap"
    # Kills landed while the new site was being written, and while cache entries were being stored.
    assert landed["link"] + landed["render"] > 0 and landed["check (cold cache)"] + landed["finish"] > 0, landed


def test_an_empty_swap_folder_from_a_build_killed_after_making_it_is_removed(project):
    root = project()
    engine.build(root, jobs=1)
    new, old = swap_paths(root / "site")
    new.mkdir()  # killed between making .site.new and marking it
    engine.build(root, jobs=1)
    assert not new.exists() and not old.exists()


def test_a_previous_site_left_half_deleted_is_still_marked(project, monkeypatch):
    """Deleting a marked folder takes its marker last, so a build killed meanwhile leaves it marked."""
    root = project()
    engine.build(root, jobs=1)
    old = swap_paths(root / "site")[1]
    shutil.copytree(root / "site", old)
    calls = []
    real_unlink = os.unlink

    def dying_unlink(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the build stops here
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", dying_unlink)
    with pytest.raises(KeyboardInterrupt):
        recover(root / "site")
    monkeypatch.undo()
    assert (old / MARKER).is_file()
    assert engine.build(root, jobs=1).files and not old.exists()


def test_the_result_names_the_folder_and_counts_the_pages(tmp_path):
    root = write_project(tmp_path / "p", templates=TEMPLATES)
    result = engine.build(root, tmp_path / "out", jobs=1)
    files, _ = build_project(read_project(root))
    assert result.out == (tmp_path / "out").resolve()
    assert (result.files, result.html_pages) == (len(files), sum(p.endswith(".html") for p in files))
    assert list(result.timings) == ["read", "check", "plan", "digest", "prepare", "link", "search", "render", "swap", "finish"]


def test_a_cache_write_killed_midway_leaves_no_partial_entry(tmp_path):
    folder = tmp_path / "cache"
    DiskMemo(folder).secret()  # the key exists before the writers start
    for n in range(6):
        pid = os.fork()
        if pid == 0:  # a writer of large entries, killed at some moment of one of them
            try:
                memo = DiskMemo(folder)
                for i in range(1000):
                    memo.get(("large", n, i), lambda i=i: bytes([i % 256]) * 3_000_000)
            finally:
                os._exit(0)
        time.sleep(0.05 + 0.02 * n)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    memo = DiskMemo(folder)
    names = [p.name for p in (folder / "objects").rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]
    assert names
    for name in names:
        assert memo._load(name) is not _MISSING, name


def _two() -> int:
    """The workers a two-job build uses: two, unless this test process has other threads (the engine then
    renders in-process rather than fork a threaded process), as when browser tests ran earlier in the session."""
    import threading

    return 2 if threading.active_count() == 1 else 1
