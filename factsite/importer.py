"""Turn a raw seed into an article file: front matter to fill in, and the text as Markdown.

The importer keeps every word: each line of the seed becomes a paragraph, and
lines that look like headings (short, with no closing punctuation, not the last
line) become headings, the first line a ``# `` headline. The seed's leading
`` date YYYY-MM[-DD]`` marker becomes ``published``. What only an editor can
know (outlet, author, address, an English title) is written as ``TODO``, which
``check`` reports until it is filled in, and the article starts as a draft. The
result is parsed back and compared with the seed before anything is written, so an
import can never change the text.

Claim ids are ``c<NNN>-<MM>``: NNN the seed's number (``003_….txt`` → ``c003``),
MM counting from 01. ``plan_ids`` picks an imported article's prefix and
``next_free_id`` the id after the highest in use.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .anchor import normalize
from .load import Seed
from .markdown import escape_body_line, make_body_parser, parse_body
from .seedtext import seed_words

_CLOSING = (".", "!", ";", ",", ":", "…", '"', "”", "»", "’")
_STOPWORDS = {
    "it": {"il", "gli", "della", "delle", "che", "è", "sono", "anche", "più", "nel", "alla", "questo", "non", "un"},
    "es": {"el", "los", "las", "que", "por", "para", "está", "también", "más", "según", "su", "sus", "un"},
    "en": {"the", "and", "of", "is", "was", "with", "that", "for", "are", "its", "to"},
}


class ImportFailed(Exception):
    """The seed could not be imported faithfully."""


def looks_like_heading(line: str) -> bool:
    """Short, several words, and no sentence-ending punctuation: a headline or subheading."""
    return len(line) <= 120 and len(line.split()) >= 2 and not line.rstrip().endswith(_CLOSING)


def guess_language(text: str) -> str:
    """The language whose common words the text uses most (it, es or en)."""
    words = re.findall(r"\w+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    return max(scores, key=scores.get)


def slugify(text: str, words: int = 6) -> str:
    """``"DeepSeek R2 in ritardo: ecco"`` → ``deepseek-r2-in-ritardo-ecco``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(parts[:words]) or "article"


def import_seed(seed: Seed, slug: str | None = None) -> tuple[str, str]:
    """Seed → (slug, article file text). Raises ImportFailed if the text would not survive."""
    date, text = seed_words(seed)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ImportFailed(f"seeds/{seed.name} has no text")
    levels = [0] * len(lines)
    for n, line in enumerate(lines[:-1]):  # the last line ends the text: never a heading
        if looks_like_heading(line):
            levels[n] = 1 if n == 0 else 2
    body = "\n\n".join(escape_body_line(line, heading_level=level) for line, level in zip(lines, levels, strict=True)) + "\n"
    _check_round_trip(seed, text, body)
    title = lines[0] if levels[0] == 1 else None
    slug = slug or slugify(title or lines[0])
    return slug, _front_matter(seed, slug, title, date, guess_language(text)) + body


def annotations_stub(slug: str, first_id: str = "c000-01") -> str:
    """An annotations file with no claims yet, pointing editors at its schema, with a commented example claim."""
    return (
        "# yaml-language-server: $schema=../../.factsite/schemas/annotations.schema.json\n"
        f"# Claims checked in content/articles/{slug}.md (see README, 'For reviewers: adding a claim').\n"
        "review:\n"
        "  by: TODO  # who checked these claims\n"
        "  on: TODO  # when, YYYY-MM-DD\n"
        "claims: []\n"
        "# To add the first claim, write `claims:` above without the `[]`, then this item without the `#`s:\n"
        f"#  - id: {first_id}  # the next ones: {_following(first_id)}, ...; never change one once published\n"
        "#    quote: TODO  # the article's words, copied exactly\n"
        "#    claim: TODO  # what the passage asserts, in English, without the verdict\n"
        "#    verdict: TODO  # an id from content/verdicts.yaml\n"
        "#    basis: TODO  # primary-document, official-statement, anonymous-sources, analyst-estimate or none-found\n"
        "#    explanation: TODO  # why that verdict, from the sources\n"
        "#    sources: [TODO]  # ids from content/sources.yaml\n"
    )


# -- claim ids: c<NNN>-<MM>, NNN the seed's number, MM counting from 01 ---------------------------

_CLAIM_ID = re.compile(r"c(\d+)-(\d+)")
_ID_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?id:[ \t]*[\"']?(c\d+-\d+)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_SEED_NUMBER = re.compile(r"(\d+)_")
_SEED_FILE_LINE = re.compile(r"^[ \t]+file:\s*[\"']?(\d+)_", re.MULTILINE)


def next_free_id(existing_ids: Iterable[str], prefix: str) -> str:
    """The id after the highest ``<prefix>-MM`` in use (``c005`` → ``c005-01`` when there is none).

    Ids of other prefixes are ignored. The count goes on after the highest, never into a gap, so a
    claim that was removed does not hand its permalink to a different claim.
    """
    pattern = re.compile(re.escape(prefix) + r"-(\d+)")
    used = [int(m.group(1)) for i in existing_ids if (m := pattern.fullmatch(str(i)))]
    return f"{prefix}-{max(used, default=0) + 1:02d}"


def _following(claim_id: str) -> str:
    prefix, _, _ = claim_id.rpartition("-")
    return next_free_id([claim_id], prefix)


def seed_number(name: str) -> int | None:
    """``003_84e0e94de40d26bf.txt`` → 3; None for a seed whose name does not start with a number."""
    m = _SEED_NUMBER.match(name)
    return int(m.group(1)) if m else None


def claim_ids(text: str) -> list[str]:
    """The claim ids (``cNNN-MM``) an annotations file's text gives, read line by line so that a file
    with a YAML error still counts (commented lines do not)."""
    return _ID_LINE.findall(text)


@dataclass(frozen=True, kw_only=True)
class IdPlan:
    """Which claim-id prefix an imported article takes, and why."""

    prefix: str
    """``c<NNN>``."""
    ids: tuple[str, ...] = ()
    """The ids already in the article's own annotations file."""
    note: str | None = None
    """When the prefix is not the seed's own number: why."""

    @property
    def first(self) -> str:
        return next_free_id(self.ids, self.prefix)

    @property
    def second(self) -> str:
        return next_free_id([*self.ids, self.first], self.prefix)


def plan_ids(root: Path, slug: str, seed_name: str) -> IdPlan:
    """The prefix for ``slug``'s claims: the one its annotations file already uses, else ``c<NNN>`` from
    the seed's number, else (no number, or one that another article's claims or seed use) the number
    after the highest in use."""
    own: list[str] = []
    used: dict[int, str] = {}  # number → what uses it
    annotations = root / "content" / "annotations"
    for path in sorted(annotations.glob("*.yaml")) if annotations.is_dir() else ():
        ids = claim_ids(_read(path))
        if path.stem == slug:
            own = ids
            continue
        for i in ids:
            used.setdefault(int(_CLAIM_ID.fullmatch(i).group(1)), f"the claims of content/annotations/{path.name}")
    articles = root / "content" / "articles"
    for path in sorted(articles.glob("*.md")) if articles.is_dir() else ():
        if path.stem != slug and (m := _SEED_FILE_LINE.search(_read(path))):
            used.setdefault(int(m.group(1)), f"the seed of content/articles/{path.name}")
    if own:
        return IdPlan(prefix="c" + _CLAIM_ID.fullmatch(own[0]).group(1), ids=tuple(own))
    seeds = root / "seeds"
    numbers = set(used) | {n for p in (seeds.iterdir() if seeds.is_dir() else ()) if (n := seed_number(p.name)) is not None}
    number = seed_number(seed_name)
    if number is not None and number not in used:
        return IdPlan(prefix=f"c{number:03d}")
    note = (
        f"c{number:03d}, from the seed's number, is taken by {used[number]}"
        if number is not None
        else "the seed's name does not start with a number"
    )
    return IdPlan(prefix=f"c{max(numbers, default=-1) + 1:03d}", note=note)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # a folder named like a file, an unreadable file: check reports it; the count goes on
        return ""


def _check_round_trip(seed: Seed, text: str, body: str) -> None:
    parsed = " ".join(b.text for b in parse_body(make_body_parser(), body, 1))
    if normalize(parsed) != normalize(text):
        raise ImportFailed(
            f"seeds/{seed.name}: the Markdown made from this seed does not read back as the same "
            "text; please report this as a bug in the importer"
        )


def _front_matter(seed: Seed, slug: str, title: str | None, date: str, lang: str) -> str:
    quote = lambda s: json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML string
    lines = [
        "---",
        f"slug: {slug}",
        f"title: {quote(title)}" if title else "title: TODO  # the seed has no headline: write one in the article's language",
        "title_en: TODO  # English title",
        f"lang: {lang}  # guessed from the text: check it",
        f"published: {date}" if date else "published: TODO  # YYYY-MM-DD, YYYY-MM, YYYY or unknown",
        "outlet: TODO  # the publication, or unknown",
        "author: TODO  # the byline, or unknown",
        "url: TODO  # address of the original, or unknown",
        "seed:",
        f"  file: {seed.name}",
        f"  sha256: {seed.sha256}",
        "draft: true  # kept off the published site until you remove this line",
        "---",
        "",
    ]
    return "\n".join(lines)
