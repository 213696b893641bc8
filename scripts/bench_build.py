#!/usr/bin/env python3
"""Measure a full build: time per stage and peak memory, over fresh processes.

    .venv/bin/python scripts/bench_build.py [--runs 10] [-C DIR]

Each run is a new Python process (so nothing is cached between runs) that reads,
checks, anchors, renders and writes the site into a temporary folder, timing
each stage, and reports its peak resident memory. Prints the median of each
column, in milliseconds and MiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
t = [time.perf_counter()]
from factsite.load import read_project
from factsite.pipeline import check_project, plan, render
from factsite import search_index
from factsite.write import write_site
t.append(time.perf_counter())
project = read_project(Path(sys.argv[1])); t.append(time.perf_counter())
site = check_project(project); t.append(time.perf_counter())
shown, planned = plan(project, site)
pages = render(project, shown, planned); t.append(time.perf_counter())
index = search_index.build(shown); t.append(time.perf_counter())
with tempfile.TemporaryDirectory() as out:
    write_site({**pages, **index, **project.static}, Path(out) / "site"); t.append(time.perf_counter())
steps = ["import", "read", "check+anchor", "render", "search index", "write"]
result = {s: (b - a) * 1000 for s, a, b in zip(steps, t, t[1:])}
result["total"] = (t[-1] - t[0]) * 1000
result["pages"] = sum(1 for p in pages if p.endswith(".html"))
result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("-C", dest="root", default=str(ROOT))
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, args.root, str(ROOT)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    columns = ["import", "read", "check+anchor", "render", "search index", "write", "total", "peak_rss_mib"]
    print(f"{runs[0]['pages']} pages, median of {args.runs} fresh processes")
    print("| " + " | ".join(c.replace("_mib", " (MiB)") + ("" if c.endswith("mib") else " (ms)") for c in columns) + " |")
    print("|" + "---|" * len(columns))
    print("| " + " | ".join(f"{statistics.median(r[c] for r in runs):.1f}" for c in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
