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
import ctypes
import errno
import functools
import os
import shutil
import sys
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
        if is_site(new):  # a half-written site from an interrupted build (or, after an exchange, the previous one)
            doing = "an earlier build was cut short while writing its new site here, and this folder cannot be deleted"
            _delete(new)
        for swap in (new, old):  # made by a build cut short before it could mark it: empty, so nobody's
            folder, doing = swap, "an earlier build was cut short just after making this folder, which cannot be deleted"
            if _empty_folder(swap):
                os.rmdir(swap)
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
            if (swap.exists() or swap.is_symlink()) and not is_site(swap) and not _empty_folder(swap):
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
    targets = [(site_parts(rel), data) for rel, data in sorted(files.items())]
    site = NewSite(out, project_root=project_root)
    try:
        for parts, data in targets:
            target = site.folder.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except OSError as err:
        raise site.failed(err) from None
    site.commit()


def site_parts(rel: str) -> tuple[str, ...]:
    """The parts of an output path, refused (ValueError) if it would lead outside the site."""
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
        raise ValueError(f"refusing to write outside the site: {rel}")
    return parts


def site_path(folder: str, rel: str) -> str:
    """``folder/rel`` as a string (the build's hot loops join tens of thousands of these), refusing (ValueError)
    any output path that is not plain: absolute, empty, or with an empty, ``.`` or ``..`` part."""
    if not rel or rel[0] == "/" or "\0" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"refusing to write outside the site: {rel}")
    return f"{folder}/{rel}"


class NewSite:
    """A new site being written beside the output folder ``out``, then swapped in for it whole (``commit``).

    Made only when ``out`` is the build's to replace (see ``output_problem``), after an interrupted swap is
    finished or undone (``recover``) and once the previous site is known to be deletable; its folder
    (``.site.new``) holds the marker from the start. ``write``, ``link`` (a file of the previous site,
    unchanged, hard-linked or else copied) and any writer that is handed ``folder`` fill it; ``failed``
    turns an error of theirs into the build's problem and removes the folder; ``abort`` removes it. Raises
    BuildFailed as ``write_site`` does, with the previous site as it was and no swap folder behind.
    """

    def __init__(self, out: Path, *, project_root: Path | None = None):
        problem = output_problem(out, project_root)
        if problem:
            raise BuildFailed([problem])
        self.out = out = Path(out).resolve()
        self.root = root = Path(project_root).resolve() if project_root is not None else None
        recover(out, project_root=root)
        self.folder, self.old = swap_paths(out)
        new = self.folder
        self.swapped = False
        self._out, self._new = str(out), str(new)
        self._made = {self._new}  # folders of the new site made so far
        self.previous = out if is_site(out) else None
        """The site being replaced, whose unchanged files may be linked (None if there is none)."""
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
        except OSError as err:
            raise self.failed(err) from None

    def makedirs(self, paths) -> None:
        """Make the folders that the output paths ``paths`` will be written into. Raises BuildFailed."""
        for rel in paths:
            self._folder_of(rel)

    def _folder_of(self, rel: str) -> str:
        """The new site's path for ``rel``, its folder made if need be."""
        target = site_path(self._new, rel)
        parent = target.rpartition("/")[0]
        if parent not in self._made:
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as err:
                raise self.failed(err) from None
            self._made.add(parent)
        return target

    def write(self, rel: str, data: bytes) -> None:
        """Write one file of the new site (its folder made first), replacing one written or linked there
        before, never writing into it (a link's file is the previous site's too). Raises BuildFailed."""
        target = self._folder_of(rel)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            with open(target, "xb") as file:
                file.write(data)
        except OSError as err:
            raise self.failed(err) from None

    def link(self, rel: str) -> bool:
        """Take the previous site's file at ``rel`` into the new one: hard-linked (True), or copied where the
        file system refuses a link (False). Raises BuildFailed."""
        target = self._folder_of(rel)
        source = site_path(self._out, rel)
        try:
            try:
                os.link(source, target, follow_symlinks=False)
                return True
            except OSError as err:
                if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.EACCES):
                    raise
            shutil.copyfile(source, target, follow_symlinks=False)
            return False
        except OSError as err:
            raise self.failed(err) from None

    def failed(self, err: OSError) -> BuildFailed:
        """The problem for ``err``, met while writing the new site, which is removed."""
        self.abort()
        return _fail(
            self.out,
            self.root,
            f"the new site could not be written (into {self.folder.name}/, now removed)",
            err,
            fix=self.out.parent,
        )

    def abort(self) -> None:
        """Remove the new site (marked until the last: if this fails, the next ``recover`` removes it)."""
        if not self.swapped:
            _remove_marked(self.folder, ignore_errors=True)

    def commit(self) -> None:
        """Swap the new site in for the previous one, then delete the previous one. Raises BuildFailed.

        Where the system can exchange two folders in one step (Linux), ``out`` is a complete site at every
        moment, the previous one then the new one; elsewhere it is missing between two renames, and a build
        cut short there is undone by ``recover``."""
        out, root, new, old = self.out, self.root, self.folder, self.old
        if out.exists() and _exchange(new, out):  # the previous site is now in .site.new, still marked
            self.swapped = True
            try:
                os.rename(new, old)
            except OSError:
                old = new
        else:
            try:
                if out.exists():
                    os.rename(out, old)
            except OSError as err:
                self.abort()
                raise _fail(out, root, "the build cannot move this folder aside to swap in the new site", err, fix=out) from None
            try:
                os.rename(new, out)
            except OSError as err:
                with contextlib.suppress(OSError):  # put the previous site back (else the next recover() does)
                    os.rename(old, out)
                self.abort()
                raise _fail(out, root, "the build cannot move the new site into place", err, fix=out.parent) from None
            self.swapped = True
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


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``); False where the system
    cannot, having changed nothing."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@functools.lru_cache(maxsize=1)
def _renameat2():
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):  # a C library without it (glibc before 2.28, musl before 1.2.3?)
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _empty_folder(path: Path) -> bool:
    """Whether ``path`` is a real folder with nothing in it."""
    try:
        if path.is_symlink() or not path.is_dir():
            return False
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _delete(folder: Path) -> None:
    """Delete ``folder`` whole, or raise the error naming what stops it before deleting anything."""
    blocker = _removal_blocker(folder)
    if blocker:
        raise blocker
    _remove_marked(folder)


def _remove_marked(folder: Path, *, ignore_errors: bool = False) -> None:
    """Delete a marked folder, its marker last, so that a build killed while deleting it leaves it marked (and
    the next ``recover`` finishes the job), never a folder of leftovers that no build may touch."""
    try:
        with os.scandir(folder) as found:
            entries = [entry for entry in found if entry.name != MARKER]
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=ignore_errors)
            else:
                os.unlink(entry.path)
        (folder / MARKER).unlink(missing_ok=True)
        os.rmdir(folder)
    except OSError:
        if not ignore_errors:
            raise


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
