"""Benchmark the SQLite catalogue against markdown-to-sqlite on the same generated seeds.

    python -m bench.catalogue [--counts 1000 10000] [--repeat 3] [--languages en,de,ru]

For each corpus size it times, in one process and best of ``--repeat`` runs:

- our full catalogue build: read and parse every seed, then write ``catalogue.sqlite``
  (tables, indexes, full-text index, checks, atomic swap), as ``pipeline export -f sqlite``;
- the database part alone, from exercises already parsed;
- the same from the per-seed entries the engine keeps between runs (what an export that
  re-parses only changed seeds pays for the catalogue);
- a one-seed change: the catalogue built from those entries updated for one exercise with a
  step more (what an export after that edit pays for the catalogue, entries aside);
- markdown-to-sqlite on the same files (its Python entry point, so neither side pays for
  starting an interpreter): frontmatter and Markdown into one table, no structure, no index.

With ``--languages`` the seeds are in those languages (``bench.corpus``: the count is of
seeds, all languages together), each a row of the catalogue.

Targets: our full build takes no longer than markdown-to-sqlite; the database part for
10,000 seeds takes under 1 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.corpus import build_corpus
from pipeline.catalogue import CATALOGUE_FILE, Catalogue
from pipeline.config import Settings
from pipeline.engine import export, read_seeds
from pipeline.entries import codec_for
from pipeline.exporters.base import ExportContext, export_in_process
from pipeline.exporters.sqlite import SqliteExporter
from pipeline.writer import OutputWriter

DB_TARGET_SECONDS = 1.0
DB_TARGET_COUNT = 10_000


def best_of(repeat: int, run: Callable[[int], None]) -> float:
    """The fastest of ``repeat`` timed calls of ``run(attempt)``."""
    times = []
    for attempt in range(repeat):
        started = time.perf_counter()
        run(attempt)
        times.append(time.perf_counter() - started)
    return min(times)


def measure(
    count: int, work: Path, repeat: int, languages: Sequence[str] = ("en",)
) -> dict[str, float]:
    """Seconds for our full build, our database part, and markdown-to-sqlite on ``count``
    seeds in ``languages`` generated into ``work``."""
    from markdown_to_sqlite.cli import cli as markdown_to_sqlite

    seeds = work / f"seeds-{count}"
    paths = sorted(build_corpus(count, seeds, languages=languages))
    settings = Settings()

    def ours(attempt: int) -> None:
        out = work / f"ours-{count}-{attempt}"
        report = export([seeds], out, settings, ["sqlite"])
        if report.errors:
            raise SystemExit(f"our build failed: {report.diagnostics[:3]}")

    exercises = read_seeds([seeds], settings).exercises

    def database(attempt: int) -> None:
        out = work / f"db-{count}-{attempt}"
        context = ExportContext(writer=OutputWriter(out), settings=settings)
        export_in_process(SqliteExporter(settings), exercises, context)

    # The entries as the engine keeps them between runs: made by the hook, read back from JSON.
    exporter = SqliteExporter(settings)
    codec = codec_for(SqliteExporter.entry_type)
    context = ExportContext(writer=OutputWriter(work), settings=settings)
    made = [codec.encode(exporter.export_exercise(e, context)) for e in exercises]
    entries = codec.decode_all(made)

    def aggregate(attempt: int) -> None:
        out = work / f"agg-{count}-{attempt}"
        context = ExportContext(writer=OutputWriter(out), settings=settings)
        SqliteExporter(settings).export_all([e for e in entries if e is not None], context)

    # A one-seed change: the catalogue above updated for one exercise with a step more, as
    # an export after that edit does (the engine vouches for the old file).
    built = [e for e in entries if e is not None]
    edited = list(built)
    middle = edited[len(edited) // 2]
    edited[len(edited) // 2] = dataclasses.replace(
        middle,
        source_sha256="0" * 64,
        steps=(("execution", 0, None, "Brace first."), *middle.steps),
    )

    def one_change(attempt: int) -> None:
        out = work / f"one-{count}-{attempt}"
        out.mkdir()
        shutil.copy(work / f"agg-{count}-0" / CATALOGUE_FILE, out / CATALOGUE_FILE)
        context = ExportContext(writer=OutputWriter(out), settings=settings, updatable=True)
        SqliteExporter(settings).export_all(edited, context)

    # markdown-to-sqlite makes its table's columns from its first batch of rows
    # (sqlite-utils' insert_all without alter), and fails on a key first seen later, such as
    # translation_of in a corpus in several languages: it is given the seeds with the most
    # frontmatter keys first.
    widest_first = sorted(paths, key=lambda p: (-len(_keys(p)), p.name))

    def theirs(attempt: int) -> None:
        markdown_to_sqlite.callback(
            [str(p) for p in widest_first], str(work / f"m2s-{count}-{attempt}.db"), "docs"
        )

    full = best_of(repeat, ours)
    with Catalogue(work / f"ours-{count}-0" / CATALOGUE_FILE) as catalogue:
        if catalogue.count() != count:
            raise SystemExit(f"our catalogue holds {catalogue.count()} of {count} exercises")
    return {
        "ours": full,
        "database": best_of(max(repeat, 3), database),
        "aggregate": best_of(max(repeat, 3), aggregate),
        "one change": best_of(max(repeat, 3), one_change),
        "markdown-to-sqlite": best_of(repeat, theirs),
    }


def _keys(seed: Path) -> set[str]:
    """The frontmatter keys of a generated seed."""
    front = seed.read_text("utf-8").split("---", 2)[1]
    return {line.split(":", 1)[0] for line in front.splitlines() if ":" in line}


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes: it is shared, and figures move
    with it."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def main() -> None:
    """Run the benchmark and print each figure beside its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--languages", default="en", help="the seeds' languages, English first (en,de,ru)"
    )
    args = parser.parse_args()
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    work = Path(tempfile.mkdtemp(prefix="bench-catalogue-"))
    failed = False
    try:
        print(f"languages: {', '.join(languages)}; load average {load_average()}")
        print(
            f"{'seeds':>6}  {'ours (parse + db)':>18}  {'db part':>8}  {'from entries':>12}  "
            f"{'one change':>10}  {'markdown-to-sqlite':>18}"
        )
        for count in args.counts:
            figures = measure(count, work, args.repeat, languages)
            ours, database, theirs = (
                figures["ours"],
                figures["database"],
                figures["markdown-to-sqlite"],
            )
            print(
                f"{count:>6}  {ours:>17.2f}s  {database:>7.3f}s  {figures['aggregate']:>11.3f}s  "
                f"{figures['one change']:>9.3f}s  {theirs:>17.2f}s"
            )
            if ours > theirs:
                failed = True
                print(f"        target missed: ours {ours:.2f}s > markdown-to-sqlite {theirs:.2f}s")
            if count == DB_TARGET_COUNT and database >= DB_TARGET_SECONDS:
                failed = True
                print(f"        target missed: database part {database:.3f}s >= 1 s")
            print(f"        load average {load_average()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all targets met" if not failed else "some targets missed")


if __name__ == "__main__":
    main()
