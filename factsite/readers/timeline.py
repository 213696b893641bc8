"""The stories' timelines: ``content/timeline.yaml`` (the default story) and ``content/stories/<id>.yaml``
(any other), each the dated events of one story. Event ids are unique across every story."""

from __future__ import annotations

from ..layout import DEFAULT_STORY, STORIES_DIR
from ..model import Event, Story
from .context import Context

PATH = "content/timeline.yaml"
DEFAULT_TITLE = "the story"


def read(ctx: Context) -> tuple[dict[str, Event], dict[str, Story]]:
    """→ (every event, in date order; every story, the default one first, then by id)."""
    out: dict[str, Event] = {}
    stories: dict[str, Story] = {}
    files = [PATH] + sorted(rel for rel in ctx.project.files if rel.startswith(STORIES_DIR + "/"))
    if any(rel.startswith(STORIES_DIR + "/") and rel.endswith(".yaml") for rel in ctx.project.unreadable):
        ctx.resolver.broken.add("event")  # a story that could not be read: the events cited from it are not unknown
    for rel in files:
        if rel != PATH and not rel.endswith(".yaml"):
            ctx.unexpected(rel, "a story's timeline is a .yaml file, content/stories/<id>.yaml")
            continue
        stem = DEFAULT_STORY if rel == PATH else ctx.slug_of(rel, "a story")
        story = _story(ctx, rel, stem)
        if story is not None and story.id in stories:
            first = stories[story.id].path
            first_doc, _ = ctx.load(first, "timeline")
            doc, _ = ctx.load(rel, "timeline")
            ctx.problems.append(
                doc.problem(
                    ("story", "id"),
                    f"the story '{story.id}' is already defined in {first} (line {first_doc.where(('story', 'id'))[0]}); "
                    "story ids must be unique: change one of them",
                )
            )
        elif story is not None:
            stories[story.id] = story
        # A story with a problem still defines its events, so that the claims citing them are not reported too.
        out.update({e.id: e for e in _events(ctx, rel, story.id if story else stem or "") if e.id not in out})
    return dict(sorted(out.items(), key=lambda kv: _order(kv[1]))), stories


def _story(ctx: Context, rel: str, stem: str | None) -> Story | None:
    doc, bad = ctx.load(rel, "timeline")
    header = doc.data.get("story") if doc is not None and isinstance(doc.data, dict) else None
    default = rel == PATH
    if not isinstance(header, dict) or any(p[:1] == ("story",) for p in bad):
        if default and header is None:
            return Story(id=DEFAULT_STORY, title=DEFAULT_TITLE, summary="", path=rel, default=True)
        if header is None and doc is not None and isinstance(doc.data, dict):
            ctx.problems.append(
                doc.problem(
                    (),
                    "a story's timeline starts with 'story:', its id (the file's name) and its title, "
                    f"e.g. story: {{id: {stem or 'my-story'}, title: the chip export rules}}",
                )
            )
        return None
    if not default and header["id"] != stem:
        ctx.problems.append(
            doc.problem(
                ("story", "id"),
                f"the story's id '{header['id']}' differs from the file name; name the file {header['id']}.yaml or change the id",
            )
        )
        return None
    ctx.check_markdown(doc, ("story",), header)
    return Story(id=header["id"], title=header["title"], summary=header.get("summary", ""), path=rel, default=default)


def _events(ctx: Context, rel: str, story: str) -> list[Event]:
    doc, bad = ctx.load(rel, "timeline")
    found: list[Event] = []
    for i, e in ctx.items(doc, bad, "events", "event"):
        start = ctx.date(doc, ("events", i, "date"), e["date"])
        end = ctx.date(doc, ("events", i, "end"), e["end"]) if "end" in e else None
        if start and end and end.latest() < start.earliest():
            ctx.problems.append(
                doc.problem(("events", i, "end"), f"the end ({end.source_text()}) is before the date ({start.source_text()})")
            )
        ctx.resolver.refer(doc, ("events", i, "sources"), "source", e["sources"])
        if start:
            found.append(
                Event(
                    id=e["id"],
                    date=start,
                    end=end,
                    status=e["status"],
                    title=e["title"],
                    body=e["body"],
                    sources=tuple(e["sources"]),
                    tags=tuple(e.get("tags", ())),
                    history=ctx.history(doc, ("events", i, "history"), e.get("history")),
                    story=story,
                )
            )
    return found


def _order(event: Event) -> tuple:
    return event.date.earliest(), (event.end or event.date).latest(), event.id
