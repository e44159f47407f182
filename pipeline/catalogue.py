"""The SQLite catalogue: its schema, and a small typed library to query it.

The ``sqlite`` exporter (:mod:`pipeline.exporters.sqlite`) writes the file from the schema
below; :class:`Catalogue` reads it back for ``pipeline search``, ``list`` and ``show``, and
for any script that wants exercises without parsing seeds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from pipeline.diagnostics import PipelineError
from pipeline.model import Difficulty

SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of a catalogue with this schema; bumped on any change to it."""

APPLICATION_ID = 0x45584354
"""``PRAGMA application_id`` of every catalogue (``EXCT``), so ``file`` and we can tell it."""

CATALOGUE_FILE = "catalogue.sqlite"
"""The catalogue's name inside the output folder."""

EXERCISE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "INTEGER PRIMARY KEY"),
    ("slug", "TEXT NOT NULL UNIQUE"),
    ("title", "TEXT NOT NULL"),
    ("description", "TEXT NOT NULL"),
    ("image", "TEXT"),
    ("video_id", "TEXT"),
    ("video_url", "TEXT"),
    ("video_uploaded", "TEXT"),
    ("level", "TEXT CHECK (level IN ('beginner', 'intermediate', 'expert'))"),
    ("category", "INTEGER REFERENCES categories (id)"),
    ("lang", "TEXT NOT NULL"),
    ("updated", "TEXT"),
    ("outro", "TEXT NOT NULL"),
    ("source_path", "TEXT NOT NULL"),
    ("source_sha256", "TEXT NOT NULL"),
    ("muscles", "TEXT NOT NULL CHECK (json_valid(muscles))"),
    ("equipment", "TEXT NOT NULL CHECK (json_valid(equipment))"),
    ("aliases", "TEXT NOT NULL CHECK (json_valid(aliases))"),
    ("aliases_text", "TEXT NOT NULL"),
    ("body", "TEXT NOT NULL"),
)
"""Every column of ``exercises``, in order, with its declaration: the one list of them, from
which the table, the exporter's insert and ``show`` are made."""

EXERCISE_COLUMN_NAMES = tuple(name for name, _ in EXERCISE_COLUMNS)

# Every table, in dependency order. Indexes and the search index are built after the rows
# are in (see INDEXES and FTS_BUILD), which is much faster than keeping them up to date.
SCHEMA = (
    """
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE muscles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE equipment (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE exercises (
"""
    + ",\n".join(f"    {name} {declaration}" for name, declaration in EXERCISE_COLUMNS)
    + """
);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    section TEXT NOT NULL CHECK (section IN ('setup', 'execution')),
    position INTEGER NOT NULL,
    label TEXT,
    text TEXT NOT NULL,
    UNIQUE (exercise_id, section, position)
);
CREATE TABLE howto_steps (
    id INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (exercise_id, position)
);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('tip', 'mistake')),
    position INTEGER NOT NULL,
    label TEXT,
    text TEXT NOT NULL,
    UNIQUE (exercise_id, kind, position)
);
CREATE TABLE other_sections (
    id INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    section INTEGER NOT NULL,
    heading TEXT NOT NULL,
    position INTEGER NOT NULL,
    label TEXT,
    text TEXT NOT NULL,
    UNIQUE (exercise_id, section, position)
);
CREATE TABLE aliases (
    id INTEGER PRIMARY KEY,
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (exercise_id, position)
);
CREATE TABLE exercise_muscles (
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    muscle_id INTEGER NOT NULL REFERENCES muscles (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (exercise_id, muscle_id)
) WITHOUT ROWID;
CREATE TABLE exercise_equipment (
    exercise_id INTEGER NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
    equipment_id INTEGER NOT NULL REFERENCES equipment (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (exercise_id, equipment_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE exercises_fts USING fts5 (
    title, description, aliases_text, body,
    content="exercises", content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);
"""
)

# Reverse lookups: "which exercises train this muscle" and the filters of `pipeline list`.
INDEXES = """
CREATE INDEX exercises_category ON exercises (category);
CREATE INDEX exercises_level ON exercises (level);
CREATE INDEX exercise_muscles_muscle ON exercise_muscles (muscle_id, exercise_id);
CREATE INDEX exercise_equipment_equipment ON exercise_equipment (equipment_id, exercise_id);
"""

# One statement builds the whole search index from the content table.
FTS_BUILD = "INSERT INTO exercises_fts (exercises_fts) VALUES ('rebuild')"

# bm25 weights per indexed column: title, description, aliases_text, body.
_BM25 = "bm25(exercises_fts, 10.0, 4.0, 8.0, 1.0)"

REQUIRED_TABLES = frozenset(
    {
        "exercises",
        "steps",
        "howto_steps",
        "notes",
        "other_sections",
        "muscles",
        "equipment",
        "categories",
        "exercise_muscles",
        "exercise_equipment",
        "aliases",
        "exercises_fts",
    }
)

DEFAULT_HIGHLIGHT = ("**", "**")


class CatalogueError(PipelineError):
    """The catalogue cannot be opened or asked (missing, not a catalogue, no such exercise)."""


class ExerciseNotFoundError(CatalogueError):
    """No exercise in the catalogue has the slug asked for."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result, best first: the exercise and a snippet around the matched words."""

    slug: str
    title: str
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """One line of ``pipeline list``."""

    slug: str
    title: str
    level: str | None
    category: str | None
    muscles: tuple[str, ...]
    equipment: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepRecord:
    """A numbered step of the setup or execution, or a tip or a mistake."""

    position: int
    label: str | None
    text: str


@dataclass(frozen=True, slots=True)
class HowToStepRecord:
    """A concise how-to step."""

    position: int
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class OtherSectionRecord:
    """A ``##`` section the seed format does not know, kept as written: its heading, and its
    items (list items, or paragraphs)."""

    heading: str
    items: tuple[StepRecord, ...]


@dataclass(frozen=True, slots=True)
class ExerciseRecord:
    """A whole exercise, as the catalogue holds it."""

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
    muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    aliases: tuple[str, ...]
    setup: tuple[StepRecord, ...]
    execution: tuple[StepRecord, ...]
    tips: tuple[StepRecord, ...]
    mistakes: tuple[StepRecord, ...]
    other_sections: tuple[OtherSectionRecord, ...]
    howto: tuple[HowToStepRecord, ...]
    outro: str
    source_path: str
    source_sha256: str


def fts_query(text: str) -> str:
    """A full-text query that matches every word of ``text``, whatever characters it holds.

    Each word is quoted as an FTS5 string, so ``"``, ``*``, ``-``, ``AND`` or ``NEAR(`` in
    what a user typed are searched for, not parsed; a trailing ``*`` still asks for a prefix.
    """
    terms = []
    for word in text.replace("\0", " ").split():
        prefix = word.endswith("*") and word.strip("*") != ""
        core = word.rstrip("*") if prefix else word
        terms.append('"' + core.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def same_name(stored: str | None, asked: str | None) -> bool:
    """Whether ``asked`` names the muscle, equipment or category ``stored``: the same ignoring
    case and spacing, or one is the other with a plural ``s`` or ``es`` (``hamstring`` and
    ``Hamstrings``, ``bench`` and ``benches``), as the search's stemmer would have them.
    Nothing (an exercise without a category) is no name."""
    if stored is None or asked is None:
        return False
    stored, asked = _folded(stored), _folded(asked)
    if stored == asked:
        return True
    short, long = sorted((stored, asked), key=len)
    return long in (short + "s", short + "es")


def _tuple(value: str) -> tuple[str, ...]:
    items = json.loads(value)
    return tuple(str(item) for item in items)


class Catalogue:
    """A catalogue file opened read-only. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        """Open ``path``; raises :class:`CatalogueError` when it is missing or not a
        catalogue of this schema version."""
        self.path = path
        if not path.is_file():
            raise CatalogueError(f"{path}: no catalogue there (run `pipeline export` to build it)")
        try:
            self._db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise CatalogueError(f"{path}: cannot open it: {exc}") from None
        try:
            self._check()
        except BaseException:
            self._db.close()
            raise
        self._db.create_function("same_name", 2, same_name, deterministic=True)

    def _check(self) -> None:
        try:
            application_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_schema")}
        except sqlite3.DatabaseError:
            raise CatalogueError(f"{self.path}: not a SQLite database") from None
        if application_id != APPLICATION_ID or not tables >= REQUIRED_TABLES:
            raise CatalogueError(f"{self.path}: not an exercise catalogue")
        if version != SCHEMA_VERSION:
            raise CatalogueError(
                f"{self.path}: catalogue schema version {version}, this pipeline reads version "
                f"{SCHEMA_VERSION} (run `pipeline export` to rebuild it)"
            )

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _rows(self, sql: str, parameters: dict[str, object]) -> Iterator[tuple[object, ...]]:
        try:
            yield from self._db.execute(sql, parameters)
        except sqlite3.Error as exc:
            raise CatalogueError(f"{self.path}: cannot read the catalogue: {exc}") from None

    def count(self) -> int:
        """How many exercises the catalogue holds."""
        row = next(self._rows("SELECT count(*) FROM exercises", {}))
        return int(str(row[0]))

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
        tokens: int = 16,
    ) -> list[SearchHit]:
        """Exercises whose title, description, aliases, steps, tips or mistakes hold every word
        of ``query`` (stemmed: ``hamstring`` finds "hamstrings"), best match first (bm25).
        ``highlight`` surrounds the matched words in each snippet."""
        match = fts_query(query)
        if not match:
            return []
        sql = f"""
            SELECT e.slug, e.title,
                   snippet(exercises_fts, -1, :open, :close, '…', :tokens),
                   {_BM25} AS rank
            FROM exercises_fts JOIN exercises AS e ON e.id = exercises_fts.rowid
            WHERE exercises_fts MATCH :match
            ORDER BY rank, e.slug
            LIMIT :limit
        """
        parameters: dict[str, object] = {
            "match": match,
            "open": highlight[0],
            "close": highlight[1],
            "tokens": max(1, min(tokens, 64)),
            "limit": limit,
        }
        return [
            SearchHit(str(slug), str(title), str(snippet), float(str(rank)))
            for slug, title, snippet, rank in self._rows(sql, parameters)
        ]

    def list_exercises(
        self,
        *,
        muscle: str | None = None,
        equipment: str | None = None,
        level: str | None = None,
        category: str | None = None,
    ) -> list[ExerciseSummary]:
        """Exercises in slug order, only those matching every filter given. A muscle,
        equipment or category matches as :func:`same_name` says (case, and a plural ``s`` or
        ``es``, do not matter). An unknown ``level`` is a :class:`CatalogueError`."""
        levels = [str(d) for d in Difficulty]
        if level is not None and level.lower() not in levels:
            raise CatalogueError(f"unknown level '{level}' (choose from {', '.join(levels)})")
        sql = """
            SELECT e.slug, e.title, e.level, c.name, e.muscles, e.equipment
            FROM exercises AS e LEFT JOIN categories AS c ON c.id = e.category
            WHERE (:level IS NULL OR e.level = lower(:level))
              AND (:category IS NULL OR same_name(c.name, :category))
              AND (:muscle IS NULL OR EXISTS (
                    SELECT 1 FROM exercise_muscles AS em JOIN muscles AS m ON m.id = em.muscle_id
                    WHERE em.exercise_id = e.id AND same_name(m.name, :muscle)))
              AND (:equipment IS NULL OR EXISTS (
                    SELECT 1 FROM exercise_equipment AS ee
                    JOIN equipment AS q ON q.id = ee.equipment_id
                    WHERE ee.exercise_id = e.id AND same_name(q.name, :equipment)))
            ORDER BY e.slug
        """
        parameters: dict[str, object] = {
            "muscle": muscle,
            "equipment": equipment,
            "level": level,
            "category": category,
        }
        return [
            ExerciseSummary(
                slug=str(slug),
                title=str(title),
                level=None if lvl is None else str(lvl),
                category=None if cat is None else str(cat),
                muscles=_tuple(str(muscles)),
                equipment=_tuple(str(equip)),
            )
            for slug, title, lvl, cat, muscles, equip in self._rows(sql, parameters)
        ]

    def show(self, slug: str) -> ExerciseRecord:
        """The whole exercise ``slug``; raises :class:`ExerciseNotFoundError` when there is
        none."""
        sql = """
            SELECT e.*, c.name AS category
            FROM exercises AS e LEFT JOIN categories AS c ON c.id = e.category
            WHERE e.slug = :slug
        """
        found = next(self._rows(sql, {"slug": slug}), None)
        if found is None:
            raise ExerciseNotFoundError(f"no exercise '{slug}' in {self.path}")
        # By name, not position: the category's name (the last column) replaces its id.
        row = dict(zip((*EXERCISE_COLUMN_NAMES, "category"), found, strict=True))
        exercise_id = row["id"]
        steps: dict[str, list[StepRecord]] = {
            "setup": [],
            "execution": [],
            "tip": [],
            "mistake": [],
        }
        for kind, position, label, text in self._rows(
            """
            SELECT section, position, label, text FROM steps WHERE exercise_id = :id
            UNION ALL
            SELECT kind, position, label, text FROM notes WHERE exercise_id = :id
            ORDER BY 1, 2
            """,
            {"id": exercise_id},
        ):
            record = StepRecord(
                int(str(position)), None if label is None else str(label), str(text)
            )
            steps[str(kind)].append(record)
        howto = tuple(
            HowToStepRecord(int(str(position)), str(name), str(text))
            for position, name, text in self._rows(
                "SELECT position, name, text FROM howto_steps WHERE exercise_id = :id "
                "ORDER BY position",
                {"id": exercise_id},
            )
        )

        other: dict[int, tuple[str, list[StepRecord]]] = {}
        for section, heading, position, label, text in self._rows(
            "SELECT section, heading, position, label, text FROM other_sections "
            "WHERE exercise_id = :id ORDER BY section, position",
            {"id": exercise_id},
        ):
            items = other.setdefault(int(str(section)), (str(heading), []))[1]
            items.append(
                StepRecord(int(str(position)), None if label is None else str(label), str(text))
            )

        def optional(value: object) -> str | None:
            return None if value is None else str(value)

        return ExerciseRecord(
            slug=str(row["slug"]),
            title=str(row["title"]),
            description=str(row["description"]),
            image=optional(row["image"]),
            video_id=optional(row["video_id"]),
            video_url=optional(row["video_url"]),
            video_uploaded=optional(row["video_uploaded"]),
            level=optional(row["level"]),
            category=optional(row["category"]),
            lang=str(row["lang"]),
            updated=optional(row["updated"]),
            muscles=_tuple(str(row["muscles"])),
            equipment=_tuple(str(row["equipment"])),
            aliases=_tuple(str(row["aliases"])),
            setup=tuple(steps["setup"]),
            execution=tuple(steps["execution"]),
            tips=tuple(steps["tip"]),
            mistakes=tuple(steps["mistake"]),
            other_sections=tuple(
                OtherSectionRecord(heading, tuple(items)) for heading, items in other.values()
            ),
            howto=howto,
            outro=str(row["outro"]),
            source_path=str(row["source_path"]),
            source_sha256=str(row["source_sha256"]),
        )


def open_catalogue(path: Path) -> Catalogue:
    """Open the catalogue at ``path`` read-only (see :class:`Catalogue`)."""
    return Catalogue(path)
