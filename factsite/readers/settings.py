"""``content/site.yaml``: the site's title, publisher, contact, address and language."""

from __future__ import annotations

from ..model import Settings
from .context import Context

PATH = "content/site.yaml"
NONE = Settings(title="", tagline="", publisher="", publisher_url="", contact="", base_url="", lang="en")


def read(ctx: Context) -> Settings:
    doc, bad = ctx.load(PATH, "site")
    if bad:
        return NONE
    d = doc.data
    return Settings(
        title=d["title"],
        tagline=d.get("tagline", ""),
        publisher=d["publisher"]["name"],
        publisher_url=d["publisher"].get("url", ""),
        contact=d["contact"],
        base_url=d["base_url"],
        lang=d["lang"],
    )
