"""Turn the plan of pages into bytes, in memory: the jinja environment and the render loop.

Templates receive plain data from each page kind (``factsite/pages/``) and
only loop, test and format; every address they print comes from ``layout``
through the ``link`` global, made relative to the page being rendered.
Autoescape is on; the only HTML marked safe is what the page kinds and
``markdown.render_markdown`` generate. Any error a template raises while
rendering (a typo, ``{{ 1 / 0 }}``) becomes a problem located in that template.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path

import jinja2

from . import layout, vocab
from .cache import atomic_write
from .dates import display_range
from .diagnostics import BuildFailed, Problem
from .markdown import make_markdown, render_markdown
from .model import Site
from .pages import KINDS, PageSpec, Views


def make_env(templates: Mapping[str, str], *, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The jinja2 environment over the project's templates ({name: source}, read by ``load``):
    autoescape on, undefined names are errors, no stray whitespace. With ``bytecode_cache`` (the build's
    ``SignedBytecodeCache``), templates compiled by an earlier build are not compiled again."""

    def source(name: str):
        # The file name jinja reports in errors is the path a reviewer can open.
        return (templates[name], f"{layout.TEMPLATES}/{name}", lambda: True) if name in templates else None

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
    )
    fields, prose = make_markdown(), make_markdown(heading_ids=True)
    # Event bodies appear on every article page, an explanation on its claim's page and its article's: render
    # each text once per environment (room for the explanations of some 3,000 articles: a cache smaller than
    # what lies between a text's two uses keeps nothing).
    env.filters["markdown"] = functools.lru_cache(maxsize=2**16)(lambda text: render_markdown(fields, text))
    env.filters["prose"] = lambda text: render_markdown(prose, text)
    env.filters["date"] = lambda d, end=None: display_range(d, end) if d else "date unknown"
    env.filters["truncate_url"] = _short_url
    env.globals["vocab_lang"] = vocab.language_name
    env.globals["link"] = _link
    return env


@jinja2.pass_context
def _link(context, kind: str, key: str = "") -> str:
    """``link("source", s.id)`` → ``../sources.html#source-x``: a site address, relative to the page being rendered."""
    return layout.relative(layout.url_for(kind, key), context["page_path"])


def _short_url(url: str, limit: int = 60) -> str:
    """An address for display: without the scheme, shortened in the middle if long."""
    text = url.split("://", 1)[-1]
    return text if len(text) <= limit else text[: limit - 21] + "…" + text[-20:]


def render_pages(env: jinja2.Environment, site: Site, pages: Iterable[PageSpec]) -> dict[str, bytes]:
    """Render each planned page → {output path: UTF-8 bytes}. Raises BuildFailed for a template error."""
    renderer = Renderer(env, site)
    return {page.path: renderer.render(page) for page in pages}


class Renderer:
    """Renders the pages of one site one at a time (the build's workers each hold one, and write as they go)."""

    def __init__(self, env: jinja2.Environment, site: Site):
        self.env, self.site = env, site
        self.views = Views(site)
        self.base_url = site.settings.base_url

    def render(self, page: PageSpec) -> bytes:
        """One planned page's bytes. Raises BuildFailed for a template error, located in its file."""
        kind = KINDS[page.kind]
        if kind.data is not None:
            return kind.data(self.views, page.key)
        context = {
            "root": layout.root_prefix(page.path),
            "page_path": page.path,
            "canonical": layout.absolute(self.base_url, page.path),
            **kind.context(self.views, page.key),
        }
        try:
            return self.env.get_template(kind.template).render(context).encode("utf-8")
        except Exception as err:  # noqa: BLE001 - whatever a template raises is the template's problem
            raise BuildFailed([template_problem(err)]) from None

    def compile(self, names: Iterable[str]) -> None:
        """Compile the templates named now (before the workers fork, so that each has them compiled); a
        template that does not compile is left for ``render`` to report where a page uses it."""
        for name in sorted(names):
            try:
                self.env.get_template(name)
            except Exception:  # noqa: BLE001, S112 - reported, located, by render
                continue


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept from one build to the next, a file per template in ``folder``, each signed with
    ``secret`` and the code version (the cache's, see ``cache.DiskMemo.secret``): jinja's own file cache would
    run whatever code a file there holds, and one written by anyone else (a cache committed to a repository)
    is recompiled instead. Jinja checks that an entry is of the template's current source."""

    def __init__(self, folder: Path, secret: bytes, version: str):
        self.folder, self.secret, self.version = Path(folder), secret, version

    def _mac(self, key: str, body: bytes) -> bytes:
        return hmac.new(self.secret, f"{self.version}\0{key}\0".encode() + body, hashlib.sha256).digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = (self.folder / bucket.key).read_bytes()
        except OSError:
            return
        mac, body = data[:32], data[32:]
        if hmac.compare_digest(mac, self._mac(bucket.key, body)):
            try:
                bucket.bytecode_from_string(body)
            except Exception:  # noqa: BLE001 - an entry that cannot be read is compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # best effort: without it, the next build compiles again
            body = bucket.bytecode_to_string()
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / bucket.key, self._mac(bucket.key, body) + body)


def template_problem(err: Exception) -> Problem:
    """An error raised while rendering, located in its template (syntax errors carry a line; others are
    found in the traceback, where jinja puts the template's own lines)."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return Problem(path=err.filename, line=err.lineno, col=1, message=f"template error: {err.message}")
    if isinstance(err, jinja2.TemplateNotFound):
        return Problem(
            path=f"{layout.TEMPLATES}/{err.name}", line=0, col=0, message="template error: this template is missing; restore it"
        )
    what = str(err) if isinstance(err, jinja2.TemplateError) else f"{type(err).__name__}: {err}"
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.startswith(layout.TEMPLATES + "/"):
            return Problem(path=frame.filename, line=frame.lineno or 0, col=1, message=f"template error: {what}")
    return Problem(path=layout.TEMPLATES, line=0, col=0, message=f"template error: {what}")
