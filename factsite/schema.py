"""Check each content file's shape against its JSON Schema, in reviewers' words.

The schemas in ``factsite/schemas/`` are the single definition of every file
kind: the build validates with them here, and reviewers' editors use the same
files (the YAML language server reads the ``# yaml-language-server: $schema=``
line at the top of each YAML file) for completion and inline errors, so the two
never disagree. Each jsonschema error is turned into a :class:`Problem` at the
YAML node it concerns, with a message a reviewer can act on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .diagnostics import Problem, did_you_mean, quoted_list
from .yamlsrc import YamlDoc

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("site", "verdicts", "sources", "timeline", "facts", "annotations", "article", "page")


@functools.cache
def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    """One compiled validator per file kind; schemas refer to each other by file name."""
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}
    registry = Registry().with_resources(
        (name, DRAFT202012.create_resource(schema)) for name, schema in schemas.items()
    )
    return {
        kind: jsonschema.Draft202012Validator(schemas[f"{kind}.schema.json"], registry=registry)
        for kind in KINDS
    }


def check_shape(doc: YamlDoc, kind: str) -> tuple[list[Problem], set[tuple[Any, ...]]]:
    """Problems with the structure and field types of ``doc`` read as a ``kind`` file,
    and the paths of the values they concern (so callers can skip just the bad items)."""
    validator = _validators()[kind]
    if doc.data is None:
        return [Problem(doc.path, 1, 1, f"the file is empty; see the README for what a {kind} file holds")], {()}
    if validator.is_valid(doc.data):  # the common case, and much faster than iter_errors
        return [], set()
    problems: list[Problem] = []
    bad_paths: set[tuple[Any, ...]] = set()
    for error in sorted(_leaf_errors(validator.iter_errors(doc.data)), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_to_problems(doc, error))
        bad_paths.add(tuple(error.absolute_path))
    return problems, bad_paths


def _leaf_errors(errors) -> Iterator[jsonschema.ValidationError]:
    """Flatten anyOf/oneOf errors into the branch that failed most specifically."""
    for error in errors:
        if error.context and error.validator in ("anyOf", "oneOf") and "errorMessage" not in error.schema:
            yield jsonschema.exceptions.best_match(error.context)
        else:
            yield error


def _to_problems(doc: YamlDoc, error: jsonschema.ValidationError) -> list[Problem]:
    path = tuple(error.absolute_path)
    field = describe_path(doc.data, path)
    kind, schema, value = error.validator, error.schema, error.instance
    custom = schema.get("errorMessage") if isinstance(schema, dict) else None

    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        return [
            doc.problem(path + (key,), f"unknown field '{key}'{did_you_mean(key, allowed) or _allowed(allowed)}", key=True)
            for key in sorted(set(value) - allowed)
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
        return [doc.problem(path, f"{field} {_type_message(schema['type'], value)}")]
    if kind == "enum":
        options = [str(o) for o in schema["enum"]]
        return [doc.problem(path, f"{field} is '{value}', which is not one of {quoted_list(options)}{did_you_mean(value, options)}")]
    if kind == "uniqueItems":
        dupes = sorted({str(v) for v in value if value.count(v) > 1})
        return [doc.problem(path, f"{field} lists {quoted_list(dupes)} more than once; keep one")]
    if kind == "minItems":
        n = schema["minItems"]
        return [doc.problem(path, f"{field} {custom or f'needs at least {n} item' + ('s' if n > 1 else '')}")]
    if custom:
        return [doc.problem(path, f"{field} {custom}")]
    return [doc.problem(path, f"{field}: {error.message}")]


def describe_path(data: Any, path: tuple[Any, ...]) -> str:
    """A path as a reviewer reads it: ``('claims', 2, 'quote')`` → ``claim 'c000-03': 'quote'``.

    List items are named by their ``id`` where they have one, else numbered from 1: ``'boilerplate[1].starts'``.
    """
    owner, text, node = "", "", data
    for part in path:
        item = node[part] if isinstance(node, (list, dict)) and (isinstance(part, int) or part in node) else None
        if isinstance(part, int) and isinstance(item, dict) and isinstance(item.get("id"), str):
            singular = text[:-1] if text.endswith("s") else text
            owner, text = f"{singular} '{item['id']}'", ""
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


_TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping of 'key: value' lines",
               "integer": "a whole number", "number": "a number", "boolean": "true or false"}


def _type_message(expected: str | list[str], value: Any) -> str:
    expected = expected if isinstance(expected, str) else expected[0]
    got = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
           dict: "a mapping", type(None): "empty"}.get(type(value), type(value).__name__)
    message = f"must be {_TYPE_WORDS.get(expected, expected)}, but it is {got}"
    if expected == "string" and value is not None:
        message += f" ({value!r} to YAML); put the value in double quotes"
    elif expected == "string":
        message += "; write a value after the colon"
    elif expected == "array":
        message += "; write it as [a, b] or as '- item' lines"
    return message
