"""(to be written)"""

from __future__ import annotations

from ..model import Site
from .spec import Inputs, Kind, PageSpec


def plan(site: Site, inputs: Inputs) -> list[PageSpec]:
    return []


KINDS: dict[str, Kind] = {}
