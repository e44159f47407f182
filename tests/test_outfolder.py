"""Telling cheaply that the output folder still holds what the last run left in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.outfolder import existing_outputs, known_outputs, listing, still_there
from pipeline.writer import TEMP_SUFFIX

FILES = ["catalogue.sqlite", "json/a.json", "json/b.json", "html/a/index.html"]


def make(out: Path, *, settled: bool) -> str:
    for name in FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("x")
    if settled:  # left alone for a minute
        for folder in ("", "json", "html/a"):
            mtime = (out / folder).stat().st_mtime_ns
            os.utime(out / folder, ns=(1, mtime - 60_000_000_000))
    return listing(out, FILES)


def test_a_settled_folder_is_not_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = make(tmp_path, settled=True)
    monkeypatch.setattr(os, "listdir", None)  # never called: the mtimes tell
    assert still_there(tmp_path, text) == (len(FILES), None)


def test_a_removed_file_or_a_temp_file_is_noticed(tmp_path: Path) -> None:
    text = make(tmp_path, settled=True)
    (tmp_path / "json" / "b.json").unlink()
    assert still_there(tmp_path, text) is None
    (tmp_path / "json" / "b.json").write_text("x")
    assert still_there(tmp_path, text) == (len(FILES), None)  # listed, since its mtime moved
    (tmp_path / "html" / "a" / f".index.html.1{TEMP_SUFFIX}").write_text("")
    assert still_there(tmp_path, text) is None


def test_a_folder_changed_just_now_is_always_listed(tmp_path: Path) -> None:
    text = make(tmp_path, settled=False)
    assert still_there(tmp_path, text) == (len(FILES), None)
    (tmp_path / "html" / "a" / "index.html").unlink()
    assert still_there(tmp_path, text) is None
    assert still_there(tmp_path, "not json") is None


def test_folders_left_alone_since_are_trusted_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = make(tmp_path, settled=False)  # recorded as just changed: listed
    for folder in ("", "json", "html/a"):  # ...and a minute passes
        mtime = (tmp_path / folder).stat().st_mtime_ns
        os.utime(tmp_path / folder, ns=(1, mtime - 60_000_000_000))
    count, relisted = still_there(tmp_path, text) or (0, None)
    assert count == len(FILES) and relisted is not None
    monkeypatch.setattr(os, "listdir", None)
    assert still_there(tmp_path, relisted) == (len(FILES), None)


def test_what_the_listing_tells_is_what_a_walk_finds(tmp_path: Path) -> None:
    text = make(tmp_path, settled=True)
    (tmp_path / "json" / "c.json").write_text("x")  # json/ moved: listed again
    (tmp_path / "json" / f".c.json.7{TEMP_SUFFIX}").write_text("")
    assert known_outputs(tmp_path, text) == {*FILES, "json/c.json"}
    assert known_outputs(tmp_path, text) == existing_outputs(tmp_path)
    assert not (tmp_path / "json" / f".c.json.7{TEMP_SUFFIX}").exists()
    assert known_outputs(tmp_path, "[") is None
