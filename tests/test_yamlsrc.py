"""The YAML reader keeps positions, rejects what safe_load would silently accept, and keeps dates as text."""

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
    assert problems == ["x.yaml:3:3: duplicate key 'b' (first defined on line 2); YAML would silently keep only "
                        "the last one: delete or rename one of them"]


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
    assert problems == ["x.yaml:1:12: YAML syntax error: mapping values are not allowed in this context; "
                        "a value contains ': '; put the whole value in double quotes"]


def test_tab_indentation_hint():
    _, problems = formatted("a:\n\tb: 1\n")
    assert problems == ["x.yaml:2:1: YAML syntax error: a tab character here; indent with spaces, not tabs "
                        "(while scanning for the next token)"]


def test_pure_python_loader_gives_the_same_data_and_marks(monkeypatch):
    import yaml

    from factsite import yamlsrc

    text = "a: 1\nlist:\n  - x\n  - {k: v}\nb: b\nb: c\n"
    fast_doc, fast_problems = formatted(text)
    monkeypatch.setattr(yamlsrc, "_Loader", yaml.SafeLoader)  # as on a machine without libyaml
    slow_doc, slow_problems = formatted(text)
    assert (slow_doc.data, slow_doc.value_marks, slow_doc.key_marks) == (fast_doc.data, fast_doc.value_marks, fast_doc.key_marks)
    assert slow_problems == fast_problems
