"""The engine: find seeds, parse each once, check them together, then fan out to the exporters,
rebuilding only what changed since the last export into the same folder.

The sequence is fixed (read, parse, check the whole set, write per seed, write aggregates,
remove what is stale, record the manifest); exporters own only their format.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import __version__
from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.frontmatter import KNOWN_KEYS
from pipeline.interrupt import ExportInterrupted, Interrupted, interruptible
from pipeline.lock import OutputLock
from pipeline.manifest import (
    MANIFEST_FILE,
    STATE_DIR,
    AggregateRecord,
    DigestCache,
    Manifest,
    OutputRecord,
    SeedRecord,
    diagnostic_rows,
    diagnostics_from_rows,
    digest_file,
    dump_digests,
    load_digests,
)
from pipeline.model import Exercise
from pipeline.parser import ParseResult, parse_seed
from pipeline.progress import Advance, Reporter, SilentReporter
from pipeline.registry import create_exporters
from pipeline.workers import (
    GC_THRESHOLD,
    ExportJob,
    ParseSummary,
    SeedTask,
    WorkerPool,
    internal_error,
)
from pipeline.writer import TEMP_SUFFIX, OutputError, OutputWriter

SEED_SUFFIX = ".md"


def is_ignored(name: str) -> bool:
    """True for a name a folder search passes over: ``README.md``, and a file or folder whose
    name starts with ``_`` or ``.`` (notes, templates, editor and version-control files)."""
    return name.startswith(("_", ".")) or name.casefold() == "readme.md"


def discover_seeds(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Seed files named by ``paths``: files as given, folders searched for ``*.md``; sorted and
    without repeats. A folder search passes over what :func:`is_ignored` names; a file named
    in ``paths`` is read whatever its name. Inside a folder, a symbolic link that leads outside
    it is not followed, and is warned about. Raises :class:`PipelineError` for a path that does
    not exist."""
    found: dict[Path, None] = {}
    warnings: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            seeds: list[str] = []
            _scan_seeds(str(path), path.resolve(), seeds, warnings, set())
            for seed in sorted(seeds):
                found.setdefault(Path(seed), None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise PipelineError(f"{path}: no such file or folder")
    return sorted(found, key=lambda p: p.as_posix()), warnings


def _scan_seeds(
    folder: str, root: Path, found: list[str], warnings: list[Diagnostic], visited: set[Path]
) -> None:
    # scandir, not Path.rglob: ten thousand seeds are walked on every run, no-op runs
    # included, and scandir knows each entry's type without a stat.
    with os.scandir(folder) as entries:
        for entry in entries:
            if is_ignored(entry.name):
                continue
            if entry.is_symlink():
                target = Path(entry.path).resolve()
                if not target.is_relative_to(root):
                    if entry.name.endswith(SEED_SUFFIX) or target.is_dir():
                        warnings.append(
                            Diagnostic(
                                Path(entry.path).as_posix(),
                                0,
                                Level.WARNING,
                                f"a symbolic link to {target}, outside {root}: not followed",
                            )
                        )
                    continue
                if target.is_dir() and target not in visited:
                    visited.add(target)
                    _scan_seeds(entry.path, root, found, warnings, visited)
                elif entry.name.endswith(SEED_SUFFIX) and target.is_file():
                    found.append(entry.path)
            elif entry.is_dir():
                _scan_seeds(entry.path, root, found, warnings, visited)
            elif entry.name.endswith(SEED_SUFFIX) and entry.is_file():
                found.append(entry.path)


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


def read_seeds(paths: Sequence[Path], settings: Settings) -> SeedSet:
    """Parse every seed under ``paths`` once, in this process, then check what only the whole
    set can show (two seeds with one slug)."""
    seeds, warnings = discover_seeds(paths)
    results = [parse_seed(seed, limits=settings.limits(), strict=settings.strict) for seed in seeds]
    slugs = {r.path: r.exercise.slug for r in results if r.exercise is not None}
    for path, message in duplicate_slug_errors(slugs).items():
        result = next(r for r in results if r.path == path)
        result.diagnostics.append(Diagnostic(path, 1, Level.ERROR, message))
        result.exercise = None
    exercises = sorted((r.exercise for r in results if r.exercise), key=lambda e: e.slug)
    diagnostics = [*warnings, *(d for r in results for d in r.diagnostics)]
    return SeedSet(results, exercises, diagnostics)


def duplicate_slug_errors(slugs: dict[str, str]) -> dict[str, str]:
    """For each seed path whose slug another seed also has, the error naming the others.
    Both are refused: keeping either would make the output depend on file order."""
    holders: dict[str, list[str]] = {}
    for path, slug in slugs.items():
        holders.setdefault(slug, []).append(path)
    errors = {}
    for slug, paths in holders.items():
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(p for p in paths if p != path)
            errors[path] = f"slug '{slug}' is also used by {others}"
    return errors


@dataclass
class ExportReport:
    """What an export did."""

    seeds: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    parsed: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """How many error diagnostics the run produced."""
        return sum(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """How many warnings the run produced."""
        return sum(d.level is Level.WARNING for d in self.diagnostics)

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping (``--report-json``)."""
        return {
            "pipeline": __version__,
            "seeds": {
                "total": len(self.seeds),
                "ok": len(self.seeds) - len(self.failed) - len(self.warned),
                "warned": len(self.warned),
                "failed": len(self.failed),
                "drafts": len(self.drafts),
                "parsed": self.parsed,
                "failed_paths": self.failed,
            },
            "files": {
                "written": len(self.written),
                "unchanged": self.unchanged,
                "removed": len(self.removed),
                "written_paths": self.written,
                "removed_paths": self.removed,
            },
            "seconds": {
                "exporters": {k: round(v, 4) for k, v in self.seconds.items()},
                "phases": {k: round(v, 4) for k, v in self.phases.items()},
            },
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def parse_key(settings: Settings) -> str:
    """What, besides a seed's bytes, decides what it parses to."""
    # The known keys too: a key added (`draft`) changes what a seed that has it parses to.
    key = f"{__version__}|{settings.limits()}|{settings.strict}|{','.join(KNOWN_KEYS)}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def export(
    paths: Sequence[Path],
    out: Path,
    settings: Settings,
    formats: Sequence[str] = (),
    *,
    jobs: int | None = None,
    force: bool = False,
    drafts: bool = False,
    reporter: Reporter | None = None,
    lock_timeout: float = 600.0,
) -> ExportReport:
    """Export the seeds under ``paths`` into ``out`` with the named exporters (default: all).

    Only what changed since the last export into ``out`` is rebuilt (``force`` rebuilds all).
    A seed with an error is reported and skipped by every exporter; its earlier outputs are
    left as they were. A draft (``draft: true``) is checked but not exported unless ``drafts``;
    its earlier outputs are removed. ``jobs`` worker processes share the work (default: one
    per core); the outputs are the same bytes whatever their number.

    Exporting some seeds leaves the others in ``out`` as they are: the aggregates still list
    every seed the folder holds. Only a seed that is gone from a folder given whole in
    ``paths`` has its outputs removed.

    SIGINT (Ctrl-C) and SIGTERM stop it cleanly, as :class:`ExportInterrupted`: the workers
    are stopped, no temp file is left and the lock is released; the manifest is not written,
    so the next export into ``out`` finishes what this one did not.
    """
    reporter = reporter or SilentReporter()
    exporters = create_exporters(formats, settings)
    seeds, warnings = discover_seeds(paths)
    scope = _Scope(
        folders=tuple(p for p in paths if p.is_dir()),
        files=tuple(p for p in paths if not p.is_dir()),
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the output folder {out}: {error.strerror}") from None
    tally = _Tally(reporter, len(seeds))
    with (
        _interruptible_export(tally),
        OutputLock(out, timeout=lock_timeout, on_wait=reporter.message),
        few_collections(),
    ):
        workers = jobs or os.cpu_count() or 1
        run = _Run(seeds, out, settings, exporters, workers, force, tally, scope, drafts)
        report = run.execute()
    report.diagnostics[:0] = warnings
    return report


class _Tally:
    """Passes an export's progress on, and keeps count of the seeds whose own outputs are
    all written, so an interrupted export can say how far it got."""

    def __init__(self, reporter: Reporter, seeds: int) -> None:
        self.reporter = reporter
        self.seeds = seeds
        self.outstanding = seeds
        """Seeds that may still have outputs of their own to write: until the seeds are read,
        all of them; then those to parse; then those to export."""

    @property
    def exported(self) -> int:
        """Seeds with nothing of their own left to write."""
        return self.seeds - self.outstanding

    @contextlib.contextmanager
    def phase(self, name: str, total: int) -> Iterator[Advance]:
        """The reporter's phase; the parse and export phases also count what is left."""
        if name in ("parse", "export"):
            self.outstanding = total
        elif name != "read":  # an aggregate: every seed's own outputs come before
            self.outstanding = 0
        counts = name == "export"
        with self.reporter.phase(name, total) as advance:

            def counted(steps: int) -> None:
                if counts:
                    self.outstanding -= steps
                advance(steps)

            yield counted

    def message(self, text: str) -> None:
        """The reporter's message."""
        self.reporter.message(text)


@contextlib.contextmanager
def _interruptible_export(tally: _Tally) -> Iterator[None]:
    with interruptible():
        try:
            yield
        except Interrupted as stop:
            raise ExportInterrupted(
                stop.signum, exported=tally.exported, total=tally.seeds
            ) from None


@dataclass(frozen=True, slots=True)
class _SeedFile:
    sha256: str | None
    size: int
    mtime_ns: int


def _identify(path: Path, known: SeedRecord | None, max_bytes: int) -> _SeedFile:
    """The seed's content hash; read only when its size or mtime differs from last time.
    A seed the last run did not see is not hashed here: it is parsed anyway, and the parse
    gives its hash (this keeps a first export's serial part short)."""
    try:
        stat = path.stat()
        if known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            return _SeedFile(known.sha256, stat.st_size, stat.st_mtime_ns)
        if known is None or stat.st_size > max_bytes:
            return _SeedFile(None, stat.st_size, stat.st_mtime_ns)
        return _SeedFile(
            hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns
        )
    except OSError:
        return _SeedFile(None, -1, -1)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run with the cyclic garbage collector's full passes put off.

    An export holds hundreds of thousands of long-lived objects (the manifest, parsed models,
    digests); Python's default thresholds walk all of them again and again, which cost a third
    of a no-op run. Young objects are still collected as often as by default, so cycles made
    per seed (a PDF canvas) are freed as usual, and a young generation that small stays in
    the processor's cache (a larger one took twice as long to walk).
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _files_under(folder: str, found: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _files_under(entry.path, found)
            else:
                found.append(entry.path)


def _existing_outputs(out: Path) -> set[str]:
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


@dataclass(frozen=True)
class _Scope:
    """What a run was given: folders, searched whole, and files. A seed the output folder
    holds from an earlier export is this run's business only if it lies inside one of them:
    then it is exported again, or, when it is gone, its outputs are removed."""

    folders: tuple[Path, ...] = ()
    files: tuple[Path, ...] = ()

    @functools.cached_property
    def _prefixes(self) -> tuple[str, ...]:
        return tuple(
            f"{f.as_posix().rstrip('/')}/" for f in self.folders if f.as_posix() not in (".", "/")
        )

    @functools.cached_property
    def _resolved(self) -> tuple[tuple[Path, ...], frozenset[Path]]:
        return tuple(f.resolve() for f in self.folders), frozenset(f.resolve() for f in self.files)

    def covers(self, display: str) -> bool:
        """True when the seed path ``display`` (as an earlier run showed it) lies in this
        scope. Only called for seeds this run did not find."""
        # The usual case, a folder given the same way as last time, needs no file system call.
        if ".." not in display and display.startswith(self._prefixes):
            return True
        if not self.folders and display.rpartition("/")[2] not in {f.name for f in self.files}:
            return False
        folders, files = self._resolved
        try:
            where = Path(display).resolve()
        except (OSError, RuntimeError):
            return False
        return where in files or any(where.is_relative_to(f) for f in folders)


class _SeedState(NamedTuple):
    """A seed after the whole-set checks: usable or not, its slug, what was said about it,
    and whether it is a draft."""

    ok: bool
    slug: str | None
    diagnostics: list[Diagnostic]
    draft: bool = False


def _left_out(out: str, exporter: str, seeds: list[str]) -> Diagnostic:
    examples = ", ".join(seeds[:3]) + (f" and {len(seeds) - 3} more" if len(seeds) > 3 else "")
    return Diagnostic(
        out,
        0,
        Level.WARNING,
        f"{exporter}: {len(seeds)} seeds exported earlier are left out: their cached digests "
        f"are missing; export them again to put them back ({examples})",
    )


class _Run:
    """One export: the decisions, the work, and the new manifest."""

    def __init__(
        self,
        seeds: list[Path],
        out: Path,
        settings: Settings,
        exporters: list[Exporter],
        jobs: int,
        force: bool,
        reporter: Reporter,
        scope: _Scope,
        include_drafts: bool = False,
    ) -> None:
        self.paths = seeds
        self.displays = [p.as_posix() for p in seeds]
        self.out = out
        self.settings = settings
        self.exporters = {e.name: e for e in exporters}
        self.per_seed = [e.name for e in exporters if e.has_per_seed()]
        self.aggregators = [e for e in exporters if e.has_aggregate()]
        self.jobs = jobs
        self.force = force
        self.reporter = reporter
        self.include_drafts = include_drafts
        # What the folder holds (kept, removed, carried over), even under --force; `old` is
        # what this run may reuse.
        self.previous = Manifest.load(out)
        self.old = Manifest() if force else self.previous
        self.found = set(self.displays)
        self.kept = {
            display: record
            for display, record in self.previous.seeds.items()
            if display not in self.found and not scope.covers(display)
        }
        """Seeds outside this run's scope: their records, outputs and digests stay."""
        self.parse_key = parse_key(settings)
        self.reparse_all = self.old.parse_key != self.parse_key
        self.fingerprints = {name: e.fingerprint() for name, e in self.exporters.items()}
        self.report = ExportReport(seeds=list(self.displays))
        self.existing = _existing_outputs(out)
        self.writer = OutputWriter(out, existing=self.existing)
        self.files: list[_SeedFile] = []

    # -- decisions -----------------------------------------------------------------------------

    def _record(self, display: str, sha: str | None) -> SeedRecord | None:
        record = self.old.seeds.get(display)
        if self.reparse_all or record is None or sha is None or record.sha256 != sha:
            return None
        return record

    def _outputs_current(self, record: SeedRecord, name: str) -> bool:
        output = record.outputs.get(name)
        return (
            output is not None
            and output.fingerprint == self.fingerprints[name]
            and self.existing.issuperset(output.files)
        )

    def _aggregate_current(self, name: str) -> bool:
        record = self.old.aggregates.get(name)
        return (
            record is not None
            and record.fingerprint == self.fingerprints[name]
            and self.existing.issuperset(record.files)
        )

    def execute(self) -> ExportReport:
        started = time.perf_counter()
        with self.reporter.phase("read", len(self.paths)) as advance:
            files = []
            for path, display in zip(self.paths, self.displays, strict=True):
                known = None if self.reparse_all else self.old.seeds.get(display)
                files.append(_identify(path, known, self.settings.max_seed_bytes))
                advance(1)
        self.files = files
        records = [self._record(d, f.sha256) for d, f in zip(self.displays, files, strict=True)]
        seeds_changed = any(r is None for r in records) or self.old.seeds.keys() != (
            self.found | self.kept.keys()
        )
        rebuild = {
            e.name
            for e in self.aggregators
            if self.force
            or seeds_changed
            or not self._aggregate_current(e.name)
            or self.old.aggregates[e.name].inputs != self._inputs_key(records)
        }
        caches = {name: load_digests(self.out, name) for name in sorted(rebuild)}

        def needs_parse(display: str, record: SeedRecord | None) -> bool:
            if record is None:
                return True
            if not record.ok or not self._publishes(record.draft):
                return False
            if any(not self._outputs_current(record, n) for n in self.per_seed):
                return True
            return any(
                self._cached_digest(caches[n], display, record.sha256, n) is None for n in rebuild
            )

        tasks = [
            SeedTask(i, path, display, files[i].size)
            for i, (path, display, record) in enumerate(
                zip(self.paths, self.displays, records, strict=True)
            )
            if needs_parse(display, record)
        ]
        self.report.parsed = len(tasks)
        self.report.phases["read"] = time.perf_counter() - started

        self._prepare((set(self.per_seed) if tasks else set()) | rebuild)
        pool = WorkerPool(self.jobs, self.settings, list(self.exporters), self.out, self.existing)
        with pool:
            pool.start(tasks)
            summaries = self._parse(pool, tasks)
            states = self._states(records, summaries)
            results = self._export(pool, states, records, summaries, rebuild)
        new_records = self._new_records(records, summaries, states, results)
        aggregates = self._aggregates(rebuild, states, new_records, results, caches)
        self._finish(new_records, aggregates, states)
        self.report.phases["total"] = time.perf_counter() - started
        return self.report

    def _publishes(self, draft: bool) -> bool:
        return self.include_drafts or not draft

    def _prepare(self, names: set[str]) -> None:
        for name in sorted(names):
            # Only a head start: if it fails, the call that needs it fails too, and that is
            # reported against each seed.
            with contextlib.suppress(Exception):
                self.exporters[name].prepare()

    def _cached_digest(
        self, cache: DigestCache, display: str, sha: str, name: str
    ) -> tuple[str, str, Any] | None:
        entry = cache.get(display)
        if entry is None or entry[0] != sha or entry[1] != self.fingerprints[name]:
            return None
        return entry

    def _kept_digest(
        self, cache: DigestCache, display: str, name: str
    ) -> tuple[str, str, Any] | None:
        """The cached digest of a seed outside this run's scope, as its last export made it
        (with other settings, perhaps, like its own outputs), if it is for the same bytes."""
        entry = cache.get(display)
        if entry is None or entry[0] != self.kept[display].sha256:
            return None
        if entry[1] != self.fingerprints[name] and self.reparse_all:
            return None  # from another version of the pipeline: its form may differ
        return entry

    def _inputs_key(self, records: Sequence[SeedRecord | None]) -> str:
        """A hash of every seed the aggregates are built from: this run's and the kept."""

        seeds: Iterable[tuple[str, SeedRecord | None]] = zip(self.displays, records, strict=True)
        if self.kept:
            # In path order, as a run given all of them lists them: the same seeds, one key.
            seeds = sorted([*seeds, *self.kept.items()], key=lambda seed: seed[0])
        held_back = not self.include_drafts
        parts = [
            f"{d}:{r.sha256}{':draft' if held_back and r.draft else ''}" if r else f"{d}:?"
            for d, r in seeds
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    # -- phases --------------------------------------------------------------------------------

    def _parse(self, pool: WorkerPool, tasks: list[SeedTask]) -> dict[int, ParseSummary]:
        started = time.perf_counter()
        if not tasks:
            return {}
        with self.reporter.phase("parse", len(tasks)) as advance:
            summaries = pool.parse(advance)
        self.report.phases["parse"] = time.perf_counter() - started
        return {s.index: s for s in summaries}

    def _states(
        self, records: list[SeedRecord | None], summaries: dict[int, ParseSummary]
    ) -> list[_SeedState]:
        """Per seed: valid, slug, diagnostics; after the whole-set checks."""
        states: list[_SeedState] = []
        for index, display in enumerate(self.displays):
            summary = summaries.get(index)
            if summary is not None:
                states.append(
                    _SeedState(summary.ok, summary.slug, list(summary.diagnostics), summary.draft)
                )
            else:
                record = records[index] or self.old.seeds[display]
                diagnostics = diagnostics_from_rows(record.diagnostics)
                states.append(_SeedState(record.ok, record.slug, diagnostics, record.draft))
        slugs = {
            self.displays[i]: state.slug
            for i, state in enumerate(states)
            if state.ok and state.slug is not None
        }
        # A seed kept from an earlier export still holds its slug in the outputs.
        slugs.update((d, r.slug) for d, r in self.kept.items() if r.ok and r.slug is not None)
        for path, message in duplicate_slug_errors(slugs).items():
            if path in self.kept:
                continue
            earlier = [p for p in self.kept if p in slugs and slugs[p] == slugs[path]]
            if earlier:
                message += f" (exported earlier into {self.out}"
                if not all(Path(p).exists() for p in earlier):
                    message += "; that file is gone: export its folder to remove it"
                message += ")"
            index = self.displays.index(path)
            state = states[index]
            error = Diagnostic(path, 1, Level.ERROR, message)
            states[index] = state._replace(ok=False, diagnostics=[*state.diagnostics, error])
        return states

    def _export(
        self,
        pool: WorkerPool,
        states: list[_SeedState],
        records: list[SeedRecord | None],
        summaries: dict[int, ParseSummary],
        rebuild: set[str],
    ) -> dict[int, Any]:
        jobs = []
        for index in sorted(summaries):
            if not states[index].ok or not self._publishes(states[index].draft):
                continue
            record = records[index]
            export = tuple(
                n for n in self.per_seed if record is None or not self._outputs_current(record, n)
            )
            digest = tuple(sorted(rebuild))
            if export or digest:
                jobs.append(ExportJob(index, export, digest))
        started = time.perf_counter()
        if not jobs and not summaries:
            return {}
        with self.reporter.phase("export", len(jobs)) as advance:
            results = pool.export(jobs, advance)
        self.report.phases["export"] = time.perf_counter() - started
        for result in results:
            self.report.diagnostics.extend(result.problems)
            for name, output in result.outputs.items():
                self.report.seconds[name] = self.report.seconds.get(name, 0.0) + output.seconds
                self.report.written.extend(output.written)
        return {r.index: r for r in results}

    def _new_records(
        self,
        records: list[SeedRecord | None],
        summaries: dict[int, ParseSummary],
        states: list[_SeedState],
        results: dict[int, Any],
    ) -> dict[str, SeedRecord]:
        new: dict[str, SeedRecord] = {}
        for index, display in enumerate(self.displays):
            old = self.old.seeds.get(display)
            held = self.previous.seeds.get(display)
            outputs = dict(held.outputs) if held else {}
            if states[index].ok and not self._publishes(states[index].draft):
                outputs = {}  # an unpublished draft: what it had is removed
            result = results.get(index)
            if result is not None:
                for name, output in result.outputs.items():
                    files = output.files
                    failed = any(d.level is Level.ERROR for d in output.diagnostics)
                    if failed and name in outputs:
                        # What the last good run wrote stays and is not removed as stale.
                        files = sorted(set(files) | set(outputs[name].files))
                    outputs[name] = OutputRecord(
                        # A failed output is retried next run, whatever else changed.
                        fingerprint="" if failed else self.fingerprints[name],
                        files=files,
                        diagnostics=diagnostic_rows(output.diagnostics),
                    )
            summary = summaries.get(index)
            stat = self.files[index]
            if summary is not None:
                # The parse's own hash: if the file changed after it was stat'ed, its mtime
                # differs next time and it is read again.
                new[display] = SeedRecord(
                    sha256=summary.sha256 or "",
                    slug=summary.slug,
                    ok=summary.ok,
                    size=stat.size,
                    mtime_ns=stat.mtime_ns,
                    diagnostics=diagnostic_rows(summary.diagnostics),
                    outputs=outputs,
                    draft=summary.draft,
                )
            else:
                record = records[index] or old
                assert record is not None
                new[display] = SeedRecord(
                    record.sha256,
                    record.slug,
                    record.ok,
                    stat.size,
                    stat.mtime_ns,
                    record.diagnostics,
                    outputs,
                    record.draft,
                )
        return new

    def _aggregates(
        self,
        rebuild: set[str],
        states: list[_SeedState],
        records: dict[str, SeedRecord],
        results: dict[int, Any],
        caches: dict[str, DigestCache],
    ) -> dict[str, AggregateRecord]:
        aggregates = {
            name: record for name, record in self.previous.aggregates.items() if name not in rebuild
        }
        if not rebuild:
            return aggregates
        # In slug order: this run's seeds that are published, then the kept ones (index -1).
        members = sorted(
            [
                (s.slug or "", self.displays[index], index)
                for index, s in enumerate(states)
                if s.ok and self._publishes(s.draft)
            ]
            + [(r.slug or "", d, -1) for d, r in self.kept.items() if r.ok]
        )
        inputs = self._inputs_key([records[d] for d in self.displays])
        for exporter in self.aggregators:
            if exporter.name not in rebuild:
                continue
            cache: DigestCache = {}
            digests = []
            missing: list[str] = []
            for _, display, index in members:
                if index < 0:
                    kept = self._kept_digest(caches[exporter.name], display, exporter.name)
                    if kept is None:
                        if not self.kept[display].draft:
                            missing.append(display)
                        continue
                    entry = kept
                else:
                    sha = records[display].sha256
                    result = results.get(index)
                    if result is not None and exporter.name in result.digests:
                        fingerprint = self.fingerprints[exporter.name]
                        entry = (sha, fingerprint, result.digests[exporter.name])
                    else:
                        cached = self._cached_digest(
                            caches[exporter.name], display, sha, exporter.name
                        )
                        if cached is None:  # its digest failed, and that was reported
                            continue
                        entry = cached
                cache[display] = entry
                digests.append(entry[2])
            if missing:
                self.report.diagnostics.append(_left_out(str(self.out), exporter.name, missing))
            stale = missing or any(
                cache[d][1] != self.fingerprints[exporter.name] for d in self.kept if d in cache
            )
            # Built in part from what an earlier run left: the next run builds it again.
            aggregate_inputs = "" if stale else inputs
            aggregates[exporter.name] = self._run_aggregate(exporter, digests, aggregate_inputs)
            try:
                self.writer.write_bytes(digest_file(exporter.name), dump_digests(cache))
            except OutputError as error:  # only a cache: the next run parses what it lacks
                self.report.diagnostics.append(
                    Diagnostic(str(self.out), 0, Level.WARNING, str(error))
                )
        return aggregates

    def _run_aggregate(
        self, exporter: Exporter, digests: list[Any], inputs: str
    ) -> AggregateRecord:
        writer = self.writer.sibling()
        context = ExportContext(writer=writer, settings=self.settings)
        started = time.perf_counter()
        with self.reporter.phase(exporter.name, 1) as advance:
            try:
                exporter.export_all(digests, context)
            except OutputError as error:
                context.diagnostics.append(Diagnostic(str(self.out), 0, Level.ERROR, str(error)))
            except Exception as error:  # a bug in one exporter must not cost the others
                context.diagnostics.append(internal_error(str(self.out), exporter.name, error))
            advance(1)
        seconds = time.perf_counter() - started
        self.report.seconds[exporter.name] = self.report.seconds.get(exporter.name, 0.0) + seconds
        self.report.written.extend(writer.written)
        files = writer.written + writer.unchanged
        if any(d.level is Level.ERROR for d in context.diagnostics):
            # What the last good run built stays, and is not removed as stale; the aggregate
            # is retried next run even when nothing else changed.
            previous = self.previous.aggregates.get(exporter.name)
            files += previous.files if previous else []
            inputs = ""
        return AggregateRecord(
            fingerprint=self.fingerprints[exporter.name],
            inputs=inputs,
            files=sorted(set(files)),
            diagnostics=diagnostic_rows(context.diagnostics),
        )

    def _draft_note(self, display: str) -> Diagnostic:
        held = self.previous.seeds.get(display)
        if held is not None and held.outputs:
            message = "a draft (draft: true): not exported, and its earlier outputs are removed"
        else:
            message = "a draft (draft: true): checked, not exported (export --drafts to include it)"
        return Diagnostic(display, 0, Level.NOTE, message)

    def _finish(
        self,
        records: dict[str, SeedRecord],
        aggregates: dict[str, AggregateRecord],
        states: list[_SeedState],
    ) -> None:
        held = {**records, **self.kept} if self.kept else records
        produced = {f for r in held.values() for o in r.outputs.values() for f in o.files}
        produced |= {f for a in aggregates.values() for f in a.files}
        earlier = {
            f for r in self.previous.seeds.values() for o in r.outputs.values() for f in o.files
        }
        earlier |= {f for a in self.previous.aggregates.values() for f in a.files}
        for stale in sorted(earlier - produced):
            try:
                target = self.writer.target(stale)
                target.unlink()
                self.report.removed.append(stale)
                _remove_empty_folders(target.parent, self.writer.root)
            except FileNotFoundError:
                pass
            except (OSError, PipelineError) as error:
                self.report.diagnostics.append(
                    Diagnostic(stale, 0, Level.WARNING, f"cannot remove a stale output: {error}")
                )
        manifest = Manifest(parse_key=self.parse_key, seeds=held, aggregates=aggregates)
        if manifest != self.previous or MANIFEST_FILE not in self.existing:
            try:
                self.writer.write_bytes(MANIFEST_FILE, manifest.to_bytes())
            except OutputError as error:
                # The outputs written are complete; the next run rebuilds what it cannot tell.
                self.report.diagnostics.append(
                    Diagnostic(str(self.out), 0, Level.ERROR, str(error))
                )

        diagnostics = list(self.report.diagnostics)
        for index, display in enumerate(self.displays):
            ok, _, seed_diagnostics, draft = states[index]
            if ok and not self._publishes(draft):
                self.report.drafts.append(display)
                seed_diagnostics = [*seed_diagnostics, self._draft_note(display)]
            exported = [
                d
                for name in sorted(self.exporters)
                for d in diagnostics_from_rows(
                    records[display].outputs[name].diagnostics
                    if ok and name in records[display].outputs
                    else []
                )
            ]
            everything = seed_diagnostics + exported
            diagnostics.extend(everything)
            if not ok or any(d.level is Level.ERROR for d in everything):
                self.report.failed.append(display)
            elif any(d.level is Level.WARNING for d in everything):
                self.report.warned.append(display)
        for name in sorted(aggregates):
            if name in self.exporters:
                diagnostics.extend(diagnostics_from_rows(aggregates[name].diagnostics))
        self.report.diagnostics = diagnostics
        state = f"{STATE_DIR}/"
        self.report.written = [f for f in self.report.written if not f.startswith(state)]
        self.report.unchanged = len(
            {f for f in produced if not f.startswith(state)} - set(self.report.written)
        )


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove ``folder``, then each folder above it below ``root``, while they are empty: a
    page that moved (a new ``url_pattern``) leaves no empty folder behind."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent
