"""The SQLite catalogue, and a small typed library to query it.

Its tables are listed in :mod:`pipeline.catalogue.schema`, and :mod:`pipeline.catalogue.build`
makes their rows and the file the ``sqlite`` exporter writes. :class:`Catalogue` reads it back
for ``pipeline search``, ``list`` and ``show``, and for any script that wants exercises without
parsing seeds.

The reader (:mod:`pipeline.catalogue.reader`) is imported on first use of one of its names:
every export names the catalogue's file and schema, and only a query needs the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from pipeline.catalogue.schema import (
    APPLICATION_ID,
    CATALOGUE_FILE,
    EXERCISE_COLUMN_NAMES,
    EXERCISE_COLUMNS,
    REQUIRED_TABLES,
    SCHEMA_VERSION,
    ExerciseFacts,
)

if TYPE_CHECKING:
    from pipeline.catalogue.reader import (
        DEFAULT_HIGHLIGHT,
        AmbiguousExerciseError,
        Catalogue,
        CatalogueError,
        ExerciseNotFoundError,
        ExerciseRecord,
        ExerciseSummary,
        HowToStepRecord,
        OtherSectionRecord,
        SearchHit,
        StepRecord,
        TranslationRecord,
        fts_query,
        lookup_language,
        matches_language,
        open_catalogue,
        same_name,
    )

__all__ = [
    "APPLICATION_ID",
    "CATALOGUE_FILE",
    "DEFAULT_HIGHLIGHT",
    "EXERCISE_COLUMNS",
    "EXERCISE_COLUMN_NAMES",
    "REQUIRED_TABLES",
    "SCHEMA_VERSION",
    "AmbiguousExerciseError",
    "Catalogue",
    "CatalogueError",
    "ExerciseFacts",
    "ExerciseNotFoundError",
    "ExerciseRecord",
    "ExerciseSummary",
    "HowToStepRecord",
    "OtherSectionRecord",
    "SearchHit",
    "StepRecord",
    "TranslationRecord",
    "fts_query",
    "lookup_language",
    "matches_language",
    "open_catalogue",
    "same_name",
]

_READER = frozenset(__all__) - globals().keys()
"""The names the reader defines: those of ``__all__`` not imported above."""


def __getattr__(name: str) -> object:
    """The reader's names, imported when first asked for."""
    if name in _READER:
        return getattr(importlib.import_module("pipeline.catalogue.reader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
