"""A catalogue of bad inputs (issue #12): each gives its exact ``path:line:col: message``, and none a traceback.

Each test breaks the sample project (tests/sample.py, whose line numbers the expectations refer to) the way a
person does, and asserts every problem ``check`` reports. A test marked xfail shows a wrong or extra message
whose fix belongs to a module owned elsewhere; its reason names the fix, and its assertion the message wanted.

Cases already covered elsewhere (not tested again here):

| case | covered by |
|---|---|
| a tab indenting a line (parser level) | test_yamlsrc.py::test_tab_indentation_hint |
| an unquoted ': ' in a value | test_validate.py::test_yaml_syntax_error_points_at_the_bad_character, test_messages.py::test_a_colon_inside_a_value_still_gets_the_quoting_hint, test_yamlsrc.py::test_syntax_error_gives_a_hint |
| a syntax error in front matter (line counted in the article file) | test_validate.py::test_yaml_syntax_error_in_front_matter_counts_lines_in_the_article_file |
| a bad indent (3 for 4, outdented, 5 for 4, list items, front matter, block text) | test_messages.py section 1 and 3 |
| an unclosed quote (runs on, at the end of the file, single quote) | test_messages.py section 2, test_validate.py::test_unclosed_quote_points_where_the_value_begins |
| `no`/`yes`/`on`/`off`/`1.10` where text, an id or a language code goes | test_messages.py section 6, test_validate.py::test_mistyped_field_says_to_quote_it |
| a long list where text goes (shortened in the message) | test_schema.py::test_a_long_wrong_value_is_shortened_in_the_message |
| a number where an id reference goes | test_messages.py::test_a_version_number_where_an_id_is_expected |
| a too-long integer, inf, !!tags, constructor failures | test_yamlsrc.py, test_schema.py::test_what_the_reader_refuses_gets_one_message_through_the_full_check |
| a byte-order mark and CRLF in one YAML text (columns) | test_yamlsrc.py::test_forbidden_character_columns_count_characters_and_lines_count_as_yaml_does |
| NUL, C1, bidi and other forbidden characters | test_yamlsrc.py, test_schema.py |
| Latin-1 bytes after ASCII (line and column) | test_load.py::test_not_utf8_is_reported_at_its_line_and_column |
| a content file over 16 MiB | test_load.py::test_a_file_over_the_size_limit_is_refused_before_it_is_read |
| nesting past 32 levels (up to 5,000 at parser level; 40 through check) | test_yamlsrc.py::test_nesting_*, test_no_hostile_input_raises, test_schema.py |
| an anchor and alias, a duplicate anchor, a merge key | test_yamlsrc.py::test_aliases_merge_keys_and_tags_are_refused, test_duplicate_anchor_is_a_problem_not_a_crash |
| a symbolic link out of the project (a file, a folder; /etc/passwd, /proc/self/environ) | test_load.py::test_a_link_to_a_file_outside_the_project_is_refused, test_a_linked_folder_that_leads_outside_is_refused |
| page and article file names that are not slugs (space, bidi, capitals, 'javascript:') | test_plan.py::test_a_page_file_name_that_is_not_a_slug_is_refused, test_an_article_file_name_follows_the_same_rule |
| static file names (space, quotes, bidi) | test_load.py::test_a_static_file_name_must_be_plain |
| a seed changed after import (start and end of the message) | test_validate.py::test_seed_changed_since_import |
| one id in two files (an event and a source) | test_validate.py::test_duplicate_id_across_kinds_names_both_places |
| a prose page timeline.md / index.md / sources.md; a fact with id `index` | test_plan.py::test_a_page_that_would_replace_one_of_the_sites_own_is_refused_by_check, test_a_fact_whose_id_is_index_is_refused_at_its_id |
| a failed build leaves site/ and content/ as they were (one quote error) | test_build.py::test_failed_build_leaves_the_previous_site_and_the_content_untouched |

Here: each case's exact message through the full check, the cases those tests leave out, and one project with
many of them at once run through the real command line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, edit
from sample import FILES

import build
from factsite import BuildFailed, build_site, check_site

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"
SITE = "content/site.yaml"
FACTS = "content/facts.yaml"
ABOUT = "content/pages/about.md"
SEED = "seeds/100_sample.txt"

LINK_OUT = (
    "this is a symbolic link to {target}, outside the project; the build reads only files inside the project folder: "
    "replace the link with a copy of the file"
)
NOT_UTF8 = "this file is not UTF-8 text; save it with UTF-8 encoding"
TOO_DEEP = (
    "lists and mappings are nested more than 32 levels deep here (the content files need at most 4); "
    "check the brackets and the indentation"
)
ALIAS = (
    "this value is reused elsewhere with an anchor and alias (& and *), which is not supported; "
    "write the value out in full where it is used"
)
SLUG_RULE = "at most 80 lower-case letters and digits joined by single '-' or '.', such as 'about' or 'c000-01'"


def found(root: Path) -> list[str]:
    """Every problem ``check`` reports for the project at ``root``, formatted; any other exception fails the test."""
    try:
        check_site(root)
    except BuildFailed as failed:
        return [p.format() for p in failed.problems]
    return []


def rewrite(root: Path, rel: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` (which must occur once) by ``new`` in the bytes of one file."""
    path = root / rel
    data = path.read_bytes()
    assert data.count(old) == 1, (old, rel)
    path.write_bytes(data.replace(old, new))


def seed_changed(sha: str) -> str:
    return (
        f"{ART}:12:11: {SEED} has changed since it was imported (its sha256 is now {sha}); seeds are evidence and "
        "must never be edited: restore the original file"
    )


def laughs(levels: int = 9) -> str:
    """The billion laughs: each of ``levels`` keys is a list of nine aliases of the one above (9**9 'lol's)."""
    keys = [chr(ord("a") + n) for n in range(levels)]
    lines = [f"a: &a [{', '.join(['lol'] * 9)}]"]
    lines += [f"{k}: &{k} [{', '.join([f'*{above}'] * 9)}]" for above, k in zip(keys, keys[1:], strict=False)]
    return "\n".join(lines) + "\n"


def laughs_problems(rel: str, field: str, description: str, levels: int = 9) -> list[str]:
    """What ``check`` says of a YAML file that is only :func:`laughs`: one message per key and per reused anchor."""
    keys = [chr(ord("a") + n) for n in range(levels)]
    out = [f"{rel}:1:1: the file is missing the required field '{field}' ({description})"]
    for line, key in enumerate(keys, start=1):
        out.append(f"{rel}:{line}:1: unknown field '{key}'; allowed here: '{field}'")
        if line < levels:  # the last anchor is never reused
            out.append(f"{rel}:{line}:4: {ALIAS}")
    return out


# -- YAML slips, through the whole check -------------------------------------------------------------------


def test_a_tab_indenting_a_claims_field(problems):
    assert problems(edit(A, "    claim: The cheese is Swiss.", "\tclaim: The cheese is Swiss.")) == [
        f"{A}:16:1: YAML syntax error: a tab character here; indent with spaces, not tabs (while scanning a plain scalar)"
    ]


def test_a_tab_indenting_front_matter_is_counted_in_the_article_file(problems):
    assert problems(edit(ART, "  sha256:", "\tsha256:")) == [
        f"{ART}:12:1: YAML syntax error: a tab character here; indent with spaces, not tabs (while scanning a plain scalar)"
    ]


def test_a_tab_between_key_and_value_is_fine(problems):
    assert problems(edit(A, "    verdict: misleading", "    verdict:\tmisleading")) == []


def test_an_unquoted_colon_in_front_matter(problems):
    assert problems(edit(ART, "outlet: Test Outlet", "outlet: Test: Outlet")) == [
        f"{ART}:7:13: YAML syntax error: mapping values are not allowed in this context; a value contains ': '; "
        "put the whole value in double quotes"
    ]


def test_an_unclosed_single_quote(problems):
    assert problems(edit(SRC, "title: Moon composition report", "title: 'Moon composition report")) == [
        f"{SRC}:3:12: YAML syntax error: this quoted value is never closed"
    ]


# -- wrong types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, what",
    [("[Mission, planned]", "a list (['Mission', 'planned'] to YAML)"), ("{a: b}", "a mapping ({'a': 'b'} to YAML)")],
)
def test_a_list_or_mapping_where_text_goes(problems, written, what):
    assert problems(edit(TL, "title: Mission planned", f"title: {written}")) == [
        f"{TL}:12:12: event 'ev-mission': 'title' must be text, but it is {what}; put the value in double quotes"
    ]


def test_text_where_a_list_goes(problems):
    assert problems(edit(A, "sources: [daily-mirror-copy]", "sources: daily-mirror-copy")) == [
        f"{A}:20:14: claim 'c-swiss': 'sources' must be a list, but it is text; write it as [a, b] or as '- item' lines"
    ]


@pytest.mark.parametrize("written, read", [("42", "42"), ("1.10", "1.1")])
def test_a_number_as_an_items_id(problems, written, read):
    # ev-later is cited by nothing, so the one message is the id's own.
    assert problems(edit(TL, "- id: ev-later", f"- id: {written}")) == [
        f"{TL}:15:9: 'events[3].id' is {written}, which YAML reads as the number {read}; put it in double quotes: \"{written}\""
    ]


def test_no_as_the_site_title(problems):
    assert problems(edit(SITE, "title: Test Fact Check", "title: no")) == [
        f"{SITE}:1:8: 'title' is no, which YAML reads as true/false; put it in double quotes: \"no\""
    ]


def test_yes_for_draft_means_true(problems):
    # A true/false field takes YAML 1.1's yes: the claim is a draft, and a valid one.
    assert problems(edit(A, "    basis: none-found", "    basis: none-found\n    draft: yes")) == []


# -- empty files, and files that are not a mapping ----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing here yet\n", "\n\n"])
def test_an_empty_sources_file(problems, text):
    assert problems({SRC: text}) == [f"{SRC}:1:1: the file is empty; see the README for what a sources file holds"]


def test_an_empty_annotations_file(problems):
    assert problems({A: ""}) == [f"{A}:1:1: the file is empty; see the README for what an annotations file holds"]


def test_empty_front_matter(problems):
    assert problems({ART: "---\n---\n# La Luna è fatta di formaggio\n"}) == [
        f"{ART}:1:1: the front matter is empty; see the README for what an article's front matter holds"
    ]


@pytest.mark.parametrize(
    "rel, text, at, what",
    [
        (SRC, "- id: a\n- id: b\n", "1:1", "a list"),
        (A, "- c-cheese\n", "1:1", "a list"),
        (SRC, "sources\n", "1:1", "text"),
        (ART, "---\n- slug: moon\n---\n# La Luna è fatta di formaggio\n", "2:1", "a list"),
    ],
)
def test_a_file_that_is_not_a_mapping(problems, rel, text, at, what):
    assert problems({rel: text}) == [f"{rel}:{at}: the file must be a mapping of 'key: value' lines, but it is {what}"]


def test_an_article_without_front_matter(problems):
    assert problems({ART: "# La Luna è fatta di formaggio\n"}) == [
        f"{ART}:1:1: an article file starts with a '---' line, then its front matter (YAML), then another '---' line, "
        "then the text"
    ]


# -- encodings: a byte-order mark, CRLF line ends, Latin-1 bytes ---------------------------------------------


@pytest.mark.parametrize("rel", [SRC, A, ART, ABOUT])
def test_a_byte_order_mark_is_fine(project, rel):
    # Notepad saves UTF-8 with one; an article or page used to be refused for not starting with '---'.
    root = project()
    (root / rel).write_bytes(b"\xef\xbb\xbf" + (root / rel).read_bytes())
    assert found(root) == []


def test_a_byte_order_mark_does_not_shift_columns(project):
    root = project(edit(SITE, "title: Test Fact Check", "title: Test: Fact Check") | edit(ART, "slug: moon", "slug: moon: x"))
    for rel in (SITE, ART):
        (root / rel).write_bytes(b"\xef\xbb\xbf" + (root / rel).read_bytes())
    colon = "YAML syntax error: mapping values are not allowed in this context; a value contains ': '; put the whole value in double quotes"
    assert found(root) == [f"{ART}:2:11: {colon}", f"{SITE}:1:12: {colon}"]


def _crlf(root: Path, top: str = "content") -> None:
    for path in (root / top).rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def test_crlf_line_ends_everywhere_in_content_are_fine(project):
    root = project()
    _crlf(root)
    assert found(root) == []


def test_crlf_line_ends_keep_lines_and_columns(project):
    changes = edit(TL, "title: Mission planned", "title: Mission: planned")
    changes |= edit(ART, "costerà 5 milioni", "costerà 50 milioni")
    changes |= edit(ABOUT, "Who we are.", "Who we are.\n\nSee [this](javascript:alert(1)).")
    root = project(changes)
    _crlf(root)
    assert found(root) == [
        f"{A}:22:12: claim 'c-cost': the quote does not occur in {ART}; copy the words exactly from the article\n"
        f"    closest passage (99% similar), {ART} line 21: «la missione costerà 50 milioni di euro»",
        f"{ART}:21:1: the article text differs from {SEED}: the site must show the article's words exactly; undo the "
        "edit (or re-import the seed)\n"
        "    text here: «cono che la missione costerà 50 milioni di euro. Gli esperti»\n"
        "    seed has:  «cono che la missione costerà 5 milioni di euro. Gli esperti »",
        f"{ABOUT}:6:1: link 'javascript:alert(1)' is not allowed: links must be http(s), mailto or a path inside the site",
        f"{TL}:12:19: YAML syntax error: mapping values are not allowed in this context; a value contains ': '; "
        "put the whole value in double quotes",
    ]


def test_a_seed_saved_with_crlf_has_changed(project):
    root = project()
    data = (root / SEED).read_bytes().replace(b"\n", b"\r\n")
    (root / SEED).write_bytes(data)
    assert found(root) == [seed_changed(hashlib.sha256(data).hexdigest())]


def test_latin1_after_a_multibyte_character_is_located_in_characters(project):
    # 'è' earlier on the line is two bytes in UTF-8: the column counts it once (it used to say 6:49).
    root = project()
    rewrite(root, A, b"formaggio svizzero", b"formaggio svizzer\xf2")
    assert found(root)[0] == f"{A}:6:48: {NOT_UTF8}"


@pytest.mark.parametrize("how", ["latin-1", "linked out"])
def test_an_unreadable_claims_file_is_one_problem(project, tmp_path, how):
    root = project()
    if how == "latin-1":
        rewrite(root, A, "costerà".encode(), b"coster\xe0")
        expected = f"{A}:22:30: {NOT_UTF8}"
    else:
        (root / A).unlink()
        os.symlink("/etc/passwd", root / A)
        expected = f"{A}: " + LINK_OUT.format(target="/etc/passwd")
    assert found(root) == [expected]


def test_an_unreadable_article_is_one_problem(project):
    root = project()
    rewrite(root, ART, "title: La Luna è".encode(), b"title: La Luna \xe8")
    assert found(root) == [f"{ART}:3:16: {NOT_UTF8}"]


@pytest.mark.parametrize("how", ["latin-1", "linked out"])
def test_an_unreadable_facts_file_is_one_problem(project, how):
    # The fact a claim cites is not also said to be unknown (it was, as facts.yaml is optional).
    root = project()
    if how == "latin-1":
        rewrite(root, FACTS, b"Rock, according", b"Rock\xe9 according")
        expected = f"{FACTS}:4:18: {NOT_UTF8}"
    else:
        (root / FACTS).unlink()
        os.symlink("/etc/passwd", root / FACTS)
        expected = f"{FACTS}: " + LINK_OUT.format(target="/etc/passwd")
    assert found(root) == [expected]


def test_an_unreadable_story_file_is_one_problem(project):
    # Neither the article that names the story nor the claim that cites one of its events says it is unknown.
    root = project(
        {"content/stories/chips.yaml": CHIPS}
        | edit(ART, "lang: it", "lang: it\nstory: chips")
        | edit(A, "events: [ev-mission]", "events: [ev-chips]")
    )
    assert found(root) == []
    rewrite(root, "content/stories/chips.yaml", b"the chip rules", b"the chip rul\xe9s")
    assert found(root) == [f"content/stories/chips.yaml:3:22: {NOT_UTF8}"]


def test_latin1_in_a_seed_is_a_changed_seed(project):
    root = project()
    rewrite(root, SEED, "è improbabile".encode(), b"\xe8 improbabile")
    assert found(root) == [seed_changed(hashlib.sha256((root / SEED).read_bytes()).hexdigest())]


def test_latin1_in_a_template(project):
    root = project()
    rewrite(root, "templates/base.html", b"<html", b"\xe9<html")
    assert found(root) == [f"templates/base.html:2:1: {NOT_UTF8}"]


# -- size and depth ------------------------------------------------------------------------------------------


def test_a_50_mb_page_is_refused_before_it_is_read(project):
    root = project()
    with open(root / ABOUT, "ab") as f:
        f.truncate(50 * 2**20)
    start = time.perf_counter()
    assert found(root) == [
        f"{ABOUT}: this file is 52,428,800 bytes, over the limit of 16 MiB for a file in content/; split it, "
        "or remove what does not belong in it"
    ]
    assert time.perf_counter() - start < 10


def test_a_50_mb_seed_is_one_problem(project):
    root = project()
    with open(root / SEED, "ab") as f:
        f.truncate(50 * 2**20)
    assert found(root) == [
        f"{SEED}: this file is 52,428,800 bytes, over the limit of 4 MiB for a file in seeds/; split it, "
        "or remove what does not belong in it"
    ]


@pytest.mark.parametrize(
    "rel, old, new, at",
    [
        (A, "events: [ev-report]", "events: " + "[" * 10_000 + "]" * 10_000, "12:1010"),
        (ART, "outlet: Test Outlet", "outlet: " + "{a: " * 10_000 + "}" * 10_000, "7:133"),
        (SRC, "sources:\n", "sources:\n" + "- " * 10_000 + "x\n", "2:63"),
    ],
    ids=["flow lists", "flow mappings in front matter", "block lists"],
)
def test_yaml_nested_10000_deep(problems, rel, old, new, at):
    # Reported at the 33rd level (the root mapping is the first), or where libyaml's own limit stops it.
    changes = edit(rel, old, new) if old != "sources:\n" else {SRC: FILES[SRC].replace(old, new, 1)}
    assert problems(changes) == [f"{rel}:{at}: {TOO_DEEP}"]


def test_the_billion_laughs_is_refused_without_being_expanded(problems):
    start = time.perf_counter()
    assert problems({SRC: laughs()}) == laughs_problems(
        SRC, "sources", "Every document the fact checks rely on, defined once and cited by id"
    )
    assert time.perf_counter() - start < 5  # 9**9 'lol's would take minutes and gigabytes


# -- the project's folders and links -------------------------------------------------------------------------


def test_a_missing_content_folder(project, capsys):
    root = project()
    shutil.rmtree(root / "content")
    assert build.main(["-C", str(root), "check"]) == 1
    assert capsys.readouterr().err == (
        f"content: no content/ folder in {root.resolve()}; run from a project root or pass -C DIR\n"
        "1 problem found; nothing was written.\n"
    )


def test_an_empty_folder_is_not_a_project(tmp_path, capsys):
    assert build.main(["-C", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().err == (
        f"content: no content/ folder in {tmp_path.resolve()}; run from a project root or pass -C DIR\n"
        "1 problem found; nothing was written.\n"
    )


def test_a_content_folder_linked_outside_is_one_problem(project):
    # It used to give one problem per file and folder under it (13 here).
    root = project()
    elsewhere = root.parent / "elsewhere"
    shutil.move(root / "content", elsewhere)
    os.symlink(elsewhere, root / "content")
    assert found(root) == [f"content: {LINK_OUT.format(target=elsewhere.resolve())}"]


def test_a_page_linked_to_a_copy_outside(project):
    root = project()
    copy = root.parent / "about-copy.md"
    copy.write_text(FILES[ABOUT])
    (root / ABOUT).unlink()
    os.symlink(copy, root / ABOUT)
    assert found(root) == [f"{ABOUT}: {LINK_OUT.format(target=copy.resolve())}"]


def test_a_loop_of_links_and_a_dangling_link(project):
    root = project()
    os.symlink("loop2.md", root / "content/pages/loop1.md")
    os.symlink("loop1.md", root / "content/pages/loop2.md")
    os.symlink("/nonexistent/x.md", root / "content/pages/gone.md")
    assert found(root) == [
        f"content/pages/gone.md: {LINK_OUT.format(target='/nonexistent/x.md')}",
        f"content/pages/loop1.md: {LINK_OUT.format(target='a loop of links')}",
        f"content/pages/loop2.md: {LINK_OUT.format(target='a loop of links')}",
    ]


def test_a_linked_folder_inside_the_project_is_fine(project):
    root = project()
    os.symlink("../../seeds", root / "content/pages/sub")  # holds only a .txt, which is not read as a page
    assert found(root) == []


# -- unusual file names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["über", "à-propos", "about me", "ABOUT"])
def test_a_page_name_with_unicode_spaces_or_capitals(problems, name):
    assert problems({f"content/pages/{name}.md": FILES[ABOUT]}) == [
        f"content/pages/{name}.md: the file name {name!r} cannot be a page's address: a name is {SLUG_RULE}; rename the file"
    ]


def test_dot_files_and_editor_backups_are_ignored(project):
    names = [".draft.md", ".about.md.swp", "about.md~", "#about.md#", ".DS_Store"]
    root = project({f"content/{where}/{name}": "not: [valid" for where in ("pages", "annotations") for name in names})
    assert found(root) == []
    assert sorted(build_site(root)) == sorted(build_site(project()))


def test_a_page_with_the_wrong_extension(problems):
    assert problems({"content/pages/about.MD": FILES[ABOUT]}) == [
        "content/pages/about.MD: unexpected file: page files end in .md"
    ]


def test_a_claims_file_whose_name_has_a_space(problems):
    # Its claims are read too, so their ids are taken twice: each is said once, at the second file.
    found_ = problems({"content/annotations/moon 2.yaml": FILES[A]})
    assert found_ == [
        "content/annotations/moon 2.yaml:1:1: there is no article 'moon 2' (content/articles/moon 2.md) for these "
        "claims (did you mean 'moon'?); the file name must be the article's slug",
        *(
            f"{A}:{line}:9: id '{claim}' is already used by the claim at content/annotations/moon 2.yaml:{line}:9; "
            "ids must be unique across claims, events, sources and facts"
            for line, claim in ((5, "c-cheese"), (14, "c-swiss"), (21, "c-cost"))
        ),
    ]


@pytest.mark.parametrize("name", ["100 sämple.txt", "100 sample (copy).txt"])
def test_a_seed_name_with_spaces_or_unicode_is_fine(problems, name):
    changes = {SEED: None, f"seeds/{name}": FILES[SEED]} | edit(ART, "file: 100_sample.txt", f'file: "{name}"')
    assert problems(changes) == []


def test_a_seed_name_starting_with_a_dot(problems):
    changes = {SEED: None, "seeds/.100_sample.txt": FILES[SEED]} | edit(ART, "file: 100_sample.txt", 'file: ".100_sample.txt"')
    assert problems(changes) == [f"{ART}:11:9: 'seed.file' must be a file name in seeds/, without folders, not starting with '.'"]


# -- a seed changed under its annotations --------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new", [(b"maggio", b"giugno"), (b"improbabile.\n", b"improbabile.\n\n"), ("è".encode(), "e\u0300".encode())]
)
def test_a_seed_whose_bytes_changed_after_its_sha256_was_recorded(project, old, new):
    # A word, a blank line at the end, a letter written decomposed (the same on screen): the sha256 tells them all.
    root = project()
    data = (root / SEED).read_bytes()
    assert old in data
    (root / SEED).write_bytes(data.replace(old, new))
    assert found(root) == [seed_changed(hashlib.sha256((root / SEED).read_bytes()).hexdigest())]


# -- one id in two files; two pages on one path --------------------------------------------------------------


def test_a_claim_id_in_two_articles_claims_files(problems):
    changes = {
        "content/articles/moon2.md": FILES[ART].replace("slug: moon", "slug: moon2"),
        "content/annotations/moon2.yaml": FILES[A],
    }
    assert problems(changes) == [
        f"content/annotations/moon2.yaml:{line}:9: id '{claim}' is already used by the claim at {A}:{line}:9; "
        "ids must be unique across claims, events, sources and facts"
        for line, claim in ((5, "c-cheese"), (14, "c-swiss"), (21, "c-cost"))
    ]


def test_a_fact_id_that_a_source_has(problems):
    assert problems(
        edit(FACTS, "- id: moon-made-of", "- id: space-agency") | edit(A, "fact: moon-made-of", "fact: space-agency")
    ) == [
        f"{A}:13:11: 'space-agency' is a source, not a fact",
        f"{FACTS}:2:9: id 'space-agency' is already used by the source at {SRC}:2:9; ids must be unique across claims, "
        "events, sources and facts",
    ]


CHIPS = (
    "story:\n  id: chips\n  title: the chip rules\nevents:\n  - id: ev-chips\n    date: 2025-01\n"
    "    status: confirmed\n    title: Rules\n    body: Rules.\n    sources: [space-agency]\n"
)


def test_a_story_id_in_two_files(problems):
    changes = {TL: "story:\n  id: chips\n  title: the chips story\n" + FILES[TL], "content/stories/chips.yaml": CHIPS}
    assert problems(changes) == [
        "content/stories/chips.yaml:2:7: the story 'chips' is already defined in content/timeline.yaml (line 2); "
        "story ids must be unique: change one of them"
    ]


def test_two_pages_on_one_path_are_both_reported(problems):
    changes = {"content/pages/timeline.md": FILES[ABOUT]}
    changes |= edit(FACTS, "- id: moon-made-of", "- id: index") | edit(A, "fact: moon-made-of", "fact: index")
    assert problems(changes) == [
        f"{FACTS}:2:9: this would make facts/index.html, which is already the index of shared facts; rename it "
        "(the name 'index' is taken)",
        "content/pages/timeline.md: this would make timeline.html, which is already the timeline page; rename it "
        "(the name 'timeline' is taken)",
    ]


def test_two_pages_on_one_path_are_listed_with_the_other_problems(problems):
    changes = {"content/pages/timeline.md": FILES[ABOUT]}
    changes |= edit(FACTS, "- id: moon-made-of", "- id: index") | edit(A, "fact: moon-made-of", "fact: index")
    changes |= edit(SRC, "title: Moon composition report", "title: Moon: composition report")
    assert problems(changes) == [
        f"{FACTS}:2:9: this would make facts/index.html, which is already the index of shared facts; rename it "
        "(the name 'index' is taken)",
        "content/pages/timeline.md: this would make timeline.html, which is already the timeline page; rename it "
        "(the name 'timeline' is taken)",
        f"{SRC}:3:16: YAML syntax error: mapping values are not allowed in this context; a value contains ': '; "
        "put the whole value in double quotes",
    ]


# -- many at once, through the command line ------------------------------------------------------------------


def tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` → the sha256 of a file's bytes, a link's target, or 'folder' (links not followed)."""
    out = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = "link to " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "folder"
            else:
                digest = hashlib.sha256()
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(2**20), b""):
                        digest.update(chunk)
                out[rel] = digest.hexdigest()
    return out


def run(root: Path, command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FACTSITE_DEBUG"}
    return subprocess.run(
        [sys.executable, "build.py", "-C", str(root), command], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )


def test_many_bad_inputs_at_once_are_all_listed_and_nothing_is_written(project):
    root = project()
    built = run(root, "build")
    assert built.returncode == 0, built.stderr
    site_before = tree(root / "site")

    def put(rel: str, data: bytes) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)

    # A tab, in a file with CRLF line ends.
    put(A, FILES[A].replace("    claim: The cheese is Swiss.", "\tclaim: The cheese is Swiss.").replace("\n", "\r\n").encode())
    # An unquoted colon.
    put(
        "content/verdicts.yaml",
        FILES["content/verdicts.yaml"].replace("meaning: Matches the sources.", "meaning: Matches: the sources.").encode(),
    )
    # A byte-order mark and CRLF (fine).
    put(SRC, b"\xef\xbb\xbf" + FILES[SRC].replace("\n", "\r\n").encode())
    # 'no' for a title, and an event id that a source in another file has.
    put(TL, FILES[TL].replace("title: Mission planned", "title: no").replace("- id: ev-later", "- id: space-agency").encode())
    # A Latin-1 byte after a multibyte character.
    put(SITE, FILES[SITE].replace("tagline: A sample.", "tagline: Città caffè").encode().replace("caffè".encode(), b"caff\xe8"))
    # The billion laughs.
    put(FACTS, laughs().encode())
    # Front matter nested 10,000 deep.
    methodology = FILES["content/pages/methodology.md"].replace("layout: methodology", "layout: " + "[" * 10_000 + "]" * 10_000)
    put("content/pages/methodology.md", methodology.encode())
    # A link to a copy outside the project.
    outside = root.parent / "outside-about.md"
    outside.write_text(FILES[ABOUT])
    (root / ABOUT).unlink()
    os.symlink(outside, root / ABOUT)
    # A 50 MB page; a Unicode name; a dot-file (ignored).
    with open(root / "content/pages/big.md", "wb") as f:
        f.truncate(50 * 2**20)
    put("content/pages/über.md", FILES[ABOUT].encode())
    put("content/pages/.notes.md", b"scratch: [")
    # A seed changed under its annotations.
    put(SEED, FILES[SEED].replace("maggio", "giugno").encode())
    # An empty file, and a file that is a list.
    put("content/stories/chips.yaml", b"")
    put("content/stories/list.yaml", b"- a\n- b\n")

    content_before, seeds_before = tree(root / "content"), tree(root / "seeds")
    sha = hashlib.sha256(FILES[SEED].replace("maggio", "giugno").encode()).hexdigest()
    expected = [
        f"{A}:16:1: YAML syntax error: a tab character here; indent with spaces, not tabs (while scanning a plain scalar)",
        seed_changed(sha),
        *laughs_problems(FACTS, "facts", "Facts that several articles state, each in its own words"),
        f"{ABOUT}: {LINK_OUT.format(target=outside.resolve())}",
        "content/pages/big.md: this file is 52,428,800 bytes, over the limit of 16 MiB for a file in content/; split it, "
        "or remove what does not belong in it",
        f"content/pages/methodology.md:3:1008: {TOO_DEEP}",
        f"content/pages/über.md: the file name 'über' cannot be a page's address: a name is {SLUG_RULE}; rename the file",
        f"{SITE}:2:20: {NOT_UTF8}",
        "content/stories/chips.yaml:1:1: the file is empty; see the README for what a timeline file holds",
        "content/stories/list.yaml:1:1: the file must be a mapping of 'key: value' lines, but it is a list",
        f"{TL}:12:12: event 'ev-mission': 'title' is no, which YAML reads as true/false; put it in double quotes: \"no\"",
        f"{TL}:15:9: id 'space-agency' is already used by the source at {SRC}:2:9; ids must be unique across claims, "
        "events, sources and facts",
        "content/verdicts.yaml:4:21: YAML syntax error: mapping values are not allowed in this context; a value "
        "contains ': '; put the whole value in double quotes",
    ]
    for command in ("check", "build"):
        result = run(root, command)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert (result.returncode, result.stdout) == (1, ""), command
        assert result.stderr.splitlines() == [*expected, f"{len(expected)} problems found; nothing was written."], command
        assert tree(root / "site") == site_before, command
        assert (tree(root / "content"), tree(root / "seeds")) == (content_before, seeds_before), command
    assert not any(p.name.startswith((".site.", "site.")) for p in root.iterdir() if p.name != "site")
