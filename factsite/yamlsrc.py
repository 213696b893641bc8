"""Parse YAML into plain data while remembering where every value came from.

PyYAML's ``safe_load`` keeps the last of two duplicate keys without a word and
throws away positions. Here the text is *parsed* into events (by libyaml, the C
parser, where it is installed, else by the pure-Python one; both keep marks) and
the events are built into dicts, lists and scalars, recording the ``line:col``
of each value and each mapping key under its path. Duplicate keys,
anchors/aliases and merge keys are reported as problems. Dates stay strings: the
content model has its own date grammar (``2025-08``, ``~2025-03``, ``unknown``)
and YAML 1.1's timestamp guessing would turn only some of them into objects.

Hostile or mistaken input gives a located problem, never an exception:

* characters YAML forbids (NUL, C1 controls, ...) are found before parsing and
  reported at their own ``line:col``;
* lists and mappings nested more than :data:`MAX_DEPTH` deep stop the file at the
  first too-deep one (nothing recurses further, here or in the schema check);
* integers longer than :data:`MAX_INT_DIGITS` digits are refused at their node
  (Python will not even convert one of 4,300 digits); floats too large for a
  float read as ``inf``, which no field accepts, so the schema reports them;
* a string value or key holding a control character (other than tab and line
  feed) or a bidi embedding, override or isolate is refused, at the character
  where it is written literally, else at the value.

Refused values are listed in :attr:`YamlDoc.refused`; the schema check reports
nothing more about them and the readers skip the items that hold them, so one
mistake gives one message.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Problem

try:  # libyaml is several times faster and keeps marks too (issue #2)
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 32
"""Most lists and mappings nested in one another (the root mapping is the first). The content files need 4."""
MAX_INT_DIGITS = 15
"""Longest integer read as a number; numbers in this content are small, and Python refuses 4,300 digits."""

PathKey = tuple[Any, ...]
_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _SEQ, _MAP, _MERGE = (
    _T + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
)
# The tags plain YAML resolves a single value to; anything else came from an explicit '!tag'.
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}
_TYPE_WORDS = {_INT: "a whole number", _FLOAT: "a number", _BOOL: "true or false", _NULL: "empty"}

# What the YAML reader refuses anywhere in a file (the same set as PyYAML's Reader.NON_PRINTABLE and libyaml's).
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What no value or key may hold: C0 and C1 controls but tab and line feed, DEL, the bidi embeddings,
# overrides and isolates (they reorder how text is shown), and lone surrogates (not writable as UTF-8).
_NOT_IN_VALUES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# YAML's line breaks: marks count lines by these, so positions found here must too.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_CONTROL_NAMES = (
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "ALERT",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)
_C1_NAMES = (
    "PADDING CHARACTER",
    "HIGH OCTET PRESET",
    "BREAK PERMITTED HERE",
    "NO BREAK HERE",
    "INDEX",
    "NEXT LINE",
    "START OF SELECTED AREA",
    "END OF SELECTED AREA",
    "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION",
    "LINE TABULATION SET",
    "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD",
    "REVERSE LINE FEED",
    "SINGLE SHIFT TWO",
    "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING",
    "PRIVATE USE ONE",
    "PRIVATE USE TWO",
    "SET TRANSMIT STATE",
    "CANCEL CHARACTER",
    "MESSAGE WAITING",
    "START OF GUARDED AREA",
    "END OF GUARDED AREA",
    "START OF STRING",
    "SINGLE GRAPHIC CHARACTER INTRODUCER",
    "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER",
    "STRING TERMINATOR",
    "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE",
    "APPLICATION PROGRAM COMMAND",
)

# Plain-language hints for the YAML errors reviewers meet most.
_SYNTAX_HINTS = {
    "mapping values are not allowed": "a value contains ': '; put the whole value in double quotes",
    "could not find expected ':'": "a line is missing its 'key: value' colon, or a quoted value is not closed",
    "did not find expected key": "check the indentation: items of one list or mapping must line up",
    "found undefined alias": "'*' starts an alias in YAML; put the value in double quotes",
    "expected alphabetic or numeric character": "'*' or '&' starts an alias or anchor in YAML; quote the value",
}


def is_control(ch: str) -> bool:
    """C0 and C1 control characters and DEL."""
    return ch < "\x20" or "\x7f" <= ch <= "\x9f"


def describe_char(ch: str) -> str:
    """``U+0000 (NULL)``, ``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character named for a reviewer."""
    cp = ord(ch)
    if cp < 0x20:
        name = _CONTROL_NAMES[cp]
    elif cp == 0x7F:
        name = "DELETE"
    elif 0x80 <= cp <= 0x9F:
        name = _C1_NAMES[cp - 0x80]
    elif 0xD800 <= cp <= 0xDFFF:
        name = "a lone surrogate"
    else:
        name = unicodedata.name(ch, "") or "not a character"
    return f"U+{cp:04X} ({name})"


@dataclass(kw_only=True)
class YamlDoc:
    """Parsed YAML data plus the position of each value, addressed by path."""

    path: str
    data: Any
    value_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    refused: set[PathKey] = field(default_factory=set)
    """Paths of the values (and keys) the reader refused, each with its problem already reported."""
    typed: dict[PathKey, str] = field(default_factory=dict)
    """Paths of the values YAML read as a number, true/false or empty → the text written (``yes``, ``1.10``),
    so a message can show what the reviewer typed rather than what YAML made of it."""

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
        return Problem(path=self.path, line=line, col=col, message=message, detail=tuple(detail))

    def is_refused(self, path: PathKey) -> bool:
        """True when the value at ``path``, or one that holds it, was refused by the reader."""
        path = tuple(path)
        return any(path[:n] in self.refused for n in range(len(path) + 1)) if self.refused else False


def parse_yaml(text: str, path: str, *, line_offset: int = 0) -> tuple[YamlDoc | None, list[Problem]]:
    """YAML text → (document, problems). The document is None if the text is not valid YAML.

    ``line_offset`` shifts reported lines, for YAML that starts below line 1 of its file
    (front matter).
    """
    lines = _Lines(text, line_offset)
    bad_char = _NOT_YAML.search(text)
    if bad_char:  # both readers refuse it, but the C one says neither where (it counts bytes) nor what
        return None, [_forbidden_char_problem(path, lines, bad_char.start(), bad_char.group())]
    doc = YamlDoc(path=path, data=None)
    problems: list[Problem] = []
    loader = None
    try:
        loader = _Loader(text)
        # Values can only hold a character no value may hold if the text has it, or if a double-quoted
        # value writes it as an escape ("\\x01"): one scan of the text spares checking every value.
        scan_all = _NOT_IN_VALUES.search(text) is not None
        doc.data = _Builder(loader, doc, problems, lines, scan_all=scan_all).document()
    except _TooDeep as deep:
        return None, [_too_deep(path, lines, deep.mark)]
    except yaml.MarkedYAMLError as err:
        if (err.problem or "").startswith("exceeded maximum nesting depth"):
            # libyaml's own limit (1,000 levels), met while it scans ahead: as deep as it gets, so say so there.
            return None, [_too_deep(path, lines, err.problem_mark)]
        return None, [_syntax_problem(err, text, path, line_offset)]
    except yaml.reader.ReaderError as err:  # pragma: no cover - the scan above finds these first
        return None, [_forbidden_char_problem(path, lines, None, chr(err.character) if isinstance(err.character, int) else "\0")]
    except yaml.YAMLError as err:  # errors without a mark (rare)
        return None, [Problem(path=path, line=1 + line_offset, col=1, message="not valid YAML: " + " ".join(str(err).split()))]
    finally:
        if loader is not None:
            loader.dispose()
    return doc, problems


def _too_deep(path: str, lines: _Lines, mark) -> Problem:
    line, col = lines.mark(mark)
    return Problem(
        path=path,
        line=line,
        col=col,
        message=f"lists and mappings are nested more than {MAX_DEPTH} levels deep here (the content "
        "files need at most 4); check the brackets and the indentation",
    )


def _forbidden_char_problem(path: str, lines: _Lines, index: int | None, ch: str) -> Problem:
    line, col = lines.position(index) if index is not None else (1 + lines.offset, 1)
    what = "control character" if is_control(ch) else "character"
    return Problem(
        path=path,
        line=line,
        col=col,
        message=f"the file contains the {what} {describe_char(ch)}, which YAML does not allow; delete it",
    )


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, path: str, line_offset: int) -> Problem:
    mark = err.problem_mark or err.context_mark
    what = err.problem or "not valid YAML"
    lines = _LINE_BREAK.split(text)
    located = _explain_layout(err, text, lines, line_offset)
    if located:
        (row, col), message = located
        return Problem(path=path, line=row + 1 + line_offset, col=col + 1, message=message)
    if mark and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
        what = "a tab character here; indent with spaces, not tabs"  # libyaml does not name the character
    if what.startswith("found unexpected end of stream") and err.context_mark:
        # The end of the file is a useless place to point at: show where the value began.
        mark, what = err.context_mark, "this quoted value is never closed"
        err.context = None
    line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
    hint = next((h for k, h in _SYNTAX_HINTS.items() if what.startswith(k)), "")
    context = f" ({err.context})" if err.context else ""
    return Problem(path=path, line=line, col=col, message=f"YAML syntax error: {what}{context}" + (f"; {hint}" if hint else ""))


# The errors libyaml (and the pure-Python parser) give when a line is not where the structure expects it.
_LAYOUT_ERRORS = (
    "did not find expected '-' indicator",
    "did not find expected key",
    "expected <block end>",
    "could not find expected ':'",
    "mapping values are not allowed",
)
_KEY_START = re.compile(r"(?:-[ ]+)*[A-Za-z0-9_][A-Za-z0-9_.-]*[ ]*:(?:[ ]|$)")
_BLOCK_HEADER = re.compile(r"(?P<key>(?:-[ ]+)*[^\s#'\"][^#]*?:)[ ]+(?P<ind>[|>][-+1-9]*)[ ]*(?:#.*)?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def _explain_layout(err: yaml.MarkedYAMLError, text: str, lines: list[str], offset: int) -> tuple[tuple[int, int], str] | None:
    """A syntax error that comes from the layout (an unclosed quote, a line indented out of line),
    explained at the line where the mistake is: ``((row, col), message)``, 0-based, or None."""
    mark, what = err.problem_mark, err.problem or ""
    if mark is None or not what.startswith(_LAYOUT_ERRORS):
        return None
    quote = _runaway_quote(text, mark, offset)
    if quote:
        return quote
    rows = [mark.line]
    if what.startswith("could not find expected ':'") and err.context_mark is not None:
        rows.insert(0, err.context_mark.line)  # the line that starts the would-be key, not where libyaml gave up
    start = _value_start(lines, mark.line)
    if start is not None:
        rows.append(start)  # the line a value of several lines starts on, where its indentation went wrong
    for row in rows:
        if row >= len(lines) or _is_blank(lines[row]):
            continue
        found = _text_at_its_key(lines, row) or _outdented_in_block(lines, row) or _out_of_line(lines, row, mark, what, offset)
        if found:
            return found
    return None


def _runaway_quote(text: str, mark, offset: int) -> tuple[tuple[int, int], str] | None:
    """A quoted value left open runs on to the next quote of its kind, lines below, and the error is
    reported there: point at the quote that opens it instead."""
    last = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.end_mark.line != mark.line or last.start_mark.line == mark.line:
        return None
    start, end = last.start_mark, last.end_mark
    quote = last.style
    return (start.line, start.column), (
        f"YAML syntax error: this quoted value is not closed on its line, so it runs on to the next {quote} "
        f"on line {end.line + 1 + offset}; close the quote on this line"
    )


def _value_start(lines: list[str], row: int) -> int | None:
    """The line above ``row`` indented less than it and the lines between: where a plain value that
    runs on over several lines begins (None if there is none)."""
    if row >= len(lines) or _is_blank(lines[row]):
        return None
    n = _indent(lines[row])
    for r in range(row - 1, max(row - 200, -1), -1):
        if _is_blank(lines[r]):
            continue
        if _indent(lines[r]) < n:
            return None if _BLOCK_HEADER.fullmatch(lines[r].strip()) or _KEY_START.match(lines[r].strip()) else r
    return None


def _text_at_its_key(lines: list[str], row: int) -> tuple[tuple[int, int], str] | None:
    """The first line of a block of text (``explanation: |``) indented no more than its key: YAML takes the
    text to be empty, reads the line as a key or a value of its own, and trips over it or a line below."""
    for r in range(row, max(row - 200, -1), -1):
        header = _BLOCK_HEADER.fullmatch(lines[r].strip())
        if not header:
            continue
        k = _indent(lines[r])
        body = [x for x in range(r + 1, row + 1) if not _is_blank(lines[x])]
        if not body or _indent(lines[body[0]]) != k or any(_indent(lines[x]) <= k for x in body[1:]):
            return None
        first = lines[body[0]].strip()
        if _KEY_START.match(first) or first.startswith("- "):
            return None
        below = []
        for x in range(body[0] + 1, len(lines)):
            if not _is_blank(lines[x]):
                below = [_indent(lines[x])] if _indent(lines[x]) > k else []
                break
        column = (below[0] if below else k + 2) + 1
        key = f"{header['key'].lstrip('- ').strip()} {header['ind']}"
        return (body[0], k), (
            f"this line is indented no more than '{key}' above it, so YAML reads the text of '{key}' as empty; "
            f"indent the text, to column {column} like the lines below it"
            if below
            else f"this line is indented no more than '{key}' above it, so YAML reads the text of '{key}' as empty; "
            f"indent the text, to column {column} for example"
        )
    return None


def _outdented_in_block(lines: list[str], row: int) -> tuple[tuple[int, int], str] | None:
    """A line inside a block of text (``explanation: |``) indented less than the text ends the block
    early; YAML then trips over it or a line below."""
    n = _indent(lines[row])
    body: list[int] = []
    for r in range(row - 1, -1, -1):
        line = lines[r]
        if not line.strip():
            continue
        header = _BLOCK_HEADER.fullmatch(line.strip())
        if _indent(line) <= n and not header:
            return None
        if header:
            key_indent = _indent(line)
            start = (body[-1] if body else None) if not header["ind"][1:2].isdigit() else None
            if start is None:
                return None
            column = _indent(lines[start])
            content = lines[row].strip()
            if not (key_indent <= n < column) or (n == key_indent and _KEY_START.match(content)):
                return None
            key = header["key"].lstrip("- ").strip()
            return (row, n), (
                f"this line is indented less than the text of '{key} {header['ind']}' above it (which starts at "
                f"column {column + 1}); indent it to column {column + 1}, or end the text before it"
            )
        body.append(r)
    return None


def _out_of_line(lines: list[str], row: int, mark, what: str, offset: int) -> tuple[tuple[int, int], str] | None:
    """A key or list item indented by a few spaces more or less than the ones it belongs with."""
    line = lines[row]
    n = _indent(line)
    content = line[n:]
    if what.startswith("mapping values are not allowed"):
        # A key indented deeper than the 'key: value' line above it is read as more of that value.
        key = _KEY_START.match(content)
        if not key or mark.line != row or mark.column != n + key.group().index(":"):
            return None
    elif mark.line == row and mark.column != n:
        return None  # the error is not at the start of the line: not a matter of indentation
    item = content.startswith("- ") or content == "-"
    levels: dict[int, int] = {}  # indentation a line here may have → the nearest line above that has it
    dashes: dict[int, int] = {}
    above, deepest = None, None
    for r in range(row - 1, -1, -1):
        prev = lines[r]
        if _is_blank(prev):
            continue
        i = _indent(prev)
        if above is None:
            above = r
        if deepest is not None and i >= deepest:
            continue
        rest = prev[i:]
        dash = re.match(r"(?:-[ ]+)+", rest)
        if dash:
            dashes.setdefault(i, r)
            levels.setdefault(i + len(dash.group()), r)
        else:
            levels.setdefault(i, r)
        deepest = i
        if i == 0:
            break
    candidates = (dashes or levels) if item else levels
    if above is None or not candidates or n in candidates:
        return None
    target = min(candidates, key=lambda level: (abs(level - n), -level))
    ref = candidates[target]
    other = f"the line above it ({ref + 1 + offset})" if ref == above else f"line {ref + 1 + offset} above it"
    return (row, n), f"this line is indented {_spaces(n)}, but {other} is indented {target}; line them up"


class _TooDeep(Exception):
    def __init__(self, mark):
        self.mark = mark


class _Lines:
    """Turns marks and text offsets into reported ``(line, col)``, counting lines as YAML does."""

    def __init__(self, text: str, offset: int):
        self.text, self.offset = text, offset
        self._starts: list[int] | None = None

    def mark(self, mark) -> tuple[int, int]:
        return mark.line + 1 + self.offset, mark.column + 1

    @property
    def starts(self) -> list[int]:
        if self._starts is None:  # built only when a problem needs it
            first = 1 if self.text.startswith("\ufeff") else 0  # marks do not count a byte-order mark
            self._starts = [first] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        return self._starts

    def index(self, mark) -> int:
        starts = self.starts
        return (starts[mark.line] if mark.line < len(starts) else len(self.text)) + mark.column

    def position(self, index: int) -> tuple[int, int]:
        line = max(bisect.bisect_right(self.starts, index) - 1, 0)
        return line + 1 + self.offset, index - self.starts[line] + 1


class _Builder:
    """Builds plain data from the parser's events, recording marks as it goes.

    It recurses once per level of nesting and refuses to go past :data:`MAX_DEPTH`,
    so no input can exhaust Python's stack (libyaml alone would allow 1,000 levels,
    and the pure-Python composer recursed without limit).
    """

    def __init__(self, loader, doc: YamlDoc, problems: list[Problem], lines: _Lines, *, scan_all: bool = True):
        self.loader, self.doc, self.problems, self.lines = loader, doc, problems, lines
        self.anchors: dict[str, Any] = {}  # anchor name → mark of its '&'
        self.reported: set[str] = set()
        self.value_marks, self.key_marks = doc.value_marks, doc.key_marks
        self.first_line = 1 + lines.offset  # what a mark's 0-based line adds up to (see _Lines.mark)
        self.scan_all = scan_all
        """Whether every value and key is checked for characters no value may hold (else only double-quoted ones)."""
        # The loader's implicit resolvers, applied here as loader.resolve applies them, without its costly general
        # case: only when nothing (a resolver for any first character, a path resolver) calls for that case.
        implicit = loader.yaml_implicit_resolvers
        self.implicit = None if None in implicit or loader.yaml_path_resolvers else implicit

    def resolve_scalar(self, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a scalar written without one: what ``loader.resolve(ScalarNode, ...)`` gives."""
        if self.implicit is None:
            return self.loader.resolve(yaml.ScalarNode, value, implicit)
        if implicit[0]:
            for tag, regexp in self.implicit.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return _STR

    def resolve_collection(self, is_map: bool, implicit: bool) -> str:
        """The tag of a list or mapping written without one: what ``loader.resolve`` gives."""
        if self.implicit is None:
            return self.loader.resolve(yaml.MappingNode if is_map else yaml.SequenceNode, None, implicit)
        return _MAP if is_map else _SEQ

    def report(self, mark, message: str, path: PathKey | None = None, at: tuple[int, int] | None = None) -> None:
        line, col = at or self.lines.mark(mark)
        self.problems.append(Problem(path=self.doc.path, line=line, col=col, message=message))
        if path is not None:
            self.doc.refused.add(path)

    def document(self) -> Any:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        start = loader.get_event()  # DocumentStart
        data = self.value((), 0)
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                start.start_mark,
                "but found another document",
                loader.get_event().start_mark,
            )
        return data

    def anchor(self, event) -> None:
        name = getattr(event, "anchor", None)
        if name is None or isinstance(event, yaml.AliasEvent):
            return
        if name in self.anchors:
            self.report(
                event.start_mark,
                f"the anchor '&{name}' is defined twice (first on line "
                f"{self.lines.mark(self.anchors[name])[0]}); anchors and aliases (& and *) "
                "are not supported: remove them",
            )
        self.anchors[name] = event.start_mark

    def alias(self, event, path: PathKey) -> None:
        where = self.anchors.get(event.anchor)
        if where is None:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        self.doc.refused.add(path)
        if event.anchor not in self.reported:  # point at the '&' definition: that is the value being reused
            self.reported.add(event.anchor)
            self.report(
                where,
                "this value is reused elsewhere with an anchor and alias (& and *), which is "
                "not supported; write the value out in full where it is used",
            )

    def value(self, path: PathKey, depth: int) -> Any:
        """The value starting at the next event (``depth`` lists and mappings hold it)."""
        return self.node(self.loader.get_event(), path, depth)

    def node(self, event, path: PathKey, depth: int) -> Any:
        """The value that ``event`` starts (``depth`` lists and mappings hold it)."""
        start = event.start_mark
        self.value_marks[path] = (start.line + self.first_line, start.column + 1)
        if isinstance(event, yaml.AliasEvent):
            self.alias(event, path)
            return None
        if event.anchor is not None:
            self.anchor(event)
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event, path)
        if depth >= MAX_DEPTH:
            raise _TooDeep(start)
        is_map = isinstance(event, yaml.MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve_collection(is_map, event.implicit)
        if tag != (_MAP if is_map else _SEQ):
            self.unsupported_tag(event, tag, path)
            self.skip(depth + 1)
            return None
        if is_map:
            return self.mapping(path, depth + 1)
        items: list[Any] = []
        get_event = self.loader.get_event
        while not isinstance(event := get_event(), yaml.SequenceEndEvent):
            items.append(self.node(event, path + (len(items),), depth + 1))
        return items

    def mapping(self, path: PathKey, depth: int) -> dict:
        loader = self.loader
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        get_event = loader.get_event
        while not isinstance(key_event := get_event(), yaml.MappingEndEvent):
            if isinstance(key_event, yaml.AliasEvent):
                self.alias(key_event, path)
                self.skip_value(depth)
                continue
            if key_event.anchor is not None:
                self.anchor(key_event)
            if not isinstance(key_event, yaml.ScalarEvent):
                if depth >= MAX_DEPTH:
                    raise _TooDeep(key_event.start_mark)
                self.report(key_event.start_mark, "a key must be a plain word, not a list or mapping", path)
                self.skip(depth + 1)  # the rest of the key
                self.skip_value(depth)
                continue
            key = key_event.value
            tag = key_event.tag
            if tag is None or tag == "!":
                tag = self.resolve_scalar(key, key_event.implicit)
            if tag == _MERGE:
                self.report(key_event.start_mark, "merge keys ('<<') are not supported; write the fields out in full", path)
                self.skip_value(depth)
                continue
            start = key_event.start_mark
            mark = (start.line + self.first_line, start.column + 1)
            if key in out:
                self.report(
                    key_event.start_mark,
                    f"duplicate key '{key}' (first defined on line {first_line[key]}); "
                    "YAML would silently keep only the last one: delete or rename one of them",
                )
                self.skip_value(depth)
                continue
            first_line[key] = mark[0]
            key_path = path + (key,)
            self.key_marks[key_path] = mark
            if self.scan_all or key_event.style == '"':
                self.check_chars(key_event, key, key_path, "key")
            out[key] = self.node(get_event(), key_path, depth)
        return out

    def scalar(self, event, path: PathKey) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve_scalar(event.value, event.implicit)
        if tag in (_STR, _TIMESTAMP):
            if self.scan_all or event.style == '"':
                self.check_chars(event, event.value, path, "value")
            return event.value
        if tag not in _SCALAR_TAGS:
            self.unsupported_tag(event, tag, path)
            return None
        if tag == _INT and _digits(event.value) > MAX_INT_DIGITS:
            self.report(
                event.start_mark,
                f"this number is too long (more than {MAX_INT_DIGITS} digits); if it is text, put it in double quotes",
                path,
            )
            return None
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        if event.value:
            self.doc.typed[path] = event.value  # what was typed: 'yes', '1.10'
        try:
            return self.loader.yaml_constructors[tag](self.loader, node)
        except Exception as err:  # noqa: BLE001 - any constructor failure becomes a located problem
            reason = " ".join(str(err).split())[:100]
            self.report(
                event.start_mark,
                f"this value cannot be read as {_TYPE_WORDS.get(tag, tag)} ({reason}); if it is text, put it in double quotes",
                path,
            )
            return None

    def unsupported_tag(self, event, tag: str, path: PathKey) -> None:
        self.report(event.start_mark, f"the tag '{tag}' is not supported; remove it (values are read as plain YAML)", path)

    def check_chars(self, event, text: str, path: PathKey, what: str) -> None:
        found = _NOT_IN_VALUES.search(text)
        if not found:
            return
        ch = found.group()
        if is_control(ch):
            why = f"the control character {describe_char(ch)}, which is not allowed in the content"
        elif "\ud800" <= ch <= "\udfff":
            why = f"{describe_char(ch)}, which cannot be written as UTF-8"
        else:
            why = (
                f"the bidirectional control character {describe_char(ch)}, which makes text display in a "
                "different order from how it is stored"
            )
        # Point at the character itself when it is written literally in the file, else at the value.
        lines = self.lines
        literal = lines.text.find(ch, lines.index(event.start_mark), lines.index(event.end_mark))
        at = lines.position(literal) if literal >= 0 else None
        self.report(event.start_mark, f"this {what} contains {why}; delete it", path, at=at)

    def skip(self, depth: int) -> None:
        """Consume events up to the end of the list or mapping just started, at nesting level ``depth`` (the root's is 1)."""
        level = 1
        while level:
            event = self.loader.get_event()
            self.anchor(event)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                level += 1
                if depth + level > MAX_DEPTH + 1:
                    raise _TooDeep(event.start_mark)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                level -= 1

    def skip_value(self, depth: int) -> None:
        """Consume the next value, held by ``depth`` lists and mappings, without building it."""
        event = self.loader.peek_event()
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self.loader.get_event()
            self.anchor(event)
            if depth >= MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            self.skip(depth + 1)
        else:
            self.anchor(self.loader.get_event())


def _digits(literal: str) -> int:
    """How many digits an integer literal has (``-1_000`` → 4, ``0x1F`` → 2, ``1:30`` → 3)."""
    body = literal.lstrip("+-").replace("_", "").replace(":", "")
    return len(body[2:] if body[:2].lower() in ("0x", "0b") else body)
