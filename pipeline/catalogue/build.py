"""Building ``catalogue.sqlite``: what it keeps of each exercise (:class:`CatalogueEntry`, in
:mod:`pipeline.catalogue.entries`), its rows, table by table, and the checked build of a new
file.

Every insert and the order of its values come from its table's column list in
:mod:`pipeline.catalogue.schema`. An exercise's row is made as a dict by column name, so a
column is added to one list and to the row that fills it, never to positions that must agree;
the rows of its items and links, nine in ten of the catalogue, are its id and the entry's
tuple, and the schema is checked, as this module is loaded, to list their columns in that
order.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import operator
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.catalogue.entries import CatalogueEntry as CatalogueEntry
from pipeline.catalogue.entries import HowToRow as HowToRow
from pipeline.catalogue.entries import ImageRow as ImageRow
from pipeline.catalogue.entries import ItemRow as ItemRow
from pipeline.catalogue.entries import OtherItemRow as OtherItemRow
from pipeline.catalogue.entries import SearchRow as SearchRow
from pipeline.catalogue.folding import indexed
from pipeline.catalogue.schema import (
    APPLICATION_ID,
    CATALOGUE_FILE,
    EXERCISE_COLUMN_NAMES,
    FTS_INSERT,
    INDEXES,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
)
from pipeline.config import Settings
from pipeline.model import Credit, Exercise, Item, Prescription, Section, SectionKind
from pipeline.writer import OutputError

Row = dict[str, object]


class CatalogueBuildError(OutputError):
    """The new catalogue failed a check; the previous one is left in place."""


_SECTION_TABLES = {
    SectionKind.SETUP: ("steps", "setup"),
    SectionKind.EXECUTION: ("steps", "execution"),
    SectionKind.TIPS: ("notes", "tip"),
    SectionKind.MISTAKES: ("notes", "mistake"),
}


def _said(item: Item) -> str:
    """The item as the search index reads it."""
    return f"{item.label}: {item.text}" if item.label else item.text


class _Sections:
    """The items of an exercise's sections, by the table they go into, in one pass. Like the
    model's setup/execution/tips/mistakes properties, only the first section of a kind counts;
    unknown sections are all kept."""

    def __init__(self, sections: Iterable[Section]) -> None:
        self.body: list[str] = []
        self.rows: dict[str, list[ItemRow]] = {"steps": [], "notes": []}
        self.other: list[OtherItemRow] = []
        seen: set[SectionKind] = set()
        for place, section in enumerate(sections, 1):
            if section.kind is SectionKind.OTHER:
                self._add_other(place, section)
            elif section.kind in _SECTION_TABLES and section.kind not in seen:
                seen.add(section.kind)
                self._add_known(section)

    def _add_other(self, place: int, section: Section) -> None:
        for position, item in enumerate(section.items, 1):
            self.other.append((place, section.heading, position, item.label, item.text))
            self.body.append(_said(item))

    def _add_known(self, section: Section) -> None:
        table, tag = _SECTION_TABLES[section.kind]
        for position, item in enumerate(section.items, 1):
            self.rows[table].append((tag, position, item.label, item.text))
            self.body.append(_said(item))


def _aliases_text(aliases: Iterable[str]) -> str:
    # Plain text for the search index, so a snippet of an alias reads as words.
    return ", ".join(aliases)


def _search_row(texts: SearchRow, lang: str) -> SearchRow | None:
    """``texts`` as the search index holds them in ``lang``, or None when as written."""
    title, description, aliases, body = (indexed(text, lang) for text in texts)
    held = (title, description, aliases, body)
    return None if held == texts else held


def _images(e: Exercise, settings: Settings | None) -> tuple[ImageRow, ...]:
    """The pictures' rows: each one's address (a local one's where the html exporter
    publishes it, when base_url is set), output path, size, text and credit."""
    if not e.images:
        return ()
    files: Sequence[str | None] = [None] * len(e.images)
    urls: Sequence[str | None] = [None if p.local else p.src for p in e.images]
    if settings is not None and settings.base_url is not None:
        from pipeline.pages.layout import picture_paths
        from pipeline.urls import picture_urls

        files, urls = picture_paths(e, settings), picture_urls(e, settings)
    rows: list[ImageRow] = []
    for position, (picture, file, url) in enumerate(zip(e.images, files, urls, strict=True), 1):
        c = picture.credit
        rows.append(
            (position, url, file, picture.width, picture.height, picture.alt, picture.caption)
            + ((c.license, c.license_url, c.author, c.author_url, c.source_url) if c else _NONE5)
        )
    return tuple(rows)


_NONE5: tuple[None, None, None, None, None] = (None, None, None, None, None)


def catalogue_entry(e: Exercise, settings: Settings | None = None) -> CatalogueEntry:
    """The catalogue's view of one exercise; with ``settings`` that give a ``base_url``,
    its local pictures' addresses too."""
    sections = _Sections(e.sections)
    body = "\n".join(sections.body)
    images = _images(e, settings)
    return CatalogueEntry(
        slug=e.slug,
        title=e.title,
        description=e.description,
        image=images[0][1] or images[0][2] if images else None,
        video_id=e.video_id,
        video_url=e.video_url,
        video_uploaded=None if e.video_uploaded is None else e.video_uploaded.isoformat(),
        level=None if e.level is None else e.level.value,
        category=e.category,
        lang=e.lang,
        translation_of=e.translation_of,
        updated=None if e.updated is None else e.updated.isoformat(),
        muscles=e.muscles,
        secondary_muscles=e.secondary_muscles,
        equipment=e.equipment,
        supplies=e.supplies,
        aliases=e.aliases,
        outro=e.outro_text,
        source_path=e.source.path,
        source_sha256=e.source_sha256,
        body=body,
        steps=tuple(sections.rows["steps"]),
        notes=tuple(sections.rows["notes"]),
        other_sections=tuple(sections.other),
        howto=tuple((n, h.name, h.text) for n, h in enumerate(e.howto, 1)),
        **_part_fields(e.prescription, _PRESCRIPTION_COLUMNS),
        settings=()
        if e.prescription is None
        else tuple((n, s.name, s.value) for n, s in enumerate(e.prescription.settings, 1)),
        **_part_fields(e.credit, _CREDIT_COLUMNS),
        station=e.station,
        images=images,
        search=_search_row((e.title, e.description, _aliases_text(e.aliases), body), e.lang),
    )


_PRESCRIPTION_COLUMNS = ("sets", "reps_min", "reps_max", "rest_seconds", "tempo", "time_seconds")
_CREDIT_COLUMNS = _CREDIT_FIELDS = ("license", "license_url", "author", "author_url", "source_url")
"""Columns of ``exercises`` that are the fields of the same name of a part of the model (its
prescription, its credit), all null when the seed has no such part."""


def _part_fields(part: Prescription | Credit | None, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: None if part is None else getattr(part, name) for name in names}


def _check_copied_columns() -> None:
    for model, names in ((Prescription, _PRESCRIPTION_COLUMNS), (Credit, _CREDIT_COLUMNS)):
        for name in names:
            if name not in model.model_fields or name not in EXERCISE_COLUMN_NAMES:
                raise RuntimeError(f"catalogue column {name} is not a field of {model.__name__}")


_check_copied_columns()


@functools.lru_cache(maxsize=4096)
def _json(values: tuple[str, ...]) -> str:
    # Many exercises share a list of muscles or equipment: each list is encoded once.
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) if values else "[]"


class _Lookup:
    """A lookup table (muscles, equipment, categories): one spelling per name ignoring case,
    the first one met, numbered in name order so the ids do not depend on which seed came
    first."""

    def __init__(self, values: Iterable[str]) -> None:
        spellings: dict[str, str] = {}
        for value in values:
            spellings.setdefault(value.casefold(), value)
        ordered = sorted(spellings.items())
        self.ids = {key: number for number, (key, _) in enumerate(ordered, start=1)}
        self.spellings = dict(ordered)
        self.rows: list[Row] = [{"id": self.ids[key], "name": name} for key, name in ordered]


def _muscle_row(row: Row) -> Row:
    """A row of ``muscles``: the name, and the vocabulary's id and Latin name of the muscle
    it names (``None`` when it names none)."""
    from pipeline.muscles import lookup

    muscle = lookup(str(row["name"]))
    return {
        **row,
        "muscle": muscle.id if muscle else None,
        "latin": muscle.latin[0] if muscle and muscle.latin else None,
    }


# The columns of `exercises` the entry does not hold as they are stored.
_DERIVED_COLUMNS = frozenset(
    {
        "id",
        "category",
        "muscles",
        "secondary_muscles",
        "equipment",
        "supplies",
        "aliases",
        "aliases_text",
        "work",
    }
)
_COPIED_COLUMNS = tuple(name for name in EXERCISE_COLUMN_NAMES if name not in _DERIVED_COLUMNS)
_copied = operator.attrgetter(*_COPIED_COLUMNS)


_OWNED_COLUMNS = {
    "steps": ("exercise_id", "section", "position", "label", "text"),
    "notes": ("exercise_id", "kind", "position", "label", "text"),
    "other_sections": ("exercise_id", "section", "heading", "position", "label", "text"),
    "howto_steps": ("exercise_id", "position", "name", "text"),
    "aliases": ("exercise_id", "position", "name"),
    "exercise_muscles": ("exercise_id", "muscle_id", "role", "position"),
    "exercise_equipment": ("exercise_id", "equipment_id", "position"),
    "exercise_settings": ("exercise_id", "position", "name", "value"),
    "exercise_images": (
        "exercise_id",
        "position",
        "url",
        "file",
        "width",
        "height",
        "alt",
        "caption",
        *_CREDIT_FIELDS,
    ),
}
"""The tables of an exercise's items, each row its owner's id then the entry's tuple of the
item (an :data:`ItemRow`, an :data:`OtherItemRow`, a :data:`HowToRow`) or the link's target
and place: made as tuples, not dicts by column name, because they are nine rows in ten of
the catalogue. The schema is checked to list these columns in this order."""


def _check_owned_columns() -> None:
    tables = {table.name: table.column_names for table in TABLES}
    for name, columns in _OWNED_COLUMNS.items():
        if tables.get(name) != columns:
            raise RuntimeError(f"catalogue table {name} has the columns {tables.get(name)}")


_check_owned_columns()
_TABLES_BY_NAME = {table.name: table for table in TABLES}


class _Lookups:
    """The catalogue's lookup tables, from every entry."""

    def __init__(self, entries: Sequence[CatalogueEntry]) -> None:
        self.categories = _Lookup(e.category for e in entries if e.category is not None)
        self.muscles = _Lookup(m for e in entries for m in (*e.muscles, *e.secondary_muscles))
        self.equipment = _Lookup(q for e in entries for q in e.equipment)

    @classmethod
    def stored(cls, db: sqlite3.Connection) -> _Lookups:
        """The lookup tables a catalogue holds, as the entries it was built from made them."""
        lookups = cls.__new__(cls)
        for name in ("categories", "muscles", "equipment"):
            names = [str(n) for (n,) in db.execute(f"SELECT name FROM {name} ORDER BY id")]
            setattr(lookups, name, _Lookup(names))
        return lookups

    def rows(self) -> dict[str, list[object]]:
        """Each lookup table's rows as ``(id, name)``, as the catalogue holds them."""
        return {
            name: [(row["id"], row["name"]) for row in lookup.rows]
            for name, lookup in (
                ("categories", self.categories),
                ("muscles", self.muscles),
                ("equipment", self.equipment),
            )
        }


class _Rows:
    """The catalogue's rows, by table name, as their values in column order, of the numbered
    entries (an exercise's id is its place in (slug, language) order) with the ids of the
    ``lookups``, and the search index's rows: each exercise's texts as the index holds them."""

    def __init__(self, numbered: Iterable[tuple[int, CatalogueEntry]], lookups: _Lookups) -> None:
        self.categories = lookups.categories
        self.muscles = lookups.muscles
        self.equipment = lookups.equipment
        self.tables: dict[str, list[tuple[object, ...]]] = {table.name: [] for table in TABLES}
        exercises: list[Row] = []
        self.search: list[tuple[object, ...]] = []
        for exercise_id, entry in numbered:
            exercises.append(self._add_exercise(exercise_id, entry))
            self._add_items(exercise_id, entry)
        self._put_in_order("exercises", exercises)

    def add_lookups(self) -> None:
        """The lookup tables' own rows, for a build from nothing."""
        self._put_in_order("categories", self.categories.rows)
        self._put_in_order("muscles", [_muscle_row(row) for row in self.muscles.rows])
        self._put_in_order("equipment", self.equipment.rows)

    def _put_in_order(self, name: str, rows: list[Row]) -> None:
        """Rows made by column name, as the table's values in column order."""
        self.tables[name] = list(_TABLES_BY_NAME[name].values(rows))

    def _add_exercise(self, exercise_id: int, e: CatalogueEntry) -> Row:
        """The exercise's row of ``exercises`` (returned), its search row and its links."""
        muscles = tuple(dict.fromkeys(m.casefold() for m in e.muscles))
        # A muscle in both lists is primary: it is linked once.
        secondary = tuple(
            m for m in dict.fromkeys(m.casefold() for m in e.secondary_muscles) if m not in muscles
        )
        equipment = tuple(dict.fromkeys(q.casefold() for q in e.equipment))
        aliases_text = _aliases_text(e.aliases)
        self.search.append(_search_values(exercise_id, e, aliases_text))
        muscle_ids = self.muscles.ids
        for role, names in (("primary", muscles), ("secondary", secondary)):
            self.tables["exercise_muscles"].extend(
                (exercise_id, muscle_ids[m], role, n) for n, m in enumerate(names, 1)
            )
        equipment_ids = self.equipment.ids
        self.tables["exercise_equipment"].extend(
            (exercise_id, equipment_ids[q], n) for n, q in enumerate(equipment, 1)
        )
        row = self._exercise_row(exercise_id, e, muscles, equipment, aliases_text)
        row["secondary_muscles"] = _json(tuple(self.muscles.spellings[m] for m in secondary))
        return row

    def _exercise_row(
        self,
        exercise_id: int,
        e: CatalogueEntry,
        muscles: tuple[str, ...],
        equipment: tuple[str, ...],
        aliases_text: str,
    ) -> Row:
        """The exercise's row of ``exercises``; ``muscles`` and ``equipment`` are its names
        casefolded, once each."""
        row: Row = dict(zip(_COPIED_COLUMNS, _copied(e), strict=True))
        row["id"] = exercise_id
        row["category"] = None if e.category is None else self.categories.ids[e.category.casefold()]
        row["muscles"] = _json(tuple(self.muscles.spellings[m] for m in muscles))
        row["equipment"] = _json(tuple(self.equipment.spellings[q] for q in equipment))
        row["supplies"] = _json(e.supplies)
        row["aliases"] = _json(e.aliases)
        row["aliases_text"] = aliases_text
        row["work"] = e.translation_of or e.slug
        return row

    def _add_items(self, exercise_id: int, e: CatalogueEntry) -> None:
        tables = self.tables
        tables["steps"].extend((exercise_id, *item) for item in e.steps)
        tables["notes"].extend((exercise_id, *item) for item in e.notes)
        tables["other_sections"].extend((exercise_id, *item) for item in e.other_sections)
        tables["howto_steps"].extend((exercise_id, *step) for step in e.howto)
        tables["exercise_settings"].extend((exercise_id, *setting) for setting in e.settings)
        tables["exercise_images"].extend((exercise_id, *image) for image in e.images)
        tables["aliases"].extend(
            (exercise_id, position, alias) for position, alias in enumerate(e.aliases, 1)
        )


def _search_values(exercise_id: int, e: CatalogueEntry, aliases_text: str) -> tuple[object, ...]:
    """The exercise's row of the search index."""
    return (exercise_id, *(e.search or (e.title, e.description, aliases_text, e.body)))


def _fill(db: sqlite3.Connection, rows: _Rows) -> None:
    """Create the schema and insert every row, in the open transaction."""
    # Statement by statement: executescript() would commit the open transaction first.
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    for table in TABLES:
        db.executemany(table.insert(), rows.tables[table.name])
    for statement in INDEXES.split(";"):
        if statement.strip():
            db.execute(statement)
    db.executemany(FTS_INSERT, rows.search)


def _verify(db: sqlite3.Connection) -> None:
    """Raise :class:`CatalogueBuildError` unless the new file is sound."""
    # quick_check reads every page and row; what integrity_check adds, each index compared
    # with its table, is what VACUUM INTO has just built from that table.
    problems = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise CatalogueBuildError(
            f"the new {CATALOGUE_FILE} failed its check: {'; '.join(problems[:5])}"
        )
    orphans = db.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        raise CatalogueBuildError(
            f"the new {CATALOGUE_FILE} has {len(orphans)} broken references "
            f"(first in table {orphans[0][0]})"
        )


def remove_journals(path: Path) -> None:
    """Remove the rollback journal and the write-ahead log files of the database at ``path``:
    they belong to the file about to be replaced, not to the one that replaces it."""
    for suffix in ("-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _in_order(entries: Sequence[CatalogueEntry]) -> list[CatalogueEntry]:
    """``entries`` in (slug, language) order, which numbers the exercises; raises
    :class:`CatalogueBuildError` when two are one slug in one language."""
    ordered = sorted(entries, key=lambda e: (e.slug, e.lang))
    for first, second in itertools.pairwise(ordered):
        if (first.slug, first.lang) == (second.slug, second.lang):
            raise CatalogueBuildError(
                f"cannot build {CATALOGUE_FILE}: {first.source_path} and {second.source_path} "
                f"are both the exercise '{first.slug}' in '{first.lang}'"
            )
    return ordered


def build_catalogue(
    path: Path,
    entries: Sequence[CatalogueEntry],
    previous: Path | None = None,
    changes: Sequence[tuple[CatalogueEntry, CatalogueEntry]] | None = None,
) -> None:
    """Write the catalogue of ``entries`` (in slug order; a slug may be in several languages)
    into the empty file ``path``, and check it. With ``previous``, the catalogue built last
    from the same seeds by this version and these settings, it is updated for the exercises
    whose seeds changed when only a few did (:mod:`pipeline.catalogue.update`): the same
    bytes either way. With ``changes`` too, the entries that differ from those ``previous``
    was built from, as ``(last, now)``, no other entry is read unless the update needs more
    than their rows. Raises :class:`OutputError` on any failure, and
    :class:`CatalogueBuildError` when two entries are one slug in one language."""
    try:
        db = None
        if previous is not None and changes is not None:
            db = _patched(previous, changes, len(entries))
        if db is None:
            ordered = _in_order(entries)
            lookups = _Lookups(ordered)
            db = None if previous is None else _updated(previous, ordered, lookups)
            if db is None:
                db = _built(ordered, lookups)
        try:
            # Laid out afresh from the rows alone: what makes an update the bytes of a build.
            db.execute("VACUUM INTO ?", (str(path),))
        finally:
            db.close()
        _verified(path)
    except sqlite3.Error as exc:
        raise OutputError(f"cannot build {CATALOGUE_FILE}: {exc}") from None


def _memory_database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    # References are checked once, whole, by foreign_key_check on the written file, rather
    # than row by row as they are inserted (a tenth of the inserts' time).
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA cache_size = -262144")
    db.execute("PRAGMA temp_store = MEMORY")
    return db


def _built(ordered: Sequence[CatalogueEntry], lookups: _Lookups) -> sqlite3.Connection:
    """The whole catalogue, built in memory, in one transaction."""
    rows = _Rows(enumerate(ordered, start=1), lookups)
    rows.add_lookups()
    db = _memory_database()
    db.execute("BEGIN")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    _fill(db, rows)
    db.execute("COMMIT")
    return db


def _updated(
    previous: Path, ordered: Sequence[CatalogueEntry], lookups: _Lookups
) -> sqlite3.Connection | None:
    """The catalogue at ``previous``, in memory, updated for the exercises that changed; None
    when it cannot be (see :func:`pipeline.catalogue.update.changed_exercises`)."""
    from pipeline.catalogue import update

    try:
        old = sqlite3.connect(f"{previous.resolve().as_uri()}?mode=ro", uri=True)
        try:
            changed = update.changed_exercises(old, ordered, lookups.rows())
        finally:
            old.close()
        db = None if changed is None else update.open_in_memory(previous)
    except (sqlite3.Error, OSError):
        return None  # whatever is wrong with the old file, a build does not read it
    if db is None or changed is None:
        return db
    rows = _Rows(((number, ordered[number - 1]) for number in changed), lookups)
    search = [_search_values(n, e, _aliases_text(e.aliases)) for n, e in enumerate(ordered, 1)]
    db.execute("BEGIN")
    update.update_rows(db, changed, rows.tables, search)
    db.execute("COMMIT")
    return db


def _patched(
    previous: Path, changes: Sequence[tuple[CatalogueEntry, CatalogueEntry]], count: int
) -> sqlite3.Connection | None:
    """The catalogue at ``previous``, in memory, with the rows of the exercises that
    ``changes`` names made again from their new entries and the search index filled again
    from the rows; None when that is not the catalogue of the entries now (see
    :func:`pipeline.catalogue.update.patched_exercises`)."""
    from pipeline.catalogue import update

    try:
        old = sqlite3.connect(f"{previous.resolve().as_uri()}?mode=ro", uri=True)
        try:
            ids = update.patched_exercises(old, changes, count)
            lookups = _Lookups.stored(old) if ids is not None else None
        finally:
            old.close()
        db = None if ids is None else update.open_in_memory(previous)
    except (sqlite3.Error, OSError):
        return None
    if db is None or ids is None or lookups is None:
        return db
    rows = _Rows(sorted(zip(ids, (now for _, now in changes), strict=True)), lookups)
    db.execute("BEGIN")
    update.update_rows(db, sorted(ids), rows.tables, ())
    db.executemany(FTS_INSERT, update.search_rows(db, indexed))
    db.execute("COMMIT")
    return db


def _verified(path: Path) -> None:
    """Raise :class:`CatalogueBuildError` unless the written file is sound."""
    db = sqlite3.connect(path)
    try:
        _verify(db)
    finally:
        db.close()
