"""The training prescription: sets, reps, rest, tempo and machine settings, from the
frontmatter to the card, the page and the catalogue."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.engine import export
from pipeline.i18n.labels import labels_for
from pipeline.parser import parse_seed
from pipeline.prescription import (
    parse_reps,
    parse_rest,
    parse_tempo,
    rest_text,
)

SETTINGS = Settings(base_url="https://example.org/")


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("90 s", 90),
        ("45 sec", 45),
        ("2 min", 120),
        ("2min", 120),
        ("1:30", 90),
        ("1 min 30 s", 90),
        ("3 minutes", 180),
    ],
)
def test_rest_is_read_as_people_write_it(written: str, seconds: int) -> None:
    assert parse_rest(written) == seconds


@pytest.mark.parametrize("written", ["soon", "0", "90 h", "1:75", "61 min", "-5"])
def test_a_rest_that_is_not_a_time_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="rest"):
        parse_rest(written)


@given(st.integers(1, 3600))
def test_the_rest_shown_reads_back_as_the_same_seconds(seconds: int) -> None:
    # What the card prints is itself a rest the seed could give.
    assert parse_rest(rest_text(seconds, labels_for("en"))) == seconds


def test_reps_and_tempo_forms() -> None:
    assert parse_reps("10") == (10, 10)
    assert parse_reps("8-12") == (8, 12)
    assert parse_reps("8\u201312") == (8, 12)
    assert parse_reps("8 to 12") == (8, 12)
    assert parse_tempo("3-1-1-0") == "3-1-1-0"
    assert parse_tempo("31x0") == "3-1-X-0"
    with pytest.raises(ValueError, match="goes down"):
        parse_reps("12-8")
    with pytest.raises(ValueError, match="not a tempo"):
        parse_tempo("slow")


def test_the_prescription_is_in_the_model(leg_curl: Callable[..., Path]) -> None:
    path = leg_curl(
        "sets: 3\nreps: 10-12\nrest: 90s\ntempo: 2-1-1-1\n"
        "settings: {pad: just above the heels, seat: 4}"
    )
    result = parse_seed(path)
    assert result.exercise is not None
    plan = result.exercise.prescription
    assert plan is not None
    assert (plan.sets, plan.reps_min, plan.reps_max, plan.rest_seconds, plan.tempo) == (
        3,
        10,
        12,
        90,
        "2-1-1-1",
    )
    assert [(s.name, s.value) for s in plan.settings] == [
        ("pad", "just above the heels"),
        ("seat", "4"),
    ]


def test_a_seed_without_one_has_none(leg_curl: Callable[..., Path]) -> None:
    result = parse_seed(leg_curl("level: beginner"))
    assert result.exercise is not None and result.exercise.prescription is None


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("sets: 0", 3, "sets: '0' is not a number of sets from 1 to 20"),
        ("reps: 12-8", 3, "reps: '12-8' goes down (the fewer first: 8-12)"),
        ("level: beginner\nrest: later", 4, "rest: 'later' is not a rest time"),
        ("tempo: slowly", 3, "tempo: 'slowly' is not a tempo"),
        ("settings: [seat]", 3, "settings: "),
        ("settings: {seat: ''}", 3, "the setting 'seat' has no value"),
    ],
)
def test_a_wrong_value_is_an_error_at_its_line(
    leg_curl: Callable[..., Path], extra: str, line: int, message: str
) -> None:
    path = leg_curl(extra)
    result = parse_seed(path)
    assert result.exercise is None
    errors = [d for d in result.diagnostics if d.level.value == "error"]
    assert errors and errors[0].line == line and message in errors[0].message, errors


def _export(seeds: Path, out: Path) -> None:
    report = export([seeds], out, SETTINGS, jobs=1)
    assert report.errors == 0


def test_the_card_the_page_and_the_catalogue_show_it(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    path = leg_curl("sets: 3\nreps: 10-12\nrest: 2:30\ntempo: 31X0\nsettings: {seat: 4}")
    out = tmp_path / "out"
    _export(path.parent, out)
    card = " ".join(p.extract_text() for p in PdfReader(out / "cards" / "leg-curl.pdf").pages)
    flat = " ".join(card.replace("\u00a0", " ").split())
    assert "3 sets \u00b7 10\u201312 reps \u00b7 Rest 2 min 30 s \u00b7 Tempo 3-1-X-0" in flat
    assert "Seat: 4" in flat
    page = (out / "html" / "leg-curl" / "index.html").read_text("utf-8")
    assert '<h2 id="workout">Workout</h2>' in page
    assert "<li>10\u201312 reps</li>" in page and "<dt>Seat</dt><dd>4</dd>" in page
    db = sqlite3.connect(out / "catalogue.sqlite")
    assert db.execute(
        "SELECT sets, reps_min, reps_max, rest_seconds, tempo FROM exercises"
    ).fetchall() == [(3, 10, 12, 150, "3-1-X-0")]
    assert db.execute("SELECT position, name, value FROM exercise_settings").fetchall() == [
        (1, "seat", "4")
    ]


def test_german_and_russian_cards_say_it_in_their_words(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    leg_curl("sets: 4\nreps: 6-8\nrest: 90s", name="beinbeuger.de.md")
    leg_curl("sets: 5\nreps: 5\nrest: 3 min", name="sgibaniya.ru.md")
    out = tmp_path / "out"
    _export(tmp_path / "seeds", out)

    def text(pdf: Path) -> str:
        pages = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
        return " ".join(pages.replace("\u00a0", " ").split())

    assert "4 Sätze \u00b7 6\u20138 Wiederholungen \u00b7 Pause 90 s" in text(
        out / "cards" / "de" / "beinbeuger.pdf"
    )
    assert "5 подходов \u00b7 5 повторений \u00b7 Отдых 3 мин" in text(
        out / "cards" / "ru" / "sgibaniya.pdf"
    )


def test_show_lists_the_workout_and_the_settings(
    leg_curl: Callable[..., Path], tmp_path: Path
) -> None:
    path = leg_curl("sets: 3\nreps: 8-12\nrest: 2 min\nsettings: {seat: 4, pad: above the heels}")
    out = tmp_path / "out"
    _export(path.parent, out)
    db = str(out / "catalogue.sqlite")
    result = CliRunner().invoke(app, ["show", "leg-curl", "--db", db])
    assert result.exit_code == 0, result.output
    assert "Workout: 3 sets \u00b7 8\u201312 reps \u00b7 Rest 2 min" in result.output
    assert "Settings: seat: 4 \u00b7 pad: above the heels" in result.output
    shown = json.loads(CliRunner().invoke(app, ["show", "leg-curl", "--db", db, "--json"]).output)
    assert shown["settings"] == [["seat", "4"], ["pad", "above the heels"]]
    assert (shown["sets"], shown["reps_min"], shown["reps_max"]) == (3, 8, 12)
