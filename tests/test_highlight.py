"""The highlighter cuts a block into text, open and close pieces, nesting quotes properly."""

from factsite.highlight import pieces
from factsite.model import Anchor


def _a(claim, start, end):
    return Anchor(claim=claim, block=0, start=start, end=end)


def _show(ps):
    return "".join(p.text if p.kind == "text" else f"[{p.claim}" if p.kind == "open" else f"]{p.claim}" for p in ps)


def test_nested_and_adjacent_quotes_come_out_in_reading_order():
    text = "La Luna è fatta di formaggio svizzero. Costa 5 euro."
    spans = [(_a("outer", 3, 37), "outer"), (_a("inner", 29, 37), "inner"), (_a("cost", 39, 51), "cost")]
    assert _show(pieces(text, spans)) == "La [outerLuna è fatta di formaggio [innersvizzero]inner]outer. [costCosta 5 euro]cost."


def test_a_block_without_claims_is_one_piece_and_an_empty_one_none():
    assert [(p.kind, p.text) for p in pieces("Testo.", [])] == [("text", "Testo.")]
    assert pieces("", []) == []


def test_a_quote_at_the_very_start_and_end():
    assert _show(pieces("abc", [(_a("x", 0, 3), "x")])) == "[xabc]x"
