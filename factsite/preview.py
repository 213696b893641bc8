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
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import idschema, search_index
from .cache import Memo
from .diagnostics import BuildFailed, Problem
from .load import CONTENT, SEEDS, TEMPLATES, Project, classify, read_project, refresh_project
from .model import Site
from .pages import PageSpec, input_keys
from .pipeline import check_project, plan, render
from .render import make_env
from .write import write_site


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
    """Pages left for later (``update(first_only=True)``): still stale, the next update renders them."""


def _sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


class Preview:
    """The site in memory and on disk, brought up to date one change at a time."""

    def __init__(self, root: Path, out: Path, *, drafts: bool = False):
        self.root, self.out, self.drafts = Path(root), Path(out), drafts
        self.project = Project(root=self.root)
        self.memo = Memo()
        self.page_digests: dict[str, str] = {}  # page path → digest of its inputs when last rendered
        self.on_disk: dict[str, str] = {}  # output path → sha256 of the bytes written there
        self.problems: list[Problem] = []  # of the latest rebuild (empty when it succeeded)
        self.builds = 0  # rebuilds attempted, good or bad
        self._env = self._env_digest = None
        self._signatures: dict[str, tuple[int, int, int]] = {}  # input path → (inode, size, mtime) before last read
        # The search index, kept apart so a background thread can make it (see request_search).
        self.search_on_disk: dict[str, str] = {}  # pagefind/ path → sha256 of the bytes written there
        self.search_problems: list[Problem] = []  # of the latest search index (empty when it was made)
        self.search_memo = Memo()
        self._search_lock = threading.Lock()  # one index made or written at a time
        self._search_wanted = threading.Condition()
        self._search_site: Site | None = None  # the latest good site, waiting for its index
        self._search_requested = self._search_done = 0
        self._shown: Site | None = None  # the site as published by the latest good rebuild
        self._deferred: list[str] = []  # pages left stale by the latest good rebuild (first_only)

    def start(self) -> Outcome:
        """Read the whole project and build it (search index included)."""
        self._signatures = self._scan()  # before reading: a save made while reading differs from it
        self.project = read_project(self.root)
        return self._rebuild(search=True)

    def update(self, changed: Iterable[str], *, search: bool = True, first_only: bool = False) -> Outcome:
        """Take changes to the files at ``changed`` (paths relative to the project root) into account, and to
        any other input file whose inode, size or modification time differs from when it was last read.

        With ``search=False`` the search index is left as it is: call ``request_search`` after the pages
        are served (the server does), or the index stays that of an earlier save. With ``first_only`` the
        pages that list the claims of several articles (the home page, the feeds, the data...) are left stale
        (``Outcome.deferred``) when other pages changed too: those come first, and the next update, even
        ``update([])``, renders the rest.
        """
        changed = set(changed) | self.rescan()
        try:
            self.project = refresh_project(self.project, sorted(changed))
        except Exception:  # noqa: BLE001 - read them all again next time rather than keep a stale copy
            for rel in changed:
                self._signatures.pop(rel, None)
            raise
        return self._rebuild(search=search, first_only=first_only)

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

    def affected_pages(self, pages: list[PageSpec], digests: dict[str, str] | None = None) -> list[PageSpec]:
        """The pages whose inputs changed since they were last rendered."""
        digests = digests or self.input_digests()
        return [p for p in pages if self._page_digest(p, digests) != self.page_digests.get(p.path)]

    def input_digests(self) -> dict[str, str]:
        """Input key (see ``render.input_keys``) → digest of the files that feed it."""
        parts: dict[str, list[str]] = defaultdict(list)
        for rel, text in self.project.files.items():
            digest = self.memo.get(("sha", rel, text), lambda t=text: _sha(t))
            for key in input_keys(rel):
                parts[key].append(f"{rel}:{digest}")
        for name, text in self.project.templates.items():
            parts["templates"].append(f"{name}:{self.memo.get(('sha', name, text), lambda t=text: _sha(t))}")
        # Static files feed no page: they are copied when their bytes change (see _write), so a
        # style sheet edit re-renders nothing.
        return {key: _sha("\n".join(values)) for key, values in parts.items()}

    def _page_digest(self, page: PageSpec, digests: dict[str, str]) -> str:
        return _sha(f"drafts={self.drafts}\n" + "\n".join(f"{k}={digests.get(k, '-')}" for k in sorted(page.inputs)))

    def _rebuild(self, *, search: bool, first_only: bool = False) -> Outcome:
        start = time.perf_counter()
        self.builds += 1
        writing = False
        try:
            digests = self.input_digests()
            checked = check_project(self.project, self.memo)
            idschema.write(self.project.root, checked)  # the editor's completion of ids follows each save
            site, pages = plan(self.project, checked, drafts=self.drafts)
            stale = self.affected_pages(pages, digests)
            later = [p for p in stale if _site_wide(p)] if first_only and self.on_disk else []
            if len(later) == len(stale):  # nothing else changed: no reason to wait
                later = []
            stale = [p for p in stale if p not in later]
            rendered = render(self.project, site, stale, self._environment(digests.get("templates")))
            if not self.on_disk:  # the first write replaces the whole folder, so it carries the index too
                search = True
            with self._search_lock if search else _NO_LOCK:
                index = self._search_files(site) if search else None
                writing = True
                written = self._write(rendered, expected={p.path for p in pages} | set(self.project.static), index=index)
        except BuildFailed as failed:
            self.problems = failed.problems
            return Outcome(ok=False, problems=failed.problems, seconds=time.perf_counter() - start)
        except Exception as err:  # noqa: BLE001 - any failure is this save's problem: never a stale or empty state
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
        finally:
            self.memo.prune()
        self.page_digests = {p.path: self.page_digests.get(p.path, "") for p in pages}  # forget removed pages
        self.page_digests.update((p.path, self._page_digest(p, digests)) for p in stale)
        self.problems = []
        self._shown = site
        self._deferred = sorted(p.path for p in later)
        return Outcome(
            ok=True,
            problems=[],
            rendered=sorted(rendered),
            written=written,
            seconds=time.perf_counter() - start,
            deferred=self._deferred,
        )

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
            self._search_requested += 1
            self._search_wanted.notify_all()

    @property
    def search_current(self) -> bool:
        """Whether the index on disk (or its making failing) and every page are those of the latest good site:
        no page left for later, no index waiting to be made."""
        with self._search_wanted:
            return self._search_done == self._search_requested and not self._deferred

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
            before = list(self.search_problems)
            with self._search_lock:
                try:
                    index = self._search_files(site)
                    _sync(self.out, index, set(index), self.search_on_disk)
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
