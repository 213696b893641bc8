"""Problems found in the content, as values that carry ``path:line:col``.

Every stage of the pipeline returns the problems it found instead of raising on
the first one, so a reviewer sees all of them in one run (issue #2). The text a
problem formats to is the compiler convention editors can jump to, and it is the
same text ``check`` prints, the build prints and the preview shows in the browser.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# C0 and C1 controls, and the bidi embeddings, overrides and isolates that reorder what is shown.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with control and bidi characters written as escapes (``\\n``, ``\\u202e``)."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True, kw_only=True)
class Problem:
    """One thing wrong with the content, located in a file."""

    path: str
    """File path relative to the project root, with forward slashes."""
    line: int
    """1-based line number (0 when the problem concerns the whole file)."""
    col: int
    """1-based column number (0 when the problem concerns the whole file)."""
    message: str
    """Plain-language description, ending with a suggestion where one exists."""
    detail: tuple[str, ...] = ()
    """Optional further lines (for example the closest passage of the article)."""
    severity: str = "error"
    """``error`` stops the build; ``warning`` is reported and the build goes on (``--strict`` stops it);
    ``note`` is information for the editor (the worklist) and never stops anything."""

    def format(self) -> str:
        """``path:line:col: message``, then any detail lines indented below it.

        Control and bidi characters (in a file name, in a quoted value) are shown as escapes, so each
        problem stays on its line and a terminal or a browser shows what is really there.
        """
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path  # 0: the whole file
        label = {"warning": "warning: ", "note": "note: "}.get(self.severity, "")
        head = visible(f"{where}: {label}{self.message}")
        return "\n".join([head, *("    " + visible(d) for d in self.detail)])


class BuildFailed(Exception):
    """Raised by the pipeline when a stage found problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) found")

    def report(self) -> str:
        """All problems, one block each, followed by a count."""
        n = sum(p.severity == "error" for p in self.problems)
        warned = sum(p.severity == "warning" for p in self.problems)
        lines = [p.format() for p in self.problems]
        if n:
            also = f" (and {warned} warning{'s' if warned != 1 else ''})" if warned else ""
            lines.append(f"{n} problem{'s' if n != 1 else ''} found{also}; nothing was written.")
        else:  # --strict: warnings stop the build
            lines.append(
                f"{warned} warning{'s' if warned != 1 else ''} found, and --strict makes them errors; nothing was written."
            )
        return "\n".join(lines)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``word``, if any is close enough to be a likely typo."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = closest(word, choices)
    return f" (did you mean '{close}'?)" if close else ""


def quoted_list(items: Iterable[str], limit: int = 12) -> str:
    """``'a', 'b', 'c'`` with an ellipsis past ``limit`` items."""
    items = sorted(items)
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")
