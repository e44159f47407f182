"""Parse and per-seed export, in this process or in worker processes.

A seed is parsed once, by the worker it is given to, and its model stays in that worker:
the export phase sends each seed back to the worker that parsed it, so no model ever crosses a
process boundary. Only small summaries, file lists, diagnostics and digests travel.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.parser import parse_seed
from pipeline.registry import create_exporters
from pipeline.writer import OutputError, OutputWriter

BATCH = 32
GC_THRESHOLD = (100_000, 50, 1_000)
"""Collector thresholds for a run: see :func:`pipeline.engine.few_collections`."""
_PR_SET_PDEATHSIG = 1


class WorkerError(PipelineError):
    """A worker process died (killed, or out of memory) before it finished its share."""


@dataclass(frozen=True, slots=True)
class SeedTask:
    """A seed to parse: its position in the run and its path."""

    index: int
    path: Path
    display: str


@dataclass(slots=True)
class ParseSummary:
    """What the engine needs to know of a parsed seed (the model stays in the worker)."""

    index: int
    path: str
    sha256: str | None
    slug: str | None
    ok: bool
    diagnostics: list[Diagnostic]


@dataclass(frozen=True, slots=True)
class ExportJob:
    """Per-seed work for one parsed seed: which exporters write, which give a digest."""

    index: int
    export: tuple[str, ...]
    digest: tuple[str, ...]


@dataclass(slots=True)
class ExporterResult:
    """What one exporter did for one seed."""

    files: list[str]
    written: list[str]
    diagnostics: list[Diagnostic]
    seconds: float


@dataclass(slots=True)
class SeedResult:
    """What the export phase did for one seed."""

    index: int
    outputs: dict[str, ExporterResult] = field(default_factory=dict)
    digests: dict[str, Any] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


def internal_error(path: str, exporter: str, error: BaseException) -> Diagnostic:
    """A bug in an exporter, reported against the seed it failed on instead of a traceback."""
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return Diagnostic(
        path,
        0,
        Level.ERROR,
        f"exporter '{exporter}' failed: {type(error).__name__}: {error}{place}",
    )


class SeedWorker:
    """Parses seeds and runs per-seed exporters, keeping the parsed models it made."""

    def __init__(self, settings: Settings, exporters: Sequence[str], out: Path) -> None:
        self.settings = settings
        self.exporters: dict[str, Exporter] = {
            e.name: e for e in create_exporters(exporters, settings)
        }
        self.out = out
        self.exercises: dict[int, Exercise] = {}

    def parse(self, tasks: Iterable[SeedTask]) -> Iterator[ParseSummary]:
        """Parse each seed, keep its model, and yield its summary."""
        for task in tasks:
            result = parse_seed(
                task.path,
                display_path=task.display,
                limits=self.settings.limits(),
                strict=self.settings.strict,
            )
            exercise = result.exercise
            if exercise is not None:
                self.exercises[task.index] = exercise
            yield ParseSummary(
                index=task.index,
                path=task.display,
                sha256=exercise.source_sha256 if exercise else result.sha256,
                slug=exercise.slug if exercise else None,
                ok=exercise is not None,
                diagnostics=result.diagnostics,
            )

    def export(self, jobs: Iterable[ExportJob]) -> Iterator[SeedResult]:
        """Run the per-seed work of each job and yield what it did."""
        for job in jobs:
            exercise = self.exercises[job.index]
            result = SeedResult(job.index)
            for name in job.export:
                result.outputs[name] = self._export_one(self.exporters[name], exercise)
            for name in job.digest:
                try:
                    result.digests[name] = self.exporters[name].digest(exercise)
                except Exception as error:  # reported; the seed is left out of that aggregate
                    result.problems.append(internal_error(exercise.source.path, name, error))
            yield result

    def _export_one(self, exporter: Exporter, exercise: Exercise) -> ExporterResult:
        writer = OutputWriter(self.out)
        context = ExportContext(writer=writer, settings=self.settings)
        started = time.perf_counter()
        try:
            exporter.export_exercise(exercise, context)
        except OutputError as error:
            context.diagnostics.append(Diagnostic(exercise.source.path, 0, Level.ERROR, str(error)))
        except Exception as error:  # a bug in one exporter must not cost the other seeds
            context.diagnostics.append(internal_error(exercise.source.path, exporter.name, error))
        return ExporterResult(
            files=sorted(writer.written + writer.unchanged),
            written=writer.written,
            diagnostics=context.diagnostics,
            seconds=time.perf_counter() - started,
        )


def _die_with_parent(parent: int) -> None:
    # A worker must not outlive a killed export: it would go on writing, and hold the lock.
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _serve(
    conn: Connection,
    parent: int,
    settings: Settings,
    exporters: Sequence[str],
    out: Path,
    tasks: Sequence[SeedTask],
) -> None:
    """A worker process: parse its share, wait for its export jobs, run them."""
    _die_with_parent(parent)
    gc.set_threshold(*GC_THRESHOLD)  # as in the parent, whatever the start method
    try:
        worker = SeedWorker(settings, exporters, out)
        _send_batches(conn, "parsed", worker.parse(tasks))
        jobs: list[ExportJob] | None = conn.recv()
        if jobs is not None:
            _send_batches(conn, "exported", worker.export(jobs))
        conn.close()
    except (EOFError, BrokenPipeError):  # the parent has gone; so do we, quietly
        os._exit(1)


def _send_batches(conn: Connection, kind: str, items: Iterator[Any]) -> None:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            conn.send((kind, batch))
            batch = []
    conn.send((kind, batch))
    conn.send((kind + "-done", []))


class WorkerPool:
    """``jobs`` worker processes (none when ``jobs`` is 1), each owning a fixed share of the
    seeds for the whole run. Results come back in seed order whatever the number of workers."""

    def __init__(self, jobs: int, settings: Settings, exporters: Sequence[str], out: Path) -> None:
        self.jobs = max(1, jobs)
        self.settings = settings
        self.exporters = list(exporters)
        self.out = out
        self._local: SeedWorker | None = None
        self._tasks: list[SeedTask] = []
        self._conns: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._owner: dict[int, int] = {}

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for conn in self._conns:
            conn.close()

    def start(self, tasks: Sequence[SeedTask]) -> None:
        """Hand out the seeds: forks the workers, which start parsing at once."""
        self._tasks = list(tasks)
        workers = min(self.jobs, len(self._tasks))
        if workers <= 1:
            self._local = SeedWorker(self.settings, self.exporters, self.out)
            return
        methods = multiprocessing.get_all_start_methods()
        # Fork shares the loaded modules and registry with the workers at no cost.
        context = cast(
            "multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext",
            multiprocessing.get_context("fork" if "fork" in methods else "spawn"),
        )
        for number in range(workers):
            share = self._tasks[number::workers]
            for task in share:
                self._owner[task.index] = number
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve,
                args=(child, os.getpid(), self.settings, self.exporters, self.out, share),
                name=f"pipeline-worker-{number}",
                daemon=True,
            )
            process.start()
            child.close()
            self._conns.append(parent)
            self._processes.append(process)

    def parse(self, advance: Callable[[int], None]) -> list[ParseSummary]:
        """Collect every seed's parse summary, in seed order."""
        if self._local is not None:
            summaries = []
            for summary in self._local.parse(self._tasks):
                summaries.append(summary)
                advance(1)
            return summaries
        summaries = self._collect("parsed", advance)
        return sorted(summaries, key=lambda s: s.index)

    def export(self, jobs: Sequence[ExportJob], advance: Callable[[int], None]) -> list[SeedResult]:
        """Run the export jobs where their seeds were parsed; results in seed order."""
        if self._local is not None:
            results = []
            for result in self._local.export(jobs):
                results.append(result)
                advance(1)
            return results
        shares: list[list[ExportJob]] = [[] for _ in self._conns]
        for job in jobs:
            shares[self._owner[job.index]].append(job)
        for conn, share in zip(self._conns, shares, strict=True):
            conn.send(share)
        results = self._collect("exported", advance)
        return sorted(results, key=lambda r: r.index)

    def _collect(self, kind: str, advance: Callable[[int], None]) -> list[Any]:
        items: list[Any] = []
        pending = set(self._conns)
        while pending:
            for conn in wait(list(pending)):
                assert isinstance(conn, Connection)
                try:
                    message, batch = conn.recv()
                except (EOFError, OSError):
                    raise WorkerError(
                        "a worker process stopped unexpectedly; run again with --jobs 1 to "
                        "see the seed it stopped on"
                    ) from None
                if message == kind + "-done":
                    pending.discard(conn)
                else:
                    items.extend(batch)
                    advance(len(batch))
        return items
