"""``content/verdicts.yaml``: the rating scale, best-supported first."""

from __future__ import annotations

from ..model import Verdict
from .context import Context

PATH = "content/verdicts.yaml"


def read(ctx: Context) -> dict[str, Verdict]:
    doc, bad = ctx.load(PATH, "verdicts")
    out: dict[str, Verdict] = {}
    for _, v in ctx.items(doc, bad, "verdicts", "verdict", title=""):
        out.setdefault(
            v["id"],
            Verdict(id=v["id"], label=v["label"], meaning=v["meaning"], rating=v["rating"], colour=v["colour"], tier=v["tier"]),
        )
    return out
