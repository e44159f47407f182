"""What an exporter is: a name, a help line, and hooks that write one format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from pipeline.config import Settings
from pipeline.diagnostics import Diagnostic, Level
from pipeline.model import Exercise, Source
from pipeline.writer import OutputWriter


@dataclass
class ExportContext:
    """What an exporter writes through and reports to."""

    writer: OutputWriter
    settings: Settings
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, source: Source, message: str) -> None:
        """Report something a seed's author should fix; the output is still written."""
        self.diagnostics.append(Diagnostic(source.path, source.line, Level.WARNING, message))

    def note(self, source: Source, message: str) -> None:
        """Report a decision the exporter made that the author may want to know about."""
        self.diagnostics.append(Diagnostic(source.path, source.line, Level.NOTE, message))


class Exporter:
    """Base of every exporter. Subclasses set ``name`` and ``help`` and override the hooks they
    need; the engine calls them only with seeds that parsed without error.

    - :meth:`export_exercise` writes the outputs of one exercise (a page, a card);
    - :meth:`export_all` writes outputs built from all of them (an index, a database).
    """

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check_settings(self) -> None:
        """Raise :class:`pipeline.diagnostics.PipelineError` when a setting this exporter needs
        is missing or wrong; called once before anything is written."""

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write this exporter's outputs for one exercise."""

    def export_all(self, exercises: Sequence[Exercise], context: ExportContext) -> None:
        """Write outputs built from every exercise, given in slug order."""
