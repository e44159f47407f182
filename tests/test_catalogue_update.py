"""The catalogue updated for the seeds that changed is the file a build from nothing writes."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import build_corpus
from pipeline.catalogue import update
from pipeline.catalogue.build import CatalogueEntry, _search_row, build_catalogue, catalogue_entry
from pipeline.config import Settings
from pipeline.engine import export
from tests.conftest import exercise_of

SETTINGS = Settings(base_url="https://example.org/")
Edit = Callable[[CatalogueEntry], CatalogueEntry]


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[CatalogueEntry]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = build_corpus(40, folder, random_seed=11, languages=("en", "de", "ru"))
    return sorted(
        (catalogue_entry(exercise_of(path)) for path in paths), key=lambda e: (e.slug, e.lang)
    )


@pytest.fixture
def updates(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[int]]:
    """The changed exercises of each update the build made (none when it built whole)."""
    made: list[Sequence[int]] = []
    original = update.update_rows

    def spied(db: sqlite3.Connection, changed: Sequence[int], *rest: object) -> None:
        made.append(list(changed))
        original(db, changed, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(update, "update_rows", spied)
    return made


def _changed(entry: CatalogueEntry, **values: object) -> CatalogueEntry:
    # A new content hash, as an edited seed has, and its texts as the index reads them.
    e = dataclasses.replace(entry, source_sha256="0" * 64, **values)  # type: ignore[arg-type]
    texts = (e.title, e.description, ", ".join(e.aliases), e.body)
    return dataclasses.replace(e, search=_search_row(texts, e.lang))


def _add_step(e: CatalogueEntry) -> CatalogueEntry:
    moved = tuple((s, p + 1 if s == "execution" else p, lb, t) for s, p, lb, t in e.steps)
    return _changed(e, steps=(("execution", 1, None, "Brace first."), *moved))


EDITS: dict[str, Edit] = {
    "a step more": _add_step,
    "a tip less": lambda e: _changed(e, notes=e.notes[1:]),
    "a new description": lambda e: _changed(e, description=e.description + " Slowly."),
    "an alias more": lambda e: _changed(e, aliases=(*e.aliases, "Another name")),
    "no how-to": lambda e: _changed(e, howto=()),
    "a muscle less": lambda e: _changed(e, muscles=e.muscles[1:]),
    "the same text, a new hash": lambda e: _changed(e),
}


class _Counted(Sequence[CatalogueEntry]):
    """Entries that count how often they are read, as the engine's are read when used."""

    def __init__(self, entries: Sequence[CatalogueEntry]) -> None:
        self.entries = entries
        self.reads = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int | slice) -> Any:
        self.reads += 1
        return self.entries[index]


def _files(
    folder: Path, old: Sequence[CatalogueEntry], new: Sequence[CatalogueEntry]
) -> Iterator[bytes]:
    """The bytes of ``new``'s catalogue built whole, then updated from ``old``'s, then
    updated from ``old``'s given only the entries that changed (and the others unread, when
    the update is made from those alone)."""
    names = ("before", "built", "updated", "patched")
    before, built, updated, patched = (folder / name for name in names)
    for path in (before, built, updated, patched):
        path.unlink(missing_ok=True)
        path.touch()
    build_catalogue(before, old)
    build_catalogue(built, new)
    build_catalogue(updated, new, before)
    yield built.read_bytes()
    yield updated.read_bytes()
    changes = [(o, n) for o, n in zip(old, new, strict=False) if o != n]
    given = _Counted(new)
    build_catalogue(patched, given, before, changes if len(old) == len(new) else None)
    yield patched.read_bytes()
    yield bytes([given.reads > 0])


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_an_edited_exercise_is_updated_to_the_bytes_of_a_build(
    tmp_path: Path, entries: list[CatalogueEntry], updates: list[Sequence[int]], edit: str
) -> None:
    new = list(entries)
    new[len(new) // 2] = EDITS[edit](new[len(new) // 2])
    built, updated, patched, read = _files(tmp_path, entries, new)
    assert updates[0] == [len(new) // 2 + 1], "the catalogue was built whole, not updated"
    assert updated == built
    assert patched == built
    # Made from the changed entry alone, unless it changes a lookup table (a muscle less).
    assert read == bytes([edit == "a muscle less"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_few_edits_anywhere_give_the_bytes_of_a_build(
    tmp_path: Path, entries: list[CatalogueEntry], data: st.DataObject
) -> None:
    new = list(entries)
    places = data.draw(st.sets(st.integers(0, len(new) - 1), min_size=1, max_size=4))
    for place in places:
        new[place] = EDITS[data.draw(st.sampled_from(sorted(EDITS)))](new[place])
    built, updated, patched, _ = _files(tmp_path, entries, new)
    assert updated == built
    assert patched == built


def test_other_exercises_or_lookups_are_built_whole(
    tmp_path: Path, entries: list[CatalogueEntry], updates: list[Sequence[int]]
) -> None:
    one_more = [*entries, dataclasses.replace(entries[0], slug="zz-new", source_path="zz.md")]
    renamed = [dataclasses.replace(entries[0], source_path="moved.md"), *entries[1:]]
    new_muscle = [_changed(entries[0], muscles=("a muscle no one trains",)), *entries[1:]]
    for new in (one_more, entries[1:], new_muscle):
        built, updated, patched, _ = _files(tmp_path, entries, new)
        assert updated == built and patched == built
    assert updates == []
    # A moved seed is a changed one: its path is a column, and so may be its title.
    built, updated, patched, read = _files(tmp_path, entries, renamed)
    assert updates == [[1], [1]] and updated == built and patched == built
    assert read == b"\x01"  # the path is where an exercise is found, so all are read


def test_too_many_changes_are_built_whole(
    tmp_path: Path, entries: list[CatalogueEntry], updates: list[Sequence[int]]
) -> None:
    new = [_add_step(e) if n % 3 == 0 else e for n, e in enumerate(entries)]
    built, updated, patched, _ = _files(tmp_path, entries, new)
    assert updates == [] and updated == built and patched == built


@pytest.mark.parametrize("old", [b"", b"not a database at all" * 100, "another"])
def test_an_old_file_that_is_not_our_catalogue_is_not_read(
    tmp_path: Path, entries: list[CatalogueEntry], updates: list[Sequence[int]], old: object
) -> None:
    previous = tmp_path / "previous"
    if old == "another":
        db = sqlite3.connect(previous)
        db.execute("CREATE TABLE exercises (id INTEGER PRIMARY KEY, slug TEXT)")
        db.commit()
        db.close()
    else:
        previous.write_bytes(old)  # type: ignore[arg-type]
    built, updated = tmp_path / "built", tmp_path / "updated"
    built.touch()
    updated.touch()
    build_catalogue(built, entries)
    build_catalogue(updated, entries, previous)
    assert updates == [] and updated.read_bytes() == built.read_bytes()


def _one_seed_folder(tmp_path: Path) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    build_corpus(30, seeds, random_seed=5)
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    return seeds, out


def _edit_one(seeds: Path) -> None:
    seed = sorted(seeds.glob("*.md"))[7]
    seed.write_text(seed.read_text("utf-8").replace("## Execution\n", "## Execution\n1. Brace.\n"))


def test_an_export_updates_the_catalogue_for_a_one_seed_change(
    tmp_path: Path, updates: list[Sequence[int]]
) -> None:
    seeds, out = _one_seed_folder(tmp_path)
    _edit_one(seeds)
    export([seeds], out, SETTINGS, jobs=1)
    assert len(updates) == 1 and len(updates[0]) == 1
    fresh = tmp_path / "fresh"
    export([seeds], fresh, SETTINGS, jobs=1)
    assert (out / "catalogue.sqlite").read_bytes() == (fresh / "catalogue.sqlite").read_bytes()


def test_force_and_other_settings_build_the_catalogue_whole(
    tmp_path: Path, updates: list[Sequence[int]]
) -> None:
    seeds, out = _one_seed_folder(tmp_path)
    _edit_one(seeds)
    export([seeds], out, SETTINGS, jobs=1, force=True)
    # The seeds read another way (their language by default): every entry may differ.
    _edit_one(seeds)
    export([seeds], out, Settings(base_url="https://example.org/", default_lang="de"), jobs=1)
    assert updates == []
