"""The engine: find seeds, parse each once, check them together, then fan out to the exporters,
rebuilding only what changed since the last export into the same folder.

The sequence is fixed (read, plan, parse, check the whole set, run the per-seed hooks, build
the aggregates, remove what is stale, record the state); the decisions are
:mod:`pipeline.plan`'s, the state :mod:`pipeline.state`'s, and exporters own only their format.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.blobs import BlobStore
from pipeline.config import Settings, setting_origin
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.discover import (
    SeedFile,
    SeedSet,
    discover_seeds,
    identify,
    is_ignored,
    read_seeds,
)
from pipeline.entries import StoredEntries, codec_for
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.frontmatter_keys import KNOWN_KEYS
from pipeline.inputs import all_unchanged
from pipeline.interrupt import ExportInterrupted, Interrupted, interruptible
from pipeline.lock import OutputLock
from pipeline.outfolder import (
    existing_outputs,
    known_outputs,
    listing,
    remove_empty_folders,
    still_there,
)
from pipeline.plan import (
    Facts,
    Scope,
    SeedEntry,
    SeedState,
    aggregate_members,
    aggregates_to_rebuild,
    entry_current,
    hooks_to_run,
    inputs_key,
    kept_records,
    needs_parse,
    out_of_date,
    publishes,
    reusable_record,
    set_aside,
    set_aside_records,
    set_problems_of,
    split_by_language,
    stale_files,
    unlinked,
    versions,
)
from pipeline.progress import Advance, Reporter, SilentReporter
from pipeline.registry import create_exporters, declared_outputs
from pipeline.state import (
    AggregateRecord,
    CachedEntry,
    OutputRecord,
    QuickView,
    SeedRecord,
    State,
    StateError,
    StateStore,
    cache_folder,
    check_rows,
    diagnostic_rows,
    diagnostics_from_rows,
    remove_legacy_state,
    state_folder,
)
from pipeline.translations import key_of as siblings_key
from pipeline.translations import siblings
from pipeline.urls import addresses
from pipeline.workers import (
    GC_THRESHOLD,
    AsideProcess,
    ExporterResult,
    ExportJob,
    Helper,
    SeedResult,
    SeedTask,
    SeedWorker,
    WorkerPool,
    give_back_memory,
    internal_error,
)
from pipeline.writer import OutputError, OutputWriter

__all__ = [
    "ExportReport",
    "SeedSet",
    "discover_seeds",
    "export",
    "few_collections",
    "is_ignored",
    "parse_key",
    "read_seeds",
]

_UNREAD = SeedFile(None, -1, -1)


@dataclass
class ExportReport:
    """What an export did."""

    seeds: list[str] = field(default_factory=list)
    other_languages: list[str] = field(default_factory=list)
    """Seeds found in languages ``--lang`` did not pick: checked with the set, not exported."""
    out_of_date: list[str] = field(default_factory=list)
    """Those of them the folder does not hold as they now are: new, changed, or linking
    versions that came, went or moved; an export that includes them brings them up to date."""
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
                "other_languages": len(self.other_languages),
                "out_of_date_paths": self.out_of_date,
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
    # The labels too: they decide whether a seed's language lacks some (a note).
    labels = json.dumps(settings.labels, sort_keys=True) if settings.labels else ""
    key = (
        f"{__version__}|{settings.limits()}|{settings.strict}|{settings.default_lang}"
        f"|{','.join(KNOWN_KEYS)}|{labels}"
    )
    # And the section headings each language has: one added is a section a seed now has.
    headings = resources.files("pipeline.i18n").joinpath("headings.toml").read_bytes()
    return hashlib.sha256(key.encode() + headings).hexdigest()[:16]


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
    languages: Sequence[str] = (),
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

    ``languages`` (BCP 47 tags; ``de`` takes ``de-AT`` too) exports only the seeds in them:
    the others are still read and checked with the set, so the versions of an exercise link
    each other, but what the folder holds of them stays as it was, out of date if they
    changed (:attr:`ExportReport.out_of_date`). A bad tag raises :class:`PipelineError`.

    SIGINT (Ctrl-C) and SIGTERM stop it cleanly, as :class:`ExportInterrupted`: the workers
    are stopped, no temp file is left and the lock is released; the build state is not
    changed, so the next export into ``out`` finishes what this one did not.
    """
    reporter = reporter or SilentReporter()
    scope = Scope.of(paths, _canonical(languages))
    exporters = create_exporters(formats, settings)
    seeds, warnings = discover_seeds(paths)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the output folder {out}: {error.strerror}") from None
    state = _state_folder(out, settings)
    tally = _Tally(reporter, len(seeds))
    options = _Options(
        seeds,
        out,
        settings,
        exporters,
        jobs or os.cpu_count() or 1,
        force,
        drafts,
        scope,
        tally,
    )
    options = dataclasses.replace(options, external=_external(options))
    with (
        _interruptible_export(tally),
        OutputLock(out, timeout=lock_timeout, on_wait=reporter.message, state=state),
        few_collections(),
        StateStore(state) as store,
    ):
        legacy = remove_legacy_state(out, state)
        seen = _Seen()
        report = _unchanged(options, store, seen)
        if report is None:
            with _helper(options, seen, store.folder) as helper:
                run = _Run(dataclasses.replace(options, seen=seen.stats), store, helper)
                report = run.execute()
    report.diagnostics[:0] = [
        *settings_warnings(exporters),
        *warnings,
        *([legacy] if legacy else []),
    ]
    return report


def settings_warnings(exporters: Sequence[Exporter]) -> list[Diagnostic]:
    """What the exporters warn about their settings (a label the cards cannot print), each
    at the place its setting's value comes from (the settings file, or its variable)."""
    return [
        Diagnostic(setting_origin(setting), 0, Level.WARNING, f"{e.name}: {message}")
        for e in exporters
        for setting, message in e.settings_warnings()
    ]


def _canonical(languages: Sequence[str]) -> list[str]:
    from pipeline.i18n import TagError, canonical_tag

    try:
        return [canonical_tag(tag) for tag in languages]
    except TagError as error:
        raise PipelineError(f"--lang: {error}") from None


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


UPDATE_SHARE = 0.1
"""An aggregate is told which entries changed (to update its files for those alone) when at
most this share of them did; past it, building it whole is about as quick."""


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run with the cyclic garbage collector's full passes put off.

    An export holds hundreds of thousands of long-lived objects (the build state, parsed models,
    entries); Python's default thresholds walk all of them again and again, which cost a third
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
        # What the run set apart from the collector (the build state) is its to walk again.
        gc.unfreeze()


def _state_folder(out: Path, settings: Settings) -> Path:
    state = state_folder(out, settings.state_dir)
    if state.resolve().is_relative_to(out.resolve()):
        # In the published folder, the state would be published too (and walked as output).
        raise PipelineError(
            f"state_dir {settings.state_dir} is inside the output folder {out}: choose a "
            "folder outside it"
        )
    return state


def run_key(parse_key: str, facts: Facts) -> str:
    """What, besides the seed files and the outputs on disk, decides what an export does: how
    seeds are read, which exporters run and how (their fingerprints), and whether drafts are
    published. Two runs with one key and the same files do the same."""
    key = json.dumps(
        [
            parse_key,
            list(facts.fingerprints.items()),
            facts.include_drafts,
            sorted(facts.external.items()),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _external(options: _Options) -> dict[str, str]:
    """What each aggregate of the run reads besides its entries, as its exporter keys it."""
    seeds = [seed.as_posix() for seed in options.seeds]
    keys = {e.name: e.external_key(seeds) for e in options.exporters if e.has_aggregate()}
    return {name: key for name, key in keys.items() if key}


@dataclass
class _Seen:
    """What the check for an export with nothing to do found of the seeds."""

    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Each seed's size and mtime, by path, if it stat'ed them."""
    changed: int | None = None
    """How many of them differ from the last run's record (None: not compared)."""


def _unchanged(options: _Options, store: StateStore, seen: _Seen) -> ExportReport | None:
    """The report of an export with nothing to do, told without loading the state: the same
    seeds with the same sizes and mtimes as the last run recorded, the same way of running
    them, and every output it recorded still there. ``None`` when any of that differs (or
    the last run left something to retry): the full run then works out what to do. What it
    found of the seeds on the way is put in ``seen``."""
    started = time.perf_counter()
    seeds, out = options.seeds, options.out
    view = _quick_view(options, store)
    if view is None or len(view.stats) != len(seeds):
        return None
    facts = Facts(
        fingerprints={e.name: e.fingerprint() for e in options.exporters},
        existing=frozenset(),
        include_drafts=options.drafts,
        external=options.external,
    )
    noop = _last_noop(view.noop, run_key(parse_key(options.settings), facts))
    if noop is None or not _same_files(seeds, view.stats, seen):
        return None
    if not all_unchanged(view.inputs):
        return None
    there = still_there(out, view.produced)
    if there is None:
        return None
    unchanged, relisted = there
    if relisted is not None:  # so the next run need not list those folders again
        store.set_meta("produced", relisted)
    with options.tally.phase("read", len(seeds)) as advance:
        advance(len(seeds))
    seconds = time.perf_counter() - started
    return ExportReport(
        seeds=[seed.as_posix() for seed in seeds],
        failed=noop.failed,
        warned=noop.warned,
        drafts=noop.drafts,
        unchanged=unchanged,
        phases={"read": seconds, "total": seconds},
        diagnostics=noop.diagnostics,
    )


def _helper(
    options: _Options, seen: _Seen, state: Path
) -> contextlib.AbstractContextManager[Helper | None]:
    """A worker to load, while the run reads the state, what parsing and exporting a seed
    take, when one seed changed and there is a core to spare (see :class:`Helper`)."""
    if seen.changed != 1 or options.jobs < 2:
        return contextlib.nullcontext()
    names = [exporter.name for exporter in options.exporters]
    return Helper(options.settings, names, options.out, state)


def _quick_view(options: _Options, store: StateStore) -> QuickView | None:
    """What the last run recorded for a run with nothing to do, unless this run rebuilds
    all, or picks languages (which seeds that leaves out only the full run can tell)."""
    return None if options.force or options.scope.languages else store.quick_view()


def _last_noop(text: str, key: str) -> _Said | None:
    """What the last run said a run with nothing to do reports, if it is for ``key``."""
    try:
        noop = json.loads(text) if text else None
        if type(noop) is not dict or noop.get("key") != key:
            return None
        return _Said(
            diagnostics_from_rows(check_rows(noop["diagnostics"])),
            *([str(p) for p in noop[name]] for name in ("failed", "warned", "drafts")),
        )
    except (ValueError, KeyError, TypeError, StateError):
        return None  # not as we wrote it: the full run reads the state, and says so


def _same_files(seeds: list[Path], stats: dict[str, tuple[int, int]], seen: _Seen) -> bool:
    """True when every seed has the size and mtime recorded for it in ``stats``; what they
    have, and how many differ, is put in ``seen``."""
    seen.stats = _stats(seeds)
    seen.changed = sum(stats.get(path) != stat for path, stat in seen.stats.items())
    return not seen.changed and len(seen.stats) == len(seeds)


def _stats(seeds: list[Path]) -> dict[str, tuple[int, int]]:
    """The size and mtime of each seed there is, by path."""
    stats = {}
    for seed in seeds:
        shown = seed.as_posix()
        try:
            stat = os.stat(shown)  # noqa: PTH116 (ten thousand a run, as plain strings)
        except OSError:
            continue
        stats[shown] = (stat.st_size, stat.st_mtime_ns)
    return stats


@dataclass(frozen=True)
class _Options:
    """What a run was asked to do, and how."""

    seeds: list[Path]
    out: Path
    settings: Settings
    exporters: list[Exporter]
    jobs: int
    force: bool
    drafts: bool
    scope: Scope
    tally: _Tally
    external: dict[str, str] = field(default_factory=dict)
    """What each aggregate reads besides its entries (see :func:`_external`)."""
    seen: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """The seeds' sizes and mtimes, by path, when the check for nothing to do took them."""


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
    """One export: the plan, the work in the fixed sequence, and the new state."""

    def __init__(self, options: _Options, store: StateStore, helper: Helper | None = None) -> None:
        seeds, out, settings, exporters = (
            options.seeds,
            options.out,
            options.settings,
            options.exporters,
        )
        self.out = out
        self.settings = settings
        self.options = options
        self.reporter = options.tally
        self.exporters = {e.name: e for e in exporters}
        self.names = tuple(self.exporters)
        self._said_order = sorted(self.exporters)
        """The exporters in the order a seed's report lists what they said."""
        self.aggregators = [e for e in exporters if e.has_aggregate()]
        self.store = store
        self.helper = helper
        # What the folder holds (kept, removed, carried over), even under --force.
        self.previous = store.load()
        self.trusted: dict[str, int] = {}
        """The output folders found with the mtimes the last run recorded."""
        self.parse_key = parse_key(settings)
        self.existing = self._existing()
        self.facts = self._facts(options)
        self.seeds = [
            SeedEntry(index, path, path.as_posix(), _UNREAD) for index, path in enumerate(seeds)
        ]
        self.by_display = {seed.display: seed for seed in self.seeds}
        self.in_scope = self.seeds
        """The seeds this run exports: all it found but those in languages not picked."""
        self.kept = kept_records(self.previous, self.by_display.keys(), options.scope)
        """Seeds outside this run's scope: their records, outputs and entries stay."""
        self.report = ExportReport(seeds=[s.display for s in self.seeds])
        self.report.diagnostics.extend(store.notes)
        self.writer = OutputWriter(
            out, existing=self.existing, declared=declared_outputs(exporters)
        )
        self.cached: dict[str, dict[str, CachedEntry]] = {}
        """Per rebuilt aggregate, the entries an earlier run stored (read back when built)."""
        self.made: dict[str, dict[str, CachedEntry]] = {e.name: {} for e in self.aggregators}
        """Per aggregate, the entries this run made."""
        self.results: dict[int, SeedResult] = {}
        self.unremoved: list[str] = []
        """Stale outputs this run could not remove."""
        self._said_by_seeds: _Said | None = None
        self._files_of_seeds: set[str] | None = None
        self._asides = contextlib.ExitStack()
        """The processes building an aggregate beside the run, stopped when it ends."""
        self._early: tuple[_Aggregate, AsideProcess] | None = None
        """The aggregate started beside the run as soon as its entries were made, if any."""
        self._aside_names: list[str] = []
        """The aggregates that may be built beside the run (see :meth:`_aside_candidates`)."""

    def _existing(self) -> set[str]:
        """Every file the output folder holds: from the last run's listing where its folders
        were left alone, else walked. A run that did not finish may have left temp files in
        folders of its own, so the run after it walks the whole folder."""
        known = None
        if self.previous.produced and not self.previous.interrupted:
            known = known_outputs(self.out, self.previous.produced, self.trusted)
        # Marked before anything is written, and cleared when the state is recorded.
        self.store.set_meta("running", "1")
        return existing_outputs(self.out) if known is None else known

    def _facts(self, options: _Options) -> Facts:
        return Facts(
            fingerprints={name: e.fingerprint() for name, e in self.exporters.items()},
            existing=self.existing,
            aggregators=tuple(e.name for e in self.aggregators),
            include_drafts=options.drafts,
            force=options.force,
            reparse_all=options.force or self.previous.parse_key != self.parse_key,
            linking=frozenset(e.name for e in self.exporters.values() if e.links_translations),
            external=options.external,
        )

    def execute(self) -> ExportReport:
        """Run the export: read, plan, parse, check, export, build the aggregates, remove what
        is stale, record the state, and report."""
        started = time.perf_counter()
        self._read()
        rebuild = aggregates_to_rebuild(self.previous, self.seeds, self.kept, self.facts)
        self.cached = {name: self.store.entries(name) for name in sorted(rebuild)}
        tasks = []
        for seed in self.seeds:
            seed.parse = needs_parse(seed, self.names, rebuild, self.cached, self.facts)
            if seed.parse:
                tasks.append(SeedTask(seed.index, seed.path, seed.display, seed.file.size))
        self.report.parsed = len(tasks)
        self.report.phases["read"] = time.perf_counter() - started
        self._aside_names = self._aside_candidates(rebuild)

        prepare = functools.partial(self._prepare, (set(self.names) if tasks else set()) | rebuild)
        with self._asides:
            with WorkerPool(
                self.options.jobs,
                self.settings,
                list(self.names),
                self.out,
                self.existing,
                self.store.folder,
                self.helper,
            ) as pool:
                pool.start(tasks, prepare)
                self._parse(pool, tasks)
                self._check_set()
                self._set_aside()
                self._export(pool, rebuild)
            self._record()
            aggregates = self._aggregates(rebuild)
        self._remove_stale(aggregates)
        produced = self._summarise(aggregates)
        self._commit(aggregates, produced)
        self.report.phases["total"] = time.perf_counter() - started
        return self.report

    # -- the sequence --------------------------------------------------------------------------

    def _read(self) -> None:
        max_bytes = self.settings.max_seed_bytes
        with self.reporter.phase("read", len(self.seeds)) as advance:
            for seed in self.seeds:
                seed.held = self.previous.seeds.get(seed.display)
                known = None if self.facts.reparse_all else seed.held
                seed.file = identify(
                    seed.path, known, max_bytes, self.options.seen.get(seed.display)
                )
                seed.reusable = reusable_record(seed.held, seed.file, self.facts)
                seed.outside = set_aside(seed, self.options.scope)
                advance(1)

    def _prepare(self, names: set[str]) -> None:
        for name in sorted(names):
            # Only a head start: if it fails, the call that needs it fails too, and that is
            # reported against each seed.
            with contextlib.suppress(Exception):
                self.exporters[name].prepare()

    def _parse(self, pool: WorkerPool, tasks: list[SeedTask]) -> None:
        if not tasks:
            return
        started = time.perf_counter()
        with self.reporter.phase("parse", len(tasks)) as advance:
            summaries = pool.parse(advance)
        self.report.phases["parse"] = time.perf_counter() - started
        for summary in summaries:
            seed = self.seeds[summary.index]
            seed.sha256 = summary.sha256
            seed.own = SeedState(
                summary.ok,
                summary.slug,
                summary.diagnostics,
                summary.draft,
                summary.lang,
                summary.translation_of,
                summary.translation_line,
                summary.inputs,
            )

    def _check_set(self) -> None:
        """Each seed's state after what only the whole set shows (two seeds with one slug in
        one language, a translation of nothing), and its other language versions."""
        for seed in self.seeds:
            if seed.own is None:
                record = seed.reusable
                assert record is not None  # a seed without a usable record is parsed
                seed.sha256 = record.sha256
                diagnostics = diagnostics_from_rows(record.diagnostics)
                seed.own = SeedState(
                    record.ok,
                    record.slug,
                    diagnostics,
                    record.draft,
                    record.lang,
                    record.translation_of,
                    record.translation_line,
                    tuple(record.inputs),
                )
            seed.state = seed.own.checked()
        default_lang = self.settings.default_lang
        problems = set_problems_of(
            self.seeds, self.kept, self.out, default_lang, addresses(self.settings)
        )
        for display, errors in problems.items():
            state = self.by_display[display].state
            assert state is not None
            state.ok = False
            state.diagnostics.extend(errors)
        self._link_versions()

    def _link_versions(self) -> None:
        """Each published seed's other language versions, among the published seeds."""
        published = [s for s in self.seeds if s.state is not None and self._exported(s.state)]
        kept = {d: r for d, r in self.kept.items() if r.ok and publishes(self.facts, r.draft)}
        found = siblings(versions(published, kept), self.settings.default_lang)
        for seed in self.seeds:
            seed.siblings = found.get(seed.display, ())
            seed.siblings_key = siblings_key(found, seed.display)
        for display in unlinked(kept, found, self.facts):
            self.report.diagnostics.append(
                Diagnostic(
                    display,
                    0,
                    Level.NOTE,
                    "its page and JSON-LD, from an earlier export, do not link its language "
                    "versions as they are now (one came, went or moved in this run): export "
                    "it too, or the whole folder, to link them both ways",
                )
            )

    def _set_aside(self) -> None:
        """Leave the seeds in languages --lang did not pick out of the rest of the run: they
        took part in the checks and links, and what the folder holds of them stays."""
        scope = self.options.scope
        if not scope.languages:
            return
        self.in_scope, outside = split_by_language(self.seeds, scope)
        self.kept.update(set_aside_records(outside))
        report = self.report
        report.seeds = [s.display for s in self.in_scope]
        report.other_languages = [s.display for s in outside]
        # Out of date: new, changed, or linking versions of it that came, went or moved.
        report.out_of_date = [s.display for s in outside if self._stale_aside(s)]
        if not self.in_scope:
            report.diagnostics.append(_no_seed_in(str(self.out), scope.languages, outside))

    def _stale_aside(self, seed: SeedEntry) -> bool:
        return out_of_date(seed) or self._versions_moved(seed)

    def _export(self, pool: WorkerPool, rebuild: set[str]) -> None:
        jobs = [job for seed in self.seeds if (job := self._job(seed, rebuild)) is not None]
        if not jobs:
            return
        started = time.perf_counter()
        first = self._aside_names[:1]
        meanwhile = functools.partial(self._start_early, first[0]) if first else None
        with self.reporter.phase("export", len(jobs)) as advance:
            results = pool.export(jobs, advance, first, meanwhile)
        self.report.phases["export"] = time.perf_counter() - started
        for result in results:
            self._take(result)

    def _aside_candidates(self, rebuild: set[str]) -> list[str]:
        """The aggregators to rebuild that may be built beside the run, the first first:
        those that update from their changes, when there is a worker to spare and more than
        one aggregate to build."""
        names = [e.name for e in self.aggregators if e.name in rebuild]
        if len(names) < 2 or self.options.jobs < 2 or not AsideProcess.possible():
            return []
        return [name for name in names if self.exporters[name].updates_aggregate]

    def _start_early(self, name: str, early: list[SeedResult]) -> None:
        """Start building the aggregate ``name`` beside the run while the other hooks run
        (``early`` is what its hooks made), if it is to be updated from its changes: it
        need not wait for them (a card's drawing)."""
        for result in early:
            seed = self.seeds[result.index]
            if name in result.outputs:
                self._keep_entry(seed, name, result.outputs[name])
        members = aggregate_members(self.in_scope, self.kept, self.facts)
        aggregate = self._gather(self.exporters[name], members)
        self._plan(aggregate)
        if self._may_build_aside(aggregate):
            beside = AsideProcess(functools.partial(self._build, aggregate), self.out)
            self._early = (aggregate, self._asides.enter_context(beside))

    def _job(self, seed: SeedEntry, rebuild: set[str]) -> ExportJob | None:
        """The per-seed work for a published seed: it was parsed and has hooks to run, or
        it was not, but its other language versions changed (then a worker reads it now)."""
        if seed.outside or seed.state is None or not self._exported(seed.state):
            return None
        if not seed.parse and not self._versions_moved(seed):
            return None
        seed.exporters = hooks_to_run(seed, self.names, rebuild, self.cached, self.facts)
        if not seed.exporters:
            return None
        if seed.parse:
            return ExportJob(seed.index, seed.exporters, translations=_linked(seed))
        return ExportJob(seed.index, seed.exporters, self._task(seed), seed.sha256, _linked(seed))

    def _versions_moved(self, seed: SeedEntry) -> bool:
        """True when a seed's outputs that link its other language versions were made with
        versions other than the set now has."""
        record = seed.reusable
        if record is None or not self.facts.linking:
            return False
        return any(
            (output := record.outputs.get(name)) is not None
            and output.fingerprint != self.facts.fingerprint(name, seed)
            for name in self.facts.linking
        )

    @staticmethod
    def _task(seed: SeedEntry) -> SeedTask:
        return SeedTask(seed.index, seed.path, seed.display, seed.file.size)

    def _exported(self, state: SeedState) -> bool:
        return state.ok and publishes(self.facts, state.draft)

    def _take(self, result: SeedResult) -> None:
        """What a worker did for one seed: its files claimed, its entries kept."""
        seed = self.seeds[result.index]
        self.results[result.index] = result
        for name, output in result.outputs.items():
            self.report.seconds[name] = self.report.seconds.get(name, 0.0) + output.seconds
            self.report.written.extend(output.written)
            # Written in another process, perhaps: each file has one owner in a run.
            for error in self.writer.record_claims(name, output.files):
                output.diagnostics.append(Diagnostic(seed.display, 0, Level.ERROR, str(error)))
            self._keep_entry(seed, name, output)

    def _keep_entry(self, seed: SeedEntry, name: str, output: ExporterResult) -> None:
        """Keep the entry a seed's hook made for an aggregate."""
        if output.entry is not None and name in self.made:
            self.made[name][seed.display] = CachedEntry(
                seed.sha256 or "", self.facts.fingerprints[name], output.entry
            )

    def _outputs(self, seed: SeedEntry, state: SeedState) -> dict[str, OutputRecord]:
        """What the folder holds of a seed after this run: what its hooks made now, and what
        earlier runs made that is still current."""
        outputs = dict(seed.held.outputs) if seed.held else {}
        if state.ok and not publishes(self.facts, state.draft):
            return {}  # an unpublished draft: what it had is removed
        result = self.results.get(seed.index)
        for name, output in result.outputs.items() if result else ():
            files = output.files
            failed = any(d.level is Level.ERROR for d in output.diagnostics)
            if failed and name in outputs:
                # What the last good run wrote stays and is not removed as stale.
                files = sorted(set(files) | set(outputs[name].files))
            outputs[name] = OutputRecord(
                # A failed output is retried next run, whatever else changed.
                fingerprint="" if failed else self.facts.fingerprint(name, seed),
                files=files,
                diagnostics=diagnostic_rows(output.diagnostics),
            )
        return outputs

    def _record(self) -> None:
        """What this run records of each seed."""
        for seed in self.in_scope:
            own, state = seed.own, seed.state
            assert own is not None and state is not None
            if self._as_held(seed, state):
                seed.record = seed.held
                continue
            outputs = self._outputs(seed, state)
            # The parse's own hash: if the file changed after it was stat'ed, its mtime
            # differs next time and it is read again.
            seed.record = SeedRecord(
                sha256=seed.sha256 or "",
                slug=own.slug,
                ok=own.ok,
                size=seed.file.size,
                mtime_ns=seed.file.mtime_ns,
                diagnostics=diagnostic_rows(own.diagnostics),
                outputs=outputs,
                draft=own.draft,
                lang=own.lang,
                translation_of=own.translation_of,
                translation_line=own.translation_line,
                inputs=list(own.inputs),
            )

    def _as_held(self, seed: SeedEntry, state: SeedState) -> bool:
        """True when this run records of a seed just what the last run did: it was not read
        again (so its state is the record's), at the same size and mtime, no hook ran for it,
        and it keeps its outputs (it is not a draft held back)."""
        held = seed.held
        return (
            held is not None
            and not seed.parse
            and seed.reusable is held
            and seed.index not in self.results
            and (held.size, held.mtime_ns) == (seed.file.size, seed.file.mtime_ns)
            and not (state.ok and not publishes(self.facts, state.draft))
        )

    def _aggregates(self, rebuild: set[str]) -> dict[str, AggregateRecord]:
        aggregates = {
            name: record for name, record in self.previous.aggregates.items() if name not in rebuild
        }
        if not rebuild:
            return aggregates
        members = aggregate_members(self.in_scope, self.kept, self.facts)
        records: list[tuple[str, SeedRecord | None]] = [
            (s.display, s.record) for s in self.in_scope
        ]
        key = inputs_key([*records, *self.kept.items()], self.facts)
        gathered = [
            self._gathered(exporter, members)
            for exporter in self.aggregators
            if exporter.name in rebuild
        ]
        builds = self._build_all(gathered)
        if any(built.damaged for built in builds):
            builds = self._repair(gathered, builds)
        for aggregate, built in zip(gathered, builds, strict=True):
            aggregates[aggregate.exporter.name] = self._absorb(aggregate, built, key)
        return aggregates

    def _gathered(
        self, exporter: Exporter, members: list[tuple[str, SeedEntry | None]]
    ) -> _Aggregate:
        """The aggregate of ``exporter``: gathered now, or when it was started early."""
        if self._early is not None and self._early[0].exporter is exporter:
            return self._early[0]
        return self._gather(exporter, members)

    def _gather(
        self, exporter: Exporter, members: list[tuple[str, SeedEntry | None]]
    ) -> _Aggregate:
        """One aggregate's members' entries: made in this run, or stored."""
        name = exporter.name
        aggregate = _Aggregate(exporter)
        for display, seed in members:
            entry = self._kept_entry(display, name) if seed is None else self._entry(seed, name)
            if entry is not None:
                aggregate.entries.append(entry)
                aggregate.members.append((display, seed))
            elif seed is None and not self.kept[display].draft:
                aggregate.missing.append(display)
            # else: its hook failed, and that was reported
        return aggregate

    def _build_all(self, gathered: list[_Aggregate]) -> list[_Built]:
        """Build the aggregates one after another, each in its phase. With a worker to spare,
        one that updates its files from the entries that changed is built meanwhile in a
        process of its own, started as soon as it is planned: it reads so little that this
        costs little memory. (Aggregates built whole side by side, in forked processes, saved
        a tenth of a one-seed change and cost a third more memory.)"""
        built: dict[int, _Built] = {}
        aside, beside = self._planned(gathered)
        for number, aggregate in enumerate(gathered):
            if aggregate is not aside:
                with self.reporter.phase(aggregate.exporter.name, 1) as advance:
                    built[number] = self._build(aggregate)
                    advance(1)
        self._while_building()
        if aside is not None and beside is not None:
            with self.reporter.phase(aside.exporter.name, 1) as advance:
                built[gathered.index(aside)] = self._claimed(aside, beside.result())
                advance(1)
        return [built[number] for number in range(len(gathered))]

    def _planned(
        self, gathered: list[_Aggregate]
    ) -> tuple[_Aggregate, AsideProcess] | tuple[None, None]:
        """Plan each aggregate, and start the first that may be built beside the run in a
        process of its own (unless one was started as soon as its entries were made): that
        one, and its process."""
        aside, beside = self._early or (None, None)
        # Those that may update from their changes first, so one can start at once.
        for aggregate in sorted(gathered, key=lambda a: not a.exporter.updates_aggregate):
            if aggregate is aside:
                continue  # planned and started already
            self._plan(aggregate)
            if aside is None and self._may_build_aside(aggregate):
                call = functools.partial(self._build, aggregate)
                aside, beside = aggregate, self._asides.enter_context(AsideProcess(call, self.out))
        return (aside, beside) if aside is not None and beside is not None else (None, None)

    def _plan(self, aggregate: _Aggregate) -> None:
        """What building the aggregate takes: its key, whether its last build still holds,
        and the entries that changed since, for an exporter that updates from those."""
        exporter = aggregate.exporter
        aggregate.key = self.facts.aggregate_key(exporter.name, aggregate.digest())
        aggregate.kept = self._unchanged(exporter.name, aggregate.key)
        aggregate.changes = None
        if aggregate.kept is None and exporter.updates_aggregate:
            aggregate.changes = self._changes(aggregate)

    def _may_build_aside(self, aggregate: _Aggregate) -> bool:
        """Whether to build the aggregate in a process of its own: it is to be updated from
        its changed entries, there is more to do meanwhile, and a worker to spare."""
        return (
            aggregate.kept is None
            and aggregate.changes is not None
            and aggregate.exporter.name in self._aside_names
        )

    def _claimed(self, aggregate: _Aggregate, built: _Built) -> _Built:
        """An aggregate built in another process, with its files claimed in this one."""
        name = aggregate.exporter.name
        for error in self.writer.record_claims(name, [*built.written, *built.unchanged]):
            built.diagnostics.append(Diagnostic(str(self.out), 0, Level.ERROR, str(error)))
        return built

    def _build(self, aggregate: _Aggregate) -> _Built:
        """Read the entries back and write the aggregate: what it wrote and said. Entries that
        cannot be read are named instead."""
        exporter = aggregate.exporter
        started = time.perf_counter()
        if not aggregate.key:
            self._plan(aggregate)
        digest, kept, changes = aggregate.key, aggregate.kept, aggregate.changes
        if kept is not None:
            return _Built(
                unchanged=list(kept.files),
                diagnostics=diagnostics_from_rows(kept.diagnostics),
                seconds=time.perf_counter() - started,
                entries=digest,
            )
        codec = codec_for(exporter.entry_type)
        values: Sequence[Any]
        if changes is None:
            values = codec.decode_all(self._entry_data(aggregate))
            damaged = [number for number, value in enumerate(values) if value is None]
            if damaged:
                return _Built(damaged=damaged)
        else:
            values = StoredEntries(
                codec, len(aggregate.entries), functools.partial(self._entry_data, aggregate)
            )
        writer = self.writer.sibling(exporter.name)
        context = ExportContext(
            writer=writer,
            settings=self.settings,
            updatable=self._updatable(exporter.name),
            blobs=BlobStore(cache_folder(self.store.folder, exporter.name)),
        )
        if changes is not None:
            context.changes = changes
            context.last_files = tuple(self.previous.aggregates[exporter.name].files)
        self._export_all(exporter, values, context)
        if changes is None:  # a whole build: what it read and made is let go
            del values
            give_back_memory()
        seconds = time.perf_counter() - started
        return _Built(
            writer.written, writer.unchanged, context.diagnostics, seconds, entries=digest
        )

    def _export_all(
        self, exporter: Exporter, values: Sequence[Any], context: ExportContext
    ) -> None:
        """Call the exporter's aggregate hook; what goes wrong is said in ``context``."""
        try:
            exporter.export_all(values, context)
        except OutputError as error:
            context.diagnostics.append(Diagnostic(str(self.out), 0, Level.ERROR, str(error)))
        except Exception as error:  # a bug in one exporter must not cost the others
            context.diagnostics.append(internal_error(str(self.out), exporter.name, error))

    def _changes(self, aggregate: _Aggregate) -> list[tuple[Any, Any]] | None:
        """The entries made in this run that differ from those the aggregate's files were
        last built from, each as ``(last, now)``, read back; None unless the files can be
        updated for those alone: built whole from the entries that are left, the same members
        in the same order (their hash says so), and each entry, old and new, readable."""
        name = aggregate.exporter.name
        last = self.previous.aggregates.get(name)
        if last is None or not last.entries or not self._updatable(name):
            return None
        changed = aggregate.replaced(self.made[name], self.cached[name])
        if not changed or len(changed) > UPDATE_SHARE * len(aggregate.entries):
            return None
        digests = {number: before.digest for number, before in changed.items()}
        if self.facts.aggregate_key(name, aggregate.digest(digests)) != last.entries:
            return None
        displays = [aggregate.members[number][0] for number in changed]
        data = self.store.entry_data(name, displays)
        before_data = {
            number: _checked(data.get(display, b""), before.digest)
            for (number, before), display in zip(changed.items(), displays, strict=True)
        }
        return _read_changes(aggregate, before_data)

    def _entry_data(self, aggregate: _Aggregate) -> list[bytes]:
        """The JSON of the aggregate's entries, those stored read from the state (once); one
        whose bytes are not those its hash names reads as no entry, and is made again."""
        if any(entry.data is None for entry in aggregate.entries):
            stored = self.store.entry_data(aggregate.exporter.name)
            for (display, _), entry in zip(aggregate.members, aggregate.entries, strict=True):
                if entry.data is None:
                    entry.data = _checked(stored.get(display, b""), entry.digest)
        return [entry.data or b"" for entry in aggregate.entries]

    def _unchanged(self, name: str, digest: str) -> AggregateRecord | None:
        """The last build of the aggregate, when it was built from entries of these bytes (an
        edit that changes nothing it shows) and its files are all in place: nothing to do."""
        last = self.previous.aggregates.get(name)
        if last is None or last.entries != digest or not self._updatable(name):
            return None
        return last if all(path in self.existing for path in last.files) else None

    def _updatable(self, name: str) -> bool:
        """Whether the aggregate's files are what its last build wrote, whole, with this
        fingerprint, from seeds read as they are read now (see ExportContext.updatable)."""
        last = self.previous.aggregates.get(name)
        return (
            last is not None
            and bool(last.inputs)
            and last.fingerprint == self.facts.fingerprints[name]
            and not self.facts.reparse_all
            and not self.previous.interrupted
        )

    def _repair(self, gathered: list[_Aggregate], builds: list[_Built]) -> list[_Built]:
        """Make again, in this process, the entries an earlier run stored that cannot be read
        (damaged, or of another shape), each seed parsed once, then build those aggregates."""
        hooks: dict[int, list[str]] = {}
        for aggregate, built in zip(gathered, builds, strict=True):
            name = aggregate.exporter.name
            if built.damaged:
                self.report.diagnostics.append(
                    Diagnostic(
                        self.store.path.as_posix(),
                        0,
                        Level.NOTE,
                        f"{name}: {len(built.damaged)} stored entries cannot be read; "
                        "they are made again",
                    )
                )
            for number in built.damaged:
                seed = aggregate.members[number][1]
                if seed is not None:
                    hooks.setdefault(seed.index, []).append(name)
        self._export_here(hooks)
        repaired = []
        for aggregate, built in zip(gathered, builds, strict=True):
            if built.damaged:
                aggregate.rebuild(set(built.damaged), self.made[aggregate.exporter.name])
                with self.reporter.phase(aggregate.exporter.name, 1) as advance:
                    built = self._build(aggregate)
                    advance(1)
            repaired.append(built)
        return repaired

    def _export_here(self, hooks: dict[int, list[str]]) -> None:
        """Parse these seeds and run these hooks of each (by seed index), in this process."""
        if not hooks:
            return
        names = sorted({name for wanted in hooks.values() for name in wanted})
        worker = SeedWorker(self.settings, names, self.out, self.existing, self.store.folder)
        seeds = [self.seeds[index] for index in sorted(hooks)]
        tasks = [SeedTask(s.index, s.path, s.display, s.file.size) for s in seeds]
        parsed = {summary.index: summary.sha256 for summary in worker.parse(tasks)}
        self.report.parsed += len(tasks)
        jobs = [
            ExportJob(s.index, tuple(hooks[s.index])) for s in seeds if parsed[s.index] == s.sha256
        ]
        for result in worker.export(jobs):
            self._take(result)

    def _absorb(self, aggregate: _Aggregate, built: _Built, key: str) -> AggregateRecord:
        """What this run records of an aggregate it built."""
        name = aggregate.exporter.name
        if aggregate.missing:
            self.report.diagnostics.append(_left_out(str(self.out), name, aggregate.missing))
        self.report.seconds[name] = self.report.seconds.get(name, 0.0) + built.seconds
        self.report.written.extend(built.written)
        files = built.written + built.unchanged
        # Built in part from what an earlier run left (missing seeds, or entries a kept seed's
        # export made with other settings): the next run builds it again.
        fingerprint = self.facts.fingerprints[name]
        stale = bool(aggregate.missing) or any(
            e.fingerprint != fingerprint for e in aggregate.entries
        )
        inputs = "" if stale else self.facts.aggregate_key(name, key)
        if any(d.level is Level.ERROR for d in built.diagnostics):
            # What the last good run built stays, and is not removed as stale; the aggregate
            # is retried next run even when nothing else changed.
            previous = self.previous.aggregates.get(name)
            files += previous.files if previous else []
            inputs = ""
        return AggregateRecord(
            fingerprint=fingerprint,
            inputs=inputs,
            files=sorted(set(files)),
            diagnostics=diagnostic_rows(built.diagnostics),
            entries=built.entries if inputs else "",
        )

    def _entry(self, seed: SeedEntry, name: str) -> CachedEntry | None:
        """A seed's entry as this run made it, or as an earlier run stored it for its bytes."""
        made = self.made[name].get(seed.display)
        if made is not None:
            return made
        stored = self.cached[name].get(seed.display)
        return stored if entry_current(stored, seed.sha256 or "", name, self.facts) else None

    def _kept_entry(self, display: str, name: str) -> CachedEntry | None:
        """The stored entry of a seed outside this run's scope, as its last export made it
        (with other settings, perhaps, like its own outputs), if it is for the same bytes."""
        entry = self.cached[name].get(display)
        if entry is None or entry.sha256 != self.kept[display].sha256:
            return None
        if entry.fingerprint != self.facts.fingerprints[name] and self.facts.reparse_all:
            return None  # from another version of the pipeline: its form may differ
        return entry

    def _held(self) -> dict[str, SeedRecord]:
        records = {s.display: s.record for s in self.in_scope if s.record is not None}
        return {**records, **self.kept} if self.kept else records

    def _remove_stale(self, aggregates: dict[str, AggregateRecord]) -> None:
        files = [a.files for a in aggregates.values()]
        for stale in stale_files(self.previous, self._held().values(), files):
            try:
                target = self.writer.target(stale)
                target.unlink()
                self.report.removed.append(stale)
                remove_empty_folders(target.parent, self.writer.root)
            except FileNotFoundError:
                pass
            except (OSError, PipelineError) as error:
                self.unremoved.append(stale)  # tried again by the next run
                self.report.diagnostics.append(
                    Diagnostic(stale, 0, Level.WARNING, f"cannot remove a stale output: {error}")
                )

    def _commit(self, aggregates: dict[str, AggregateRecord], produced: set[str]) -> None:
        new = State(self.parse_key, self._held(), aggregates)
        meta = {
            "noop": self._noop(aggregates),
            "produced": listing(
                self.out,
                produced,
                self.trusted,
                touched=[*self.writer.claimed(), *self.report.removed, *self.unremoved],
            ),
            "running": "",
            "unremoved": json.dumps(self.unremoved),
        }
        try:
            self.store.commit(self.previous, new, self.made, meta=meta)
        except (sqlite3.Error, OSError) as error:
            # The outputs written are complete; the next run rebuilds what it cannot tell.
            self.report.diagnostics.append(
                Diagnostic(
                    self.store.path.as_posix(),
                    0,
                    Level.ERROR,
                    f"cannot record the build state: {error}",
                )
            )

    def _exporters_said(self, record: SeedRecord) -> list[Diagnostic]:
        """What this run's exporters said of a seed, by exporter name (as recorded: an
        output not rebuilt says again what it said when it was built)."""
        outputs = record.outputs
        return [
            d
            for name in self._said_order
            if (output := outputs.get(name)) is not None and output.diagnostics
            for d in diagnostics_from_rows(output.diagnostics)
        ]

    def _summarise(self, aggregates: dict[str, AggregateRecord]) -> set[str]:
        """The report's lists and diagnostics; returns every file the folder now holds."""
        said = self._said(aggregates, now=True)
        self._said_now = said
        self.report.diagnostics = [*self.report.diagnostics, *said.diagnostics]
        self.report.failed, self.report.warned = said.failed, said.warned
        self.report.drafts = said.drafts
        produced = set(self._seeds_files())
        produced.update(f for a in aggregates.values() for f in a.files)
        self.report.unchanged = len(produced - set(self.report.written))
        return produced

    def _said(self, aggregates: dict[str, AggregateRecord], *, now: bool) -> _Said:
        """What the seeds and aggregates say: in this run (``now``), or in the next if it has
        nothing to do (a draft's note then says its outputs are gone, not going)."""
        seeds = self._seeds_said(now=now)
        said = _Said([*seeds.diagnostics], [*seeds.failed], [*seeds.warned], [*seeds.drafts])
        for name in sorted(aggregates):
            if name in self.exporters:
                said.diagnostics.extend(diagnostics_from_rows(aggregates[name].diagnostics))
        return said

    def _seeds_said(self, *, now: bool) -> _Said:
        """What the seeds say (see :meth:`_said`); in this run, worked out once."""
        if now and self._said_by_seeds is not None:
            return self._said_by_seeds
        said = _Said()
        for seed in self.in_scope:
            state, record = seed.state, seed.record
            assert state is not None and record is not None
            held_back = state.ok and not publishes(self.facts, state.draft)
            diagnostics = self._seed_said(seed, seed.held if now else record)
            said.add(seed.display, diagnostics, ok=state.ok, held_back=held_back)
        if now:
            self._said_by_seeds = said
        return said

    def _seeds_files(self) -> set[str]:
        """Every file of the seeds this run records (worked out once)."""
        if self._files_of_seeds is None:
            held = self._held().values()
            self._files_of_seeds = {f for r in held for o in r.outputs.values() for f in o.files}
        return self._files_of_seeds

    def _while_building(self) -> None:
        """What the run works out while an aggregate is built beside it: what the seeds say,
        and their files (neither depends on an aggregate)."""
        self._seeds_said(now=True)
        self._seeds_files()

    def _seed_said(self, seed: SeedEntry, held: SeedRecord | None) -> list[Diagnostic]:
        """What was said of one seed: by the parse and the checks, then by each exporter."""
        state, record = seed.state, seed.record
        assert state is not None and record is not None
        said = list(state.diagnostics)
        if state.ok and not publishes(self.facts, state.draft):
            said.append(_draft_note(seed.display, held))
        if state.ok:
            said.extend(self._exporters_said(record))
        return said

    def _retries(self, aggregates: dict[str, AggregateRecord]) -> bool:
        """True when the next run has an output, an aggregate or a removal to try again."""
        return (
            bool(self.unremoved)
            or any(
                o.fingerprint == ""
                for s in self.in_scope
                if s.record
                for o in s.record.outputs.values()
            )
            or any(aggregates.get(e.name, _NO_AGGREGATE).inputs == "" for e in self.aggregators)
        )

    def _noop(self, aggregates: dict[str, AggregateRecord]) -> str:
        """What the next run reports if nothing changes, as JSON with the key of this run's
        inputs; empty when the next run has work of its own (an output or aggregate to retry,
        seeds kept from other exports)."""
        if self.kept or self.report.other_languages or self._retries(aggregates):
            return ""
        # The next run says what this one did, unless a draft's outputs were removed now.
        removed_now = any(
            s.held and s.held.outputs and s.state and not self._exported(s.state) and s.state.ok
            for s in self.in_scope
        )
        said = self._said(aggregates, now=False) if removed_now else self._said_now
        return json.dumps(
            {
                "key": run_key(self.parse_key, self.facts),
                "failed": said.failed,
                "warned": said.warned,
                "drafts": said.drafts,
                "diagnostics": diagnostic_rows(said.diagnostics),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def _linked(seed: SeedEntry) -> tuple[Any, ...]:
    """The seed's other language versions, as the model has them."""
    if not seed.siblings:
        return ()
    from pipeline.model import Translation, build

    return tuple(
        build(Translation, lang=s.lang, slug=s.slug, original=s.original) for s in seed.siblings
    )


def _no_seed_in(out: str, languages: Sequence[str], seeds: list[SeedEntry]) -> Diagnostic:
    """The warning of an export whose --lang picks none of the seeds found."""
    found = sorted({s.own.lang for s in seeds if s.own is not None})
    return Diagnostic(
        out,
        0,
        Level.WARNING,
        f"--lang {' '.join(languages)}: no seed is in that language "
        f"(the seeds are in {', '.join(found)})",
    )


def _draft_note(display: str, held: SeedRecord | None) -> Diagnostic:
    if held is not None and held.outputs:
        message = "a draft (draft: true): not exported, and its earlier outputs are removed"
    else:
        message = "a draft (draft: true): checked, not exported (export --drafts to include it)"
    return Diagnostic(display, 0, Level.NOTE, message)


_NO_AGGREGATE = AggregateRecord("", "", [])


@dataclass
class _Said:
    """What an export says of its seeds: every diagnostic, and which seeds failed, warned or
    are drafts held back."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)

    def add(self, display: str, said: list[Diagnostic], *, ok: bool, held_back: bool) -> None:
        """One seed's diagnostics, and where it stands (``held_back``: a draft not exported)."""
        self.diagnostics.extend(said)
        if held_back:
            self.drafts.append(display)
        if ok and not said:  # most seeds: nothing to look through
            return
        if not ok or any(d.level is Level.ERROR for d in said):
            self.failed.append(display)
        elif any(d.level is Level.WARNING for d in said):
            self.warned.append(display)


@dataclass
class _Aggregate:
    """One aggregate to build: its exporter, and its members' entries in slug order."""

    exporter: Exporter
    entries: list[CachedEntry] = field(default_factory=list)
    members: list[tuple[str, SeedEntry | None]] = field(default_factory=list)
    """Each entry's seed path, and the seed of this run (``None`` for a kept one)."""
    missing: list[str] = field(default_factory=list)
    """Kept seeds whose entries are not stored: left out, and said so."""
    hashes: list[bytes] | None = None
    """Each member's entry's hash, with its seed's path, once worked out."""
    key: str = ""
    """Its key for this build (see :meth:`Facts.aggregate_key`), once planned."""
    kept: AggregateRecord | None = None
    """Its last build, when that still holds."""
    changes: list[tuple[Any, Any]] | None = None
    """The entries that changed since its last build, as ``(last, now)``, when it can be
    updated from those alone."""

    def digest(self, instead: Mapping[int, bytes] | None = None) -> str:
        """A hash of the members' entries, each with its seed's path, in order; with
        ``instead``, with the entries of these hashes at these places (by number) in place of
        theirs."""
        if self.hashes is None:
            self.hashes = [
                _entry_hash(display, entry.digest)
                for (display, _), entry in zip(self.members, self.entries, strict=True)
            ]
        hashes = list(self.hashes) if instead else self.hashes
        for number, data in (instead or {}).items():
            hashes[number] = _entry_hash(self.members[number][0], data)
        return hashlib.sha256(b"".join(hashes)).hexdigest()

    def replaced(
        self, made: Mapping[str, CachedEntry], stored: Mapping[str, CachedEntry]
    ) -> dict[int, CachedEntry] | None:
        """The stored entries that entries ``made`` in this run replace with others, by their
        place among the members; None when a member has no stored entry to replace."""
        changed: dict[int, CachedEntry] = {}
        for number, (display, _) in enumerate(self.members):
            entry = made.get(display)
            if entry is None:
                continue  # the stored one
            before = stored.get(display)
            if before is None:
                return None
            if before.digest != entry.digest:
                changed[number] = before
        return changed

    def rebuild(self, damaged: set[int], made: dict[str, CachedEntry]) -> None:
        """Put the entries made again in place of the ``damaged`` ones; a kept seed's, which
        cannot be made again here, is left out (and said so)."""
        entries, members = [], []
        for number, (display, seed) in enumerate(self.members):
            entry = made.get(display) if number in damaged else self.entries[number]
            if entry is not None:
                entries.append(entry)
                members.append((display, seed))
            elif seed is None:
                self.missing.append(display)
        self.entries, self.members = entries, members
        self.hashes, self.key = None, ""


def _read_changes(aggregate: _Aggregate, changed: dict[int, bytes]) -> list[tuple[Any, Any]] | None:
    """Each changed entry of ``aggregate`` (by number, with the bytes it replaces) as
    ``(last, now)``, read back; None when one cannot be read."""
    codec = codec_for(aggregate.exporter.entry_type)
    try:
        return [
            (codec.decode(data), codec.decode(aggregate.entries[number].data or b""))
            for number, data in changed.items()
        ]
    except ValueError:
        return None


def _checked(data: bytes, digest: bytes) -> bytes:
    """A stored entry's JSON, or nothing (which reads as no entry) when it is not the bytes
    its stored hash names: the hashes decide what an update need not read again."""
    return data if hashlib.sha256(data).digest() == digest else b""


def _entry_hash(display: str, digest: bytes) -> bytes:
    """An entry's hash with its seed's path."""
    return hashlib.sha256(display.encode("utf-8", "surrogateescape") + b"\0" + digest).digest()


@dataclass
class _Built:
    """What building an aggregate wrote and said, or which of its entries could not be read."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    damaged: list[int] = field(default_factory=list)
    entries: str = ""
    """The hash of the entries it was built from (see :meth:`_Aggregate.digest`)."""
