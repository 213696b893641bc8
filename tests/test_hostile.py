"""Issue #12: whatever a reviewer or an article supplies reaches every output only as inert text.

A property-based test writes a small project (the sample's shape, tests/sample.py) in which every field a
reviewer types and every line of the article's seed is a hostile string (markup, script breakouts, unsafe
URL schemes in odd case and spacing, Markdown links and raw HTML, template syntax, control and bidi
characters, very long and empty values, non-BMP characters, NFC and NFD forms), builds it, and reads
every output back with a real parser:

* the pages with html5lib: every element and attribute is one a clean build of the same project has on
  that page (the clean project's Markdown fields use every construct CommonMark has, so the allowed set
  is the templates' plus the Markdown renderer's), no ``<script>`` but the site's own ``src=`` scripts
  and its ``application/ld+json`` blocks, no ``on*`` attribute, every URL attribute http(s), mailto or a
  path inside the site (schemes read as a browser reads them: leading controls and spaces, tabs and
  newlines inside dropped, case folded);
* the JSON-LD blocks, the ``.jsonld`` annotations and ``data/*.json`` with ``json``: the same keys, types
  and ``@type`` values as the clean build, URL-valued keys still http(s), and no ``<`` left raw in a
  ``<script>`` element;
* the Atom feeds and the sitemap with ``xml.etree``: the same elements and attributes as the clean build,
  http(s) links;
* the search index records (``search_index.records``): the strings arrive as given.

Every accepted hostile string must also appear as text where it should (in the page's text content,
entities decoded once: never double-escaped, never lost). A value the build refuses instead (the
schema's URL and id patterns, control and bidi characters, empty and over-long values, unsafe Markdown
links) must be refused with a located ``path:line:col:`` problem at that value's line (``BuildFailed``),
never a traceback; the refused values are then replaced by plain ones and the project built again, so
every example ends in a build whose outputs are checked.

Self-checks show each check fails on an output doctored the way an escaping bug would change it. The two
gaps found on the way (story summaries' links unchecked, a decomposed seed highlighted off by its combining
marks) are fixed; KNOWN_GAPS is where a new one would be recorded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
from conftest import ROOT, TEMPLATES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sample import FILES

from factsite import BuildFailed, build_site, search_index
from factsite.load import read_project
from factsite.markdown import escape_body_line
from factsite.pipeline import check_project, plan

# -- the hostile strings ------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "</SCRIPT ><!--<script>",
    "<!--",
    "--><script>alert(1)</script><!--",
    "</title></textarea></style></noscript><script>alert(1)</script>",
    "<![CDATA[ x ]]>",
    "]]>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java&#x09;script:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "VBScript:MsgBox(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp; &#60; &#x3C; &nbsp; &bogus;",
    "{{ 7*7 }}",
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "{# a comment #}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "\\u003cscript\\u003e",
    "x\u202egnp.exe",
    "\u2066isolate\u2069",
    "NUL\x00here",
    "escape\x1b[31m",
    "delete\x7f",
    "next line\x85",
    "",
    "   ",
    "x" * 301,
    "long " * 1200,
    "🧀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩\u200d👩\u200d👧 \U0010fffd",
    "caff\u00e8 NFC",
    "caffe\u0300 NFD",
    "line\u2028separator\u2029paragraph",
    "\ufeffbom",
    "zero\u200bwidth",
    "& < > \" ' `",
    "@import url(x); expression(alert(1))",
    "\\",
    "TODO",
]
"""Hostile as plain text: each is either refused (located) or shown as written."""

HOSTILE_MARKDOWN = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    "![x](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E)",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](//evil.example/)",
    "[x](\\\\evil.example/)",
    '<div onclick="alert(1)">\nraw block\n</div>',
    "<script>\nalert(1)\n</script>",
    "<style>body { display: none }</style>",
    "<!-- a comment -->",
    '<a href="javascript:alert(1)">x</a>',
    '[x](https://safe.example/"onmouseover="alert(1))',
    '[x](https://safe.example/ "\\"><script>alert(1)</script>")',
    '[x](#"><script>alert(1)</script>)',
    "[<img src=x onerror=alert(1)>](https://safe.example/)",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    '```"><script>alert(1)</script>\ncode\n```',
    "# <script>alert(1)</script>",
    "&#x202e;reversed &#0; &#x1b; &#xD800;",
    "<https://safe.example/?a=<script>>",
    "[ok](https://safe.example/a?b=1&c=<d>)",
    "[in site](../sources.html#x) [mail](mailto:a@example.org?subject=<script>)",
    "[x](&#x6A;avascript:alert(1)) [y](javascript&colon;alert(1)) [z](<javascript:alert(1)>)",
    "[x](%20javascript:alert(1)) [y](/\\evil.example) [z](https:evil.example)",
]
"""Hostile as Markdown (explanations, bodies, notes, prose pages)."""

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java&#x09;script:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https://safe.example@evil.example/",
    'https://safe.example/"><script>alert(1)</script>',
    "https://safe.example/?q=<script>",
    "https://safe.example/\u202e",
    "http://safe.example:8080/{{7*7}}",
    "https://safe.example/</script><!--",
    "https://safe.example/\n",
    "",
    "https://safe.example/" + "a" * 2000,
    "HTTPS://SAFE.EXAMPLE/Upper",
    "https://safe.example/ javascript:alert(1)",
]
"""Addresses the URL fields' pattern refuses."""
TRICKY_URLS = [
    "https://safe.example/'onmouseover='alert(1)'",
    "https://safe.example/path?a=1&amp;b=2&c=3#frag",
    "https://safe.example/%3Cscript%3E%22%00",
    "https://safe.example/🧀?x=é&y=caffe\u0300",
    "https://safe.example/javascript:alert(1)",
    "http://safe.example:8080/a;b=c,d!$()*+~'@x",
    "https://safe.example/#'-alert(1)-'",
    "https://xn--nxasmq6b.example/",
]
"""Addresses it takes, though they hold what a careless template would let out of an attribute."""
HOSTILE_URLS = BAD_URLS + TRICKY_URLS

HOSTILE_IDS = ["<script>", "Topic", "topic\n", "javascript:x", "a--b", "x" * 81, "topic"]

# -- the project: the sample's shape with every reviewer-typed value a placeholder on its own line ------------

FIELDS: dict[str, tuple[str, str]] = {}
"""name → (kind, clean value); kind is text, markdown, url, url-or-unknown, id, short or quote."""

CLEAN_MARKDOWN = (
    'Plain *em* **strong** `code` [link](https://safe.example/a "a title") <https://safe.example/auto> '
    "[in site](sources.html#x) [mail](mailto:a@example.org) and &amp; entity  \nhard break\\\nagain\n\n"
    "> a quote\n\n- item\n- item\n\n3. third\n4. fourth\n\n# h1\n\n## h2\n\n### h3\n\n#### h4\n\n##### h5\n\n"
    "###### h6\n\nSetext\n======\n\n---\n\n    indented code\n\n```js\nfenced code\n```\n\n***\n\n<raw>"
)
"""Every construct CommonMark renders: with this in every Markdown field, a clean build has every element
and attribute the Markdown renderer can produce, so the allowed sets are the templates' and its own."""


def _field(name: str, kind: str, clean: str) -> str:
    FIELDS[name] = (kind, clean)
    return f"<<{name}>>"


def _t(name: str, clean: str) -> str:
    return _field(name, "text", clean)


def _m(name: str) -> str:
    return _field(name, "markdown", CLEAN_MARKDOWN)


def _u(name: str, clean: str = "https://safe.example/page") -> str:
    return _field(name, "url", clean)


SEED_FIXED_HEAD = (
    "Secondo l’agenzia spaziale, la Luna è fatta di formaggio svizzero. La missione è prevista per maggio.",
    "Gli esperti dicono che la missione costerà 5 milioni di euro. Gli esperti dicono che è improbabile.",
)
SEED_FIXED_TAIL = ("Iscriviti alla nostra newsletter.",)
SEED_LINES = 6
"""Hostile lines in the seed (each a paragraph of the article), between its fixed ones."""
CLEAN_SEED_LINE = "Testo semplice numero {n}, senza sorprese."

TEMPLATE_FILES = {
    "content/site.yaml": f"""
title: {_t("site_title", "Test Fact Check")}
tagline: {_t("site_tagline", "A sample.")}
publisher:
  name: {_t("publisher_name", "Test desk")}
  url: {_u("publisher_url")}
contact: corrections@example.org
base_url: https://example.org/test/
lang: en
""",
    "content/verdicts.yaml": f"""
verdicts:
  - id: accurate
    label: {_t("accurate_label", "Accurate")}
    meaning: {_t("accurate_meaning", "Matches the sources.")}
    rating: 3
    colour: "#1a7f37"
    tier: sound
  - id: misleading
    label: {_t("misleading_label", "Misleading")}
    meaning: {_t("misleading_meaning", "Gives a wrong impression.")}
    rating: 2
    colour: "#b34700"
    tier: problem
  - id: inaccurate
    label: {_t("inaccurate_label", "Inaccurate")}
    meaning: {_t("inaccurate_meaning", "Contradicted by the sources.")}
    rating: 1
    colour: "#c21f2c"
    tier: problem
""",
    "content/sources.yaml": f"""
sources:
  - id: space-agency
    title: {_t("source1_title", "Moon composition report")}
    publisher: {_t("source1_publisher", "Space Agency")}
    url: {_u("source1_url", "https://agency.example/moon")}
    archived_url: {_u("source1_archived", "https://archive.example/moon")}
    published: 2025-05
    lang: en
    kind: primary
    notes: {_m("source1_notes")}
  - id: daily-mirror-copy
    title: {_t("source2_title", "Agency says moon is rock")}
    publisher: {_t("source2_publisher", "Mirror Site")}
    url: {_u("source2_url", "https://mirror.example/moon")}
    published: unknown
    lang: en
    kind: secondary
    copy:
      kind: mirror
      of: {_t("source2_copy_of", "Daily News, 3 May 2025")}
""",
    "content/timeline.yaml": f"""
story:
  id: moon-story
  title: {_t("story_title", "the Moon story")}
  summary: {_m("story_summary")}
events:
  - id: ev-report
    date: 2025-05-02
    status: confirmed
    title: {_t("event1_title", "Agency publishes its report")}
    body: {_m("event1_body")}
    sources: [space-agency]
    tags: [{_field("event1_tag", "id", "topic")}]
    history:
      - kind: correction
        date: 2026-11-24
        note: {_m("event1_history_note")}
  - id: ev-mission
    date: 2025-05
    end: 2025-06
    status: planned
    title: {_t("event2_title", "Mission planned")}
    body: {_m("event2_body")}
    sources: [space-agency, daily-mirror-copy]
  - id: ev-later
    date: ~2025-09
    status: reported
    title: {_t("event3_title", "Mission delayed")}
    body: {_m("event3_body")}
    sources: [daily-mirror-copy]
""",
    "content/facts.yaml": f"""
facts:
  - id: moon-made-of
    title: {_t("fact_title", "What is the Moon made of?")}
    summary: {_m("fact_summary")}
    sources: [space-agency]
    events: [ev-report]
    history:
      - kind: update
        date: 2026-11-25
        note: {_m("fact_history_note")}
""",
    "content/articles/moon.md": f"""---
slug: moon
title: {_t("article_title", "La Luna è fatta di formaggio")}
title_en: {_t("article_title_en", "The Moon is made of cheese")}
lang: it
published: 2025-08-14
outlet: {_t("article_outlet", "Test Outlet")}
author: {_t("article_author", "A. Writer")}
url: {_field("article_url", "url-or-unknown", "https://outlet.example/moon")}
seed:
  file: 100_hostile.txt
  sha256: <<SEED_SHA>>
boilerplate:
  - starts: Iscriviti
    label: {_t("boilerplate_label", "Newsletter plug")}
notes: {_m("article_notes")}
---
<<BODY>>""",
    "content/annotations/moon.yaml": f"""
review:
  by: {_t("review_by", "Test desk")}
  on: 2026-11-23
claims:
  - id: c-cheese
    quote: la Luna è fatta di formaggio svizzero
    claim: {_t("cheese_claim", "The Moon is made of Swiss cheese.")}
    short: {_field("cheese_short", "short", "Swiss cheese moon.")}
    summary: {_t("cheese_summary", "The agency's report says rock.")}
    verdict: inaccurate
    basis: primary-document
    explanation: {_m("cheese_explanation")}
    translation_note: {_m("cheese_translation_note")}
    sources: [space-agency]
    events: [ev-report]
    fact: moon-made-of
    history:
      - kind: correction
        date: 2026-11-26
        note: {_m("cheese_history_note")}
        previous_verdict: misleading
  - id: c-swiss
    quote: svizzero
    claim: {_t("swiss_claim", "The cheese is Swiss.")}
    summary: {_t("swiss_summary", "No evidence.")}
    verdict: misleading
    basis: none-found
    explanation: {_m("swiss_explanation")}
    sources: [daily-mirror-copy]
  - id: c-cost
    quote: la missione costerà 5 milioni di euro
    claim: {_t("cost_claim", "The mission will cost €5 million.")}
    summary: {_t("cost_summary", "As stated.")}
    verdict: accurate
    basis: official-statement
    explanation: {_m("cost_explanation")}
    sources: [space-agency]
    events: [ev-mission]
  - id: c-hostile
    quote: {_field("hostile_quote", "quote", "Gli esperti dicono che è improbabile")}
    claim: {_t("hostile_claim", "Experts say it is unlikely.")}
    summary: {_t("hostile_summary", "They do.")}
    verdict: misleading
    basis: none-found
    explanation: {_m("hostile_explanation")}
    sources: [space-agency]
""",
    "content/pages/about.md": f"""---
title: {_t("about_title", "About")}
description: {_t("about_description", "Who we are.")}
---
<<ABOUT_BODY>>
""",
    "content/pages/methodology.md": f"""---
title: {_t("methodology_title", "Methodology")}
layout: methodology
---
How we check.
""",
}


def yaml_string(value: str) -> str:
    """``value`` as a YAML double-quoted scalar on one line: every character YAML or the reader could take
    for something else (a line break, a control character) written as an escape, everything else as is."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029\ufeff" or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@dataclass
class Draw:
    """One example's values: a value per field, the seed's hostile lines and the About page's body."""

    values: dict[str, str]
    seed_lines: list[str]
    about_body: str
    refused: dict[str, str] = field(default_factory=dict)
    """Fields the build refused, with the problem it gave."""

    @classmethod
    def clean(cls) -> Draw:
        return cls(
            values={name: clean for name, (_, clean) in FIELDS.items()},
            seed_lines=[CLEAN_SEED_LINE.format(n=n) for n in range(SEED_LINES)],
            about_body=CLEAN_MARKDOWN,
        )


def seed_text(draw: Draw) -> str:
    return "\n".join([*SEED_FIXED_HEAD, *draw.seed_lines, *SEED_FIXED_TAIL]) + "\n"


def project_files(draw: Draw) -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    """The project's files, and where each placeholder landed: (path, line) → field name (``seed:N`` for
    a seed line, ``about_body`` for the page's body)."""
    seed = seed_text(draw)
    # The article's paragraphs as the importer makes them (a line of the seed each), and the seed line of each.
    lines = [*SEED_FIXED_HEAD, *draw.seed_lines, *SEED_FIXED_TAIL]
    paragraphs = [(n, part.strip()) for n, line in enumerate(lines) for part in line.splitlines() if part.strip()]
    body = "\n\n".join(escape_body_line(text) for _, text in paragraphs) + "\n"
    files: dict[str, str] = {"seeds/100_hostile.txt": seed}
    where: dict[tuple[str, int], str] = {}
    for path, template in TEMPLATE_FILES.items():
        lines = template.lstrip("\n").split("\n")
        out = []
        for line in lines:
            names = re.findall(r"<<(\w+)>>", line)
            for name in names:
                if name == "SEED_SHA":
                    line = line.replace("<<SEED_SHA>>", hashlib.sha256(seed.encode()).hexdigest())
                elif name == "BODY":
                    first = len(out) + 1
                    for k, (n, _) in enumerate(paragraphs):
                        if 0 <= n - len(SEED_FIXED_HEAD) < SEED_LINES:
                            where[(path, first + 2 * k)] = f"seed:{n - len(SEED_FIXED_HEAD)}"
                    line = body
                elif name == "ABOUT_BODY":
                    for k in range(draw.about_body.count("\n") + 1):
                        where[(path, len(out) + 1 + k)] = "about_body"
                    line = draw.about_body
                else:
                    where[(path, len(out) + 1)] = name
                    line = line.replace(f"<<{name}>>", yaml_string(draw.values[name]))
            out.append(line)
        files[path] = "\n".join(out)
    return files, where


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    shutil.copytree(TEMPLATES, root / "templates", dirs_exist_ok=True)
    return root


# -- reading outputs back ------------------------------------------------------------------------------

SITE_SCRIPTS = ("src", "application/ld+json")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "data", "srcset", "background", "ping", "longdesc"}
URL_ATTRIBUTES |= {"manifest", "usemap", "codebase", "xlink:href", "{http://www.w3.org/1999/xlink}href", "xml:base"}
COMMENT = "<!-- comment -->"


def ws(text: str) -> str:
    """Whitespace runs as one space, trimmed (how the page's text is compared)."""
    return " ".join(text.split())


def url_scheme(url: str) -> str:
    """The scheme a browser reads in ``url``: leading and trailing C0 controls and spaces dropped, tabs and
    newlines inside dropped, case folded (the WHATWG URL parser's steps); '' for none."""
    text = re.sub("[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", text)
    return match.group(1).lower() if match else ""


def safe_url(url: str, *, absolute: bool = False) -> bool:
    """http(s) (with a host), mailto, or (unless ``absolute``) a path inside the site."""
    scheme = url_scheme(url)
    text = re.sub("[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    if scheme in ("http", "https"):
        return bool(urlsplit(text).netloc) or not absolute
    if scheme == "mailto":
        return not absolute
    if scheme:
        return False
    return not absolute and not text.replace("\\", "/").startswith("//")


def parse_html(data: bytes | str):
    """A page as a browser parses it (html5lib: the HTML standard's tree building)."""
    if isinstance(data, str):
        return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False, transport_encoding="utf-8")


def text_content(element) -> str:
    return "".join(element.itertext())


@dataclass
class Vocabulary:
    """What one output has: its elements, (element, attribute) pairs and scripts (html and xml)."""

    tags: set = field(default_factory=set)
    attributes: set = field(default_factory=set)
    scripts: list = field(default_factory=list)


def html_vocabulary(root) -> Vocabulary:
    vocab = Vocabulary()
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else COMMENT
        vocab.tags.add(tag)
        vocab.attributes |= {(tag, name) for name in element.attrib}
        if tag == "script":
            vocab.scripts.append(("src", element.get("src")) if "src" in element.attrib else ("type", element.get("type", "")))
    vocab.scripts.sort()
    return vocab


def xml_vocabulary(root: ET.Element) -> Vocabulary:
    vocab = Vocabulary()
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else COMMENT
        vocab.tags.add(tag)
        vocab.attributes |= {(tag, name) for name in element.attrib}
    return vocab


def json_shape(data, path=()) -> tuple[set, set, set]:
    """(paths with their value types, the ``@type``/``type``/``@context``/``motivation`` values at their paths,
    the string values at their paths), list indices written ``[]``."""
    shape, types, strings = set(), set(), set()

    def walk(value, where):
        shape.add((where, type(value).__name__))
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("@type", "type", "@context", "motivation", "purpose", "profile", "mediatype"):
                    types.add((where + (key,), json.dumps(item, sort_keys=True)))
                walk(item, where + (key,))
        elif isinstance(value, list):
            for item in value:
                walk(item, where + ("[]",))
        elif isinstance(value, str):
            strings.add((where, value))

    walk(data, path)
    return shape, types, strings


@dataclass
class Reading:
    """Everything one build says, read back with real parsers."""

    files: dict[str, bytes]
    pages: dict = field(default_factory=dict)
    """HTML path → html5lib tree."""
    html: dict = field(default_factory=dict)
    """HTML path → Vocabulary."""
    xml: dict = field(default_factory=dict)
    """XML path → (tree, Vocabulary)."""
    json: dict = field(default_factory=dict)
    """JSON path (``claims/x.html#ld0`` for a page's JSON-LD block) → data."""

    @classmethod
    def of(cls, files: dict[str, bytes]) -> Reading:
        reading = cls(files=files)
        for path, data in sorted(files.items()):
            if path.endswith(".html"):
                tree = parse_html(data)
                reading.pages[path] = tree
                reading.html[path] = html_vocabulary(tree)
                blocks = [s for s in tree.iter("script") if s.get("type") == "application/ld+json"]
                for n, script in enumerate(blocks):
                    text = script.text or ""
                    assert "<" not in text and ">" not in text, f"{path}: a raw < or > in a JSON-LD block: {text[:200]!r}"
                    reading.json[f"{path}#ld{n}"] = json.loads(text)
            elif path.endswith(".xml"):
                tree = ET.fromstring(data)
                reading.xml[path] = (tree, xml_vocabulary(tree))
            elif path.endswith((".json", ".jsonld")) and not path.startswith("pagefind/"):
                reading.json[path] = json.loads(data)
        return reading


# -- where each value must show, as text ------------------------------------------------------------------

EVERY_PAGE = "*.html"
SHOWN_ON = {
    "site_title": [EVERY_PAGE, "feeds/fact-checks.xml"],
    "site_tagline": ["index.html"],
    "publisher_name": [EVERY_PAGE, "feeds/fact-checks.xml"],
    "accurate_label": ["methodology.html", "claims/c-cost.html"],
    "accurate_meaning": ["methodology.html"],
    "misleading_label": ["methodology.html", "claims/c-swiss.html"],
    "misleading_meaning": ["methodology.html"],
    "inaccurate_label": ["methodology.html", "claims/c-cheese.html"],
    "inaccurate_meaning": ["methodology.html", "claims/c-cheese.html"],
    "source1_title": ["sources/space-agency.html", "sources.html"],
    "source1_publisher": ["sources/space-agency.html"],
    "source1_notes": ["sources/space-agency.html"],
    "source2_title": ["sources/daily-mirror-copy.html"],
    "source2_publisher": ["sources/daily-mirror-copy.html"],
    "source2_copy_of": ["sources/daily-mirror-copy.html"],
    "story_title": ["timeline.html"],
    "story_summary": ["timeline.html"],
    "event1_title": ["events/ev-report.html", "timeline.html"],
    "event1_body": ["events/ev-report.html", "timeline.html"],
    "event1_history_note": ["events/ev-report.html", "corrections.html", "feeds/corrections.xml"],
    "event2_title": ["events/ev-mission.html"],
    "event2_body": ["events/ev-mission.html"],
    "event3_title": ["events/ev-later.html"],
    "event3_body": ["events/ev-later.html"],
    "fact_title": ["facts/moon-made-of.html"],
    "fact_summary": ["facts/moon-made-of.html"],
    "fact_history_note": ["facts/moon-made-of.html", "corrections.html"],
    "article_title": ["articles/moon.html", "index.html", "feeds/fact-checks.xml"],
    "article_title_en": ["articles/moon.html"],
    "article_outlet": ["articles/moon.html"],
    "article_author": ["articles/moon.html"],
    "boilerplate_label": ["articles/moon.html"],
    "article_notes": ["articles/moon.html"],
    "review_by": ["articles/moon.html"],
    "cheese_claim": ["claims/c-cheese.html"],
    "cheese_summary": ["claims/c-cheese.html", "articles/moon.html"],
    "cheese_explanation": ["claims/c-cheese.html"],
    "cheese_translation_note": ["claims/c-cheese.html"],
    "cheese_history_note": ["claims/c-cheese.html", "corrections.html", "feeds/corrections.xml"],
    "swiss_claim": ["claims/c-swiss.html"],
    "swiss_summary": ["claims/c-swiss.html"],
    "swiss_explanation": ["claims/c-swiss.html"],
    "cost_claim": ["claims/c-cost.html"],
    "cost_summary": ["claims/c-cost.html"],
    "cost_explanation": ["claims/c-cost.html"],
    "hostile_claim": ["claims/c-hostile.html"],
    "hostile_summary": ["claims/c-hostile.html", "articles/moon.html"],
    "hostile_explanation": ["claims/c-hostile.html"],
    "about_title": ["about.html"],
    "about_description": ["about.html"],
    "methodology_title": ["methodology.html"],
}
"""Where each text field must be readable. URL, id and short fields are checked in the data instead."""

IN_DATA = {
    # data/claims.json: (claim id, column) → field
    ("c-hostile", "quote"): "hostile_quote",
    ("c-hostile", "paraphrase"): "hostile_claim",
    ("c-hostile", "summary"): "hostile_summary",
    ("c-cheese", "claim_reviewed"): "cheese_short",
    ("c-cheese", "verdict_label"): "inaccurate_label",
    ("c-hostile", "outlet"): "article_outlet",
    ("c-hostile", "article_title"): "article_title",
    ("c-hostile", "original_url"): "article_url",
}


def _safe_link(url: str) -> bool:
    return url_scheme(url) in ("", "http", "https", "mailto") and not url.strip().replace("\\", "/").startswith("//")


_MARKDOWN_TEXT = MarkdownIt("commonmark", {"html": False}).disable("image")
_MARKDOWN_TEXT.validateLink = _safe_link  # a link the site may not make is shown as the text it was typed as
_LINK_SCANNER = MarkdownIt("commonmark", {"html": False})
_LINK_SCANNER.validateLink = lambda url: True


def unsafe_links(text: str) -> list[str]:
    """Link and image targets in Markdown ``text`` other than http(s), mailto and in-site paths."""
    found = []
    for token in _LINK_SCANNER.parse(text):
        for child in token.children or ():
            url = child.attrGet("href") if child.type == "link_open" else child.attrGet("src") if child.type == "image" else None
            if url is not None and not _safe_link(url):
                found.append(url)
    return found


KNOWN_GAPS: set[str] = set()  # (story summaries were one; readers/timeline.py checks them now)
"""Markdown fields whose unsafe links ``check`` does not report (see test_story_summary_links_are_checked):
the page would still show such a link as text, so it stays inert, but it would not be refused as README says.
(A seed that is not NFC was once highlighted off by one character per combining mark before the quote; see
tests/test_integrity.py::test_a_decomposed_seed_is_highlighted_at_the_quote. The hostile claim's mark is now
compared whatever the seed's form.)"""


def shown_text(kind: str, value: str) -> str:
    """The text a reader sees for ``value``: itself, or for Markdown what CommonMark makes of it."""
    if kind != "markdown":
        return ws(value)
    return ws(text_content(parse_html(_MARKDOWN_TEXT.render(value))))


class Texts:
    """The readable text of every output: a page's text content and attribute values, a feed's text."""

    def __init__(self, reading: Reading):
        self.text = {path: ws(text_content(tree)) for path, tree in reading.pages.items()}
        self.attrs = {path: {ws(v) for e in tree.iter() for v in e.attrib.values()} for path, tree in reading.pages.items()}
        for path, (tree, _) in reading.xml.items():
            self.text[path] = ws("".join(tree.itertext()))
            self.attrs[path] = {ws(v) for e in tree.iter() for v in e.attrib.values()}

    def shows(self, path: str, text: str) -> bool:
        return text in self.text[path] or any(text in value for value in self.attrs[path])


# -- refusals: located, at the value ---------------------------------------------------------------------

LOCATED = re.compile(r"(?P<path>[^\s:][^:\n]*):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): \S")
REFUSED_IN_YAML = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
"""What README's "What check catches" says no YAML value may hold (control and bidi characters)."""


CASCADE = re.compile(r"^unknown story 'main'; the stories are none")
"""A second problem a refused story header brings: every article without ``story:`` is told, at its line 2,
that its (default) story is unknown. Located, but away from the value: noted in the report, tolerated here."""


def refusals(failed: BuildFailed, where: dict[tuple[str, int], str], root: Path) -> dict[str, str]:
    """The fields a failed build refused ({field: message}); asserts every problem is located, in a file
    of the project at a line and column that exist, and every error at a hostile value's line."""
    refused, cascades = {}, []
    for problem in failed.problems:
        text = problem.format()
        match = LOCATED.match(text)
        assert match and match["path"] == problem.path, f"not a located path:line:col: message: {text!r}"
        lines = (root / problem.path).read_text(encoding="utf-8").split("\n")
        assert problem.line <= len(lines) and problem.col <= len(lines[problem.line - 1]) + 1, text
        if problem.severity != "error":
            continue
        name = where.get((problem.path, problem.line))
        if name is None and CASCADE.search(problem.message):
            cascades.append(text)
            continue
        assert name, f"an error away from every hostile value: {text}"
        refused[name] = text
    if cascades:  # only as the echo of a refused story header
        assert {"story_title", "story_summary"} & set(refused), cascades
    return refused


def build_hostile(draw: Draw, make_root) -> tuple[Path, dict[str, bytes]]:
    """Build ``draw``'s project; each value refused (with a located problem) is put back to a plain one and
    the project built again, until it builds. Returns the root and the outputs; ``draw`` keeps what was refused."""
    for _ in range(6):
        files, where = project_files(draw)
        root = write(make_root(), files)
        try:
            return root, build_site(root)
        except BuildFailed as failed:
            refused = refusals(failed, where, root)
        assert refused, "the build failed, but refused nothing"
        for name, message in refused.items():
            draw.refused.setdefault(name, message)
            if name.startswith("seed:"):
                n = int(name.split(":")[1])
                draw.seed_lines[n] = CLEAN_SEED_LINE.format(n=n)
            elif name == "about_body":
                draw.about_body = CLEAN_MARKDOWN
            else:
                draw.values[name] = FIELDS[name][1]
    pytest.fail(f"still refused after the refused values were made plain: {draw.refused}")


# -- the checks ------------------------------------------------------------------------------------------


def check_policy(draw: Draw, original: dict[str, str]) -> None:
    """What must be refused was: control and bidi characters in YAML values, unsafe URLs in URL fields."""
    for name, value in original.items():
        kind = FIELDS[name][0]
        if REFUSED_IN_YAML.search(value):
            assert name in draw.refused, f"{name}: {value!r} holds a control or bidi character, yet was accepted"
        if kind == "markdown" and name not in KNOWN_GAPS and unsafe_links(value):
            assert name in draw.refused, f"{name}: {value!r} has unsafe links {unsafe_links(value)}, yet was accepted"
        plain = safe_url(value, absolute=True) and url_scheme(value) in ("http", "https") and value == value.strip()
        if kind in ("url", "url-or-unknown") and not (kind == "url-or-unknown" and value == "unknown") and not plain:
            assert name in draw.refused, f"{name}: {value!r} is no plain http(s) address, yet was accepted"


def check_pages(reading: Reading, clean: Reading) -> None:
    for path, tree in reading.pages.items():
        vocab, allowed = reading.html[path], clean.html[path]
        assert vocab.tags <= allowed.tags, f"{path}: elements the templates do not make: {vocab.tags - allowed.tags}"
        extra = vocab.attributes - allowed.attributes
        assert not extra, f"{path}: attributes the templates do not make: {extra}"
        assert vocab.scripts == allowed.scripts, f"{path}: scripts {vocab.scripts}, the templates make {allowed.scripts}"
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), f"{path}: <{element.tag} {name}={value!r}>"
                if name in URL_ATTRIBUTES:
                    assert safe_url(value), f"{path}: <{element.tag} {name}={value!r}>"
            if element.tag == "script":
                if "src" in element.attrib:
                    src = element.get("src")
                    assert url_scheme(src) == "" and src.endswith(".js") and safe_url(src), f"{path}: {src!r}"
                    assert not (element.text or "").strip()
                else:
                    assert element.get("type") == "application/ld+json", f"{path}: an inline script"
            if element.tag == "meta" and element.get("property", element.get("name", "")).endswith((":url", ":image")):
                assert safe_url(element.get("content", ""), absolute=True), f"{path}: {element.attrib}"
            if element.tag == "meta" and element.get("http-equiv"):
                same = [e.attrib for e in clean.pages[path].iter("meta") if e.get("http-equiv")]
                assert element.attrib in same, f"{path}: {element.attrib}"
            if element.tag in ("style", "iframe", "object", "embed", "form", "base", "frame", "frameset", "img"):
                assert element.tag in allowed.tags


def check_xml(reading: Reading, clean: Reading) -> None:
    for path, (tree, vocab) in reading.xml.items():
        clean_tree, allowed = clean.xml[path]
        assert vocab.tags <= allowed.tags, f"{path}: elements the build does not make: {vocab.tags - allowed.tags}"
        assert vocab.attributes <= allowed.attributes, f"{path}: {vocab.attributes - allowed.attributes}"
        # Elements whose text is an address (Atom's id and uri, the sitemap's loc): every one in the clean build.
        starts = [(e.tag, (e.text or "").startswith(("http://", "https://"))) for e in clean_tree.iter()]
        url_tags = {tag for tag, _ in starts if all(is_url for t, is_url in starts if t == tag)}
        for element in tree.iter():
            if element.tag in url_tags:
                assert safe_url(element.text or "", absolute=True), f"{path}: <{element.tag}>{element.text!r}"
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), f"{path}: {element.tag} {name}={value!r}"
                if name in URL_ATTRIBUTES or name.endswith("}base"):
                    assert safe_url(value), f"{path}: <{element.tag} {name}={value!r}>"


def check_json(reading: Reading, clean: Reading) -> None:
    assert set(reading.json) == set(clean.json)
    for path, data in reading.json.items():
        shape, types, strings = json_shape(data)
        clean_shape, clean_types, clean_strings = json_shape(clean.json[path])
        assert shape <= clean_shape, f"{path}: keys or types the build does not make: {shape - clean_shape}"
        assert types <= clean_types, f"{path}: type values the build does not make: {types - clean_types}"
        url_paths = {p for p, v in clean_strings if v.startswith(("http://", "https://"))}
        url_paths -= {p for p, v in clean_strings if not v.startswith(("http://", "https://")) and v}
        for where, value in strings:
            if where in url_paths and value:
                assert safe_url(value, absolute=True), f"{path}: {'.'.join(where)} = {value!r}"


def nfc(text: str) -> str:
    return ws(unicodedata.normalize("NFC", text))


def mark_text(tree, claim_id: str) -> str:
    """The article's words inside a claim's mark: its text with the site's own additions (labels, notes) left out."""
    [mark] = [m for m in tree.iter("mark") if m.get("id") == f"quote-{claim_id}"]

    def words(element) -> str:
        out = [element.text or ""]
        for child in element:
            if "data-annotation" not in child.attrib:
                out.append(words(child))
            out.append(child.tail or "")
        return "".join(out)

    return words(mark)


def check_texts(reading: Reading, draw: Draw, root: Path) -> None:
    texts = Texts(reading)
    for name, places in SHOWN_ON.items():
        kind, _ = FIELDS[name]
        value = draw.values[name]
        expected = shown_text(kind, value)
        paths = [p for place in places for p in (sorted(reading.pages) if place == EVERY_PAGE else [place])]
        for path in paths:
            assert texts.shows(path, expected), f"{name} = {value!r} is not shown as text on {path} (looked for {expected!r})"
    page = texts.text["articles/moon.html"]
    for line in draw.seed_lines:
        assert ws(line) in page, f"the article line {line!r} is not shown as written"
    if draw.about_body != CLEAN_MARKDOWN:
        assert texts.shows("about.html", shown_text("markdown", draw.about_body))
    assert nfc(mark_text(reading.pages["articles/moon.html"], "c-hostile")) == nfc(draw.values["hostile_quote"])

    rows = {row["id"]: row for row in reading.json["data/claims.json"]}
    for (claim, column), name in IN_DATA.items():
        value = draw.values[name]
        expected = "" if (name == "article_url" and value == "unknown") else value
        assert rows[claim][column] == expected, f"data/claims.json {claim}.{column}: {rows[claim][column]!r} for {value!r}"
    table = list(csv.DictReader(io.StringIO(reading.files["data/claims.csv"].decode("utf-8"), newline="")))
    assert [r["quote"] for r in table if r["id"] == "c-hostile"] == [draw.values["hostile_quote"]]
    [review] = [v for k, v in reading.json.items() if k.startswith("claims/c-cheese.html#ld")]
    assert review["claimReviewed"] == draw.values["cheese_short"]
    assert review["reviewRating"]["alternateName"] == draw.values["inaccurate_label"]
    assert review["author"]["name"] == draw.values["publisher_name"]
    assert review["itemReviewed"]["author"]["name"] == draw.values["article_outlet"]
    annotations = reading.json["annotations/moon.jsonld"]["first"]["items"]
    [hostile] = [a for a in annotations if a["id"].endswith("#c-hostile")]
    exact = [s["exact"] for t in hostile["target"] for s in t.get("selector", [t.get("refinedBy", {})]) if "exact" in s]
    exact += [t["selector"]["refinedBy"]["exact"] for t in hostile["target"] if "refinedBy" in t.get("selector", {})]
    assert exact and all(nfc(e) == nfc(draw.values["hostile_quote"]) for e in exact), exact

    project = read_project(root)
    shown, _ = plan(project, check_project(project))
    records = {(r.kind, r.url): r for r in search_index.records(shown)}
    for record in records.values():
        assert safe_url(record.url) and not url_scheme(record.url), record.url
    article = records[("Article", "articles/moon.html")]
    assert all(ws(line) in ws(article.content) for line in draw.seed_lines if "Iscriviti" not in line)
    assert records[("Claim", "claims/c-hostile.html")].title == draw.values["hostile_claim"]
    events = {r.title for (kind, _), r in records.items() if kind == "Event"}
    assert draw.values["event1_title"] in events
    sources = {r.title for (kind, _), r in records.items() if kind == "Source"}
    assert draw.values["source1_title"] in sources


def check_build(draw: Draw, make_root, clean: Reading) -> None:
    original, about = dict(draw.values), draw.about_body
    root, files = build_hostile(draw, make_root)
    check_policy(draw, original)
    if unsafe_links(about):
        assert "about_body" in draw.refused, f"the About page's {unsafe_links(about)} were accepted"
    reading = Reading.of(files)
    assert {p for p in files if not p.startswith("pagefind/")} == {p for p in clean.files if not p.startswith("pagefind/")}
    check_pages(reading, clean)
    check_xml(reading, clean)
    check_json(reading, clean)
    check_texts(reading, draw, root)


# -- the tests -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Reading:
    files, _ = project_files(Draw.clean())
    return Reading.of(build_site(write(tmp_path_factory.mktemp("clean"), files)))


@pytest.fixture(scope="module")
def make_root(tmp_path_factory):
    return lambda: tmp_path_factory.mktemp("hostile")


def _joined(parts: list[str]) -> str:
    return " ".join(parts)


# Any text but control characters and surrogates (HOSTILE has those: drawn at random, they would make most
# values refused, and the build is tested on what it accepts too).
printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=24)
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3).map(_joined),
    printable,
    st.text(min_size=1, max_size=12),
)
markdowns = st.one_of(
    texts,
    st.sampled_from(HOSTILE_MARKDOWN),
    st.lists(st.sampled_from(HOSTILE_MARKDOWN + HOSTILE), min_size=2, max_size=4).map("\n\n".join),
)
KIND_STRATEGY = {
    "text": texts,
    "markdown": markdowns,
    "url": st.one_of(st.sampled_from(BAD_URLS), st.sampled_from(TRICKY_URLS)),
    "url-or-unknown": st.one_of(st.sampled_from(BAD_URLS), st.sampled_from([*TRICKY_URLS, "unknown"])),
    "id": st.sampled_from(HOSTILE_IDS),
    "short": texts,
}
seed_lines = st.one_of(st.sampled_from(HOSTILE + HOSTILE_MARKDOWN), printable, st.text(min_size=1, max_size=12))


@st.composite
def draws(draw) -> Draw:
    values = {name: draw(KIND_STRATEGY[kind]) for name, (kind, _) in FIELDS.items() if kind != "quote"}
    lines = draw(st.lists(seed_lines, min_size=SEED_LINES, max_size=SEED_LINES, unique=True))
    # The hostile claim quotes one of the hostile lines, as typed: maybe decomposed (NFD), with other spacing.
    quote = draw(st.sampled_from(lines))
    quote = draw(st.sampled_from([quote, unicodedata.normalize("NFD", quote), f"  {quote.replace(' ', '   ')} "]))
    values["hostile_quote"] = quote
    return Draw(values=values, seed_lines=lines, about_body=draw(markdowns))


@settings(
    max_examples=14, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(draw=draws())
def test_every_value_reaches_every_output_as_inert_text(draw, clean, make_root):
    check_build(draw, make_root, clean)


ALL_AT_ONCE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><!--<script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}x{% endraw %}",
    " JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1) &lt;b&gt; &amp;",
    "caffe\u0300 🧀 𝔘 \u00e8",
    "]]> <![CDATA[ ' \" ` \\",
]


@pytest.mark.parametrize("hostile", ALL_AT_ONCE)
def test_one_hostile_string_in_every_field_at_once(hostile, clean, make_root):
    """Every field and every seed line at once, so each field meets each key string whatever the examples drew."""
    draw = Draw.clean()
    for name, (kind, _) in FIELDS.items():
        if kind in ("text", "short"):
            draw.values[name] = hostile
        elif kind == "markdown":
            draw.values[name] = f"{hostile}\n\n{HOSTILE_MARKDOWN[ALL_AT_ONCE.index(hostile) * 3 % len(HOSTILE_MARKDOWN)]}"
        elif kind in ("url", "url-or-unknown"):
            draw.values[name] = "https://safe.example/'onmouseover='alert(1)'?a=1&b=%3Cscript%3E#</script>"
    draw.seed_lines = [hostile, *HOSTILE_MARKDOWN[:3], "</p><p>", f"x {hostile} y"]
    draw.values["hostile_quote"] = hostile
    draw.about_body = f"{hostile}\n\n" + "\n\n".join(HOSTILE_MARKDOWN[-6:])
    check_build(draw, make_root, clean)
    assert not {n for n in draw.refused if FIELDS.get(n, ("",))[0] in ("text", "short")}, draw.refused


def test_a_refused_value_is_a_located_message_from_the_command_line_not_a_traceback(tmp_path):
    draw = Draw.clean()
    draw.values["source1_url"] = " JaVaScRiPt:alert(1)"
    draw.values["site_title"] = "x\u202egnp.exe"
    draw.values["cheese_explanation"] = "[x](&#x6A;avascript:alert(1))"
    files, where = project_files(draw)
    root = write(tmp_path / "p", files)
    run = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-C", str(root), "build", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    problems = [line for line in run.stderr.splitlines() if LOCATED.match(line)]
    located = {where[(m["path"], int(m["line"]))] for m in map(LOCATED.match, problems)}
    assert located == {"source1_url", "site_title", "cheese_explanation"}, run.stderr
    assert not (tmp_path / "out").exists()


def test_story_summary_links_are_checked(problems):
    """README: unsafe Markdown links are refused. A story's summary is Markdown, but its links are not checked
    (the page shows ``[x](javascript:…)`` as text, so it is inert, yet ``check`` says nothing)."""
    found = problems(
        {
            "content/timeline.yaml": "story:\n  id: main\n  title: the story\n  summary: '[x](javascript:alert(1))'\n"
            + FILES["content/timeline.yaml"]
        }
    )
    assert any("javascript:alert(1)" in p and p.startswith("content/timeline.yaml:4:") for p in found), found


def _doctored(clean: Reading, path: str, old: bytes, new: bytes) -> Reading:
    data = clean.files[path]
    assert old in data, (path, old)
    return Reading.of({**clean.files, path: data.replace(old, new, 1)})


@pytest.mark.parametrize(
    ("path", "old", "new", "check"),
    [
        ("articles/moon.html", b"<p>Testo", b'<p><img src=x onerror="alert(1)">Testo', check_pages),
        ("articles/moon.html", b"<p>Testo", b"<p><script>alert(1)</script>Testo", check_pages),
        ("articles/moon.html", b'<a class="note-more" href="', b'<a class="note-more" href="JaVa&#x09;ScRiPt:', check_pages),
        ("articles/moon.html", b'<a class="note-more" href="', b'<a class="note-more" href=" //evil.example/', check_pages),
        ("index.html", b'<p class="site-title">', b'<p class="site-title" onmouseover="x">', check_pages),
        ("about.html", b"<h1>", b"<h1><!-- -->", check_pages),
        ("feeds/fact-checks.xml", b"<entry>", b'<entry onload="x">', check_xml),
        ("feeds/fact-checks.xml", b"<id>https:", b"<id>javascript:", check_xml),
        ("data/claims.json", b'"permalink": "https:', b'"permalink": "javascript:', check_json),
        ("data/claims.json", b'"quote": ', b'"injected": 1, "quote": ', check_json),
    ],
)
def test_the_checks_catch_markup_the_templates_did_not_make(clean, path, old, new, check):
    """Each check fails on an output doctored the way an escaping bug would change it."""
    with pytest.raises(AssertionError):
        check(_doctored(clean, path, old, new), clean)


def test_the_checks_catch_a_json_ld_breakout_and_double_escaping(clean):
    page = next(p for p in clean.files if p.startswith("claims/"))
    with pytest.raises((AssertionError, ValueError)):
        _doctored(clean, page, b'"@context"', b'"x":"</script><script>alert(1)</script>","@context"')
    draw = Draw.clean()
    draw.values["site_title"] = "<b>"
    twice = {p: d.replace(b"Test Fact Check", b"&amp;lt;b&amp;gt;") for p, d in clean.files.items()}
    texts = Texts(Reading.of(twice))
    assert not texts.shows("index.html", shown_text("text", "<b>"))
    once = {p: d.replace(b"Test Fact Check", b"&lt;b&gt;") for p, d in clean.files.items()}
    assert Texts(Reading.of(once)).shows("index.html", "<b>")
