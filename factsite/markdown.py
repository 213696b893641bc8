"""Markdown, configured once and safely: raw HTML off, images off, only safe links.

Two parsers, both markdown-it-py:

* ``make_markdown()`` for what reviewers write (explanations, event bodies, notes):
  CommonMark with raw HTML shown as text, no images (a page must load nothing
  from another host) and links limited to http(s), mailto and in-site paths.
  Outbound links get ``rel="noopener noreferrer"``: several sources are mirrors.
* ``parse_body()`` for an article's text, which must come out as exactly the
  seed's words: only headings, paragraphs and backslash escapes are recognised,
  so a ``*`` or ``1.`` in the original stays a ``*`` or ``1.`` on the page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

from .model import Block

SAFE_SCHEMES = ("", "http", "https", "mailto")


class _SafeMarkdownIt(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's own name)
        return link_scheme(url) in SAFE_SCHEMES


def link_scheme(url: str) -> str:
    """The URL's scheme, lower-cased: '' for a path inside the site, '//' for a protocol-relative link
    (``//evil.example/``, which leaves the site: browsers read ``\\`` as ``/`` there too)."""
    text = url.strip()
    if text.replace("\\", "/").startswith("//"):
        return "//"
    try:
        return urlsplit(text).scheme.lower()
    except ValueError:  # e.g. an unbalanced '[' in a host
        return "invalid"


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if link_scheme(token.attrGet("href") or "") in ("http", "https"):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


HEADING_ID_PREFIX = "section-"
"""Ids made from a heading's words start with this, so they never take an id the templates use
(``main``, ``claim-…``); duplicates on one page are numbered."""


def _heading_open(self, tokens, idx, options, env):
    """Give each heading an id from its words, so a page's sections can be linked (``#section-corrections``)."""
    token = tokens[idx]
    words = re.findall(r"\w+", tokens[idx + 1].content.lower())
    slug = HEADING_ID_PREFIX + ("-".join(words) or "untitled")
    seen = env.setdefault("heading_ids", set())
    unique, n = slug, 2
    while unique in seen:
        unique, n = f"{slug}-{n}", n + 1
    seen.add(unique)
    token.attrSet("id", unique)
    return self.renderToken(tokens, idx, options, env)


def make_markdown(*, heading_ids: bool = False) -> MarkdownIt:
    """The one Markdown renderer for reviewer-written text.

    ``heading_ids`` is for prose pages, whose sections are linked; a field shown among others
    (an explanation, an event's body) gets none, since two of them on one page could share one.
    """
    md = _SafeMarkdownIt("commonmark", {"html": False}).disable("image")
    md.add_render_rule("link_open", _link_open)
    if heading_ids:
        md.add_render_rule("heading_open", _heading_open)
    return md


def render_markdown(md: MarkdownIt, text: str) -> Markup:
    """Markdown → HTML, marked safe: the one place generated HTML is trusted (html is off)."""
    return Markup(md.render(text, {})) if text else Markup("")


def make_link_scanner() -> MarkdownIt:
    """A parser that keeps every link, even unsafe ones, so validation can report them."""
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: True
    return md


def unsafe_links(scanner: MarkdownIt, text: str) -> list[str]:
    """Link targets in ``text`` with a scheme other than http(s), mailto or none."""
    if "](" not in text and "<" not in text and "]:" not in text:
        return []  # no inline link, autolink or link definition: skip the parse
    found = []
    for token in scanner.parse(text):
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                url = child.attrGet("href") or child.attrGet("src") or ""
                if link_scheme(url) not in SAFE_SCHEMES:
                    found.append(url)
    return found


def make_body_parser() -> MarkdownIt:
    """Parser for article text: headings, paragraphs and backslash escapes, nothing else."""
    return MarkdownIt("zero").enable(["heading", "escape", "newline"])


def parse_body(parser: MarkdownIt, text: str, first_line: int) -> list[Block]:
    """Article body → blocks with their text and file line (``first_line`` is the body's first line)."""
    blocks: list[Block] = []
    level = 0
    for token in parser.parse(text):
        if token.type == "heading_open":
            level = int(token.tag[1])
        elif token.type == "paragraph_open":
            level = 0
        elif token.type == "inline":
            words = "".join(c.content if c.type == "text" else "\n" for c in token.children or ())
            blocks.append(Block(level=level, text=words, line=first_line + token.map[0]))
    return blocks


def escape_body_line(line: str, *, heading_level: int = 0) -> str:
    """One line of seed text as article Markdown that parses back to the same words."""
    text = line.replace("\\", "\\\\")
    if heading_level:
        return "#" * heading_level + " " + text
    if text.lstrip().startswith("#"):
        text = "\\" + text.lstrip()
    return text
