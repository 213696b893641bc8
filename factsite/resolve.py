"""Ids and references: every id defined once, every reference to an id that exists.

The file readers ``define`` each id as they meet it and ``refer`` to the ids an
item cites; once every file is read, ``check`` reports duplicates' partners and
unknown references together, with a did-you-mean that names what the suggested
id is (so a tired reviewer does not accept the wrong event). References into a
file that could not be read at all are not reported again: one mistake, one
message.

The same holds for an item whose id is not an id (``EV05``, ``ev 05``,
``Space-agency``): the readers ``reject`` it instead of defining it, and its
problem is reported where it is defined. A reference that means it (the same
text, or the same once case, spaces, ``_``, ``-`` and ``.`` are set aside:
``ev05``, ``space-agency``) is then not "unknown": the first one gets a note
that points at the definition, the others are left out, so one typo gives one
error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .diagnostics import Problem
from .importer import next_free_id
from .model import Loc
from .schema import describe_path
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


@dataclass(frozen=True, kw_only=True)
class _Rejected:
    """An item's id that is not an id, as written, where it is written."""

    written: str
    kind: str
    at: Loc


@dataclass(kw_only=True)
class Resolver:
    """The ids of one build, and the references waiting to be checked."""

    problems: list[Problem] = field(default_factory=list)
    dupes: list[tuple[int, str]] = field(default_factory=list)
    """(index in ``problems``, id) of each duplicate claim id, to suggest the next free one once all are known."""
    ids: dict[str, dict[str, tuple[str, Loc]]] = field(default_factory=lambda: {"site": {}, "verdict": {}})
    """Namespace → id → (kind, where defined). Verdicts have a namespace of their own."""
    titles: dict[str, str] = field(default_factory=dict)
    """Id → a short title, shown beside a did-you-mean."""
    about: dict[str, str] = field(default_factory=dict)
    """Id → what else tells it apart in a did-you-mean: an event's date, a source's publisher and date."""
    labels: dict[str, str] = field(default_factory=dict)
    """Verdict id → its label ('Mostly accurate'), fact id → its title: what reviewers write by mistake for the id."""
    broken: set[str] = field(default_factory=set)
    """Kinds whose file could not be read at all: references to them are not checked."""
    refs: list[tuple[YamlDoc, tuple, str, str | tuple[str, ...]]] = field(default_factory=list)
    """(file, path, kind, one id or a list of ids) of each reference, as ``refer`` took it."""
    rejected: list[_Rejected] = field(default_factory=list)
    """Ids that are not ids, where they are defined: references that mean one point at it (see :meth:`reject`)."""

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
            if kind == "claim" and re.fullmatch(r"c\d+-\d+", id_):  # the claim-id scheme: cNNN-MM
                self.dupes.append((len(self.problems) - 1, id_))
            return
        registry[id_] = (kind, Loc(path=doc.path, line=line, col=col))
        if title:
            self.titles[id_] = title
        item = _item(doc, path[:-1])
        name = item.get("label" if kind == "verdict" else "title") if kind in ("verdict", "fact") else None
        if isinstance(name, str):
            self.labels[id_] = name
        elif kind == "event" and isinstance(item.get("date"), str):
            self.about[id_] = item["date"]
        elif kind == "source":
            published = item.get("published")
            when = "date unknown" if published == "unknown" else published if isinstance(published, str) else ""
            self.about[id_] = ", ".join(t[:60] for t in (item.get("publisher"), when) if isinstance(t, str) and t)

    def reject(self, value: object, kind: str, doc: YamlDoc, path: tuple) -> None:
        """An item's ``id`` that is not an id (``EV05``, ``ev 05``, a number): its item is not defined, and its
        problem is reported where it is written (by the schema), so the references that mean it are not reported
        as unknown too."""
        written = doc.typed.get(tuple(path), value)  # what was typed: 2025, not YAML's number
        if isinstance(written, str) and _squashed(written):
            line, col = doc.where(path)
            self.rejected.append(_Rejected(written=written, kind=kind, at=Loc(path=doc.path, line=line, col=col)))

    def refer(self, doc: YamlDoc, path: tuple, kind: str, ids: str | Iterable[str]) -> None:
        """Record references to check once every file is read (``ids`` is one id or a list). They are kept as
        given and looked up in ``check``: a build refers some 150,000 times at 1,000 articles."""
        self.refs.append((doc, path, kind, ids if isinstance(ids, str) else tuple(ids)))

    def _refs(self) -> Iterable[_Ref]:
        """Each reference that is not to a defined item of its kind, in the order they were made."""
        for doc, path, kind, ids in self.refs:
            if kind in self.broken:
                continue  # its file is unreadable: that problem is already reported
            registry = self.ids[self.namespace(kind)]
            if isinstance(ids, str):
                defined = registry.get(ids)
                if defined is None or defined[0] != kind:
                    yield _Ref(doc=doc, path=path, kind=kind, id=ids)
                continue
            for n, id_ in enumerate(ids):
                defined = registry.get(id_)
                if defined is None or defined[0] != kind:
                    yield _Ref(doc=doc, path=path + (n,), kind=kind, id=id_)

    def of_kind(self, kind: str) -> Mapping[str, Loc]:
        return {i: loc for i, (k, loc) in self.ids[self.namespace(kind)].items() if k == kind}

    def check(self) -> list[Problem]:
        """Every id an item cites must be defined (even if its definition has problems). A reference to an item
        whose id was rejected (see :meth:`reject`) is not unknown: the first one gets a note pointing at the
        definition, which has its own error, and counts the others."""
        claims = self.of_kind("claim")
        for n, id_ in self.dupes:
            free = next_free_id(claims, id_.rpartition("-")[0])
            self.problems[n] = replace(self.problems[n], message=self.problems[n].message + f"; the next free id is {free}")
        self.dupes = []
        found: list[Problem] = []
        waiting: dict[_Rejected, list[Problem]] = {}
        for ref in self._refs():
            defined = self.ids[self.namespace(ref.kind)].get(ref.id)
            if defined is None:
                rejected = self.rejected_for(ref)
                if rejected is None:
                    found.append(ref.doc.problem(ref.path, self.unknown(ref)))
                else:  # its definition's problem is reported there: one note, at the first reference, points at it
                    said = f"{describe_path(ref.doc.data, ref.path)} refers to '{_shown(ref.id)}'"
                    waiting.setdefault(rejected, []).append(ref.doc.problem(ref.path, said))
            elif defined[0] != ref.kind:
                found.append(ref.doc.problem(ref.path, f"'{ref.id}' is a {defined[0]}, not a {ref.kind}"))
        for rejected, citing in waiting.items():
            first, *others = sorted(citing)
            at = rejected.at
            more = len(others)
            also = (
                f" ({more} more reference{'s' if more > 1 else ''} to it wait{'s' if more == 1 else ''} on that fix)"
                if more
                else ""
            )
            message = f"{first.message}, whose definition at {at.path}:{at.line}:{at.col} has a problem; fix it there{also}"
            found.append(replace(first, message=message, severity="note"))
        return self.problems + found

    def rejected_for(self, ref: _Ref) -> _Rejected | None:
        """The rejected definition an unknown reference means: the same text, or the same once case, spaces and
        the joiners are set aside (``EV05``, ``ev 05`` and ``ev_05`` for ``ev05``). A reference that is not an
        id itself is wrong whatever the definition becomes, so it is reported as it is."""
        if not _is_id(ref.id):
            return None
        key = _squashed(ref.id)
        return next((r for r in self.rejected if r.kind == ref.kind and _squashed(r.written) == key), None)

    def unknown(self, ref: _Ref) -> str:
        """What to say about a reference to an id that is not defined."""
        written = _shown(ref.id)
        meant, named = self.meant(ref.id, ref.kind)
        if meant:
            name = ref.path[-1] if ref.path and isinstance(ref.path[-1], str) else ""
            fix = f"{name}: {meant}" if name else f"'{meant}'"
            said = f", the {named} of the {ref.kind} '{meant}'; write its id" if named else f"; write the {ref.kind}'s id"
            return f"{describe_path(ref.doc.data, ref.path)} is '{written}'{said}: {fix}{self.listing(ref.kind)}"
        if not _is_id(ref.id):
            where = (
                self.listing(ref.kind, aside=False)
                if ref.kind == "verdict"
                else f" (lower-case letters and digits joined by '-' or '.'); {ref.kind}s are defined in {DEFINED_IN[ref.kind]}"
            )
            return f"{describe_path(ref.doc.data, ref.path)} is '{written}', which is not a {ref.kind}'s id{where}"
        return f"unknown {ref.kind} '{written}'{self.suggest(ref.id, ref.kind)}"

    def meant(self, written: str, kind: str) -> tuple[str | None, str]:
        """The id a value that is not an id stands for, and how: ``('mostly-accurate', 'label')`` for a verdict's
        label (a fact's title), ``('mostly-accurate', '')`` for the id in other case or with '_' or spaces."""
        choices = self.of_kind(kind)
        names = self.labels
        named = "label" if kind == "verdict" else "title"
        exact = sorted(i for i in choices if names.get(i) == written)
        if exact:
            return exact[0], named
        key = _normal(written)
        loose = sorted(i for i in choices if _normal(i) == key)
        if len(loose) == 1:
            return loose[0], ""
        by_name = sorted(i for i in choices if i in names and _normal(names[i]) == key)
        return (by_name[0], named) if len(by_name) == 1 else (None, "")

    def listing(self, kind: str, *, aside: bool = True) -> str:
        """`` (the verdicts are: accurate “Accurate”, …; see content/verdicts.yaml)``: the whole small vocabulary,
        with labels (``aside=False``: ``; the verdicts are: … (see …)``)."""
        if kind != "verdict":
            return ""
        choices = sorted(self.of_kind(kind))
        if not choices:
            return f"; see {DEFINED_IN[kind]}"
        shown = ", ".join(f"{i} “{_shown(self.labels[i])}”" if i in self.labels else i for i in choices[:20])
        shown += f", … ({len(choices) - 20} more)" if len(choices) > 20 else ""
        if aside:
            return f" (the verdicts are: {shown}; see {DEFINED_IN[kind]})"
        return f"; the verdicts are: {shown} (see {DEFINED_IN[kind]})"

    def suggest(self, id_: str, kind: str) -> str:
        """`` (did you mean 'ev-mission', “Mission planned”, 2025-05?); events are defined in …``.

        A suggestion is offered only when it is really close, and never for an id that differs only in
        a number (``ev32`` is not a typo of ``ev31``); numbered ids without one get their range instead.
        Verdicts, a small vocabulary, are all listed with their labels."""
        choices = self.of_kind(kind)
        near = _near(id_, choices)
        hint = ""
        if near:
            title = self.titles.get(near) or _shown(self.labels.get(near, ""))
            said = [f"'{near}'", f"“{title}”" if title else "", self.about.get(near, "")]
            hint = f" (did you mean {', '.join(filter(None, said))}?)"
        if kind == "verdict":
            return hint + self.listing(kind, aside=False)
        numbered = _range(id_, choices)
        if not near and numbered:
            return f"; the {kind}s are {numbered} in {DEFINED_IN[kind]}"
        return hint + f"; {kind}s are defined in {DEFINED_IN[kind]}"


_ID = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_NUMBER = re.compile(r"[0-9]+")


def _is_id(text: str) -> bool:
    return bool(_ID.fullmatch(text))


def _normal(text: str) -> str:
    """``Mostly_Accurate``, ``mostly accurate``, ``Mostly-accurate`` → ``mostly-accurate``."""
    return re.sub(r"[\s_-]+", "-", text.strip().lower())


def _squashed(text: str) -> str:
    """``EV 05``, ``ev_05``, ``Ev-05`` → ``ev05``: an id with case, spaces (and zero-width ones), dashes and the
    joiners set aside."""
    return _SQUASH.sub("", text.casefold())


# Spaces, '_', '.', hyphens and dashes, zero-width spaces, and the control and bidi characters an id can carry.
_SQUASH = re.compile(r"[\s_.\-\u2010-\u2015\u2212\u200b-\u200f\u2060\ufeff\x00-\x1f\x7f-\x9f\u061c\u202a-\u202e\u2066-\u2069]+")


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def _item(doc: YamlDoc, path: tuple) -> dict:
    node = doc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, dict) else {}


def _shape(id_: str) -> str:
    return _NUMBER.sub("0", id_)


def _near(id_: str, choices: Iterable[str]) -> str | None:
    """The choice close enough to ``id_`` to be a typo of it, but not one that differs only in its numbers."""
    shape = _shape(id_)
    others = sorted(c for c in choices if _shape(c) != shape)
    close = difflib.get_close_matches(id_, others, n=1, cutoff=0.75)
    return close[0] if close else None


def _range(id_: str, choices: Iterable[str]) -> str:
    """``ev01…ev31``: the first and last of the ids numbered like ``id_`` (or one id, or empty)."""
    shape = _shape(id_)
    same = sorted((c for c in choices if _shape(c) == shape and c != id_), key=lambda c: [int(n) for n in _NUMBER.findall(c)])
    if not same or not _NUMBER.search(id_):
        return ""
    return same[0] if len(same) == 1 else f"{same[0]}…{same[-1]}"
