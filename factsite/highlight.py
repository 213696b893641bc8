"""Place claims in an article's text: each block as a stream of pieces the template turns into marks.

A block's text and the anchors that fall in it become a flat list of pieces,
``text``, ``open`` (a claim's passage starts) and ``close`` (it ends), with
quotes properly nested (outer before inner, as anchoring allows no partial
overlap). The template emits a ``<mark>`` for each open, and after each close
the claim's verdict label and note, so all the markup stays in templates and
the text stays plain, escaped by jinja like every other value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import Anchor


@dataclass(frozen=True, kw_only=True)
class Piece:
    """One piece of a block: ``kind`` is ``text``, ``open`` or ``close``."""

    kind: str
    text: str = ""
    claim: Any = None
    """The claim's view (what the template shows of it), for ``open`` and ``close``."""


def pieces(text: str, spans: Iterable[tuple[Anchor, Any]]) -> list[Piece]:
    """``text`` cut at each span's ends, in reading order, with open and close pieces between."""
    opens = sorted(spans, key=lambda s: (s[0].start, -s[0].end, s[0].claim))
    out: list[Piece] = []
    stack: list[tuple[Anchor, Any]] = []
    pos = 0

    def emit(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            out.append(Piece(kind="text", text=text[pos:upto]))
            pos = upto

    def close_until(limit: int) -> None:
        while stack and stack[-1][0].end <= limit:
            anchor, view = stack.pop()
            emit(anchor.end)
            out.append(Piece(kind="close", claim=view))

    for anchor, view in opens:
        close_until(anchor.start)
        emit(anchor.start)
        out.append(Piece(kind="open", claim=view))
        stack.append((anchor, view))
    close_until(len(text))
    emit(len(text))
    return out
