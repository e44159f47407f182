"""The date of each seed's last commit, for the sitemap's ``lastmod`` of a seed without
``updated``.

A date the history gives, never the build's clock, so the same commit builds the same bytes.
A seed outside a repository, not committed yet, in a shallow clone (whose history stops
short of most files' last change: CI must fetch the whole history) or on a machine without git
has no date.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

_MARK = "\x01"


def last_commit_dates(paths: Iterable[str]) -> dict[str, str]:
    """The day (``YYYY-MM-DD``, the committer's date in UTC) of the last commit that changed
    each of ``paths``, by path as given; a path with no commit is left out. One ``git log``
    per repository the paths are in."""
    git = shutil.which("git")
    if git is None:
        return {}
    by_folder: dict[Path, list[tuple[str, Path]]] = defaultdict(list)
    folders: dict[str, Path] = {}
    for given in paths:
        # Resolved by folder: ten thousand seeds are a folder or two, and resolving costs.
        name = os.path.abspath(given)  # noqa: PTH100
        if os.path.islink(name):  # noqa: PTH114
            path = Path(name).resolve()
        else:
            parent = os.path.dirname(name)  # noqa: PTH120
            if parent not in folders:
                folders[parent] = Path(parent).resolve()
            path = folders[parent] / os.path.basename(name)  # noqa: PTH119
        by_folder[path.parent].append((given, path))
    by_root: dict[Path, list[tuple[str, Path]]] = defaultdict(list)
    for folder, files in by_folder.items():
        root = _repository_root(git, folder)
        if root is not None:
            by_root[root].extend(files)
    dates: dict[str, str] = {}
    for root, files in sorted(by_root.items()):
        dates.update(_dates_in(git, root, files))
    return dates


def repository_heads(paths: Iterable[str]) -> str:
    """A short key of the commit each repository holding one of ``paths`` is at (empty when
    none is in one): it changes with every commit, checkout or reset that could change
    :func:`last_commit_dates`. One ``git rev-parse`` per folder of seeds."""
    git = shutil.which("git")
    if git is None:
        return ""
    heads = set()
    # By folder first: ten thousand seeds are a folder or two, and resolving a path costs.
    folders = {os.path.dirname(os.path.abspath(path)) for path in paths}  # noqa: PTH100, PTH120
    for folder in sorted({Path(name).resolve() for name in folders}):
        if not folder.is_dir():
            continue
        found = _run(git, folder, "rev-parse", "--show-toplevel", "HEAD")
        if found:
            heads.add(" ".join(found.split()))
    if not heads:
        return ""
    return hashlib.sha256("\n".join(sorted(heads)).encode()).hexdigest()[:16]


def _run(git: str, folder: Path, *args: str) -> str | None:
    """What ``git args`` prints in ``folder``, or None when it fails."""
    # Dates in UTC and messages in English whatever the machine's locale; the system's git
    # configuration is not read (the options that change the log's shape are given).
    environment = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C", "TZ": "UTC"}
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=environment,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _repository_root(git: str, folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    top = _run(git, folder, "rev-parse", "--show-toplevel")
    return Path(top.strip()).resolve() if top and top.strip() else None


def _dates_in(git: str, root: Path, files: list[tuple[str, Path]]) -> dict[str, str]:
    """The last commit dates of ``files`` in the repository at ``root``."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for given, path in files:
        try:
            wanted[path.relative_to(root).as_posix()].append(given)
        except ValueError:  # a symbolic link out of the repository
            continue
    if _run(git, root, "rev-parse", "--is-shallow-repository") != "false\n":
        # A shallow clone dates every file its history stops at by that commit: too new a
        # date is worse than none.
        return {}
    folders = sorted({posixpath.dirname(relative) or "." for relative in wanted})
    log = _run(
        git,
        root,
        "-c",
        "log.showSignature=false",
        "-c",
        "core.quotePath=false",
        "log",
        "--no-renames",
        "--no-merges",
        f"--format={_MARK}%cd",
        "--date=format-local:%Y-%m-%d",
        "--name-only",
        "--",
        *folders,
    )
    return {} if log is None else _first_seen(log, wanted)


def _first_seen(log: str, wanted: dict[str, list[str]]) -> dict[str, str]:
    """The day of the first commit in ``log`` (newest first, so a file's last) that names
    each of ``wanted``'s files, by the paths given for it."""
    dates: dict[str, str] = {}
    day = ""
    for line in log.splitlines():
        if line.startswith(_MARK):
            day = line[1:]
        elif line in wanted:
            for given in wanted.pop(line):
                dates[given] = day
            if not wanted:
                break
    return dates
