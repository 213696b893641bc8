"""Two Atom feeds (RFC 4287): every published fact check, and every change on the record.

| file | entries |
|---|---|
| ``feeds/fact-checks.xml`` | one per published article (the newest 50), newest review first (then by slug): its verdict counts and the claims rated below "mostly accurate", each with its one-line reason |
| ``feeds/corrections.xml`` | one per correction, update or clarification (``Views.corrections``; the newest 50), newest first |

Both are made with ``xml.etree.ElementTree``, never by pasting strings, so whatever a reviewer types
(``<script>``, ``]]>``, ``&``) comes out as text. Every date is a content date, a review or a change
of the record, written as midnight UTC of its day: the feeds never read the clock, and two builds of
one content are byte-identical. Addresses are absolute (``layout.absolute``), as feed readers need;
in-site links in Markdown notes resolve against the site's root through ``xml:base``.

The content dates here (``claim_updated``, ``article_updated``, ``newest_record``) are also what the
sitemap's ``lastmod`` values are made of.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from .. import layout, vocab
from ..markdown import make_markdown, render_markdown
from ..model import Article, Claim, Site
from .spec import Inputs, Kind, PageSpec
from .views import Views

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
EPOCH = dt.date(1970, 1, 1)
"""``updated`` of a feed when the site has no dated record at all (no review yet): fixed, never the clock."""

ENTRIES = 50
"""The newest entries a feed holds, as news sites' feeds do: a feed reader polls it often, and the archive and
the corrections pages hold the rest. (The feed's ``updated`` is its newest entry's.)"""

CORRECTIONS_TITLE = "{site}: corrections and updates"
"""The corrections feed's title: the site's, said to be the corrections, so a reader subscribed to both tells them apart."""


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return [
        PageSpec(path=layout.FEED_CHECKS, kind="feed-checks", key="checks", inputs=inputs.everything),
        PageSpec(path=layout.FEED_CORRECTIONS, kind="feed-corrections", key="corrections", inputs=inputs.everything),
    ]


# -- content dates ------------------------------------------------------------------------------------


def claim_updated(views: Views, claim: Claim) -> dt.date | None:
    """When a claim's check last changed, as a day (see ``Views.claim_modified``)."""
    modified = views.claim_modified(claim)
    return modified.earliest() if modified else None


def article_updated(views: Views, article: Article) -> dt.date | None:
    """When an article's check last changed: the newest of its review date and its claims' changes."""
    review = views.site.reviews.get(article.slug)
    dates = [review.on.earliest()] if review else []
    dates += [d for c in published(views, article) if (d := claim_updated(views, c))]
    return max(dates, default=None)


def newest_review(views: Views) -> dt.date | None:
    return max((r.on.earliest() for r in views.site.reviews.values()), default=None)


def newest_record(views: Views) -> dt.date | None:
    """The newest date on the site's record: a review, or a change to a claim or an event."""
    dates = [d for d in (newest_review(views),) if d]
    dates += [e["date"].earliest() for e in views.corrections()]
    return max(dates, default=None)


def published(views: Views, article: Article) -> list[Claim]:
    """The article's claims that are on the site, in reading order."""
    claims = [c for c in views.site.claims.get(article.slug, ()) if c.id in views.site.anchors]
    return sorted(claims, key=lambda c: views.numbers[article.slug][c.id])


def timestamp(day: dt.date) -> str:
    """A day as an Atom date: ``2026-11-23T00:00:00Z``."""
    return f"{day.isoformat()}T00:00:00Z"


# -- the feeds ------------------------------------------------------------------------------------------


def checks_feed(views: Views, key: str) -> bytes:
    """``feeds/fact-checks.xml``: one entry per published article."""
    site = views.site
    base = site.settings.base_url
    articles = sorted(site.articles.values(), key=lambda a: _review_order(views, a))[:ENTRIES]
    entries = [check_entry(views, article) for article in articles]
    feed = _feed(
        views,
        self_path=layout.FEED_CHECKS,
        title=site.settings.title,
        subtitle="Fact checks of news articles, claim by claim, newest first.",
        alternate=layout.absolute(base, layout.HOME),
        updated=max((u for _, u in entries), default=None) or newest_record(views) or EPOCH,
    )
    feed.extend(entry for entry, _ in entries)
    return _serialize(feed)


def corrections_feed(views: Views, key: str) -> bytes:
    """``feeds/corrections.xml``: one entry per change on the record; valid Atom when there is none yet."""
    site = views.site
    base = site.settings.base_url
    entries = [correction_entry(views, change) for change in views.corrections()[:ENTRIES]]
    feed = _feed(
        views,
        self_path=layout.FEED_CORRECTIONS,
        title=CORRECTIONS_TITLE.format(site=site.settings.title),
        subtitle="Every correction, update and clarification to our fact checks, newest first.",
        alternate=layout.absolute(base, layout.CORRECTIONS),
        updated=max((u for _, u in entries), default=None) or newest_review(views) or EPOCH,
    )
    feed.extend(entry for entry, _ in entries)
    return _serialize(feed)


def _review_order(views: Views, article: Article) -> tuple:
    """Newest review first, then by slug; articles without a review last."""
    review = views.site.reviews.get(article.slug)
    return (-review.on.earliest().toordinal() if review else 0, article.slug)


def _feed(views: Views, *, self_path: str, title: str, subtitle: str, alternate: str, updated: dt.date) -> ET.Element:
    settings = views.site.settings
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: settings.lang})
    self_url = layout.absolute(settings.base_url, self_path)
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    _text(feed, "updated", timestamp(updated))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": alternate})
    feed.append(_author(views))
    return feed


def check_entry(views: Views, article: Article) -> tuple[ET.Element, dt.date]:
    """An article's entry: its title in its own language, and its verdict summary."""
    site = views.site
    settings = site.settings
    url = layout.absolute(settings.base_url, layout.article_path(article.slug))
    review = site.reviews.get(article.slug)
    updated = article_updated(views, article) or newest_record(views) or EPOCH
    summary = views.article_summary(article)
    problems = [v for v in (views.claim_view(c) for c in published(views, article)) if v["tier"] == "problem"]

    entry = ET.Element("entry")
    title = _text(entry, "title", article.title, type="text")
    if article.lang != settings.lang:
        title.set(XML_LANG, article.lang)
    _text(entry, "id", url)
    _text(entry, "updated", timestamp(updated))
    if review:
        _text(entry, "published", timestamp(review.on.earliest()))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    entry.append(_author(views))
    _text(entry, "summary", _counts_text(summary, problems), type="text")

    div = _xhtml(entry, settings.base_url)
    intro = _p(div, "Our fact check of ")
    cite = _sub(intro, "cite", article.title)
    cite.set(XML_LANG, article.lang)
    when = article.published.display() if article.published else "date unknown"
    english = f" (English title: “{article.title_en}”)" if article.title_en else ""
    cite.tail = f"{english}, an article in {vocab.language_name(article.lang)} ({article.outlet}, {when})."
    _p(div, _counts_text(summary, problems))
    if problems:
        items = _sub(div, "ol")
        for view in problems:
            item = _sub(items, "li")
            link = _sub(item, "a", f"Claim {view['number']}")
            link.set("href", layout.absolute(settings.base_url, view["url"]))
            qualifier = f" ({view['qualifier']})" if view["qualifier"] else ""
            link.tail = f", {view['verdict'].label}{qualifier}: {view['summary']}"
    return entry, updated


def correction_entry(views: Views, change: dict[str, Any]) -> tuple[ET.Element, dt.date]:
    """A change's entry: what it concerns, the verdict it replaced, and its note."""
    settings = views.site.settings
    base = settings.base_url
    day = change["date"].earliest()
    entry = ET.Element("entry")
    _text(entry, "title", f"{change['label']}: {change['title']}", type="text")
    _text(entry, "id", layout.absolute(base, f"{layout.CORRECTIONS}#change-{change['id']}"))
    _text(entry, "updated", timestamp(day))
    _text(entry, "published", timestamp(day))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": layout.absolute(base, change["url"])})
    entry.append(_author(views))
    ET.SubElement(entry, "category", {"term": change["kind"], "label": change["label"]})

    div = _xhtml(entry, base)
    subject = _p(div, f"{change['label']}, {change['date'].display()}, to ")
    view = change["claim"]
    if view:
        subject.text += f"claim {view['number']} in "
        cite = _sub(subject, "cite", view["article"].title)
        cite.set(XML_LANG, view["article"].lang)
        cite.tail = f" ({view['article'].outlet}): "
    else:
        subject.text += "the timeline event "
    link = _sub(subject, "a", change["title"])
    link.set("href", layout.absolute(base, change["url"]))
    link.tail = "" if change["title"].rstrip().endswith((".", "!", "?")) else "."
    if change["previous_verdict"] and view:
        _p(div, f"Verdict changed from {change['previous_verdict'].label} to {view['verdict'].label}.")
    div.extend(_markdown(change["note"]))
    return entry, day


# -- building blocks ------------------------------------------------------------------------------------


def _counts_text(summary: dict[str, Any], problems: list[dict]) -> str:
    """``21 claims checked: 8 Accurate, 6 Mostly accurate, 7 Misleading; 7 rated below “mostly accurate”.``"""
    n = summary["claims"]
    counts = ", ".join(f"{count} {verdict.label}" for verdict, count in summary["counts"])
    text = f"{n} claim{'s' if n != 1 else ''} checked" + (f": {counts}" if counts else "")
    if not n:
        return text + "."
    if not problems:
        return text + "; none rated below “mostly accurate”."
    return text + f"; {len(problems)} rated below “mostly accurate”."


def _author(views: Views) -> ET.Element:
    settings = views.site.settings
    author = ET.Element("author")
    _text(author, "name", settings.publisher)
    if settings.publisher_url:
        _text(author, "uri", settings.publisher_url)
    return author


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _p(parent: ET.Element, text: str) -> ET.Element:
    return _sub(parent, "p", text)


def _xhtml(entry: ET.Element, base_url: str) -> ET.Element:
    """The one XHTML ``div`` of a new ``<content type="xhtml">`` (RFC 4287 §4.1.3.1), based at the site's root
    (``xml:base``) so that in-site paths in Markdown notes (``sources.html``) resolve there."""
    content = ET.SubElement(entry, "content", {"type": "xhtml", XML_BASE: layout.absolute(base_url, "")})
    return ET.SubElement(content, "div", {"xmlns": XHTML})


def _markdown(text: str) -> list[ET.Element]:
    """A Markdown note as XHTML elements. The renderer escapes every character XML needs escaped and closes
    every tag (markdown-it's ``xhtmlOut``; raw HTML is off), so its output parses as XML; the elements are
    then serialized with the rest of the feed."""
    html = str(render_markdown(make_markdown(), text))
    wrapper = ET.fromstring(f"<div>{html}</div>")
    return list(wrapper)


def _serialize(feed: ET.Element) -> bytes:
    _indent(feed)
    return ET.tostring(feed, encoding="UTF-8", xml_declaration=True) + b"\n"


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent the feed and its entries, one element a line, but never inside text constructs or content,
    whose whitespace is the text's."""
    if element.tag not in ("feed", "entry", "author"):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        child.tail = pad
        _indent(child, level + 1)
    if len(element):
        element[-1].tail = "\n" + "  " * level


KINDS = {
    "feed-checks": Kind(None, None, "the Atom feed of fact checks", data=checks_feed),
    "feed-corrections": Kind(None, None, "the Atom feed of corrections", data=corrections_feed),
}
