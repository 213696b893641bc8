"""Turn the plan of pages into bytes, in memory: the jinja environment and the render loop.

Templates receive plain data from each page kind (``factsite/pages/``) and
only loop, test and format; every address they print comes from ``layout``
through the ``link`` global, made relative to the page being rendered.
Autoescape is on; the only HTML marked safe is what the page kinds and
``markdown.render_markdown`` generate. Any error a template raises while
rendering (a typo, ``{{ 1 / 0 }}``) becomes a problem located in that template.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Iterable, Mapping

import jinja2

from . import layout, vocab
from .dates import display_range
from .diagnostics import BuildFailed, Problem
from .markdown import make_markdown, render_markdown
from .model import Site
from .pages import KINDS, PageSpec, Views


def make_env(templates: Mapping[str, str]) -> jinja2.Environment:
    """The jinja2 environment over the project's templates ({name: source}, read by ``load``):
    autoescape on, undefined names are errors, no stray whitespace."""

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
    )
    fields, prose = make_markdown(), make_markdown(heading_ids=True)
    # Event bodies appear on every article page: render each text once per environment.
    env.filters["markdown"] = functools.lru_cache(maxsize=8192)(lambda text: render_markdown(fields, text))
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
    views = Views(site)
    out: dict[str, bytes] = {}
    base_url = site.settings.base_url
    for page in pages:
        kind = KINDS[page.kind]
        if kind.data is not None:
            out[page.path] = kind.data(views, page.key)
            continue
        context = {
            "root": layout.root_prefix(page.path),
            "page_path": page.path,
            "canonical": layout.absolute(base_url, page.path),
            **kind.context(views, page.key),
        }
        try:
            out[page.path] = env.get_template(kind.template).render(context).encode("utf-8")
        except Exception as err:  # noqa: BLE001 - whatever a template raises is the template's problem
            raise BuildFailed([template_problem(err)]) from None
    return out


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
