"""The build engine: a build that does only the work a change needs, on every core, and streams its output.

``build(root, out)`` reads and checks the project with a ``DiskMemo`` (parsed
files, texts and anchors, and search bundles, kept in ``.factsite/cache/`` from
one build to the next), plans the pages, and gives every output file a digest
of everything its bytes depend on: its kind, key and path, the files of its
declared inputs (``PageSpec.inputs``, see ``pages.input_keys``), the drafts
flag and the code version. The cache's manifest of the previous build says
which digest and which bytes (sha256) each file of the previous site has; a
file whose digest is unchanged, and which is still those bytes, is hard-linked
from the previous site into the new one (copied where links cannot be made),
and every other page is rendered, in worker processes forked from this one
(they inherit the checked site; each takes chunks of the plan, renders, writes
its files straight into the new folder and hands back only paths and
sha256s). The search index is made again only when something it indexes
changed; static files are linked when their bytes are unchanged. Nothing holds
every page's bytes at once.

The new site is then swapped in whole, as ``write.write_site`` does (the same
rules and messages): a failure anywhere leaves the previous site as it was. The
manifest is written after the swap and is only ever a hint: a file is linked
only when its bytes are verified (its inode, size and times as recorded after
the last build, or else its sha256), so a manifest that does not match the site
(a build killed after its swap) costs renders, never a wrong page.

``check(root)`` is the build minus the write: it plans every page and renders
those whose digest has not rendered successfully before (template errors are
caught), without writing them.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import listed, search_index
from .cache import CACHE_DIR, DiskMemo, Memo, atomic_write, clean_temporaries, code_version
from .diagnostics import BuildFailed, Problem
from .layout import MARKER, SEEDS, SITE, TEMPLATES
from .load import Project, read_project
from .model import Site
from .pages import PageSpec, input_keys
from .pipeline import check_project, plan
from .render import Renderer, SignedBytecodeCache, make_env
from .write import NewSite, output_problem, site_path, swap_paths

FORMAT = 1
"""Bump when what a digest covers, or the manifest's layout, changes."""
MANIFESTS = "manifests"
CHECKED = "checked.json"
TEMPLATES_CACHE = "templates"
POOL_MIN_PAGES = 48
"""Fewer pages to render than this are rendered in this process: forking workers would cost more."""
CHUNK_MAX = 64
"""Most pages in one worker task."""


@dataclass(kw_only=True)
class BuildResult:
    """What a build (or a check) did."""

    site: Site | None
    """The checked site, drafts included, with its warnings and notes; None when the build found nothing
    changed since the last one (``reused``) and did not check it again."""
    out: Path | None
    """The output folder (None for a check)."""
    pages: int = 0
    """Pages planned."""
    html_pages: int = 0
    """Of the files of the site, the HTML pages."""
    files: int = 0
    """Files of the site: pages, the search index and static files (the marker not counted)."""
    rendered: int = 0
    """Pages rendered (their digest changed, or their previous file was not there to reuse)."""
    linked: int = 0
    """Files taken unchanged from the previous site by a hard link."""
    copied: int = 0
    """Files taken unchanged from the previous site by a copy (where a link could not be made)."""
    skipped: int = 0
    """For a check: pages not rendered, since they rendered before with the same digest."""
    written: int = 0
    """Search index and static files written (their bytes changed)."""
    search: str = ""
    """What became of the search index: ``made`` (all or some bundles from the cache), ``linked`` or ``skipped``."""
    jobs: int = 1
    """Processes that rendered pages (1: this one)."""
    memo: dict[str, int] = field(default_factory=dict)
    """The cache: entries ``hits`` (``loaded`` of them from disk), ``misses`` (computed) and ``stored``."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage, in order: read, check, plan, digest, prepare, link, search, render, swap, finish."""
    reused: bool = False
    """Nothing changed since the last build (no input, no option, no byte of its site): nothing was done."""
    warnings: tuple[Problem, ...] = ()
    """The site's warnings (the last build's, when ``reused``)."""

    @property
    def unchanged(self) -> int:
        """Files taken from the previous site (linked or copied)."""
        return self.linked + self.copied

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def build(
    root: Path,
    out: Path | None = None,
    *,
    drafts: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    on_checked: Callable[[Site], None] | None = None,
) -> BuildResult:
    """Read, check, plan and render the project at ``root`` into the output folder ``out`` (``root/site`` by
    default), rendering and writing only what changed since the last build when ``cache`` is on; ``jobs``
    processes render (default: one per core; 1 renders in this one). ``on_checked(site)`` is called once the
    site is checked, before anything is written (the command line prints warnings and writes the editor's
    schemas there). Raises BuildFailed, with the previous site as it was."""
    clock = _Clock()
    root = Path(root)
    out = Path(out) if out is not None else root / SITE
    unsafe = output_problem(out, root)  # before anything else: an output folder that is not ours fails fast
    if unsafe:
        raise BuildFailed([unsafe])
    project = read_project(root)
    clock("read")
    store = Store(root / CACHE_DIR) if cache else None
    feeds = input_feeds(project)
    build_key = _build_key(feeds, project, drafts=drafts, strict=strict) if store else ""
    last = store.unchanged(out, build_key) if store else None
    if last is not None:  # every input and the whole site as the last build left them: nothing to do
        clock("verify")
        return BuildResult(site=None, out=out.resolve(), reused=True, timings=clock.stages, memo=_memo_counts(Memo()), **last)
    memo = store.memo if store else Memo()
    site = check_project(project, memo, strict=strict)
    clock("check")
    if on_checked:
        on_checked(site)
    shown, pages = plan(project, site, drafts=drafts)
    clock("plan")
    digests = Digests(project, drafts=drafts, site=shown, feeds=feeds)
    page_digests = [digests.page(spec) for spec in pages]
    search_digest = digests.search()
    clock("digest")
    result = BuildResult(site=site, out=out, pages=len(pages))
    made: dict[str, tuple[str, str]] = {}  # output path → (digest, sha256) of every file of the new site
    entries: list[str] = []  # the cache entries of the search index
    new = NewSite(out, project_root=root)
    try:
        result.out = new.out
        previous = store.manifest(new.out) if store and new.previous else Manifest()
        static = dict(project.static)
        to_render: list[int] = []  # indices in the plan
        to_link: list[tuple[str, str, str]] = []  # (path, digest, sha256)
        for index, (spec, digest) in enumerate(zip(pages, page_digests, strict=True)):
            if spec.path in static:  # a static file of the same path wins, as in build_project
                continue
            sha = previous.reusable(new.out, spec.path, digest)
            if sha:
                to_link.append((spec.path, digest, sha))
            else:
                to_render.append(index)
        new.makedirs([spec.path for spec in pages] + list(static))
        clock("prepare")
        with _Workers(project, shown, pages, to_render, new.folder, jobs, store) as workers:
            result.jobs = workers.jobs
            pending = workers.start()
            for path, digest, sha in to_link:
                result.linked += new.link(path)
                made[path] = (digest, sha)
            result.copied = len(to_link) - result.linked
            clock("link")
            result.search, entries = _search(new, shown, memo, previous, search_digest, made, result)
            for path, data in static.items():
                sha = hashlib.sha256(data).hexdigest()
                if previous.reusable(new.out, path, sha, sha=sha):
                    linked = new.link(path)
                    result.linked += linked
                    result.copied += not linked
                else:
                    new.write(path, data)
                    result.written += 1
                made[path] = (sha, sha)
            clock("search")
            for index, sha in workers.results(pending, new):
                made[pages[index].path] = (page_digests[index], sha)
                result.rendered += 1
            clock("render")
        new.commit()
    except BaseException:
        new.abort()
        if not new.swapped:
            raise
        _finish(store, new.out, made, search_digest, entries, page_digests, memo, None)  # the swap was made
        raise
    clock("swap")
    result.files = len(made)
    result.html_pages = sum(1 for path in made if path.endswith(".html"))
    result.warnings = tuple(site.warnings)
    summary = {"key": build_key, "pages": result.pages, "html_pages": result.html_pages, "files": result.files,
               "warnings": [asdict(p) for p in site.warnings]}  # fmt: skip
    _finish(store, new.out, made, search_digest, entries, page_digests, memo, summary)
    clock("finish")
    result.memo = _memo_counts(memo)
    result.timings = clock.stages
    if store:
        memo.prune()
    return result


def check(
    root: Path,
    *,
    drafts: bool = False,
    strict: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    on_checked: Callable[[Site], None] | None = None,
) -> BuildResult:
    """Everything ``build`` does but the write: read, check, anchor, plan, render (every page whose digest has
    not rendered successfully before, or every page without ``cache``) and make the search index (when
    what it indexes changed). Raises BuildFailed."""
    clock = _Clock()
    root = Path(root)
    project = read_project(root)
    clock("read")
    store = Store(root / CACHE_DIR) if cache else None
    memo = store.memo if store else Memo()
    site = check_project(project, memo, strict=strict)
    clock("check")
    if on_checked:
        on_checked(site)
    shown, pages = plan(project, site, drafts=drafts)
    clock("plan")
    digests = Digests(project, drafts=drafts, site=shown)
    page_digests = [digests.page(spec) for spec in pages]
    search_digest = digests.search()
    clock("digest")
    good = store.checked() if store else set()
    to_render = [n for n, digest in enumerate(page_digests) if digest not in good]
    result = BuildResult(site=site, out=None, pages=len(pages), skipped=len(pages) - len(to_render))
    with _Workers(project, shown, pages, to_render, None, jobs, store) as workers:
        result.jobs = workers.jobs
        pending = workers.start()
        if search_digest in good:
            result.search = "skipped"
        else:
            search_index.build(shown, memo)
            result.search = "made"
        clock("search")
        result.rendered = sum(1 for _ in workers.results(pending, None))
        clock("render")
    if store:
        store.save_checked([*page_digests, search_digest])
        memo.prune()
    clock("finish")
    result.memo = _memo_counts(memo)
    result.timings = clock.stages
    return result


# -- digests ---------------------------------------------------------------------------------------------


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


class Digests:
    """The digest of each input key (the files that feed it), and of each page: everything its bytes depend on."""

    def __init__(self, project: Project, *, drafts: bool, site: Site | None = None, feeds: list | None = None):
        parts: dict[str, list[str]] = defaultdict(list)
        for rel, digest in feeds if feeds is not None else input_feeds(project):
            for key in input_keys(rel):
                parts[key].append(f"{rel}\0{digest}")
        # Static files feed no page (the pages link them by name): they are copied when their bytes change.
        self.inputs = {key: _sha("\n".join(sorted(values))) for key, values in parts.items()}
        if site is not None:
            # Which of an article's claims the site shows depends on other files too: a draft claim whose source,
            # event or fact is gone is left out (``readers.drafts_aside``). Its claims key says which are shown.
            for slug, claims in site.claims.items():
                key = f"claims:{slug}"
                shown = ",".join(f"{c.id}{'@' if c.id in site.anchors else ''}" for c in claims)
                self.inputs[key] = _sha(f"{self.inputs.get(key, '-')}\0{shown}")
        # The pages depend on ``drafts`` only through the site shown: with no draft in it, a build with drafts
        # makes the same pages as one without (so the preview, which shows drafts, takes the build's pages).
        if site is not None:
            drafts = drafts and _shows_drafts(site)
        self.prefix = f"factsite-page {FORMAT}\ncode {code_version()}\ndrafts {drafts}\n"
        self._sets: dict[frozenset[str], str] = {}
        # The pages that list claims depend on what a list shows of them, not on the whole file (``listed``).
        self.full_kinds = listed.full_kinds(project.templates) if site is not None else None
        if self.full_kinds is not None:
            for slug in site.claims:
                full, article = self.inputs.get(f"claims:{slug}", "-"), self.inputs.get(f"article:{slug}", "-")
                self.inputs[f"{listed.PREFIX}{slug}"] = listed.listed_digest(site, slug, full, article)
        self._listing: dict[frozenset[str], frozenset[str]] = {}

    def of_inputs(self, keys: frozenset[str]) -> str:
        found = self._sets.get(keys)
        if found is None:
            found = self._sets[keys] = _sha("\n".join(f"{k}\0{self.inputs.get(k, '-')}" for k in sorted(keys)))
        return found

    def page(self, spec: PageSpec) -> str:
        keys = spec.inputs
        if self.full_kinds is not None and spec.kind not in self.full_kinds:
            keys = self._listing.get(keys) or self._listing.setdefault(keys, listed.listed_keys(keys))
        return _sha(f"{self.prefix}{spec.kind}\0{spec.key}\0{spec.path}\0{self.of_inputs(keys)}")

    def search(self) -> str:
        """The search index's: every input but the templates (it is made from the site, not from pages)."""
        return _sha(f"{self.prefix}search-index\0{self.of_inputs(frozenset(self.inputs) - {'templates'})}")


def _shows_drafts(site: Site) -> bool:
    """Whether ``site`` has a draft article or claim in it."""
    return any(a.draft for a in site.articles.values()) or any(c.draft for cs in site.claims.values() for c in cs)


# -- the cache folder: the memo, the manifests of the sites built, the pages known to render -----------------


@dataclass
class Entry:
    digest: str
    sha: str
    stat: tuple[int, ...]
    """(size, device, inode, mtime ns, ctime ns) after the build that wrote it."""


def _stat_key(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_size, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class Manifest:
    """What the previous build put in an output folder: each file's digest, sha256 and stat."""

    files: dict[str, Entry] = field(default_factory=dict)
    search: str = ""
    """The digest of the search index it made."""
    search_entries: list[str] = field(default_factory=list)
    """The cache entries its search bundles are (kept while the index is linked)."""

    def reusable(self, out: Path, rel: str, digest: str, *, sha: str | None = None) -> str | None:
        """The sha256 of the previous site's file at ``rel`` when it was made for ``digest`` (or, given ``sha``,
        has those bytes, whatever it was made for) and still has its bytes; else None."""
        entry = self.files.get(rel)
        if entry is None or (entry.sha != sha if sha else entry.digest != digest):
            return None
        try:
            path = site_path(str(out), rel)
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size != entry.stat[0]:
                return None
            if _stat_key(st) == entry.stat:
                return entry.sha
            with open(path, "rb") as file:  # touched since (or the manifest is not this site's): its bytes decide
                return entry.sha if hashlib.file_digest(file, "sha256").hexdigest() == entry.sha else None
        except (OSError, ValueError):
            return None


class Store:
    """The build's cache folder (``.factsite/cache``): the memo's entries, a manifest per output folder, and
    the digests of the pages known to render (for ``check``). Every file is written whole or not at all and
    carries a checksum; one that does not verify is ignored."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.memo = DiskMemo(folder, remember=False)  # one build: parsed files need not stay in memory
        self._manifests: dict[Path, dict | None] = {}

    def _manifest_path(self, out: Path) -> Path:
        return self.folder / MANIFESTS / f"{_sha(str(out))[:32]}.json"

    def _manifest_data(self, out: Path) -> dict | None:
        """The manifest of the site in ``out`` as this code wrote it, read once per build."""
        if out not in self._manifests:
            data = self._read(self._manifest_path(out))
            ok = data and data.get("out") == str(out) and data.get("code") == code_version()
            self._manifests[out] = data if ok else None
        return self._manifests[out]

    def manifest(self, out: Path) -> Manifest:
        data = self._manifest_data(out)
        if not data:
            return Manifest()
        try:
            files = {rel: Entry(e[0], e[1], tuple(e[2:])) for rel, e in data["files"].items()}
            return Manifest(files=files, search=data["search"], search_entries=list(data["search_entries"]))
        except (KeyError, TypeError, IndexError):
            return Manifest()

    def unchanged(self, out: Path, key: str) -> dict | None:
        """The last build's counts and warnings if it was made with ``key`` (the same inputs and options) into
        ``out``, and ``out`` is still exactly what it left: the same files, each with the inode, size and times
        recorded after that build (so not touched since), and nothing else; else None."""
        out = Path(out).resolve()
        if any(p.exists() for p in swap_paths(out)):  # a swap to finish or undo: the full build does it
            return None
        data = self._manifest_data(out)
        summary = data.get("summary") if data else None
        if not isinstance(summary, dict) or summary.get("key") != key:
            return None
        try:
            expected = {rel: tuple(e[2:]) for rel, e in data["files"].items()}
            found = files_of(str(out))  # None: no such folder, or something in it a build does not leave
            if found is None or found.keys() != expected.keys() | {MARKER}:
                return None
            if any(_stat_key(st) != expected[rel] for rel, st in found.items() if rel != MARKER):
                return None
            warnings = tuple(Problem(**{**p, "detail": tuple(p["detail"])}) for p in summary["warnings"])
            counts = {name: int(summary[name]) for name in ("pages", "html_pages", "files")}
        except (KeyError, TypeError, ValueError, IndexError, OSError):
            return None
        return {**counts, "warnings": warnings}

    def save_manifest(
        self, out: Path, made: dict[str, tuple[str, str]], search: str, search_entries: list[str], summary: dict | None = None
    ) -> None:
        self._manifests.pop(out, None)
        files, folder = {}, str(out)
        for rel, (digest, sha) in sorted(made.items()):
            try:
                st = os.lstat(site_path(folder, rel))
            except (OSError, ValueError):
                continue
            files[rel] = [digest, sha, *_stat_key(st)]
        self._write(
            self._manifest_path(out),
            {
                "out": str(out),
                "code": code_version(),
                "files": files,
                "search": search,
                "search_entries": search_entries,
                "summary": summary if summary and len(files) == len(made) else None,
            },  # fmt: skip
        )

    def templates(self) -> SignedBytecodeCache:
        """Where compiled templates are kept."""
        return SignedBytecodeCache(self.folder / TEMPLATES_CACHE, self.memo.secret(), code_version())

    def checked(self) -> set[str]:
        data = self._read(self.folder / CHECKED)
        return set(data.get("digests", ())) if data and data.get("code") == code_version() else set()

    def save_checked(self, digests: Iterable[str]) -> None:
        self._write(self.folder / CHECKED, {"code": code_version(), "digests": sorted(set(digests))})

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            data = path.read_bytes()
            head, _, body = data.partition(b"\n")
            if head.decode("ascii") != f"factsite-cache {FORMAT} {_sha(body)}":
                return None
            found = json.loads(body)
            return found if isinstance(found, dict) else None
        except (OSError, ValueError):
            return None

    @staticmethod
    def _write(path: Path, data: dict) -> None:
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        with contextlib.suppress(OSError):  # the cache is best effort: without it the next build does more
            path.parent.mkdir(parents=True, exist_ok=True)
            clean_temporaries(path.parent)
            atomic_write(path, f"factsite-cache {FORMAT} {_sha(body)}\n".encode("ascii") + body)


def _finish(store, out, made, search_digest, search_entries, page_digests, memo, summary) -> None:
    """After the swap: the manifest of the new site, and the pages known to render. ``summary`` (the build's
    key, counts and warnings) lets the next build with the same key do nothing; None, after a build that
    did not finish, leaves none."""
    if store is None:
        return
    store.save_manifest(out, made, search_digest, search_entries or [], summary)
    store.save_checked([*page_digests, search_digest])


def input_feeds(project: Project, known: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """``(path, sha256)`` of every file the pages are made from: content, templates and seeds. With ``known``
    (path → (text, sha256), kept from one call to the next by the preview), a text seen before is not
    hashed again; ``known`` is brought up to date."""
    texts = [*project.files.items(), *((f"{TEMPLATES}/{name}", text) for name, text in project.templates.items())]
    if known is None:
        feeds = [(rel, _sha(text)) for rel, text in texts]
    else:
        feeds = []
        for rel, text in texts:
            found = known.get(rel)
            if found is None or (found[0] is not text and found[0] != text):
                found = known[rel] = (text, _sha(text))
            feeds.append((rel, found[1]))
        for rel in known.keys() - {rel for rel, _ in texts}:
            del known[rel]
    feeds += [(f"{SEEDS}/{name}", seed.sha256) for name, seed in project.seeds.items()]
    return feeds


def _build_key(feeds: list[tuple[str, str]], project: Project, *, drafts: bool, strict: bool) -> str:
    """A digest of everything a build's output depends on: the code, the options and every file it reads
    (``feeds``, the static files too), by path and bytes."""
    static = [(f"static:{rel}", _sha(data)) for rel, data in project.static.items()]
    lines = "\n".join(f"{rel}\0{digest}" for rel, digest in sorted(feeds + static))
    return _sha(f"factsite-build {FORMAT}\ncode {code_version()}\ndrafts {drafts}\nstrict {strict}\n{lines}")


def files_of(folder: str) -> dict[str, os.stat_result] | None:
    """Every file under ``folder`` (relative path → its lstat), or None if it holds anything but files and
    folders (a link)."""
    found: dict[str, os.stat_result] = {}
    stack = [("", folder)]
    while stack:
        prefix, path = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    found[rel] = entry.stat(follow_symlinks=False)
                else:
                    return None
    return found


def _memo_counts(memo: Memo) -> dict[str, int]:
    return {name: getattr(memo, name, 0) for name in ("hits", "loaded", "misses", "stored")}


# -- the search index --------------------------------------------------------------------------------------


def _search(new: NewSite, shown: Site, memo: Memo, previous: Manifest, digest: str, made: dict, result: BuildResult):
    """Link the previous site's search index if nothing it indexes changed and it is all there, else make it
    (each language's bundle from the cache when its records are unchanged) → (what was done, cache entries)."""
    old = {rel: entry for rel, entry in previous.files.items() if entry.digest == digest} if previous.search == digest else {}
    shas = {rel: previous.reusable(new.out, rel, digest) for rel in old}
    if old and all(shas.values()):
        for rel, sha in sorted(shas.items()):
            linked = new.link(rel)
            result.linked += linked
            result.copied += not linked
            made[rel] = (digest, sha)
        memo.keep(previous.search_entries)
        return "linked", previous.search_entries
    with memo.recording() as entries:
        files = search_index.build(shown, memo)
    for rel, data in files.items():
        sha = hashlib.sha256(data).hexdigest()
        if previous.reusable(new.out, rel, digest, sha=sha):  # Pagefind names most files by their contents
            linked = new.link(rel)
            result.linked += linked
            result.copied += not linked
        else:
            new.write(rel, data)
            result.written += 1
        made[rel] = (digest, sha)
    return "made", entries


# -- rendering, on every core ---------------------------------------------------------------------------------

_WORK: tuple[Renderer, str | None, list[PageSpec]] | None = None
"""What a worker renders with (the renderer, the folder to write into, the plan), set before the workers fork."""


def _render_chunk(chunk: list[int]):
    """Render (and write, into the new site's folder) a share of the plan, given as indices in it →
    ([(index, sha256)], failure or None), where a failure is ``(index, problems, None)`` or
    ``(index, None, (errno, strerror, filename))``."""
    assert _WORK is not None
    renderer, folder, pages = _WORK
    done = []
    for index in chunk:
        spec = pages[index]
        try:
            data = renderer.render(spec)
        except BuildFailed as failed:
            return done, (index, failed.problems, None)
        if folder is not None:
            try:
                with open(site_path(folder, spec.path), "xb") as file:  # never into a file of the old site
                    file.write(data)
            except OSError as err:
                return done, (index, None, (err.errno, err.strerror, err.filename))
        done.append((index, hashlib.sha256(data).hexdigest()))
    return done, None


def _worker_started(parent: int) -> None:
    """In each worker: die with the build (Linux), and leave Ctrl-C to the build, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build died before the line above could take effect
        os._exit(1)


def default_jobs() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class _Workers:
    """The processes that render: forked from this one once the site is checked, so that each inherits it,
    the plan and the compiled templates instead of receiving them; or this process alone, for ``jobs=1``, for
    few pages, or where processes cannot be forked."""

    def __init__(self, project: Project, site: Site, pages: list[PageSpec], to_render: list[int], folder, jobs, store):
        self.pages, self.to_render, self.folder = pages, to_render, folder
        compiled = store.templates() if store else None
        self.renderer = Renderer(make_env(project.templates, bytecode_cache=compiled), site)
        wanted = default_jobs() if jobs is None else max(1, int(jobs))
        # Forking is safe on Linux from a process with no other thread (a server calling the engine has some).
        can_fork = sys.platform == "linux" and threading.active_count() == 1
        self.jobs = min(wanted, len(to_render)) if can_fork and wanted > 1 and len(to_render) >= POOL_MIN_PAGES else 1
        if self.jobs > 1:  # else each template is compiled (or loaded) when first used
            self.renderer.compile(project.templates)
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.stop(done=kind is None)

    def start(self) -> list:
        """Start rendering: in the workers, or in this process as ``results`` is read."""
        global _WORK
        _WORK = (self.renderer, None if self.folder is None else str(self.folder), self.pages)
        todo = self.to_render
        if self.jobs == 1:
            return [todo] if todo else []
        size = max(1, min(CHUNK_MAX, math.ceil(len(todo) / (self.jobs * 4))))
        chunks = [todo[n : n + size] for n in range(0, len(todo), size)]
        gc.freeze()  # what is made so far stays put, so the workers share its memory with this process
        try:
            self.pool = ProcessPoolExecutor(
                self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_started, initargs=(os.getpid(),)
            )
            return [self.pool.submit(_render_chunk, chunk) for chunk in chunks]
        finally:
            gc.unfreeze()

    def results(self, pending: list, new: NewSite | None):
        """Each rendered page's (index in the plan, sha256), in plan order; the first failure in plan order is
        raised as BuildFailed (a template's problem, or the write's, with the new site removed)."""
        for task in pending:
            if self.pool is None:
                done, failure = _render_chunk(task)
            else:
                try:
                    done, failure = task.result()
                except BrokenProcessPool:
                    self.stop(done=False)
                    raise BuildFailed([_worker_died()]) from None
            yield from done
            if failure:
                self.stop(done=False)
                _index, problems, error = failure
                if problems:
                    raise BuildFailed(problems)
                err = OSError(error[0], error[1], error[2])
                raise new.failed(err) if new else err

    def stop(self, *, done: bool) -> None:
        """Let the workers go when they are ``done``; else stop them at once (they only ever write into the new
        site's folder, which goes)."""
        global _WORK
        _WORK = None
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if done:
            pool.shutdown(wait=True)
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_died() -> Problem:
    return Problem(
        path="build",
        line=0,
        col=0,
        message="a process rendering pages stopped before it was done (killed for want of memory?); "
        "nothing was written. Build again, with fewer processes (-j 1) if it happens again",
    )


# -- timing -------------------------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self._last = now
