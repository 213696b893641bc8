"""The output folder: the build writes only a folder it may replace, and fails cleanly.

Every refusal and failure exits 1 with one problem naming the folder, the reason and the fix, and
leaves the previous site byte for byte as it was, with no ``.site.new``/``.site.old`` behind. The
file systems are real: ``chattr +i`` makes folders and files immutable, a small tmpfs is a full
disk, and ``setpriv`` builds as the user nobody, for whom plain permissions make a folder read-only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES
from sample import write_project

from factsite import BuildFailed
from factsite.write import (
    MARKER,
    MARKER_TEXT,
    NewSite,
    _exchange,
    check_output_dir,
    output_problem,
    recover,
    swap_paths,
    write_site,
)

FOOTER = "\n1 problem found; nothing was written.\n"
NOT_OURS = (
    "this folder is not empty and was not made by build.py (no .factsite-site marker). Choose an empty or "
    "new folder with -o, or, if it holds nothing you need (a site made by an older build.py, say), delete it; "
    "the next build recreates it"
)
IMMUTABLE = "the system does not permit the change, so something is probably marked immutable (Operation not permitted)"
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def build(root: Path, out: Path, *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """``python build.py -C root build -o out``, as this user or as nobody."""
    command = [sys.executable, "build.py", "-C", str(root), "build", "-o", str(out)]
    return subprocess.run((NOBODY if as_nobody else []) + command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` → its bytes (None for a folder)."""
    return {p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def assert_refused(result: subprocess.CompletedProcess, problem: str) -> None:
    assert (result.returncode, result.stdout, result.stderr) == (1, "", problem + FOOTER)


def assert_no_swap_folders(out: Path) -> None:
    assert not any(os.path.lexists(p) for p in swap_paths(out))


def mark(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(MARKER_TEXT)
    return folder


def need(command: str) -> None:
    if not shutil.which(command):
        pytest.skip(f"{command} is not installed (apt-get install util-linux e2fsprogs)")


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """``chattr +i`` on ``paths`` for the duration, always cleared."""
    need("chattr")
    try:
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=False)


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` for the duration, always unmounted."""
    need("mount")
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder the user nobody can reach (pytest's own temporary folders are private to root)."""
    need("setpriv")
    folder = Path(tempfile.mkdtemp(prefix="factsite-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
        shutil.rmtree(folder)


def nobodys_project(shared: Path) -> Path:
    root = write_project(shared / "project", templates=TEMPLATES)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(root)], check=True)
    return root


# -- folders that are not the build's to replace ------------------------------------------------------


def test_a_folder_of_user_files_is_refused(project, tmp_path):
    root, decoy = project(), tmp_path / "decoy"
    (decoy / "photos").mkdir(parents=True)
    (decoy / "notes.txt").write_text("mine")
    (decoy / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    before = snapshot(decoy)
    assert_refused(build(root, decoy), f"{decoy}/: {NOT_OURS}")
    assert snapshot(decoy) == before
    assert sorted(os.listdir(tmp_path)) == ["decoy", "p0"]


def test_a_site_made_by_an_older_build_is_refused_once(project):
    root = project()
    site = root / "site"
    (site / "static").mkdir(parents=True)
    (site / "index.html").write_text("old")
    before = snapshot(site)
    assert_refused(build(root, site), f"site/: {NOT_OURS}")
    assert snapshot(site) == before
    shutil.rmtree(site)  # the fix the message gives
    assert build(root, site).returncode == 0


def test_a_git_repository_is_refused(project, tmp_path):
    need("git")
    root = project()
    for repo in (root, tmp_path / "repo"):
        repo.mkdir(exist_ok=True)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    before = snapshot(root / ".git"), snapshot(tmp_path / "repo")
    assert_refused(
        build(root, root / ".git"),
        ".git/: this is, or is inside, the project's .git/ folder, "
        "where no build may write. Choose another folder with -o, such as site/",
    )
    assert_refused(build(root, tmp_path / "repo" / ".git"), f"{tmp_path}/repo/.git/: {NOT_OURS}")
    assert (snapshot(root / ".git"), snapshot(tmp_path / "repo")) == before
    assert_no_swap_folders(root / ".git")
    assert_no_swap_folders(tmp_path / "repo" / ".git")


def test_a_package_folder_is_refused(project):
    root = project()
    package = root / "factsite"
    package.mkdir()
    (package / "__init__.py").write_text('"""The package."""\n')
    assert_refused(build(root, package), f"factsite/: {NOT_OURS}")
    assert snapshot(package) == {"__init__.py": b'"""The package."""\n'}
    assert_no_swap_folders(package)


def test_a_file_is_refused(project):
    root = project()
    readme = root / "README.md"
    readme.write_text("# Read me\n")
    assert_refused(
        build(root, readme),
        "README.md: this is a file, not a folder; the build writes a folder of pages "
        "and would replace it. Choose a new folder with -o, such as site/",
    )
    assert readme.read_text() == "# Read me\n"
    assert_no_swap_folders(readme)


@pytest.mark.parametrize("where", ["root", "its parent"])
def test_the_project_root_and_a_folder_holding_it_are_refused(project, where):
    root = project()
    out = root if where == "root" else root.parent
    before = snapshot(root)
    assert_refused(
        build(root, out),
        f"{out}/: this folder holds the project, and the build replaces its output folder "
        "whole. Choose a folder of its own with -o, such as site/",
    )
    assert snapshot(root) == before
    assert_no_swap_folders(out)


def test_write_site_itself_refuses_and_check_output_dir_says_why(project, tmp_path):
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "notes.txt").write_text("mine")
    with pytest.raises(BuildFailed) as failed:
        write_site({"index.html": b"x"}, decoy)
    assert [p.format() for p in failed.value.problems] == [f"{decoy}/: {NOT_OURS}"]
    assert check_output_dir(decoy, project()) == f"{decoy}/: {NOT_OURS}"
    assert check_output_dir(tmp_path / "new", tmp_path / "p0") is None
    assert (decoy / "notes.txt").read_text() == "mine"


# -- the build's own sites and swap folders ---------------------------------------------------------------


def test_a_site_with_the_marker_is_replaced_whole(project):
    root = project()
    site = root / "site"
    first = build(root, site)
    assert first.returncode == 0 and first.stderr == ""
    assert (site / MARKER).read_text() == MARKER_TEXT
    built = snapshot(site)
    (site / "stray.html").write_text("left by hand")
    (site / "index.html").write_text("edited by hand")
    assert build(root, site).returncode == 0
    assert snapshot(site) == built
    assert_no_swap_folders(site)


@pytest.mark.parametrize("cut", ["between the renames", "after the swap"])
def test_an_interrupted_swap_is_recovered(project, cut):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    built = snapshot(site)
    new, old = swap_paths(site)
    if cut == "between the renames":
        site.rename(old)
        (mark(new) / "index.html").write_text("half")
    else:
        shutil.copytree(site, old)
    assert build(root, site).returncode == 0
    assert snapshot(site) == built
    assert_no_swap_folders(site)


@pytest.mark.parametrize("swap", [0, 1], ids=[".site.new", ".site.old"])
def test_a_user_folder_named_like_a_swap_folder_survives(project, swap):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    built = snapshot(site)
    mine = swap_paths(site)[swap]
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    recover(site)
    assert (mine / "notes.txt").read_text() == "mine"
    role = ("writes the new site", "parks the previous site")[swap]
    assert_refused(
        build(root, site),
        f"{mine.name}/: this folder is in the way: the build {role} here while replacing "
        "site/, but this one was not made by build.py (no .factsite-site marker), so it is left alone. "
        "Rename or delete it, or choose another folder with -o",
    )
    assert snapshot(mine) == {"notes.txt": b"mine"}
    assert snapshot(site) == built


# -- the file system refuses: nothing changes, nothing is left behind ---------------------------------------


def without_cache(files: dict) -> dict:
    return {rel: data for rel, data in files.items() if not rel.startswith(".factsite/cache/objects/")}


def edited(root: Path) -> None:
    """A change to the content, so that the next build has pages to write (with none, it writes nothing)."""
    claims = root / "content/annotations/moon.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")


@pytest.mark.parametrize("what", ["site", "a file in it"])
def test_an_immutable_site_fails_cleanly(project, what):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    built = snapshot(site)
    edited(root)
    locked = site if what == "site" else site / "static" / "print.css"
    reason = IMMUTABLE if what == "site" else IMMUTABLE[:-1] + ": site/static/print.css)"
    with immutable(locked):
        for _ in range(2):  # the second build finds nothing left over by the first
            assert_refused(
                build(root, site),
                f"site/: the build cannot delete this folder to replace it: {reason}. "
                "Clear the flag with chattr -R -i site/ (lsattr -R site/ shows it) or choose another folder with -o",
            )
            assert snapshot(site) == built
            assert_no_swap_folders(site)
    assert build(root, site).returncode == 0


def test_an_immutable_project_folder_fails_cleanly(project):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    built = snapshot(site)
    edited(root)
    with immutable(root):
        assert_refused(
            build(root, site),
            f"{root}/: the build cannot create .site.new/ in this folder, where it writes "
            f"the new site before swapping it in for site/: {IMMUTABLE}. Clear the flag with chattr -i {root}/ "
            f"(lsattr -d {root}/ shows it) or choose another folder with -o",
        )
    assert snapshot(site) == built
    assert_no_swap_folders(site)


def test_a_full_disk_fails_cleanly(project, tmp_path):
    root = project()
    with small_disk(tmp_path / "disk", "4m") as disk:  # room for one site, not two
        site = disk / "site"
        assert build(root, site).returncode == 0
        built = snapshot(site)
        with open(disk / "filler", "wb", buffering=0) as filler:  # take every block that is left
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        edited(root)
        assert_refused(
            build(root, site),
            f"{site}/: the new site could not be written (into .site.new/, now removed): "
            "the disk is full (No space left on device). Free some space on it, then build again",
        )
        assert snapshot(site) == built
        assert_no_swap_folders(site)
        (disk / "filler").unlink()
        assert build(root, site).returncode == 0


def test_a_read_only_site_fails_cleanly_for_its_owner(shared):
    root = nobodys_project(shared)
    site = root / "site"
    assert build(root, site, as_nobody=True).returncode == 0
    built = snapshot(site)
    edited(root)
    subprocess.run(["chmod", "-R", "a-w", str(site)], check=True)
    for _ in range(2):  # the second build finds nothing left over by the first
        assert_refused(
            build(root, site, as_nobody=True),
            "site/: the build cannot delete this folder to replace it: "
            "permission denied (Permission denied). Make it writable (chmod -R u+w site/) or choose "
            "another folder with -o",
        )
        assert snapshot(site) == built
        assert_no_swap_folders(site)
    subprocess.run(["chmod", "-R", "u+w", str(site)], check=True)
    assert build(root, site, as_nobody=True).returncode == 0


@pytest.mark.parametrize("where", ["the project folder", "the folder given with -o"])
def test_an_unwritable_parent_fails_cleanly(shared, where):
    root = nobodys_project(shared)
    if where == "the project folder":
        parent, site = root, root / "site"
        assert build(root, site, as_nobody=True).returncode == 0
        edited(root)
        root.chmod(0o555)
        shown = f"{root}/"
    else:
        parent = shared / "locked"  # root's, so nobody cannot write in it
        parent.mkdir()
        site = parent / "site"
        shown = f"{parent}/"
    built = snapshot(parent)
    assert_refused(
        build(root, site, as_nobody=True),
        f"{shown}: the build cannot create .site.new/ in this folder, "
        "where it writes the new site before swapping it in for site/: permission denied (Permission denied). "
        f"Make it writable (chmod u+w {shown}) or choose another folder with -o",
    )
    # Only the cache may have grown: the edited file, parsed and checked, is kept for the next build.
    assert without_cache(snapshot(parent)) == without_cache(built)
    assert_no_swap_folders(site)


def test_a_previous_site_that_cannot_be_deleted_is_reported_not_a_traceback(project):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    old = swap_paths(site)[1]
    shutil.copytree(site, old)  # a swap whose clean-up failed
    built = snapshot(site)
    with immutable(old / "static" / "print.css"):
        assert_refused(
            build(root, site),
            ".site.old/: an earlier build swapped in its new site but could not delete the "
            f"previous one, parked here: {IMMUTABLE[:-1]}: .site.old/static/print.css). Clear the flag with "
            "chattr -R -i .site.old/ (lsattr -R .site.old/ shows it) or choose another folder with -o",
        )
        assert snapshot(site) == built
    assert build(root, site).returncode == 0
    assert_no_swap_folders(site)


# -- the new site, file by file (the build engine's way of writing) -------------------------------------------------


def test_a_new_site_makes_nested_folders_refuses_paths_outside_and_swaps_in(tmp_path):
    out = tmp_path / "site"
    site = NewSite(out)
    site.write("facts/x/page/2.html", b"two")  # a folder with no file of its own on the way
    site.makedirs(["a/b/c/d.html"])
    for bad in ("../evil.html", "/etc/passwd", "a/../../evil", "", "a//b", "./a"):
        with pytest.raises(ValueError):
            site.write(bad, b"x")
    site.commit()
    assert snapshot(out) == {
        MARKER: MARKER_TEXT.encode(), "a": None, "a/b": None, "a/b/c": None,
        "facts": None, "facts/x": None, "facts/x/page": None, "facts/x/page/2.html": b"two",
    }  # fmt: skip
    again = NewSite(out)
    assert again.link("facts/x/page/2.html") is True  # the previous site's file, hard-linked
    again.commit()
    assert (out / "facts/x/page/2.html").read_bytes() == b"two" and not os.path.lexists(swap_paths(out)[1])


def test_writing_over_a_linked_file_never_changes_the_previous_site(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    site = NewSite(out)
    site.link("index.html")
    site.write("index.html", b"new")  # replaced, not written into: the link's file is the previous site's too
    assert (out / "index.html").read_bytes() == b"old"
    site.abort()
    assert (out / "index.html").read_bytes() == b"old" and not any(os.path.lexists(p) for p in swap_paths(out))


def test_the_swap_exchanges_the_folders_in_one_step(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "x").mkdir(parents=True)
    (b / "y").mkdir(parents=True)
    if not _exchange(a, b):
        pytest.skip("this system cannot exchange two folders in one step (renameat2)")
    assert (a / "y").is_dir() and (b / "x").is_dir()


def test_an_empty_swap_folder_left_by_a_killed_build_is_not_in_the_way(project):
    root = project()
    site = root / "site"
    assert build(root, site).returncode == 0
    built = snapshot(site)
    for swap in swap_paths(site):
        swap.mkdir()  # killed between making the folder and marking it: it holds nothing of anyone's
    assert output_problem(site, root) is None
    recover(site, project_root=root)
    assert_no_swap_folders(site)
    assert snapshot(site) == built
