"""Updating the last ``catalogue.sqlite`` for a few changed exercises, to the bytes a build
from nothing writes.

A build and an update both end the same way: the database, made in memory, is written out
by ``VACUUM INTO``, which lays out every table and index afresh, in key order, from its rows
alone. Two databases holding the same rows under the same schema are then the same file,
however their rows were put in; so an update only has to make the rows what a build makes:

- the exercises are the same ones, numbered alike (a seed added, removed or renamed
  renumbers the exercises after it: the catalogue is built again), and so are the muscles,
  equipment and categories (their ids are their places in name order);
- a changed exercise's rows are deleted and made again: every table but the lookups is
  keyed by its exercise and the row's place in it, never numbered across exercises, so no
  other exercise's row changes;
- the full-text index is emptied and filled again in exercise order, as a build fills it:
  its internal segments depend on the order its documents came in, not only on them.

Which exercises changed is read off the old file: a seed's path and content hash are columns
of ``exercises``. The caller vouches that the old file was built whole, by this version and
these settings (the engine's record of the last build), so rows of seeds whose bytes are the
same are the rows a build would make.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pipeline.catalogue.entries import CatalogueEntry
from pipeline.catalogue.schema import (
    APPLICATION_ID,
    FTS_COLUMNS,
    FTS_INSERT,
    FTS_TABLE,
    SCHEMA_VERSION,
    TABLES,
)

UPDATE_SHARE = 0.1
"""An update is tried when at most this share of the exercises changed; past it, a build from
nothing is about as quick and simpler."""

_KEYS = "SELECT id, slug, lang, source_path, source_sha256 FROM exercises ORDER BY id"
_LOOKUPS = ("categories", "muscles", "equipment")
_OWNED = tuple(table for table in TABLES if table.name not in _LOOKUPS)
"""The exercises, then the tables of their rows."""


def changed_exercises(
    db: sqlite3.Connection, entries: Sequence[CatalogueEntry], lookups: dict[str, list[object]]
) -> list[int] | None:
    """The ids of the exercises of the catalogue ``db`` whose seeds changed, for ``entries``
    in build order; ``None`` when the catalogue must be built again: another schema, other
    exercises or other lookup rows, or too many changes for an update to pay."""
    if not _same_schema(db):
        return None
    for name in _LOOKUPS:
        if db.execute(f"SELECT id, name FROM {name} ORDER BY id").fetchall() != lookups[name]:
            return None
    old = db.execute(_KEYS).fetchall()
    if len(old) != len(entries):
        return None
    changed = []
    for (number, slug, lang, path, sha256), entry in zip(old, entries, strict=True):
        if (slug, lang) != (entry.slug, entry.lang):
            return None
        if (path, sha256) != (entry.source_path, entry.source_sha256):
            changed.append(number)
    if len(changed) > UPDATE_SHARE * len(entries):
        return None
    return changed


def patched_exercises(
    db: sqlite3.Connection, changes: Sequence[tuple[CatalogueEntry, CatalogueEntry]], count: int
) -> list[int] | None:
    """The ids in the catalogue ``db`` of the exercises whose entries changed, as ``(last,
    now)``, from the ones it was built from, in the order of ``changes``; ``None`` when making
    their rows again from the new entries would not give the catalogue of the ``count``
    entries now: another schema or another number of exercises, an exercise that moves
    (another slug, language or path) or changes a lookup table (its muscles, equipment or
    category), a row that is not the last entry's, or too many changes for an update to pay.
    """
    if not _same_schema(db) or len(changes) > UPDATE_SHARE * count:
        return None
    if db.execute("SELECT count(*) FROM exercises").fetchone() != (count,):
        return None
    ids = []
    for last, now in changes:
        if _keys(last) != _keys(now):
            return None
        row = db.execute(_ROW_OF, (last.slug, last.lang)).fetchone()
        if row is None or tuple(row[1:]) != (last.source_path, last.source_sha256):
            return None
        ids.append(int(row[0]))
    return ids


def _same_schema(db: sqlite3.Connection) -> bool:
    application = db.execute("PRAGMA application_id").fetchone()
    version = db.execute("PRAGMA user_version").fetchone()
    return bool(application == (APPLICATION_ID,) and version == (SCHEMA_VERSION,))


_ROW_OF = "SELECT id, source_path, source_sha256 FROM exercises WHERE slug = ? AND lang = ?"


def _keys(entry: CatalogueEntry) -> tuple[object, ...]:
    """What decides an exercise's place and the lookup tables' rows."""
    return (
        entry.slug,
        entry.lang,
        entry.source_path,
        entry.category,
        entry.muscles,
        entry.secondary_muscles,
        entry.equipment,
    )


def search_rows(
    db: sqlite3.Connection, fold: Callable[[str, str], str]
) -> list[tuple[object, ...]]:
    """The search index's rows, in exercise order, from the exercises' texts as ``db`` holds
    them, each folded for its language by ``fold`` (text, language) as a build folds them."""
    columns = ", ".join(FTS_COLUMNS)
    return [
        (number, *(fold(text, lang) for text in texts))
        for number, lang, *texts in db.execute(
            f"SELECT id, lang, {columns} FROM exercises ORDER BY id"
        )
    ]


def open_in_memory(path: Path) -> sqlite3.Connection:
    """The database at ``path``, copied into memory to be updated there, page by page (the
    file is not read into this process first)."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    old = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (counter,) = old.execute("PRAGMA schema_version").fetchone()
        old.backup(db)
    finally:
        old.close()
    _drop_cached(path)
    # VACUUM INTO writes the schema's change counter plus one: the old file holds a build's
    # counter plus one already, and is given the build's back so the update writes the same.
    # (Read from the file: the backup gives the copy a counter of its own. Safe here: nothing
    # else has this copy open.)
    db.execute(f"PRAGMA schema_version = {int(counter) - 1}")
    return db


def _drop_cached(path: Path) -> None:
    """Drop the last catalogue's pages from the page cache, copied as they are: the file is
    about to be replaced, and the pages it frees are the ones the new file takes (pages long
    left free are slower to take on a virtual machine)."""
    with contextlib.suppress(OSError, AttributeError), path.open("rb") as file:
        os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def update_rows(
    db: sqlite3.Connection,
    changed: Sequence[int],
    tables: Mapping[str, Sequence[tuple[object, ...]]],
    search: Sequence[tuple[object, ...]],
) -> None:
    """Make the rows of the ``changed`` exercises (ids) those of ``tables`` (each table's new
    rows of those exercises only), and fill the search index again from ``search`` (every
    exercise's row, in order)."""
    marks = ", ".join("?" for _ in changed)
    for table in _OWNED:
        owner = "id" if table.name == "exercises" else "exercise_id"
        db.execute(f"DELETE FROM {table.name} WHERE {owner} IN ({marks})", changed)
        db.executemany(table.insert(), tables[table.name])
    # Emptied and filled whole: the index's segments depend on the order of its documents.
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
    db.executemany(FTS_INSERT, search)


def _check_tables() -> None:
    """Every table but the lookups is the exercises or rows named by their exercise, so an
    exercise's rows can be made again without touching another's."""
    for table in _OWNED[1:]:
        if table.column_names[0] != "exercise_id" or "WITHOUT ROWID" not in table.options:
            raise RuntimeError(f"catalogue table {table.name} is not keyed by its exercise")


_check_tables()
