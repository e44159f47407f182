"""The output writer: atomic, inside the output folder only, and quiet when nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.writer import OutputError, OutputWriter


def test_writes_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    assert writer.write_text("json/a.json", "{}\n") is True
    assert (tmp_path / "json" / "a.json").read_text() == "{}\n"
    assert [p.name for p in (tmp_path / "json").iterdir()] == ["a.json"]
    assert writer.written == ["json/a.json"]


def test_unchanged_content_is_not_rewritten(tmp_path: Path) -> None:
    OutputWriter(tmp_path).write_text("a.txt", "same")
    os.utime(tmp_path / "a.txt", (1_000_000, 1_000_000))
    writer = OutputWriter(tmp_path)
    assert writer.write_text("a.txt", "same") is False
    assert (tmp_path / "a.txt").stat().st_mtime == 1_000_000
    assert writer.unchanged == ["a.txt"]


@pytest.mark.parametrize(
    "relpath", ["../escape.txt", "/etc/passwd", "a/../../b", "", ".", "a\\b", "a/\0b"]
)
def test_refuses_paths_outside_the_folder(tmp_path: Path, relpath: str) -> None:
    with pytest.raises(OutputError, match="refusing to write"):
        OutputWriter(tmp_path / "out").write_text(relpath, "x")
    assert not (tmp_path / "escape.txt").exists()


def test_refuses_a_symlink_that_leads_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(OutputError, match="outside the output folder"):
        OutputWriter(out).write_text("link/escape.txt", "x")


def test_refuses_to_write_one_path_twice_in_a_run(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.write_text("a.txt", "one")
    with pytest.raises(OutputError, match="twice"):
        writer.write_text("a.txt", "two")
    assert (tmp_path / "a.txt").read_text() == "one"


def test_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    (tmp_path / "db.sqlite").write_text("old")
    with pytest.raises(RuntimeError), OutputWriter(tmp_path).atomic_path("db.sqlite") as temp:
        temp.write_text("half")
        raise RuntimeError("crash before the swap")
    assert (tmp_path / "db.sqlite").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["db.sqlite"]


def test_a_folder_where_a_file_should_be_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").mkdir()
    with pytest.raises(OutputError, match=r"cannot write 'a\.json'"):
        OutputWriter(tmp_path).write_text("a.json", "x")


def test_a_file_the_run_did_not_find_is_written_without_reading_it_back(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("same")
    os.utime(tmp_path / "a.txt", (1_000_000, 1_000_000))
    assert OutputWriter(tmp_path, existing={"a.txt"}).write_text("a.txt", "same") is False
    assert (tmp_path / "a.txt").stat().st_mtime == 1_000_000
    # Not among the files found when the run started: written, and complete.
    assert OutputWriter(tmp_path, existing=set()).write_text("a.txt", "same") is True
    assert (tmp_path / "a.txt").read_text() == "same"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
