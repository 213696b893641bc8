"""The content model: frozen dataclasses, each built complete in one step.

The readers (``factsite/readers/``) make these from the parsed YAML once every
field has been checked, so nothing downstream needs to guess, default or
re-check. Cross references stay as ids (``Claim.sources``) and are looked up in
the ``Site`` mappings, which keep one definition of everything; the anchoring
stage adds where each claim's quote lies (``Site.anchors``). Every dataclass is
frozen and keyword-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .dates import PartialDate


@dataclass(frozen=True, kw_only=True)
class Loc:
    """Where a value was written: file (relative to the project root), line and column."""

    path: str
    line: int
    col: int


@dataclass(frozen=True, kw_only=True)
class Settings:
    """``content/site.yaml``."""

    title: str
    tagline: str
    publisher: str
    publisher_url: str
    """Empty when the publisher has no site of its own."""
    contact: str
    base_url: str
    lang: str


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """One step of the rating scale (``content/verdicts.yaml``)."""

    id: str
    label: str
    meaning: str
    rating: int
    """ClaimReview ``ratingValue``; higher is more accurate."""
    colour: str
    tier: str
    """``sound``, ``caution`` or ``problem``: how strongly the article page marks such claims."""


@dataclass(frozen=True, kw_only=True)
class Source:
    """A document the fact checks rely on (``content/sources.yaml``)."""

    id: str
    title: str
    publisher: str
    url: str
    published: PartialDate | None
    """None when the date is unknown."""
    lang: str
    kind: str
    """``primary`` or ``secondary``."""
    copy_kind: str
    """``mirror``, ``syndicated``, ``summary``, ``translation``, or empty for the original."""
    copy_of: str
    archived_url: str
    notes: str
    """Markdown; may be empty."""


@dataclass(frozen=True, kw_only=True)
class Change:
    """One dated entry of a claim's or an event's public record of changes."""

    kind: str
    """``correction``, ``update`` or ``clarification``."""
    date: PartialDate
    """A full day."""
    note: str
    """Markdown: what changed and why."""
    previous_verdict: str
    """For a change of verdict, the verdict id before it; else empty."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """A dated event of the R2 story (``content/timeline.yaml``)."""

    id: str
    date: PartialDate
    end: PartialDate | None
    status: str
    title: str
    body: str
    """Markdown."""
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    history: tuple[Change, ...] = ()
    """Corrections and updates, oldest first."""
    story: str = ""
    """The id of the story whose timeline holds it (``Story.id``)."""


@dataclass(frozen=True, kw_only=True)
class Story:
    """A story the desk follows, with its own timeline: ``content/timeline.yaml`` holds the first (the
    default), ``content/stories/<id>.yaml`` any other."""

    id: str
    title: str
    summary: str
    """Markdown; may be empty."""
    path: str
    """The file that holds its timeline."""
    default: bool
    """True for the story of ``content/timeline.yaml``: its page is ``timeline.html``, and an article that
    names no story belongs to it."""


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A fact several articles state in their own words (``content/facts.yaml``)."""

    id: str
    title: str
    summary: str
    """Markdown: what the best evidence says."""
    sources: tuple[str, ...]
    events: tuple[str, ...]
    at: Loc
    """Where its id is written."""
    history: tuple[Change, ...] = ()
    """Corrections and updates to its summary, oldest first."""


@dataclass(frozen=True, kw_only=True)
class Page:
    """A page of prose such as About or Methodology (``content/pages/<slug>.md``)."""

    slug: str
    title: str
    description: str
    layout: str
    body: str
    """Markdown."""
    path: str
    """The page's file, relative to the project root."""


@dataclass(frozen=True, kw_only=True)
class Review:
    """Who checked an article's claims, and when."""

    by: str
    on: PartialDate


@dataclass(frozen=True, kw_only=True)
class Block:
    """A heading or paragraph of an article's text."""

    level: int
    """0 for a paragraph, 1 for the headline, 2–6 for subheadings."""
    text: str
    """Exactly the article's words (Markdown escapes resolved)."""
    line: int
    """Line of the article file the block starts on."""
    boilerplate: str = ""
    """Label when the block is not part of the article (a newsletter plug, a byline)."""


@dataclass(frozen=True, kw_only=True)
class Article:
    """A news article under review (``content/articles/<slug>.md``)."""

    slug: str
    title: str
    title_en: str
    """May be empty."""
    lang: str
    published: PartialDate | None
    not_before: PartialDate | None
    not_after: PartialDate | None
    outlet: str
    author: str
    url: str
    """``layout.UNKNOWN`` when the original address is not known."""
    seed_file: str
    seed_sha256: str
    seed_text: str
    """The seed's text after its leading `` date …`` marker, exactly as in the file (the text the
    original article's W3C TextPositionSelectors count)."""
    notes: str
    draft: bool
    blocks: tuple[Block, ...]
    path: str
    story: str = ""
    """The id of the story it belongs to (its ``story`` field, else the default story's)."""

    @property
    def headline_in_text(self) -> bool:
        """True when the seed's first line is the headline (then it is shown once, as the page's h1)."""
        return bool(self.blocks) and self.blocks[0].level == 1


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A checkable claim in an article (``content/annotations/<slug>.yaml``)."""

    id: str
    article: str
    """Slug of the article the claim is quoted from."""
    quote: str
    prefix: str
    suffix: str
    claim: str
    """English paraphrase."""
    short: str
    """The paraphrase in at most 75 characters (ClaimReview's ``claimReviewed``); empty when ``claim`` is short."""
    summary: str
    """One line: why the verdict (may be empty: then the explanation's first sentence is shown)."""
    verdict: str
    basis: str
    explanation: str
    """Markdown."""
    sources: tuple[str, ...]
    events: tuple[str, ...]
    translation_note: str
    fact: str
    """Id of the shared fact this claim states, or empty."""
    history: tuple[Change, ...]
    """Corrections, updates and clarifications, oldest first."""
    draft: bool
    quote_at: Loc
    """Where the quote is written, for anchoring errors."""


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """Where a claim's quote lies: a block of the article and a range of its text."""

    claim: str
    block: int
    start: int
    end: int


@dataclass(frozen=True, kw_only=True)
class Site:
    """Everything the pages are made from, every reference checked."""

    settings: Settings
    verdicts: Mapping[str, Verdict]
    """In scale order, as written."""
    sources: Mapping[str, Source]
    """Sorted by id."""
    events: Mapping[str, Event]
    """In date order."""
    articles: Mapping[str, Article]
    """Sorted by slug."""
    claims: Mapping[str, tuple[Claim, ...]] = field(default_factory=dict)
    """Article slug → its claims, in file order."""
    reviews: Mapping[str, Review] = field(default_factory=dict)
    """Article slug → its review record."""
    facts: Mapping[str, Fact] = field(default_factory=dict)
    """Sorted by id."""
    pages: Mapping[str, Page] = field(default_factory=dict)
    """Sorted by slug."""
    anchors: Mapping[str, Anchor] = field(default_factory=dict)
    """Claim id → where its quote lies; only claims that were anchored (set by the anchoring stage)."""
    warnings: tuple = ()
    """Problems of severity ``warning``: reported, but they do not stop the build."""
    stories: Mapping[str, Story] = field(default_factory=dict)
    """Story id → the story, the default one first, then by id."""

    def story_events(self, story_id: str) -> list[Event]:
        """The events of one story's timeline, in date order."""
        return [e for e in self.events.values() if e.story == story_id]


def frozen_map(items) -> Mapping:
    """A read-only dict, so stages cannot edit what an earlier stage built."""
    return MappingProxyType(dict(items))
