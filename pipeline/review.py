"""What ``pipeline check`` says of each exercise beyond its parse, without writing anything:
what the exporters would warn about (a character a card cannot print) and whether its text
is in the language it declares. A library of its own, so the command line, the tests and the
benchmarks ask the same questions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.diagnostics import Diagnostic, Level
from pipeline.registry import load_exporters
from pipeline.workers import internal_error

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.exporters.base import Exporter
    from pipeline.model import Exercise

Review = Callable[["Exercise"], list[Diagnostic]]


def all_exporters(settings: Settings) -> list[Exporter]:
    """One of every registered exporter, with ``settings``."""
    return [cls(settings) for cls in load_exporters().values()]


def exporter_checks(settings: Settings) -> Review:
    """What every exporter would warn about an exercise (a card's glyphs): what ``export``
    would say, without writing."""
    exporters = all_exporters(settings)

    def review(exercise: Exercise) -> list[Diagnostic]:
        said = []
        for exporter in exporters:
            try:
                found = exporter.check_exercise(exercise)
            except Exception as error:  # a bug in an exporter is named, not a traceback
                said.append(internal_error(exercise.source.path, exporter.name, error))
                continue
            said += [Diagnostic(s.path, s.line, Level.WARNING, m) for s, m in found]
        return said

    return review


def seed_reviews(settings: Settings) -> Review:
    """What ``check`` says of each exercise beyond its parse: the exporters' checks and,
    unless the ``detect_language`` setting is off, whether its text is in its language."""
    checks = exporter_checks(settings)
    if not settings.detect_language:
        return checks
    from pipeline.i18n.detect import language_warning

    def review(exercise: Exercise) -> list[Diagnostic]:
        warning = language_warning(exercise)
        return [*([warning] if warning else []), *checks(exercise)]

    return review
