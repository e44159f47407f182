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


def picture_warnings(exercise: Exercise) -> list[Diagnostic]:
    """A warning at each picture that names no licence: reusing a picture means printing
    its credit, and without a licence no one can tell whether it may be printed at all."""
    return [
        Diagnostic(
            picture.source.path,
            picture.source.line,
            Level.WARNING,
            f"the picture '{picture.src}' has no licence: give it as a mapping with one "
            f"({{path: {picture.src}, license: CC-BY-SA-4.0, author: ...}}), or CC0-1.0 for "
            "a picture of your own you let anyone reuse",
        )
        for picture in exercise.images
        if picture.credit is None or picture.credit.license_url is None
    ]


def seed_reviews(settings: Settings) -> Review:
    """What ``check`` says of each exercise beyond its parse: the exporters' checks, a
    picture without a licence and, unless the ``detect_language`` setting is off, whether
    its text is in its language."""
    checks = exporter_checks(settings)
    detect = settings.detect_language
    if detect:
        from pipeline.i18n.detect import language_warning

    def review(exercise: Exercise) -> list[Diagnostic]:
        warning = language_warning(exercise) if detect else None
        return [*([warning] if warning else []), *picture_warnings(exercise), *checks(exercise)]

    return review
