"""The one way anything is written to the output folder: atomically, and only inside it."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from pipeline.diagnostics import PipelineError
from pipeline.path_templates import path_matcher

TEMP_SUFFIX = ".pipeline-tmp"


class OutputError(PipelineError):
    """An output cannot be written (outside the folder, twice in one run, by two owners, not
    among its owner's declared outputs, or an OS error)."""


_NO_OWNER = ""
"""The owner of what the run's first writer writes itself, not through a sibling."""


class OutputWriter:
    """Writes files under ``root``: each to a temp file beside its target, then renamed over it,
    so a reader (or a crash) only ever sees the old complete file or the new complete file.

    A file whose content is unchanged is not rewritten, so its mtime says when it last changed.
    ``existing``, when given, is every file (relative path) the folder held when the run
    started: a file not among them is written without first being read back.

    Each writer made by :meth:`sibling` for an owner (an exporter's name) shares one map of
    every path claimed this run to its owner: a path is written once, by one owner. ``declared``
    holds the output templates (see :mod:`pipeline.path_templates`) each owner declared; a
    writer for an owner that declared some writes only paths that match one of them.
    """

    def __init__(
        self,
        root: Path,
        *,
        existing: Collection[str] | None = None,
        declared: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.owner: str | None = None
        self._owner = _NO_OWNER
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self._claimed: dict[str, str] = {}
        self._existing = existing
        # Compiled once per run, one regular expression per owner: every write is tested.
        self._matchers = {
            owner: path_matcher(tuple(templates))
            for owner, templates in (declared or {}).items()
            if templates
        }
        self._templates = {owner: tuple(t) for owner, t in (declared or {}).items()}
        self._match: Callable[[str], re.Match[str] | None] | None = None
        # Plain strings, not Path objects: an export writes tens of thousands of small files,
        # and path objects were a third of the time the writer took.
        self._root = str(self.root)
        self._folders: set[str] = set()
        self._inside: set[str] = set()

    def sibling(self, owner: str) -> OutputWriter:
        """A new writer for ``owner`` (an exporter's name) into the same folder, with its own
        lists of what it wrote, that shares what this one learned of the folders (resolving a
        path is most of a small write) and this run's map of claimed paths. It writes only what
        the owner declared (anything, when it declared nothing)."""
        writer = OutputWriter.__new__(OutputWriter)
        writer.root = self.root
        writer.owner = owner
        writer._owner = owner
        writer.written = []
        writer.unchanged = []
        writer._claimed = self._claimed
        writer._existing = self._existing
        writer._matchers = self._matchers
        writer._templates = self._templates
        writer._match = self._matchers.get(owner)
        writer._root = self._root
        writer._folders = self._folders
        writer._inside = self._inside
        return writer

    def record_claims(self, owner: str, relpaths: Iterable[str]) -> list[OutputError]:
        """Enter into this run's map the paths a writer in another process wrote for
        ``owner``: the error each would have raised here (written by another owner, or
        twice), and nothing written. The paths without an error are entered."""
        problems = []
        for relpath in relpaths:
            held = self._claimed.get(relpath)
            if held is None:
                self._claimed[relpath] = owner
            else:
                problems.append(_claimed_twice(relpath, held, owner))
        return problems

    def claimed(self) -> Collection[str]:
        """Every path claimed in this run, by this writer and its siblings."""
        return self._claimed.keys()

    def target(self, relpath: str) -> Path:
        """The absolute path for ``relpath``; refuses anything that would leave the folder."""
        return Path(self._path(relpath))

    def _path(self, relpath: str) -> str:
        parts = relpath.split("/")
        if any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
            raise OutputError(
                f"refusing to write '{relpath}': not a plain path inside the output folder"
            )
        path = os.path.join(self._root, *parts)
        # The file itself is replaced, never followed; only its folder can lead elsewhere.
        folder = os.path.dirname(path)
        if folder not in self._inside:
            if not Path(folder).resolve().is_relative_to(self.root):
                raise OutputError(
                    f"refusing to write '{relpath}': it leads outside the output folder"
                )
            self._inside.add(folder)
        return path

    def _claim(self, relpath: str) -> str:
        owner = self._owner
        held = self._claimed.get(relpath)
        if held is not None:
            raise _claimed_twice(relpath, held, owner)
        if self._match is not None and self._match(relpath) is None:
            declared = ", ".join(self._templates[owner])
            raise OutputError(
                f"'{owner}' writes '{relpath}', which is not among the outputs it declares "
                f"({declared}): declare it in the exporter's outputs"
            )
        self._claimed[relpath] = owner
        return self._path(relpath)

    def write_bytes(self, relpath: str, data: bytes) -> bool:
        """Write ``data`` to ``relpath``; False when the file already held exactly that."""
        path = self._claim(relpath)
        if self._existing is None or relpath in self._existing:
            try:
                if os.stat(path).st_size == len(data) and Path(path).read_bytes() == data:
                    self.unchanged.append(relpath)
                    return False
            except OSError:
                pass
        with self._replacing(path, relpath, keep_open=True) as (fd, _):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        self.written.append(relpath)
        return True

    def keep(self, relpath: str) -> None:
        """Claim ``relpath`` and leave the file as it is, counted as unchanged: for an
        aggregate that updates some of its files and vouches for the others. Raises
        :class:`OutputError` when there is no such file."""
        path = self._claim(relpath)
        if not os.path.isfile(path):
            del self._claimed[relpath]
            raise OutputError(f"cannot keep '{relpath}': it is not in the output folder")
        self.unchanged.append(relpath)

    def write_text(self, relpath: str, text: str) -> bool:
        """Write ``text`` as UTF-8 with ``\\n`` line ends; False when unchanged."""
        return self.write_bytes(relpath, text.encode("utf-8"))

    @contextlib.contextmanager
    def atomic_path(self, relpath: str) -> Iterator[Path]:
        """A temp path beside ``relpath`` for a writer that needs a real file (a database).
        It replaces the target when the block ends without error, and is removed otherwise."""
        path = self._claim(relpath)
        with self._replacing(path, relpath, keep_open=False) as (_, temp):
            yield Path(temp)
        self.written.append(relpath)

    @contextlib.contextmanager
    def stream(self, relpath: str) -> Iterator[BinaryIO]:
        """A file to write ``relpath`` through piece by piece, for an output too large to
        hold in memory (a booklet of photos). It replaces the target when the block ends
        without error, unless the target already held exactly those bytes: then it is left
        as it was, as :meth:`write_bytes` leaves it."""
        path = self._claim(relpath)
        compare = self._existing is None or relpath in self._existing
        same: list[bool] = []
        with (
            self._replacing(path, relpath, keep_open=False, same=same if compare else None) as (
                _,
                temp,
            ),
            open(temp, "wb") as sink,
        ):
            yield sink
        (self.unchanged if same else self.written).append(relpath)

    def _open(self, folder: str, temp: str, relpath: str) -> int:
        """The temp file ``temp`` in ``folder`` (made if need be), opened for writing."""
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write '{relpath}': {exc.strerror or exc}") from None

    @contextlib.contextmanager
    def _replacing(
        self, path: str, relpath: str, *, keep_open: bool, same: list[bool] | None = None
    ) -> Iterator[tuple[int, str]]:
        # One writer writes a path once, and one export runs per folder (the lock), so the
        # process id makes the temp name unique; a leftover from a killed run is truncated.
        folder, name = os.path.split(path)
        temp = os.path.join(folder, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
        replaced = False
        # One try from the open on: an interrupt that lands just after the open still removes
        # the temp file.
        try:
            fd = self._open(folder, temp, relpath)
            if not keep_open:
                os.close(fd)
            try:
                yield fd, temp
            finally:
                if keep_open:
                    os.close(fd)
            replaced = _put_in_place(temp, path, same)
        except OSError as exc:
            raise OutputError(f"cannot write '{relpath}': {exc.strerror or exc}") from None
        finally:
            if not replaced:
                with contextlib.suppress(OSError):
                    os.unlink(temp)


def _put_in_place(temp: str, path: str, same: list[bool] | None) -> bool:
    """Rename ``temp`` over ``path``, unless ``same`` is given and ``path`` holds those bytes
    already (``same`` then says so); whether it was renamed."""
    if same is not None and _same_bytes(temp, path):
        same.append(True)
        return False
    os.replace(temp, path)
    return True


def _same_bytes(one: str, other: str) -> bool:
    """Whether the files ``one`` and ``other`` hold the same bytes (False when ``other`` is
    not there)."""
    try:
        if os.stat(one).st_size != os.stat(other).st_size:
            return False
        with open(one, "rb") as a, open(other, "rb") as b:
            while True:
                block = a.read(_BLOCK)
                if block != b.read(_BLOCK):
                    return False
                if not block:
                    return True
    except OSError:
        return False


_BLOCK = 1 << 20


def _claimed_twice(relpath: str, held: str, owner: str) -> OutputError:
    """The error for a second claim of ``relpath``, by ``owner``, after ``held``'s."""
    if held == owner:
        return OutputError(f"'{relpath}' would be written twice in one run")
    return OutputError(f"'{relpath}' is written by {_named(held)} and by {_named(owner)}")


def _named(owner: str) -> str:
    return "the pipeline itself" if owner == _NO_OWNER else f"'{owner}'"


def remove_temp_files(root: Path, pids: Collection[int]) -> None:
    """Remove the temp files that writers in the processes ``pids`` left under ``root`` when
    they were killed (a writer that is stopped any other way removes its own)."""
    endings = tuple(f".{pid}{TEMP_SUFFIX}" for pid in pids)
    if not endings:
        return
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(endings):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))
