"""Importing a seed: what it writes and says, seeds from outside seeds/, claim ids; the README's worked example."""

from __future__ import annotations

import re
import shutil
import textwrap

from conftest import ROOT

import build
from factsite import check_site
from factsite.importer import annotations_stub, claim_ids, next_free_id, seed_number

OMEGA = "003_84e0e94de40d26bf.txt"
TECNO = "tecnoandroid-r2-ritardo"


def real_project(tmp_path, *, articles: bool = True):
    """A copy of this project's content, seeds and templates (without its articles and claims, if asked)."""
    root = tmp_path / "p"
    ignore = None if articles else shutil.ignore_patterns("articles", "annotations")
    shutil.copytree(ROOT / "content", root / "content", ignore=ignore)
    shutil.copytree(ROOT / "seeds", root / "seeds")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def run(root, *args) -> tuple[int, str, str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = build.main(["-C", str(root), *args])
    return code, out.getvalue(), err.getvalue()


# -- 1, 2: the message names every file written and the next step; the article starts as a draft -----------


def test_import_names_both_files_and_the_next_step(tmp_path):
    root = real_project(tmp_path, articles=False)
    code, out, err = run(root, "import", f"seeds/{OMEGA}", "--slug", "omega")
    assert (code, err) == (0, "")
    assert out == (
        "Wrote content/articles/omega.md (the article, a draft) and content/annotations/omega.yaml (its claims).\n"
        "Next: fill in the fields marked TODO (python build.py check lists them), add claims with ids "
        "c003-01, c003-02, …, then remove draft: true to publish.\n"
    )
    assert (root / "content/articles/omega.md").is_file()
    assert (root / "content/annotations/omega.yaml").read_text() == annotations_stub("omega", "c003-01")
    assert sorted(p.name for p in (root / "seeds").iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())


def test_an_imported_article_is_a_draft_the_schema_accepts(tmp_path):
    root = real_project(tmp_path)
    assert run(root, "import", f"seeds/{OMEGA}", "--slug", "omega")[0] == 0
    text = (root / "content/articles/omega.md").read_text()
    front = text.split("---\n")[1]
    assert front.endswith("draft: true  # kept off the published site until you remove this line\n")
    site = check_site(root)  # the draft's TODOs are warnings: the site still builds
    assert site.articles["omega"].draft is True
    assert not [w for w in site.warnings if "draft" in w.message], site.warnings


def test_reimporting_keeps_the_claims_file_and_goes_on_from_its_ids(tmp_path):
    root = real_project(tmp_path)
    claims = (root / f"content/annotations/{TECNO}.yaml").read_text()
    code, out, err = run(root, "import", "seeds/000_b6112cb2b94a5a98.txt", "--slug", TECNO, "--force")
    assert (code, err) == (0, "")
    assert out == (
        f"Wrote content/articles/{TECNO}.md (the article, a draft); kept content/annotations/{TECNO}.yaml "
        "(its claims), which already existed.\n"
        "Next: fill in the fields marked TODO (python build.py check lists them), add claims with ids "
        "c000-20, c000-21, …, then remove draft: true to publish.\n"
    )
    assert (root / f"content/annotations/{TECNO}.yaml").read_text() == claims


# -- 3: a seed from outside seeds/ ---------------------------------------------------------------------


def test_a_seed_from_outside_is_copied_into_seeds_byte_for_byte(tmp_path):
    root = real_project(tmp_path, articles=False)
    outside = tmp_path / "downloads" / "007_new.txt"
    outside.parent.mkdir()
    data = "Un titolo di prova per il test\r\nIl modello della azienda è anche nuovo.\n".encode()
    outside.write_bytes(data)
    code, out, err = run(root, "import", str(outside), "--slug", "prova")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Copied {outside} to seeds/007_new.txt (seeds are kept byte for byte, never edited) and imported it from there.",
        "Wrote content/articles/prova.md (the article, a draft) and content/annotations/prova.yaml (its claims).",
        "Next: fill in the fields marked TODO (python build.py check lists them), add claims with ids "
        "c007-01, c007-02, …, then remove draft: true to publish.",
    ]
    assert (root / "seeds/007_new.txt").read_bytes() == data
    assert "  file: 007_new.txt\n" in (root / "content/articles/prova.md").read_text()
    # The same bytes again: the copy in seeds/ is used as it is.
    code, out, err = run(root, "import", str(outside), "--slug", "prova", "--force")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "seeds/007_new.txt already holds this seed, byte for byte: imported from there."


def test_a_different_seed_of_the_same_name_is_never_replaced(tmp_path):
    root = real_project(tmp_path, articles=False)
    outside = tmp_path / OMEGA
    outside.write_text("Un altro testo con lo stesso nome di file.\n")
    assert run(root, "import", str(outside), "--slug", "other") == (
        1,
        "",
        f"error: seeds/{OMEGA} already exists and is a different file; seeds are never replaced: "
        f"rename {outside} and import it again\n",
    )
    assert (root / "seeds" / OMEGA).read_bytes() == (ROOT / "seeds" / OMEGA).read_bytes()
    assert not (root / "content/articles/other.md").exists()
    assert not (root / "content/annotations/other.yaml").exists()


def test_a_seed_over_the_size_limit_is_refused_before_it_is_read_or_copied(tmp_path):
    root = real_project(tmp_path, articles=False)
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(4 * 2**20 + 1)
    assert run(root, "import", str(big), "--slug", "big") == (
        1,
        "",
        f"error: {big} is 4,194,305 bytes, over the limit of 4 MiB for a seed\n",
    )
    assert not (root / "seeds/big.txt").exists()
    assert not (root / "content/articles/big.md").exists()


# -- 4: the claim-id prefix ------------------------------------------------------------------------------


def test_a_seed_number_another_article_uses_gives_the_next_free_one(tmp_path):
    root = real_project(tmp_path)
    code, out, err = run(root, "import", f"seeds/{OMEGA}", "--slug", "omega")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "Next: fill in the fields marked TODO (python build.py check lists them), add claims with ids "
        "c005-01, c005-02, … (c003, from the seed's number, is taken by the claims of "
        "content/annotations/omeganext-r2-retrasado.yaml), then remove draft: true to publish."
    )
    assert "#  - id: c005-01  # the next ones: c005-02, ...;" in (root / "content/annotations/omega.yaml").read_text()


def test_a_seed_without_a_number_gives_the_next_free_one(tmp_path):
    root = real_project(tmp_path)
    (root / "seeds/notes.txt").write_text("Un titolo di prova per il test\nIl modello della azienda è anche nuovo.\n")
    code, out, err = run(root, "import", "seeds/notes.txt", "--slug", "notes")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "Next: fill in the fields marked TODO (python build.py check lists them), add claims with ids "
        "c005-01, c005-02, … (the seed's name does not start with a number), then remove draft: true to publish."
    )


def test_the_stub_example_claim_is_checked_once_uncommented(tmp_path):
    root = real_project(tmp_path)
    assert run(root, "import", f"seeds/{OMEGA}", "--slug", "omega")[0] == 0
    path = root / "content/annotations/omega.yaml"
    stub = path.read_text()
    path.write_text(stub.replace("claims: []\n", "claims:\n").replace("\n#  ", "\n  ").replace("\n#    ", "\n    "))
    site = check_site(root)
    found = [w.format() for w in site.warnings if w.path == "content/annotations/omega.yaml"]
    assert (
        "content/annotations/omega.yaml:9:12: warning: claim 'c005-01': 'quote' must be filled in (it is empty, or still the importer's TODO placeholder)"
        in found
    )


def test_next_free_id():
    assert next_free_id([], "c005") == "c005-01"
    assert next_free_id(["c000-01", "c000-19", "c000-03", "c001-30", "ev20", "c0001-40"], "c000") == "c000-20"
    assert next_free_id(["c000-01", "c000-03"], "c000") == "c000-04"  # never into a gap: a removed id stays retired
    assert next_free_id((f"c004-{n:02d}" for n in range(1, 100)), "c004") == "c004-100"


def test_claim_ids_and_seed_numbers():
    text = "claims:\n  - id: c000-15\n    quote: x\n  - quote: y\n    id: 'c000-02'  # late\n#  - id: c000-99\n"
    assert claim_ids(text) == ["c000-15", "c000-02"]
    assert (seed_number(OMEGA), seed_number("notes.txt")) == (3, None)


def test_the_real_ids_follow_the_scheme():
    """Claims are c<NNN>-<MM> with NNN their article's seed number; events evNN (what the README says)."""
    for path in sorted((ROOT / "content/annotations").glob("*.yaml")):
        seed = re.search(r"^  file: (\S+)$", (ROOT / "content/articles" / f"{path.stem}.md").read_text(), re.M).group(1)
        ids = claim_ids(path.read_text())
        assert ids and all(i.startswith(f"c{seed_number(seed):03d}-") for i in ids), path.name
    events = re.findall(r"^  - id: (\S+)$", (ROOT / "content/timeline.yaml").read_text(), re.M)
    assert events and all(re.fullmatch(r"ev\d\d", e) for e in events)


# -- 5: the README's worked example applies cleanly ------------------------------------------------------


def readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## For reviewers: adding a claim") : text.index("### Adding an article")]


def readme_claim() -> str:
    """The claim as a reviewer adds it: the README's block without the 3 spaces of its list item."""
    block = re.search(r"```yaml\n(.*?)   ```", readme_section(), re.S).group(1)
    assert all(line.startswith("     ") for line in block.splitlines()), block
    return "".join(line.removeprefix("   ") for line in block.splitlines(keepends=True))


def with_readme_claim(tmp_path, claim: str):
    root = real_project(tmp_path)
    path = root / f"content/annotations/{TECNO}.yaml"
    path.write_text(path.read_text() + "\n" + claim)
    return root


def test_readme_example_claim_is_new_and_passes_check(tmp_path):
    claim = readme_claim()
    new_id = re.search(r"- id: (\S+)", claim).group(1)
    quote = re.search(r"quote: (.+?)  #", claim).group(1)
    real = [i for p in (ROOT / "content/annotations").glob("*.yaml") for i in claim_ids(p.read_text())]
    assert new_id == next_free_id(real, "c000") and new_id not in real
    article = (ROOT / f"content/articles/{TECNO}.md").read_text()
    assert article.count(quote) == 1
    assert f'quote: "{quote}"' not in (ROOT / f"content/annotations/{TECNO}.yaml").read_text()
    root = with_readme_claim(tmp_path, claim)
    code, out, err = run(root, "check")
    assert (code, err) == (0, ""), err
    assert out.startswith("OK: 5 articles, ")
    site = check_site(root)
    added = {c.id: c for c in site.claims[TECNO]}[new_id]
    assert new_id in site.anchors and not added.draft
    assert (added.sources, added.events, added.fact) == (("blife-ft-r2", "toms-r2"), ("ev20",), "ascend-training-failed")


def test_readme_typo_message_is_what_check_prints(tmp_path):
    section = readme_section()
    typed = re.search(r"Had you typed\s+`quote: (.+?)`", section, re.S).group(1).replace("\n", " ")
    shown = textwrap.dedent(re.search(r"```text\n(.*?)```", section, re.S).group(1))
    claim = readme_claim()
    right = re.search(r"quote: (.+?)  #", claim).group(1)
    assert typed != right
    root = with_readme_claim(tmp_path, claim.replace(f"quote: {right}", f"quote: {typed}"))
    code, out, err = run(root, "check")
    assert (code, out) == (1, "")
    assert err == shown


def test_import_of_a_missing_seed_says_so(tmp_path):
    root = real_project(tmp_path, articles=False)
    assert run(root, "import", "seeds/missing.txt") == (2, "", "error: no such seed file: seeds/missing.txt\n")
