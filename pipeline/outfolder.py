"""What the output folder holds: listed in full, or told cheaply from its folders' mtimes."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pipeline.writer import TEMP_SUFFIX

SETTLED_NS = 2_000_000_000
"""How long a folder must have been left alone before its mtime is trusted to tell that
nothing in it changed since (some file systems keep mtimes to the second, or two)."""


def _files_under(folder: str, found: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _files_under(entry.path, found)
            else:
                found.append(entry.path)


def existing_outputs(out: Path) -> set[str]:
    """Every file in the output folder; temp files a killed run left behind are removed."""
    found: list[str] = []
    _files_under(str(out), found)
    prefix = len(str(out)) + 1
    existing = set()
    for path in found:
        if path.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                Path(path).unlink()
        else:
            existing.add(path[prefix:].replace(os.sep, "/"))
    return existing


def listing(
    out: Path,
    files: Iterable[str],
    trusted: Mapping[str, int] | None = None,
    touched: Iterable[str] = (),
) -> str:
    """The files the folder holds, by folder, with each folder's mtime when it has been left
    alone long enough to be trusted (else -1), as JSON: what :func:`still_there` checks.
    ``trusted`` are folders whose mtimes were found as recorded (see :func:`known_outputs`):
    those the run did not touch (no file of ``touched`` is in or below them) keep them."""
    folders: dict[str, list[str]] = {}
    for file in sorted(files):
        folder, _, name = file.rpartition("/")
        folders.setdefault(folder, []).append(name)
    moved = {folder for path in touched for folder in _folders_above(path)}
    settled = time.time_ns() - SETTLED_NS
    table = {}
    for folder, names in folders.items():
        mtime = -1 if trusted is None or folder in moved else trusted.get(folder, -1)
        if mtime < 0:
            try:
                mtime = os.stat(os.path.join(out, folder)).st_mtime_ns
            except OSError:
                mtime = -1
        table[folder] = [mtime if mtime < settled else -1, names]
    return json.dumps(table, ensure_ascii=False, separators=(",", ":"))


def still_there(out: Path, text: str) -> tuple[int, str | None] | None:
    """How many files the :func:`listing` ``text`` names, if every one is still in the folder
    and no temp file is; else ``None``. A folder whose mtime is the one recorded has had
    nothing added, removed or renamed in it since: only the others are listed. With the count
    comes the listing again when a folder listed now has since been left alone long enough to
    be trusted next time (else ``None``: nothing to record)."""
    try:
        table = json.loads(text)
        count, settled, learned = 0, time.time_ns() - SETTLED_NS, False
        for folder, entry in table.items():
            mtime, names = entry
            path = os.path.join(out, folder)
            now = os.stat(path).st_mtime_ns
            if mtime < 0 or now != mtime:
                present = set(os.listdir(path))
                if not present.issuperset(names) or any(TEMP_SUFFIX in n for n in present):
                    return None
                if now < settled:
                    entry[0], learned = now, True
            count += len(names)
        relisted = json.dumps(table, ensure_ascii=False, separators=(",", ":")) if learned else None
        return count, relisted
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def known_outputs(out: Path, text: str, trusted: dict[str, int] | None = None) -> set[str] | None:
    """Every file of the :func:`listing` ``text`` still in the folder, and every file in each
    of its folders whose mtime moved since: what :func:`existing_outputs` would find of them,
    without walking the folders left alone (temp files found are removed the same way); those
    folders are put in ``trusted``, with their mtimes. ``None`` when the listing cannot be
    read."""
    try:
        table = json.loads(text)
        existing: set[str] = set()
        for folder, (mtime, names) in table.items():
            path = os.path.join(out, folder)
            prefix = f"{folder}/" if folder else ""
            try:
                if os.stat(path).st_mtime_ns == mtime >= 0:
                    existing.update(prefix + name for name in names)
                    if trusted is not None:
                        trusted[folder] = mtime
                    continue
                present = os.listdir(path)
            except FileNotFoundError:
                continue
            for name in present:
                if TEMP_SUFFIX in name:
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(path, name))
                else:
                    existing.add(prefix + name)
        return existing
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove ``folder``, then each folder above it below ``root``, while they are empty: a
    page that moved (a new ``url_pattern``) leaves no empty folder behind."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent


def _folders_above(path: str) -> Iterator[str]:
    """The folders ``path`` is in, from its own to the output folder itself (``""``)."""
    folder = path
    while folder:
        folder = folder.rpartition("/")[0]
        yield folder
