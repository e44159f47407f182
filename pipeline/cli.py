"""The command line: a thin layer that turns options into library calls and results into text."""

from __future__ import annotations

import enum
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from pipeline import __version__
from pipeline.config import Settings, load_settings
from pipeline.diagnostics import Diagnostic, Level, PipelineError
from pipeline.engine import export as run_export
from pipeline.engine import read_seeds
from pipeline.frontmatter import SeedFrontmatter

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
    for diagnostic in diagnostics:
        console.print(str(diagnostic), markup=False)
        if github:
            console.print(_annotation(diagnostic), markup=False)


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
) -> None:
    """Parse every seed once, then write every format into the output folder.

    A seed with an error is reported and left out of every format; the others are still
    written, and the exit code is 1.
    """
    settings = _settings(
        base_url=base_url,
        page_size=page_size,
        layout=layout,
        bleed_mm=_bleed_mm(bleed),
        strict=strict or None,
    )
    try:
        report = run_export(paths or [DEFAULT_SEEDS], out_dir, settings, formats or ())
    except PipelineError as exc:
        _fail_usage(str(exc))
    _print_diagnostics(report.diagnostics, err)
    seeds = report.seeds.results
    failed = len(report.seeds.failed)
    timings = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.seconds.items())
    out.print(
        f"exported {_plural(len(seeds) - failed, 'seed')} ({failed} failed) into {out_dir}: "
        f"{_plural(len(report.written), 'file')} written, {len(report.unchanged)} unchanged"
        + (f" [{timings}]" if timings else ""),
        markup=False,
    )
    if report.errors or (strict and report.warnings) or not seeds:
        raise typer.Exit(code=1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a seed's frontmatter, for editors that validate YAML."""
    document = SeedFrontmatter.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out.print(json.dumps(document, indent=2, ensure_ascii=False), markup=False)


def main() -> None:
    """Entry point of the ``pipeline`` console script."""
    app()
