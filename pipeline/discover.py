"""Finding seeds, and what a run knows of each file before it reads it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.inputs import all_unchanged, input_key
from pipeline.state import SeedRecord

if TYPE_CHECKING:
    from pipeline.model import Exercise
    from pipeline.parser import ParseResult

SEED_SUFFIX = ".md"


def is_ignored(name: str) -> bool:
    """True for a name a folder search passes over: ``README.md``, and a file or folder whose
    name starts with ``_`` or ``.`` (notes, templates, editor and version-control files)."""
    return name.startswith(("_", ".")) or name.casefold() == "readme.md"


def discover_seeds(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Seed files named by ``paths``: files as given, folders searched for ``*.md``; sorted and
    without repeats, each real file once. A folder search passes over what :func:`is_ignored`
    names; a file named in ``paths`` is read whatever its name. Inside a folder, a symbolic
    link that leads outside it, loops or leads nowhere is not followed, and is warned about; a
    folder that cannot be read is warned about and the rest searched. Raises
    :class:`PipelineError` for a path that does not exist."""
    found: dict[str, Path] = {}  # by the path as shown, which is also the order
    warnings: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            for seed in _seeds_in(path, warnings):
                found.setdefault(seed.as_posix(), seed)
        elif not _is_text(str(path)):
            raise PipelineError(f"{shown_name(str(path))}: the name is not UTF-8 text; rename it")
        elif path.is_file():
            found.setdefault(path.as_posix(), path)
        else:
            raise PipelineError(f"{path}: no such file or folder")
    return [found[shown] for shown in sorted(found)], warnings


class _Found:
    """The seed files a folder search found: shown path, real path, and whether through a link."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[tuple[bool, str, str]] = []
        self.folders: list[tuple[str, str]] = []
        self.visited = {str(root)}
        self.warnings: list[Diagnostic] = []
        self.errors: list[Diagnostic] = []

    def warn(self, path: str, message: str) -> None:
        """A warning about one entry of the folder."""
        self.warnings.append(Diagnostic(Path(path).as_posix(), 0, Level.WARNING, message))

    def folder(self, shown: str, real: str) -> None:
        """A folder to search, unless it was searched already (a link back up the tree)."""
        if real not in self.visited:
            self.visited.add(real)
            self.folders.append((shown, real))


def _seeds_in(folder: Path, warnings: list[Diagnostic]) -> list[Path]:
    """The seeds a folder search finds below ``folder``, each real file once: a seed reached
    both as itself and through a link is the file itself."""
    found = _Found(folder.resolve())
    found.folders.append((str(folder), str(found.root)))
    # A stack, not recursion: a tree of any depth is searched. scandir, not Path.rglob: ten
    # thousand seeds are walked on every run, and scandir knows each entry's type without a
    # stat.
    while found.folders:
        _scan_folder(*found.folders.pop(), found)
    warnings.extend(found.warnings)
    warnings.extend(found.errors)
    seeds: dict[str, str] = {}
    for _linked, shown, real in sorted(found.files):
        if real in seeds:
            found_as = Path(seeds[real]).as_posix()
            warnings.append(
                Diagnostic(
                    Path(shown).as_posix(),
                    0,
                    Level.NOTE,
                    f"a symbolic link to {found_as}, which is read already: read once",
                )
            )
        else:  # a file itself sorts before the links to it
            seeds[real] = shown
    return [Path(shown) for shown in seeds.values()]


def _scan_folder(shown: str, real: str, found: _Found) -> None:
    try:
        with os.scandir(shown) as listing:
            entries = list(listing)
    except OSError as error:
        found.warn(shown, f"cannot read this folder ({error.strerror}): its seeds are left out")
        return
    for entry in entries:
        if is_ignored(entry.name):
            continue
        if not _is_text(entry.name):
            _not_text(entry, found)
        elif entry.is_symlink():
            _follow_link(entry, found)
        elif entry.is_dir():
            found.folder(entry.path, f"{real.rstrip(os.sep)}{os.sep}{entry.name}")
        elif entry.name.endswith(SEED_SUFFIX) and entry.is_file():
            found.files.append((False, entry.path, f"{real.rstrip(os.sep)}{os.sep}{entry.name}"))


def _is_text(name: str) -> bool:
    """True when a file name is UTF-8 text (not bytes the file system could not decode)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(path: str) -> str:
    """A path as a message can show it: bytes that are not UTF-8 as ``\\xNN`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _not_text(entry: os.DirEntry[str], found: _Found) -> None:
    """A seed or folder whose name is not UTF-8: it cannot be named in the outputs or the
    state, so it is not read, and the author is told which one to rename."""
    if entry.is_dir() or entry.name.endswith(SEED_SUFFIX):
        kind = "folder" if entry.is_dir() else "seed"
        found.errors.append(
            Diagnostic(
                shown_name(entry.path),
                0,
                Level.ERROR,
                f"the {kind}'s name is not UTF-8 text: it is not read; rename it",
            )
        )


def _follow_link(entry: os.DirEntry[str], found: _Found) -> None:
    """A symbolic link in a seed folder: followed while it stays inside the folder searched
    (each folder once), warned about when it leads out of it, loops or leads nowhere."""
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        if entry.name.endswith(SEED_SUFFIX):
            found.warn(entry.path, "a symbolic link that loops or leads nowhere: not followed")
        return
    if not target.is_relative_to(found.root):
        if entry.name.endswith(SEED_SUFFIX) or target.is_dir():
            found.warn(
                entry.path, f"a symbolic link to {target}, outside {found.root}: not followed"
            )
        return
    if target.is_dir():
        found.folder(entry.path, str(target))
    elif entry.name.endswith(SEED_SUFFIX) and target.is_file():
        found.files.append((True, entry.path, str(target)))


@dataclass
class SeedSet:
    """Every seed read: the exercises that parsed cleanly, in slug order, and all diagnostics."""

    results: list[ParseResult]
    exercises: list[Exercise]
    diagnostics: list[Diagnostic]

    @property
    def failed(self) -> list[str]:
        """Paths of the seeds that have an error."""
        return [r.path for r in self.results if not r.ok]


def read_seeds(
    paths: Sequence[Path],
    settings: Settings,
    review: Callable[[Exercise], list[Diagnostic]] | None = None,
) -> SeedSet:
    """Parse every seed under ``paths`` once, in this process, then check what only the whole
    set can show (two seeds with one slug); ``review`` adds what else there is to say of each
    exercise (``pipeline check`` has the exporters' checks)."""
    # Imported here: every export imports this module, and one with nothing to parse never
    # needs the parser.
    from pipeline.parser import parse_seed

    seeds, warnings = discover_seeds(paths)
    results = [
        parse_seed(
            seed,
            limits=settings.limits(),
            strict=settings.strict,
            default_lang=settings.default_lang,
            labels=settings.labels,
        )
        for seed in seeds
    ]
    _refuse_shared_slugs(results, settings)
    for result in results:
        if review is not None and result.exercise is not None:
            result.diagnostics.extend(review(result.exercise))
    exercises = sorted((r.exercise for r in results if r.exercise), key=lambda e: e.slug)
    diagnostics = [*warnings, *(d for r in results for d in r.diagnostics)]
    return SeedSet(results, exercises, diagnostics)


def _refuse_shared_slugs(results: list[ParseResult], settings: Settings) -> None:
    """Make each seed the whole set refuses (a slug another seed has in its language, a
    ``translation_of`` that names nothing...) fail, with the errors saying so."""
    from pipeline.translations import Version, set_problems
    from pipeline.urls import addresses

    by_path = {r.path: r for r in results}
    every = [
        Version(r.path, e.slug, e.lang, e.translation_of, r.translation_line)
        for r in results
        if (e := r.exercise) is not None
    ]
    found = set_problems(every, settings.default_lang, addresses(settings))
    for path, problems in found.items():
        for line, message in problems:
            by_path[path].diagnostics.append(Diagnostic(path, line, Level.ERROR, message))
        by_path[path].exercise = None


@dataclass(frozen=True, slots=True)
class SeedFile:
    """A seed file as the run found it: its content hash (when known), size and mtime."""

    sha256: str | None
    size: int
    mtime_ns: int


def identify(
    path: Path, known: SeedRecord | None, max_bytes: int, seen: tuple[int, int] | None = None
) -> SeedFile:
    """The hash of what the seed's outputs are made from (its bytes and its pictures'),
    as the last run recorded it when nothing changed; the seed is read again only when its
    size or mtime differs from last time. A seed the last run did not see, or one of whose
    pictures changed, is not hashed here: it is parsed anyway, and the parse gives its hash
    (this keeps a first export's serial part short). ``seen`` is its size and mtime when
    this run stat'ed it already."""
    try:
        if seen is None:
            stat = path.stat()
            seen = (stat.st_size, stat.st_mtime_ns)
        size, mtime_ns = seen
        if known is not None and known.inputs and not all_unchanged(known.inputs):
            return SeedFile(None, size, mtime_ns)
        if known is not None and (known.size, known.mtime_ns) == seen:
            return SeedFile(known.sha256, size, mtime_ns)
        if known is None or size > max_bytes:
            return SeedFile(None, size, mtime_ns)
        own = hashlib.sha256(path.read_bytes()).hexdigest()
        return SeedFile(input_key(own, known.inputs), size, mtime_ns)
    except OSError:
        return SeedFile(None, -1, -1)
