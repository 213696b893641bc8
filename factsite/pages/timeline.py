"""The timelines: a page per story listing its events with how many claims cite each (``timeline.html``
for the default story, ``stories/<id>.html`` for any other, and ``stories/index.html`` listing them when
there are several), and a page per event with its account, its sources, its record of changes and the
claims that cite it (paged when long)."""

from __future__ import annotations

from typing import Any

from .. import layout, vocab
from ..model import Site
from .paging import citing_page, item_pages, split_key
from .spec import Inputs, Kind, PageSpec
from .views import Views

TEMPLATE = "timeline.html"
EVENT_TEMPLATE = "event.html"


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    # The timeline shows how many claims cite each event: any claims file may change it.
    every = inputs.common | inputs.all_claims | {"sources", "timeline"}
    pages = [
        PageSpec(path=layout.story_path(s.id, default=s.default), kind="timeline", key=s.id, inputs=every)
        for s in site.stories.values()
    ]
    if len(site.stories) > 1:
        pages.append(PageSpec(path=layout.STORIES, kind="stories", inputs=inputs.common | inputs.all_articles | {"timeline"}))
    for event_id in site.events:
        pages += item_pages("event", event_id, layout.event_url(event_id), site, inputs.common)
    return pages


def context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    story = site.stories[key]
    events = [
        {
            "event": e,
            "url": layout.event_url(e.id),
            "status": vocab.STATUSES[e.status],
            "cited": views.citing_count("event", e.id),
            "sources": [site.sources[s] for s in e.sources],
        }
        for e in site.story_events(key)
    ]
    return {**views.base(), "story": story, "events": events}


def stories_context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    articles: dict[str, int] = {}
    for article in site.articles.values():
        articles[article.story] = articles.get(article.story, 0) + 1
    rows = [
        {"story": s, "url": layout.story_path(s.id, default=s.default), "events": len(site.story_events(s.id)),
         "articles": articles.get(s.id, 0)}
        for s in site.stories.values()
    ]  # fmt: skip
    return {**views.base(), "stories": rows}


def event_context(views: Views, key: str) -> dict[str, Any]:
    site = views.site
    event_id, number = split_key(key)
    event = site.events[event_id]
    ids = [e.id for e in site.story_events(event.story)]
    at = ids.index(event_id)
    story = site.stories[event.story]
    return {
        **views.base(),
        "story": story,
        "story_url": layout.story_path(story.id, default=story.default),
        "event": event,
        "status": vocab.STATUSES[event.status],
        "sources": [site.sources[s] for s in event.sources],
        "history": [views.change_view(change) for change in event.history],
        **citing_page(views, "event", event_id, number, layout.event_url(event_id)),
        "before": site.events[ids[at - 1]] if at > 0 else None,
        "after": site.events[ids[at + 1]] if at + 1 < len(ids) else None,
    }


KINDS = {
    "timeline": Kind(TEMPLATE, context, "the timeline page"),
    "stories": Kind("stories.html", stories_context, "the list of stories"),
    "event": Kind(EVENT_TEMPLATE, event_context, "a timeline event's page"),
}
