"""Help reads like click's or git's: plain names for values, defaults shown, the exporters
listed, and paragraphs that fit the terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.exporters.base import Exporter
from pipeline.registry import _EXPORTERS, RegistryError, load_exporters, register

TYPE_NAMES = re.compile(
    r"<bool>|<list\[|<int range>|<str>|<path>|<int>|<float>|<text\||\[x[<>]=?\d"
)


def _commands() -> list[list[str]]:
    group = get_command(app)
    return [[], *([name] for name in getattr(group, "commands", {}))]


def _help(*command: str, width: int = 80) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "pipeline")
@pytest.mark.parametrize("width", [80, 60])
def test_help_has_no_type_names_and_fits(command: list[str], width: int) -> None:
    shown = _help(*command, width=width)
    assert not TYPE_NAMES.search(shown), shown
    assert "╭" not in shown
    assert max(len(line) for line in shown.splitlines()) <= width, shown
    description = shown.split("\n\n")[1].strip()
    assert len(description) > 15, shown


def test_the_command_list_shows_whole_first_sentences() -> None:
    listed = _help(width=60).split("Commands:\n")[1].splitlines()
    assert listed and all(line.endswith(".") for line in listed), listed
    assert not any(line.endswith("...") for line in listed), listed


def test_docstring_paragraphs_are_rewrapped_not_hard_wrapped() -> None:
    # A paragraph of the docstring, three source lines, is one line on a wide terminal.
    paragraph = _help("check", width=200).split("\n\n")[2]
    assert paragraph.startswith("  Parses and validates every seed, prints each problem")
    assert paragraph.endswith("2 on a usage error.")
    assert "\n" not in paragraph


def test_a_real_narrow_terminal_gets_narrow_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "export", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "60"},
    )
    assert max(len(line) for line in done.stdout.splitlines()) <= 60
    assert "--page-size [a4|letter|a5]" in done.stdout


def test_export_help_shows_values_and_defaults() -> None:
    shown = _help("export", width=200)
    options = {line.split("  ")[1]: line for line in shown.splitlines() if line.startswith("  -")}
    assert {"-o, --out DIR", "-f, --format NAME", "-j, --jobs N", "--strict", "--force"} <= set(
        options
    )
    assert "[default: a4]" in options["--page-size [a4|letter|a5]"]
    assert "[default: 1up]" in options["--layout [1up|2up]"]
    assert "[default: 0]" in options["--bleed MM"]
    assert "Usage: pipeline export [OPTIONS] [PATH]..." in shown


@pytest.fixture
def extra_exporter() -> Iterator[type[Exporter]]:
    """An exporter registered for one test, as a plug-in would be."""

    class Tally(Exporter):
        name = "tally"
        help = "tally.txt: how many seeds there are"

    register(Tally)
    yield Tally
    del _EXPORTERS["tally"]


def test_export_help_lists_every_registered_exporter(extra_exporter: type[Exporter]) -> None:
    listed = _help("export", width=200).split("Exporters (--format NAME):\n")[1]
    for name, exporter in load_exporters().items():
        assert re.search(rf"^  {name} +{re.escape(exporter.help)}$", listed, re.MULTILINE), name
    assert "tally" in load_exporters()


def test_export_help_still_prints_when_a_plug_in_is_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> dict[str, type[Exporter]]:
        raise RegistryError("exporter plug-in 'odd' (odd:Odd) cannot be loaded: ImportError: x")

    monkeypatch.setattr("pipeline.cli.load_exporters", broken)
    shown = _help("export")
    assert "--page-size [a4|letter|a5]" in shown
    assert "error: exporter plug-in 'odd' (odd:Odd) cannot be loaded" in shown


def test_the_export_examples_are_valid_command_lines() -> None:
    from pipeline.cli import _EXPORT_EXAMPLES

    export = getattr(get_command(app), "commands", {})["export"]
    shown = _help("export")
    for command, what in _EXPORT_EXAMPLES:
        assert f"  {command}\n    {what}\n" in shown
        program, name, *args = command.split()
        assert (program, name) == ("pipeline", "export")
        export.make_context(name, args)  # raises on an unknown option or a bad value
