"""Results of pure computations kept between rebuilds: in memory (``Memo``), or on disk too (``DiskMemo``).

A stage asks ``memo.get(key, compute)``; the key holds everything the result
depends on (file texts, seed hashes), so a stale entry can never be returned,
only a missing one recomputed. After each rebuild ``prune`` drops the entries
that rebuild did not use, so the cache follows the project, not its history.

``Memo`` is the live preview's: a dictionary. ``DiskMemo`` is the build's: the
same, backed by one file per entry in ``.factsite/cache/objects/``, named by a
digest of the key together with the cache format and the code version (the
package's own files and the versions of the libraries it uses), so that a code
change can never reuse a result the old code computed. Every entry is written
to a temporary file and renamed into place (a build killed mid-write leaves no
half entry under a real name) and carries a MAC of its name and contents, so an
entry that is truncated, corrupted, renamed or written by anyone else (a cache
committed to a repository) is recomputed, never used; entries are read back with
an unpickler that can make only the package's own data classes and plain
containers, so even a forged entry cannot run code. Writing the cache is best
effort: a cache that cannot be written (a read-only project) only makes the
build slower.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import importlib.metadata
import io
import os
import pickle
import re
import secrets
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1
"""Bump when the layout of the cache or of its entries changes."""
CACHE_DIR = ".factsite/cache"
"""The build's cache, relative to the project root (``.factsite/`` is not committed)."""
OBJECTS = "objects"
_MAGIC = b"factsite-cache 1\n"
_MAC_BYTES = 32
_TEMP = re.compile(r"\.tmp-.*")
_STALE_TEMP_SECONDS = 600
"""A temporary file older than this is left over from a killed build; younger ones may be another build's."""


class _Missing:
    pass


_MISSING = _Missing()


class Memo:
    """A dictionary of computed results, keyed by their inputs."""

    def __init__(self) -> None:
        # key → [result, the rebuild that last asked for it]: a key (a tuple of file texts and data classes, whose
        # hash is not kept) is hashed once a lookup, and prune hashes only those it drops.
        self._entries: dict[Hashable, list] = {}
        self._generation = 0
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for ``key``, computed once."""
        value = self._held(key)
        if value is not _MISSING:
            return value
        self.misses += 1
        value = compute()
        self._entries[key] = [value, self._generation]
        return value

    def _held(self, key: Hashable) -> Any:
        """The result held in memory for ``key`` (counted as used by this rebuild, and as a hit), or ``_MISSING``."""
        cell = self._entries.get(key)
        if cell is None:
            return _MISSING
        cell[1] = self._generation
        self.hits += 1
        return cell[0]

    def _remember(self, key: Hashable, value: Any) -> None:
        self._entries[key] = [value, self._generation]

    def prune(self) -> None:
        """Forget what the last rebuild did not ask for."""
        for key in [k for k, cell in self._entries.items() if cell[1] != self._generation]:
            del self._entries[key]
        self._generation += 1
        self.hits = self.misses = 0

    @contextlib.contextmanager
    def recording(self) -> Iterator[list]:
        """Collect the keys asked for inside the ``with`` block (see ``DiskMemo.keep``)."""
        yield []

    def keep(self, names: Iterable[str]) -> None:
        """Count entries as used without asking for them (``DiskMemo``: a result this build reused whole)."""


# -- the code version --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of everything besides the project that a result may depend on: the cache format, the Python
    version, every file of the ``factsite`` package (code and schemas) and the versions of the libraries it
    requires (jinja2, markdown-it-py, pagefind, ...)."""
    digest = hashlib.sha256(f"factsite-cache {CACHE_FORMAT}\npython {sys.version_info[:2]}\n".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json"):
            digest.update(f"{path.relative_to(package).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, version in _library_versions():
        digest.update(f"{name}=={version}\n".encode())
    return digest.hexdigest()


def _library_versions() -> list[tuple[str, str]]:
    try:
        required = importlib.metadata.requires("factsite") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
        required = []
    names = sorted({re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in required if "extra ==" not in r})
    found = []
    for name in names:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, "-"))
    return found


def key_digest(key: Any, version: str | None = None) -> str | None:
    """A digest of ``key`` that is the same in every process (None if it cannot be made: then it is not kept).

    The key is pickled without pickle's memo, so the bytes depend only on its values, never on which of
    them happen to be one object; keys hold no sets, whose order would change from one process to the next
    (a key that did would only be missed, never mistaken)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(key)
    except Exception:  # noqa: BLE001 - an unpicklable key is simply not kept on disk
        return None
    digest = hashlib.sha256((version or code_version()).encode())
    digest.update(buffer.getbuffer())
    return digest.hexdigest()


# -- entries on disk -------------------------------------------------------------------------------------

_SAFE_BUILTINS = {("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"), ("builtins", "complex")}


class _DataUnpickler(pickle.Unpickler):
    """Makes only plain data: the package's own dataclasses and the built-in containers."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if module == "factsite" or module.startswith("factsite."):
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"the cache may not hold {module}.{name}")


def _loads(data: bytes) -> Any:
    return _DataUnpickler(io.BytesIO(data)).load()


class DiskMemo(Memo):
    """A ``Memo`` whose entries are also kept in ``folder`` (``.factsite/cache``), from one build to the next.

    ``hits`` counts entries found (in memory or on disk), ``loaded`` those read from disk, ``misses`` those
    computed; ``stored`` those written.
    """

    def __init__(self, folder: Path, *, version: str | None = None, remember: bool = True) -> None:
        super().__init__()
        self.remember = remember
        """Whether results are also kept in memory (a build that runs once asks for each only once: it need not)."""
        self.folder = Path(folder)
        self.objects = self.folder / OBJECTS
        self.version = version or code_version()
        self._key: bytes | None = None
        self._recorders: list[list[str]] = []
        self._used: set[str] = set()  # the names of the entries this build asked for (or keeps)
        self.loaded = self.stored = 0

    # The interface of Memo.

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        name = key_digest(key, self.version)
        if name is None:  # not kept on disk: remembered in memory, as by Memo
            return super().get(key, compute)
        self._used.add(name)
        for recorder in self._recorders:
            recorder.append(name)
        value = self._held(name)
        if value is not _MISSING:
            return value
        value = self._load(name)
        if value is _MISSING:
            self.misses += 1
            value = compute()
            self._store(name, value)
        else:
            self.hits += 1
            self.loaded += 1
        if self.remember:
            self._remember(name, value)
        return value

    def prune(self) -> None:
        """Forget, in memory and on disk, the entries the last build did not ask for (nor ``keep``)."""
        used, self._used = self._used, set()
        super().prune()
        clean_temporaries(self.folder)
        with contextlib.suppress(OSError):
            for shard in os.scandir(self.objects):
                if shard.is_dir(follow_symlinks=False):
                    clean_temporaries(Path(shard.path))
                    for entry in os.scandir(shard.path):
                        if entry.name not in used and not _TEMP.fullmatch(entry.name):
                            _unlink(entry.path)
        self.loaded = self.stored = 0

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[str]]:
        found: list[str] = []
        self._recorders.append(found)
        try:
            yield found
        finally:
            self._recorders.remove(found)

    def keep(self, names: Iterable[str]) -> None:
        """Count the entries named (as ``recording`` gave them) as used, so ``prune`` keeps them."""
        self._used.update(names)

    # Entries.

    def _path(self, name: str) -> Path:
        return self.objects / name[:2] / name

    def _mac(self, name: str, payload: bytes | memoryview) -> bytes:
        mac = hmac.new(self.secret(), name.encode(), hashlib.sha256)
        mac.update(payload)
        return mac.digest()

    def _load(self, name: str) -> Any:
        try:
            data = self._path(name).read_bytes()
        except OSError:
            return _MISSING
        head = len(_MAGIC) + _MAC_BYTES
        if len(data) < head or not data.startswith(_MAGIC):
            return _MISSING
        payload = memoryview(data)[head:]
        if not hmac.compare_digest(data[len(_MAGIC) : head], self._mac(name, payload)):
            return _MISSING
        try:
            return _loads(payload)
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is recomputed
            return _MISSING

    def _store(self, name: str, value: Any) -> None:
        try:
            payload = pickle.dumps(value, protocol=5)
            _loads(payload)  # an entry that could not be read back is not written
        except Exception:  # noqa: BLE001 - a value the cache cannot hold is simply not kept
            return
        path = self._path(name)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, _MAGIC + self._mac(name, payload) + payload)
            self.stored += 1

    def secret(self) -> bytes:
        """The key the entries' MACs are made with: a random key kept in the cache folder, bound to that file's
        inode, so that a cache copied in from elsewhere (committed to a repository, say) is not trusted."""
        if self._key is None:
            self._key = _secret(self.folder / "key")
        return self._key


class SharedMemo(Memo):
    """The preview's memo: a ``Memo`` (entries in memory, looked up by their key) that takes an entry it does
    not hold from the build's cache folder, as a ``DiskMemo`` would, before computing it, and stores what it
    computes there. So a preview started after a build parses nothing the build parsed, and the build after a
    preview nothing the preview parsed. ``prune`` forgets in memory only: the build prunes the folder."""

    def __init__(self, folder: Path, *, version: str | None = None) -> None:
        super().__init__()
        self.disk = DiskMemo(folder, version=version, remember=False)
        self.loaded = self.stored = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        value = self._held(key)
        if value is not _MISSING:
            return value
        name = key_digest(key, self.disk.version)
        value = _MISSING if name is None else self.disk._load(name)
        if value is _MISSING:
            self.misses += 1
            value = compute()
            if name is not None:
                stored = self.disk.stored
                self.disk._store(name, value)
                self.stored += self.disk.stored - stored
        else:
            self.hits += 1
            self.loaded += 1
        self._remember(key, value)
        return value

    def prune(self) -> None:
        super().prune()
        self.loaded = self.stored = 0


def _secret(path: Path) -> bytes:
    for _ in range(2):
        try:
            with open(path, "rb") as file:
                stored = file.read(64)
                inode = os.fstat(file.fileno()).st_ino
            if len(stored) == 32:
                return hashlib.sha256(stored + str(inode).encode()).digest()
        except OSError:
            pass
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}")
            with open(temporary, "xb") as file:
                file.write(secrets.token_bytes(32))
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)  # only if there is none yet: another build's key wins
            except FileExistsError:
                if len(path.read_bytes()) != 32:
                    os.replace(temporary, path)  # a truncated key (a killed build) is replaced
            finally:
                _unlink(temporary)
    return secrets.token_bytes(32)  # no key can be kept: entries written now will not be trusted later


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, then renamed over it."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{path.name}")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        _unlink(temporary)
        raise


def clean_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed build left in ``folder`` (not those another build may be writing)."""
    with contextlib.suppress(OSError):
        now = time.time()
        for entry in os.scandir(folder):
            if _TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > _STALE_TEMP_SECONDS:
                        _unlink(entry.path)


def _unlink(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
