"""`pipeline new`: a seed skeleton in the seed's language that `pipeline check` names every
blank of, at its line, and accepts once they are filled; never over an existing file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.diagnostics import Level
from pipeline.discover import read_seeds
from pipeline.i18n.headings import canonical
from pipeline.model import SectionKind
from pipeline.scaffold import skeleton

TITLES = {
    "en": "Barbell Back Squat",
    "de": "Kniebeuge mit Langhantel",
    "ru": "Приседания со штангой",
}


def _filled(text: str) -> str:
    text = text.replace(
        'description: ""', 'description: "Squat down with a bar on your back, then stand."'
    )
    text = text.replace("\n1. \n", "\n1. Stand under the bar and lift it off the rack.\n")
    text = text.replace("\n- \n", "\n- Keep your chest up.\n")
    return text.replace("\n### \n", "\n### Squat down\n\nBend your knees and hips together.\n")


@pytest.mark.parametrize("lang", TITLES)
def test_check_names_each_blank_and_accepts_the_seed_once_they_are_filled(
    lang: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = ["new", TITLES[lang], "--out", str(tmp_path)] + (
        ["--lang", lang] if lang != "en" else []
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.md")
    assert path.name.endswith(".md" if lang == "en" else f".{lang}.md")
    assert result.output.startswith(f"wrote {path}: ")
    text = path.read_text("utf-8")
    for kind in (SectionKind.SETUP, SectionKind.EXECUTION, SectionKind.TIPS, SectionKind.MISTAKES):
        assert f"\n## {canonical(kind, lang)}\n" in text
    assert "<!-- howto -->" in text
    seeds = read_seeds([path], Settings())
    errors = [d for d in seeds.diagnostics if d.level is Level.ERROR]
    lines = text.splitlines()
    assert [lines[d.line - 1] for d in errors] == [
        'description: ""',
        f"## {canonical(SectionKind.EXECUTION, lang)}",
        "### ",
    ]
    path.write_text(_filled(text), "utf-8")
    filled = read_seeds([path], Settings())
    assert filled.diagnostics == []
    (exercise,) = filled.exercises
    assert exercise.title == TITLES[lang] and exercise.lang == lang


def test_an_existing_seed_is_never_overwritten(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["new", "Leg Curl", "--out", str(tmp_path)])
    assert first.exit_code == 0
    path = tmp_path / "leg-curl.md"
    path.write_text("mine", "utf-8")
    again = runner.invoke(app, ["new", "Leg Curl", "--out", str(tmp_path)])
    assert again.exit_code == 1
    assert f"error: {path} exists already" in again.output
    assert path.read_text("utf-8") == "mine"


def test_a_title_with_nothing_to_name_a_file_by_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["new", "!!!", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "the title '!!!' has no letter or digit" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_title_is_kept_as_written() -> None:
    assert 'title: "Curl \\"21s\\" für Anfänger"' in skeleton('Curl "21s" für Anfänger', "de")
