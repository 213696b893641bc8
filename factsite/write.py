"""Write the site atomically: the only stage that writes the output.

The whole site is written into a fresh folder beside the output folder, which
is then swapped in with two renames. A failed or interrupted build therefore
leaves the previous site in place; the next build notices an interrupted swap
(the previous site parked as ``.site.old`` with no ``site``) and puts it back
before starting.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def swap_paths(out: Path) -> tuple[Path, Path]:
    """The temporary folders beside ``out``: (being written, previous site being replaced)."""
    return out.with_name(f".{out.name}.new"), out.with_name(f".{out.name}.old")


def recover(out: Path) -> None:
    """Finish or undo a swap that was interrupted."""
    new, old = swap_paths(out)
    if old.exists():
        if out.exists():
            shutil.rmtree(old)  # the new site is in place; only the clean-up was cut short
        else:
            os.rename(old, out)  # cut between the renames: the previous site goes back
    if new.exists():
        shutil.rmtree(new)  # a half-written site from an interrupted build


def check_output_dir(out: Path, project_root: Path) -> str | None:
    """Why ``out`` must not be replaced by a build (it holds the project), or None if it is safe."""
    out, root = out.resolve(), project_root.resolve()
    if out == root or out in root.parents:
        return f"{out} contains the project; choose an output folder such as {root / 'site'}"
    for keep in ("content", "templates", "seeds", "tests"):
        if out == root / keep or (root / keep) in out.parents:
            return f"{out} is inside the project's {keep}/ folder; the build would replace it"
    if (out / "content").is_dir() or (out / "build.py").exists():
        return f"{out} looks like a project, not a built site; the build replaces its output folder entirely"
    return None


def write_site(files: Mapping[str, bytes], out: Path) -> None:
    """Replace the folder ``out`` with exactly ``files`` ({relative path: bytes})."""
    out = Path(out)
    recover(out)
    new, old = swap_paths(out)
    new.mkdir(parents=True)
    for rel, data in sorted(files.items()):
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the site: {rel}")
        target = new.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if out.exists():
        os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old, ignore_errors=True)
