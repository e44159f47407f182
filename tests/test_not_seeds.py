"""Files in seeds/ that are not seeds (README.md, _ and . names), and drafts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engine import discover_seeds

WriteSeed = Callable[[str, str | bytes], Path]


def catalogue_slugs(out: Path) -> list[str]:
    with sqlite3.connect(f"file:{out / 'catalogue.sqlite'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT slug FROM exercises ORDER BY slug")]


def as_draft(text: str) -> str:
    return text.replace("---\n", "---\ndraft: true\n", 1)


def test_readme_and_underscore_and_dot_names_are_not_seeds(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed
) -> None:
    write_seed("README.md", "# Our seeds\n\nOne file per exercise.\n")
    write_seed("_template.md", "---\ndescription: \n---\n")
    write_seed(".scratch.md", "notes")
    write_seed("_drafts/half-done.md", "---\n")
    write_seed(".git/info.md", "x")
    write_seed("arms/readme.md", "About the arm exercises.")
    result = runner.invoke(app, ["check", str(seeds_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == "1 seed checked: 0 errors, 0 warnings\n"


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(
    runner: CliRunner, write_seed: WriteSeed, shipped_text: str
) -> None:
    template = write_seed("_template.md", shipped_text)
    assert discover_seeds([template])[0] == [template]
    result = runner.invoke(app, ["check", str(template)])
    assert result.exit_code == 0, result.output
    assert "1 seed checked" in result.output


def test_a_draft_is_checked_but_not_exported_unless_drafts(
    runner: CliRunner, seeds_dir: Path, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    draft = write_seed("wip-curl.md", as_draft(shipped_text))
    out = tmp_path / "out"
    args = ["export", str(seeds_dir), "--out", str(out), "--quiet", "--jobs", "1"]

    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        f"{draft.as_posix()}: note: a draft (draft: true): checked, not exported "
        "(export --drafts to include it)" in result.output
    )
    assert "2 seeds into" in result.output and "1 draft not exported" in result.output
    assert not (out / "json" / "wip-curl.json").exists()
    assert catalogue_slugs(out) == ["leverage-machine-lying-leg-curl"]

    result = runner.invoke(app, [*args, "--drafts"])
    assert result.exit_code == 0, result.output
    assert "(draft: true)" not in result.output and "not exported" not in result.output
    assert json.loads((out / "json" / "wip-curl.json").read_text())["slug"] == "wip-curl"
    assert catalogue_slugs(out) == ["leverage-machine-lying-leg-curl", "wip-curl"]

    # Exported before, a draft again: un-published.
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        f"{draft.as_posix()}: note: a draft (draft: true): not exported, and its earlier "
        "outputs are removed" in result.output
    )
    assert (
        "removed 7: cards/wip-curl.pdf, html/wip-curl/index.html, "
        "html/wip-curl/lying-leg-curl-end.jpg, html/wip-curl/lying-leg-curl-start.jpg, "
        "json/wip-curl.json" in result.output
    )
    assert not (out / "html" / "wip-curl" / "index.html").exists()
    assert catalogue_slugs(out) == ["leverage-machine-lying-leg-curl"]


def test_a_published_seed_made_a_draft_is_removed(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["export", str(seeds_dir), "--out", str(out), "--quiet", "--jobs", "1"]
    assert runner.invoke(app, args).exit_code == 0
    seed = seeds_dir / "leverage-machine-lying-leg-curl.md"
    seed.write_text(as_draft(seed.read_text()))
    result = runner.invoke(app, args)
    assert "its earlier outputs are removed" in result.output
    assert not (out / "cards" / "leverage-machine-lying-leg-curl.pdf").exists()
    assert catalogue_slugs(out) == []


def test_a_drafts_errors_are_reported_by_check_and_export(
    runner: CliRunner, write_seed: WriteSeed, shipped_text: str, tmp_path: Path
) -> None:
    draft = write_seed("wip.md", as_draft(shipped_text).replace('"vl5nUdE9mWM"', "nope"))
    checked = runner.invoke(app, ["check", str(draft)])
    assert checked.exit_code == 1
    assert f"{draft.as_posix()}:3: error: video: 'nope' is not a YouTube video" in (checked.output)
    exported = runner.invoke(app, ["export", str(draft), "--out", str(tmp_path / "out")])
    assert exported.exit_code == 1
    assert f"{draft.as_posix()}:3: error: video: 'nope'" in exported.output


def test_draft_must_be_true_or_false(
    runner: CliRunner, write_seed: WriteSeed, shipped_text: str
) -> None:
    seed = write_seed("wip.md", shipped_text.replace("---\n", "---\ndraft: maybe\n", 1))
    result = runner.invoke(app, ["check", str(seed)])
    assert result.exit_code == 1
    assert f"{seed.as_posix()}:2: error: draft: 'maybe' is not a draft; write true or false" in (
        result.output
    )
