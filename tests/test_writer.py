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


def test_a_path_has_one_owner_in_a_run(tmp_path: Path) -> None:
    root = OutputWriter(tmp_path)
    root.sibling("json").write_text("json/a.json", "one")
    with pytest.raises(OutputError, match=r"'json/a\.json' is written by 'json' and by 'mirror'"):
        root.sibling("mirror").write_text("json/a.json", "two")
    assert (tmp_path / "json" / "a.json").read_text() == "one"
    # One owner, two writers (two seeds): the path is still written twice.
    with pytest.raises(OutputError, match=r"'json/a\.json' would be written twice in one run"):
        root.sibling("json").write_text("json/a.json", "three")
    # The pipeline's own files (written by the writer with no owner) are in the map too.
    root.write_text("state.json", "{}")
    with pytest.raises(OutputError, match="by the pipeline itself and by 'mirror'"):
        root.sibling("mirror").write_text("state.json", "{}")


def test_an_owner_that_declared_its_outputs_writes_only_those(tmp_path: Path) -> None:
    declared = {"json": ("json/{slug}.json",), "pdf": ("cards/{slug}.pdf", "cards.pdf")}
    root = OutputWriter(tmp_path, declared={**declared, "silent": ()})
    root.sibling("json").write_text("json/push-up.json", "{}")
    root.sibling("pdf").write_bytes("cards.pdf", b"%PDF")
    with pytest.raises(OutputError) as refused:
        root.sibling("pdf").write_bytes("cards/push-up.PDF", b"%PDF")
    assert str(refused.value) == (
        "'pdf' writes 'cards/push-up.PDF', which is not among the outputs it declares "
        "(cards/{slug}.pdf, cards.pdf): declare it in the exporter's outputs"
    )
    assert not (tmp_path / "cards").exists()
    # Declaring nothing (as a plug-in may), or having no declaration: anything, but once.
    root.sibling("silent").write_text("notes/push-up.txt", "x")
    root.sibling("other").write_text("other.txt", "x")
    with pytest.raises(OutputError, match="by 'json' and by 'silent'"):
        root.sibling("silent").write_text("json/push-up.json", "{}")


def test_paths_written_in_another_process_are_entered_in_the_map(tmp_path: Path) -> None:
    root = OutputWriter(tmp_path)
    assert root.record_claims("json", ["json/a.json", "json/b.json"]) == []
    problems = root.record_claims("mirror", ["json/a.json", "mirror/a.json"])
    assert [str(p) for p in problems] == ["'json/a.json' is written by 'json' and by 'mirror'"]
    assert [str(p) for p in root.record_claims("json", ["json/b.json"])] == [
        "'json/b.json' would be written twice in one run"
    ]
    with pytest.raises(OutputError, match="by 'mirror' and by 'html'"):
        root.sibling("html").write_text("mirror/a.json", "x")
