"""The command line: a thin layer that turns options into library calls and results into text."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from pipeline import __version__
from pipeline.catalogue import CATALOGUE_FILE, Catalogue, CatalogueError, ExerciseNotFoundError
from pipeline.config import Settings, load_settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError, visible
from pipeline.engine import export as run_export
from pipeline.engine import read_seeds
from pipeline.frontmatter import SeedFrontmatter
from pipeline.interrupt import ExportInterrupted, Interrupted, ignore_signals, interruptible
from pipeline.progress import BarReporter, LineReporter
from pipeline.workers import WorkerError
from pipeline.writer import OutputError

app = typer.Typer(
    name="pipeline",
    help="Turn exercise how-to seeds (Markdown with YAML frontmatter) into schema.org JSON-LD, "
    "printable wall cards and a searchable SQLite catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Diagnostics are machine-read (editors, CI): never wrapped, never styled from seed text.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_SEEDS = Path("seeds")
DEFAULT_OUT = Path("outputs")


class ReportFormat(enum.StrEnum):
    """How ``check`` prints its findings."""

    TEXT = "text"
    JSON = "json"


SeedPaths = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Seed files or folders to read (folders are searched for *.md).", show_default="seeds/"
    ),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat warnings (an unknown key, ...) as errors.")
]


def _version(value: bool) -> None:
    if value:
        out.print(f"pipeline {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn exercise how-to seeds into schema.org JSON-LD, wall cards and a SQLite catalogue."""


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except PipelineError as exc:
        _fail_usage(str(exc))


def _fail_usage(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code=2)


def _annotation(diagnostic: Diagnostic) -> str:
    kind = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}[diagnostic.level]

    def escape(text: str, *, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    where = f"file={escape(diagnostic.path, prop=True)}"
    if diagnostic.line:
        where += f",line={diagnostic.line}"
    return f"::{kind} {where}::{escape(diagnostic.message)}"


def _print_diagnostics(diagnostics: Sequence[Diagnostic], console: Console) -> None:
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    lines = []
    for diagnostic in diagnostics:
        lines.append(str(diagnostic))
        if github:
            lines.append(_annotation(diagnostic))
    if lines:
        # Plain text in one write: thousands of lines through rich would take a second.
        console.file.write("\n".join(lines) + "\n")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@app.command()
def check(
    paths: SeedPaths = None,
    strict: StrictOption = False,
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="text for people, json for machines.")
    ] = ReportFormat.TEXT,
) -> None:
    """Parse and validate seeds without writing anything.

    Prints every problem as path:line: level: message, then a summary. Exits 0 when clean,
    1 on any error (or warning, with --strict), 2 on a usage error.
    """
    settings = _settings(strict=strict or None)
    try:
        seeds = read_seeds(paths or [DEFAULT_SEEDS], settings)
    except PipelineError as exc:
        _fail_usage(str(exc))
    diagnostics = seeds.diagnostics
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = sum(d.level is Level.WARNING for d in diagnostics)
    failed = errors > 0 or (strict and warnings > 0) or not seeds.results
    if report_format is ReportFormat.JSON:
        document = {
            "seeds": len(seeds.results),
            "valid": len(seeds.exercises),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.as_dict() for d in diagnostics],
        }
        out.print(json.dumps(document, indent=2), markup=False)
    else:
        _print_diagnostics(diagnostics, out)
        if not seeds.results:
            out.print("no seed files found", markup=False)
        else:
            out.print(
                f"{_plural(len(seeds.results), 'seed')} checked: {_plural(errors, 'error')}, "
                f"{_plural(warnings, 'warning')}",
                markup=False,
            )
    if failed:
        raise typer.Exit(code=1)


_BLEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm)?\s*$")


def _bleed_mm(value: str | None) -> float | None:
    if value is None:
        return None
    match = _BLEED.match(value)
    if not match:
        raise typer.BadParameter("give millimetres, e.g. 3mm")
    return float(match.group(1))


@app.command()
def export(
    paths: SeedPaths = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder the outputs are written into.")
    ] = DEFAULT_OUT,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help="Only run this exporter (repeat for several). Default: all."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Site the exercise pages live on (overrides the "
            "base_url setting and PIPELINE_BASE_URL).",
        ),
    ] = None,
    page_size: Annotated[
        str | None, typer.Option("--page-size", help="Card page size: a4, letter or a5.")
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option("--layout", help="1up: a card a page; 2up: two A5 cards on one A4 sheet."),
    ] = None,
    bleed: Annotated[
        str | None,
        typer.Option("--bleed", help="Bleed for print shops, e.g. 3mm (adds crop marks)."),
    ] = None,
    strict: StrictOption = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes (default: one per core; 1 works in-process).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild every output, changed or not.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars: one line per phase.")
    ] = False,
    report_json: Annotated[
        Path | None,
        typer.Option("--report-json", help="Also write the run's report as JSON to this file."),
    ] = None,
) -> None:
    """Parse every seed once, then write every format into the output folder.

    Only what changed since the last export into the folder is rebuilt. A seed with an error
    is reported and left out of every format; the others are still written, and the exit
    code is 1.
    """
    settings = _settings(
        base_url=base_url,
        page_size=page_size,
        layout=layout,
        bleed_mm=_bleed_mm(bleed),
        strict=strict or None,
    )
    reporter = LineReporter(err) if quiet or not err.is_terminal else BarReporter(err)
    try:
        report = run_export(
            paths or [DEFAULT_SEEDS],
            out_dir,
            settings,
            formats or (),
            jobs=jobs,
            force=force,
            reporter=reporter,
        )
    except (OutputError, WorkerError) as exc:  # the run failed; the command was fine
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    except PipelineError as exc:
        _fail_usage(str(exc))
    _print_diagnostics(report.diagnostics, err)
    if report_json is not None:
        try:
            report_json.write_text(json.dumps(report.as_dict(), indent=2) + "\n", "utf-8")
        except OSError as exc:
            _fail_usage(f"cannot write {report_json}: {exc.strerror or exc}")
    total, failed, warned = len(report.seeds), len(report.failed), len(report.warned)
    timings = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.seconds.items())
    out.print(
        f"{_plural(total, 'seed')} into {out_dir}: {total - failed - warned} ok, "
        f"{warned} warned, {failed} failed; {_plural(len(report.written), 'file')} written, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed"
        + (f" [{timings}]" if timings else ""),
        markup=False,
    )
    if report.errors or (strict and report.warnings) or not report.seeds:
        raise typer.Exit(code=1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a seed's frontmatter, for editors that validate YAML."""
    document = SeedFrontmatter.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out.print(json.dumps(document, indent=2, ensure_ascii=False), markup=False)


DbOption = Annotated[
    Path, typer.Option("--db", help="The catalogue to read (written by `pipeline export`).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DEFAULT_DB = DEFAULT_OUT / CATALOGUE_FILE
# Private marks around matched words in snippets; seed text cannot contain them.
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


def _open_catalogue(db: Path) -> Catalogue:
    try:
        return Catalogue(db)
    except CatalogueError as exc:
        _fail_usage(str(exc))


def _marked(snippet: str) -> Text:
    text = Text()
    for n, part in enumerate(re.split(f"[{_MARK_OPEN}{_MARK_CLOSE}]", snippet)):
        text.append(part, style="bold yellow" if n % 2 else "")
    return text


def _slug_column(slugs: Iterable[str]) -> Column:
    # A slug is what `pipeline show` takes: it is never cut short.
    return Column("Slug", no_wrap=True, min_width=max((len(s) for s in slugs), default=4))


def _print_json(document: object) -> None:
    out.print(json.dumps(document, indent=2, ensure_ascii=False), markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find; all must occur (stemmed).")],
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Full-text search of the catalogue: titles, descriptions, aliases, steps, tips and
    mistakes. Best matches first. Exits 1 when nothing matches."""
    with _open_catalogue(db) as catalogue:
        try:
            hits = catalogue.search(query, limit=limit, highlight=(_MARK_OPEN, _MARK_CLOSE))
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json(
            [
                {
                    "title": h.title,
                    "slug": h.slug,
                    "snippet": h.snippet.replace(_MARK_OPEN, "**").replace(_MARK_CLOSE, "**"),
                    "rank": h.rank,
                }
                for h in hits
            ]
        )
    elif hits:
        table = Table("Title", _slug_column(h.slug for h in hits), "Snippet")
        for hit in hits:
            table.add_row(Text(visible(hit.title)), Text(hit.slug), _marked(visible(hit.snippet)))
        out.print(table)
    else:
        out.print(f"no exercise matches '{visible(query)}'", markup=False)
    if not hits:
        raise typer.Exit(code=1)


@app.command("list")
def list_exercises(
    db: DbOption = DEFAULT_DB,
    muscle: Annotated[str | None, typer.Option(help="Only those training this muscle.")] = None,
    equipment: Annotated[str | None, typer.Option(help="Only those using this equipment.")] = None,
    level: Annotated[
        str | None, typer.Option(help="Only this level: beginner, intermediate or expert.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the exercises in the catalogue, optionally filtered (names ignore case)."""
    with _open_catalogue(db) as catalogue:
        try:
            found = catalogue.list_exercises(
                muscle=muscle, equipment=equipment, level=level, category=category
            )
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json([dataclasses.asdict(e) for e in found])
        return
    table = Table(
        Column("Title", min_width=16),
        _slug_column(e.slug for e in found),
        Column("Level", no_wrap=True, min_width=5),
        Column("Category", no_wrap=True, min_width=8),
        Column("Muscles", min_width=10, overflow="fold"),
        Column("Equipment", overflow="fold"),
    )
    for e in found:
        table.add_row(
            Text(visible(e.title)),
            Text(e.slug),
            Text(e.level or ""),
            Text(visible(e.category or "")),
            Text(visible(", ".join(e.muscles))),
            Text(visible(", ".join(e.equipment))),
        )
    if found:
        out.print(table)
    out.print(_plural(len(found), "exercise"), markup=False)


@app.command()
def show(
    slug: Annotated[str, typer.Argument(help="The exercise's slug (see `pipeline list`).")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Print one whole exercise from the catalogue. Exits 1 when there is no such slug."""
    with _open_catalogue(db) as catalogue:
        try:
            record = catalogue.show(slug)
        except ExerciseNotFoundError as exc:
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(code=1) from None
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json(dataclasses.asdict(record))
        return
    out.print(Text(visible(record.title), style="bold"))
    out.print(visible(record.description), markup=False)
    facts = {
        "Slug": record.slug,
        "Level": record.level,
        "Category": record.category,
        "Muscles": ", ".join(record.muscles),
        "Equipment": ", ".join(record.equipment),
        "Also called": ", ".join(record.aliases),
        "Video": record.video_url,
        "Source": record.source_path,
    }
    for name, value in facts.items():
        if value:
            out.print(Text.assemble((f"{name}: ", "dim"), visible(value)))
    sections = (
        ("Setup", record.setup, True),
        ("Execution", record.execution, True),
        ("Tips", record.tips, False),
        ("Common Mistakes", record.mistakes, False),
    )
    for heading, items, numbered in sections:
        if not items:
            continue
        out.print(Text("\n" + heading, style="bold"))
        for item in items:
            bullet = f"{item.position}. " if numbered else "- "
            label = (f"{visible(item.label)}: ", "bold") if item.label else ""
            out.print(Text.assemble(bullet, label, visible(item.text)))
    if record.outro:
        out.print("\n" + visible(record.outro, keep_newlines=True), markup=False)
    if record.howto:
        out.print(Text("\nIn short", style="bold"))
        for step in record.howto:
            name, text = visible(step.name), visible(step.text, keep_newlines=True)
            out.print(Text.assemble(f"{step.position}. ", (name, "bold"), f": {text}"))


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help=".jsonld files or HTML pages (ours or anyone's).")
    ],
) -> None:
    """Validate schema.org JSON-LD offline: vocabulary, absolute URLs, Google's HowTo and
    VideoObject rules and, for HTML pages, that the markup matches what the page shows.

    Prints path: error: message per problem. Exits 0 when every file is valid, 1 otherwise.
    """
    # Imported here so the other commands do not load PyLD.
    from pipeline.validation import UnreadableFileError, validate_file

    problems = 0
    for path in files:
        try:
            found = [str(p) for p in validate_file(path)]
        except UnreadableFileError as exc:
            found = [str(exc)]
        for message in found:
            out.print(f"{path}: error: {message}", markup=False)
        problems += len(found)
    out.print(
        f"{_plural(len(files), 'file')} validated: {_plural(problems, 'problem')}", markup=False
    )
    if problems:
        raise typer.Exit(code=1)


def main() -> None:
    """Run the command line. Ctrl-C or SIGTERM stops any command cleanly, with one line and
    the shell's status for the signal (130, 143)."""
    with interruptible():
        try:
            try:
                app()
                status = 0
            except SystemExit as done:
                status = _exit_status(done.code)
            ignore_signals()
        except Interrupted as stop:
            err.print(_interrupted(stop), markup=False)
            status = stop.exit_status
        # Every file is written and closed by now. An export leaves a large heap behind (the
        # manifest, digests, parsed models), and letting the interpreter free it object by
        # object took a fifth of a second of every run; the operating system takes it back.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(status)


def _interrupted(stop: Interrupted) -> str:
    if isinstance(stop, ExportInterrupted):
        return (
            f"interrupted: {stop.exported} of {_plural(stop.total, 'seed')} exported; "
            "the next run finishes the rest"
        )
    return "interrupted"


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # what sys.exit does with a message
    return 1
