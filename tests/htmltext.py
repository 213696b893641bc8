"""Read back the article text a page shows, leaving out what the site adds (claim numbers, labels)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _ArticleText(HTMLParser):
    """Collects the text inside ``.article-body`` and the page's ``h1``, skipping ``[data-annotation]`` elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in body, skipped)
        self.body: list[str] = []
        self.h1: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        in_body, skipped = self.stack[-1][1:] if self.stack else (False, False)
        in_body = in_body or "article-body" in (attrs.get("class") or "").split()
        skipped = skipped or "data-annotation" in attrs
        self.stack.append((tag, in_body, skipped))
        if in_body and tag in ("p", "h2", "h3", "h4", "div") and not skipped:
            self.body.append("\n")

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        tags = [t for t, _, _ in self.stack]
        in_body, skipped = self.stack[-1][1:] if self.stack else (False, False)
        if skipped:
            return
        if in_body:
            self.body.append(data)
        elif "h1" in tags:
            self.h1.append(data)


def article_text(html: str) -> tuple[str, str]:
    """(h1 text, article body text) of an article page, whitespace collapsed."""
    parser = _ArticleText()
    parser.feed(html)
    return " ".join("".join(parser.h1).split()), " ".join("".join(parser.body).split())
