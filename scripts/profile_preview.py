#!/usr/bin/env python3
"""Where the live preview's time goes on a big project: start-up, and each stage of a save.

    .venv/bin/python bench/generate.py 1000 /tmp/p1000
    .venv/bin/python build.py -C /tmp/p1000 build
    .venv/bin/python scripts/profile_preview.py /tmp/p1000 [--saves 3] [--profile]

It starts the preview's engine (``factsite.preview.Preview``, what ``build.py serve`` runs, without the
server) on DIR and its ``site/`` folder, and prints the start-up time and how much of the folder it took
as the last build left it; then, with the collector frozen and off as the server runs a save, the time of
each stage of a rebuild (check, plan, digests, which pages are stale), and of ``--saves`` saves of one
annotation file (a word of one explanation changed, then the file put back), each the save itself (the
page it is about rendered and written) and the rest of its pages (``finish``). ``--profile`` adds a
cProfile of one check and one plan, by own time. DIR's files are put back as they were.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factsite.pipeline import check_project, plan  # noqa: E402
from factsite.preview import Preview  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    root = args.project.resolve()
    start = time.perf_counter()
    preview = Preview(root, root / "site", drafts=True)  # as build.py serve does
    outcome = preview.start()
    print(
        f"start-up: {time.perf_counter() - start:.2f} s, ok={outcome.ok}, {len(outcome.rendered)} pages rendered, "
        f"{len(outcome.written)} files written, {preview.adopted} files taken as the last build left them"
    )
    if not outcome.ok:
        print("\n".join(p.format() for p in outcome.problems[:5]))
        return 1
    gc.freeze()  # as the server does after start-up, and it runs each save with the collector off
    gc.disable()
    for _ in range(3):
        t0 = time.perf_counter()
        checked = check_project(preview.project, preview.memo)
        t1 = time.perf_counter()
        site, pages = plan(preview.project, checked, drafts=True)
        t2 = time.perf_counter()
        digests = preview.digests(site)
        t3 = time.perf_counter()
        stale = preview.affected_pages(pages, digests)
        t4 = time.perf_counter()
        preview.memo.prune()
        print(
            f"a rebuild's stages: check {t1 - t0:.3f} s, plan {t2 - t1:.3f} s ({len(pages)} pages), "
            f"digests {t3 - t2:.3f} s, stale pages {t4 - t3:.3f} s ({len(stale)})"
        )
    if args.profile:
        for name, run in (
            ("check", lambda: check_project(preview.project, preview.memo)),
            ("plan", lambda: plan(preview.project, checked, drafts=True)),
        ):
            profile = cProfile.Profile()
            profile.runcall(run)
            print(f"\n-- {name}, by own time")
            pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    target = sorted((root / "content" / "annotations").glob("*.yaml"))[len(pages) % 7]
    original = target.read_text(encoding="utf-8")
    rel = target.relative_to(root).as_posix()
    try:
        for n in range(args.saves):
            target.write_text(original.replace("variant", f"variant{'x' * (n + 1)}", 1), encoding="utf-8")
            t0 = time.perf_counter()
            saved = preview.update([rel], search=False, first_only=True)
            t1 = time.perf_counter()
            rest = preview.finish()
            t2 = time.perf_counter()
            print(
                f"save {n + 1}: {t1 - t0:.3f} s ({len(saved.rendered)} page, {saved.target}); "
                f"the other {len(rest.rendered)} pages: {t2 - t1:.2f} s"
            )
    finally:
        target.write_text(original, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
