"""The catalogue's schema: every table as one list of its columns, from which the ``CREATE``
statements, the exporter's inserts and ``show``'s reading are all made."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

SCHEMA_VERSION = 7
"""``PRAGMA user_version`` of a catalogue with this schema; bumped on any change to it."""

APPLICATION_ID = 0x45584354
"""``PRAGMA application_id`` of every catalogue (``EXCT``), so ``file`` and we can tell it."""

CATALOGUE_FILE = "catalogue.sqlite"
"""The catalogue's name inside the output folder."""

_ROW_ID = ("id", "INTEGER PRIMARY KEY")
_OWNER = ("exercise_id", "INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE")


@dataclass(frozen=True)
class Table:
    """One table: its columns, in order, with their declarations, and its constraints."""

    name: str
    columns: tuple[tuple[str, str], ...]
    constraints: tuple[str, ...] = ()
    options: str = ""
    """What follows the closing parenthesis (``WITHOUT ROWID``)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column's name, in order."""
        return tuple(name for name, _ in self.columns)

    def create(self) -> str:
        """The ``CREATE TABLE`` statement, without its ``;``."""
        lines = [f"    {name} {declaration}" for name, declaration in self.columns]
        lines += [f"    {constraint}" for constraint in self.constraints]
        return f"CREATE TABLE {self.name} (\n" + ",\n".join(lines) + f"\n){self.options}"

    def insert(self) -> str:
        """The ``INSERT`` of one row, its values in column order (see :meth:`values`)."""
        names = self.column_names
        marks = ", ".join("?" for _ in names)
        return f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({marks})"

    def values(self, rows: Iterable[Mapping[str, object]]) -> Iterator[tuple[object, ...]]:
        """Each row, a mapping by column name, as its values in column order: SQLite binds
        by position about a quarter faster than by name."""
        return map(operator.itemgetter(*self.column_names), rows)


def _lookup_table(name: str) -> Table:
    return Table(name, (_ROW_ID, ("name", "TEXT NOT NULL UNIQUE COLLATE NOCASE")))


def _link_table(name: str, target: str, between: tuple[tuple[str, str], ...] = ()) -> Table:
    """A many-to-many link from an exercise to a lookup table, in the seed's order, with the
    columns ``between`` the target and its place."""
    return _owned_table(
        f"exercise_{name}",
        (
            _OWNER,
            (f"{target}_id", f"INTEGER NOT NULL REFERENCES {name} (id)"),
            *between,
            ("position", "INTEGER NOT NULL"),
        ),
        ("exercise_id", f"{target}_id"),
    )


_MUSCLES = Table(
    "muscles",
    (
        _ROW_ID,
        ("name", "TEXT NOT NULL UNIQUE COLLATE NOCASE"),
        ("muscle", "TEXT"),
        ("latin", "TEXT"),
    ),
)
"""The muscles as seeds name them, each with the vocabulary's id of the muscle it names and
that muscle's Latin name (both NULL for a name the vocabulary does not know)."""

_ROLE = ("role", "TEXT NOT NULL CHECK (role IN ('primary', 'secondary'))")


EXERCISE_COLUMNS: tuple[tuple[str, str], ...] = (
    _ROW_ID,
    ("slug", "TEXT NOT NULL"),
    ("title", "TEXT NOT NULL"),
    ("description", "TEXT NOT NULL"),
    ("image", "TEXT"),
    ("video_id", "TEXT"),
    ("video_url", "TEXT"),
    ("video_uploaded", "TEXT"),
    ("level", "TEXT CHECK (level IN ('beginner', 'intermediate', 'expert'))"),
    ("category", "INTEGER REFERENCES categories (id)"),
    ("lang", "TEXT NOT NULL"),
    ("translation_of", "TEXT"),
    ("work", "TEXT NOT NULL"),
    ("updated", "TEXT"),
    ("sets", "INTEGER CHECK (sets > 0)"),
    ("reps_min", "INTEGER CHECK (reps_min > 0)"),
    ("reps_max", "INTEGER CHECK (reps_max >= reps_min)"),
    ("rest_seconds", "INTEGER CHECK (rest_seconds > 0)"),
    ("tempo", "TEXT"),
    ("time_seconds", "INTEGER CHECK (time_seconds > 0)"),
    ("license", "TEXT"),
    ("license_url", "TEXT"),
    ("author", "TEXT"),
    ("author_url", "TEXT"),
    ("source_url", "TEXT"),
    ("station", "TEXT"),
    ("outro", "TEXT NOT NULL"),
    ("source_path", "TEXT NOT NULL"),
    ("source_sha256", "TEXT NOT NULL"),
    ("muscles", "TEXT NOT NULL CHECK (json_valid(muscles))"),
    ("secondary_muscles", "TEXT NOT NULL CHECK (json_valid(secondary_muscles))"),
    ("equipment", "TEXT NOT NULL CHECK (json_valid(equipment))"),
    ("supplies", "TEXT NOT NULL CHECK (json_valid(supplies))"),
    ("aliases", "TEXT NOT NULL CHECK (json_valid(aliases))"),
    ("aliases_text", "TEXT NOT NULL"),
    ("body", "TEXT NOT NULL"),
)
"""Every column of ``exercises``, in order, with its declaration. An exercise is one seed:
a slug in one language. ``work`` is what its translations share, the slug of the exercise it
translates (``translation_of``) or else its own."""

EXERCISE_COLUMN_NAMES = tuple(name for name, _ in EXERCISE_COLUMNS)


@dataclass(frozen=True, slots=True)
class ExerciseFacts:
    """The columns of ``exercises`` that the exporter's entry and ``show``'s record both hold
    alike (a category by its name, a list as the tuple its JSON holds), named once for both."""

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
    translation_of: str | None
    updated: str | None
    muscles: tuple[str, ...]
    secondary_muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    supplies: tuple[str, ...]
    aliases: tuple[str, ...]
    sets: int | None
    reps_min: int | None
    reps_max: int | None
    rest_seconds: int | None
    tempo: str | None
    time_seconds: int | None
    license: str | None
    license_url: str | None
    author: str | None
    author_url: str | None
    source_url: str | None
    station: str | None


_POSITION = ("position", "INTEGER NOT NULL")
_LABEL = ("label", "TEXT")
_TEXT = ("text", "TEXT NOT NULL")


def _item_table(name: str, kind: str, kinds: tuple[str, ...]) -> Table:
    """The numbered, optionally labelled items of sections of ``kinds``, told apart by the
    ``kind`` column (steps: setup and execution; notes: tips and mistakes)."""
    allowed = ", ".join(f"'{k}'" for k in kinds)
    return _owned_table(
        name,
        (_OWNER, (kind, f"TEXT NOT NULL CHECK ({kind} IN ({allowed}))"), _POSITION, _LABEL, _TEXT),
        ("exercise_id", kind, "position"),
    )


def _owned_table(name: str, columns: tuple[tuple[str, str], ...], key: tuple[str, ...]) -> Table:
    """A table of an exercise's rows, named by the exercise and their place in it rather than
    numbered: a row's key does not depend on the other exercises' rows, so the catalogue can
    be updated for one exercise to the bytes a build gives (:mod:`pipeline.catalogue.update`).
    """
    return Table(name, columns, (f"PRIMARY KEY ({', '.join(key)})",), options=" WITHOUT ROWID")


TABLES: tuple[Table, ...] = (
    _lookup_table("categories"),
    _MUSCLES,
    _lookup_table("equipment"),
    Table("exercises", EXERCISE_COLUMNS, ("UNIQUE (slug, lang)",)),
    _item_table("steps", "section", ("setup", "execution")),
    _owned_table(
        "howto_steps",
        (_OWNER, _POSITION, ("name", "TEXT NOT NULL"), _TEXT),
        ("exercise_id", "position"),
    ),
    _item_table("notes", "kind", ("tip", "mistake")),
    _owned_table(
        "other_sections",
        (
            _OWNER,
            ("section", "INTEGER NOT NULL"),
            ("heading", "TEXT NOT NULL"),
            _POSITION,
            _LABEL,
            _TEXT,
        ),
        ("exercise_id", "section", "position"),
    ),
    _owned_table(
        "aliases",
        (_OWNER, _POSITION, ("name", "TEXT NOT NULL")),
        ("exercise_id", "position"),
    ),
    _owned_table(
        "exercise_settings",
        (_OWNER, _POSITION, ("name", "TEXT NOT NULL"), ("value", "TEXT NOT NULL")),
        ("exercise_id", "position"),
    ),
    _owned_table(
        "exercise_images",
        (
            _OWNER,
            _POSITION,
            ("url", "TEXT"),
            ("file", "TEXT"),
            ("width", "INTEGER CHECK (width > 0)"),
            ("height", "INTEGER CHECK (height > 0)"),
            ("alt", "TEXT"),
            ("caption", "TEXT"),
            ("license", "TEXT"),
            ("license_url", "TEXT"),
            ("author", "TEXT"),
            ("author_url", "TEXT"),
            ("source_url", "TEXT"),
        ),
        ("exercise_id", "position"),
    ),
    _link_table("muscles", "muscle", (_ROLE,)),
    _link_table("equipment", "equipment"),
)
"""Every table but the search index, in dependency order."""

FTS_TABLE = "exercises_fts"
FTS_COLUMNS = ("title", "description", "aliases_text", "body")
"""The columns of ``exercises`` the full-text search indexes, in its order."""

TRANSLATIONS_VIEW = "translations"
"""For each exercise, its other language versions: the exercises of the same ``work``."""

# Indexes and the search index are built after the rows are in (see INDEXES and FTS_INSERT),
# which is much faster than keeping them up to date.
SCHEMA = (
    "\n"
    + "".join(f"{table.create()};\n" for table in TABLES)
    + f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5 (
    {", ".join(FTS_COLUMNS)},
    content="exercises", content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);
CREATE VIEW {TRANSLATIONS_VIEW} AS
SELECT e.id AS exercise_id, e.slug AS exercise_slug, e.lang AS exercise_lang, e.work,
       t.id AS translation_id, t.lang, t.slug, t.title
FROM exercises AS e JOIN exercises AS t ON t.work = e.work AND t.id <> e.id;
"""
)

# Reverse lookups: "which exercises train this muscle", the filters of `pipeline list`, and
# an exercise's translations (the unique (slug, lang) serves `show`).
INDEXES = """
CREATE INDEX exercises_category ON exercises (category);
CREATE INDEX exercises_level ON exercises (level);
CREATE INDEX exercises_lang ON exercises (lang);
CREATE INDEX exercises_work ON exercises (work, lang);
CREATE INDEX exercise_muscles_muscle ON exercise_muscles (muscle_id, exercise_id);
CREATE INDEX exercise_equipment_equipment ON exercise_equipment (equipment_id, exercise_id);
"""

# The search index is filled with each exercise's text folded for its language (see
# pipeline.catalogue.folding), not rebuilt from the content table, which keeps the text as
# written for snippets: the folds keep every word in its place, so highlights still match.
FTS_INSERT = (
    f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) "
    f"VALUES (?{', ?' * len(FTS_COLUMNS)})"
)

REQUIRED_TABLES = frozenset({table.name for table in TABLES} | {FTS_TABLE, TRANSLATIONS_VIEW})
"""The tables (and the view) a file must have to be read as a catalogue."""
