"""The search index: the site's words as Pagefind bundles, made in memory from the model.

Each part of the site is indexed in its own language, so each gets its own stemmer:
the articles' text (their blocks, boilerplate left out) in the article's language, and
the English annotations in the site's language (``settings.lang``): each claim's
paraphrase, summary and explanation, each event's title and body, each source's title
and publisher. Every record's URL is the page a reader should land on
(``articles/<slug>.html``, ``claims/<id>.html``, ``timeline.html#event-<id>``,
``sources.html#source-<id>``), as a path from the site root.

Pagefind keeps one index per language, and its browser side searches with one WebAssembly
module, which holds one language's stemmer: every instance made from one ``pagefind.js``
uses the first module it loaded (``mergeIndex`` too), so an Italian index would be
searched with English stemming. So each language gets a bundle of its own, with its own
``pagefind.js`` and worker: the site's language in ``pagefind/`` (the default bundle
path), every other one in ``pagefind/<lang>/``. The search page imports each bundle's
``pagefind.js`` (one module, one worker, one stemmer each) and merges the results
(``templates/static/search.js``). Of what Pagefind emits, a bundle keeps what its search
API loads; the UI kits (``pagefind-ui``, ``pagefind-modular-ui``, ``pagefind-component-ui``),
the highlighter script and the WebAssembly modules of other languages are left out.

Nothing is read from or written to disk: the records go to Pagefind's service
process (``pagefind --service``, through its Python API) and the bundle comes back
with ``get_files()`` (never ``write_files``). The same records give byte-identical
files: records are sent one at a time, in a fixed order, and Pagefind names its files
by their content. With a ``Memo`` (the live preview, and the build's cache) a bundle is
made again only when one of its records changed.

A language's index is cut into shards of ``SHARD_ARTICLES`` articles (in the site's order
of articles), each a Pagefind index of its own: an article's records and its claims' go in
its shard, the events and sources in the first. So an edit re-indexes one shard, not the
whole language (Pagefind's time and memory grow with what it indexes: 1.5 GB for the English
records of 1,000 articles). The first shard of a language is its bundle folder, with the
script, worker and WebAssembly module; every other, ``<folder>shard-<n>/``, holds only its
index, and the search page adds it to the first with Pagefind's ``mergeIndex`` (which loads
no WebAssembly of its own), so a language is still searched and ranked as one index.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from pagefind.index import PagefindIndex
from pagefind.service import PagefindService

from . import layout, vocab
from .cache import Memo
from .dates import display_range
from .diagnostics import BuildFailed, Problem
from .model import Site
from .pages.views import Views, published_text

BUNDLE = "pagefind/"
"""Where the site's-language bundle goes (Pagefind's default); other languages go in ``pagefind/<lang>/``."""

SHARD_ARTICLES = 250
"""Articles a search shard indexes (their texts in their languages, their claims in the site's)."""

_LANG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")
_RESPONSE_LIMIT = 2**28
"""Largest message read back from Pagefind (the whole bundle comes in one base64 message; 256 MiB)."""
_TIMEOUT = 300
"""Seconds the whole index may take (about 0.3 s here): past that the build fails rather than hang."""
_KEEP_FILES = re.compile(r"pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|(index|fragment|filter)/[^/]+")
"""Index files every bundle keeps; ``pagefind.js``, its worker and the used WebAssembly modules are added by name."""


@dataclass(frozen=True, kw_only=True)
class Record:
    """One search result: a page (or a place on one) and its words in one language."""

    url: str
    """Site path of the page to land on, maybe with a ``#fragment``."""
    lang: str
    """Lower-case language code (BCP 47 codes are case-blind): it names the record's bundle."""
    title: str
    content: str
    kind: str
    """What it is, for the result list: Article, Claim, Event or Source."""
    detail: str
    """One line under the title (an outlet, a verdict, a date, a publisher)."""
    shard: int = 0
    """The shard of the language's index it goes in: its article's position // ``SHARD_ARTICLES``."""
    # Pagefind indexes every meta field as words of the record's language, so the meta holds nothing in
    # another language (a claim's detail names its article by outlet, not by its Italian title).

    def meta(self) -> dict[str, str]:
        return {"title": self.title, "kind": self.kind, "detail": self.detail}


def records(site: Site, memo: Memo | None = None) -> list[Record]:
    """Everything searchable on the site as published, in a fixed order: articles, claims, events, sources.

    With ``memo``, the plain text of each article's explanations is kept with its texts as key (one entry an
    article): the Markdown of every explanation is the most of this work."""
    views = Views(site)
    memo = memo or Memo()
    explained: dict[str, dict[str, str]] = {}
    for slug, claims in site.claims.items():
        texts = tuple(sorted({c.explanation for c in claims}))
        explained[slug] = dict(zip(texts, memo.get(("plain-text", texts), lambda t=texts: _plain_texts(t)), strict=True))
    en = site.settings.lang.lower()
    shard = _article_shards(site)
    out = []
    for article in site.articles.values():
        words = [b.text for b in article.blocks if not b.boilerplate]
        if not article.headline_in_text:
            words.insert(0, article.title)
        out.append(
            Record(
                url=layout.article_path(article.slug),
                lang=article.lang.lower(),
                title=article.title,
                content="\n".join(" ".join(w.split()) for w in words),
                kind="Article",
                detail=f"{article.outlet} · {published_text(article)}",
                shard=shard[article.slug],
            )
        )
    for claim in views.published_claims():
        view = views.claim_view(claim)
        parts = [claim.claim, claim.summary, explained[claim.article][claim.explanation]]
        out.append(
            Record(
                url=view["url"],
                lang=en,
                title=claim.claim,
                content="\n".join(p for p in parts if p),
                kind="Claim",
                detail=f"{view['verdict'].label} · claim {view['number']} of the {view['article'].outlet} article",
                shard=shard.get(claim.article, 0),
            )
        )
    for event in site.events.values():
        out.append(
            Record(
                url=layout.event_url(event.id),
                lang=en,
                title=event.title,
                content="\n".join(p for p in (event.title, plain_text(event.body)) if p),
                kind="Event",
                detail=f"{display_range(event.date, event.end)} · {vocab.STATUSES[event.status].label}",
            )
        )
    for source in site.sources.values():
        out.append(
            Record(
                url=layout.source_url(source.id),
                lang=en,
                title=source.title,
                content=f"{source.title}\n{source.publisher}",
                kind="Source",
                detail=source.publisher,
            )
        )
    return out


def bundles(site: Site) -> list[tuple[str, list[str]]]:
    """``(language, [its shards' folders])`` of every language that has records, the site's own first, then
    by code; a language's first folder is its bundle's (see the module's docstring)."""
    site_lang = site.settings.lang.lower()
    shards: dict[str, set[int]] = {}
    for slug, n in _article_shards(site).items():
        shards.setdefault(site.articles[slug].lang.lower(), set()).add(n)
        if any(c.id in site.anchors for c in site.claims.get(slug, ())):
            shards.setdefault(site_lang, set()).add(n)
    if site.events or site.sources:
        shards.setdefault(site_lang, set()).add(0)
    return [(lang, shard_folders(folder, shards[lang])) for lang, folder in bundle_folders(shards, site_lang)]


def _article_shards(site: Site) -> dict[str, int]:
    """Each article's shard (by slug): its records and its claims' go in it, the events and sources in 0."""
    return {slug: n // SHARD_ARTICLES for n, slug in enumerate(site.articles)}


def shard_folders(folder: str, shards: Iterable[int]) -> list[str]:
    """A language's bundle folder and its shard numbers → each shard's folder, the first shard's the bundle's."""
    _, *rest = sorted(shards)
    return [folder, *(f"{folder}shard-{n}/" for n in rest)]


def bundle_folders(languages: Iterable[str], site_lang: str) -> list[tuple[str, str]]:
    """Lower-case language codes → ``[(code, folder)]``, the site's language (``pagefind/``) first."""
    langs = sorted(set(languages), key=lambda lang: (lang != site_lang, lang))
    return [(lang, BUNDLE if lang == site_lang else f"{BUNDLE}{lang}/") for lang in langs]


def is_index_file(rel: str) -> bool:
    """Whether ``rel``, a path in the site, is one of the search index's files (every bundle and shard)."""
    return rel.startswith(BUNDLE)


def build(site: Site, memo: Memo | None = None) -> dict[str, bytes]:
    """The search bundles' files ({site path: bytes}) for the site as published. Raises BuildFailed.

    With ``memo``, a bundle is made again only when one of its records changed: an annotation edit
    remakes the English bundle only.
    """
    memo = memo or Memo()
    by_lang: dict[str, dict[int, list[Record]]] = {}
    for record in records(site, memo):
        by_lang.setdefault(record.lang, {}).setdefault(record.shard, []).append(record)
    files: dict[str, bytes] = {}
    for lang, folder in bundle_folders(by_lang, site.settings.lang.lower()):
        shards = sorted(by_lang[lang])
        for n, shard_folder in zip(shards, shard_folders(folder, shards), strict=True):
            found, first = tuple(by_lang[lang][n]), shard_folder == folder
            key = ("search-bundle", lang, first, found)
            bundle = memo.get(key, lambda lang=lang, found=found, first=first: _bundle(lang, found, first=first))
            files.update((shard_folder + path, data) for path, data in bundle.items())
    return dict(sorted(files.items()))


# -- Pagefind ------------------------------------------------------------------------------


def _bundle(lang: str, found: tuple[Record, ...], *, first: bool = True) -> dict[str, bytes]:
    """One shard of a language's index: ``{path inside its folder: bytes}``; the ``first`` shard with what
    the search API runs (script, worker and WebAssembly), any other with its index alone."""
    if not _LANG.fullmatch(lang):  # the schemas allow no other, but it names a folder
        raise BuildFailed([_problem(f"the language code {lang!r} cannot name a search bundle")])
    try:
        return _keep(_run(asyncio.wait_for(_make_bundle(lang, found), timeout=_TIMEOUT)), code=first)
    except TimeoutError:
        raise BuildFailed([_problem(f"pagefind did not finish within {_TIMEOUT} s")]) from None
    except OSError as err:
        what = f"{err.filename}: {err.strerror}" if err.filename else f"{type(err).__name__}: {err}"
        raise BuildFailed([_problem(f"pagefind could not be started ({what})")]) from None
    except Exception as err:  # noqa: BLE001 - Pagefind missing, crashed or refused: one line that says so
        raise BuildFailed([_problem(f"{type(err).__name__}: {err}")]) from None


def _problem(what: str) -> Problem:
    return Problem(
        path="build",
        line=0,
        col=0,
        message=f"the search index could not be made: {what}; is pagefind[bin] installed (pip install -e .)?",
    )


def _keep(bundle: dict[str, bytes], *, code: bool = True) -> dict[str, bytes]:
    """The files Pagefind's search API loads (see the module's docstring): with ``code``, its script, worker
    and WebAssembly too (a merged index loads none of its own)."""
    entry = json.loads(bundle["pagefind-entry.json"])
    keep = set()
    if code:
        keep = {f"wasm.{index.get('wasm') or 'unknown'}.pagefind" for index in entry["languages"].values()}
        keep |= {"pagefind.js", "pagefind-worker.js"}
    return {path: data for path, data in bundle.items() if path in keep or _KEEP_FILES.fullmatch(path)}


def _run(coroutine) -> Any:
    """Run ``coroutine`` to its end on an event loop of its own, in a thread of its own: the caller may be
    inside a running loop (the preview's server), and its thread's loop is left alone."""
    result: dict[str, Any] = {}

    def main() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            result["error"] = err

    thread = threading.Thread(target=main, name="pagefind")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


async def _make_bundle(lang: str, found: tuple[Record, ...]) -> dict[str, bytes]:
    """Pagefind's whole bundle for ``found``, all in ``lang``: ``{path: bytes}``."""
    service = await _Service().launch()
    try:
        index: PagefindIndex = await service.create_index()
        for record in found:  # one at a time, in order: the order records arrive in is the order in the index
            await index.add_custom_record(url=record.url, content=record.content, language=lang, meta=record.meta())
        files = await index.get_files()
        await index.delete_index()
    finally:
        await service.close()
    return {f["path"]: f["content"] for f in files}


class _Service(PagefindService):
    """Pagefind's service client, reading its answers as they come.

    The package's own reader sleeps 0.1 s before each answer it reads (23 s for this site's
    records), reads at most 2 MiB at once and waits forever if the process dies. This one
    launches the same ``pagefind --service`` process, with its error output kept apart from the
    answers, and reads every answer as soon as it is written; when the process ends, whatever waits
    fails with its error output. The requests (``send``, ``create_index`` and ``PagefindIndex``'s
    methods) are the package's.
    """

    async def launch(self) -> _Service:
        self._backend = await asyncio.create_subprocess_exec(
            self._bin,
            "--service",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=_RESPONSE_LIMIT,
        )
        self._errors = bytearray()
        self._failed: Exception | None = None
        self._drain = self._loop.create_task(self._read_errors())
        self._poll_task = self._loop.create_task(self._read_answers())
        return self

    async def _read_errors(self) -> None:
        while chunk := await self._backend.stderr.read(65536):
            self._errors += chunk[: max(0, 4000 - len(self._errors))]

    async def _read_answers(self) -> None:
        try:
            while True:
                message = await self._backend.stdout.readuntil(b",")
                answer = json.loads(base64.b64decode(message[:-1]))
                payload = answer["payload"]
                message_id = answer.get("message_id")
                if message_id is None and payload.get("original_message"):
                    message_id = json.loads(payload["original_message"]).get("message_id")
                future = self._responses.pop(message_id, None)
                if future is None or future.done():
                    continue
                if payload["type"] == "Error":
                    future.set_exception(RuntimeError(f"pagefind: {payload['message']}"))
                else:
                    future.set_result(payload)
        except Exception as err:  # noqa: BLE001 - the process ended or wrote garbage: fail whatever waits
            await asyncio.sleep(0.05)  # let its last error output arrive
            errors = bytes(self._errors).decode("utf-8", "replace").strip()
            failure = RuntimeError(f"pagefind stopped answering ({type(err).__name__}){': ' + errors if errors else ''}")
            self._failed = failure
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(failure)
            self._responses.clear()

    async def send(self, payload):
        if self._failed is not None:  # the process is gone: no answer will come
            raise self._failed
        return await super().send(payload)

    async def close(self) -> None:
        self._poll_task.cancel()
        self._drain.cancel()
        if self._backend.returncode is None:
            self._backend.terminate()
        await self._backend.wait()


# -- Markdown as plain text ------------------------------------------------------------------

_md = MarkdownIt("commonmark", {"html": False}).disable("image")


def _plain_texts(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(plain_text(text) for text in texts)


@functools.lru_cache(maxsize=2**17)
def plain_text(markdown: str) -> str:
    """The words of a Markdown field (an explanation, an event's body), one line per block, without markup.

    Kept per text (the preview makes the records again on every save; few texts change): room for the
    explanations of some 6,000 articles, since a cache smaller than what one pass asks for keeps nothing."""
    lines = []
    for token in _md.parse(markdown or ""):
        if token.type == "inline":
            words = "".join(
                child.content if child.type in ("text", "code_inline") else " "
                for child in token.children or ()
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            lines.append(" ".join(words.split()))
    return "\n".join(line for line in lines if line)
