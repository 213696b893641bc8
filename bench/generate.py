#!/usr/bin/env python3
"""Write a synthetic project of N articles in the real content model, for the archive-scale benchmark.

    .venv/bin/python bench/generate.py N DIR [--source PROJECT]

DIR gets the repository's content/site.yaml, verdicts.yaml, sources.yaml, timeline.yaml,
facts.yaml, content/pages/ and templates/ (with templates/static/) as they are, and N
articles: article i is a variant of real article k = i % 5 (the real articles taken in
the order of their claim ids, c000 to c004), with

* its own slug, ``<original slug>-<i>``, and its own claims file;
* its own seed, ``seeds/<i>_<16 hex>.txt``: the real seed plus one closing paragraph that
  names the variant (so no two articles' texts are equal), with its sha256 in the front
  matter and the article's text still equal to it word for word;
* its own claim ids, ``c<i>-MM`` (i zero-padded to at least 3 digits, as the importer
  numbers claims after their seed); any other claim id the file mentions is remapped too;
* a varied title (``… (i)``; for an article whose text opens with the headline, the
  headline in the text and the seed too), a varied date when the original's is a full
  day (shifted by 0 to 4 days, the seed's date marker with it), and one closing sentence in
  every claim's explanation, ``Archive variant i, claim MM.`` (run.py's one-word edit
  changes ``variant`` there).

Every quote still anchors, and every source, event, verdict and fact reference is left as it
is (they are shared), so ``build.py -C DIR check`` passes. Fast: only string replacements on
texts prepared once per real article.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import re
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_FILES = ("site.yaml", "verdicts.yaml", "sources.yaml", "timeline.yaml", "facts.yaml")
CLAIM_ID = re.compile(r"\bc(\d{3})-(\d{2})\b")
SEED_DATE = re.compile(r"^(\s*date )(\d{4}-\d{2}-\d{2})(\s)")
CLOSING = {
    "it": "Copia d’archivio numero {i} del banco di prova, variante dell’articolo {k}.",
    "es": "Copia de archivo número {i} del banco de pruebas, variante del artículo {k}.",
}
EXPLANATION_MARK = "Archive variant {i}, claim {mm}."


@dataclass(frozen=True)
class Original:
    """One real article, prepared once: its texts, with the parts each variant changes found."""

    index: int
    slug: str
    lang: str
    article: str  # the article file (front matter and body)
    seed: str  # the seed's text (seeds are UTF-8)
    seed_name: str
    sha256: str
    title: str
    published: datetime.date | None  # a full-day date, or None (left as it is)
    headline: bool  # the text opens with '# <title>' (then the seed's first line is the title too)
    annotations: str  # the claims file, with EXPLANATION_MARK placeholders after each explanation
    number: int  # the claim-id number of its claims (c<number>-MM)


def _front_value(article: str, key: str) -> str:
    match = re.search(rf"^{key}: *(.*)$", article, re.MULTILINE)
    if not match:
        raise ValueError(f"no '{key}:' in front matter")
    return match.group(1).strip()


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _mark_explanations(annotations: str) -> str:
    """Add ``\\n<indent>@@MARK-<MM>@@`` as the last line of every ``explanation: |`` block scalar."""
    lines = annotations.split("\n")
    out: list[str] = []
    i = 0
    claim_mm = "00"
    while i < len(lines):
        line = lines[i]
        found = re.match(r"^\s*-\s+id:\s*\"?c\d+-(\d+)", line)
        if found:
            claim_mm = found.group(1)
        out.append(line)
        i += 1
        match = re.match(r"^(\s*)explanation: \|\s*$", line)
        if not match:
            continue
        key_indent = len(match.group(1))
        block_indent = None
        last = len(out) - 1
        while i < len(lines):
            current = lines[i]
            stripped = current.strip()
            indent = len(current) - len(current.lstrip(" "))
            if stripped and indent <= key_indent:
                break
            if stripped and block_indent is None:
                block_indent = indent
            out.append(current)
            i += 1
            if stripped:
                last = len(out) - 1
        if block_indent is None:
            raise ValueError("an empty explanation block")
        out.insert(last + 1, " " * block_indent + f"@@MARK-{claim_mm}@@")
    return "\n".join(out)


def _originals(source: Path) -> list[Original]:
    originals = []
    for path in sorted((source / "content/articles").glob("*.md")):
        article = path.read_text(encoding="utf-8")
        seed_name = _front_value(article, "  file")
        seed_bytes = (source / "seeds" / seed_name).read_bytes()
        published = _front_value(article, "published")
        day = datetime.date.fromisoformat(published) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published) else None
        title = _unquote(_front_value(article, "title"))
        body = article.split("\n---\n", 1)[1]
        annotations = (source / "content/annotations" / f"{path.stem}.yaml").read_text(encoding="utf-8")
        numbers = {int(m.group(1)) for m in re.finditer(r"^\s*-\s+id:\s*\"?c(\d+)-\d+", annotations, re.MULTILINE)}
        if len(numbers) != 1:
            raise ValueError(f"{path.name}: its claims use {len(numbers)} id numbers, expected one")
        originals.append(
            Original(
                index=0,
                slug=path.stem,
                lang=_front_value(article, "lang"),
                article=article,
                seed=seed_bytes.decode("utf-8"),
                seed_name=seed_name,
                sha256=hashlib.sha256(seed_bytes).hexdigest(),
                title=title,
                published=day,
                headline=body.lstrip("\n").startswith("# "),
                annotations=_mark_explanations(annotations),
                number=numbers.pop(),
            )
        )
    if not originals:
        raise ValueError(f"no articles in {source / 'content/articles'}")
    # In the order of their claim numbers (the seeds' numbers): variant i of c00k is article i with i % 5 == k.
    originals.sort(key=lambda o: o.number)
    return [replace(o, index=index) for index, o in enumerate(originals)]


def _title_line(title: str) -> str:
    return 'title: "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _variant(o: Original, i: int, width: int, by_number: dict[int, int], n: int) -> tuple[str, str, str, str, str]:
    """(slug, article text, seed name, seed text, claims text) of article i, a variant of ``o``."""
    slug = f"{o.slug}-{i}"
    number = f"{i:0{width}d}"
    title = f"{o.title} ({i})"
    closing = CLOSING.get(o.lang, CLOSING["it"]).format(i=i, k=o.index)

    seed = o.seed
    if o.headline:  # the seed's first line is the headline, which is the title
        first, sep, rest = seed.partition("\n")
        if first.strip() != o.title:
            raise ValueError(f"{o.slug}: the seed's first line is not the title")
        seed = f"{title}{sep}{rest}"
    date = o.published + datetime.timedelta(days=(i // 5) % 5) if o.published else None
    if date:
        seed = SEED_DATE.sub(lambda m: m.group(1) + date.isoformat() + m.group(3), seed, count=1)
    seed = seed.rstrip("\n") + "\n\n" + closing + "\n"
    seed_bytes = seed.encode("utf-8")
    seed_name = f"{number}_{hashlib.sha256(seed_bytes).hexdigest()[:16]}.txt"

    article = o.article.replace(f"slug: {o.slug}\n", f"slug: {slug}\n", 1)
    article = re.sub(r"^title: .*$", lambda _: _title_line(title), article, count=1, flags=re.MULTILINE)
    article = article.replace(f"  file: {o.seed_name}\n", f"  file: {seed_name}\n", 1)
    article = article.replace(f"  sha256: {o.sha256}\n", f"  sha256: {hashlib.sha256(seed_bytes).hexdigest()}\n", 1)
    if date:
        article = article.replace(f"published: {o.published.isoformat()}\n", f"published: {date.isoformat()}\n", 1)
    if o.headline:
        article = article.replace(f"\n# {o.title}\n", f"\n# {title}\n", 1)
    article = article.rstrip("\n") + "\n\n" + closing + "\n"
    for expected in (f"slug: {slug}\n", f"  file: {seed_name}\n", f"  sha256: {hashlib.sha256(seed_bytes).hexdigest()}\n"):
        if expected not in article:  # the real article's front matter is written in a way this script does not know
            raise ValueError(f"content/articles/{o.slug}.md: could not write {expected.strip()!r} into its variant")

    def claim_id(match: re.Match) -> str:
        k = by_number.get(int(match.group(1)))
        if k is None:
            return match.group(0)
        j = i - o.index + k  # a claim of another real article: that article's variant in this group of five
        if not 0 <= j < n:
            j = k
        return f"c{j:0{width}d}-{match.group(2)}"

    claims = CLAIM_ID.sub(claim_id, o.annotations)
    claims = claims.replace(f"content/articles/{o.slug}.md", f"content/articles/{slug}.md")
    claims = re.sub(r"@@MARK-(\d+)@@", lambda m: EXPLANATION_MARK.format(i=i, mm=m.group(1)), claims)
    return slug, article, seed_name, seed, claims


def generate(n: int, out: Path, source: Path = ROOT) -> None:
    """Write a project of ``n`` articles into ``out`` (created; an existing content/, seeds/ or templates/ is replaced).

    ``source`` is the project whose content, seeds and templates are copied and varied (this repository's by default;
    run.py passes the checkout whose build.py it measures, so that its templates match its code).
    """
    source = Path(source)
    if n < 1:
        raise ValueError("n must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("content", "seeds", "templates"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    articles, annotations, seeds = out / "content/articles", out / "content/annotations", out / "seeds"
    for folder in (articles, annotations, seeds):
        folder.mkdir(parents=True)
    for name in SHARED_FILES:
        if (source / "content" / name).exists():
            shutil.copy2(source / "content" / name, out / "content" / name)
    shutil.copytree(source / "content/pages", out / "content/pages")
    shutil.copytree(source / "templates", out / "templates")

    originals = _originals(source)
    by_number = {o.number: o.index for o in originals}
    width = max(3, len(str(n - 1)))
    for i in range(n):
        o = originals[i % len(originals)]
        slug, article, seed_name, seed, claims = _variant(o, i, width, by_number, n)
        (articles / f"{slug}.md").write_text(article, encoding="utf-8")
        (annotations / f"{slug}.yaml").write_text(claims, encoding="utf-8")
        (seeds / seed_name).write_bytes(seed.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("dir", type=Path, help="project folder to write (created)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the project to vary (default: this repository)")
    args = parser.parse_args(argv)
    generate(args.n, args.dir, args.source)
    print(f"Wrote {args.n} articles to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
