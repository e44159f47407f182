"""A note many seeds share is one line; warnings and errors are always listed one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.diagnostics import Diagnostic, Level, summarise
from tests.conftest import copy_pictures

NO_VIDEO_OBJECT = "no VideoObject in the JSON-LD: Google requires the video's upload date"


@pytest.fixture
def five_curls(tmp_path: Path, shipped_text: str) -> Path:
    """Five seeds whose videos have no upload date (a note each), one with an unknown key."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    copy_pictures(folder)
    for n in range(5):
        (folder / f"curl-{n}.md").write_text(shipped_text)
    (folder / "curl-0.md").write_text(shipped_text.replace("---\n", "---\ncolour: red\n", 1))
    return folder


def test_a_note_shared_by_many_seeds_is_one_line(
    runner: CliRunner, five_curls: Path, tmp_path: Path
) -> None:
    seeds = [(five_curls / f"curl-{n}.md").as_posix() for n in range(5)]
    out = tmp_path / "out"
    args = ["export", str(five_curls), "--out", str(out), "--quiet", "-f", "jsonld"]
    for run in ("first", "no-op"):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (run, result.output)
        notes = [line for line in result.output.splitlines() if ": note: " in line]
        assert notes == []
        summary = [line for line in result.output.splitlines() if line.startswith("note: ")]
        assert summary == [
            f"note: 5 seeds: {NO_VIDEO_OBJECT}; add 'video_uploaded: YYYY-MM-DD' to the "
            f"frontmatter (e.g. {seeds[0]}, {seeds[1]}, {seeds[2]}; --verbose lists all)"
        ]
        # Warnings are never summarised away.
        assert f"{seeds[0]}:2: warning: unknown frontmatter key 'colour'" in result.output

    verbose = runner.invoke(app, [*args, "--verbose"])
    for seed in seeds:
        assert f"{seed}:1: note: {NO_VIDEO_OBJECT}" in verbose.output
    assert "note: 5 seeds" not in verbose.output


def test_machine_read_reports_keep_every_note(
    runner: CliRunner, five_curls: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.json"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    args = ["export", str(five_curls), "--out", str(tmp_path / "out"), "--quiet", "-f", "jsonld"]
    result = runner.invoke(app, [*args, "--report-json", str(report)])
    assert result.exit_code == 0, result.output
    notes = [d for d in json.loads(report.read_text())["diagnostics"] if d["level"] == "note"]
    assert len(notes) == 5
    assert result.output.count("::notice file=") == 5
    assert result.output.count("note: 5 seeds:") == 1


def test_summarise_keeps_order_and_lists_few_in_full() -> None:
    diagnostics = [
        Diagnostic("a.md", 3, Level.ERROR, "broken"),
        Diagnostic("a.md", 1, Level.NOTE, "same"),
        Diagnostic("b.md", 0, Level.WARNING, "odd"),
        Diagnostic("b.md", 1, Level.NOTE, "same"),
        Diagnostic("b.md", 4, Level.NOTE, "only b"),
        Diagnostic("c.md", 2, Level.WARNING, "odd"),
    ]
    assert summarise(diagnostics) == [
        "a.md:3: error: broken",
        "note: 2 seeds: same (a.md, b.md)",
        "b.md: warning: odd",
        "b.md:4: note: only b",
        "c.md:2: warning: odd",
    ]
