#!/usr/bin/env python3
"""Where a command-line build's time goes on a big project: a build, then two one-word annotation edits.

    .venv/bin/python bench/generate.py 4000 /tmp/p4000
    .venv/bin/python scripts/profile_build.py /tmp/p4000

Each build is ``factsite.engine.build`` (what ``build.py build`` runs) in this process; it prints the
seconds, the pages rendered and each stage's seconds (``BuildResult.timings``). The first build is cold
when DIR has no ``.factsite/cache``. The edited file is put back as it was (the site is then one edit
behind it: build again to match).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factsite import engine  # noqa: E402


def show(name: str, result: engine.BuildResult) -> None:
    stages = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in result.timings.items())
    print(f"{name}: {result.seconds:.2f} s, {result.rendered} pages rendered, search {result.search or '-'}; {stages}")


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    show("first build", engine.build(root))
    target = sorted((root / "content" / "annotations").glob("*.yaml"))[7]
    original = target.read_text(encoding="utf-8")
    try:
        for word in ("variantx", "varianty"):
            target.write_text(original.replace("variant", word, 1), encoding="utf-8")
            show(f"one edit ({target.name})", engine.build(root))
    finally:
        target.write_text(original, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
