"""Write the site atomically: the only stage that writes the output.

The whole site is written into a fresh folder beside the output folder, which
is then swapped in with two renames. A failed or interrupted build therefore
leaves the previous site in place; the next build notices an interrupted swap
(the previous site parked as ``.site.old`` with no ``site``) and puts it back
before starting.

A build replaces its output folder whole, so it writes only into a folder that
is absent, empty, or a site it made: every site it makes holds the marker file
``.factsite-site``, written first into the new folder, and only marked folders
are ever deleted or replaced. Whatever the file system refuses (a full disk, a
read-only or immutable folder or file) is raised as ``BuildFailed`` naming the
path, the reason and the fix, with the previous site as it was and no swap
folder left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from .diagnostics import BuildFailed, Problem
from .layout import MARKER

MARKER_TEXT = "This folder is written by build.py and replaced whole by every build; keep nothing of your own here.\n"
OWN_FOLDERS = ("content", "templates", "seeds", "tests", ".git")
"""Folders of the project that no output folder may be, or be inside."""

# errno → (the reason in plain words, what to do); {p} is the path to fix, {r} and {d} the options for a tree or not.
_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space on it, then build again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, then build again"),
    errno.EROFS: ("the disk is mounted read-only", "choose a folder on a writable disk with -o"),
    errno.EEXIST: ("a file is in the way, where a folder must be", "choose another folder with -o"),
    errno.ENOTDIR: ("a file is in the way, where a folder must be", "choose another folder with -o"),
    errno.EACCES: ("permission denied", "make it writable (chmod {r}u+w {p}) or choose another folder with -o"),
    errno.EPERM: (
        "the system does not permit the change, so something is probably marked immutable",
        "clear the flag with chattr {r}-i {p} (lsattr {d} {p} shows it) or choose another folder with -o",
    ),
}


def swap_paths(out: Path) -> tuple[Path, Path]:
    """The temporary folders beside ``out``: (being written, previous site being replaced)."""
    return out.with_name(f".{out.name}.new"), out.with_name(f".{out.name}.old")


def is_site(folder: Path) -> bool:
    """Whether ``folder`` is a site this tool built: a real folder holding the marker file."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def recover(out: Path, *, project_root: Path | None = None) -> None:
    """Finish or undo a swap that was interrupted; only folders holding the marker are touched."""
    out = Path(out).resolve()
    root = Path(project_root).resolve() if project_root is not None else None
    new, old = swap_paths(out)
    folder, doing = old, "the build cannot look at this folder"
    try:
        if is_site(old) and out.exists():  # the new site is in place; only the clean-up was cut short
            doing = "an earlier build swapped in its new site but could not delete the previous one, parked here"
            _delete(old)
        elif is_site(old):  # cut between the renames: the previous site goes back
            doing = f"an earlier build was cut short, and the previous site, parked here, cannot be moved back to {out.name}/"
            os.rename(old, out)
        folder, doing = new, "the build cannot look at this folder"
        if is_site(new):  # a half-written site from an interrupted build
            doing = "an earlier build was cut short while writing its new site here, and this folder cannot be deleted"
            _delete(new)
    except OSError as err:
        raise BuildFailed([_os_problem(folder, root, doing, err, fix=folder, tree=True)]) from None


def output_problem(out: Path, project_root: Path | None = None) -> Problem | None:
    """Why the build must not write the folder ``out``, as a Problem naming it and the fix, or None if it may.

    It may write a folder that is absent, empty, or a site it built (holding the marker); never a
    file, another folder, a folder that is or holds the project root, or one inside the project's own
    folders; nor while a folder it did not make sits where it puts its swap folders.
    """
    root = Path(project_root).resolve() if project_root is not None else None
    try:
        out = Path(out).resolve()
    except (OSError, RuntimeError) as err:  # a symbolic link loop, say
        return Problem(
            path=str(out), line=0, col=0, message=f"this path cannot be followed ({err}). Choose another folder with -o"
        )
    where = _shown(out, root)
    if root is not None:
        if out == root or out in root.parents:
            return Problem(
                path=where,
                line=0,
                col=0,
                message="this folder holds the project, and the build replaces its output folder whole. "
                "Choose a folder of its own with -o, such as site/",
            )
        for keep in OWN_FOLDERS:
            if out == root / keep or root / keep in out.parents:
                return Problem(
                    path=where,
                    line=0,
                    col=0,
                    message=f"this is, or is inside, the project's {keep}/ folder, where no build may write. "
                    "Choose another folder with -o, such as site/",
                )
    try:
        if out.exists() and not out.is_dir():
            return Problem(
                path=_shown(out, root, folder=False),
                line=0,
                col=0,
                message="this is a file, not a folder; the build writes a folder "
                "of pages and would replace it. Choose a new folder with -o, such as site/",
            )
        if out.is_dir() and not is_site(out) and any(out.iterdir()):
            return Problem(
                path=where,
                line=0,
                col=0,
                message=f"this folder is not empty and was not made by build.py (no {MARKER} marker). "
                "Choose an empty or new folder with -o, or, if it holds nothing you need "
                "(a site made by an older build.py, say), delete it; the next build recreates it",
            )
        for swap, role in zip(swap_paths(out), ("writes the new site", "parks the previous site"), strict=True):
            if (swap.exists() or swap.is_symlink()) and not is_site(swap):
                return Problem(
                    path=_shown(swap, root),
                    line=0,
                    col=0,
                    message=f"this folder is in the way: the build {role} here while "
                    f"replacing {out.name}/, but this one was not made by build.py (no {MARKER} marker), "
                    "so it is left alone. Rename or delete it, or choose another folder with -o",
                )
    except OSError as err:
        return _os_problem(out, root, "the build cannot look at this folder", err, fix=out.parent)
    return None


def check_output_dir(out: Path, project_root: Path) -> str | None:
    """Why ``out`` must not be written by a build (``path: message``), or None if it is safe."""
    problem = output_problem(out, project_root)
    return problem.format() if problem else None


def write_site(files: Mapping[str, bytes], out: Path, *, project_root: Path | None = None) -> None:
    """Replace the folder ``out`` with exactly ``files`` ({relative path: bytes}) and the marker file.

    Raises BuildFailed, leaving the previous site as it was and no swap folder behind, when ``out``
    is not the build's to replace (see ``output_problem``) or the file system refuses a step.
    """
    targets = []
    for rel, data in sorted(files.items()):
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the site: {rel}")
        targets.append((parts, data))
    problem = output_problem(out, project_root)
    if problem:
        raise BuildFailed([problem])
    out = Path(out).resolve()
    root = Path(project_root).resolve() if project_root is not None else None
    recover(out, project_root=root)
    new, old = swap_paths(out)
    try:  # make sure the previous site can go before writing anything
        blocker = _removal_blocker(out) if out.exists() else None
    except OSError as err:
        blocker = err
    if blocker:
        raise _fail(out, root, "the build cannot delete this folder to replace it", blocker, fix=out, tree=True)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        new.mkdir()
    except OSError as err:
        raise _fail(
            out.parent,
            root,
            f"the build cannot create {new.name}/ in this folder, where it writes the new site "
            f"before swapping it in for {out.name}/",
            err,
            fix=out.parent,
        ) from None
    try:
        (new / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # first: recover() deletes only marked folders
        for parts, data in targets:
            target = new.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except OSError as err:
        shutil.rmtree(new, ignore_errors=True)  # marked: if this fails, the next recover() reports it
        raise _fail(
            out, root, f"the new site could not be written (into {new.name}/, now removed)", err, fix=out.parent
        ) from None
    try:
        if out.exists():
            os.rename(out, old)
    except OSError as err:
        shutil.rmtree(new, ignore_errors=True)
        raise _fail(out, root, "the build cannot move this folder aside to swap in the new site", err, fix=out) from None
    try:
        os.rename(new, out)
    except OSError as err:
        with contextlib.suppress(OSError):  # put the previous site back (else the next recover() does)
            os.rename(old, out)
        shutil.rmtree(new, ignore_errors=True)
        raise _fail(out, root, "the build cannot move the new site into place", err, fix=out.parent) from None
    try:
        if old.exists():
            _delete(old)
    except OSError as err:
        raise _fail(
            old,
            root,
            f"the new site is in {out.name}/, but the previous one, parked here, could not be "
            "deleted (the next build tries again)",
            err,
            fix=old,
            tree=True,
        ) from None


def _delete(folder: Path) -> None:
    """Delete ``folder`` whole, or raise the error naming what stops it before deleting anything."""
    blocker = _removal_blocker(folder)
    if blocker:
        raise blocker
    shutil.rmtree(folder)


def _removal_blocker(folder: Path) -> OSError | None:
    """What would stop ``folder`` being moved aside and deleted whole: the error for the first path in the way, or None.

    Every folder must be readable, writable and searchable, and every file writable: as root only a
    flag such as immutable (``chattr +i``) or a read-only disk fails that; as another user a file
    needs write permission only here, which is how the build leaves them.
    """
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return _access_error(folder, 0o700)
    with os.scandir(folder) as entries:
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                found = _removal_blocker(path)
                if found:
                    return found
            elif not entry.is_symlink() and not os.access(path, os.W_OK):
                return _access_error(path, 0o200)
    return None


def _access_error(path: Path, bits: int) -> OSError:
    """The error changing ``path`` would give: a read-only disk; a flag such as immutable, when we are root or its
    owner with the permission ``bits``; or else plain permissions."""
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        code = errno.EROFS
    else:
        st = path.lstat()
        owner_may = st.st_uid == os.geteuid() and st.st_mode & bits == bits
        code = errno.EPERM if os.geteuid() == 0 or owner_may else errno.EACCES
    return OSError(code, os.strerror(code), str(path))


def _fail(path: Path, root: Path | None, doing: str, err: OSError, *, fix: Path, tree: bool = False) -> BuildFailed:
    """``_os_problem`` as the exception to raise."""
    return BuildFailed([_os_problem(path, root, doing, err, fix=fix, tree=tree)])


def _os_problem(path: Path, root: Path | None, doing: str, err: OSError, *, fix: Path, tree: bool = False) -> Problem:
    """A problem naming ``path``: what could not be done, the reason in plain words and the OS's own, and the fix."""
    words = err.strerror or os.strerror(err.errno or 0)
    reason, todo = _REASONS.get(err.errno, (words, "fix that, then build again"))
    todo = todo.format(r="-R " if tree else "", d="-R" if tree else "-d", p=_shown(fix, root))
    if err.errno in _REASONS:
        culprit = Path(err.filename) if err.filename and err.errno in (errno.EACCES, errno.EPERM) else path
        shown = culprit != path and culprit.is_absolute() and os.path.lexists(culprit)  # name what was refused, if another
        reason += f" ({words}: {_shown(culprit, root, folder=culprit.is_dir())})" if shown else f" ({words})"
    return Problem(path=_shown(path, root), line=0, col=0, message=f"{doing}: {reason}. {todo[0].upper()}{todo[1:]}")


def _shown(path: Path, root: Path | None, *, folder: bool = True) -> str:
    """``path`` as problems name it: relative to the project root when inside it, a folder with a final slash."""
    text = path.relative_to(root).as_posix() if root is not None and root in path.parents else path.as_posix()
    return text + "/" if folder and not text.endswith("/") else text
