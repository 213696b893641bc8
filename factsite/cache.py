"""Results of pure computations kept between rebuilds (the live preview's memory).

A stage asks ``memo.get(key, compute)``; the key holds everything the result
depends on (file texts, seed hashes), so a stale entry can never be returned,
only a missing one recomputed. After each rebuild ``prune`` drops the entries
that rebuild did not use, so memory follows the project, not its history.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """A dictionary of computed results, keyed by their inputs."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, Any] = {}
        self._used: set[Hashable] = set()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for ``key``, computed once."""
        self._used.add(key)
        if key in self._entries:
            self.hits += 1
            return self._entries[key]
        self.misses += 1
        value = self._entries[key] = compute()
        return value

    def prune(self) -> None:
        """Forget what the last rebuild did not ask for."""
        self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        self._used = set()
        self.hits = self.misses = 0
