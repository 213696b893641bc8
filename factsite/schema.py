"""Check each content file's shape against its JSON Schema, in reviewers' words.

The schemas in ``factsite/schemas/`` are the single definition of every file
kind: the build validates with them here, and reviewers' editors use the same
files (the YAML language server reads the ``# yaml-language-server: $schema=``
line at the top of each YAML file) for completion and inline errors, so the two
never disagree. Each jsonschema error is turned into a :class:`Problem` at the
YAML node it concerns, with a message a reviewer can act on.

Editors match ``pattern`` with JavaScript regular expressions, where ``$`` is the
very end of the text. Python's ``$`` also matches before a final line feed, so
jsonschema alone would let ``"government-push\\n"`` through as an id; here every
pattern is matched with ``$`` meaning ``\\Z``, as the editors do.

A schema's ``errorMessage`` words what its ``pattern``, ``minItems`` or ``minimum``
asks for; written beside a ``$ref``, it replaces the referenced schema's own for
that field (``verdict`` is an id, but its message says which ids). Length and
count limits (``maxLength``, ``maxItems``) always get a message with the limit
and what was found.

A claim's ``verdict`` and ``fact`` that are text but not id-shaped ('Mostly accurate')
are left to the resolver (:mod:`factsite.resolve`), which knows the ids and the
verdicts' labels once every file is read and can name the id meant; only when the
claim is skipped for another problem does the ``errorMessage`` here report them.
A value YAML read as true/false or a number where text is expected is reported with
the text as typed (``yes``, ``1.10``, from :attr:`YamlDoc.typed`).

Most files are valid, and deciding that is most of the cost: each file is first
checked by a compiled validator (``jsonschema_rs``, where it is installed), with
``pattern`` matched by the same Python expressions as here, and only a file it
refuses goes through jsonschema, which finds and words the errors. The two accept
the same documents (``tests/test_schema_fast.py``); if they ever differed on one,
jsonschema decides, so a message can be slower to come but never lost.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .diagnostics import Problem, did_you_mean, quoted_list
from .yamlsrc import YamlDoc

try:  # the compiled validator for the common case, a valid file (issue #11)
    import jsonschema_rs
except ImportError:  # pragma: no cover - then jsonschema decides every file, more slowly
    jsonschema_rs = None

SCHEMA_DIR = Path(__file__).parent / "schemas"
_USERINFO = re.compile(r"https?://[^/?#\\]*@")  # 'https://trusted.example@evil.example/' goes to evil.example
KINDS = ("site", "verdicts", "sources", "timeline", "facts", "annotations", "article", "page")


@functools.cache
def strict_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled so that ``$`` matches only at the very end of the text, as in JavaScript.

    Every ``$`` outside a character class becomes ``\\Z``; the rest is left as written.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            start = i + 1 + (pattern[i + 1 : i + 2] == "^")
            if pattern[start : start + 1] == "]":  # a ']' first in a class is a literal one
                start += 1
            out.append(pattern[i:start])
            i = start
            continue
        elif c == "$":
            c = r"\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out))


def _pattern(validator, pattern: str, instance: Any, schema: dict) -> Iterator[jsonschema.ValidationError]:
    """The ``pattern`` keyword, matched as editors match it (see :func:`strict_pattern`)."""
    if isinstance(instance, str) and not strict_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{_short(instance)} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


@functools.cache
def _schemas() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}


@functools.cache
def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    """One compiled validator per file kind; schemas refer to each other by file name."""
    schemas = _schemas()
    registry = Registry().with_resources((name, DRAFT202012.create_resource(schema)) for name, schema in schemas.items())
    return {kind: _Validator(schemas[f"{kind}.schema.json"], registry=registry) for kind in KINDS}


# Where the compiled validator finds the schema files (they refer to each other by file name); never fetched.
_FAST_BASE = "https://factsite.invalid/schemas/"


class _FastPattern:
    """``pattern`` for the compiled validator: the same Python expression as :func:`_pattern`, so both agree."""

    def __init__(self, parent_schema: dict, value: str, schema_path: list) -> None:
        self.search = strict_pattern(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not self.search(instance):
            raise ValueError("does not match")


def _no_retrieval(uri: str) -> Any:
    raise ValueError(f"{uri} is not one of the schemas in {SCHEMA_DIR}")


@functools.cache
def _fast_validators() -> dict[str, Any]:
    """One compiled validator per file kind, or none where ``jsonschema_rs`` is missing or will not take a schema."""
    if jsonschema_rs is None:  # pragma: no cover - depends on what is installed
        return {}
    schemas = _schemas()
    try:
        registry = jsonschema_rs.Registry([(_FAST_BASE + name, s) for name, s in schemas.items()], retriever=_no_retrieval)
        return {
            kind: jsonschema_rs.Draft202012Validator(
                schemas[f"{kind}.schema.json"],
                registry=registry,
                base_uri=_FAST_BASE + f"{kind}.schema.json",
                retriever=_no_retrieval,
                keywords={"pattern": _FastPattern},
                validate_formats=False,  # as jsonschema without a format checker: formats are annotations
            )
            for kind in KINDS
        }
    except Exception:  # noqa: BLE001 - a version that works otherwise: jsonschema decides alone
        return {}


def fast_is_valid(kind: str, data: Any) -> bool:
    """Whether ``data`` is a valid ``kind`` file, by the compiled validator where there is one.

    False also when it cannot take the data (a lone surrogate is not UTF-8): jsonschema then decides.
    """
    validator = _fast_validators().get(kind)
    if validator is None:
        return slow_is_valid(kind, data)
    try:
        return validator.is_valid(data)
    except Exception:  # noqa: BLE001 - anything it cannot take, jsonschema checks
        return False


def slow_is_valid(kind: str, data: Any) -> bool:
    """Whether ``data`` is a valid ``kind`` file, by jsonschema (what :func:`check_shape` reports from)."""
    return _validators()[kind].is_valid(data)


# What an empty file is told, per kind (every kind has one); an article's or a page's YAML is its front matter.
_EMPTY = {
    **{kind: f"the file is empty; see the README for what a {kind} file holds" for kind in KINDS},
    "annotations": "the file is empty; see the README for what an annotations file holds",
    "article": "the front matter is empty; see the README for what an article's front matter holds",
    "page": "the front matter is empty; see the README for what a page's front matter holds",
}


def check_shape(doc: YamlDoc, kind: str) -> tuple[list[Problem], set[tuple[Any, ...]]]:
    """Problems with the structure and field types of ``doc`` read as a ``kind`` file,
    and the paths of the values they concern (so callers can skip just the bad items).

    Values the YAML reader refused (``doc.refused``) are already reported: they count
    as bad, and nothing more is said about them.
    """
    validator = _validators()[kind]
    refused = set(doc.refused)
    if () in refused:
        return [], refused
    if doc.data is None:
        return [Problem(path=doc.path, line=1, col=1, message=_EMPTY[kind])], {()}
    if fast_is_valid(kind, doc.data):  # the common case, and much faster than iter_errors
        return [], refused
    errors = [e for e in _leaf_errors(validator.iter_errors(doc.data)) if not doc.is_refused(tuple(e.absolute_path))]
    # A value of the wrong form is reported for its form (which says what to write), not also for its length.
    misshapen = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    # A verdict or fact reference that is not id-shaped is left to the resolver, which knows the ids (and the
    # verdicts' labels) and can say which one was meant, unless its item is skipped for another problem.
    others = [tuple(e.absolute_path) for e in errors if not _deferred(kind, e)] + list(refused)
    errors = [e for e in errors if not _deferred(kind, e) or _shares_item(tuple(e.absolute_path), others)]
    problems: list[Problem] = []
    bad_paths = refused
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        if error.validator == "maxLength" and path in misshapen:
            continue
        found = _to_problems(doc, error, kind)
        problems.extend(found)
        if found:
            bad_paths.add(path)
    return problems, bad_paths


# Fields whose value the resolver checks against the ids defined (see :func:`check_shape`).
_RESOLVED = {"annotations": {("claims", "verdict"), ("claims", "fact")}}


def _deferred(kind: str, error: jsonschema.ValidationError) -> bool:
    path = tuple(error.absolute_path)
    return (
        error.validator in ("pattern", "maxLength")
        and len(path) == 3
        and (path[0], path[2]) in _RESOLVED.get(kind, ())
        and isinstance(error.instance, str)
    )


def _shares_item(path: tuple[Any, ...], others: list[tuple[Any, ...]]) -> bool:
    return any(other[: len(path) - 1] == path[:-1] for other in others)


def _leaf_errors(errors) -> Iterator[jsonschema.ValidationError]:
    """Flatten anyOf/oneOf errors into the branch that failed most specifically."""
    for error in errors:
        if error.context and error.validator in ("anyOf", "oneOf") and "errorMessage" not in error.schema:
            yield jsonschema.exceptions.best_match(error.context)
        else:
            yield error


def _to_problems(doc: YamlDoc, error: jsonschema.ValidationError, file_kind: str) -> list[Problem]:
    path = tuple(error.absolute_path)
    field = describe_path(doc.data, path)
    kind, schema, value = error.validator, error.schema, error.instance

    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        return [
            doc.problem(path + (key,), f"unknown field '{key}'{did_you_mean(key, allowed) or _allowed(allowed)}", key=True)
            for key in sorted(set(value) - allowed)
            if not doc.is_refused(path + (key,))
        ]
    if kind == "required":
        missing = error.message.split("'")[1]
        hint = _describe(schema.get("properties", {}).get(missing, {}))
        owner = field if path else "the file"
        return [doc.problem(path, f"{owner} is missing the required field '{missing}'" + (f" ({hint})" if hint else ""))]
    if kind == "dependentRequired":
        needed = next(n for n in error.message.split("'")[1::2] if n not in value)
        given = next(k for k, deps in schema["dependentRequired"].items() if needed in deps and k in value)
        return [doc.problem(path, f"{field} has '{given}' but no '{needed}'; add {needed}")]
    if kind == "type":
        expected = schema["type"] if isinstance(schema["type"], str) else schema["type"][0]
        if expected == "string" and path in doc.typed:
            return [doc.problem(path, f"{field} {_typed_message(doc.typed[path], value)}")]
        return [doc.problem(path, f"{field} {_type_message(schema['type'], value)}")]
    if kind == "enum":
        options = [str(o) for o in schema["enum"]]
        shown = _short(doc.typed.get(path, str(value)), quote=False)  # what was typed ('yes'), not YAML's True
        return [
            doc.problem(path, f"{field} is '{shown}', which is not one of {quoted_list(options)}{did_you_mean(shown, options)}")
        ]
    if kind == "uniqueItems":
        counts = Counter(_short(str(v), quote=False) for v in value)
        dupes = sorted(v for v, n in counts.items() if n > 1)
        return [doc.problem(path, f"{field} lists {quoted_list(dupes)} more than once; keep one")]
    if kind == "maxLength":
        return [
            doc.problem(path, f"{field} is {len(value):,} characters long, over the limit of {schema['maxLength']:,}; shorten it")
        ]
    if kind == "maxItems":
        return [doc.problem(path, f"{field} has {len(value):,} items, over the limit of {schema['maxItems']:,}; remove some")]
    custom = _error_message(file_kind, error) if kind in ("pattern", "minItems", "minimum") else None
    if kind == "minItems":
        n = schema["minItems"]
        return [doc.problem(path, f"{field} {custom or f'needs at least {n} item' + ('s' if n > 1 else '')}")]
    if custom and kind == "pattern" and "https?://" in error.validator_value and _USERINFO.match(str(value)):
        custom += "; the part before '@' would be read as a user name, and the link would go to the host after it"
    if custom:
        return [doc.problem(path, f"{field} {custom}")]
    return [doc.problem(path, f"{field}: {_short(error.message, quote=False)}")]


def _error_message(file_kind: str, error: jsonschema.ValidationError) -> str | None:
    """The ``errorMessage`` for a failed keyword: the one beside the ``$ref`` that led to it, if any, else its schema's.

    jsonschema leaves ``$ref`` out of an error's schema path, so the path is walked from the
    file's schema, following each ``$ref`` where the next step is not in the schema itself.
    """
    schema = error.schema if isinstance(error.schema, dict) else {}
    try:
        name, node = f"{file_kind}.schema.json", _schemas()[f"{file_kind}.schema.json"]
        *steps, keyword = error.absolute_schema_path
        for step in steps:
            while isinstance(node, dict) and step not in node and "$ref" in node:
                name, node = _resolve(name, node["$ref"])
            node = node[step]
        while isinstance(node, dict) and keyword not in node and "$ref" in node:
            if "errorMessage" in node:
                return node["errorMessage"]
            name, node = _resolve(name, node["$ref"])
    except (KeyError, IndexError, TypeError, ValueError):  # pragma: no cover - a schema shape this walk does not know
        pass
    return schema.get("errorMessage")


def _resolve(name: str, ref: str) -> tuple[str, Any]:
    """A ``$ref`` made in schema file ``name`` → (the file it points into, the schema there)."""
    file, _, pointer = ref.partition("#")
    name = file or name
    node: Any = _schemas()[name]
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return name, node


_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _short(text: Any, *, quote: bool = True, limit: int = 60) -> str:
    """A value for a message: its repr (or its text, control and bidi characters escaped) cut to ``limit``."""
    shown = repr(text) if quote else _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def describe_path(data: Any, path: tuple[Any, ...]) -> str:
    """A path as a reviewer reads it: ``('claims', 2, 'quote')`` → ``claim 'c000-03': 'quote'``.

    List items are named by their ``id`` where they have one, else numbered from 1: ``'boilerplate[1].starts'``.
    """
    owner, text, node = "", "", data
    for part in path:
        item = node[part] if isinstance(node, (list, dict)) and (isinstance(part, int) or part in node) else None
        if isinstance(part, int) and isinstance(item, dict) and isinstance(item.get("id"), str):
            singular = text[:-1] if text.endswith("s") else text
            owner, text = f"{singular} '{_short(item['id'], quote=False, limit=40)}'", ""
        elif isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
        node = item
    if not text:
        return owner or "the file"
    return f"{owner}: '{text}'" if owner else f"'{text}'"


def _describe(schema: dict) -> str:
    return schema.get("description", "").split(". ")[0].rstrip(".")


def _allowed(allowed: set[str]) -> str:
    return f"; allowed here: {quoted_list(allowed)}" if allowed else ""


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of 'key: value' lines",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _typed_message(written: str, value: Any) -> str:
    """``is yes, which YAML reads as true/false; put it in double quotes: "yes"``: what was typed, what YAML made of it."""
    if isinstance(value, bool):
        read = "true/false"
    elif value is None:
        read = "empty (no value)"
    else:
        read = f"the number {value!r}"
    shown = _short(written, quote=False)
    fix = f': "{written}"' if shown == written and '"' not in written and "\\" not in written else ""
    return f"is {shown}, which YAML reads as {read}; put it in double quotes{fix}"


def _type_message(expected: str | list[str], value: Any) -> str:
    expected = expected if isinstance(expected, str) else expected[0]
    got = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(type(value), type(value).__name__)
    message = f"must be {_TYPE_WORDS.get(expected, expected)}, but it is {got}"
    if expected == "string" and value is not None:
        message += f" ({_short(value)} to YAML); put the value in double quotes"
    elif expected == "string":
        message += "; write a value after the colon"
    elif expected == "array":
        message += "; write it as [a, b] or as '- item' lines"
    return message
