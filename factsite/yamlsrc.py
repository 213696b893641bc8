"""Parse YAML into plain data while remembering where every value came from.

PyYAML's ``safe_load`` keeps the last of two duplicate keys without a word and
throws away positions. Here the text is *composed* into a node tree (by libyaml,
the C parser, where it is installed, else by the pure-Python one; both keep node
marks) and that tree is walked into dicts, lists and scalars, recording the
``line:col`` of each value and each mapping key under its path. Duplicate keys,
anchors/aliases and merge keys are reported as problems. Dates stay strings: the
content model has its own date grammar (``2025-08``, ``~2025-03``, ``unknown``)
and YAML 1.1's timestamp guessing would turn only some of them into objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Problem

try:  # libyaml is several times faster and keeps marks too (issue #2)
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

PathKey = tuple[Any, ...]
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
# The tags plain YAML resolves to; anything else came from an explicit '!tag'.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}

# Plain-language hints for the YAML errors reviewers meet most.
_SYNTAX_HINTS = {
    "mapping values are not allowed": "a value contains ': '; put the whole value in double quotes",
    "could not find expected ':'": "a line is missing its 'key: value' colon, or a quoted value is not closed",
    "did not find expected key": "check the indentation: items of one list or mapping must line up",
    "found undefined alias": "'*' starts an alias in YAML; put the value in double quotes",
    "expected alphabetic or numeric character": "'*' or '&' starts an alias or anchor in YAML; quote the value",
}


@dataclass
class YamlDoc:
    """Parsed YAML data plus the position of each value, addressed by path."""

    path: str
    data: Any
    value_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """``(line, col)`` of the value (or its key) at ``path``, or of its nearest parent."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.value_marks and path:
            path = path[:-1]
        return self.value_marks.get(path, (1, 1))

    def problem(self, path: PathKey, message: str, *, key: bool = False, detail=()) -> Problem:
        """A :class:`Problem` located at ``path`` in this document."""
        line, col = self.where(path, key=key)
        return Problem(self.path, line, col, message, tuple(detail))


def parse_yaml(text: str, path: str, *, line_offset: int = 0) -> tuple[YamlDoc | None, list[Problem]]:
    """YAML text → (document, problems). The document is None if the text is not valid YAML.

    ``line_offset`` shifts reported lines, for YAML that starts below line 1 of its file
    (front matter).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        return None, [_syntax_problem(err, text, path, line_offset)]
    except yaml.YAMLError as err:  # errors without a mark (rare: bad encoding)
        return None, [Problem(path, 1, 1, f"not valid YAML: {err}")]
    doc = YamlDoc(path, None)
    problems: list[Problem] = []
    try:
        if node is not None:
            doc.data = _Walker(loader, doc, problems, line_offset).value(node, ())
    finally:
        loader.dispose()
    return doc, problems


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, path: str, line_offset: int) -> Problem:
    mark = err.problem_mark or err.context_mark
    what = err.problem or "not valid YAML"
    lines = text.splitlines()
    if mark and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        what = "a tab character here; indent with spaces, not tabs"  # libyaml does not name the character
    if what.startswith("found unexpected end of stream") and err.context_mark:
        # The end of the file is a useless place to point at: show where the value began.
        mark, what = err.context_mark, "this quoted value is never closed"
        err.context = None
    line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1, 1)
    hint = next((h for k, h in _SYNTAX_HINTS.items() if what.startswith(k)), "")
    context = f" ({err.context})" if err.context else ""
    return Problem(path, line, col, f"YAML syntax error: {what}{context}" + (f"; {hint}" if hint else ""))


class _Walker:
    """Turns a composed node tree into plain data, recording marks as it goes."""

    def __init__(self, loader, doc: YamlDoc, problems: list[Problem], line_offset: int):
        self.loader, self.doc, self.problems, self.offset = loader, doc, problems, line_offset
        self.seen: set[int] = set()

    def mark(self, node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def report(self, node, message: str) -> None:
        line, col = self.mark(node)
        self.problems.append(Problem(self.doc.path, line, col, message))

    def value(self, node, path: PathKey) -> Any:
        self.doc.value_marks[path] = self.mark(node)
        if id(node) in self.seen:  # the composer shares the node of an alias
            # The composer hands back the anchored node itself, so this points at the '&' definition.
            self.report(node, "this value is reused elsewhere with an anchor and alias (& and *), which is "
                              "not supported; write the value out in full where it is used")
            return None
        self.seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            self.report(node, f"the tag '{node.tag}' is not supported; remove it (values are read as plain YAML)")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag == _TIMESTAMP:
            return node.value
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node, path: PathKey) -> dict:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.report(key_node, "merge keys ('<<') are not supported; write the fields out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = key_node.value
            if key in out:
                self.report(
                    key_node,
                    f"duplicate key '{key}' (first defined on line {first_line[key]}); "
                    "YAML would silently keep only the last one: delete or rename one of them",
                )
                continue
            first_line[key] = self.mark(key_node)[0]
            self.doc.key_marks[path + (key,)] = self.mark(key_node)
            out[key] = self.value(value_node, path + (key,))
        return out
