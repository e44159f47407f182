"""Reading the catalogue back: :class:`Catalogue`, the small typed library behind
``pipeline search``, ``list`` and ``show``, for any script that wants exercises without
parsing seeds. Its names are :mod:`pipeline.catalogue`'s.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.catalogue.folding import variants
from pipeline.catalogue.schema import (
    APPLICATION_ID,
    EXERCISE_COLUMN_NAMES,
    REQUIRED_TABLES,
    SCHEMA_VERSION,
    ExerciseFacts,
)
from pipeline.diagnostics import PipelineError
from pipeline.i18n import matches_language as matches_language  # re-exported
from pipeline.model import Difficulty

# bm25 weights per indexed column: title, description, aliases_text, body.
_BM25 = "bm25(exercises_fts, 10.0, 4.0, 8.0, 1.0)"

DEFAULT_HIGHLIGHT = ("**", "**")


# One branch of a search: the hits of one folded query, in the languages it was folded for.
_SEARCH = f"""
    SELECT e.slug AS slug, e.lang AS lang, e.title,
           snippet(exercises_fts, -1, :open, :close, '…', :tokens), {_BM25} AS rank
    FROM exercises_fts JOIN exercises AS e ON e.id = exercises_fts.rowid
    WHERE exercises_fts MATCH :match{{n}} {{only}}
"""


class CatalogueError(PipelineError):
    """The catalogue cannot be opened or asked (missing, not a catalogue, no such exercise)."""


class ExerciseNotFoundError(CatalogueError):
    """No exercise in the catalogue has the slug asked for (in the language asked for)."""


class AmbiguousExerciseError(CatalogueError):
    """The slug asked for is in several languages, and none was asked for."""

    def __init__(self, message: str, languages: tuple[str, ...]) -> None:
        super().__init__(message)
        self.languages = languages
        """The languages the slug is in, in tag order."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result, best first: the exercise and a snippet around the matched words."""

    slug: str
    lang: str
    title: str
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """One line of ``pipeline list``."""

    slug: str
    lang: str
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
class TranslationRecord:
    """Another language version of an exercise: the same work, in ``lang``."""

    lang: str
    slug: str
    title: str


@dataclass(frozen=True, slots=True)
class ExerciseRecord(ExerciseFacts):
    """A whole exercise, as the catalogue holds it, and its other language versions."""

    setup: tuple[StepRecord, ...]
    execution: tuple[StepRecord, ...]
    tips: tuple[StepRecord, ...]
    mistakes: tuple[StepRecord, ...]
    other_sections: tuple[OtherSectionRecord, ...]
    howto: tuple[HowToStepRecord, ...]
    outro: str
    source_path: str
    source_sha256: str
    translations: tuple[TranslationRecord, ...] = ()
    """The exercise's other language versions, in tag order."""
    settings: tuple[tuple[str, str], ...] = ()
    """The machine's settings, each (name, value), in the order to set them."""

    @property
    def work(self) -> str:
        """What the exercise's translations share: the slug of the exercise it translates,
        else its own."""
        return self.translation_of or self.slug


def fts_query(text: str, lang: str | None = None) -> str:
    """A full-text query that matches every word of ``text``, whatever characters it holds,
    in the text of exercises in ``lang``: each word folded as the index folds that
    language's text, or spelled as its readers may type it (``Bankdruecken`` is also asked
    for as ``Bankdrucken`` in German; see :mod:`pipeline.catalogue.folding`).

    Each word is quoted as an FTS5 string, so ``"``, ``*``, ``-``, ``AND`` or ``NEAR(`` in
    what a user typed are searched for, not parsed; a trailing ``*`` still asks for a prefix.
    """
    terms = []
    for word in text.replace("\0", " ").split():
        prefix = word.endswith("*") and word.strip("*") != ""
        core = word.rstrip("*") if prefix else word
        star = "*" if prefix else ""
        spellings = ['"' + s.replace('"', '""') + '"' + star for s in variants(core, lang)]
        terms.append(spellings[0] if len(spellings) == 1 else f"({' OR '.join(spellings)})")
    # FTS5 takes phrases side by side as AND, but wants the word between a group and another.
    return (" AND " if any(t.startswith("(") for t in terms) else " ").join(terms)


def lookup_language(asked: str, tags: Iterable[str]) -> str | None:
    """The tag of ``tags`` that RFC 4647 lookup picks for ``asked``: ``asked`` itself, else
    ``asked`` less its last subtag, and so on (``de-AT``, then ``de``); None when none is
    there. Case does not matter."""
    by_case = {tag.lower(): tag for tag in tags}
    parts = asked.lower().split("-")
    for n in range(len(parts), 0, -1):
        if len(parts[n - 1]) > 1 and "-".join(parts[:n]) in by_case:
            return by_case["-".join(parts[:n])]
    return None


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

    def languages(self, asked: str | None = None) -> tuple[str, ...]:
        """The languages of the catalogue's exercises, in tag order; only those the range
        ``asked`` takes (see :func:`matches_language`) when it is given."""
        tags = (str(row[0]) for row in self._rows("SELECT DISTINCT lang FROM exercises", {}))
        return tuple(sorted(t for t in tags if asked is None or matches_language(t, asked)))

    def search(
        self,
        query: str,
        *,
        lang: str | None = None,
        limit: int = 20,
        highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
        tokens: int = 16,
    ) -> list[SearchHit]:
        """Exercises whose title, description, aliases, steps, tips or mistakes hold every word
        of ``query``, best match first (bm25); only those in ``lang`` (and its regional
        variants: ``de`` takes ``de-AT``) when it is given. Each exercise's text is searched
        as its language's readers type it (``Bankdruecken`` finds "Bankdrücken", see
        :mod:`pipeline.catalogue.folding`), English's stemmed (``hamstring`` finds
        "hamstrings"). ``highlight`` surrounds the matched words in each snippet."""
        # One query per way the languages fold it, each asked only of its languages' text:
        # a word German folds (`toe` -> `to`) must not find what another language has.
        branches: dict[str, list[str]] = {}
        for tag in self.languages(lang):
            branches.setdefault(fts_query(query, tag), []).append(tag)
        branches.pop("", None)
        if not branches:
            return []
        parameters: dict[str, object] = {
            "open": highlight[0],
            "close": highlight[1],
            "tokens": max(1, min(tokens, 64)),
            "limit": limit,
        }
        every = lang is None and len(branches) == 1
        selects = []
        for n, (match, tags) in enumerate(branches.items()):
            parameters[f"match{n}"] = match
            parameters[f"langs{n}"] = json.dumps(tags)
            only = "" if every else f"AND e.lang IN (SELECT value FROM json_each(:langs{n}))"
            selects.append(_SEARCH.format(n=n, only=only))
        sql = " UNION ALL ".join(selects) + " ORDER BY rank, slug, lang LIMIT :limit"
        return [
            SearchHit(str(slug), str(tag), str(title), str(snippet), float(str(rank)))
            for slug, tag, title, snippet, rank in self._rows(sql, parameters)
        ]

    def list_exercises(
        self,
        *,
        muscle: str | None = None,
        equipment: str | None = None,
        level: str | None = None,
        category: str | None = None,
        lang: str | None = None,
    ) -> list[ExerciseSummary]:
        """Exercises in slug order (then language), only those matching every filter given.
        A muscle, equipment or category matches as :func:`same_name` says (case, and a plural
        ``s`` or ``es``, do not matter); a language as :func:`matches_language` says (``de``
        takes ``de-AT``). An unknown ``level`` is a :class:`CatalogueError`."""
        levels = [str(d) for d in Difficulty]
        if level is not None and level.lower() not in levels:
            raise CatalogueError(f"unknown level '{level}' (choose from {', '.join(levels)})")
        sql = """
            SELECT e.slug, e.lang, e.title, e.level, c.name, e.muscles, e.equipment
            FROM exercises AS e LEFT JOIN categories AS c ON c.id = e.category
            WHERE (:langs IS NULL OR e.lang IN (SELECT value FROM json_each(:langs)))
              AND (:level IS NULL OR e.level = lower(:level))
              AND (:category IS NULL OR same_name(c.name, :category))
              AND (:muscle IS NULL OR EXISTS (
                    SELECT 1 FROM exercise_muscles AS em JOIN muscles AS m ON m.id = em.muscle_id
                    WHERE em.exercise_id = e.id AND same_name(m.name, :muscle)))
              AND (:equipment IS NULL OR EXISTS (
                    SELECT 1 FROM exercise_equipment AS ee
                    JOIN equipment AS q ON q.id = ee.equipment_id
                    WHERE ee.exercise_id = e.id AND same_name(q.name, :equipment)))
            ORDER BY e.slug, e.lang
        """
        parameters: dict[str, object] = {
            "muscle": muscle,
            "equipment": equipment,
            "level": level,
            "category": category,
            "langs": None if lang is None else json.dumps(self.languages(lang)),
        }
        return [
            ExerciseSummary(
                slug=str(slug),
                lang=str(tag),
                title=str(title),
                level=None if lvl is None else str(lvl),
                category=None if cat is None else str(cat),
                muscles=_tuple(str(muscles)),
                equipment=_tuple(str(equip)),
            )
            for slug, tag, title, lvl, cat, muscles, equip in self._rows(sql, parameters)
        ]

    def languages_of(self, slug: str) -> tuple[str, ...]:
        """The languages the exercise ``slug`` is in, in tag order; none when there is no such
        slug."""
        sql = "SELECT lang FROM exercises WHERE slug = :slug ORDER BY lang"
        return tuple(str(row[0]) for row in self._rows(sql, {"slug": slug}))

    def show(self, slug: str, lang: str | None = None) -> ExerciseRecord:
        """The whole exercise ``slug``: in ``lang``, or in the nearest language it falls back
        to (RFC 4647 lookup: ``de-AT`` takes ``de`` when there is no ``de-AT``, never another
        language); without ``lang``, the slug's only version. When ``slug`` is in none of
        those but a translation of it, with a slug of its own, is (``kniebeuge``, a
        ``translation_of: squat``), that translation: ``show("squat", "de")``.

        Raises :class:`ExerciseNotFoundError` when there is no such slug, or no version of it
        in ``lang``, and :class:`AmbiguousExerciseError` when no ``lang`` is given and the
        slug is in several languages."""
        versions = self.languages_of(slug)
        if not versions:
            raise ExerciseNotFoundError(f"no exercise '{slug}' in {self.path}")
        if lang is None:
            if len(versions) > 1:
                raise AmbiguousExerciseError(
                    f"'{slug}' is in {len(versions)} languages: {', '.join(versions)}", versions
                )
            return self._record(slug, versions[0])
        chosen = lookup_language(lang, versions)
        if chosen is not None:
            return self._record(slug, chosen)
        return self._translation(slug, lang)

    def _translation(self, slug: str, lang: str) -> ExerciseRecord:
        """The version in ``lang`` (RFC 4647 lookup) of the exercise ``slug``, which is not
        itself in ``lang``: a translation with a slug of its own, or the original of one."""
        sql = """
            SELECT DISTINCT t.lang, t.slug
            FROM exercises AS e JOIN exercises AS t ON t.work = e.work
            WHERE e.slug = :slug ORDER BY t.lang, t.slug
        """
        work = [(str(tag), str(other)) for tag, other in self._rows(sql, {"slug": slug})]
        chosen = lookup_language(lang, (tag for tag, _ in work))
        if chosen is not None:
            return self._record(next(other for tag, other in work if tag == chosen), chosen)
        # Each language once, with the slug it goes by there when that is another one.
        named = {tag: tag if other == slug else f"{tag} ({other})" for tag, other in work}
        raise ExerciseNotFoundError(
            f"no exercise '{slug}' in '{lang}' in {self.path} "
            f"(it is in {', '.join(named.values())})"
        )

    def _record(self, slug: str, lang: str) -> ExerciseRecord:
        """The exercise ``slug`` in ``lang``, which the catalogue has."""
        sql = """
            SELECT e.*, c.name AS category
            FROM exercises AS e LEFT JOIN categories AS c ON c.id = e.category
            WHERE e.slug = :slug AND e.lang = :lang
        """
        found = next(self._rows(sql, {"slug": slug, "lang": lang}))
        # By name, not position: the category's name (the last column) replaces its id.
        row = dict(zip((*EXERCISE_COLUMN_NAMES, "category"), found, strict=True))
        parameters = {"id": row["id"]}
        steps = self._steps(parameters)
        return ExerciseRecord(
            **_facts(row),
            setup=tuple(steps["setup"]),
            execution=tuple(steps["execution"]),
            tips=tuple(steps["tip"]),
            mistakes=tuple(steps["mistake"]),
            other_sections=self._other_sections(parameters),
            howto=tuple(
                HowToStepRecord(int(str(position)), str(name), str(text))
                for position, name, text in self._rows(
                    "SELECT position, name, text FROM howto_steps WHERE exercise_id = :id "
                    "ORDER BY position",
                    parameters,
                )
            ),
            outro=str(row["outro"]),
            source_path=str(row["source_path"]),
            source_sha256=str(row["source_sha256"]),
            translations=tuple(
                TranslationRecord(str(tag), str(other), str(title))
                for tag, other, title in self._rows(
                    "SELECT lang, slug, title FROM translations WHERE exercise_id = :id "
                    "ORDER BY lang, slug",
                    parameters,
                )
            ),
            settings=tuple(
                (str(name), str(value))
                for name, value in self._rows(
                    "SELECT name, value FROM exercise_settings WHERE exercise_id = :id "
                    "ORDER BY position",
                    parameters,
                )
            ),
        )

    def _steps(self, parameters: dict[str, object]) -> dict[str, list[StepRecord]]:
        """The exercise's steps, tips and mistakes, by section or kind."""
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
            parameters,
        ):
            steps[str(kind)].append(_step(position, label, text))
        return steps

    def _other_sections(self, parameters: dict[str, object]) -> tuple[OtherSectionRecord, ...]:
        """The exercise's sections the seed format does not know, in the seed's order."""
        other: dict[int, tuple[str, list[StepRecord]]] = {}
        for section, heading, position, label, text in self._rows(
            "SELECT section, heading, position, label, text FROM other_sections "
            "WHERE exercise_id = :id ORDER BY section, position",
            parameters,
        ):
            other.setdefault(int(str(section)), (str(heading), []))[1].append(
                _step(position, label, text)
            )
        return tuple(OtherSectionRecord(heading, tuple(items)) for heading, items in other.values())


def _facts(row: dict[str, object]) -> dict[str, Any]:
    """The :class:`ExerciseFacts` of an ``exercises`` row, each column read as its field's
    type says."""
    return {f.name: _FROM_COLUMN[str(f.type)](row[f.name]) for f in fields(ExerciseFacts)}


def _step(position: object, label: object, text: object) -> StepRecord:
    return StepRecord(int(str(position)), _optional(label), str(text))


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


# How show() reads each column of ExerciseFacts back, by the field's declared type.
_FROM_COLUMN: dict[str, Callable[[object], object]] = {
    "str": str,
    "str | None": _optional,
    "int | None": lambda value: None if value is None else int(str(value)),
    "tuple[str, ...]": lambda value: _tuple(str(value)),
}


def open_catalogue(path: Path) -> Catalogue:
    """Open the catalogue at ``path`` read-only (see :class:`Catalogue`)."""
    return Catalogue(path)
