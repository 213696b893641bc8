"""The seed-text check: an article shows its seed's words exactly, and nothing else.

Seeds in ``seeds/`` are evidence. An article's body must equal its seed's text
(whitespace aside), the seed must still have the sha256 recorded at import, the
one ``# `` headline must equal the title, and boilerplate markers must each
find exactly one paragraph. The result depends only on the article file and
its seed, so the readers memoise it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from .anchor import normal_text, normalize
from .diagnostics import Problem, did_you_mean
from .load import Seed
from .markdown import parse_body
from .model import Block
from .yamlsrc import YamlDoc

# A seed may open with " date 2025-08-22 " (or a month); the importer moves it into front matter.
SEED_DATE = re.compile(r"^\s*date (\d{4}(?:-\d{2}){0,2})\s+")


def seed_words(seed: Seed) -> tuple[str, str]:
    """A seed's (date marker or '', text without it): what an article's body must reproduce."""
    match = SEED_DATE.match(seed.text)
    return (match.group(1), seed.text[match.end() :]) if match else ("", seed.text)


class TextChecker:
    """Checks one article's text (its own result is memoised: it depends on the file and its seed only)."""

    def __init__(self, body_parser, seed_names=(), unreadable=()):
        self.body_parser = body_parser
        self.seed_names = seed_names
        self.unreadable = unreadable
        """Names of the seeds that exist but could not be read (too large, a link out): reported where they are."""
        self.problems: list[Problem] = []

    def check(self, doc: YamlDoc, body: str, body_line: int, seed: Seed | None) -> tuple[list[Block], list[Problem]]:
        """The body's blocks, checked against the seed, the headline rule and boilerplate markers."""
        d = doc.data
        blocks = parse_body(self.body_parser, body, body_line)
        for n, block in enumerate(blocks):
            if block.level == 1 and n > 0:
                self.problems.append(
                    Problem(
                        path=doc.path,
                        line=block.line,
                        col=1,
                        message="only the first line may be a '# ' headline; use '## ' for a subheading",
                    )
                )
        if blocks and blocks[0].level == 1 and normalize(blocks[0].text) != normalize(d["title"]):
            self.problems.append(
                doc.problem(
                    ("title",),
                    f"the title differs from the text's headline (line {blocks[0].line}: {blocks[0].text!r}); make them the same",
                )
            )
        self.check_seed(doc, blocks, seed)
        return self.mark_boilerplate(doc, blocks), self.problems

    def check_seed(self, doc: YamlDoc, blocks: list[Block], seed: Seed | None) -> None:
        seed_file, recorded = doc.data["seed"]["file"], doc.data["seed"]["sha256"]
        if seed is None and seed_file in self.unreadable:
            return  # the seed is there but could not be read: that problem is already reported, at the seed
        if seed is None:
            self.problems.append(
                doc.problem(("seed", "file"), f"seeds/{seed_file} does not exist{did_you_mean(seed_file, self.seed_names)}")
            )
            return
        if seed.sha256 != recorded:
            self.problems.append(
                doc.problem(
                    ("seed", "sha256"),
                    f"seeds/{seed_file} has changed since it was imported "
                    f"(its sha256 is now {seed.sha256}); seeds are evidence and must never be "
                    "edited: restore the original file",
                )
            )
            return
        self.compare_text(doc.path, blocks, seed)

    def compare_text(self, rel: str, blocks: list[Block], seed: Seed) -> None:
        """The article's words must be the seed's words, whitespace aside."""
        body = normal_text("\n".join(b.text for b in blocks))
        original = normalize(seed_words(seed)[1])
        if body.text == original:
            return
        # The first difference (or the end of the shorter text), and the block it falls in.
        pairs = zip(body.text, original, strict=False)
        i = next((n for n, (a, b) in enumerate(pairs) if a != b), min(len(body.text), len(original)))
        offset = body.origin[min(i, len(body.origin) - 1)]
        ends = itertools.accumulate(len(b.text) + 1 for b in blocks)
        block = next((b for b, end in zip(blocks, ends, strict=True) if offset < end), blocks[-1] if blocks else None)
        line = block.line if block else 1
        self.problems.append(
            Problem(
                path=rel,
                line=line,
                col=1,
                message=f"the article text differs from seeds/{seed.name}: the site must show "
                "the article's words exactly; undo the edit (or re-import the seed)",
                detail=(
                    f"text here: «{body.text[max(0, i - 30) : i + 30]}»",
                    f"seed has:  «{original[max(0, i - 30) : i + 30]}»",
                ),
            )
        )

    def mark_boilerplate(self, doc: YamlDoc, blocks: list[Block]) -> list[Block]:
        marked = list(blocks)
        for i, item in enumerate(doc.data.get("boilerplate", ())):
            starts = normalize(item["starts"])
            hits = [n for n, b in enumerate(blocks) if normalize(b.text).startswith(starts)]
            if len(hits) != 1:
                found = "no paragraph starts" if not hits else f"{len(hits)} paragraphs start"
                self.problems.append(
                    doc.problem(
                        ("boilerplate", i, "starts"), f"{found} with these words; give the first words of exactly one paragraph"
                    )
                )
                continue
            b = blocks[hits[0]]
            marked[hits[0]] = replace(b, boilerplate=item["label"])
        return marked
