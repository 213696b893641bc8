"""Keep the output folder up to date as files change, doing only the work a change needs.

This is the engine of ``build.py serve``. It keeps the project, the parsed files
(a ``Memo``) and a digest of every page's inputs in memory. On each change it
re-reads only the changed files, checks the whole site (cheap, because parsed
files are reused), renders only the pages whose inputs changed, and replaces
only the output files whose bytes changed, each atomically. A failed check
writes nothing: the last good site stays in place and the problems are kept
for the browser overlay.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import search_index
from .cache import Memo
from .diagnostics import BuildFailed, Problem
from .load import Project, read_project, refresh_project
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

    def start(self) -> Outcome:
        """Read the whole project and build it."""
        self.project = read_project(self.root)
        return self._rebuild()

    def update(self, changed: Iterable[str]) -> Outcome:
        """Take changes to the files at ``changed`` (paths relative to the project root) into account."""
        self.project = refresh_project(self.project, changed)
        return self._rebuild()

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

    def _rebuild(self) -> Outcome:
        start = time.perf_counter()
        self.builds += 1
        writing = False
        try:
            digests = self.input_digests()
            site, pages = plan(self.project, check_project(self.project, self.memo), drafts=self.drafts)
            stale = self.affected_pages(pages, digests)
            rendered = render(self.project, site, stale, self._environment(digests.get("templates")))
            # The search index is made again only when a record changed (the memo keeps the last one).
            search = search_index.build(site, self.memo)
            writing = True
            written = self._write(
                {**rendered, **search}, expected={p.path for p in pages} | set(search) | set(self.project.static)
            )
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
        return Outcome(ok=True, problems=[], rendered=sorted(rendered), written=written, seconds=time.perf_counter() - start)

    def _environment(self, templates_digest: str | None):
        """The jinja environment, made again only when a template or static file changed."""
        if self._env is None or templates_digest != self._env_digest:
            self._env, self._env_digest = make_env(self.project.templates), templates_digest
        return self._env

    def _write(self, rendered: dict[str, bytes], expected: set[str]) -> list[str]:
        """Write what changed: the whole folder the first time (swapped in), then file by file."""
        files = {**rendered, **self.project.static}
        if not self.on_disk:
            write_site(files, self.out)
            self.on_disk = {path: _sha(data) for path, data in files.items()}
            return sorted(files)
        written = []
        for path, data in sorted(files.items()):
            digest = _sha(data)
            if self.on_disk.get(path) != digest:
                _replace_file(self.out, path, data)
                self.on_disk[path] = digest
                written.append(path)
        for path in sorted(set(self.on_disk) - expected):
            (self.out / path).unlink(missing_ok=True)
            del self.on_disk[path]
            written.append(path)
        return written


def _replace_file(out: Path, rel: str, data: bytes) -> None:
    """Write one output file atomically: beside it first, then renamed over it."""
    target = out.joinpath(*PurePosixPath(rel).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
