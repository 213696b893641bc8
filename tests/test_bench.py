"""The benchmark's project generator (bench/generate.py) writes a project that passes check, every quote anchored."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.generate import generate

ROOT = Path(__file__).resolve().parents[1]


def _body(article: Path) -> str:
    return article.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_a_generated_project_passes_check_with_every_claim_anchored(tmp_path):
    generate(12, tmp_path)
    articles = sorted((tmp_path / "content/articles").glob("*.md"))
    assert len(articles) == 12
    assert len(list((tmp_path / "content/annotations").glob("*.yaml"))) == 12
    assert len(list((tmp_path / "seeds").glob("*.txt"))) == 12

    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-C", str(tmp_path), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    counts = re.search(r"OK: 12 articles.*?, (\d+) claims \((\d+) anchored\)", done.stdout)
    assert counts, done.stdout
    assert counts.group(1) == counts.group(2)
    assert int(counts.group(1)) > 12  # every article has claims

    # Articles 0 and 5 are variants of the same real article, yet their texts differ; no two articles share one.
    bodies = {int(a.stem.rsplit("-", 1)[1]): _body(a) for a in articles}
    assert sorted(bodies) == list(range(12))
    assert bodies[0] != bodies[5]
    assert len(set(bodies.values())) == len(bodies)

    # Claim ids are unique across the project and follow the cNNN-MM scheme.
    ids = re.findall(r"^\s*- id: (\S+)", "".join(p.read_text() for p in (tmp_path / "content/annotations").glob("*")), re.M)
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"c\d{3,}-\d{2}", i) for i in ids)
