"""Blank log rows at a card's foot (``--log-cells N``): members write a date and, per set, the
weight and the reps they did."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline.cards import render_card
from pipeline.cli import app
from pipeline.config import Settings
from tests.conftest import SHIPPED_SEED, exercise_of

CARDS = Path(__file__).parent / "fixtures" / "cards"

WriteSeed = Callable[[str, str], Path]


def _short(write_seed: WriteSeed, front: str = "", name: str = "short-en.md") -> Path:
    text = (CARDS / name).read_text("utf-8")
    return write_seed(name, text.replace("---\n", f"---\n{front}", 1) if front else text)


def _grid_rules(page: Any) -> list[Any]:
    """The log's horizontal rules: across the content width, in the grid's 0.75 pt (the
    footer's and the headings' rules are thinner)."""
    return [
        ln
        for ln in page.lines
        if ln["width"] > page.width * 0.6
        and ln["height"] < 0.1
        and ln["linewidth"] == pytest.approx(0.75)
    ]


def _words(pdf: bytes, page: int = -1) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return " ".join((document.pages[page].extract_text() or "").split())


@pytest.mark.parametrize("rows", [1, 6, 12])
def test_a_short_card_gets_its_rows_under_a_date_and_three_set_columns(
    write_seed: WriteSeed, rows: int
) -> None:
    card = render_card(exercise_of(_short(write_seed)), Settings(log_cells=rows))
    assert card.pages == 1 and card.warnings == []
    text = _words(card.pdf)
    assert "TRAINING LOG" in text and "Date Set 1 Set 2 Set 3" in text
    assert "Set 4" not in text
    with pdfplumber.open(io.BytesIO(card.pdf)) as document:
        page = document.pages[0]
        # A rule above each row and one under the last.
        assert len(_grid_rules(page)) == rows + 1
        tops = sorted(ln["top"] for ln in _grid_rules(page))
        # Cells a pen can write in: at least 7 mm a row.
        assert min(b - a for a, b in itertools.pairwise(tops)) >= 7 * 72 / 25.4 - 0.01


@pytest.mark.parametrize(("sets", "columns"), [("2", 2), ("4", 4), ("10", 6)])
def test_the_seed_s_sets_give_the_columns_six_at_most(
    write_seed: WriteSeed, sets: str, columns: int
) -> None:
    seed = _short(write_seed, f"sets: {sets}\n")
    text = _words(render_card(exercise_of(seed), Settings(log_cells=4)).pdf)
    assert f"Set {columns}" in text and f"Set {columns + 1}" not in text


def test_a_card_too_full_for_its_log_keeps_its_text_size_and_logs_on_a_page_of_its_own() -> None:
    shipped = exercise_of(SHIPPED_SEED)
    bare = render_card(shipped, Settings())
    logged = render_card(shipped, Settings(log_cells=6))
    # No warning: the text is set as without the log, which follows on its own page.
    assert logged.warnings == [] and logged.pages == bare.pages + 1
    assert logged.body_size == bare.body_size
    assert "TRAINING LOG" not in _words(logged.pdf, 0)
    last = _words(logged.pdf)
    assert "(continued)" in last and "TRAINING LOG" in last and "Set 3" in last
    with pdfplumber.open(io.BytesIO(logged.pdf)) as document:
        assert len(_grid_rules(document.pages[-1])) == 7


def test_german_and_russian_logs_say_it_in_their_words(write_seed: WriteSeed) -> None:
    german = render_card(exercise_of(_short(write_seed, name="short-de.md")), Settings(log_cells=3))
    assert "TRAININGSPROTOKOLL" in _words(german.pdf) and "Datum Satz 1" in _words(german.pdf)
    russian_seed = _short(write_seed, name="short-ru.md")
    russian = render_card(exercise_of(russian_seed), Settings(log_cells=3))
    assert "ДНЕВНИК ТРЕНИРОВОК" in _words(russian.pdf)
    assert "Дата Подход 1 Подход 2" in _words(russian.pdf)


def test_the_same_seed_and_rows_give_the_same_bytes(write_seed: WriteSeed) -> None:
    exercise = exercise_of(_short(write_seed))
    assert render_card(exercise, Settings(log_cells=5)).pdf == (
        render_card(exercise, Settings(log_cells=5)).pdf
    )


def test_export_log_cells_rebuilds_the_cards_only(
    runner: CliRunner, write_seed: WriteSeed, tmp_path: Path
) -> None:
    seed = _short(write_seed)
    out = tmp_path / "out"
    first = runner.invoke(app, ["export", str(seed), "-o", str(out), "-q"])
    assert first.exit_code == 0, first.output
    page = (out / "html" / "short-en" / "index.html").stat().st_mtime_ns
    again = runner.invoke(app, ["export", str(seed), "-o", str(out), "-q", "--log-cells", "4"])
    assert again.exit_code == 0, again.output
    assert len(_grid_rules(pdfplumber.open(out / "cards" / "short-en.pdf").pages[0])) == 5
    assert "TRAINING LOG" in " ".join(p.extract_text() for p in PdfReader(out / "cards.pdf").pages)
    assert (out / "html" / "short-en" / "index.html").stat().st_mtime_ns == page


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--log-cells", "30"], {}, "error: --log-cells: 30: input should be less than or equal"),
        (["--log-cells", "-1"], {}, "error: --log-cells: -1: input should be greater than or"),
        ([], {"PIPELINE_LOG_CELLS": "many"}, "error: PIPELINE_LOG_CELLS"),
    ],
)
def test_a_wrong_number_of_rows_is_a_clear_error_before_anything_is_written(
    runner: CliRunner,
    write_seed: WriteSeed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seed = _short(write_seed)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(seed), "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
