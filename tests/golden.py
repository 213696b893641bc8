"""Golden files: the sample project's built pages, committed, so any change to a page is a reviewable diff.

    .venv/bin/python tests/golden.py      # rewrite tests/golden/ after a deliberate change

``tests/test_golden.py`` builds the sample project (tests/sample.py with the real templates) and compares
every generated page with its golden copy. Static files copied from templates/static/ are not kept here:
they are the templates' own files.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from sample import write_project  # noqa: E402

from factsite import build_site  # noqa: E402
from factsite.load import read_project  # noqa: E402


def sample_pages() -> dict[str, bytes]:
    """The sample project's generated pages: {path in the site: bytes}."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "sample", templates=ROOT / "templates")
        static = set(read_project(root).static)
        # The search index (gzipped, binary) is checked by tests/test_search.py, not kept here.
        return {path: data for path, data in build_site(root).items() if path not in static and not path.startswith("pagefind/")}


def main() -> int:
    pages = sample_pages()
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for path, data in sorted(pages.items()):
        target = GOLDEN / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"Wrote {len(pages)} golden files into {GOLDEN.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
