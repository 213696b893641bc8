"""The schemas match strictly, limit every field, and say so; their problems are located and worded once.

Patterns are matched as editors match them (JavaScript: ``$`` is the very end), every string
field has a ``maxLength`` and every list a ``maxItems`` that its description states, and the
messages give the limit and what was found at the value's ``path:line:col``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, edit

from factsite.schema import SCHEMA_DIR, check_shape, strict_pattern
from factsite.yamlsrc import parse_yaml

A = "content/annotations/moon.yaml"
ART = "content/articles/moon.md"
SRC = "content/sources.yaml"
TL = "content/timeline.yaml"
SITE = "content/site.yaml"
ID_MESSAGE = "must be an id: lower-case letters and digits joined by '-' or '.', for example 'ft-2025-08-14' or 'c000-01'"
SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}
# The same, with every "$ref" made absolute ("#/$defs/id" in common → "common.schema.json#/$defs/id").
ABSOLUTE = {name: json.loads(json.dumps(s).replace('"$ref": "#', f'"$ref": "{name}#')) for name, s in SCHEMAS.items()}
COMMON = SCHEMAS["common.schema.json"]["$defs"]


def shape(kind: str, text: str) -> list[str]:
    doc, problems = parse_yaml(text, "x.yaml")
    assert problems == [] and doc is not None
    return [p.format() for p in check_shape(doc, kind)[0]]


# -- patterns match whole values, as in editors ------------------------------------------------


def test_dollar_means_the_very_end():
    assert strict_pattern("^[a-z]+$").search("push") and not strict_pattern("^[a-z]+$").search("push\n")
    assert strict_pattern("^(a|b)$").pattern == r"^(a|b)\Z"
    assert strict_pattern(r"^[$]\$[^$]$").pattern == r"^[$]\$[^$]\Z"  # '$' in a class or escaped stays a '$'
    assert strict_pattern(r"^[]$]x$").pattern == r"^[]$]x\Z"


def test_every_schema_pattern_compiles_and_is_anchored_at_the_end_strictly():
    patterns = [p for p in _walk_patterns(SCHEMAS)]
    assert len(patterns) >= 10
    for pattern in patterns:
        compiled = strict_pattern(pattern)
        assert "$" not in re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", compiled.pattern), pattern


@pytest.mark.parametrize(
    "path, old, new, message",
    [
        (A, "- id: c-swiss", '- id: "c-swiss\\n"', f"{A}:14:9: claim 'c-swiss\\n': 'id' {ID_MESSAGE}"),
        (
            TL,
            "date: 2025-05-02",
            'date: "2025-05-02\\n"',
            f"{TL}:3:11: event 'ev-report': 'date' must be a date written "
            "YYYY, YYYY-MM or YYYY-MM-DD, with a leading '~' if it is approximate",
        ),
        (
            SRC,
            "lang: en\n    kind: secondary",
            'lang: "en\\n"\n    kind: secondary',
            f"{SRC}:14:11: source 'daily-mirror-copy': 'lang' must be a language code such as 'it', 'es' or 'en' (BCP 47)",
        ),
        (
            "content/verdicts.yaml",
            'colour: "#1a7f37"',
            'colour: "#1a7f37\\n"',
            "content/verdicts.yaml:6:13: verdict 'accurate': 'colour' must be a colour written #rrggbb",
        ),
        (
            SITE,
            "base_url: https://example.org/test/",
            'base_url: "https://example.org/test/\\n"',
            f"{SITE}:6:11: 'base_url' must be the full http(s) address the site is published at (a host name and a path, "
            "with no query, spaces or 'name@'), ending with '/'",
        ),
        (
            SITE,
            "contact: corrections@example.org",
            'contact: "corrections@example.org\\n"',
            f"{SITE}:5:10: 'contact' must be an e-mail address, for example corrections@example.org",
        ),
        (
            ART,
            "url: https://outlet.example/moon",
            'url: "https://outlet.example/moon\\n"',
            f"{ART}:9:6: 'url' must be a full http:// or https:// address, or 'unknown'",
        ),
    ],
)
def test_a_trailing_newline_does_not_slip_through_a_pattern(problems, path, old, new, message):
    # "government-push\n" used to pass as a fact id and write facts/government-push\n.html.
    assert problems(edit(path, old, new)) == [message]


def test_sha256_and_seed_file_match_whole(project):
    from factsite import BuildFailed, check_site

    text = edit(ART, "sha256: ", 'sha256: "')[ART]
    text = re.sub(r'(sha256: "[0-9a-f]{64})', r'\1\\n"', text)
    text = text.replace("file: 100_sample.txt", 'file: "100_sample.txt\\n"')
    with pytest.raises(BuildFailed) as failed:
        check_site(project({ART: text}))
    assert [p.format() for p in failed.value.problems] == [
        f"{ART}:11:9: 'seed.file' must be a file name in seeds/, without folders, not starting with '.'",
        f"{ART}:12:11: 'seed.sha256' must be 64 lower-case hexadecimal digits",
    ]


# -- URLs: http(s), a host, nothing hidden, nobody's name before the host ---------------------------

URL = f"{SRC}:12:10: source 'daily-mirror-copy': 'url' must be a full http:// or https:// address with no spaces"
SPOOF = "; the part before '@' would be read as a user name, and the link would go to the host after it"


@pytest.mark.parametrize(
    "url",
    [
        '"https://mirror.example/moon\\n"',
        '"https://mirror.example/mo\\u200eon"',
        '"https://mirror.example/mo\\u200bon"',
        "https://mirror.example/mo on",
        "https:///mirror.example",
        "https://.mirror.example/",
        "https://-x.example/",
        "https://mirror.example:port/",
        "https://mirror.example\\\\@evil.example/",
        "mirror.example/moon",
        "javascript:alert(1)",
        "https://mirror.example/<script>",
        "'https://mirror.example/\"x'",
        "https://",
    ],
)
def test_url_refuses_what_could_hide_or_break_a_link(problems, url):
    assert problems(edit(SRC, "url: https://mirror.example/moon", f"url: {url}")) == [URL]


@pytest.mark.parametrize(
    "url",
    ["https://trusted.example@evil.example/", "https://user:pass@evil.example/x", "http://trusted.example%40x@evil.example"],
)
def test_url_with_a_user_name_before_the_host_is_refused_and_explained(problems, url):
    assert problems(edit(SRC, "url: https://mirror.example/moon", f"url: {url}")) == [URL + SPOOF]


@pytest.mark.parametrize(
    "text, message",
    [
        ('"https://mirror.example/\\0"', "control character U+0000 (NULL), which is not allowed in the content; delete it"),
        (
            '"https://mirror.example/\\u202e"',
            "bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE), which makes "
            "text display in a different order from how it is stored; delete it",
        ),
    ],
)
def test_url_with_a_control_or_bidi_character_gets_the_reader_message_once(problems, text, message):
    assert problems(edit(SRC, "url: https://mirror.example/moon", f"url: {text}")) == [
        f"{SRC}:12:10: this value contains the {message}"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://mirror.example/moon",
        "http://mirror.example",
        "https://mirror.example:8443/a?b=c&d=e#f",
        "https://medium.com/@someone/a-post",
        "https://web.archive.org/web/2025/https://x.example/a?b",
        "https://xn--80ak6aa92e.com/",
        "https://it.wikipedia.org/wiki/Città",
        "https://x.example/a_(b)~c!$'*+,;=%20",
    ],
)
def test_url_accepts_real_addresses(problems, url):
    assert problems(edit(SRC, "url: https://mirror.example/moon", f"url: {url}")) == []


def test_every_url_in_the_real_content_passes():
    url = strict_pattern(COMMON["url"]["pattern"])
    found = [
        m.group(1).strip("\"'")
        for path in sorted((ROOT / "content").rglob("*.*"))
        for m in re.finditer(r"^\s*(?:url|archived_url|base_url): *(\S+)", path.read_text(encoding="utf-8"), re.M)
    ]
    assert len(found) > 90
    assert [u for u in found if u != "unknown" and not url.search(u)] == []


# -- one slug pattern ----------------------------------------------------------------------------


def test_the_id_pattern_is_the_one_slug_rule():
    rule = COMMON["id"]
    assert rule["pattern"] == "^[a-z0-9]+([.-][a-z0-9]+)*$" and rule["maxLength"] == 80
    assert "`^[a-z0-9]+([.-][a-z0-9]+)*$`" in rule["description"]
    good, bad = ["c000-01", "ft-2025-08-14", "v3.1", "a"], ["C1", "a--b", "-a", "a-", "a_b", "a b", "é", "a.", "a\n", ""]
    assert [g for g in good if not strict_pattern(rule["pattern"]).search(g)] == []
    assert [b for b in bad if strict_pattern(rule["pattern"]).search(b)] == []


def test_verdict_label_instead_of_id_says_which_ids(problems):
    found = problems(edit(A, "verdict: misleading", "verdict: Mostly accurate"))
    assert found == [
        f"{A}:17:14: claim 'c-swiss': 'verdict' is 'Mostly accurate', which is not a verdict's id; the verdicts are: "
        "accurate “Accurate”, inaccurate “Inaccurate”, misleading “Misleading” (see content/verdicts.yaml)"
    ]


def test_fact_and_source_references_that_are_not_ids(problems):
    changes = edit(A, "fact: moon-made-of", "fact: Moon made of")
    changes[A] = changes[A].replace("sources: [daily-mirror-copy]", "sources: [Daily Mirror]")
    assert problems(changes) == [
        f"{A}:13:11: claim 'c-cheese': 'fact' is 'Moon made of'; write the fact's id: fact: moon-made-of",
        f"{A}:20:15: claim 'c-swiss': 'sources[1]' {ID_MESSAGE}",
    ]


# -- size limits -----------------------------------------------------------------------------------


def test_a_too_long_value_gets_its_length_and_the_limit(problems):
    found = problems(edit(TL, "title: Mission delayed", "title: " + "x" * 301))
    assert found == [f"{TL}:18:12: event 'ev-later': 'title' is 301 characters long, over the limit of 300; shorten it"]


def test_a_huge_title_is_refused_before_it_is_built(problems):
    found = problems(edit(SITE, "title: Test Fact Check", "title: " + "Moon " * 2_000_000))
    assert found == [f"{SITE}:1:8: 'title' is 9,999,999 characters long, over the limit of 300; shorten it"]


def test_a_too_long_id_is_reported_for_its_length(problems):
    found = problems(edit(A, "- id: c-swiss", "- id: " + "c" * 81))
    assert found == [f"{A}:14:9: claim '{'c' * 39}…': 'id' is 81 characters long, over the limit of 80; shorten it"]


def test_a_value_of_the_wrong_form_and_length_is_reported_for_its_form_only(problems):
    found = problems(edit(A, "- id: c-swiss", "- id: " + "C" * 81))
    assert found == [f"{A}:14:9: claim '{'C' * 39}…': 'id' {ID_MESSAGE}"]
    found = problems(edit("content/verdicts.yaml", 'colour: "#1a7f37"', 'colour: "#1a7f37 "'))
    assert found == ["content/verdicts.yaml:6:13: verdict 'accurate': 'colour' must be a colour written #rrggbb"]


def test_a_too_long_list_gets_its_count_and_the_limit(problems):
    ids = ", ".join(["daily-mirror-copy"] + [f"s{i}" for i in range(50)])
    found = problems(edit(A, "sources: [daily-mirror-copy]", f"sources: [{ids}]"))
    assert found == [f"{A}:20:14: claim 'c-swiss': 'sources' has 51 items, over the limit of 50; remove some"]


def test_limits_on_markdown_and_quotes(problems):
    changes = edit(A, "explanation: No evidence.", "explanation: " + "word " * 4001)
    changes[A] = changes[A].replace("quote: la missione costerà 5 milioni di euro", "quote: " + "q" * 2001)
    assert problems(changes) == [
        f"{A}:19:18: claim 'c-swiss': 'explanation' is 20,004 characters long, over the limit of 20,000; shorten it",
        f"{A}:22:12: claim 'c-cost': 'quote' is 2,001 characters long, over the limit of 2,000; shorten it",
    ]


def test_the_real_content_is_well_within_the_limits():
    limits = dict(_string_limits())
    assert limits["annotations:claims[].quote"] == 2000 and limits["sources:sources[].url"] == 2000
    assert limits["annotations:claims[].claim"] == 1000 and limits["verdicts:verdicts[].label"] == 300


def _string_limits():
    for kind, rows in _fields():
        for name, prop in rows:
            if prop.get("type") == "string" and "enum" not in prop:
                yield f"{kind}:{name}", prop["maxLength"]


# -- the reader's refusals are not reported again -------------------------------------------------


@pytest.mark.parametrize(
    "path, old, new, message",
    [
        (
            "content/verdicts.yaml",
            "rating: 3",
            "rating: " + "3" * 5000,
            "content/verdicts.yaml:5:13: this number is too long (more than 15 digits); if it is text, put it in double quotes",
        ),
        (
            SITE,
            "title: Test Fact Check",
            "title: &t Test Fact Check\nx: *t",
            f"{SITE}:1:8: this value is reused elsewhere with an anchor and alias (& and *), which is not supported; write "
            "the value out in full where it is used",
        ),
        (
            ART,
            "outlet: Test Outlet",
            'outlet: "Test\\x01Outlet"',
            f"{ART}:7:9: this value contains the control character U+0001 (START OF HEADING), which is not allowed in the "
            "content; delete it",
        ),
        (
            TL,
            "title: Mission planned",
            "title: Mission \u202eplanned",
            f"{TL}:12:20: this value contains the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE), which "
            "makes text display in a different order from how it is stored; delete it",
        ),
        (
            SRC,
            "title: Moon composition report",
            "title: Moon \x00composition report",
            f"{SRC}:3:17: the file contains the control character U+0000 (NULL), which YAML does not allow; delete it",
        ),
        (
            A,
            "events: [ev-report]",
            "events: " + "[" * 40 + "]" * 40,
            f"{A}:12:42: lists and mappings are nested more than 32 levels deep here (the content files need at most 4); "
            "check the brackets and the indentation",
        ),
    ],
)
def test_what_the_reader_refuses_gets_one_message_through_the_full_check(problems, path, old, new, message):
    assert problems(edit(path, old, new)) == [message]


def test_check_shape_does_not_repeat_the_readers_problem():
    doc, problems = parse_yaml(
        "verdicts:\n  - id: a\n    label: &l L\n    meaning: *l\n    rating: 1\n    colour: '#000000'\n"
        "    tier: sound\n  - id: b\n    label: B\n    meaning: M\n    rating: 99999999999999999\n"
        "    colour: '#000000'\n    tier: problem\n",
        "x.yaml",
    )
    assert [p.format() for p in problems] == [
        "x.yaml:3:12: this value is reused elsewhere with an anchor and alias (& and *), which is not supported; write "
        "the value out in full where it is used",
        "x.yaml:11:13: this number is too long (more than 15 digits); if it is text, put it in double quotes",
    ]
    assert check_shape(doc, "verdicts") == ([], {("verdicts", 0, "meaning"), ("verdicts", 1, "rating")})


def test_inf_in_a_text_field_is_reported_by_the_schema():
    text = "facts:\n  - id: a\n    title: " + "1" * 400 + ".5\n    summary: S.\n    sources: [s]\n"
    assert shape("facts", text) == [
        "x.yaml:3:12: fact 'a': 'title' is " + "1" * 59 + "…, which YAML reads as the number inf; put it in double quotes"
    ]


def test_a_long_wrong_value_is_shortened_in_the_message():
    text = "facts:\n  - id: a\n    title: [" + ", ".join(["word"] * 1000) + "]\n    summary: S.\n    sources: [s]\n"
    [message] = shape("facts", text)
    assert message == (
        "x.yaml:3:12: fact 'a': 'title' must be text, but it is a list (['word', 'word', 'word', 'word', "
        "'word', 'word', 'word', 'w… to YAML); put the value in double quotes"
    )


def test_the_deepest_allowed_document_is_checked_without_recursion_trouble():
    text = "facts:\n  - id: a\n    title: " + "[" * 29 + "]" * 29 + "\n    summary: S.\n    sources: [s]\n"
    assert shape("facts", text) == [
        "x.yaml:3:12: fact 'a': 'title' must be text, but it is a list ([[[[[[[[[[[[[[[[[[[["
        "[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]] to YAML); put the value in double quotes"
    ]


# -- the limits are documented where editors and the README show them --------------------------------


def _resolve(ref: str) -> dict:
    file, _, pointer = ref.partition("#")
    node = ABSOLUTE[file]
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node


def _effective(prop: dict) -> dict:
    """A property with its $ref merged in: the tighter limit wins, the use site's description first."""
    out = dict(prop)
    while "$ref" in out:
        target = _resolve(out.pop("$ref"))
        for key, value in target.items():
            if key in ("maxLength", "maxItems") and key in out:
                out[key] = min(out[key], value)
            else:
                out.setdefault(key, value)
    return out


def _fields():
    """(kind, [(field name, effective schema)]) for every file kind, as tools/schema_doc.py lists them."""
    for file, schema in ABSOLUTE.items():
        if file == "common.schema.json":
            continue
        rows: list = []

        def walk(props, prefix, rows=rows):
            for key, prop in props.items():
                full = _effective(prop)
                rows.append((prefix + key, full))
                if full.get("type") == "object":
                    walk(full.get("properties", {}), f"{prefix}{key}.", rows)
                if full.get("type") == "array":
                    items = _effective(full.get("items", {}))
                    if items.get("type") == "object":
                        walk(items.get("properties", {}), f"{prefix}{key}[].", rows)
                    elif items:
                        rows.append((f"{prefix}{key}[]", items))

        walk(schema["properties"], "")
        yield file.split(".")[0], rows


def test_every_string_has_a_max_length_and_every_list_a_max_items_that_its_description_states():
    missing, undocumented = [], []
    for kind, rows in _fields():
        for name, prop in rows:
            if prop.get("type") == "string" and "enum" not in prop:
                limit, unit = prop.get("maxLength"), "characters"
            elif prop.get("type") == "array":
                limit, unit = prop.get("maxItems"), "items"
            else:
                continue
            if limit is None:
                missing.append(f"{kind}:{name}")
            elif not name.endswith("[]") and f"At most {limit:,} {unit}." not in prop.get("description", ""):
                undocumented.append(f"{kind}:{name} (At most {limit:,} {unit}.)")
    assert missing == [] and undocumented == []


def test_readme_schema_section_is_generated_from_these_schemas():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "schema_doc.py"), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `claims[].quote` | text | yes | The claim's words exactly as in the article" in readme
    assert "At most 2,000 characters. |" in readme and "At most 50 items. |" in readme


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_pattern_is_a_valid_javascript_regex_for_editors():
    patterns = sorted(set(_walk_patterns(SCHEMAS)))
    script = (
        "const ps = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "for (const p of ps) { new RegExp(p, 'u'); } console.log(ps.length);"
    )
    run = subprocess.run(["node", "-e", script], input=json.dumps(patterns), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(len(patterns))


def _walk_patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _walk_patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_patterns(value)
