"""The command line: a thin layer that turns options into library calls and results into text."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import enum
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, get_args

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.text import Text
from typer.core import TyperCommand

from pipeline import __version__
from pipeline.catalogue.schema import CATALOGUE_FILE
from pipeline.config import Settings, SettingsError, load_settings
from pipeline.diagnostics import (
    Diagnostic,
    Level,
    PipelineError,
    run_failed,
    summarise,
    visible,
)
from pipeline.engine import ExportReport, read_seeds, settings_warnings
from pipeline.engine import export as run_export
from pipeline.interrupt import ExportInterrupted, Interrupted, ignore_signals, interruptible
from pipeline.progress import BarReporter, LineReporter, Reporter
from pipeline.registry import RegistryError, load_exporters
from pipeline.review import all_exporters, seed_reviews
from pipeline.workers import WorkerError
from pipeline.writer import OutputError

# What only some commands need is imported by them: an export with nothing to do should not
# load the catalogue's reader, the frontmatter's model or rich's tables.
if TYPE_CHECKING:
    from rich.table import Table

    from pipeline.catalogue import (
        Catalogue,
        ExerciseRecord,
        ExerciseSummary,
        HowToStepRecord,
        SearchHit,
        StepRecord,
        TranslationRecord,
    )
    from pipeline.importers import ImportReport

app = typer.Typer(
    name="pipeline",
    help="Turn exercise how-to seeds (Markdown with YAML frontmatter) into schema.org JSON-LD, "
    "printable wall cards and a searchable SQLite catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, as click and git print it: options as ``--out DIR``, paragraphs rewrapped
    # to the terminal, no boxes to break on a narrow one.
    rich_markup_mode=None,
)

# Diagnostics are machine-read (editors, CI): never wrapped, never styled from seed text.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_SEEDS = Path("seeds")
DEFAULT_OUT = Path("outputs")


class _Command(TyperCommand):
    """A command whose help names values as ``PATH...`` and ``--out DIR``, never by their
    Python types."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The Arguments and Options sections of the help."""
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [_argument_help(p) for p in params if p.param_type_name == "argument"]
        options = [p.get_help_record(ctx) for p in params if p.param_type_name == "option"]
        _write_section(formatter, "Arguments", arguments)
        _write_section(formatter, "Options", options)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line: ``[OPTIONS] QUERY`` for a required argument, ``[PATH]...`` for an
        optional one."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append((name if param.required else f"[{name}]") + _repeats(param))
        return pieces


def _write_section(formatter: Any, title: str, rows: Sequence[tuple[str, str] | None]) -> None:
    """A section of the help listing ``rows`` (those with no help left out), if any."""
    if rows:
        with formatter.section(title):
            formatter.write_dl([row for row in rows if row])


def _repeats(param: Any) -> str:
    return "..." if param.nargs != 1 else ""


def _argument_help(param: Any) -> tuple[str, str]:
    name = (param.metavar or param.name.upper()) + _repeats(param)
    default = f"  [default: {param.show_default}]" if isinstance(param.show_default, str) else ""
    return name, (param.help or "") + default


class _ExportCommand(_Command):
    """``export``, whose help lists the exporters registered when it is asked for."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The options, then every exporter ``--format`` can name, with what it writes."""
        super().format_options(ctx, formatter)
        with formatter.section("Exporters (--format NAME)"):
            try:
                exporters = load_exporters()
            except RegistryError as exc:  # a broken plug-in: help still prints, and says so
                formatter.write_text(f"error: {exc}")
                return
            formatter.write_dl([(name, cls.help) for name, cls in exporters.items()])
        with formatter.section("Examples"):
            for command, what in _EXPORT_EXAMPLES:
                formatter.write_text(command)
                with formatter.indentation():
                    formatter.write_text(what)


_EXPORT_EXAMPLES = (
    ("pipeline export", "Every format of every seed in seeds/, into outputs/."),
    ("pipeline export -f pdf --page-size letter", "Only the wall cards, on US Letter."),
    ("pipeline export -f html -o site seeds/curl.md", "One seed's page, into site/."),
)


def _choices(setting: str) -> str:
    return "[" + "|".join(get_args(Settings.model_fields[setting].annotation)) + "]"


def _setting_help(setting: str, text: str) -> str:
    """Help for an option that overrides a setting, with the setting's own default."""
    default = Settings.model_fields[setting].default
    shown = f"{default:g}" if isinstance(default, float) else default
    return text + (f"  [default: {shown}]" if shown is not None else "")


class ReportFormat(enum.StrEnum):
    """How ``check`` prints its findings."""

    TEXT = "text"
    JSON = "json"


SeedPaths = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="PATH",
        help="Seed files or folders to read (folders are searched for *.md).",
        show_default="seeds/",
    ),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat warnings (an unknown key, ...) as errors.")
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="List every note, not one line per note many seeds share."
    ),
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


_OPTION_NAMES = {"bleed_mm": "--bleed", "log_cells": "--log-cells"}
"""The options whose names are not their settings' (``--page-size`` for ``page_size``)."""


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(option_names=_OPTION_NAMES, **overrides)
    except SettingsError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        raise typer.Exit(code=2) from None
    except PipelineError as exc:
        _fail_usage(str(exc))


_MOST = 2**63 - 1
"""The largest count SQLite (and so a catalogue query) takes."""


def _at_least_one(value: int | None) -> int | None:
    # A callback, not click's IntRange: that prints "[x>=1]" in the help.
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a whole number of 1 or more")
    if value is not None and value > _MOST:
        raise typer.BadParameter(f"{value} is more than {_MOST}")
    return value


def _fail_usage(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code=2)


def _fail_run(message: str) -> NoReturn:
    """The command was right but could not be carried out: say why, exit 1."""
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code=1)


def _annotation(diagnostic: Diagnostic) -> str:
    kind = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}[diagnostic.level]

    def escape(text: str, *, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    where = f"file={escape(diagnostic.path, prop=True)}"
    if diagnostic.line:
        where += f",line={diagnostic.line}"
    return f"::{kind} {where}::{escape(diagnostic.message)}"


def _print_diagnostics(
    diagnostics: Sequence[Diagnostic], console: Console, *, verbose: bool = False
) -> None:
    lines = [str(d) for d in diagnostics] if verbose else summarise(diagnostics)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        lines += [_annotation(d) for d in diagnostics]
    if lines:
        # Plain text in one write: thousands of lines through rich would take a second.
        console.file.write("\n".join(lines) + "\n")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@app.command(cls=_Command)
def check(
    paths: SeedPaths = None,
    strict: StrictOption = False,
    verbose: VerboseOption = False,
    report_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            metavar="[" + "|".join(ReportFormat) + "]",
            help="text for people, json for machines.",
        ),
    ] = ReportFormat.TEXT,
) -> None:
    """Check seeds, writing nothing.

    Parses and validates every seed, prints each problem as path:line: level: message, then a
    summary. Exits 0 when clean, 1 on any error (or warning, with --strict), 2 on a usage
    error.
    """
    settings = _settings(strict=strict or None)
    try:
        seeds = read_seeds(paths or [DEFAULT_SEEDS], settings, seed_reviews(settings))
    except PipelineError as exc:
        _fail_usage(str(exc))
    diagnostics = [*settings_warnings(all_exporters(settings)), *seeds.diagnostics]
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = sum(d.level is Level.WARNING for d in diagnostics)
    failed = run_failed(diagnostics, strict=settings.strict, seeds=len(seeds.results))
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
        _print_diagnostics(diagnostics, out, verbose=verbose)
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


def _language_tag(value: str | None) -> str | None:
    """A ``--lang`` as BCP 47 writes it (``pt-br`` -> ``pt-BR``); a usage error, with a
    did-you-mean, when it is not a language tag."""
    if value is None:
        return None
    from pipeline.i18n import TagError, canonical_tag

    try:
        return canonical_tag(value)
    except TagError as exc:
        raise typer.BadParameter(str(exc)) from None


def _language_tags(values: list[str] | None) -> list[str] | None:
    """Each ``export --lang`` as :func:`_language_tag` takes it."""
    return [tag for value in values if (tag := _language_tag(value))] if values else values


@app.command(cls=_ExportCommand)
def export(
    paths: SeedPaths = None,
    out_dir: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="DIR", help="Folder the outputs are written into."),
    ] = DEFAULT_OUT,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="NAME",
            help="Only run this exporter (repeat for several; default: all of them). "
            "The exporters are listed below.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help=_setting_help("base_url", "Site the exercise pages live on."),
        ),
    ] = None,
    page_size: Annotated[
        str | None,
        typer.Option(
            "--page-size",
            metavar=_choices("page_size"),
            help=_setting_help("page_size", "Card page size."),
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout",
            metavar=_choices("layout"),
            help=_setting_help("layout", "1up: a card a page; 2up: two A5 cards on one A4 sheet."),
        ),
    ] = None,
    bleed: Annotated[
        str | None,
        typer.Option(
            "--bleed",
            metavar="MM",
            help=_setting_help(
                "bleed_mm", "Bleed for print shops, in millimetres: 3 or 3mm (adds crop marks)."
            ),
        ),
    ] = None,
    log_cells: Annotated[
        int | None,
        typer.Option(
            "--log-cells",
            metavar="N",
            help=_setting_help(
                "log_cells",
                "N blank rows at each card's foot for members to log their sessions.",
            ),
        ),
    ] = None,
    strict: StrictOption = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            callback=_at_least_one,
            metavar="N",
            help="Worker processes (default: one per core; -j 1 runs in this process).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild every output, changed or not.")
    ] = False,
    drafts: Annotated[
        bool, typer.Option("--drafts", help="Export seeds marked 'draft: true' too.")
    ] = False,
    languages: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            metavar="TAG",
            callback=_language_tags,
            help="Only export seeds in this language, a BCP 47 tag (de takes de-AT too; "
            "repeat for several). The others are checked, and left as they were.",
        ),
    ] = None,
    verbose: VerboseOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars: one line per phase.")
    ] = False,
    report_json: Annotated[
        Path | None,
        typer.Option(
            "--report-json",
            metavar="FILE",
            help="Also write the run's report as JSON to this file.",
        ),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            metavar="DIR",
            help=_setting_help(
                "state_dir", "Where to keep the build state (default: beside the output folder)."
            ),
        ),
    ] = None,
) -> None:
    """Write every format from the seeds.

    Parses every seed once, then writes every format into the output folder. Only what
    changed since the last export into the folder is rebuilt. A seed with an error is reported
    and left out of every format; the others are still written, and the exit code is 1.

    --base-url, --page-size, --layout, --bleed, --log-cells and --state-dir override the
    settings base_url, page_size, layout, bleed_mm, log_cells and state_dir, from the
    settings file or a PIPELINE_<NAME> variable.
    """
    settings = _settings(
        base_url=base_url,
        page_size=page_size,
        layout=layout,
        bleed_mm=bleed,
        log_cells=log_cells,
        strict=strict or None,
        state_dir=str(state_dir) if state_dir is not None else None,
    )
    try:
        report = run_export(
            paths or [DEFAULT_SEEDS],
            out_dir,
            settings,
            formats or (),
            jobs=jobs,
            force=force,
            drafts=drafts,
            reporter=_reporter(quiet=quiet),
            languages=languages or (),
        )
    except (OutputError, WorkerError) as exc:  # the run failed; the command was fine
        _fail_run(str(exc))
    except PipelineError as exc:
        _fail_usage(str(exc))
    _print_diagnostics(report.diagnostics, err, verbose=verbose)
    if report_json is not None:
        _write_report_json(report, report_json)
    out.print(_export_summary(report, out_dir, verbose=verbose), markup=False)
    if run_failed(report.diagnostics, strict=settings.strict, seeds=len(report.seeds)):
        raise typer.Exit(code=1)


def _reporter(*, quiet: bool) -> Reporter:
    """Progress bars on a terminal; one line a phase elsewhere, or with ``--quiet``."""
    return LineReporter(err) if quiet or not err.is_terminal else BarReporter(err)


def _write_report_json(report: ExportReport, path: Path) -> None:
    """``--report-json``: the run's report, as JSON, into ``path``."""
    try:
        path.write_text(json.dumps(report.as_dict(), indent=2) + "\n", "utf-8")
    except OSError as exc:
        _fail_usage(f"cannot write {path}: {exc.strerror or exc}")


def _export_summary(report: ExportReport, out_dir: Path, *, verbose: bool) -> str:
    """The line an export ends with: how its seeds fared, what it wrote and removed, and how
    long each phase took."""
    total, failed, warned = len(report.seeds), len(report.failed), len(report.warned)
    timings = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.seconds.items())
    held_back = len(report.drafts)
    drafts_part = f", {_plural(held_back, 'draft')} not exported" if held_back else ""
    return (
        f"{_plural(total, 'seed')} into {out_dir}: {total - failed - warned} ok, "
        f"{warned} warned, {failed} failed{drafts_part}{_other_languages(report)}; "
        f"{_plural(len(report.written), 'file')} written, "
        f"{report.unchanged} unchanged, {_removed(report.removed, verbose=verbose)}"
        + (f" [{timings}]" if timings else "")
    )


def _other_languages(report: ExportReport) -> str:
    """What ``--lang`` left out, and how many of those the folder holds out of date."""
    left = len(report.other_languages)
    if not left:
        return ""
    stale = len(report.out_of_date)
    part = f", {_plural(left, 'seed')} in other languages left as they were"
    if stale:
        part += f" ({stale} of them out of date)"
    return part


def _removed(paths: Sequence[str], *, verbose: bool, shown: int = 5) -> str:
    # Removing is the one thing an export does that cannot be undone: it is named.
    if not paths:
        return "0 removed"
    if verbose or len(paths) <= shown:
        return f"removed {len(paths)}: {', '.join(paths)}"
    more = len(paths) - shown
    return f"removed {len(paths)}: {', '.join(paths[:shown])} and {more} more (--verbose lists all)"


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of the frontmatter.

    Editors that validate YAML use it to check a seed's frontmatter as it is typed.
    """
    from pipeline.frontmatter import SeedFrontmatter

    document = SeedFrontmatter.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out.print(json.dumps(document, indent=2, ensure_ascii=False), markup=False)


@app.command(cls=_Command)
def new(
    title: Annotated[str, typer.Argument(metavar="TITLE", help="The exercise's title.")],
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="TAG",
            callback=_language_tag,
            help="The seed's language, a BCP 47 tag (de, pt-BR): its headings are in it, and "
            "its file name says it unless it is default_lang.",
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Where the seed goes.")
    ] = DEFAULT_SEEDS,
) -> None:
    """Write the skeleton of a new seed.

    Every section under its heading in the seed's language, the howto marker and a first
    step, with the blanks left blank: `pipeline check` names each one still to fill, at its
    line, and accepts the seed once they are filled. An existing file is never overwritten.
    """
    from pipeline.scaffold import new_seed

    settings = _settings()
    try:
        path = new_seed(
            title,
            out_dir,
            lang=lang or settings.default_lang,
            default_lang=settings.default_lang,
        )
    except ValueError as error:
        _fail_usage(str(error))
    except FileExistsError as error:
        _fail_run(f"{error.filename} exists already: choose another title, or edit that seed")
    except OSError as error:
        _fail_run(f"cannot write the seed into {out_dir}: {error.strerror or error}")
    out.print(
        f"wrote {path}: fill in what `pipeline check {path}` names, then export it",
        markup=False,
    )


@app.command(cls=_Command)
def serve(
    paths: SeedPaths = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Where to export (default: a temporary folder, removed when it stops).",
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", metavar="N", help="The port to serve on (0: any free one).")
    ] = 8000,
) -> None:
    """Preview the site and the cards as you write.

    Exports the seeds, serves the output folder at http://127.0.0.1:PORT/ and exports again
    whenever a seed, a picture, the settings file or the brand's logo changes; each open
    page reloads itself once the new build is done, and shows the errors, as
    path:line: error: message, while there are some. Ctrl-C stops it.
    """
    import tempfile

    from pipeline.config import settings_files
    from pipeline.serve import Preview, ServeError

    settings = _settings()
    seeds = list(paths or [DEFAULT_SEEDS])
    with contextlib.ExitStack() as stack:
        if out_dir is None:
            out_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pipeline-")))
        try:
            preview = Preview(
                seeds,
                out_dir,
                settings,
                port=port,
                on_build=_said_build,
                load_settings=functools.partial(load_settings, option_names=_OPTION_NAMES),
                settings_files=settings_files(),
            )
        except ServeError as error:
            _fail_run(str(error))
        _say(f"serving {preview.url} from {out_dir}; Ctrl-C stops")
        try:
            preview.run()
        except (KeyboardInterrupt, Interrupted):
            # How a preview is meant to end: said, and no failure.
            _say("stopped")


def _said_build(build: Any, report: ExportReport | None) -> None:
    """One line a build: what it wrote, and its errors in full."""
    for error in build.errors:
        _say(str(error))
    written = len(report.written) if report is not None else 0
    errors = len(build.errors)
    _say(f"build {build.number}: {_plural(written, 'file')} written, {_plural(errors, 'error')}")


def _say(text: str) -> None:
    """A line the moment it happens: whoever reads the output waits for it."""
    out.print(text, markup=False)
    out.file.flush()


import_app = typer.Typer(
    help="Make seeds from an open exercise collection: one seed a record, checked as "
    "`pipeline check` would; a new import updates the seeds it wrote and leaves those edited "
    "since alone.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import", short_help="Make seeds from an open exercise collection.")

ImportOutOption = Annotated[
    Path,
    typer.Option("--out", "-o", metavar="DIR", help="Where the seeds go (made if missing)."),
]
OverwriteOption = Annotated[
    bool,
    typer.Option(
        "--overwrite", help="Replace the seeds edited by hand since they were imported, too."
    ),
]


@import_app.command("free-exercise-db", cls=_Command)
def import_free_exercise_db(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE_OR_DIR",
            help="free-exercise-db's exercises.json, or its exercises/ folder (a JSON file a "
            "record, the pictures in a folder a record beside them).",
        ),
    ],
    out_dir: ImportOutOption = DEFAULT_SEEDS,
    overwrite: OverwriteOption = False,
) -> None:
    """Make a seed from each free-exercise-db record.

    Title, a description of what the record says (level, category, muscles, equipment), its
    instructions as the Execution section and the howto's steps, muscles, equipment, level,
    category, pictures (copied into DIR/images/ when their files are found with the data),
    licence and source. A record that makes no valid seed is named with why, and skipped.
    Exits 0 when every record made a seed, 1 when some did not.
    """
    from pipeline.importers.free_exercise_db import import_free_exercise_db as run_import

    settings = _settings()
    report = run_import(source, out_dir, overwrite=overwrite, default_lang=settings.default_lang)
    _print_import(report, out_dir)


@import_app.command("wger", cls=_Command)
def import_wger(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE_OR_DIR",
            help="An answer of wger's API exerciseinfo (a list, or a page with results), or "
            "a folder of wger's fixture files (exercises.json, exercise-base-data.json...).",
        ),
    ],
    languages: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            metavar="TAG",
            callback=_language_tags,
            help="Only translations in this language (repeat for more).",
        ),
    ] = None,
    out_dir: ImportOutOption = DEFAULT_SEEDS,
    overwrite: OverwriteOption = False,
) -> None:
    """Make a seed from each wger exercise translation.

    Title, the description's first sentences, its list items and sentences as the Execution
    section (under the language's heading) and the howto's steps, the exercise's muscles
    (by their English names), equipment and category, the translation's other names, licence
    and author. The translations of one exercise are linked (translation_of the English
    one), so their pages name each other. A translation that makes no valid seed is named
    with why, and skipped. Exits 0 when every translation made a seed, 1 when some did not.
    """
    from pipeline.importers.wger import import_wger as run_import

    settings = _settings()
    report = run_import(
        source,
        out_dir,
        languages=languages or (),
        overwrite=overwrite,
        default_lang=settings.default_lang,
    )
    _print_import(report, out_dir, "translation")


def _print_import(report: ImportReport, out_dir: Path, unit: str = "record") -> None:
    from pipeline.importers import Outcome

    kept = [
        Diagnostic(
            str(out_dir / name),
            0,
            Level.NOTE,
            "edited since it was imported: left as it is (--overwrite replaces it)",
        )
        for name, outcome in sorted(report.outcomes.items())
        if outcome is Outcome.KEPT
    ]
    _print_diagnostics([*report.diagnostics, *kept], out, verbose=True)
    counts = ", ".join(f"{report.count(outcome)} {outcome.value}" for outcome in Outcome)
    records = len(report.outcomes) + report.skipped
    out.print(f"{_plural(records, unit)}: seeds {counts}; {report.skipped} skipped", markup=False)
    if report.diagnostics and any(d.level is Level.ERROR for d in report.diagnostics):
        raise typer.Exit(code=1)


DbOption = Annotated[
    Path,
    typer.Option(
        "--db", metavar="FILE", help="The catalogue to read (written by `pipeline export`)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="TAG",
        callback=_language_tag,
        help="Only exercises in this language, a BCP 47 tag (de, pt-BR); de takes de-AT too.",
    ),
]
DEFAULT_DB = DEFAULT_OUT / CATALOGUE_FILE
# Private marks around matched words in snippets; seed text cannot contain them.
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


def _open_catalogue(db: Path) -> Catalogue:
    from pipeline.catalogue import Catalogue, CatalogueError

    try:
        return Catalogue(db)
    except CatalogueError as exc:
        _fail_usage(str(exc))


def _marked(snippet: str) -> Text:
    """The snippet with its matched words highlighted: split on the private marks first, then
    each part made safe to print, so the marks themselves are never escaped into view."""
    text = Text()
    for n, part in enumerate(re.split(f"[{_MARK_OPEN}{_MARK_CLOSE}]", snippet)):
        # A snippet may span steps, which the index holds one per line: one line on screen.
        text.append(
            visible(re.sub(r"\s*[\r\n]+\s*", " ", part)), style="bold yellow" if n % 2 else ""
        )
    return text


@dataclasses.dataclass(frozen=True)
class _Field:
    """A column of a table fitted to the terminal, with its cells.

    A ``no_wrap`` column is always as wide as its widest cell; the others wrap, but never
    narrower than ``min_width`` or their longest word. ``drop`` orders the columns that may
    be left out when the terminal is too narrow for all of them: the highest goes first; 0 is
    never left out."""

    header: str
    cells: Sequence[Text]
    min_width: int = 0
    no_wrap: bool = False
    drop: int = 0

    @functools.cached_property
    def span(self) -> tuple[int, int]:
        """The narrowest and the widest the column can be, its header included."""
        options = out.options.update_width(_UNBOUNDED)
        sizes = [Measurement.get(out, options, cell) for cell in (Text(self.header), *self.cells)]
        narrowest = max(self.min_width, *(m.minimum for m in sizes))
        widest = max(narrowest, *(m.maximum for m in sizes))
        return (widest, widest) if self.no_wrap else (narrowest, widest)


def _slug_field(slugs: Sequence[str]) -> _Field:
    # A slug is what `pipeline show` takes: it is never cut short or wrapped.
    return _Field("Slug", [Text(s) for s in slugs], no_wrap=True)


# Wide enough to measure any content without the terminal's width in the way.
_UNBOUNDED = 1_000_000


def _fitted_table(fields: Sequence[_Field]) -> Table | None:
    """A table of ``fields`` that fits the terminal, or None when even the columns that are
    never dropped cannot stand side by side at their narrowest.

    Columns that may be dropped are left out, highest ``drop`` first, until the rest fit at
    their narrowest, rather than squeezed to nothing. When the table does not fit at its
    widest either, each column is given a width: a ``no_wrap`` one its widest cell, the others
    their narrowest plus a share of what is left, in proportion to what more they could use
    (rich alone would shrink them evenly, below the narrowest a column may be)."""
    from rich.table import Column, Table

    kept = _fitting_fields(fields)
    if kept is None:
        return None
    widths = _shared_widths(kept)
    table = Table(
        *(
            Column(f.header, width=width, no_wrap=f.no_wrap)
            for f, width in zip(kept, widths, strict=True)
        )
    )
    for row in zip(*(f.cells for f in kept), strict=True):
        table.add_row(*row)
    return table


def _fitting_fields(fields: Sequence[_Field]) -> list[_Field] | None:
    """``fields`` less those dropped, highest ``drop`` first, for the rest to fit side by side
    at their narrowest; None when the fields never dropped do not fit."""
    kept = list(fields)
    while sum(f.span[0] for f in kept) > _room(kept):
        droppable = [f for f in kept if f.drop]
        if not droppable:
            return None
        kept.remove(max(droppable, key=lambda f: f.drop))
    return kept


def _room(fields: Sequence[_Field]) -> int:
    """How wide the cells of a table of ``fields`` can be together on the terminal."""
    from rich.table import Table

    options = out.options.update_width(_UNBOUNDED)
    # What borders and padding take: a table of the headers alone, less the headers.
    frame = Measurement.get(out, options, Table(*(f.header for f in fields))).minimum - sum(
        len(f.header) for f in fields
    )
    return out.width - frame


def _shared_widths(fields: Sequence[_Field]) -> list[int | None]:
    """The width of each column: rich's own (None) when the table fits at its widest, else
    the narrowest plus a share of the room left, in proportion to what more it could use."""
    room = _room(fields)
    if sum(f.span[1] for f in fields) <= room:
        return [None] * len(fields)
    narrowest = [f.span[0] for f in fields]
    wants = [most - least for least, most in (f.span for f in fields)]
    spare = room - sum(narrowest)
    shares = [spare * want // sum(wants) for want in wants]
    shares[wants.index(max(wants))] += spare - sum(shares)
    return [least + share for least, share in zip(narrowest, shares, strict=True)]


def _print_stacked(entries: Iterable[tuple[Text, str, Text]]) -> None:
    """Entries one under another, for a terminal too narrow for a table: the title (wrapped),
    the slug on a line of its own (whole, so it can be copied), then the details, if any."""
    for n, (title, slug, details) in enumerate(entries):
        if n:
            out.print()
        _print_wrapped(title, indent="", style="bold")
        out.print(Text("  " + slug))
        _print_wrapped(details, indent="  ")


def _print_wrapped(text: Text, *, indent: str, style: str = "") -> None:
    """``text`` wrapped at words to the terminal, each line indented, without trailing spaces."""
    for line in text.wrap(out, max(out.width - len(indent), 1)) if text.plain else ():
        line.rstrip()
        out.print(Text(indent) + line, style=style)


def _print_json(document: object) -> None:
    out.print(json.dumps(document, indent=2, ensure_ascii=False), markup=False)


@app.command(cls=_Command)
def search(
    words: Annotated[
        list[str],
        typer.Argument(metavar="WORD", help="Words to find; all must occur (stemmed)."),
    ],
    db: DbOption = DEFAULT_DB,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", callback=_at_least_one, metavar="N", help="At most this many."
        ),
    ] = 20,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the catalogue.

    Full-text search of titles, descriptions, other names, steps, tips, mistakes and other
    sections, in every language or in --lang's; best matches first. Words are found as each
    language's readers type them: without accents, Bankdruecken for Bankdrücken, any case.
    Exits 1 when nothing matches.
    """
    from pipeline.catalogue import CatalogueError

    query = " ".join(words)
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # bytes the terminal could not decode
        raw = query.encode("utf-8", "surrogateescape")
        _fail_usage(f"the search words are not UTF-8 text: {raw!r}")
    with _open_catalogue(db) as catalogue:
        try:
            hits = catalogue.search(
                query, lang=lang, limit=limit, highlight=(_MARK_OPEN, _MARK_CLOSE)
            )
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json([_hit_json(hit) for hit in hits])
    elif hits:
        _print_hits(hits)
    else:
        out.print(f"no exercise matches '{visible(query)}'", markup=False)
    if not hits:
        raise typer.Exit(code=1)


def _hit_json(hit: SearchHit) -> dict[str, object]:
    """A search hit for ``--json``, its matched words marked as Markdown bold."""
    return {
        "title": hit.title,
        "slug": hit.slug,
        "lang": hit.lang,
        "snippet": hit.snippet.replace(_MARK_OPEN, "**").replace(_MARK_CLOSE, "**"),
        "rank": hit.rank,
    }


def _print_hits(hits: Sequence[SearchHit]) -> None:
    """The table of ``pipeline search``, fitted to the terminal, or the hits one under
    another when it does not fit."""
    titles = [Text(visible(h.title)) for h in hits]
    snippets = [_marked(h.snippet) for h in hits]
    languages = _language_field([h.lang for h in hits])
    table = _fitted_table(
        [
            _Field("Title", titles, min_width=12),
            _slug_field([h.slug for h in hits]),
            *languages,
            _Field("Snippet", snippets, min_width=24),
        ]
    )
    if table is None:
        details = _joined_rows([*languages, _Field("Snippet", snippets)])
        _print_stacked(zip(titles, (h.slug for h in hits), details, strict=True))
    else:
        out.print(table)


@app.command("list", cls=_Command)
def list_exercises(
    db: DbOption = DEFAULT_DB,
    muscle: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only those training this muscle.")
    ] = None,
    equipment: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only those using this equipment.")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(metavar="LEVEL", help="Only this level: beginner, intermediate or expert."),
    ] = None,
    category: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only this category.")
    ] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the exercises in the catalogue.

    Optionally only those matching every filter given; names ignore case and a plural s or es.
    """
    from pipeline.catalogue import CatalogueError

    with _open_catalogue(db) as catalogue:
        try:
            found = catalogue.list_exercises(
                muscle=muscle, equipment=equipment, level=level, category=category, lang=lang
            )
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json([dataclasses.asdict(e) for e in found])
        return
    if found:
        _print_exercises(found)
    out.print(_plural(len(found), "exercise"), markup=False)


_EXERCISE_FACTS: tuple[tuple[_Field, Callable[[ExerciseSummary], str]], ...] = (
    (_Field("Level", (), no_wrap=True, drop=1), lambda e: e.level or ""),
    (_Field("Category", (), no_wrap=True, drop=3), lambda e: visible(e.category or "")),
    (_Field("Muscles", (), min_width=10, drop=2), lambda e: visible(", ".join(e.muscles))),
    (_Field("Equipment", (), drop=4), lambda e: visible(", ".join(e.equipment))),
)
"""The columns of ``pipeline list`` after the title and the slug, with no cells yet, and how
to write each one's cell for an exercise."""


def _print_exercises(found: Sequence[ExerciseSummary]) -> None:
    """The table of ``pipeline list``, fitted to the terminal: equipment is left out first,
    then category, muscles and level; the title and the whole slug are always shown."""
    titles = [Text(visible(e.title)) for e in found]
    facts = [
        *_language_field([e.lang for e in found]),
        *(
            dataclasses.replace(column, cells=[Text(text(e)) for e in found])
            for column, text in _EXERCISE_FACTS
        ),
    ]
    table = _fitted_table(
        [_Field("Title", titles, min_width=16), _slug_field([e.slug for e in found]), *facts]
    )
    if table is not None:
        out.print(table)
        return
    _print_stacked(zip(titles, (e.slug for e in found), _joined_rows(facts), strict=True))


def _language_field(tags: Sequence[str]) -> list[_Field]:
    """The language column of a table, never left out, when its rows are in more than one
    language (``squat`` in en and in de are two rows); none when they are all in one."""
    if len(set(tags)) < 2:
        return []
    return [_Field("Lang", [Text(t) for t in tags], no_wrap=True)]


def _joined_rows(fields: Sequence[_Field]) -> list[Text]:
    """Each row of ``fields`` as one line, its non-empty cells joined by dots."""
    rows = zip(*(f.cells for f in fields), strict=True)
    return [Text(" · ").join(cell for cell in row if cell.plain) for row in rows]


@app.command(cls=_Command)
def show(
    slug: Annotated[
        str, typer.Argument(metavar="SLUG", help="The exercise's slug (see `pipeline list`).")
    ],
    db: DbOption = DEFAULT_DB,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="TAG",
            callback=_language_tag,
            help="The version in this language, a BCP 47 tag; de-AT takes de if need be.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print one exercise from the catalogue.

    Everything the catalogue holds of it, section by section, and the languages it is also
    in. A slug in several languages is shown in --lang's, else in the default_lang setting's
    (or the nearest it falls back to: de-AT, de, then en); when it is in none of those, the
    command says which languages it is in. --lang also finds a translation with a slug of its
    own: show squat --lang de shows kniebeuge, a translation_of: squat. Exits 1 when there is
    no such slug (in --lang).
    """
    from pipeline.catalogue import CatalogueError, ExerciseNotFoundError

    with _open_catalogue(db) as catalogue:
        try:
            record = _shown(catalogue, slug, lang)
        except ExerciseNotFoundError as exc:
            _fail_run(str(exc))
        except CatalogueError as exc:
            _fail_usage(str(exc))
    if as_json:
        _print_json({**dataclasses.asdict(record), "work": record.work})
    else:
        _print_record(record)


def _shown(catalogue: Catalogue, slug: str, lang: str | None) -> ExerciseRecord:
    """The exercise ``show`` prints: in ``lang``, else its only version, else the version
    in the default language's fallback chain; a usage error when there is none of those."""
    from pipeline.catalogue import AmbiguousExerciseError
    from pipeline.i18n import fallback_chain

    try:
        return catalogue.show(slug, lang)
    except AmbiguousExerciseError as exc:
        wanted = fallback_chain(_settings().default_lang)
        chosen = next((tag for tag in wanted if tag in exc.languages), None)
        if chosen is None:
            _fail_usage(f"{exc}; choose one with --lang")
        return catalogue.show(slug, chosen)


def _print_record(record: ExerciseRecord) -> None:
    """``pipeline show``'s text: the title, the description and the facts, then the sections,
    the closing words and the how-to in short."""
    out.print(Text(visible(record.title), style="bold"))
    out.print(visible(record.description), markup=False)
    for name, value in _record_facts(record).items():
        if value:
            out.print(Text.assemble((f"{name}: ", "dim"), visible(value)))
    for heading, items, numbered in _record_sections(record):
        _print_section(heading, items, numbered=numbered)
    if record.outro:
        out.print("\n" + visible(record.outro, keep_newlines=True), markup=False)
    _print_howto(record.howto)


def _record_facts(record: ExerciseRecord) -> dict[str, str | None]:
    """The facts ``pipeline show`` lists under the description, by name; those without a
    value are left out."""
    return {
        "Slug": record.slug,
        "Level": record.level,
        "Category": record.category,
        "Muscles": ", ".join(record.muscles),
        "Secondary muscles": ", ".join(record.secondary_muscles),
        "Equipment": ", ".join(record.equipment),
        "Supplies": ", ".join(record.supplies),
        "Also called": ", ".join(record.aliases),
        "Workout": _workout(record),
        "Settings": " · ".join(f"{name}: {value}" for name, value in record.settings),
        "Author": record.author,
        "Author's page": record.author_url,
        "Licence": record.license or record.license_url,
        "Based on": record.source_url,
        "Image": record.image,
        "Video": record.video_url,
        "Video uploaded": record.video_uploaded,
        "Language": record.lang,
        "Also in": " · ".join(_translation(record, t) for t in record.translations),
        "Updated": record.updated,
        "Source": record.source_path,
    }


def _workout(record: ExerciseRecord) -> str:
    """The prescription's numbers as the card prints them in English: ``3 sets · 10-12 reps ·
    Rest 90 s``."""
    from pipeline.i18n.labels import labels_for
    from pipeline.model import Prescription
    from pipeline.prescription import facts

    plan = Prescription(
        sets=record.sets,
        reps_min=record.reps_min,
        reps_max=record.reps_max,
        rest_seconds=record.rest_seconds,
        tempo=record.tempo,
        time_seconds=record.time_seconds,
    )
    return " · ".join(facts(plan, labels_for("en")))


def _translation(record: ExerciseRecord, other: TranslationRecord) -> str:
    """Another language version, as ``show`` lists it: ``de: Kniebeuge``, and its slug when
    it is not this one's (what ``show --lang`` then takes)."""
    slug = "" if other.slug == record.slug else f" ({other.slug})"
    return f"{other.lang}: {other.title}{slug}"


def _record_sections(record: ExerciseRecord) -> list[tuple[str, Sequence[StepRecord], bool]]:
    """Each section of ``record``: its heading, its items and whether they are numbered."""
    return [
        ("Setup", record.setup, True),
        ("Execution", record.execution, True),
        ("Tips", record.tips, False),
        ("Common Mistakes", record.mistakes, False),
        *((visible(o.heading), o.items, False) for o in record.other_sections),
    ]


def _print_section(heading: str, items: Sequence[StepRecord], *, numbered: bool) -> None:
    """A section under its heading, numbered or bulleted; an empty one is not printed."""
    if not items:
        return
    out.print(Text("\n" + heading, style="bold"))
    for item in items:
        bullet = f"{item.position}. " if numbered else "- "
        label = (f"{visible(item.label)}: ", "bold") if item.label else ""
        out.print(Text.assemble(bullet, label, visible(item.text)))


def _print_howto(steps: Sequence[HowToStepRecord]) -> None:
    """The how-to in short, one step a line, if the exercise has one."""
    if not steps:
        return
    out.print(Text("\nIn short", style="bold"))
    for step in steps:
        name, text = visible(step.name), visible(step.text, keep_newlines=True)
        out.print(Text.assemble(f"{step.position}. ", (name, "bold"), f": {text}"))


@app.command(cls=_Command)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help=".jsonld files, HTML pages or snippets (ours or anyone's), sitemaps, or "
            "folders to search for them, e.g. outputs/.",
        ),
    ],
) -> None:
    """Validate schema.org JSON-LD, offline.

    Checks the vocabulary, absolute URLs, Google's HowTo and VideoObject rules and, for HTML
    pages, that the markup matches what the page shows. A sitemap.xml is read as search
    engines read it (sitemaps.org's limits, dates, hreflang return links), and each URL it
    lists must be a page in its folder.

    HTML that is nothing but JSON-LD script elements (a .snippet.html) is a snippet: it has no
    page to compare with, so a note says what the page it goes into must show. Prints path:
    error: message per problem, then each file's verdict and how it was read. Exits 0 when
    every file is valid, 1 otherwise.
    """
    # Imported here so the other commands do not load PyLD.
    from pipeline.validation import HOWTO_NOTE, files_in

    checked = problems = 0
    howto = False
    for given in paths:
        files = files_in(given)
        if not files:
            out.print(f"{given}: error: no .jsonld or HTML file in this folder", markup=False)
            problems += 1
        for path in files:
            checked += 1
            found, types = _validate_file(path)
            problems += found
            howto = howto or "HowTo" in types
    if howto:
        out.print(f"note: {HOWTO_NOTE}", markup=False)
    out.print(f"{_plural(checked, 'file')} validated: {_plural(problems, 'problem')}", markup=False)
    if problems:
        raise typer.Exit(code=1)


def _validate_file(path: Path) -> tuple[int, frozenset[str]]:
    """Validate one file and print what was found; the number of problems, and the types
    of its nodes."""
    from pipeline.validation import UnreadableFileError, check_file

    try:
        report = check_file(path)
    except UnreadableFileError as exc:
        out.print(f"{path}: error: {exc}", markup=False)
        return 1, frozenset()
    for problem in report.problems:
        out.print(f"{path}: error: {problem}", markup=False)
    verdict = _plural(len(report.problems), "problem") if report.problems else "ok"
    out.print(f"{path}: {verdict} ({report.rules})", markup=False)
    if report.contract is not None:
        out.print(f"{path}: note: {report.contract}", markup=False)
    return len(report.problems), report.types


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
        # build state, entries, parsed models), and letting the interpreter free it object by
        # object took a fifth of a second of every run; the operating system takes it back.
        # Only that teardown is skipped: exit handlers (a plug-in's, say) still run.
        atexit._run_exitfuncs()
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
