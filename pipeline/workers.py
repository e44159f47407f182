"""Parse and per-seed export, in this process or in worker processes.

A seed is parsed once, by the worker it is given to, and its model stays in that worker:
the export phase sends each seed back to the worker that parsed it, so no model ever crosses a
process boundary. Only small summaries, file lists, diagnostics and entries (as JSON) travel.
Near the end, a worker with nothing left of its own takes seeds from another's queue and parses them
again (a tenth of exporting them), so neither waits for the other.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import heapq
import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, cast

from pipeline.blobs import BlobStore
from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.entries import codec_for
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.interrupt import Interrupted, deferred, exit_if_swallowed, unblock
from pipeline.registry import create_exporters, declared_outputs
from pipeline.state import cache_folder
from pipeline.writer import OutputError, OutputWriter, remove_temp_files

if TYPE_CHECKING:
    from pipeline.inputs import InputFile
    from pipeline.model import Exercise, Translation
    from pipeline.parser import ParseResult

BATCH = 32
CHUNK = 4
"""Export jobs per message: small, so the workers end within a few seeds of each other."""
GC_THRESHOLD = (700, 10, 1_000)
"""Collector thresholds for a run: see :func:`pipeline.engine.few_collections`."""
_PR_SET_PDEATHSIG = 1
STOP_SECONDS = 3.0
"""How long a worker told to stop has to end by itself before it is killed."""


class WorkerError(PipelineError):
    """A worker process died (killed, or out of memory) before it finished its share."""


@dataclass(frozen=True, slots=True)
class SeedTask:
    """A seed to parse: its position in the run and its path."""

    index: int
    path: Path
    display: str
    size: int = 0
    """The file's size in bytes: the work a seed takes grows with it, and shares are even in it."""


@dataclass(slots=True)
class ParseSummary:
    """What the engine needs to know of a parsed seed (the model stays in the worker)."""

    index: int
    path: str
    sha256: str | None
    slug: str | None
    ok: bool
    diagnostics: list[Diagnostic]
    draft: bool = False
    lang: str = ""
    translation_of: str | None = None
    translation_line: int = 1
    inputs: tuple[InputFile, ...] = ()
    """The files besides the seed the parse read (see :attr:`ParseResult.inputs`)."""


@dataclass(frozen=True, slots=True)
class ExportJob:
    """Per-seed work for one parsed seed: the exporters whose per-seed hook runs.

    A job handed to a worker that did not parse the seed (it ran out of work of its own)
    carries the seed's task and hash: that worker parses the file again, and gives the job
    back, undone, if the file is no longer the one that was checked."""

    index: int
    exporters: tuple[str, ...]
    task: SeedTask | None = None
    sha256: str | None = None
    translations: tuple[Translation, ...] = ()
    """The seed's other language versions, which only the whole set shows."""


@dataclass(slots=True)
class ExporterResult:
    """What one exporter did for one seed."""

    files: list[str]
    written: list[str]
    diagnostics: list[Diagnostic]
    seconds: float
    entry: bytes | None = None
    """The seed's entry for the exporter's aggregate, as JSON (see :mod:`pipeline.entries`)."""


@dataclass(slots=True)
class SeedResult:
    """What the export phase did for one seed."""

    index: int
    outputs: dict[str, ExporterResult] = field(default_factory=dict)
    declined: bool = False


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
    """Parses seeds and runs per-seed exporters, keeping each model it made until its seed
    is exported."""

    def __init__(
        self,
        settings: Settings,
        exporters: Sequence[str],
        out: Path,
        existing: Collection[str] | None = None,
        state: Path | None = None,
    ) -> None:
        self.settings = settings
        self.exporters: dict[str, Exporter] = {
            e.name: e for e in create_exporters(exporters, settings)
        }
        self.out = out
        self.blobs = {
            name: BlobStore(cache_folder(state, name)) if state is not None else None
            for name in self.exporters
        }
        """Each exporter's blobs (see :mod:`pipeline.blobs`), in the state folder ``state``."""
        self.exercises: dict[int, bytes] = {}
        """The models this worker parsed, until their export, pickled: a quarter of their size
        in memory, which is most of an export's peak. Only this process writes and reads them."""
        self._writer = OutputWriter(
            out, existing=existing, declared=declared_outputs(self.exporters.values())
        )

    def prepare(self) -> None:
        """Load the parser and what every call of each exporter needs (see
        :meth:`Exporter.prepare`), before there is a seed to parse."""
        importlib.import_module("pipeline.parser")
        for exporter in self.exporters.values():
            with contextlib.suppress(Exception):  # the call that needs it fails, and says so
                exporter.prepare()

    def _parse(self, task: SeedTask) -> ParseResult:
        from pipeline.parser import parse_seed  # only a run with seeds to parse loads it

        return parse_seed(
            task.path,
            display_path=task.display,
            limits=self.settings.limits(),
            strict=self.settings.strict,
            default_lang=self.settings.default_lang,
            labels=self.settings.labels,
        )

    def parse(self, tasks: Iterable[SeedTask]) -> Iterator[ParseSummary]:
        """Parse each seed, keep its model, and yield its summary."""
        for task in tasks:
            result = self._parse(task)
            exercise = result.exercise
            if exercise is not None:
                self.exercises[task.index] = pickle.dumps(exercise, pickle.HIGHEST_PROTOCOL)
            yield ParseSummary(
                index=task.index,
                path=task.display,
                sha256=result.key,
                slug=exercise.slug if exercise else None,
                ok=exercise is not None,
                diagnostics=result.diagnostics,
                draft=exercise.draft if exercise else False,
                lang=exercise.lang if exercise else result.lang,
                translation_of=exercise.translation_of if exercise else None,
                translation_line=result.translation_line,
                inputs=result.inputs,
            )

    def export(self, jobs: Iterable[ExportJob]) -> Iterator[SeedResult]:
        """Run the per-seed work of each job and yield what it did."""
        for job in jobs:
            yield self._hooks(job, self._exercise(job), job.exporters)

    def export_in_turn(
        self,
        jobs: Sequence[ExportJob],
        first: Collection[str],
        meanwhile: Callable[[list[SeedResult]], None],
    ) -> list[SeedResult]:
        """Run the per-seed work of the jobs, the hooks of the exporters ``first`` for every
        job before the others: ``meanwhile`` is given what those made, and may start on it
        while the rest is done. What each job did, its hooks in its order."""
        exercises = [self._exercise(job) for job in jobs]
        early = [
            self._hooks(job, exercise, first) for job, exercise in zip(jobs, exercises, strict=True)
        ]
        meanwhile(early)
        return [
            self._hooks(job, exercise, job.exporters, made.outputs)
            for job, exercise, made in zip(jobs, exercises, early, strict=True)
        ]

    def _hooks(
        self,
        job: ExportJob,
        exercise: Exercise | None,
        names: Collection[str],
        made: Mapping[str, ExporterResult] | None = None,
    ) -> SeedResult:
        """The job's hooks among ``names`` run on ``exercise`` (None: its seed changed), in
        the job's order, but for those ``made`` already."""
        result = SeedResult(job.index, declined=exercise is None)
        if exercise is None:
            return result
        for name in job.exporters:
            if made is not None and name in made:
                result.outputs[name] = made[name]
            elif name in names:
                result.outputs[name] = self._export_one(self.exporters[name], exercise)
        return result

    def _exercise(self, job: ExportJob) -> Exercise | None:
        """The model a job exports, with its other language versions; None when its seed
        changed since it was checked."""
        # A seed is exported once: its model is let go as soon as its job is done.
        kept = self.exercises.pop(job.index, None)
        exercise = pickle.loads(kept) if kept is not None else self._adopt(job)
        if exercise is not None and job.translations:
            exercise = exercise.model_copy(update={"translations": job.translations})
        return exercise

    def _adopt(self, job: ExportJob) -> Exercise | None:
        """The model of a seed another worker parsed: parsed again here, if the file still
        holds the bytes that were checked (else the job goes back to its owner)."""
        if job.task is None:
            raise KeyError(f"seed {job.index} was not parsed here")
        result = self._parse(job.task)
        if result.exercise is None or result.key != job.sha256:
            return None
        return result.exercise

    def _export_one(self, exporter: Exporter, exercise: Exercise) -> ExporterResult:
        """Run one exporter's per-seed hook: its files written, its entry as JSON."""
        writer = self._writer.sibling(exporter.name)
        context = ExportContext(
            writer=writer, settings=self.settings, blobs=self.blobs[exporter.name]
        )
        started = time.perf_counter()
        entry = None
        try:
            made = exporter.export_exercise(exercise, context)
            if exporter.has_aggregate():
                entry = codec_for(exporter.entry_type).encode(made)
        except OutputError as error:
            context.diagnostics.append(Diagnostic(exercise.source.path, 0, Level.ERROR, str(error)))
        except Exception as error:  # a bug in one exporter must not cost the other seeds
            context.diagnostics.append(internal_error(exercise.source.path, exporter.name, error))
        return ExporterResult(
            files=sorted(writer.written + writer.unchanged),
            written=writer.written,
            diagnostics=context.diagnostics,
            seconds=time.perf_counter() - started,
            entry=entry,
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
    existing: Collection[str] | None,
    state: Path | None,
    tasks: Sequence[SeedTask] | None,
) -> None:
    """A worker process: parse its share, wait for its export jobs, run them. A
    :class:`Helper` (no ``tasks``) loads what the work needs first, then waits for its share.

    Ctrl-C reaches every process of the terminal's foreground group: a worker ignores it and
    is stopped by the parent, with SIGTERM, which unwinds it (a file half-written is
    removed) and ends it without a word."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.unraisablehook = exit_if_swallowed
        signal.signal(signal.SIGTERM, _stop_worker)
        unblock()  # blocked since the fork, in case one came before the handlers were set
        _die_with_parent(parent)
        gc.set_threshold(*GC_THRESHOLD)  # as in the parent, whatever the start method
        worker = SeedWorker(settings, exporters, out, existing, state)
        if tasks is None:
            worker.prepare()
            tasks = conn.recv()
        if tasks is not None:
            _send_batches(conn, "parsed", worker.parse(tasks))
            _export_jobs(conn, worker)
        conn.close()
    except (EOFError, BrokenPipeError, Interrupted):  # the parent has gone, or stops us
        os._exit(1)
    # Ended here, so a SIGTERM that comes as it ends cannot surface in multiprocessing's code.
    os._exit(0)


def _export_jobs(conn: Connection, worker: SeedWorker) -> None:
    """Run the export jobs that come, until None: small chunks, each answered with its
    results, or all at once, in turn (see :meth:`SeedWorker.export_in_turn`), answered with
    what the first hooks made, then with the results."""
    while (chunk := conn.recv()) is not None:
        if isinstance(chunk, tuple):
            jobs, first = chunk
            results = worker.export_in_turn(jobs, first, lambda made: conn.send(("early", made)))
        else:
            results = list(worker.export(chunk))
        conn.send(("exported", results))


def give_back_memory() -> None:
    """Hand the memory freed since back to the system, where the C library keeps it (glibc
    keeps the pages of small blocks freed in the middle of its heap for reuse, so the
    catalogue's whole build left 130 MB more in the process at 10,000 seeds, under the
    booklet's that came next). A few milliseconds; nothing where it cannot be done."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _stop_worker(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _send_batches(conn: Connection, kind: str, items: Iterator[Any]) -> None:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            conn.send((kind, batch))
            batch = []
    conn.send((kind, batch))
    conn.send((kind + "-done", []))


def balanced_shares(tasks: Sequence[SeedTask], workers: int) -> list[list[SeedTask]]:
    """The tasks in ``workers`` shares even in bytes, each share in seed order: the largest
    seed first goes to the share with the fewest bytes so far. A share is a worker's for the
    whole run, so the workers finish together only if their shares weigh the same."""
    shares: list[list[SeedTask]] = [[] for _ in range(workers)]
    loads = [(0, number) for number in range(workers)]
    for task in sorted(tasks, key=lambda t: (-t.size, t.index)):
        load, number = heapq.heappop(loads)
        shares[number].append(task)
        heapq.heappush(loads, (load + max(task.size, 1), number))
    for share in shares:
        share.sort(key=lambda t: t.index)
    return shares


class Helper:
    """A worker started before the run knows what it has to do, when it expects one seed to
    parse (a one-seed change): meanwhile, it loads the parser and what the exporters need
    (reportlab, the card faces: a sixth of a second), which the run's own process then never
    loads. A :class:`WorkerPool` makes it its one worker if there is one seed to parse; it is
    stopped when the block ends, unless a pool took it."""

    def __init__(
        self, settings: Settings, exporters: Sequence[str], out: Path, state: Path | None
    ) -> None:
        self.args = (settings, list(exporters), out, None, state, None)
        self.conn: Connection | None = None
        self.process: multiprocessing.process.BaseProcess | None = None

    def __enter__(self) -> Helper:
        if not AsideProcess.possible():
            return self
        context = multiprocessing.get_context("fork")
        with deferred():
            parent, child = context.Pipe()
            self.process = context.Process(
                target=_serve, args=(child, os.getpid(), *self.args), name="pipeline-helper"
            )
            self.process.daemon = True
            self.process.start()
            child.close()
            self.conn = parent
        return self

    def take(
        self, tasks: Sequence[SeedTask]
    ) -> tuple[Connection, multiprocessing.process.BaseProcess] | None:
        """Give the helper its seeds to parse; its pipe and process, now the taker's to stop
        (None when there is no helper, or it is gone: the work is then done without it)."""
        conn, process = self.conn, self.process
        if conn is None or process is None:
            return None
        try:
            conn.send(list(tasks))
        except OSError:  # it died: stop() reaps it
            return None
        self.conn = self.process = None
        return conn, process

    def stop(self) -> None:
        """Stop the helper, unless a pool took it."""
        process, conn = self.process, self.conn
        if process is None or conn is None:
            return
        self.process = self.conn = None
        with deferred():
            process.terminate()
            process.join(STOP_SECONDS)
            if process.exitcode is None:
                process.kill()
                process.join()
            conn.close()

    def __exit__(self, *_: object) -> None:
        self.stop()


class WorkerPool:
    """``jobs`` worker processes (none when ``jobs`` is 1), each owning a share of the seeds,
    even in bytes, whose models it keeps until each seed is exported. Results come back in
    seed order whatever the number of workers. A :class:`Helper` given becomes its worker
    when there is one seed to parse."""

    def __init__(
        self,
        jobs: int,
        settings: Settings,
        exporters: Sequence[str],
        out: Path,
        existing: Collection[str] = frozenset(),
        state: Path | None = None,
        helper: Helper | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.settings = settings
        self.exporters = list(exporters)
        self.out = out
        self.existing = existing
        self.state = state
        self._local: SeedWorker | None = None
        self._tasks: list[SeedTask] = []
        self._conns: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._owner: dict[int, int] = {}
        self._task_of: dict[int, SeedTask] = {}
        self._sha_of: dict[int, str | None] = {}
        self._helper = helper

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # Not cut short by a second Ctrl-C: no worker may outlive the run.
        with deferred():
            for process in self._processes:
                if process.is_alive():
                    process.terminate()
            for process in self._processes:
                process.join(STOP_SECONDS)
                if process.exitcode is None:  # stuck in a long native call
                    process.kill()
                    process.join()
            killed = [p.pid for p in self._processes if p.pid and (p.exitcode or 0) < 0]
            remove_temp_files(self.out, killed)
            for conn in self._conns:
                conn.close()

    def start(self, tasks: Sequence[SeedTask], prepare: Callable[[], None] | None = None) -> None:
        """Hand out the seeds: forks the workers, which start parsing at once, after
        ``prepare`` has loaded here what they share (not needed when the helper parses the
        one seed: it loaded what it needs)."""
        self._tasks = list(tasks)
        self._task_of = {task.index: task for task in self._tasks}
        workers = min(self.jobs, len(self._tasks))
        if self._helped(workers):
            return
        if prepare is not None:
            prepare()
        if workers <= 1:
            self._local = SeedWorker(
                self.settings, self.exporters, self.out, self.existing, self.state
            )
            return
        self._fork(workers)

    def _helped(self, workers: int) -> bool:
        """Whether the helper took the one seed to parse; a helper not needed is stopped (it
        would only take a core from those that have work)."""
        helper, self._helper = self._helper, None
        if helper is None:
            return False
        taken = helper.take(self._tasks) if workers == 1 and self.jobs > 1 else None
        if taken is None:
            helper.stop()
            return False
        self._conns.append(taken[0])
        self._processes.append(taken[1])
        self._owner[self._tasks[0].index] = 0
        return True

    def _fork(self, workers: int) -> None:
        """Fork ``workers`` workers, each given its share of the tasks."""
        methods = multiprocessing.get_all_start_methods()
        # Fork shares the loaded modules and registry with the workers at no cost.
        context = cast(
            "multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext",
            multiprocessing.get_context("fork" if "fork" in methods else "spawn"),
        )
        # Every worker started is known, so an interrupt stops them all.
        with deferred():
            for number, share in enumerate(balanced_shares(self._tasks, workers)):
                for task in share:
                    self._owner[task.index] = number
                parent, child = context.Pipe()
                process = context.Process(
                    target=_serve,
                    args=(
                        child,
                        os.getpid(),
                        self.settings,
                        self.exporters,
                        self.out,
                        self.existing,
                        self.state,
                        share,
                    ),
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
        self._sha_of = {summary.index: summary.sha256 for summary in summaries}
        return sorted(summaries, key=lambda s: s.index)

    def export(
        self,
        jobs: Sequence[ExportJob],
        advance: Callable[[int], None],
        first: Collection[str] = (),
        meanwhile: Callable[[list[SeedResult]], None] | None = None,
    ) -> list[SeedResult]:
        """Run the export jobs, each where its seed was parsed while that worker has work of
        its own, then wherever a worker is idle; results in seed order. Run here, in this
        process, the hooks of the exporters ``first`` run for every job before the others,
        and ``meanwhile`` is given what they made (see :meth:`SeedWorker.export_in_turn`);
        the workers run each job's hooks in its order."""
        if self._local is not None:
            if meanwhile is not None and first:
                results = self._local.export_in_turn(jobs, first, meanwhile)
                advance(len(results))
                return results
            results = []
            for result in self._local.export(jobs):
                results.append(result)
                advance(1)
            return results
        if meanwhile is not None and first and len(self._conns) == 1:
            return self._in_turn(jobs, advance, first, meanwhile)
        queues: list[deque[ExportJob]] = [deque() for _ in self._conns]
        for job in jobs:
            # A seed this run did not parse (its other language versions changed) comes with
            # its task: whichever worker is given it reads it.
            owner = self._owner.get(job.index, job.index % len(queues))
            queues[owner].append(job)
        dispatch = _Dispatch(self._conns, queues, self._adopted, advance)
        return sorted(dispatch.run(), key=lambda r: r.index)

    def _in_turn(
        self,
        jobs: Sequence[ExportJob],
        advance: Callable[[int], None],
        first: Collection[str],
        meanwhile: Callable[[list[SeedResult]], None],
    ) -> list[SeedResult]:
        """The jobs run by the one worker, in turn (see :meth:`SeedWorker.export_in_turn`)."""
        conn = self._conns[0]
        _send(conn, (list(jobs), list(first)))
        _, early = _receive(conn)
        meanwhile([_as_done(result) for result in early])
        _, results = _receive(conn)
        _send(conn, None)
        advance(len(results))
        return [_as_done(result) for result in results]

    def _adopted(self, job: ExportJob) -> ExportJob:
        """The job as a worker that did not parse its seed needs it: with the seed and the
        hash it had when it was checked."""
        if job.task is not None:
            return job
        task = self._task_of[job.index]
        return dataclasses.replace(job, task=task, sha256=self._sha_of[job.index])

    def _collect(self, kind: str, advance: Callable[[int], None]) -> list[Any]:
        items: list[Any] = []
        pending = set(self._conns)
        while pending:
            for conn in wait(list(pending)):
                assert isinstance(conn, Connection)
                message, batch = _receive(conn)
                if message == kind + "-done":
                    pending.discard(conn)
                else:
                    items.extend(batch)
                    advance(len(batch))
        return items


def _as_done(result: SeedResult) -> SeedResult:
    """A result as the run takes it: a seed not parsed in this run that changed since it was
    checked did nothing (what it had stays, out of date, and the next run does it again)."""
    return SeedResult(result.index) if result.declined else result


def _chunk_size(queued: int) -> int:
    return max(1, min(CHUNK, queued // 4))


def _worker_died() -> WorkerError:
    return WorkerError(
        "a worker process stopped unexpectedly; run again with --jobs 1 to see the seed it "
        "stopped on"
    )


def _send(conn: Connection, message: Any) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, ConnectionResetError):
        raise _worker_died() from None


def _receive(conn: Connection) -> Any:
    try:
        return conn.recv()
    except (EOFError, OSError):
        raise _worker_died() from None


class _Dispatch:
    """The export phase across the workers. Each worker is given chunks of its own seeds;
    one that runs out takes chunks from the far end of the longest remaining queue, so the
    workers finish together however unevenly the seeds (or the machine) weigh. Two chunks
    are in flight per worker, so none waits for the next."""

    def __init__(
        self,
        conns: list[Connection],
        queues: list[deque[ExportJob]],
        adopted: Callable[[ExportJob], ExportJob],
        advance: Callable[[int], None],
    ) -> None:
        self.conns = conns
        self.queues = queues
        self.adopted = adopted
        self.advance = advance
        self.in_flight = [0] * len(conns)
        self.owner = {job.index: n for n, queue in enumerate(queues) for job in queue}
        self.stolen: dict[int, ExportJob] = {}

    def run(self) -> list[SeedResult]:
        """Hand out every job, collect every result, then tell the workers to stop."""
        results: list[SeedResult] = []
        for number in range(len(self.conns)):
            self._give(number)
            self._give(number)
        while any(self.in_flight):
            for conn in wait([c for n, c in enumerate(self.conns) if self.in_flight[n]]):
                assert isinstance(conn, Connection)
                number = self.conns.index(conn)
                _, batch = _receive(conn)
                self.in_flight[number] -= 1
                for result in batch:
                    self._take(result, results)
                self._give(number)
        for conn in self.conns:
            _send(conn, None)
        return results

    def _take(self, result: SeedResult, results: list[SeedResult]) -> None:
        if result.declined and result.index in self.stolen:
            # Its file changed: back to the worker that parsed it.
            owner = self.owner[result.index]
            self.queues[owner].appendleft(self.stolen.pop(result.index))
            self._give(owner)
            return
        if result.declined:
            # Not parsed in this run, and changed since it was checked: what it had stays,
            # recorded as out of date, and the next run does it again.
            result = SeedResult(result.index)
        results.append(result)
        self.advance(1)

    def _give(self, number: int) -> None:
        if self.in_flight[number] >= 2:
            return
        # Chunks shrink as a queue runs down, so little is promised to one worker at the end.
        own = self.queues[number]
        if own:
            chunk = [own.popleft() for _ in range(_chunk_size(len(own)))]
        else:
            queue = max(self.queues, key=len)
            # Only from a queue long enough that its owner does not reach the end first.
            if len(queue) < 2:
                return
            chunk = []
            for _ in range(_chunk_size(len(queue))):
                job = queue.pop()
                self.stolen[job.index] = job
                chunk.append(self.adopted(job))
        _send(self.conns[number], chunk)
        self.in_flight[number] += 1


class AsideProcess:
    """One call made in a forked process beside this one while this one goes on (an aggregate
    updated while the others are built), its result sent back by pipe. Stopped, and what it
    was writing removed, when the block is left before it is done (Ctrl-C, an error). A
    process that cannot fork makes the call itself, when :meth:`result` is asked for."""

    def __init__(self, call: Callable[[], Any], out: Path) -> None:
        self.call = call
        self.out = out
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    @staticmethod
    def possible() -> bool:
        """Whether this platform forks (a spawned process would have to load everything)."""
        return "fork" in multiprocessing.get_all_start_methods()

    def __enter__(self) -> AsideProcess:
        if not self.possible():
            return self
        context = multiprocessing.get_context("fork")
        with deferred():
            parent, child = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_aside, args=(child, os.getpid(), self.call), name="pipeline-aside"
            )
            self._process.start()
            child.close()
            self._conn = parent
        return self

    def result(self) -> Any:
        """What the call returned; raises :class:`PipelineError` when it failed."""
        if self._conn is None:
            return self.call()
        kind, value = _receive(self._conn)
        if kind != "done":
            raise PipelineError(f"a build beside the export failed:\n{value}")
        return value

    def __exit__(self, *_: object) -> None:
        process = self._process
        if process is None:
            return
        with deferred():
            if process.is_alive():
                process.terminate()
            process.join(STOP_SECONDS)
            if process.exitcode is None:
                process.kill()
                process.join()
            if process.pid and (process.exitcode or 0) < 0:
                remove_temp_files(self.out, [process.pid])
            if self._conn is not None:
                self._conn.close()


def _aside(conn: Connection, parent: int, call: Callable[[], Any]) -> None:
    """The process of an :class:`AsideProcess`: as a worker, stopped by SIGTERM alone."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.unraisablehook = exit_if_swallowed
        signal.signal(signal.SIGTERM, _stop_worker)
        unblock()
        _die_with_parent(parent)
        try:
            message: tuple[str, Any] = ("done", call())
        except Interrupted:
            raise
        except Exception:  # the parent reports it
            message = ("failed", traceback.format_exc())
        conn.send(message)
        conn.close()
    except (EOFError, BrokenPipeError, Interrupted):
        os._exit(1)
    os._exit(0)
