"""Keep the output folder up to date as files change, doing only the work a change needs.

This is the engine of ``build.py serve``. It keeps the project, the parsed files
(a ``Memo``) and a digest of every page's inputs in memory. On each change it
re-reads only the changed files, checks the whole site (cheap, because parsed
files are reused), renders only the pages whose inputs changed, and replaces
only the output files whose bytes changed, each atomically. A failed check
writes nothing: the last good site stays in place and the problems are kept
for the browser overlay.

No save is lost: besides the paths the watcher reports, every update compares
each input file's (inode, size, mtime) with what it saw when it last read it,
so a file the watcher missed (a folder moved in, an event dropped, a save made
before the watcher was ready) is read too, and ``rescan`` lets the server poll
for such files when no event comes at all. The search index can be made after
the pages (``update(search=False)`` then ``request_search``): a background
thread makes it from the latest good site, so the page a reader looks at is
written first and the index never ends older than the last good save.

The pages can be made in the order a reader needs them too: ``update(first_only=True,
first=...)`` renders and writes only the pages named (the ones open in a browser) and
the page the save is about (``Outcome.target``: the changed article's page, or its one
changed claim's), and leaves the rest, from the same plan, to ``finish``, which the
server calls in slices of a few milliseconds once the open pages have reloaded. Nothing
is lost if another save comes first: a page is marked current only when it is written,
so the next update renders whatever was left.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from . import idschema, layout, search_index
from .cache import CACHE_DIR, Memo, SharedMemo
from .diagnostics import BuildFailed, Problem
from .engine import Digests, Store, files_of, input_feeds
from .layout import MARKER
from .load import CONTENT, SEEDS, TEMPLATES, Project, classify, read_project, refresh_project
from .model import Claim, Site
from .pages import PageSpec
from .pipeline import check_project, plan, render
from .render import make_env
from .report import summary, worklist
from .write import swap_paths, write_site


@dataclass(kw_only=True)
class Outcome:
    """What one rebuild did."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """Pages rendered (their inputs changed)."""
    written: list[str] = field(default_factory=list)
    """Output files written or removed (their bytes changed)."""
    seconds: float = 0.0
    deferred: list[str] = field(default_factory=list)
    """Pages left for later (``update(first_only=True)``): still stale; ``finish`` or the next update renders them."""
    target: str | None = None
    """The page the save is about, when it changed one article or its claims and nothing else: the page of its
    one changed (or added) claim, or else the article's page. None for any other save, and for one that left
    the article and its claims as they were."""
    focus: frozenset[str] = frozenset()
    """With ``target``: that article's pages (its own and its claims')."""


@dataclass(kw_only=True)
class _Todo:
    """What an update left for ``finish``: the rest of its plan, rendered from the same site."""

    project: Project
    checked: Site
    site: Site
    env: object
    digests: Digests
    expected: set[str]
    pages: list[PageSpec]


def _sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class Preview:
    """The site in memory and on disk, brought up to date one change at a time."""

    def __init__(self, root: Path, out: Path, *, drafts: bool = False, cache: bool = True):
        self.root, self.out, self.drafts = Path(root), Path(out), drafts
        self.project = Project(root=self.root)
        # With ``cache``, what the build's cache folder holds is read instead of computed, and what is computed
        # is kept there; and the first rebuild takes, from the output folder, every file the last build (or
        # preview start-up) made there that is still what its manifest says and would be made the same now.
        self.cache = self.root / CACHE_DIR if cache else None
        self.memo = SharedMemo(self.cache) if self.cache else Memo()
        self.page_digests: dict[str, str] = {}  # page path → its digest (engine.Digests.page) when last written
        self.on_disk: dict[str, str] = {}  # output path → sha256 of the bytes written there
        self.problems: list[Problem] = []  # of the latest rebuild (empty when it succeeded)
        self.builds = 0  # rebuilds attempted, good or bad
        self._env = self._env_digest = None
        self._signatures: dict[str, tuple[int, int, int]] = {}  # input path → (inode, size, mtime) before last read
        # The search index, kept apart so a background thread can make it (see request_search).
        self.search_on_disk: dict[str, str] = {}  # pagefind/ path → sha256 of the bytes written there
        self.search_problems: list[Problem] = []  # of the latest search index (empty when it was made)
        self.search_memo = SharedMemo(self.cache) if self.cache else Memo()
        self.search_digest = ""  # the digest (engine.Digests.search) of the site whose index is on disk
        self._search_lock = threading.Lock()  # one index made or written at a time
        self._search_wanted = threading.Condition()
        self._search_site: Site | None = None  # the latest good site, waiting for its index
        self._search_requested = self._search_done = 0
        self._search_stale = False  # the latest good site's index was not asked for yet (update(search=False))
        self._shown: Site | None = None  # the site as published by the latest good rebuild
        self._checked: tuple[Project, Site] | None = None  # the project and checked site of the latest good rebuild
        self._todo: _Todo | None = None  # what the latest good rebuild left for finish (first_only)
        self._deferred: list[str] = []  # pages left stale by the latest good rebuild (first_only)
        self._search_digest_wanted = ""  # that of the latest good site (whose index the thread makes)
        self._search_site_digest = ""  # that of the site waiting for its index
        self._feeds: dict[str, tuple[str, str]] = {}  # input path → (its text, sha256), for Digests
        self.adopted = 0  # files the first rebuild took from the output folder as the last build left them
        self._worklist_lock = threading.Lock()
        self._worklist: tuple[Site | None, list[Problem]] = (None, [])

    def start(self) -> Outcome:
        """Read the whole project and build it (search index included)."""
        self._signatures = self._scan()  # before reading: a save made while reading differs from it
        self.project = read_project(self.root)
        outcome = self._rebuild(search=True)
        if outcome.ok:
            self.save_manifest()
        return outcome

    def update(
        self,
        changed: Iterable[str],
        *,
        search: bool = True,
        first_only: bool = False,
        first: Iterable[str] | Callable[[str | None, frozenset[str]], Iterable[str]] = (),
    ) -> Outcome:
        """Take changes to the files at ``changed`` (paths relative to the project root) into account, and to
        any other input file whose inode, size or modification time differs from when it was last read.

        With ``search=False`` the search index is left as it is: call ``request_search`` after the pages
        are served (the server does), or the index stays that of an earlier save. With ``first_only`` only the
        pages named in ``first`` (the pages open in a browser; or a function of the save's target and focus
        that names them) and the save's ``Outcome.target`` are rendered and written; the rest of the plan (``Outcome.deferred``) and the editor's id schema are left to
        ``finish`` (or to the next update, even ``update([])``, which renders whatever is still stale).
        """
        changed = set(changed) | self.rescan()
        try:
            self.project = refresh_project(self.project, sorted(changed))
        except Exception:  # noqa: BLE001 - read them all again next time rather than keep a stale copy
            for rel in changed:
                self._signatures.pop(rel, None)
            raise
        return self._rebuild(search=search, first_only=first_only, first=first, changed=changed)

    def rescan(self) -> set[str]:
        """The input paths that appeared, disappeared or changed since they were last read; they count as
        read from now on (``update`` reads them)."""
        now = self._scan()
        changed = {rel for rel in now.keys() | self._signatures.keys() if now.get(rel) != self._signatures.get(rel)}
        self._signatures = now
        return changed

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        """(inode, size, mtime) of every file the build reads: a rename over a file changes its inode."""
        found = {}
        for top in (CONTENT, TEMPLATES, SEEDS):
            for folder, dirs, names in os.walk(self.root / top):
                dirs[:] = [d for d in dirs if not d.startswith((".", "#"))]
                for name in names:
                    path = os.path.join(folder, name)
                    rel = Path(path).relative_to(self.root).as_posix()
                    if classify(rel)[0] is None:
                        continue
                    try:
                        st = os.stat(path)
                    except OSError:  # gone since the walk listed it, or a link to nowhere: read will say
                        found[rel] = (0, -1, 0)
                        continue
                    found[rel] = (st.st_ino, st.st_size, st.st_mtime_ns)
        return found

    def affected_pages(self, pages: list[PageSpec], digests: Digests) -> list[PageSpec]:
        """The pages whose inputs changed since they were last rendered."""
        return [p for p in pages if digests.page(p) != self.page_digests.get(p.path)]

    def digests(self, site: Site) -> Digests:
        """The digests of the inputs and pages of ``site`` (the site as shown), as the build makes them."""
        feeds = input_feeds(self.project, self._feeds)
        return Digests(self.project, drafts=self.drafts, site=site, feeds=feeds)

    def _rebuild(self, *, search: bool, first_only: bool = False, first=(), changed: set[str] | None = None) -> Outcome:
        start = time.perf_counter()
        self.builds += 1
        self._todo = None  # whatever an earlier update left is stale under this one's digests: planned again here
        writing = False
        try:
            checked = check_project(self.project, self.memo)
            site, pages = plan(self.project, checked, drafts=self.drafts)
            digests = self.digests(site)
            index_taken = not self.on_disk and bool(self.cache) and not self._adopt(pages, digests)
            search = search and not index_taken
            stale = self.affected_pages(pages, digests)
            target, focus = self._target(changed or set(), site, pages)
            if first_only and self.on_disk:  # the first write replaces the whole folder: everything then
                wanted = set(first(target, focus) if callable(first) else first) | {target}
                now = [p for p in stale if p.path in wanted]
                later = [p for p in stale if p.path not in wanted]
                later.sort(key=_reading_order)
            else:
                now, later = stale, []
            if not later and first_only:
                first_only = False  # nothing left but the id schema: write it now
            if not first_only:
                idschema.write(self.project.root, checked)  # the editor's completion of ids follows each save
            env = self._environment(digests.inputs.get("templates"))
            rendered = render(self.project, site, now, env)
            if not self.on_disk:  # the first write replaces the whole folder, so it carries the index too
                search = True
            expected = {p.path for p in pages} | set(self.project.static)
            with self._search_lock if search else _NO_LOCK:
                index = self._search_files(site) if search else None
                writing = True
                if index is not None:
                    self.search_digest = ""  # until it is all written
                written = self._write(rendered, expected=expected, index=index)
                if index is not None:
                    self.search_digest = digests.search()
        except BuildFailed as failed:
            self.problems = failed.problems
            return Outcome(ok=False, problems=failed.problems, seconds=time.perf_counter() - start)
        except Exception as err:  # noqa: BLE001 - any failure is this save's problem: never a stale or empty state
            if writing:  # some of them may be written: they are made again, never taken as they are
                for page in now:
                    self.page_digests.pop(page.path, None)
            return self._failed(err, writing, start)
        finally:
            self.memo.prune()
        self.page_digests = {p.path: self.page_digests[p.path] for p in pages if p.path in self.page_digests}
        self.page_digests.update((p.path, digests.page(p)) for p in now)
        self._search_digest_wanted = digests.search()
        self.problems = []
        self._shown = site
        self._checked = (self.project, checked)
        self._search_stale = not search and not index_taken
        if later:
            self._todo = _Todo(
                project=self.project, checked=checked, site=site, env=env, digests=digests, expected=expected, pages=later
            )
        self._deferred = [p.path for p in later]
        return Outcome(
            ok=True,
            problems=[],
            rendered=sorted(rendered),
            written=written,
            seconds=time.perf_counter() - start,
            deferred=sorted(self._deferred),
            target=target,
            focus=focus,
        )

    def _adopt(self, pages: list[PageSpec], digests: Digests) -> bool:
        """Before the first write: take from the output folder every file the manifest of the last build (or
        preview start-up) says was made for the digest it has now and is still those bytes (as the build
        links them), so that they are not made again. Every other file is listed with the sha256 the manifest
        records when it still has those bytes (else as unknown), so that the first write writes only the files
        whose bytes differ and removes those the site no longer has. Nothing is taken when the folder is not a
        whole site as a build leaves it (no marker, a swap pending, a link in it). → whether the search index
        still has to be made (False: it was taken whole)."""
        out = self.out.resolve()
        if any(p.exists() for p in swap_paths(out)):
            return True
        try:
            found = files_of(str(out)) if (out / MARKER).is_file() else None
        except OSError:
            found = None
        if not found:
            return True
        previous = Store(self.cache).manifest(out)
        if not previous.files:
            return True
        pages_on_disk, index_on_disk = {}, {}
        for rel in found.keys() - {MARKER}:
            entry = previous.files.get(rel)
            # Still the bytes the manifest records (whatever they were made for): a file made again with the
            # same bytes is then not written again.
            sha = (entry and previous.reusable(out, rel, entry.digest)) or ""
            (index_on_disk if search_index.is_index_file(rel) else pages_on_disk)[rel] = sha
        for page in pages:
            rel = page.path
            if not pages_on_disk.get(rel) or rel in self.project.static:
                continue
            digest = digests.page(page)
            if previous.files[rel].digest == digest:
                self.page_digests[rel] = digest  # made for what it would be made for now: not made again
        search = digests.search()
        whole = previous.search == search and bool(index_on_disk) and all(index_on_disk.values())
        whole = whole and all(previous.files[rel].digest == search for rel in index_on_disk)
        if whole:
            self.search_digest = search
        self.on_disk, self.search_on_disk = pages_on_disk, index_on_disk
        self.adopted = len(self.page_digests) + sum(1 for rel in self.project.static if pages_on_disk.get(rel))
        self.adopted += len(index_on_disk) if whole else 0
        return not whole

    def save_manifest(self) -> None:
        """Write the output folder's manifest for the build (and the next start-up): each file's digest and
        sha256 as this preview wrote it, with its inode, size and times now (a file changed since fails the
        build's check of them and is made again). No summary: a build after a preview always checks."""
        if not self.cache or not self.on_disk:
            return
        with self._search_lock:
            made = {rel: (self.page_digests[rel], sha) for rel, sha in self.on_disk.items() if sha and rel in self.page_digests}
            made.update((rel, (sha, sha)) for rel, sha in self.on_disk.items() if sha and rel in self.project.static)
            if self.search_digest:
                made.update((rel, (self.search_digest, sha)) for rel, sha in self.search_on_disk.items() if sha)
            Store(self.cache).save_manifest(self.out.resolve(), made, self.search_digest, [])

    def _failed(self, err: Exception, writing: bool, start: float) -> Outcome:
        import traceback

        traceback.print_exc()  # on the terminal, for whoever fixes it; the page and status.json get one line
        error = f"{type(err).__name__}: {err}"
        self.problems = [
            Problem(
                path="build",
                line=0,
                col=0,
                message=(
                    f"writing the site failed: {error}; some files in it may be from this save, the rest from the last good one"
                    if writing
                    else f"the rebuild failed unexpectedly: {error}; this is a bug in build.py or a template"
                    " — the last good site is still served"
                ),
            )
        ]
        return Outcome(ok=False, problems=self.problems, seconds=time.perf_counter() - start)

    @property
    def unfinished(self) -> bool:
        """Whether the latest update left pages (or the editor's id schema) for ``finish``."""
        return self._todo is not None

    def finish(self, budget: float | None = None) -> Outcome:
        """Render and write what the latest update left (``first_only``), from that update's plan: all of it, or
        with ``budget`` (seconds) as many pages as fit in it (at least one), so the caller can serve requests
        between slices. When nothing is left, the editor's id schema is written too."""
        todo, start = self._todo, time.perf_counter()
        if todo is None:
            return Outcome(ok=not self.problems, problems=list(self.problems))
        deadline = None if budget is None else start + budget
        writing = False
        try:
            rendered = render(todo.project, todo.site, _until(todo.pages, deadline), todo.env)
            done = [p for p in todo.pages if p.path in rendered]
            writing = True
            written = _sync(self.out, rendered, todo.expected, self.on_disk)
            rest = [p for p in todo.pages if p.path not in rendered]
            if not rest:
                idschema.write(todo.project.root, todo.checked)
        except BuildFailed as failed:
            self._todo, self.problems = None, failed.problems
            return Outcome(ok=False, problems=failed.problems, seconds=time.perf_counter() - start)
        except Exception as err:  # noqa: BLE001 - as in update: a problem, never a traceback that stops the server
            self._todo = None
            if writing:
                for page in todo.pages:
                    self.page_digests.pop(page.path, None)
            return self._failed(err, writing, start)
        self.page_digests.update((p.path, todo.digests.page(p)) for p in done)
        todo.pages = rest
        self._todo = todo if rest else None
        self._deferred = [p.path for p in rest]
        return Outcome(
            ok=True,
            rendered=sorted(rendered),
            written=written,
            seconds=time.perf_counter() - start,
            deferred=sorted(self._deferred),
        )

    def _target(self, changed: set[str], site: Site, pages: list[PageSpec]) -> tuple[str | None, frozenset[str]]:
        """The page a save is about (see ``Outcome.target``) and the pages of its article."""
        slugs, only_claims = set(), True
        for rel in changed:
            part = classify(rel)[0]
            if part == "files" and rel not in self.project.files:
                continue  # gone: an editor's temporary file renamed over the real one, or a file deleted
            path = PurePosixPath(rel)
            if part != "files" or path.suffix not in (".md", ".yaml"):
                return None, frozenset()
            if path.parent.as_posix() == layout.ARTICLES_DIR and path.suffix == ".md":
                only_claims = False
            elif path.parent.as_posix() != layout.ANNOTATIONS_DIR or path.suffix != ".yaml":
                return None, frozenset()
            slugs.add(path.stem)
        paths = {p.path for p in pages}
        slug = next(iter(slugs)) if len(slugs) == 1 else None
        if slug is None or layout.article_path(slug) not in paths:
            return None, frozenset()
        claims = site.claims.get(slug, ())
        focus = frozenset({layout.article_path(slug)} | ({layout.claim_path(c.id) for c in claims} & paths))
        if self._shown is None:
            return layout.article_path(slug), focus
        old = {c.id: _unplaced(c) for c in self._shown.claims.get(slug, ())}
        new = {c.id: _unplaced(c) for c in claims}
        differ = [claim_id for claim_id, claim in new.items() if old.get(claim_id) != claim]
        if self._shown.articles.get(slug) == site.articles.get(slug):
            if not differ and old.keys() == new.keys():
                return None, frozenset()  # the same as before: a second event of one save, or a save of the same text
            if only_claims and len(differ) == 1 and old.keys() <= new.keys() and layout.claim_path(differ[0]) in paths:
                return layout.claim_path(differ[0]), focus
        return layout.article_path(slug), focus

    def worklist(self) -> tuple[list[Problem], str]:
        """The editor's worklist (``build.py report``) of the latest good rebuild, and its summary line; made
        once per rebuild, when first asked for (any thread: it reads only that rebuild's immutable data)."""
        with self._worklist_lock:
            checked = self._checked
            if checked is None:
                return [], summary([])
            project, site = checked
            if self._worklist[0] is not site:
                self._worklist = (site, sorted({*site.warnings, *worklist(project, site)}))
            items = self._worklist[1]
            return items, summary(items)

    def _environment(self, templates_digest: str | None):
        """The jinja environment, made again only when a template or static file changed."""
        if self._env is None or templates_digest != self._env_digest:
            self._env, self._env_digest = make_env(self.project.templates), templates_digest
        return self._env

    def _write(self, rendered: dict[str, bytes], expected: set[str], index: dict[str, bytes] | None) -> list[str]:
        """Write what changed: the whole folder the first time (swapped in), then file by file; the search
        index's files too when ``index`` is given (the first time it must be)."""
        files = {**rendered, **self.project.static}
        if not self.on_disk:
            write_site({**files, **index}, self.out)
            self.on_disk = {path: _sha(data) for path, data in files.items()}
            self.search_on_disk = {path: _sha(data) for path, data in index.items()}
            self.search_problems = []
            return sorted({**files, **index})
        written = _sync(self.out, files, expected, self.on_disk)
        if index is not None:
            written = sorted(written + _sync(self.out, index, set(index), self.search_on_disk))
            self.search_problems = []
        return written

    # -- the search index, after the pages -----------------------------------------------------------

    def _search_files(self, site: Site) -> dict[str, bytes]:
        """The index's files; made again only for a language whose records changed. Raises BuildFailed."""
        try:
            return search_index.build(site, self.search_memo)
        finally:
            self.search_memo.prune()

    def request_search(self) -> None:
        """Have the search thread (``run_search``) make the index of the latest good site."""
        with self._search_wanted:
            if self._shown is None:
                return
            self._search_site = self._shown
            self._search_site_digest = self._search_digest_wanted
            self._search_requested += 1
            self._search_stale = False
            self._search_wanted.notify_all()

    @property
    def search_current(self) -> bool:
        """Whether the index on disk (or its making failing) and every page are those of the latest good site:
        no page left for later, no index waiting to be made."""
        with self._search_wanted:
            return self._search_done == self._search_requested and not self._deferred and not self._search_stale

    def all_problems(self) -> list[Problem]:
        """The latest rebuild's problems, then the search index's."""
        return self.problems + [p for p in self.search_problems if p not in self.problems]

    def run_search(self, stop: threading.Event, done=lambda changed: None) -> None:
        """The search thread: make and write the index of the latest site asked for, until ``stop`` is set.

        A site asked for while an index is being made waits for it, and then only the latest one is indexed.
        ``done(changed)`` is called after each, ``changed`` telling whether its problems changed."""
        while True:
            with self._search_wanted:
                while self._search_site is None and not stop.is_set():
                    self._search_wanted.wait(0.5)
                if stop.is_set():
                    return
                site, generation, self._search_site = self._search_site, self._search_requested, None
                digest = self._search_site_digest
            before = list(self.search_problems)
            with self._search_lock:
                try:
                    index = self._search_files(site)
                    self.search_digest = ""  # until it is all written
                    _sync(self.out, index, set(index), self.search_on_disk)
                    self.search_digest = digest
                    self.search_problems = []
                except BuildFailed as failed:
                    self.search_problems = failed.problems
                except Exception as err:  # noqa: BLE001 - the thread must go on: the next save may fix it
                    self.search_problems = [
                        Problem(
                            path="build", line=0, col=0, message=f"the search index was not updated: {type(err).__name__}: {err}"
                        )
                    ]
            with self._search_wanted:
                self._search_done = generation
            done(before != self.search_problems)


def _site_wide(page: PageSpec) -> bool:
    """Whether a page lists the claims of several articles (what a reader of one article's pages does not see)."""
    return sum(key.startswith("claims:") for key in page.inputs) > 1


def _reading_order(page: PageSpec) -> tuple[bool, int]:
    """What a reviewer most likely opens next comes first: article pages, claim pages, the other pages of one
    article's claims (events, sources), and last the pages that list every article's claims."""
    return _site_wide(page), {"article": 0, "claim": 1}.get(page.kind, 2)


def _unplaced(claim: Claim) -> Claim:
    """A claim without its position in the file: lines added above it do not make it another claim."""
    return replace(claim, quote_at=None)


def _until(pages: list[PageSpec], deadline: float | None) -> Iterator[PageSpec]:
    """``pages`` one by one (at least one) until ``deadline`` (``time.perf_counter``) has passed."""
    for n, page in enumerate(pages):
        if n and deadline is not None and time.perf_counter() > deadline:
            return
        yield page


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_LOCK = _NoLock()


def _sync(out: Path, files: dict[str, bytes], expected: set[str], on_disk: dict[str, str]) -> list[str]:
    """Write the files of ``files`` whose bytes differ from ``on_disk`` and remove those ``on_disk`` has
    beyond ``expected``, keeping ``on_disk`` up to date; the paths written or removed."""
    written = []
    for path, data in sorted(files.items()):
        digest = _sha(data)
        if on_disk.get(path) != digest:
            _replace_file(out, path, data)
            on_disk[path] = digest
            written.append(path)
    for path in sorted(set(on_disk) - expected):
        (out / path).unlink(missing_ok=True)
        del on_disk[path]
        written.append(path)
    return written


def _replace_file(out: Path, rel: str, data: bytes) -> None:
    """Write one output file atomically: beside it first, then renamed over it."""
    target = out.joinpath(*PurePosixPath(rel).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
