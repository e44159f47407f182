"""The files besides a seed that its outputs are made from (its local pictures), and the one
hash of all of them that every cache of the seed's outputs is keyed by.

Kept apart from :mod:`pipeline.pictures`, which reads the files: a run with nothing to
parse checks these without loading the model or Pillow.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file besides the seed that its outputs are made from, as the parse found it: its
    path as shown, size and mtime (``-1`` when it is missing) and content hash (``""`` when
    it was not read)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str = ""

    def unchanged(self) -> bool:
        """True when the file still has the size and mtime recorded (or is still missing)."""
        try:
            stat = os.stat(self.path)  # noqa: PTH116 (a plain string, as the state keeps it)
        except OSError:
            return self.size == -1
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


def input_key(sha256: str, inputs: Iterable[InputFile]) -> str:
    """What a seed's outputs are made from, as one hash: the seed's own SHA-256 when it has
    no other inputs, else a hash of it and of each input's path and content."""
    files = list(inputs)
    if not files:
        return sha256
    hasher = hashlib.sha256(sha256.encode())
    for file in files:
        hasher.update(f"\n{file.path}\0{file.sha256 or file.size}".encode())
    return hasher.hexdigest()


def all_unchanged(inputs: Iterable[InputFile]) -> bool:
    """True when every input still has the size and mtime recorded."""
    return all(file.unchanged() for file in inputs)
