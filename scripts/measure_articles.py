#!/usr/bin/env python3
"""Measure the article pages as a reader meets them, in Debian's Chromium.

For each article page of a built site, at 1280×800 and 390×844: the page height, the height of the
article's own text block and their ratio; how many claims (of those citing timeline events) have at
least one of their events on screen while their passage is centred in the viewport (at 390, after
tapping the claim's label, as a phone reader would); whether the problem claims are named on the first
screen; and how many A4 pages printing the article takes.

    .venv/bin/python build.py build -o /tmp/site && .venv/bin/python scripts/measure_articles.py /tmp/site

It works on any build of this project, old or new, so a change can be measured before and after.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import re
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

SIZES = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}

# For one claim's passage (mark id "quote-<id>"): centre it, then say whether its note and one of its events
# are inside the viewport. Works on the old page (cards, data-events on the card) and the new (notes).
HITS = """async ([id, tap]) => {
  const mark = document.getElementById('quote-' + id);
  const holder = document.getElementById('claim-' + id);
  const events = ((holder && holder.dataset.events) || '').split(' ').filter(Boolean);
  if (!mark || !events.length) return null;
  const r0 = mark.getBoundingClientRect();
  window.scrollBy(0, r0.top + r0.height / 2 - innerHeight / 2);
  let ref = null;
  if (tap) {
    ref = mark.nextElementSibling;
    while (ref && !ref.matches('a.claim-ref')) ref = ref.nextElementSibling;
    if (ref) ref.click();
  }
  await new Promise(r => setTimeout(r, 700));
  const seen = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; };
  const inNote = holder && holder.classList.contains('note') && seen(holder)
    ? [...holder.querySelectorAll('.note-events a')].some(seen) : false;
  const aside = events.map(e => document.querySelector('.timeline-aside #event-' + e)).filter(Boolean).some(seen);
  const result = {note: !!holder && seen(holder), event: aside || inNote};
  if (ref) document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));
  return result;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> str:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def measure(site: Path, chromium: str) -> list[dict]:
    base = serve(site)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--headless"])
        for path in sorted(site.glob("articles/*.html")):
            rel = path.relative_to(site).as_posix()
            row = {"article": path.stem}
            for size, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport, reduced_motion="reduce")
                page.goto(base + rel)
                height = page.evaluate("document.documentElement.scrollHeight")
                text = page.evaluate("document.querySelector('.article-body').getBoundingClientRect().height")
                ids = page.evaluate("[...document.querySelectorAll('.article-body mark.claim')].map(m => m.id.slice(6))")
                hits = [page.evaluate(HITS, [i, size == "390"]) for i in ids]
                hits = [h for h in hits if h is not None]
                first = page.evaluate("""() => { const l = document.querySelector('.problem-list');
                    return l ? l.getBoundingClientRect().bottom <= innerHeight : null; }""")
                row[size] = {
                    "height": height,
                    "text": round(text),
                    "ratio": round(height / text, 1),
                    "events_in_view": sum(h["event"] for h in hits),
                    "claims_with_events": len(hits),
                    "problems_on_first_screen": first,
                }
                page.close()
            page = browser.new_page()
            page.goto(base + rel)
            row["print_pages"] = pdf_pages(page.pdf(format="A4"))
            page.close()
            rows.append(row)
        browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    out = io.StringIO()
    out.write(
        "| article | width | height px | text px | ratio | claims with an event in view | problems on 1st screen | print pages |\n"
    )
    out.write("|---|---|---|---|---|---|---|---|\n")
    for row in measure(args.site, args.chromium):
        for size in SIZES:
            m = row[size]
            out.write(
                f"| {row['article']} | {size} | {m['height']:,} | {m['text']:,} | {m['ratio']}× | "
                f"{m['events_in_view']} of {m['claims_with_events']} | {m['problems_on_first_screen']} | "
                f"{row['print_pages'] if size == '1280' else ''} |\n"
            )
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
