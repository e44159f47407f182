"""The command line, through Typer's test runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app
from tests.complexity import tangled
from tests.conftest import line_of

WriteSeed = Callable[[str, str | bytes], Path]


def test_check_the_shipped_seeds_is_clean(runner: CliRunner, seeds_dir: Path) -> None:
    result = runner.invoke(app, ["check", str(seeds_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == "1 seed checked: 0 errors, 0 warnings\n"


def test_check_defaults_to_the_seeds_folder(
    runner: CliRunner, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_dir.parent)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0
    assert "1 seed checked" in result.output


def test_check_reports_errors_with_path_and_line_and_exits_1(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed, shipped_text: str
) -> None:
    bad = write_seed("bad.md", shipped_text.replace('"vl5nUdE9mWM"', "nope"))
    result = runner.invoke(app, ["check", str(seeds_dir)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{bad.as_posix()}:2: error: video: 'nope' is not a YouTube video")
    assert lines[-1] == "2 seeds checked: 1 error, 0 warnings"


def test_warnings_pass_unless_strict(
    runner: CliRunner, write_seed: WriteSeed, shipped_text: str
) -> None:
    seed = write_seed("curl.md", shipped_text.replace("---\n\n", "colour: red\n---\n\n", 1))
    relaxed = runner.invoke(app, ["check", str(seed)])
    assert relaxed.exit_code == 0
    line = line_of(seed.read_text("utf-8"), "colour:")
    assert f"{seed.as_posix()}:{line}: warning: unknown frontmatter key 'colour'" in relaxed.output
    strict = runner.invoke(app, ["check", "--strict", str(seed)])
    assert strict.exit_code == 1
    assert f"{seed.as_posix()}:{line}: error: unknown frontmatter key 'colour'" in strict.output


def test_check_json_format(runner: CliRunner, write_seed: WriteSeed) -> None:
    write_seed("bad.md", "no frontmatter\n")
    result = runner.invoke(app, ["check", "--format", "json", str(write_seed("ok.md", "x").parent)])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["seeds"] == 2 and document["valid"] == 0 and document["errors"] == 2
    assert document["diagnostics"][0] == {
        "path": document["diagnostics"][0]["path"],
        "line": 1,
        "level": "error",
        "message": "no frontmatter: a seed starts with a '---' line",
    }


def test_github_annotations(
    runner: CliRunner, write_seed: WriteSeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = write_seed("bad.md", "---\ndescription: d\nvideo: 'a, b'\n---\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = runner.invoke(app, ["check", str(seed)])
    assert f"::error file={seed.as_posix()},line=3::video: 'a, b' is not" in result.output


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    assert runner.invoke(app, ["check", "--format", "yaml"]).exit_code == 2
    assert runner.invoke(app, ["export", "--format", "nope", str(tmp_path)]).exit_code == 2


def test_export_writes_the_json_model(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    result = runner.invoke(app, ["export", str(seeds_dir), "--out", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "json" / "leverage-machine-lying-leg-curl.json").read_text())
    assert document["slug"] == "leverage-machine-lying-leg-curl"
    assert document["howto"][0]["name"] == "Adjust and Position Yourself"
    assert len(document["sections"][1]["items"]) == 5


def test_export_skips_a_bad_seed_keeps_the_others_and_exits_1(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed, tmp_path: Path
) -> None:
    write_seed("broken.md", "---\ndescription: [unclosed\n---\n")
    out = tmp_path / "outputs"
    result = runner.invoke(app, ["export", str(seeds_dir), "--out", str(out), "-f", "json"])
    assert result.exit_code == 1
    assert (
        "broken.md:3: error: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence started on line 2)" in result.output
    )
    assert sorted(p.name for p in (out / "json").iterdir()) == [
        "leverage-machine-lying-leg-curl.json"
    ]


def test_duplicate_slugs_fail_both_seeds_naming_each_other(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    twin = write_seed(
        "twin.md",
        shipped_text.replace("---\n\n", "slug: leverage-machine-lying-leg-curl\n---\n\n", 1),
    )
    result = runner.invoke(app, ["check", str(seeds_dir)])
    assert result.exit_code == 1
    original = seeds_dir / "leverage-machine-lying-leg-curl.md"
    assert (
        f"{original.as_posix()}:1: error: slug 'leverage-machine-lying-leg-curl' is also used by "
        f"{twin.as_posix()}" in result.output
    )
    assert (
        f"{twin.as_posix()}:1: error: slug 'leverage-machine-lying-leg-curl' is also used by "
        f"{original.as_posix()}" in result.output
    )


def test_schema_is_a_json_schema_of_the_frontmatter(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["required"] == ["description"]
    assert {"video", "slug", "level", "lang", "muscles"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"pipeline {__version__}\n"


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    commands = getattr(group, "commands", {})
    found = [prefix] if prefix else []
    for name, command in commands.items():
        found += _commands(command, (*prefix, name)) or [(*prefix, name)]
    return found


@pytest.mark.parametrize("command", _commands(get_command(app)))
def test_every_command_has_real_help(runner: CliRunner, command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    click_command = get_command(app)
    for name in command:
        click_command = click_command.commands[name]  # type: ignore[attr-defined]
    assert click_command.help and len(click_command.help) > 30
    for param in click_command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert getattr(param, "help", None), f"{command} --{param.name} has no help"


def test_python_dash_m_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == f"pipeline {__version__}"


def test_no_traceback_for_a_directory_named_like_a_seed(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    (folder / "odd.md").mkdir(parents=True)
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit | typer.Exit
    )


def test_seed_text_cannot_drive_the_terminal(
    runner: CliRunner, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    # YAML's own escapes put the raw characters into a key and a title.
    front = '"\\e[2J\\e]0;x\\a": 1\ntitle: "Curl\\e[5m now"\n---\n\n'
    hostile = shipped_text.replace("---\n\n", front, 1)
    hostile = hostile.replace("## Tips", "## Tips \u2028more")
    hostile = hostile.replace("Lifting hips", "Lifting\x1b[5m hips")
    seed = write_seed("curl.md", hostile)
    result = runner.invoke(app, ["check", str(seed)])
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u2028" not in result.output
    assert "unknown frontmatter key '\\x1b[2J\\x1b]0;x\\x07'" in result.output
    assert "control character U+001B replaced by a space" in result.output
    assert len(result.output.splitlines()) == 4  # three warnings and the summary
    out = tmp_path / "out"
    exported = runner.invoke(app, ["export", str(seed), "--out", str(out), "-f", "sqlite"])
    assert exported.exit_code == 0, exported.output
    shown = runner.invoke(app, ["show", "curl", "--db", str(out / "catalogue.sqlite")], color=False)
    assert "Curl\\x1b[5m now" in shown.output
    assert "Lifting [5m hips" in shown.output
    assert "\x1b" not in shown.output


@pytest.mark.parametrize("command", [["export", "--jobs", "0"], ["search", "-n", "0", "curl"]])
def test_a_count_below_one_is_a_usage_error(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    assert "0 is not a whole number of 1 or more" in result.output


def test_the_strict_setting_fails_an_export_on_a_warning_as_the_flag_does(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_seed = Path(__file__).parent / "fixtures" / "cards" / "long-en.md"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "long-en.md").write_bytes(long_seed.read_bytes())
    arguments = ["export", str(seeds), "--out", str(tmp_path / "out"), "-f", "pdf", "-j", "1"]
    relaxed = runner.invoke(app, [*arguments, "--page-size", "a5"])
    assert relaxed.exit_code == 0 and "warning: card for 'long-en'" in relaxed.output
    flagged = runner.invoke(app, [*arguments, "--page-size", "a5", "--force", "--strict"])
    assert flagged.exit_code == 1
    monkeypatch.setenv("PIPELINE_STRICT", "true")
    set_by_environment = runner.invoke(app, [*arguments, "--page-size", "a5", "--force"])
    assert set_by_environment.exit_code == 1


def test_exit_handlers_still_run_after_the_fast_exit(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    program = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'ran')\n"
        "sys.argv = ['pipeline', '--version']\n"
        "from pipeline.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("pipeline ")
    assert marker.read_text() == "ran"


def test_no_command_or_settings_loader_is_too_tangled_to_read_at_once() -> None:
    assert tangled("cli.py", "config.py") == []


# Modules an export with nothing to do never needs: the parser and what it loads, the
# documents, the markup, the cards, the catalogue's reader, and rich's tables and bars.
_NOT_FOR_A_NO_OP = (
    "pipeline.model",
    "pipeline.parser",
    "pipeline.frontmatter",
    "pipeline.inline",
    "pipeline.jsonld",
    "pipeline.pages.render",
    "pipeline.cards",
    "pipeline.catalogue.reader",
    "pipeline.catalogue.build",
    "pipeline.progress_bar",
    "pipeline.validation",
    "yaml",
    "frontmatter",
    "markdown_it",
    "reportlab",
    "rich.table",
    "rich.progress",
    "babel",
    "pipeline.i18n.labels",
)


def _modules_loaded_by(arguments: list[str], dump: Path) -> list[str]:
    """The modules a fresh interpreter had loaded when ``pipeline <arguments>`` ended."""
    program = (
        "import atexit, json, pathlib, sys\n"
        f"dump = pathlib.Path({str(dump)!r})\n"
        "atexit.register(lambda: dump.write_text(json.dumps(sorted(sys.modules))))\n"
        f"sys.argv = {['pipeline', *arguments]!r}\n"
        "from pipeline.__main__ import main\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=False,
        cwd=dump.parent,
        env={**env, "PIPELINE_BASE_URL": "https://example.org/"},
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(dump.read_text())
    return modules


def _heavy(modules: list[str]) -> list[str]:
    return [
        module
        for module in modules
        if any(module == name or module.startswith(name + ".") for name in _NOT_FOR_A_NO_OP)
    ]


def test_an_export_with_nothing_to_do_loads_only_what_it_needs(
    seeds_dir: Path, tmp_path: Path
) -> None:
    export = ["export", str(seeds_dir), "--out", str(tmp_path / "out"), "-q"]
    first = _modules_loaded_by([*export, "-j", "1"], tmp_path / "first.json")
    assert {"pipeline.model", "pipeline.parser", "reportlab"} <= set(first)  # what is looked for
    again = _modules_loaded_by(export, tmp_path / "again.json")
    assert _heavy(again) == []
    assert {"pipeline.engine", "pipeline.exporters.html", "sqlite3"} <= set(again)


@pytest.mark.parametrize("arguments", [["--help"], ["export", "--help"]])
def test_help_loads_only_what_it_needs(arguments: list[str], tmp_path: Path) -> None:
    assert _heavy(_modules_loaded_by(arguments, tmp_path / "modules.json")) == []
