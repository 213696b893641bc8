"""Offline check that every internal link and #fragment of a built site resolves (stdlib only).

    python tools/linkcheck.py site/

External links (the sources) are not fetched; root-absolute links are errors, because the
site must work from any folder and from file://.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None and tag in ("a", "link", "script", "img", "area", "iframe", "source"):
                self.links.append((a[key], self.getpos()[0]))


def check(root: Path) -> list[str]:
    """Every broken internal link, as ``page:line: message``."""
    root = root.resolve()
    pages = {p: _parse(p) for p in sorted(root.rglob("*.html"))}
    errors = []
    for page, parsed in pages.items():
        rel = page.relative_to(root).as_posix()
        for url, line in parsed.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # outbound: checked for scheme at build time, never fetched
            if parts.path.startswith("/"):
                errors.append(f"{rel}:{line}: root-absolute link {url!r} breaks under a sub-path and file://")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if root not in target.parents and target != root:
                errors.append(f"{rel}:{line}: {url!r} leaves the site")
            elif not target.is_file():
                errors.append(f"{rel}:{line}: broken link {url!r}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    errors.append(f"{rel}:{line}: no #{parts.fragment} in {target.relative_to(root).as_posix()}")
    return errors


def _parse(path: Path) -> _Collect:
    parser = _Collect()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


if __name__ == "__main__":
    found = check(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))
    print("\n".join(found) or "all internal links resolve")
    sys.exit(1 if found else 0)
