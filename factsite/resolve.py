"""Ids and references: every id defined once, every reference to an id that exists.

The file readers ``define`` each id as they meet it and ``refer`` to the ids an
item cites; once every file is read, ``check`` reports duplicates' partners and
unknown references together, with a did-you-mean that names what the suggested
id is (so a tired reviewer does not accept the wrong event). References into a
file that could not be read at all are not reported again: one mistake, one
message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .diagnostics import Problem, closest, quoted_list
from .model import Loc
from .yamlsrc import YamlDoc

# Where each kind of id is defined, for the "unknown id" message.
DEFINED_IN = {
    "verdict": "content/verdicts.yaml",
    "source": "content/sources.yaml",
    "event": "content/timeline.yaml",
    "fact": "content/facts.yaml",
    "claim": "content/annotations/",
}


@dataclass(frozen=True, kw_only=True)
class _Ref:
    doc: YamlDoc
    path: tuple
    kind: str
    id: str


@dataclass(kw_only=True)
class Resolver:
    """The ids of one build, and the references waiting to be checked."""

    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, dict[str, tuple[str, Loc]]] = field(default_factory=lambda: {"site": {}, "verdict": {}})
    """Namespace → id → (kind, where defined). Verdicts have a namespace of their own."""
    titles: dict[str, str] = field(default_factory=dict)
    """Id → a short title, shown beside a did-you-mean."""
    broken: set[str] = field(default_factory=set)
    """Kinds whose file could not be read at all: references to them are not checked."""
    refs: list[_Ref] = field(default_factory=list)

    @staticmethod
    def namespace(kind: str) -> str:
        return "verdict" if kind == "verdict" else "site"

    def define(self, id_: str, kind: str, doc: YamlDoc, path: tuple, title: str = "") -> None:
        registry = self.ids[self.namespace(kind)]
        line, col = doc.where(path)
        if id_ in registry:
            other_kind, other = registry[id_]
            scope = "verdicts" if kind == "verdict" else "claims, events, sources and facts"
            self.problems.append(
                Problem(
                    path=doc.path,
                    line=line,
                    col=col,
                    message=f"id '{id_}' is already used by the {other_kind} at {other.path}:{other.line}:{other.col}; "
                    f"ids must be unique across {scope}",
                )
            )
            return
        registry[id_] = (kind, Loc(path=doc.path, line=line, col=col))
        if title:
            self.titles[id_] = title

    def refer(self, doc: YamlDoc, path: tuple, kind: str, ids: str | Iterable[str]) -> None:
        """Record references to check once every file is read (``ids`` is one id or a list)."""
        if isinstance(ids, str):
            self.refs.append(_Ref(doc=doc, path=path, kind=kind, id=ids))
        else:
            self.refs.extend(_Ref(doc=doc, path=path + (n,), kind=kind, id=id_) for n, id_ in enumerate(ids))

    def of_kind(self, kind: str) -> Mapping[str, Loc]:
        return {i: loc for i, (k, loc) in self.ids[self.namespace(kind)].items() if k == kind}

    def check(self) -> list[Problem]:
        """Every id an item cites must be defined (even if its definition has problems)."""
        found: list[Problem] = []
        for ref in self.refs:
            if ref.kind in self.broken:
                continue  # its file is unreadable: that problem is already reported
            defined = self.ids[self.namespace(ref.kind)].get(ref.id)
            if defined is None:
                found.append(ref.doc.problem(ref.path, f"unknown {ref.kind} '{ref.id}'{self.suggest(ref.id, ref.kind)}"))
            elif defined[0] != ref.kind:
                found.append(ref.doc.problem(ref.path, f"'{ref.id}' is a {defined[0]}, not a {ref.kind}"))
        return self.problems + found

    def suggest(self, id_: str, kind: str) -> str:
        """`` (did you mean 'ev31', “R2 delayed”?); events are defined in …``; verdicts, a small
        vocabulary, are all listed."""
        choices = self.of_kind(kind)
        near = closest(id_, choices)
        title = f", “{self.titles[near]}”" if near in self.titles else ""
        hint = f" (did you mean '{near}'{title}?)" if near else ""
        if kind == "verdict" and choices:
            return hint + f"; a verdict is one of {quoted_list(choices, limit=20)} (see {DEFINED_IN[kind]})"
        return hint + f"; {kind}s are defined in {DEFINED_IN[kind]}"
