"""What the last export into a folder built, kept beside that folder so the next export
rebuilds only what changed, and so publishing the folder publishes only outputs.

The state of ``<parent>/<name>/`` lives in ``<parent>/.pipeline-state/<name>/``: the lock,
and ``state.sqlite``, one SQLite database with

- ``seeds``: per seed, the content hash it was read from (with its local pictures'), its
  size and mtime and those of its pictures, its slug and diagnostics, whether it is a draft,
  and per exporter the files it produced and the exporter fingerprint they were built with;
- ``aggregates``: per aggregate exporter, the files it produced, a hash of the seeds they
  were built from and one of the entries (so an aggregate whose entries are the bytes it was
  built from is not built again);
- ``entries``: per exporter and seed, what the exporter's aggregate needs of that seed (its
  *entry*), as JSON, so an aggregate is rebuilt without parsing the seeds that did not change;
- ``meta``: how the seeds were read (the parse key), what a run with nothing to do reports
  (``noop``), and the files the folder holds with its folders' mtimes (``produced``), so such
  a run is told without loading the rest.

Beside it, ``cache/<exporter>/`` holds the blobs an exporter's entries name instead of
carrying (the cards' prepared pictures; see :mod:`pipeline.blobs`).

It is data, never code: the tables are STRICT (each column holds its declared type), every
JSON value is checked as it is read (entries through their exporter's declared type), and a
database that is damaged, from another version or not ours is set aside with a note and
rebuilt from nothing. A run changes only the rows of what changed, in one transaction at the
end: a run that is killed leaves the state of the run before, and the next run repairs the
rest (every output is complete; the writer does not rewrite a file that holds its bytes).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.diagnostics import Diagnostic, Level
from pipeline.inputs import InputFile

STATE_DIR = ".pipeline-state"
"""The folder beside an output folder that holds the state of each output folder in it."""
STATE_FILE = "state.sqlite"
LOCK_FILE = "lock"
CACHE_DIR = "cache"
STATE_VERSION = 5
APPLICATION_ID = 0x50495045
"""``PRAGMA application_id`` of a state database ("PIPE"): a SQLite file that is not one of
ours is never read as state."""
LEGACY_DIR = ".pipeline"
"""Where earlier versions kept their state, inside the output folder; removed on sight."""

DiagnosticRow = tuple[str, int, str, str]


def state_folder(out: Path, chosen: str | None = None) -> Path:
    """Where the state of the output folder ``out`` lives: the folder ``chosen`` (the
    ``state_dir`` setting) or, by default, beside it; never inside it."""
    if chosen:
        return Path(chosen)
    where = out.resolve()
    return where.parent / STATE_DIR / (where.name or "root")


def cache_folder(state: Path, exporter: str) -> Path:
    """Where the exporter named ``exporter`` keeps its blobs between runs (see
    :mod:`pipeline.blobs`), in the state folder ``state``."""
    return state / CACHE_DIR / exporter


def diagnostic_rows(diagnostics: Iterable[Diagnostic]) -> list[DiagnosticRow]:
    """Diagnostics as plain rows for the state."""
    return [(d.path, d.line, str(d.level), d.message) for d in diagnostics]


_LEVELS = {level.value: level for level in Level}


def diagnostics_from_rows(rows: Iterable[DiagnosticRow]) -> list[Diagnostic]:
    """Diagnostics back from state rows."""
    return [Diagnostic(path, line, _LEVELS[level], message) for path, line, level, message in rows]


@dataclass(slots=True)
class OutputRecord:
    """What one exporter produced for one seed."""

    fingerprint: str
    files: list[str]
    diagnostics: list[DiagnosticRow] = field(default_factory=list)


@dataclass(slots=True)
class SeedRecord:
    """One seed as the last run read it."""

    sha256: str
    slug: str | None
    ok: bool
    size: int = -1
    mtime_ns: int = -1
    diagnostics: list[DiagnosticRow] = field(default_factory=list)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    draft: bool = False
    lang: str = ""
    translation_of: str | None = None
    translation_line: int = 1
    """The line of ``translation_of`` in the seed, for a message about it."""
    inputs: list[InputFile] = field(default_factory=list)
    """The files besides the seed its parse read (its local pictures), with their sizes,
    mtimes and hashes: ``sha256`` covers them too (see :func:`pipeline.inputs.input_key`)."""


@dataclass(slots=True)
class AggregateRecord:
    """What one exporter built from all the seeds."""

    fingerprint: str
    inputs: str
    files: list[str]
    diagnostics: list[DiagnosticRow] = field(default_factory=list)
    entries: str = ""
    """A hash of the entries it was built from, each with its seed's path, in order; empty
    when they are not known to be the ones its files hold (a failed or partial build)."""


@dataclass(slots=True)
class CachedEntry:
    """A seed's entry for one exporter's aggregate, as a run stored it: for which bytes of the
    seed, with which exporter fingerprint, and the entry itself as JSON, with its hash. A
    stored entry is loaded without its JSON (``data`` is None) until it is read
    (:meth:`StateStore.entry_data`): most runs need only the hashes."""

    sha256: str
    fingerprint: str
    data: bytes | None
    digest: bytes = b""
    """The SHA-256 of ``data``."""

    def __post_init__(self) -> None:
        if not self.digest and self.data is not None:
            self.digest = hashlib.sha256(self.data).digest()


@dataclass(slots=True)
class State:
    """The state of an output folder after an export."""

    parse_key: str = ""
    seeds: dict[str, SeedRecord] = field(default_factory=dict)
    aggregates: dict[str, AggregateRecord] = field(default_factory=dict)
    produced: str = ""
    """The files the folder holds, by folder (see :func:`pipeline.outfolder.listing`)."""
    unremoved: list[str] = field(default_factory=list)
    """Stale outputs a run could not remove (a read-only folder): the next run tries again."""
    interrupted: bool = False
    """True when a run began after this state was recorded and did not finish: it may have
    left temp files in folders the listing does not name."""


@dataclass(frozen=True, slots=True)
class QuickView:
    """See :meth:`StateStore.quick_view`."""

    stats: dict[str, tuple[int, int]]
    inputs: list[InputFile]
    """Every seed's other inputs, as recorded (see :attr:`SeedRecord.inputs`)."""
    noop: str
    """What an export with nothing to do reports, as JSON, with the key of the inputs it is
    for (see :mod:`pipeline.engine`); empty when the next run has something to retry."""
    produced: str
    """Every file the folder holds from the recorded exports, by folder (see
    :func:`pipeline.outfolder.listing`)."""


class StateError(Exception):
    """The state database cannot be used: it is damaged, from another version, or not ours."""


_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {STATE_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE seeds (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    slug TEXT,
    ok INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    draft INTEGER NOT NULL,
    diagnostics TEXT NOT NULL,
    outputs TEXT NOT NULL,
    lang TEXT NOT NULL,
    translation_of TEXT,
    translation_line INTEGER NOT NULL,
    inputs TEXT NOT NULL
) STRICT;
CREATE TABLE aggregates (
    exporter TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    inputs TEXT NOT NULL,
    files TEXT NOT NULL,
    diagnostics TEXT NOT NULL,
    entries TEXT NOT NULL
) STRICT;
CREATE TABLE entries (
    exporter TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    digest BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (exporter, path)
) STRICT;
"""


def _tables() -> dict[str, str]:
    db = sqlite3.connect(":memory:")
    db.executescript(_SCHEMA)
    tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    db.close()
    return tables


_PATHS_A_QUERY = 500
"""Paths asked for in one query (SQLite takes only so many parameters)."""

_TABLES = _tables()
"""Each table's name and SQL, as SQLite records them for :data:`_SCHEMA`."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: object) -> str:
    if type(value) is not str:
        raise StateError("a text column holds something else")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise StateError("a number column holds something else")
    return value


def _is_row(row: object) -> bool:
    return (
        type(row) is list
        and len(row) == 4
        and type(row[0]) is str
        and type(row[1]) is int
        and row[2] in _LEVELS
        and type(row[3]) is str
    )


def check_rows(value: object) -> list[DiagnosticRow]:
    """``value`` as diagnostic rows; raises :class:`StateError` when it is not."""
    if type(value) is not list or not all(map(_is_row, value)):
        raise StateError("diagnostics that are not diagnostic rows")
    return [tuple(row) for row in value]


def _files(value: object) -> list[str]:
    if type(value) is not list or not all(type(item) is str for item in value):
        raise StateError("a file list that is not a list of paths")
    return value


def _outputs(text: object) -> dict[str, OutputRecord]:
    value = json.loads(_text(text))
    if type(value) is not dict:
        raise StateError("outputs that are not a mapping")
    outputs = {}
    # Ten thousand seeds of five outputs each are read in every run: the common shape (a
    # fingerprint, a path or two, no diagnostics) is checked inline.
    for name, output in value.items():
        if type(output) is not list or len(output) != 3:
            raise StateError("an output record of the wrong shape")
        fingerprint, files, rows = output
        if type(fingerprint) is not str:
            raise StateError("a text column holds something else")
        outputs[name] = OutputRecord(
            fingerprint, _files(files), [] if rows == [] else check_rows(rows)
        )
    return outputs


def _blob(value: object) -> bytes:
    if type(value) is bytes:
        return value
    return value.encode() if type(value) is str else b""


def _seed_row(path: str, record: SeedRecord) -> tuple[Any, ...]:
    outputs = {
        name: [o.fingerprint, o.files, o.diagnostics] for name, o in sorted(record.outputs.items())
    }
    return (
        path,
        record.sha256,
        record.slug,
        int(record.ok),
        record.size,
        record.mtime_ns,
        int(record.draft),
        _dumps(record.diagnostics),
        _dumps(outputs),
        record.lang,
        record.translation_of,
        record.translation_line,
        _dumps([[i.path, i.size, i.mtime_ns, i.sha256] for i in record.inputs]),
    )


def _seed_record(row: tuple[Any, ...]) -> SeedRecord:
    _, sha256, slug, ok, size, mtime_ns, draft, diagnostics, outputs, *language = row
    lang, translation_of, translation_line, inputs = language
    for text in (slug, translation_of):
        if text is not None:
            _text(text)
    return SeedRecord(
        sha256=_text(sha256),
        slug=slug,
        ok=bool(_int(ok)),
        size=_int(size),
        mtime_ns=_int(mtime_ns),
        diagnostics=[] if diagnostics == "[]" else check_rows(json.loads(_text(diagnostics))),
        outputs=_outputs(outputs),
        draft=bool(_int(draft)),
        lang=_text(lang),
        translation_of=translation_of,
        translation_line=_int(translation_line),
        inputs=[] if inputs == "[]" else _inputs(inputs),
    )


def _inputs(text: object) -> list[InputFile]:
    value = json.loads(_text(text))
    if type(value) is not list:
        raise StateError("inputs that are not a list")
    files = []
    for item in value:
        if type(item) is not list or len(item) != 4:
            raise StateError("an input of the wrong shape")
        files.append(InputFile(_text(item[0]), _int(item[1]), _int(item[2]), _text(item[3])))
    return files


class StateStore:
    """The state database of one output folder, opened for one run.

    :meth:`load` reads what the last run recorded; :meth:`commit` records this run's changes,
    row by row, in one transaction. A database that cannot be used is set aside (renamed
    ``state.sqlite.unusable``) and a new one begun; :attr:`notes` says so.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / STATE_FILE
        self.notes: list[Diagnostic] = []
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (without recording anything not committed)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            db = sqlite3.connect(self.path, isolation_level=None)
            try:
                if fresh:
                    db.executescript(_SCHEMA)
                else:
                    self._check(db)
            except (sqlite3.DatabaseError, StateError) as error:
                db.close()
                self._set_aside(error)
                db = sqlite3.connect(self.path, isolation_level=None)
                db.executescript(_SCHEMA)
            self._db = db
        return self._db

    @staticmethod
    def _check(db: sqlite3.Connection) -> None:
        (application,) = db.execute("PRAGMA application_id").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if application != APPLICATION_ID:
            raise StateError("it is not a pipeline state database")
        if version != STATE_VERSION:
            raise StateError(f"it is from another version of the pipeline (state {version})")
        # The tables as we make them (STRICT: every column holds its declared type). A page
        # that is damaged is found when it is read, and sets the state aside then.
        tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if dict(tables) != _TABLES:
            raise StateError("its tables are not the pipeline's")

    def _set_aside(self, error: Exception) -> None:
        self.notes.append(
            Diagnostic(
                self.path.as_posix(),
                0,
                Level.NOTE,
                f"the build state cannot be used ({error}): it is set aside and everything is "
                "rebuilt",
            )
        )
        with contextlib.suppress(OSError):
            self.path.replace(self.path.with_name(STATE_FILE + ".unusable"))
        with contextlib.suppress(OSError):
            self.path.unlink()

    def load(self) -> State:
        """What the last run recorded; an empty state when there is none or it is unusable."""
        try:
            return self._load()
        except (sqlite3.DatabaseError, StateError, ValueError, TypeError) as error:
            self.close()
            self._set_aside(error)
            return State()

    def _load(self) -> State:
        with _uncollected():
            return self._read_state()

    def _read_state(self) -> State:
        db = self._connect()
        meta = dict(db.execute("SELECT key, value FROM meta"))
        seeds = {row[0]: _seed_record(row) for row in db.execute("SELECT * FROM seeds")}
        aggregates = {
            exporter: AggregateRecord(
                _text(fingerprint),
                _text(inputs),
                _files(json.loads(_text(files))),
                check_rows(json.loads(_text(diagnostics))),
                _text(entries),
            )
            for exporter, fingerprint, inputs, files, diagnostics, entries in db.execute(
                "SELECT * FROM aggregates"
            )
        }
        return State(
            meta.get("parse_key", ""),
            seeds,
            aggregates,
            produced=meta.get("produced", ""),
            unremoved=_files(json.loads(meta.get("unremoved") or "[]")),
            interrupted=bool(meta.get("running")),
        )

    def quick_view(self) -> QuickView | None:
        """What a run needs to tell, cheaply, that nothing changed since the last: each seed's
        size and mtime, the last run's no-op summary, and the files it produced; ``None``
        when there is no usable state (the full load then says why)."""
        try:
            if not self.path.exists():
                return None
            db = self._connect()
            meta = dict(db.execute("SELECT key, value FROM meta"))
            # After a run that did not finish, only the full run can tell (and tidy up).
            if "noop" not in meta or "produced" not in meta or meta.get("running"):
                return None
            stats = {}
            inputs: list[InputFile] = []
            rows = db.execute("SELECT path, size, mtime_ns, inputs FROM seeds")
            for path, size, mtime_ns, files in rows:
                stats[path] = (size, mtime_ns)
                if files != "[]":
                    inputs.extend(_inputs(files))
            return QuickView(stats, inputs, meta["noop"], meta["produced"])
        except (sqlite3.DatabaseError, StateError, ValueError):
            self.close()
            return None

    def set_meta(self, key: str, value: str) -> None:
        """Record one ``meta`` row on its own (what a run with nothing to do learned); a
        state that cannot take it is left as it is."""
        with contextlib.suppress(sqlite3.Error):
            self._connect().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows in key order: what the state says, apart from how SQLite laid
        it out on disk (two runs that record the same things give equal rows)."""
        db = self._connect()
        order = {"meta": "key", "seeds": "path", "aggregates": "exporter", "entries": "1, 2"}
        return {
            table: list(db.execute(f"SELECT * FROM {table} ORDER BY {keys}"))
            for table, keys in order.items()
        }

    def entries(self, exporter: str) -> dict[str, CachedEntry]:
        """Every stored entry of ``exporter``, by seed path, without its JSON."""
        try:
            rows = self._connect().execute(
                "SELECT path, sha256, fingerprint, digest FROM entries WHERE exporter = ?",
                (exporter,),
            )
            with _uncollected():
                # The columns are STRICT: TEXT and BLOB as declared (see _SCHEMA).
                return {
                    path: CachedEntry(sha, fingerprint, None, digest)
                    for path, sha, fingerprint, digest in rows
                }
        except sqlite3.DatabaseError:  # read again from the seeds
            return {}

    def entry_data(self, exporter: str, paths: Collection[str] | None = None) -> dict[str, bytes]:
        """The JSON of the stored entries of ``exporter`` (of the seeds at ``paths``, or all),
        by seed path. One that cannot be read is given as bytes that read as no entry: it is
        then counted with the entries that cannot be read."""
        query = "SELECT path, data FROM entries WHERE exporter = ?"
        try:
            db = self._connect()
            if paths is None:
                rows = list(db.execute(query, (exporter,)))
            else:
                rows = []
                wanted = list(paths)
                for start in range(0, len(wanted), _PATHS_A_QUERY):
                    some = wanted[start : start + _PATHS_A_QUERY]
                    marks = ", ".join("?" for _ in some)
                    rows += db.execute(f"{query} AND path IN ({marks})", (exporter, *some))
        except sqlite3.DatabaseError:
            return {}
        return {str(path): _blob(data) for path, data in rows}

    def commit(
        self,
        old: State,
        new: State,
        entries: Mapping[str, Mapping[str, CachedEntry]],
        dropped: Iterable[str] = (),
        meta: Mapping[str, str] | None = None,
    ) -> None:
        """Record ``new`` in place of ``old``: only the rows that differ are written. ``entries``
        are the entries this run made (exporter -> seed path -> entry); the entries of the
        seeds in ``dropped`` (no longer recorded) are deleted; ``meta`` rows are set. One
        transaction: all or none."""
        db = self._connect()
        gone = [(path,) for path in sorted(old.seeds.keys() - new.seeds.keys())]
        changed = _changed_seeds(old, new)
        aggregates = _changed_aggregates(old, new)
        made = [
            (exporter, path, e.sha256, e.fingerprint, e.digest, e.data)
            for exporter, by_path in sorted(entries.items())
            for path, e in sorted(by_path.items())
            if e.data is not None
        ]
        db.execute("BEGIN IMMEDIATE")
        try:
            if old.parse_key != new.parse_key:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('parse_key', ?)", (new.parse_key,))
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted((meta or {}).items())
            )
            db.executemany("DELETE FROM seeds WHERE path = ?", gone)
            db.executemany("DELETE FROM entries WHERE path = ?", [*gone, *((p,) for p in dropped)])
            db.executemany(f"INSERT OR REPLACE INTO seeds VALUES ({','.join('?' * 13)})", changed)
            db.executemany(
                "DELETE FROM aggregates WHERE exporter = ?",
                [(name,) for name in sorted(old.aggregates.keys() - new.aggregates.keys())],
            )
            db.executemany(
                "INSERT OR REPLACE INTO aggregates VALUES (?, ?, ?, ?, ?, ?)", aggregates
            )
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", made)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """Make a large structure that lives as long as the run (the state, its records): the
    cyclic collector would walk its hundreds of thousands of objects again and again as they
    are made, and they hold no cycles to collect. Made, they are set apart from what it walks
    (``gc.freeze``) until the export ends (see :func:`pipeline.engine.few_collections`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _changed_seeds(old: State, new: State) -> list[tuple[Any, ...]]:
    """The rows of the seeds whose records differ from the last run's."""
    return [
        _seed_row(path, record)
        for path, record in sorted(new.seeds.items())
        if (last := old.seeds.get(path)) is not record and last != record
    ]


def _changed_aggregates(old: State, new: State) -> list[tuple[str, ...]]:
    """The rows of the aggregates whose records differ from the last run's."""
    return [
        (name, a.fingerprint, a.inputs, _dumps(a.files), _dumps(a.diagnostics), a.entries)
        for name, a in sorted(new.aggregates.items())
        if old.aggregates.get(name) != a
    ]


def remove_legacy_state(out: Path, state: Path) -> Diagnostic | None:
    """Remove the state an earlier version kept inside the output folder (``.pipeline/``,
    with pickled caches that are never read), and say so."""
    legacy = out / LEGACY_DIR
    if not legacy.is_dir() or legacy.is_symlink():
        return None
    shutil.rmtree(legacy, ignore_errors=True)
    return Diagnostic(
        legacy.as_posix(),
        0,
        Level.NOTE,
        "removed the build state an earlier version kept in the output folder; it is now kept "
        f"in {state}",
    )
