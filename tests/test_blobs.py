"""The blob store: bytes named by their hash, checked as they are read, pruned to what the
entries name."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.blobs import BlobStore, blob_key
from pipeline.writer import OutputWriter


def test_a_blob_is_kept_under_its_hash_and_read_back(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "cache" / "pdf")
    key = store.put(b"a photo")
    assert key == blob_key(b"a photo")
    assert store.get(key) == b"a photo"
    assert sorted(p.name for p in store.folder.iterdir()) == [f"{key}.blob"]
    assert store.put(b"a photo") == key  # kept once


def test_a_damaged_blob_is_never_used(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    key = store.put(b"the picture's bytes")
    (tmp_path / f"{key}.blob").write_bytes(b"the picture's bytez")
    assert store.get(key) is None
    assert not (tmp_path / f"{key}.blob").exists()
    assert store.get(blob_key(b"never kept")) is None


def test_a_truncated_blob_is_written_again(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    key = store.put(b"0123456789")
    (tmp_path / f"{key}.blob").write_bytes(b"01234")
    store.put(b"0123456789")
    assert store.get(key) == b"0123456789"


def test_prune_keeps_what_is_named_and_removes_the_rest(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    kept, gone = store.put(b"kept"), store.put(b"gone")
    (tmp_path / f".{gone}.blob.123.tmp").write_bytes(b"left by a killed worker")
    assert store.prune({kept}) == 2
    assert [p.name for p in tmp_path.iterdir()] == [f"{kept}.blob"]
    assert BlobStore(tmp_path / "never made").prune(set()) == 0


def test_a_store_that_cannot_be_written_keeps_nothing_and_breaks_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    store = BlobStore(tmp_path / "file" / "cache")  # a folder under a file cannot be made
    key = store.put(b"a photo")
    assert key == blob_key(b"a photo")
    assert store.get(key) is None


def test_a_key_cannot_name_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a blob key"):
        BlobStore(tmp_path).get("../../etc/passwd")


def test_a_streamed_output_is_left_alone_when_it_holds_those_bytes(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    with writer.stream("cards.pdf") as sink:
        sink.write(b"%PDF-1.4 ")
        sink.write(b"one")
    assert writer.written == ["cards.pdf"]
    target = tmp_path / "cards.pdf"
    assert target.read_bytes() == b"%PDF-1.4 one"
    before = target.stat().st_mtime_ns

    again = OutputWriter(tmp_path)
    with again.stream("cards.pdf") as sink:
        sink.write(b"%PDF-1.4 one")
    assert (again.written, again.unchanged) == ([], ["cards.pdf"])
    assert target.stat().st_mtime_ns == before

    changed = OutputWriter(tmp_path)
    with changed.stream("cards.pdf") as sink:
        sink.write(b"%PDF-1.4 two")
    assert changed.written == ["cards.pdf"]
    assert target.read_bytes() == b"%PDF-1.4 two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.pdf"]


def test_a_stream_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "cards.pdf").write_bytes(b"the last booklet")
    writer = OutputWriter(tmp_path)
    with pytest.raises(RuntimeError), writer.stream("cards.pdf") as sink:
        sink.write(b"half a booklet")
        raise RuntimeError("a picture could not be read")
    assert writer.written == []
    assert [p.name for p in tmp_path.iterdir()] == ["cards.pdf"]
    assert (tmp_path / "cards.pdf").read_bytes() == b"the last booklet"
