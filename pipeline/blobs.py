"""Content-addressed files an exporter keeps beside the build state, so that its entries can
name large bytes (a card's prepared picture) instead of carrying them.

An entry travels from a worker to the parent, is kept in the state database between runs and
is read back whole each time its aggregate is built; a photo in it would be carried through
all of that, and held in memory with every other entry while the aggregate is built. Named
by its SHA-256 instead, the photo is written once, where it is made, and read once, where it
is used. A blob is checked against its name when it is read: a damaged or foreign file is
never used, and whoever asked makes the bytes again (see :meth:`BlobStore.get`).

A store lives in ``<state>/cache/<exporter>/`` (see :func:`pipeline.state.cache_folder`),
outside the published folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Collection
from pathlib import Path

_SUFFIX = ".blob"


def blob_key(data: bytes) -> str:
    """The name ``data`` is kept under: its SHA-256, in hex."""
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Bytes kept in a folder, each in a file named by its hash. Worker processes may put the
    same blob at the same time: each writes a temp file of its own and renames it into
    place, so a reader sees a whole file or none."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made = False

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a blob key: {key!r}")
        return self.folder / (key + _SUFFIX)

    def put(self, data: bytes, key: str | None = None) -> str:
        """Keep ``data`` (whose :func:`blob_key` is ``key``, when the caller has it); its key.
        A blob already kept with the right size is left as it is. A store that cannot be
        written (a full or read-only disk) keeps nothing, and says nothing: a blob is only
        ever a copy, and whoever reads it makes the bytes again when it is missing."""
        key = key or blob_key(data)
        path = self._path(key)
        with contextlib.suppress(OSError):
            if path.stat().st_size == len(data):
                return key
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            temp.write_bytes(data)
            temp.replace(path)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()
        return key

    def get(self, key: str) -> bytes | None:
        """The bytes kept under ``key``; None when there are none, or when the file does not
        hold the bytes its name says (it is then removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if blob_key(data) != key:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return data

    def prune(self, keep: Collection[str]) -> int:
        """Remove every blob but those in ``keep``, and temp files left by killed writers; how
        many files went."""
        removed = 0
        try:
            files = list(self.folder.iterdir())
        except OSError:
            return 0
        for file in files:
            name = file.name
            if (
                name.endswith(_SUFFIX)
                and not name.startswith(".")
                and name[: -len(_SUFFIX)] in keep
            ):
                continue
            with contextlib.suppress(OSError):
                file.unlink()
                removed += 1
        return removed
