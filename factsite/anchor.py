"""Find each claim's quote in its article: the W3C TextQuoteSelector, strictly.

A quote matches where it equals the article text after Unicode NFC and with
every run of whitespace read as one space; ``prefix``/``suffix`` (the words
just before/after) choose among several occurrences. Nothing looser is ever
taken silently (Hypothesis's fuzzy re-anchoring is known to land on the wrong
words): a quote that only matches once typographic apostrophes and quotation
marks are folded (’ vs ') is offered as a did-you-mean, and a quote that does
not match at all is reported with the closest passage and how close it is.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .diagnostics import Problem
from .model import Anchor, Article, Claim

# Typographic marks a reviewer's keyboard may not have, folded only to *suggest* a fix.
_FOLD = str.maketrans({"’": "'", "‘": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})


@dataclass(frozen=True, kw_only=True)
class NormalText:
    """Text with whitespace runs collapsed, and where each character came from."""

    text: str
    origin: tuple[int, ...]
    """``origin[i]`` is the index in the original text of normalised character ``i``; one extra
    entry holds the original length, so a normalised end offset maps too."""
    ends: tuple[int, ...] = ()
    """``ends[i]``: where the original characters of normalised character ``i`` end."""


def normalize(text: str) -> str:
    """NFC, and whitespace runs as single spaces, trimmed: the form quotes are compared in."""
    return " ".join(unicodedata.normalize("NFC", text).split())


_WORD = re.compile(r"\S+")


def normal_text(text: str) -> NormalText:
    """``text`` normalised like :func:`normalize` but keeping a map back to original offsets.

    NFC works on a base character and the combining marks after it: each such group is composed on
    its own, and every character it gives maps back to the group, so a decomposed seed (``e`` + U+0300)
    is highlighted at the quote's own characters. ``ends[i]`` is where the group of normalised
    character ``i`` ends in the original.
    """
    if _composed(text):
        return _spaces_only(text)
    return _normal_text(text)


def _composed(text: str) -> bool:
    """Whether NFC leaves every character of ``text`` as it is and none is a combining mark: then
    normalising only joins whitespace runs (the usual case, which ``_spaces_only`` does fast)."""
    if text.isascii():
        return True
    odd = {ch for ch in set(text) if not ch.isascii()}
    return all(unicodedata.combining(ch) == 0 and unicodedata.normalize("NFC", ch) == ch for ch in odd)


def _spaces_only(text: str) -> NormalText:
    """``_normal_text`` for a text whose characters NFC leaves alone: the words as they are, each run of
    whitespace between two words as one space that maps to the run's first character."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    origin: list[int] = []
    for n, (start, end) in enumerate(words):
        if n:
            origin.append(words[n - 1][1])
        origin.extend(range(start, end))
    ends = [i + 1 for i in origin]
    origin.append(ends[-1] if ends else len(text))
    return NormalText(text=" ".join(text[a:b] for a, b in words), origin=tuple(origin), ends=tuple(ends))


def _normal_text(text: str) -> NormalText:
    chars: list[str] = []
    origin: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            if ch.isspace():
                if not chars or chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            origin.append(i)
            ends.append(j)
        i = j
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
        ends.pop()
    origin.append(len(text) if not ends else ends[-1])
    return NormalText(text="".join(chars), origin=tuple(origin), ends=tuple(ends))


def anchor_claims(article: Article, claims: Iterable[Claim]) -> tuple[dict[str, Anchor], list[Problem]]:
    """Locate each claim of ``article``; report quotes not found, ambiguous or partly overlapping."""
    blocks = [normal_text(b.text) for b in article.blocks]
    anchors: dict[str, Anchor] = {}
    problems: list[Problem] = []
    for claim in claims:
        anchor, problem = _anchor_one(article, blocks, claim)
        if problem:
            problems.append(problem)
        else:
            anchors[claim.id] = anchor
    problems.extend(_overlaps(anchors, {c.id: c for c in claims}))
    return anchors, problems


def _anchor_one(article: Article, blocks: list[NormalText], claim: Claim) -> tuple[Anchor | None, Problem | None]:
    quote = normalize(claim.quote)
    hits = [(b, i) for b, block in enumerate(blocks) for i in _find_all(block.text, quote)]
    chosen = [h for h in hits if _context_fits(blocks[h[0]].text, h[1], len(quote), claim)]
    where = claim.quote_at
    if len(chosen) == 1:
        b, i = chosen[0]
        origin = blocks[b].origin
        return Anchor(claim=claim.id, block=b, start=origin[i], end=blocks[b].ends[i + len(quote) - 1]), None
    if len(chosen) > 1:
        return None, _ambiguous(article, blocks, claim, quote, chosen)
    if hits:  # found, but not with that prefix/suffix
        lines = ", ".join(str(article.blocks[b].line) for b, _ in hits)
        return None, Problem(
            path=where.path,
            line=where.line,
            col=where.col,
            message=f"claim '{claim.id}': the quote occurs (line {lines} of {article.path}) "
            "but not with this prefix/suffix; check them against the article text",
        )
    return None, _not_found(article, blocks, claim, quote)


def _find_all(text: str, quote: str) -> list[int]:
    found, start = [], text.find(quote)
    while quote and start != -1:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def _context_fits(text: str, start: int, length: int, claim: Claim) -> bool:
    """Whether the words before/after this occurrence are the claim's prefix/suffix (edge spaces ignored)."""
    before, after = text[:start].rstrip(), text[start + length :].lstrip()
    return before.endswith(normalize(claim.prefix)) and after.startswith(normalize(claim.suffix))


def _ambiguous(article, blocks, claim, quote, chosen) -> Problem:
    detail = []
    for b, i in chosen:
        before = blocks[b].text[:i].split()[-3:]
        hint = (
            f'prefix: "{" ".join(before)}"' if before else f'suffix: "{" ".join(blocks[b].text[i + len(quote) :].split()[:3])}"'
        )
        detail.append(f"line {article.blocks[b].line}: add  {hint}  to pick this one")
    where = claim.quote_at
    return Problem(
        path=where.path,
        line=where.line,
        col=where.col,
        message=f"claim '{claim.id}': the quote occurs {len(chosen)} times in {article.path}; "
        "add a prefix or suffix (the words just before or after it) to choose one",
        detail=tuple(detail),
    )


def _not_found(article, blocks, claim, quote) -> Problem:
    where = claim.quote_at
    folded = quote.translate(_FOLD)
    for b, block in enumerate(blocks):
        i = block.text.translate(_FOLD).find(folded)
        if i != -1 and folded:
            exact = block.text[i : i + len(quote)]
            return Problem(
                path=where.path,
                line=where.line,
                col=where.col,
                message=f"claim '{claim.id}': the quote differs from the article only in apostrophes or "
                f"quotation marks; did you mean: {exact}",
                detail=(f"copy it from {article.path} line {article.blocks[b].line}",),
            )
    if quote in " ".join(block.text for block in blocks):
        return Problem(
            path=where.path,
            line=where.line,
            col=where.col,
            message=f"claim '{claim.id}': the quote runs across two paragraphs of {article.path}; "
            "quote one paragraph (make two claims if both parts need checking)",
        )
    ratio, b, passage = _closest_passage(blocks, quote)
    detail = (
        (f"closest passage ({ratio:.0%} similar), {article.path} line {article.blocks[b].line}: «{passage}»",) if passage else ()
    )
    return Problem(
        path=where.path,
        line=where.line,
        col=where.col,
        message=f"claim '{claim.id}': the quote does not occur in {article.path}; copy the words exactly from the article",
        detail=detail,
    )


def _closest_passage(blocks: list[NormalText], quote: str) -> tuple[float, int, str]:
    """The passage of the article most like ``quote``: (similarity 0–1, block index, passage in whole words)."""
    best = (0.0, 0, "")
    for b, block in enumerate(blocks):
        matcher = difflib.SequenceMatcher(None, block.text, quote, autojunk=False)
        for match in matcher.get_matching_blocks()[:-1]:
            if match.size < 3:
                continue
            start = max(0, match.a - match.b)
            for length in (len(quote), len(quote) - len(quote) // 10, len(quote) + len(quote) // 10):
                passage = _whole_words(block.text, start, start + length)
                ratio = difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio()
                if ratio > best[0]:
                    best = (ratio, b, passage)
    return best


def _whole_words(text: str, start: int, end: int) -> str:
    """``text[start:end]`` widened to whole words, so a suggestion never ends mid-word."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end - 1 : end].isalnum() and text[end].isalnum():
        end += 1
    return text[start:end].strip()


def _overlaps(anchors: dict[str, Anchor], claims: dict[str, Claim]) -> list[Problem]:
    """Claims may nest (one quote inside another) but not partly overlap: that cannot be drawn."""
    problems = []
    spans = sorted(anchors.values(), key=lambda a: (a.block, a.start, -a.end))
    for n, a in enumerate(spans):
        for b in spans[n + 1 :]:
            if b.block != a.block or b.start >= a.end:
                break
            if b.end > a.end:  # starts inside a, ends outside it
                where = claims[b.claim].quote_at
                problems.append(
                    Problem(
                        path=where.path,
                        line=where.line,
                        col=where.col,
                        message=f"claim '{b.claim}' partly overlaps claim '{a.claim}'; quotes may nest "
                        "(one wholly inside the other) or stay apart: shorten one of them",
                    )
                )
    return problems
