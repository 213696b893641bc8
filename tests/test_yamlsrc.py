"""The YAML reader keeps positions, rejects what safe_load would silently accept, and keeps dates as text."""

import unicodedata

import pytest
import yaml

from factsite import yamlsrc
from factsite.yamlsrc import parse_yaml


def formatted(text, **kw):
    doc, problems = parse_yaml(text, "x.yaml", **kw)
    return doc, [p.format() for p in problems]


def test_values_and_keys_keep_their_line_and_column():
    doc, problems = formatted("a: 1\nlist:\n  - x\n  - {k: v}\n")
    assert problems == []
    assert doc.data == {"a": 1, "list": ["x", {"k": "v"}]}
    assert doc.where(("list", 1, "k")) == (4, 9)
    assert doc.where(("list", 1, "k"), key=True) == (4, 6)
    assert doc.where(("list", 5)) == (3, 3)  # unknown paths fall back to the nearest parent (the list)


def test_dates_stay_text_so_partial_dates_read_the_same_way():
    doc, _ = formatted("a: 2025-08-22\nb: 2025-08\nc: ~2025\n")
    assert doc.data == {"a": "2025-08-22", "b": "2025-08", "c": "~2025"}


def test_duplicate_keys_at_any_depth_are_problems():
    _, problems = formatted("a:\n  b: 1\n  b: 2\n")
    assert problems == [
        "x.yaml:3:3: duplicate key 'b' (first defined on line 2); YAML would silently keep only "
        "the last one: delete or rename one of them"
    ]


def test_aliases_merge_keys_and_tags_are_refused():
    _, problems = formatted("a: &x {y: 1}\nb: *x\nc: !!python/object/apply:os.system [ls]\n<<: {z: 1}\n")
    assert problems == [
        "x.yaml:1:4: this value is reused elsewhere with an anchor and alias (& and *), which is not supported; "
        "write the value out in full where it is used",
        "x.yaml:3:4: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not supported; remove it (values are read as plain YAML)",
        "x.yaml:4:1: merge keys ('<<') are not supported; write the fields out in full",
    ]


def test_line_offset_for_front_matter():
    _, problems = formatted("a: 1\na: 2\n", line_offset=1)
    assert problems[0].startswith("x.yaml:3:1: duplicate key 'a'")


def test_syntax_error_gives_a_hint():
    doc, problems = formatted("title: Moon: cheese\n")
    assert doc is None
    assert problems == [
        "x.yaml:1:12: YAML syntax error: mapping values are not allowed in this context; "
        "a value contains ': '; put the whole value in double quotes"
    ]


def test_tab_indentation_hint():
    _, problems = formatted("a:\n\tb: 1\n")
    assert problems == [
        "x.yaml:2:1: YAML syntax error: a tab character here; indent with spaces, not tabs (while scanning for the next token)"
    ]


def test_pure_python_loader_gives_the_same_data_and_marks(monkeypatch):
    text = "a: 1\nlist:\n  - x\n  - {k: v}\nb: b\nb: c\n"
    fast_doc, fast_problems = formatted(text)
    monkeypatch.setattr(yamlsrc, "_Loader", yaml.SafeLoader)  # as on a machine without libyaml
    slow_doc, slow_problems = formatted(text)
    assert (slow_doc.data, slow_doc.value_marks, slow_doc.key_marks) == (fast_doc.data, fast_doc.value_marks, fast_doc.key_marks)
    assert slow_problems == fast_problems


# -- hostile and mistaken input: a located problem, never an exception ----------------------

LOADERS = pytest.mark.parametrize("loader", [yaml.CSafeLoader, yaml.SafeLoader], ids=["libyaml", "pure-python"])
TOO_DEEP = (
    "lists and mappings are nested more than 32 levels deep here (the content files need at most 4); "
    "check the brackets and the indentation"
)


@pytest.fixture
def use(monkeypatch):
    """``use(loader)``: parse with libyaml's loader or the pure-Python one."""
    return lambda loader: monkeypatch.setattr(yamlsrc, "_Loader", loader)


@LOADERS
@pytest.mark.parametrize("depth", [33, 600, 999])
def test_nesting_past_the_limit_is_refused_at_the_first_too_deep_list(use, loader, depth):
    use(loader)  # 600 used to raise RecursionError with either loader
    doc, problems = formatted("a: " + "[" * depth + "]" * depth + "\n")
    assert doc is None
    # The root mapping and 31 lists hold the 32nd '[' (column 4 + 31): it is the 33rd level.
    assert problems == [f"x.yaml:1:35: {TOO_DEEP}"]


@LOADERS
def test_nesting_of_block_mappings_past_the_limit(use, loader):
    use(loader)
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(40)) + "  " * 40 + "leaf\n"
    doc, problems = formatted(text, line_offset=1)
    assert doc is None
    assert problems == [f"x.yaml:34:65: {TOO_DEEP}"]  # key k32's value, held by 32 mappings (line 33 + 1)


@LOADERS
def test_nesting_up_to_the_limit_is_read(use, loader):
    use(loader)
    doc, problems = formatted("a: " + "[" * 31 + "1" + "]" * 31 + "\n")
    assert problems == []
    value, depth = doc.data["a"], 1
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert (value, depth) == (1, 32)


def test_libyaml_own_limit_is_reported_in_the_same_words(use):
    use(yaml.CSafeLoader)  # libyaml scans ahead and stops at 1,000 levels before the builder sees 33
    assert formatted("a: " + "[" * 1001 + "]" * 1001 + "\n")[1] == [f"x.yaml:1:1003: {TOO_DEEP}"]


def test_nested_values_skipped_after_a_problem_are_limited_too():
    # A list used as a key is skipped, not built; its depth still counts.
    doc, problems = formatted("? " + "[" * 40 + "]" * 40 + "\n: v\n")
    assert problems == [f"x.yaml:1:34: {TOO_DEEP}"]


@LOADERS
@pytest.mark.parametrize(
    "literal", ["1" * 5000, "-" + "9" * 16, "0x" + "f" * 5000, "0b" + "1" * 20000, "1:" * 3000 + "1", "!!int " + "7" * 16]
)
def test_a_too_long_integer_is_refused_at_its_node(use, loader, literal):
    use(loader)  # 5,000 digits used to raise ValueError (Python's int-string conversion limit)
    doc, problems = formatted(f"a: ok\nb: {literal}\n")
    assert problems == ["x.yaml:2:4: this number is too long (more than 15 digits); if it is text, put it in double quotes"]
    assert doc.data == {"a": "ok", "b": None} and doc.refused == {("b",)}


def test_an_integer_of_15_digits_is_a_number():
    doc, problems = formatted("a: -123_456_789_012_345\n")
    assert (doc.data, problems) == ({"a": -123456789012345}, [])


def test_a_float_too_large_reads_as_inf_which_no_field_accepts():
    # Decided: float literals have no digit limit (float() has none, and no field takes a float); an
    # overflow reads as inf, and the schema then reports it where a text was expected.
    doc, problems = formatted("a: " + "1" * 5000 + ".5\nb: 1.0e+400\n")
    assert problems == []
    assert doc.data == {"a": float("inf"), "b": float("inf")}


@LOADERS
@pytest.mark.parametrize(
    "text, message",
    [
        (
            "a: !!int abc\n",
            "x.yaml:1:4: this value cannot be read as a whole number (invalid literal for int() with "
            "base 10: 'abc'); if it is text, put it in double quotes",
        ),
        (
            "a: !!bool maybe\n",
            "x.yaml:1:4: this value cannot be read as true or false ('maybe'); if it is text, put it in double quotes",
        ),
        (
            "a: !!float x\n",
            "x.yaml:1:4: this value cannot be read as a number (could not convert string to float: 'x'); "
            "if it is text, put it in double quotes",
        ),
        (
            "a: !!map x\n",
            "x.yaml:1:4: the tag 'tag:yaml.org,2002:map' is not supported; remove it (values are read as plain YAML)",
        ),
        (
            "a: !!binary aGk=\n",
            "x.yaml:1:4: the tag 'tag:yaml.org,2002:binary' is not supported; remove it (values are read as plain YAML)",
        ),
    ],
)
def test_constructor_failures_are_located_problems(use, loader, text, message):
    use(loader)
    doc, problems = formatted(text)
    assert problems == [message]
    assert doc.data == {"a": None} and doc.refused == {("a",)}


@LOADERS
@pytest.mark.parametrize(
    "char, line, col, name",
    [
        ("\x00", 2, 5, "control character U+0000 (NULL)"),
        ("\x80", 2, 5, "control character U+0080 (PADDING CHARACTER)"),
        ("\x1b", 2, 5, "control character U+001B (ESCAPE)"),
        ("\x7f", 2, 5, "control character U+007F (DELETE)"),
        ("\ufffe", 2, 5, "character U+FFFE (not a character)"),
        ("\ud800", 2, 5, "character U+D800 (a lone surrogate)"),
    ],
)
def test_a_character_yaml_forbids_is_reported_where_it_is(use, loader, char, line, col, name):
    use(loader)  # used to be reported at 1:1, with a second line ("in <unicode string>, position 9")
    doc, problems = formatted(f"a: b\nc: d{char}e\n")
    assert doc is None
    assert problems == [f"x.yaml:{line}:{col}: the file contains the {name}, which YAML does not allow; delete it"]


def test_forbidden_character_columns_count_characters_and_lines_count_as_yaml_does():
    # libyaml reports a byte offset; columns here are characters, after a byte-order mark, in front matter.
    _, problems = formatted("\ufeffé: b\r\nc: «d»\x00\n", line_offset=1)
    assert problems == ["x.yaml:3:7: the file contains the control character U+0000 (NULL), which YAML does not allow; delete it"]


BIDI = "which makes text display in a different order from how it is stored; delete it"


@LOADERS
@pytest.mark.parametrize(
    "text, message",
    [
        (
            'a: "x\\u202e"\n',
            f"x.yaml:1:4: this value contains the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE), {BIDI}",
        ),
        (
            'a: "x\\x01"\n',
            "x.yaml:1:4: this value contains the control character U+0001 (START OF HEADING), which is not "
            "allowed in the content; delete it",
        ),
        (
            'a: ["ok", "\\r"]\n',
            "x.yaml:1:11: this value contains the control character U+000D (CARRIAGE RETURN), which is "
            "not allowed in the content; delete it",
        ),
        (
            'a: "\\N"\n',
            "x.yaml:1:4: this value contains the control character U+0085 (NEXT LINE), which is not allowed "
            "in the content; delete it",
        ),
        (
            "a: |\n  line one\n  the \u2067word\n",
            f"x.yaml:3:7: this value contains the bidirectional control character U+2067 (RIGHT-TO-LEFT ISOLATE), {BIDI}",
        ),
        (
            "a: plain \u202a text\n",
            f"x.yaml:1:10: this value contains the bidirectional control character U+202A (LEFT-TO-RIGHT EMBEDDING), {BIDI}",
        ),
        (
            '"ti\\u2069tle": x\n',
            f"x.yaml:1:1: this key contains the bidirectional control character U+2069 (POP DIRECTIONAL ISOLATE), {BIDI}",
        ),
    ],
)
def test_control_and_bidi_characters_in_values_and_keys_are_refused(use, loader, text, message):
    use(loader)
    doc, problems = formatted(text)
    assert problems == [message]
    assert len(doc.refused) == 1


def test_lone_surrogate_from_an_escape_is_refused(use):
    use(yaml.SafeLoader)  # libyaml refuses the escape itself; the pure-Python reader lets it through
    assert formatted('a: "\\ud800"\n')[1] == [
        "x.yaml:1:4: this value contains U+D800 (a lone surrogate), which cannot be written as UTF-8; delete it"
    ]
    use(yaml.CSafeLoader)
    assert formatted('a: "\\ud800"\n')[1] == [
        "x.yaml:1:7: YAML syntax error: found invalid Unicode character escape code (while parsing a quoted scalar)"
    ]


def test_tab_newline_and_the_marks_text_needs_are_allowed():
    doc, problems = formatted('a: "x\\ty\\nz"\nb: "\\u200e\\u200f"\nc: "\\u00a0"\n')
    assert problems == []
    assert doc.data == {"a": "x\ty\nz", "b": "\u200e\u200f", "c": "\u00a0"}


def test_control_character_names_are_unicode_names():
    for cp in [*range(0x20), *range(0x7F, 0xA0)]:
        name = yamlsrc.describe_char(chr(cp))[len(f"U+{cp:04X} (") : -1]
        assert unicodedata.lookup(name) == chr(cp), (hex(cp), name)


def test_duplicate_anchor_is_a_problem_not_a_crash():
    doc, problems = formatted("a: &x 1\nb: &x 2\n")
    assert problems == [
        "x.yaml:2:4: the anchor '&x' is defined twice (first on line 1); anchors and aliases (& and *) "
        "are not supported: remove them"
    ]
    assert doc.data == {"a": 1, "b": 2}


def test_refused_values_are_listed_so_nothing_more_is_said_about_them():
    doc, problems = formatted("a: &x {y: 1}\nb: *x\nc: !!binary aGk=\n<<: {z: 1}\n[k]: 1\n")
    assert doc.refused == {("b",), ("c",), ()}  # the merge key and the list key drop fields of the root mapping
    doc, _ = formatted("a: &x ok\nb: [1, *x]\nc: {d: !!binary aGk=}\n")
    assert doc.refused == {("b", 1), ("c", "d")}
    assert doc.is_refused(("c", "d", 0)) and doc.is_refused(("b", 1)) and not doc.is_refused(("b", 0))


HOSTILE = [
    "a: " + "[" * 5000,
    "a: " + "{" * 2000 + "}" * 2000,
    "- " * 3000 + "x",
    "a: !!int " + "9" * 5000,
    "a: !!float " + "9" * 5000,
    "a: !!timestamp x",
    "a: !!set {x}",
    "a: !!omap [a: 1]",
    "a: !!python/name:os.system",
    "\x00",
    'a: "\\ud800\\udc00"',
    "? [a, [b]]\n: c",
    "*a",
    "&a [*a]",
    "a: &a [1, *a]",
    "--- a\n--- b",
    "%YAML 1.1\n--- a",
    "a: b\n\tc: d",
    "a: '",
    'a: "\\x"',
    "\ufeff\ufeff",
    "a: 1:2:3:" + "4" * 5000,
    "[" + "1," * 10000 + "]",
    "a: " + "x" * 100000,
]


@LOADERS
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_no_hostile_input_raises(use, loader, text):
    use(loader)
    doc, problems = parse_yaml(text, "x.yaml")
    assert all(p.format().count("\n") == 0 and p.format().startswith("x.yaml:") for p in problems)
