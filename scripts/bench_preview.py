#!/usr/bin/env python3
"""Measure the live preview: time from a file's write to the rebuilt page being served, and to the browser showing it.

    .venv/bin/python scripts/bench_preview.py [--saves 20] [--no-browser]

It copies content/, seeds/ and templates/ into a temporary folder (the working
tree is never touched), starts `build.py serve` there on a free port, and then:

* annotation edit: writes a new marker into a claim's explanation, and polls the
  article page over HTTP until the marker is served;
* template edit: the same with a marker in templates/base.html's footer;
* browser: an open page in headless Chromium, one save per second; the time from
  the write to the reloaded page's DOMContentLoaded (the page's own clock).

Prints the median, 90th percentile and maximum of each, in milliseconds, with the
machine's load average (1 minute) before and after each: on a shared machine the
figures are only comparable at a similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "articles/tecnoandroid-r2-ritardo.html"
ANNOTATIONS = "content/annotations/tecnoandroid-r2-ritardo.yaml"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def wait_until(condition, timeout: float = 10.0, interval: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the preview did not update within 10 s")
        time.sleep(interval)


def edit(path: Path, original: str, marker: str, anchor: str) -> float:
    """Write ``marker`` after ``anchor``, the way an editor saves (new file renamed over the old); return the time."""
    text = original.replace(anchor, anchor + marker, 1)
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text, encoding="utf-8")
    written = time.time()
    temporary.replace(path)
    return written


def served_latency(base: str, root: Path, rel: str, anchor: str, saves: int) -> list[float]:
    path = root / rel
    original = path.read_text(encoding="utf-8")
    times = []
    for n in range(saves):
        marker = f"BENCH{n}X{time.time_ns()}"
        written = edit(path, original, marker, anchor)
        wait_until(lambda m=marker: m.encode() in get(base + ARTICLE))
        times.append((time.time() - written) * 1000)
        time.sleep(0.3)
    path.write_text(original, encoding="utf-8")
    time.sleep(1.0)
    return times


def browser_latency(base: str, root: Path, saves: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    path = root / ANNOTATIONS
    original = path.read_text(encoding="utf-8")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROME_ARGS)
        page = browser.new_page()
        page.goto(base + ARTICLE)
        page.wait_for_timeout(500)  # let livereload.js connect
        for n in range(saves):
            marker = f"SEEN{n}X{time.time_ns()}"
            written = edit(path, original, marker, "explanation: |\n      ")
            deadline = time.monotonic() + 10
            while not _shows(page, marker):  # each reload's DOMContentLoaded; stop at the one showing the edit
                if time.monotonic() > deadline:
                    raise TimeoutError(f"save {n}: the browser never showed the edit")
                page.wait_for_event("domcontentloaded", timeout=10_000)
            shown = page.evaluate(
                "performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            times.append(shown - written * 1000)
            time.sleep(1.0)  # a second save one second after the first: no reload may be dropped
        browser.close()
    path.write_text(original, encoding="utf-8")
    return times


def _shows(page, marker: str) -> bool:
    from playwright.sync_api import Error

    try:
        return marker in page.content()
    except Error:  # "the page is navigating": the reload has begun; its DOMContentLoaded comes next
        return False


def summary(name: str, measure) -> str:
    """One row of the table: ``measure()`` run, with the load average before and after it."""
    before = os.getloadavg()[0]
    times = measure()
    ordered = sorted(times)
    p90 = ordered[max(0, int(round(0.9 * len(ordered))) - 1)]
    return (
        f"| {name} | {len(times)} | {statistics.median(times):.0f} | {p90:.0f} | {max(times):.0f} "
        f"| {before:.2f} → {os.getloadavg()[0]:.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("content", "seeds", "templates"):
            shutil.copytree(ROOT / name, root / name)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "-C", str(root), "serve", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until(lambda: _ready(base), timeout=30, interval=0.05)
            rows = [
                summary(
                    "annotation edit → page served",
                    lambda: served_latency(base, root, ANNOTATIONS, "explanation: |\n      ", args.saves),
                ),
                summary(
                    "template edit → page served",
                    lambda: served_latency(base, root, "templates/base.html", "Found an error?", args.saves),
                ),
            ]
            if not args.no_browser:
                rows.append(
                    summary("annotation edit → browser reloaded (1 save/s)", lambda: browser_latency(base, root, args.saves))
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("| what | saves | median ms | p90 ms | max ms (worst) | load average, 1 min (before → after) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {_load()}; {os.cpu_count()} cores")
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _ready(base: str) -> bool:
    try:
        return json.loads(get(base + "_preview/status.json"))["builds"] >= 1
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
