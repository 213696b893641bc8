"""Quote anchoring: offsets map back to the original text, whatever its spacing."""

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from factsite.anchor import _composed, _normal_text, anchor_claims, normal_text, normalize
from factsite.model import Article, Block, Claim, Loc


def article(*texts):
    blocks = tuple(Block(level=0, text=t, line=10 + n) for n, t in enumerate(texts))
    return Article(
        slug="a",
        title="T",
        title_en="",
        lang="it",
        published=None,
        not_before=None,
        not_after=None,
        outlet="o",
        author="unknown",
        url="unknown",
        seed_file="s",
        seed_sha256="0" * 64,
        seed_text="",
        notes="",
        draft=False,
        blocks=blocks,
        path="content/articles/a.md",
    )


def claim(id_, quote, prefix="", suffix=""):
    return Claim(
        id=id_,
        article="a",
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        claim="c",
        short="",
        summary="",
        verdict="v",
        basis="none-found",
        explanation="e",
        sources=("s",),
        events=(),
        translation_note="",
        fact="",
        history=(),
        draft=False,
        quote_at=Loc(path="x.yaml", line=1, col=1),
    )


def test_normalize_collapses_whitespace_and_composes():
    assert normalize("  a\u00a0 b\n\tc ") == "a b c"
    assert normalize("e\u0301") == "é"


def test_normal_text_maps_back_to_original_offsets():
    nt = normal_text("ab   cd\n e")
    assert nt.text == "ab cd e"
    assert [nt.origin[i] for i in range(len(nt.text))] == [0, 1, 2, 5, 6, 7, 9]
    assert nt.origin[len(nt.text)] == 10


def test_anchor_offsets_are_in_the_original_text():
    text = "Uno  due\ntre quattro."
    anchors, problems = anchor_claims(article(text), [claim("c1", "due tre")])
    assert problems == []
    a = anchors["c1"]
    assert (a.block, text[a.start : a.end]) == (0, "due\ntre")


def test_suffix_chooses_the_second_occurrence_in_another_paragraph():
    anchors, problems = anchor_claims(
        article("il chip H20 è lento.", "il chip H20 è veloce."), [claim("c1", "il chip H20", suffix="è veloce")]
    )
    assert problems == [] and (anchors["c1"].block, anchors["c1"].start) == (1, 0)


def test_identical_quotes_of_two_claims_nest():
    anchors, problems = anchor_claims(article("una frase qui"), [claim("c1", "frase"), claim("c2", "frase")])
    assert problems == [] and set(anchors) == {"c1", "c2"}


# -- the fast path of normal_text -------------------------------------------------------------------------

# Words, every kind of whitespace, precomposed and decomposed accents, a mark with nothing to compose with,
# a character NFC replaces on its own (the ångström sign), and a separator str.split() takes for a space.
PIECES = ["la", "Luna", "è", "e\u0300", "\u0301", "\u212b", "\u00a0", " ", "  ", "\t", "\n", "\u2009", "\x1c", "€5", "日本"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_the_fast_path_maps_every_character_as_the_general_one_does(pieces):
    text = "".join(pieces)
    assert normal_text(text) == _normal_text(text)
    assert normal_text(text).text == normalize(text)


def test_the_real_seeds_take_the_fast_path():
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    assert seeds and all(_composed(path.read_text(encoding="utf-8")) for path in seeds)
    assert not _composed("perche\u0301") and not _composed("\u212b")
