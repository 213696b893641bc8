"""More than one story: each with its own timeline file and page; each article belongs to one."""

from __future__ import annotations

import build
from factsite.pipeline import build_site
from tests.sample import FILES

SECOND = """\
story:
  id: chips
  title: the chip export rules
  summary: What the US allows Nvidia to sell.
events:
  - id: ev-rules
    date: 2025-04-15
    status: confirmed
    title: New export rules
    body: The rules change.
    sources: [space-agency]
"""

IN_SECOND = FILES["content/articles/moon.md"].replace("published: 2025-08-14\n", "published: 2025-08-14\nstory: chips\n")
CITES_RULES = FILES["content/annotations/moon.yaml"].replace("events: [ev-mission]", "events: [ev-mission, ev-rules]")


def _check(root, capsys) -> tuple[int, list[str]]:
    code = build.main(["-C", str(root), "check"])
    return code, capsys.readouterr().err.strip().splitlines()


def test_one_story_is_the_default_and_needs_no_change_to_the_content(project):
    pages = build_site(project())
    assert b"<h1>Timeline of the story</h1>" in pages["timeline.html"]
    assert "stories/index.html" not in pages
    assert b"Stories</a>" not in pages["index.html"]


def test_a_second_story_has_its_own_timeline_page_and_its_articles_show_it(project):
    root = project({"content/stories/chips.yaml": SECOND, "content/articles/moon.md": IN_SECOND})
    pages = build_site(root)
    chips = pages["stories/chips.html"].decode()
    assert "<h1>Timeline of the chip export rules</h1>" in chips
    assert "New export rules" in chips and "Mission planned" not in chips
    default = pages["timeline.html"].decode()
    assert "Mission planned" in default and "New export rules" not in default
    # The list of stories, linked from every page's navigation.
    listing = pages["stories/index.html"].decode()
    assert '<a href="chips.html">Timeline of the chip export rules</a>' in listing
    assert "1 event, 1 article checked." in listing
    assert 'href="stories/index.html"' in pages["about.html"].decode()
    # The article names its own story beside its text, and links to its page.
    article = pages["articles/moon.html"].decode()
    assert "The events of the chip export rules this article's claims refer to" in article
    assert '<a href="../stories/chips.html">All 1 events of the chip export rules</a>' in article
    # An event's page names its story.
    assert "Timeline of the chip export rules ·" in pages["events/ev-rules.html"].decode()


def test_a_claim_may_cite_an_event_of_another_story(project):
    root = project({"content/stories/chips.yaml": SECOND, "content/annotations/moon.yaml": CITES_RULES})
    article = build_site(root)["articles/moon.html"].decode()
    assert 'id="event-ev-rules"' in article and 'id="event-ev-mission"' in article


def test_an_unknown_story_is_named_with_the_ones_there_are(project, capsys):
    root = project(
        {"content/stories/chips.yaml": SECOND, "content/articles/moon.md": IN_SECOND.replace("story: chips", "story: chip")}
    )
    code, err = _check(root, capsys)
    assert code == 1
    assert err[0] == (
        "content/articles/moon.md:7:8: unknown story 'chip' (did you mean 'chips'?); the stories are main, chips "
        "(content/timeline.yaml's, and one per file in content/stories/)"
    )


def test_a_story_file_must_say_which_story_it_is(project, capsys):
    root = project(
        {"content/stories/chips.yaml": SECOND.replace("id: chips", "id: chip"), "content/stories/x.yaml": "events: []\n"}
    )
    code, err = _check(root, capsys)
    assert code == 1
    assert err[:2] == [
        "content/stories/chips.yaml:2:7: the story's id 'chip' differs from the file name; "
        "name the file chip.yaml or change the id",
        "content/stories/x.yaml:1:1: a story's timeline starts with 'story:', its id (the file's name) and its title, "
        "e.g. story: {id: x, title: the chip export rules}",
    ]


def test_event_ids_are_unique_across_stories(project, capsys):
    root = project({"content/stories/chips.yaml": SECOND.replace("id: ev-rules", "id: ev-report")})
    code, err = _check(root, capsys)
    assert code == 1
    assert err[0] == (
        "content/stories/chips.yaml:6:9: id 'ev-report' is already used by the event at content/timeline.yaml:2:9; "
        "ids must be unique across claims, events, sources and facts"
    )


def test_a_story_file_with_a_problem_is_one_message_not_one_per_article(project, capsys):
    root = project(
        {
            "content/stories/chips.yaml": SECOND.replace("  title: the chip export rules\n", ""),
            "content/articles/moon.md": IN_SECOND,
        }
    )
    code, err = _check(root, capsys)
    assert code == 1
    assert [line for line in err if "story" in line.lower()] == [
        "content/stories/chips.yaml:2:3: 'story' is missing the required field 'title' "
        "(Its name in a sentence, such as 'the R2 delay': pages say 'Timeline of the R2 delay')"
    ]
