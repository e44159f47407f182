"""Faults: an output folder that cannot be written, a full disk, seeds that move under our feet.
Each costs a clear message and an exit code, never a traceback or another seed's outputs."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.engine import export
from pipeline.parser import parse_seed
from tests.test_engine import snapshot

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(ROOT)
SLUG = "leverage-machine-lying-leg-curl"


def second_seed(seeds_dir: Path, shipped_text: str) -> Path:
    other = seeds_dir / "seated-leg-curl.md"
    other.write_text(shipped_text.replace("Isolate", "Sit and isolate"), "utf-8")
    return other


def run(runner: CliRunner, seeds: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["export", str(seeds), "--out", str(out), "--jobs", "1", *extra])


def test_a_target_that_is_a_folder_is_a_clear_error_and_the_rest_is_written(
    runner: CliRunner, seeds_dir: Path, shipped_text: str, tmp_path: Path
) -> None:
    second_seed(seeds_dir, shipped_text)
    out = tmp_path / "out"
    (out / "json" / f"{SLUG}.json").mkdir(parents=True)
    result = run(runner, seeds_dir, out)
    assert result.exit_code == 1
    assert f"{SLUG}.md: error: cannot write 'json/{SLUG}.json': Is a directory" in result.output
    assert "Traceback" not in result.output
    assert (out / "json" / "seated-leg-curl.json").is_file()
    assert (out / "jsonld" / f"{SLUG}.jsonld").is_file()
    assert (out / "catalogue.sqlite").is_file()
    # Once the folder is gone, the next run writes what it could not, and only that.
    (out / "json" / f"{SLUG}.json").rmdir()
    result = run(runner, seeds_dir, out)
    assert result.exit_code == 0, result.output
    assert (out / "json" / f"{SLUG}.json").is_file()


def _failing(real: Callable[..., Any], error: int, inside: Path) -> Callable[..., Any]:
    def fail(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).startswith(str(inside)) and "/.pipeline/" not in str(path):
            raise OSError(error, os.strerror(error), str(path))
        return real(path, *args, **kwargs)

    return fail


def test_a_read_only_output_folder_is_a_clear_error_and_old_outputs_survive(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run(runner, seeds_dir, out).exit_code == 0
    before = snapshot(out)
    (seeds_dir / f"{SLUG}.md").write_text(
        (seeds_dir / f"{SLUG}.md").read_text().replace("Isolate", "Train"), "utf-8"
    )
    # Tests may run as root, which ignores file modes: the OS's answer is simulated instead.
    monkeypatch.setattr("pipeline.writer.os.open", _failing(os.open, errno.EROFS, out))
    result = run(runner, seeds_dir, out)
    assert result.exit_code == 1
    assert f"cannot write 'json/{SLUG}.json': Read-only file system" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before


def test_disk_full_during_a_write_keeps_the_old_output(
    runner: CliRunner, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run(runner, seeds_dir, out).exit_code == 0
    old_page = (out / "html" / SLUG / "index.html").read_bytes()
    seed = seeds_dir / f"{SLUG}.md"
    seed.write_text(seed.read_text().replace("Isolate", "Train"), "utf-8")

    real_write = os.write

    def full(fd: int, data: Any) -> int:
        if len(data) > 100:
            real_write(fd, bytes(data)[:100])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr("pipeline.writer.os.write", full)
    result = run(runner, seeds_dir, out)
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert (out / "html" / SLUG / "index.html").read_bytes() == old_page
    assert not list(out.rglob("*.pipeline-tmp"))


def test_a_seed_that_vanishes_while_being_read_costs_only_itself(
    runner: CliRunner,
    seeds_dir: Path,
    shipped_text: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = second_seed(seeds_dir, shipped_text)
    real = parse_seed

    def vanish(path: Path, **kwargs: Any) -> Any:
        if path.name == other.name:
            path.unlink()
        return real(path, **kwargs)

    monkeypatch.setattr("pipeline.parser.parse_seed", vanish)
    out = tmp_path / "out"
    result = run(runner, seeds_dir, out)
    assert result.exit_code == 1
    assert (
        f"{other.as_posix()}:1: error: cannot read the file: No such file or directory"
        in result.output
    )
    assert (out / "json" / f"{SLUG}.json").is_file()
    assert not (out / "json" / "seated-leg-curl.json").exists()


def test_a_seed_that_changes_while_being_read_is_read_again_next_run(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = seeds_dir / f"{SLUG}.md"
    real = parse_seed

    def edit_after_reading(path: Path, **kwargs: Any) -> Any:
        result = real(path, **kwargs)
        path.write_text(path.read_text().replace("Isolate", "Strengthen"), "utf-8")
        return result

    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr("pipeline.parser.parse_seed", edit_after_reading)
        export([seeds_dir], out, SETTINGS, ["json"], jobs=1)
    assert "Isolate your hamstrings" in (out / "json" / f"{SLUG}.json").read_text()
    report = export([seeds_dir], out, SETTINGS, ["json"], jobs=1)
    assert report.parsed == 1
    assert "Strengthen your hamstrings" in (out / "json" / f"{SLUG}.json").read_text()
    assert seed.read_text().count("Strengthen") == 1


def test_a_symlink_leading_outside_the_seeds_folder_is_not_followed(
    runner: CliRunner, seeds_dir: Path, shipped_text: str, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text(shipped_text, "utf-8")
    (seeds_dir / "secret.md").symlink_to(secret)
    (seeds_dir / "more").symlink_to(outside)
    inside = seeds_dir / "alias.md"
    inside.symlink_to(seeds_dir / f"{SLUG}.md")
    result = runner.invoke(app, ["check", str(seeds_dir)])
    lines = result.output.splitlines()
    assert f"{(seeds_dir / 'secret.md').as_posix()}: warning: a symbolic link to {secret}" in (
        result.output
    )
    assert any(
        f"{(seeds_dir / 'more').as_posix()}: warning: a symbolic link to" in line for line in lines
    )
    # A link inside the folder is followed, but a real file is read once: the alias is the
    # shipped seed itself.
    assert f"{inside.as_posix()}: note: a symbolic link to " in result.output
    assert "which is read already: read once" in result.output
    assert lines[-1] == "1 seed checked: 0 errors, 2 warnings"
