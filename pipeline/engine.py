"""The engine: find seeds, parse every one once, validate them together, then fan out to
the exporters. Nothing is written until everything has been read, so outputs never disagree."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise
from pipeline.parser import ParseResult, parse_seed
from pipeline.registry import get_exporter, load_exporters
from pipeline.writer import OutputError, OutputWriter

SEED_SUFFIX = ".md"


def discover_seeds(paths: Sequence[Path]) -> list[Path]:
    """Seed files named by ``paths``: files as given, folders searched for ``*.md``.
    Sorted and without repeats; raises :class:`PipelineError` for a path that does not exist."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for seed in sorted(p for p in path.rglob(f"*{SEED_SUFFIX}") if p.is_file()):
                found.setdefault(seed, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise PipelineError(f"{path}: no such file or folder")
    return sorted(found, key=lambda p: p.as_posix())


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
    """Parse every seed under ``paths`` once, then check what only the whole set can show
    (two seeds with one slug)."""
    results = [
        parse_seed(seed, max_bytes=settings.max_seed_bytes, strict=settings.strict)
        for seed in discover_seeds(paths)
    ]
    _reject_duplicate_slugs(results)
    exercises = sorted((r.exercise for r in results if r.exercise), key=lambda e: e.slug)
    diagnostics = [d for r in results for d in r.diagnostics]
    return SeedSet(results, exercises, diagnostics)


def _reject_duplicate_slugs(results: list[ParseResult]) -> None:
    by_slug: dict[str, list[ParseResult]] = {}
    for result in results:
        if result.exercise is not None:
            by_slug.setdefault(result.exercise.slug, []).append(result)
    for slug, holders in by_slug.items():
        if len(holders) < 2:
            continue
        # Both are refused: keeping either would make the output depend on file order.
        for result in holders:
            others = ", ".join(o.path for o in holders if o is not result)
            result.diagnostics.append(
                Diagnostic(result.path, 1, Level.ERROR, f"slug '{slug}' is also used by {others}")
            )
            result.exercise = None


@dataclass
class ExportReport:
    """What an export did."""

    seeds: SeedSet
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """How many error diagnostics the run produced."""
        return sum(d.level is Level.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """How many warnings the run produced."""
        return sum(d.level is Level.WARNING for d in self.diagnostics)


def make_exporters(names: Sequence[str], settings: Settings) -> list[Exporter]:
    """Instances of the named exporters (all registered ones when ``names`` is empty), with
    their settings checked before anything is written."""
    classes = [get_exporter(n) for n in names] if names else list(load_exporters().values())
    exporters = [cls(settings) for cls in dict.fromkeys(classes)]
    for exporter in exporters:
        exporter.check_settings()
    return exporters


def export(
    paths: Sequence[Path], out: Path, settings: Settings, formats: Sequence[str] = ()
) -> ExportReport:
    """Read every seed, then run each exporter on the seeds that parsed cleanly.
    A seed with an error is reported and skipped by every exporter."""
    exporters = make_exporters(formats, settings)
    seeds = read_seeds(paths, settings)
    report = ExportReport(seeds, diagnostics=list(seeds.diagnostics))
    writer = OutputWriter(out)
    for exporter in exporters:
        context = ExportContext(writer=writer, settings=settings)
        started = time.perf_counter()
        try:
            for exercise in seeds.exercises:
                exporter.export_exercise(exercise, context)
            exporter.export_all(seeds.exercises, context)
        except OutputError as exc:
            context.diagnostics.append(Diagnostic(str(out), 0, Level.ERROR, str(exc)))
        report.seconds[exporter.name] = time.perf_counter() - started
        report.diagnostics.extend(context.diagnostics)
    report.written, report.unchanged = writer.written, writer.unchanged
    return report
