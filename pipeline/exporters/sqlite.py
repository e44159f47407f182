"""The ``sqlite`` exporter: ``catalogue.sqlite``, every exercise in one queryable file.

The file is built from nothing on every run into a temp file beside the old one, in one
transaction, checked (``integrity_check``, ``foreign_key_check``) and only then renamed over
it: a reader never sees half a catalogue, and a removed seed is simply not in the new one.
"""

from __future__ import annotations

import functools
import json
import operator
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.catalogue import (
    APPLICATION_ID,
    CATALOGUE_FILE,
    EXERCISE_COLUMN_NAMES,
    FTS_BUILD,
    INDEXES,
    SCHEMA,
    SCHEMA_VERSION,
)
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.model import Exercise, SectionKind
from pipeline.registry import register
from pipeline.writer import OutputError

Row = tuple[object, ...]

# An exercise's row is made by column name, then put in column order: binding by position
# is a quarter faster than by name for the widest table.
_exercise_row = operator.itemgetter(*EXERCISE_COLUMN_NAMES)


class CatalogueBuildError(OutputError):
    """The new catalogue failed a check; the previous one is left in place."""


def _names(values: Iterable[str]) -> dict[str, str]:
    """One spelling per name ignoring case (the first one met), keyed by its casefold."""
    spellings: dict[str, str] = {}
    for value in values:
        spellings.setdefault(value.casefold(), value)
    return spellings


def _lookup(values: Iterable[str]) -> tuple[dict[str, int], list[Row]]:
    """Ids for a lookup table, in name order so they do not depend on which seed came first."""
    spellings = _names(values)
    ordered = sorted(spellings.items(), key=lambda kv: (kv[0], kv[1]))
    ids = {key: index for index, (key, _) in enumerate(ordered, start=1)}
    return ids, [(ids[key], name) for key, name in ordered]


_SECTION_TABLES = {
    SectionKind.SETUP: ("steps", "setup"),
    SectionKind.EXECUTION: ("steps", "execution"),
    SectionKind.TIPS: ("notes", "tip"),
    SectionKind.MISTAKES: ("notes", "mistake"),
}

ItemRow = tuple[str, int, str | None, str]
# (section's place among the seed's `##` sections, heading, position, label, text)
OtherItemRow = tuple[int, str, int, str | None, str]


class CatalogueEntry(NamedTuple):
    """What the catalogue keeps of one exercise: plain values, small and picklable, so it can
    be made where the seed is parsed and cached between runs."""

    slug: str
    title: str
    description: str
    image: str | None
    video_id: str | None
    video_url: str | None
    video_uploaded: str | None
    level: str | None
    category: str | None
    lang: str
    updated: str | None
    outro: str
    source_path: str
    source_sha256: str
    muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    aliases: tuple[str, ...]
    body: str
    steps: tuple[ItemRow, ...]
    notes: tuple[ItemRow, ...]
    other_sections: tuple[OtherItemRow, ...]
    howto: tuple[tuple[int, str, str], ...]


def catalogue_entry(e: Exercise) -> CatalogueEntry:
    """The catalogue's view of one exercise."""
    body: list[str] = []
    steps: list[ItemRow] = []
    notes: list[ItemRow] = []
    other: list[OtherItemRow] = []
    seen: set[SectionKind] = set()
    # One pass over the sections; like the model's setup/execution/tips/mistakes
    # properties, only the first section of a kind counts. Unknown sections are all kept.
    for place, section in enumerate(e.sections, 1):
        if section.kind is SectionKind.OTHER:
            for position, item in enumerate(section.items, 1):
                other.append((place, section.heading, position, item.label, item.text))
                body.append(f"{item.label}: {item.text}" if item.label else item.text)
            continue
        target = _SECTION_TABLES.get(section.kind)
        if target is None or section.kind in seen:
            continue
        seen.add(section.kind)
        table, tag = target
        rows = steps if table == "steps" else notes
        for position, item in enumerate(section.items, 1):
            label, text = item.label, item.text
            rows.append((tag, position, label, text))
            body.append(f"{label}: {text}" if label else text)
    howto = tuple((n, h.name, h.text) for n, h in enumerate(e.howto, 1))
    return CatalogueEntry(
        slug=e.slug,
        title=e.title,
        description=e.description,
        image=e.image,
        video_id=e.video_id,
        video_url=e.video_url,
        video_uploaded=None if e.video_uploaded is None else e.video_uploaded.isoformat(),
        level=None if e.level is None else e.level.value,
        category=e.category,
        lang=e.lang,
        updated=None if e.updated is None else e.updated.isoformat(),
        outro=e.outro_text,
        source_path=e.source.path,
        source_sha256=e.source_sha256,
        muscles=e.muscles,
        equipment=e.equipment,
        aliases=e.aliases,
        body="\n".join(body),
        steps=tuple(steps),
        notes=tuple(notes),
        other_sections=tuple(other),
        howto=howto,
    )


@functools.lru_cache(maxsize=4096)
def _json(values: tuple[str, ...]) -> str:
    # Many exercises share a list of muscles or equipment: each list is encoded once.
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) if values else "[]"


class _Rows:
    """Every row of the catalogue, table by table, from the entries in slug order."""

    def __init__(self, entries: Sequence[CatalogueEntry]) -> None:
        self.category_ids, self.categories = _lookup(
            e.category for e in entries if e.category is not None
        )
        self.muscle_ids, self.muscles = _lookup(m for e in entries for m in e.muscles)
        self.equipment_ids, self.equipment = _lookup(q for e in entries for q in e.equipment)
        self.muscle_names = {str(r[1]).casefold(): str(r[1]) for r in self.muscles}
        self.equipment_names = {str(r[1]).casefold(): str(r[1]) for r in self.equipment}
        self.exercises: list[Row] = []
        self.steps: list[Row] = []
        self.howto: list[Row] = []
        self.notes: list[Row] = []
        self.other_sections: list[Row] = []
        self.aliases: list[Row] = []
        self.exercise_muscles: list[Row] = []
        self.exercise_equipment: list[Row] = []
        for exercise_id, entry in enumerate(entries, start=1):
            self._add(exercise_id, entry)

    def _add(self, exercise_id: int, e: CatalogueEntry) -> None:
        muscles = tuple(dict.fromkeys(m.casefold() for m in e.muscles))
        equipment = tuple(dict.fromkeys(q.casefold() for q in e.equipment))
        row: dict[str, object] = {
            "id": exercise_id,
            "slug": e.slug,
            "title": e.title,
            "description": e.description,
            "image": e.image,
            "video_id": e.video_id,
            "video_url": e.video_url,
            "video_uploaded": e.video_uploaded,
            "level": e.level,
            "category": None if e.category is None else self.category_ids[e.category.casefold()],
            "lang": e.lang,
            "updated": e.updated,
            "outro": e.outro,
            "source_path": e.source_path,
            "source_sha256": e.source_sha256,
            "muscles": _json(tuple(self.muscle_names[m] for m in muscles)),
            "equipment": _json(tuple(self.equipment_names[q] for q in equipment)),
            "aliases": _json(e.aliases),
            # Plain text for the search index, so a snippet of an alias reads as words.
            "aliases_text": ", ".join(e.aliases),
            "body": e.body,
        }
        self.exercises.append(_exercise_row(row))
        self.steps.extend((exercise_id, *step) for step in e.steps)
        self.notes.extend((exercise_id, *note) for note in e.notes)
        self.other_sections.extend((exercise_id, *item) for item in e.other_sections)
        self.howto.extend((exercise_id, *step) for step in e.howto)
        self.aliases.extend((exercise_id, n, a) for n, a in enumerate(e.aliases, 1))
        self.exercise_muscles.extend(
            (exercise_id, self.muscle_ids[m], n) for n, m in enumerate(muscles, 1)
        )
        self.exercise_equipment.extend(
            (exercise_id, self.equipment_ids[q], n) for n, q in enumerate(equipment, 1)
        )


_INSERTS = (
    ("categories", "INSERT INTO categories (id, name) VALUES (?, ?)"),
    ("muscles", "INSERT INTO muscles (id, name) VALUES (?, ?)"),
    ("equipment", "INSERT INTO equipment (id, name) VALUES (?, ?)"),
    (
        "exercises",
        f"INSERT INTO exercises ({', '.join(EXERCISE_COLUMN_NAMES)}) "
        f"VALUES ({', '.join('?' for _ in EXERCISE_COLUMN_NAMES)})",
    ),
    (
        "steps",
        "INSERT INTO steps (exercise_id, section, position, label, text) VALUES (?, ?, ?, ?, ?)",
    ),
    (
        "howto",
        "INSERT INTO howto_steps (exercise_id, position, name, text) VALUES (?, ?, ?, ?)",
    ),
    (
        "notes",
        "INSERT INTO notes (exercise_id, kind, position, label, text) VALUES (?, ?, ?, ?, ?)",
    ),
    (
        "other_sections",
        "INSERT INTO other_sections (exercise_id, section, heading, position, label, text) "
        "VALUES (?, ?, ?, ?, ?, ?)",
    ),
    ("aliases", "INSERT INTO aliases (exercise_id, position, name) VALUES (?, ?, ?)"),
    (
        "exercise_muscles",
        "INSERT INTO exercise_muscles (exercise_id, muscle_id, position) VALUES (?, ?, ?)",
    ),
    (
        "exercise_equipment",
        "INSERT INTO exercise_equipment (exercise_id, equipment_id, position) VALUES (?, ?, ?)",
    ),
)


def _fill(db: sqlite3.Connection, rows: _Rows) -> None:
    """Create the schema and insert every row, in the open transaction."""
    # Statement by statement: executescript() would commit the open transaction first.
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    for attribute, sql in _INSERTS:
        db.executemany(sql, getattr(rows, attribute))
    for statement in INDEXES.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(FTS_BUILD)


def _verify(db: sqlite3.Connection) -> None:
    """Raise :class:`CatalogueBuildError` unless the new file is sound."""
    problems = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise CatalogueBuildError(
            f"the new {CATALOGUE_FILE} failed its integrity check: {'; '.join(problems[:5])}"
        )
    orphans = db.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise CatalogueBuildError(
            f"the new {CATALOGUE_FILE} has {len(orphans)} broken references "
            f"(first in table {orphans[0][0]})"
        )


def build_catalogue(path: Path, entries: Sequence[CatalogueEntry]) -> None:
    """Write the catalogue of ``entries`` (in slug order) into the empty file ``path``, in one
    transaction, and check it. Raises :class:`OutputError` on any failure."""
    rows = _Rows(entries)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # The file is private until it is renamed into place and is thrown away on any
        # failure, so syncing every page buys nothing: one fsync at the end suffices. The
        # rollback journal is kept in memory so a killed build leaves no journal file that a
        # later build could mistake for its own; journal modes other than WAL are not stored
        # in the file, which opens with the default rollback journal.
        db.execute("PRAGMA journal_mode = MEMORY")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -262144")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        _fill(db, rows)
        db.execute("COMMIT")
        _verify(db)
    except sqlite3.Error as exc:
        raise OutputError(f"cannot build {CATALOGUE_FILE}: {exc}") from None
    finally:
        db.close()
    with path.open("rb") as file:
        os.fsync(file.fileno())


@register
class SqliteExporter(Exporter):
    """Writes ``catalogue.sqlite``: exercises, their steps, tips and mistakes, lookup tables
    of muscles, equipment and categories, and a full-text index, for scripts and Datasette."""

    name = "sqlite"
    help = f"{CATALOGUE_FILE}: every exercise in one searchable SQLite database"
    # Bumped whenever a digest or the file's bytes would change: cached digests are then
    # recomputed and every catalogue rebuilt.
    version = f"{SCHEMA_VERSION}.0"

    def digest(self, exercise: Exercise) -> CatalogueEntry:
        """The catalogue's view of one exercise (see :class:`CatalogueEntry`)."""
        return catalogue_entry(exercise)

    def export_all(self, digests: Sequence[Any], context: ExportContext) -> None:
        """Build ``catalogue.sqlite`` from every exercise (or its digest), in slug order, and
        swap it in once it is checked."""
        entries = [d if isinstance(d, CatalogueEntry) else catalogue_entry(d) for d in digests]
        with context.writer.atomic_path(CATALOGUE_FILE) as temp:
            build_catalogue(temp, entries)
