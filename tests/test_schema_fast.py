"""The compiled validator accepts exactly what jsonschema accepts, so the fast path loses no message.

:func:`factsite.schema.check_shape` asks the compiled validator (``jsonschema_rs``) first and
runs jsonschema, which words the messages, only on the files it refuses. That is right only if
the two agree on every document: here they are compared on every real content file and the
sample project's, and, for each kind of file, on thousands of variants of one document that
has every field any of those files uses, each variant with one change: a value replaced (by
every kind of value, by strings at and past each length limit, by the edge cases of each
pattern: a trailing line feed, TODO, characters that Python and Rust classify differently,
a lone surrogate), a field removed or added, a list shortened or lengthened past its limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import pytest
from conftest import ROOT
from sample import FILES

from factsite import schema
from factsite.readers.context import split_front_matter
from factsite.schema import KINDS, SCHEMA_DIR, check_shape, fast_is_valid, slow_is_valid
from factsite.yamlsrc import YamlDoc, parse_yaml

SCHEMAS = [json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")]


def _keyword_values(schema: Any, keyword: str) -> Iterator[Any]:
    """The value of ``keyword`` in ``schema`` and in every schema inside it (not a property of that name)."""
    if isinstance(schema, dict):
        if keyword in schema:
            yield schema[keyword]
        for key, value in schema.items():
            named = value.values() if key in ("properties", "$defs") and isinstance(value, dict) else [value]
            for sub in named:
                yield from _keyword_values(sub, keyword)
    elif isinstance(schema, list):
        for value in schema:
            yield from _keyword_values(value, keyword)


FIELDS = sorted({name for s in SCHEMAS for props in _keyword_values(s, "properties") for name in props})
LENGTHS = sorted({n for s in SCHEMAS for n in _keyword_values(s, "maxLength")})
COUNTS = sorted({n for s in SCHEMAS for k in ("maxItems", "minItems") for n in _keyword_values(s, k)})

# Values of every kind, and strings at the edges of the schemas' patterns.
VALUES: list[Any] = [
    *(True, False, None, 0, 1, -1, 2, 1.0, 1.5, -0.5, float("inf"), float("-inf"), float("nan"), 10**15),
    *([], {}, ["x"], [1], {"x": 1}, {"id": "x"}),
    *("", " ", "\n", "x", "x\n", "x\n\n", " x", "x ", "\tx", "é", "😀", "Ünïcödé text", "\u3000", "\u2028", "\ufeff"),
    *("TODO", "TODO: fill in", "  TODO later", "\nTODO", "TODOs done", "todo", "TO DO", "xTODO", "TODO\u0301", "TODO\u00b2"),
    *("TODO_x", "TODO-x", "TODOé", "\u0301", "x\u0301", "\u00b2", "\x1c", "x\x1c", "\x85", "x\u00ad", "x\x00"),
    *("c000-01", "c000-01\n", "C000-01", "c000--01", "c000-", "-c000", "a.b", "a..b", "a_b", "ab\u0301", "ab\u2028"),
    *("mostly-accurate", "Mostly accurate", "accurate", "inaccurate", "primary-document", "Primary-document"),
    *("correction", "update", "clarification", "Correction", "nvidia-r1", "ev20"),
    *("2025", "2025-08", "2025-08-14", "~2025-03", "~2025", "2025-8-1", "2025-08-14\n", "25-08-14", "unknown", "Unknown"),
    *("https://example.com/", "https://example.com", "http://example.com/a?b#c", "https://example.com:443/x"),
    *("https://exa mple.com/", "https://example.com/ x", "https://example.com/\u00ad", "https://example.com/\u200b"),
    *("https://user@example.com/", "https://example.com:123456/", "ftp://example.com/", "https://-x.example/"),
    *("https://example.com/\n", "https://example.com/a\\b", "https://例え.jp/", "https://example.com/é", "//example.com/"),
    *("mailto:desk@example.com", "desk@example.com", "desk@example", "de sk@example.com", "desk@exa_mple.com"),
    *("it", "es", "en", "zh-Hant", "EN", "e", "english", "it-", "it-IT\n"),
    *("#00ff00", "#00FF0", "#00ff00\n", "00ff00", "0" * 64, "0" * 63, "0" * 65, "A" * 64, ("0" * 64) + "\n"),
    *("\ud800", "x\ud800", "\udfff TODO"),
    *("a.txt", ".hidden", "dir/file.txt", "a\\b.txt", "000_b6112cb2b94a5a98.txt", "a\u200e.txt", "a.txt\n"),
    *("a" * n for length in LENGTHS for n in (length, length + 1)),
    *("é" * n for length in LENGTHS for n in (length, length + 1)),
    *("😀" * n for length in (75, 80) for n in (length, length + 1)),
]


def _corpus() -> list[tuple[str, str, Any]]:
    """(name, kind, data) of every content file of the repository and of the sample project."""
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*") if p.is_file()}
    texts.update({f"sample:{rel}": text for rel, text in FILES.items()})
    out = []
    for name, text in sorted(texts.items()):
        rel = name.removeprefix("sample:")
        kind = _kind(rel)
        if kind is None:
            continue
        front = split_front_matter(text) if kind in ("article", "page") else None
        doc, problems = parse_yaml(front[0] if front else text, name)
        assert doc is not None and problems == [], name
        out.append((name, kind, doc.data))
    return out


def _kind(rel: str) -> str | None:
    parts = PurePosixPath(rel).parts
    if parts[:2] == ("content", "annotations"):
        return "annotations"
    if parts[:2] == ("content", "articles"):
        return "article"
    if parts[:2] == ("content", "pages"):
        return "page"
    stem = PurePosixPath(rel).stem
    return stem if len(parts) == 2 and stem in KINDS else None


CORPUS = _corpus()


def _paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _set(node: Any, path: tuple, value: Any) -> Any:
    """``node`` with the value at ``path`` replaced (copied along the path only)."""
    if not path:
        return value
    new = dict(node) if isinstance(node, dict) else list(node)
    new[path[0]] = _set(node[path[0]], path[1:], value)
    return new


def _delete(node: Any, path: tuple) -> Any:
    parent = _get(node, path[:-1])
    new = dict(parent) if isinstance(parent, dict) else list(parent)
    del new[path[-1]]
    return _set(node, path[:-1], new)


def _merged(values: list[Any], extra: int) -> Any:
    """One value with every field that any of ``values`` has: mappings merged key by key, each list of
    mappings to one item that merges them all and ``extra`` items as they are (so that variants are
    quick to check), other lists cut to two items."""
    if all(isinstance(v, dict) for v in values):
        keys = dict.fromkeys(k for v in values for k in v)
        return {k: _merged([v[k] for v in values if k in v], extra) for k in keys}
    if all(isinstance(v, list) for v in values):
        items = [item for v in values for item in v]
        if items and all(isinstance(item, dict) for item in items):
            return [_merged(items, extra), *items[1 : 1 + extra]]
        return next((v[:2] for v in values if v), [])
    return values[0]


def _base(kind: str) -> Any:
    """The document the variants of a ``kind`` file are made from: every file of that kind merged
    (with a second item in each list of mappings if a list needs two), or the first file, with lists
    cut short, if a merged one is not valid (a rule across fields)."""
    files = [data for _, k, data in CORPUS if k == kind]
    for base in (_merged(files, 0), _merged(files, 1), _merged(files[:1], 1)):
        if slow_is_valid(kind, base):
            return base
    raise AssertionError(f"no valid {kind} document to make variants of")


def _variants(data: Any) -> Iterator[Any]:
    """The document with one change each: a value replaced, a key removed or added, a list resized."""
    for path in _paths(data):
        node = _get(data, path)
        for value in VALUES:
            yield _set(data, path, value)
        if path:
            yield _delete(data, path)
        if isinstance(node, dict):
            yield _set(data, path, {**node, "unknown_field": "x"})
            yield _set(data, path, {**node, "Id": "x"})
            for name in FIELDS:  # every field of every schema, so the optional ones too
                if name not in node:
                    yield _set(data, path, {**node, name: "x"})
                    yield _set(data, path, {**node, name: True})
        if isinstance(node, list) and node:
            yield _set(data, path, node + node[:1])  # an item twice
            for n in COUNTS:
                for size in (n, n + 1):
                    if isinstance(node[0], str):
                        yield _set(data, path, [f"x{i}" for i in range(size)])
                    elif size <= 51:  # longer lists of mappings take long to check; the longest limits are of lists
                        yield _set(data, path, [node[0]] * size)


def test_the_compiled_validator_is_there_for_every_kind():
    """Without it every file goes through jsonschema: correct, but what issue #11 measured as a third of a build."""
    assert set(schema._fast_validators()) == set(KINDS)


def test_the_corpus_covers_every_kind():
    assert {kind for _, kind, _ in CORPUS} == set(KINDS)


@pytest.mark.parametrize("name, kind, data", CORPUS, ids=[name for name, _, _ in CORPUS])
def test_every_real_file_is_valid_for_both(name, kind, data):
    assert fast_is_valid(kind, data) and slow_is_valid(kind, data), name


@pytest.mark.parametrize("kind", KINDS)
def test_both_accept_exactly_the_same_variants(kind):
    base = _base(kind)
    assert fast_is_valid(kind, base) and slow_is_valid(kind, base)
    disagree, valid, invalid = [], 0, 0
    for variant in _variants(base):
        fast, slow = fast_is_valid(kind, variant), slow_is_valid(kind, variant)
        valid, invalid = valid + slow, invalid + (not slow)
        if fast != slow:
            disagree.append((fast, slow, json.dumps(variant, ensure_ascii=True)[:300]))
    assert not disagree, f"{len(disagree)} documents where fast≠slow, first: {disagree[:3]}"
    assert valid > 100 and invalid > valid  # both kinds of documents, many of each


def test_a_value_it_cannot_take_goes_to_jsonschema():
    """A lone surrogate is not UTF-8: where the compiled validator cannot take it, jsonschema decides."""
    claims = {"review": {"by": "Desk", "on": "2025-08-14"}, "claims": [_claim("c000-01")]}
    claims["claims"][0]["basis"] = "none-found\ud800"
    with pytest.raises(UnicodeError):
        schema._fast_validators()["annotations"].is_valid(claims)
    assert not fast_is_valid("annotations", claims)
    messages, bad = _messages("annotations", claims)
    assert bad == {("claims", 0, "basis")}
    assert messages == ["x.yaml:1:1: claim 'c000-01': 'basis' is 'none-found\ud800', which is not one of " + BASES]


BASES = (
    "'analyst-estimate', 'anonymous-sources', 'none-found', 'official-statement', 'primary-document' (did you mean 'none-found'?)"
)


def _claim(claim_id: str) -> dict:
    return {
        "id": claim_id,
        "quote": "words",
        "claim": "A claim.",
        "verdict": "accurate",
        "basis": "none-found",
        "explanation": "Why.",
        "sources": ["a-source"],
    }


def _messages(kind: str, data: Any) -> tuple[list[str], set]:
    problems, bad = check_shape(YamlDoc(path="x.yaml", data=data), kind)
    return [p.format() for p in problems], bad


def test_the_messages_are_the_same_without_the_compiled_validator(monkeypatch):
    """The fast path only decides whether to look further: every message comes from jsonschema as before."""
    cases = []
    for kind in KINDS:
        for n, variant in enumerate(_variants(_base(kind))):
            if n % 37 == 0:
                cases.append((kind, variant))
    with_fast = [_messages(kind, data) for kind, data in cases]
    monkeypatch.setattr(schema, "_fast_validators", dict)
    assert [_messages(kind, data) for kind, data in cases] == with_fast
    assert sum(bool(problems) for problems, _ in with_fast) > len(cases) / 2
