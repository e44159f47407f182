"""The build state: kept beside the output folder, data that is checked and never run, and
changed row by row."""

from __future__ import annotations

import os
import pickle
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.corpus import build_corpus
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.diagnostics import Level, PipelineError
from pipeline.engine import export
from pipeline.state import (
    LEGACY_DIR,
    STATE_DIR,
    STATE_FILE,
    StateStore,
    state_folder,
)
from pipeline.writer import TEMP_SUFFIX
from tests.test_engine import snapshot

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(ROOT)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    build_corpus(6, folder, random_seed=3)
    return folder


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean") / "out"
    assert export([corpus], out, SETTINGS, jobs=1).errors == 0
    return snapshot(out)


class Boom:
    """Unpickling this runs a shell command that leaves a file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_the_output_folder_holds_only_outputs(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    export([corpus], out, SETTINGS, jobs=2)
    top = sorted(p.name for p in out.iterdir())
    assert top == ["cards", "cards.pdf", "catalogue.sqlite", "html", "json", "jsonld"]
    assert not list(out.rglob(".*"))
    state = tmp_path / STATE_DIR / "outputs"
    assert state == state_folder(out)
    assert sorted(p.name for p in state.iterdir()) == ["lock", STATE_FILE]


def test_a_tampered_state_cannot_run_code_and_is_rebuilt(
    corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    marker = tmp_path / "ran"
    payload = pickle.dumps(Boom(marker))
    with sqlite3.connect(state_folder(out) / STATE_FILE) as db:
        db.execute("UPDATE entries SET data = ?", (payload,))
        db.execute("UPDATE seeds SET outputs = ?", (payload.decode("latin-1"),))
        db.execute("UPDATE meta SET value = ?", (payload.decode("latin-1"),))
    # And the pickles an earlier version kept inside the output folder.
    legacy = out / LEGACY_DIR / "digests"
    legacy.mkdir(parents=True)
    (legacy / "pdf.pickle").write_bytes(payload)

    report = export([corpus], out, SETTINGS, jobs=2)
    assert not marker.exists()
    assert report.errors == 0
    assert snapshot(out) == clean
    notes = [d.message for d in report.diagnostics if d.level is Level.NOTE]
    assert any("the build state cannot be used" in n for n in notes)
    assert any("removed the build state an earlier version kept" in n for n in notes)
    assert not (out / LEGACY_DIR).exists()
    # The next run trusts the rebuilt state: nothing to do.
    again = export([corpus], out, SETTINGS, jobs=2)
    assert again.parsed == 0 and again.written == []


def test_entries_that_cannot_be_read_are_made_again(
    corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    with sqlite3.connect(state_folder(out) / STATE_FILE) as db:
        db.execute("UPDATE entries SET data = CAST('[1, 2' AS BLOB) WHERE exporter = 'html'")
        db.execute(
            "UPDATE entries SET data = CAST('{\"slug\": 1}' AS BLOB) WHERE exporter = 'sqlite'"
        )
    (out / "catalogue.sqlite").unlink()
    (out / "html" / "index.html").unlink()
    report = export([corpus], out, SETTINGS, jobs=2)
    assert report.errors == 0
    assert report.parsed == 6
    assert snapshot(out) == clean
    notes = [d.message for d in report.diagnostics if d.level is Level.NOTE]
    assert "html: 6 stored entries cannot be read; they are made again" in notes
    assert "sqlite: 6 stored entries cannot be read; they are made again" in notes


def test_entries_whose_bytes_are_not_those_their_hash_names_are_made_again(
    corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    """An entry that reads well but is another's (a state edited by hand, a copy gone wrong)
    is not used: its stored hash says which bytes it was."""
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    with sqlite3.connect(state_folder(out) / STATE_FILE) as db:
        rows = db.execute("SELECT path, data FROM entries WHERE exporter = 'sqlite'").fetchall()
        (first, _), (_, other) = rows[0], rows[1]
        db.execute(
            "UPDATE entries SET data = ? WHERE exporter = 'sqlite' AND path = ?", (other, first)
        )
    (out / "catalogue.sqlite").unlink()
    report = export([corpus], out, SETTINGS, jobs=2)
    assert report.errors == 0 and report.parsed == 1
    assert snapshot(out) == clean
    notes = [d.message for d in report.diagnostics if d.level is Level.NOTE]
    assert "sqlite: 1 stored entries cannot be read; they are made again" in notes


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda db: db.write_bytes(b"not a database at all" * 100), id="garbage"),
        pytest.param(
            lambda db: sqlite3.connect(db).execute("PRAGMA user_version = 99").connection.commit(),
            id="another-version",
        ),
        pytest.param(
            lambda db: sqlite3.connect(db).execute("PRAGMA application_id = 7").connection.commit(),
            id="not-ours",
        ),
        pytest.param(
            lambda db: sqlite3.connect(db).execute("DROP TABLE seeds").connection.commit(),
            id="a-table-missing",
        ),
    ],
)
def test_an_unusable_state_is_set_aside_with_a_note(
    damage: object, corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    database = state_folder(out) / STATE_FILE
    damage(database)  # type: ignore[operator]
    report = export([corpus], out, SETTINGS, jobs=1)
    assert report.errors == 0
    assert snapshot(out) == clean
    notes = [d for d in report.diagnostics if "the build state cannot be used" in d.message]
    assert len(notes) == 1 and notes[0].path == database.as_posix()
    assert (database.parent / f"{STATE_FILE}.unusable").exists()
    assert export([corpus], out, SETTINGS, jobs=1).parsed == 0


def test_a_one_seed_change_rewrites_only_that_seeds_rows(corpus: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in sorted(corpus.glob("*.md")):
        (seeds / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    export([seeds], out, SETTINGS, jobs=1)
    with StateStore(state_folder(out)) as store:
        before = store.rows()
    changed = sorted(seeds.glob("*.md"))[0]
    changed.write_text(changed.read_text("utf-8").replace("\n## ", "\nMore words.\n\n## ", 1))
    export([seeds], out, SETTINGS, jobs=1)
    with StateStore(state_folder(out)) as store:
        after = store.rows()
    differ = [b[0] for b, a in zip(before["seeds"], after["seeds"], strict=True) if a != b]
    assert differ == [changed.as_posix()]
    entries = [b[:2] for b, a in zip(before["entries"], after["entries"], strict=True) if a != b]
    assert entries == [(name, changed.as_posix()) for name in ("html", "pdf", "sqlite")]


def _without_timings(report: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in report.items() if k != "seconds"}


def test_a_run_with_nothing_to_do_reports_what_the_full_run_would(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in sorted(corpus.glob("*.md")):
        (seeds / seed.name).write_bytes(seed.read_bytes())
    first = sorted(seeds.glob("*.md"))
    first[0].write_text(first[0].read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1))
    first[1].write_text("---\ntitle: Broken\n---\nno sections\n", "utf-8")
    out = tmp_path / "out"
    built = export([seeds], out, SETTINGS, jobs=2)
    assert built.failed and built.drafts and built.diagnostics

    with monkeypatch.context() as patch:
        patch.setattr(StateStore, "load", None)  # not needed: the quick view tells
        quick = export([seeds], out, SETTINGS, jobs=2)
    monkeypatch.setattr("pipeline.engine._unchanged", lambda *args: None)
    full = export([seeds], out, SETTINGS, jobs=2)
    assert "read" in full.phases and full.parsed == 0
    assert _without_timings(quick.as_dict()) == _without_timings(full.as_dict())
    assert quick.drafts == [first[0].as_posix()]
    assert first[1].as_posix() in quick.failed

    # A published seed made a draft: this run removes its outputs, the next says it is held.
    first[2].write_text(first[2].read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1))
    removing = export([seeds], out, SETTINGS, jobs=2)
    assert any("its earlier outputs are removed" in d.message for d in removing.diagnostics)
    full = export([seeds], out, SETTINGS, jobs=2)
    monkeypatch.undo()
    monkeypatch.setattr(StateStore, "load", None)
    quick = export([seeds], out, SETTINGS, jobs=2)
    assert _without_timings(quick.as_dict()) == _without_timings(full.as_dict())
    assert not any("its earlier outputs are removed" in d.message for d in quick.diagnostics)


def test_a_run_with_something_to_retry_or_to_restore_is_not_taken_for_nothing(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    (out / "cards.pdf").unlink()
    restored = export([corpus], out, SETTINGS, jobs=1)
    assert restored.written == ["cards.pdf"]
    # A different way of running them: other settings, or drafts published.
    other = export([corpus], out, load_settings(ROOT, page_size="letter"), jobs=1)
    assert other.parsed == 6
    assert export([corpus], out, load_settings(ROOT, page_size="letter"), jobs=1).written == []


def test_the_state_can_be_kept_elsewhere_but_not_in_the_output_folder(
    corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "site" / "outputs"
    elsewhere = tmp_path / "cache" / "state"
    settings = load_settings(ROOT, state_dir=str(elsewhere))
    export([corpus], out, settings, jobs=1)
    assert snapshot(out) == clean
    assert sorted(p.name for p in elsewhere.iterdir()) == ["lock", STATE_FILE]
    assert not (tmp_path / "site" / STATE_DIR).exists()
    assert export([corpus], out, settings, jobs=1).written == []
    inside = load_settings(ROOT, state_dir=str(out / "state"))
    with pytest.raises(PipelineError, match="is inside the output folder"):
        export([corpus], out, inside, jobs=1)


def test_the_command_line_takes_where_to_keep_the_state(
    corpus: Path, tmp_path: Path, runner: CliRunner
) -> None:
    out, cache = tmp_path / "site" / "outputs", tmp_path / "cache"
    arguments = ["export", str(corpus), "-o", str(out), "-j", "1", "--state-dir", str(cache)]
    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in cache.iterdir()) == ["lock", STATE_FILE]
    assert not (tmp_path / "site" / STATE_DIR).exists()
    again = runner.invoke(app, arguments)
    assert "0 files written" in again.output
    inside = runner.invoke(app, [*arguments[:-1], str(out / "state")])
    assert inside.exit_code == 2
    assert "is inside the output folder" in inside.output


def test_after_a_run_that_did_not_finish_the_whole_folder_is_walked_again(
    corpus: Path, clean: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export([corpus], out, SETTINGS, jobs=1)
    # What a run killed after it began leaves: the mark, and a temp file in a folder of its own.
    with StateStore(state_folder(out)) as store:
        store.set_meta("running", "1")
    (out / "pages").mkdir()
    left = out / "pages" / f".a.html.99{TEMP_SUFFIX}"
    left.write_text("half")
    report = export([corpus], out, SETTINGS, jobs=1)
    assert not left.exists()
    assert report.written == []
    assert snapshot(out) == clean
    with StateStore(state_folder(out)) as store:
        assert store.quick_view() is not None  # finished: the next no-op is quick again
