"""Reading the project: only files inside it are read, and none larger than its limit."""

from __future__ import annotations

import os

import pytest
from sample import FILES

import build
from factsite import build_site
from factsite.diagnostics import visible
from factsite.layout import MAX_FILE_BYTES


def _check(root, capsys) -> tuple[int, list[str]]:
    code = build.main(["-C", str(root), "check"])
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "rel",
    ["templates/static/env.txt", "content/pages/leak.md", "content/site.yaml", "seeds/100_sample.txt", "templates/base.html"],
)
@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_a_link_to_a_file_outside_the_project_is_refused(project, capsys, tmp_path, rel, target):
    root = project()
    (root / rel).unlink(missing_ok=True)
    os.symlink(target, root / rel)
    code, err = _check(root, capsys)
    assert code == 1
    assert (
        f"{rel}: this is a symbolic link to {os.path.realpath(target)}, outside the project; the build reads only "
        "files inside the project folder: replace the link with a copy of the file" in err
    )
    assert not (root / "site").exists()
    assert build.main(["-C", str(root)]) == 1  # and the build writes nothing
    assert not (root / "site").exists()


def test_a_linked_folder_that_leads_outside_is_refused(project, capsys, tmp_path):
    root = project()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nsecret\n")
    os.symlink(outside, root / "content/pages/more")
    code, err = _check(root, capsys)
    assert (code, err[0]) == (
        1,
        f"content/pages/more: this is a symbolic link to {outside}, outside the project; the "
        "build reads only files inside the project folder: replace the link with a copy of the file",
    )


def test_a_link_to_a_file_inside_the_project_is_fine(project):
    root = project()
    os.symlink("../../seeds/100_sample.txt", root / "templates/static/seed.txt")
    assert build_site(root)["static/seed.txt"] == FILES["seeds/100_sample.txt"].encode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(project, capsys):
    root = project()
    with open(root / "content/site.yaml", "ab") as f:
        f.truncate(MAX_FILE_BYTES["content"] + 1)
    code, err = _check(root, capsys)
    assert code == 1
    assert (
        err[0] == "content/site.yaml: this file is 16,777,217 bytes, over the limit of 16 MiB for a file in content/; "
        "split it, or remove what does not belong in it"
    )


def test_not_utf8_is_reported_at_its_line_and_column(project, capsys):
    root = project()
    (root / "content/site.yaml").write_bytes(b"title: Test\ntagline: caf\xe9\n")
    code, err = _check(root, capsys)
    assert err[0] == "content/site.yaml:2:13: this file is not UTF-8 text; save it with UTF-8 encoding"


@pytest.mark.parametrize("name", ["javascript:alert(1).js", 'a"b.css', "new\nline.css", "\u202eevil.js", " x.css"])
def test_a_static_file_name_must_be_plain(project, capsys, name):
    root = project({f"templates/static/{name}": "x"})
    code, err = _check(root, capsys)
    assert (code, err[0]) == (
        1,
        visible(
            f"templates/static/{name}: a static file's name becomes its address in the site, "
            "so it may hold only letters, digits, '.', '-' and '_'; rename it"
        ),
    )
