"""The sample project's pages equal their golden copies in tests/golden/, file by file.

After a deliberate change to a page, run `.venv/bin/python tests/golden.py` and review the diff.
"""

from __future__ import annotations

import difflib

from golden import GOLDEN, sample_pages


def test_every_page_of_the_sample_project_equals_its_golden_copy():
    pages = sample_pages()
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(pages) == sorted(golden), "pages added or removed: run .venv/bin/python tests/golden.py"
    for path, data in pages.items():
        if data != golden[path]:
            diff = difflib.unified_diff(
                golden[path].decode().splitlines(),
                data.decode().splitlines(),
                f"tests/golden/{path}",
                f"built {path}",
                lineterm="",
                n=1,
            )
            raise AssertionError(
                "\n".join(list(diff)[:40]) + "\n(run .venv/bin/python tests/golden.py after a deliberate change)"
            )
