"""Markdown is safe by construction, and article text survives the round trip exactly."""

import re

import pytest

from factsite.markdown import (
    escape_body_line,
    make_body_parser,
    make_link_scanner,
    make_markdown,
    parse_body,
    render_markdown,
    unsafe_links,
)


@pytest.fixture(scope="module")
def md():
    return make_markdown()


def test_raw_html_is_shown_as_text(md):
    html = render_markdown(md, "<script>alert(1)</script> and <img src=x onerror=alert(2)>")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_only_safe_links_become_links(md):
    html = render_markdown(md, "[a](javascript:alert(1)) [b](ftp://x.example) [c](https://ok.example) [d](../sources.html#x)")
    assert 'href="javascript' not in html and 'href="ftp' not in html
    assert '<a href="https://ok.example" rel="noopener noreferrer">c</a>' in html
    assert '<a href="../sources.html#x">d</a>' in html  # in-site links get no rel


def test_images_are_off_so_no_page_loads_anything_from_elsewhere(md):
    assert "<img" not in render_markdown(md, "![x](https://tracker.example/pixel.png)")


def test_unsafe_links_are_listed_for_validation():
    text = "[a](javascript:x) [b](https://ok) [c](mailto:a@b.c) [d](data:text/html,x) <vbscript:y> [e]\n\n[e]: file:///etc"
    assert unsafe_links(make_link_scanner(), text) == ["javascript:x", "data:text/html,x", "vbscript:y", "file:///etc"]


@pytest.mark.parametrize(
    "line",
    [
        "# not a heading in the original",
        "Uses *stars* and _underscores_ and [brackets](x) and <b>tags</b>",
        "A backslash \\* before a star, and 1. a list marker",
        "- a dash line",
        "&amp; stays an ampersand entity text",
    ],
)
def test_body_lines_round_trip_exactly(line):
    body = escape_body_line(line)
    [block] = parse_body(make_body_parser(), body, 1)
    assert (block.level, block.text) == (0, line)


def test_body_headings_and_lines():
    blocks = parse_body(make_body_parser(), "# Title\n\nPara one.\n\n## Sub\n\nPara two.\n", 5)
    assert [(b.level, b.text, b.line) for b in blocks] == [
        (1, "Title", 5),
        (0, "Para one.", 7),
        (2, "Sub", 9),
        (0, "Para two.", 11),
    ]


def test_prose_headings_get_unique_prefixed_ids_for_links():
    html = render_markdown(make_markdown(heading_ids=True), "## Corrections policy\n\ntext\n\n## Corrections policy\n\n## Main\n")
    assert '<h2 id="section-corrections-policy">' in html and '<h2 id="section-corrections-policy-2">' in html
    assert '<h2 id="section-main">' in html  # never the skip link's target, id="main"


def test_headings_in_fields_get_no_id_so_they_cannot_take_the_templates_ids(md):
    # Two explanations on one page may both say "## Why"; one may say "## Claim c001 02".
    assert render_markdown(md, "## Claim c001 02\n") == "<h2>Claim c001 02</h2>\n"


@pytest.mark.parametrize("url", ["//evil.example/", "<//evil.example>", "[x]: //evil.example"])
def test_protocol_relative_links_leave_the_site_so_they_are_refused(md, url):
    text = url if url.startswith("[") else f"[x]({url})"
    assert unsafe_links(make_link_scanner(), text + "\n\n[x]") == [url.strip("<>").removeprefix("[x]: ")]
    assert "href" not in render_markdown(md, text + "\n\n[x]")


@pytest.mark.parametrize("url", ["/\\evil.example/", "\\\\evil.example", "/%5Cevil.example"])
def test_backslashes_cannot_make_a_link_leave_the_site(md, url):
    # Browsers read a backslash as '/', so '/\evil.example' would be protocol-relative; markdown-it
    # percent-encodes it, and '%5C' is never read as a slash.
    [href] = re.findall(r'href="([^"]*)"', render_markdown(md, f"[x]({url})"))
    assert href.startswith(("/%5C", "%5C")) and "\\" not in href
