"""Turn a raw seed into an article file: front matter to fill in, and the text as Markdown.

The importer keeps every word: each line of the seed becomes a paragraph, and
lines that look like headings (short, with no closing punctuation, not the last
line) become headings, the first line a ``# `` headline. The seed's leading
`` date YYYY-MM[-DD]`` marker becomes ``published``. What only an editor can
know (outlet, author, address, an English title) is written as ``TODO``, which
``check`` reports until it is filled in. The result is parsed back and compared
with the seed before anything is written, so an import can never change the text.
"""

from __future__ import annotations

import json
import re
import unicodedata

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


def annotations_stub(slug: str) -> str:
    """An annotations file with no claims yet, pointing editors at its schema."""
    return (
        "# yaml-language-server: $schema=../../factsite/schemas/annotations.schema.json\n"
        f"# Claims checked in content/articles/{slug}.md (see README, 'Adding a claim').\n"
        "review:\n"
        "  by: TODO  # who checked these claims\n"
        "  on: TODO  # when, YYYY-MM-DD\n"
        "claims: []\n"
    )


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
        "---",
        "",
    ]
    return "\n".join(lines)
