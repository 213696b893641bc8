"""What every file reader shares: the project, the memo, the problems found, and the id resolver.

One ``Context`` lives for one build. A reader parses a file with ``load``
(YAML syntax, then shape against its JSON Schema, memoised on the text), walks
its valid items with ``items`` (registering every id, valid or not, with the
resolver), and adds what a schema cannot say: real dates, safe Markdown links.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from ..cache import Memo
from ..dates import PartialDate, parse_date
from ..diagnostics import Problem
from ..layout import SLUG_RULE, is_slug
from ..load import Project
from ..markdown import make_body_parser, make_link_scanner, unsafe_links
from ..model import Change
from ..resolve import Resolver
from ..schema import check_shape
from ..yamlsrc import YamlDoc, parse_yaml

MARKDOWN_FIELDS = ("explanation", "translation_note", "note", "body", "notes", "summary")
UNSAFE_LINK = "links must be http(s), mailto or a path inside the site"


def _parse_and_check(text: str, rel: str, kind: str, line_offset: int):
    """One YAML text → (doc or None, its syntax and shape problems, paths of invalid values)."""
    doc, problems = parse_yaml(text, rel, line_offset=line_offset)
    if doc is None:
        return None, problems, {()}
    shape_problems, bad = check_shape(doc, kind)
    return doc, problems + shape_problems, bad


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Article or page file → (front matter YAML, body, line the body starts on), or None if malformed."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for n, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(lines[1:n]), "".join(lines[n + 1 :]), n + 2
    return None


class Context:
    """Collects problems while the readers turn documents into model objects (one build's worth)."""

    def __init__(self, project: Project, memo: Memo):
        self.project, self.memo = project, memo
        self.problems: list[Problem] = []
        self.resolver = Resolver()
        self.body_parser = make_body_parser()
        self.link_scanner = make_link_scanner()
        self.draft_files: set[str] = set()
        """Files of draft articles (the article and its claims): their problems are warnings."""
        self.claim_lines: dict[str, list[tuple[int, int, str, bool]]] = {}
        """Annotation file → (first line, last line, claim id, draft) of each claim item, to place problems."""

    def load(self, rel: str, kind: str, text: str | None = None, line_offset: int = 0):
        """Parse and shape-check one YAML text → (doc or None, paths of invalid values)."""
        text = self.project.files.get(rel) if text is None else text
        if text is None:
            return None, {()}
        doc, problems, bad = self.memo.get(
            ("yaml", rel, kind, line_offset, text), lambda: _parse_and_check(text, rel, kind, line_offset)
        )
        self.problems += problems
        return doc, bad

    def items(self, doc: YamlDoc | None, bad: set, key: str, kind: str, title: str = "title") -> Iterator[tuple[int, dict]]:
        """The valid items of the list ``doc[key]``, registering every item's id on the way."""
        entries = doc.data.get(key) if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            self.resolver.broken.add(kind)
            return
        whole_file_bad = () in bad or (key,) in bad
        for i, item in enumerate(entries):
            if isinstance(item, dict) and is_slug(item.get("id")):  # an invalid id has its own message
                label = item.get(title) if title and isinstance(item.get(title), str) else ""
                self.resolver.define(item["id"], kind, doc, (key, i, "id"), label[:60])
            elif isinstance(item, dict) and "id" in item:  # not an id: references to it point at its definition
                self.resolver.reject(item["id"], kind, doc, (key, i, "id"))
            if whole_file_bad or any(p[:2] == (key, i) for p in bad):
                continue
            self.check_markdown(doc, (key, i), item)
            yield i, item

    def check_markdown(self, doc: YamlDoc, path: tuple, item: dict) -> None:
        for name in MARKDOWN_FIELDS:
            for url in unsafe_links(self.link_scanner, item[name]) if isinstance(item.get(name), str) else ():
                self.problems.append(doc.problem(path + (name,), f"link '{url}' is not allowed: {UNSAFE_LINK}"))

    def check_body_links(self, rel: str, body: str, body_line: int) -> None:
        """Unsafe links in a Markdown body that follows front matter, at their line."""
        for url in unsafe_links(self.link_scanner, body):
            line = body_line + body[: max(body.find(url), 0)].count("\n")
            self.problems.append(Problem(path=rel, line=line, col=1, message=f"link '{url}' is not allowed: {UNSAFE_LINK}"))

    def date(self, doc: YamlDoc, path: tuple, text: str) -> PartialDate | None:
        try:
            return parse_date(text)
        except ValueError as err:
            self.problems.append(doc.problem(path, str(err)))
            return None

    def history(self, doc: YamlDoc, path: tuple, entries) -> tuple[Change, ...]:
        """A ``history:`` list → its changes (a change of verdict names a verdict that exists)."""
        changes = []
        for n, entry in enumerate(entries or ()):
            date = self.date(doc, path + (n, "date"), entry["date"])
            if date and date.precision != "day":
                self.problems.append(doc.problem(path + (n, "date"), "must be a full date, YYYY-MM-DD"))
            if "previous_verdict" in entry:
                self.resolver.refer(doc, path + (n, "previous_verdict"), "verdict", entry["previous_verdict"])
            self.check_markdown(doc, path + (n,), {"note": entry["note"]})
            if date:
                changes.append(
                    Change(kind=entry["kind"], date=date, note=entry["note"], previous_verdict=entry.get("previous_verdict", ""))
                )
        return tuple(changes)

    def slug_of(self, rel: str, what: str) -> str | None:
        """The slug a file's name gives (``content/pages/about.md`` → ``about``), or None with a problem."""
        stem = PurePosixPath(rel).stem
        if is_slug(stem):
            return stem
        self.problems.append(
            Problem(
                path=rel,
                line=0,
                col=0,
                message=f"the file name {stem!r} cannot be {what}'s address: a name is {SLUG_RULE}; rename the file",
            )
        )
        return None

    def unexpected(self, rel: str, hint: str) -> None:
        self.problems.append(Problem(path=rel, line=0, col=0, message=f"unexpected file: {hint}"))
