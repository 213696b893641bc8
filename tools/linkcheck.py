"""Offline check that every internal link and #fragment of a built site resolves (stdlib only).

    python tools/linkcheck.py site/

External links (the sources) are not fetched; root-absolute links are errors, because the
site must work from any folder and from file://. The one exception is the site's 404.html,
which a host serves at whatever address was not found, so that its links can only be
root-absolute: there they must start with the site's own path (that of index.html's
canonical address, e.g. /r2-fact-check/) and resolve in the folder like any other.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ANY_ADDRESS = "404.html"  # served at any address that was not found: its links are root-absolute


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        for key in ("href", "src"):
            if a.get(key) is not None and tag in ("a", "link", "script", "img", "area", "iframe", "source"):
                self.links.append((a[key], self.getpos()[0]))


def check(root: Path) -> list[str]:
    """Every broken internal link, as ``page:line: message``."""
    root = root.resolve()
    pages = {p: _parse(p) for p in sorted(root.rglob("*.html"))}
    base = site_path(root)
    errors = []
    for page, parsed in pages.items():
        rel = page.relative_to(root).as_posix()
        for url, line in parsed.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # outbound: checked for scheme at build time, never fetched
            if parts.path.startswith("/"):
                if rel != ANY_ADDRESS:
                    errors.append(f"{rel}:{line}: root-absolute link {url!r} breaks under a sub-path and file://")
                    continue
                if base is None or not parts.path.startswith(base):
                    errors.append(f"{rel}:{line}: {url!r} is outside the site's path {base!r} (index.html's canonical address)")
                    continue
                target = (root / unquote(parts.path[len(base) :])).resolve()
            else:
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


def site_path(root: Path) -> str | None:
    """The path the site is published under, ending in ``/``, from index.html's canonical address (None without)."""
    index = root / "index.html"
    canonical = _parse(index).canonical if index.is_file() else None
    if not canonical:
        return None
    path = urlsplit(canonical).path or "/"
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def _parse(path: Path) -> _Collect:
    parser = _Collect()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


if __name__ == "__main__":
    found = check(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))
    print("\n".join(found) or "all internal links resolve")
    sys.exit(1 if found else 0)
