"""Settings: a bad value is reported with the option, variable or file key it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import SettingsError, load_settings, parse_bleed_mm


@pytest.fixture
def project(tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding ``seeds/`` and no settings file, as the current folder."""
    monkeypatch.chdir(tmp_path)
    for name in ("PAGE_SIZE", "LAYOUT", "BLEED_MM", "STRICT", "MAX_LINE_CHARS"):
        monkeypatch.delenv(f"PIPELINE_{name}", raising=False)
    return tmp_path


def _export(runner: CliRunner, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "-f", "json", "--out", "out", *options])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_a_bad_option_is_named_with_the_allowed_values(runner: CliRunner, project: Path) -> None:
    code, stderr = _export(runner, "--page-size", "b5")
    assert code == 2
    assert stderr == "error: --page-size: 'b5' is not one of a4, letter, a5\n"
    assert not (project / "out").exists()


def test_a_bad_environment_variable_is_named(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_PAGE_SIZE", "b5")
    code, stderr = _export(runner)
    assert (code, stderr) == (2, "error: PIPELINE_PAGE_SIZE: 'b5' is not one of a4, letter, a5\n")


def test_a_bad_key_in_pipeline_toml_is_named(runner: CliRunner, project: Path) -> None:
    (project / "pipeline.toml").write_text('page_size = "b5"\n', "utf-8")
    code, stderr = _export(runner)
    assert (code, stderr) == (
        2,
        "error: pipeline.toml: page_size: 'b5' is not one of a4, letter, a5\n",
    )


def test_a_bad_key_in_pyproject_is_named(runner: CliRunner, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.pipeline]\nlayout = "3up"\n', "utf-8")
    code, stderr = _export(runner)
    assert code == 2
    assert stderr == "error: pyproject.toml [tool.pipeline] layout: '3up' is not one of 1up, 2up\n"


def test_the_option_wins_over_a_bad_file_value(runner: CliRunner, project: Path) -> None:
    (project / "pipeline.toml").write_text('page_size = "b5"\n', "utf-8")
    code, stderr = _export(runner, "--page-size", "letter")
    assert code == 0, stderr


def test_a_layout_that_does_not_fit_the_page_names_both_sources(
    runner: CliRunner, project: Path
) -> None:
    (project / "pipeline.toml").write_text('page_size = "a5"\n', "utf-8")
    code, stderr = _export(runner, "--layout", "2up")
    assert code == 2
    assert stderr.startswith(
        "error: --layout and pipeline.toml: page_size: layout 2up needs page size a4 or letter"
    )


def test_every_problem_gets_its_own_line(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pipeline.toml").write_text("max_line_chars = 0\nstrict = 'maybe'\n", "utf-8")
    monkeypatch.setenv("PIPELINE_LAYOUT", "4up")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: pipeline.toml: max_line_chars: must be more than 0, not 0",
        "error: PIPELINE_LAYOUT: '4up' is not one of 1up, 2up",
        "error: pipeline.toml: strict: 'maybe' is not true or false",
    ]


def test_an_unknown_file_key_suggests_the_setting_and_lists_them(
    runner: CliRunner, project: Path
) -> None:
    (project / "pipeline.toml").write_text('pagesize = "a5"\n', "utf-8")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: pipeline.toml: pagesize: not a setting; did you mean 'page_size'? "
        "(the settings: max_seed_bytes, max_line_chars,"
    )
    assert (
        "bleed_mm, log_cells, default_lang, labels, exercise_plan, detect_language, brand, "
        "strict, state_dir)" in result.stderr
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("-3mm", "error: --bleed: the bleed cannot be negative\n"),
        ("11mm", "error: --bleed: the bleed is at most 10mm, not 11mm\n"),
        ("3 inches", "error: --bleed: '3 inches' is not a length; give millimetres, e.g. 3mm\n"),
    ],
)
def test_a_bad_bleed_option_says_what_is_wrong(
    runner: CliRunner, project: Path, given: str, message: str
) -> None:
    assert _export(runner, f"--bleed={given}") == (2, message)


def test_the_bleed_variable_and_file_key_are_checked_alike(
    runner: CliRunner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_BLEED_MM", "-3mm")
    assert _export(runner) == (2, "error: PIPELINE_BLEED_MM: the bleed cannot be negative\n")
    monkeypatch.delenv("PIPELINE_BLEED_MM")
    (project / "pipeline.toml").write_text("bleed_mm = -3\n", "utf-8")
    assert _export(runner) == (2, "error: pipeline.toml: bleed_mm: the bleed cannot be negative\n")


@pytest.mark.parametrize(
    ("given", "millimetres"), [("3", 3.0), ("3mm", 3.0), ("3.5 mm", 3.5), (" 0MM ", 0.0), (2, 2.0)]
)
def test_bleed_accepts_millimetres_with_or_without_the_unit(
    given: str | int, millimetres: float, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parse_bleed_mm(given) == millimetres
    monkeypatch.setenv("PIPELINE_BLEED_MM", str(given))
    assert load_settings().bleed_mm == millimetres


@pytest.mark.parametrize("given", [True, "nan", float("inf"), "3,5mm", ""])
def test_bleed_refuses_what_is_not_a_length(given: object) -> None:
    with pytest.raises(ValueError, match="is not a length"):
        parse_bleed_mm(given)


def test_library_callers_get_every_problem(project: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(project, page_size="b5", bleed_mm="-1")
    assert raised.value.problems == [
        "--page-size: 'b5' is not one of a4, letter, a5",
        "--bleed-mm: the bleed cannot be negative",
    ]


def test_a_pyproject_whose_tool_pipeline_is_not_a_table_is_an_error(
    runner: CliRunner, project: Path
) -> None:
    (project / "pyproject.toml").write_text("[tool]\npipeline = 3\n", "utf-8")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert result.stderr == "error: pyproject.toml: tool.pipeline is not a table\n"
