"""The command line as people type it (issue #13): -C before or after the command, build's options without it.

Every form the README's "Commands" section shows, and the forms of the issue, run against a fresh copy of the
sample project (tests/sample.py); each test asserts the exit code and where the site was written (or that
nothing was). A form without -C runs in the project's folder, as a reviewer types it there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from sample import SEED_NAME, SEED_TEXT

import build
import factsite.serve

MARKER = ".factsite-site"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``build.py argv`` in this process → (exit code, stdout, stderr); argparse's exits become the code."""
    try:
        code = build.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def built(folder: Path) -> bool:
    """True when ``folder`` holds a site this tool wrote."""
    return (folder / MARKER).is_file() and (folder / "index.html").is_file() and (folder / "articles/moon.html").is_file()


@pytest.fixture
def root(project, monkeypatch):
    """A fresh sample project; the current folder is somewhere else, so that a form that ignores -C fails."""
    path = project()
    elsewhere = path.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return path


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


# -- build: with no command, before it, after it --------------------------------------------------------------


def test_plain_build_py_builds_the_current_folder_into_site(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    code, said, _ = run([], capsys)
    assert code == 0 and built(root / "site")
    assert said.startswith("Built ") and " pages into site in " in said


@pytest.mark.parametrize(
    "form",
    [
        ["build"],  # the README: python build.py (or build)
        ["--drafts"],  # the README: python build.py --drafts shows drafts
        ["build", "--drafts"],
        ["--strict"],
        ["build", "--strict"],
    ],
    ids=" ".join,
)
def test_build_forms_in_the_project_folder(root, monkeypatch, capsys, form):
    monkeypatch.chdir(root)
    code, said, _ = run(form, capsys)
    assert code == 0 and built(root / "site")
    assert said.endswith(" (drafts included)\n") == ("--drafts" in form)


def test_o_with_no_command_relative_to_the_current_folder(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    assert run(["-o", "public"], capsys)[0] == 0
    assert built(root / "public") and not (root / "site").exists()


@pytest.mark.parametrize(
    "form",
    [
        ["-C", "{root}"],
        ["-C", "{root}", "build"],
        ["build", "-C", "{root}"],
        ["-C", "{root}", "--drafts"],
        ["build", "--drafts", "-C", "{root}"],
    ],
    ids=" ".join,
)
def test_build_with_c_writes_into_the_project_site(root, capsys, form):
    code, _, _ = run([part.format(root=root) for part in form], capsys)
    assert code == 0 and built(root / "site")
    assert not Path("site").exists()  # not into the current folder


@pytest.mark.parametrize(
    "form",
    [
        ["-C", "{root}", "-o", "{out}"],
        ["-o", "{out}", "-C", "{root}"],
        ["-C", "{root}", "build", "-o", "{out}"],
        ["build", "-C", "{root}", "-o", "{out}"],
        ["build", "-o", "{out}", "-C", "{root}"],
        ["-o", "{out}", "build", "-C", "{root}"],
        ["-C", "{root}", "--out", "{out}", "--drafts", "--strict"],
        ["-C", "{root}", "build", "--out={out}"],
    ],
    ids=" ".join,
)
def test_build_with_c_and_o_writes_into_o_only(root, out, capsys, form):
    code, said, _ = run([part.format(root=root, out=out) for part in form], capsys)
    assert code == 0 and built(out), said
    assert not (root / "site").exists() and not Path("site").exists()
    assert f" pages into {out} in " in said


def test_an_option_after_the_command_overrides_the_same_option_before_it(root, out, capsys):
    code, _, _ = run(["-o", str(out.with_name("first")), "-C", str(root), "build", "-o", str(out)], capsys)
    assert code == 0 and built(out) and not out.with_name("first").exists()


def test_c_given_twice_differently_is_refused(root, capsys):
    code, _, err = run(["-C", str(root), "check", "-C", str(root.parent)], capsys)
    assert code == 2
    assert err.endswith(f"build.py check: error: -C is given twice ({root} before check, {root.parent} after it); give it once\n")


def test_a_failed_build_writes_nothing_wherever_o_is(project, out, capsys):
    root = project({"content/site.yaml": "title: [\n"})
    code, _, err = run(["build", "-C", str(root), "-o", str(out)], capsys)
    assert code == 1 and "content/site.yaml:2:1: YAML syntax error" in err
    assert not out.exists() and not (root / "site").exists()


# -- check, report: -C on either side; nothing written -----------------------------------------------------

OK = "OK: 1 articles, 3 claims (3 anchored), 3 events, 2 sources\n"


@pytest.mark.parametrize(
    "form",
    [
        ["check", "-C", "{root}"],
        ["-C", "{root}", "check"],
        ["check", "--strict", "-C", "{root}"],
        ["--strict", "-C", "{root}", "check"],
    ],
    ids=" ".join,
)
def test_check_forms(root, capsys, form):
    assert run([part.format(root=root) for part in form], capsys) == (0, OK, "")
    assert not (root / "site").exists()


def test_check_in_the_project_folder(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    assert run(["check"], capsys) == (0, OK, "")
    assert not (root / "site").exists()


@pytest.mark.parametrize("form", [["report", "-C", "{root}"], ["-C", "{root}", "report"]], ids=" ".join)
def test_report_forms(root, capsys, form):
    code, said, _ = run([part.format(root=root) for part in form], capsys)
    assert code == 0 and said.strip()
    assert not (root / "site").exists()


def test_report_in_the_project_folder(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    code, said, _ = run(["report"], capsys)
    assert code == 0 and said.strip()


# -- import --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        ["import", "-C", "{root}", f"seeds/{SEED_NAME}", "--slug", "again"],
        ["-C", "{root}", "import", f"seeds/{SEED_NAME}", "--slug", "again"],
        ["import", f"seeds/{SEED_NAME}", "-C", "{root}", "--slug", "again"],
    ],
    ids=" ".join,
)
def test_import_forms(root, capsys, form):
    code, said, err = run([part.format(root=root) for part in form], capsys)
    assert (code, err) == (0, "")
    assert said.startswith("Wrote content/articles/again.md (the article, a draft) and content/annotations/again.yaml")
    assert (root / "content/articles/again.md").is_file() and (root / "content/annotations/again.yaml").is_file()
    assert not (root / "site").exists()


def test_import_in_the_project_folder_with_slug_then_force(root, monkeypatch, capsys):
    # The README: python build.py import PATH [--slug S] [--force]
    monkeypatch.chdir(root)
    assert run(["import", f"seeds/{SEED_NAME}", "--slug", "again"], capsys)[0] == 0
    code, _, err = run(["import", f"seeds/{SEED_NAME}", "--slug", "again"], capsys)
    assert code == 1 and "exists; pass --force" in err
    assert run(["import", f"seeds/{SEED_NAME}", "--slug", "again", "--force"], capsys)[0] == 0


def test_import_a_seed_from_elsewhere(root, tmp_path, capsys):
    seed = tmp_path / "downloads" / "200_other.txt"
    seed.parent.mkdir()
    seed.write_text(SEED_TEXT.replace("formaggio", "gesso"), encoding="utf-8")
    code, said, _ = run(["import", "-C", str(root), str(seed), "--slug", "chalk"], capsys)
    assert code == 0 and said.startswith(f"Copied {seed} to seeds/200_other.txt")
    assert (root / "seeds/200_other.txt").read_bytes() == seed.read_bytes()


# -- serve: the arguments reach the server (a real one in the last test) --------------------------------------


@pytest.fixture
def served(monkeypatch):
    """The arguments ``build.py serve`` passes to the server, which is not started."""
    calls = []
    monkeypatch.setattr(factsite.serve, "serve", lambda root, **kwargs: calls.append({"root": Path(root), **kwargs}) or 0)
    return calls


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (["serve", "-C", "{root}", "--port", "8123"], {"port": 8123, "drafts": True}),
        (["-C", "{root}", "serve", "--port", "8123"], {"port": 8123, "drafts": True}),
        (["-C", "{root}", "serve"], {"port": 8000, "drafts": True}),
        (["serve", "--no-drafts", "-C", "{root}"], {"port": 8000, "drafts": False}),
        (["serve", "-C", "{root}", "--drafts"], {"port": 8000, "drafts": True}),
        (["--drafts", "serve", "-C", "{root}"], {"port": 8000, "drafts": True}),
        (["serve", "-C", "{root}", "--open", "--port", "0", "--host", "::1"], {"port": 0, "open_browser": True, "host": "::1"}),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_serve_forms(root, served, capsys, form, expected):
    assert run([part.format(root=root) for part in form], capsys)[0] == 0
    [call] = served
    assert call["root"] == root
    assert {k: call[k] for k in expected} == expected
    assert call.get("host", "127.0.0.1") == expected.get("host", "127.0.0.1")


def test_serve_in_the_project_folder(root, served, monkeypatch, capsys):
    monkeypatch.chdir(root)
    assert run(["serve", "--port", "8123"], capsys)[0] == 0
    assert served == [
        {"root": Path("."), "host": "127.0.0.1", "port": 8123, "open_browser": False, "drafts": True, "follow": True}
    ]


def test_serve_with_c_after_the_command_really_serves_the_project(root):
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "-C", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline, line = time.monotonic() + 30, ""
        while time.monotonic() < deadline and not line.startswith("Serving "):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert line.startswith(f"Serving {root / 'site'} at http://127.0.0.1:"), line
        assert built(root / "site")
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- what is refused, argparse style: usage, a reason, exit code 2 ---------------------------------------------


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (["check", "-o", "{out}"], "build.py check: error: check writes no site, so it takes no -o/--out"),
        (["-o", "{out}", "check"], "build.py check: error: check writes no site, so it takes no -o/--out"),
        (["report", "-o", "{out}"], "build.py report: error: report writes nothing, so it takes no -o/--out"),
        (["-o", "{out}", "report"], "build.py report: error: report writes nothing, so it takes no -o/--out"),
        (
            ["import", "-o", "{out}", f"seeds/{SEED_NAME}"],
            "build.py import: error: import writes the article into DIR/content, so it takes no -o/--out",
        ),
        (
            ["serve", "-o", "{out}"],
            "build.py serve: error: serve builds into DIR/site, the folder it serves, so it takes no -o/--out",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_o_is_refused_where_there_is_no_output(root, out, served, capsys, form, message):
    code, said, err = run(["-C", str(root), *(part.format(out=out) for part in form)], capsys)
    assert (code, said) == (2, "")
    assert err.endswith(f"{message}; build.py -o OUT writes the site into OUT\n"), err
    assert err.startswith(f"usage: {message.split(':')[0]} [-h] [-C DIR]")  # the command's own usage
    assert not out.exists() and not (root / "site").exists() and served == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            ["check", "--drafts"],
            "build.py check: error: check always checks drafts (their problems are warnings), so it takes no --drafts",
        ),
        (
            ["--drafts", "check"],
            "build.py check: error: check always checks drafts (their problems are warnings), so it takes no --drafts",
        ),
        (["report", "--drafts"], "build.py report: error: report always lists drafts, so it takes no --drafts"),
        (["report", "--strict"], "build.py report: error: --strict is an option of build and check, not of report"),
        (["--strict", "serve"], "build.py serve: error: --strict is an option of build and check, not of serve"),
        (
            ["import", "--strict", f"seeds/{SEED_NAME}"],
            "build.py import: error: --strict is an option of build and check, not of import",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_an_option_of_another_command_is_refused_with_the_reason(root, served, capsys, form, message):
    for argv in (["-C", str(root), *form], [*form, "-C", str(root)]):
        code, said, err = run(argv, capsys)
        assert (code, said) == (2, "") and err.endswith(message + "\n"), err
    assert served == [] and not (root / "site").exists()


@pytest.mark.parametrize(
    ("form", "usage"),
    [
        (["--bogus"], "usage: build.py [-C DIR] [COMMAND] [options]\nbuild.py: error: unrecognized arguments: --bogus"),
        (
            ["build", "--bogus"],
            "usage: build.py build [-h] [-C DIR] [-o OUT] [--drafts] [--strict]\nbuild.py build: error: unrecognized arguments: --bogus",
        ),
        (
            ["check", "--bogus"],
            "usage: build.py check [-h] [-C DIR] [--strict]\nbuild.py check: error: unrecognized arguments: --bogus",
        ),
        (["report", "--bogus"], "usage: build.py report [-h] [-C DIR]\nbuild.py report: error: unrecognized arguments: --bogus"),
        (["serve", "--open", "--bogus"], "build.py serve: error: unrecognized arguments: --bogus"),
        (["import"], "build.py import: error: the following arguments are required: seed"),
        (["check", "extra"], "build.py check: error: unrecognized arguments: extra"),
        (
            ["chek"],
            "build.py: error: argument COMMAND: invalid choice: 'chek' (choose from 'build', 'check', 'report', 'import', 'serve')",
        ),
        (["-o"], "build.py: error: argument -o/--out: expected one argument"),
        (["serve", "--port", "eighty"], "build.py serve: error: argument --port: invalid int value: 'eighty'"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_command_line_it_cannot_read_exits_2_argparse_style(root, served, capsys, form, usage):
    code, said, err = run(["-C", str(root), *form], capsys)
    assert (code, said) == (2, "")
    assert err.endswith(usage + "\n"), err
    assert not (root / "site").exists() and served == []


def test_the_real_process_exits_2_on_an_unknown_option(root):
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "-C", str(root), "--bogus"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == "usage: build.py check [-h] [-C DIR] [--strict]\nbuild.py check: error: unrecognized arguments: --bogus\n"
    )


# -- help ----------------------------------------------------------------------------------------------------


def test_help_lists_the_commands_and_builds_options(capsys):
    code, said, _ = run(["--help"], capsys)
    assert code == 0
    assert said.startswith("usage: build.py [-C DIR] [COMMAND] [options]\n")
    for line in (
        "  -C DIR ",
        "  -o OUT, --out OUT ",
        "  --drafts ",
        "  --strict ",
        "    build ",
        "    check ",
        "    report ",
        "    import ",
        "    serve ",
    ):
        assert line in said, line


@pytest.mark.parametrize(
    ("command", "usage", "absent"),
    [
        ("build", "usage: build.py build [-h] [-C DIR] [-o OUT] [--drafts] [--strict]\n", []),
        ("check", "usage: build.py check [-h] [-C DIR] [--strict]\n", ["--out", "--drafts"]),
        ("report", "usage: build.py report [-h] [-C DIR]\n", ["--out", "--drafts", "--strict"]),
        ("import", "usage: build.py import [-h] [-C DIR] [--slug SLUG] [--force] seed\n", ["--out", "--drafts", "--strict"]),
        ("serve", "usage: build.py serve [-h] [-C DIR] [--drafts] [--port PORT] [--host HOST]\n", ["--out", "--strict"]),
    ],
)
def test_each_command_has_its_own_help(capsys, command, usage, absent):
    for form in ([command, "--help"], ["-C", "somewhere", command, "-h"]):
        code, said, _ = run(form, capsys)
        assert code == 0 and said.startswith(usage), said
        assert "  -C DIR " in said
        assert not [option for option in absent if option in said]
